"""A board register, terms of reference or attendance table, read through a mapping's ``register:``.

The register's table has a row per board: its chair, how often it meets, whom it
reports to and which plans it oversees. A membership or attendance table beside it has
a row per member: the board, the member's name, post, organisation and role. Each board
row becomes the board's `RegisterEntry` (the row's words, kept as the evidence of what
the register says of it); each chair and member becomes a `Membership`; each reporting
and oversight line a stated `GovernanceLink` quoting the row. A board named only as
the one another reports to is kept as a board with no register entry, so no gap rule
asks it for a chair the papers never had reason to name.

Names of people go through the same index as the owner cells of plans, so a chair who
owns actions is one person in the graph. Nothing is guessed: a plan, board,
organisation or role word the register names but the mappings do not define is an
error naming the file, row and column, and a meeting frequency that names no interval
is kept as written with a warning.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.sources import SourceRow
from sendgraph.read.spreadsheets import Sheet, SheetRow, read_spreadsheet
from sendgraph.records.frequency import read_frequency
from sendgraph.records.gazetteer import Gazetteer
from sendgraph.records.mappings import Mapping
from sendgraph.records.model import (
    BOARD_KINDS,
    Board,
    GovernanceLink,
    Membership,
    Post,
    Records,
    RegisterEntry,
    slug,
)
from sendgraph.records.owners import name_key
from sendgraph.records.registerspec import RegisterSpec, role_of

# A list of boards or plans in one cell: one per line or between semicolons.
LIST_SEPARATORS = re.compile(r"\s*(?:;|\n)\s*")
# A chair cell that says there is no chair yet names nobody.
NO_CHAIR = {"vacant", "tbc", "to be confirmed", "to be appointed", "none", "n/a", "-"}
EMPTY = "(empty)"  # how a quote of a row shows an empty cell
# "Helen Marsh (Director of Children's Services)": a name and, in brackets, the post.
NAME_AND_POST = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<post>[^()]+)\)\s*$")


class Importing(Protocol):
    """What the register reader uses of the import it is part of."""

    records: Records
    problems: list[Problem]
    gazetteer: Gazetteer
    organisation_names: dict[str, str]
    document: str  # the document whose names are being read

    def agents(self, origin: SheetRow, column: str, names: list[str]) -> tuple[list[str], list[str]]: ...  # fmt: skip


def split_list(cell: str) -> list[str]:
    """Split a cell listing boards or plans into its items.

    >>> split_list("Health and Wellbeing Board;\\nSchools Forum")
    ['Health and Wellbeing Board', 'Schools Forum']
    """
    return [part.strip() for part in LIST_SEPARATORS.split(cell) if part.strip()]


def row_quote(row: SourceRow, columns: list[str]) -> str:
    """The words of ``row`` in ``columns``, each after its heading, as a quote.

    >>> row_quote(SourceRow("r.csv", 2, {"Board": "SEND Board", "Chair": ""}), ["Board", "Chair"])
    'Board: SEND Board; Chair: (empty)'
    """
    return "; ".join(
        f"{column}: {' '.join(row.get(column).split()) or EMPTY}" for column in columns
    )


def board_kind(label: str) -> str:
    """The kind of board a name says it is; "board" when it names no kind.

    >>> board_kind("SEND Sufficiency Group"), board_kind("Health and Wellbeing Board"), board_kind("DLT")
    ('group', 'board', 'board')
    """
    words = label.casefold()
    found = [kind for kind in BOARD_KINDS if re.search(rf"\b{re.escape(kind)}\b", words)]
    return max(found, key=words.rfind) if found else "board"


class RegisterReader:
    """Reads one register mapping's tables into the records of the import."""

    def __init__(self, importing: Importing, mapping: Mapping, spec: RegisterSpec) -> None:
        self.importing = importing
        self.records = importing.records
        self.mapping = mapping
        self.spec = spec
        document = mapping.document
        self.document = document.id if document else ""
        self.section = (document.section if document else "") or "board register"

    def report(self, row: SheetRow, column: str, severity: Severity, message: str) -> None:
        self.importing.problems.append(row.problem(column, severity, message))

    def read(self, data: Path, shown: str, encoding: str | None) -> None:
        self.importing.document = self.document  # the people it names are first named here
        sheets = self.sheets(data, shown, self.mapping.header_row, encoding)
        rows = []
        for sheet in sheets:
            rows += [(row, self.board_row(row, sheet)) for row in sheet.rows]
        for row, board in rows:
            if board is not None:
                self.lines(row, board)
        if self.spec.members_file:
            members_path = self.mapping.path.parent / self.spec.members_file
            members_shown = str(Path(shown).parent / self.spec.members_file)
            for sheet in self.sheets(members_path, members_shown, 1, encoding, members=True):
                for row in sheet.rows:
                    self.member_row(row, sheet)

    def sheets(
        self, path: Path, shown: str, header_row: int, encoding: str | None, members: bool = False
    ) -> list[Sheet]:
        sheets, problems = read_spreadsheet(path, shown, header_row=header_row, encoding=encoding)
        self.importing.problems.extend(problems)
        columns = self.spec.members if members else self.spec.boards
        key = "register.members.columns" if members else "register.boards"
        for sheet in sheets:
            missing = [c for c in columns.values() if c not in sheet.columns]
            for column in missing:
                has = ", ".join(repr(c) for c in sheet.columns if c) or "none"
                self.importing.problems.append(
                    Problem(
                        self.mapping.source,
                        self.mapping.line_of(key),
                        key,
                        Severity.ERROR,
                        f"column {column!r} is not in {sheet.source}; its columns are {has}.",
                    )
                )
        return [s for s in sheets if columns.get("board") in s.columns]

    # -- boards --------------------------------------------------------------------

    def board_named(self, written: str) -> str | None:
        found = self.importing.gazetteer.board_for(written)
        if found is not None:
            return found
        wanted = name_key(written)
        return next((b.id for b in self.records.boards.values() if name_key(b.label) == wanted), None)  # fmt: skip

    def new_board(self, row: SheetRow, label: str, kind: str, note: str) -> Board:
        board = Board(
            origin=row, id=slug(label), label=label, kind=kind, aliases=[],
            organisations=[], document=self.document, quote="", note=note,
        )  # fmt: skip
        self.records.boards[board.id] = board
        self.importing.gazetteer.add(board.id, [label])
        return board

    def board_row(self, row: SheetRow, sheet: Sheet) -> Board | None:
        columns = self.spec.boards
        label = " ".join(row.get(columns["board"]).split())
        if not label:
            self.report(row, columns["board"], Severity.ERROR, "names no board; every row of a board register is one board.")  # fmt: skip
            return None
        existing = self.board_named(label)
        board = self.records.boards.get(existing) if existing else None
        if board is not None and board.register is not None:
            self.report(row, columns["board"], Severity.ERROR, f"{label} is already in the register on row {board.register.row}.")  # fmt: skip
            return None
        kind = self.kind(row)
        if board is None:
            board = self.new_board(row, label, kind, "")
        chair = " ".join(row.get(columns.get("chair", "")).split()) if "chair" in columns else ""
        board.register = RegisterEntry(
            origin=row, document=self.document, section=self.section,
            quote=row_quote(row, [c for c in sheet.columns if c in columns.values()]),
            chair_text=chair,
        )  # fmt: skip
        board.quote = board.quote or board.register.quote
        if "meets" in columns:
            self.meets(row, board, columns["meets"])
        if chair and chair.casefold() not in NO_CHAIR:
            self.chair(row, board, chair)
        return board

    def kind(self, row: SheetRow) -> str:
        column = self.spec.boards.get("kind")
        written = " ".join(row.get(column).split()).casefold() if column else ""
        if written and written not in BOARD_KINDS:
            self.report(row, column or "", Severity.ERROR, f"{written!r} is not a kind of board sendgraph knows; use one of {', '.join(sorted(BOARD_KINDS))}.")  # fmt: skip
        return written if written in BOARD_KINDS else board_kind(row.get(self.spec.boards["board"]))

    def meets(self, row: SheetRow, board: Board, column: str) -> None:
        written = row.get(column)
        if not written.strip():
            return
        frequency = read_frequency(written)
        board.meets, board.meets_days = frequency.text, frequency.days
        if frequency.days is None:
            self.report(row, column, Severity.WARNING, f"{frequency.text!r} {frequency.problem}; it is kept as written and not compared with how often plans report.")  # fmt: skip

    def chair(self, row: SheetRow, board: Board, written: str) -> None:
        column = self.spec.boards["chair"]
        match = NAME_AND_POST.match(written)
        name, post = (match["name"], match["post"]) if match else (written, "")
        people, organisations = self.importing.agents(row, column, [name])
        if organisations or not people:
            self.report(row, column, Severity.ERROR, f"{written!r} names no person to chair {board.label}; write the chair's name.")  # fmt: skip
            return
        if post:
            self.post(row, people[0], post, [])
        self.membership(row, board, people[0], "chair", "Chair", "", board.register.quote if board.register else "")  # fmt: skip

    def lines(self, row: SheetRow, board: Board) -> None:
        columns = self.spec.boards
        quote = board.register.quote if board.register else ""
        if "reports_to" in columns:
            for written in split_list(row.get(columns["reports_to"])):
                above = self.board_named(written)
                if above is None:
                    note = (
                        f"named in {row.source} row {row.row} as the board {board.label} reports to"
                    )
                    above = self.new_board(row, written, board_kind(written), note).id
                self.link(row, board, "reports_to", above, quote)
        if "oversees" in columns:
            for written in split_list(row.get(columns["oversees"])):
                plan = self.plan_named(written)
                if plan is None:
                    titles = "; ".join(p.title for p in self.records.plans.values()) or "none"
                    self.report(row, columns["oversees"], Severity.ERROR, f"{written!r} is not a plan the mappings of this import define (by id, title or ref prefix); the plans are: {titles}.")  # fmt: skip
                    continue
                self.link(row, board, "oversees", plan, quote)

    def plan_named(self, written: str) -> str | None:
        wanted = name_key(written)
        for plan in self.records.plans.values():
            if wanted in {name_key(plan.id), name_key(plan.title), name_key(plan.ref)} - {""}:
                return plan.id
        return None

    def link(self, row: SheetRow, board: Board, relation: str, target: str, quote: str) -> None:
        self.records.governance.append(
            GovernanceLink(
                origin=row,
                subject=board.id,
                relation=relation,
                object=target,
                document=self.document,
                section=self.section,
                quote=quote,
                note="",
            )
        )

    # -- members -------------------------------------------------------------------

    def member_row(self, row: SheetRow, sheet: Sheet) -> None:
        columns = self.spec.members
        written = " ".join(row.get(columns["board"]).split())
        board = self.board_named(written) if written else None
        if board is None:
            self.report(row, columns["board"], Severity.ERROR, f"{written or 'an empty cell'!r} is not a board of the register.")  # fmt: skip
            return
        name = " ".join(row.get(columns.get("name", "")).split())
        if not name:
            self.report(row, columns["name"], Severity.ERROR, "names no member.")
            return
        role_text = " ".join(row.get(columns.get("role", "")).split()) if "role" in columns else ""
        role = role_of(self.spec, role_text)
        if role is None:
            self.report(row, columns["role"], Severity.ERROR, f"role {role_text!r} is not under register: roles: in {self.mapping.source}; add it as chair, member or adviser.")  # fmt: skip
            return
        organisation = self.organisation(row)
        people, organisations = self.importing.agents(row, columns["name"], [name])
        if organisations or not people:
            self.report(row, columns["name"], Severity.ERROR, f"{name!r} names an organisation, not a person; a member is a person.")  # fmt: skip
            return
        post = " ".join(row.get(columns.get("post", "")).split()) if "post" in columns else ""
        if post:
            self.post(row, people[0], post, [organisation] if organisation else [])
        quote = row_quote(row, [c for c in sheet.columns if c in columns.values()])
        self.membership(row, self.records.boards[board], people[0], role, role_text or "Member", organisation, quote)  # fmt: skip

    def organisation(self, row: SheetRow) -> str:
        column = self.spec.members.get("organisation")
        written = " ".join(row.get(column).split()) if column else ""
        if not written:
            return ""
        found = self.importing.organisation_names.get(name_key(written))
        if found is None:
            self.report(row, column or "", Severity.ERROR, f"{written!r} is not an organisation under organisations: in {self.mapping.source}; add it with the short names the register uses.")  # fmt: skip
            return ""
        return found

    def post(self, row: SheetRow, person: str, title: str, organisations: list[str]) -> None:
        for post in self.records.posts:
            if post.person == person and name_key(post.title) == name_key(title):
                post.organisations += [o for o in organisations if o not in post.organisations]
                return
        self.records.posts.append(
            Post(
                origin=row,
                person=person,
                title=title,
                organisations=organisations,
                document=self.document,
                section=self.section,
                note="",
            )
        )

    def membership(
        self, row: SheetRow, board: Board, person: str, role: str, role_text: str,
        organisation: str, quote: str,
    ) -> None:  # fmt: skip
        for held in self.records.memberships:
            if held.board == board.id and held.person == person:
                # The register's chair cell and the membership table both name the chair:
                # one place on the board, the stronger role, the organisation where given.
                if role == "chair" and held.role != "chair":
                    held.role, held.role_text = role, role_text
                held.organisation = held.organisation or organisation
                return
        self.records.memberships.append(
            Membership(
                origin=row,
                board=board.id,
                person=person,
                role=role,
                role_text=role_text,
                organisation=organisation,
                document=self.document,
                section=self.section,
                quote=quote,
            )
        )
