"""Every bundled .rq file, run on the Rotherham graph, gives exactly its expected rows."""

from __future__ import annotations

from collections import Counter

import pytest

from sendgraph.ask.questions import Questions, bundled_queries
from sendgraph.graph.build import Build


@pytest.fixture(scope="module")
def questions(rotherham: Build) -> Questions:
    return Questions(rotherham.graph)


def test_every_query_has_a_title_a_description_and_a_test() -> None:
    assert set(bundled_queries()) == set(EXPECTED_COUNTS)
    for query in bundled_queries().values():
        assert query.title != query.name and query.description


# Counted from the papers: see each line's comment.
EXPECTED_COUNTS = {
    "action-details": 85,  # one row per action
    "areas": 1,  # Rotherham alone; tests/test_areas.py compares several
    "answers": 36,  # 23 recommendations answer themselves + 13 identified 2020 actions
    "board-details": 58,  # 52 boards, a row for each alias: four boards have two, one has three
    "board-members": 0,  # neither paper lists a board's members; tests/test_boards.py reads a register
    "citations": 48,
    "findings": 51,  # 23 recommendations + 4 CCG gaps + 24 peer challenge findings  # 41 Ref-column citations + 6 text mentions + SEND 9, which nothing cites
    "governance-statements": 13,  # every row of data/governance.csv, whatever its modality
    "oversight": 110,  # 72 plan paths + 13 review paths + 25 reports in progress text
    "people": 41,  # a row per person and post and organisation (people with no post: one row)
    "plan-versions": 13,  # the joint action plan's version history, data/versions.csv
    "progress": 113,  # every progress entry
    "provenance": 310,  # 85 actions + 28 findings that are not actions + 113 progress entries + 52 boards + 32 people
    "status-history": 0,  # the 2017 plan reports one status per action; tests/test_report.py adds a series
    "success-measures": 0,  # the 2017 plan states none; tests/test_report.py adds one
    "projection": 311,  # the network edges; broken down by relation below
    "reporting-lines": 5,  # the inferred 2.2 chain (4), the stated transitions panel (1); never the recommended 5.2 task group
    "responsibilities": 104,  # owners, accountable leads and lead officers
    "sources": 125,  # 18 plans + 3 reviews + 52 boards + 12 codes + 32 people + 8 organisations
    "status-dates": 72,  # every action of the 2017 plan, once
    "target-dates": 81,  # first-row targets of every action
    # Theme tags, one row per matched word (tests/test_themes.py asserts what they hold)
    "recurring": 92,  # the findings of the 11 themes raised by more than one review
    "theme-actions": 129,  # every action tagged with a theme
    "theme-tags": 202,  # every theme and measure tag
    "theme-removals": 1,  # PR 22 is not about data (data/theme_corrections.csv)
    "version-dates": 19,  # 2 dated papers + 13 entries of the version log + 4 plans' status dates
}


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_query_row_count(questions: Questions, name: str) -> None:
    assert len(questions.select(name)) == EXPECTED_COUNTS[name]


def test_answers_rows(questions: Questions) -> None:
    pairs = {(r["finding_ref"], r["action_ref"]) for r in questions.select("answers")}
    assert {(f, a) for f, a in pairs if f.startswith("PC")} == {
        (ref, f"{ref} identified action")
        for ref in (
            "PC 1.1",
            "PC 1.2",
            "PC 1.3",
            "PC 2.2",
            "PC 2.3",
            "PC 2.4",
            "PC 3.2",
            "PC 3.3",
            "PC 4.2",
            "PC 5.2",
            "PC 5.3",
            "PC 6.2",
            "PC 7.3",
        )
    }
    assert {(f, a) for f, a in pairs if f.startswith("PR")} == {
        (f"PR {n}", f"PR {n}") for n in range(1, 24)
    }


