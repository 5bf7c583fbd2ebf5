"""Bad data across files: every problem in one run, each naming its file, row and column."""

from __future__ import annotations

from pathlib import Path

from sendgraph.base.problems import Severity
from sendgraph.graph.build import build_graph
from sendgraph.records.loader import load_records
from tests.helpers import edit


def errors(folder: Path) -> set[tuple[str, int, str]]:
    _, problems = load_records(folder)
    return {(p.source, p.row, p.field) for p in problems if p.severity == Severity.ERROR}


def test_the_bundled_data_has_no_errors(data_copy: Path) -> None:
    assert errors(data_copy) == set()


def test_many_mistakes_are_all_reported_in_one_run(data_copy: Path) -> None:
    owner_row = edit(data_copy, "actions", "ref", "PR 3", owner="Jackie Parkinson")
    plan_row = edit(data_copy, "actions", "ref", "PR 4", plan="no-such-plan")
    number_row = edit(data_copy, "actions", "ref", "PR 5", row="first")
    board_row = edit(data_copy, "governance", "subject", "resp", subject="no-such-board")
    post_row = edit(data_copy, "posts", "person", "jo-smith", organisations="rmbc\nnowhere")
    assert errors(data_copy) == {
        ("data/actions.csv", owner_row, "owner"),
        ("data/actions.csv", plan_row, "plan"),
        ("data/actions.csv", number_row, "row"),
        ("data/governance.csv", board_row, "subject"),
        ("data/posts.csv", post_row, "organisations"),
    }


def test_unknown_owner_names_the_name(data_copy: Path) -> None:
    row = edit(data_copy, "actions", "ref", "PR 3", owner="Jackie Parkinson")
    _, problems = load_records(data_copy)
    [problem] = [p for p in problems if p.row == row and p.source == "data/actions.csv"]
    assert (
        str(problem)
        == f"data/actions.csv:{row}:owner: error: 'Jackie Parkinson' is not a name or alias in people.csv."
    )


def test_ambiguous_name_lists_both_people(data_copy: Path) -> None:
    edit(data_copy, "people", "id", "paula-williams-inclusion", aliases="PW\nPW (I)")
    row = edit(data_copy, "actions", "ref", "SEND 1", owner="Paula Williams")
    _, problems = load_records(data_copy)
    [problem] = [p for p in problems if p.row == row and p.source == "data/actions.csv"]
    assert "paula-williams-inclusion, paula-williams-early-years" in problem.message


def test_duplicate_reference_row(data_copy: Path) -> None:
    row = edit(data_copy, "actions", "ref", "PR 9", ref="PR 8")
    assert ("data/actions.csv", row, "row") in errors(data_copy)


def test_unparsable_date_is_a_warning_and_the_words_are_kept(data_copy: Path) -> None:
    row = edit(data_copy, "actions", "ref", "PR 1", target_date="sometime soon")
    records, problems = load_records(data_copy)
    assert [
        (p.row, p.field, p.severity)
        for p in problems
        if p.row == row and p.source == "data/actions.csv"
    ] == [(row, "target_date", Severity.WARNING)]
    assert [t.raw for t in records.actions["PR 1"].first.targets] == ["sometime soon"]


def test_missing_column_stops_nothing_else(data_copy: Path) -> None:
    path = data_copy / "priorities.csv"
    text = path.read_text(encoding="utf-8-sig").replace("ref,plan,title", "ref,plan,heading", 1)
    path.write_text(text, encoding="utf-8-sig")
    found = errors(data_copy)
    assert ("data/priorities.csv", 1, "title") in found
    assert ("data/boards.csv", 1, "id") not in found


def test_empty_and_cp1252_files_are_both_reported(data_copy: Path) -> None:
    (data_copy / "versions.csv").write_bytes(b"")
    statuses = (data_copy / "statuses.csv").read_text(encoding="utf-8-sig")
    (data_copy / "statuses.csv").write_bytes(statuses.replace("plan's", "plan’s").encode("cp1252"))
    found = errors(data_copy)
    assert ("data/versions.csv", 0, "") in found
    assert any(source == "data/statuses.csv" for source, _, _ in found)


def test_a_build_with_errors_is_not_ok(data_copy: Path) -> None:
    edit(data_copy, "actions", "ref", "PR 3", owner="Nobody Known")
    assert not build_graph(data_copy).ok


def test_a_governance_row_needs_one_of_the_four_modalities(data_copy: Path) -> None:
    wrong = edit(data_copy, "governance", "subject", "resp", modality="likely")
    empty = edit(data_copy, "governance", "subject", "send-assurance-group", modality="")
    _, problems = load_records(data_copy)
    assert sorted(
        (p.row, p.field, p.message) for p in problems if p.source == "data/governance.csv"
    ) == [
        (wrong, "modality", "'likely' is not one of stated, inferred, recommended, planned."),
        (empty, "modality", "modality is empty; every row needs one."),
    ]
