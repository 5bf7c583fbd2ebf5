"""The typed records sendgraph talks about, and the words their fields may hold.

Documents, people, posts, boards, plans, reviews, actions and findings, each a
dataclass that remembers the row it came from (`Located`). The loader (`loader.py`)
fills them from the bundled data's CSV files and the importer (`importer.py`) from a
council's own spreadsheet; the graph stage renders them, whichever filled them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sendgraph.read.sources import SourceRow, Table
from sendgraph.records.codes import Code
from sendgraph.records.dates import EntryDate, TargetRevision
from sendgraph.records.gazetteer import Mention
from sendgraph.records.statuses import item_status

BOARD_KINDS = {
    "board",
    "group",
    "panel",
    "committee",
    "commission",
    "forum",
    "leadership team",
    "partnership",
    "meeting",
    "executive",
}
ROW_KINDS = {"actions", "measures", "recommendations"}
RELATIONS = {"oversees", "reports_to"}
# How a governance statement is said: the concepts of sg:ModalityScheme, strongest first.
MODALITIES = ("stated", "inferred", "recommended", "planned")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug(text: str) -> str:
    """Return a lower-case IRI segment for a reference: "PR 14" -> "pr-14", "JCP 2.7" -> "jcp-2-7"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(kw_only=True)
class Located:
    """Where a record came from: its data file and spreadsheet row."""

    origin: SourceRow

    @property
    def source(self) -> str:
        """The data file, as problems name it."""
        return self.origin.source

    @property
    def row(self) -> int:
        """The spreadsheet row."""
        return self.origin.row


@dataclass(kw_only=True)
class Document(Located):
    """A source paper."""

    id: str
    title: str
    publisher: str
    date: dt.date
    meetings: list[str]
    source_file: str
    note: str


@dataclass(kw_only=True)
class Organisation(Located):
    """An organisation the papers name; ``document`` and ``section`` say where first."""

    id: str
    name: str
    aliases: list[str]
    document: str
    section: str
    note: str


@dataclass(kw_only=True)
class Person(Located):
    """A person the papers name as owner, lead, author or reviewer."""

    id: str
    name: str
    initials: str
    aliases: list[str]
    document: str
    section: str
    note: str


@dataclass(kw_only=True)
class Post(Located):
    """A post a person holds, as one document states it; or a job title no one is named in."""

    person: str  # "" for a job title an owner cell gives without naming anyone
    title: str
    organisations: list[str]
    document: str
    section: str
    note: str
    id: str = ""  # set for a post that is itself an owner ("Head of SEND")


@dataclass(kw_only=True)
class Board(Located):
    """A governance body of the gazetteer."""

    id: str
    label: str
    kind: str
    aliases: list[str]
    organisations: list[str]
    document: str
    quote: str
    note: str
    meets: str = ""  # how often it meets, as written
    meets_days: int | None = None  # the interval that names, where it names one
    register: RegisterEntry | None = None  # its row of a board register, where it has one


@dataclass(kw_only=True)
class RegisterEntry(Located):
    """A board's row of a board register or terms of reference, as written."""

    document: str
    section: str
    quote: str  # the row's cells, "Heading: value; ..."
    chair_text: str  # the chair cell as written; empty when the register names no chair


@dataclass(kw_only=True)
class Membership(Located):
    """A person's place on a board, as a register or its membership table states it."""

    board: str
    person: str
    role: str  # chair, member or adviser
    role_text: str  # the role as written ("Vice-chair", "In attendance")
    organisation: str  # the organisation they sit for; empty when not given
    document: str
    section: str
    quote: str


@dataclass(kw_only=True)
class Plan(Located):
    """A plan, a section of one, or a numbered priority with a lead officer."""

    id: str
    title: str
    part_of: str
    document: str
    section: str
    status_date: dt.date | None
    rows_are: str
    review: str
    note: str
    ref: str = ""
    reporting: str = ""  # how often its progress is reported, as written
    reporting_days: int | None = None
    lead_officer_text: str = ""
    lead_officers: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Review(Located):
    """A peer review, peer challenge or self-assessment."""

    id: str
    title: str
    kind: str
    start: str
    end: str
    document: str
    section: str
    reviewers: list[str]
    focus_areas: list[str]
    note: str


@dataclass(kw_only=True)
class StatusWord(Located):
    """How one status word maps onto the status scheme."""

    status: str
    concept: str
    note: str


@dataclass(kw_only=True)
class BoardMention:
    """A board named in one field of a record, with the sentence as evidence."""

    field: str
    mention: Mention


@dataclass(frozen=True, kw_only=True)
class StatusObservation:
    """A status as one dated column of a plan reads it: "Amber" under "Oct 2023"."""

    month: str  # "2023-10", an xsd:gYearMonth lexical form
    text: str
    concept: str | None
    column: str


