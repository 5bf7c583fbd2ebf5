"""The ontology, the framework and every built graph are consistent under OWL RL.

owlrl computes the OWL 2 RL closure in place and records each inconsistency it meets
(disjoint classes sharing an individual, a member of owl:Nothing, ...) as a node of type
``ErrorMessage`` with its ``error`` text. The standard vocabularies' own axioms (PROV-O's
disjoint Activity and Entity, the domains that make a thing an Entity) come from a
local copy, so the test runs offline.
"""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph
from rdflib.term import Node

from sendgraph.graph.build import Build, load_data
from sendgraph.graph.vocab import FOAF, ORG, PROV, RDF

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
def reasoned(request: pytest.FixtureRequest, rotherham: Build) -> Graph:
    """Each built graph, reasoned over once for all the tests of this module."""
    if request.param == "rotherham":
        return closure(rotherham)
    return closure(load_data(FIXTURES / "import" / request.param))


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
