"""A first mapping for a council's own file, drafted by `sendgraph template --from`.

The draft is YAML with comments, written from what `draftsurvey` found. What it could
decide is written as a value with a comment saying why (the header words that matched,
the status scheme's word). What it could not decide is a TODO, in one of two forms:

- a value the import needs, which no file tells (the area, the paper's title and date,
  an organisation's full name, a status word's meaning), is written as a placeholder
  reading ``"TODO …"``. The import refuses any value that still starts with TODO and
  names it, so a draft cannot be imported until each is decided;
- a guess or an optional choice (a weak status guess, a prefix for references, a post)
  is a ``# TODO`` comment beside a safe value, or a commented line to fill in.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from sendgraph.base.errors import UsageError
from sendgraph.base.files import write_atomically
from sendgraph.records.draftsurvey import (
    Owners,
    Placed,
    Survey,
    UnreadCell,
    guess_status,
    is_board_column,
    month_headers,
    place_columns,
    read_owners,
    ref_like,
    status_like,
    survey,
)
from sendgraph.records.mappings import FINDING_KINDS, MAPPING_SUFFIX
from sendgraph.records.ownercells import ACCOUNTABLE, LEAD, ORGANISATION, SUPPORT, Named
from sendgraph.records.statuses import concepts

TODO = "TODO"
_PLAIN = re.compile(r"^[A-Za-z0-9(][\w .,'’()/&+-]*$")
_FINDING_KINDS = (
    ("weakness", "significant weakness"),
    ("priority action", "area for priority action"),
    ("improvement", "area for improvement"),
    ("recommendation", "recommendation"),
)
_COLUMN_ORDER = (
    "ref", "finding", "action", "owner", "accountable", "target_date", "success_measure",
    "status", "progress", "references", "note",
)  # fmt: skip


def scalar(text: str) -> str:
    """Write ``text`` as a YAML scalar the mapping reader keeps as written: plain when safe, else quoted.

    >>> scalar("Head of SEND"), scalar("Lead: ICB"), scalar("no")
    ('Head of SEND', '"Lead: ICB"', 'no')
    """
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def todo(what: str) -> str:
    """A placeholder the import refuses, naming what to decide."""
    return scalar(f"{TODO} {what}")


def _quoted_list(names: list[str]) -> str:
    return "[" + ", ".join(scalar(n) for n in names) + "]"


class _Draft:
    """The draft's lines, written section by section."""

    def __init__(self, found: Survey) -> None:
        self.found = found
        self.lines: list[str] = []
        headers = found.headers
        self.months, self.unreadable_months = month_headers(headers)
        skip = set(self.months) | {h for h, _ in self.unreadable_months}
        self.placed, self.unplaced = place_columns([h for h in headers if h not in skip])
        self._status_from_progress()
        owner_cells = [
            value
            for column in ("owner", "accountable")
            if column in self.placed
            for value in found.values(self.placed[column].header)
        ]
        self.owners: Owners = read_owners(owner_cells)
        self.ref_heading = self._ref_heading()

    def _status_from_progress(self) -> None:
        progress = self.placed.get("progress")
        if (
            progress
            and "status" not in self.placed
            and not self.months
            and status_like(self.found.values(progress.header))
        ):
            self.placed["status"] = Placed(
                    key="status", header=progress.header, words=progress.words,
                    why="its cells are short status words, not progress text",
                )  # fmt: skip
            del self.placed["progress"]

    def _ref_heading(self) -> tuple[int, str] | None:
        """The level of the headings that give each block its reference ("### HW 1.1")."""
        if self.found.layout != "blocks" or "ref" in self.placed or not self.found.block_levels:
            return None
        level = max(self.found.block_levels)
        return (level, "Ref") if ref_like(self.found.block_levels[level]) else None

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    # -- sections ---------------------------------------------------------------------

    def head(self) -> None:
        name = self.found.path.name
        self.add(
            f"# A first mapping for {name}, drafted by `sendgraph template --from`: how",
            "# sendgraph reads the file, from its own columns and words. Decide each TODO:",
            '# a value that still reads "TODO ..." stops the import and is named by it; a',
            '# "# TODO" comment is a guess to check or an optional key to fill in. The keys',
            "# are explained in `sendgraph template`'s example mapping and docs/importing.md.",
            "",
            f"file: {scalar(name)}",
        )
        if self.found.layout == "spreadsheet" and self.found.header_row != 1:
            self.add(
                f"header_row: {self.found.header_row}   # the first row whose headers name an action; the rows above are titles"
            )
        if self.found.layout == "blocks":
            self.add("layout: blocks   # each action is a run of 'Label: value' lines")
        self.tables()
        self.headings()
        self.add(
            "",
            f"area: {todo('the local area, as its name should read in every IRI (Anytown)')}",
            "",
            "document:",
            f"  title: {todo('the title of the paper the plan is published in')}",
            f"  date: {todo('the date of the paper, YYYY-MM-DD; a two-digit year in the file takes its century')}",
            "  # TODO: optional; publisher: the councils and boards that publish the paper",
            "",
            "plans:",
            f"  - title: {todo('the name of the plan')}",
            "    # TODO: optional; status_date: YYYY-MM-DD, the date its statuses are reported as at (overdue judges by it)",
            '    # TODO: optional; ref_prefix: a prefix for references ("AP": "3" becomes "AP 3")',
        )

    def tables(self) -> None:
        if self.found.layout != "tables":
            return
        self.add("", "# The tables in the file: position, the heading above it, and its header.")
        for table in self.found.tables:
            above = f"after {table.heading!r}" if table.heading else "with no heading above it"
            what = "" if table.actions else "  (no action column: not read)"
            self.add(f"#   {table.position}: {above}: {' | '.join(table.header)[:90]}{what}")
        chosen = [t for t in self.found.tables if t.actions]
        headings = [t.heading for t in chosen]
        if not chosen:
            self.add(f"table: {todo('which tables hold the actions: their positions ([2, 3]) or the heading above each')}")  # fmt: skip
        elif len(chosen) == len(self.found.tables):
            self.add("# Every table has an action column, so every table is read; to pick some:")
            self.add(f"# table: {_quoted_list([str(t.position) for t in chosen])}")
        else:
            self.add(
                f"table: {_quoted_list([str(t.position) for t in chosen])}   # the tables whose header has an action column"
            )
        if chosen and all(headings) and len(chosen) != len(self.found.tables):
            alternatives = ", ".join(
                f"{{after_heading: {scalar(_heading_words(h))}}}" for h in headings
            )
            self.add(f"# or by the heading above each: table: [{alternatives}]")

    def headings(self) -> None:
        levels = self._heading_levels()
        if self.ref_heading is not None:
            level, column = self.ref_heading
            self.add(
                "headings:", f"  {level}: {column}   # each block's own heading is its reference"
            )
        for level, texts in levels.items():
            if self.ref_heading and level == self.ref_heading[0]:
                continue
            if len(texts) == 1 and any(deeper > level for deeper in levels):
                continue  # one heading above every action, with others below it: a title
            self.add(
                f"# TODO: optional; the actions sit under level-{level} headings ({texts[0][:60]!r}...): "
                f"if they are the findings the actions answer, add headings: {{{level}: Finding}}, "
                "columns: finding: Finding and findings: below."
            )

    def _heading_levels(self) -> dict[int, list[str]]:
        if self.found.layout == "blocks":
            return self.found.block_levels
        levels: dict[int, list[str]] = {}
        for table in self.found.tables:
            if table.actions:
                for level, text in table.headings.items():
                    if level == 0:
                        continue  # the document's title
                    if text not in levels.setdefault(level, []):
                        levels[level].append(text)
        return dict(sorted(levels.items()))

    def organisations(self) -> None:
        orgs = self.owners.organisations
        self.add("")
        if not orgs:
            self.add(
                "# TODO: optional; organisations: no owner cell names one by a short name. List each"
                " with the names owner cells use for it (see the example mapping)."
            )
            return
        self.add(
            "# The organisations the owner cells name. Give each its full name; add any other",
            '# names the cells use for it to aliases:. "All partners" means all of them, except',
            "# one that says partner: no.",
            "organisations:",
        )
        for org in orgs.values():
            cells = f"{org.cells} owner cell" + ("s" if org.cells != 1 else "")
            self.add(
                f"  - id: {org.id}",
                f"    name: {todo(f'the full name of {org.written} (in {cells})')}",
                f"    aliases: {_quoted_list([org.written])}",
            )

    def owner_cells(self) -> None:
        if not self.owners.unread and not self.owners.notes:
            return
        self.add("")
        if self.owners.unread:
            self.add(
                "# Owner cells with words sendgraph cannot read as an organisation or a person: say",
                "# who each is, as an organisation or person named in this file, or delete the entry",
                "# to keep the words as written (the import then reports the cell).",
                "owner_cells:",
            )
            for unread in self.owners.unread:
                self.add(*_owner_cell(unread))
        for cell, notes in self.owners.notes.items():
            for note in notes:
                self.add(f"# TODO check: {cell!r}: {note}")

    def people(self) -> None:
        if self.owners.posts:
            self.add(
                "",
                f"# Posts found in owner cells, kept as posts, not people: {'; '.join(self.owners.posts)}.",
            )
        if not self.owners.people:
            return
        self.add(
            "",
            "# The people (names or initials) the owner cells name. Where a name is written",
            "# more than one way, keep one under name: and the others under aliases:.",
            "people:",
        )
        for person in self.owners.people.values():
            titled = person.name.split()[0].rstrip(".").casefold() in {"dr", "mr", "mrs", "ms", "miss", "prof", "cllr"}  # fmt: skip
            check = "   # TODO check: written with a title; the name goes under name:, this under aliases:" if titled else ""  # fmt: skip
            self.add(f"  - name: {scalar(person.name)}{check}")
            if person.organisations:
                self.add(f"    organisations: {_quoted_list(person.organisations)}")
                self.add(f"    # TODO: optional; post: the post {person.name} holds (Head of SEND)")
            else:
                self.add(
                    f"    # TODO: optional; post: and organisations: (ids above) of {person.name}, where known"
                )

    def boards(self) -> None:
        columns = [h for h in self.unplaced if is_board_column(h)]
        said = f" The column {columns[0]!r} may name them." if columns else ""
        self.add(
            "",
            f"# TODO: optional; boards: the boards that oversee the plan (see the example mapping).{said}",
        )

    def findings(self) -> None:
        finding = self.placed.get("finding")
        if finding is None:
            return
        kind = next((k for words, k in _FINDING_KINDS if words in " ".join(finding.header.casefold().split())), "")  # fmt: skip
        written = (
            f"{kind}   # from the header {finding.header!r}"
            if kind
            else todo(f"what the findings are: one of {', '.join(FINDING_KINDS)}")
        )
        self.add(
            "",
            f"# The column {finding.header!r} holds the findings the actions answer.",
            "findings:",
            f"  kind: {written}",
            f"  review: {todo('the inspection or review that made the findings (Area SEND inspection of Anytown, 2024)')}",
            "  # TODO: optional; ref_prefix: the findings' reference prefix (SW: SW 1, SW 2...)",
        )

    def statuses(self) -> None:
        words = self._status_words()
        if not words and "status" not in self.placed and not self.months:
            return
        self.add(
            "",
            f"# The status words in the file, each with the status it means: {', '.join(concepts())}.",
            "statuses:",
        )
        if not words:
            self.add("  # TODO: the status cells are empty; list the words the plan will use.")
            self.add("  Red: red", "  Amber: amber", "  Green: green")
        for word in words:
            concept, strong = guess_status(word)
            if concept is None:
                self.add(f"  {scalar(word)}: {todo(' or '.join(concepts()))}")
            elif strong:
                self.add(f"  {scalar(word)}: {concept}")
            else:
                self.add(f"  {scalar(word)}: {concept}   # TODO check: a guess; plans differ in what {word!r} means")  # fmt: skip

    def _status_words(self) -> list[str]:
        columns = [self.placed["status"].header] if "status" in self.placed else []
        words: dict[str, None] = {}
        for column in [*columns, *self.months]:
            for value in self.found.values(column):
                if value.strip():
                    words.setdefault(" ".join(value.split()))
        return list(words)

    def columns(self) -> None:
        self.add("", "# Which column holds what, by the header as written.", "columns:")
        if self.ref_heading is not None:
            self.add(f"  ref: {self.ref_heading[1]}   # the heading of each block")
        for column_key in _COLUMN_ORDER:
            placed = self.placed.get(column_key)
            if placed is None:
                if column_key == "action":
                    self.add(f"  action: {todo('the header of the column that holds the actions')}")
                continue
            why = placed.why or f"header words {placed.words!r}"
            self.add(f"  {column_key}: {scalar(placed.header)}   # {why}")
        if self.months:
            shown = ", ".join(self.months[:4]) + (", ..." if len(self.months) > 4 else "")
            self.add(
                f"  status_columns: months   # {len(self.months)} columns headed with a month: {shown}"
            )
        for header, problem in self.unreadable_months:
            self.add(
                f"  # TODO: the column {header!r} {problem}; give its month under status_columns if it is a status"
            )
        for header in self.unplaced:
            self.add(
                f"  # TODO: the column {header!r} is not placed; name it under a key above "
                "(ref, action, owner, accountable, target_date, success_measure, status, progress, "
                "references, finding, note), or leave it out and it is not read"
            )

    def text(self) -> str:
        self.head()
        self.organisations()
        self.owner_cells()
        self.people()
        self.boards()
        self.findings()
        self.statuses()
        self.columns()
        return "\n".join(self.lines) + "\n"


