"""Read the data files people write into rows that remember their file, row and column.

This is the first stage: it knows about bytes, encodings and CSV, and nothing about
SEND. Every row keeps the spreadsheet row number a user sees in Excel (the header is
row 1), so that every later problem can point at the cell it came from.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sendgraph.base.problems import Problem, Severity

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class Readable(Protocol):
    """Anything with ``read_bytes()``: a Path, or a packaged resource."""

    def read_bytes(self) -> bytes: ...


@dataclass(frozen=True)
class SourceRow:
    """One data row of a table, with where it came from."""

    source: str
    row: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        """Return the cell in ``column``, or "" if the row has no such cell."""
        return self.values.get(column, "")

    def problem(self, column: str, severity: Severity, message: str) -> Problem:
        """Make a problem that points at this row's cell in ``column``."""
        return Problem(self.source, self.row, column, severity, message)


@dataclass
class Table:
    """The rows of one data file, and the columns its header named."""

    source: str
    columns: list[str] = field(default_factory=list)
    rows: list[SourceRow] = field(default_factory=list)


def decode(
    raw: bytes, source: str, encoding: str | None = None, *, save_as: str = '"CSV UTF-8"'
) -> tuple[str | None, list[Problem]]:
    """Decode a file's bytes to text, or explain in a sentence why it cannot be.

    UTF-8 with or without Excel's byte-order mark is read as it is. Anything else needs
    ``encoding``: guessing would turn "’" into mojibake without a word. ``save_as`` is
    what the message tells the user to save the file as.

    >>> decode("Children’s".encode("cp1252"), "plan.csv")[1][0].message
    'is not UTF-8: byte 0x92 on line 1 cannot be decoded. It reads as Windows-1252 (cp1252), as older Excel saves "CSV". Save it as "CSV UTF-8", or pass --encoding cp1252 if that is what it is.'
    """
    if encoding:
        try:
            return raw.decode(encoding).removeprefix("\ufeff"), []
        except (UnicodeDecodeError, LookupError) as exc:
            return None, [
                Problem(source, 0, "", Severity.ERROR, f"cannot be read as {encoding}: {exc}.")
            ]
    if raw.startswith(UTF16_BOMS):
        return None, [
            Problem(
                source,
                0,
                "",
                Severity.ERROR,
                f'is UTF-16 (Excel\'s "Unicode Text"); save it as {save_as} or pass --encoding utf-16.',
            )
        ]
    try:
        return raw.removeprefix(UTF8_BOM).decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex()
        hint = ""
        try:
            raw.decode("cp1252")
            hint = ' It reads as Windows-1252 (cp1252), as older Excel saves "CSV".'
        except UnicodeDecodeError:
            pass
        message = (
            f"is not UTF-8: byte 0x{byte} on line {line} cannot be decoded.{hint} "
            f"Save it as {save_as}, or pass --encoding cp1252 if that is what it is."
        )
        return None, [Problem(source, line, "", Severity.ERROR, message)]


def csv_records(text: str, source: str) -> tuple[list[list[str]], list[Problem]]:
    """Split CSV text into records; a record the csv module cannot read ends the file with a problem.

    The rows before it are kept. Python's csv gives up on a field over its limit (128 KiB),
    which in practice is a quote opened and never closed, swallowing the rest of the file.

    >>> csv_records('a,b\\n1,"2\\n', "t.csv")
    ([['a', 'b'], ['1', '2\\n']], [])
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        row = len(records) + 1
        message = (
            f'cannot be read as CSV from this row on ({exc}): a quote (") opened here and '
            "never closed makes the rest of the file one cell."
        )
        return records, [Problem(source, row, "", Severity.ERROR, message)]
    return records, []


def read_input(path: Readable, source: str) -> tuple[bytes | None, list[Problem]]:
    """Return a file's bytes, or None and the problem that says why it cannot be read."""
    try:
        return path.read_bytes(), []
    except FileNotFoundError:
        return None, [Problem(source, 0, "", Severity.ERROR, "is missing.")]
    except OSError as exc:
        return None, [Problem(source, 0, "", Severity.ERROR, f"cannot be read: {exc.strerror}.")]


def read_table(
    path: Readable,
    source: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    encoding: str | None = None,
) -> tuple[Table, list[Problem]]:
    """Read one CSV file into a `Table`, with a problem for everything wrong with it.

    ``source`` is the name problems use for the file. Missing required columns, columns
    sendgraph does not read, ragged rows and cells with stray spaces are all reported;
    the rows that can be read are returned all the same.
    """
    table = Table(source)
    raw, problems = read_input(path, source)
    if raw is None:
        return table, problems
    text, problems = decode(raw, source, encoding)
    if text is None:
        return table, problems
    if not text.strip():
        expected = ", ".join(required)
        return table, [
            Problem(
                source, 0, "", Severity.ERROR, f"is empty; it needs a header row with {expected}."
            )
        ]

    records, problems = csv_records(text, source)
    if not records:
        return table, problems
    header = [name.strip() for name in records[0]]
    table.columns = header
    problems += _header_problems(header, source, required, optional)
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row, row_problems = _source_row(cells, header, source, number)
        problems += row_problems
        table.rows.append(row)
    return table, problems


def _header_problems(
    header: list[str], source: str, required: Sequence[str], optional: Sequence[str]
) -> list[Problem]:
    """The header's columns named twice, required but missing, or not read by sendgraph."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(
                Problem(
                    source, 1, name, Severity.ERROR, f"column {name!r} appears twice in the header."
                )
            )
        seen.add(name)
    for name in required:
        if name not in seen:
            problems.append(
                Problem(
                    source,
                    1,
                    name,
                    Severity.ERROR,
                    f"required column {name!r} is missing from the header.",
                )
            )
    known = set(required) | set(optional)
    for name in header:
        if name and name not in known:
            problems.append(
                Problem(
                    source,
                    1,
                    name,
                    Severity.WARNING,
                    f"column {name!r} is not one sendgraph reads; its cells are ignored.",
                )
            )
    return problems


def _source_row(
    cells: list[str], header: list[str], source: str, number: int
) -> tuple[SourceRow, list[Problem]]:
    """One record's cells as a row under ``header``, with its extra cells and stray spaces reported."""
    problems: list[Problem] = []
    if len(cells) > len(header):
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            problems.append(
                Problem(
                    source,
                    number,
                    "",
                    Severity.ERROR,
                    f"has {len(cells)} cells but the header names {len(header)} columns; "
                    f"the extra cells {extra!r} belong to no column.",
                )
            )
    values: dict[str, str] = {}
    for name, cell in zip(header, cells, strict=False):
        value = cell.replace("\r\n", "\n").replace("\r", "\n")
        if value != value.strip():
            problems.append(
                Problem(
                    source,
                    number,
                    name,
                    Severity.INFO,
                    "leading or trailing spaces were removed.",
                )
            )
        values[name] = value.strip()
    return SourceRow(source, number, values), problems


def display_name(path: Path) -> str:
    """Return how problems name a data file: its folder and its name, ``data/actions.csv``."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name
