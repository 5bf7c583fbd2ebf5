"""A council's own spreadsheet, CSV or XLSX, read into rows that remember file, sheet, row and column.

Unlike the sendgraph data files, these have whatever columns their authors chose, and
often a title or two above the header row, so the header row is given and no column is
required here: the mapping says which columns matter. CSV goes through the same
decoding as the data files (UTF-8 with or without Excel's byte-order mark; anything
else needs an encoding). XLSX is read with openpyxl: each sheet is a table named
``file.xlsx[Sheet]``, and the value of a merged range belongs to every row of the range,
with the range remembered so that the graph can say where it came from.

A workbook is a zip of XML files, and may come from anyone. Before openpyxl opens one,
its members' sizes are checked: over `MAX_UNCOMPRESSED` bytes in all, or a large
member compressed more than `MAX_RATIO` to 1, is refused as a zip bomb. openpyxl
parses the XML with defusedxml (entities and external references refused), and a
workbook is not read at all if that protection is off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.sources import SourceRow, csv_records, decode, read_input

SPREADSHEET_SUFFIXES = (".csv", ".xlsx", ".xlsm")
# A council's action plan workbook is well under a megabyte; these are far above any real one.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
# Small members compress well (a sheet of repeated styles); the ratio matters only when big.
RATIO_FROM = 1024 * 1024
MAX_MEMBERS = 10_000
# openpyxl makes a cell object for every cell of a sheet's used area and of each merged
# range; one cell at XFD1048576, or one merged range over a whole sheet, is billions.
MAX_CELLS = 2_000_000
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


def _workbook_error(exc: Exception) -> str:
    from defusedxml import DefusedXmlException

    if isinstance(exc, DefusedXmlException):
        return (
            "cannot be read as an Excel workbook: its XML declares entities or refers to "
            f"outside resources ({type(exc).__name__}), which sendgraph refuses."
        )
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    return f"cannot be read as an Excel workbook ({type(exc).__name__}: {detail})."


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
    raw, problems = read_input(path, shown)
    if raw is None:
        return [], problems
    text, problems = decode(raw, shown, encoding)
    if text is None:
        return [], problems
    records, read_problems = csv_records(text, shown)
    problems += read_problems
    if len(records) < header_row:
        return [], [
            *problems,
            Problem(shown, 0, "", Severity.ERROR, f"has no header row (row {header_row})."),
        ]
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


def zip_refusal(path: Path) -> str | None:
    """Return why the workbook at ``path`` is refused before it is opened, or None if it may be.

    The sizes are the zip's own; Python's zipfile stops a member at its stated size, so a
    member cannot inflate beyond what is checked here.
    """
    return _inspect_zip(path)[0]


def _inspect_zip(path: Path) -> tuple[str | None, bool]:
    """Return `zip_refusal`'s answer, and whether a cell holds a formula with no saved value."""
    from zipfile import BadZipFile, LargeZipFile, ZipFile

    unsaved: list[str] = []

    try:
        with ZipFile(path) as archive:
            members = archive.infolist()
    except (BadZipFile, LargeZipFile, OSError, ValueError, EOFError) as exc:
        return (
            f"cannot be read as an Excel workbook (it is not a readable zip file: {exc}).",
            False,
        )
    if len(members) > MAX_MEMBERS:
        return (
            f"has {len(members):,} parts; a workbook sendgraph reads has at most {MAX_MEMBERS:,}."
        ), False
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED:
        return (
            f"would unpack to {total:,} bytes, over sendgraph's limit of {MAX_UNCOMPRESSED:,} "
            "bytes for a workbook; it is refused as a possible zip bomb."
        ), False
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FROM and ratio > MAX_RATIO:
            return (
                f"has a part ({member.filename}) compressed {ratio:,.0f} to 1, over sendgraph's "
                f"limit of {MAX_RATIO} to 1; it is refused as a possible zip bomb."
            ), False
    # Every XML part is checked, not only xl/worksheets/: the workbook's relationships,
    # not the part's name, say which parts are sheets.
    try:
        with ZipFile(path) as archive:
            for member in members:
                with archive.open(member) as part:
                    is_xml = part.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
                refusal = _sheet_refusal(archive, member.filename, unsaved) if is_xml else None
                if refusal is not None:
                    return refusal, False
    except Exception as exc:
        # A damaged member (zlib, lzma and bz2 each fail in their own way, as does a CRC),
        # or one compressed or encrypted in a way zipfile cannot read.
        return (
            f"cannot be read as an Excel workbook (a part of it cannot be unpacked: {exc})."
        ), False
    return None, bool(unsaved)


