"""Owner cells of an imported table turned into records: organisations, people, posts and roles.

`ownercells` reads a cell's words; this module hangs what it reads on the records the
import makes. An organisation is the mapping's; a person is the mapping's when a name or
alias matches, else a new one (initials become a person with those initials); an
officer a cell attaches to an organisation holds a post in it, titled by the column's
header; a job title is a post nobody is named as holding. Every part of a cell the
grammar could not read, and every place it chose between two readings, is a warning
naming the file, row, column and cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sendgraph.base.problems import Severity
from sendgraph.read.spreadsheets import SheetRow
from sendgraph.records.mappings import Mapping
from sendgraph.records.model import Person, Post, Records, slug
from sendgraph.records.ownercells import (
    ORGANISATION,
    POST,
    Named,
    OwnerCell,
    Vocabulary,
    folded_cell,
    read_owner_cell,
    reading,
)
from sendgraph.records.owners import PeopleIndex

# The roles a cell gives, as the records name them.
LEAD = "lead"
SUPPORT = "support"
ACCOUNTABLE = "accountable"


@dataclass(kw_only=True)
class Agents:
    """The people, organisations and posts holding one role on an action."""

    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)

    def add(self, other: Agents) -> None:
        for mine, theirs in (
            (self.people, other.people),
            (self.organisations, other.organisations),
            (self.posts, other.posts),
        ):
            mine.extend(x for x in theirs if x not in mine)


Report = Callable[[SheetRow, str, Severity, str], None]


class OwnerReader:
    """Reads one mapping's owner cells into the import's records."""

    def __init__(
        self,
        mapping: Mapping,
        *,
        records: Records,
        people: PeopleIndex,
        organisation_names: dict[str, str],
        document: str,
        report: Report,
    ) -> None:
        self.mapping = mapping
        self.records = records
        self.people = people
        self.document = document
        self.report = report
        words = Vocabulary(
            organisations=organisation_names,
            partners=tuple(o.id for o in mapping.organisations if o.partner),
            is_person=lambda name: bool(people.lookup(name)),
        )
        overrides = {
            folded_cell(spec.cell): reading(
                words, lead=spec.lead, support=spec.support, accountable=spec.accountable
            )
            for spec in mapping.owner_cells
        }
        self.words = Vocabulary(
            organisations=words.organisations,
            partners=words.partners,
            is_person=words.is_person,
            overrides=overrides,
        )

    def read(
        self, origin: SheetRow, column: str, *, accountable: bool = False
    ) -> dict[str, Agents]:
        """Read the cell of ``column`` in ``origin``: the agents of each role it names.

        In an accountable column every name is an accountable lead.
        """
        text = origin.get(column) if column else ""
        cell = read_owner_cell(text, self.words)
        self.warn(origin, column, text, cell)
        roles = {
            LEAD: self.agents(origin, column, cell.leads),
            SUPPORT: self.agents(origin, column, cell.support),
            ACCOUNTABLE: self.agents(origin, column, cell.accountable),
        }
        if accountable:
            roles[ACCOUNTABLE].add(roles.pop(LEAD))
            roles[ACCOUNTABLE].add(roles.pop(SUPPORT))
            roles[LEAD], roles[SUPPORT] = Agents(), Agents()
        return roles

    def warn(self, origin: SheetRow, column: str, text: str, cell: OwnerCell) -> None:
        where = f"under owner_cells: in {self.mapping.source}"
        read_any = cell.leads or cell.support or cell.accountable
        if cell.unread and not read_any:
            self.report(
                origin, column, Severity.WARNING,
                f"{text!r} is not read as owners: it names no organisation, person or post sendgraph "
                f"can tell. It is kept as written and names no owner; say how it reads {where}, or "
                "give its organisations' short names under organisations:.",
            )  # fmt: skip
            return
        for part in cell.unread:
            self.report(
                origin, column, Severity.WARNING,
                f"in {text!r}, {part!r} names no organisation, person or post sendgraph can tell; it "
                f"is kept as written and left out of the owners. Add it as an organisation's short "
                f"name (aliases:), or say how the cell reads {where}.",
            )  # fmt: skip
        for note in cell.notes:
            self.report(
                origin, column, Severity.WARNING, f"in {text!r}, {note} in {self.mapping.source}."
            )

    def agents(self, origin: SheetRow, column: str, named: tuple[Named, ...]) -> Agents:
        found = Agents()
        for one in named:
            if one.kind == ORGANISATION:
                found.organisations.append(one.organisation)
            elif one.kind == POST:
                found.posts.append(self.post(origin, column, one))
            else:
                person = self.person(origin, column, one)
                if person is not None:
                    found.people.append(person)
                    if one.organisation:
                        self.officer(origin, column, person, one.organisation)
        return found

    def person(self, origin: SheetRow, column: str, one: Named) -> str | None:
        ids = self.people.lookup(one.text)
        if len(ids) > 1:
            self.report(
                origin, column, Severity.ERROR,
                f"{one.text!r} could be any of {', '.join(ids)}; give the one meant an alias in the mapping.",
            )  # fmt: skip
            return None
        if ids:
            return ids[0]
        person_id = slug(one.text)
        if not person_id:
            return None
        if person_id in self.records.people:
            # The same slug from a different spelling: keep one person, note it.
            self.people.add(person_id, one.text, [one.text])
            return person_id
        self.records.people[person_id] = Person(
            origin=origin,
            id=person_id,
            name=one.text,
            initials=one.text if one.initials else "",
            aliases=[],
            document=self.document,
            section="",
            note="",
        )
        self.people.add(person_id, one.text, [])
        return person_id

    def officer(self, origin: SheetRow, column: str, person: str, organisation: str) -> None:
        """Give ``person`` a post in ``organisation``, unless the records already give one."""
        for post in self.records.posts:
            if post.person == person and organisation in post.organisations:
                return
        self.records.posts.append(
            Post(
                origin=origin,
                person=person,
                title=column,
                organisations=[organisation],
                document=self.document,
                section="",
                note=f"Named with {self.organisation_name(organisation)} in the {column!r} column.",
            )
        )

    def organisation_name(self, organisation: str) -> str:
        known = self.records.organisations.get(organisation)
        return known.name if known is not None else organisation

    def post(self, origin: SheetRow, column: str, one: Named) -> str:
        """Return the id of the unheld post a job title names, making it the first time."""
        post_id = slug(f"{one.text} {one.organisation}")
        if not any(p.id == post_id for p in self.records.posts):
            self.records.posts.append(
                Post(
                    origin=origin,
                    id=post_id,
                    person="",
                    title=one.text,
                    organisations=[one.organisation] if one.organisation else [],
                    document=self.document,
                    section="",
                    note=f"A job title in the {column!r} column; the cell names nobody holding it.",
                )
            )
        return post_id
