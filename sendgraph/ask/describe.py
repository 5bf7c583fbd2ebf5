"""What the graph says about one of its own IRIs, and about the ontology: the facts a resource's page shows.

The graph's IRIs are public names (``https://w3id.org/sendgraph/id/...`` and the
ontology's ``https://w3id.org/sendgraph/ontology``); `sendgraph serve` answers for each at
the same path on its own address. A resource's triples come from one bundled CONSTRUCT
(``queries/pages/resource.rq``, the resource bound to ``?resource``, never pasted into
the text), the labels, kinds and quotes around it from a second (``context.rq``), and
the ontology from a third (``ontology.rq``). `describe` and `document_ontology` turn
those graphs into the typed records every rendering of a page shows: the served HTML
page, and the ontology's documentation in ``docs/ontology.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager

from sendgraph.base.errors import UsageError
from sendgraph.graph.vocab import DCTERMS, ID_BASE, OWL, PROV, RDF, RDFS, SG, SKOS

# The public IRIs start here; `serve` answers for <PUBLIC_BASE>PATH at /PATH.
PUBLIC_BASE = ID_BASE.removesuffix("id/")
ONTOLOGY_IRI = str(SG).removesuffix("#")
# The predicates that name a node, most telling first.
LABELS = (RDFS.label, SKOS.prefLabel, DCTERMS.title, SKOS.notation)
QUOTE = SG.quote
# A record names its paper with prov:hadPrimarySource; an agent or a review, which is no
# record, with dcterms:isReferencedBy (docs/model.md, Provenance).
SOURCES = (PROV.hadPrimarySource, PROV.wasQuotedFrom, DCTERMS.isReferencedBy)
WHERE = (SG.section, SG.sourceFile, SG.sourceRow)


def page_query(name: str) -> str:
    """Return the text of the bundled page query ``name`` (``sendgraph/queries/pages/NAME.rq``)."""
    folder = resources.files("sendgraph").joinpath("queries", "pages")
    return folder.joinpath(f"{name}.rq").read_text(encoding="utf-8")


# The characters an IRI's path may hold (RFC 3987 ipath): a path with any other is no IRI.
_IRI_PATH = re.compile(
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2}|[\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef])+"
)


def public_iri(path: str) -> str | None:
    """Return the public IRI that a local path stands for, or None when the path names none.

    Only ``/id/...`` and ``/ontology`` name IRIs; the path is taken as it is sent (still
    percent-encoded), since the graph's IRIs are written that way, and a path holding a
    character no IRI may hold names none.

    >>> public_iri("/id/rotherham/action/send-3")
    'https://w3id.org/sendgraph/id/rotherham/action/send-3'
    >>> public_iri("/ontology")
    'https://w3id.org/sendgraph/ontology'
    >>> public_iri("/sparql") is None or public_iri('/id/a>"b') is None
    True
    """
    if path == "/ontology":
        return ONTOLOGY_IRI
    if path.startswith("/id/") and len(path) > len("/id/") and _IRI_PATH.fullmatch(path):
        return PUBLIC_BASE + path.removeprefix("/")
    return None


def local_path(iri: str) -> str | None:
    """Return the path, under a server's address, of a public IRI the server answers for; None for any other IRI.

    A term of the ontology is a place on the ontology's page.

    >>> local_path("https://w3id.org/sendgraph/ontology#Action")
    'ontology#Action'
    >>> local_path("http://www.w3.org/ns/prov#Entity") is None
    True
    """
    if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#"):
        return "ontology" + iri.removeprefix(ONTOLOGY_IRI)
    if iri.startswith(ID_BASE) and len(iri) > len(ID_BASE):
        return iri.removeprefix(PUBLIC_BASE)
    return None


_BASE = re.compile(r"(https?://[^/\s\x00-\x1f\x7f?#]+)?(/[^\s\x00-\x1f\x7f?#]*)?")


def base_url(text: str) -> str:
    """Return ``text`` as the base the public IRIs are mapped onto: an http(s) URL or a path from the root.

    >>> base_url("http://127.0.0.1:7878")
    'http://127.0.0.1:7878/'
    >>> base_url("javascript:alert(1)")
    Traceback (most recent call last):
    ...
    sendgraph.base.errors.UsageError: 'javascript:alert(1)' is not a base for the IRIs' pages; give an address such as http://127.0.0.1:7878/.
    """
    if not text or text.startswith("//") or not _BASE.fullmatch(text):
        raise UsageError(
            f"{text!r} is not a base for the IRIs' pages; give an address such as http://127.0.0.1:7878/."
        )
    return text if text.endswith("/") else text + "/"


def linker(base: str | None) -> Callable[[str], str | None]:
    """Return the function that gives the link to an IRI's page under ``base``; None where it has none.

    ``base`` is the address the public IRIs are mapped onto (a server's, such as
    ``http://127.0.0.1:7878/``, or ``/`` on the server itself). Without a base, only the
    IRI itself is known, and no page can be linked.

    >>> linker("http://127.0.0.1:7878")("https://w3id.org/sendgraph/id/rotherham/board/dlt")
    'http://127.0.0.1:7878/id/rotherham/board/dlt'
    >>> linker(None)("https://w3id.org/sendgraph/id/rotherham/board/dlt") is None
    True
    """
    if base is None:
        return lambda iri: None
    root = base if base.endswith("/") else base + "/"

    def link(iri: str) -> str | None:
        path = local_path(iri)
        return None if path is None else root + path

    return link


def _names() -> NamespaceManager:
    names = NamespaceManager(Graph())
    names.bind("sg", SG, replace=True)
    return names


_NAMES = _names()


def curie(iri: str) -> str:
    """Return ``prefix:name`` for an IRI in a known vocabulary, else the IRI itself.

    >>> curie("http://www.w3.org/ns/prov#hadPrimarySource")
    'prov:hadPrimarySource'
    """
    try:
        return _NAMES.curie(iri, generate=False)
    except (KeyError, ValueError):
        return iri


@dataclass(frozen=True, kw_only=True)
class Ref:
    """A node a page names: its IRI, the words to show for it, and its page's link if it has one."""

    iri: str
    label: str
    link: str | None = None
    kinds: tuple[str, ...] = ()  # the labels of its classes
    quotes: tuple[str, ...] = ()  # a statement's or mention's words from the paper


@dataclass(frozen=True, kw_only=True)
class Value:
    """A literal the resource carries: the property and the text as written."""

    prop: Ref
    text: str
    datatype: str = ""
    language: str = ""


@dataclass(frozen=True, kw_only=True)
class Link:
    """A link to or from the resource: the property, and the node at its other end."""

    prop: Ref
    node: Ref


@dataclass(kw_only=True)
class Description:
    """What the graph says about one resource: the facts of its page, and of its Turtle and JSON-LD."""

    iri: str
    label: str
    kinds: list[Ref]
    comments: list[str]
    quotes: list[str]
    sources: list[Ref]  # the papers it was read from
    where: list[Value]  # section, data file and row
    values: list[Value]
    links_out: list[Link]
    links_in: list[Link]
    truncated: bool = False  # the server's row or byte cap cut its triples


def _label(graph: Graph, iri: URIRef) -> str:
    for predicate in LABELS:
        found = sorted(str(o) for o in graph.objects(iri, predicate) if isinstance(o, Literal))
        if found:
            return found[0]
    text = str(iri)
    path = local_path(text)
    if path is not None:
        return path.removeprefix("id/").removeprefix("ontology#")
    return curie(text)


def _ref(context: Graph, iri: URIRef, link: Callable[[str], str | None]) -> Ref:
    kinds = sorted(
        {_label(context, k) for k in context.objects(iri, RDF.type) if isinstance(k, URIRef)}
    )
    quotes = sorted(str(q) for q in context.objects(iri, QUOTE))
    return Ref(
        iri=str(iri),
        label=_label(context, iri),
        link=link(str(iri)),
        kinds=tuple(kinds),
        quotes=tuple(quotes),
    )


def _value(
    context: Graph, prop: URIRef, literal: Literal, link: Callable[[str], str | None]
) -> Value:
    return Value(
        prop=_ref(context, prop, link),
        text=str(literal),
        datatype=curie(str(literal.datatype)) if literal.datatype else "",
        language=literal.language or "",
    )


def describe(
    iri: str,
    triples: Graph,
    context: Graph,
    link: Callable[[str], str | None],
    truncated: bool = False,
) -> Description | None:
    """Return what ``triples`` (the answer of ``resource.rq``) say about ``iri``, named with ``context``; None if nothing.

    ``link`` gives each node's page (see `linker`). Links come in the order of their
    properties' labels, then their nodes' labels, so a page reads the same every time.
    """
    node = URIRef(iri)
    if (node, None, None) not in triples and (None, None, node) not in triples:
        return None
    names = context + triples
    values: list[Value] = []
    where: list[Value] = []
    out: list[Link] = []
    sources: list[Ref] = []
    for prop, obj in triples.predicate_objects(node):
        assert isinstance(prop, URIRef)
        if isinstance(obj, Literal):
            value = _value(names, prop, obj, link)
            (where if prop in WHERE else values).append(value)
        elif isinstance(obj, URIRef):
            target = _ref(names, obj, link)
            if prop in SOURCES:
                if target not in sources:
                    sources.append(target)
            elif prop != RDF.type:
                out.append(Link(prop=_ref(names, prop, link), node=target))
    into = [
        Link(prop=_ref(names, prop, link), node=_ref(names, subject, link))
        for subject, prop in triples.subject_predicates(node)
        if isinstance(subject, URIRef) and isinstance(prop, URIRef)
    ]
    order = {p: n for n, p in enumerate(WHERE)}
    return Description(
        iri=iri,
        label=_label(names, node),
        kinds=sorted(
            (
                _ref(names, k, link)
                for k in triples.objects(node, RDF.type)
                if isinstance(k, URIRef)
            ),
            key=lambda r: (r.label, r.iri),
        ),
        comments=sorted(str(c) for c in triples.objects(node, RDFS.comment)),
        quotes=sorted(str(q) for q in triples.objects(node, QUOTE)),
        sources=sorted(sources, key=lambda r: (r.label, r.iri)),
        where=sorted(where, key=lambda v: (order[URIRef(v.prop.iri)], v.text)),
        values=sorted(
            (v for v in values if URIRef(v.prop.iri) not in (RDFS.comment, QUOTE)),
            key=lambda v: (v.prop.label, v.text),
        ),
        links_out=sorted(out, key=lambda k: (k.prop.label, k.node.label, k.node.iri)),
        links_in=sorted(into, key=lambda k: (k.prop.label, k.node.label, k.node.iri)),
        truncated=truncated,
    )


# ---------------------------------------------------------------- the ontology

# The sections of the ontology's documentation: a term is in the first whose class it has.
TERM_KINDS = (
    (OWL.Class, "Classes", "class"),
    (OWL.ObjectProperty, "Object properties", "object property"),
    (OWL.DatatypeProperty, "Datatype properties", "datatype property"),
    (OWL.AnnotationProperty, "Annotation properties", "annotation property"),
    (SKOS.ConceptScheme, "Concept schemes", "concept scheme"),
    (SKOS.Concept, "Concepts", "concept"),
)
INDIVIDUALS = ("Individuals", "individual")
# What a term's entry says first; every other property follows in order of its name.
TERM_HEAD = (RDF.type, RDFS.label, SKOS.prefLabel, RDFS.comment, SKOS.definition)


@dataclass(kw_only=True)
class Term:
    """One term of the ontology: its name in the namespace, label, comments, and every other statement about it."""

    iri: str
    name: str  # the part after '#': the anchor of its place on the page
    kind: str  # what sort of term it is, in the singular: "class", "object property"...
    label: str
    comments: list[str]
    values: list[Value]
    links: list[Link]


@dataclass(kw_only=True)
class OntologyDoc:
    """The ontology as its documentation shows it: its own header, then its terms in sections."""

    iri: str
    label: str
    header: Description
    sections: list[tuple[str, list[Term]]]
    truncated: bool = False


def _term(graph: Graph, iri: URIRef, kind: str, link: Callable[[str], str | None]) -> Term:
    values: list[Value] = []
    links: list[Link] = []
    for prop, obj in graph.predicate_objects(iri):
        assert isinstance(prop, URIRef)
        if prop in (RDFS.label, RDFS.comment):
            continue
        if isinstance(obj, Literal):
            values.append(_value(graph, prop, obj, link))
        elif isinstance(obj, URIRef):
            links.append(Link(prop=_ref(graph, prop, link), node=_ref(graph, obj, link)))
    return Term(
        iri=str(iri),
        name=str(iri).removeprefix(ONTOLOGY_IRI + "#"),
        kind=kind,
        label=_label(graph, iri),
        comments=sorted(str(c) for c in graph.objects(iri, RDFS.comment)),
        values=sorted(values, key=lambda v: (v.prop.label, v.text)),
        links=sorted(links, key=lambda k: (k.prop.label, k.node.label, k.node.iri)),
    )


def document_ontology(
    graph: Graph, link: Callable[[str], str | None], truncated: bool = False
) -> OntologyDoc:
    """Return the documentation of the ontology in ``graph`` (the answer of ``ontology.rq``, or the ontology files).

    Every subject in the ontology's namespace is a term, listed under the first of
    `TERM_KINDS` it is an instance of (`INDIVIDUALS` if none), in order of its name.
    """
    ontology = URIRef(ONTOLOGY_IRI)
    own = Graph()
    for triple in graph.triples((ontology, None, None)):
        own.add(triple)
    header = describe(ONTOLOGY_IRI, own, graph, link)
    if header is None:
        header = Description(
            iri=ONTOLOGY_IRI, label="sendgraph ontology", kinds=[], comments=[], quotes=[],
            sources=[], where=[], values=[], links_out=[], links_in=[],
        )  # fmt: skip
    sections: dict[str, list[Term]] = {title: [] for _, title, _ in TERM_KINDS}
    sections[INDIVIDUALS[0]] = []
    terms = {
        s
        for s in graph.subjects()
        if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_IRI + "#")
    }
    for iri in sorted(terms, key=lambda t: str(t).lower()):
        types = set(graph.objects(iri, RDF.type))
        title, kind = next(
            ((title, one) for cls, title, one in TERM_KINDS if cls in types), INDIVIDUALS
        )
        sections[title].append(_term(graph, iri, kind, link))
    return OntologyDoc(
        iri=ONTOLOGY_IRI,
        label=header.label,
        header=header,
        sections=[(title, terms) for title, terms in sections.items() if terms],
        truncated=truncated,
    )
