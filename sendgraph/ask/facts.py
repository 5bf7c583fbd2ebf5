"""The facts of each action, finding, board and person: derived once, rendered by every output.

The command line's tables and JSON, the view's panel, the report and the endpoint's
question routes all show the same things about an item: its status, who owns it, who
supports it, who is accountable, the boards over it and by what path, its target dates
and the findings it answers. They read them from these records, built once per graph by
`Facts.build`, so no output can derive them differently from another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sendgraph.ask.areas import area_of
from sendgraph.records.statuses import NO_STATUS

if TYPE_CHECKING:
    from sendgraph.ask.questions import Questions, Row


@dataclass(frozen=True, kw_only=True)
class Step:
    """One step of an oversight path, with the words it was read from."""

    start: str  # what the step starts from: the action, or a board on the line
    relation: str  # "is part of", "answers a finding of", "reports to"
    end: str
    modality: str  # stated, inferred or planned (a recommendation is never a step)
    quote: str
    document: str  # the source document's local name
    section: str
    then: str = ""  # for a plan or review: "overseen by <board>"


@dataclass(frozen=True, kw_only=True)
class Oversight:
    """A board over an action, and the path by which it oversees it."""

    board: str  # IRI
    label: str
    via: str  # plan, review, report, or reporting line
    modality: str  # the weakest step's: stated unless a step is inferred or planned
    path: tuple[Step, ...]

    @property
    def marked(self) -> str:
        """The board as the view and tables list it: "Board (via)", with any weaker modality.

        >>> Oversight(board="b", label="SEND Board", via="plan", modality="inferred", path=()).marked
        'SEND Board (plan, inferred)'
        """
        kind = self.via if self.modality == "stated" else f"{self.via}, {self.modality}"
        return f"{self.label} ({kind})"


@dataclass(frozen=True, kw_only=True)
class RowStatus:
    """One row's own status, shown beside an item whose rows disagree (docs/statuses.md)."""

    row: int
    status: str | None  # None when its words are in no scheme
    status_text: str | None


@dataclass(frozen=True, kw_only=True)
class TargetDate:
    """A target date as written, with its revision (1 is the first) and the month it names."""

    raw: str
    revision: int
    month: str | None  # the month it falls due
    precision: str | None  # day, week, month, term, quarter or year
    start: str | None  # the first and last day of the period it names (ISO dates)
    end: str | None


