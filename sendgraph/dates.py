"""Target dates as plans write them: "June 17", "Sept 16", "May 2017", one per line.

A cell with several lines holds revisions in the order written ("June 17 / Sept 17 /
Mar 18"), not several targets. Two-digit years take the century of the document's own
date, never today's: a 2017 plan's "Mar 18" is March 2018 whenever it is read.
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


@dataclass(frozen=True)
class TargetRevision:
    """One line of a target date cell: its words, and the month they name if they do."""

    revision: int
    raw: str
    month: str | None  # "2017-06", an xsd:gYearMonth lexical form


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


def parse_targets(cell: str, document_date: dt.date) -> list[TargetRevision]:
    """Split a target date cell into its ordered revisions, parsing each line it can.

    >>> [t.month for t in parse_targets("June 17\\nSept 17\\nMar 18", dt.date(2017, 11, 1))]
    ['2017-06', '2017-09', '2018-03']
    """
    lines = [line.strip() for line in cell.splitlines() if line.strip()]
    return [
        TargetRevision(number, line, parse_month(line, document_date))
        for number, line in enumerate(lines, start=1)
    ]
