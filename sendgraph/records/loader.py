"""The data folder's CSV files read into records, with every problem found on the way.

This stage turns rows into the things sendgraph talks about (documents, people, posts,
boards, plans, reviews, actions, findings) and checks every cross-reference between
files. It never raises for bad data: it collects a `Problem` for each bad cell and keeps
going, so one run reports everything. Owner names become person ids here, target date
text becomes ordered revisions, Ref columns become codes, status words become status
concepts, and text that names a board becomes a mention.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.sources import SourceRow, read_table
from sendgraph.records.codes import code_key, find_codes, find_mentions
from sendgraph.records.dates import TargetRevision, parse_targets, read_entry_date
from sendgraph.records.gazetteer import Gazetteer
from sendgraph.records.model import (
    BOARD_KINDS,
    MODALITIES,
    RELATIONS,
    ROW_KINDS,
    SLUG,
    Action,
    ActionRow,
    Board,
    BoardMention,
    CcgGap,
    Document,
    GovernanceLink,
    Organisation,
    PeerChallengeItem,
    Person,
    Plan,
    Post,
    Records,
    Review,
    StatusWord,
    Version,
    slug,
)
from sendgraph.records.owners import PeopleIndex, split_owner_cell
from sendgraph.records.statuses import concepts, of_concept

# Each data file: its required columns. Every column is read; none is optional.
COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("id", "title", "publisher", "date", "meetings", "source_file", "note"),
    "organisations": ("id", "name", "aliases", "document", "section", "note"),
    "people": ("id", "name", "initials", "aliases", "document", "section", "note"),
    "posts": ("person", "post", "organisations", "document", "section", "note"),
    "boards": ("id", "label", "kind", "aliases", "organisation", "document", "quote", "note"),
    "plans": (
        "id",
        "title",
        "part_of",
        "document",
        "section",
        "status_date",
        "rows_are",
        "review",
        "note",
    ),
    "priorities": ("ref", "plan", "title", "lead_officer", "note"),
    "reviews": (
        "id",
        "title",
        "kind",
        "start",
        "end",
        "document",
        "section",
        "reviewers",
        "focus_areas",
        "note",
    ),
    "statuses": ("status", "concept", "note"),
    "actions": (
        "ref",
        "row",
        "plan",
        "codes",
        "action",
        "owner",
        "target_date",
        "progress",
        "status",
        "note",
    ),
    "ccg_gaps": ("ref", "review", "issue", "progress", "note"),
    "peer_challenge": (
        "ref",
        "review",
        "section",
        "strength",
        "area_for_consideration",
        "identified_action",
        "progress_update",
        "note",
    ),
    "versions": ("plan", "version", "amended_by", "date", "summary"),
    "governance": (
        "subject",
        "relation",
        "object",
        "modality",
        "document",
        "section",
        "quote",
        "note",
    ),
}


def lines(cell: str) -> list[str]:
    """Return the non-empty lines of a cell, stripped."""
    return [line.strip() for line in cell.splitlines() if line.strip()]


class _Loader:
    """Reads the files of one folder in dependency order, collecting problems."""

    def __init__(self, folder: Path, encoding: str | None) -> None:
        self.folder = folder
        self.encoding = encoding
        self.problems: list[Problem] = []
        self.records = Records()
        self.people = PeopleIndex()
        self.gazetteer = Gazetteer()

    # -- helpers ----------------------------------------------------------------

    def table(self, name: str) -> list[SourceRow]:
        path = self.folder / f"{name}.csv"
        shown = f"{self.folder.name}/{name}.csv" if self.folder.name else f"{name}.csv"
        table, problems = read_table(path, shown, COLUMNS[name], encoding=self.encoding)
        self.records.tables[name] = table
        self.problems.extend(problems)
        return table.rows

    def report(self, row: SourceRow, column: str, severity: Severity, message: str) -> None:
        self.problems.append(row.problem(column, severity, message))

    def required(self, row: SourceRow, *columns: str) -> bool:
        ok = True
        for column in columns:
            if not row.get(column):
                self.report(row, column, Severity.ERROR, f"{column} is empty; every row needs one.")
                ok = False
        return ok

    def unique(self, row: SourceRow, column: str, seen: dict[str, int]) -> bool:
        value = row.get(column)
        if value in seen:
            self.report(
                row, column, Severity.ERROR, f"{value!r} is already used on row {seen[value]}."
            )
            return False
        seen[value] = row.row
        return True

    def known(
        self, row: SourceRow, column: str, value: str, pool: Iterable[str], what: str
    ) -> bool:
        if value in pool:
            return True
        self.report(row, column, Severity.ERROR, f"{value!r} is not a known {what}.")
        return False

    def known_document(self, row: SourceRow) -> bool:
        return self.known(
            row,
            "document",
            row.get("document"),
            self.records.documents,
            "document id (documents.csv)",
        )

    def iso_date(self, row: SourceRow, column: str) -> dt.date | None:
        text = row.get(column)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.report(
                row, column, Severity.ERROR, f"{text!r} is not a date written as YYYY-MM-DD."
            )
            return None

    def ids(self, row: SourceRow, column: str, pool: Iterable[str], what: str) -> list[str]:
        pool = set(pool)
        return [v for v in lines(row.get(column)) if self.known(row, column, v, pool, what)]

    def board_mentions(self, row: SourceRow, fields: dict[str, str]) -> list[BoardMention]:
        return [
            BoardMention(field=name, mention=m)
            for name, text in fields.items()
            for m in self.gazetteer.find(text)
        ]

    # -- files, in dependency order --------------------------------------------

    def load(self) -> Records:
        steps: list[Callable[[], None]] = [
            self.documents,
            self.organisations,
            self.people_and_posts,
            self.boards,
            self.reviews,
            self.plans,
            self.priorities,
            self.statuses,
            self.actions,
            self.ccg_gaps,
            self.peer_challenge,
            self.versions,
            self.governance,
        ]
        for step in steps:
            step()
        return self.records

    def documents(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("documents"):
            if not (self.required(row, "id", "title", "date") and self.unique(row, "id", seen)):
                continue
            date = self.iso_date(row, "date")
            if date is None:
                continue
            self.records.documents[row.get("id")] = Document(
                origin=row,
                id=row.get("id"),
                title=row.get("title"),
                publisher=row.get("publisher"),
                date=date,
                meetings=lines(row.get("meetings")),
                source_file=row.get("source_file"),
                note=row.get("note"),
            )

    def organisations(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("organisations"):
            if self.required(row, "id", "name", "document") and self.unique(row, "id", seen):
                self.known_document(row)
                self.records.organisations[row.get("id")] = Organisation(
                    origin=row,
                    id=row.get("id"),
                    name=row.get("name"),
                    aliases=lines(row.get("aliases")),
                    document=row.get("document"),
                    section=row.get("section"),
                    note=row.get("note"),
                )

    def people_and_posts(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("people"):
            if not (self.required(row, "id", "name", "document") and self.unique(row, "id", seen)):
                continue
            self.known_document(row)
            person = Person(
                origin=row,
                id=row.get("id"),
                name=row.get("name"),
                initials=row.get("initials"),
                aliases=lines(row.get("aliases")),
                document=row.get("document"),
                section=row.get("section"),
                note=row.get("note"),
            )
            self.records.people[person.id] = person
            names = [*person.aliases, *([person.initials] if person.initials else [])]
            for clash in self.people.add(person.id, person.name, names):
                self.report(
                    row,
                    "aliases",
                    Severity.ERROR,
                    f"alias {clash!r} already belongs to another person.",
                )
        for row in self.table("posts"):
            if not self.required(row, "person", "post", "document"):
                continue
            self.known(
                row, "person", row.get("person"), self.records.people, "person id (people.csv)"
            )
            self.known_document(row)
            orgs = self.ids(
                row,
                "organisations",
                self.records.organisations,
                "organisation id (organisations.csv)",
            )
            self.records.posts.append(
                Post(
                    origin=row,
                    person=row.get("person"),
                    title=row.get("post"),
                    organisations=orgs,
                    document=row.get("document"),
                    section=row.get("section"),
                    note=row.get("note"),
                )
            )

    def boards(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("boards"):
            if not (self.required(row, "id", "label", "kind") and self.unique(row, "id", seen)):
                continue
            if not SLUG.match(row.get("id")):
                self.report(
                    row,
                    "id",
                    Severity.ERROR,
                    f"{row.get('id')!r} is not a lower-case slug such as send-strategic-board.",
                )
            if row.get("kind") not in BOARD_KINDS:
                kinds = ", ".join(sorted(BOARD_KINDS))
                self.report(
                    row,
                    "kind",
                    Severity.ERROR,
                    f"{row.get('kind')!r} is not a board kind; use one of {kinds}.",
                )
            if row.get("document"):
                self.known_document(row)
            orgs = self.ids(
                row,
                "organisation",
                self.records.organisations,
                "organisation id (organisations.csv)",
            )
            board = Board(
                origin=row,
                id=row.get("id"),
                label=row.get("label"),
                kind=row.get("kind"),
                aliases=lines(row.get("aliases")),
                organisations=orgs,
                document=row.get("document"),
                quote=row.get("quote"),
                note=row.get("note"),
            )
            self.records.boards[board.id] = board
            for name in [board.label, *board.aliases]:
                other = self.gazetteer.board_for(name)
                if other is not None and other != board.id:
                    self.report(
                        row,
                        "aliases",
                        Severity.ERROR,
                        f"name {name!r} already names board {other!r}.",
                    )
            self.gazetteer.add(board.id, [board.label, *board.aliases])

    def reviews(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("reviews"):
            if not (self.required(row, "id", "title", "document") and self.unique(row, "id", seen)):
                continue
            self.known_document(row)
            for column in ("start", "end"):
                text = row.get(column)
                if text and not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
                    self.report(
                        row,
                        column,
                        Severity.ERROR,
                        f"{text!r} is not a date written as YYYY-MM-DD or YYYY-MM.",
                    )
            self.records.reviews[row.get("id")] = Review(
                origin=row,
                id=row.get("id"),
                title=row.get("title"),
                kind=row.get("kind"),
                start=row.get("start"),
                end=row.get("end"),
                document=row.get("document"),
                section=row.get("section"),
                reviewers=self.ids(row, "reviewers", self.records.people, "person id (people.csv)"),
                focus_areas=lines(row.get("focus_areas")),
                note=row.get("note"),
            )

    def plans(self) -> None:
        seen: dict[str, int] = {}
        rows = self.table("plans")
        for row in rows:
            if not (self.required(row, "id", "title", "document") and self.unique(row, "id", seen)):
                continue
            self.known_document(row)
            rows_are = row.get("rows_are") or "actions"
            if rows_are not in ROW_KINDS:
                self.report(
                    row,
                    "rows_are",
                    Severity.ERROR,
                    f"{rows_are!r} is not one of {', '.join(sorted(ROW_KINDS))}.",
                )
            if row.get("review"):
                self.known(
                    row,
                    "review",
                    row.get("review"),
                    self.records.reviews,
                    "review id (reviews.csv)",
                )
            self.records.plans[row.get("id")] = Plan(
                origin=row,
                id=row.get("id"),
                title=row.get("title"),
                part_of=row.get("part_of"),
                document=row.get("document"),
                section=row.get("section"),
                status_date=self.iso_date(row, "status_date"),
                rows_are=rows_are,
                review=row.get("review"),
                note=row.get("note"),
            )
        for row in rows:
            part_of = row.get("part_of")
            if part_of and row.get("id") in self.records.plans:
                self.known(row, "part_of", part_of, self.records.plans, "plan id (plans.csv)")

    def priorities(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("priorities"):
            if not (self.required(row, "ref", "plan", "title") and self.unique(row, "ref", seen)):
                continue
            if not self.known(
                row, "plan", row.get("plan"), self.records.plans, "plan id (plans.csv)"
            ):
                continue
            parent = self.records.plans[row.get("plan")]
            plan_id = slug(row.get("ref"))
            if plan_id in self.records.plans:
                self.report(
                    row,
                    "ref",
                    Severity.ERROR,
                    f"{row.get('ref')!r} makes plan id {plan_id!r}, which plans.csv already uses.",
                )
                continue
            leads = self.people_in(
                row, "lead_officer", split_owner_cell(row.get("lead_officer")).owners
            )
            self.records.plans[plan_id] = Plan(
                origin=row,
                id=plan_id,
                title=row.get("title"),
                part_of=parent.id,
                document=parent.document,
                section=parent.section,
                status_date=parent.status_date,
                rows_are="actions",
                review="",
                note=row.get("note"),
                ref=row.get("ref"),
                lead_officer_text=row.get("lead_officer"),
                lead_officers=leads,
            )

    def people_in(self, row: SourceRow, column: str, names: list[str]) -> list[str]:
        """Resolve written names to person ids, reporting unknown and ambiguous ones."""
        found: list[str] = []
        for name in names:
            ids = self.people.lookup(name)
            if not ids:
                split = self.people.split_run_on(name)
                if split:
                    ids = [i for part in split for i in self.people.lookup(part)]
                    found.extend(ids)
                    continue
                self.report(
                    row, column, Severity.ERROR, f"{name!r} is not a name or alias in people.csv."
                )
            elif len(ids) > 1:
                choices = ", ".join(ids)
                self.report(
                    row,
                    column,
                    Severity.ERROR,
                    f"{name!r} could be any of {choices}; add the alias to the person meant in people.csv.",
                )
            else:
                found.extend(ids)
        return found

    def statuses(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("statuses"):
            if not self.required(row, "status", "concept"):
                continue
            key = " ".join(row.get("status").split()).casefold()
            if key in seen:
                self.report(
                    row,
                    "status",
                    Severity.ERROR,
                    f"{row.get('status')!r} is already mapped on row {seen[key]}.",
                )
                continue
            seen[key] = row.row
            if row.get("concept") not in concepts():
                self.report(
                    row,
                    "concept",
                    Severity.ERROR,
                    f"{row.get('concept')!r} is not one of {', '.join(concepts())}.",
                )
                continue
            self.records.statuses[key] = StatusWord(
                origin=row,
                status=row.get("status"),
                concept=row.get("concept"),
                note=row.get("note"),
            )

    def actions(self) -> None:
        grouped: dict[str, list[ActionRow]] = defaultdict(list)
        seen: dict[str, int] = {}
        for row in self.table("actions"):
            if not self.required(row, "ref", "row", "plan"):
                continue
            written = row.get("row")
            # int() alone would also read "1_0" as 10 and Arabic-Indic digits as numbers.
            number = int(written) if written.isascii() and written.isdigit() else 0
            if number < 1:
                self.report(
                    row,
                    "row",
                    Severity.ERROR,
                    f"{written!r} is not a row number (1, 2, 3...).",
                )
                continue
            if written != str(number):
                self.report(
                    row,
                    "row",
                    Severity.WARNING,
                    f"{written!r} is read as row {number}; the graph keeps the number, not the zeros.",
                )
            key = f"{row.get('ref')}#{number}"
            if key in seen:
                self.report(
                    row,
                    "row",
                    Severity.ERROR,
                    f"{row.get('ref')} row {number} is already on row {seen[key]}.",
                )
                continue
            seen[key] = row.row
            if not self.known(
                row,
                "plan",
                row.get("plan"),
                self.records.plans,
                "plan id (plans.csv or priorities.csv)",
            ):
                continue
            grouped[row.get("ref")].append(self.action_row(row, number))
        for key, action_rows in grouped.items():
            self.assemble_action(key, action_rows)
        families = {
            code_key(c.family, "")
            for a in self.records.actions.values()
            for r in a.rows
            for c in r.codes
        }
        families |= {
            code_key(a.ref.rsplit(" ", 1)[0], "")
            for a in self.records.actions.values()
            if a.kind == "measures"
        }
        for action in self.records.actions.values():
            action.mentions = find_mentions(action.first.action, families)

    def action_row(self, row: SourceRow, number: int) -> ActionRow:
        plan = self.records.plans[row.get("plan")]
        document = self.records.documents.get(plan.document)
        codes, rest = find_codes(row.get("codes"))
        if rest:
            self.report(
                row,
                "codes",
                Severity.WARNING,
                f"{rest!r} is not a reference code; it is kept as written but cites nothing.",
            )
        names = split_owner_cell(row.get("owner"), self.people.lookup)
        owners = self.people_in(row, "owner", names.owners)
        leads = self.people_in(row, "owner", names.leads)
        targets: list[TargetRevision] = []
        if document is not None:
            targets = parse_targets(row.get("target_date"), document.date)
            for target in targets:
                if target.month is None:
                    self.report(
                        row,
                        "target_date",
                        Severity.WARNING,
                        f"{target.raw!r} is not a month and year; it is kept as written and has no date.",
                    )
        status_text = row.get("status")
        status, status_note = self.status_of(row, status_text)
        action_row = ActionRow(
            origin=row,
            ref=row.get("ref"),
            number=number,
            plan=plan.id,
            codes_text=row.get("codes"),
            codes=codes,
            action=row.get("action"),
            owner_text=row.get("owner"),
            owners=owners,
            leads=leads,
            target_text=row.get("target_date"),
            targets=targets,
            progress=row.get("progress"),
            status_text=status_text,
            status=status,
            status_note=status_note,
            note=row.get("note"),
            progress_date=(
                read_entry_date(row.get("progress"), document.date) if document else None
            ),
        )
        action_row.boards = self.board_mentions(
            row,
            {"action": row.get("action"), "progress": row.get("progress"), "status": status_text},
        )
        return action_row

    def status_of(self, row: SourceRow, text: str) -> tuple[str | None, str]:
        if not text:
            return None, ""
        word = " ".join(lines(text)[0].split()).casefold()
        mapped = self.records.statuses.get(word)
        if mapped is None:
            self.report(
                row,
                "status",
                Severity.WARNING,
                f"{lines(text)[0]!r} is not a status word in statuses.csv; it is kept as written, with no RAG status.",
            )
            return None, ""
        return mapped.concept, mapped.note

    def assemble_action(self, ref: str, rows: list[ActionRow]) -> None:
        rows.sort(key=lambda r: r.number)
        numbers = [r.number for r in rows]
        if numbers != list(range(1, len(rows) + 1)):
            self.report(
                rows[0].origin,
                "row",
                Severity.ERROR,
                f"{ref} has rows {numbers}; they should count 1, 2, 3...",
            )
        plans = {r.plan for r in rows}
        if len(plans) > 1:
            self.report(
                rows[0].origin,
                "plan",
                Severity.ERROR,
                f"{ref} sits in several plans: {', '.join(sorted(plans))}.",
            )
        if not rows[0].action:
            self.report(
                rows[0].origin,
                "action",
                Severity.WARNING,
                f"{ref} has no action text on its first row.",
            )
        plan = self.records.plans[rows[0].plan]
        action = Action(ref=ref, plan=plan.id, kind=plan.rows_are, review=plan.review, rows=rows)
        self.records.actions[ref] = action
        if plan.rows_are == "measures":
            self.records.defined_codes[code_key(*ref.rsplit(" ", 1))] = ref
        statuses = {r.status for r in rows if r.status}
        if len(statuses) > 1:
            self.report(
                rows[0].origin,
                "status",
                Severity.INFO,
                f"{ref}'s rows have different statuses "
                f"({', '.join(of_concept(c).label for c in concepts() if c in statuses)}); "
                f"each row keeps its own and the item takes the worst, "
                f"{of_concept(str(action.status)).label}.",
            )

    def ccg_gaps(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("ccg_gaps"):
            if not (self.required(row, "ref", "review", "issue") and self.unique(row, "ref", seen)):
                continue
            self.known(
                row, "review", row.get("review"), self.records.reviews, "review id (reviews.csv)"
            )
            gap = CcgGap(
                origin=row,
                ref=row.get("ref"),
                review=row.get("review"),
                issue=row.get("issue"),
                progress=lines(row.get("progress")),
                note=row.get("note"),
                progress_text=row.get("progress"),
            )
            gap.boards = self.board_mentions(
                row, {"issue": gap.issue, "progress": row.get("progress")}
            )
            self.records.ccg_gaps[gap.ref] = gap

    def peer_challenge(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("peer_challenge"):
            if not (self.required(row, "ref", "review") and self.unique(row, "ref", seen)):
                continue
            self.known(
                row, "review", row.get("review"), self.records.reviews, "review id (reviews.csv)"
            )
            texts = ("strength", "area_for_consideration", "identified_action", "progress_update")
            if not any(row.get(c) for c in texts):
                self.report(
                    row,
                    "strength",
                    Severity.ERROR,
                    f"{row.get('ref')} has no text in any of {', '.join(texts)}.",
                )
            item = PeerChallengeItem(
                origin=row,
                ref=row.get("ref"),
                review=row.get("review"),
                section=row.get("section"),
                strength=row.get("strength"),
                consideration=row.get("area_for_consideration"),
                identified_action=row.get("identified_action"),
                progress=row.get("progress_update"),
                note=row.get("note"),
            )
            item.boards = self.board_mentions(row, {c: row.get(c) for c in texts})
            self.records.peer_challenge[item.ref] = item

    def versions(self) -> None:
        seen: dict[str, int] = {}
        for row in self.table("versions"):
            if not self.required(row, "plan", "version"):
                continue
            if not self.known(
                row, "plan", row.get("plan"), self.records.plans, "plan id (plans.csv)"
            ):
                continue
            try:
                number = int(row.get("version"))
            except ValueError:
                self.report(
                    row,
                    "version",
                    Severity.ERROR,
                    f"{row.get('version')!r} is not a version number.",
                )
                continue
            if not self.unique(row, "version", seen):
                continue
            document = self.records.documents.get(self.records.plans[row.get("plan")].document)
            century = document.date.year // 100 * 100 if document else 2000
            date = _day_month_year(row.get("date"), century)
            if row.get("date") and date is None:
                self.report(
                    row,
                    "date",
                    Severity.WARNING,
                    f"{row.get('date')!r} is not a date written as dd/mm/yy; kept as written.",
                )
            people = self.people_in(
                row, "amended_by", split_owner_cell(row.get("amended_by")).owners
            )
            self.records.versions.append(
                Version(
                    origin=row,
                    plan=row.get("plan"),
                    number=number,
                    amended_by=row.get("amended_by"),
                    date_text=row.get("date"),
                    date=date,
                    summary=row.get("summary"),
                    people=people,
                )
            )

    def governance(self) -> None:
        targets = set(self.records.plans) | set(self.records.boards) | set(self.records.reviews)
        for row in self.table("governance"):
            if not self.required(
                row, "subject", "relation", "object", "modality", "document", "quote"
            ):
                continue
            ok = self.known(
                row, "subject", row.get("subject"), self.records.boards, "board id (boards.csv)"
            )
            relation = row.get("relation")
            if relation not in RELATIONS:
                self.report(
                    row,
                    "relation",
                    Severity.ERROR,
                    f"{relation!r} is not one of {', '.join(sorted(RELATIONS))}.",
                )
                ok = False
            modality = row.get("modality")
            if modality not in MODALITIES:
                self.report(
                    row,
                    "modality",
                    Severity.ERROR,
                    f"{modality!r} is not one of {', '.join(MODALITIES)}.",
                )
                ok = False
            pool = self.records.boards if relation == "reports_to" else targets
            what = (
                "board id (boards.csv)" if relation == "reports_to" else "plan, board or review id"
            )
            ok = self.known(row, "object", row.get("object"), pool, what) and ok
            ok = self.known_document(row) and ok
            if ok:
                self.records.governance.append(
                    GovernanceLink(
                        origin=row,
                        subject=row.get("subject"),
                        relation=relation,
                        object=row.get("object"),
                        document=row.get("document"),
                        section=row.get("section"),
                        quote=row.get("quote"),
                        note=row.get("note"),
                        modality=modality,
                    )
                )


def _day_month_year(text: str, century: int) -> dt.date | None:
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", text.strip())
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if year < 100:
        year += century
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def load_records(folder: Path, encoding: str | None = None) -> tuple[Records, list[Problem]]:
    """Read every data file in ``folder`` into `Records`, returning every problem found.

    Nothing stops at the first problem: a bad row is reported and skipped, the rest is
    read. Problems name the file, row and column of the cell they are about.
    """
    loader = _Loader(folder, encoding)
    records = loader.load()
    return records, sorted(loader.problems, key=lambda p: (p.source, p.row, p.field))