@dataclass(frozen=True, kw_only=True)
class ActionFacts:
    """Everything the outputs show about one action."""

    iri: str
    area: str | None  # the area whose namespace holds it (`sendgraph.ask.areas`)
    ref: str
    text: str
    plan: str
    status: str | None  # a label of the status scheme; None: no row has a status it knows
    status_text: str  # the words of the status cell, as written
    row_statuses: tuple[RowStatus, ...]  # only for an item of more than one row
    owners: tuple[str, ...]
    accountable_leads: tuple[str, ...]
    supporting_partners: tuple[str, ...]  # "LA with support from ICB": ICB
    organisations: tuple[str, ...]  # of its owners and accountable leads
    oversight: tuple[Oversight, ...]
    targets: tuple[TargetDate, ...]
    progress: tuple[str, ...]
    answers: tuple[str, ...]  # refs of the findings it answers (a recommendation answers itself)
    document: str
    section: str
    source_file: str
    source_row: int | None

    @property
    def status_label(self) -> str:
        """Its status as the tables, view and report name it: "No status" when it has none."""
        return self.status or NO_STATUS.label

    @property
    def boards(self) -> list[str]:
        """The boards over it, each once, in order."""
        return sorted({o.label for o in self.oversight})

    def row(self) -> dict[str, Any]:
        """Return it as one row of a table or JSON list: each board with its path kind and any weaker modality.

        Its area is left to `Questions.placed`, which adds it only over many areas.
        """
        return {
            "ref": self.ref,
            "text": self.text,
            "plan": self.plan,
            "owners": list(self.owners),
            "accountable_leads": list(self.accountable_leads),
            "supporting_partners": list(self.supporting_partners),
            "organisations": list(self.organisations),
            "boards": sorted({o.marked for o in self.oversight}),
            "status": self.status,
            "status_text": self.status_text,
            "row_statuses": [asdict(r) for r in self.row_statuses],
            "targets": [t.raw for t in self.targets],
            "progress": list(self.progress),
            "answers": list(self.answers),
            "document": self.document,
            "section": self.section,
        }

    def to_json(self) -> dict[str, Any]:
        """Return every fact as plain JSON values, oversight paths in full."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class FindingFacts:
    """Everything the outputs show about one finding."""

    iri: str
    area: str | None  # the area whose namespace holds it (`sendgraph.ask.areas`)
    ref: str
    kind: str  # "Recommendation", "Area for consideration", "Strength", ...
    review: str
    text: str  # the words that need an answer: recommendation, gap or area for consideration
    strength: str
    needs_answer: bool  # false for a strength alone
    answered_by: tuple[str, ...]  # refs of the actions that answer it
    answering: tuple[str, ...]  # their IRIs: areas may share a reference
    document: str
    section: str

    def row(self) -> dict[str, Any]:
        """Return it as one row of a table or JSON list (its area is left to `Questions.placed`)."""
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in self.to_json().items()
            if k not in ("iri", "area", "answering")
        }

    def to_json(self) -> dict[str, Any]:
        """Return every fact as plain JSON values."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class Seat:
    """A person's place on a board, as a board register states it."""

    person: str
    role: str  # Chair, Member or Adviser
    role_text: str  # as the register writes it ("Vice-chair", "In attendance")
    organisation: str  # the organisation they sit for, where given
    posts: tuple[str, ...]
    quote: str
    document: str
    section: str


@dataclass(frozen=True, kw_only=True)
class Line:
    """A reporting line to or from a board, with its modality and words."""

    board: str  # the board at the other end
    modality: str
    quote: str
    document: str
    section: str


@dataclass(frozen=True, kw_only=True)
class Overseen:
    """The actions a board oversees by one path: through one plan or review, or by reports."""

    via: str  # plan, review or report
    through: str  # the plan's or review's label; "" for reports
    actions: tuple[str, ...]  # their refs
    statuses: dict[str, int]  # status label -> how many


@dataclass(frozen=True, kw_only=True)
class PlanOverseen:
    """The actions of one plan a board oversees by one path kind: the board's view by plan."""

    plan: str  # the plan the actions are part of
    via: str  # plan, review, report or reporting line
    actions: tuple[str, ...]  # their refs
    statuses: dict[str, int]  # status label -> how many


@dataclass(frozen=True, kw_only=True)
class BoardFacts:
    """Everything the outputs show about one board: who sits on it, its lines, what it oversees."""

    iri: str
    label: str
    kind: str
    aliases: tuple[str, ...]
    meets: str  # as written; "" when no paper says
    meets_days: int | None  # the interval that names, where it names one
    register: str  # its row of a board register, as written; "" when it has none
    document: str
    section: str
    chairs: tuple[str, ...]
    members: tuple[Seat, ...]  # chairs first, then members, then advisers
    # Every line the papers give, stated, inferred or planned, each with its modality: a
    # board's lines are facts about it whichever lines oversight is asked to follow.
    reports_to: tuple[Line, ...]
    reported_to_by: tuple[Line, ...]
    oversees: tuple[Overseen, ...]  # direct paths only (include/oversees.rq)
    # Every action it oversees by any path, up the reporting line too (as far as
    # ``include`` lets oversight follow), by plan and path kind, and counted by path kind.
    by_plan: tuple[PlanOverseen, ...]
    rollup: dict[str, dict[str, int]]  # path kind -> status label -> how many actions

    def to_json(self) -> dict[str, Any]:
        """Return every fact as plain JSON values."""
        return asdict(self)


