"""`sendgraph serve` under load and fault: slow clients, oversized requests, pathological queries.

Each test talks to a real ``sendgraph serve`` on 127.0.0.1 over raw sockets where the
fault lives below HTTP (a client trickling its headers, a lying Content-Length), and
checks what every client is told, how long it took, and what the server process holds
afterwards (threads, child processes, memory, read from /proc).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import select
import signal
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph

from sendgraph.ask.questions import Questions
from sendgraph.serve.connections import (
    HEADER_LINES,
    MAX_HEAD_BYTES,
    MAX_REQUEST_BYTES,
    MAX_URL_BYTES,
    BoundedServer,
    Limits,
)
from sendgraph.serve.server import Endpoint, Handler
from tests.server import (
    Reply,
    child_pids,
    exchange,
    executable,
    free_port,
    parse,
    read_all,
    rss_kb,
    running,
    thread_count,
)

CLIENT_TIMEOUT = 2.0  # --client-timeout of the servers below
QUERY_TIMEOUT = 2.0  # --timeout
QUERY_MEMORY_MB = 128  # --query-memory
MAX_QUERIES = 4  # --max-queries
DAWN = "SELECT ?ref WHERE { ?a sg:owner/foaf:name 'Dawn Brewer' ; skos:notation ?ref }"
TIMED_OUT = f"The query ran for more than {QUERY_TIMEOUT:g} s and was stopped; raise --timeout to allow longer.\n"
OUT_OF_MEMORY = (
    "The query's process ended without an answer: it needed more than the "
    f"{QUERY_MEMORY_MB} MB of memory a query may use, or it failed.\n"
)
HEAD_LATE = f"The request line and headers did not arrive within {CLIENT_TIMEOUT:g} s of connecting; send them at once.\n"
BODY_LATE = (
    f"The request body did not arrive within {CLIENT_TIMEOUT:g} s of connecting; send it at once.\n"
)
# 50 rows of a 131,072-character string: an answer of 6.5 MB, more than the socket
# buffers hold, so a client that does not read it keeps the server's write waiting.
BIG = (
    "SELECT ?s ?big WHERE { ?s ?p ?o BIND('"
    + "a" * 32
    + "' AS ?a) "
    + " ".join(
        f"BIND(CONCAT({', '.join([f'?{x}'] * 8)}) AS ?{y})"
        for x, y in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "big")]
    )
    + " }"
)


def doubled(times: int, pattern: str = "SELECT ?s ?big WHERE {{ ?s ?p ?o {binds} }}") -> str:
    """A query whose ?big is a 64-character string (with an escape) doubled ``times`` times."""
    binds = (
        "BIND('"
        + "a" * 62
        + "\\\\n' AS ?v0) "
        + " ".join(f"BIND(CONCAT(?v{n - 1}, ?v{n - 1}) AS ?v{n})" for n in range(1, times + 1))
    )
    return pattern.format(binds=binds + f" BIND(?v{times} AS ?big)")


# The kind of query that took the server from 77 MB to 861 MB when answers were
# rendered in it: 50 rows (--max-rows) of a 512 KB string, 25 MB of JSON.
HUGE_ROWS = doubled(13)
# One 64 MB literal.
HUGE_LITERAL = doubled(20, "CONSTRUCT {{ <x:s> <x:p> ?big }} WHERE {{ {binds} }}")
# One 4 MB literal full of escapes: rdflib took 75 s to write it as Turtle in the server
# process on this project's machines (--timeout 5), while the query took milliseconds.
HEAVY_TURTLE = doubled(16, "CONSTRUCT {{ <x:s> <x:p> ?big }} WHERE {{ {binds} }}")


@dataclass
class Server:
    base: str
    port: int
    pid: int
    threads: int  # threads of the idle server
    rss_kb: int  # resident memory of the idle server


def start(tmp: Path, *options: str) -> Iterator[Server]:
    """Run ``sendgraph serve`` with the test limits (and ``options``), logging to ``tmp``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [
        executable("sendgraph"), "serve", "--port", str(port),
        "--timeout", f"{QUERY_TIMEOUT:g}", "--max-rows", "50",
        "--client-timeout", f"{CLIENT_TIMEOUT:g}", "--max-queries", str(MAX_QUERIES),
        "--query-memory", str(QUERY_MEMORY_MB), *options,
    ]  # fmt: skip
    with running(command, base, log=tmp / "serve.log") as process:
        time.sleep(0.3)  # the page fetch that found it listening has finished
        yield Server(base, port, process.pid, thread_count(process.pid), rss_kb(process.pid))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start(tmp_path_factory.mktemp("serve"), "--max-connections", "48")


