"""The SHACL shapes catch broken graphs, and the ontology describes every term the graph uses."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from sendgraph.graph.build import Build
from sendgraph.graph.ontology import load_ontology
from sendgraph.graph.validation import validate_graph
from sendgraph.graph.vocab import ORG, PROV, SG
from tests.conftest import MINT


def copy(graph: Graph) -> Graph:
    clone = Graph()
    for triple in graph:
        clone.add(triple)
    return clone


def messages(graph: Graph) -> list[str]:
    return [p.message for p in validate_graph(graph)]


def test_the_rotherham_graph_conforms(rotherham: Build) -> None:
    assert validate_graph(rotherham.graph) == []


def test_a_node_without_provenance_is_reported_at_its_row(graph: Graph) -> None:
    broken = copy(graph)
    action = MINT("action", "pr-14")
    row = broken.value(action, SG.sourceRow)
    broken.remove((action, PROV.hadPrimarySource, None))
    [problem] = validate_graph(broken)
    assert (problem.source, problem.row) == ("data/actions.csv", int(row))  # type: ignore[arg-type]
    assert "names no source document" in problem.message


def test_a_broken_revision_chain_is_reported(graph: Graph) -> None:
    broken = copy(graph)
    third = MINT("action", "jcp-2-3/row/1/target/3")
    broken.remove((third, PROV.wasRevisionOf, None))
    assert any("revision 3 must revise the revision before it" in m for m in messages(broken))


def test_evidence_for_a_missing_link_is_reported(graph: Graph) -> None:
    broken = copy(graph)
    broken.remove((MINT("action", "send-4"), SG.mentionsBoard, MINT("board", "performance-board")))
    assert any("evidence supports a link the graph does not have" in m for m in messages(broken))


def test_a_status_outside_the_scheme_is_reported(graph: Graph) -> None:
    broken = copy(graph)
    broken.add((MINT("action", "pr-1"), SG.status, Literal("Green")))
    assert any("sg:status" in m for m in messages(broken))


def test_every_term_used_is_declared_with_label_and_comment(graph: Graph) -> None:
    ontology = load_ontology()
    used = {p for p in graph.predicates() if str(p).startswith(str(SG))}
    used |= {o for o in graph.objects(None, RDF.type) if str(o).startswith(str(SG))}
    declared = {
        s
        for s in ontology.subjects(RDF.type, None)
        if (s, RDF.type, OWL.Class) in ontology or "Property" in str(ontology.value(s, RDF.type))
    }
    assert used - declared == set()
    for term in declared:
        assert ontology.value(term, RDFS.label) is not None, term
        assert ontology.value(term, RDFS.comment) is not None, term


def test_a_governance_statement_needs_exactly_one_modality(graph: Graph) -> None:
    broken = copy(graph)
    statement = MINT(
        "statement", "ehca-ehcp-joint-task-and-finish-group", "reports-to", "send-strategic-board"
    )  # the recommended 5.2 task group line
    assert broken.value(statement, SG.modality) == SG.recommended
    broken.add((statement, SG.modality, SG.stated))
    assert messages(broken) == [
        f"shape: <{statement}> sg:modality: a governance statement needs exactly one modality:"
        " stated, inferred, recommended or planned"
    ]


def test_only_a_stated_statement_may_stand_as_a_link(graph: Graph) -> None:
    broken = copy(graph)
    statement = MINT(
        "statement", "ehca-ehcp-joint-task-and-finish-group", "reports-to", "send-strategic-board"
    )
    broken.add(
        (broken.value(statement, RDF.subject), ORG.reportsTo, broken.value(statement, RDF.object))
    )
    assert messages(broken) == [
        f"shape: <{statement}>: only a stated governance statement may be asserted as a link"
    ]
