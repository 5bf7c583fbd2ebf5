"""What a council's own file holds, read without a mapping, for `sendgraph template --from`.

The file is read through the same readers the importer uses. Its columns are placed by
their header words (`COLUMN_WORDS`); its status words are collected and each given a
guess from the status scheme; its owner cells are read by the owner-cell grammar, after
a first pass finds the organisations' short names ("LA", "ICB", "CYC"). Nothing here
decides for the user: every guess says how strong it is, and `draftmapping` writes what
is weak or unknown as a TODO.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sendgraph.base.errors import UsageError
from sendgraph.read.blocks import Line, label_of, read_blocks, text_file_lines
from sendgraph.read.spreadsheets import SPREADSHEET_SUFFIXES, Sheet, read_spreadsheet
from sendgraph.read.tablegrid import FoundTable, to_sheet
from sendgraph.read.webpages import html_tables
from sendgraph.read.wordfiles import docx_tables
from sendgraph.records.files import (
    FILE_SUFFIXES,
    PAGE_SUFFIXES,
    TEXT_SUFFIXES,
    WORD_SUFFIXES,
    read_file,
)
from sendgraph.records.mappings import Mapping
from sendgraph.records.model import slug
from sendgraph.records.monthcolumns import read_heading
from sendgraph.records.ownercells import (
    ACCOUNTABLE,
    LEAD,
    ORGANISATION,
    PERSON,
    POST,
    SUPPORT,
    Named,
    OwnerCell,
    Vocabulary,
    key,
    read_owner_cell,
)
from sendgraph.records.statuses import concept_named

# The words councils head each column with, folded (punctuation dropped, lower case).
# A header is placed by the longest phrase it holds, an exact match first.
# fmt: off
COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "reference", "ref no", "no", "number", "action ref", "action no", "action number", "id"),
    "action": ("action", "actions", "key actions", "key action", "what we will do", "what will we do", "what will be done", "action required", "actions required", "activity", "activities", "task", "tasks"),
    "owner": ("lead", "leads", "owner", "owners", "action owner", "who leads", "lead officer", "lead officers", "lead organisation", "lead agency", "responsible", "responsibility", "who", "by whom"),
    "accountable": ("accountable", "accountable lead", "accountable officer", "senior responsible officer", "sro"),
    "target_date": ("target date", "target", "timescale", "timescales", "by when", "deadline", "due date", "due", "when", "completion date", "date", "timeframe"),
    "status": ("status", "rag", "rag status", "rag rating", "current status", "rating"),
    "progress": ("progress", "update", "progress update", "progress to date", "latest update", "commentary"),
    "success_measure": ("success measure", "success measures", "measure of success", "measures of success", "what does success look like", "what success looks like", "success criteria", "evidence of impact", "impact", "how we will know", "how will we know", "outcome", "outcomes", "kpi", "kpis", "evidence", "measure", "measures"),
    "finding": ("finding", "findings", "weakness", "area of weakness", "significant weakness", "area for priority action", "areas for priority action", "priority action", "area for improvement", "area of concern", "recommendation"),
    "references": ("links", "cross references", "related actions", "linked actions", "dependencies"),
    "note": ("notes", "note", "comments"),
}
# fmt: on
# The words a register's headers use, folded, by the key of `register: boards:` (and
# "members", a column listing the members in one cell, which sendgraph does not read).
# fmt: off
REGISTER_WORDS: dict[str, tuple[str, ...]] = {
    "board": ("board", "board name", "name of board", "group", "group name", "meeting", "meeting name", "name of meeting", "forum", "committee", "panel", "partnership"),
    "chair": ("chair", "chaired by", "chairperson", "chair person", "chair s name"),
    "meets": ("frequency", "frequency of meetings", "meeting frequency", "meets", "how often", "how often it meets", "meeting cycle", "cycle"),
    "reports_to": ("reports to", "reporting to", "reports into", "accountable to", "reporting line"),
    "oversees": ("plans overseen", "oversees", "remit", "plans", "oversight of", "responsible for", "purpose"),
    "members": ("members", "membership", "attendees", "who attends"),
}
# fmt: on
# The words a membership or attendance table's headers use (a row per member), by the
# key of `register: members: columns:`.
# fmt: off
MEMBER_WORDS: dict[str, tuple[str, ...]] = {
    "board": ("board", "board name", "group", "meeting", "committee", "forum", "panel"),
    "name": ("name", "member", "member name", "full name", "attendee", "representative"),
    "post": ("job title", "post", "title", "position", "designation"),
    "organisation": ("organisation", "organization", "agency", "representing", "employer", "service"),
    "role": ("role", "role on board", "membership role", "capacity", "membership"),
}
# fmt: on
# A column naming the board that oversees each action: sendgraph reads boards under
# boards:, so such a column is pointed out, not placed.
BOARD_WORDS = ("board", "reporting board", "governance", "oversight", "overseen by")

# Status words the scheme does not name itself, with the concept they usually mean.
# Each is a guess: plans disagree ("On track" is green in some, amber in others).
STATUS_GUESSES = {
    "achieved": "green", "closed": "green", "blue": "green", "g": "green",
    "on track": "amber", "in progress": "amber", "work in progress": "amber", "ongoing": "amber",
    "started": "amber", "progressing": "amber", "a": "amber",
    "not started": "red", "not yet started": "red", "off track": "red", "at risk": "red",
    "not on track": "red", "stalled": "red", "r": "red",
    "delayed": "behind-schedule", "slipped": "behind-schedule", "overdue": "behind-schedule",
    "behind": "behind-schedule",
}  # fmt: skip
# The last word of a run that names an organisation the mapping does not know yet.
ORGANISATION_WORDS = {
    "forum",
    "council",
    "trust",
    "partnership",
    "icb",
    "ccg",
    "nhs",
    "college",
    "academy",
}
_CODE = re.compile(r"[A-Z][A-Z&]{1,5}")
_REF_LIKE = re.compile(r"^\S{0,8}\s?\S*\d\S*$")
MAX_HEADER_ROW = 10


def header_words(header: str) -> list[str]:
    """Return a header's words, folded: "What does success look like?" -> what does success look like."""
    return re.sub(r"[^\w\s]", " ", header).casefold().split()


