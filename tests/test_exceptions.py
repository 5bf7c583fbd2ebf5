"""The exceptions list: exactly the actions the behind-or-red, overdue and no-owner rules find."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from sendgraph.ask.exceptions import EXCEPTION_RULES, REASONS, exception_rows, find_exceptions
from sendgraph.ask.gaps import bundled_rules, find_gaps
from sendgraph.ask.questions import Questions
from sendgraph.base.errors import UsageError
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_areas
from sendgraph.read.synth import synthesise

PC_UNOWNED = [
    f"PC {n} identified action"
    for n in ("1.1", "1.2", "1.3", "2.2", "2.3", "2.4", "3.2", "3.3", "4.2", "5.2", "5.3", "6.2", "7.3")
]  # fmt: skip

# Every exception in the Rotherham papers: its reasons, status, owners, current target
# and the boards over it by stated lines.
ROTHERHAM = {
    "JCP 9.1": (("Behind schedule", "Overdue"), "Behind schedule", ("Mark Chambers", "Paula Williams (I)"), "June 17", ["SEND Joint Commissioning Meetings (plan)"]),
    "JCP 10.2": (("Behind schedule", "Overdue"), "Behind schedule", ("Jo Smith",), "Mar 17", ["SEND Joint Commissioning Meetings (plan)"]),
    **{ref: (("No owner",), "No status", (), "", ["SEND Strategic Board (review)"]) for ref in PC_UNOWNED},
    "PC 1.2 identified action": (("No owner",), "No status", (), "", ["Health Select Commission (report)", "Rotherham Place Board (report)", "SEND Strategic Board (review)"]),
    "PC 2.3 identified action": (("No owner",), "No status", (), "", ["Operational Executive (report)", "SEND Strategic Board (review)"]),
    "PC 3.3 identified action": (("No owner",), "No status", (), "", ["Joint Commissioning Resource Panel (report)", "SEND Strategic Board (review)"]),
    "PC 5.2 identified action": (("No owner",), "No status", (), "", ["SEND Strategic Board (report)", "SEND Strategic Board (review)"]),
    "PR 2": (("Behind schedule",), "Behind schedule", ("Jackie Parkin",), "March 18", ["SEND Joint Commissioning Meetings (plan)"]),
    "PR 3": (("Behind schedule",), "Behind schedule", ("Jackie Parkin",), "March 18", ["SEND Joint Commissioning Meetings (plan)"]),
    "PR 4": (("Overdue",), "Amber", ("Jackie Parkin",), "April 17", ["SEND Joint Commissioning Meetings (plan)"]),
    "PR 7": (("Overdue",), "Amber", ("Aileen Chambers", "Caroline Wheatley"), "Aug 17", ["DLT (report)", "SEND Joint Commissioning Meetings (plan)"]),
    "PR 11": (("Overdue",), "Amber", ("Mary Jarrett",), "June 17", ["SEND Joint Commissioning Meetings (plan)"]),
    "PR 19": (("Behind schedule", "Overdue"), "Behind schedule", ("Colette Bailey",), "May 2017", ["SEND Joint Commissioning Meetings (plan)"]),
    "SEND 3": (("Overdue",), "Amber", ("Mark Chambers",), "June 17", ["Cabinet (report)", "DLT (report)", "SEND Joint Commissioning Meetings (plan)"]),
    "SEND 4": (("Behind schedule",), "Behind schedule", ("Jackie Parkin",), "Mar 18", ["Performance Board (report)", "SEND Joint Commissioning Meetings (plan)"]),
    "SEND 5": (("Overdue",), "Amber", ("Mark Chambers", "Paula Williams (I)"), "July 17", ["SEND Joint Commissioning Meetings (plan)", "Schools Forum (report)"]),
}  # fmt: skip


@pytest.fixture(scope="module")
def questions(rotherham: Build) -> Questions:
    return Questions(rotherham.graph)


def test_rotherham_exceptions_are_these(questions: Questions) -> None:
    found = find_exceptions(questions)
    assert [e.ref for e in found] == [
        "JCP 9.1", "JCP 10.2", *PC_UNOWNED, "PR 2", "PR 3", "PR 4", "PR 7", "PR 11", "PR 19",
        "SEND 3", "SEND 4", "SEND 5",
    ]  # fmt: skip
    assert {
        e.ref: (tuple(r.reason for r in e.reasons), e.status, e.owners, e.target, e.boards)
        for e in found
    } == ROTHERHAM
    assert Counter(r.reason for e in found for r in e.reasons) == {
        "No owner": 13, "Overdue": 8, "Behind schedule": 6,
    }  # fmt: skip
    assert [e.accountable_leads for e in found if e.accountable_leads] == [("Paula Williams (I)",)]


def test_the_list_is_the_union_of_the_rules_hits(questions: Questions) -> None:
    rules = [r for r in bundled_rules() if r.id in EXCEPTION_RULES]
    assert sorted(r.id for r in rules) == ["behind-or-red", "no-owner", "overdue"]
    hits = find_gaps(questions.store, rules)
    by_rule = {(str(e.iri), r.rule) for e in find_exceptions(questions) for r in e.reasons}
    assert by_rule == {(str(g["subject"]), g["rule"]) for g in hits}
    # Each reason carries its rule's own sentences, each once.
    [jcp] = [e for e in find_exceptions(questions) if e.ref == "JCP 9.1"]
    assert [(r.rule, r.messages) for r in jcp.reasons] == [
        ("behind-or-red", ("JCP 9.1 is Behind schedule (row 1).",)),
        ("overdue", ("JCP 9.1's target June 17 had passed by 2017-09-25 and it is not complete.",)),
    ]


def test_the_rules_and_the_facts_agree_on_every_reason(questions: Questions) -> None:
    """The rules' hits are the facts' red and behind-schedule actions, `overdue`'s and the unowned."""
    found = find_exceptions(questions)
    facts = questions.facts().actions.values()

    def having(reason: str) -> set[str]:
        return {e.iri for e in found if reason in {r.reason for r in e.reasons}}

    assert having("Behind schedule") | having("Red") == {
        a.iri for a in facts if a.status in ("Red", "Behind schedule")
    }
    assert having("No owner") == {a.iri for a in facts if not a.owners}
    assert {e.ref for e in found if e.iri in having("Overdue")} == {
        r["ref"] for r in questions.overdue()
    }