def test_reporting_lines_rows(questions: Questions) -> None:
    assert {
        (r["board_label"], r["reports_to_label"], str(r["modality"]).rsplit("#", 1)[1])
        for r in questions.select("reporting-lines")
    } == {
        ("Rotherham Place Board", "Health and Well Being Board", "inferred"),
        ("Children's Partnership", "Rotherham Place Board", "inferred"),
        ("SEND Strategic Board", "Children's Partnership", "inferred"),
        ("RESP", "SEND Strategic Board", "inferred"),
        ("panel to focus on transitions to adulthood", "Joint Commissioning Resource Panel", "stated"),
    }  # fmt: skip


def test_governance_statements_rows_keep_the_recommended_lines_labelled(
    questions: Questions,
) -> None:
    rows = questions.select("governance-statements")
    modalities = Counter(str(r["modality"]).rsplit("#", 1)[1] for r in rows)
    assert modalities == {"stated": 6, "inferred": 4, "recommended": 2, "planned": 1}
    assert {
        (r["subject_label"], r["relation"], r["object_label"])
        for r in rows
        if str(r["modality"]).endswith("#recommended")
    } == {
        ("joint task and finish group", "reports to", "SEND Strategic Board"),
        ("joint task and finish group", "reports to", "Early Help Steering Group"),
    }


def test_plan_versions_rows(questions: Questions) -> None:
    rows = questions.select("plan-versions")
    assert [(r["number"], r["date_text"], str(r["date"]), r["amended_by"]) for r in rows] == [
        (1, "14/02/17", "2017-02-14", "Christine Pike"),
        (2, "27/02/17", "2017-02-27", "Christine Pike"),
        (3, "27/02/17", "2017-02-27", "Christine Pike"),
        (4, "01/03/17", "2017-03-01", "Paula Williams"),
        (5, "07/03/17", "2017-03-07", "Christine Pike"),
        (6, "03/04/17", "2017-04-03", "Christine Pike"),
        (7, "03/05/17", "2017-05-03", "Christine Pike"),
        (8, "08/06/17", "2017-06-08", "Christine Pike"),
        (9, "20/06/17", "2017-06-20", "Christine Pike"),
        (10, "18/07/17", "2017-07-18", "Christine Pike"),
        (11, "19/07/17", "2017-07-19", "Christine Pike"),
        (12, "09/08/17", "2017-08-09", "Christine Pike"),
        (13, "25/09/17", "2017-09-25", "Christine Pike"),
    ]
    assert {r["plan_label"] for r in rows} == {"SEND Joint Action Plan"}
    revises = {str(r["version"]): str(r["revises"]) if r["revises"] else None for r in rows}
    by_number = {r["number"]: str(r["version"]) for r in rows}
    assert revises == {by_number[n]: by_number.get(n - 1) for n in range(1, 14)}
    assert rows[0]["summary"].startswith("Updates collated from identified leads")


def test_version_dates_rows(questions: Questions) -> None:
    rows = questions.select("version-dates")
    assert Counter(r["kind"] for r in rows) == {"plan version": 13, "status date": 4, "paper": 2}
    assert [(str(r["date"]), r["label"]) for r in rows[-2:]] == [
        ("2017-11-01", "Special Educational Needs and Disabilities (SEND) Update"),
        ("2020-12-15", "SEND Peer Challenge Outcomes and Progress Update"),
    ]


def test_status_dates_rows(questions: Questions) -> None:
    assert {str(r["status_date"]) for r in questions.select("status-dates")} == {"2017-09-25"}


def test_target_dates_rows_for_one_action(questions: Questions, iri: object) -> None:
    rows = questions.select("target-dates", action=str(iri("action", "jcp-6-4")))  # type: ignore[operator]
    assert [(r["revision"], r["raw"], str(r["month"])) for r in rows] == [
        (1, "March 17", "2017-03"),
        (2, "July 17", "2017-07"),
        (3, "Oct 17", "2017-10"),
    ]