@dataclass(frozen=True, kw_only=True)
class Placed:
    """A column placed by its header: the mapping key, the header as written, the words that matched."""

    key: str
    header: str
    words: str
    why: str = ""  # a reason besides the words, such as "its cells are short status words"


def _score(header: str, phrases: tuple[str, ...]) -> tuple[int, int, str] | None:
    words = header_words(header)
    best: tuple[int, int, str] | None = None
    for phrase in phrases:
        want = phrase.split()
        exact = int(words == want)
        found = any(words[i : i + len(want)] == want for i in range(len(words) - len(want) + 1))
        if found and (best is None or (exact, len(want)) > best[:2]):
            best = (exact, len(want), phrase)
    return best


def place_columns(
    headers: list[str], vocabulary: dict[str, tuple[str, ...]] = COLUMN_WORDS
) -> tuple[dict[str, Placed], list[str]]:
    """Place headers on mapping keys by their words: (key -> placed column, headers left over)."""
    candidates = []
    for index, header in enumerate(headers):
        for column_key, phrases in vocabulary.items():
            score = _score(header, phrases)
            if score is not None:
                candidates.append(((score[0], score[1], -index), column_key, header, score[2]))
    placed: dict[str, Placed] = {}
    taken: set[str] = set()
    for _, column_key, header, words in sorted(candidates, key=lambda c: c[0], reverse=True):
        if column_key not in placed and header not in taken:
            placed[column_key] = Placed(key=column_key, header=header, words=words)
            taken.add(header)
    return placed, [h for h in headers if h and h not in taken]


