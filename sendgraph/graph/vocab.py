"""The namespaces the graph is written in, and how instance IRIs are minted."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

SG = Namespace("https://w3id.org/sendgraph/ontology#")
ID_BASE = "https://w3id.org/sendgraph/id/"

__all__ = [
    "ANSWER_EXPECTED_BY",
    "DCTERMS",
    "FOAF",
    "ID_BASE",
    "ORG",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SG",
    "SKOS",
    "XSD",
    "Minter",
    "content_hash",
    "distinct",
    "readable",
]

# A finding expects an answer when it has words besides a strength's: a recommendation's
# or gap's text, or an area for consideration. A strength alone expects none. The build's
# counts and every output's facts (sendgraph.ask.facts) decide by these two properties.
ANSWER_EXPECTED_BY = (SG.text, SG.considerationText)

PREFIXES = {
    "sg": SG,
    "org": ORG,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "owl": OWL,
    "xsd": XSD,
}


class Minter:
    """Makes stable IRIs for one area's nodes: the same input always gives the same IRI."""

    def __init__(self, area: str = "rotherham") -> None:
        self.base = Namespace(f"{ID_BASE}{area}/")

    def __call__(self, kind: str, *parts: str | int) -> URIRef:
        """Return the IRI of a node of ``kind`` named by ``parts``: ``mint("action", "pr-14")``."""
        return self.base[f"{kind}/" + "/".join(str(p) for p in parts)]

    def status(self, concept: str) -> URIRef:
        """Return the IRI of a status concept of the scheme."""
        return SG[f"status-{concept}"]


def content_hash(*parts: object) -> str:
    """Return eight hex digits of SHA-256 over ``parts``, each with its runs of spaces made one.

    The short stable hash an IRI carries where its readable name alone would be shared:
    the same words always give the same hash, wherever their row sits in a table.

    >>> content_hash("send-strategic-board", "oversees", "send-plan")
    '2ade63a4'
    """
    text = "\x1f".join(" ".join(str(part).split()) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def distinct(named: Sequence[tuple[URIRef, Sequence[object]]]) -> list[URIRef]:
    """Return an IRI for each (readable IRI, content) pair, so that no two things share one.

    A readable IRI only one thing has is kept as it is. Things that share one each get
    ``-`` and the `content_hash` of their content after it. Things whose content is
    the same word for word are told apart by their order among themselves alone: the
    second gets ``-2`` after the hash, the third ``-3``. So a row added elsewhere never
    renames a thing; only a row with the same readable name does.

    >>> [str(i) for i in distinct([(URIRef("x/a"), ("1",)), (URIRef("x/b"), ("2",))])]
    ['x/a', 'x/b']
    >>> [str(i)[-10:] for i in distinct([(URIRef("x/a"), ("1",)), (URIRef("x/a"), ("2",))])]
    ['a-6b86b273', 'a-d4735e3a']
    """
    shared = Counter(iri for iri, _ in named)
    seen: Counter[tuple[URIRef, str]] = Counter()
    found = []
    for iri, content in named:
        if shared[iri] == 1:
            found.append(iri)
            continue
        hashed = content_hash(*content)
        seen[(iri, hashed)] += 1
        count = seen[(iri, hashed)]
        found.append(URIRef(f"{iri}-{hashed}" + (f"-{count}" if count > 1 else "")))
    return found


def readable(text: str, words: int = 6) -> str:
    """Return a lower-case IRI segment of the first ``words`` words of ``text``.

    >>> readable("Write a joint self-evaluation of SEND across the local area.")
    'write-a-joint-self-evaluation-of-send'
    """
    return re.sub(r"[^a-z0-9]+", "-", " ".join(text.lower().split()[:words])).strip("-")
