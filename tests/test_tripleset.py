"""The build's triple set: what it holds, what it answers, and N-Triples exactly as rdflib writes them."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from sendgraph.graph.build import Build
from sendgraph.graph.tripleset import TripleSet

EX = "https://example.org/"
A, B, C = URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "c")
KNOWS = URIRef(EX + "knows")


def test_what_rdflib_writes_is_what_the_set_writes() -> None:
    awkward = [
        Literal('a "quoted" word'),
        Literal("two\nlines\r\nand a back\\slash"),
        Literal("Grün", lang="de"),
        Literal(7),
        Literal("2021-07", datatype=XSD.gYearMonth),
        Literal(False),
        Literal("é ∑ 🙂"),
    ]
    triples = [(A, RDFS.label, value) for value in awkward] + [(BNode("n1"), RDF.type, B)]
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    rdflib_lines = set(graph.serialize(format="nt", encoding="utf-8").decode().splitlines())
    own_lines = set(TripleSet(triples).ntriples().decode().splitlines())
    assert own_lines == rdflib_lines - {""}
    assert len(own_lines) == 8


def test_a_base_is_seen_through_and_never_copied() -> None:
    base = TripleSet([(A, KNOWS, B), (A, RDF.type, C)])
    above = TripleSet(base=base)
    above.add((A, KNOWS, B))  # the base holds it: nothing new
    above.add((A, KNOWS, C))
    above.add((B, RDF.type, C))
    assert list(above.own()) and set(above.own()) == {(A, KNOWS, C), (B, RDF.type, C)}
    assert len(above) == 4 and len(base) == 2
    assert set(above) == {(A, KNOWS, B), (A, RDF.type, C), (A, KNOWS, C), (B, RDF.type, C)}
    assert list(above.objects(A, KNOWS)) == [B, C]  # the base's first, then in order added
    assert list(above.subjects(RDF.type, C)) == [A, B]
    assert above.value(A, KNOWS) == B and above.value(C, KNOWS) is None
    assert set(above.subject_objects(KNOWS)) == {(A, B), (A, C)}
    assert (A, KNOWS, B) in above and (C, KNOWS, A) not in above
    assert set(above.ntriples(own=True).decode().splitlines()) == {
        f"<{A}> <{KNOWS}> <{C}> .",
        f"<{B}> <{RDF.type}> <{C}> .",
    }


def test_lookups_see_triples_added_after_the_first_lookup() -> None:
    triples = TripleSet([(A, KNOWS, B)])
    assert list(triples.objects(A, KNOWS)) == [B]  # the indexes are made here
    triples.add((A, KNOWS, C))
    assert list(triples.objects(A, KNOWS)) == [B, C]
    assert list(triples.subjects(KNOWS, C)) == [A]


def test_a_build_gives_rdflib_graphs_of_the_same_triples(rotherham: Build) -> None:
    assert len(rotherham.graph) == len(rotherham.triples) == 11_051
    assert isomorphic(rotherham.graph, rotherham.triples.to_graph())
    again = Graph().parse(data=rotherham.triples.ntriples(), format="nt")
    assert isomorphic(again, rotherham.graph)
