"""The evidence of the inspection report: for each finding, what was done, by whom, overseen by whom, with what result.

`build_report` gathers the evidence from the named questions (trace, oversight,
slippage), the gap rules, the exceptions list and the bundled queries into a `Report`,
a tree of keyword-only dataclasses that the `html` and `markdown` modules beside it
render without deriving anything again. The report is read in this order: a one-page
executive summary, one page per finding, then the appendices (every oversight path,
the register of every action with its text, the plan's version log, the recurring
themes, the strengths, the figures, and where each item was read). Every fact carries
its source: the paper's title and section on the finding's page, and the data file and
row it was read from in the provenance appendix.

Statuses are shown as at the date their plan reports them, never as at today; the
generation date is only printed in the footer. The recurring themes are
`Questions.recurring()`'s rows grouped theme by theme: the findings raising each, review
by review, and the earlier and identified actions on it, each linked to its place in
the report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sendgraph.ask.exceptions import ActionException, find_exceptions
from sendgraph.ask.gaps import Rule, find_gaps, load_rules
from sendgraph.ask.history import Version, version_logs
from sendgraph.ask.questions import Questions, Row, natural_key
from sendgraph.records.statuses import NO_STATUS as NO_STATUS_CONCEPT
from sendgraph.records.statuses import row_status_text, scheme
from sendgraph.show.charts import Chart, Series, bars, stacked_bars

NO_STATUS = NO_STATUS_CONCEPT.label
TOP = 10
# The kinds of oversight path, strongest first (`Oversight.strength`), and the modalities.
PATH_KINDS = ("plan", "review", "report", "reporting line")
MODALITIES = ("stated", "inferred", "planned")
# How many words of a finding the executive summary quotes before "…".
SHORT_WORDS = 12


@dataclass(frozen=True, kw_only=True)
class Source:
    """Where a fact was read: the paper's title and section, the data file and spreadsheet row."""

    document: str = ""
    section: str = ""
    file: str = ""
    row: int | None = None

    def __str__(self) -> str:
        return " · ".join(part for part in (self.paper, self.place) if part)

    @property
    def paper(self) -> str:
        """The paper's title and section: how a reader finds the words in the paper.

        >>> Source(document="SEND Update", section="Appendix 2", file="data/actions.csv", row=3).paper
        'SEND Update, Appendix 2'
        """
        return ", ".join(part for part in (self.document, self.section) if part)

    @property
    def place(self) -> str:
        """The data file and row the fact was read from: "data/actions.csv row 25"."""
        return f"{self.file} row {self.row}" if self.file and self.row else self.file


@dataclass(frozen=True, kw_only=True)
class Gap:
    """One gap a rule found, with its evidence and source."""

    rule: str
    severity: str
    ref: str
    message: str
    quote: str
    source: Source


@dataclass(frozen=True, kw_only=True)
class Quote:
    """A progress entry, verbatim, with the status written beside it and its source."""

    text: str
    status_text: str
    source: Source


@dataclass(frozen=True, kw_only=True)
class StatusPoint:
    """A status at a date: the scheme's word, the words as written, and when it is as at."""

    status: str
    written: str
    as_at_text: str


def _as_at(value: Any) -> str:
    """A status date as the 2017 plan writes it (25/09/17), a month as "Oct 2023", or a sentence.

    >>> _as_at(dt.date(2017, 9, 25)), _as_at("2023-10"), _as_at(None)
    ('25/09/17', 'Oct 2023', 'no status date given')
    """
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%y}"
    text = _str(value)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f"{dt.date(int(text[:4]), int(text[5:]), 1):%b %Y}"
    return text or "no status date given"


