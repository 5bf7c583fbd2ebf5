"""An item's history: what the papers date about it, in the order it happened.

Every source that dates something about an action or finding is read once here, into
typed records: the dated status series of a plan with a RAG column per month
(sg:StatusObservation), the item's current status as at the date its plan reports it,
its target dates and their revisions in the papers' own words (`ActionFacts.targets`),
its progress entries with the date each is headed with or read from a dated column and
the precision of that date, and the version log of the plan it is part of. `history`
orders them by date; what the papers do not date is listed after, each saying why.
The `history` command, the board pack and any other output render these records.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sendgraph.base.errors import UnknownReference

if TYPE_CHECKING:
    from sendgraph.ask.facts import TargetDate
    from sendgraph.ask.questions import Questions, Row

# The kinds of entry, in the order entries dated alike are listed.
VERSION = "version"
STATUS = "status"
CURRENT_STATUS = "status as at"
TARGET = "target"
PROGRESS = "progress"
KIND_ORDER = (VERSION, STATUS, CURRENT_STATUS, PROGRESS, TARGET)

# Why an entry of each kind may have no date.
UNDATED = {
    TARGET: "the papers give the order of a target's revisions, not the day each was set",
    PROGRESS: "its text is not headed with a date, and no dated column holds it",
    VERSION: "its date is not one sendgraph reads",
    CURRENT_STATUS: "no plan above it says when its statuses were reported",
}

# What each action or plan is part of: an item's plan, that plan's plan, and so up.
PART_OF = "SELECT ?part ?whole WHERE { ?part dcterms:isPartOf ?whole . ?whole a sg:Plan }"


@dataclass(frozen=True, kw_only=True)
class Version:
    """One entry of a plan's version log (`plan-versions.rq`)."""

    plan: str  # the plan's label
    number: int
    date: str | None  # ISO date
    date_text: str  # as the log writes it
    amended_by: str
    summary: str
    document: str = ""  # the title of the paper that gives the log
    section: str = ""

    @property
    def line(self) -> str:
        """The entry as the view's plan panel lists it.

        >>> Version(plan="P", number=2, date=None, date_text="27/02/17", amended_by="C P", summary="Revised").line
        'Version 2, 27/02/17, amended by C P: Revised'
        """
        said = [
            f"Version {self.number}",
            self.date_text,
            self.amended_by and f"amended by {self.amended_by}",
        ]
        return ", ".join(part for part in said if part) + (
            f": {self.summary}" if self.summary else ""
        )


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One dated (or undated) thing about an item: a status, a target, a progress entry, a version.

    ``start`` and ``end`` are the first and last day of the period its date names, with
    its ``precision`` (day, week, month, term, quarter or year); None when undated, and
    then ``undated`` says why.
    """

    kind: str  # one of KIND_ORDER
    date_text: str  # the date as the source writes it: "RAG May 20", "14/02/17", "Update 03/05/17"
    precision: str | None
    start: str | None  # ISO dates
    end: str | None
    what: str  # the status label, the target's words, the progress text, the version's summary
    words: str = ""  # the status as written, where it differs from its label
    detail: str = ""  # the column, the revision, who amended a version
    undated: str = ""  # why it has no date

    @property
    def dated(self) -> bool:
        """True when the papers date it."""
        return self.start is not None

    def row(self) -> dict[str, Any]:
        """Return it as one row of a table, CSV or JSON list."""
        return {
            "date": self.start or "",
            "until": self.end if self.end != self.start else "",
            "precision": self.precision or "",
            "as written": self.date_text,
            "kind": self.kind,
            "what": self.what,
            "words": self.words,
            "detail": self.detail,
            "undated": self.undated,
        }


@dataclass(frozen=True, kw_only=True)
class ItemHistory:
    """An item's history: its dated entries in order, then its undated ones."""

    iri: str
    ref: str
    kind: str  # action or finding
    plan: str  # the plan it is part of; "" for a finding
    statuses: tuple[Entry, ...]  # its dated status series, in month order
    current: Entry | None  # its status as at its plan's status date
    targets: tuple[TargetDate, ...]  # its targets and their revisions, as `ActionFacts` has them
    progress: tuple[Entry, ...]  # in row order
    versions: tuple[Version, ...]  # the version log of the plan it is part of
    entries: tuple[Entry, ...]  # all of the above, dated first in date order, then undated
    answered_by: tuple[str, ...] = ()  # for a finding, the refs of the actions that answer it

    @property
    def dated(self) -> tuple[Entry, ...]:
        """Its dated entries, in date order."""
        return tuple(e for e in self.entries if e.dated)

    @property
    def undated(self) -> tuple[Entry, ...]:
        """What the papers do not date about it, each saying why."""
        return tuple(e for e in self.entries if not e.dated)

    def nothing(self) -> str:
        """Say that the papers give it no history, and for a finding whose history to ask for instead."""
        if self.answered_by:
            return (
                f"{self.ref} has no history of its own in these papers; ask about the actions "
                f"that answer it: {', '.join(self.answered_by)}."
            )
        return f"The papers give {self.ref} no status, target, progress or version."

    def rows(self) -> list[dict[str, Any]]:
        """Its entries as rows, dated first, each with the item's reference."""
        return [{"ref": self.ref, **entry.row()} for entry in self.entries]

    def to_json(self) -> dict[str, Any]:
        """Return every fact as plain JSON values."""
        return asdict(self)


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _month_period(month: str) -> tuple[str, str]:
    year, number = (int(part) for part in month.split("-"))
    last = calendar.monthrange(year, number)[1]
    return dt.date(year, number, 1).isoformat(), dt.date(year, number, last).isoformat()


