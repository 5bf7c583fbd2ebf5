"""Problems found in input: the record of one bad cell, and how bad it is.

A loader never stops at the first bad cell: it yields a `Problem` for each one and goes
on, so that one run reports everything. Exceptions (`sendgraph.base.errors`) are for
what stops a run outright.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """How bad a problem is; ordered so that ``max()`` gives the worst."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth knowing) about one place in the input.

    ``source`` is the file as the user would type it (``data/actions.csv``), ``row`` the
    spreadsheet row (the header is row 1), ``field`` the column name. Any of them is
    empty when the problem is about a whole file or the whole graph.
    """

    source: str
    row: int
    field: str
    severity: Severity
    message: str

    def location(self) -> str:
        """Return ``file:row:column`` with the parts that are known."""
        parts = [self.source or "<graph>"]
        if self.row:
            parts.append(str(self.row))
        if self.field:
            parts.append(self.field)
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.severity}: {self.message}"


def worst(problems: Iterable[Problem]) -> Severity | None:
    """Return the highest severity among ``problems``, or None if there are none."""
    return max((p.severity for p in problems), default=None)