def post(body: bytes, length: int | None = None, extra: str = "") -> bytes:
    declared = "" if length is None else f"Content-Length: {length}\r\n"
    return (
        f"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
        f"{declared}{extra}\r\n"
    ).encode() + body


def ask(base: str, query: str, method: str = "GET") -> tuple[int, str, float]:
    """Send a SPARQL query the ordinary way; return status, body and seconds taken."""
    started = time.monotonic()
    if method == "GET":
        request = urllib.request.Request(
            base + "sparql?" + urllib.parse.urlencode({"query": query})
        )
    else:
        request = urllib.request.Request(
            base + "sparql", query.encode(), {"Content-Type": "application/sparql-query"}
        )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, body, time.monotonic() - started


def dawn_rows(body: str) -> list[str]:
    return [row["ref"]["value"] for row in json.loads(body)["results"]["bindings"]]


def ordinary_client(base: str, stop: threading.Event, answered: list[float]) -> None:
    """Ask the Dawn Brewer question again and again until ``stop``; record when each was answered.

    The tests compare these moments with events (a slow client still held, a hostile
    query still running), never with a number of seconds: a loaded machine is slow.
    """
    while not stop.is_set():
        status, body, _ = ask(base, DAWN)
        assert (status, dawn_rows(body)) == (200, ["PR 9"])
        answered.append(time.monotonic())
        time.sleep(0.05)


def peak_rss_during(
    pid: int, job: Callable[[int], tuple[int, str, float]], inputs: range
) -> tuple[list[tuple[int, str, float]], int]:
    """Run ``job`` on each input at once; return the results and process ``pid``'s peak RSS in kB meanwhile."""
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(len(inputs)) as pool:
            results = list(pool.map(job, inputs))
    finally:
        done.set()
        sampler.join()
    return results, peak[0]


def no_children(pid: int) -> bool:
    return child_pids(pid) == []


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


# -- 1. slow clients and the connection cap ---------------------------------------------


def test_slow_clients_are_let_go_and_others_answered_meanwhile(server: Server) -> None:
    """10 silent, 10 trickling (a byte every 0.25 s) and 3 non-reading clients; others still answered."""
    started = time.monotonic()
    address = ("127.0.0.1", server.port)
    silent = [socket.create_connection(address) for _ in range(10)]
    trickling = [socket.create_connection(address) for _ in range(10)]
    slow_readers = []
    for _ in range(3):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(address)
        sock.sendall(
            f"GET /sparql?{urllib.parse.urlencode({'query': BIG})} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
        )
        slow_readers.append(sock)
    assert wait_until(lambda: thread_count(server.pid) == server.threads + 23)

    stop, answered_at = threading.Event(), list[float]()
    with ThreadPoolExecutor(1) as pool:
        ordinary = pool.submit(ordinary_client, server.base, stop, answered_at)
        line = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\n"
        for byte in range(len(line)):
            answered = select.select(trickling, [], [], 0)[0]
            for sock in trickling:
                if sock not in answered:
                    sock.sendall(line[byte : byte + 1])
            if answered:
                break
            time.sleep(0.25)
        held_until = time.monotonic()
        stop.set()
        ordinary.result()
    # Ordinary queries were answered while every slow client was still being held.
    assert any(moment < held_until for moment in answered_at)

    for sock in silent + trickling:
        reply = read_all(sock, started)
        assert (reply.status, reply.body.decode()) == (408, HEAD_LATE)
        sock.close()
    # The server gives up writing to the clients that read nothing at its client timeout...
    assert wait_until(lambda: thread_count(server.pid) == server.threads)
    for sock in slow_readers:
        reply = read_all(sock, started)
        # ...so less comes to them than was declared.
        assert reply.status == 200 and 0 < len(reply.body) < int(reply.headers["Content-Length"])
        sock.close()


