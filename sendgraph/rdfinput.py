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
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef

from sendgraph.problems import InputError

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
# England's 153 areas are about 1.1 million triples; as N-Triples that is well under this.
MAX_RDF_BYTES = 512 * 1024 * 1024
# Deeper JSON than this is not a graph anyone wrote; Python's json would hit its recursion limit.
MAX_JSON_DEPTH = 200

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
        where = _where(exc) or _line_by_line(text, fmt)
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


def _line_by_line(text: str, fmt: str) -> str:
    """Find the line of an N-Triples or N-Quads error, which rdflib's parser does not say."""
    import pyoxigraph as ox

    formats = {"nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS}
    if fmt not in formats:
        return ""
    try:
        for _ in ox.parse(text.encode("utf-8"), format=formats[fmt]):
            pass
    except SyntaxError as exc:
        return f", line {exc.lineno}" if exc.lineno else ""
    except Exception:
        return ""  # only a line number was sought; rdflib's error stands on its own
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