def register_like(placed: dict[str, Placed]) -> bool:
    """Whether columns placed by `REGISTER_WORDS` make a board register: boards and two things about them."""
    return "board" in placed and len(placed) >= 3


def is_board_column(header: str) -> bool:
    """Whether a header names the board over each action ("Reporting board")."""
    return _score(header, BOARD_WORDS) is not None


def guess_status(word: str) -> tuple[str | None, bool]:
    """Guess the concept a status word means: (concept or None, whether the guess is strong).

    >>> guess_status("Completed"), guess_status("On track"), guess_status("Some slippage")
    (('green', True), ('amber', False), (None, False))
    """
    named = concept_named(word)
    if named is not None:
        return named, True
    folded = " ".join(re.sub(r"[^\w\s]", " ", word).split()).casefold()
    if folded == "achieved":
        return "green", True
    return STATUS_GUESSES.get(folded), False


def status_like(values: list[str]) -> bool:
    """Whether a column's cells read as status words: few, short, and not sentences."""
    filled = [v for v in values if v.strip()]
    distinct = {" ".join(v.split()) for v in filled}
    return (
        bool(filled)
        and len(distinct) <= 12
        and all(len(v.split()) <= 4 and not v.rstrip().endswith(".") for v in distinct)
    )


# -- owner cells --------------------------------------------------------------------------


@dataclass(kw_only=True)
class Organisation:
    """An organisation an owner cell names by a name the file gives it."""

    id: str
    written: str  # "LA", "Parent Carer Forum"
    cells: int = 0


@dataclass(kw_only=True)
class Person:
    """A person (or initials) an owner cell names, and the organisations the cell attaches them to."""

    name: str
    organisations: list[str] = field(default_factory=list)  # organisation ids


@dataclass(kw_only=True)
class UnreadCell:
    """An owner cell with words the grammar cannot read, each with the role it has in the cell."""

    cell: str
    reading: OwnerCell
    unread: list[tuple[str, str]]  # (role, words as written)


@dataclass(kw_only=True)
class Owners:
    """What the owner cells name: organisations, people, posts, and the cells left unread."""

    organisations: dict[str, Organisation] = field(default_factory=dict)  # by id
    people: dict[str, Person] = field(default_factory=dict)  # by name
    posts: list[str] = field(default_factory=list)
    unread: list[UnreadCell] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # cell -> how an ambiguity was read

    def vocabulary(self, extra: dict[str, str] | None = None) -> Vocabulary:
        """The grammar's vocabulary: every organisation found, all of them partners."""
        names = {key(o.written): o.id for o in self.organisations.values()}
        return Vocabulary(
            organisations={**names, **(extra or {})},
            partners=tuple(self.organisations),
        )


def organisation_names(text: str) -> list[str]:
    """The organisations an unread run of words names: short codes ("LA ICB"), or a Title Case name ending in an organisation word."""
    text = text.strip().strip("()").strip()
    words = text.split()
    if words and all(_CODE.fullmatch(w) for w in words):
        return words
    if (
        1 <= len(words) <= 6
        and all(w[:1].isupper() for w in words)
        and words[-1].casefold() in ORGANISATION_WORDS
    ):
        return [" ".join(words)]
    return []


def _role_of(cell: str, unread: str, owners: Owners) -> str:
    """The role an unread part has in its cell: read the cell again as if the part were known."""
    marker = "\x00unread"
    found = read_owner_cell(cell, owners.vocabulary({key(unread.strip("()")): marker}))
    for role, named in ((LEAD, found.leads), (SUPPORT, found.support), (ACCOUNTABLE, found.accountable)):  # fmt: skip
        if any(n.organisation == marker for n in named):
            return role
    return LEAD


