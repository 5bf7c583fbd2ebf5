"""The fast store and rdflib's engine give the same answers to every bundled query and rule."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from sendgraph.ask.gaps import bundled_rules
from sendgraph.ask.questions import bundled_queries
from sendgraph.ask.sparql import Answer, QueryStore
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_graph

QUERIES = {name: q.text for name, q in bundled_queries().items()} | {
    f"rule:{r.id}": r.query for r in bundled_rules()
}


FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def stores(rotherham: Build) -> tuple[QueryStore, QueryStore]:
    """Rotherham and the two imported areas in one graph, so that every query has rows:
    status series and success measures come only from imported plans."""
    graph = Graph()
    for built in (
        rotherham,
        *(
            build_graph(FIXTURES / name, validate=False)
            for name in ("wsoa", "joint-commissioning", "board-register")
        ),
    ):
        assert built.ok
        graph += built.graph
    return QueryStore(graph, "oxigraph"), QueryStore(graph, "rdflib")


def rows(answer: Answer) -> Counter[tuple[tuple[str, str, str], ...]]:
    # Values and kinds of terms; pyoxigraph rewrites derived integer types such as
    # xsd:positiveInteger as xsd:integer, so datatypes of numbers are not compared.
    return Counter(
        tuple(sorted((k, v.type, v.value) for k, v in row.items())) for row in answer.rows
    )


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_both_stores_agree(stores: tuple[QueryStore, QueryStore], name: str) -> None:
    fast, reference = (
        store.run(QUERIES[name], timeout=None, trusted=True, row_cap=10**6) for store in stores
    )
    assert fast.variables == reference.variables
    assert rows(fast) == rows(reference)
    assert fast.rows or name in {"rule:no-oversight"}  # a query with no rows would prove nothing


def test_named_question_on_the_reference_store() -> None:
    result = CliRunner().invoke(main, ["xref", "SEND 4", "--store", "rdflib", "-f", "csv"])
    assert result.exit_code == 0
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == [
        "PR 1", "PR 2", "PR 3", "PR 4", "PR 14", "PR 20", "PR 23",
    ]  # fmt: skip
