"""A first register mapping for a board register or terms of reference table, for `sendgraph template --from`.

A file whose header names boards (or groups, meetings) and at least two of their chair,
how often they meet, whom they report to, what they oversee and who their members are
reads as a board register, not a plan. Its columns are placed by their header words
(`REGISTER_WORDS` in `draftsurvey`); every meeting frequency is read by the same reader the import uses,
and one it cannot read is a TODO; the organisations a chair cell names in brackets are
listed with a TODO for their full names. A membership table is another file: the one
table beside the register whose header names boards and members is drafted under
``register: members:`` (its unknown role words and organisations as TODOs), and copied
with it; without one, a comment says where to name it. Organisations a mapping already
in the folder defines (a plan drafted first) are not listed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from sendgraph.read.spreadsheets import SPREADSHEET_SUFFIXES, Sheet, read_spreadsheet
from sendgraph.records.boardregister import NAME_AND_POST, NO_CHAIR, split_list
from sendgraph.records.draftmapping import scalar, todo
from sendgraph.records.draftsurvey import (
    MEMBER_WORDS,
    REGISTER_WORDS,
    Placed,
    Survey,
    organisation_names,
    place_columns,
    register_like,
)
from sendgraph.records.frequency import read_frequency
from sendgraph.records.mappings import MAPPING_SUFFIX, load_yaml
from sendgraph.records.model import slug
from sendgraph.records.owners import name_key
from sendgraph.records.registerspec import BOARD_COLUMNS, DEFAULT_ROLES, ROLES

_ORDER = ("board", "chair", "meets", "reports_to", "oversees")


def register_columns(headers: list[str]) -> dict[str, Placed] | None:
    """The register's columns, when the header reads as a board register; otherwise None.

    >>> sorted(register_columns(["Board", "Chair", "Frequency of meetings"]) or {})
    ['board', 'chair', 'meets']
    >>> register_columns(["Ref", "Action", "Lead", "Board"]) is None
    True
    """
    placed, _ = place_columns(headers, REGISTER_WORDS)
    return placed if register_like(placed) else None


@dataclass(kw_only=True)
class MembersTable:
    """A membership table found beside the register: its file, sheet and placed columns."""

    path: Path
    sheet: Sheet
    placed: dict[str, Placed]

    def values(self, column_key: str) -> list[str]:
        placed = self.placed.get(column_key)
        cells = [row.get(placed.header) for row in self.sheet.rows] if placed else []
        return [" ".join(c.split()) for c in cells if c.strip()]


def members_beside(register: Path, encoding: str | None = None) -> MembersTable | None:
    """The one table beside ``register`` whose header reads as a membership table (board, name and more)."""
    found = []
    for path in sorted(register.parent.iterdir()):
        if path == register or path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            continue
        sheets, _ = read_spreadsheet(path, path.name, header_row=1, encoding=encoding)
        for sheet in sheets:
            placed, _ = place_columns([c for c in sheet.columns if c], MEMBER_WORDS)
            if {"board", "name"} <= set(placed) and len(placed) >= 3:
                found.append(MembersTable(path=path, sheet=sheet, placed=placed))
    return found[0] if len(found) == 1 else None


def organisations_in(folder: Path | None) -> dict[str, str]:
    """The organisations the mappings already in ``folder`` define: folded name or alias -> file."""
    known: dict[str, str] = {}
    for path in sorted(folder.glob(f"*{MAPPING_SUFFIX}")) if folder and folder.is_dir() else []:
        try:
            read = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError):
            continue  # a mapping that cannot be read is reported by the import, not here
        entries = read.get("organisations") if isinstance(read, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                for name in [entry.get("name"), *(entry.get("aliases") or [])]:
                    if isinstance(name, str) and not name.startswith("TODO"):
                        known[name_key(name)] = path.name
    return known


class RegisterDraft:
    """The lines of a draft register mapping."""

    def __init__(
        self, found: Survey, placed: dict[str, Placed], members: MembersTable | None,
        known: dict[str, str],
    ) -> None:  # fmt: skip
        self.found = found
        self.placed = placed
        self.members = members
        self.known = known
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def values(self, column_key: str) -> list[str]:
        placed = self.placed.get(column_key)
        cells = self.found.values(placed.header) if placed else []
        return list(dict.fromkeys(" ".join(c.split()) for c in cells if c.strip()))

    def head(self) -> None:
        name = self.found.path.name
        self.add(
            f"# A first register mapping for {name}, drafted by `sendgraph template --from`: its",
            "# header reads as a board register (a row per board). Decide each TODO: a value",
            '# that still reads "TODO ..." stops the import and is named by it; a "# TODO"',
            "# comment is a guess to check or an optional key to fill in. The keys are",
            '# explained in docs/importing.md, "Board registers".',
            "",
            f"file: {scalar(name)}",
        )
        if self.found.header_row != 1:
            self.add(f"header_row: {self.found.header_row}   # the first row whose headers name boards; the rows above are titles")  # fmt: skip
        self.add(
            "",
            f"area: {todo('the local area, as its name should read in every IRI (Anytown)')}",
            "",
            "document:",
            f"  title: {todo('the title of the paper the register is published in')}",
            f"  date: {todo('the date of the paper, YYYY-MM-DD')}",
            "  # TODO: optional; publisher: the councils and boards that publish the paper",
            "  # TODO: optional; section: where in the paper the register is (Appendix 1)",
        )

    def organisations(self) -> None:
        found: dict[str, tuple[str, int]] = {}  # id -> (as written, rows)
        cells = [m["post"] for c in self.values("chair") if (m := NAME_AND_POST.match(c))]
        written = [w for cell in cells for w in organisation_names(cell)]
        written += self.members.values("organisation") if self.members else []
        for name in written:
            ident = slug(name)
            if ident and name_key(name) not in self.known:
                found[ident] = (found.get(ident, (name, 0))[0], found.get(ident, (name, 0))[1] + 1)
        self.add("")
        elsewhere = sorted({f"{n} ({self.known[name_key(n)]})" for n in written if name_key(n) in self.known})  # fmt: skip
        if elsewhere:
            self.add(f"# Organisations the mappings beside this one define already: {'; '.join(elsewhere)}.")  # fmt: skip
        if not found:
            self.add(
                "# TODO: optional; organisations: the organisations the members come from, each with",
                "# the names the membership table and the plans' owner cells use for it.",
            )
            return
        self.add(
            "# The organisations the chair cells and the membership table name. Give each its",
            "# full name; add any other names the register or plans use for it to aliases:.",
            "# An organisation a plan's mapping in this folder lists is not listed again.",
            "organisations:",
        )
        for cell in (c for c in self.values("chair") if (m := NAME_AND_POST.match(c)) and organisation_names(m["post"])):  # fmt: skip
            self.add(f"# TODO check: the import reads the brackets of the chair cell {cell!r} as the chair's post, not an organisation.")  # fmt: skip
        for ident, (name, rows) in found.items():
            self.add(
                f"  - id: {ident}",
                f"    name: {todo(f'the full name of {name} (in {rows} row' + ('s)' if rows != 1 else ')'))}",
                f"    aliases: [{scalar(name)}]",
            )

    def register(self) -> None:
        self.add("", "register:", "  # The columns of the table of boards, by the header as written.", "  boards:")  # fmt: skip
        for column_key in _ORDER:
            placed = self.placed.get(column_key)
            if placed is not None:
                self.add(f"    {column_key}: {scalar(placed.header)}   # header words {placed.words!r}")  # fmt: skip
            elif column_key != "board":
                self.add(f"    # TODO: optional; {column_key}: the column of {BOARD_COLUMNS[column_key]}")  # fmt: skip
        self.meets()
        self.chairs()
        self.oversees()
        members = self.placed.get("members")
        if members is not None:
            self.add(
                f"  # TODO: the column {members.header!r} lists members in one cell; sendgraph reads",
                "  # members from a table with a row per member, named under members: below.",
            )
        self.members_table()

    def members_table(self) -> None:
        if self.members is None:
            self.add(
                "  # TODO: optional; members: the membership table, a row per member, in another file",
                "  # beside this one: members: {file: members.csv, columns: {board: Board, name: Name,",
                "  #   post: Job title, organisation: Organisation, role: Role}}. Role words beyond Chair,",
                f"  #   Vice-chair, Member, Adviser and In attendance go under roles:, as {' or '.join(ROLES)}.",
            )
            return
        self.add(
            f"  # The membership table beside the register, {self.members.path.name}: a row per member.",
            "  members:",
            f"    file: {scalar(self.members.path.name)}",
            "    columns:",
        )
        for column_key, placed in sorted(self.members.placed.items(), key=lambda kv: list(MEMBER_WORDS).index(kv[0])):  # fmt: skip
            self.add(f"      {column_key}: {scalar(placed.header)}   # header words {placed.words!r}")  # fmt: skip
        unknown = list(dict.fromkeys(w for w in self.members.values("role") if w.casefold() not in DEFAULT_ROLES))  # fmt: skip
        if unknown:
            self.add("  # Role words beyond Chair, Vice-chair, Member, Adviser and In attendance.", "  roles:")  # fmt: skip
            for word in unknown:
                self.add(f"    {scalar(word)}: {todo(' or '.join(ROLES))}")

    def meets(self) -> None:
        for written in self.values("meets"):
            frequency = read_frequency(written)
            if frequency.days is None:
                self.add(
                    f"  # TODO: {written!r}: {frequency.problem}; it is kept as written and not compared "
                    "with how often plans report. Write an interval in the file (monthly, every six weeks) to compare it."
                )
        read = [w for w in self.values("meets") if read_frequency(w).days is not None]
        if read:
            shown = ", ".join(f"{w!r} ({read_frequency(w).days} days)" for w in read)
            self.add(f"  # Meeting frequencies read: {shown}.")

    def chairs(self) -> None:
        vacant = [c for c in self.values("chair") if c.casefold() in NO_CHAIR]
        if vacant:
            self.add(f"  # Chair cells that name nobody, so no chair is recorded: {', '.join(map(repr, vacant))}.")  # fmt: skip

    def oversees(self) -> None:
        plans = list(dict.fromkeys(p for cell in self.values("oversees") for p in split_list(cell)))
        if plans:
            self.add(
                f"  # TODO check: the plans overseen ({'; '.join(plans)}) must each be a plan a mapping",
                "  # of this import defines, by its id, title or ref prefix.",
            )

    def text(self) -> str:
        self.head()
        self.organisations()
        self.register()
        return "\n".join(self.lines) + "\n"


def draft_register(
    found: Survey,
    placed: dict[str, Placed],
    folder: Path | None = None,
    encoding: str | None = None,
) -> tuple[str, list[Path]]:
    """A draft register mapping for the board register ``found``, to be written into ``folder``,
    and the files besides the register it reads (a membership table)."""
    members = members_beside(found.path, encoding)
    text = RegisterDraft(found, placed, members, organisations_in(folder)).text()
    return text, [members.path] if members else []
