"""`sendgraph serve` answers only the user: its own Host names, its own page, and the names and origins the user adds.

A web page the user visits can make the browser send requests to 127.0.0.1 (a form
POST needs no permission), and with DNS rebinding read the answers. These tests send
the headers such a browser would send, over raw sockets, to a real server.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from sendgraph.base.errors import UsageError
from sendgraph.serve.connections import Access
from tests.server import Reply, child_pids, exchange, executable, free_port, running

# Counting a cross join takes the whole --timeout (2 s): had it run, a query process
# would be seen for that long.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "/sparql?query=ASK%7B%7D"


PIDS: dict[int, int] = {}  # the server's PID by its port


def start(tmp: Path, *options: str) -> Iterator[int]:
    port = free_port()
    command = [executable("sendgraph"), "serve", "--port", str(port), "--timeout", "2", *options]
    with running(command, f"http://127.0.0.1:{port}/", log=tmp / "serve.log") as process:
        PIDS[port] = process.pid
        yield port


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    yield from start(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def allowing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A server told to answer the Host evil.example and pages from http://evil.example."""
    yield from start(
        tmp_path_factory.mktemp("serve"),
        "--allow-host", "evil.example", "--allow-origin", "http://evil.example",
    )  # fmt: skip


def get(port: int, target: str, *headers: str, version: str = "HTTP/1.1") -> Reply:
    head = "".join(f"{line}\r\n" for line in headers)
    return exchange(port, f"GET {target} {version}\r\n{head}\r\n".encode())


