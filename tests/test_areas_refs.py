"""Areas in references and answers: AREA:REF names one area's item, and rows over many areas say whose they are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sendgraph.ask.areas import area_of
from sendgraph.ask.gaps import find_gaps, load_rules
from sendgraph.ask.questions import Questions
from sendgraph.base.errors import UnknownReference
from sendgraph.cli import main
from sendgraph.graph.build import build_areas
from sendgraph.read.synth import synthesise
from sendgraph.serve.server import Endpoint
from tests.helpers import IMPORT_FIXTURES

AREAS = [f"area-{n:03d}" for n in range(1, 13)]
ID = "https://w3id.org/sendgraph/id/"


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve synthetic areas, as `sendgraph synth --areas 12` writes them: two more than a message lists."""
    folder = tmp_path_factory.mktemp("england12")
    synthesise(folder, 12)
    return folder


@pytest.fixture(scope="module")
def every(england: Path) -> Questions:
    return Questions(build_areas(england).graph)


@pytest.fixture(scope="module")
def one(england: Path) -> Questions:
    """area-007 alone, as --area area-007 asks."""
    return Questions(build_areas(england, only="area-007").graph)


def test_an_ambiguous_reference_names_ten_areas_and_counts_the_rest(england: Path) -> None:
    result = CliRunner().invoke(main, ["xref", "SEND 4", "--data", str(england)])
    assert result.exit_code == 1
    listed = ", ".join(f"{a}:SEND 4 (action)" for a in AREAS[:10])
    assert result.stderr.endswith(
        f"Error: 'SEND 4' names 12 items in 12 areas: {listed} and 2 more; name one as AREA:REF.\n"
    )


