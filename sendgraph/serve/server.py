"""A read-only SPARQL 1.1 Protocol endpoint over the graph, with the named questions as JSON.

Built on the standard library's threading HTTP server: one process, loopback by default,
nothing to install. Every query goes through the same guard as the CLI (no SERVICE,
FROM, LOAD or updates), runs in a child process under a time limit, and keeps at most a
row cap; a cut answer says so in the ``X-Sendgraph-Truncated`` header and, for JSON,
in a ``sendgraph`` member beside ``head`` and ``results``.

This module is the protocol: queries read from GET and POST, content negotiation, the
named questions at ``/questions/...``, the query page and its ``/spreadsheet.csv``
download. A query's answer is rendered in its own process, under its time limit and
memory cap, and kept under a byte cap; the server only copies its bytes to the client.
Named questions run the same way and share the query slots. How the server defends
itself against the clients that connect (limits, deadlines, who may ask) is
`sendgraph.serve.connections`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlparse

from rdflib import URIRef

from sendgraph.ask.describe import (
    ONTOLOGY_IRI,
    describe,
    document_ontology,
    linker,
    page_query,
    public_iri,
)
from sendgraph.ask.exceptions import exception_rows
from sendgraph.ask.gaps import find_gaps, load_rules
from sendgraph.ask.questions import Questions, bundled_queries
from sendgraph.ask.sparql import (
    QUERY_PREFIXES,
    Answer,
    Output,
    QueryStore,
    Streamed,
    limit_query_memory,
    run_work,
)
from sendgraph.base.errors import (
    QueryBusy,
    QueryEnded,
    QueryError,
    QueryRefused,
    QueryTimeout,
    SendgraphError,
)
from sendgraph.read.rdfinput import read_ntriples
from sendgraph.serve.connections import (
    MAX_URL_BYTES,
    Access,
    BoundedServer,
    GuardedHandler,
    Limits,
)
from sendgraph.show.pages import render_ontology_page, render_resource_page
from sendgraph.show.querypage import render_query_page, spreadsheet_csv
from sendgraph.show.tables import render_answer, xml_escape
from sendgraph.show.templates import PAGE_POLICY

# Bytes an answer keeps at most. 10,000 rows of the whole graph (?s ?p ?o) take 2.8 MB
# as SPARQL JSON, so 16 MB cuts no ordinary answer; and the server's default four
# query slots then hold at most 64 MB of answers in their processes at once.
DEFAULT_MAX_ANSWER = 16 << 20
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt"}
# What a resource's IRI is answered with: its page by default, its triples on request.
RESOURCE_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}


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


def resource_output(
    store: QueryStore, iri: str, accept: str, base: str, row_cap: int, byte_cap: int
) -> Output:
    """Answer for one of the graph's own IRIs as the Accept header asks (run in a query's process).

    Its page (HTML) by default; its triples as Turtle, JSON-LD or N-Triples on request.
    The triples come from the bundled ``queries/pages`` CONSTRUCTs with the IRI bound to
    a variable; the page's links go to ``base`` (see `sendgraph.ask.describe.linker`).
    An IRI the graph says nothing about is a 404 with a sentence.
    """
    media = negotiate(accept, RESOURCE_TYPES, "text/html")
    if media is None:
        return _plain(
            HTTPStatus.NOT_ACCEPTABLE,
            "A resource comes as text/html, text/turtle, application/ld+json or application/n-triples.",
        )
    ontology = iri == ONTOLOGY_IRI
    name = "ontology" if ontology else "resource"
    payload = store.execute(page_query(name), {name: URIRef(iri)}, row_cap, byte_cap)
    if "error" in payload:
        return Output(head=payload)
    bytes_cut = bool(payload.get("bytes_cut"))
    cut = bool(payload.get("truncated")) or bytes_cut
    triples = read_ntriples(payload["ntriples"].encode("utf-8"))
    if not len(triples):
        return _plain(
            HTTPStatus.NOT_FOUND,
            f"The graph says nothing about {iri}: no triple has it as subject or object.",
        )
    headers = {"Vary": "Accept"} | _cut(
        Answer(kind="graph", truncated=bool(payload.get("truncated")), row_cap=row_cap),
        bytes_cut,
        byte_cap,
    )
    fmt = RESOURCE_TYPES[media]
    if fmt != "html":
        for prefix, namespace in QUERY_PREFIXES.items():
            triples.bind(prefix, namespace)
        # JSON-LD gets the prefixes as an inline context: no context is ever fetched.
        extra: dict[str, Any] = {"context": dict(QUERY_PREFIXES)} if fmt == "json-ld" else {}
        body = triples.serialize(format=fmt, encoding="utf-8", **extra)
        return Output(head={"status": 200, "media": media, "headers": headers}, body=body)
    link = linker(base)
    if ontology:
        page = render_ontology_page(document_ontology(triples, link, cut), base)
    else:
        context = store.execute(page_query("context"), {"resource": URIRef(iri)}, row_cap, byte_cap)
        if "error" in context:
            return Output(head=context)
        names = read_ntriples(context["ntriples"].encode("utf-8"))
        description = describe(iri, triples, names, link, cut)
        assert description is not None  # it has triples
        page = render_resource_page(description, base)
    headers |= {"Content-Security-Policy": PAGE_POLICY}
    return Output(
        head={"status": 200, "media": media, "headers": headers}, body=page.encode("utf-8")
    )


class Endpoint:
    """What the server answers with: the questions, the rules, the limits and who may ask."""

    def __init__(
        self,
        questions: Questions,
        timeout: float = 30.0,
        row_cap: int = 10_000,
        byte_cap: int = DEFAULT_MAX_ANSWER,
        access: Access | None = None,
        base: str = "/",
    ) -> None:
        self.questions = questions
        # Where the pages of the graph's IRIs link to: the server itself, or --base.
        self.base = base
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
            "board": lambda: q.board(
                params["name"], self.rules, [m for m in params.get("include", "").split(",") if m]
            ),
            "slippage": q.slippage,
            "overdue": lambda: q.overdue(
                dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
            ),
            "gaps": lambda: find_gaps(q.store, self.rules, areas=q.many_areas),
            # reason=overdue (or behind-schedule,no-owner) keeps the actions with one of them.
            "exceptions": lambda: exception_rows(
                q,
                [m for m in params.get("include", "").split(",") if m],
                reasons=[r for r in params.get("reason", "").split(",") if r],
            ),
        }
        return routes[name]


class Handler(GuardedHandler):
    """One request: the query page, a SPARQL query, or a named question."""

    endpoint: Endpoint
    query_page_paths = frozenset({"/", "/index.html"})
    # The query page, and the pages of the graph's own IRIs: a link to any may be anywhere.
    page_paths = query_page_paths | {"/ontology"}
    page_prefixes = ("/id/",)
    # The answer is CSV made safe for a spreadsheet (the query page's download).
    spreadsheet = False

    @property
    def access(self) -> Access:
        """Which Host names and origins the server answers: the endpoint's."""
        return self.endpoint.access

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
        if url.path in self.query_page_paths:
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
        elif (iri := public_iri(url.path)) is not None:
            self.resource(iri)
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

    def resource(self, iri: str) -> None:
        """Answer for one of the graph's own IRIs, in a query process like any query."""
        endpoint = self.endpoint
        accept = self.headers.get("Accept") or ""
        self.in_query_process(
            lambda: run_work(
                lambda: resource_output(
                    endpoint.questions.store, iri, accept, endpoint.base,
                    endpoint.row_cap, endpoint.byte_cap,
                ),
                endpoint.timeout,
                self.timeout,
            )
        )  # fmt: skip

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


def serve(
    questions: Questions,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30.0,
    row_cap: int = 10_000,
    ready: Callable[[str], None] | None = None,
    limits: Limits | None = None,
    byte_cap: int = DEFAULT_MAX_ANSWER,
    allow_hosts: Iterable[str] = (),
    allow_origins: Iterable[str] = (),
    base: str | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT, then finish the requests in flight (within the client timeout) and return.

    ``allow_hosts`` and ``allow_origins`` are Host names and page origins answered
    beyond the server's own (see `Access`); ``limits`` are the clients' shares (see
    `Limits`). ``base`` is the address the pages of the graph's IRIs link to (the
    server's own paths when None).
    """
    limits = limits or Limits()
    access = Access.bound_to(host, allow_hosts, allow_origins)
    endpoint = Endpoint(questions, timeout, row_cap, byte_cap, access, base or "/")
    handler = type(
        "BoundHandler", (Handler,), {"endpoint": endpoint, "timeout": limits.client_timeout}
    )
    server = BoundedServer((host, port), handler, limits)
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
