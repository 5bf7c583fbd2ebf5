"""Columns headed with a month, as councils head them: a dated status series.

A Written Statement of Action keeps one RAG column per month or quarter, and councils
head them with words around the date: "RAG May 20", "RAG August 22", "Status Sep-23",
"Sept 2023 update", "Q2 2024/25 RAG", "Sep 2023". A heading is read as a month when it
holds exactly one date (a month and year, a day, or a quarter, whose month is its last)
and no other number or month name. A two-digit year takes the century of the
document's date, so "RAG May 20" in a 2022 paper is May 2020. A heading that names a
month but cannot be read ("RAG Mar 2-21", "RAG May", "RAG May/June 21") is reported and
never guessed; so are two columns that name the same month. A mapping can give any
column's month itself (`columns.status_columns`, see docs/importing.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from sendgraph.base.problems import Severity
from sendgraph.records.dates import (
    MONTH,
    MONTHS,
    EntryDate,
    parse_day,
    parse_month,
    parse_quarter,
    read_period,
)

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
# "May 20", "Sep-23", "August 2022", "May '20": a month name, then a year of 2 or 4 digits.
MONTH_AND_YEAR = re.compile(
    rf"\b({_MONTH_NAMES})\.?\s*[-/'’.]?\s*(\d{{4}}|\d{{2}})(?!\d)", re.IGNORECASE
)
DAY_MONTH_YEAR = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_NAMES})\.?,?\s+\d{{4}}(?!\d)|\b\d{{1,2}}/\d{{1,2}}/\d{{4}}(?!\d)",
    re.IGNORECASE,
)
QUARTER_IN_HEADING = re.compile(
    r"\b(?:q|quarter\s*)[1-4]\s+(?:\d{4}|\d{2})(?:\s*[/-]\s*(?:\d{4}|\d{2}))?(?!\d)", re.IGNORECASE
)
ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_WORD = re.compile(rf"\b({_MONTH_NAMES})\b", re.IGNORECASE)
QUARTER_WORD = re.compile(r"\bq[1-4]\b", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class Heading:
    """A column heading that names a month: the month it names, or why it cannot be read."""

    column: str
    month: str | None  # "2020-05"; None when the heading cannot be read
    problem: str = ""


def _month_words(text: str) -> list[str]:
    # "may" in lower case is the verb ("actions that may help"), not the month.
    return [m.group(1) for m in MONTH_WORD.finditer(text) if m.group(1) != "may"]


def _found(text: str, document_date: dt.date) -> tuple[str, str] | None:
    """Return the month the one date in ``text`` names and the words it was read from."""
    for pattern in (DAY_MONTH_YEAR, QUARTER_IN_HEADING, MONTH_AND_YEAR):
        matches = list(pattern.finditer(text))
        if len(matches) != 1:
            continue
        words = matches[0].group(0)
        day = parse_day(words, document_date)
        quarter = parse_quarter(words, document_date)
        month = (
            f"{day:%Y-%m}" if day else quarter[1] if quarter else parse_month(words, document_date)
        )
        if month is None and pattern is MONTH_AND_YEAR:
            month = parse_month(f"{matches[0].group(1)} {matches[0].group(2)}", document_date)
        if month is not None:
            return month, words
    return None


def read_heading(column: str, document_date: dt.date) -> Heading | None:
    """Read a column heading as a month; None when it names no month at all.

    >>> read_heading("RAG May 20", dt.date(2022, 9, 1)).month
    '2020-05'
    >>> read_heading("Q2 2024/25 RAG", dt.date(2024, 6, 1)).month
    '2024-09'
    >>> read_heading("Lead officer", dt.date(2024, 6, 1)) is None
    True
    >>> read_heading("RAG Mar 2-21", dt.date(2022, 9, 1)).problem
    "names a month but no year sendgraph can read ('Mar 2-21' is not a month and year)"
    """
    text = " ".join(column.split())
    iso = ISO_MONTH.match(text)
    if iso and 1 <= int(iso.group(2)) <= 12:
        return Heading(column=column, month=text)
    names = _month_words(text)
    quarters = QUARTER_WORD.findall(text)
    if not names and not quarters and not DAY_MONTH_YEAR.search(text):
        return None
    found = _found(text, document_date)
    if found is None:
        return Heading(column=column, month=None, problem=_why_not(text, names, quarters))
    month, words = found
    rest = text.replace(words, " ", 1)
    if _month_words(rest) or QUARTER_WORD.search(rest) or re.search(r"\d", rest):
        return Heading(
            column=column,
            month=None,
            problem=f"holds more than one date (it reads {words!r}, and more besides), so which month it is cannot be told",
        )
    return Heading(column=column, month=month)


def column_date(column: str, document_date: dt.date) -> EntryDate | None:
    """Return the date a column heading gives what it holds ("Sept 2023 update"), as `read_heading` reads it.

    The period is the one its date names (a day, a month or a quarter); a heading that
    names no month, or one that cannot be read, dates nothing.

    >>> column_date("Q2 2024/25 update", dt.date(2024, 6, 1)).precision
    'quarter'
    >>> column_date("Progress update", dt.date(2024, 6, 1)) is None
    True
    """
    heading = read_heading(column, document_date)
    if heading is None or heading.month is None:
        return None
    found = _found(" ".join(column.split()), document_date)
    period = read_period(found[1], document_date) if found else None
    if period is None:
        year, number = (int(part) for part in heading.month.split("-"))
        last = calendar.monthrange(year, number)[1]
        period = (MONTH, dt.date(year, number, 1), dt.date(year, number, last))
    precision, start, end = period
    return EntryDate(words=column, precision=precision, start=start, end=end, column=column)


def _why_not(text: str, names: list[str], quarters: list[str]) -> str:
    if len(names) + len(quarters) > 1:
        return "names more than one month, so which it is cannot be told"
    name = names[0] if names else quarters[0]
    after = text[text.lower().index(name.lower()) :]
    what = "a month" if names else "a quarter"
    return f"names {what} but no year sendgraph can read ({after!r} is not {what} and year)"


def explicit_month(text: str) -> str | None:
    """Read a month a mapping gives a column: "2022-08" or a month and four-digit year ("Aug 2022").

    >>> explicit_month("2022-08"), explicit_month("August 2022"), explicit_month("2022-13")
    ('2022-08', '2022-08', None)
    """
    written = " ".join(text.split())
    iso = ISO_MONTH.match(written)
    if iso:
        return written if 1 <= int(iso.group(2)) <= 12 else None
    if not re.search(r"\d{4}$", written):
        return None
    return parse_month(written, dt.date(2000, 1, 1))


@dataclass(kw_only=True)
class DatedColumns:
    """The status columns of one table by month, and what could not be read, as (column, severity, message)."""

    months: dict[str, str] = field(default_factory=dict)  # column -> "YYYY-MM"
    problems: list[tuple[str, Severity, str]] = field(default_factory=list)


def month_headed(
    columns: list[str], *, taken: set[str], document_date: dt.date, table: str
) -> DatedColumns:
    """Find the columns of a table headed with a month, for ``status_columns: months``.

    ``taken`` are the columns the mapping gives another meaning (or a month of its own):
    they are left alone. A heading that looks like a month but cannot be read is a
    warning, and the column is not read as a status; two columns naming one month are
    an error, since which holds the status cannot be told.
    """
    found = DatedColumns()
    by_month: dict[str, list[str]] = {}
    for column in columns:
        if not column or column in taken:
            continue
        heading = read_heading(column, document_date)
        if heading is None:
            continue
        if heading.month is None:
            found.problems.append(
                (
                    column,
                    Severity.WARNING,
                    f"heading {column!r} {heading.problem}; the column is not read as a status. "
                    "Give its month under columns.status_columns if it is one.",
                )
            )
            continue
        by_month.setdefault(heading.month, []).append(column)
    for month, named in by_month.items():
        if len(named) == 1:
            found.months[named[0]] = month
            continue
        listed = ", ".join(repr(c) for c in named)
        for column in named:
            found.problems.append(
                (
                    column,
                    Severity.ERROR,
                    f"{listed} of {table} all name {month}, so which holds the status cannot be told; "
                    "list the status columns under columns.status_columns, each with its month.",
                )
            )
    return found
