"""Board registers: chairs, members, meetings and lines read through a mapping, and the rules on them."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sendgraph.ask.gaps import bundled_rules, find_gaps
from sendgraph.ask.questions import Questions
from sendgraph.base.errors import UnknownReference
from sendgraph.base.problems import Severity
from sendgraph.cli import main
from sendgraph.graph.build import build_graph
from sendgraph.graph.vocab import Minter
from sendgraph.records.frequency import read_frequency
from tests.helpers import IMPORT_FIXTURES

REGISTER = IMPORT_FIXTURES / "board-register"
DOCUMENT = "westmoor-send-governance-structure-and-terms-of-reference"
SECTION = "Appendix 1, Membership"
SIB_ROW = (
    "Board: SEND Improvement Board; Chair: Helen Marsh (Director of Children's Services); "
    "Frequency of meetings: Every six weeks; Reports to: Health and Wellbeing Board; "
    "Plans overseen: Priority Action Plan"
)
SUFFICIENCY_ROW = (
    "Board: SEND Sufficiency Group; Chair: (empty); Frequency of meetings: Monthly; "
    "Reports to: SEND Improvement Board; Plans overseen: (empty)"
)
BOARD_RULES = {"self-scrutiny", "board-without-chair", "board-meets-less-often-than-plan-reports"}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def questions() -> Questions:
    result = build_graph(REGISTER)
    assert [p for p in result.problems if p.severity != Severity.INFO] == []
    return Questions(result.graph)


def test_the_register_gives_chairs_members_roles_and_organisations(questions: Questions) -> None:
    boards = questions.facts().boards
    seats = {
        (b.label, s.person, s.role, s.role_text, s.organisation, s.posts)
        for b in boards.values()
        for s in b.members
    }
    assert seats == {
        (
            "SEND Improvement Board",
            "Helen Marsh",
            "Chair",
            "Chair",
            "Westmoor Council",
            ("Director of Children's Services",),
        ),
        (
            "SEND Improvement Board",
            "Dr Sarah Lyons",
            "Member",
            "Vice-chair",
            "NHS Westmoor ICB",
            ("Director of Nursing",),
        ),
        (
            "SEND Improvement Board",
            "Mark Bentley",
            "Member",
            "Member",
            "Westmoor Council",
            ("Head of SEND",),
        ),
        (
            "SEND Improvement Board",
            "Amina Rahman",
            "Member",
            "Member",
            "Westmoor Parent Carer Forum",
            ("Co-chair",),
        ),
        (
            "SEND Improvement Board",
            "Gill Foster",
            "Adviser",
            "In attendance",
            "Department for Education",
            ("SEND Adviser",),
        ),
        (
            "SEND Sufficiency Group",
            "Mark Bentley",
            "Member",
            "Member",
            "Westmoor Council",
            ("Head of SEND",),
        ),
        (
            "SEND Sufficiency Group",
            "Priya Shah",
            "Member",
            "Member",
            "NHS Westmoor ICB",
            ("Commissioning Manager",),
        ),
        (
            "Schools Forum",
            "Andrew Reid",
            "Chair",
            "Chair",
            "Oakfield Primary School",
            ("Headteacher",),
        ),
        (
            "Schools Forum",
            "Mark Bentley",
            "Adviser",
            "Officer in attendance",
            "Westmoor Council",
            ("Head of SEND",),
        ),
    }
    assert {b.label: b.chairs for b in boards.values()} == {
        "SEND Improvement Board": ("Helen Marsh",),
        "SEND Sufficiency Group": (),
        "Schools Forum": ("Andrew Reid",),
        "Health and Wellbeing Board": (),
    }
    # The chair cell and the membership list name one seat; the chair heads the board.
    graph = questions.store
    mint = Minter("westmoor")
    heads = {
        (str(r["p"]), str(r["b"]))
        for r in graph.select("SELECT ?p ?b WHERE { ?p org:headOf ?b }", {})
    }
    assert heads == {
        (str(mint("person", "helen-marsh")), str(mint("board", "send-improvement-board"))),
        (str(mint("person", "andrew-reid")), str(mint("board", "schools-forum"))),
    }


def test_meetings_are_kept_as_written_with_their_interval(questions: Questions) -> None:
    boards = questions.facts().boards
    assert {b.label: (b.meets, b.meets_days, b.kind) for b in boards.values()} == {
        "SEND Improvement Board": ("Every six weeks", 42, "board"),
        "SEND Sufficiency Group": ("Monthly", 30, "group"),
        "Schools Forum": ("Termly", 122, "forum"),
        "Health and Wellbeing Board": ("", None, "board"),
    }


@pytest.mark.parametrize(
    ("written", "days"),
    [
        ("Monthly", 30), ("every six weeks", 42), ("Every 6 weeks", 42), ("6-weekly", 42),
        ("Quarterly", 91), ("At least quarterly", 91), ("Termly", 122), ("once a term", 122),
        ("Half termly", 61), ("Twice a year", 182), ("Six-monthly", 182), ("Fortnightly", 14),
        ("Every four weeks", 28), ("monthly, with extra meetings as required", 30),
        ("As required", None), ("bi-monthly", None), ("When needed", None),
    ],
)  # fmt: skip
def test_frequencies_as_terms_of_reference_write_them(written: str, days: int | None) -> None:
    frequency = read_frequency(written)
    assert (frequency.text, frequency.days, bool(frequency.problem)) == (
        written, days, days is None
    )  # fmt: skip


def test_lines_from_the_register_are_stated_with_the_rows_words(questions: Questions) -> None:
    lines = {
        (str(r["board_label"]), str(r["reports_to_label"]), r["modality"], str(r["quote"]))
        for r in questions.reporting_lines()
    }
    assert lines == {
        ("SEND Improvement Board", "Health and Wellbeing Board", "stated", SIB_ROW),
        ("SEND Sufficiency Group", "SEND Improvement Board", "stated", SUFFICIENCY_ROW),
    }


def test_the_three_rules_find_exactly_the_cases_built_in(questions: Questions) -> None:
    gaps = [
        (g["rule"], g["ref"], g["message"], g["quote"], g["document"], g["section"])
        for g in find_gaps(questions.store, bundled_rules())
        if g["rule"] in BOARD_RULES
    ]
    assert gaps == [
        (
            "board-meets-less-often-than-plan-reports", "SEND Improvement Board",
            "SEND Improvement Board oversees Priority Action Plan and meets every six weeks "
            "(every 42 days), but the plan reports monthly (every 30 days).",
            SIB_ROW, DOCUMENT, SECTION,
        ),
        (
            "board-without-chair", "SEND Sufficiency Group",
            "SEND Sufficiency Group has a register entry but no chair: its chair is left empty "
            "and no member is listed as chair.",
            SUFFICIENCY_ROW, DOCUMENT, SECTION,
        ),
        # PAP 2.1's owner sits on the board over its plan, but its progress also reports to
        # the Schools Forum, where he is only in attendance; PAP 1.2's owner sits on a group
        # that does not oversee it. Only PAP 1.1 is held to account by its own chair alone.
        (
            "self-scrutiny", "PAP 1.1",
            "Helen Marsh owns PAP 1.1 and is chair of SEND Improvement Board, the only board "
            "that oversees it.",
            SIB_ROW, DOCUMENT, SECTION,
        ),
    ]  # fmt: skip


def test_board_json_gives_every_fact() -> None:
    result = run("board", "send-improvement BOARD", "--data", str(REGISTER), "-f", "json")
    assert result.exit_code == 0, result.output
    board = json.loads(result.stdout)
    assert (board["label"], board["meets"], board["meets_days"], board["chairs"]) == (
        "SEND Improvement Board", "Every six weeks", 42, ["Helen Marsh"]
    )  # fmt: skip
    assert [(m["person"], m["role"]) for m in board["members"]] == [
        ("Helen Marsh", "Chair"), ("Amina Rahman", "Member"), ("Dr Sarah Lyons", "Member"),
        ("Mark Bentley", "Member"), ("Gill Foster", "Adviser"),
    ]  # fmt: skip
    assert [(line["board"], line["modality"]) for line in board["reports_to"]] == [
        ("Health and Wellbeing Board", "stated")
    ]
    assert [(line["board"], line["quote"]) for line in board["reported_to_by"]] == [
        ("SEND Sufficiency Group", SUFFICIENCY_ROW)
    ]
    assert board["oversees"] == [
        {
            "via": "plan",
            "through": "Priority Action Plan",
            "actions": ["PAP 1.1", "PAP 1.2", "PAP 2.1", "PAP 2.2"],
            "statuses": {"Amber": 2, "Green": 1, "Red": 1},
        }
    ]
    assert [(g["rule"], g["ref"]) for g in board["gaps"]] == [
        ("behind-or-red", "PAP 2.1"),
        ("board-meets-less-often-than-plan-reports", "SEND Improvement Board"),
        ("self-scrutiny", "PAP 1.1"),
    ]


def test_a_board_reached_only_by_a_report(questions: Questions) -> None:
    forum = questions.board("schools forum")
    assert list(forum["oversees"]) == [
        {"via": "report", "through": "", "actions": ["PAP 2.1"], "statuses": {"Red": 1}}
    ]


def test_an_unknown_board_is_answered_with_the_closest() -> None:
    result = run("board", "sufficency group", "--data", str(REGISTER))
    assert result.exit_code == 1
    assert (
        "no board matches 'sufficency group'; did you mean SEND Sufficiency Group?" in result.stderr
    )
    with pytest.raises(UnknownReference):
        Questions(build_graph(REGISTER).graph).board("Nothing like it at all, really")


def test_the_endpoint_answers_the_board_question(questions: Questions) -> None:
    from sendgraph.serve.server import Endpoint

    endpoint = Endpoint.__new__(Endpoint)
    endpoint.questions = questions
    endpoint.rules = bundled_rules()
    answer = endpoint.question("board", {"name": "Schools Forum"})()
    assert (answer["label"], answer["chairs"]) == ("Schools Forum", ("Andrew Reid",))


def test_register_mistakes_are_reported_in_one_run(tmp_path: Path) -> None:
    area = tmp_path / "area"
    shutil.copytree(REGISTER, area)
    members = (area / "members.csv").read_text(encoding="utf-8")
    (area / "members.csv").write_text(
        members + "Safeguarding Board,Jo Bloggs,Manager,Westmoor Council,Member\n"
        "Schools Forum,Jo Bloggs,Manager,Northmoor Council,Observer\n",
        encoding="utf-8",
    )
    register = (area / "register.csv").read_text(encoding="utf-8")
    (area / "register.csv").write_text(
        register + "Early Years Panel,Vacant,As required,,Early Years Plan\n", encoding="utf-8"
    )
    result = build_graph(area)
    found = {(p.source, p.row, p.field, p.severity, p.message) for p in result.problems}
    assert found == {
        (
            "area/members.csv",
            11,
            "Board",
            Severity.ERROR,
            "'Safeguarding Board' is not a board of the register.",
        ),
        (
            "area/members.csv",
            12,
            "Role",
            Severity.ERROR,
            "role 'Observer' is not under register: roles: in area/register.mapping.yaml; add it as chair, member or adviser.",
        ),
        (
            "area/register.csv",
            5,
            "Frequency of meetings",
            Severity.WARNING,
            "'As required' says 'as required', which names no interval; it is kept as written and not compared with how often plans report.",
        ),
        (
            "area/register.csv",
            5,
            "Plans overseen",
            Severity.ERROR,
            "'Early Years Plan' is not a plan the mappings of this import define (by id, title or ref prefix); the plans are: Priority Action Plan.",
        ),
    }


PEER_CHALLENGE_2_2 = (
    "From the Health and Well Being Board through to the Place Board, Children's Partnership, "
    "SEND Strategy Board and through groups such as RESP, there is consistent support for this "
    "agenda, with different groups owning their own part in continuously improving services "
    "and outcomes."
)
PC_IDENTIFIED = [
    f"PC {n} identified action"
    for n in ("1.1", "1.2", "1.3", "2.2", "2.3", "2.4", "3.2", "3.3", "4.2", "5.2", "5.3", "6.2", "7.3")
]  # fmt: skip


def test_the_send_strategic_board_as_json() -> None:
    """Its lines (each inferred, with its quote), what it oversees by path kind and by plan, its gaps."""
    result = run("board", "SEND Strategic Board", "-f", "json")
    assert result.exit_code == 0, result.output
    board = json.loads(result.stdout)
    lines = [
        (key, line["board"], line["modality"], line["quote"], line["section"])
        for key in ("reports_to", "reported_to_by")
        for line in board[key]
    ]
    assert lines == [
        ("reports_to", "Children's Partnership", "inferred", PEER_CHALLENGE_2_2, "Appendix 1, 2.2"),
        ("reported_to_by", "RESP", "inferred", PEER_CHALLENGE_2_2, "Appendix 1, 2.2"),
    ]
    assert board["oversees"] == [
        {"via": "report", "through": "", "actions": ["JCP 6.4", "PC 5.2 identified action"],
         "statuses": {"Amber": 1, "No status": 1}},
        {"via": "review", "through": "SEND Peer Challenge", "actions": PC_IDENTIFIED,
         "statuses": {"No status": 13}},
    ]  # fmt: skip
    assert board["by_plan"] == [
        {"plan": "", "via": "report", "actions": ["PC 5.2 identified action"], "statuses": {"No status": 1}},
        {"plan": "", "via": "review", "actions": PC_IDENTIFIED, "statuses": {"No status": 13}},
        {"plan": "JCP 6 Ensure that there is a co-ordinated joint workforce development plan",
         "via": "report", "actions": ["JCP 6.4"], "statuses": {"Amber": 1}},
    ]  # fmt: skip
    assert board["rollup"] == {"report": {"Amber": 1, "No status": 1}, "review": {"No status": 13}}
    assert Counter(g["rule"] for g in board["gaps"]) == {
        "no-owner": 13, "no-target-date": 13, "slipped-target": 1,
    }  # fmt: skip
    assert sorted({g["ref"] for g in board["gaps"]}) == sorted(["JCP 6.4", *PC_IDENTIFIED])


def test_the_board_at_the_top_oversees_what_is_below_it_by_the_lines_asked_for() -> None:
    stated = json.loads(run("board", "Health and Well Being Board", "-f", "json").stdout)
    assert [(ln["board"], ln["modality"]) for ln in stated["reported_to_by"]] == [
        ("Rotherham Place Board", "inferred")
    ]
    assert stated["rollup"] == {"report": {"No status": 1}}
    inferred = json.loads(
        run("board", "Health and Wellbeing Board", "--inferred", "-f", "json").stdout
    )
    assert [(g["plan"], g["via"], len(g["actions"])) for g in inferred["by_plan"]] == [
        ("", "reporting line", 13),
        ("JCP 3 Develop a performance and outcomes framework that will be applied across all "
         "Local Authority and Rotherham CCG provision", "report", 1),
        ("JCP 6 Ensure that there is a co-ordinated joint workforce development plan", "reporting line", 1),
    ]  # fmt: skip
    assert inferred["rollup"] == {
        "report": {"No status": 1},
        "reporting line": {"Amber": 1, "No status": 13},
    }


def test_a_register_board_oversees_its_plan_up_the_stated_line(questions: Questions) -> None:
    top = questions.board("Health and Wellbeing Board")
    assert top["oversees"] == ()
    assert list(top["by_plan"]) == [
        {"plan": "Priority Action Plan", "via": "reporting line",
         "actions": ["PAP 1.1", "PAP 1.2", "PAP 2.1", "PAP 2.2"],
         "statuses": {"Amber": 2, "Green": 1, "Red": 1}},
    ]  # fmt: skip
    assert top["rollup"] == {"reporting line": {"Amber": 2, "Green": 1, "Red": 1}}


def test_the_board_table_has_blocks_by_plan_and_by_path_kind() -> None:
    result = run("board", "SEND Strategic Board", "--wide")
    assert result.exit_code == 0, result.output
    titles = [ln for ln in result.stdout.splitlines() if ln and not ln.startswith((" ", "-"))]
    assert "Oversees, by plan (up the reporting lines too)" in titles
    lines = result.stdout.splitlines()
    at = lines.index("Status counts, by path kind")
    assert [ln.split() for ln in lines[at + 1 : at + 5]] == [
        ["via", "statuses"], ["------", "--------------------"],
        ["report", "Amber", "1,", "No", "status", "1"], ["review", "No", "status", "13"],
    ]  # fmt: skip
    assert [ln.split("  ")[0] for ln in lines if ln.startswith("(part of no plan)")] == [
        "(part of no plan)", "(part of no plan)",
    ]  # fmt: skip
