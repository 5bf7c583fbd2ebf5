"""A graph file built elsewhere (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads), read safely.

Questions can be asked of a graph that sendgraph did not build from a data folder:
one written by ``sendgraph build`` and shared, or made by another tool. Such a file
may come from anyone, so it is read as untrusted input. It must be UTF-8 and at most
`MAX_RDF_BYTES` long. RDF/XML with a document type declaration is refused before any
XML parser sees it: a DTD is how entity expansion ("billion laughs") and external
entities (reading local files, calling out) get in, and RDF needs neither. JSON-LD
whose ``@context`` would be fetched (an IRI, or ``@import``) is refused before rdflib
could fetch it: reading a file never makes a network request. A file that does not
parse is a sentence naming the file and, where the parser says, the line.

N-Triples and N-Quads, the formats of the largest files, are read by pyoxigraph's
parser, whose time grows with the file's length (rdflib's took 34 s over a 2 MB file
holding one long literal), and the terms are then made rdflib's.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from sendgraph.base.errors import InputError

# Suffix -> (rdflib format, the name a user knows it by).
RDF_FORMATS = {
    ".ttl": ("turtle", "Turtle"),
    ".nt": ("nt", "N-Triples"),
    ".jsonld": ("json-ld", "JSON-LD"),
    ".rdf": ("xml", "RDF/XML"),
    ".trig": ("trig", "TriG"),
    ".nq": ("nquads", "N-Quads"),
}
QUAD_FORMATS = {"trig", "nquads"}
# One statement a line; read by pyoxigraph (see the module's docstring).
LINE_FORMATS = {"nt", "nquads"}
# England's 153 areas are about 1.1 million triples; as N-Triples that is well under this.
MAX_RDF_BYTES = 512 * 1024 * 1024
# Deeper JSON than this is not a graph anyone wrote; Python's json would hit its recursion limit.
MAX_JSON_DEPTH = 200

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass
class GraphFile:
    """What a graph file held: every triple, and each named graph's own triples by graph IRI."""

    graph: Graph
    named: dict[str, Graph] = field(default_factory=dict)


def is_rdf_file(path: Path) -> bool:
    """True when ``path`` names a graph file by its suffix (.ttl, .nt, .jsonld, .rdf, .trig, .nq).

    >>> is_rdf_file(Path("england.TTL")), is_rdf_file(Path("data"))
    (True, False)
    """
    return path.suffix.lower() in RDF_FORMATS


def read_rdf(path: Path, *, limit: int = MAX_RDF_BYTES) -> GraphFile:
    """Read the graph file at ``path``, refusing what could make the parser reach beyond it.

    Raises `InputError` with a sentence naming the file for a file that is missing,
    too large, not UTF-8, RDF/XML with a DTD, JSON-LD with a remote context, or not
    parseable as its suffix says.
    """
    suffix = path.suffix.lower()
    if suffix not in RDF_FORMATS:
        known = ", ".join(RDF_FORMATS)
        raise InputError(f"{path} is not a graph file sendgraph reads; use one of {known}.")
    fmt, name = RDF_FORMATS[suffix]
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                f"{path} is {size:,} bytes; sendgraph reads graph files of at most {limit:,} bytes."
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist.") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror}.") from None
    if len(raw) > limit:  # the file grew between stat() and the read
        raise InputError(f"{path} is over {limit:,} bytes; sendgraph reads no more than that.")
    text = _utf8(raw, path, name)
    if fmt == "xml":
        _check_xml(raw, path)
    if fmt == "json-ld":
        _check_json_ld(text, path)
    if fmt in LINE_FORMATS:
        return _parse_lines(raw.removeprefix(b"\xef\xbb\xbf"), text, fmt, name, path)
    return _parse(text, fmt, name, path)


def _utf8(raw: bytes, path: Path, name: str) -> str:
    try:
        return raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path} is not UTF-8: byte 0x{raw[exc.start : exc.start + 1].hex()} on line {line} "
            f"cannot be decoded. sendgraph reads {name} files written in UTF-8."
        ) from None