def test_connections_past_the_cap_are_answered_503_at_once(tmp_path: Path) -> None:
    for running_server in start(tmp_path, "--max-connections", "3"):
        address = ("127.0.0.1", running_server.port)
        silent = [socket.create_connection(address) for _ in range(3)]
        full = partial(lambda pid, count: thread_count(pid) == count, running_server.pid)
        assert wait_until(partial(full, running_server.threads + 3))
        reply = exchange(
            running_server.port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        assert (reply.status, reply.body.decode()) == (
            503,
            "The server is serving its limit of 3 connections; try again in a moment.\n",
        )
        # At once: the three held connections had not yet timed out and freed a slot.
        assert reply.headers["Retry-After"] == "1"
        # No thread was started for it.
        assert thread_count(running_server.pid) == running_server.threads + 3
        for sock in silent:
            assert read_all(sock, time.monotonic()).status == 408
            sock.close()
        status, body, _ = ask(running_server.base, "ASK {}")
        assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True})


# -- 2. oversized and malformed requests -----------------------------------------------


def test_http_server_limits_are_the_ones_the_answers_name() -> None:
    assert (http.client._MAXHEADERS, http.client._MAXLINE) == (HEADER_LINES, MAX_URL_BYTES)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("parts", "shut", "status", "body"),
    [
        pytest.param(
            [post(b"x" * (MAX_REQUEST_BYTES + 1), MAX_REQUEST_BYTES + 1)], False,
            413, f"The request body is larger than {MAX_REQUEST_BYTES} bytes.\n", id="body-over-limit",
        ),
        pytest.param(
            [f"GET /sparql?query={'a' * MAX_URL_BYTES} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()], False,
            414, f"The request line is longer than {MAX_URL_BYTES} bytes; send a long query by POST.\n", id="url-over-limit",
        ),
        pytest.param(
            [post(b"ASK {", 10)], True,
            400, "The request body ended after 5 of the 10 bytes its Content-Length declared.\n", id="length-lie-short-then-end",
        ),
        pytest.param(
            [post(b"5\r\nASK {\r\n1\r\n}\r\n0\r\n\r\n", extra="Transfer-Encoding: chunked\r\n")], False,
            411, "Send the body with a Content-Length header; chunked transfer encoding is not accepted.\n", id="chunked",
        ),
        pytest.param(
            [post(b"ASK {}", 6, extra="Content-Length: 60\r\n")], False,
            400, "The request has more than one Content-Length.\n", id="two-lengths",
        ),
        pytest.param(
            [post(b"ASK {}", extra="Content-Length: -6\r\n")], False,
            400, "The Content-Length '-6' is not a number of bytes.\n", id="negative-length",
        ),
        pytest.param(
            [b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(HEADER_LINES + 1)) + b"\r\n"], False,
            431, f"The request has more than {HEADER_LINES} header lines.\n", id="header-lines",
        ),
        pytest.param(
            [b"GET / HTTP/1.1\r\nX-Big: " + b"a" * (MAX_URL_BYTES + 1) + b"\r\n\r\n"], False,
            431, f"A header line is longer than {MAX_URL_BYTES} bytes.\n", id="header-line-length",
        ),
        pytest.param(
            [b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: %s\r\n" % (n, b"a" * 4000) for n in range(60)) + b"\r\n"], False,
            431, f"The request line and headers are larger than {MAX_HEAD_BYTES} bytes.\n", id="header-bytes",
        ),
        pytest.param(
            [b"BREW /sparql HTTP/1.1\r\nHost: localhost\r\n\r\n"], False,
            501, "Unsupported method ('BREW').\n", id="unknown-method",
        ),
        pytest.param(
            [b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n\r\n"], False,
            400, "An HTTP/1.1 request must name the server in its Host header.\n", id="no-host",
        ),
    ],
)  # fmt: skip
def test_bad_requests_get_a_status_and_a_sentence(
    server: Server, parts: list[bytes], shut: bool, status: int, body: str
) -> None:
    reply = exchange(server.port, *parts, shut=shut)
    assert (reply.status, reply.body.decode()) == (status, body)
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "line",
    [b"GARBAGE\r\n", b"GET /\r\n", b"GET / HTTP/9.9\r\n", b"\x00\xff\xfe\x16\x03 binary\r\n",
     b"GET / HTTP/1.1 extra\r\n", b"GET  / HTTP/1.1\r\n"],
    ids=["one-word", "http-0.9", "http-9.9", "binary", "four-words", "two-spaces"],
)  # fmt: skip
def test_malformed_request_lines_get_a_400_status_line_and_a_sentence(
    server: Server, line: bytes
) -> None:
    """http.server answers a two-word line as HTTP/0.9, with no status line at all."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(line + b"Host: localhost\r\n\r\n")
        sock.settimeout(15)
        raw = b"".join(iter(lambda: sock.recv(1 << 16), b""))
    assert raw.startswith(b"HTTP/1.0 400 Bad Request\r\n")
    reply = parse(raw, 0.0)
    shown = ascii(line.rstrip(b"\r\n").decode("latin-1"))
    assert reply.body.decode() == (
        f"The request line {shown} is not of the form 'METHOD /path HTTP/1.1'; "
        "sendgraph answers HTTP/1.0 and HTTP/1.1 requests.\n"
    )
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_a_body_shorter_than_its_length_is_answered_408_in_time(server: Server) -> None:
    reply = exchange(server.port, post(b"ASK {", 10))
    assert (reply.status, reply.body.decode()) == (408, BODY_LATE)
    assert reply.seconds > CLIENT_TIMEOUT - 0.2  # not before its time


def test_bytes_past_the_content_length_are_not_read_as_the_query(server: Server) -> None:
    """Declares 1 MB, sends 1 MB and then 64 KB more: the answer is to the declared megabyte only."""
    query = ("PREFIX sg: <https://w3id.org/sendgraph/ontology#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
             "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> " + DAWN).encode()  # fmt: skip
    body = query.ljust(MAX_REQUEST_BYTES, b" ")
    reply = exchange(server.port, post(body, MAX_REQUEST_BYTES), b"} DELETE WHERE {" * 4096)
    assert reply.status == 200 and dawn_rows(reply.body.decode()) == ["PR 9"]


def test_slow_body_then_fine(server: Server) -> None:
    """A body that arrives in pieces within the client timeout is answered as usual."""
    reply = exchange(server.port, post(b"ASK {", 6), b"}", pause=0.5)
    assert (reply.status, json.loads(reply.body)) == (200, {"head": {}, "boolean": True})


def test_graph_answers_are_cut_at_the_cap_and_say_so(server: Server) -> None:
    for query in ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "DESCRIBE ?s WHERE { ?s a ?c }"):
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            target = "/sparql?" + urllib.parse.urlencode({"query": query})
            sock.sendall(
                f"GET {target} HTTP/1.1\r\nHost: localhost\r\nAccept: application/n-triples\r\n\r\n".encode()
            )
            reply = read_all(sock, started)
        assert reply.status == 200 and reply.headers["X-Sendgraph-Truncated"] == "true; rows=50"
        assert reply.body.decode().count(" .\n") == 50


# -- 3. pathological queries --------------------------------------------------------------

VALUES = (
    "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { "
    + " ".join(map(str, range(20_000)))
    + " } ?s ?p ?o }"
)
PATHOLOGICAL = {
    # It needs both more memory and more time than a query may have: which limit stops
    # it first depends on how busy the machine is, so either answer is right.
    "cross join, ordered": ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g", {OUT_OF_MEMORY, TIMED_OUT}),
    "cross join, counted": ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", TIMED_OUT),
    "any path, starred, ordered": ("SELECT * WHERE { ?s ((<x:p>|!<x:p>)*)* ?o } ORDER BY ?s", TIMED_OUT),
    "inverse then forward, repeated": ("SELECT * WHERE { ?s (^!<x:p>/!<x:p>)* ?o }", TIMED_OUT),
    "nested stars": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ((!<x:p>)*/(!<x:p>)*)* ?o }", TIMED_OUT),
    "20,000 VALUES": (VALUES, TIMED_OUT),
    "huge regex": ("SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), '(a{1000}){1000}')) }", TIMED_OUT),
}  # fmt: skip


def test_pathological_queries_are_stopped_and_others_answered(server: Server) -> None:
    stop, answered_at = threading.Event(), list[float]()
    answers: dict[str, tuple[int, str, float]] = {}
    with ThreadPoolExecutor(MAX_QUERIES) as pool:
        ordinary = pool.submit(ordinary_client, server.base, stop, answered_at)
        # One query slot stays free for the ordinary client.
        with ThreadPoolExecutor(MAX_QUERIES - 1) as hostile:
            futures = {
                name: hostile.submit(ask, server.base, query, "POST")
                for name, (query, _) in PATHOLOGICAL.items()
            }
            answers = {name: future.result() for name, future in futures.items()}
        hostile_until = time.monotonic()
        stop.set()
        ordinary.result()
    for name, (status, body, _) in answers.items():
        expected = PATHOLOGICAL[name][1]
        assert status == 503 and body in (expected if isinstance(expected, set) else {expected}), (
            name
        )
    # Ordinary queries were answered while the hostile ones held their slots.
    assert any(moment < hostile_until for moment in answered_at)
    assert child_pids(server.pid) == []


def test_rendering_a_heavy_answer_is_stopped_at_the_time_limit_and_others_answered(
    tmp_path: Path,
) -> None:
    """A CONSTRUCT whose Turtle took 75 s to render in the server ends within the time limit.

    Its N-Triples are now read by pyoxigraph, so the render may finish in time (a whole
    answer) or be stopped at --timeout in the query's process (503); either way it ends
    within 7 s and plain queries are answered meanwhile. That the render runs in the
    query's process is shown by the tests of huge answers and of `QueryStore.render`.
    """
    for running_server in start(tmp_path, "--timeout", "5"):
        stop, answered_at = threading.Event(), list[float]()
        with ThreadPoolExecutor(1) as pool:
            ordinary = pool.submit(ordinary_client, running_server.base, stop, answered_at)
            started = time.monotonic()
            request = urllib.request.Request(
                running_server.base + "sparql",
                urllib.parse.urlencode({"query": HEAVY_TURTLE}).encode(),
                {"Accept": "text/turtle"},
            )
            try:
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, body = response.status, response.read()
                except urllib.error.HTTPError as refused:
                    status, body = refused.code, refused.read()
                spent = time.monotonic() - started
            finally:
                stop.set()
            ordinary.result()
        if status == 200:
            # pyoxigraph reads it in linear time (rdflib takes minutes on a 4 MB literal).
            assert len(list(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE))) == 1
        else:
            assert (status, body.decode()) in {
                (503, TIMED_OUT.replace(" 2 s", " 5 s")),
                (503, OUT_OF_MEMORY),
            }
        assert answered_at
        if status == 503:  # it ran to its time limit: plain queries were answered meanwhile
            assert any(moment < started + spent for moment in answered_at)
        assert wait_until(partial(no_children, running_server.pid))


def test_named_questions_wait_for_a_query_slot_a_bounded_time(tmp_path: Path) -> None:
    """With one query slot held (an answer a client does not read), a named question gets 503 after --timeout."""
    options = ("--max-queries", "1", "--client-timeout", "6")
    for running_server in start(tmp_path, *options):
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        holder.connect(("127.0.0.1", running_server.port))
        target = "/sparql?" + urllib.parse.urlencode({"query": BIG})
        holder.sendall(f"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        assert wait_until(partial(lambda pid: len(child_pids(pid)) == 1, running_server.pid))
        try:
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(running_server.base + "questions/gaps", timeout=30)
        finally:
            holder.close()
        assert (refused.value.code, refused.value.read().decode()) == (
            503,
            f"The server was running its limit of 1 queries for {QUERY_TIMEOUT:g} s; "
            "try again in a moment.\n",
        )
        assert wait_until(partial(no_children, running_server.pid))
        with urllib.request.urlopen(running_server.base + "questions/xref?code=send4") as answer:
            assert [row["ref"] for row in json.load(answer)][:2] == ["PR 1", "PR 2"]


def test_a_named_question_past_the_time_limit_gets_503(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question runs in a query process like a query: stopped at --timeout (here a server in this process)."""
    questions = Questions(graph)
    monkeypatch.setattr(questions, "slippage", lambda: time.sleep(60))
    endpoint = Endpoint(questions, timeout=1.0)
    handler = type("SlowQuestions", (Handler,), {"endpoint": endpoint, "timeout": 5.0})
    httpd = BoundedServer(("127.0.0.1", 0), handler, Limits(client_timeout=5.0))
    serving = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    serving.start()
    try:
        port = httpd.server_address[1]
        slow = exchange(port, b"GET /questions/slippage HTTP/1.1\r\nHost: localhost\r\n\r\n")
        other = exchange(port, b"GET /questions/overdue HTTP/1.1\r\nHost: localhost\r\n\r\n")
    finally:
        httpd.shutdown()
        serving.join()
        httpd.server_close()
    assert (slow.status, slow.body.decode()) == (503, TIMED_OUT.replace(" 2 s", " 1 s"))
    assert other.status == 200 and json.loads(other.body)[0]["ref"] == "JCP 9.1"
    assert multiprocessing.active_children() == []


