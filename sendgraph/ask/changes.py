"""What changed between two versions of the same area: the answer to "what moved since we last met?".

`compare` takes the facts of an older and a newer version (`Facts`, built once each) and
lists every change as a `Change` record, item by item. Items are matched by reference
within their area; an action and a finding are compared as what they are, so a
recommendation that is a row of a plan is compared as both.

The changes it finds, one kind each (`KINDS`, in the order they are listed):

- ``likely rename``: a reference only the older version has and another only the newer
  has, whose words are alike (difflib's ratio of the two texts at least
  `RENAME_SIMILARITY`). It is reported with its similarity, never matched silently, and
  the pair's other differences are then reported too. Below the threshold the two are
  ``removed`` and ``added``.
- ``action added`` / ``action removed``, ``finding added`` / ``finding removed``: with
  the item's words before or after.
- ``status moved``: the status label before and after, and its direction: ``worse``
  or ``better`` by the scheme's order (`sendgraph.records.statuses`, best first). A
  move from or to no status has no direction: the scheme does not order it.
- ``action closed``: a move to a status the scheme counts as complete from one it does
  not. It is a kind of its own, not a direction, because a board asks "what was closed?"
  apart from "what got worse?"; it carries its direction as a status move does. A move
  from complete back to not complete is a ``status moved``, worse.
- ``target moved``: the latest target as written before and after, and by how many
  months its month moved (none when either names no month). A revision added or
  reworded is a move, by 0 months when the month stayed. ``target added`` when the
  older version had no target, ``target removed`` when the newer has none.
- ``owners changed`` / ``accountable leads changed``: the names before and after.
- ``oversight gained`` / ``oversight lost``: a board over the action by a path kind
  (plan, review, report, reporting line) that only one version has, as "Board (via)".
- ``finding answered`` / ``finding no longer answered``: a finding that needs an answer,
  and the actions that answer it before and after. A finding unanswered in both
  versions is no change: `Comparison.still_unanswered` lists it.

With ``board``, only the items that board oversees in either version are compared: an
action with a path from it, a finding one of whose answering actions has one, or whose
review the board oversees.

`compare_versions` loads two versions (a data folder, a folder holding a council's
spreadsheet with its mapping, or a built graph file, as `load_data` reads them) and
dates each by the latest date its graph gives (``queries/version-dates.rq``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendgraph.ask.facts import ActionFacts, Facts, FindingFacts, TargetDate
from sendgraph.ask.questions import months_between, natural_key
from sendgraph.base.errors import InputProblems, SendgraphError, UnknownReference
from sendgraph.base.problems import Severity
from sendgraph.records import statuses

if TYPE_CHECKING:
    from sendgraph.ask.questions import Questions

# A reference that changed is a likely rename when the texts are at least this alike
# (difflib.SequenceMatcher.ratio, 0 to 1): a sentence of twenty words keeps it with two
# or three words changed, while two actions about different things score well below.
RENAME_SIMILARITY = 0.8

RENAME = "likely rename"
STATUS_MOVED = "status moved"
CLOSED = "action closed"
TARGET_MOVED = "target moved"
TARGET_ADDED = "target added"
TARGET_REMOVED = "target removed"
OWNERS = "owners changed"
LEADS = "accountable leads changed"
GAINED = "oversight gained"
LOST = "oversight lost"
ANSWERED = "finding answered"
UNANSWERED = "finding no longer answered"

# Every kind of change, in the order an item's changes are listed.
KINDS = (
    RENAME,
    "action added",
    "action removed",
    "finding added",
    "finding removed",
    STATUS_MOVED,
    CLOSED,
    TARGET_MOVED,
    TARGET_ADDED,
    TARGET_REMOVED,
    OWNERS,
    LEADS,
    GAINED,
    LOST,
    ANSWERED,
    UNANSWERED,
)

Value = str | tuple[str, ...] | None
Item = ActionFacts | FindingFacts


@dataclass(frozen=True, kw_only=True)
class Change:
    """One difference of one action or finding between the older and the newer version."""

    item: str  # "action" or "finding"
    area: str | None
    ref: str  # its reference in the newer version (the older one's, if it was removed)
    kind: str  # one of KINDS
    before: Value  # as the older version gives it; None when it had none
    after: Value
    direction: str | None = None  # status moves: "worse" or "better" by the scheme's order
    months: int | None = None  # target moves: how many months later (negative: earlier)
    similarity: float | None = None  # likely renames: how alike the two texts are, 0 to 1
    old_iri: str | None = None  # the item in each version, where it is in it
    new_iri: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return it as plain JSON values."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class UnansweredFinding:
    """A finding that needs an answer and has none, in the older version and in the newer."""

    area: str | None
    ref: str
    kind: str  # "Recommendation", "Area for consideration", ...
    text: str
    iri: str


@dataclass(frozen=True, kw_only=True)
class Version:
    """One compared version: where it was read from, and the latest date its graph gives."""

    path: str  # as it was given
    uri: str  # its file: URI, the version's identity in the RDF of a comparison
    date: str | None  # ISO 8601; None when its graph gives no date
    dated_by: str  # what gives that date: "SEND Peer Challenge ... (paper)"


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Every change between two versions, and the findings unanswered in both."""

    changes: tuple[Change, ...]
    still_unanswered: tuple[UnansweredFinding, ...]
    board: str | None = None  # the board the comparison is limited to, by its label
    old: Version | None = None  # set by `compare_versions`; `compare` reads no files
    new: Version | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the comparison as plain JSON values: both versions, the changes, the findings still unanswered."""
        return {
            "old": asdict(self.old) if self.old else None,
            "new": asdict(self.new) if self.new else None,
            "board": self.board,
            "changes": [c.to_json() for c in self.changes],
            "still_unanswered": [asdict(f) for f in self.still_unanswered],
        }


def compare(old: Facts, new: Facts, *, board: str | None = None) -> Comparison:
    """Compare the facts of two versions of one area: every change, item by item (see the module's docstring).

    ``board`` is a board's label as the facts give it: only what that board oversees in
    either version is compared. `compare_versions` resolves a name a person types.
    """
    changes: list[Change] = []
    unanswered: list[UnansweredFinding] = []
    remit = (_remit(old, board), _remit(new, board)) if board is not None else None
    for item, before, after in (
        ("action", old.actions, new.actions),
        ("finding", old.findings, new.findings),
    ):
        pairs, removed, added = _matched(before.values(), after.values())
        for a, b, similarity in pairs:
            if remit is not None and a.iri not in remit[0] and b.iri not in remit[1]:
                continue
            if similarity is not None:
                changes.append(_change(item, a, b, RENAME, a.ref, b.ref, similarity=similarity))
            if isinstance(a, ActionFacts) and isinstance(b, ActionFacts):
                changes += _action_changes(a, b)
            elif isinstance(a, FindingFacts) and isinstance(b, FindingFacts):
                changes += _finding_changes(a, b)
                if a.needs_answer and b.needs_answer and not a.answered_by and not b.answered_by:
                    unanswered.append(
                        UnansweredFinding(
                            area=b.area, ref=b.ref, kind=b.kind, text=b.text, iri=b.iri
                        )
                    )
        for gone in removed:
            if remit is None or gone.iri in remit[0]:
                changes.append(_change(item, gone, None, f"{item} removed", _text(gone), None))
        for came in added:
            if remit is None or came.iri in remit[1]:
                changes.append(_change(item, None, came, f"{item} added", None, _text(came)))
    changes.sort(key=_order)
    unanswered.sort(key=lambda f: (f.area or "", natural_key(f.ref)))
    return Comparison(changes=tuple(changes), still_unanswered=tuple(unanswered), board=board)


def _order(change: Change) -> tuple[Any, ...]:
    return (
        change.area or "",
        natural_key(change.ref),
        change.item,
        KINDS.index(change.kind),
        str(change.before or change.after),
    )


def _matched(
    before: Iterable[Item], after: Iterable[Item]
) -> tuple[list[tuple[Item, Item, float | None]], list[Item], list[Item]]:
    """Pair the items of two versions by reference within their area, then the rest by likely rename.

    Returns the pairs (with the similarity of a rename, None for a reference kept), the
    items only the older version has, and those only the newer has. A graph from
    elsewhere may give two items one reference: those are paired only by IRI, never by
    guess, and the rest are left to be renamed, removed or added.
    """
    old, new = _by_ref(before), _by_ref(after)
    pairs: list[tuple[Item, Item, float | None]] = []
    gone: list[Item] = []
    came: list[Item] = []
    for key in old.keys() | new.keys():
        olds, news = old.get(key, []), new.get(key, [])
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0], None))
            continue
        same = {i.iri for i in olds} & {i.iri for i in news}
        pairs += [(a, b, None) for a in olds for b in news if a.iri == b.iri]
        gone += [a for a in olds if a.iri not in same]
        came += [b for b in news if b.iri not in same]
    gone.sort(key=lambda i: i.iri)
    came.sort(key=lambda i: i.iri)
    for a, b, similarity in _renames(gone, came):
        pairs.append((a, b, similarity))
        gone.remove(a)
        came.remove(b)
    return pairs, gone, came


def _by_ref(items: Iterable[Item]) -> dict[tuple[str, str], list[Item]]:
    """The items by area and reference."""
    found: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        found.setdefault((item.area or "", item.ref), []).append(item)
    return found


def _text(item: Item) -> str:
    """An item's words: an action's, a finding's, or a strength's where it has no other."""
    return item.text or (item.strength if isinstance(item, FindingFacts) else "")


def _words(item: Item) -> str:
    return " ".join(_text(item).split()).casefold()


def _renames(gone: list[Item], came: list[Item]) -> list[tuple[Item, Item, float]]:
    """The likely renames among items of one area only each version has: most alike first, each item once."""
    scored = []
    for a in gone:
        for b in came:
            if a.area != b.area or not _words(a) or not _words(b):
                continue
            matcher = difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False)
            if matcher.real_quick_ratio() < RENAME_SIMILARITY:
                continue
            ratio = matcher.ratio()
            if ratio >= RENAME_SIMILARITY:
                scored.append((ratio, a, b))
    scored.sort(key=lambda s: (-s[0], s[1].iri, s[2].iri))
    found: list[tuple[Item, Item, float]] = []
    taken: set[str] = set()
    for ratio, a, b in scored:
        if a.iri in taken or b.iri in taken:
            continue
        taken |= {a.iri, b.iri}
        found.append((a, b, round(ratio, 3)))
    return found


def _change(
    item: str, a: Item | None, b: Item | None, kind: str, before: Value, after: Value, **more: Any
) -> Change:
    named = b or a
    assert named is not None
    return Change(
        item=item,
        area=named.area,
        ref=named.ref,
        kind=kind,
        before=before,
        after=after,
        old_iri=a.iri if a else None,
        new_iri=b.iri if b else None,
        **more,
    )


def _action_changes(a: ActionFacts, b: ActionFacts) -> list[Change]:
    """How one action differs between the versions: status, target, people, oversight."""
    found = []

    def change(kind: str, before: Value, after: Value, **more: Any) -> None:
        found.append(_change("action", a, b, kind, before, after, **more))

    was, now = statuses.of(a.status), statuses.of(b.status)
    if was.label != now.label:
        kind = CLOSED if now.is_complete and not was.is_complete else STATUS_MOVED
        change(kind, was.label, now.label, direction=direction(was, now))
    first = _latest(a.targets)
    last = _latest(b.targets)
    if first is None and last is not None:
        change(TARGET_ADDED, None, last.raw)
    elif first is not None and last is None:
        change(TARGET_REMOVED, first.raw, None)
    elif first is not None and last is not None and _target_moved(first, last):
        months = months_between(first.month, last.month) if first.month and last.month else None
        change(TARGET_MOVED, first.raw, last.raw, months=months)
    for kind, before, after in ((OWNERS, a.owners, b.owners), (LEADS, a.accountable_leads, b.accountable_leads)):  # fmt: skip
        if set(before) != set(after):
            change(kind, tuple(sorted(before)), tuple(sorted(after)))
    was_over, now_over = _overseers(a), _overseers(b)
    for key in sorted(now_over.keys() - was_over.keys()):
        change(GAINED, None, now_over[key])
    for key in sorted(was_over.keys() - now_over.keys()):
        change(LOST, was_over[key], None)
    return found


def _latest(targets: tuple[TargetDate, ...]) -> TargetDate | None:
    """The latest revision of an action's target, or None when it has none."""
    return max(targets, key=lambda t: t.revision, default=None)


def _target_moved(first: TargetDate, last: TargetDate) -> bool:
    """Whether the latest target's words (spacing aside) or month differ."""
    return " ".join(first.raw.split()) != " ".join(last.raw.split()) or first.month != last.month


def direction(before: statuses.Status, after: statuses.Status) -> str | None:
    """Return whether a status move is "worse" or "better" by the scheme's order; None when either is no status.

    >>> direction(statuses.of("Amber"), statuses.of("Behind schedule"))
    'worse'
    >>> direction(statuses.of("Red"), statuses.of("Green")), direction(statuses.NO_STATUS, statuses.of("Red"))
    ('better', None)
    """
    if statuses.NO_STATUS in (before, after) or before.severity == after.severity:
        return None
    return "worse" if after.severity > before.severity else "better"


def _overseers(action: ActionFacts) -> dict[tuple[str, str], str]:
    """The boards over an action by path kind, each as the tables name it: "Board (via)"."""
    return {(o.label, o.via): o.marked for o in action.oversight}


def _finding_changes(a: FindingFacts, b: FindingFacts) -> list[Change]:
    """Whether a finding that needs an answer gained or lost every answer."""
    if not (a.needs_answer and b.needs_answer) or bool(a.answered_by) == bool(b.answered_by):
        return []
    kind = ANSWERED if b.answered_by else UNANSWERED
    return [_change("finding", a, b, kind, tuple(a.answered_by), tuple(b.answered_by))]


def _remit(facts: Facts, board: str) -> set[str]:
    """The IRIs of the actions and findings of one version that the board labelled ``board`` oversees."""
    actions = {a.iri for a in facts.actions.values() if any(o.label == board for o in a.oversight)}
    reviews = {
        group.through
        for b in facts.boards.values()
        if b.label == board
        for group in b.oversees
        if group.via == "review"
    }
    findings = {
        f.iri
        for f in facts.findings.values()
        if actions.intersection(f.answering) or f.review in reviews
    }
    return actions | findings


# ---------------------------------------------------------------- loading two versions


@dataclass(frozen=True, kw_only=True)
class Side:
    """One version loaded to compare: its identity and date, and the questions on its graph."""

    version: Version
    questions: Questions


def load_version(path: Path, *, side: str, encoding: str | None = None) -> Side:
    """Load one version to compare: a data folder, a folder with a council's spreadsheet and mapping, or a graph file.

    ``side`` ("old" or "new") names it in the one sentence a version that cannot be
    read, or has errors, is answered with.
    """
    from sendgraph.ask.questions import Questions
    from sendgraph.graph.build import load_data

    try:
        built = load_data(path, encoding=encoding)
    except SendgraphError as exc:
        raise type(exc)(f"the {side} version, {path}, cannot be read: {exc}") from None
    if not built.ok:
        errors = sum(1 for p in built.problems if p.severity == Severity.ERROR)
        raise InputProblems(
            f"the {side} version, {path}, has {errors} errors; "
            f"run `sendgraph validate {path}` to see them."
        )
    questions = Questions(built.triples)
    dates = sorted(
        (str(row["date"]), f"{row['label'] or row['item']} ({row['kind']})")
        for row in questions.select("version-dates")
    )
    date, dated_by = dates[-1] if dates else (None, "")
    version = Version(path=str(path), uri=path.resolve().as_uri(), date=date, dated_by=dated_by)
    return Side(version=version, questions=questions)


def board_label(name: str, sides: Iterable[Side]) -> str:
    """Return the label of the board ``name`` names, in the first of ``sides`` that has it (`resolve_name`)."""
    from sendgraph.ask.names import resolve_name

    first: UnknownReference | None = None
    for side in sides:
        try:
            item = resolve_name(side.questions, name)
        except UnknownReference as exc:
            first = first or exc
            continue
        if item.kind != "board":
            raise UnknownReference(f"{name!r} names the {item.kind} {item.label}, not a board.")
        return item.label
    assert first is not None
    raise first


def compare_versions(
    old: Path, new: Path, *, board: str | None = None, encoding: str | None = None
) -> Comparison:
    """Load two versions of one area and compare them (`compare`), each dated by the latest date it gives.

    ``board`` names a board as `sendgraph board` and ``view --focus`` take it, looked up
    in the newer version and then in the older.

    Example: ``compare_versions(Path("2023-05"), Path("2023-09"), board="SEND Board")``.
    """
    before = load_version(old, side="old", encoding=encoding)
    after = load_version(new, side="new", encoding=encoding)
    label = board_label(board, (after, before)) if board is not None else None
    found = compare(before.questions.facts(), after.questions.facts(), board=label)
    return replace(found, old=before.version, new=after.version)