@dataclass(frozen=True, kw_only=True)
class Oversight:
    """One board over an action and the path to it, with the quote that states the first step.

    ``modality`` is "stated" unless a step of the path is a line the paper does not
    state ("inferred" or "planned"); such a step is marked in ``path`` too.
    """

    board: str
    via: str
    path: str
    quote: str
    source: Source
    modality: str = "stated"
    steps: int = 1

    @property
    def strength(self) -> tuple[int, int, int, str]:
        """How strongly the path holds the action to account; the smallest is the strongest.

        A stated path before an inferred or planned one; then the one of fewest steps;
        then by its kind (`PATH_KINDS`: the plan the board oversees, the review it
        oversees, the action's own words that it reports to the board, a reporting line
        above the board); then by the board's name, so the choice is always the same.
        """
        kinds = list(PATH_KINDS)
        return (
            MODALITIES.index(self.modality) if self.modality in MODALITIES else len(MODALITIES),
            self.steps,
            kinds.index(self.via) if self.via in kinds else len(kinds),
            self.board,
        )


@dataclass(kw_only=True)
class ActionEvidence:
    """An action that answers a finding: its people, boards, status, targets, progress and gaps."""

    ref: str
    iri: str
    text: str
    owners: list[str]
    accountable_leads: list[str]
    supporting_partners: list[str]
    organisations: list[str]
    oversight: list[Oversight]
    status: str
    history: list[StatusPoint]
    row_statuses: list[str]
    targets: list[str]
    months_slipped: int | None
    success_measures: list[str]
    progress: list[Quote]
    gaps: list[Gap]
    source: Source

    @property
    def boards(self) -> list[str]:
        """The boards over the action, by name, once each."""
        return sorted({o.board for o in self.oversight})

    @property
    def strongest(self) -> Oversight | None:
        """The path that holds the action to account most strongly (`Oversight.strength`); None when no board oversees it."""
        return min(self.oversight, key=lambda o: o.strength) if self.oversight else None

    @property
    def paths_anchor(self) -> str:
        """The id of the action's entry in the appendix of every oversight path."""
        return anchor("paths", self.ref)

    @property
    def revisions(self) -> int:
        """How many times its target date was revised: one fewer than the targets the papers give."""
        return max(len(self.targets) - 1, 0)


@dataclass(kw_only=True)
class FindingEvidence:
    """A finding, the actions that answer it, and the gaps that concern it."""

    ref: str
    anchor: str
    kind: str
    review: str
    text: str
    strength: str
    actions: list[ActionEvidence]
    gaps: list[Gap]
    source: Source
    progress: list[Quote] = field(default_factory=list)
    iri: str = ""  # the finding's IRI in the graph, which `sendgraph serve` answers

    @property
    def answered(self) -> bool:
        """True when at least one action answers the finding."""
        return bool(self.actions)

    @property
    def short(self) -> str:
        """The finding's first words, as written, for the executive summary: "…" marks the cut.

        >>> FindingEvidence(ref="CCG 2", anchor="", kind="", review="", strength="", actions=[],
        ...     gaps=[], source=Source(), text="There is a lack of assurance for the CCG due to "
        ...     "non-attendance at the SEND Strategic Board").short
        'There is a lack of assurance for the CCG due to non-attendance …'
        """
        words = self.text.split()
        return " ".join(words[:SHORT_WORDS]) + (" …" if len(words) > SHORT_WORDS else "")


@dataclass(kw_only=True)
class ReviewSection:
    """The findings of one review, in reference order."""

    label: str
    anchor: str
    findings: list[FindingEvidence]

    @property
    def unanswered(self) -> list[FindingEvidence]:
        """The findings no action answers."""
        return [f for f in self.findings if not f.answered]


@dataclass(frozen=True, kw_only=True)
class RegisterEntry:
    """One line of the register of every action: plan, owners, status, targets, findings answered."""

    ref: str
    iri: str
    anchor: str
    text: str
    plan: str
    owners: list[str]
    status: str
    written: str
    row_statuses: list[str]
    targets: list[str]
    answers: list[tuple[str, str]]
    source: Source


@dataclass(frozen=True, kw_only=True)
class Provenance:
    """Where one finding or action was read: the paper and section, the data file and row, and its progress entries' rows."""

    ref: str
    kind: str  # "finding" or "action"
    link: str  # its place in the report: a finding's page or an action's register row
    source: Source
    progress_rows: list[int]


