"""Web pages (.html): their tables laid on a grid, with the headings and captions above them.

Some councils publish their plan as a page of the Local Offer: a heading for each
priority and a table under it. The page is read with the standard library's
`html.parser`, which never fetches anything, expands no external entities and reads
what browsers read of untidy markup (unclosed ``<td>`` and ``<p>`` included); no
third-party parser is needed for tables. ``colspan`` and ``rowspan`` place each cell
on the table's grid; ``<br>``, paragraphs and list items inside a cell become lines.
A table inside a table's cell is read as words of that cell, and reported.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.sources import decode, read_input
from sendgraph.read.tablegrid import FoundTable, GridCell, cell_lines

MAX_HTML_BYTES = 20 * 1024 * 1024
MAX_SPAN = 1000  # the most columns or rows one cell may span; HTML's own limits are higher
_LINE_TAGS = {"br", "p", "div", "li", "tr", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIPPED = {"script", "style", "template", "noscript"}


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), MAX_SPAN))
    except ValueError:
        return 1


class _Building:
    """A table being read: its rows of cells and the rowspans still running down it."""

    def __init__(self, table: FoundTable) -> None:
        self.table = table
        self.row = 0
        self.column = 0
        self.running: dict[int, GridCell] = {}  # grid column -> a cell spanning down into it
        self.cell: GridCell | None = None
        self.words: list[str] = []

    def start_row(self) -> None:
        self.end_cell()
        self.row += 1
        self.column = 0
        self.table.rows.append([])
        for cell in sorted(set(self.running.values()), key=lambda c: c.first):
            if cell.bottom >= self.row:
                self.table.rows[-1].append(cell)

    def start_cell(self, colspan: int, rowspan: int) -> None:
        self.end_cell()
        if self.row == 0:
            self.start_row()
        while self.column in self.running and self.running[self.column].bottom >= self.row:
            self.column += 1
        first, last = self.column, self.column + colspan - 1
        self.cell = GridCell(
            text="", first=first, last=last, top=self.row, bottom=self.row + rowspan - 1
        )
        self.column = last + 1
        for grid_column in range(first, last + 1):
            self.running[grid_column] = self.cell
        row = self.table.rows[-1]
        row.append(self.cell)
        row.sort(key=lambda c: c.first)

    def end_cell(self) -> None:
        if self.cell is not None:
            self.cell.text = cell_lines("".join(self.words))
        self.cell, self.words = None, []

    def finish(self) -> None:
        self.end_cell()
        rows = len(self.table.rows)
        for row in self.table.rows:
            for cell in row:
                cell.bottom = min(cell.bottom, rows)


class _PageReader(HTMLParser):
    def __init__(self, shown: str) -> None:
        super().__init__(convert_charrefs=True)
        self.shown = shown
        self.tables: list[FoundTable] = []
        self.problems: list[Problem] = []
        self.building: list[_Building] = []  # the table being read, innermost last
        self.nested = 0  # depth of tables inside a cell of the table being read
        self.headings: dict[int, str] = {}
        self.heading = ""
        self.heading_words: list[str] | None = None
        self.heading_level = 0
        self.caption: list[str] | None = None
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
            return
        current = self.building[-1] if self.building else None
        if tag == "table":
            if current is not None:
                self.nested += 1
                if self.nested == 1:
                    self.problems.append(
                        Problem(
                            current.table.source, current.row, "", Severity.WARNING,
                            "has a table inside a cell; its words are read as the cell's lines.",
                        )
                    )  # fmt: skip
                return
            self.start_table()
        elif current is not None and not self.nested and tag in ("tr", "td", "th", "caption"):
            found = dict(attrs)
            if tag == "tr":
                current.start_row()
            elif tag == "caption":
                self.caption = []
            else:
                current.start_cell(_span(found.get("colspan")), _span(found.get("rowspan")))
        elif tag in _HEADINGS and current is None:
            self.heading_words, self.heading_level = [], _HEADINGS[tag]
        elif tag in _LINE_TAGS or (self.nested and tag in ("td", "th")):
            self.write("\n" if tag != "td" and tag != "th" else " ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.write("\n")
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag == "table" and self.building:
            if self.nested:
                self.nested -= 1
                return
            building = self.building.pop()
            building.finish()
        elif tag == "caption" and self.caption is not None and self.building:
            text = " ".join("".join(self.caption).split())
            if text:
                self.building[-1].table.heading = text
            self.caption = None
        elif tag in ("td", "th") and self.building and not self.nested:
            self.building[-1].end_cell()
        elif tag in _HEADINGS and self.heading_words is not None:
            text = " ".join("".join(self.heading_words).split())
            if text:
                level = self.heading_level
                self.heading = text
                self.headings = {k: v for k, v in self.headings.items() if k < level}
                self.headings[level] = text
            self.heading_words = None
        elif tag in _LINE_TAGS:
            self.write("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.write(data)

    def write(self, words: str) -> None:
        if self.caption is not None:
            self.caption.append(words)
        elif self.building and self.building[-1].cell is not None:
            self.building[-1].words.append(words)
        elif self.heading_words is not None:
            self.heading_words.append(words)

    def start_table(self) -> None:
        position = len(self.tables) + 1
        table = FoundTable(
            source=f"{self.shown}[table {position}]",
            position=position,
            heading=self.heading,
            headings=dict(self.headings),
        )
        self.tables.append(table)
        self.building.append(_Building(table))

    def close(self) -> None:
        super().close()
        while self.building:
            self.building.pop().finish()


def html_text(path: Path, shown: str, encoding: str | None) -> tuple[str | None, list[Problem]]:
    """Return a page's text, decoded as UTF-8 (or ``encoding``), or None and why not."""
    raw, problems = read_input(path, shown)
    if raw is None:
        return None, problems
    if len(raw) > MAX_HTML_BYTES:
        return None, [
            Problem(
                shown, 0, "", Severity.ERROR,
                f"is {len(raw):,} bytes; a page sendgraph reads may be at most {MAX_HTML_BYTES:,}.",
            )
        ]  # fmt: skip
    return decode(raw, shown, encoding, save_as="UTF-8")


def html_tables(
    path: Path, shown: str, encoding: str | None = None
) -> tuple[list[FoundTable], list[Problem]]:
    """Read every table of a web page, each on its grid, with the headings above it."""
    text, problems = html_text(path, shown, encoding)
    if text is None:
        return [], problems
    reader = _PageReader(shown)
    reader.feed(text)
    reader.close()
    return reader.tables, [*problems, *reader.problems]
