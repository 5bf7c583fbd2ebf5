"""`sendgraph changes OLD NEW`: every change between two versions of an area, and nothing else."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from sendgraph.ask.changes import RENAME_SIMILARITY, Comparison, Side, compare, load_version
from sendgraph.cli import main
from sendgraph.graph.build import default_data_folder, load_data
from sendgraph.graph.vocab import SG
from tests.helpers import IMPORT_FIXTURES, drop_rows, edit

ACTION = "https://w3id.org/sendgraph/id/rotherham/action/"
# The findings of the bundled data that need an answer and have none.
UNANSWERED = ["CCG 1", "CCG 2", "CCG 3", "CCG 4", "PC 5.4", "PC 5.5", "PC A1", "PC A2", "PC A3"]


def copy_of_data(root: Path, name: str) -> Path:
    target = root / name
    shutil.copytree(default_data_folder(), target)
    return target


def add_row(folder: Path, name: str, **cells: str) -> None:
    """Append a row to the data table ``name``, its other cells empty."""
    path = folder / f"{name}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    rows.append({column: cells.get(column, "") for column in columns})
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def facts_of(comparison: Comparison) -> list[tuple[object, ...]]:
    """Each change as (item, ref, kind, before, after, direction, months, similarity), in order."""
    return [
        (c.item, c.ref, c.kind, c.before, c.after, c.direction, c.months, c.similarity)
        for c in comparison.changes
    ]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("versions")


@pytest.fixture(scope="module")
def old(root: Path) -> Path:
    """The bundled data as it is."""
    return copy_of_data(root, "old")


@pytest.fixture(scope="module")
def new(root: Path) -> Path:
    """The bundled data with one status changed and one target revision added."""
    folder = copy_of_data(root, "new")
    edit(folder, "actions", "ref", "SEND 7", status="Behind Schedule")
    edit(folder, "actions", "ref", "SEND 8", target_date="Dec 17\nMarch 18")
    return folder


@pytest.fixture(scope="module")
def old_side(old: Path) -> Side:
    return load_version(old, side="old")


def side(folder: Path) -> Side:
    return load_version(folder, side="new")


def test_done_when_one_status_and_one_target_and_nothing_else(old: Path, new: Path) -> None:
    result = CliRunner().invoke(main, ["changes", str(old), str(new), "-f", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [
        {k: change[k] for k in ("item", "ref", "kind", "before", "after", "direction", "months")}
        for change in answer["changes"]
    ] == [
        {"item": "action", "ref": "SEND 7", "kind": "status moved", "before": "Amber",
         "after": "Behind schedule", "direction": "worse", "months": None},
        {"item": "action", "ref": "SEND 8", "kind": "target moved", "before": "Dec 17",
         "after": "March 18", "direction": None, "months": 3},
    ]  # fmt: skip
    assert answer["old"] == {
        "path": str(old),
        "uri": old.resolve().as_uri(),
        "date": "2020-12-15",
        "dated_by": "SEND Peer Challenge Outcomes and Progress Update (paper)",
    }
    assert answer["new"]["path"] == str(new) and answer["new"]["date"] == "2020-12-15"
    assert answer["board"] is None
    assert [f["ref"] for f in answer["still_unanswered"]] == UNANSWERED
    assert list(answer) == ["old", "new", "board", "changes", "still_unanswered"]


def test_a_built_graph_file_is_a_version_too(old: Path, new: Path, root: Path) -> None:
    graph_file = root / "old.nt"
    graph_file.write_bytes(load_data(old).triples.ntriples())
    result = CliRunner().invoke(main, ["changes", str(graph_file), str(new), "-f", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [(c["ref"], c["kind"]) for c in answer["changes"]] == [
        ("SEND 7", "status moved"),
        ("SEND 8", "target moved"),
    ]
    assert answer["old"]["date"] == "2020-12-15"


def test_identical_versions_have_no_changes(old: Path, root: Path) -> None:
    same = copy_of_data(root, "same")
    result = CliRunner().invoke(main, ["changes", str(old), str(same)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"Changes from {old} (2020-12-15) to {same} (2020-12-15)\n\nNo changes.\n\n"
        "Findings still unanswered in both versions: 9\n"
    )
    assert result.stderr == ""


def test_an_added_row_and_a_removed_row(root: Path, old_side: Side) -> None:
    folder = copy_of_data(root, "added-removed")
    assert drop_rows(folder / "actions.csv", "ref", "SEND 6") == 1
    text = "Publish a short-breaks statement for families, agreed with the Parent Carers Forum."
    add_row(folder, "actions", ref="SEND 10", row="1", plan="cyps-improvement-plan-measures",
            action=text, owner="Paula Williams", target_date="March 18", status="On track")  # fmt: skip
    found = compare(old_side.questions.facts(), side(folder).questions.facts())
    removed = "Streamline the provision of family information services and improve family support services to ensure parents and young people with SEND feel supported outside of education."  # fmt: skip
    assert facts_of(found) == [
        ("action", "SEND 6", "action removed", removed, None, None, None, None),
        ("action", "SEND 10", "action added", None, text, None, None, None),
    ]
    assert [c.old_iri for c in found.changes] == [f"{ACTION}send-6", None]
    assert [c.new_iri for c in found.changes] == [None, f"{ACTION}send-10"]


def test_a_renamed_reference_is_a_likely_rename_and_unrelated_words_are_removed_and_added(
    root: Path, old_side: Side
) -> None:
    folder = copy_of_data(root, "renamed")
    edit(folder, "actions", "ref", "SEND 8", ref="SEND 8A", status="Behind Schedule")
    unrelated = "Recruit two more educational psychologists to the local authority's team."
    edit(folder, "actions", "ref", "SEND 5", ref="SEND 12", action=unrelated)
    found = compare(old_side.questions.facts(), side(folder).questions.facts())
    reshaped = "Review and reshape the use of the HNB to better meet needs, in partnership with Schools Forum and in line with the new Schools Funding Formula."  # fmt: skip
    assert facts_of(found) == [
        ("action", "SEND 5", "action removed", reshaped, None, None, None, None),
        # The rename, then what else differs between the two.
        ("action", "SEND 8A", "likely rename", "SEND 8", "SEND 8A", None, None, 1.0),
        ("action", "SEND 8A", "status moved", "Amber", "Behind schedule", "worse", None, None),
        ("action", "SEND 12", "action added", None, unrelated, None, None, None),
    ]
    rename = found.changes[1]
    assert (rename.old_iri, rename.new_iri) == (f"{ACTION}send-8", f"{ACTION}send-8a")


def test_a_reworded_rename_keeps_its_similarity(root: Path, old_side: Side) -> None:
    folder = copy_of_data(root, "reworded")
    edit(folder, "actions", "ref", "SEND 6", ref="SEND 6.1",
         action="Streamline the provision of family information services and improve family "
         "support services so that parents and young people with SEND feel supported outside of school.")  # fmt: skip
    [rename] = compare(old_side.questions.facts(), side(folder).questions.facts()).changes
    assert (rename.kind, rename.before, rename.after) == ("likely rename", "SEND 6", "SEND 6.1")
    assert rename.similarity == 0.933
    assert rename.similarity >= RENAME_SIMILARITY


def test_closed_owners_answered_and_oversight(root: Path, old_side: Side) -> None:
    folder = copy_of_data(root, "moved")
    edit(folder, "actions", "ref", "PR 19", status="Completed", owner="Colette Bailey and Jo Smith")
    identified = "Agree with social care and health how their information reaches each EHC plan."
    edit(folder, "peer_challenge", "ref", "PC 5.4", identified_action=identified)
    # SEND 5's progress no longer says its plan goes to the Schools Forum.
    edit(folder, "actions", "ref", "SEND 5", progress="An initial outline is in place.")
    before, after = old_side.questions.facts(), side(folder).questions.facts()
    found = compare(before, after)
    # The Schools Forum oversees SEND 5 in the older version only: that is enough.
    assert facts_of(compare(before, after, board="Schools Forum")) == [
        ("action", "SEND 5", "oversight lost", "Schools Forum (report)", None, None, None, None),
    ]
    assert facts_of(found) == [
        ("finding", "PC 5.4", "finding answered", (), ("PC 5.4 identified action",), None, None, None),
        ("action", "PC 5.4 identified action", "action added", None, identified, None, None, None),
        ("action", "PR 19", "action closed", "Behind schedule", "Green", "better", None, None),
        ("action", "PR 19", "owners changed", ("Colette Bailey",), ("Colette Bailey", "Jo Smith"), None, None, None),
        ("action", "SEND 5", "oversight lost", "Schools Forum (report)", None, None, None, None),
    ]  # fmt: skip
    assert [f.ref for f in found.still_unanswered] == [r for r in UNANSWERED if r != "PC 5.4"]


def test_board_keeps_what_it_oversees_in_either_version(old: Path, new: Path) -> None:
    runner = CliRunner()
    over = runner.invoke(
        main, ["changes", str(old), str(new), "--board", "send joint commissioning meetings", "-f", "json"]
    )  # fmt: skip
    assert over.exit_code == 0, over.output
    answer = json.loads(over.stdout)
    assert answer["board"] == "SEND Joint Commissioning Meetings"
    assert [(c["ref"], c["kind"]) for c in answer["changes"]] == [
        ("SEND 7", "status moved"),
        ("SEND 8", "target moved"),
    ]
    assert answer["still_unanswered"] == []
    apart = runner.invoke(
        main, ["changes", str(old), str(new), "--board", "SEND Strategic Board", "-f", "json"]
    )
    assert apart.exit_code == 0, apart.output
    answer = json.loads(apart.stdout)
    assert answer["changes"] == []
    assert [f["ref"] for f in answer["still_unanswered"]] == [
        "PC 5.4", "PC 5.5", "PC A1", "PC A2", "PC A3",
    ]  # fmt: skip
    person = runner.invoke(main, ["changes", str(old), str(new), "--board", "Colette Bailey"])
    assert person.exit_code == 1
    assert (
        person.stderr == "Error: 'Colette Bailey' names the person Colette Bailey, not a board.\n"
    )


def test_a_side_that_cannot_be_read_or_has_errors_is_one_sentence(old: Path, root: Path) -> None:
    runner = CliRunner()
    missing = root / "missing"
    result = runner.invoke(main, ["changes", str(old), str(missing)])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: the new version, {missing}, cannot be read: "
        f"{missing} is not a folder of sendgraph data files.\n"
    )
    broken = copy_of_data(root, "broken")
    edit(broken, "actions", "ref", "SEND 7", plan="no-such-plan")
    result = runner.invoke(main, ["changes", str(broken), str(old)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the old version, {broken}, has 1 errors; "
        f"run `sendgraph validate {broken}` to see them.\n"
    )


def test_ttl_has_each_version_dated_and_the_newer_a_revision_of_the_older(
    old: Path, new: Path, tmp_path: Path
) -> None:
    out = tmp_path / "changes.ttl"
    result = CliRunner().invoke(main, ["changes", str(old), str(new), "-f", "ttl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {out} (2 changes; 9 findings still unanswered)\n"
    graph = Graph().parse(out, format="turtle")
    was, now = URIRef(old.resolve().as_uri()), URIRef(new.resolve().as_uri())
    assert set(graph.subjects(PROV.wasRevisionOf, None)) == {now}
    assert graph.value(now, PROV.wasRevisionOf) == was
    for version in (was, now):
        assert (version, RDF.type, PROV.Entity) in graph
        assert graph.value(version, DCTERMS.date) == Literal("2020-12-15", datatype=XSD.date)
    revision = graph.value(now, PROV.qualifiedRevision)
    assert graph.value(revision, PROV.entity) == was
    changes = {
        graph.value(node, SG.changeKind): node for node in graph.objects(revision, DCTERMS.hasPart)
    }
    assert set(changes) == {Literal("status moved"), Literal("target moved")}
    status, target = changes[Literal("status moved")], changes[Literal("target moved")]
    assert (status, RDF.type, SG.Change) in graph
    assert graph.value(status, DCTERMS.subject) == URIRef(f"{ACTION}send-7")
    assert (graph.value(status, SG.valueBefore), graph.value(status, SG.valueAfter)) == (
        Literal("Amber"),
        Literal("Behind schedule"),
    )
    assert graph.value(status, SG.direction) == Literal("worse")
    assert graph.value(target, SG.monthsMoved).toPython() == 3  # type: ignore[union-attr]
    assert len(set(graph.objects(revision, SG.stillUnanswered))) == 9


def test_markdown_and_csv_carry_the_same_changes(old: Path, new: Path) -> None:
    runner = CliRunner()
    md = runner.invoke(main, ["changes", str(old), str(new), "-f", "md"])
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith(
        f"# Changes from {old} (2020-12-15) to {new} (2020-12-15)\n\n"
        "| ref | item | change | before | after | note |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| SEND 7 | action | status moved | Amber | Behind schedule | worse |\n"
        "| SEND 8 | action | target moved | Dec 17 | March 18 | 3 months later |\n\n"
        "## Findings still unanswered in both versions\n"
    )
    table = runner.invoke(main, ["changes", str(old), str(new), "-f", "csv"])
    rows = list(csv.DictReader(table.stdout.splitlines()))
    assert [(r["part"], r["ref"], r["change"], r["before"], r["after"]) for r in rows[:2]] == [
        ("change", "SEND 7", "status moved", "Amber", "Behind schedule"),
        ("change", "SEND 8", "target moved", "Dec 17", "March 18"),
    ]
    assert [r["ref"] for r in rows[2:]] == UNANSWERED
    assert {r["part"] for r in rows[2:]} == {"still unanswered"}


# ---------------------------------------------------------------- an imported WSoA

RAG_MONTHS = IMPORT_FIXTURES / "wsoa-rag-months"


def wsoa_version(root: Path, name: str, november: dict[str, str] | None = None) -> Path:
    """A copy of the WSoA with monthly RAG columns; with ``november``, a "RAG November 22" column too.

    The new column repeats August's statuses except where ``november`` gives one by Ref,
    and the mapping's paper and status date move on to that month.
    """
    folder = root / name
    shutil.copytree(RAG_MONTHS, folder)
    if november is None:
        return folder
    path = folder / "wsoa.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = [*(reader.fieldnames or []), "RAG November 22"], list(reader)
    for row in rows:
        row["RAG November 22"] = november.get(row["Ref"], row["RAG August 22"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    mapping = folder / "wsoa.mapping.yaml"
    text = mapping.read_text(encoding="utf-8")
    text = text.replace("date: 2022-09-15", "date: 2022-12-08")
    text = text.replace("status_date: 2022-08-31", "status_date: 2022-11-30")
    mapping.write_text(text, encoding="utf-8")
    return folder


def test_two_versions_of_an_imported_wsoa_with_monthly_rag_columns(root: Path) -> None:
    before = wsoa_version(root, "wsoa-august")
    after = wsoa_version(root, "wsoa-november", {"1.2": "Green", "2.1": "Amber", "3.1": "Red"})
    result = CliRunner().invoke(main, ["changes", str(before), str(after), "-f", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [
        (c["area"], c["ref"], c["kind"], c["before"], c["after"], c["direction"])
        for c in answer["changes"]
    ] == [
        ("eastvale", "WSoA 1.2", "action closed", "Amber", "Green", "better"),
        ("eastvale", "WSoA 2.1", "status moved", "Red", "Amber", "better"),
        ("eastvale", "WSoA 3.1", "status moved", "Amber", "Red", "worse"),
    ]
    assert (answer["old"]["date"], answer["new"]["date"]) == ("2022-09-15", "2022-12-08")
    assert answer["new"]["dated_by"].endswith("(paper)")
    assert answer["still_unanswered"] == []