def read_owners(cells: list[str]) -> Owners:
    """Read owner cells in two passes: find the organisations' names, then read every cell with them."""
    owners = Owners()
    distinct = list(dict.fromkeys(c for c in cells if c.strip()))
    for cell in distinct:
        first = read_owner_cell(cell, Vocabulary(organisations={}))
        # "Council" alone reads as a name; an organisation's word makes it an organisation.
        people = [
            n.text for n in (*first.leads, *first.support, *first.accountable) if n.kind == PERSON
        ]
        for part in [*first.unread, *people]:
            for name in organisation_names(part):
                ident = slug(name)
                if ident and ident not in owners.organisations:
                    owners.organisations[ident] = Organisation(id=ident, written=name)
    words = owners.vocabulary()
    for cell in distinct:
        reading = read_owner_cell(cell, words)
        for named in (*reading.leads, *reading.support, *reading.accountable):
            _add(owners, named)
        if reading.unread:
            roles = [(_role_of(cell, part, owners), part) for part in reading.unread]
            owners.unread.append(UnreadCell(cell=cell, reading=reading, unread=roles))
        if reading.notes:
            owners.notes[cell] = list(reading.notes)
    for cell in cells:
        reading = read_owner_cell(cell, words)
        for org in {n.organisation for n in (*reading.leads, *reading.support, *reading.accountable) if n.kind == ORGANISATION}:  # fmt: skip
            owners.organisations[org].cells += 1
    return owners


def _add(owners: Owners, named: Named) -> None:
    if named.kind == PERSON:
        person = owners.people.setdefault(named.text, Person(name=named.text))
        if named.organisation and named.organisation not in person.organisations:
            person.organisations.append(named.organisation)
    elif named.kind == POST and named.text not in owners.posts:
        owners.posts.append(named.text)


# -- the file -------------------------------------------------------------------------------


@dataclass(kw_only=True)
class TableSeen:
    """A table of a Word document or web page: where it is, the heading above it, its header."""

    position: int
    heading: str
    headings: dict[int, str]
    header: list[str]
    actions: bool  # its header has an action column


@dataclass(kw_only=True)
class Survey:
    """What `template --from` found in a file."""

    path: Path
    layout: str  # "spreadsheet", "tables" or "blocks"
    header_row: int = 1
    sheets: list[Sheet] = field(default_factory=list)
    tables: list[TableSeen] = field(default_factory=list)
    block_levels: dict[int, list[str]] = field(default_factory=dict)  # heading level -> texts

    @property
    def headers(self) -> list[str]:
        """Every column header of the sheets read, in order, once."""
        return list(dict.fromkeys(c for s in self.sheets for c in s.columns if c))

    def values(self, header: str) -> list[str]:
        """Every cell of the column headed ``header``, in the order of the rows."""
        return [row.get(header) for sheet in self.sheets for row in sheet.rows if header in sheet.columns]  # fmt: skip


