"""A read-only SPARQL 1.1 Protocol endpoint over the graph, with the named questions as JSON.

Built on the standard library's threading HTTP server: one process, loopback by default,
nothing to install. Every query goes through the same guard as the CLI (no SERVICE,
FROM, LOAD or updates), runs in a child process under a time limit, and keeps at most a
row cap; a cut answer says so in the ``X-Sendgraph-Truncated`` header and, for JSON,
in a ``sendgraph`` member beside ``head`` and ``results``.

Clients get bounded shares (see `Limits`): a whole request must arrive within the
client timeout (so a client trickling its headers a byte at a time is answered 408 and
let go), the head and body have size limits, at most so many connections are served at
once (the next ones are answered 503 at once, not queued in ever more threads), at most
so many queries run at once, and each query's process may use so much memory. Every
refusal is a 4xx or 503 with a sentence saying why.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import multiprocessing
import queue
import re
import selectors
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

from sendgraph.gaps import find_gaps, load_rules
from sendgraph.problems import SendgraphError
from sendgraph.querypage import render_query_page, spreadsheet_csv
from sendgraph.questions import Questions, bundled_queries
from sendgraph.sparql import (
    Answer,
    QueryEnded,
    QueryError,
    QueryRefused,
    QueryTimeout,
    limit_query_memory,
)
from sendgraph.tables import render_answer

MAX_REQUEST_BYTES = 1 << 20
MAX_URL_BYTES = 64 << 10
# The request line and all headers together. http.server alone allows 100 header lines
# of 64 KB each (6.4 MB a connection), far more than any SPARQL client sends.
MAX_HEAD_BYTES = 128 << 10
HEADER_LINES = 100  # http.client's own limit on header lines (_MAXHEADERS)
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt"}


def negotiate(accept: str, offered: dict[str, str], default: str) -> str | None:
    """Pick the offered media type the Accept header likes best; None when it accepts none of them."""
    if not accept.strip():
        return default
    choices = []
    for order, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        choices.append((quality, -order, media.lower()))
    for quality, _, media in sorted(choices, reverse=True):
        if quality <= 0:
            continue
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return default
    return None


def results_xml(answer: Answer) -> str:
    """Render a SELECT or ASK answer as SPARQL Query Results XML."""
    out = [
        '<?xml version="1.0"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "<head>",
    ]
    out += [f'<variable name="{escape(v)}"/>' for v in answer.variables]
    out.append("</head>")
    if answer.kind == "ask":
        out.append(f"<boolean>{'true' if answer.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in answer.rows:
            out.append("<result>")
            for name, term in row.items():
                if term.type == "uri":
                    value = f"<uri>{escape(term.value)}</uri>"
                elif term.type == "bnode":
                    value = f"<bnode>{escape(term.value)}</bnode>"
                else:
                    attrs = f' xml:lang="{escape(term.lang)}"' if term.lang else ""
                    if term.datatype and not term.lang:
                        attrs = f' datatype="{escape(term.datatype)}"'
                    value = f"<literal{attrs}>{escape(term.value)}</literal>"
                out.append(f'<binding name="{escape(name)}">{value}</binding>')
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Limits:
    """How much of the server one client, and all clients together, may take.

    ``client_timeout`` is the time a whole request (line, headers and body) has to
    arrive from the moment its connection is accepted, and the time each write of an
    answer may take. Ten seconds is hundreds of times what a SPARQL client on loopback
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


class Endpoint:
    """What the server answers with: the questions, the rules and the limits."""

    def __init__(self, questions: Questions, timeout: float = 30.0, row_cap: int = 10_000) -> None:
        self.questions = questions
        self.timeout = timeout
        self.row_cap = row_cap
        self.rules = load_rules()
        # The query page and its Content-Security-Policy (see `render_query_page`).
        self.page, self.csp = render_query_page()

    def question(self, name: str, params: dict[str, str]) -> Any:
        """Answer a named question from its query-string parameters."""
        q = self.questions
        routes: dict[str, Callable[[], Any]] = {
            # include=inferred (or inferred,planned) follows lines the papers do not state.
            "oversight": lambda: q.oversight(
                params["ref"], [m for m in params.get("include", "").split(",") if m]
            ),
            "trace": lambda: q.trace(params["ref"]),
            "xref": lambda: q.xref(params["code"]),
            "owner": lambda: q.owner(params["name"]),
            "slippage": q.slippage,
            "overdue": lambda: q.overdue(
                dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
            ),
            "gaps": lambda: find_gaps(q.store, self.rules),
        }
        if name not in routes:
            raise KeyError(name)
        return routes[name]()


