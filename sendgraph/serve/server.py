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
so many queries run at once, and each query's process may use so much memory. A query's
answer is rendered in its own process, under its time limit and memory cap, and kept
under a byte cap; the server only copies its bytes to the client. Named questions run
the same way and share the query slots. Every refusal is a 4xx or 503 with a sentence
saying why.

Only the user's own pages may use it: a request naming a Host the server does not
answer to, or sent by a page of another origin, is refused (see `Access`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import ipaddress
import json
import multiprocessing
import queue
import re
import selectors
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlparse

from sendgraph.ask.gaps import find_gaps, load_rules
from sendgraph.ask.questions import Questions, bundled_queries
from sendgraph.ask.sparql import (
    Answer,
    Output,
    QueryBusy,
    QueryEnded,
    QueryError,
    QueryRefused,
    QueryTimeout,
    Streamed,
    limit_query_memory,
    run_work,
)
from sendgraph.base.problems import SendgraphError, UsageError
from sendgraph.read.rdfinput import read_ntriples
from sendgraph.show.querypage import render_query_page, spreadsheet_csv
from sendgraph.show.tables import render_answer, xml_escape

MAX_REQUEST_BYTES = 1 << 20
MAX_URL_BYTES = 64 << 10
# The request line and all headers together. http.server alone allows 100 header lines
# of 64 KB each (6.4 MB a connection), far more than any SPARQL client sends.
MAX_HEAD_BYTES = 128 << 10
HEADER_LINES = 100  # http.client's own limit on header lines (_MAXHEADERS)
# Bytes an answer keeps at most. 10,000 rows of the whole graph (?s ?p ?o) take 2.8 MB
# as SPARQL JSON, so 16 MB cuts no ordinary answer; and the server's default four
# query slots then hold at most 64 MB of answers in their processes at once.
DEFAULT_MAX_ANSWER = 16 << 20
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
_REQUEST_LINE = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^\s]+ HTTP/1\.[01]\r?\n")
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{0,5})?")
_ORIGIN = re.compile(r"https?://(\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{1,5})?")
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


