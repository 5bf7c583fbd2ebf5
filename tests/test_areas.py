"""Many areas in one graph: each in its own namespace and named graph, chosen with --area."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from sendgraph.ask.questions import Questions
from sendgraph.cli import main
from sendgraph.graph.build import build_areas, graph_iri
from sendgraph.graph.ontology import load_ontology
from sendgraph.read.synth import synthesise

AREAS = ["area-001", "area-002", "area-003"]


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three synthetic areas, as `sendgraph synth --areas 3` writes them."""
    folder = tmp_path_factory.mktemp("england")
    synthesise(folder, 3)
    return folder


def expected_actions(area: Path) -> int:
    """72 rows of the yearly plan, and an action for each peer challenge row that identifies one."""
    with (area / "peer_challenge.csv").open(encoding="utf-8-sig", newline="") as handle:
        return 72 + sum(1 for row in csv.DictReader(handle) if row["identified_action"])


def test_each_area_is_a_named_graph_of_its_own(england: Path, tmp_path: Path) -> None:
    out = tmp_path / "england.nq"
    result = CliRunner().invoke(main, ["build", str(england), "-f", "nq", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {out} (N-Quads, one named graph per area)\n")
    store = ox.Store()
    store.bulk_load(path=str(out), format=ox.RdfFormat.N_QUADS)
    names = sorted(g.value for g in store.named_graphs())
    assert names == sorted([graph_iri("ontology"), *(graph_iri(a) for a in AREAS)])
    for area in AREAS:
        subjects = {
            q.subject.value
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri(area)))
        }
        assert subjects and all(
            s.startswith(f"https://w3id.org/sendgraph/id/{area}/") or s.startswith("https://w3id.org/sendgraph/ontology#")
            for s in subjects
        ), area  # fmt: skip
    ontology = Graph()
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri("ontology"))):
        ontology.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
    assert isomorphic(ontology, load_ontology())
    together = Graph()
    for quad in store:
        together.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
    assert isomorphic(together, build_areas(england).graph)


def test_the_areas_side_by_side(england: Path) -> None:
    built = build_areas(england)
    for backend in ("oxigraph", "rdflib"):
        rows = Questions(built.graph, backend).select("areas")
        assert [r["area"] for r in rows] == AREAS
        assert [r["actions"] for r in rows] == [expected_actions(england / a) for a in AREAS]
        assert all(r["findings"] == 51 for r in rows)  # every area keeps the 51 findings


def test_rotherham_alone(rotherham_questions: Questions) -> None:
    assert rotherham_questions.select("areas") == [
        {
            "area": "rotherham",
            "actions": 85,
            "findings": 51,
            "unanswered": 9,
            "red": 6,  # Behind schedule: SEND 4, PR 2, PR 3, PR 19, JCP 9.1, JCP 10.2
            "owners": 22,
        }
    ]


@pytest.fixture(scope="module")
def rotherham_questions() -> Questions:
    from sendgraph.graph.build import build_graph

    return Questions(build_graph(validate=False).graph)


def test_area_chooses_one_area(england: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(england), "--area", "area-002", "-o", "-", "-f", "nt"]
    )
    assert result.exit_code == 0, result.stderr
    instances = {
        line.split()[0]
        for line in result.stdout.splitlines()
        if "/sendgraph/id/" in line.split()[0]
    }
    assert instances and all("/sendgraph/id/area-002/" in s for s in instances)
    asked = CliRunner().invoke(
        main, ["query", "areas", "--data", str(england), "--area", "area-003", "-f", "csv"]
    )
    assert asked.exit_code == 0, asked.stderr
    assert asked.stdout.splitlines()[1].startswith("area-003,")
    assert len(asked.stdout.splitlines()) == 2


