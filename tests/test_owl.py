"""The ontology, the framework and every built graph are consistent under OWL RL, in standard terms.

owlrl computes the OWL 2 RL closure in place and records each inconsistency it meets
(disjoint classes sharing an individual, a member of owl:Nothing, ...) as a node of type
``ErrorMessage`` with its ``error`` text. The standard vocabularies' own axioms (PROV-O's
disjoint Activity and Entity, the domains that make a thing an Entity) come from a
local copy, so the test runs offline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Namespace, URIRef
from rdflib.term import Node

from sendgraph.graph.build import Build, load_data
from sendgraph.graph.ontology import load_ontology
from sendgraph.graph.vocab import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SG, SKOS

OA = Namespace("http://www.w3.org/ns/oa#")
QB = Namespace("http://purl.org/linked-data/cube#")
ONTOLOGY = URIRef("https://w3id.org/sendgraph/ontology")

FIXTURES = Path(__file__).parent / "fixtures"
IMPORTS = sorted(p.name for p in (FIXTURES / "import").iterdir() if p.is_dir())
AXIOMS = FIXTURES / "vocab" / "standard-axioms.ttl"
GRAPHS = ["rotherham", *IMPORTS]


def closure(built: Build) -> Graph:
    """The built graph (ontology and framework included) with its OWL RL closure."""
    graph = Graph()
    for triple in built.triples:
        graph.add(triple)
    graph.parse(AXIOMS, format="turtle")
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(graph)
    return graph


@pytest.fixture(scope="module", params=GRAPHS)
def built(request: pytest.FixtureRequest, rotherham: Build) -> Build:
    """Rotherham's build and each import fixture's, built once for this module."""
    if request.param == "rotherham":
        return rotherham
    return load_data(FIXTURES / "import" / request.param)


@pytest.fixture(scope="module")
def reasoned(built: Build) -> Graph:
    """Each built graph, reasoned over once for all the tests of this module."""
    return closure(built)


def members(graph: Graph, cls: Node) -> set[Node]:
    return set(graph.subjects(RDF.type, cls))


def test_every_import_fixture_is_reasoned_over() -> None:
    assert IMPORTS == [
        "app-docx",
        "blocks-md",
        "board-register",
        "jc-leads",
        "joint-commissioning",
        "pap-html",
        "wsoa",
        "wsoa-initials",
        "wsoa-rag-months",
    ]


def test_no_inconsistency(reasoned: Graph) -> None:
    errors = sorted(str(message) for message in reasoned.objects(None, ERRNS.error))
    assert errors == []


def test_nothing_is_both_activity_and_entity(reasoned: Graph) -> None:
    assert members(reasoned, PROV.Activity) & members(reasoned, PROV.Entity) == set()


def test_no_person_or_agent_is_an_entity(reasoned: Graph) -> None:
    agents = members(reasoned, FOAF.Agent) | members(reasoned, PROV.Agent)
    assert members(reasoned, FOAF.Person) <= agents
    assert agents  # every graph names an owner: a person or an organisation
    assert agents & members(reasoned, PROV.Entity) == set()
    assert members(reasoned, ORG.Post) & members(reasoned, PROV.Entity) == set()


# The sendgraph terms that duplicated a standard one. Each is gone from the built graphs,
# but for those kept as a documented sub-property or sub-class of the standard term.
REPLACED = {
    SG.alias: SKOS.altLabel,
    SG.note: SKOS.editorialNote,
    SG.boardKind: ORG.classification,
    SG.subject: RDF.subject,
    SG.predicate: RDF.predicate,
    SG.object: RDF.object,
    SG.theme: DCTERMS.subject,
    SG.reviewKind: RDF.type,
}
KEPT = {
    # The words sit on the record they are the evidence of, read in one step by every
    # question; a selector node each would add a node per quote for nothing.
    SG.quote: (RDFS.subPropertyOf, OA.exact),
    SG.matchedText: (RDFS.subPropertyOf, OA.exact),
    # A target date is the record of what a paper wrote, not an OWL-Time instant.
    SG.month: (RDFS.subPropertyOf, DCTERMS.date),
    SG.day: (RDFS.subPropertyOf, DCTERMS.date),
    # A status series' cell, with the series' own terms as its domain.
    SG.StatusObservation: (RDFS.subClassOf, QB.Observation),
}


def own_triples(built: Build) -> Graph:
    graph = Graph()
    for triple in built.triples.own():
        graph.add(triple)
    return graph


def test_no_replaced_term_is_used(built: Build) -> None:
    graph = own_triples(built)
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    assert used & set(REPLACED) == set()
    assert (None, DCTERMS.source, None) not in graph or all(
        (document, RDF.type, SG.SourceDocument) in built.triples
        for document in graph.objects(None, DCTERMS.source)
    )


def test_kept_terms_are_documented_refinements_of_standard_ones() -> None:
    ontology = load_ontology()
    for term, (relation, standard) in KEPT.items():
        assert (term, relation, standard) in ontology
        notes = [str(n) for n in ontology.objects(term, SKOS.note)]
        assert any(note.startswith(("Kept as a sub-property", "A sub-class")) for note in notes)


def test_every_sendgraph_term_is_defined_labelled_commented_and_sourced() -> None:
    ontology = load_ontology()
    terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(SG))}
    assert len(terms) > 150
    defined = {t for t in terms if (t, RDFS.isDefinedBy, ONTOLOGY) in ontology}
    labelled = {t for t in terms if ontology.value(t, RDFS.label) is not None}
    commented = {t for t in terms if ontology.value(t, RDFS.comment) is not None}
    sourced = {t for t in terms if ontology.value(t, SKOS.note) is not None}
    assert terms - defined == set()
    assert terms - labelled == set()
    assert terms - commented == set()
    assert terms - sourced == set()


def test_publishers_and_text_files(rotherham: Build, iri: Callable[..., URIRef]) -> None:
    graph = rotherham.graph
    assert set(graph.subject_objects(DCTERMS.publisher)) == {
        (iri("document", "rotherham-ccg-send-update-2017"), iri("organisation", "rotherham-ccg")),
        (iri("document", "rotherham-send-peer-challenge-2020"), iri("organisation", "rmbc")),
    }
    assert {str(o) for o in graph.objects(None, SG.publisherText)} == {
        "NHS Rotherham Clinical Commissioning Group",
        "Rotherham Metropolitan Borough Council",
    }
    assert {
        (str(graph.value(text, RDFS.label)), paper)
        for text, paper in graph.subject_objects(DCTERMS.source)
    } == {
        (
            "rotherham-send-joint-action-plan-2017.txt",
            iri("document", "rotherham-ccg-send-update-2017"),
        ),
        (
            "rotherham-send-peer-challenge-2020.txt",
            iri("document", "rotherham-send-peer-challenge-2020"),
        ),
    }


def test_boards_kinds_partnerships_and_units(rotherham: Build, iri: Callable[..., URIRef]) -> None:
    graph = rotherham.graph
    boards = set(graph.subjects(RDF.type, SG.Board))
    assert len(boards) == 52
    assert {b for b in boards if graph.value(b, ORG.classification) is None} == set()
    assert set(graph.subjects(RDF.type, ORG.OrganizationalCollaboration)) == {
        iri("board", "integrated-transitions-partnership"),
        iri("board", "childrens-partnership"),
    }
    # Only the nine boards boards.csv gives an organisation are a unit of one.
    assert len(set(graph.subjects(ORG.unitOf, None))) == 9
