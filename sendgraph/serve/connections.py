"""The server's defence of itself against whoever connects: limits, deadlines and who may ask.

Clients get bounded shares (see `Limits`): a whole request must arrive within the
client timeout (so a client trickling its headers a byte at a time is answered 408 and
let go), the head and body have size limits, at most so many connections are served at
once (the next ones are answered 503 at once, not queued in ever more threads) and at
most so many queries run at once. Every refusal is a 4xx or 503 with a sentence saying
why.

The Host, Origin and Sec-Fetch-Site checks (see `Access`) live here, not with the
SPARQL protocol: they are decided from the request's head alone, before its body is
read and before any route is chosen, the same for every request, and they defend the
server against other sites' pages rather than say anything about queries. The one thing
they take from the protocol is which paths are the query page (`GuardedHandler.page_paths`),
since a link to the page may be on any site.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import multiprocessing
import queue
import re
import selectors
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlparse

from sendgraph.base.errors import UsageError

MAX_REQUEST_BYTES = 1 << 20
MAX_URL_BYTES = 64 << 10
# The request line and all headers together. http.server alone allows 100 header lines
# of 64 KB each (6.4 MB a connection), far more than any SPARQL client sends.
MAX_HEAD_BYTES = 128 << 10
HEADER_LINES = 100  # http.client's own limit on header lines (_MAXHEADERS)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
_REQUEST_LINE = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^\s]+ HTTP/1\.[01]\r?\n")
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{0,5})?")
_ORIGIN = re.compile(r"https?://(\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{1,5})?")


def host_name(value: str) -> str | None:
    """The name a Host header (or a name given by the user) gives, lower-cased and without its port; None if it is not one."""
    match = _HOST.fullmatch(value.strip().lower())
    return match.group(1).rstrip(".") if match else None


def origin_of(url: str) -> str:
    """The origin (scheme://host[:port]) ``url`` names, as browsers send it in an Origin header."""
    origin = url.strip().rstrip("/").lower()
    if not _ORIGIN.fullmatch(origin):
        raise UsageError(
            f"{url!r} is not an origin; give one as http://host:port, as a browser's address bar shows it."
        )
    return origin


@dataclass(frozen=True, kw_only=True)
class Access:
    """Which Host names and which pages' origins the server answers: its own, and those its user names.

    Any web page the user visits can make the browser send requests to 127.0.0.1, and
    with DNS rebinding (its own name made to resolve to 127.0.0.1) read the answers.
    Such requests name the page's site in their Host or Origin header, so the server
    answers only the names it is bound to (as Jupyter does) and pages of its own origin.
    ``any_ip``: bound to every address, the server also answers a Host that is an IP
    address, since no page's name can be rebound to one.
    """

    hosts: frozenset[str]
    origins: frozenset[str] = field(default_factory=frozenset)
    any_ip: bool = False

    @classmethod
    def bound_to(
        cls, address: str, hosts: Iterable[str] = (), origins: Iterable[str] = ()
    ) -> Access:
        """The access of a server bound to ``address``, with the user's own Host names and origins."""
        names = set()
        for name in hosts:
            parsed = host_name(name)
            if parsed is None:
                raise UsageError(f"{name!r} is not a host name.")
            names.add(parsed)
        bound = address.strip().lower()
        any_ip = bound in ("", "0.0.0.0", "::")
        try:
            loopback = ipaddress.ip_address(bound).is_loopback
        except ValueError:
            loopback = bound == "localhost"
        if any_ip:
            names |= LOOPBACK_NAMES | {socket.gethostname().lower()}
        elif loopback:
            names |= LOOPBACK_NAMES
        names.add(f"[{bound}]" if ":" in bound else bound)
        return cls(
            hosts=frozenset(names),
            origins=frozenset(origin_of(url) for url in origins),
            any_ip=any_ip,
        )

    def answers(self, host: str) -> bool:
        """Say whether a request with this Host header is for this server."""
        name = host_name(host)
        if name is None:
            return False
        if name in self.hosts:
            return True
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return False
        return self.any_ip


@dataclass(frozen=True)
class Limits:
    """How much of the server one client, and all clients together, may take.

    ``client_timeout`` is the time a whole request (line, headers and body) has to
    arrive from the moment its connection is accepted, the time each write of an
    answer may take, and the time a query's answer has to be taken once it is ready
    (its query slot and process are held until then). Ten seconds is hundreds of times what a SPARQL client on loopback
    or a local network needs to send 1 MB, yet it lets a connection that trickles its
    request (or never sends one, or never reads its answer) go within seconds.
    ``max_connections`` connections are served at once, each by one thread; the next
    are answered 503 at once. ``max_queries`` queries run at once, each in a process of
    its own that may map ``query_memory`` bytes more than the server itself.
    """

    client_timeout: float = 10.0
    max_connections: int = 64
    max_queries: int = 4
    query_memory: int = 512 << 20


class _LateRequest(Exception):
    """The request had not fully arrived when its time was up."""


class _HeadTooLarge(Exception):
    """The request line and headers went past `MAX_HEAD_BYTES`."""


class _RequestReader(io.RawIOBase):
    """A connection's incoming bytes, read against one deadline for the whole request.

    A socket timeout alone bounds each wait, not the total: a client sending one byte a
    second would keep its connection (and a thread) forever. Before the head is parsed
    the bytes are also counted against `MAX_HEAD_BYTES`.
    """

    def __init__(self, connection: socket.socket, seconds: float) -> None:
        super().__init__()
        self.connection = connection
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.head_done = False
        self.received = 0

    def readable(self) -> bool:
        """Say that this stream can be read."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Receive into ``buffer`` before the deadline; raise `_LateRequest` once it has passed."""
        if not self.head_done and self.received > MAX_HEAD_BYTES:
            raise _HeadTooLarge
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _LateRequest
        self.connection.settimeout(left)
        try:
            count = self.connection.recv_into(buffer)
        except TimeoutError:
            raise _LateRequest from None
        finally:
            # Writes of the answer get the whole client timeout again.
            self.connection.settimeout(self.seconds)
        self.received += count
        return count


class _Lingerer:
    """Closes finished connections only after reading, for a little while, what clients still send.

    Closing a socket with unread input makes the kernel answer with a reset, and a
    client still sending (a body refused with 413 before it was read, the bytes past a
    Content-Length) may then lose the answer it was sent. One thread does this for
    every connection, so it adds no thread per client.
    """

    def __init__(self, seconds: float = 2.0, most: int = 1024) -> None:
        self.seconds = seconds
        self.most = most
        self.incoming: queue.SimpleQueue[socket.socket] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="sendgraph-linger", daemon=True).start()

    def close(self, connection: socket.socket) -> None:
        """Send end-of-file to the client now, and close the socket once it has sent its own."""
        with contextlib.suppress(OSError):  # the client is gone already
            connection.shutdown(socket.SHUT_WR)
        self.incoming.put(connection)

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        deadlines: dict[socket.socket, float] = {}

        def drop(connection: socket.socket) -> None:
            selector.unregister(connection)
            del deadlines[connection]
            connection.close()

        while True:
            while True:
                try:
                    # Block when nothing lingers; otherwise only look for newcomers.
                    connection = self.incoming.get(block=not deadlines)
                except queue.Empty:
                    break
                if len(deadlines) >= self.most:
                    connection.close()
                    continue
                connection.setblocking(False)
                selector.register(connection, selectors.EVENT_READ)
                deadlines[connection] = time.monotonic() + self.seconds
            for key, _ in selector.select(timeout=0.05):
                connection = cast(socket.socket, key.fileobj)
                try:
                    if connection.recv(1 << 16):
                        continue
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                drop(connection)
            now = time.monotonic()
            for connection in [c for c, deadline in deadlines.items() if deadline < now]:
                drop(connection)