def survey(path: Path, encoding: str | None = None) -> Survey:
    """Read a council's file without a mapping; `UsageError` when it is not a file sendgraph reads."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UsageError(f"{path} is not a file.")
    if suffix not in FILE_SUFFIXES:
        raise UsageError(
            f"{path} is not a kind of file sendgraph reads ({', '.join(FILE_SUFFIXES)})."
        )
    if suffix in SPREADSHEET_SUFFIXES:
        return _spreadsheet(path, encoding)
    if suffix in TEXT_SUFFIXES:
        return _text_blocks(path, encoding)
    tables, problems = (
        docx_tables(path, path.name) if suffix in WORD_SUFFIXES else html_tables(path, path.name, encoding)
    )  # fmt: skip
    if not tables and suffix in PAGE_SUFFIXES:
        raise UsageError(f"{path} has no table for sendgraph to read: {_first_error(problems)}")
    found = _tables(path, tables)
    if suffix in WORD_SUFFIXES and not found.sheets:
        return _word_blocks(path)
    return found


def _first_error(problems: Sequence[object]) -> str:
    return str(problems[0]) if problems else "none was found."


def _spreadsheet(path: Path, encoding: str | None) -> Survey:
    best: tuple[int, int] = (0, 1)
    for row in range(1, MAX_HEADER_ROW + 1):
        sheets, _ = read_spreadsheet(path, path.name, header_row=row, encoding=encoding)
        headers = [c for s in sheets for c in s.columns if c]
        placed, _ = place_columns(headers)
        register, _ = place_columns(headers, REGISTER_WORDS)
        score = max(
            len(placed) + (10 if "action" in placed else 0),
            len(register) + (10 if register_like(register) else 0),
        )
        if score > best[0]:
            best = (score, row)
        if ("action" in placed and len(placed) >= 3) or register_like(register):
            break
    row = best[1]
    sheets, problems = read_spreadsheet(path, path.name, header_row=row, encoding=encoding)
    if not sheets:
        raise UsageError(f"{path} cannot be read: {_first_error(problems)}")
    return Survey(path=path, layout="spreadsheet", header_row=row, sheets=sheets)


def _tables(path: Path, tables: list[FoundTable]) -> Survey:
    found = Survey(path=path, layout="tables")
    for table in tables:
        sheet, _ = to_sheet(table, 1, {}) if table.rows else (None, [])
        header = [c for c in sheet.columns if c] if sheet is not None else []
        placed, _ = place_columns(header)
        found.tables.append(
            TableSeen(
                position=table.position,
                heading=table.heading,
                headings=dict(table.headings),
                header=header,
                actions="action" in placed,
            )
        )
        if sheet is not None and "action" in placed:
            found.sheets.append(sheet)
    return found


def _word_blocks(path: Path) -> Survey:
    """A Word document with no table of actions, read as blocks of 'Label: value' paragraphs."""
    sheets, problems = read_file(Mapping(path=path, source=path.name, layout="blocks"), path, path.name, None)  # fmt: skip
    if not any(sheet.rows for sheet in sheets):
        raise UsageError(
            f"{path} has no table with an action column and no 'Label: value' paragraphs: "
            f"{_first_error(problems)}"
        )
    return Survey(path=path, layout="blocks", sheets=sheets)


def _text_blocks(path: Path, encoding: str | None) -> Survey:
    lines, problems = text_file_lines(path, path.name, encoding)
    if lines is None:
        raise UsageError(f"{path} cannot be read: {_first_error(problems)}")
    sheet, _ = read_blocks(lines, path.name, {}, ())
    found = Survey(path=path, layout="blocks", sheets=[sheet])
    found.block_levels = _block_headings(lines)
    return found


def _block_headings(lines: list[Line]) -> dict[int, list[str]]:
    """The headings directly above each block, by level: the levels a block sits under."""
    levels: dict[int, list[str]] = {}
    in_force: dict[int, str] = {}
    for line in lines:
        text = line.text.strip()
        if line.level is not None and text:
            in_force = {k: v for k, v in in_force.items() if k < line.level}
            in_force[line.level] = text
        elif text and label_of(text) is not None:
            for level, heading in in_force.items():
                if heading not in levels.setdefault(level, []):
                    levels[level].append(heading)
    return dict(sorted(levels.items()))


def ref_like(texts: list[str]) -> bool:
    """Whether headings read as references ("HW 1.1", "Action 2.3"), not sentences."""
    return bool(texts) and all(_REF_LIKE.fullmatch(t.strip()) for t in texts)


def month_headers(headers: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The headers that name a month, and those that seem to but cannot be read (with why)."""
    today = dt.date.today()  # only a two-digit year's century depends on it
    months, unreadable = [], []
    for header in headers:
        heading = read_heading(header, today)
        if heading is None:
            continue
        if heading.month is not None:
            months.append(header)
        else:
            unreadable.append((header, heading.problem))
    return months, unreadable
