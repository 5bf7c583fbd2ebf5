"""Every shipped gap rule finds exactly the gaps that reading the papers finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendgraph.ask.gaps import bundled_rules, find_gaps, load_rules
from sendgraph.ask.sparql import QueryStore
from sendgraph.base.errors import RuleError
from sendgraph.graph.build import Build
from tests.helpers import drop_rows

PC_ACTIONS = [
    f"PC {n} identified action"
    for n in (
        "1.1",
        "1.2",
        "1.3",
        "2.2",
        "2.3",
        "2.4",
        "3.2",
        "3.3",
        "4.2",
        "5.2",
        "5.3",
        "6.2",
        "7.3",
    )
]

EXPECTED = {
    "behind-or-red": {"SEND 4", "PR 2", "PR 3", "PR 19", "JCP 9.1", "JCP 10.2"},
    # Neither paper is a board register: no chairs, members or meeting frequencies
    # (tests/test_boards.py has the register these find their cases in).
    "board-meets-less-often-than-plan-reports": set(),
    "board-without-chair": set(),
    "self-scrutiny": set(),
    "no-lead-officer": {"JCP 2"},  # its Lead Officer cell is empty in the paper
    "no-oversight": set(),  # every 2017 row sits in the overseen joint plan; every 2020 action answers the overseen review
    "no-owner": set(PC_ACTIONS),
    "no-target-date": {
        "PR 10",
        "PR 12",
        "PR 16",
        "PR 17",
        "PR 18",
        "PR 21",
        "PR 22",
        "JCP 2.7",
        *PC_ACTIONS,
    },
    "overdue": {"SEND 3", "SEND 5", "PR 4", "PR 7", "PR 11", "PR 19", "JCP 9.1", "JCP 10.2"},
    "owner-concentration": {"Paula Williams (I)"},
    "placeholder-entry": {"JCP 2.7", "JCP 10.2"},
    "ref-text-disagreement": {"PR 13"},
    "slipped-target": {"JCP 2.1", "JCP 2.3", "JCP 5.6", "JCP 5.7", "JCP 5.8", "JCP 6.4"},
    "status-outside-scheme": {"JCP 3.3", "JCP 3.4"},
    "unanswered-finding": {
        "CCG 1",
        "CCG 2",
        "CCG 3",
        "CCG 4",
        "PC 5.4",
        "PC 5.5",
        "PC A1",
        "PC A2",
        "PC A3",
    },
    "undefined-code": {
        "PR 5",
        "PR 8",
        "PR 9",
        "PR 10",
        "PR 11",
        "PR 12",
        "PR 13",
        "PR 14",
        "PR 15",
        "PR 17",
        "PR 19",
        "PR 21",
    },
}


@pytest.fixture(scope="module")
def gaps(rotherham: Build) -> list[dict[str, object]]:
    return find_gaps(QueryStore(rotherham.graph), load_rules())


def test_every_rule_has_an_expectation() -> None:
    assert {rule.id for rule in bundled_rules()} == set(EXPECTED) | {"orphan-board"}


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_hits(gaps: list[dict[str, object]], rule: str) -> None:
    assert {g["ref"] for g in gaps if g["rule"] == rule} == EXPECTED[rule]


def test_undefined_code_hits_once_per_citation(gaps: list[dict[str, object]]) -> None:
    assert sum(1 for g in gaps if g["rule"] == "undefined-code") == 18


def test_orphan_boards_exclude_every_board_in_a_stated_line(gaps: list[dict[str, object]]) -> None:
    orphans = {g["ref"] for g in gaps if g["rule"] == "orphan-board"}
    assert len(orphans) == 36
    # Stated oversight or a stated line, or a report in an action's progress text.
    assert not orphans & {
        "SEND Strategic Board", "SEND Joint Commissioning Meetings", "Rotherham Place Board",
        "Health and Well Being Board", "Joint Commissioning Resource Panel",
        "panel to focus on transitions to adulthood", "DLT", "Cabinet", "Performance Board",
        "Schools Forum", "Operational Executive", "Health Select Commission",
    }  # fmt: skip
    # Only inferred (the 2.2 chain), recommended (the 5.2 task group) or planned (SEND 1).
    assert {
        "Children's Partnership", "RESP", "Early Help Steering Group",
        "joint task and finish group", "SEND Assurance Group",
    } <= orphans  # fmt: skip


def test_orphan_board_and_oversight_answers_agree(
    rotherham: Build, gaps: list[dict[str, object]]
) -> None:
    """One definition of "oversees": no orphan oversees any action, and no overseer is an orphan."""
    from sendgraph.ask.questions import Questions

    questions = Questions(rotherham.graph)
    actions = [str(r["action"]) for r in questions.select("action-details")]
    overseers = {row["board"] for row in questions.oversight_of(actions)}
    orphans = {str(g["subject"]) for g in gaps if g["rule"] == "orphan-board"}
    assert len(actions) == 85 and len(overseers) == 15
    assert not orphans & overseers
    unflagged = {str(g["subject"]) for g in gaps if g["rule"] == "no-oversight"}
    assert unflagged == {a for a in actions if not questions.oversight_of([a])} == set()


def test_a_priority_with_an_empty_lead_officer_cell_is_a_gap_with_its_quote(
    data_copy: Path,
) -> None:
    import csv

    from sendgraph.graph.build import build_graph

    path = data_copy / "priorities.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["ref"] == "JCP 3":
            row["lead_officer"] = ""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    built = build_graph(data_copy, validate=False)
    rule = [r for r in load_rules() if r.id == "no-lead-officer"]
    for store in ("oxigraph", "rdflib"):
        found = find_gaps(QueryStore(built.graph, store), rule)
        assert [
            (g["ref"], g["message"], g["quote"], g["document"], g["section"]) for g in found
        ] == [
            (
                "JCP 2",
                "JCP 2 has no lead officer: its Lead Officer cell is empty.",
                "Review and re-model services that provide support for children and young people with challenging behaviour",
                "rotherham-ccg-send-update-2017",
                "Appendix 2, SEND Joint Commissioning Plan 2016/17, JCP 2",
            ),
            (
                "JCP 3",
                "JCP 3 has no lead officer: its Lead Officer cell is empty.",
                "Develop a performance and outcomes framework that will be applied across all Local Authority and Rotherham CCG provision",
                "rotherham-ccg-send-update-2017",
                "Appendix 2, SEND Joint Commissioning Plan 2016/17, JCP 3",
            ),
        ], store


def test_every_gap_carries_evidence_that_traces_to_a_paper(gaps: list[dict[str, object]]) -> None:
    documents = {"rotherham-ccg-send-update-2017", "rotherham-send-peer-challenge-2020"}
    for gap in gaps:
        assert gap["message"] and gap["quote"], gap
        assert gap["document"] in documents, gap


def test_the_2020_rows_without_an_identified_action(gaps: list[dict[str, object]]) -> None:
    rows = [
        g for g in gaps if g["rule"] == "unanswered-finding" and str(g["ref"]).startswith("PC 5")
    ]
    assert [(g["ref"], g["quote"]) for g in rows] == [
        (
            "PC 5.4",
            "Ensure that social care and health information is included in EHC when children are known to these services.",
        ),
        (
            "PC 5.5",
            "Consider the accessibility and personalisation of EHCPs (particularly use of professional language)",
        ),
    ]


def write_rule(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_users_rule_runs_beside_the_shipped_ones(rotherham: Build, tmp_path: Path) -> None:
    write_rule(
        tmp_path / "mine",
        "transitions.rq",
        "# id: transitions-team\n# severity: error\n# title: Owned by the Transitions Team\n# rationale: A test.\n"
        "SELECT ?subject ?ref ?message WHERE { ?subject sg:owner/foaf:name 'Dawn Brewer' ; skos:notation ?ref .\n"
        "BIND(CONCAT(?ref, ' is owned by the Transitions Team Manager') AS ?message) }\n",
    )
    found = find_gaps(QueryStore(rotherham.graph), load_rules([tmp_path / "mine"]))
    mine = [g for g in found if g["rule"] == "transitions-team"]
    assert [(g["ref"], g["severity"], g["message"]) for g in mine] == [
        ("PR 9", "error", "PR 9 is owned by the Transitions Team Manager")
    ]
    assert found[0]["rule"] == "transitions-team"  # errors sort first


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("SELECT ?subject WHERE { ?subject ?p ?o }", "the header needs '# id: ...'"),
        (
            "# id: x\n# severity: fatal\n# title: t\n# rationale: r\nSELECT * {}",
            "severity 'fatal' is not one of error, warning, info",
        ),
        (
            "# id: no-owner\n# severity: info\n# title: t\n# rationale: r\nSELECT * {}",
            "rule id 'no-owner' is already used",
        ),
    ],
)
def test_bad_rule_files_are_named(tmp_path: Path, text: str, words: str) -> None:
    write_rule(tmp_path / "bad", "rule.rq", text)
    with pytest.raises(RuleError) as error:
        load_rules([tmp_path / "bad"])
    assert str(error.value).startswith(str(tmp_path / "bad" / "rule.rq"))
    assert words in str(error.value)


def test_a_rule_missing_its_variables_is_named(rotherham: Build, tmp_path: Path) -> None:
    write_rule(
        tmp_path / "bad",
        "rule.rq",
        "# id: x\n# severity: info\n# title: t\n# rationale: r\nSELECT ?s WHERE { ?s a sg:Board }\n",
    )
    with pytest.raises(
        RuleError, match=r"rule.rq: a rule must be a SELECT of \?subject, \?ref, \?message"
    ):
        find_gaps(QueryStore(rotherham.graph), load_rules([tmp_path / "bad"]))


def test_a_users_rule_cannot_reach_the_network(rotherham: Build, tmp_path: Path) -> None:
    write_rule(
        tmp_path / "bad",
        "rule.rq",
        "# id: x\n# severity: info\n# title: t\n# rationale: r\n"
        "SELECT ?subject ?ref ?message WHERE { SERVICE <http://127.0.0.1:9/> { ?subject ?ref ?message } }\n",
    )
    with pytest.raises(RuleError, match="SERVICE clauses are refused"):
        find_gaps(QueryStore(rotherham.graph), load_rules([tmp_path / "bad"]))


def test_without_stated_oversight_only_actions_that_report_to_a_board_escape(
    data_copy: Path,
) -> None:
    """The no-oversight rule has no hits on the papers; take the stated oversight away and it must."""
    from sendgraph.graph.build import build_graph

    assert drop_rows(data_copy / "governance.csv", "relation", "oversees") > 0
    built = build_graph(data_copy, validate=False)
    rule = [r for r in load_rules() if r.id == "no-oversight"]
    for store in ("oxigraph", "rdflib"):
        found = {g["ref"] for g in find_gaps(QueryStore(built.graph, store), rule)}
        assert len(found) == 65, store
        # SEND 2 names no board; SEND 4 reports to the Performance Board; PC 1.1's action
        # names the SEND Strategic Board, but naming a board is not reporting to it.
        assert {"SEND 2", "PC 2.4 identified action", "PC 1.1 identified action"} <= found
        assert not found & {"SEND 4", "SEND 3"}
