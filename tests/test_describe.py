"""What a resource's page and the ontology's documentation say, from the records `sendgraph.ask.describe` builds.

The records are built from the bundled page queries over the Rotherham graph, and
the answers `serve` makes from them (`resource_output`) are checked here in one
process; tests/test_serve_iris.py asks a real server.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from sendgraph.ask.describe import (
    ONTOLOGY_IRI,
    Description,
    base_url,
    describe,
    document_ontology,
    linker,
    page_query,
    public_iri,
)
from sendgraph.ask.sparql import QueryStore
from sendgraph.base.errors import UsageError
from sendgraph.cli import main
from sendgraph.graph.build import Build
from sendgraph.graph.ontology import load_ontology
from sendgraph.read.rdfinput import read_ntriples
from sendgraph.serve.server import resource_output
from tests.htmltree import parse

SEND_3 = "https://w3id.org/sendgraph/id/rotherham/action/send-3"
BIG = 1 << 24


@pytest.fixture(scope="module")
def store(rotherham: Build) -> QueryStore:
    return QueryStore(rotherham.graph)


def constructed(store: QueryStore, name: str, **bindings: str) -> Graph:
    payload = store.execute(page_query(name), {k: URIRef(v) for k, v in bindings.items()}, 100_000)
    return read_ntriples(payload["ntriples"].encode("utf-8"))


def description(store: QueryStore, iri: str, base: str | None = "/") -> Description:
    found = describe(
        iri,
        constructed(store, "resource", resource=iri),
        constructed(store, "context", resource=iri),
        linker(base),
    )
    assert found is not None
    return found


def test_an_actions_description_holds_its_facts(store: QueryStore) -> None:
    send_3 = description(store, SEND_3)
    assert send_3.label == "SEND 3"
    assert [(k.label, k.link) for k in send_3.kinds] == [
        ("action", "/ontology#Action"),
        ("measure", "/ontology#Measure"),
        ("reference code", "/ontology#Code"),
    ]
    assert [(s.label, s.link) for s in send_3.sources] == [
        (
            "Special Educational Needs and Disabilities (SEND) Update",
            "/id/rotherham/document/rotherham-ccg-send-update-2017",
        )
    ]
    assert [(v.prop.label, v.text) for v in send_3.where] == [
        ("section", "Appendix 2, CYPS Improvement Plan Measures, SEND 3"),
        ("source file", "data/actions.csv"),
        ("source row", "4"),
    ]
    assert [(k.prop.label, k.node.label) for k in send_3.links_out] == [
        ("current target date", "rotherham/action/send-3/row/1/target/1"),
        ("dcterms:isPartOf", "CYPS Improvement Plan measures"),
        ("dcterms:subject", "Personal budgets and personalisation"),
        ("mentions board", "Cabinet"),
        ("mentions board", "DLT"),
        ("owner", "Mark Chambers"),
        ("progress entry", "rotherham/action/send-3/row/1"),
        ("progress entry", "rotherham/action/send-3/row/2"),
        ("skos:inScheme", "reference code scheme"),
        ("status", "Amber"),
        ("target date", "rotherham/action/send-3/row/1/target/1"),
    ]
    assert [(k.prop.label, k.node.label, k.node.quotes) for k in send_3.links_in] == [
        ("dcterms:references", "PR 13", ()),
        ("dcterms:references", "PR 22", ()),
        (
            "rdf:subject",
            "rotherham/action/send-3/mention/progress/cabinet",
            ("RAS report going to DLT 3 April and then Cabinet for approval",),
        ),
        (
            "rdf:subject",
            "rotherham/action/send-3/mention/progress/dlt",
            ("RAS report going to DLT 3 April and then Cabinet for approval",),
        ),
        (
            "rdf:subject",
            "rotherham/action/send-3/theme/personal-budgets/personal-budgets/text",
            (
                "Prioritise and promote the personalisation agenda by ensuring that this is a "
                "key component of the transformational changes included in the SEND PID and "
                "Action Plan.",
            ),
        ),
    ]
    assert send_3.quotes == [] and not send_3.truncated


def test_links_go_to_the_base_or_nowhere(store: QueryStore) -> None:
    mapped = description(store, SEND_3, "https://send.example.org/graph/")
    owner = next(k.node for k in mapped.links_out if k.prop.label == "owner")
    assert owner.link == "https://send.example.org/graph/id/rotherham/person/mark-chambers"
    unlinked = description(store, SEND_3, None)
    assert {k.node.link for k in unlinked.links_out} == {None}


def test_an_unknown_iri_has_no_description(store: QueryStore) -> None:
    iri = SEND_3 + "-nothing"
    empty = constructed(store, "resource", resource=iri)
    assert len(empty) == 0
    assert describe(iri, empty, Graph(), linker("/")) is None


def test_the_ontology_is_documented_term_by_term() -> None:
    doc = document_ontology(load_ontology(), linker(None))
    sections = {title: [t.name for t in terms] for title, terms in doc.sections}
    assert list(sections) == [
        "Classes", "Object properties", "Datatype properties", "Annotation properties",
        "Concept schemes", "Concepts", "Individuals",
    ]  # fmt: skip
    assert sections["Annotation properties"] == ["reviewKindWord"]
    action = next(t for t in doc.sections[0][1] if t.name == "Action")
    assert (action.label, action.kind) == ("action", "class")
    assert action.comments == [
        "A thing someone is to do: a row of an action plan with its owners, target dates, "
        "progress and status, or an action a review report identifies."
    ]
    assert [(k.prop.label, k.node.label) for k in action.links] == [
        ("rdf:type", "owl:Class"),
        ("rdfs:isDefinedBy", "sendgraph ontology"),
        ("rdfs:subClassOf", "prov:Plan"),
    ]


def test_the_served_answers_turtle_page_404_and_406(store: QueryStore) -> None:
    turtle = resource_output(store, SEND_3, "text/turtle", "/", 10_000, BIG)
    assert turtle.head["status"] == 200 and turtle.head["headers"] == {"Vary": "Accept"}
    assert len(Graph().parse(data=turtle.body.decode("utf-8"), format="turtle")) == 32
    page = resource_output(store, SEND_3, "", "/", 10_000, BIG)
    assert page.head["media"] == "text/html"
    assert parse(page.body.decode("utf-8")).find_all("h1")[0].text() == "SEND 3"
    missing = resource_output(store, SEND_3 + "-x", "text/html", "/", 10_000, BIG)
    assert missing.head["status"] == 404
    refused = resource_output(store, SEND_3, "image/png", "/", 10_000, BIG)
    assert refused.head["status"] == 406


def test_a_cut_description_says_so(store: QueryStore) -> None:
    turtle = resource_output(store, SEND_3, "text/turtle", "/", 5, BIG)
    assert turtle.head["headers"]["X-Sendgraph-Truncated"] == "true; rows=5"
    assert len(Graph().parse(data=turtle.body.decode("utf-8"), format="turtle")) == 5
    page = resource_output(store, SEND_3, "text/html", "/", 5, BIG)
    assert page.head["headers"]["X-Sendgraph-Truncated"] == "true; rows=5"
    (note,) = parse(page.body.decode("utf-8")).find_all("p", "cut")
    assert note.text().startswith("The server's row or size limit cut")
    ontology = resource_output(store, ONTOLOGY_IRI, "text/turtle", "/", 10_000, 2_000)
    assert ontology.head["headers"]["X-Sendgraph-Truncated"] == "true; bytes=2000"


def test_only_id_paths_and_the_ontology_name_iris() -> None:
    assert (
        public_iri("/id/rotherham/board/dlt") == "https://w3id.org/sendgraph/id/rotherham/board/dlt"
    )
    assert public_iri("/ontology") == ONTOLOGY_IRI
    for path in ["/", "/id/", "/id", "/ontology/", "/ontology#x", "/idx/a", "/id/a b", "/id/a>b",
                 '/id/a"b', "/id/a%zz", "/id/a\x00"]:  # fmt: skip
        assert public_iri(path) is None, path


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "x", "//evil.example/", "http://a b/", ""])
def test_a_base_must_be_an_address(bad: str) -> None:
    with pytest.raises(UsageError):
        base_url(bad)
    assert base_url("http://127.0.0.1:7878") == "http://127.0.0.1:7878/"


@pytest.mark.parametrize("command", ["serve", "view", "report"])
def test_a_bad_base_is_a_usage_error_before_anything_is_built(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--base", "javascript:alert(1)"])
    assert result.exit_code == 2
    assert "is not a base for the IRIs' pages" in result.stderr


def test_rdflibs_engine_answers_the_same(store: QueryStore, rotherham: Build) -> None:
    reference = QueryStore(rotherham.graph, "rdflib")
    for iri in (
        SEND_3,
        "https://w3id.org/sendgraph/id/rotherham/statement/send-strategic-board/oversees/neuro-developmental-pathway-action-plan",
    ):
        ours = resource_output(store, iri, "text/turtle", "/", 10_000, BIG)
        theirs = resource_output(reference, iri, "text/turtle", "/", 10_000, BIG)
        assert set(Graph().parse(data=ours.body.decode(), format="turtle")) == set(
            Graph().parse(data=theirs.body.decode(), format="turtle")
        )
        assert description(store, iri) == description(reference, iri)
