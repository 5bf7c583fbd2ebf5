"""The named questions give exactly the answers that reading the two papers gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sendgraph.ask.questions import Questions
from sendgraph.base.errors import SendgraphError, UnknownReference
from sendgraph.graph.build import Build, build_graph


@pytest.fixture(scope="session")
def questions(rotherham: Build) -> Questions:
    return Questions(rotherham.graph)


@pytest.mark.parametrize(
    ("typed", "notation"),
    [
        ("SEND 4", "SEND 4"), ("send4", "SEND 4"), ("PR 14", "PR 14"), ("peer review 14", "PR 14"),
        ("PC 5.5", "PC 5.5"), ("pc5.5", "PC 5.5"), ("JCP 2", "JCP 2"), ("jcp 2.7", "JCP 2.7"),
        ("eh 12", "EH12"), ("WORKFORCE DEV 1", "WORK-FORCE DEV 1"), ("lac 2-2", "LAC 2-2"), ("CCG 3", "CCG 3"),
    ],
)  # fmt: skip
def test_references_forgive_typing(questions: Questions, typed: str, notation: str) -> None:
    assert questions.references.resolve(typed).notation == notation


def test_unknown_reference_suggests_the_closest(questions: Questions) -> None:
    with pytest.raises(UnknownReference) as error:
        questions.references.resolve("PR 99")
    assert str(error.value) == "'PR 99' is not a reference in this graph. Closest: PR 9, PR 19."


def oversight(questions: Questions, ref: str) -> set[tuple[str, str]]:
    return {(r["label"], r["via"]) for r in questions.oversight(ref)}


def test_oversight_of_send_4(questions: Questions) -> None:
    assert oversight(questions, "SEND 4") == {
        ("Performance Board", "report"),
        ("SEND Joint Commissioning Meetings", "plan"),
    }
    [report] = [r for r in questions.oversight("SEND 4") if r["via"] == "report"]
    assert report["path"] == [
        {
            "from": "SEND 4",
            "relation": "reports to",
            "to": "Performance Board",
            "modality": "stated",
            "quote": "Now reporting to the performance board monthly.",
            "document": "rotherham-ccg-send-update-2017",
            "section": "Appendix 2, CYPS Improvement Plan Measures, SEND 4",
        }
    ]


def test_oversight_of_send_3(questions: Questions) -> None:
    assert oversight(questions, "SEND 3") == {
        ("DLT", "report"),
        ("Cabinet", "report"),
        ("SEND Joint Commissioning Meetings", "plan"),
    }


def test_oversight_follows_only_stated_lines_by_default(questions: Questions) -> None:
    assert oversight(questions, "PC 1.3") == {("SEND Strategic Board", "review")}
    assert {r["modality"] for r in questions.oversight("PC 1.3")} == {"stated"}


def test_oversight_climbs_the_inferred_reporting_line_on_request(questions: Questions) -> None:
    rows = questions.oversight("PC 1.3", include=["inferred"])
    assert {(r["label"], r["via"], r["modality"]) for r in rows} == {
        ("SEND Strategic Board", "review", "stated"),
        ("Children's Partnership", "reporting line", "inferred"),
        ("Rotherham Place Board", "reporting line", "inferred"),
        ("Health and Well Being Board", "reporting line", "inferred"),
    }
    [top] = [r for r in rows if r["label"] == "Health and Well Being Board"]
    assert [(step["to"], step["modality"]) for step in top["path"]] == [
        ("SEND Peer Challenge", "stated"),
        ("Children's Partnership", "inferred"),
        ("Rotherham Place Board", "inferred"),
        ("Health and Well Being Board", "inferred"),
    ]


def test_a_recommended_line_is_never_a_reporting_line(questions: Questions) -> None:
    lines = questions.reporting_lines(include=["inferred", "planned"])
    assert "joint task and finish group" not in {r["board_label"] for r in lines}
    with pytest.raises(SendgraphError, match="recommended"):
        questions.oversight("PC 5.2", include=["recommended"])


def test_trace_a_recommendation(questions: Questions) -> None:
    [row] = questions.trace("PR 14")
    assert row["ref"] == "PR 14"
    assert row["owners"] == ["Jackie Parkin"]
    assert row["organisations"] == ["Rotherham Metropolitan Borough Council"]
    assert row["status_text"] == "On track" and row["targets"] == ["Sept 17"]
    # Each board with the kind of its path: here, the plan the recommendation is a row of.
    assert row["boards"] == ["SEND Joint Commissioning Meetings (plan)"]
    assert row["answers"] == ["PR 14"] and row["plan"] == "Peer Review measures"


def test_trace_from_an_action_gives_the_findings_that_cite_it(questions: Questions) -> None:
    rows = questions.trace("SEND 4")
    assert [r["ref"] for r in rows] == ["PR 1", "PR 2", "PR 3", "PR 4", "PR 14", "PR 20", "PR 23"]
    assert {r["relation"] for r in rows} == {"references this measure"}


def test_trace_carries_owner_and_accountable_lead(questions: Questions) -> None:
    rows = questions.trace("JCP 2")  # a priority: its sub-actions
    assert [r["ref"] for r in rows] == [f"JCP 2.{n}" for n in range(1, 8)]
    assert set(rows[0]["owners"]) == {"Paula Williams (I)", "Chris Harrison"}
    assert rows[0]["organisations"] == ["Rotherham Metropolitan Borough Council", "SEND 4 Change"]


def test_trace_the_2020_rows_without_an_identified_action(questions: Questions) -> None:
    assert questions.trace("PC 5.4") == []
    assert questions.trace("PC 5.5") == []
    [row] = questions.trace("PC 1.2")
    assert row["ref"] == "PC 1.2 identified action"
    # Stated lines only: the 2.2 chain above the SEND Strategic Board is inferred.
    assert row["boards"] == [
        "Health Select Commission (report)", "Rotherham Place Board (report)",
        "SEND Strategic Board (review)",
    ]  # fmt: skip


def test_trace_an_undefined_code(questions: Questions) -> None:
    assert questions.trace("EH12") == [
        {"ref": "PR 19", "code": "EH12", "defined": False, "relation": "references"}
    ]


def test_xref_send_4(questions: Questions) -> None:
    rows = questions.xref("SEND 4")
    assert [r["ref"] for r in rows] == ["PR 1", "PR 2", "PR 3", "PR 4", "PR 14", "PR 20", "PR 23"]
    assert {r["code_is"] for r in rows} == {
        "Develop fully effective EHC assessments of need, support planning completed within statutory timescales."
    }


def test_xref_shows_text_mentions_beside_ref_columns(questions: Questions) -> None:
    assert [(r["ref"], r["relation"]) for r in questions.xref("SEND 5")] == [("PR 13", "mentions")]
    assert {r["ref"] for r in questions.xref("CWD 9")} == {"PR 8", "PR 11", "PR 12"}


def test_owner_jackie_parkin(questions: Questions) -> None:
    rows = questions.owner("Jackie Parkin")
    assert {(r["ref"], r["role"]) for r in rows} == {
        ("SEND 4", "owner"), ("PR 2", "owner"), ("PR 3", "owner"), ("PR 4", "owner"),
        ("PR 5", "owner"), ("PR 14", "owner"), ("PR 23", "owner"), ("JCP 5.8", "owner"),
    }  # fmt: skip


def test_owner_asks_which_paula_williams(questions: Questions) -> None:
    with pytest.raises(UnknownReference) as error:
        questions.owner("Paula Williams")
    message = str(error.value)
    assert "names 2 people" in message
    assert "PW (EY): Service Leader, Early Years, RMBC" in message
    assert "PW (I): Head of Inclusion, Education & Skills, RMBC" in message


def test_owner_by_initials_or_label(questions: Questions) -> None:
    assert [(r["ref"], r["role"]) for r in questions.owner("PW (EY)")] == [("PR 18", "owner")]
    inclusion = questions.owner("Paula Williams (I)")
    assert {r["ref"] for r in inclusion if r["role"] == "lead officer"} == {
        "JCP 1",
        "JCP 5",
        "JCP 6",
    }
    assert {r["ref"] for r in inclusion if r["role"] == "accountable lead"} == {"SEND 4", "SEND 7"}


def test_slippage_ranking(questions: Questions) -> None:
    ranked = [(r["ref"], r["revisions"], r["months"]) for r in questions.slippage()]
    assert ranked == [
        ("JCP 2.1", 1, 28), ("JCP 5.7", 2, 12), ("JCP 5.8", 1, 10), ("JCP 2.3", 2, 8), ("JCP 6.4", 2, 7),
        ("JCP 5.6", 1, 6), ("SEND 1", 1, 3), ("SEND 5", 1, 3),
        ("JCP 1.3", 1, 2), ("JCP 2.4", 1, 2), ("JCP 2.6", 1, 2), ("JCP 3.3", 1, 2),
        ("JCP 3.4", 1, None),
    ]  # fmt: skip


def test_overdue_as_at_the_plans_own_date(questions: Questions) -> None:
    rows = questions.overdue()
    assert [r["ref"] for r in rows] == [
        "JCP 9.1",
        "JCP 10.2",
        "PR 4",
        "PR 7",
        "PR 11",
        "PR 19",
        "SEND 3",
        "SEND 5",
    ]
    assert {r["as_of"] for r in rows} == {"2017-09-25"}


def test_overdue_as_at_a_later_date(questions: Questions) -> None:
    later = {r["ref"] for r in questions.overdue(dt.date(2017, 10, 1))}
    assert later - {r["ref"] for r in questions.overdue()} == {
        "SEND 1", "SEND 7", "PR 5", "PR 6", "PR 14", "PR 23",
        "JCP 1.3", "JCP 1.4", "JCP 2.4", "JCP 2.6", "JCP 3.3", "JCP 3.4", "JCP 5.6", "JCP 7.1",
    }  # fmt: skip


def test_trace_of_an_action_gives_the_codes_it_cites(data_copy: Path) -> None:
    actions = data_copy / "actions.csv"
    text = actions.read_text(encoding="utf-8-sig")
    assert text.count("\nJCP 2.1,1,jcp-2,,") == 1
    actions.write_text(
        text.replace("\nJCP 2.1,1,jcp-2,,", "\nJCP 2.1,1,jcp-2,SEND 4; CWD 8,"), encoding="utf-8"
    )
    asked = Questions(build_graph(data_copy).graph, "oxigraph")
    assert asked.trace("JCP 2.1") == [
        {"ref": "CWD 8", "relation": "referenced by this action", "action": "JCP 2.1"},
        {"ref": "SEND 4", "relation": "referenced by this action", "action": "JCP 2.1"},
    ]


def test_untraced_says_what_the_reference_is(questions: Questions) -> None:
    assert questions.untraced("PC 5.4") == [
        "Nothing answers PC 5.4: no action was identified for it.",
        "PC 5.4, SEND Peer Challenge (rotherham-send-peer-challenge-2020, Education, Health & Care Plans):",
        "  Strength: CLA reviews and Annual reviews of EHCPs are undertaken together where possible,",
        "  Area for consideration: Ensure that social care and health information is included in EHC when children are known to these services.",
    ]
    assert questions.untraced("JCP 2.1") == [
        "JCP 2.1, an action of JCP 2 Review and re-model services that provide support for children "
        "and young people with challenging behaviour, answers no finding, cites no code, and nothing cites it."
    ]