def form_post(port: int, query: str, *headers: str) -> Reply:
    body = urllib.parse.urlencode({"query": query}).encode()
    head = "".join(f"{line}\r\n" for line in headers)
    return exchange(
        port,
        (
            f"POST /sparql HTTP/1.1\r\n{head}Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body,
    )


def test_a_foreign_host_is_refused_with_a_sentence(port: int) -> None:
    for host in ("evil.example", f"evil.example:{port}"):
        reply = get(port, ASK, f"Host: {host}")
        assert (reply.status, reply.body.decode()) == (
            403,
            f"This server does not answer to the Host {host!r}; if evil.example is a name "
            "of this machine, start the server with --allow-host evil.example.\n",
        )
        assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_a_rebound_name_cannot_read_answers(port: int) -> None:
    """DNS rebinding: the attacker's name resolves to 127.0.0.1, and the browser sends it as the Host."""
    for target in ("/", ASK, "/queries", "/questions/gaps"):
        reply = get(port, target, f"Host: attacker.example:{port}")
        assert reply.status == 403 and b"does not answer to the Host" in reply.body
        assert b"boolean" not in reply.body and b"rule" not in reply.body


def test_loopback_names_are_answered_with_or_without_the_port(port: int) -> None:
    for host in ("localhost", "127.0.0.1", "[::1]", "LocalHost."):
        for named in (host, f"{host}:{port}"):
            reply = get(port, ASK, f"Host: {named}")
            assert (reply.status, reply.body) == (200, b'{"head": {}, "boolean": true}'), named


def test_a_missing_host_is_400_on_http_1_1_only(port: int) -> None:
    reply = get(port, ASK)
    assert (reply.status, reply.body.decode()) == (
        400,
        "An HTTP/1.1 request must name the server in its Host header.\n",
    )
    assert get(port, ASK, "Host: localhost", "Host: localhost").status == 400
    assert get(port, ASK, version="HTTP/1.0").status == 200


def test_an_allowed_host_is_answered(allowing: int) -> None:
    reply = get(allowing, ASK, "Host: evil.example")
    assert (reply.status, reply.body) == (200, b'{"head": {}, "boolean": true}')
    assert get(allowing, ASK, "Host: other.example").status == 403


def test_a_form_post_from_another_origin_is_refused_and_not_run(port: int) -> None:
    pid = PIDS[port]
    seen: list[list[int]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.append(child_pids(pid))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        reply = form_post(port, SLOW, "Host: 127.0.0.1", "Origin: http://evil.example")
        time.sleep(0.5)  # a query started by it would still be running now
    finally:
        done.set()
        watcher.join()
    assert (reply.status, reply.body.decode()) == (
        403,
        "Pages from 'http://evil.example' may not use this server; if that is your own "
        "page, start the server with --allow-origin http://evil.example.\n",
    )
    assert len(seen) > 10 and not any(seen)
    # The same form from the server's own page runs (and is stopped at its time limit).
    reply = form_post(port, SLOW, f"Host: 127.0.0.1:{port}", f"Origin: http://127.0.0.1:{port}")
    assert reply.status == 503 and b"was stopped" in reply.body


def test_an_allowed_origin_is_answered_with_cors(allowing: int) -> None:
    reply = form_post(allowing, "ASK {}", "Host: localhost", "Origin: http://evil.example")
    assert (reply.status, reply.body) == (200, b'{"head": {}, "boolean": true}')
    assert reply.headers["Access-Control-Allow-Origin"] == "http://evil.example"
    assert reply.headers["Vary"] == "Origin"
    preflight = exchange(
        allowing,
        b"OPTIONS /sparql HTTP/1.1\r\nHost: localhost\r\nOrigin: http://evil.example\r\n"
        b"Access-Control-Request-Method: POST\r\n"
        b"Access-Control-Request-Headers: content-type\r\n\r\n",
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://evil.example"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST"
    assert preflight.headers["Access-Control-Allow-Headers"] == "Accept, Content-Type"
    refused = exchange(
        allowing,
        b"OPTIONS /sparql HTTP/1.1\r\nHost: localhost\r\nOrigin: http://other.example\r\n"
        b"Access-Control-Request-Method: POST\r\n\r\n",
    )
    assert refused.status == 403 and "Access-Control-Allow-Origin" not in refused.headers


def test_the_query_pages_own_requests_are_answered(port: int) -> None:
    own = f"http://127.0.0.1:{port}"
    for target in (ASK, "/queries"):
        reply = get(
            port, target, f"Host: 127.0.0.1:{port}", f"Origin: {own}", "Sec-Fetch-Site: same-origin"
        )
        assert reply.status == 200 and "Access-Control-Allow-Origin" not in reply.headers
    reply = form_post(port, "ASK {}", f"Host: 127.0.0.1:{port}", f"Origin: {own}")
    assert (reply.status, reply.body) == (200, b'{"head": {}, "boolean": true}')
    # The page's own origin is the one its Host names: another port is another page.
    reply = form_post(port, "ASK {}", f"Host: 127.0.0.1:{port}", "Origin: http://127.0.0.1:8888")
    assert reply.status == 403


def test_another_sites_request_without_an_origin_runs_no_query(port: int) -> None:
    """A GET form, link or image from another site carries no Origin, but Sec-Fetch-Site says where it came from."""
    for site in ("cross-site", "same-site"):
        reply = get(port, ASK, "Host: 127.0.0.1", f"Sec-Fetch-Site: {site}")
        assert (reply.status, reply.body.decode()) == (
            403,
            f"A page of another site sent this request (Sec-Fetch-Site: {site}); only the "
            "query page and the pages named with --allow-origin may.\n",
        )
    # A link to the query page may be anywhere: opening it is answered.
    reply = get(
        port, "/", "Host: 127.0.0.1", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: navigate"
    )
    assert reply.status == 200 and reply.body.startswith(b"<!DOCTYPE html>")
    assert get(port, ASK, "Host: 127.0.0.1", "Sec-Fetch-Site: none").status == 200


def test_access_by_the_bound_address() -> None:
    loopback = Access.bound_to("127.0.0.1")
    assert loopback.hosts == {"localhost", "127.0.0.1", "[::1]"}
    assert not loopback.answers("192.168.1.5") and not loopback.answers("evil.example")
    # Bound to every address: its own IP addresses are not known, but no page's name
    # can be rebound to an IP address, so any is answered; names must be allowed.
    everywhere = Access.bound_to("0.0.0.0", ["nas.local"])
    assert everywhere.answers("192.168.1.5:7878") and everywhere.answers("[fe80::1]:7878")
    assert everywhere.answers("NAS.local") and everywhere.answers("localhost")
    assert not everywhere.answers("evil.example") and not everywhere.answers("a b")
    one = Access.bound_to("192.168.1.5")
    assert one.answers("192.168.1.5:7878") and not one.answers("localhost")
    assert not one.answers("192.168.1.6")
    with pytest.raises(UsageError, match="is not an origin"):
        Access.bound_to("127.0.0.1", origins=["evil.example"])
    with pytest.raises(UsageError, match="is not a host name"):
        Access.bound_to("127.0.0.1", hosts=["http://evil.example/"])