def _sort_key(entry: Entry) -> tuple[str, str, int]:
    return (entry.start or "", entry.end or "", KIND_ORDER.index(entry.kind))


class Histories:
    """The sources of every item's history over one graph, each query run once."""

    def __init__(self, questions: Questions) -> None:
        self.questions = questions
        self.facts = questions.facts()
        self.observations: dict[str, list[Row]] = defaultdict(list)
        for row in questions.select("status-history"):
            self.observations[str(row["action"])].append(row)
        self.status_dates = {
            str(row["action"]): row["status_date"] for row in questions.select("status-dates")
        }
        self.progress: dict[str, list[Row]] = defaultdict(list)
        for row in questions.select("progress"):
            if row["text"]:
                self.progress[str(row["item"])].append(row)
        self.part_of = {
            str(row["part"]): str(row["whole"]) for row in questions.store.select(PART_OF)
        }
        self.versions = version_logs(questions)

    def of(self, iri: str) -> ItemHistory:
        """The history of the action or finding ``iri``."""
        action = self.facts.actions.get(iri)
        finding = self.facts.findings.get(iri)
        if action is None and finding is None:
            raise UnknownReference(f"{iri} is not an action or a finding.")
        statuses = tuple(_observation(row) for row in self.observations.get(iri, []))
        current = None
        if action is not None and action.status_text:
            when = self.status_dates.get(iri)
            current = Entry(
                kind=CURRENT_STATUS,
                date_text=_str(when),
                precision="day" if when else None,
                start=_str(when) or None,
                end=_str(when) or None,
                what=action.status_label,
                words=action.status_text if action.status_text != action.status_label else "",
                detail="its status as at the date its plan reports it",
                undated="" if when else UNDATED[CURRENT_STATUS],
            )
        targets = action.targets if action is not None else ()
        progress = tuple(_progress(row) for row in self.progress.get(iri, []))
        versions = tuple(self._versions_above(iri))
        entries = [
            *statuses,
            *([current] if current else []),
            *progress,
            *(_target(t) for t in targets),
            *(_version(v) for v in versions),
        ]
        dated = sorted((e for e in entries if e.dated), key=_sort_key)
        undated = [e for e in entries if not e.dated]
        item = action or finding
        assert item is not None
        return ItemHistory(
            iri=iri,
            ref=item.ref,
            kind="action" if action is not None else "finding",
            plan=action.plan if action is not None else "",
            statuses=statuses,
            current=current,
            targets=targets,
            progress=progress,
            versions=versions,
            entries=(*dated, *undated),
            answered_by=finding.answered_by if finding is not None and action is None else (),
        )

    def _versions_above(self, iri: str) -> list[Version]:
        """The version log of the nearest plan above ``iri`` that has one."""
        seen = {iri}
        plan = self.part_of.get(iri)
        while plan is not None and plan not in seen:
            if plan in self.versions:
                return self.versions[plan]
            seen.add(plan)
            plan = self.part_of.get(plan)
        return []