# The inspection frameworks' findings first: they are kinds of area for consideration too.
FINDING_KINDS = {
    "SignificantWeakness": "Significant weakness",
    "AreaForPriorityAction": "Area for priority action",
    "AreaForImprovement": "Area for improvement",
    "Recommendation": "Recommendation",
    "SelfAssessmentGap": "Self-assessment gap",
}


def finding_kind(kinds: Iterable[str], consideration: bool) -> str:
    """Name a finding by its most specific kind.

    >>> finding_kind({"Finding", "Strength", "AreaForConsideration"}, True)
    'Area for consideration'
    """
    kinds = set(kinds)
    for name, label in FINDING_KINDS.items():
        if name in kinds:
            return label
    if consideration or "AreaForConsideration" in kinds:
        return "Area for consideration"
    return "Strength" if "Strength" in kinds else "Finding"


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _local(iri: object) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1] if iri else ""


def _step(step: Row) -> Step:
    return Step(
        start=_str(step["from"]),
        relation=_str(step["relation"]),
        end=_str(step["to"]),
        modality=_str(step["modality"]),
        quote=_str(step["quote"]),
        document=_str(step["document"]),
        section=_str(step["section"]),
        then=_str(step.get("then")),
    )


def oversight_record(row: Row) -> Oversight:
    """Turn one oversight answer (`Questions.oversight_of`) into its record."""
    return Oversight(
        board=_str(row["board"]),
        label=_str(row["label"]),
        via=_str(row["via"]),
        modality=_str(row["modality"]),
        path=tuple(_step(s) for s in row["path"]),
    )


@dataclass(frozen=True)
class Facts:
    """The facts of every action and finding of one graph, by IRI, for one choice of lines.

    ``include`` names the modalities oversight may follow besides stated ones.
    """

    actions: dict[str, ActionFacts]
    findings: dict[str, FindingFacts]
    include: tuple[str, ...] = ()
    boards: dict[str, BoardFacts] = field(default_factory=dict)

    @classmethod
    def build(cls, questions: Questions, include: Iterable[str] = ()) -> Facts:
        """Derive every action's and finding's facts from the graph, each query run once."""
        include = tuple(sorted(set(include)))
        gather = _Gather(questions, include)
        actions = {
            str(row["action"]): gather.action(row) for row in questions.select("action-details")
        }
        findings: dict[str, FindingFacts] = {}
        for row in questions.select("findings"):
            findings.setdefault(str(row["finding"]), gather.finding(row))
        return cls(actions, findings, include, _boards(questions, include, actions))

    def by_ref(self, ref: str) -> list[ActionFacts | FindingFacts]:
        """The actions and findings whose reference is ``ref`` (areas may share one)."""
        return [
            *(a for a in self.actions.values() if a.ref == ref),
            *(f for f in self.findings.values() if f.ref == ref),
        ]

    def counts(self) -> dict[str, int]:
        """How many findings there are, and why outputs count them differently.

        A strength alone needs no answer; a recommendation that is a row of a plan is an
        action too, so the view draws it as one.
        """
        findings = list(self.findings.values())
        return {
            "findings": len(findings),
            "needing an answer": sum(f.needs_answer for f in findings),
            "strengths alone": sum(not f.needs_answer for f in findings),
            "also actions": sum(f.iri in self.actions for f in findings),
            "answered": sum(bool(f.answered_by) for f in findings if f.needs_answer),
        }