def _sheet_refusal(archive: Any, name: str, unsaved: list[str]) -> str | None:
    """Return why one sheet's XML is refused: more cells than `MAX_CELLS` in its area or merges.

    Adds to ``unsaved`` each cell holding a formula and no saved value (a ``<c>`` with an
    ``<f>`` and no ``<v>``, or an empty one), which openpyxl's values leave empty.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    rows = columns = merged = count = 0
    formula = value = False  # whether the cell being read has a formula, and a saved value
    try:
        with archive.open(name) as part:
            for _, element in iterparse(part, events=("end",)):
                tag = element.tag.rsplit("}", 1)[-1]
                ref = element.get("r") if tag in ("c", "row") else element.get("ref")
                if ref and tag == "row":
                    rows = max(rows, int(ref))
                elif ref and tag in ("c", "mergeCell"):
                    left, top, right, bottom = range_boundaries(ref)
                    if tag == "c":
                        count += 1
                        rows, columns = max(rows, bottom or 0), max(columns, right or 0)
                    else:
                        merged += ((right or 0) - (left or 0) + 1) * (
                            (bottom or 0) - (top or 0) + 1
                        )
                elif tag == "c":
                    count += 1
                if tag == "f":
                    formula = True
                elif tag == "v":
                    value = bool(element.text)
                elif tag == "c":
                    # An empty saved value is an empty text only when the cell says so.
                    if formula and not (value or element.get("t") == "str"):
                        unsaved.append(ref or "")
                    formula = value = False
                element.clear()
    except DefusedXmlException as exc:
        return _workbook_error(exc)
    except Exception as exc:
        # Damaged XML or a cell reference that is not one: the file's fault, one sentence.
        return _workbook_error(exc)
    if max(rows * columns, merged, count) > MAX_CELLS:
        cells = max(rows * columns, merged, count)
        return (
            f"has a sheet ({name}) spanning {cells:,} cells, over sendgraph's limit of "
            f"{MAX_CELLS:,}; a stray cell far down or across, or a merge over a whole sheet, "
            "does this. Delete the empty rows and columns beyond the table."
        )
    return None


def _read_workbook(
    path: Path, shown: str, header_row: int, wanted: Sequence[str]
) -> tuple[list[Sheet], list[Problem]]:
    # Imported here: openpyxl takes a while to import and only this reads workbooks.
    import openpyxl
    from openpyxl import load_workbook

    if not openpyxl.DEFUSEDXML:
        return [], [
            Problem(
                shown,
                0,
                "",
                Severity.ERROR,
                "cannot be read safely: openpyxl is not using defusedxml (install defusedxml, "
                "and do not set OPENPYXL_DEFUSEDXML=False).",
            )
        ]
    refusal, unsaved = _inspect_zip(path)
    if refusal is not None:
        return [], [Problem(shown, 0, "", Severity.ERROR, refusal)]
    try:
        # Not read_only: merged ranges are only known to a fully loaded workbook.
        book = load_workbook(path, data_only=True)
        # A formula's value is what a person sees, and Excel saves it beside the formula.
        # A program that writes formulas without values leaves only the formula; the
        # workbook is then read a second time for it.
        formulas = load_workbook(path, data_only=False) if unsaved else None
    except Exception as exc:
        # openpyxl reading a damaged or hostile workbook fails in many ways (zip, XML,
        # defusedxml's refusals, KeyError, TypeError...); each is the file's fault and
        # becomes one sentence, never a traceback.
        return [], [Problem(shown, 0, "", Severity.ERROR, _workbook_error(exc))]
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
        if formulas is not None:
            problems += _keep_formulas(
                grid, worksheet, formulas[worksheet.title], source, header_row
            )
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


def _keep_formulas(
    grid: list[list[Any]], values: Any, formulas: Any, source: str, header_row: int
) -> list[Problem]:
    """Put the formula text in each cell of ``grid`` that has a formula and no saved value.

    ``values`` and ``formulas`` are the sheet read for its values and for its formulas.
    Nothing is computed: the formula is kept as written, and each such cell at or below
    the header row is a warning naming it.
    """
    problems = []
    for row in formulas.iter_rows():
        for cell in row:
            if cell.data_type != "f" or cell.row > len(grid):
                continue
            cells = grid[cell.row - 1]
            if cell.column > len(cells) or cells[cell.column - 1] is not None:
                continue
            if values.cell(cell.row, cell.column).data_type == "s":
                continue  # a saved empty text
            text = str(getattr(cell.value, "text", None) or cell.value)
            text = text if text.startswith("=") else "=" + text
            cells[cell.column - 1] = text
            if cell.row >= header_row:
                shown = text if len(text) <= 80 else text[:79] + "…"
                problems.append(
                    Problem(
                        source,
                        cell.row,
                        "",
                        Severity.WARNING,
                        f"cell {cell.coordinate}: a formula with no saved value ({shown}); the "
                        "cell is kept as the formula text. Open and save the workbook in Excel "
                        "to save its values.",
                    )
                )
    return problems