def test_gaps_take_an_area(england: Path) -> None:
    every = CliRunner().invoke(
        main, ["gaps", "--data", str(england), "--only", "placeholder-entry", "-f", "json"]
    )
    one = CliRunner().invoke(
        main,
        [
            "gaps",
            "--data",
            str(england),
            "--area",
            "area-001",
            "--only",
            "placeholder-entry",
            "-f",
            "json",
        ],
    )
    assert every.exit_code == one.exit_code == 0
    assert every.stdout.count('"rule": "placeholder-entry"') == 3
    assert one.stdout.count('"rule": "placeholder-entry"') == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--area", "area-009"],
            "has no area 'area-009'; its areas are area-001, area-002, area-003.",
        ),
        (
            ["--area", "rotherham"],
            "has no area 'rotherham'; its areas are area-001, area-002, area-003.",
        ),
    ],
)
def test_an_unknown_area_is_named(england: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["slippage", "--data", str(england), *args])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == f"Error: {england} {message}\n"


def test_the_bundled_data_is_one_area() -> None:
    result = CliRunner().invoke(main, ["overdue", "--area", "leeds"])
    assert result.exit_code == 3
    assert (
        result.stderr
        == "Error: the bundled data holds one area, 'rotherham'; there is no area 'leeds' in it.\n"
    )


def test_the_areas_command(england: Path) -> None:
    result = CliRunner().invoke(main, ["areas", "--data", str(england), "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "area,actions,findings,unanswered,red,owners"
    assert [line.split(",")[:3] for line in lines[1:]] == [
        [a, str(expected_actions(england / a)), "51"] for a in AREAS
    ]


def test_asking_about_every_area_at_once_says_so(england: Path) -> None:
    result = CliRunner().invoke(main, ["overdue", "--data", str(england), "-f", "csv"])
    assert result.exit_code == 0
    assert result.stderr == (
        f"Asking about all 3 areas of {england} at once; "
        "`sendgraph areas` compares them, --area NAME asks about one.\n"
    )
    alone = CliRunner().invoke(main, ["overdue", "--data", str(england), "--area", "area-001"])
    assert alone.stderr == ""


def test_a_dataset_is_written_area_by_area_and_counted(england: Path, tmp_path: Path) -> None:
    out = tmp_path / "england.nq"
    result = CliRunner().invoke(main, ["build", str(england), "-f", "nq", "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = out.read_bytes().splitlines()
    counts = dict(
        (line[: line.rindex(" ")].strip(), int(line.split()[-1]))
        for line in result.stdout.splitlines()[1:]
    )
    assert counts["quads"] == len(written) == len(set(written))
    assert counts["actions"] == sum(expected_actions(england / a) for a in AREAS)
    merged = build_areas(england).counts()
    assert {k: v for k, v in counts.items() if k != "quads"} == {
        k: v for k, v in merged.items() if k != "triples"
    }
    to_stdout = CliRunner().invoke(main, ["build", str(england), "-f", "nq", "-o", "-"])
    assert to_stdout.exit_code == 0
    assert sorted(to_stdout.stdout_bytes.splitlines()) == sorted(written)
    assert to_stdout.stderr.splitlines()[-1].startswith("0 errors")


def test_an_area_with_errors_leaves_the_dataset_as_it_was(england: Path, tmp_path: Path) -> None:
    broken = tmp_path / "england"
    shutil.copytree(england, broken)
    (broken / "area-002" / "actions.csv").write_text("id,nothing\n", encoding="utf-8")
    out = tmp_path / "england.nq"
    out.write_bytes(b"the dataset before\n")
    for fmt in ("nq", "trig"):
        result = CliRunner().invoke(main, ["build", str(broken), "-f", fmt, "-o", str(out)])
        assert result.exit_code == 1
        assert "area-002/actions.csv" in result.stderr
        assert result.stderr.endswith(
            "The graph was not written: fix the errors above and build again.\n"
        )
        assert out.read_bytes() == b"the dataset before\n"
        assert list(tmp_path.glob(".england.nq.*")) == []