class _Gather:
    """Each query's answers, grouped by item, fetched once for `Facts.build`."""

    def __init__(self, questions: Questions, include: tuple[str, ...]) -> None:
        self.kinds = {
            target.iri: target.kinds
            for targets in questions.references.index.values()
            for target in targets
        }
        self.targets: dict[str, list[TargetDate]] = defaultdict(list)
        for row in questions.select("target-dates"):
            self.targets[str(row["action"])].append(
                TargetDate(
                    raw=_str(row["raw"]),
                    revision=int(row["revision"]),
                    month=_str(row["month"]) or None,
                    precision=_str(row["precision"]) or None,
                    start=_str(row["start"]) or None,
                    end=_str(row["end"]) or None,
                )
            )
        self.progress: dict[str, list[str]] = defaultdict(list)
        for row in questions.select("progress"):
            if row["text"]:
                self.progress[str(row["item"])].append(_str(row["text"]))
        self.row_statuses = {
            item: tuple(
                RowStatus(
                    row=int(r["row"]),
                    status=_str(r["status"]) or None,
                    status_text=_str(r["status_text"]) or None,
                )
                for r in rows
            )
            for item, rows in questions.row_statuses().items()
        }
        # Who holds each role on an item: (IRI, label) pairs, in the query's order.
        self.people: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for row in questions.select("responsibilities"):
            self.people[str(row["item"])][row["role"]].append(
                (str(row["person"]), _str(row["person_label"]))
            )
        self.posts: dict[str, set[str]] = defaultdict(set)
        for row in questions.select("people"):
            if row["organisation"]:
                self.posts[str(row["person"])].add(_str(row["organisation"]))
        self.oversight = {
            action: tuple(oversight_record(r) for r in rows)
            for action, rows in questions.oversight_by_action(include).items()
        }
        self.answers: dict[str, list[str]] = defaultdict(list)
        self.answered_by: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in questions.select("answers"):
            self.answers[str(row["action"])].append(_str(row["finding_ref"]))
            self.answered_by[str(row["finding"])].append(
                (str(row["action"]), _str(row["action_ref"]))
            )

    def action(self, row: Row) -> ActionFacts:
        iri = str(row["action"])
        people = self.people.get(iri, {})
        owners = people.get("owner", [])
        leads = people.get("accountable lead", [])
        return ActionFacts(
            iri=iri,
            area=area_of(iri),
            ref=_str(row["ref"]),
            text=_str(row["text"]),
            plan=_str(row["plan_label"]),
            status=_str(row["status"]) or None,
            status_text=_str(row["status_text"]),
            row_statuses=self.row_statuses.get(iri, ()),
            owners=tuple(label for _, label in owners),
            accountable_leads=tuple(label for _, label in leads),
            supporting_partners=tuple(label for _, label in people.get("supporting partner", [])),
            organisations=tuple(sorted({o for p, _ in owners + leads for o in self.posts[p]})),
            oversight=self.oversight.get(iri, ()),
            targets=tuple(self.targets.get(iri, [])),
            progress=tuple(self.progress.get(iri, [])),
            answers=tuple(self.answers.get(iri, [])),
            document=_local(row["document"]),
            section=_str(row["section"]),
            source_file=_str(row["source_file"]),
            source_row=int(row["source_row"]) if row["source_row"] is not None else None,
        )

    def finding(self, row: Row) -> FindingFacts:
        iri = str(row["finding"])
        text = _str(row["text"]) or _str(row["consideration"])
        return FindingFacts(
            iri=iri,
            area=area_of(iri),
            ref=_str(row["ref"]),
            kind=finding_kind(self.kinds.get(iri, frozenset()), bool(row["consideration"])),
            review=_str(row["review_label"]),
            text=text,
            strength=_str(row["strength"]),
            needs_answer=bool(text),
            answered_by=tuple(ref for _, ref in self.answered_by.get(iri, [])),
            answering=tuple(action for action, _ in self.answered_by.get(iri, [])),
            document=_local(row["document"]),
            section=_str(row["section"]),
        )


ROLE_ORDER = {"Chair": 0, "Member": 1, "Adviser": 2}


