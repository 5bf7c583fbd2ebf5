"""A board pack: the paper for one board's meeting, its facts gathered once.

What the board oversees (as `sendgraph board` says), its exceptions (as `sendgraph
exceptions` lists them, kept to the actions the board is over), what changed since a
date (the dated entries of its actions' histories, `sendgraph.ask.history`, and the
plan versions dated since), and the gaps that concern it (those `sendgraph board`
lists: on the board, or on an action it oversees directly). `show/report/boardpack.py`
renders a `BoardPack`; it derives nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sendgraph.ask.exceptions import ActionException, find_exceptions
from sendgraph.ask.history import CURRENT_STATUS, STATUS, VERSION, Entry, Histories, Version
from sendgraph.ask.questions import natural_key
from sendgraph.base.errors import UsageError

if TYPE_CHECKING:
    from sendgraph.ask.questions import Questions

SINCE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_since(text: str) -> dt.date:
    """Read a --since date, YYYY-MM (its first day) or YYYY-MM-DD; anything else is a sentence.

    >>> parse_since("2020-01"), parse_since("2022-05-15")
    (datetime.date(2020, 1, 1), datetime.date(2022, 5, 15))
    """
    match = SINCE.match(text.strip())
    try:
        if match:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        pass
    raise UsageError(
        f"{text!r} is not a date sendgraph reads for --since: give a month (2020-01) or a day (2020-01-31)."
    )


@dataclass(frozen=True, kw_only=True)
class Change:
    """A dated entry of an overseen action's history, on or after the pack's date."""

    ref: str  # the action's reference
    entry: Entry
    was: str = ""  # for a status of a dated series, the status the month before, where it differs

    @property
    def sentence(self) -> str:
        """The change in words: "WSoA 1.2's status in RAG May 22 (2022-05-01): Amber, was Red".

        >>> entry = Entry(kind="status as at", date_text="2017-09-25", precision="day",
        ...               start="2017-09-25", end="2017-09-25", what="Amber")
        >>> Change(ref="JCP 6.4", entry=entry).sentence
        "JCP 6.4's status as at 2017-09-25: Amber"
        """
        entry = self.entry
        if entry.kind == CURRENT_STATUS:
            return f"{self.ref}'s status as at {entry.start}: {entry.what}"
        if entry.kind == STATUS:
            was = f", was {self.was}" if self.was else ""
            return f"{self.ref}'s status in {entry.date_text} ({entry.start}): {entry.what}{was}"
        return f"{self.ref}'s {entry.kind} dated {entry.date_text} ({entry.start}): {entry.what}"


@dataclass(frozen=True, kw_only=True)
class BoardPack:
    """Everything one board's pack holds, for one date since which changes are listed."""

    board: str  # its label
    since: dt.date
    answer: dict[str, Any]  # what `sendgraph board` answers for it (`Questions.board_answer`)
    actions: tuple[str, ...]  # the refs of every action it oversees, by any path
    exceptions: tuple[ActionException, ...]
    changes: tuple[Change, ...]  # in date order
    versions: tuple[Version, ...]  # the versions of its actions' plans dated since
    latest: Change | None  # the latest dated entry of its actions' own histories, whenever
    latest_version: Version | None  # the latest dated version of their plans, whenever
    gaps: tuple[dict[str, Any], ...]

    @property
    def statement(self) -> str:
        """Say plainly what changed since the date, and what the latest dated entry is."""
        since = f"{self.since.day} {self.since:%B %Y}"
        latest = []
        if self.latest is not None:
            latest.append(f"The latest dated entry of what it oversees is {self.latest.sentence}.")
        if self.latest_version is not None:
            version = self.latest_version
            latest.append(
                f"The latest version of its plans is {version.plan} version {version.number} "
                f"({version.date_text or version.date})."
            )
        if not latest:
            return (
                f"Nothing the {self.board} oversees is dated in these papers, so nothing can "
                f"be said to have changed since {since}."
            )
        count = len(self.changes) + len(self.versions)
        said = (
            f"{count} dated entries fall on or after {since}."
            if count
            else f"Nothing dated falls on or after {since}."
        )
        return " ".join([said, *latest])


def board_pack(
    questions: Questions, name: str, since: dt.date, include: Iterable[str] = ()
) -> BoardPack:
    """Gather the pack of the board ``name`` for a meeting that asks what changed since ``since``.

    ``include`` names the modalities oversight may follow besides stated ones, as for
    `Questions.board`; a name that matches no board raises `UnknownReference`.
    """
    include = tuple(include)
    answer = questions.board(name, include=include)
    iri = answer["iri"]
    facts = questions.facts(include).actions
    overseen = sorted(
        (a for a in facts.values() if any(o.board == iri for o in a.oversight)),
        key=lambda a: natural_key(a.ref),
    )
    exceptions = tuple(
        e for e in find_exceptions(questions, include) if any(o.board == iri for o in e.oversight)
    )
    histories = Histories(questions)
    changes: list[Change] = []
    versions: dict[tuple[str, int], Version] = {}
    latest: Change | None = None
    latest_version: Version | None = None
    for action in overseen:
        found = histories.of(action.iri)
        previous = ""
        for entry in found.dated:
            if entry.kind != VERSION and (
                latest is None or (entry.start or "") > (latest.entry.start or "")
            ):
                latest = Change(ref=action.ref, entry=entry)
            was = previous if entry.kind == STATUS and previous not in ("", entry.what) else ""
            if entry.kind == STATUS:
                previous = entry.what
            if entry.start is None or dt.date.fromisoformat(entry.start) < since:
                continue
            # A plan's versions are listed once, not for each action in it; the status as at
            # the plan's date is the board's current picture, which the oversight counts give.
            if entry.kind not in (VERSION, CURRENT_STATUS):
                changes.append(Change(ref=action.ref, entry=entry, was=was))
        for version in found.versions:
            if version.date and (
                latest_version is None or version.date > (latest_version.date or "")
            ):
                latest_version = version
            if version.date and dt.date.fromisoformat(version.date) >= since:
                versions[(version.plan, version.number)] = version
    return BoardPack(
        board=answer["label"],
        since=since,
        answer=answer,
        actions=tuple(a.ref for a in overseen),
        exceptions=exceptions,
        changes=tuple(sorted(changes, key=lambda c: (c.entry.start or "", natural_key(c.ref)))),
        versions=tuple(versions[key] for key in sorted(versions)),
        latest=latest,
        latest_version=latest_version,
        gaps=tuple(answer["gaps"]),
    )
