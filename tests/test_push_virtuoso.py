"""`sendgraph push` against a real Virtuoso (Debian's virtuoso-opensource-7), started on 127.0.0.1 and stopped by PID.

Virtuoso's differences from the standard forms `push` uses, and how each is met, are in
sendgraph/serve/push.py's docstring; each has a test here.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from sendgraph.base.errors import PushError
from sendgraph.cli import main
from sendgraph.graph.build import Build
from sendgraph.serve.push import Login, push
from tests.virtuoso import PASSWORD, USER, Virtuoso, started

TARGET = "https://example.org/graphs/send"
DBA = Login(USER, PASSWORD)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    with started(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture
def target(virtuoso: Virtuoso, request: pytest.FixtureRequest) -> str:
    """A graph name of this test's own, in the module's one server."""
    return f"https://example.org/graphs/{request.node.name}"


def stored(server: Virtuoso, graph: str) -> Graph:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(
        f"{server.base}/sparql?query={urllib.parse.quote(query)}",
        headers={"Accept": "application/n-triples"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return Graph().parse(data=response.read().decode("utf-8"), format="nt")


def graph_names(server: Virtuoso, under: str) -> set[str]:
    query = f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{under}")) }}'
    request = urllib.request.Request(
        f"{server.base}/sparql?query={urllib.parse.quote(query)}", headers={"Accept": "text/csv"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return {line.strip('"') for line in response.read().decode("utf-8").split()[1:]}


def test_push_round_trip_to_virtuoso_is_isomorphic(
    virtuoso: Virtuoso, target: str, rotherham: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDGRAPH_PUSH_PASSWORD", PASSWORD)
    command = ["push", "--endpoint", virtuoso.store, "--user", USER, "--graph", target]
    for _ in range(2):  # into an empty graph, then over itself
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.output
        assert (
            result.stdout
            == f"Pushed {len(rotherham.graph)} triples to <{target}> at {virtuoso.store}.\n"
        )
        assert isomorphic(stored(virtuoso, target), rotherham.graph)
        assert graph_names(virtuoso, target) == {target}  # no temporary graph left behind


def test_a_folder_of_areas_goes_to_virtuoso_one_graph_per_area(
    virtuoso: Virtuoso, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendgraph.graph.build import build_areas, graph_iri
    from sendgraph.read.synth import synthesise

    synthesise(tmp_path / "england", 2)
    monkeypatch.setenv("SENDGRAPH_PUSH_PASSWORD", PASSWORD)
    result = CliRunner().invoke(
        main,
        ["push", "--endpoint", virtuoso.store, "--user", USER, "--data", str(tmp_path / "england")],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("Pushed") == 3
    kept = build_areas(str(tmp_path / "england"), keep_areas=True).areas
    for area in ("area-001", "area-002"):
        assert isomorphic(stored(virtuoso, graph_iri(area)), kept[area])


def test_a_broken_upload_leaves_the_virtuoso_target_as_it_was(
    virtuoso: Virtuoso, target: str, rotherham: Build
) -> None:
    push(rotherham.graph, virtuoso.store, target, login=DBA)
    whole = rotherham.graph.serialize(format="nt", encoding="utf-8")
    with pytest.raises(PushError, match=r"was answered 500"):
        push(rotherham.graph, virtuoso.store, target, payload=whole[: len(whole) // 2], login=DBA)
    assert isomorphic(stored(virtuoso, target), rotherham.graph)
    assert graph_names(virtuoso, target) == {target}


def test_a_vanished_upload_does_not_empty_the_virtuoso_target(
    virtuoso: Virtuoso, target: str, rotherham: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Virtuoso's MOVE from a graph that is gone empties the target; push's guarded move does not."""
    from sendgraph.serve import push as module

    push(rotherham.graph, virtuoso.store, target, login=DBA)
    real_move = module._move

    def drop_then_move(temporary: str, *args: object) -> None:
        virtuoso.sql(f"SPARQL CLEAR GRAPH <{temporary}>")  # another push's clean-up
        real_move(temporary, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_move", drop_then_move)
    changed = Graph()
    changed.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("new")))
    with pytest.raises(PushError, match=r"temporary graph was gone before the move"):
        push(changed, virtuoso.store, target, login=DBA)
    assert isomorphic(stored(virtuoso, target), rotherham.graph)


def test_a_literal_virtuoso_rewrites_fails_the_push(virtuoso: Virtuoso, target: str) -> None:
    before = Graph()
    before.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("kept")))
    push(before, virtuoso.store, target, login=DBA)
    decimal = Graph()
    decimal.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("1.50", datatype=XSD.decimal)))  # fmt: skip
    with pytest.raises(PushError) as caught:
        push(decimal, virtuoso.store, target, login=DBA)
    assert str(caught.value) == (
        "the store holds 1 triples for the 1 sent; 1 came back changed or not at all, such as "
        '<https://example.org/s> <https://example.org/p> "1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> '
        '(it holds <https://example.org/s> <https://example.org/p> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>); '
        "the target graph was not touched."
    )
    assert isomorphic(stored(virtuoso, target), before)
    assert graph_names(virtuoso, target) == {target}


def test_a_wrong_password_is_a_sentence_that_does_not_show_it(
    virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDGRAPH_PUSH_PASSWORD", "not-the-password")
    result = CliRunner().invoke(
        main, ["push", "--endpoint", virtuoso.store, "--user", USER, "--graph", TARGET]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: GET {virtuoso.base}/sparql-auth was answered 401: the store wants a user and "
        "password it accepts (--user, with the password in SENDGRAPH_PUSH_PASSWORD).\n"
    )
    assert "not-the-password" not in result.output


def test_user_without_a_password_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SENDGRAPH_PUSH_PASSWORD", raising=False)
    result = CliRunner().invoke(main, ["push", "--endpoint", "http://127.0.0.1:9/sparql-graph-crud-auth", "--user", "dba"])  # fmt: skip
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: --user dba needs the password in the environment variable SENDGRAPH_PUSH_PASSWORD.\n"
    )
