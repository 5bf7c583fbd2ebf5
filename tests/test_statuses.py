"""One status scheme: defined once, and every output says the same status of every action.

The scheme is sg:StatusScheme in the ontology. An item whose rows disagree takes its
worst row's status, and each row keeps its own beside it (docs/statuses.md). Each
status is compared across the CLI's JSON, the endpoint's question routes, the view's
embedded data, the report and the gap rules that judge status, for the Rotherham data
and for every import fixture.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sendgraph.ask.questions import Questions
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_graph
from sendgraph.records.statuses import NO_STATUS, concept_named, item_status, of_concept, scheme
from sendgraph.serve.server import Endpoint, question_output
from sendgraph.show.report.evidence import build_report
from sendgraph.show.view import collect, network, render_html
from tests.helpers import JOINT, WSOA

ROTHERHAM = "rotherham"
DATA = {
    ROTHERHAM: None,
    "joint-commissioning": JOINT,
    "wsoa": WSOA,
}

# Every action's status, counted from the sources (data/actions.csv and the fixtures).
# JCP 9.1's rows say "Behind Schedule" and "On track": it is Behind schedule. PR 15's
# rows say "On track" and "Completed": it is Amber. JCP 3.3 and JCP 3.4 say only
# "Delay encountered over the summer...", words in no scheme; JCP 2.7 says nothing; the
# actions the 2020 peer challenge identifies carry no status in the paper.
PEER_CHALLENGE = {
    f"PC {n} identified action"
    for n in (
        "1.1", "1.2", "1.3", "2.2", "2.3", "2.4", "3.2", "3.3", "4.2", "5.2", "5.3", "6.2", "7.3"
    )
}  # fmt: skip
EXPECTED: dict[str, dict[str, set[str]]] = {
    ROTHERHAM: {
        "Behind schedule": {"SEND 4", "PR 2", "PR 3", "PR 19", "JCP 9.1", "JCP 10.2"},
        "Red": set(),
        "No status": {"JCP 2.7", "JCP 3.3", "JCP 3.4", *PEER_CHALLENGE},
    },
    "joint-commissioning": {  # Not started: red; Work in progress: amber; Complete
        "Green": {"JC 5", "JC 8"},
        "Amber": {"JC 1", "JC 2", "JC 3", "JC 6"},
        "Red": {"JC 4", "JC 7"},
        "Behind schedule": set(),
        "No status": set(),
    },
    "wsoa": {  # the latest of each row's monthly RAG columns
        "Green": {"WSoA 1.1", "WSoA 1.3", "WSoA 3.1"},
        "Amber": {"WSoA 1.2", "WSoA 2.1", "WSoA 2.2", "WSoA 3.2"},
        "Red": set(),
        "Behind schedule": set(),
        "No status": set(),
    },
}
ROTHERHAM_COUNTS = {"Green": 31, "Amber": 32, "Red": 0, "Behind schedule": 6, "No status": 16}


def run(*args: str) -> Any:
    """Run a command and return its JSON; gaps exit 1 when they find any."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def data_args(name: str) -> list[str]:
    folder = DATA[name]
    return ["--data", str(folder)] if folder else []


@pytest.fixture(scope="module", params=list(DATA))
def area(request: pytest.FixtureRequest) -> tuple[str, Build]:
    name = request.param
    return name, build_graph(DATA[name])


def label(concept: str | None) -> str:
    return of_concept(concept).label if concept else NO_STATUS.label


def statuses_from_records(build: Build) -> dict[str, str]:
    """Each item's status as the records stage derives it, once."""
    return {ref: label(action.status) for ref, action in build.records.actions.items()}


