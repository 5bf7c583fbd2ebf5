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

Councils also write "End of March 2025" and "By 31 July 2024" (the period's end, as
without the words), school terms ("Spring term 2025": terms are taken as autumn
September to December, spring January to April, summer April to July, so that a target
is never late before its term can have ended, whenever Easter falls), financial years
("2024/25" is April 2024 to March 2025), calendar years ("2025") and weeks ("w/c 3 June
2024", seven days from that Monday). Every dated target is kept with its precision
(day, week, month, term, quarter or year) and the first and last day of the period it
names; its month is the month of that last day, by which the work is due. Anything else
("March 2-21", as published) is kept as written and never guessed.

A progress entry is dated only when it is headed with a date: "March 2017: ...",
"Update 03/05/17 – ...", "Q3 2024/25 update: ..." (`read_entry_date`). A date the text
merely mentions ("Date amended for closure to September 2017") is not the entry's date.
"""

from __future__ import annotations

import calendar
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

# How precisely a dated target names its time, from finest to coarsest.
WEEK = "week"
MONTH = "month"
TERM = "term"
YEAR = "year"
PRECISIONS = (DAY, WEEK, MONTH, TERM, QUARTER, YEAR)

ONGOING_WORDS = re.compile(r"^on[\s-]?going$", re.IGNORECASE)
TBC_WORDS = re.compile(r"^(?:tbc|tba|tbd|to be (?:confirmed|agreed|decided))$", re.IGNORECASE)
QUARTER_TEXT = re.compile(
    r"^(?:q|quarter\s*)([1-4])\s+(?:(?:fy|financial year)\s*)?(\d{4}|\d{2})(?:\s*[/-]\s*(\d{4}|\d{2}))?$",
    re.IGNORECASE,
)
DAY_NUMBERS = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})$")
DAY_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
# Words before a date that mean its period's end, which is what a target means anyway.
DUE_BY = re.compile(
    r"^(?:by\s+(?:the\s+)?end\s+of|by\s+end|by|(?:the\s+)?end\s+of|end)(?:\s+the)?\s+(?=\S)",
    re.IGNORECASE,
)
WEEK_OF = re.compile(
    r"^(?:w/?[cb]|week\s+(?:commencing|beginning|starting))\.?:?\s+(.+)$", re.IGNORECASE
)
TERM_TEXT = re.compile(
    r"^(autumn|spring|summer)\s+term,?\s+(\d{4}|\d{2})(?:\s*[/-]\s*(\d{4}|\d{2}))?$",
    re.IGNORECASE,
)
# English school terms by (first month, last month): see the module's docstring.
TERMS = {"autumn": (9, 12), "spring": (1, 4), "summer": (4, 7)}
FINANCIAL_YEAR = re.compile(
    r"^(?:(?:fy|financial\s+year)\s*)?(\d{4})\s*[/-]\s*(\d{4}|\d{2})$", re.IGNORECASE
)
CALENDAR_YEAR = re.compile(r"^(?:(?:calendar\s+)?year\s+)?(\d{4})$", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class TargetRevision:
    """One line of a target date cell: its words, and the month they name if they do."""

    revision: int
    raw: str
    month: str | None  # "2017-06", an xsd:gYearMonth lexical form
    kind: str = ""  # "" for a month and year, or words that name no date; else ONGOING...DAY
    first_month: str | None = None  # a quarter's first month
    day: dt.date | None = None  # the day a dd/mm/yyyy target names
    precision: str = ""  # one of PRECISIONS for a dated target, else ""
    start: dt.date | None = None  # the first day of the period the target names
    end: dt.date | None = None  # its last day: the day by which the work is due


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


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    year, number = (int(part) for part in month.split("-"))
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


def _next_year(first: int, written: str, document_date: dt.date) -> bool:
    """True when ``written`` ("25", "2025") is the year after ``first``, as in "2024/25"."""
    return _year(written, document_date) % 100 == (first + 1) % 100


def parse_term(text: str, document_date: dt.date) -> tuple[dt.date, dt.date] | None:
    """Return the first and last day of a school term: "Spring term 2025", "Autumn term 2024/25".

    An academic year ("2024/25") puts autumn in its first year and spring and summer in
    its second.

    >>> parse_term("Spring term 2025", dt.date(2024, 6, 1))
    (datetime.date(2025, 1, 1), datetime.date(2025, 4, 30))
    >>> parse_term("Autumn term 2024/25", dt.date(2024, 6, 1))
    (datetime.date(2024, 9, 1), datetime.date(2024, 12, 31))
    >>> parse_term("Summer term 2024/26", dt.date(2024, 6, 1)) is None
    True
    """
    match = TERM_TEXT.match(text)
    if not match:
        return None
    term = match.group(1).lower()
    year = _year(match.group(2), document_date)
    if match.group(3):
        if not _next_year(year, match.group(3), document_date):
            return None
        year += 0 if term == "autumn" else 1
    first, last = TERMS[term]
    return dt.date(year, first, 1), _month_bounds(f"{year:04d}-{last:02d}")[1]


def parse_year(text: str, document_date: dt.date) -> tuple[dt.date, dt.date] | None:
    """Return the first and last day of a financial year ("2024/25", April to March) or a calendar year ("2025").

    >>> parse_year("2024/25", dt.date(2024, 6, 1))
    (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    >>> parse_year("2025", dt.date(2024, 6, 1))
    (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    >>> parse_year("2024/26", dt.date(2024, 6, 1)) is None
    True
    """
    financial = FINANCIAL_YEAR.match(text)
    if financial:
        first = int(financial.group(1))
        if not _next_year(first, financial.group(2), document_date):
            return None
        return dt.date(first, 4, 1), dt.date(first + 1, 3, 31)
    calendar_year = CALENDAR_YEAR.match(text)
    if calendar_year:
        year = int(calendar_year.group(1))
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return None


def parse_week(text: str, document_date: dt.date) -> tuple[dt.date, dt.date] | None:
    """Return the seven days of a week written "w/c 3 June 2024" (week commencing) or "w/b 03/06/2024".

    >>> parse_week("w/c 3 June 2024", dt.date(2024, 1, 1))
    (datetime.date(2024, 6, 3), datetime.date(2024, 6, 9))
    """
    match = WEEK_OF.match(text)
    day = parse_day(match.group(1), document_date) if match else None
    return (day, day + dt.timedelta(days=6)) if day is not None else None


def read_period(text: str, document_date: dt.date) -> tuple[str, dt.date, dt.date] | None:
    """Return the precision and the first and last day of the period ``text`` names, or None.

    >>> read_period("Spring term 2025", dt.date(2024, 6, 1))
    ('term', datetime.date(2025, 1, 1), datetime.date(2025, 4, 30))
    """
    month = parse_month(text, document_date)
    if month is not None:
        return (MONTH, *_month_bounds(month))
    quarter = parse_quarter(text, document_date)
    if quarter is not None:
        return QUARTER, _month_bounds(quarter[0])[0], _month_bounds(quarter[1])[1]
    day = parse_day(text, document_date)
    if day is not None:
        return DAY, day, day
    readers = ((WEEK, parse_week), (TERM, parse_term), (YEAR, parse_year))
    for precision, reader in readers:
        found = reader(text, document_date)
        if found is not None:
            return (precision, *found)
    return None


def read_target(revision: int, raw: str, document_date: dt.date) -> TargetRevision:
    """Read one line of a target date cell: a dated period, "Ongoing", "TBC", or words kept as written.

    >>> read_target(1, "Q3 2024/25", dt.date(2024, 6, 1))  # doctest: +NORMALIZE_WHITESPACE
    TargetRevision(revision=1, raw='Q3 2024/25', month='2024-12', kind='quarter', first_month='2024-10',
                   day=None, precision='quarter', start=datetime.date(2024, 10, 1),
                   end=datetime.date(2024, 12, 31))
    >>> read_target(1, "TBC", dt.date(2024, 6, 1)).kind
    'to be confirmed'
    >>> read_target(1, "End of March 2025", dt.date(2024, 6, 1)).end
    datetime.date(2025, 3, 31)
    >>> read_target(1, "March 2-21", dt.date(2020, 6, 1)).month is None
    True
    """
    text = " ".join(raw.split())
    if ONGOING_WORDS.match(text):
        return TargetRevision(revision=revision, raw=raw, month=None, kind=ONGOING)
    if TBC_WORDS.match(text):
        return TargetRevision(revision=revision, raw=raw, month=None, kind=TO_BE_CONFIRMED)
    period = read_period(DUE_BY.sub("", text), document_date)
    if period is None:
        return TargetRevision(revision=revision, raw=raw, month=None)
    precision, start, end = period
    kind = precision if precision in (QUARTER, DAY) else ""
    return TargetRevision(
        revision=revision,
        raw=raw,
        month=f"{end:%Y-%m}",
        kind=kind,
        first_month=f"{start:%Y-%m}" if precision == QUARTER else None,
        day=end if precision == DAY else None,
        precision=precision,
        start=start,
        end=end,
    )


def parse_targets(cell: str, document_date: dt.date) -> list[TargetRevision]:
    """Split a target date cell into its ordered revisions, parsing each line it can.

    >>> [t.month for t in parse_targets("June 17\\nSept 17\\nMar 18", dt.date(2017, 11, 1))]
    ['2017-06', '2017-09', '2018-03']
    """
    lines = [line.strip() for line in cell.splitlines() if line.strip()]
    return [read_target(number, line, document_date) for number, line in enumerate(lines, start=1)]


@dataclass(frozen=True, kw_only=True)
class EntryDate:
    """The date a progress entry is headed with, or the date of the column it was read from."""

    words: str  # the heading's date as written ("March 2017", "Update 03/05/17"), or the column's
    precision: str  # one of PRECISIONS
    start: dt.date  # the first and last day of the period it names
    end: dt.date
    column: str = ""  # the dated column ("Sept 2023 update") when the column dates it


# What may stand before or after a heading's date: "Update 03/05/17", "Sept 2023 update".
HEADING_WORDS = re.compile(
    r"^(?:(?:progress\s+)?update|progress|position)(?:\s+(?:as\s+)?at|\s+on|\s+for)?\s+"
    r"|\s+(?:(?:progress\s+)?update|progress|position)$",
    re.IGNORECASE,
)
# Where a heading ends: a colon, a dash set apart by spaces, an en or em dash.
HEADING_END = re.compile(r"\s*(?::|\s[-–—]\s|[–—])\s*")


def read_entry_date(text: str, document_date: dt.date) -> EntryDate | None:
    """Return the date a progress entry is headed with, or None when it has no such heading.

    The heading is the entry's first words up to a colon or a dash ("March 2017: ...",
    "Update 03/05/17 – ..."), or its whole first line when more lines follow. All of
    it, but for "Update" or "Progress" around the date, must be one date (a day, week,
    month, term, quarter or year); a date mentioned anywhere else is not the entry's.

    >>> read_entry_date("March 2017: group convened.", dt.date(2017, 9, 25)).end
    datetime.date(2017, 3, 31)
    >>> read_entry_date("Update 03/05/17 – draft agreed", dt.date(2017, 9, 25)).start
    datetime.date(2017, 5, 3)
    >>> read_entry_date("Date amended for closure to September 2017", dt.date(2017, 9, 25)) is None
    True
    """
    lines = [line.strip() for line in text.strip().splitlines()]
    if not lines or not lines[0]:
        return None
    first = lines[0]
    end = HEADING_END.search(first)
    if end is not None and end.start() > 0:
        head = first[: end.start()]
    elif end is None and len(lines) > 1:
        head = first
    else:
        return None
    words = " ".join(head.split())
    period = read_period(HEADING_WORDS.sub("", words).strip(), document_date)
    if period is None:
        return None
    precision, start, last = period
    return EntryDate(words=words, precision=precision, start=start, end=last)
