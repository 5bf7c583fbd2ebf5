"""The sendgraph ontology and the inspection framework, as the graph every build stands on."""

from __future__ import annotations

from rdflib import Graph

from sendgraph.base.resources import framework_file, ontology_file
from sendgraph.graph.tripleset import TripleSet


def load_ontology() -> Graph:
    """Return the sendgraph ontology (with the framework's terms) as an rdflib graph."""
    graph = Graph()
    for part in (ontology_file(), framework_file()):
        graph.parse(data=part.read_text(encoding="utf-8"), format="turtle")
    return graph


_ONTOLOGY: list[TripleSet] = []


def ontology_triples() -> TripleSet:
    """Return the ontology's triples, parsed once per process: every build's ``base``, never changed."""
    if not _ONTOLOGY:
        _ONTOLOGY.append(TripleSet(load_ontology()))
    return _ONTOLOGY[0]
