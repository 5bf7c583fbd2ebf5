"""`sendgraph push` against a real Oxigraph server (PyPI's oxigraph), started on 127.0.0.1 and stopped by PID."""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from sendgraph.base.errors import PushError
from sendgraph.cli import main
from sendgraph.graph.build import Build
from sendgraph.serve.push import push
from tests.server import executable, free_port, running

TARGET = "https://example.org/graphs/send"


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    command = [
        executable("oxigraph"),
        "serve",
        "--location",
        str(tmp_path / "store"),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    with running(command, f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"):
        yield f"http://127.0.0.1:{port}"


def stored(base: str, graph: str = TARGET) -> Graph:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(
        f"{base}/query?query={urllib.parse.quote(query)}",
        headers={"Accept": "application/n-triples"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return Graph().parse(data=response.read().decode("utf-8"), format="nt")


def graph_names(base: str) -> set[str]:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    request = urllib.request.Request(
        f"{base}/query?query={urllib.parse.quote(query)}", headers={"Accept": "text/csv"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return set(response.read().decode("utf-8").split()[1:])


def test_push_round_trip_is_isomorphic(oxigraph: str, rotherham: Build) -> None:
    result = CliRunner().invoke(
        main, ["push", "--endpoint", f"{oxigraph}/store", "--graph", TARGET]
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == f"Pushed {len(rotherham.graph)} triples to <{TARGET}> at {oxigraph}/store.\n"
    )
    assert isomorphic(stored(oxigraph), rotherham.graph)
    assert graph_names(oxigraph) == {TARGET}  # no temporary graph left behind


def test_a_broken_upload_leaves_the_target_as_it_was(oxigraph: str, rotherham: Build) -> None:
    push(rotherham.graph, f"{oxigraph}/store", TARGET)
    whole = rotherham.graph.serialize(format="nt", encoding="utf-8")
    with pytest.raises(PushError, match=r"was answered 400"):
        push(
            rotherham.graph, f"{oxigraph}/store", TARGET, payload=whole[: len(whole) // 2]
        )  # cut mid-upload
    assert isomorphic(stored(oxigraph), rotherham.graph)
    assert graph_names(oxigraph) == {TARGET}


def test_a_short_upload_is_caught_by_the_count(oxigraph: str, rotherham: Build) -> None:
    lines = rotherham.graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
    with pytest.raises(
        PushError,
        match=r"the store holds \d+ of the \d+ triples sent; the target graph was not touched",
    ):
        push(rotherham.graph, f"{oxigraph}/store", TARGET, payload=b"".join(lines[:100]))
    assert graph_names(oxigraph) == set()


def test_network_failure_is_a_sentence() -> None:
    port = free_port()
    result = CliRunner().invoke(main, ["push", "--endpoint", f"http://127.0.0.1:{port}/store"])
    assert result.exit_code == 1
    # The first request looks for uploads that earlier, killed pushes left.
    assert result.stderr == (
        f"Error: cannot reach http://127.0.0.1:{port}/query: [Errno 111] Connection refused.\n"
    )


def test_an_endpoint_without_an_update_partner_is_explained() -> None:
    result = CliRunner().invoke(main, ["push", "--endpoint", "http://127.0.0.1:1/graphs"])
    assert result.exit_code == 1
    assert "give it with --update-endpoint" in result.stderr


def test_a_folder_of_areas_goes_to_one_graph_per_area(oxigraph: str, tmp_path: Path) -> None:
    from sendgraph.graph.build import build_areas, graph_iri
    from sendgraph.read.synth import synthesise

    synthesise(tmp_path / "england", 2)
    england = str(tmp_path / "england")
    result = CliRunner().invoke(
        main, ["push", "--endpoint", f"{oxigraph}/store", "--data", england]
    )
    assert result.exit_code == 0, result.stderr
    names = [graph_iri("area-001"), graph_iri("area-002"), graph_iri("ontology")]
    assert [line.split("<")[1].split(">")[0] for line in result.stdout.splitlines()] == names
    assert graph_names(oxigraph) == set(names)
    kept = build_areas(england, keep_areas=True).areas
    for area in ("area-001", "area-002"):
        assert isomorphic(stored(oxigraph, graph_iri(area)), kept[area])
    # One area replaced alone leaves the other as it was.
    before = stored(oxigraph, graph_iri("area-001"))
    (tmp_path / "england" / "area-002" / "peer_challenge.csv").write_text(
        (tmp_path / "england" / "area-002" / "peer_challenge.csv").read_text(encoding="utf-8-sig").replace(
            "Headlines", "Headline findings"
        ),
        encoding="utf-8-sig",
    )  # fmt: skip
    again = CliRunner().invoke(
        main, ["push", "--endpoint", f"{oxigraph}/store", "--data", england, "--area", "area-002"]
    )
    assert again.exit_code == 0, again.stderr
    assert again.stdout.count("Pushed") == 1
    assert isomorphic(stored(oxigraph, graph_iri("area-001")), before)
    assert isomorphic(
        stored(oxigraph, graph_iri("area-002")),
        build_areas(england, only="area-002", keep_areas=True).areas["area-002"],
    )
    sections = {
        str(o)
        for _, _, o in stored(oxigraph, graph_iri("area-002"))
        if "Headline findings" in str(o)
    }
    assert sections  # the new words are in area-002's graph


def test_one_graph_cannot_hold_a_folder_of_areas(tmp_path: Path) -> None:
    from sendgraph.read.synth import synthesise

    synthesise(tmp_path / "england", 2)
    result = CliRunner().invoke(
        main, ["push", "--endpoint", "http://127.0.0.1:9/store", "--graph", TARGET, "--data", str(tmp_path / "england")]
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --graph names one graph, but the data holds 2 areas;")


def test_a_graph_name_cannot_smuggle_an_update() -> None:
    with pytest.raises(
        PushError, match=r"is not an absolute IRI a graph can be named by \(it holds ' '\)"
    ):
        push(Graph(), "http://127.0.0.1:9/store", "https://example.org/g> ; DROP ALL ; <x:y")
