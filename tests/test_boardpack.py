"""The board pack: what a board oversees, its exceptions, what changed since a date, its gaps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from sendgraph.ask.boardpack import board_pack, parse_since
from sendgraph.ask.exceptions import find_exceptions
from sendgraph.ask.questions import Questions
from sendgraph.base.errors import UsageError
from sendgraph.cli import main
from sendgraph.graph.build import Build, load_data
from tests.browser import pdf_texts, require_chromium
from tests.helpers import IMPORT_FIXTURES
from tests.htmltree import Element, parse

RAG_MONTHS = IMPORT_FIXTURES / "wsoa-rag-months"
PC_ACTIONS = [
    f"PC {n} identified action"
    for n in ("1.1", "1.2", "1.3", "2.2", "2.3", "2.4", "3.2", "3.3", "4.2", "5.2", "5.3", "6.2", "7.3")
]  # fmt: skip
STRATEGIC_STATEMENT = (
    "Nothing dated falls on or after 1 January 2020. The latest dated entry of what it "
    "oversees is JCP 6.4's status as at 2017-09-25: Amber. The latest version of its plans "
    "is SEND Joint Action Plan version 13 (25/09/17)."
)


def _section(page: Element, name: str) -> Element:
    [section] = page.find_all("section", id=name)
    return section


def _rows(section: Element) -> list[list[str]]:
    return [[cell.text() for cell in row.find_all("td")] for row in section.find_all("tr")][1:]


def test_the_strategic_boards_pack_on_the_bundled_data(tmp_path: Path) -> None:
    target = tmp_path / "pack.html"
    result = CliRunner().invoke(
        main,
        ["report", "--board", "SEND Strategic Board", "--since", "2020-01", "-o", str(target), "--no-cache"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Wrote {target} (SEND Strategic Board: 14 actions, 13 exceptions, "
        "0 dated entries since 2020-01, 27 gaps)\n"
    )
    page = parse(target.read_text(encoding="utf-8"))
    assert [s.attrs["id"] for s in page.find_all("section")] == [
        "oversees", "exceptions", "changes", "gaps",
    ]  # fmt: skip
    oversees = _section(page, "oversees")
    assert "It oversees 14 actions." in oversees.text()
    assert _rows(oversees) == [
        ["report", "", "JCP 6.4, PC 5.2 identified action", "1 Amber, 1 No status"],
        ["review", "SEND Peer Challenge", ", ".join(PC_ACTIONS), "13 No status"],
    ]
    assert _rows(_section(page, "exceptions")) == [
        [ref, "No owner", "No status", "", ""] for ref in PC_ACTIONS
    ]
    changes = _section(page, "changes")
    assert [p.text() for p in changes.find_all("p", "statement")] == [STRATEGIC_STATEMENT]
    assert changes.find_all("table") == []
    gaps = [li.text() for li in _section(page, "gaps").find_all("li")]
    assert sorted(gaps) == sorted(
        [f"warning no-owner: {ref} has no owner." for ref in PC_ACTIONS]
        + [f"warning no-target-date: {ref} has no target date." for ref in PC_ACTIONS]
        + [
            "warning slipped-target: JCP 6.4's target moved 7 months over 2 revisions: "
            "March 17 / July 17 / Oct 17."
        ]
    )


def test_the_packs_exceptions_are_the_exceptions_list_kept_to_the_board(
    rotherham: Build,
) -> None:
    questions = Questions(rotherham.graph)
    pack = board_pack(questions, "SEND Joint Commissioning Meetings", dt.date(2017, 6, 1))
    listed = [e for e in find_exceptions(questions) if any(o.board == pack.answer["iri"] for o in e.oversight)]  # fmt: skip
    assert pack.exceptions == tuple(listed)
    assert {"JCP 9.1", "JCP 10.2", "PR 2", "PR 3"} <= {e.ref for e in pack.exceptions}
    # Since June 2017: the plan's versions 8 to 13, once each, and no action's own entry
    # (the 2017 plan reports one status per action, as at 25 September 2017).
    assert [v.number for v in pack.versions] == [8, 9, 10, 11, 12, 13]
    assert pack.changes == ()


def test_the_changes_since_a_month_on_an_import_with_monthly_columns() -> None:
    result = CliRunner().invoke(
        main,
        ["report", "--board", "Eastvale SEND Partnership Board", "--since", "2022-05",
         "--data", str(RAG_MONTHS), "-f", "md", "-o", "-", "--no-cache"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.stdout
    changes = text[text.index("## What changed since") : text.index("## Gaps")]
    assert changes.splitlines()[2] == (
        "18 dated entries fall on or after 1 May 2022. The latest dated entry of what it "
        "oversees is WSoA 1.1's status as at 2022-08-31: Green."
    )
    rows = [line for line in changes.splitlines() if line.startswith("| 2022")]
    may = ["Green", "Amber", "Amber", "Red", "Green", "Amber", "Amber", "Green", "Green"]
    refs = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3"]
    assert rows == [
        f"| 2022-05-01 | WSoA {ref} | status | RAG May 22 | {status} | {'Amber' if ref == '3.2' else ''} |"
        for ref, status in zip(refs, may, strict=True)
    ] + [
        f"| 2022-08-01 | WSoA {ref} | status | RAG August 22 | {status} |  |"
        for ref, status in zip(refs, may, strict=True)
    ]
    exceptions = text[text.index("## Exceptions") : text.index("## What changed")]
    assert [line.split(" | ")[0] for line in exceptions.splitlines() if line.startswith("| WSoA")] == [
        "| WSoA 1.2", "| WSoA 2.1", "| WSoA 2.3",
    ]  # fmt: skip


def test_nothing_dated_after_the_last_column_says_so() -> None:
    questions = Questions(load_data(RAG_MONTHS).triples)
    pack = board_pack(questions, "Eastvale SEND Partnership Board", dt.date(2022, 9, 1))
    assert (pack.changes, pack.versions) == ((), ())
    assert pack.statement.startswith("Nothing dated falls on or after 1 September 2022.")


@pytest.mark.parametrize("text", ["2020-13", "Jan 2020", "2020", "2020-02-30"])
def test_a_bad_since_is_a_sentence(text: str) -> None:
    with pytest.raises(UsageError, match="is not a date sendgraph reads for --since"):
        parse_since(text)
    result = CliRunner().invoke(
        main, ["report", "--board", "SEND Strategic Board", "--since", text, "--no-cache"]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert f"{text!r} is not a date sendgraph reads for --since" in result.stderr


def test_a_board_pack_needs_a_board_and_a_date() -> None:
    result = CliRunner().invoke(main, ["report", "--since", "2020-01", "--no-cache"])
    assert result.exit_code == 2
    assert "a board pack needs both --board NAME and --since DATE." in result.stderr


def test_a_board_pack_prints_to_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_chromium()
    monkeypatch.delenv("SENDGRAPH_CHROMIUM", raising=False)
    target = tmp_path / "pack.pdf"
    result = CliRunner().invoke(
        main,
        ["report", "--board", "SEND Strategic Board", "--since", "2020-01", "-f", "pdf", "-o", str(target)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in pdf_texts(target.read_bytes())]
    assert "SEND Strategic Board" in pages[0]
    assert "Nothing dated falls on or after 1 January 2020." in " ".join(pages)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.pdf"]