def version_logs(questions: Questions) -> dict[str, list[Version]]:
    """Each plan's version log, by the plan's IRI, in version order (`plan-versions.rq`)."""
    logs: dict[str, list[Version]] = defaultdict(list)
    for row in questions.select("plan-versions"):
        logs[str(row["plan"])].append(
            Version(
                plan=_str(row["plan_label"]),
                number=int(row["number"]),
                date=_str(row["date"]) or None,
                date_text=_str(row["date_text"]),
                amended_by=_str(row["amended_by"]),
                summary=_str(row["summary"]),
                document=_str(row["document_title"]),
                section=_str(row["section"]),
            )
        )
    return dict(logs)


def _observation(row: Row) -> Entry:
    start, end = _month_period(_str(row["month"]))
    return Entry(
        kind=STATUS,
        date_text=_str(row["column"]),
        precision="month",
        start=start,
        end=end,
        what=_str(row["status"]) or _str(row["status_text"]),
        words=_str(row["status_text"]) if row["status_text"] != row["status"] else "",
        detail=f"column {_str(row['column'])}" if row["column"] else "",
    )


def _progress(row: Row) -> Entry:
    dated = row["start"] is not None
    column = _str(row["column"])
    return Entry(
        kind=PROGRESS,
        date_text=_str(row["date_text"]),
        precision=_str(row["precision"]) or None,
        start=_str(row["start"]) or None,
        end=_str(row["end"]) or None,
        what=_str(row["text"]),
        detail=f"row {row['row']}" + (f", column {column}" if column else ""),
        undated="" if dated else UNDATED[PROGRESS],
    )


def _target(target: TargetDate) -> Entry:
    due = (
        f"the {target.precision} {target.start} to {target.end}"
        if target.start != target.end
        else f"the day {target.end}"
        if target.end
        else "names no date"
    )
    return Entry(
        kind=TARGET,
        date_text="",
        precision=None,
        start=None,
        end=None,
        what=target.raw,
        detail=f"revision {target.revision}, {due}",
        undated=UNDATED[TARGET],
    )


def _version(version: Version) -> Entry:
    return Entry(
        kind=VERSION,
        date_text=version.date_text,
        precision="day" if version.date else None,
        start=version.date,
        end=version.date,
        what=version.summary,
        detail=f"{version.plan} version {version.number}"
        + (f", amended by {version.amended_by}" if version.amended_by else ""),
        undated="" if version.date else UNDATED[VERSION],
    )


def history(questions: Questions, ref: str) -> ItemHistory:
    """Return the history of the action or finding ``ref`` names (`sendgraph history REF`).

    A reference that names nothing, or something that is not an action or a finding,
    raises `UnknownReference` with a sentence saying so.
    """
    target = questions.references.resolve(ref)
    if not (target.is_a("Action") or target.is_a("Finding")):
        raise UnknownReference(f"{target.notation} is a {target.kind}, not an action or a finding.")
    return Histories(questions).of(target.iri)
