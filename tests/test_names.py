"""Items by name: references first, then boards, people, plans, reviews and organisations, for --focus."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sendgraph.ask.names import NamedItem, resolve_name
from sendgraph.ask.questions import Questions
from sendgraph.base.errors import UnknownReference
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_areas
from sendgraph.read.synth import synthesise
from sendgraph.show.view import collect, slice_view

ID = "https://w3id.org/sendgraph/id/rotherham/"
HWB = NamedItem(iri=f"{ID}board/health-and-wellbeing-board", kind="board", label="Health and Well Being Board")  # fmt: skip


@pytest.fixture(scope="module")
def questions(rotherham: Build) -> Questions:
    return Questions(rotherham.graph)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Health and Well Being Board", HWB),
        ("health & well-being board", HWB),  # its alias
        ("Health and Wellbeing Board", HWB),  # spaces do not matter
        ("Wellbeing", HWB),  # a part of one name
        ("SEND Board", NamedItem(iri=f"{ID}board/send-strategic-board", kind="board", label="SEND Strategic Board")),
        ("PCF", NamedItem(iri=f"{ID}board/rotherham-parent-carers-forum", kind="board", label="Rotherham Parent Carers Forum")),
        ("Jackie Parkin", NamedItem(iri=f"{ID}person/jackie-parkin", kind="person", label="Jackie Parkin")),
        ("PW (EY)", NamedItem(iri=f"{ID}person/paula-williams-early-years", kind="person", label="Paula Williams (EY)")),
        ("SEND Joint Action Plan", NamedItem(iri=f"{ID}plan/send-joint-action-plan", kind="plan", label="SEND Joint Action Plan")),
        ("SEND Peer Challenge", NamedItem(iri=f"{ID}review/peer-challenge-2020", kind="review", label="SEND Peer Challenge")),
        ("send4", NamedItem(iri=f"{ID}action/send-4", kind="action", label="SEND 4")),
        ("JCP 2", NamedItem(iri=f"{ID}plan/jcp-2", kind="priority", label="JCP 2")),
    ],
)  # fmt: skip
def test_a_name_or_reference_names_one_item(
    questions: Questions, text: str, expected: NamedItem
) -> None:
    assert resolve_name(questions, text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Paula Williams",
            "'Paula Williams' could mean any of 2: Paula Williams (EY) (person), "
            "Paula Williams (I) (person); give the whole name of the one you mean.",
        ),
        (
            "Performance",
            "'Performance' could mean any of 2: Performance Board (board), JCP 3 Develop a "
            "performance and outcomes framework that will be applied across all Local Authority "
            "and Rotherham CCG provision (plan); give the whole name of the one you mean.",
        ),
        (
            "Helth and Wel Being Bord",
            "'Helth and Wel Being Bord' is neither a reference nor the name of a board, person, "
            "plan, review or organisation in this graph. Closest: Health and Well Being Board (board).",
        ),
        (
            "Nothing of the sort",
            "'Nothing of the sort' is neither a reference nor the name of a board, person, "
            "plan, review or organisation in this graph.",
        ),
    ],
)
def test_a_name_of_several_or_none_is_answered_with_candidates(
    questions: Questions, text: str, message: str
) -> None:
    with pytest.raises(UnknownReference) as caught:
        resolve_name(questions, text)
    assert str(caught.value) == message


def test_focus_on_a_board_keeps_its_neighbourhood(questions: Questions) -> None:
    data = collect(questions)
    near = slice_view(data, questions, focus="Health and Wellbeing Board", depth=1)
    assert sorted((n["kind"], n["label"]) for n in near.nodes.values()) == [
        ("action", "JCP 3.3"),
        ("board", "Health and Well Being Board"),
        ("document", "Special Educational Needs and Disabilities (SEND) Update"),
    ]  # fmt: skip
    owner = slice_view(data, questions, focus="Jackie Parkin", depth=1)
    assert sorted(n["label"] for n in owner.nodes.values() if n["kind"] == "action") == [
        "JCP 5.8", "PR 14", "PR 2", "PR 23", "PR 3", "PR 4", "PR 5", "SEND 4",
    ]  # fmt: skip
    wider = slice_view(data, questions, focus="Health and Well Being Board", depth=3)
    assert set(near.nodes) < set(wider.nodes)


def test_view_focus_takes_a_board_by_name(tmp_path: Path) -> None:
    out = tmp_path / "hwb.html"
    result = CliRunner().invoke(
        main, ["view", "--focus", "Health and Well Being Board", "--depth", "3", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {out} (")
    assert "Health and Well Being Board" in out.read_text(encoding="utf-8")
    wrong = CliRunner().invoke(main, ["view", "--focus", "Paula Williams", "-o", str(out)])
    assert wrong.exit_code == 1
    assert wrong.stderr == (
        "Error: 'Paula Williams' could mean any of 2: Paula Williams (EY) (person), "
        "Paula Williams (I) (person); give the whole name of the one you mean.\n"
    )


def test_over_many_areas_a_name_is_one_areas(tmp_path: Path) -> None:
    synthesise(tmp_path, 2)
    questions = Questions(build_areas(tmp_path).graph)
    board = resolve_name(questions, "area-002:SEND Board")
    assert (board.area, board.kind) == ("area-002", "board")
    with pytest.raises(UnknownReference, match=r"name one as AREA:NAME\.$"):
        resolve_name(questions, "SEND Board")
