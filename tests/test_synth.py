"""Synthetic areas: valid data in the data/ format, the same for the same seed, one namespace per area."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from sendgraph.cli import main
from sendgraph.graph.build import build_areas, build_graph
from sendgraph.graph.vocab import RDF, SG
from sendgraph.read.synth import synthesise


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_an_area_builds_clean_and_conforms(tmp_path: Path) -> None:
    [area] = synthesise(tmp_path, areas=1, years=2)
    built = build_graph(area, area=area.name)
    assert built.ok
    assert not [p for p in built.problems if p.message.startswith("shape")]
    identified = sum(1 for row in read(area / "peer_challenge.csv") if row["identified_action"])
    assert 0 < identified < 13  # some findings are left without an answering action
    # two yearly plans of 72 rows, and the identified actions of one peer challenge
    assert len(set(built.graph.subjects(RDF.type, SG.Action))) == 2 * 72 + identified
    owners = {str(o) for o in built.graph.objects(None, SG.owner)}
    assert 10 <= len(owners) <= 30  # shared owners, not one per action


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    first = synthesise(tmp_path / "a", areas=2)
    second = synthesise(tmp_path / "b", areas=2)
    for one, two in zip(first, second, strict=True):
        for path in sorted(one.glob("*.csv")):
            assert path.read_bytes() == (two / path.name).read_bytes()
    assert (first[0] / "actions.csv").read_bytes() != (first[1] / "actions.csv").read_bytes()


def test_areas_share_a_graph_in_their_own_namespaces(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["synth", "--areas", "3", "-o", str(tmp_path / "england")])
    assert (
        result.exit_code == 0
        and result.stdout == f"Wrote 3 areas of 1 yearly plans under {tmp_path / 'england'}\n"
    )
    built = build_areas(tmp_path / "england")
    actions = {str(a) for a in built.graph.subjects(RDF.type, SG.Action)}
    identified = sum(
        1
        for n in (1, 2, 3)
        for row in read(tmp_path / "england" / f"area-00{n}" / "peer_challenge.csv")
        if row["identified_action"]
    )
    assert len(actions) == 3 * 72 + identified
    for area in ("area-001", "area-002", "area-003"):
        assert f"https://w3id.org/sendgraph/id/{area}/action/send-4" in actions