def _xml_head(answer: Answer) -> str:
    out = [
        '<?xml version="1.0"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "<head>",
    ]
    out += [f'<variable name="{xml_escape(v)}"/>' for v in answer.variables]
    out.append("</head>")
    if answer.kind == "ask":
        out.append(f"<boolean>{'true' if answer.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
    return "\n".join(out) + "\n"


def _xml_result(row: dict[str, Any]) -> str:
    out = ["<result>"]
    for name, term in row.items():
        if term.type == "uri":
            value = f"<uri>{xml_escape(term.value)}</uri>"
        elif term.type == "bnode":
            value = f"<bnode>{xml_escape(term.value)}</bnode>"
        else:
            attrs = f' xml:lang="{xml_escape(term.lang)}"' if term.lang else ""
            if term.datatype and not term.lang:
                attrs = f' datatype="{xml_escape(term.datatype)}"'
            value = f"<literal{attrs}>{xml_escape(term.value)}</literal>"
        out.append(f'<binding name="{xml_escape(name)}">{value}</binding>')
    out.append("</result>")
    return "\n".join(out) + "\n"


def _xml_tail(answer: Answer) -> str:
    return "</sparql>\n" if answer.kind == "ask" else "</results>\n</sparql>\n"


def results_xml(answer: Answer) -> str:
    """Render a SELECT or ASK answer as SPARQL Query Results XML."""
    rows = [] if answer.kind == "ask" else answer.rows
    return _xml_head(answer) + "".join(map(_xml_result, rows)) + _xml_tail(answer)


class _Capped:
    """An answer's body, written in whole pieces up to a byte cap: the piece that would pass it, and every later one, is left out."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.pieces: list[bytes] = []
        self.size = 0
        self.full = False

    def add(self, text: str) -> bool:
        """Keep ``text`` if it fits under the cap; say whether it was kept."""
        data = text.encode("utf-8")
        if self.full or self.size + len(data) > self.cap:
            self.full = True
            return False
        self.pieces.append(data)
        self.size += len(data)
        return True

    def end(self, text: str = "") -> bytes:
        """Return the body with ``text`` (its closing part, kept whatever the cap) at its end."""
        return b"".join([*self.pieces, text.encode("utf-8")])


def _plain(status: int, sentence: str) -> Output:
    return Output(
        head={"status": status, "media": "text/plain", "headers": {}},
        body=f"{sentence}\n".encode(),
    )


def _cut(answer: Answer, bytes_cut: bool, byte_cap: int) -> dict[str, str]:
    reasons = [f"rows={answer.row_cap}"] if answer.truncated else []
    reasons += [f"bytes={byte_cap}"] if bytes_cut else []
    return {"X-Sendgraph-Truncated": "; ".join(["true", *reasons])} if reasons else {}


def _pieces(answer: Answer, fmt: str) -> tuple[str, Iterator[str]]:
    """The opening of a SELECT answer in ``fmt``, and its rows one piece each."""
    if fmt == "json":
        opening = '{"head": {"vars": ' + json.dumps(answer.variables, ensure_ascii=False)
        rows = (
            (", " if number else "")
            + json.dumps({v: t.to_json() for v, t in row.items()}, ensure_ascii=False)
            for number, row in enumerate(answer.rows)
        )
        return opening + '}, "results": {"bindings": [', rows
    if fmt == "xml":
        return _xml_head(answer), map(_xml_result, answer.rows)
    header = render_answer(Answer(kind="select", variables=answer.variables), fmt)
    return header, (
        render_answer(Answer(kind="select", variables=answer.variables, rows=[row]), fmt)[
            len(header) :
        ]
        for row in answer.rows
    )


def render_results(answer: Answer, accept: str, byte_cap: int) -> Output:
    """Render an answer as the Accept header asks, in whole rows or triples up to ``byte_cap`` bytes.

    This runs in the query's process (see `QueryStore.render`), under its time limit
    and memory cap; a cut answer says so in the ``X-Sendgraph-Truncated`` header and,
    for SPARQL JSON, in a ``sendgraph`` member.
    """
    if answer.kind == "graph":
        return _render_graph(answer, accept, byte_cap)
    media = negotiate(accept, SELECT_TYPES, "application/sparql-results+json")
    if media is None:
        return _plain(
            HTTPStatus.NOT_ACCEPTABLE,
            "Results come as SPARQL JSON or XML, text/csv or text/tab-separated-values.",
        )
    fmt = SELECT_TYPES[media]
    body = _Capped(byte_cap)
    if answer.kind == "ask":
        if fmt == "xml":
            whole = results_xml(answer)
        elif fmt == "json":
            whole = json.dumps(json.loads(render_answer(answer, "json")), ensure_ascii=False)
        else:
            whole = render_answer(answer, fmt)
        return Output(head={"status": 200, "media": media, "headers": {}}, body=whole.encode())
    opening, rows = _pieces(answer, fmt)
    body.add(opening)
    for row in rows:
        if not body.add(row):
            break
    bytes_cut = answer.bytes_cut or body.full
    tail = ""
    if fmt == "xml":
        tail = _xml_tail(answer)
    elif fmt == "json":
        member: dict[str, Any] = {"truncated": True}
        member |= {"rowCap": answer.row_cap} if answer.truncated else {}
        member |= {"byteCap": byte_cap} if bytes_cut else {}
        tail = "]}" + (f', "sendgraph": {json.dumps(member)}' if len(member) > 1 else "") + "}"
    headers = _cut(answer, bytes_cut, byte_cap)
    return Output(head={"status": 200, "media": media, "headers": headers}, body=body.end(tail))


def spreadsheet_output(answer: Answer, byte_cap: int) -> Output:
    """Render the query page's download of an answer (`spreadsheet_csv`), in whole rows up to ``byte_cap`` bytes."""
    data = spreadsheet_csv(answer).encode()
    bytes_cut = answer.bytes_cut
    # A cell may hold a line break, so rows are dropped, never cut at a newline.
    while len(data) > byte_cap and (answer.rows or answer.ntriples):
        bytes_cut = True
        if answer.kind == "graph":
            lines = answer.ntriples.splitlines(keepends=True)
            answer = replace(answer, ntriples="".join(lines[: len(lines) // 2]))
        else:
            answer = replace(answer, rows=answer.rows[: len(answer.rows) // 2])
        data = spreadsheet_csv(answer).encode()
    attachment = {"Content-Disposition": 'attachment; filename="query-results.csv"'}
    headers = _cut(answer, bytes_cut, byte_cap) | attachment
    return Output(head={"status": 200, "media": "text/csv", "headers": headers}, body=data)


def _turtle(lines: list[str]) -> bytes:
    return read_ntriples("".join(lines).encode("utf-8")).serialize(format="turtle").encode()


def _render_graph(answer: Answer, accept: str, byte_cap: int) -> Output:
    media = negotiate(accept, GRAPH_TYPES, "text/turtle")
    if media is None:
        return _plain(
            HTTPStatus.NOT_ACCEPTABLE,
            "A graph answer comes as text/turtle or application/n-triples.",
        )
    lines = answer.ntriples.splitlines(keepends=True)
    body = _Capped(byte_cap)
    kept = 0
    for line in lines:
        if not body.add(line):
            break
        kept += 1
    bytes_cut = answer.bytes_cut or body.full
    if GRAPH_TYPES[media] == "nt":
        data = body.end()
    else:
        data = _turtle(lines[:kept])
        # Turtle is shorter than N-Triples but for its prefix lines; halving the triples
        # until it fits keeps the answer a whole graph.
        while len(data) > byte_cap:
            kept //= 2
            bytes_cut = True
            data = _turtle(lines[:kept])
    headers = _cut(answer, bytes_cut, byte_cap)
    return Output(head={"status": 200, "media": media, "headers": headers}, body=data)


def question_output(ask: Callable[[], Any], byte_cap: int) -> Output:
    """Answer a named question as JSON, in whole rows up to ``byte_cap`` bytes (run in a query's process)."""
    json_error = {"status": HTTPStatus.NOT_FOUND, "media": "application/json", "headers": {}}
    try:
        rows = ask()
    except KeyError as exc:
        message = f"The question needs the {exc.args[0]!r} parameter."
        refused = json_error | {"status": HTTPStatus.BAD_REQUEST}
        return Output(head=refused, body=json.dumps({"error": message}).encode())
    except (SendgraphError, ValueError) as exc:
        return Output(head=json_error, body=json.dumps({"error": str(exc)}).encode())
    head: dict[str, Any] = {"status": 200, "media": "application/json", "headers": {}}
    if not isinstance(rows, list):
        return Output(head=head, body=json.dumps(rows, ensure_ascii=False, default=str).encode())
    body = _Capped(byte_cap)
    body.add("[")
    for number, row in enumerate(rows):
        if not body.add(
            (", " if number else "") + json.dumps(row, ensure_ascii=False, default=str)
        ):
            break
    if body.full:
        head["headers"] = {"X-Sendgraph-Truncated": f"true; bytes={byte_cap}"}
    return Output(head=head, body=body.end("]"))


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


class Endpoint:
    """What the server answers with: the questions, the rules, the limits and who may ask."""

    def __init__(
        self,
        questions: Questions,
        timeout: float = 30.0,
        row_cap: int = 10_000,
        byte_cap: int = DEFAULT_MAX_ANSWER,
        access: Access | None = None,
    ) -> None:
        self.questions = questions
        self.timeout = timeout
        self.row_cap = row_cap
        self.byte_cap = byte_cap
        self.access = access or Access.bound_to("127.0.0.1")
        self.rules = load_rules()
        # The query page and its Content-Security-Policy (see `render_query_page`).
        self.page, self.csp = render_query_page()

    def question(self, name: str, params: dict[str, str]) -> Callable[[], Any]:
        """Return the named question, asked with its query-string parameters; KeyError if there is none.

        Calling it raises KeyError for a parameter it needs and was not given.
        """
        q = self.questions
        routes: dict[str, Callable[[], Any]] = {
            # include=inferred (or inferred,planned) follows lines the papers do not state.
            "oversight": lambda: q.oversight(
                params["ref"], [m for m in params.get("include", "").split(",") if m]
            ),
            "trace": lambda: q.trace(params["ref"]),
            # Without ref: every action and finding, the facts every output shows.
            "about": lambda: q.about(
                params.get("ref") or None, [m for m in params.get("include", "").split(",") if m]
            ),
            "xref": lambda: q.xref(params["code"]),
            "owner": lambda: q.owner(params["name"]),
            "slippage": q.slippage,
            "overdue": lambda: q.overdue(
                dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
            ),
            "gaps": lambda: find_gaps(q.store, self.rules),
        }
        return routes[name]


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
    raw_requestline: bytes
    # The other origin (named with --allow-origin) this request's page has, if any.
    cors_origin: str | None = None

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
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
        access = self.endpoint.access
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
        """Say whether the request is the browser opening the query page (a link to it may be on any site)."""
        mode = (self.headers.get("Sec-Fetch-Mode") or "").strip().lower()
        return (
            self.command in ("GET", "HEAD")
            and mode == "navigate"
            and urlparse(self.path).path in ("/", "/index.html")
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
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_head(status, media, len(data), headers)
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

    def do_OPTIONS(self) -> None:
        """Answer a CORS preflight from a page named with --allow-origin (others were refused already)."""
        headers = {"Allow": "GET, HEAD, POST, OPTIONS"}
        if self.cors_origin:
            headers |= {
                "Access-Control-Allow-Methods": "GET, HEAD, POST",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "600",
            }
        self.send_head(HTTPStatus.NO_CONTENT, "text/plain", 0, headers)

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
        accept = self.headers.get("Accept") or ""
        render = spreadsheet_output if self.spreadsheet else partial(render_results, accept=accept)
        self.in_query_process(
            lambda: endpoint.questions.store.render(
                query,
                lambda answer: render(answer, byte_cap=endpoint.byte_cap),
                timeout=endpoint.timeout,
                row_cap=endpoint.row_cap,
                byte_cap=endpoint.byte_cap,
                transfer=self.timeout,
            )
        )

    def named(self, name: str, params: dict[str, str]) -> None:
        endpoint = self.endpoint
        try:
            ask = endpoint.question(name, params)
        except KeyError:
            message = json.dumps({"error": f"No question is called {name!r}."})
            self.reply(HTTPStatus.NOT_FOUND, message, "application/json")
            return
        self.in_query_process(
            lambda: run_work(
                lambda: question_output(ask, endpoint.byte_cap), endpoint.timeout, self.timeout
            )
        )

    def in_query_process(
        self, start: Callable[[], contextlib.AbstractContextManager[Streamed]]
    ) -> None:
        """Do the work ``start`` starts in a query process, in a query slot, and copy its answer to the client.

        A query waits for a free slot at most as long as a running one may take. The
        slot is held until the answer is sent, so that no more query processes (each
        holding its answer) exist at once than there are slots.
        """
        server = self.sendgraph_server
        timeout = self.endpoint.timeout
        server.answering(self.connection)
        if not server.queries.acquire(timeout=timeout):
            self.fail(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"The server was running its limit of {server.limits.max_queries} queries for "
                f"{timeout:g} s; try again in a moment.",
                {"Retry-After": "1"},
            )
            return
        sent = False
        try:
            with start() as streamed:
                head = streamed.head
                self.send_head(head["status"], head["media"], streamed.length, head["headers"])
                sent = True
                if self.command != "HEAD":
                    for chunk in streamed.chunks:
                        self.wfile.write(chunk)
        except QueryError as exc:
            if sent:
                # The client gets fewer bytes than the Content-Length said: a cut answer.
                self.close_connection = True
                return
            self.fail(*self.failure(exc))
        finally:
            server.queries.release()

    def failure(self, exc: QueryError) -> tuple[int, str]:
        """Return the status and sentence telling the client why its query got no answer."""
        if isinstance(exc, QueryRefused):
            return HTTPStatus.FORBIDDEN, str(exc)
        if isinstance(exc, QueryEnded) and self.sendgraph_server.stopping:
            return HTTPStatus.SERVICE_UNAVAILABLE, "The server stopped before the query finished."
        if isinstance(exc, QueryTimeout | QueryEnded | QueryBusy):
            return HTTPStatus.SERVICE_UNAVAILABLE, str(exc)
        return HTTPStatus.BAD_REQUEST, str(exc)


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
    byte_cap: int = DEFAULT_MAX_ANSWER,
    allow_hosts: Iterable[str] = (),
    allow_origins: Iterable[str] = (),
) -> None:
    """Serve until SIGTERM or SIGINT, then finish the requests in flight (within the client timeout) and return.

    ``allow_hosts`` and ``allow_origins`` are Host names and page origins answered
    beyond the server's own (see `Access`).
    """
    access = Access.bound_to(host, allow_hosts, allow_origins)
    endpoint = Endpoint(questions, timeout, row_cap, byte_cap, access)
    handler = type(
        "BoundHandler", (Handler,), {"endpoint": endpoint, "timeout": limits.client_timeout}
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