def _check_xml(raw: bytes, path: Path) -> None:
    found = _DOCTYPE.search(raw)
    if found:
        line = raw[: found.start()].count(b"\n") + 1
        raise InputError(
            f"{path} has a document type declaration (<!{found.group(1).decode().upper()}) on line "
            f"{line}; sendgraph refuses RDF/XML with a DTD, since entities can expand without "
            "bound or read other files. Remove the DTD and write the IRIs out in full."
        )
    # A NUL byte never belongs in XML text; refusing it also stops UTF-16 (which a
    # parser may detect on its own) from hiding a DOCTYPE from the check above.
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError(f"{path} holds a NUL byte on line {line}; it is not RDF/XML text.")
    declared = _XML_ENCODING.match(raw.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise InputError(
            f"{path} declares encoding {declared.group(1).decode()!r}; sendgraph reads RDF/XML in UTF-8 only."
        )


def _check_json_ld(text: str, path: Path) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not JSON: {exc.msg} at line {exc.lineno}.") from None
    except RecursionError:
        raise InputError(f"{path} is JSON nested too deeply to be a graph.") from None
    # Walked with a stack, not recursion: the depth is the file author's to choose.
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InputError(f"{path} is JSON nested more than {MAX_JSON_DEPTH} deep.")
        if isinstance(value, dict):
            if "@context" in value:
                _check_context(value["@context"], path)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _check_context(context: Any, path: Path) -> None:
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, str):
            raise InputError(
                f"{path} has a remote JSON-LD @context ({entry!r}); sendgraph never fetches one. "
                "Put the context in the file itself."
            )
        if isinstance(entry, dict) and "@import" in entry:
            raise InputError(
                f"{path} has a JSON-LD @context with @import ({entry['@import']!r}); "
                "sendgraph never fetches one. Put the context in the file itself."
            )


def _parse(text: str, fmt: str, name: str, path: Path) -> GraphFile:
    dataset = Dataset(default_union=True) if fmt in QUAD_FORMATS else None
    target: Graph = dataset if dataset is not None else Graph()
    try:
        # The parsers warn about odd literals and IRIs; those are the file's business,
        # and the graph holds them as written.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            target.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except RecursionError:
        raise InputError(f"{path} is nested too deeply to read as {name}.") from None
    except Exception as exc:
        # A parser of an untrusted file can fail in many ways (rdflib's syntax errors,
        # SAX errors, ValueError, KeyError on a malformed term); each is the file's
        # fault, and the user gets one sentence, never a traceback.
        where = _where(exc)
        raise InputError(f"{path} cannot be read as {name}{where}: {_reason(exc)}") from None
    _check_iris(target, path)
    if dataset is None:
        return GraphFile(target)
    graph = Graph()
    named: dict[str, Graph] = {}
    for quad_graph in dataset.graphs():
        identifier = quad_graph.identifier
        triples = Graph()
        for triple in quad_graph:
            triples.add(triple)
            graph.add(triple)
        if (
            isinstance(identifier, URIRef)
            and len(triples)
            and identifier != dataset.default_graph.identifier
        ):
            named[str(identifier)] = triples
    return GraphFile(graph, named)


def read_ntriples(data: bytes) -> Graph:
    """Return the rdflib graph of N-Triples ``data``, read by pyoxigraph in time linear in its length.

    For N-Triples a program wrote, such as a store's answer to CONSTRUCT; a file from
    elsewhere is read by `read_rdf`. Raises SyntaxError for text that is not N-Triples,
    and ValueError for a term an rdflib graph cannot hold (a quoted triple, a text
    direction).

    >>> len(read_ntriples(b'<https://e.org/a> <https://e.org/b> "c" .\\n'))
    1
    """
    import pyoxigraph as ox

    graph = Graph()
    for triple in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        graph.add((_term(triple.subject), _term(triple.predicate), _term(triple.object)))
    return graph