@dataclass(frozen=True, kw_only=True)
class GapCount:
    """How many gaps one rule found, and the first few it found them in."""

    rule: str
    severity: str
    title: str
    count: int
    top: list[str]
    more: bool


@dataclass(frozen=True, kw_only=True)
class ThemeTag:
    """Why one field of an item carries a theme: the words a rule matched, as written, or a correction's reason."""

    field: str
    kind: str
    matched: list[str]
    corrected: bool
    reason: str


@dataclass(kw_only=True)
class ThemeItem:
    """A finding or action that carries a recurring theme, with the tag's evidence and an action's status."""

    ref: str
    link: str
    tags: list[ThemeTag]
    source: Source
    review: str = ""
    status: str = NO_STATUS
    written: str = ""
    completed: bool | None = None
    as_at_text: str = ""
    answers: str = ""
    answers_link: str = ""
    text: str = ""

    @property
    def completion(self) -> str:
        """Whether the plan reported the action completed: "completed", "not completed" or "no status"."""
        if self.completed is None:
            return "no status"
        return "completed" if self.completed else "not completed"


@dataclass(kw_only=True)
class ThemeEvidence:
    """A theme raised by more than one review: the findings raising it and the actions on it."""

    theme: str
    label: str
    anchor: str
    raised_by: list[str]
    findings: list[ThemeItem]
    earlier: list[ThemeItem]
    later: list[ThemeItem]
    identified: list[ThemeItem]

    @property
    def summary(self) -> str:
        """The reviews raising the theme in one line, each with its year or "undated", never a guessed one."""
        names = self.raised_by
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"Raised by {listed}"

    @property
    def by_review(self) -> list[tuple[str, list[ThemeItem]]]:
        """The findings, review by review, in the order the reviews raised the theme."""
        grouped: dict[str, list[ThemeItem]] = {}
        for item in self.findings:
            grouped.setdefault(item.review, []).append(item)
        return list(grouped.items())

    @property
    def completed(self) -> int:
        """How many of the earlier actions their plan reported completed."""
        return sum(1 for item in self.earlier if item.completed)

    @property
    def earlier_as_at(self) -> list[str]:
        """The dates the earlier actions' statuses are as at, once each."""
        return list(dict.fromkeys(item.as_at_text for item in self.earlier))