@dataclass(kw_only=True)
class ActionRow(Located):
    """One row of an action plan table; an item may span several rows."""

    ref: str
    number: int
    plan: str
    codes_text: str
    codes: list[Code]
    action: str
    owner_text: str
    owners: list[str]
    leads: list[str]
    target_text: str
    targets: list[TargetRevision]
    progress: str
    status_text: str
    status: str | None
    status_note: str
    note: str
    boards: list[BoardMention] = field(default_factory=list)
    # Read from a council's own spreadsheet through a mapping (sendgraph import):
    owner_organisations: list[str] = field(default_factory=list)
    lead_organisations: list[str] = field(default_factory=list)
    success_measure: str = ""
    status_history: list[StatusObservation] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # refs of the findings it answers
    references: list[str] = field(default_factory=list)  # refs of other actions it cites
    merged_cells: list[str] = field(default_factory=list)  # "Lead officer: E5:E7"
    # Supporting partners ("LA with support from ICB") and job titles as owners:
    supporters: list[str] = field(default_factory=list)  # person ids
    supporting_organisations: list[str] = field(default_factory=list)
    posts: dict[str, list[str]] = field(default_factory=dict)  # role -> post ids
    # The date its progress is headed with, or its progress column's (records/dates.py).
    progress_date: EntryDate | None = None


@dataclass(kw_only=True)
class Action:
    """An item of an action plan, made of one or more rows."""

    ref: str
    plan: str
    kind: str  # "actions", "measures" or "recommendations": what the plan's rows are
    review: str
    rows: list[ActionRow]
    mentions: list[Code] = field(default_factory=list)

    @property
    def first(self) -> ActionRow:
        """The item's first row, which holds its action text."""
        return self.rows[0]

    @property
    def owners(self) -> list[str]:
        """Every person any row names as owner, in order, once each."""
        return list(dict.fromkeys(p for r in self.rows for p in r.owners))

    @property
    def leads(self) -> list[str]:
        """Every accountable lead any row names, once each."""
        return list(dict.fromkeys(p for r in self.rows for p in r.leads))

    @property
    def owner_organisations(self) -> list[str]:
        """Every organisation any row names as owner, once each."""
        return list(dict.fromkeys(o for r in self.rows for o in r.owner_organisations))

    @property
    def lead_organisations(self) -> list[str]:
        """Every organisation any row names as accountable lead, once each."""
        return list(dict.fromkeys(o for r in self.rows for o in r.lead_organisations))

    @property
    def supporters(self) -> list[str]:
        """Every person any row names as a supporting partner, once each."""
        return list(dict.fromkeys(p for r in self.rows for p in r.supporters))

    @property
    def supporting_organisations(self) -> list[str]:
        """Every organisation any row names as a supporting partner, once each."""
        return list(dict.fromkeys(o for r in self.rows for o in r.supporting_organisations))

    def posts(self, role: str) -> list[str]:
        """The ids of the posts (job titles) any row names in ``role``, once each."""
        return list(dict.fromkeys(p for r in self.rows for p in r.posts.get(role, [])))

    @property
    def answers(self) -> list[str]:
        """The refs of the findings any row answers, once each."""
        return list(dict.fromkeys(f for r in self.rows for f in r.answers))

    @property
    def status(self) -> str | None:
        """The item's status concept: its worst row's (statuses.item_status)."""
        return item_status(r.status for r in self.rows)


@dataclass(kw_only=True)
class CcgGap(Located):
    """A gap of the CCG's self-assessment, with its progress bullets."""

    ref: str
    review: str
    issue: str
    progress: list[str]
    note: str
    boards: list[BoardMention] = field(default_factory=list)
    progress_text: str = ""  # the progress cell as written, before it is split into lines


@dataclass(kw_only=True)
class PeerChallengeItem(Located):
    """A headline or an Appendix 1 row of a peer challenge."""

    ref: str
    review: str
    section: str
    strength: str
    consideration: str
    identified_action: str
    progress: str
    note: str
    boards: list[BoardMention] = field(default_factory=list)


@dataclass(kw_only=True)
class Finding(Located):
    """A finding of an inspection or review read from a plan's own table: a significant weakness, say."""

    ref: str
    review: str
    kind: str  # "significant weakness", "area for priority action", "recommendation"...
    text: str
    section: str
    merged_cells: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Version(Located):
    """An entry of a plan's version history."""

    plan: str
    number: int
    amended_by: str
    date_text: str
    date: dt.date | None
    summary: str
    people: list[str]


@dataclass(kw_only=True)
class GovernanceLink(Located):
    """An oversight or reporting line a paper states, infers, recommends or plans."""

    subject: str
    relation: str
    object: str
    document: str
    section: str
    quote: str
    note: str
    modality: str = "stated"


@dataclass(kw_only=True)
class Records:
    """Everything read from one data folder."""

    documents: dict[str, Document] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    boards: dict[str, Board] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    reviews: dict[str, Review] = field(default_factory=dict)
    statuses: dict[str, StatusWord] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    ccg_gaps: dict[str, CcgGap] = field(default_factory=dict)
    peer_challenge: dict[str, PeerChallengeItem] = field(default_factory=dict)
    findings: dict[str, Finding] = field(default_factory=dict)
    versions: list[Version] = field(default_factory=list)
    governance: list[GovernanceLink] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    defined_codes: dict[str, str] = field(default_factory=dict)  # code key -> action ref
    tables: dict[str, Table] = field(default_factory=dict)
