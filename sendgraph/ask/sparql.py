"""SPARQL on a fast store, safely: no network, no files, no updates, bounded time and rows.

Questions are answered on pyoxigraph, not on rdflib's engine: on this project's
machines a board -> plan -> action join took 0.9 s at 10k triples on rdflib and 8 ms
on pyoxigraph. Queries from users are checked before they run: SERVICE, FROM, FROM
NAMED, LOAD and updates are refused, because pyoxigraph would otherwise fetch
whatever a SERVICE clause names. Each query runs in a forked child process, so a
query that runs too long is stopped for certain, not merely abandoned. What the
child is given to do may include rendering its answer (`QueryStore.render`, `run_work`),
so that every cost of a query, to the last byte of its answer, is paid under its time
limit and memory cap, and the process that started it only copies bytes.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import os
import re
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from sendgraph.ask.netbarrier import close_network
from sendgraph.ask.querytext import refusal
from sendgraph.base.errors import (
    QueryBusy,
    QueryEnded,
    QueryError,
    QueryRefused,
    QueryTimeout,
    SendgraphError,
)
from sendgraph.graph.tripleset import TripleSet
from sendgraph.graph.vocab import PREFIXES, RDFS
from sendgraph.read.rdfinput import read_ntriples

if TYPE_CHECKING:
    from sendgraph.ask.areawise import AreaAnswers

DEFAULT_TIMEOUT = 30.0
DEFAULT_ROW_CAP = 10_000
# sendgraph's own questions keep every row: the cap is for users' queries, and over 153
# areas the index of references alone has 46,000 rows.
NO_ROW_CAP = sys.maxsize
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# An answer's body travels from a query's process in pieces of this size, so the
# process that reads it never holds more than one piece of it at a time.
CHUNK_BYTES = 256 << 10
QUERY_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()} | {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": str(RDFS),
}


def refuse_unsafe(query: str) -> None:
    """Raise `QueryRefused` if ``query`` names SERVICE, FROM, LOAD or an update, or cannot be read.

    The query is read token by token by `sendgraph.ask.querytext`, as SPARQL's grammar reads it.

    >>> refuse_unsafe('SELECT * WHERE { ?s ?p "SERVICE" }')
    >>> refuse_unsafe("SELECT * WHERE { SERVICE <http://x> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    sendgraph.base.errors.QueryRefused: SERVICE clauses are refused: sendgraph queries never reach the network.
    """
    reason = refusal(query)
    if reason is not None:
        raise QueryRefused(reason)


class Term(NamedTuple):
    """One RDF term of a result, in the shape of SPARQL 1.1 Query Results JSON.

    A named tuple rather than a dataclass: answers over every area make tens of
    thousands of them, and a tuple is made several times faster.
    """

    type: str  # "uri", "literal" or "bnode"
    value: str
    datatype: str | None = None
    lang: str | None = None

    def to_json(self) -> dict[str, str]:
        """Return the term as a SPARQL 1.1 Query Results JSON object."""
        out = {"type": self.type, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype and self.datatype != XSD_STRING:
            out["datatype"] = self.datatype
        return out

    def to_python(self) -> Any:
        """Return a plain Python value: numbers and booleans as such, everything else as text."""
        # Most values are plain strings; making an rdflib Literal of each cost over a
        # second per command at England scale.
        if (
            self.type == "literal"
            and self.datatype
            and not self.lang
            and self.datatype != XSD_STRING
        ):
            return Literal(self.value, datatype=URIRef(self.datatype)).toPython()
        return self.value

    def __str__(self) -> str:
        return self.value


@dataclass
class Answer:
    """The result of one query: rows, a boolean, or triples; and whether it was cut short."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    ntriples: str = ""
    truncated: bool = False
    row_cap: int = DEFAULT_ROW_CAP
    bytes_cut: bool = False  # rows or triples were dropped to keep the answer under a byte cap

    def records(self) -> list[dict[str, Any]]:
        """Return the rows as dictionaries of plain Python values (unbound variables are None)."""
        return [
            {v: (row[v].to_python() if v in row else None) for v in self.variables}
            for row in self.rows
        ]

    def graph(self) -> Graph:
        """Return a CONSTRUCT or DESCRIBE result as an rdflib graph."""
        # pyoxigraph reads N-Triples in linear time; rdflib's parser is quadratic in a
        # literal's length (34 s for one 2 MB literal).
        return read_ntriples(self.ntriples.encode("utf-8"))


def _term(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    return Term(
        "literal", term.value, term.datatype.value if term.datatype else None, term.language
    )


def to_oxigraph(node: Node | str) -> Any:
    """Convert an rdflib term (or a plain string, taken as a literal) to a pyoxigraph term."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    return ox.Literal(str(node))


def _syntax_message(error: Exception, query: str) -> str:
    """Say in a sentence where ``query`` stops being SPARQL, quoting its own text there.

    pyoxigraph names the line and column (counted in characters from 1) where its parser
    gave up, and the tokens it would have accepted; the sentence names the word of the
    query at that place, or the one just before it when the parser stopped on a space
    after it (``?s SELEKT ?o`` stops after ``SELEKT``, where a ``:`` could follow).
    """
    if not query.strip():
        return "The query is empty."
    match = re.search(r"error at (\d+):(\d+)", str(error))
    if not match:
        return f"The query is not valid SPARQL: {str(error).splitlines()[0]}"
    line, column = int(match[1]), int(match[2])
    lines = query.split("\n")
    text = lines[line - 1].rstrip("\r") if line <= len(lines) else ""
    words = list(re.finditer(r"\S+", text))
    before = [w for w in words if w.start() <= column - 1]
    word = before[-1] if before else (words[0] if words else None)
    if word is None:
        return f"The query has a syntax error at line {line}, column {column}."
    near = word[0] if len(word[0]) <= 40 else word[0][:39] + "…"
    return f"The query has a syntax error at line {line}, column {word.start() + 1}, near '{near}'."


def _execute_oxigraph(
    store: ox.Store,
    query: str,
    bindings: Mapping[str, Node | str],
    row_cap: int,
    union: bool = False,
    byte_cap: int | None = None,
) -> dict[str, Any]:
    substitutions = {ox.Variable(name): to_oxigraph(value) for name, value in bindings.items()}
    try:
        result = store.query(
            query,
            prefixes=QUERY_PREFIXES,
            substitutions=substitutions or None,
            use_default_graph_as_union=union,
        )
    except SyntaxError as exc:
        return {"error": _syntax_message(exc, query)}
    except Exception as exc:  # pyoxigraph evaluation errors: report them as a sentence
        return {"error": f"The query could not be evaluated: {exc}."}
    if isinstance(result, ox.QueryBoolean):
        return {"kind": "ask", "boolean": bool(result)}
    size = 0
    if isinstance(result, ox.QueryTriples):
        lines: list[str] = []
        graph: dict[str, Any] = {"kind": "graph", "truncated": False, "bytes_cut": False}
        for number, triple in enumerate(result):
            if number >= row_cap:
                graph["truncated"] = True
                break
            line = f"{triple.subject} {triple.predicate} {triple.object} ."
            size += len(line) + 1
            if byte_cap is not None and size > byte_cap:
                graph["bytes_cut"] = True
                break
            lines.append(line)
        return graph | {"ntriples": "\n".join(lines) + ("\n" if lines else "")}
    variables = [v.value for v in result.variables]
    rows: list[dict[str, Term]] = []
    table: dict[str, Any] = {"kind": "select", "variables": variables, "rows": rows}
    table |= {"truncated": False, "bytes_cut": False}
    for number, solution in enumerate(result):
        if number >= row_cap:
            table["truncated"] = True
            break
        row = {v: _term(solution[v]) for v in variables if solution[v] is not None}
        size += sum(len(term.value) for term in row.values())
        if byte_cap is not None and size > byte_cap:
            table["bytes_cut"] = True
            break
        rows.append(row)
    return table


def _rdflib_term(term: Any) -> Term:
    if isinstance(term, URIRef):
        return Term("uri", str(term))
    if isinstance(term, BNode):
        return Term("bnode", str(term))
    datatype = str(term.datatype) if term.datatype else None
    if term.language:
        datatype = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
    return Term("literal", str(term), datatype, term.language)


def _execute_rdflib(
    graph: Graph, query: str, bindings: Mapping[str, Node | str], row_cap: int
) -> dict[str, Any]:
    from rdflib.plugins.sparql import prepareQuery

    initial = {
        name: value if isinstance(value, Node) else Literal(value)
        for name, value in bindings.items()
    }
    try:
        prepared = prepareQuery(query, initNs=QUERY_PREFIXES)
        result = graph.query(prepared, initBindings=initial)  # type: ignore[arg-type]
    except Exception as exc:  # rdflib raises pyparsing and evaluation errors of many kinds
        return {"error": f"The query could not be run: {' '.join(str(exc).split())[:200]}."}
    if result.type == "ASK":
        return {"kind": "ask", "boolean": bool(result.askAnswer)}
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        triples = list(result)
        kept = triples[:row_cap]
        return {
            "kind": "graph",
            "ntriples": "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in kept),  # type: ignore[misc]
            "truncated": len(triples) > row_cap,
        }
    variables = [str(v) for v in result.vars or []]
    rows: list[dict[str, Term]] = []
    for number, solution in enumerate(result):
        if number >= row_cap:
            return {"kind": "select", "variables": variables, "rows": rows, "truncated": True}
        values = solution.asdict()  # type: ignore[union-attr]
        rows.append({v: _rdflib_term(values[v]) for v in variables if values.get(v) is not None})
    return {"kind": "select", "variables": variables, "rows": rows, "truncated": False}


@dataclass(kw_only=True)
class Output:
    """What work done in a query's process sends back: a small ``head`` and a ``body`` of bytes.

    A head with an ``"error"`` is raised as `QueryError` by the process that waits for it.
    """

    head: dict[str, Any]
    body: bytes = b""


@dataclass(kw_only=True)
class Streamed:
    """The head of a query process's output, and its body, read piece by piece as it is iterated."""

    head: dict[str, Any]
    length: int
    chunks: Iterator[bytes]


def _child(work: Callable[[], Output], out: Connection) -> None:
    # A query past its memory cap ends the process by abort(); the parent reports it in
    # a sentence, so a stack dump from an inherited fault handler would only be noise.
    faulthandler.disable()
    close_network()
    try:
        try:
            output = work()
        except SendgraphError as exc:
            # rdflib reads rows lazily, so a refusal by sendgraph's guard (a SERVICE
            # reaching out) arrives here; the parent reports it as the query's error.
            output = Output(head={"error": str(exc)})
        except OSError as exc:
            # pyoxigraph evaluates while rows are read, so a connection the network
            # barrier refused (a SERVICE) arrives here too.
            output = Output(head={"error": f"The query could not be evaluated: {exc}."})
        out.send(output.head | {"length": len(output.body)})
        body = memoryview(output.body)
        for start in range(0, len(body), CHUNK_BYTES):
            out.send_bytes(body[start : start + CHUNK_BYTES])
    finally:
        out.close()


class _QueryMemory:
    """Caps the memory of every process forked from this one: the query children.

    A cross join with ORDER BY grew its process by about 1 GB in 2 s on this project's
    machines; a time limit alone would let a 30 s query take the machine's memory. A
    child gets an address-space limit of what the server had mapped when it forked plus
    the budget, so an allocation past it fails and the child ends (pyoxigraph aborts).
    """

    def __init__(self) -> None:
        self.budget: int | None = None
        self.mapped = 0
        self.registered = False

    def limit(self, budget: int | None) -> None:
        """Give forked children ``budget`` bytes beyond the server's own mappings (None: no limit)."""
        self.budget = budget
        if not self.registered:
            os.register_at_fork(before=self._before, after_in_child=self._in_child)
            self.registered = True

    def _before(self) -> None:
        if self.budget is not None:
            with open("/proc/self/statm", encoding="ascii") as statm:
                self.mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")

    def _in_child(self) -> None:
        if self.budget is None:
            return
        # A backtrace of the failed allocation would put ~50 lines on stderr (the
        # server's log) for each query that hit the limit; one line says enough.
        os.environ["RUST_BACKTRACE"] = "0"
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = self.mapped + self.budget
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


_QUERY_MEMORY = _QueryMemory()


def limit_query_memory(budget: int | None) -> None:
    """Let each query's forked process map at most ``budget`` bytes beyond this process's own (None: no limit)."""
    _QUERY_MEMORY.limit(budget)


BACKENDS = ("oxigraph", "rdflib")


class _ForkGuard:
    """Keeps fork() from happening while another thread of this process is inside a query.

    pyoxigraph releases the GIL while it evaluates, holding locks of its own; a child
    forked at that moment inherits a held lock that no thread will ever release, and
    waits on it until its time limit (the endpoint answered 1 request in about 1,000
    with a 503 that way under concurrent load). Queries in this process share the
    guard; a fork waits until none is running and holds new ones back while it forks.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running = 0
        # A child is forked while the parent holds the condition's lock; the child's
        # own queries (a named question runs several) start from a fresh guard.
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._changed = threading.Condition()
        self._running = 0

    @contextmanager
    def query(self) -> Iterator[None]:
        """Mark a query running in this process for the duration of the block."""
        with self._changed:
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    @contextmanager
    def fork(self, wait: float = DEFAULT_TIMEOUT) -> Iterator[None]:
        """Hold the block until no query runs in this process, and keep new ones out of it.

        Raise `QueryBusy` if queries were running for all of ``wait`` seconds.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: self._running == 0, timeout=wait):
                raise QueryBusy(
                    f"Other queries kept this process busy for {wait:g} s, so the query could "
                    "not start; try again in a moment."
                )
            yield


_FORKS = _ForkGuard()


def _ended() -> QueryEnded:
    budget = _QUERY_MEMORY.budget
    if budget is None:
        return QueryEnded("The query stopped without an answer (the query process ended).")
    return QueryEnded(
        "The query's process ended without an answer: it needed more than the "
        f"{budget >> 20} MB of memory a query may use, or it failed."
    )


def _receive(receiver: Connection, deadline: float, timeout: float) -> None:
    """Wait for the next message until ``deadline``; raise `QueryTimeout` past it."""
    if not receiver.poll(max(0.0, deadline - time.monotonic())):
        raise QueryTimeout(
            f"The query ran for more than {timeout:g} s and was stopped; raise --timeout to allow longer."
        )


def _chunks(receiver: Connection, length: int, deadline: float, timeout: float) -> Iterator[bytes]:
    received = 0
    while received < length:
        _receive(receiver, deadline, timeout)
        try:
            chunk = receiver.recv_bytes()
        except EOFError:
            raise _ended() from None
        received += len(chunk)
        yield chunk


@contextmanager
def run_work(
    work: Callable[[], Output], timeout: float, transfer: float | None = None
) -> Iterator[Streamed]:
    """Do ``work`` in a forked process under ``timeout`` and the query memory cap; yield its output.

    The head must arrive within ``timeout``; the body is then read piece by piece as
    the `Streamed` is iterated, within ``transfer`` seconds more (``timeout`` again if
    None), so the caller never holds more than a piece of it. The process is killed
    when the block ends, whether or not its body was read. Raises `QueryTimeout`,
    `QueryEnded` (the process died: out of memory), `QueryBusy` (the process could not
    be forked in time) or `QueryError` (the head carried an error).
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(work, sender), daemon=True)
    deadline = time.monotonic() + timeout
    try:
        with _FORKS.fork(timeout):
            child.start()
    except BaseException:
        receiver.close()
        sender.close()
        raise
    sender.close()
    try:
        _receive(receiver, deadline, timeout)
        try:
            head: dict[str, Any] = receiver.recv()
        except EOFError:
            raise _ended() from None
        if "error" in head:
            raise QueryError(head["error"])
        length = head.pop("length")
        sent_by = time.monotonic() + (timeout if transfer is None else transfer)
        yield Streamed(head=head, length=length, chunks=_chunks(receiver, length, sent_by, timeout))
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def _answer(payload: dict[str, Any], row_cap: int) -> Answer:
    return Answer(
        kind=payload["kind"],
        variables=payload.get("variables", []),
        rows=payload.get("rows", []),
        boolean=payload.get("boolean"),
        ntriples=payload.get("ntriples", ""),
        truncated=payload.get("truncated", False),
        row_cap=row_cap,
        bytes_cut=payload.get("bytes_cut", False),
    )


def _ntriples(graph: Graph | TripleSet) -> bytes:
    if isinstance(graph, TripleSet):
        return graph.ntriples()
    return graph.serialize(format="nt", encoding="utf-8")


class QueryStore:
    """A read-only copy of a graph, queried under a time limit and a row cap.

    ``backend`` is "oxigraph" (pyoxigraph, the default: fast) or "rdflib" (rdflib's own
    engine over the same graph, kept as the reference the fast store is checked against).
    """

    def __init__(
        self,
        graph: Graph | TripleSet,
        backend: str = "oxigraph",
        named: Mapping[str, Graph | TripleSet] | None = None,
    ) -> None:
        """Load ``graph``; with ``named`` (graph IRI -> triples), pyoxigraph holds those named
        graphs instead and answers over their union, so ``GRAPH ?g`` tells areas apart."""
        if backend not in BACKENDS:
            raise QueryError(f"store {backend!r} is not one of {', '.join(BACKENDS)}.")
        self.backend = backend
        # Only rdflib's engine reads an rdflib Graph; pyoxigraph takes the triples as text.
        if isinstance(graph, TripleSet):
            self.graph = graph.to_graph() if backend == "rdflib" else Graph()
        else:
            self.graph = graph
        self.store = ox.Store()
        self.union = bool(named) and backend == "oxigraph"
        if backend == "oxigraph" and named:
            for iri, triples in named.items():
                self.store.bulk_load(
                    _ntriples(triples), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri)
                )
        elif backend == "oxigraph":
            self.store.bulk_load(_ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
        self.size = len(graph)
        self.areas: AreaAnswers | None = None

    @classmethod
    def opened(
        cls, store: ox.Store, *, union: bool, size: int, areas: AreaAnswers | None = None
    ) -> QueryStore:
        """Return a query store over a pyoxigraph ``store`` already loaded (such as one on disk).

        With ``union``, the store holds its triples in named graphs and is asked over
        their union. No rdflib graph is made: only the "oxigraph" backend is possible.
        With ``areas``, area-local questions are answered area by area (`area_local`).
        """
        ready = cls.__new__(cls)
        ready.backend = "oxigraph"
        ready.graph = Graph()
        ready.store = store
        ready.union = union
        ready.size = size
        ready.areas = areas
        return ready

    def area_local(self, query: str) -> Answer:
        """Answer a trusted SELECT that never joins two areas' nodes, over every row it has.

        Over many cached areas it is answered area by area, each area's answer kept
        (`sendgraph.ask.areawise`); otherwise it runs on the store as a whole.
        """
        if self.areas is not None:
            return self.areas.answer(query)
        return self.run(query, timeout=None, trusted=True, row_cap=NO_ROW_CAP)

    def execute(
        self,
        query: str,
        bindings: Mapping[str, Node | str],
        row_cap: int,
        byte_cap: int | None = None,
    ) -> dict[str, Any]:
        """Run a query in this process on this store's engine; return the raw answer or an error.

        With a ``byte_cap``, rows (or triples) stop being kept once their text passes it.
        """
        if self.backend == "rdflib":
            return _execute_rdflib(self.graph, query, bindings, row_cap)
        return _execute_oxigraph(self.store, query, bindings, row_cap, self.union, byte_cap)

    def run(
        self,
        query: str,
        bindings: Mapping[str, Node | str] | None = None,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        row_cap: int = DEFAULT_ROW_CAP,
        trusted: bool = False,
    ) -> Answer:
        """Run one SPARQL query and return its `Answer`.

        ``bindings`` give variables their values (never pasted into the text). Queries
        that are not ``trusted`` (all queries from users) are checked by `refuse_unsafe`
        first. With a ``timeout``, the query runs in a child process that is killed when
        the time is up, and `QueryTimeout` is raised; rows past ``row_cap`` are dropped
        and the answer says it was truncated.
        """
        if not trusted:
            refuse_unsafe(query)
        bindings = dict(bindings or {})
        if timeout is None:
            with _FORKS.query():
                payload = self.execute(query, bindings, row_cap)
            if "error" in payload:
                raise QueryError(payload["error"])
            return _answer(payload, row_cap)

        def work() -> Output:
            return Output(head=self.execute(query, bindings, row_cap))

        with run_work(work, timeout) as streamed:
            return _answer(streamed.head, row_cap)

    def render(
        self,
        query: str,
        render: Callable[[Answer], Output],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        row_cap: int = DEFAULT_ROW_CAP,
        byte_cap: int | None = None,
        transfer: float | None = None,
    ) -> contextlib.AbstractContextManager[Streamed]:
        """Run a user's query and ``render`` its `Answer`, both in the query's process; yield the output.

        The query is checked by `refuse_unsafe` first. Rows stop being kept once their
        text passes ``byte_cap`` (``Answer.bytes_cut`` says so), so ``render`` is given
        an answer of about that size at most. See `run_work` for the limits and errors.
        """
        refuse_unsafe(query)

        def work() -> Output:
            payload = self.execute(query, {}, row_cap, byte_cap)
            if "error" in payload:
                return Output(head=payload)
            return render(_answer(payload, row_cap))

        return run_work(work, timeout, transfer)

    def select(
        self, query: str, bindings: Mapping[str, Node | str] | None = None
    ) -> list[dict[str, Any]]:
        """Run a trusted SELECT (a bundled question) in this process; return every row, as Python values."""
        return self.run(query, bindings, timeout=None, trusted=True, row_cap=NO_ROW_CAP).records()