def test_people_rows_for_the_joint_post(questions: Questions, iri: object) -> None:
    rows = questions.select("people", person=str(iri("person", "mark-chambers")))  # type: ignore[operator]
    assert {(r["post"], r["organisation"]) for r in rows} == {
        (
            "Joint AD RMBC & CCG, Commissioning, Performance & Quality",
            "Rotherham Metropolitan Borough Council",
        ),
        (
            "Joint AD RMBC & CCG, Commissioning, Performance & Quality",
            "NHS Rotherham Clinical Commissioning Group",
        ),
        (
            "Joint Assistant Director – Commissioning, Performance and Quality",
            "Rotherham Metropolitan Borough Council",
        ),
        (
            "Joint Assistant Director – Commissioning, Performance and Quality",
            "NHS Rotherham Clinical Commissioning Group",
        ),
    }


def test_progress_rows_for_a_ccg_gap(questions: Questions, iri: object) -> None:
    rows = questions.select("progress", item=str(iri("finding", "ccg-2")))  # type: ignore[operator]
    assert [r["row"] for r in rows] == [1, 2, 3]
    assert rows[0]["text"] == "SALT Manager continues to receive EHCPs and attends the SEND Panel."


def test_responsibilities_rows_for_mary_jarrett(questions: Questions, iri: object) -> None:
    rows = questions.select("responsibilities", person=str(iri("person", "mary-jarrett")))  # type: ignore[operator]
    assert {(r["ref"], r["role"]) for r in rows} == {
        ("PR 8", "owner"), ("PR 10", "owner"), ("PR 11", "owner"), ("PR 12", "owner"), ("PR 13", "owner"),
        ("JCP 7.1", "owner"), ("JCP 7.2", "owner"), ("JCP 8.1", "owner"), ("JCP 8.2", "owner"),
        ("JCP 7", "lead officer"), ("JCP 8", "lead officer"),
    }  # fmt: skip


def test_action_details_row(questions: Questions, iri: object) -> None:
    [row] = questions.select("action-details", action=str(iri("action", "send-4")))  # type: ignore[operator]
    assert (row["ref"], row["status"], row["target"], str(row["target_month"])) == (
        "SEND 4",
        "Behind schedule",
        "Mar 18",
        "2018-03",
    )
    assert (row["source_file"], row["source_row"]) == ("data/actions.csv", 6)


def test_citations_and_oversight_rows(questions: Questions, iri: object) -> None:
    cited = questions.select("citations", code=str(iri("code", "voice-1")))  # type: ignore[operator]
    assert [(r["citer_ref"], r["relation"], r["defined"]) for r in cited] == [
        ("PR 14", "references", False)
    ]
    over = questions.select("oversight", action=str(iri("action", "jcp-6-4")))  # type: ignore[operator]
    assert {(r["board_label"], r["via"]) for r in over} == {
        ("SEND Joint Commissioning Meetings", "plan"),
        ("SEND Strategic Board", "report"),
    }


def test_projection_rows_by_relation(questions: Questions) -> None:
    counts: dict[str, int] = {}
    for row in questions.select("projection"):
        counts[row["relation"]] = counts.get(row["relation"], 0) + 1
    assert (
        counts
        == {
            "owns": 88,
            "accountable for": 5,  # SEND 4 and SEND 7 (Paula Williams), SEND 8, PR 21, PR 22 (Mark Chambers)
            "led by": 11,  # JCP 4 and JCP 7 have two lead officers, JCP 2 none
            "part of": 85,  # 72 rows of the 2017 plan + 3 sections + 10 priorities
            "generated by": 51,  # every finding
            "answers": 13,  # the 2020 identified actions
            "oversees": 5,  # stated only: SEND 1's SEND Assurance Group line is planned
            "reports to": 1,  # stated only: the transitions panel; the 2.2 chain is inferred
            "reports in progress to": 25,
            "member of": 23,  # distinct person-organisation pairs from posts
            "reviewed by": 4,  # the 2020 peer challenge team
        }
    )
