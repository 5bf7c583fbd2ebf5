"""The namespaces the graph is written in, and how instance IRIs are minted."""

from __future__ import annotations

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