class GuardedHandler(BaseHTTPRequestHandler):
    """One request read against the server's limits and refused unless it is for this server and from its pages.

    It answers nothing itself: a subclass adds the routes (``do_GET`` and the rest), and
    says who may ask (`access`) and where the page is (`page_paths`).
    """

    server_version = "sendgraph"
    # Each socket wait; the whole request is bounded by `_RequestReader` (set per server).
    timeout = Limits.client_timeout
    # Until a request line is parsed (a client that sent nothing may still be answered).
    command = ""
    request_version = "HTTP/1.0"
    requestline = ""
    raw_requestline: bytes
    # The other origin (named with --allow-origin) this request's page has, if any.
    cors_origin: str | None = None
    # Paths of the pages a link on another site may open (see `opens_the_page`).
    page_paths: frozenset[str] = frozenset()
    page_prefixes: tuple[str, ...] = ()

    @property
    def access(self) -> Access:
        """Which Host names and origins the server answers."""
        raise NotImplementedError

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        """Keep the request log quiet; errors are answered to the client."""

    # -- reading the request against its limits ------------------------------------

    @property
    def sendgraph_server(self) -> BoundedServer:
        """The server this request came to, with its limits and counts."""
        return cast(BoundedServer, self.server)

    def setup(self) -> None:
        """Read the connection through a `_RequestReader`, and count it as waiting for its request."""
        super().setup()
        self.rfile.close()
        self.reader = _RequestReader(self.connection, self.timeout or Limits.client_timeout)
        self.rfile = io.BufferedReader(self.reader)
        self.sendgraph_server.waiting(self.connection)

    def parse_request(self) -> bool:
        """Parse the request line and headers, and refuse the request unless it is for this server and from its pages.

        From here on, bytes count as the body.
        """
        self.cors_origin = None
        if not _REQUEST_LINE.fullmatch(self.raw_requestline):
            # http.server would answer a two-word line as HTTP/0.9, with no status line,
            # and some malformed lines with no answer at all.
            self.close_connection = True
            shown = ascii(self.raw_requestline.rstrip(b"\r\n")[:80].decode("latin-1"))
            self.fail(
                HTTPStatus.BAD_REQUEST,
                f"The request line {shown} is not of the form 'METHOD /path HTTP/1.1'; "
                "sendgraph answers HTTP/1.0 and HTTP/1.1 requests.",
            )
            return False
        parsed = super().parse_request()
        self.reader.head_done = True
        if not parsed:
            return False
        refused = self.refusal()
        if refused:
            self.close_connection = True
            self.fail(*refused)
            return False
        return True

    def refusal(self) -> tuple[int, str] | None:
        """Return the status and sentence refusing a request not meant for this server or from another site's page."""
        access = self.access
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1:
            return HTTPStatus.BAD_REQUEST, "The request has more than one Host header."
        host = hosts[0].strip() if hosts else None
        if host is None and self.request_version != "HTTP/1.0":
            return (
                HTTPStatus.BAD_REQUEST,
                "An HTTP/1.1 request must name the server in its Host header.",
            )
        if host is not None and not access.answers(host):
            name = host_name(host)
            allow = (
                f"if {name} is a name of this machine, start the server with --allow-host {name}"
                if name
                else "it is not a host name"
            )
            return (
                HTTPStatus.FORBIDDEN,
                f"This server does not answer to the Host {host[:100]!a}; {allow}.",
            )
        origin = self.headers.get("Origin")
        if origin is not None:
            seen = origin.strip().rstrip("/").lower()
            if host is not None and seen == f"http://{host.lower()}":
                return None
            if seen in access.origins:
                self.cors_origin = origin.strip()
                return None
            return (
                HTTPStatus.FORBIDDEN,
                f"Pages from {origin[:100]!a} may not use this server; if that is your own "
                f"page, start the server with --allow-origin {ascii(origin[:100])[1:-1]}.",
            )
        site = (self.headers.get("Sec-Fetch-Site") or "").strip().lower()
        if site in ("cross-site", "same-site") and not self.opens_the_page():
            return (
                HTTPStatus.FORBIDDEN,
                "A page of another site sent this request (Sec-Fetch-Site: "
                f"{site}); only the query page and the pages named with --allow-origin may.",
            )
        return None

    def opens_the_page(self) -> bool:
        """Say whether the request is the browser opening one of the server's pages (a link to it may be on any site)."""
        mode = (self.headers.get("Sec-Fetch-Mode") or "").strip().lower()
        path = urlparse(self.path).path
        return (
            self.command in ("GET", "HEAD")
            and mode == "navigate"
            and (path in self.page_paths or path.startswith(self.page_prefixes))
        )

    def handle_one_request(self) -> None:
        """Handle the request, answering a late or oversized one with a sentence, not a silent close."""
        try:
            super().handle_one_request()
        except _LateRequest:
            self.close_connection = True
            seconds = f"{self.reader.seconds:g}"
            self.fail(
                HTTPStatus.REQUEST_TIMEOUT,
                f"The request body did not arrive within {seconds} s of connecting; send it at once."
                if self.reader.head_done
                else f"The request line and headers did not arrive within {seconds} s of connecting; send them at once.",
            )
        except _HeadTooLarge:
            self.close_connection = True
            self.fail(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                f"The request line and headers are larger than {MAX_HEAD_BYTES} bytes.",
            )
        except OSError:
            self.close_connection = True  # the client went away; nobody is left to answer

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer http.server's own refusals (request line, headers, method) as sentences in plain text."""
        if code == HTTPStatus.REQUEST_URI_TOO_LONG:
            text = (
                f"The request line is longer than {MAX_URL_BYTES} bytes; send a long query by POST."
            )
        elif code == HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE and message == "Too many headers":
            text = f"The request has more than {HEADER_LINES} header lines."
        elif code == HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE:
            text = f"A header line is longer than {MAX_URL_BYTES} bytes."
        else:
            text = f"{message or HTTPStatus(code).phrase}."
        self.close_connection = True
        self.fail(code, text)

    def read_body(self) -> bytes | None:
        """Return the request body, or None after answering why it cannot be read."""
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
            self.fail(
                HTTPStatus.LENGTH_REQUIRED,
                "Send the body with a Content-Length header; chunked transfer encoding is not accepted.",
            )
            return None
        declared = {v.strip() for v in self.headers.get_all("Content-Length") or []}
        if len(declared) > 1:
            self.close_connection = True
            self.fail(HTTPStatus.BAD_REQUEST, "The request has more than one Content-Length.")
            return None
        raw = declared.pop() if declared else "0"
        if not re.fullmatch(r"[0-9]{1,20}", raw):
            self.close_connection = True
            self.fail(
                HTTPStatus.BAD_REQUEST, f"The Content-Length {raw[:40]!r} is not a number of bytes."
            )
            return None
        length = int(raw)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            self.fail(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"The request body is larger than {MAX_REQUEST_BYTES} bytes.",
            )
            return None
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            self.fail(
                HTTPStatus.BAD_REQUEST,
                f"The request body ended after {len(body)} of the {length} bytes its Content-Length declared.",
            )
            return None
        return body

    # -- replies --------------------------------------------------------------------

    def send_head(
        self, status: int, media: str, length: int, headers: dict[str, str] | None = None
    ) -> None:
        """Send the status line and headers of an answer of ``length`` bytes."""
        self.sendgraph_server.answering(self.connection)
        self.send_response(status)
        self.send_header(
            "Content-Type",
            f"{media}; charset=utf-8"
            if media.startswith("text/") or "json" in media or "xml" in media
            else media,
        )
        self.send_header("Content-Length", str(length))
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.cors_origin:
            self.send_header("Access-Control-Allow-Origin", self.cors_origin)
            self.send_header("Access-Control-Expose-Headers", "X-Sendgraph-Truncated")
            self.send_header("Vary", "Origin")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def reply(
        self, status: int, body: str | bytes, media: str, headers: dict[str, str] | None = None
    ) -> None:
        """Send a whole answer (its head alone for HEAD)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_head(status, media, len(data), headers)
        if self.command != "HEAD":
            self.wfile.write(data)

    def fail(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        """Answer ``status`` with ``message`` as a sentence in plain text."""
        self.reply(status, message + "\n", "text/plain", headers)


class BoundedServer(ThreadingHTTPServer):
    """The threading HTTP server, with a bounded number of connections and a bounded stop."""

    # The default listen backlog of 5 drops connections when more clients than that
    # arrive at once; each dropped one is retried by its client a second later.
    request_queue_size = 128
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[GuardedHandler], limits: Limits
    ) -> None:
        super().__init__(address, handler)
        self.limits = limits
        self.slots = threading.BoundedSemaphore(limits.max_connections)
        self.queries = threading.BoundedSemaphore(limits.max_queries)
        self.lingerer = _Lingerer()
        self.changed = threading.Condition()
        self.active = 0
        self.unanswered: set[socket.socket] = set()
        self.stopping = False

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread of its own if a slot is free; answer 503 at once if not."""
        if not self.slots.acquire(blocking=False):
            self.refuse(request)
            return
        with self.changed:
            self.active += 1
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.done()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Serve one connection, then give its slot back."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.done()

    def done(self) -> None:
        """Count one connection as finished and free its slot."""
        with self.changed:
            self.active -= 1
            self.changed.notify_all()
        self.slots.release()

    def refuse(self, request: socket.socket) -> None:
        """Answer a connection past the cap with 503 and Retry-After, from the accepting thread."""
        body = (
            f"The server is serving its limit of {self.limits.max_connections} connections; "
            "try again in a moment.\n"
        ).encode()
        head = (
            "HTTP/1.0 503 Service Unavailable\r\n"
            "Server: sendgraph\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Retry-After: 1\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        # Written without waiting: a new connection's send buffer always has room for it,
        # and this runs in the thread that accepts every connection.
        request.setblocking(False)
        with contextlib.suppress(OSError):
            request.send(head + body)
        self.lingerer.close(request)

    def shutdown_request(self, request: Any) -> None:
        """Close a served connection through the lingerer, so its answer is not lost to a reset."""
        with self.changed:
            self.unanswered.discard(request)
        self.lingerer.close(request)

    def waiting(self, connection: socket.socket) -> None:
        """Count ``connection`` as still waiting for its request: a stop closes it at once."""
        with self.changed:
            self.unanswered.add(connection)

    def answering(self, connection: socket.socket) -> None:
        """Count ``connection`` as being answered: a stop lets it finish."""
        with self.changed:
            self.unanswered.discard(connection)

    def finish(self, seconds: float) -> None:
        """Close connections still sending their requests, and give answers in flight ``seconds`` to finish.

        Query processes still running after that are killed, so a stop never waits for a
        query's whole time limit.
        """
        with self.changed:
            self.stopping = True
            for connection in self.unanswered:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self.changed.wait_for(lambda: self.active == 0, timeout=seconds)
            if self.active == 0:
                return
        for child in multiprocessing.active_children():
            child.kill()
        with self.changed:
            self.changed.wait_for(lambda: self.active == 0, timeout=1.0)
