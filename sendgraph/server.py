"""A read-only SPARQL 1.1 Protocol endpoint over the graph, with the named questions as JSON.

Built on the standard library's threading HTTP server: one process, loopback by default,
nothing to install. Every query goes through the same guard as the CLI (no SERVICE,
FROM, LOAD or updates), runs in a child process under a time limit, and keeps at most a
row cap; a cut answer says so in the ``X-Sendgraph-Truncated`` header and, for JSON,
in a ``sendgraph`` member beside ``head`` and ``results``.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

from sendgraph.gaps import find_gaps, load_rules
from sendgraph.problems import SendgraphError
from sendgraph.questions import Questions, bundled_queries
from sendgraph.sparql import Answer, QueryError, QueryRefused, QueryTimeout
from sendgraph.tables import render_answer

MAX_REQUEST_BYTES = 1 << 20
MAX_URL_BYTES = 64 << 10
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt"}
CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'"


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


class Endpoint:
    """What the server answers with: the questions, the rules and the limits."""

    def __init__(self, questions: Questions, timeout: float = 30.0, row_cap: int = 10_000) -> None:
        self.questions = questions
        self.timeout = timeout
        self.row_cap = row_cap
        self.rules = load_rules()
        self.page = (
            resources.files("sendgraph")
            .joinpath("templates", "query.html")
            .read_text(encoding="utf-8")
        )

    def question(self, name: str, params: dict[str, str]) -> Any:
        """Answer a named question from its query-string parameters."""
        q = self.questions
        routes: dict[str, Callable[[], Any]] = {
            "oversight": lambda: q.oversight(params["ref"]),
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

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the request log quiet; errors are answered to the client."""

    # -- replies --------------------------------------------------------------------

    def reply(
        self, status: int, body: str | bytes, media: str, headers: dict[str, str] | None = None
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
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

    def fail(self, status: int, message: str) -> None:
        self.reply(status, message + "\n", "text/plain")

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
                HTTPStatus.OK, self.endpoint.page, "text/html", {"Content-Security-Policy": CSP}
            )
        elif url.path == "/sparql":
            if "update" in params:
                self.refuse_update()
            elif "query" not in params:
                self.fail(HTTPStatus.BAD_REQUEST, "Give the query in the 'query' parameter.")
            else:
                self.answer(params["query"])
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
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.fail(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"The request body is larger than {MAX_REQUEST_BYTES} bytes.",
            )
            self.close_connection = True
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
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
        try:
            answer = endpoint.questions.store.run(
                query, timeout=endpoint.timeout, row_cap=endpoint.row_cap
            )
        except QueryTimeout as exc:
            self.fail(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
            return
        except QueryRefused as exc:
            self.fail(HTTPStatus.FORBIDDEN, str(exc))
            return
        except QueryError as exc:
            self.fail(HTTPStatus.BAD_REQUEST, str(exc))
            return
        accept = self.headers.get("Accept") or ""
        headers = (
            {"X-Sendgraph-Truncated": f"true; rows={answer.row_cap}"} if answer.truncated else {}
        )
        if answer.kind == "graph":
            media = negotiate(accept, GRAPH_TYPES, "text/turtle")
            if media is None:
                self.fail(
                    HTTPStatus.NOT_ACCEPTABLE,
                    "A graph answer comes as text/turtle or application/n-triples.",
                )
                return
            fmt = GRAPH_TYPES[media]
            body = answer.ntriples if fmt == "nt" else answer.graph().serialize(format="turtle")
            self.reply(HTTPStatus.OK, body, media, headers)
            return
        media = negotiate(accept, SELECT_TYPES, "application/sparql-results+json")
        if media is None:
            self.fail(
                HTTPStatus.NOT_ACCEPTABLE,
                "Results come as SPARQL JSON or XML, text/csv or text/tab-separated-values.",
            )
            return
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
        self.reply(HTTPStatus.OK, body, media, headers)

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
    # The default listen backlog of 5 drops connections when more clients than that
    # arrive at once; each dropped one is retried by its client a second later.
    request_queue_size = 128


def serve(
    questions: Questions,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30.0,
    row_cap: int = 10_000,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT, then finish the requests in flight and return."""
    handler = type("BoundHandler", (Handler,), {"endpoint": Endpoint(questions, timeout, row_cap)})
    server = _Server((host, port), handler)
    server.daemon_threads = True

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if ready:
            ready(f"http://{host}:{server.server_address[1]}/")
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        for sig, handler_before in previous.items():
            signal.signal(sig, handler_before)
