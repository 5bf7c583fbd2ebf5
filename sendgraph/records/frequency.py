"""How often a board meets or a plan reports, as papers write it, and the interval it names.

Terms of reference write a board's meetings as "monthly", "every six weeks", "meets
bi-monthly", "at least quarterly", "termly" or "twice a year"; a plan's progress is
reported "monthly" or "to each meeting". The words are always kept as written. Where
they name one interval it is read as a number of days, so that a board's meetings and a
plan's reports can be compared; where they do not ("as required", "bi-monthly", which
means both twice a month and every two months) the interval is left unknown and the
reader says why, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Days in the intervals papers name. A month is a twelfth of a year, rounded; a school
# term a third of the school year. "Every four weeks" (28) is then more often than
# "monthly" (30), as it is.
DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "term": 122, "quarter": 91, "year": 365}
ADVERBS = {
    "daily": 1,
    "weekly": 7,
    "fortnightly": 14,
    "monthly": 30,
    "termly": 122,
    "quarterly": 91,
    "annually": 365,
    "yearly": 365,
    "biannually": 182,
    "half-yearly": 182,
    "six-monthly": 182,
    "bi-annually": 182,
    "half-termly": 61,
    "half termly": 61,
}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
}
TIMES = {"once": 1, "twice": 2, "three times": 3, "four times": 4, "six times": 6}
# Words that say the meetings follow need, not a calendar: read only when nothing else is.
AS_NEEDED = ("as required", "as needed", "ad hoc")
# Words with two meanings, never read.
AMBIGUOUS = {
    "bi-monthly": "'bi-monthly' means both twice a month and every two months",
    "bimonthly": "'bimonthly' means both twice a month and every two months",
    "bi-weekly": "'bi-weekly' means both twice a week and every two weeks",
    "biweekly": "'biweekly' means both twice a week and every two weeks",
}
_UNIT = r"(day|week|fortnight|month|term|quarter|year)s?"
_NUMBER = r"(\d+|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")"
EVERY = re.compile(rf"\bevery\s+(?:{_NUMBER}\s+)?{_UNIT}\b")
# "six-weekly", "6 weekly", "8-weekly": every so many weeks.
N_WEEKLY = re.compile(rf"\b{_NUMBER}[\s-](week)ly\b")
PER = re.compile(
    r"\b(once|twice|three times|four times|six times|\d+\s+times)\s+(?:a|per|each|every)\s+"
    r"(week|month|term|quarter|year)\b"
)


@dataclass(frozen=True, kw_only=True)
class Frequency:
    """A frequency as written, and the interval in days it names (None when it names none)."""

    text: str
    days: int | None
    problem: str = ""  # why no interval was read, for the warning


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word]


def read_frequency(text: str) -> Frequency:
    """Read how often something happens; the words are kept, the interval read only when named.

    >>> read_frequency("Monthly").days, read_frequency("every six weeks").days
    (30, 42)
    >>> read_frequency("At least quarterly").days, read_frequency("Termly").days
    (91, 122)
    >>> read_frequency("Twice a year").days, read_frequency("6-weekly").days
    (182, 42)
    >>> read_frequency("bi-monthly").problem
    "'bi-monthly' means both twice a month and every two months"
    """
    written = " ".join(text.split())
    words = written.casefold()
    if not words:
        return Frequency(text=written, days=None, problem="is empty")
    for phrase, why in AMBIGUOUS.items():
        if phrase in words:
            return Frequency(text=written, days=None, problem=why)
    found = _intervals(words)
    if len(set(found)) == 1:
        return Frequency(text=written, days=found[0])
    if found:
        return Frequency(text=written, days=None, problem="names more than one interval")
    for phrase in AS_NEEDED:
        if phrase in words:
            return Frequency(
                text=written, days=None, problem=f"says {phrase!r}, which names no interval"
            )
    return Frequency(text=written, days=None, problem="names no interval sendgraph can read")


def _intervals(words: str) -> list[int]:
    found = []
    for match in EVERY.finditer(words):
        number = _count(match.group(1)) if match.group(1) else 1
        found.append(number * DAYS[match.group(2)])
    for match in N_WEEKLY.finditer(words):
        found.append(_count(match.group(1)) * DAYS[match.group(2)])
    for match in PER.finditer(words):
        times = match.group(1)
        count = TIMES.get(times) or int(times.split()[0])
        found.append(round(DAYS[match.group(2)] / count))
    if not found:
        rest = words
        for adverb in sorted(ADVERBS, key=len, reverse=True):
            pattern = rf"(?<![\w-]){re.escape(adverb)}\b"
            if re.search(pattern, rest):
                found.append(ADVERBS[adverb])
                rest = re.sub(pattern, " ", rest)
    return found