def by_status(statuses: dict[str, str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for ref, status in statuses.items():
        found.setdefault(status, set()).add(ref)
    return found


# ---------------------------------------------------------------- the scheme


def contrast(ink: str, fill: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(ink), luminance(fill)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_scheme_is_four_statuses_best_first() -> None:
    assert [(s.concept, s.label, s.code, s.severity) for s in scheme()] == [
        ("green", "Green", "G", 1),
        ("amber", "Amber", "A", 2),
        ("red", "Red", "R", 3),
        ("behind-schedule", "Behind schedule", "B", 4),
    ]
    assert [s.label for s in scheme() if s.is_complete] == ["Green"]


@pytest.mark.parametrize("status", [*scheme(), NO_STATUS], ids=lambda s: s.label)
def test_dark_text_on_a_light_fill_at_aa_contrast(status: Any) -> None:
    assert contrast(status.ink, status.fill) >= 4.5
    assert contrast(status.ink, "#000000") < contrast(status.fill, "#000000")  # ink is darker


def test_no_two_statuses_share_a_colour_or_a_code() -> None:
    shown = [*scheme(), NO_STATUS]
    assert len({s.fill for s in shown}) == len({s.code for s in shown}) == len(shown)


def test_a_mapping_may_name_a_status_by_its_name_label_or_another_word() -> None:
    assert [concept_named(w) for w in ("Behind schedule", "behind-schedule", "Done", "RED")] == [
        "behind-schedule",
        "behind-schedule",
        "green",
        "red",
    ]
    assert concept_named("On track") is None  # a plan's word, mapped by its plan


def test_an_item_takes_its_worst_rows_status() -> None:
    assert item_status(["green", "amber", "green"]) == "amber"
    assert item_status(["amber", "behind-schedule"]) == "behind-schedule"
    assert item_status(["red", "behind-schedule"]) == "behind-schedule"
    assert item_status(["green", None]) == "green"
    assert item_status([None, None]) is None


def test_rows_that_disagree_are_reported_with_the_status_chosen(rotherham: Build) -> None:
    said = {p.message for p in rotherham.problems if p.field == "status" and "rows" in p.message}
    assert said == {
        "JCP 9.1's rows have different statuses (Amber, Behind schedule); each row keeps its "
        "own and the item takes the worst, Behind schedule.",
        "PR 15's rows have different statuses (Green, Amber); each row keeps its own and the "
        "item takes the worst, Amber.",
    }


# ---------------------------------------------------------------- every output agrees


def statuses_in_graph(build: Build) -> dict[str, str]:
    rows = Questions(build.graph).select("action-details")
    return {str(r["ref"]): str(r["status"] or NO_STATUS.label) for r in rows}


def test_the_graph_gives_the_statuses_counted_from_the_sources(area: tuple[str, Build]) -> None:
    name, build = area
    in_graph = statuses_in_graph(build)
    found = by_status(in_graph)
    for status, refs in EXPECTED[name].items():
        assert found.get(status, set()) == refs, status
    if name == ROTHERHAM:
        assert {k: len(found.get(k, set())) for k in ROTHERHAM_COUNTS} == ROTHERHAM_COUNTS
    # The records derive each item's status once; the graph holds that status.
    assert {ref: in_graph[ref] for ref in build.records.actions} == statuses_from_records(build)


def test_every_output_says_the_same_status(area: tuple[str, Build]) -> None:
    name, build = area
    expected = statuses_in_graph(build)
    questions = Questions(build.graph)
    endpoint = Endpoint(questions)

    def route(name: str, params: dict[str, str]) -> Any:
        """What the endpoint's /questions/ route sends: the question's JSON body."""
        return json.loads(question_output(endpoint.question(name, params), 1 << 30).body)

    def agrees(rows: Any) -> None:
        for row in rows:
            if "status" in row and row.get("ref") in expected:
                assert (row["ref"], row["status"] or NO_STATUS.label) == (
                    row["ref"],
                    expected[row["ref"]],
                )

    # The view's embedded data.
    page = render_html(network(collect(questions)))
    match = re.search(r'<script type="application/json" id="sendgraph-data">(.*?)</script>', page)
    assert match
    view = {
        n["name"]: n["status"] or NO_STATUS.label
        for n in json.loads(match.group(1))["nodes"]
        if n["kind"] == "action"
    }
    assert view == expected

    # The report: its register of every action, and the summary's counts.
    report = build_report(questions)
    assert {e.ref: e.status for e in report.register} == expected
    assert {k: v for k, v in report.status_counts.items() if v} == {
        status: len(refs) for status, refs in by_status(expected).items()
    }

    # The CLI's JSON: every action's details, and the owner of the most actions.
    details = run("query", "action-details", *data_args(name), "-f", "json")
    assert {
        b["ref"]["value"]: b["status"]["value"] if "status" in b else NO_STATUS.label
        for b in details["results"]["bindings"]
    } == expected
    people = questions.select("responsibilities")
    busiest = max(
        {str(r["person_label"]) for r in people if r["person_label"]},
        key=lambda n: sum(str(r["person_label"]) == n for r in people),
    )
    owned = run("owner", busiest, *data_args(name), "-f", "json")
    assert owned
    agrees(owned)

    # The endpoint's question routes: every person's responsibilities, every finding traced.
    for person in sorted({str(r["person_label"]) for r in people if r["person_label"]}):
        agrees(route("owner", {"name": person}))
    for finding in questions.select("findings"):
        agrees(route("trace", {"ref": str(finding["ref"])}))

    # The gap rules and the questions that judge status.
    gaps = run("gaps", *data_args(name), "-f", "json")
    flagged = {g["ref"] for g in gaps if g["rule"] == "behind-or-red"}
    assert flagged == {r for r, s in expected.items() if s in ("Behind schedule", "Red")}
    overdue_rule = {g["ref"] for g in gaps if g["rule"] == "overdue"}
    overdue_cli = run("overdue", *data_args(name), "-f", "json")
    assert {r["ref"] for r in overdue_cli} == overdue_rule
    assert {r["ref"] for r in route("overdue", {})} == overdue_rule
    agrees(overdue_cli)
    assert not {r for r in overdue_rule if expected[r] == "Green"}


def test_overdue_in_rotherham_includes_the_item_whose_rows_disagree() -> None:
    found = {r["ref"]: r["status"] for r in run("overdue", "-f", "json")}
    assert found["JCP 9.1"] == "Behind schedule"
    assert "PR 15" not in found or found["PR 15"] == "Amber"


# ---------------------------------------------------------------- "No status"


def test_no_output_says_no_status_for_an_item_with_a_status_word(
    area: tuple[str, Build],
) -> None:
    _, build = area
    worded = {ref for ref, a in build.records.actions.items() if any(r.status for r in a.rows)}
    questions = Questions(build.graph)
    report = build_report(questions)
    markdown_register = {e.ref: e for e in report.register}
    for ref in worded:
        assert markdown_register[ref].status != NO_STATUS.label, ref
    page = render_html(network(collect(questions)))
    match = re.search(r'<script type="application/json" id="sendgraph-data">(.*?)</script>', page)
    assert match
    for node in json.loads(match.group(1))["nodes"]:
        if node["name"] in worded:
            assert node["status"], node["name"]
    for theme in report.themes:
        for item in theme.earlier:
            assert not (item.ref in worded and item.status == NO_STATUS.label), item.ref


def test_each_rows_own_status_is_shown_beside_the_items(rotherham: Build) -> None:
    questions = Questions(rotherham.graph)
    rows = [
        "row 1: Behind schedule (as written: Behind Schedule)",
        "row 2: Amber (as written: On track)",
    ]
    jcp_9_1 = next(e for e in build_report(questions).register if e.ref == "JCP 9.1")
    assert (jcp_9_1.status, jcp_9_1.row_statuses) == ("Behind schedule", rows)
    page = render_html(network(collect(questions)))
    match = re.search(r'<script type="application/json" id="sendgraph-data">(.*?)</script>', page)
    assert match
    node = next(n for n in json.loads(match.group(1))["nodes"] if n["name"] == "JCP 9.1")
    assert (node["status"], node["details"]["row statuses"]) == ("Behind schedule", rows)
    [traced] = [r for r in run("trace", "JCP 9", "-f", "json") if r["ref"] == "JCP 9.1"]
    assert (traced["status"], traced["row_statuses"]) == (
        "Behind schedule",
        [
            {"row": 1, "status": "Behind schedule", "status_text": "Behind Schedule"},
            {"row": 2, "status": "Amber", "status_text": "On track"},
        ],
    )
    table = CliRunner().invoke(main, ["trace", "JCP 9", "-f", "csv"])
    assert table.exit_code == 0, table.output
    assert ",Behind schedule,Behind Schedule," + "; ".join(rows) + "," in table.stdout


# ---------------------------------------------------------------- the view's option


def test_the_view_option_takes_behind_schedule(tmp_path: Path) -> None:
    out = tmp_path / "behind.html"
    result = CliRunner().invoke(main, ["view", "--status", "behind schedule", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "6 nodes" in result.stdout
    wrong = CliRunner().invoke(main, ["view", "--status", "purple", "-o", str(out)])
    assert wrong.exit_code == 2
    assert "one of green, amber, red, behind-schedule" in wrong.stderr