class Handler(BaseHTTPRequestHandler):
    """One request: the query page, a SPARQL query, or a named question."""

    server_version = "sendgraph"
    endpoint: Endpoint
    # Each socket wait; the whole request is bounded by `_RequestReader` (set per server).
    timeout = Limits.client_timeout
    # Until a request line is parsed (a client that sent nothing may still be answered).
    command = ""
    request_version = "HTTP/1.0"
    requestline = ""
    # The answer is CSV made safe for a spreadsheet (the query page's download).
    spreadsheet = False

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the request log quiet; errors are answered to the client."""

    # -- reading the request against its limits ------------------------------------

    @property
    def sendgraph_server(self) -> _Server:
        """The server this request came to, with its limits and counts."""
        return cast(_Server, self.server)

    def setup(self) -> None:
        """Read the connection through a `_RequestReader`, and count it as waiting for its request."""
        super().setup()
        self.rfile.close()
        self.reader = _RequestReader(self.connection, self.timeout or Limits.client_timeout)
        self.rfile = io.BufferedReader(self.reader)
        self.sendgraph_server.waiting(self.connection)

    def parse_request(self) -> bool:
        """Parse the request line and headers; from here on, bytes count as the body."""
        parsed = super().parse_request()
        self.reader.head_done = True
        return parsed

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

    def reply(
        self, status: int, body: str | bytes, media: str, headers: dict[str, str] | None = None
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.sendgraph_server.answering(self.connection)
        self.send_response(status)
        self.send_header(
            "Content-Type",
            f"{media}; charset=utf-8"
            if media.startswith("text/") or "json" in media or "xml" in media
            else media,
        )
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def fail(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.reply(status, message + "\n", "text/plain", headers)

    # -- routes ---------------------------------------------------------------------

    def do_GET(self) -> None:
        """Answer GET: the page, a query in ?query=, or a named question."""
        if len(self.path) > MAX_URL_BYTES:
            self.fail(
                HTTPStatus.REQUEST_URI_TOO_LONG,
                f"The request line is longer than {MAX_URL_BYTES} bytes.",
            )
            return
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path in ("/", "/index.html"):
            self.reply(
                HTTPStatus.OK,
                self.endpoint.page,
                "text/html",
                {"Content-Security-Policy": self.endpoint.csp},
            )
        elif url.path == "/sparql":
            if "update" in params:
                self.refuse_update()
            elif "query" not in params:
                self.fail(HTTPStatus.BAD_REQUEST, "Give the query in the 'query' parameter.")
            else:
                self.answer(params["query"])
        elif url.path == "/spreadsheet.csv" and "query" in params:
            # The query page's download: CSV for a spreadsheet, whatever the Accept header.
            self.spreadsheet = True
            try:
                self.answer(params["query"])
            finally:
                self.spreadsheet = False
        elif url.path == "/queries":
            named = {
                n: {"title": q.title, "description": q.description, "query": q.text}
                for n, q in bundled_queries().items()
            }
            self.reply(HTTPStatus.OK, json.dumps(named, indent=2), "application/json")
        elif url.path.startswith("/questions/"):
            self.named(url.path.removeprefix("/questions/"), params)
        else:
            self.fail(HTTPStatus.NOT_FOUND, f"Nothing is at {url.path}; try / or /sparql.")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        """Answer POST: a query as a form or as application/sparql-query; updates are refused."""
        data = self.read_body()
        if data is None:
            return
        body = data.decode("utf-8", errors="replace")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if urlparse(self.path).path != "/sparql":
            self.fail(HTTPStatus.NOT_FOUND, "POST queries to /sparql.")
        elif media == "application/sparql-update":
            self.refuse_update()
        elif media == "application/sparql-query":
            self.answer(body)
        elif media == "application/x-www-form-urlencoded":
            form = {k: v[0] for k, v in parse_qs(body).items()}
            if "update" in form:
                self.refuse_update()
            elif "query" in form:
                self.answer(form["query"])
            else:
                self.fail(HTTPStatus.BAD_REQUEST, "Give the query in the 'query' form field.")
        else:
            self.fail(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "Send application/sparql-query or a form with a 'query' field.",
            )

    def do_PUT(self) -> None:
        """Refuse graph uploads: the endpoint is read-only."""
        self.refuse_update()

    do_DELETE = do_PATCH = do_PUT

    def refuse_update(self) -> None:
        self.fail(
            HTTPStatus.FORBIDDEN, "This endpoint is read-only: updates and uploads are refused."
        )

    def answer(self, query: str) -> None:
        endpoint = self.endpoint
        server = self.sendgraph_server
        server.answering(self.connection)
        # A query waits for a free slot at most as long as a running one may take. The
        # slot is held until the answer is rendered, so that the answers held in memory
        # at once are as few as the queries; sending it to the client needs no slot.
        if not server.queries.acquire(timeout=endpoint.timeout):
            self.fail(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"The server was running its limit of {server.limits.max_queries} queries for "
                f"{endpoint.timeout:g} s; try again in a moment.",
                {"Retry-After": "1"},
            )
            return
        try:
            status, body, media, headers = self.rendered(query)
        finally:
            server.queries.release()
        self.reply(status, body, media, headers)

    def rendered(self, query: str) -> tuple[int, str, str, dict[str, str]]:
        """Run ``query`` and return the status, body, media type and headers of its answer."""
        endpoint = self.endpoint
        try:
            answer = endpoint.questions.store.run(
                query, timeout=endpoint.timeout, row_cap=endpoint.row_cap
            )
        except QueryTimeout as exc:
            return HTTPStatus.SERVICE_UNAVAILABLE, f"{exc}\n", "text/plain", {}
        except QueryRefused as exc:
            return HTTPStatus.FORBIDDEN, f"{exc}\n", "text/plain", {}
        except QueryEnded as exc:
            if self.sendgraph_server.stopping:
                message = "The server stopped before the query finished.\n"
                return HTTPStatus.SERVICE_UNAVAILABLE, message, "text/plain", {}
            return HTTPStatus.SERVICE_UNAVAILABLE, f"{exc}\n", "text/plain", {}
        except QueryError as exc:
            return HTTPStatus.BAD_REQUEST, f"{exc}\n", "text/plain", {}
        accept = self.headers.get("Accept") or ""
        headers = (
            {"X-Sendgraph-Truncated": f"true; rows={answer.row_cap}"} if answer.truncated else {}
        )
        if self.spreadsheet:
            attachment = {"Content-Disposition": 'attachment; filename="query-results.csv"'}
            return HTTPStatus.OK, spreadsheet_csv(answer), "text/csv", headers | attachment
        if answer.kind == "graph":
            media = negotiate(accept, GRAPH_TYPES, "text/turtle")
            if media is None:
                message = "A graph answer comes as text/turtle or application/n-triples.\n"
                return HTTPStatus.NOT_ACCEPTABLE, message, "text/plain", {}
            fmt = GRAPH_TYPES[media]
            body = answer.ntriples if fmt == "nt" else answer.graph().serialize(format="turtle")
            return HTTPStatus.OK, body, media, headers
        media = negotiate(accept, SELECT_TYPES, "application/sparql-results+json")
        if media is None:
            message = "Results come as SPARQL JSON or XML, text/csv or text/tab-separated-values.\n"
            return HTTPStatus.NOT_ACCEPTABLE, message, "text/plain", {}
        fmt = SELECT_TYPES[media]
        if fmt == "xml":
            body = results_xml(answer)
        elif fmt == "json":
            document = json.loads(render_answer(answer, "json"))
            if answer.truncated:
                document["sendgraph"] = {"truncated": True, "rowCap": answer.row_cap}
            body = json.dumps(document, ensure_ascii=False)
        else:
            body = render_answer(answer, fmt)
        return HTTPStatus.OK, body, media, headers

    def named(self, name: str, params: dict[str, str]) -> None:
        try:
            rows = self.endpoint.question(name, params)
        except KeyError as exc:
            missing = exc.args[0]
            message = (
                f"No question is called {name!r}."
                if missing == name
                else f"The question needs the {missing!r} parameter."
            )
            self.reply(
                HTTPStatus.NOT_FOUND if missing == name else HTTPStatus.BAD_REQUEST,
                json.dumps({"error": message}),
                "application/json",
            )
        except (SendgraphError, ValueError) as exc:
            self.reply(HTTPStatus.NOT_FOUND, json.dumps({"error": str(exc)}), "application/json")
        else:
            self.reply(
                HTTPStatus.OK, json.dumps(rows, ensure_ascii=False, default=str), "application/json"
            )


class _Server(ThreadingHTTPServer):
    """The threading HTTP server, with a bounded number of connections and a bounded stop."""

    # The default listen backlog of 5 drops connections when more clients than that
    # arrive at once; each dropped one is retried by its client a second later.
    request_queue_size = 128
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[Handler], limits: Limits) -> None:
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


def serve(
    questions: Questions,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30.0,
    row_cap: int = 10_000,
    ready: Callable[[str], None] | None = None,
    limits: Limits = Limits(),
) -> None:
    """Serve until SIGTERM or SIGINT, then finish the requests in flight (within the client timeout) and return."""
    handler = type(
        "BoundHandler",
        (Handler,),
        {"endpoint": Endpoint(questions, timeout, row_cap), "timeout": limits.client_timeout},
    )
    server = _Server((host, port), handler, limits)
    limit_query_memory(limits.query_memory)

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if ready:
            ready(f"http://{host}:{server.server_address[1]}/")
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        server.finish(limits.client_timeout)
        limit_query_memory(None)
        for sig, handler_before in previous.items():
            signal.signal(sig, handler_before)