def _heading_words(heading: str) -> str:
    """The start of a heading that tells it from its neighbours: "Area for priority action 1"."""
    match = re.match(r"^(.*?\d+)(?:\s*[:.–—-]\s|\s*$)", heading)
    return match.group(1) if match else heading


def _names(named: tuple[Named, ...]) -> list[str]:
    return [n.text for n in named if n.kind != ORGANISATION or n.text]


def _owner_cell(cell: UnreadCell) -> list[str]:
    reading = cell.reading
    roles = {LEAD: _names(reading.leads), SUPPORT: _names(reading.support), ACCOUNTABLE: _names(reading.accountable)}  # fmt: skip
    unread = {role: [p for r, p in cell.unread if r == role] for role in roles}
    lines = [f"  {scalar(cell.cell)}:"]
    for role, names in roles.items():
        placeholders = [
            f"{TODO} who {part!r} is: an organisation's short name or a person"
            for part in unread[role]
        ]
        if names or placeholders:
            lines.append(f"    {role}: {_quoted_list([*names, *placeholders])}")
    return lines


def draft_mapping(path: Path, encoding: str | None = None, folder: Path | None = None) -> str:
    """Return the text of a draft mapping for the council's file at ``path``: a plan's, or a board register's."""
    return _drafted(path, encoding, folder)[0]