# -- 4. memory -------------------------------------------------------------------------------


def test_memory_stays_bounded_under_an_onslaught(server: Server) -> None:
    """Sorted cross joins, 1 MB bodies, big answers and slow clients at once, for about 6 s."""
    peaks = {"server": 0, "with children": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            own = rss_kb(server.pid)
            children = sum(rss_kb(child) for child in child_pids(server.pid))
            peaks["server"] = max(peaks["server"], own)
            peaks["with children"] = max(peaks["with children"], own + children)
            time.sleep(0.02)

    megabyte = post(
        b"SELECT * WHERE { ?s ?p ?o } #".ljust(MAX_REQUEST_BYTES, b"x"), MAX_REQUEST_BYTES
    )
    work = (
        [lambda: ask(server.base, PATHOLOGICAL["cross join, ordered"][0], "POST")] * 12
        + [lambda: exchange(server.port, megabyte)] * 16
        + [lambda: ask(server.base, BIG)] * 8
        + [lambda: ask(server.base, VALUES, "POST")] * 4
        + [lambda: ask(server.base, HUGE_ROWS, "POST")] * 6
        + [lambda: ask(server.base, HUGE_LITERAL, "POST")] * 2
    )
    sampler = threading.Thread(target=sample)
    sampler.start()
    slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    try:
        with ThreadPoolExecutor(12) as pool:
            outcomes = list(pool.map(lambda job: job(), work))
    finally:
        done.set()
        sampler.join()
        for sock in slow:
            sock.close()
    answers = [
        (o.status, o.body.decode("utf-8", "replace")) if isinstance(o, Reply) else (o[0], o[1])
        for o in outcomes
    ]
    cross_joins, ordinary, values = answers[:12], answers[12:36], answers[36:40]
    assert all(status == 503 for status, _ in cross_joins + values)
    # A huge answer is cut at --max-answer and says so, or is refused like any query
    # (a busy slot, its memory or its time): which depends on the scheduling.
    for status, body in answers[40:]:
        assert status == 503 or (status, json.loads(body)["sendgraph"]["byteCap"]) == (
            200,
            16 << 20,
        )
    # An ordinary query is answered, or, when the cross joins hold every query slot for
    # longer than --timeout, told so: which of the two depends on the scheduling.
    busy = f"The server was running its limit of {MAX_QUERIES} queries"
    assert all(status == 200 or (status == 503 and busy in body) for status, body in ordinary)
    assert sum(status == 200 for status, _ in ordinary) >= 12
    # The server itself: its threads, request buffers and at most MAX_QUERIES answers of
    # 6.5 MB being rendered. Measured on this project's machines: idle 74 MB, peak
    # 155-160 MB; without the limits one sorted cross join alone took 1 GB in 2 s.
    bound = 2 * server.rss_kb + 64 * 1024
    assert peaks["server"] < bound
    # With its query children (at most MAX_QUERIES), each holding at most the server's
    # pages (RSS counts the pages it shares with the server again) and its memory cap.
    # Measured: 0.88-1.01 GB against this bound of about 1.6 GB.
    assert peaks["with children"] < bound + MAX_QUERIES * (bound + QUERY_MEMORY_MB * 1024)
    assert child_pids(server.pid) == []


def test_huge_answers_are_cut_in_their_process_and_the_server_keeps_its_memory(
    tmp_path: Path,
) -> None:
    """Four answers of 5,000 rows of an 8 KB string (40 MB each) at once: the server copies 16 MB of each."""
    rows = doubled(7).replace("}", "} LIMIT 5000")
    for running_server in start(tmp_path, "--max-rows", "10000"):
        answers, peak = peak_rss_during(
            running_server.pid,
            partial(lambda base, _: ask(base, rows, "POST"), running_server.base),
            range(MAX_QUERIES),
        )
        for status, body, _ in answers:
            assert status == 200 and json.loads(body)["sendgraph"] == {
                "truncated": True,
                "byteCap": 16 << 20,
            }
        # Measured: idle 74 MB, peak 77 MB; with the answers rendered in the server
        # process, as they were, the peak was 306 MB.
        assert peak < 2 * running_server.rss_kb + 64 * 1024


# -- 5. stopping -----------------------------------------------------------------------------


def test_sigterm_stops_it_in_bounded_time_with_slow_clients_connected(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [executable("sendgraph"), "serve", "--port", str(port), "--timeout", "60",
               "--client-timeout", "3"]  # fmt: skip
    with running(command, base, log=tmp_path / "serve.log") as process:
        address = ("127.0.0.1", port)
        silent = [socket.create_connection(address) for _ in range(10)]
        trickling = [socket.create_connection(address) for _ in range(10)]
        for sock in trickling:
            sock.sendall(b"GET /sparql?query=ASK HTTP/1.1\r\nHost")
        with ThreadPoolExecutor(1) as pool:
            query = pool.submit(ask, base, PATHOLOGICAL["cross join, counted"][0], "POST")
            assert wait_until(lambda: len(child_pids(process.pid)) == 1)
            children = child_pids(process.pid)
            stopped_at = time.monotonic()
            os.kill(process.pid, signal.SIGTERM)
            for sock in silent + trickling:
                # Connections still sending their requests are closed at once.
                reply = read_all(sock, stopped_at, wait=2.0)
                assert (reply.status, reply.body) == (0, b"")
                # Closed while the server still waits out the query in flight.
                assert process.poll() is None
                sock.close()
            assert process.wait(timeout=10) == 0
            # The query in flight had the client timeout to finish; then its process was killed.
            assert time.monotonic() - stopped_at >= 3.0
            assert query.result()[:2] == (503, "The server stopped before the query finished.\n")
        assert (tmp_path / "serve.log").read_text().endswith("Stopped.\n")
        assert wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children))