def _boards(
    questions: Questions, include: tuple[str, ...], actions: dict[str, ActionFacts]
) -> dict[str, BoardFacts]:
    """Every board's facts: its seats, its reporting lines and the actions it oversees directly."""
    seats: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in questions.select("board-members"):
        seat = seats[str(row["board"])].setdefault(
            str(row["person"]),
            {
                "person": _str(row["person_label"]),
                "role": _str(row["role"]),
                "role_text": _str(row["role_text"]),
                "organisation": _str(row["organisation"]),
                "posts": [],
                "quote": _str(row["quote"]),
                "document": _local(row["document"]),
                "section": _str(row["section"]),
            },
        )
        if row["post"] and _str(row["post"]) not in seat["posts"]:
            seat["posts"].append(_str(row["post"]))
    up: dict[str, list[Line]] = defaultdict(list)
    down: dict[str, list[Line]] = defaultdict(list)
    for row in questions.reporting_lines(LINE_MODALITIES):
        words = {
            "modality": _str(row["modality"]),
            "quote": _str(row["quote"]),
            "document": _local(row["document"]),
            "section": _str(row["section"]),
        }
        up[str(row["board"])].append(Line(board=_str(row["reports_to_label"]), **words))
        down[str(row["reports_to"])].append(Line(board=_str(row["board_label"]), **words))
    overseen = _overseen(actions, direct=True)
    by_plan = _overseen(actions, direct=False)
    found: dict[str, BoardFacts] = {}
    for row in questions.select("board-details"):
        iri = str(row["board"])
        if iri in found:
            aliases = (*found[iri].aliases, _str(row["alias"]))
            found[iri] = BoardFacts(**{**found[iri].__dict__, "aliases": aliases})
            continue
        members = sorted(
            (Seat(**{**seat, "posts": tuple(seat["posts"])}) for seat in seats[iri].values()),
            key=lambda s: (ROLE_ORDER.get(s.role, 3), s.person),
        )
        found[iri] = BoardFacts(
            iri=iri,
            label=_str(row["label"]),
            kind=_str(row["kind"]),
            aliases=(_str(row["alias"]),) if row["alias"] else (),
            meets=_str(row["meets"]),
            meets_days=int(row["meets_days"]) if row["meets_days"] is not None else None,
            register=_str(row["register_quote"]),
            document=_local(row["document"]),
            section=_str(row["section"]),
            chairs=tuple(s.person for s in members if s.role == "Chair"),
            members=tuple(members),
            reports_to=tuple(up.get(iri, [])),
            reported_to_by=tuple(down.get(iri, [])),
            oversees=tuple(
                Overseen(via=via, through=through, **_tally(group))
                for (via, through), group in sorted(overseen.get(iri, {}).items())
            ),
            by_plan=tuple(
                PlanOverseen(plan=plan, via=via, **_tally(group))
                for (plan, via), group in sorted(by_plan.get(iri, {}).items())
            ),
            rollup=_rollup(by_plan.get(iri, {})),
        )
    return found


# The modalities a board's own lines are listed with (a recommendation is never a line).
LINE_MODALITIES = ("inferred", "planned")


def _overseen(
    actions: dict[str, ActionFacts], *, direct: bool
) -> dict[str, dict[tuple[str, str], list[ActionFacts]]]:
    """The actions each board oversees, by board IRI and group, each once a group.

    ``direct``: by the path kind and the plan or review it runs through, leaving out
    reporting lines (`BoardFacts.oversees`); else by the action's plan and path kind.
    """
    groups: dict[str, dict[tuple[str, str], list[ActionFacts]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for action in actions.values():
        for path in action.oversight:
            if direct and path.via == "reporting line":
                continue
            if direct:
                key = (path.via, path.path[0].end if path.via != "report" else "")
            else:
                key = (action.plan, path.via)
            group = groups[path.board][key]
            if action not in group:
                group.append(action)
    return groups


def _tally(group: list[ActionFacts]) -> dict[str, Any]:
    """A group's actions by reference, and how many have each status."""
    return {
        "actions": tuple(a.ref for a in group),
        "statuses": _count(a.status_label for a in group),
    }


def _rollup(groups: dict[tuple[str, str], list[ActionFacts]]) -> dict[str, dict[str, int]]:
    """Count a board's actions by status for each path kind, each action once a kind."""
    kinds: dict[str, dict[str, ActionFacts]] = defaultdict(dict)
    for (_, via), group in groups.items():
        for action in group:
            kinds[via][action.iri] = action
    return {via: _count(a.status_label for a in kinds[via].values()) for via in sorted(kinds)}


def _count(labels: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items()))
