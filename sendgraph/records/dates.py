"""Target dates as plans write them: "June 17", "Sept 16", "May 2017", one per line.

A cell with several lines holds revisions in the order written ("June 17 / Sept 17 /
Mar 18"), not several targets. Two-digit years take the century of the document's own
date, never today's: a 2017 plan's "Mar 18" is March 2018 whenever it is read.

Councils' own plans also write days ("31/03/2025"), quarters ("Q3 2024/25" is the third
quarter of the financial year that starts in April 2024, October to December 2024;
"Q1 2025" is January to March 2025) and words that name no date at all ("Ongoing",
"TBC"). A quarter's month is its last month, the month by which the work is due; its
first month is kept too. "Ongoing" and "TBC" are recognised and kept as written, with
no month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}

MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{2}|\d{4})$")


# How a target is written, when it is not a plain month and year.
ONGOING = "ongoing"
TO_BE_CONFIRMED = "to be confirmed"
QUARTER = "quarter"
DAY = "day"

ONGOING_WORDS = re.compile(r"^on[\s-]?going$", re.IGNORECASE)
TBC_WORDS = re.compile(r"^(?:tbc|tba|tbd|to be (?:confirmed|agreed|decided))$", re.IGNORECASE)
QUARTER_TEXT = re.compile(
    r"^(?:q|quarter\s*)([1-4])\s+(?:(?:fy|financial year)\s*)?(\d{4}|\d{2})(?:\s*[/-]\s*(\d{4}|\d{2}))?$",
    re.IGNORECASE,
)
DAY_NUMBERS = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})$")
DAY_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")


@dataclass(frozen=True, kw_only=True)
class TargetRevision:
    """One line of a target date cell: its words, and the month they name if they do."""

    revision: int
    raw: str
    month: str | None  # "2017-06", an xsd:gYearMonth lexical form
    kind: str = ""  # "" for a month and year, or words that name no date; else ONGOING...DAY
    first_month: str | None = None  # a quarter's first month
    day: dt.date | None = None  # the day a dd/mm/yyyy target names


def parse_month(raw: str, document_date: dt.date) -> str | None:
    """Return "YYYY-MM" for a month-and-year such as "Sept 17" or "May 2017", else None.

    >>> parse_month("Sept 17", dt.date(2017, 11, 1))
    '2017-09'
    >>> parse_month("Jul 17 and ongoing", dt.date(2017, 11, 1)) is None
    True
    """
    match = MONTH_YEAR.match(" ".join(raw.split()))
    if not match:
        return None
    month = MONTHS.get(match.group(1).lower())
    if month is None:
        return None
    year_text = match.group(2)
    year = int(year_text)
    if len(year_text) == 2:
        year += document_date.year // 100 * 100
    return f"{year:04d}-{month:02d}"


def _year(text: str, document_date: dt.date) -> int:
    year = int(text)
    return year + document_date.year // 100 * 100 if len(text) == 2 else year


def parse_quarter(raw: str, document_date: dt.date) -> tuple[str, str] | None:
    """Return the first and last month of a quarter: financial ("Q3 2024/25") or calendar ("Q1 2025").

    A financial year runs from April: its Q1 is April to June, its Q4 January to March
    of the following year. A single year is a calendar year.

    >>> parse_quarter("Q3 2024/25", dt.date(2024, 6, 1))
    ('2024-10', '2024-12')
    >>> parse_quarter("Q4 24/25", dt.date(2024, 6, 1))
    ('2025-01', '2025-03')
    >>> parse_quarter("Q1 2025", dt.date(2024, 6, 1))
    ('2025-01', '2025-03')
    >>> parse_quarter("Q3 2024/26", dt.date(2024, 6, 1)) is None
    True
    """
    match = QUARTER_TEXT.match(" ".join(raw.split()))
    if not match:
        return None
    quarter = int(match.group(1))
    start_year = _year(match.group(2), document_date)
    if match.group(3):
        if _year(match.group(3), document_date) % 100 != (start_year + 1) % 100:
            return None  # "2024/26" is not a financial year
        first = dt.date(start_year, 4, 1)
    else:
        first = dt.date(start_year, 1, 1)
    months = first.month - 1 + (quarter - 1) * 3
    year, month = first.year + months // 12, months % 12 + 1
    end_months = months + 2
    end_year, end_month = first.year + end_months // 12, end_months % 12 + 1
    return f"{year:04d}-{month:02d}", f"{end_year:04d}-{end_month:02d}"


def parse_day(raw: str, document_date: dt.date) -> dt.date | None:
    """Return the day a target names as "31/03/2025", "31/03/25" or "31 March 2025" (UK order).

    >>> parse_day("31/03/2025", dt.date(2024, 6, 1))
    datetime.date(2025, 3, 31)
    >>> parse_day("1st April 2025", dt.date(2024, 6, 1))
    datetime.date(2025, 4, 1)
    >>> parse_day("31/02/2025", dt.date(2024, 6, 1)) is None
    True
    """
    text = " ".join(raw.split())
    numbers = DAY_NUMBERS.match(text)
    try:
        if numbers:
            day, month = int(numbers.group(1)), int(numbers.group(2))
            return dt.date(_year(numbers.group(3), document_date), month, day)
        words = DAY_WORDS.match(text)
        if words and words.group(2).lower() in MONTHS:
            month = MONTHS[words.group(2).lower()]
            return dt.date(int(words.group(3)), month, int(words.group(1)))
    except ValueError:
        return None
    return None


def read_target(revision: int, raw: str, document_date: dt.date) -> TargetRevision:
    """Read one line of a target date cell: a month, a quarter, a day, "Ongoing", "TBC", or words kept as written.

    >>> read_target(1, "Q3 2024/25", dt.date(2024, 6, 1))
    TargetRevision(revision=1, raw='Q3 2024/25', month='2024-12', kind='quarter', first_month='2024-10', day=None)
    >>> read_target(1, "TBC", dt.date(2024, 6, 1)).kind
    'to be confirmed'
    """
    month = parse_month(raw, document_date)
    if month is not None:
        return TargetRevision(revision=revision, raw=raw, month=month)
    text = " ".join(raw.split())
    if ONGOING_WORDS.match(text):
        return TargetRevision(revision=revision, raw=raw, month=None, kind=ONGOING)
    if TBC_WORDS.match(text):
        return TargetRevision(revision=revision, raw=raw, month=None, kind=TO_BE_CONFIRMED)
    quarter = parse_quarter(text, document_date)
    if quarter is not None:
        return TargetRevision(
            revision=revision, raw=raw, month=quarter[1], kind=QUARTER, first_month=quarter[0]
        )
    day = parse_day(text, document_date)
    if day is not None:
        return TargetRevision(revision=revision, raw=raw, month=f"{day:%Y-%m}", kind=DAY, day=day)
    return TargetRevision(revision=revision, raw=raw, month=None)


def parse_targets(cell: str, document_date: dt.date) -> list[TargetRevision]:
    """Split a target date cell into its ordered revisions, parsing each line it can.

    >>> [t.month for t in parse_targets("June 17\\nSept 17\\nMar 18", dt.date(2017, 11, 1))]
    ['2017-06', '2017-09', '2018-03']
    """
    lines = [line.strip() for line in cell.splitlines() if line.strip()]
    return [read_target(number, line, document_date) for number, line in enumerate(lines, start=1)]
