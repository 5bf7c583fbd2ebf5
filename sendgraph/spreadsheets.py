"""A council's own spreadsheet, CSV or XLSX, read into rows that remember file, sheet, row and column.

Unlike the sendgraph data files, these have whatever columns their authors chose, and
often a title or two above the header row, so the header row is given and no column is
required here: the mapping says which columns matter. CSV goes through the same
decoding as the data files (UTF-8 with or without Excel's byte-order mark; anything
else needs an encoding). XLSX is read with openpyxl: each sheet is a table named
``file.xlsx[Sheet]``, and the value of a merged range belongs to every row of the range,
with the range remembered so that the graph can say where it came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sendgraph.problems import Problem, Severity
from sendgraph.sources import SourceRow, decode

SPREADSHEET_SUFFIXES = (".csv", ".xlsx", ".xlsm")
MONTH_ABBREVIATIONS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]


@dataclass(frozen=True)
class SheetRow(SourceRow):
    """A data row of a spreadsheet, and the merged ranges its cells took their values from."""

    merged: dict[str, str] = field(default_factory=dict)  # column -> "A5:A9"


@dataclass
class Sheet:
    """One table of a spreadsheet: a CSV file, or one sheet of a workbook."""

    source: str  # "plan.csv" or "wsoa.xlsx[Weakness 1]", as problems name it
    name: str  # the sheet's name; "" for a CSV file
    columns: list[str] = field(default_factory=list)
    rows: list[SheetRow] = field(default_factory=list)


def cell_text(value: Any) -> str:
    """Return a cell's value as the words a person sees in it.

    Dates become dd/mm/yyyy (how an English spreadsheet shows them), whole numbers lose
    Excel's ".0", and line endings become one newline.

    >>> cell_text(dt.datetime(2025, 3, 31)), cell_text(2.0), cell_text(None)
    ('31/03/2025', '2', '')
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def header_text(value: Any) -> str:
    """Return a header cell's name; a date heading a column is written "Sep 2023", as a month.

    >>> header_text(dt.datetime(2023, 9, 1)), header_text("  Lead\\nofficer ")
    ('Sep 2023', 'Lead officer')
    """
    if isinstance(value, dt.datetime | dt.date):
        return f"{MONTH_ABBREVIATIONS[value.month - 1]} {value.year}"
    return " ".join(cell_text(value).split())


def read_spreadsheet(
    path: Path,
    shown: str,
    *,
    header_row: int = 1,
    sheets: Sequence[str] = (),
    encoding: str | None = None,
) -> tuple[list[Sheet], list[Problem]]:
    """Read a CSV or XLSX file into sheets, with a problem for everything that stops it being read.

    ``shown`` is how problems name the file; ``header_row`` is the spreadsheet row that
    holds the column names (rows above it are titles and are skipped); ``sheets`` picks
    a workbook's sheets by name (default: all).
    """
    if not path.is_file():
        return [], [Problem(shown, 0, "", Severity.ERROR, "is missing.")]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, shown, header_row, encoding)
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path, shown, header_row, sheets)
    return [], [
        Problem(
            shown,
            0,
            "",
            Severity.ERROR,
            f"is not a spreadsheet sendgraph reads; save it as .csv (CSV UTF-8) or .xlsx, not {suffix or 'a file without a suffix'}.",
        )
    ]


def _header(cells: Sequence[Any], source: str, row: int) -> tuple[list[str], list[Problem]]:
    names = [header_text(cell) for cell in cells]
    problems = []
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            problems.append(
                Problem(
                    source,
                    row,
                    name,
                    Severity.ERROR,
                    f"column {name!r} appears twice in the header.",
                )
            )
        seen.add(name)
    return names, problems


def _read_csv(
    path: Path, shown: str, header_row: int, encoding: str | None
) -> tuple[list[Sheet], list[Problem]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Problem(shown, 0, "", Severity.ERROR, f"cannot be read: {exc.strerror}.")]
    text, problems = decode(raw, shown, encoding)
    if text is None:
        return [], problems
    records = list(csv.reader(io.StringIO(text, newline="")))
    if len(records) < header_row:
        return [], [Problem(shown, 0, "", Severity.ERROR, f"has no header row (row {header_row}).")]
    sheet = Sheet(shown, "")
    sheet.columns, header_problems = _header(records[header_row - 1], shown, header_row)
    problems += header_problems
    for number, cells in enumerate(records[header_row:], start=header_row + 1):
        if not any(cell.strip() for cell in cells):
            continue
        extra = [c for c in cells[len(sheet.columns) :] if c.strip()]
        if extra:
            problems.append(
                Problem(
                    shown,
                    number,
                    "",
                    Severity.ERROR,
                    f"has {len(cells)} cells but the header names {len(sheet.columns)} columns; "
                    f"the extra cells {extra!r} belong to no column.",
                )
            )
        values = {
            name: cell_text(cell) for name, cell in zip(sheet.columns, cells, strict=False) if name
        }
        sheet.rows.append(SheetRow(shown, number, values))
    return [sheet], problems


def _read_workbook(
    path: Path, shown: str, header_row: int, wanted: Sequence[str]
) -> tuple[list[Sheet], list[Problem]]:
    # Imported here: openpyxl takes a while to import and only this reads workbooks.
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not read_only: merged ranges are only known to a fully loaded workbook.
        book = load_workbook(path, data_only=True)
    except (BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as exc:
        return [], [
            Problem(shown, 0, "", Severity.ERROR, f"cannot be read as an Excel workbook: {exc}.")
        ]
    problems: list[Problem] = []
    missing = [name for name in wanted if name not in book.sheetnames]
    for name in missing:
        problems.append(
            Problem(
                shown,
                0,
                "",
                Severity.ERROR,
                f"has no sheet named {name!r}; its sheets are {', '.join(book.sheetnames)}.",
            )
        )
    sheets = []
    for worksheet in book.worksheets:
        if wanted and worksheet.title not in wanted:
            continue
        source = f"{shown}[{worksheet.title}]"
        grid = [list(row) for row in worksheet.iter_rows(values_only=True)]
        merged: dict[tuple[int, int], str] = {}
        for cell_range in worksheet.merged_cells.ranges:
            top_left = grid[cell_range.min_row - 1][cell_range.min_col - 1]
            for row in range(cell_range.min_row, cell_range.max_row + 1):
                for column in range(cell_range.min_col, cell_range.max_col + 1):
                    grid[row - 1][column - 1] = top_left
                    merged[(row, column)] = cell_range.coord
        if len(grid) < header_row:
            problems.append(
                Problem(source, 0, "", Severity.ERROR, f"has no header row (row {header_row}).")
            )
            continue
        sheet = Sheet(source, worksheet.title)
        sheet.columns, header_problems = _header(grid[header_row - 1], source, header_row)
        problems += header_problems
        for number, cells in enumerate(grid[header_row:], start=header_row + 1):
            values = {
                name: cell_text(cell)
                for name, cell in zip(sheet.columns, cells, strict=False)
                if name
            }
            if not any(values.values()):
                continue
            spans = {
                name: merged[(number, column)]
                for column, name in enumerate(sheet.columns, start=1)
                if name and (number, column) in merged and values.get(name)
            }
            sheet.rows.append(SheetRow(source, number, values, spans))
        sheets.append(sheet)
    return sheets, problems