@dataclass(kw_only=True)
class Report:
    """The whole evidence report, ready to render."""

    title: str
    generated: dt.date
    documents: list[str]
    status_dates: list[tuple[dt.date, int]]
    undated_actions: int
    status_counts: dict[str, int]
    actions: int
    boards: list[tuple[str, int]]
    slippage: list[Row]
    gap_counts: list[GapCount]
    gaps: int
    reviews: list[ReviewSection]
    strengths: list[FindingEvidence]
    charts: list[Chart]
    register: list[RegisterEntry]
    themes: list[ThemeEvidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The exceptions list, as `sendgraph exceptions` gives it (`ask.exceptions`).
    exceptions: list[ActionException] = field(default_factory=list)
    provenance: list[Provenance] = field(default_factory=list)
    # The plans' version logs, oldest first: the appendix that shows them says so when
    # the papers give none.
    versions: list[Version] = field(default_factory=list)

    @property
    def unanswered(self) -> list[FindingEvidence]:
        """The findings no action answers, review by review."""
        return [f for f in self.findings if not f.answered]

    @property
    def answering_actions(self) -> list[tuple[ActionEvidence, list[tuple[str, str]]]]:
        """Each action that answers a finding, once, with the findings it answers as (ref, id)."""
        found: dict[str, tuple[ActionEvidence, list[tuple[str, str]]]] = {}
        for finding in self.findings:
            for action in finding.actions:
                found.setdefault(action.iri, (action, []))[1].append((finding.ref, finding.anchor))
        return list(found.values())

    @property
    def off_track(self) -> list[ActionException]:
        """The exceptions that are red, behind schedule or overdue (not those only unowned)."""
        return [e for e in self.exceptions if any(r.rule != "no-owner" for r in e.reasons)]

    @property
    def unowned(self) -> list[ActionException]:
        """The exceptions with no owner named."""
        return [e for e in self.exceptions if any(r.rule == "no-owner" for r in e.reasons)]

    @property
    def exception_boards(self) -> list[tuple[str, int]]:
        """The boards over the exceptions, by how many each oversees by any path, most first."""
        counts = Counter(board for e in self.exceptions for board in {o.label for o in e.oversight})
        return sorted(counts.items(), key=lambda bc: (-bc[1], bc[0]))

    @property
    def appendices(self) -> list[tuple[str, str]]:
        """The appendices in order, as (id, title): the summary lists them, each section is headed so."""
        return list(APPENDICES)

    def appendix(self, section: str) -> str:
        """The heading of the appendix whose id is ``section``: "Appendix A. Oversight paths"."""
        letter = "ABCDEFGHIJ"[[s for s, _ in APPENDICES].index(section)]
        return f"Appendix {letter}. {dict(APPENDICES)[section]}"

    @property
    def worst_slippage(self) -> Row | None:
        """The action whose target moved furthest, or None when no target moved."""
        return self.slippage[0] if self.slippage else None

    @property
    def findings(self) -> list[FindingEvidence]:
        """Every finding that needs an answer, review by review."""
        return [f for review in self.reviews for f in review.findings]

    @property
    def as_at_sentences(self) -> list[str]:
        """The dates the statuses are as at, one sentence each, and how many actions have none."""
        sentences = [
            f"Statuses are as at {d:%d/%m/%y} ({d:%-d %B %Y}), the date the plan reports them, for {n} actions."
            for d, n in self.status_dates
        ]
        if self.undated_actions:
            sentences.append(
                f"{self.undated_actions} actions belong to no plan with a status date; their status, if any, is as the paper gives it."
            )
        return sentences

    @property
    def footer(self) -> str:
        """The generation date, said to be only that: no status is judged as at it."""
        return (
            f"Generated by sendgraph on {self.generated:%-d %B %Y}. Statuses are as the papers "
            "report them at their own dates, not as at the generation date."
        )


# The appendices, in order: the id of each one's section and its title.
APPENDICES = (
    ("paths", "Every oversight path"),
    ("register", "Register of every action"),
    ("versions", "Plan version log"),
    ("themes", "Recurring themes"),
    ("strengths", "Strengths"),
    ("figures", "Figures and open gaps"),
    ("provenance", "Where each item was read"),
)


def anchor(prefix: str, text: str) -> str:
    """An HTML id from a reference: ``anchor("finding", "PC 5.5")`` is ``finding-pc-5-5``.

    >>> anchor("finding", "PR 14")
    'finding-pr-14'
    """
    return prefix + "-" + (re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x")


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _status_name(status: Any) -> str:
    return _str(status) or NO_STATUS


def status_series() -> list[Series]:
    """The scheme's statuses, best first, then "No status": the report's series and keys."""
    return [Series(s.label, s.code, s.fill, s.ink) for s in (*scheme(), NO_STATUS_CONCEPT)]


class _Evidence:
    """Everything the report looks up more than once, fetched once."""

    def __init__(
        self, questions: Questions, rules: Iterable[Rule], include: Iterable[str] = ()
    ) -> None:
        self.questions = questions
        # What the report says of each action and finding is what every output says.
        self.facts = questions.facts(include)
        self.provenance: dict[str, Row] = {}
        self.entries: dict[tuple[str, int], Row] = {}
        for row in questions.select("provenance"):
            self.provenance.setdefault(str(row["node"]), row)
            if row["item"] is not None and row["part"] is not None:
                self.entries[(str(row["item"]), int(row["part"]))] = row
        self.titles = {
            str(r["document"]): _str(r["document_title"])
            for r in self.provenance.values()
            if r["document"]
        }
        self.status_dates = {
            str(r["ref"]): r["status_date"] for r in questions.select("status-dates")
        }
        self.history: dict[str, list[Row]] = defaultdict(list)
        for row in questions.select("status-history"):
            self.history[str(row["action"])].append(row)
        self.measures: dict[str, list[str]] = defaultdict(list)
        for row in questions.select("success-measures"):
            self.measures[str(row["action"])].append(_str(row["measure"]))
        self.progress: dict[str, list[Row]] = defaultdict(list)
        for row in questions.select("progress"):
            self.progress[str(row["item"])].append(row)
        self.slippage = questions.slippage()
        self.slipped = {str(r["ref"]): r for r in self.slippage}
        self.rules = list(rules)
        self.gaps = find_gaps(questions.store, self.rules)
        self.gaps_by_subject: dict[str, list[Gap]] = defaultdict(list)
        for gap in self.gaps:
            self.gaps_by_subject[str(gap["subject"])].append(self.gap(gap))

    def source(self, iri: str) -> Source:
        row = self.provenance.get(iri)
        if row is None:
            return Source()
        return Source(
            document=_str(row["document_title"]),
            section=_str(row["section"]),
            file=_str(row["source_file"]),
            row=row["source_row"],
        )

    def gap(self, gap: Row) -> Gap:
        place = self.source(str(gap["subject"]))
        document = next(
            (
                title
                for iri, title in self.titles.items()
                if iri.endswith("/" + _str(gap["document"]))
            ),
            _str(gap["document"]),
        )
        return Gap(
            rule=gap["rule"],
            severity=gap["severity"],
            ref=_str(gap["ref"]),
            message=_str(gap["message"]),
            quote=_str(gap["quote"]),
            source=Source(
                document=document, section=_str(gap["section"]), file=place.file, row=place.row
            ),
        )

    def history_of(self, iri: str, ref: str) -> list[StatusPoint]:
        observed = self.history.get(iri)
        if observed:  # a dated series, oldest first (ISO months sort as text)
            return [
                StatusPoint(
                    status=_status_name(row["status"]),
                    written=_str(row["status_text"]),
                    as_at_text=_as_at(row["month"]),
                )
                for row in sorted(observed, key=lambda r: (r["month"] is None, _str(r["month"])))
            ]
        fact = self.facts.actions[iri]
        if not fact.status and not fact.status_text:
            return []
        return [
            StatusPoint(
                status=fact.status_label,
                written=fact.status_text,
                as_at_text=_as_at(self.status_dates.get(ref)),
            )
        ]

    def oversight_of(self, iri: str) -> list[Oversight]:
        found = []
        for over in self.facts.actions[iri].oversight:
            steps = over.path
            chain = [steps[0].start] + [
                f"{step.relation} {step.end}"
                + (f" [{step.modality}]" if step.modality != "stated" else "")
                for step in steps
            ]
            if steps[0].then:
                chain.insert(2, steps[0].then)
            first = steps[0]
            document = next(
                (t for i, t in self.titles.items() if i.endswith("/" + first.document)),
                first.document,
            )
            found.append(
                Oversight(
                    board=over.label,
                    via=over.via,
                    path=", ".join(chain),
                    quote=first.quote,
                    source=Source(document=document, section=first.section),
                    modality=over.modality,
                    steps=len(steps),
                )
            )
        return found

    def progress_of(self, iri: str) -> list[Quote]:
        quotes = []
        for row in self.progress.get(iri, []):
            if not row["text"]:
                continue
            entry = self.entries.get((iri, int(row["row"])))
            where = self.source(str(entry["node"])) if entry else self.source(iri)
            quotes.append(
                Quote(text=_str(row["text"]), status_text=_str(row["status_text"]), source=where)
            )
        return quotes

    def action(self, iri: str) -> ActionEvidence:
        fact = self.facts.actions[iri]
        slipped = self.slipped.get(fact.ref)
        return ActionEvidence(
            ref=fact.ref,
            iri=iri,
            text=fact.text,
            owners=list(fact.owners),
            accountable_leads=list(fact.accountable_leads),
            supporting_partners=list(fact.supporting_partners),
            organisations=list(fact.organisations),
            oversight=self.oversight_of(iri),
            status=fact.status_label,
            history=self.history_of(iri, fact.ref),
            row_statuses=[
                row_status_text(r.row, r.status, r.status_text) for r in fact.row_statuses
            ],
            targets=[t.raw for t in fact.targets],
            months_slipped=slipped["months"] if slipped else None,
            success_measures=self.measures.get(iri, []),
            progress=self.progress_of(iri),
            gaps=self.gaps_by_subject.get(iri, []),
            source=self.source(iri),
        )


def _findings(evidence: _Evidence) -> tuple[list[ReviewSection], list[FindingEvidence]]:
    by_review: dict[str, list[FindingEvidence]] = defaultdict(list)
    strengths = []
    for iri, fact in evidence.facts.findings.items():
        finding = FindingEvidence(
            ref=fact.ref,
            anchor=anchor("finding", fact.ref),
            kind=fact.kind,
            review=fact.review,
            text=fact.text,
            strength=fact.strength,
            actions=[],
            gaps=[],
            source=evidence.source(iri),
            iri=iri,
        )
        if not fact.needs_answer:
            strengths.append(finding)  # a strength needs no answer
            continue
        finding.actions = [evidence.action(action) for action in fact.answering]
        if iri not in fact.answering:
            finding.progress = evidence.progress_of(iri)
            finding.gaps = evidence.gaps_by_subject.get(iri, [])
        by_review[finding.review].append(finding)
    reviews = [
        ReviewSection(
            label=label,
            anchor=anchor("review", label),
            findings=sorted(found, key=lambda f: natural_key(f.ref)),
        )
        for label, found in by_review.items()
    ]
    reviews.sort(key=lambda r: natural_key(r.findings[0].ref))
    return reviews, sorted(strengths, key=lambda f: natural_key(f.ref))


def _charts(evidence: _Evidence, top: int) -> list[Chart]:
    by_plan: dict[str, Counter[str]] = defaultdict(Counter)
    for fact in evidence.facts.actions.values():
        by_plan[fact.plan or "Not in a plan"][fact.status_label] += 1
    charts = [
        stacked_bars(
            "chart-status-by-plan",
            "Actions by status, plan by plan",
            [(plan, dict(by_plan[plan])) for plan in sorted(by_plan, key=natural_key)],
            status_series(),
        )
    ]
    slipped = [r for r in evidence.slippage if r["months"]][:top]
    if slipped:
        charts.append(
            bars(
                "chart-slippage",
                f"Months each target moved, first to current (top {len(slipped)})",
                [
                    (str(r["ref"]), int(r["months"]), " → ".join(str(t) for t in r["targets"]))
                    for r in slipped
                ],
                "months",
                "#c4501b",
            )
        )
    owned: dict[str, set[str]] = defaultdict(set)
    for iri, fact in evidence.facts.actions.items():
        for name in fact.owners:
            owned[name].add(iri)
    ranked = sorted(owned.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:top]
    if ranked:
        charts.append(
            bars(
                "chart-owners",
                f"Actions per owner (top {len(ranked)} of {len(owned)})",
                [(name, len(items), "") for name, items in ranked],
                "actions",
            )
        )
    return charts


def _register(evidence: _Evidence) -> list[RegisterEntry]:
    entries = []
    for iri, fact in evidence.facts.actions.items():
        entries.append(
            RegisterEntry(
                ref=fact.ref,
                iri=iri,
                anchor=anchor("action", fact.ref),
                text=fact.text,
                plan=fact.plan,
                owners=list(fact.owners),
                status=fact.status_label,
                written=fact.status_text,
                row_statuses=[
                    row_status_text(r.row, r.status, r.status_text) for r in fact.row_statuses
                ],
                targets=[t.raw for t in fact.targets],
                answers=[(ref, anchor("finding", ref)) for ref in fact.answers],
                source=evidence.source(iri),
            )
        )
    return sorted(entries, key=lambda e: natural_key(e.ref))


def _provenance(
    evidence: _Evidence, findings: list[FindingEvidence], register: list[RegisterEntry]
) -> list[Provenance]:
    """Every finding, then every action, with the file and row it was read from and its progress entries' rows."""

    def progress_rows(iri: str) -> list[int]:
        rows = []
        for row in evidence.progress.get(iri, []):
            entry = evidence.entries.get((iri, int(row["row"])))
            if row["text"] and entry is not None and entry["source_row"] is not None:
                rows.append(int(entry["source_row"]))
        return sorted(set(rows))

    found = [
        Provenance(
            ref=fact.ref,
            kind="finding",
            link=anchor("finding", fact.ref),
            source=evidence.source(iri),
            progress_rows=progress_rows(iri) if iri not in evidence.facts.actions else [],
        )
        for iri, fact in evidence.facts.findings.items()
    ]
    shown = {f.ref for f in findings}
    found.sort(key=lambda p: (p.ref not in shown, natural_key(p.ref)))
    return found + [
        Provenance(
            ref=entry.ref,
            kind="action",
            link=entry.anchor,
            source=entry.source,
            progress_rows=progress_rows(entry.iri),
        )
        for entry in register
    ]


def _boards(evidence: _Evidence) -> list[tuple[str, int]]:
    overseen: dict[str, set[str]] = defaultdict(set)
    for iri, fact in evidence.facts.actions.items():
        for over in fact.oversight:
            overseen[over.label].add(iri)
    return sorted(((b, len(a)) for b, a in overseen.items()), key=lambda bc: (-bc[1], bc[0]))


def _gap_counts(evidence: _Evidence, shown: int = 4) -> list[GapCount]:
    titles = {rule.id: rule.title for rule in evidence.rules}
    by_rule: dict[tuple[str, str], list[str]] = defaultdict(list)
    for gap in evidence.gaps:
        by_rule[(gap["severity"], gap["rule"])].append(_str(gap["ref"]))
    firsts = {key: list(dict.fromkeys(refs)) for key, refs in by_rule.items()}
    order = {"error": 0, "warning": 1, "info": 2}
    return [
        GapCount(
            rule=rule,
            severity=severity,
            title=titles.get(rule, rule),
            count=len(refs),
            top=firsts[(severity, rule)][:shown],
            more=len(firsts[(severity, rule)]) > shown,
        )
        for (severity, rule), refs in sorted(
            by_rule.items(), key=lambda kv: (order.get(kv[0][0], 3), -len(kv[1]), kv[0][1])
        )
    ]


def _theme_item(row: Row, evidence: _Evidence, links: dict[str, str]) -> ThemeItem:
    """One item's first row of a theme; its other fields' rows are added as tags by the caller."""
    document = next(
        (t for i, t in evidence.titles.items() if i.endswith("/" + _str(row["document"]))),
        _str(row["document"]),
    )
    when = row.get("status_date")
    is_action = row["role"] != "finding"
    return ThemeItem(
        ref=_str(row["ref"]),
        link=links.get(("action " if is_action else "finding ") + _str(row["ref"]), ""),
        tags=[],
        source=Source(document=document, section=_str(row["section"])),
        review=f"{row['review']} ({row['year'] or 'undated'})" if not is_action else "",
        status=_status_name(row.get("status")),
        written=_str(row.get("status_text")),
        completed=row.get("completed"),
        as_at_text=_as_at(dt.date.fromisoformat(str(when))) if when else "",
        answers=_str(row.get("answers")),
        answers_link=links.get("finding " + _str(row.get("answers")), ""),
    )


def _recurring_themes(
    questions: Questions,
    evidence: _Evidence,
    reviews: list[ReviewSection],
    strengths: list[FindingEvidence],
    register: list[RegisterEntry],
) -> list[ThemeEvidence]:
    """The themes more than one review raises, grouped from ``Questions.recurring()``'s rows.

    Each item links to its place in the report: a finding to its section, an action to
    its row of the register. An identified action brings its text from the finding it
    answers.
    """
    links = {"finding " + f.ref: f.anchor for r in reviews for f in r.findings}
    links |= {"finding " + s.ref: s.anchor for s in strengths}
    links |= {"action " + e.ref: e.anchor for e in register}
    texts = {a.ref: a.text for r in reviews for f in r.findings for a in f.actions}
    rows = questions.recurring()
    areas = {_str(row["area"]) for row in rows}
    themes: dict[tuple[str, str], ThemeEvidence] = {}
    items: dict[tuple[str, str, str, str], ThemeItem] = {}
    for row in rows:
        area, theme = _str(row["area"]), _str(row["theme"])
        found = themes.get((area, theme))
        if found is None:
            found = themes[(area, theme)] = ThemeEvidence(
                theme=theme,
                label=_str(row["theme_label"]),
                # One area is the rule; two in one graph must not share an anchor.
                anchor=anchor("theme", theme if len(areas) == 1 else f"{area} {theme}"),
                raised_by=list(row["raised_by"]),
                findings=[],
                earlier=[],
                later=[],
                identified=[],
            )
        role, ref = _str(row["role"]), _str(row["ref"])
        item = items.get((area, theme, role, ref))
        if item is None:
            item = items[(area, theme, role, ref)] = _theme_item(row, evidence, links)
            item.text = texts.get(ref, "") if role == "identified action" else ""
            {
                "finding": found.findings,
                "earlier action": found.earlier,
                "plan action": found.later,
                "identified action": found.identified,
            }[role].append(item)
        item.tags.append(
            ThemeTag(
                field=_str(row["field"]),
                kind=_str(row["kind"]).capitalize() if role == "finding" else "",
                matched=[str(word) for word in row["matched"]],
                corrected=row["tagged_by"] == "correction",
                reason=_str(row["reason"]),
            )
        )
    return sorted(themes.values(), key=lambda t: (t.label.casefold(), t.anchor))


def build_report(
    questions: Questions,
    rules: Iterable[Rule] | None = None,
    *,
    generated: dt.date | None = None,
    top: int = TOP,
    title: str = "SEND inspection evidence report",
    include: Iterable[str] = (),
) -> Report:
    """Gather the evidence report for the graph ``questions`` asks about.

    ``rules`` are the gap rules to run (default: the bundled ones); ``top`` is how many
    items the slippage and owner charts show; ``generated`` is the date printed in the
    footer (default: today). No status is ever judged as at ``generated``. Oversight
    follows the lines the papers state; ``include`` may add "inferred" and "planned"
    ones, each marked on the path that uses it.
    """
    evidence = _Evidence(questions, load_rules() if rules is None else rules, include)
    reviews, strengths = _findings(evidence)
    actions = evidence.facts.actions.values()
    statuses = Counter(fact.status_label for fact in actions)
    dated = Counter(evidence.status_dates.get(fact.ref) for fact in actions)
    documents = sorted({title for title in evidence.titles.values() if title}, key=str.casefold)
    register = _register(evidence)
    findings = [f for review in reviews for f in review.findings]
    return Report(
        title=title,
        generated=generated or dt.date.today(),
        documents=documents,
        status_dates=sorted((d, n) for d, n in dated.items() if d is not None),
        undated_actions=dated.get(None, 0),
        status_counts={s.name: statuses.get(s.name, 0) for s in status_series()},
        actions=len(evidence.facts.actions),
        boards=_boards(evidence),
        slippage=evidence.slippage,
        gap_counts=_gap_counts(evidence),
        gaps=len(evidence.gaps),
        reviews=reviews,
        strengths=strengths,
        charts=_charts(evidence, top),
        register=register,
        themes=_recurring_themes(questions, evidence, reviews, strengths, register),
        exceptions=find_exceptions(questions, include),
        provenance=_provenance(evidence, findings + strengths, register),
        versions=[version for log in version_logs(questions).values() for version in log],
    )