def test_reasons_narrow_the_list(questions: Questions) -> None:
    overdue = find_exceptions(questions, reasons=["overdue"])
    assert [e.ref for e in overdue] == [
        "JCP 9.1", "JCP 10.2", "PR 4", "PR 7", "PR 11", "PR 19", "SEND 3", "SEND 5",
    ]  # fmt: skip
    assert find_exceptions(questions, reasons=["red"]) == []
    assert len(find_exceptions(questions, reasons=["behind-schedule", "no-owner"])) == 19
    with pytest.raises(UsageError, match="late: a reason is one of red, behind-schedule"):
        find_exceptions(questions, reasons=["late"])
    [option] = [p for p in main.commands["exceptions"].params if p.name == "reasons"]
    assert tuple(option.type.choices) == REASONS  # type: ignore[attr-defined]


def test_inferred_lines_add_the_boards_above(questions: Questions) -> None:
    [pc] = [
        e for e in find_exceptions(questions, ["inferred"]) if e.ref == "PC 1.1 identified action"
    ]
    assert pc.boards == [
        "Children's Partnership (reporting line, inferred)",
        "Health and Well Being Board (reporting line, inferred)",
        "Rotherham Place Board (reporting line, inferred)",
        "SEND Strategic Board (review)",
    ]
    as_json = json.loads(json.dumps(pc.to_dict()))
    assert (as_json["ref"], as_json["boards"], as_json["reasons"]) == (
        "PC 1.1 identified action",
        pc.boards,
        [{"rule": "no-owner", "reason": "No owner", "messages": ["PC 1.1 identified action has no owner."]}],
    )  # fmt: skip
    paths = [(o["label"], o["via"], o["modality"], len(o["path"])) for o in as_json["oversight"]]
    assert paths[:2] == [
        ("SEND Strategic Board", "review", "stated", 1),
        ("Children's Partnership", "reporting line", "inferred", 2),
    ]


def test_the_command_lists_them(questions: Questions) -> None:
    result = CliRunner().invoke(main, ["exceptions", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows == exception_rows(questions)
    assert rows[0] == {
        "ref": "JCP 9.1",
        "reasons": ["Behind schedule", "Overdue"],
        "status": "Behind schedule",
        "owners": ["Mark Chambers", "Paula Williams (I)"],
        "accountable_leads": [],
        "target": "June 17",
        "boards": ["SEND Joint Commissioning Meetings (plan)"],
        "plan": "JCP 9 Develop the market to ensure there is choice for personal budget holders, including transport",
        "text": "A clear understanding of the area of service where market development is required",
        "messages": [
            "JCP 9.1 is Behind schedule (row 1).",
            "JCP 9.1's target June 17 had passed by 2017-09-25 and it is not complete.",
        ],
    }
    table = CliRunner().invoke(main, ["exceptions", "--reason", "behind-schedule", "--wide"])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ref", "reasons", "status", "owners", "target", "boards"]
    assert [line.split("  ")[0] for line in lines[2:]] == [
        "JCP 9.1", "JCP 10.2", "PR 2", "PR 3", "PR 19", "SEND 4",
    ]  # fmt: skip
    red = CliRunner().invoke(main, ["exceptions", "--reason", "red"])
    assert (red.exit_code, red.stdout, red.stderr) == (0, "", "No action has the reason red.\n")


def test_csv_has_one_row_per_action() -> None:
    result = CliRunner().invoke(main, ["exceptions", "-f", "csv", "--reason", "overdue"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["ref"], r["reasons"], r["owners"]) for r in rows][:2] == [
        ("JCP 9.1", "Behind schedule; Overdue", "Mark Chambers; Paula Williams (I)"),
        ("JCP 10.2", "Behind schedule; Overdue", "Jo Smith"),
    ]
    assert len(rows) == 8


def test_the_endpoint_answers_the_exceptions_question(questions: Questions) -> None:
    from sendgraph.serve.server import Endpoint

    endpoint = Endpoint.__new__(Endpoint)
    endpoint.questions = questions
    answer = endpoint.question("exceptions", {"reason": "behind-schedule,overdue"})()
    assert [r["ref"] for r in answer] == [
        "JCP 9.1", "JCP 10.2", "PR 2", "PR 3", "PR 4", "PR 7", "PR 11", "PR 19",
        "SEND 3", "SEND 4", "SEND 5",
    ]  # fmt: skip
    inferred = endpoint.question("exceptions", {"include": "inferred"})()
    assert len(inferred) == 24
    assert "Health and Well Being Board (reporting line, inferred)" in inferred[2]["boards"]


def test_over_many_areas_each_row_names_its_area(tmp_path: Path) -> None:
    synthesise(tmp_path, 2)
    questions = Questions(build_areas(tmp_path).graph)
    rows = exception_rows(questions)
    assert {r["area"] for r in rows} == {"area-001", "area-002"}
    assert list(rows[0])[:2] == ["area", "ref"]
    assert [r["area"] for r in rows] == sorted(r["area"] for r in rows)
    hits = find_gaps(questions.store, [r for r in bundled_rules() if r.id in EXCEPTION_RULES])
    assert len(rows) == len({str(g["subject"]) for g in hits})