def test_area_ref_answers_for_that_area_only(england: Path, one: Questions) -> None:
    result = CliRunner().invoke(
        main, ["xref", "area-007:SEND 4", "--data", str(england), "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    alone = one.xref("SEND 4")
    assert alone and all("area" not in row for row in alone)
    assert rows == [{"area": "area-007", **row} for row in alone]


def test_area_ref_forgives_typing_and_names_what_is_not_there(every: Questions) -> None:
    send4 = f"{ID}area-007/action/send-4"
    for typed in ("area-007:SEND 4", "AREA-007 : send4", "area-007:send  4"):
        assert every.references.resolve(typed).iri == send4
    assert every.references.resolve("area-012:PC 5.5").iri.startswith(f"{ID}area-012/")
    with pytest.raises(UnknownReference) as unknown:
        every.references.resolve("area-007:SEND 99")
    assert str(unknown.value) == (
        "'area-007:SEND 99' is not a reference in area-007. Closest: area-007:SEND 9, "
        "area-007:SEND 8, area-007:SEND 7, area-007:SEND 6, area-007:SEND 5."
    )
    with pytest.raises(UnknownReference) as nowhere:
        every.references.resolve("area-099:SEND 4")
    assert str(nowhere.value) == (
        "'area-099:SEND 4' is not a reference in this graph, and 'area-099' is not one of its "
        f"areas ({', '.join(AREAS[:10])} and 2 more)."
    )


def test_a_reference_in_one_area_is_answered_as_before(one: Questions) -> None:
    assert one.references.areas == ["area-007"]
    assert one.references.resolve("area-007:SEND 4") == one.references.resolve("SEND 4")
    with pytest.raises(UnknownReference) as unknown:
        one.references.resolve("PR 99")
    assert str(unknown.value) == "'PR 99' is not a reference in this graph. Closest: PR 9, PR 19."


def test_gaps_over_every_area_carry_the_area_of_their_subject(every: Questions) -> None:
    gaps = find_gaps(every.store, load_rules(), areas=every.many_areas)
    assert gaps and {g["area"] for g in gaps} == set(AREAS)
    for gap in gaps:
        assert str(gap["subject"]).startswith(f"{ID}{gap['area']}/"), gap
        assert next(iter(gap)) == "area"


def test_slippage_over_every_area_is_each_area_own(every: Questions, one: Questions) -> None:
    rows = every.slippage()
    assert {r["area"] for r in rows} == set(AREAS)
    targets = {
        (fact.area, fact.ref): [t.raw for t in fact.targets]
        for fact in every.facts().actions.values()
    }
    for row in rows:
        assert targets[(row["area"], row["ref"])] == row["targets"], row
    mine = [{k: v for k, v in r.items() if k != "area"} for r in rows if r["area"] == "area-007"]
    assert mine == one.slippage()
    assert all("area" not in r for r in one.slippage())


def test_owner_over_every_area_answers_each_area(england: Path, every: Questions) -> None:
    holders: dict[str, set[str]] = {}
    for fact in every.facts().actions.values():
        for name in fact.owners:
            holders.setdefault(name, set()).add(str(area_of(fact.iri)))
    name, areas = max(sorted(holders.items()), key=lambda item: len(item[1]))
    assert len(areas) > 1  # a name the synthetic areas share
    rows = every.owner(name)
    expected = {
        (str(fact.area), fact.ref) for fact in every.facts().actions.values() if name in fact.owners
    }
    assert {(r["area"], r["ref"]) for r in rows if r["role"] == "owner"} == expected
    assert {r["area"] for r in rows} == areas
    assert [r["area"] for r in rows] == sorted(r["area"] for r in rows)
    area = sorted(areas)[0]
    assert [r for r in every.owner(f"{area}:{name}")] == [r for r in rows if r["area"] == area]


def test_the_endpoint_questions_carry_the_area(every: Questions) -> None:
    endpoint = Endpoint(every)
    gaps = endpoint.question("gaps", {})()
    assert {g["area"] for g in gaps} == set(AREAS)
    xref = endpoint.question("xref", {"code": "area-003:SEND 4"})()
    assert xref and {r["area"] for r in xref} == {"area-003"}
    about = endpoint.question("about", {"ref": "area-011:PR 14"})()
    assert [(r["area"], r["ref"], r["iri"]) for r in about] == [
        ("area-011", "PR 14", f"{ID}area-011/action/pr-14"),
        ("area-011", "PR 14", f"{ID}area-011/action/pr-14"),
    ]
    overdue = endpoint.question("overdue", {})()
    assert overdue and all(next(iter(r)) == "area" for r in overdue)


def test_the_import_fixtures_as_a_folder_of_areas() -> None:
    folders = sorted(p.name for p in IMPORT_FIXTURES.iterdir() if p.is_dir())
    result = CliRunner().invoke(
        main, ["gaps", "--data", str(IMPORT_FIXTURES), "--only", "no-owner", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    gaps = json.loads(result.stdout)
    assert [(g["area"], g["ref"]) for g in gaps] == [
        ("joint-commissioning", "JC 7"),
        ("wsoa", "WSoA 2.2"),
    ]
    assert all(g["subject"].startswith(f"{ID}{g['area']}/") for g in gaps)
    alone = CliRunner().invoke(
        main, ["gaps", "--data", str(IMPORT_FIXTURES / "wsoa"), "--only", "no-owner", "-f", "json"]
    )
    assert [(g["rule"], g["ref"]) for g in json.loads(alone.stdout)] == [("no-owner", "WSoA 2.2")]
    assert "area" not in json.loads(alone.stdout)[0]
    ambiguous = CliRunner().invoke(main, ["trace", "wsoa 1.2", "--data", str(IMPORT_FIXTURES)])
    assert ambiguous.exit_code == 1
    assert ambiguous.stderr.endswith(
        "Error: 'wsoa 1.2' names 3 items in 3 areas: wsoa:WSoA 1.2 (action), "
        "wsoa-initials:WSoA 1.2 (action), wsoa-rag-months:WSoA 1.2 (action); name one as AREA:REF.\n"
    )
    named = CliRunner().invoke(
        main, ["trace", "wsoa-initials:WSoA 1.2", "--data", str(IMPORT_FIXTURES), "-f", "json"]
    )
    assert named.exit_code == 0, named.stderr
    assert {r["area"] for r in json.loads(named.stdout)} == {"wsoa-initials"}
    assert folders == [
        "app-docx", "blocks-md", "board-register", "jc-leads", "joint-commissioning",
        "pap-html", "wsoa", "wsoa-initials", "wsoa-rag-months",
    ]  # fmt: skip