def _parse_lines(raw: bytes, text: str, fmt: str, name: str, path: Path) -> GraphFile:
    import pyoxigraph as ox

    formats = {"nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS}
    graph = Graph()
    named: dict[str, Graph] = {}
    statement = 0  # the statement being read, counted from 1
    try:
        # Lenient, so that a malformed IRI gets the sentence it gets in every other
        # format: _check_iris checks each IRI below.
        for quad in ox.parse(raw, format=formats[fmt], rename_blank_nodes=True, lenient=True):
            statement += 1
            triple = (_term(quad.subject), _term(quad.predicate), _term(quad.object))
            graph.add(triple)
            if isinstance(quad.graph_name, ox.NamedNode):
                named.setdefault(quad.graph_name.value, Graph()).add(triple)
    except SyntaxError as exc:
        where = f", line {exc.lineno}" if exc.lineno else ""
        # "Parser error at line 2 column 35: The object of a triple must be ..."
        reason = exc.msg.partition(": ")[2] or exc.msg
        raise InputError(
            f"{path} cannot be read as {name}{where}: {_reason(Exception(reason))}"
        ) from None
    except _Unreadable as exc:
        line = _statement_line(text, statement)
        raise InputError(f"{path} cannot be read as {name}, line {line}: {exc}") from None
    _check_iris(graph, path)
    return GraphFile(graph, named)


class _Unreadable(ValueError):
    """A term pyoxigraph reads that an rdflib graph cannot hold."""


def _term(term: Any) -> Node:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.direction is not None:
            raise _Unreadable(
                f"the literal {term.value[:60]!r} has a text direction (--{term.direction}), "
                "which sendgraph does not read."
            )
        if term.language:
            try:
                return Literal(term.value, lang=term.language)
            except ValueError:
                raise _Unreadable(f"{term.language!r} is not a language tag.") from None
        # A literal without a datatype is an xsd:string, and is kept as one written without.
        datatype = term.datatype.value
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an ill-typed value is kept as written
            return Literal(
                term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype)
            )
    raise _Unreadable("it holds a quoted triple, which sendgraph does not read.")


def _statement_line(text: str, number: int) -> int:
    """Return the line of the ``number``-th statement: a line that is neither blank nor a comment."""
    seen = 0
    for line_number, line in enumerate(re.split(r"\r\n?|\n", text), start=1):
        stripped = line.strip(" \t")
        if stripped and not stripped.startswith("#"):
            seen += 1
            if seen == number:
                return line_number
    return line_number


def _check_iris(graph: Graph, path: Path) -> None:
    # rdflib's parsers let some malformed IRIs through (a quote, a second '#'); the store
    # that answers the questions would then fail on them. Its own check is the one to pass.
    import pyoxigraph as ox

    checked: set[str] = set()
    quads = graph.quads() if isinstance(graph, Dataset) else ((*t, None) for t in graph)
    for quad in quads:
        for term in quad:
            iri = term if isinstance(term, URIRef) else getattr(term, "datatype", None)
            if iri is None or iri in checked:
                continue
            try:
                ox.NamedNode(str(iri))
            except ValueError as exc:
                raise InputError(
                    f"{path} holds {str(iri)[:200]!r}, which is not an IRI ({exc})."
                ) from None
            checked.add(str(iri))


def _where(exc: Exception) -> str:
    line = getattr(exc, "lines", None)  # notation3.BadSyntax (Turtle, TriG): 0-based
    if isinstance(line, int):
        return f", line {line + 1}"
    get_line = getattr(exc, "getLineNumber", None)  # SAXParseException (RDF/XML)
    if callable(get_line):
        number = get_line()
        if isinstance(number, int) and number > 0:
            return f", line {number}"
    return ""


def _reason(exc: Exception) -> str:
    why = getattr(exc, "_why", None)  # BadSyntax keeps the short reason apart
    get_message = getattr(exc, "getMessage", None)  # SAXParseException, without "<unknown>:4:2:"
    if not why and callable(get_message):
        why = get_message()
    message = str(why) if why else (str(exc) or type(exc).__name__)
    message = " ".join(message.split())
    if len(message) > 300:
        message = message[:300] + "..."
    return message if message.endswith(".") else message + "."
