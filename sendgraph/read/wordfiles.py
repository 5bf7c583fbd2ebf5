"""Word documents (.docx): their tables laid on a grid, and their paragraphs as lines.

Most Written Statements of Action, Accelerated Progress Plans and Priority Action Plans
are written in Word: a heading for each area for priority action, a table of actions
under it. Tables are read with python-docx at the level of the XML, because a cell's
horizontal span (``w:gridSpan``), vertical merge (``w:vMerge``) and skipped grid
columns (``w:gridBefore``) decide which column its words belong to. Tables are
numbered in document order; a table inside a table's cell is not a table of the
document, and is reported. A .docx is a zip like a workbook, and is checked the same
way (size, compression, entities) before python-docx opens it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.spreadsheets import zip_refusal
from sendgraph.read.tablegrid import FoundTable, GridCell, cell_lines

_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
MAX_GRID_COLUMNS = 1000  # Word itself allows 63 columns


def heading_level(style: str) -> int | None:
    """Return the heading level of a paragraph style's name: Title is 0, Heading 2 is 2.

    >>> heading_level("Heading 2"), heading_level("Title"), heading_level("Normal")
    (2, 0, None)
    """
    if style.strip().casefold() == "title":
        return 0
    match = _HEADING_STYLE.match(style.strip())
    return int(match.group(1)) if match else None


def open_docx(path: Path, shown: str) -> tuple[Any, list[Problem]]:
    """Open a .docx with python-docx, or return None and the sentence that says why not."""
    if not path.is_file():
        return None, [Problem(shown, 0, "", Severity.ERROR, "is missing.")]
    refusal = zip_refusal(path)
    if refusal is not None:
        refusal = refusal.replace("an Excel workbook", "a Word document").replace(
            "for a workbook", "for a document"
        )
        return None, [Problem(shown, 0, "", Severity.ERROR, refusal)]
    # Imported here: python-docx (and lxml) are needed only for Word documents.
    import docx

    try:
        return docx.Document(str(path)), []
    except Exception as exc:
        # python-docx fails on a damaged or non-Word file in many ways; each is the file's
        # fault and becomes one sentence, never a traceback.
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        return None, [
            Problem(
                shown,
                0,
                "",
                Severity.ERROR,
                f"cannot be read as a Word document ({type(exc).__name__}: {detail}).",
            )
        ]


def _style_name(paragraph: Any, document: Any) -> str:
    from docx.text.paragraph import Paragraph

    try:
        style = Paragraph(paragraph, document).style
    except (KeyError, ValueError):
        return ""
    return str(style.name) if style is not None and style.name else ""


def paragraph_text(paragraph: Any) -> str:
    """Return a paragraph element's words, its line breaks kept as newlines."""
    from docx.text.paragraph import Paragraph

    return str(Paragraph(paragraph, None).text)  # type: ignore[arg-type]  # text needs no parent


def body_items(document: Any) -> list[tuple[str, Any, int | None]]:
    """The body's paragraphs and tables in order: ("p", element, heading level) or ("tbl", element, None)."""
    from docx.oxml.ns import qn

    items: list[tuple[str, Any, int | None]] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            style = _style_name(child, document)
            level = heading_level(style)
            if level is None and style.strip().casefold() == "caption":
                level = 9  # a caption names the table below it; the deepest level
            items.append(("p", child, level))
        elif child.tag == qn("w:tbl"):
            items.append(("tbl", child, None))
    return items


def docx_tables(path: Path, shown: str) -> tuple[list[FoundTable], list[Problem]]:
    """Read every table of the document's body, each on its grid, with the headings above it."""
    document, problems = open_docx(path, shown)
    if document is None:
        return [], problems
    tables: list[FoundTable] = []
    headings: dict[int, str] = {}
    heading = ""
    for kind, element, level in body_items(document):
        if kind == "p":
            text = " ".join(paragraph_text(element).split())
            if level is not None and text:
                heading = text
                headings = {k: v for k, v in headings.items() if k < level}
                headings[level] = text
            continue
        position = len(tables) + 1
        table = FoundTable(
            source=f"{shown}[table {position}]",
            position=position,
            heading=heading,
            headings=dict(headings),
        )
        problems += _grid(element, table)
        tables.append(table)
    return tables, problems


def _cell_text(tc: Any) -> str:
    from docx.oxml.ns import qn

    paragraphs = tc.findall(qn("w:p"))
    return cell_lines("\n".join(paragraph_text(p) for p in paragraphs))


def _grid(tbl: Any, table: FoundTable) -> list[Problem]:
    """Lay the rows of a ``w:tbl`` on their grid in ``table``; notes on what is not read."""
    from docx.oxml.ns import qn

    problems: list[Problem] = []
    above: dict[int, GridCell] = {}  # grid column -> the cell last placed over it
    for number, tr in enumerate(tbl.findall(qn("w:tr")), start=1):
        row: list[GridCell] = []
        column = min(int(tr.grid_before or 0), MAX_GRID_COLUMNS)
        for tc in tr.findall(qn("w:tc")):
            span = max(1, min(int(tc.grid_span or 1), MAX_GRID_COLUMNS))
            first, last = column, column + span - 1
            column = last + 1
            if tc.find(f".//{qn('w:tbl')}") is not None:
                problems.append(
                    Problem(
                        table.source, number, "", Severity.WARNING,
                        f"grid column {first + 1} holds a table inside the cell; only the cell's own paragraphs are read.",
                    )
                )  # fmt: skip
            prior = above.get(first)
            if tc.vMerge == "continue" and prior is not None and prior.bottom == number - 1:
                prior.bottom = number
                cell = prior
            else:
                cell = GridCell(
                    text=_cell_text(tc), first=first, last=last, top=number, bottom=number
                )
            for grid_column in range(first, last + 1):
                above[grid_column] = cell
            row.append(cell)
        table.rows.append(row)
    return problems
