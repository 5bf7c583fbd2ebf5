"""Tables from Word documents and web pages, laid on a grid and read into rows like a spreadsheet's.

A Word or HTML table is not a grid of equal cells: a cell may span columns (gridSpan,
colspan) or rows (vMerge, rowspan), a cell may be split in two under one header cell,
a row of one cell across the table may head the rows below it, and a header row may be
repeated where the table breaks across pages. Each reader lays its table on a grid of
`GridCell`s; `to_sheet` reads the grid into a `Sheet` whose columns are the header
row's cells, so the importer reads it like any spreadsheet. Every merge, split, heading
row and repeated header is a note naming the table, row and column, never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.spreadsheets import Sheet, SheetRow, header_text

# The key under which the headings mapping names a row of one cell across a table.
ROW_HEADING = "row"


@dataclass(eq=False, kw_only=True)
class GridCell:
    """One cell of a table, the grid columns it covers and the table rows it spans (1-based)."""

    text: str
    first: int  # first grid column, from 0
    last: int  # last grid column
    top: int  # table row it starts on
    bottom: int  # table row it ends on


@dataclass(kw_only=True)
class FoundTable:
    """A table found in a document, with the headings in force above it."""

    source: str  # "plan.docx[table 2]", as problems name it
    position: int  # 1 for the document's first table
    heading: str  # the nearest heading above (or the caption), "" if none
    headings: dict[int, str] = field(default_factory=dict)  # heading level -> text in force
    rows: list[list[GridCell]] = field(default_factory=list)  # each row's cells, left to right


@dataclass(frozen=True, kw_only=True)
class TableChoice:
    """A table a mapping picks: by position (1-based), or every table under a heading."""

    position: int = 0
    after_heading: str = ""

    def describe(self) -> str:
        """Return how a person would say which table this is."""
        if self.position:
            return f"table {self.position}"
        return f"the table after the heading {self.after_heading!r}"


def cell_lines(text: str) -> str:
    """Return a cell's text with each line's spacing collapsed and blank lines dropped.

    >>> cell_lines("  Head of\\u00a0SEND \\n\\n  (interim) ")
    'Head of SEND\\n(interim)'
    """
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def heading_matches(heading: str, wanted: str) -> bool:
    """True when ``heading`` is ``wanted``, or starts with it and then a break in the words.

    >>> heading_matches("Area for priority action 1: waiting times", "Area for priority action 1")
    True
    >>> heading_matches("Area for priority action 10", "Area for priority action 1")
    False
    """
    have, want = _fold(heading), _fold(wanted)
    if not want or not have.startswith(want):
        return False
    rest = have[len(want) :]
    return not rest or not rest[0].isalnum()


def choose(
    tables: list[FoundTable], choices: list[TableChoice]
) -> tuple[list[FoundTable], list[tuple[int, str]]]:
    """Return the tables ``choices`` pick, in document order, and why any choice picks none.

    No choices picks every table. Each failure is (index of the choice, sentence).
    """
    if not choices:
        return list(tables), []
    picked: set[int] = set()
    failures: list[tuple[int, str]] = []
    for index, choice in enumerate(choices):
        if choice.position:
            if choice.position > len(tables):
                failures.append(
                    (index, f"there is no table {choice.position}: the file has {len(tables)}.")
                )
            else:
                picked.add(choice.position)
            continue
        found = [t.position for t in tables if heading_matches(t.heading, choice.after_heading)]
        if not found:
            headings = list(dict.fromkeys(t.heading for t in tables if t.heading))
            listed = "; ".join(repr(h) for h in headings[:12]) or "none"
            failures.append(
                (
                    index,
                    f"no table comes after a heading reading {choice.after_heading!r}; the "
                    f"headings above tables are {listed}.",
                )
            )
        picked.update(found)
    return [t for t in tables if t.position in picked], failures


def _span(first: int, last: int, top: int, bottom: int) -> str:
    if top != bottom and first == last:
        return f"rows {top}-{bottom}"
    if top == bottom:
        return f"row {top}, grid columns {first + 1}-{last + 1}"
    return f"rows {top}-{bottom}, grid columns {first + 1}-{last + 1}"


@dataclass(kw_only=True)
class _Columns:
    names: list[str]
    ranges: list[tuple[int, int]]  # each column's grid columns, first to last
    width: int


def _columns(table: FoundTable, header_row: int) -> tuple[_Columns, list[Problem]]:
    header = table.rows[header_row - 1]
    names = [" ".join(header_text(c.text).split()) for c in header]
    problems = []
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            problems.append(
                Problem(
                    table.source,
                    header_row,
                    name,
                    Severity.ERROR,
                    f"column {name!r} appears twice in the header.",
                )
            )
        seen.add(name)
    width = max((c.last + 1 for row in table.rows for c in row), default=0)
    ranges = [(c.first, c.last) for c in header]
    return _Columns(names=names, ranges=ranges, width=width), problems


def to_sheet(
    table: FoundTable, header_row: int, headings: dict[str, str]
) -> tuple[Sheet | None, list[Problem]]:
    """Read a table laid on its grid into a sheet whose columns are its header row's cells.

    ``headings`` names columns for the headings in force ("2" for a level-2 heading
    above the table, "row" for a row of one cell across the table): each row gets the
    heading's text in that column.
    """
    source = table.source
    if len(table.rows) < header_row:
        return None, [
            Problem(source, 0, "", Severity.ERROR, f"has no header row (row {header_row}).")
        ]
    columns, problems = _columns(table, header_row)
    sheet = Sheet(source, table.heading or source)
    sheet.columns = [*columns.names, *(n for n in headings.values() if n not in columns.names)]
    in_force = {str(level): text for level, text in table.headings.items()}
    header_words = [_fold(n) for n in columns.names]
    noted: set[tuple[int, str]] = set()  # merged cells already noted, by column
    for number in range(header_row + 1, len(table.rows) + 1):
        cells = table.rows[number - 1]
        if not cells:
            continue
        if (
            len(cells) == 1
            and columns.width > 1
            and cells[0].last - cells[0].first + 1 >= columns.width
        ):
            text = " ".join(cells[0].text.split())
            if text:
                in_force[ROW_HEADING] = text
                where = (
                    f"; its rows below are read with it as {headings[ROW_HEADING]!r}"
                    if ROW_HEADING in headings
                    else "; name it under headings: row: to read it into the rows below"
                )
                problems.append(
                    Problem(
                        source, number, "", Severity.INFO,
                        f"is one cell across the table, read as a heading, not an action ({text[:60]!r}){where}.",
                    )
                )  # fmt: skip
            continue
        values, merged, row_problems = _row_values(source, number, cells, columns, noted)
        problems += row_problems
        if [_fold(values.get(n, "")) for n in columns.names] == header_words:
            problems.append(
                Problem(
                    source, number, "", Severity.INFO,
                    "repeats the header row (as Word repeats it where a table breaks across pages); it is skipped.",
                )
            )  # fmt: skip
            continue
        if not any(values.values()):
            continue
        for level, name in headings.items():
            if name not in columns.names:
                values[name] = in_force.get(level, "")
        sheet.rows.append(SheetRow(source, number, values, merged))
    return sheet, problems


def _row_values(
    source: str,
    number: int,
    cells: list[GridCell],
    columns: _Columns,
    noted: set[tuple[int, str]],
) -> tuple[dict[str, str], dict[str, str], list[Problem]]:
    """One body row's value in each column, the merges it took values from, and notes on them."""
    problems: list[Problem] = []
    values: dict[str, str] = {}
    merged: dict[str, str] = {}
    claimed: set[int] = set()
    for name, (first, last) in zip(columns.names, columns.ranges, strict=True):
        under = [c for c in cells if c.first <= last and c.last >= first]
        claimed.update(id(c) for c in under)
        if not name:
            continue
        texts = [c.text for c in under if c.text]
        values[name] = "\n".join(texts)
        if len(under) > 1 and len(texts) > 1:
            problems.append(
                Problem(
                    source, number, name, Severity.INFO,
                    f"is split into {len(under)} cells under one header cell; their words are read as one value, a line each.",
                )
            )  # fmt: skip
        if len(under) == 1 and under[0].text:
            cell = under[0]
            spans_rows = cell.top != cell.bottom
            spans_columns = cell.first < first or cell.last > last
            if spans_rows or spans_columns:
                merged[name] = _span(cell.first, cell.last, cell.top, cell.bottom)
                if (id(cell), name) not in noted:
                    noted.add((id(cell), name))
                    problems.append(
                        Problem(
                            source, number, name, Severity.INFO,
                            f"is a merged cell ({merged[name]}); its value belongs to every row and column it covers.",
                        )
                    )  # fmt: skip
    stray = [c.text for c in cells if id(c) not in claimed and c.text]
    if stray:
        problems.append(
            Problem(
                source, number, "", Severity.ERROR,
                f"has cells beyond the header's columns, which belong to no column: {stray!r}.",
            )
        )  # fmt: skip
    return values, merged, problems
