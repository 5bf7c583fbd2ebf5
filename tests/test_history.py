"""An item's history: dated statuses, target revisions, dated progress and the plan's versions."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from sendgraph.ask.history import history, version_logs
from sendgraph.ask.questions import Questions
from sendgraph.base.errors import UnknownReference
from sendgraph.cli import main
from sendgraph.graph.build import Build, load_data
from sendgraph.graph.vocab import PROV, RDF, SG
from tests.helpers import IMPORT_FIXTURES

RAG_MONTHS = IMPORT_FIXTURES / "wsoa-rag-months"
# A plan whose progress entries are headed with dates, or dated by their column.
DATED_PROGRESS = IMPORT_FIXTURES.parent / "history" / "dated-progress"


@pytest.fixture(scope="module")
def rotherham_questions(rotherham: Build) -> Questions:
    return Questions(rotherham.graph)


@pytest.fixture(scope="module")
def eastvale() -> Questions:
    return Questions(load_data(RAG_MONTHS).triples)


@pytest.fixture(scope="module")
def northmoor() -> Questions:
    return Questions(load_data(DATED_PROGRESS).triples)


def test_an_imported_action_lists_every_dated_status_in_month_order(eastvale: Questions) -> None:
    found = history(eastvale, "WSoA 2.1")
    assert [(e.kind, e.start, e.what, e.date_text) for e in found.dated] == [
        ("status", "2020-11-01", "Red", "RAG Nov 20"),
        ("status", "2021-02-01", "Red", "RAG February 21"),
        ("status", "2021-05-01", "Red", "RAG May 21"),
        ("status", "2021-08-01", "Red", "RAG August 21"),
        ("status", "2021-11-01", "Amber", "RAG Nov 21"),
        ("status", "2022-02-01", "Red", "RAG Feb 22"),
        ("status", "2022-05-01", "Red", "RAG May 22"),
        ("status", "2022-08-01", "Red", "RAG August 22"),
        ("status as at", "2022-08-31", "Red", "2022-08-31"),
    ]
    assert [(e.precision, e.end) for e in found.statuses][:2] == [
        ("month", "2020-11-30"),
        ("month", "2021-02-28"),
    ]
    # The target is not dated by when it was set: it follows, in the papers' words.
    assert [(e.kind, e.what, e.detail) for e in found.undated] == [
        ("target", "2021/22", "revision 1, the year 2021-04-01 to 2022-03-31"),
    ]


def test_the_history_command_prints_the_series_as_json_and_csv() -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["history", "WSoA 1.2", "--data", str(RAG_MONTHS), "-f", "json", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [(s["date_text"], s["what"]) for s in answer["statuses"]] == [
        ("RAG May 20", "Red"), ("RAG August 20", "Red"), ("RAG Nov 20", "Red"),
        ("RAG February 21", "Amber"), ("RAG May 21", "Amber"), ("RAG August 21", "Amber"),
        ("RAG Nov 21", "Amber"), ("RAG Feb 22", "Amber"), ("RAG May 22", "Amber"),
        ("RAG August 22", "Amber"),
    ]  # fmt: skip
    assert [(t["raw"], t["revision"]) for t in answer["targets"]] == [
        ("End of March 2021", 1),
        ("Spring term 2022", 2),
    ]
    csv_result = runner.invoke(
        main, ["history", "WSoA 1.2", "--data", str(RAG_MONTHS), "-f", "csv", "--no-cache"]
    )
    lines = csv_result.stdout.splitlines()
    assert lines[0].startswith("ref,date,until,precision,as written,kind,what")
    assert len(lines) == 1 + 10 + 1 + 2  # header, ten months, status as at, two targets


def test_a_rotherham_action_lists_its_revised_targets_in_the_papers_words(
    rotherham_questions: Questions,
) -> None:
    found = history(rotherham_questions, "SEND 1")
    assert [(t.revision, t.raw, t.month) for t in found.targets] == [
        (1, "June 17", "2017-06"),
        (2, "Sept 17", "2017-09"),
    ]
    assert [(e.kind, e.what, e.detail) for e in found.undated] == [
        ("progress", found.progress[0].what, "row 1"),
        ("target", "June 17", "revision 1, the month 2017-06-01 to 2017-06-30"),
        ("target", "Sept 17", "revision 2, the month 2017-09-01 to 2017-09-30"),
    ]
    # The progress text mentions "September 2017", but is not headed with it.
    assert "Date amended for closure to September 2017" in found.progress[0].what
    assert found.progress[0].start is None
    # Dated: the plan's thirteen versions, then its status as at the plan's status date.
    assert [(e.kind, e.date_text) for e in found.dated][-3:] == [
        ("version", "09/08/17"),
        ("version", "25/09/17"),
        ("status as at", "2017-09-25"),
    ]
    assert [v.number for v in found.versions] == list(range(1, 14))
    assert (found.current.what, found.current.words) == ("Amber", "On track")  # type: ignore[union-attr]


def test_no_rotherham_progress_entry_is_headed_with_a_date(
    rotherham_questions: Questions,
) -> None:
    rows = rotherham_questions.select("progress")
    assert len(rows) == 113
    assert [r for r in rows if r["date_text"] is not None] == []


def test_progress_entries_are_dated_by_their_heading_or_their_column(northmoor: Questions) -> None:
    dated = {
        r["ref"]: (r["date_text"], r["precision"], str(r["start"]), str(r["end"]), r["column"])
        for r in northmoor.select("progress")
        if r["date_text"] is not None
    }
    assert dated == {
        "NM 1": ("Update 03/05/23", "day", "2023-05-03", "2023-05-03", None),
        "NM 2": ("March 2023", "month", "2023-03-01", "2023-03-31", None),
        "NM 3": ("Q2 2023/24", "quarter", "2023-07-01", "2023-09-30", None),
        "NM 4": ("Spring term 2023", "term", "2023-01-01", "2023-04-30", None),
        # Mentions "December 2023" in its text: dated by its column, not by that.
        "NM 5": ("Sept 2023 update", "month", "2023-09-01", "2023-09-30", "Sept 2023 update"),
    }
    found = history(northmoor, "NM 5")
    assert [(e.kind, e.start, e.precision) for e in found.dated] == [
        ("progress", "2023-09-01", "month"),
        ("status as at", "2023-09-20", "day"),
    ]


def test_an_action_with_no_progress_text_has_no_progress_entry_in_its_history(
    northmoor: Questions,
) -> None:
    assert history(northmoor, "NM 6").progress == ()


def test_each_plan_version_revises_the_one_before(graph: Graph, iri: Callable[..., URIRef]) -> None:
    plan = iri("plan", "send-joint-action-plan")
    versions = {int(graph.value(v, SG.versionNumber)): v for v in graph.objects(plan, SG.version)}  # type: ignore[arg-type]
    assert sorted(versions) == list(range(1, 14))
    assert {
        (int(graph.value(newer, SG.versionNumber)), int(graph.value(older, SG.versionNumber)))  # type: ignore[arg-type]
        for newer, older in graph.subject_objects(PROV.wasRevisionOf)
        if (newer, RDF.type, SG.PlanVersion) in graph
    } == {(n, n - 1) for n in range(2, 14)}
    assert all((v, RDF.type, PROV.Entity) in graph for v in versions.values())
    assert graph.value(versions[1], PROV.wasRevisionOf) is None


def test_the_version_log_is_read_once_for_the_history_and_the_view(
    rotherham_questions: Questions,
) -> None:
    from sendgraph.show.view import collect

    [(plan, log)] = version_logs(rotherham_questions).items()
    assert plan.endswith("/plan/send-joint-action-plan")
    node = collect(rotherham_questions).nodes[plan]
    assert node["details"]["versions"] == [v.line for v in log]
    assert node["details"]["versions"][3] == (
        "Version 4, 01/03/17, amended by Paula Williams: Revisions and updates to the Plan"
    )


def test_an_unknown_reference_is_a_sentence(rotherham_questions: Questions) -> None:
    with pytest.raises(UnknownReference, match="'SEND 99' is not a reference in this graph"):
        history(rotherham_questions, "SEND 99")
    result = CliRunner().invoke(main, ["history", "SEND 99", "--no-cache"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Closest: SEND 9" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_finding_with_no_history_of_its_own_names_the_actions_that_answer_it() -> None:
    result = CliRunner().invoke(main, ["history", "PC 1.2", "--no-cache"])
    assert result.exit_code == 0
    assert result.stderr == (
        "PC 1.2 has no history of its own in these papers; ask about the actions that "
        "answer it: PC 1.2 identified action.\n"
    )


def test_markdown_keeps_the_papers_words_inert() -> None:
    result = CliRunner().invoke(
        main, ["history", "NM 1", "--data", str(DATED_PROGRESS), "-f", "md", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:6] == [
        "# History of NM 1",
        "",
        "An action of Northmoor SEND Improvement Plan 2023-24.",
        "",
        "| date | until | precision | as written | kind | what | words | detail |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    assert (
        "| 2023-05-03 |  | day | Update 03/05/23 | progress | "
        "Update 03/05/23 – supplier appointed and first pages drafted. |  | row 1 |"
    ) in result.stdout