def _drafted(path: Path, encoding: str | None, folder: Path | None) -> tuple[str, list[Path]]:
    """The draft for ``path``, to be written into ``folder``, and the files it reads besides ``path``."""
    from sendgraph.records.draftregister import draft_register, register_columns

    found = survey(path, encoding)
    register = register_columns(found.headers) if found.layout == "spreadsheet" else None
    if register is not None:
        return draft_register(found, register, folder, encoding)
    return _Draft(found).text(), []


def write_draft(source: Path, folder: Path | None, encoding: str | None = None) -> list[Path]:
    """Write a draft mapping for ``source`` into ``folder`` (default: the file's own folder).

    The mapping names the file beside it, so a file in another folder is copied there
    (with a membership table a register's draft reads). Nothing is overwritten. Returns
    the paths written.
    """
    folder = folder if folder is not None else source.parent
    mapping = folder / f"{source.stem}{MAPPING_SUFFIX}"
    text, besides = _drafted(source, encoding, folder)
    copies = [
        (path, folder / path.name)
        for path in (source, *besides)
        if (folder / path.name).resolve() != path.resolve()
    ]
    existing = [str(p) for p in (mapping, *(to for _, to in copies)) if p.exists()]
    if existing:
        verb = "exists" if len(existing) == 1 else "exist"
        raise UsageError(
            f"{' and '.join(existing)} already {verb}; choose another folder with -o, so nothing is overwritten."
        )
    folder.mkdir(parents=True, exist_ok=True)
    for path, to in copies:
        shutil.copyfile(path, to)
    write_atomically(mapping, text.encode("utf-8"))
    return [*(to for _, to in copies), mapping]


def todo_lines(text: str) -> list[str]:
    """The lines of a draft that still hold a TODO, after its opening comment that explains them."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith("file:")), 0)
    return [line.strip() for line in lines[start:] if TODO in line]
