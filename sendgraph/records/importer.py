"""A council's own action plan or inspection table, read through a mapping into sendgraph records.

No two local areas lay out their SEND action plans alike. A mapping file says which
columns hold what; this module reads the spreadsheet with it and makes the same
records the bundled data makes (documents, organisations, people, boards, plans,
reviews, findings, actions), so that every question works on an imported area
unchanged. Owner cells are read by the grammar of `ownercells` ("LA and ICB" is two
organisation owners, "LA with support from ICB" a lead and a supporting partner,
"(M.S) CYC" an organisation and its officer); what it cannot read is kept and reported.
Dated status columns ("Sep 2023", "Oct 2023"...) become a status series, whose latest
entry is the action's status. Every mistake in the mapping or the file is collected
before anything is built: a column the mapping names that the file lacks, a status
word the mapping does not map, a plan that does not exist, all in one run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.sources import SourceRow, display_name
from sendgraph.read.spreadsheets import Sheet, SheetRow
from sendgraph.records.boardregister import RegisterReader
from sendgraph.records.dates import ONGOING, TO_BE_CONFIRMED, parse_targets, read_entry_date
from sendgraph.records.files import read_file
from sendgraph.records.frequency import read_frequency
from sendgraph.records.gazetteer import Gazetteer
from sendgraph.records.loader import lines
from sendgraph.records.mappings import (
    MAPPING_SUFFIX,
    DocumentSpec,
    Mapping,
    folded,
    read_mapping,
)
from sendgraph.records.model import (
    Action,
    ActionRow,
    Board,
    BoardMention,
    Document,
    Finding,
    GovernanceLink,
    Organisation,
    Person,
    Plan,
    Post,
    Records,
    Review,
    StatusObservation,
    StatusWord,
    slug,
)
from sendgraph.records.monthcolumns import column_date, month_headed, read_heading
from sendgraph.records.ownerimport import ACCOUNTABLE, LEAD, SUPPORT, OwnerReader
from sendgraph.records.owners import PeopleIndex, name_key

STAND_IN_DATE = dt.date(2000, 1, 1)
# Spaces in front of a separator are taken only from where they start, as in
# owners.SEPARATORS, so that a cell is read in one pass.
CROSS_REFERENCE_SEPARATORS = re.compile(r"(?:(?<!\s)\s*)?(?:[,;\n]|\band\b)\s*")


@dataclass(kw_only=True)
class Imported:
    """What an import made: the records, the area they belong to, and every problem found."""

    records: Records
    area: str
    problems: list[Problem] = field(default_factory=list)


@dataclass(kw_only=True)
class _Row:
    """One data row as the mapping reads it, before actions are assembled."""

    origin: SheetRow
    plan: str
    ref: str
    action_row: ActionRow
    cross_references: list[str]


def mapping_files(folder: Path) -> list[Path]:
    """Return the mapping files in ``folder`` (``*.mapping.yaml``), in name order."""
    return sorted(folder.glob(f"*{MAPPING_SUFFIX}"))


def is_imported_area(folder: Path) -> bool:
    """True when ``folder`` holds mapping files, so that it is read by importing them."""
    return folder.is_dir() and bool(mapping_files(folder))


class _Importer:
    """Reads spreadsheets through their mappings into one `Records`, collecting problems."""

    def __init__(self, encoding: str | None) -> None:
        self.encoding = encoding
        self.records = Records()
        self.problems: list[Problem] = []
        self.people = PeopleIndex()
        self.gazetteer = Gazetteer()
        self.organisation_names: dict[str, str] = {}  # folded name or alias -> organisation id
        self.area = ""
        self.document = ""  # the id of the document being read
        self.owner_readers: dict[int, OwnerReader] = {}

    def report(self, row: SourceRow, column: str, severity: Severity, message: str) -> None:
        self.problems.append(row.problem(column, severity, message))

    def mapping_problem(self, mapping: Mapping, key: str, message: str) -> None:
        self.problems.append(
            Problem(mapping.source, mapping.line_of(key), key, Severity.ERROR, message)
        )

    @staticmethod
    def at(mapping: Mapping, line: int) -> SourceRow:
        """Where something the mapping defines came from: the mapping file and its line."""
        return SourceRow(mapping.source, max(line, 1), {})

    # -- what the mapping defines ---------------------------------------------------

    def define(self, mapping: Mapping) -> None:
        document = mapping.document
        if document is None:
            return
        self.define_area(mapping)
        # In this order: a person's names are checked against the organisations', and a
        # board that oversees "findings" links to the review the findings define.
        steps: list[Callable[[Mapping, DocumentSpec], None]] = [
            self.define_document,
            self.define_organisations,
            self.define_people,
            self.define_plans,
            self.define_findings,
            self.define_statuses,
            self.define_boards,
        ]
        for step in steps:
            step(mapping, document)

    def define_area(self, mapping: Mapping) -> None:
        if not mapping.area:
            return
        area = slug(mapping.area)
        if self.area and area != self.area:
            self.mapping_problem(
                mapping,
                "area",
                f"names area {mapping.area!r}; another mapping in this folder names {self.area!r}.",
            )
        self.area = self.area or area

    def define_document(self, mapping: Mapping, document: DocumentSpec) -> None:
        if document.id in self.records.documents:
            self.mapping_problem(
                mapping,
                "document.id",
                f"document id {document.id!r} is already used by another mapping.",
            )
        self.records.documents[document.id] = Document(
            origin=self.at(mapping, document.line),
            id=document.id,
            title=document.title,
            publisher=document.publisher,
            date=document.date,
            meetings=[],
            source_file=mapping.file,
            note="",
        )

    def define_organisations(self, mapping: Mapping, document: DocumentSpec) -> None:
        for org in mapping.organisations:
            self.records.organisations[org.id] = Organisation(
                origin=self.at(mapping, mapping.line_of("organisations")),
                id=org.id,
                name=org.name,
                aliases=org.aliases,
                document=document.id,
                section="",
                note="",
            )
            for name in [org.name, org.id, *org.aliases]:
                key = name_key(name)
                holder = self.organisation_names.get(key)
                if holder is not None and holder != org.id:
                    self.mapping_problem(
                        mapping, "organisations", f"{name!r} already names organisation {holder!r}."
                    )
                self.organisation_names[key] = org.id

    def define_people(self, mapping: Mapping, document: DocumentSpec) -> None:
        for person in mapping.people:
            origin = self.at(mapping, mapping.line_of("people"))
            self.records.people[person.id] = Person(
                origin=origin,
                id=person.id,
                name=person.name,
                initials="",
                aliases=person.aliases,
                document=document.id,
                section="",
                note="",
            )
            for clash in self.people.add(person.id, person.name, person.aliases):
                self.mapping_problem(
                    mapping, "people", f"alias {clash!r} already belongs to another person."
                )
            for name in [person.name, *person.aliases]:
                if name_key(name) in self.organisation_names:
                    self.mapping_problem(
                        mapping,
                        "people",
                        f"{name!r} names both a person and an organisation; owner cells could not tell them apart.",
                    )
            if person.post:
                self.records.posts.append(
                    Post(
                        origin=origin,
                        person=person.id,
                        title=person.post,
                        organisations=person.organisations,
                        document=document.id,
                        section="",
                        note="",
                    )
                )

    def define_plans(self, mapping: Mapping, document: DocumentSpec) -> None:
        for number, plan in enumerate(mapping.plans, start=1):
            reporting = read_frequency(plan.reporting) if plan.reporting else None
            if reporting is not None and reporting.days is None:
                self.problems.append(Problem(
                    mapping.source, mapping.line_of(f"plans[{number}].reporting"), f"plans[{number}].reporting",
                    Severity.WARNING, f"{plan.reporting!r} {reporting.problem}; it is kept as written and not compared with how often boards meet.",
                ))  # fmt: skip
            self.records.plans[plan.id] = Plan(
                origin=self.at(mapping, plan.line),
                id=plan.id,
                title=plan.title,
                part_of=plan.part_of,
                document=document.id,
                section=plan.section or plan.title,
                status_date=plan.status_date,
                rows_are="actions",
                review="",
                note="",
                reporting=reporting.text if reporting else "",
                reporting_days=reporting.days if reporting else None,
            )

    def define_findings(self, mapping: Mapping, document: DocumentSpec) -> None:
        findings = mapping.findings
        if findings is None:
            return
        review_id = slug(findings.review)
        self.records.reviews[review_id] = Review(
            origin=self.at(mapping, findings.line),
            id=review_id,
            title=findings.review,
            kind=findings.review_kind,
            start="",
            end="",
            document=document.id,
            section=findings.section or document.section,
            reviewers=[],
            focus_areas=[],
            note="",
        )
        for listed in findings.listed:
            self.finding(
                mapping,
                self.at(mapping, listed.line),
                listed.ref,
                listed.text,
                listed.section,
                [],
            )

    def define_statuses(self, mapping: Mapping, document: DocumentSpec) -> None:
        for word, concept in mapping.statuses.values():
            self.records.statuses[folded(word)] = StatusWord(
                origin=self.at(mapping, mapping.status_lines.get(folded(word), 1)),
                status=word,
                concept=concept,
                note="",
            )

    def define_boards(self, mapping: Mapping, document: DocumentSpec) -> None:
        # "findings" among what a board oversees stands for the review the findings come from.
        review = slug(mapping.findings.review) if mapping.findings else None
        # A link the mapping states is evidenced where the document says it, or by the mapping.
        section = document.section or mapping.source
        for board in mapping.boards:
            origin = self.at(mapping, board.line)
            self.records.boards[board.id] = Board(
                origin=origin,
                id=board.id,
                label=board.label,
                kind=board.kind,
                aliases=board.aliases,
                organisations=[board.organisation] if board.organisation else [],
                document=document.id,
                quote="",
                note="",
            )
            self.gazetteer.add(board.id, [board.label, *board.aliases])
            for relation, targets in (
                ("oversees", board.oversees),
                ("reports_to", board.reports_to),
            ):
                for target in targets:
                    is_review = relation == "oversees" and target == "findings"
                    words = relation.replace("_", " ")
                    self.records.governance.append(
                        GovernanceLink(
                            origin=origin,
                            subject=board.id,
                            relation=relation,
                            object=review if is_review and review is not None else target,
                            document=document.id,
                            section=section,
                            quote=board.quote
                            or f"{board.label} {words} {target}, as {mapping.source} states.",
                            note="",
                        )
                    )

    def finding(
        self,
        mapping: Mapping,
        origin: SourceRow,
        ref: str,
        text: str,
        section: str,
        merged: list[str],
    ) -> None:
        findings = mapping.findings
        document = mapping.document
        if findings is None or document is None:
            return
        self.records.findings[ref] = Finding(
            origin=origin,
            ref=ref,
            review=slug(findings.review),
            kind=findings.kind,
            text=text,
            section=section or findings.section or document.section or findings.review,
            merged_cells=merged,
        )

    # -- the file ---------------------------------------------------------------------

    def read(self, mapping: Mapping, data: Path, shown: str) -> None:
        if mapping.register is not None:
            RegisterReader(self, mapping, mapping.register).read(data, shown, self.encoding)
            return
        sheets, problems = read_file(mapping, data, shown, self.encoding)
        self.problems += problems
        document = mapping.document
        if document is None:
            return
        self.document = document.id
        rows: list[_Row] = []
        findings_by_text: dict[str, str] = {}
        for sheet in sheets:
            status_columns = self.check_columns(mapping, sheet)
            if mapping.columns.get("action") not in sheet.columns:
                continue  # reported; every row would be without its action
            for origin in sheet.rows:
                read = self.row(
                    mapping, sheet, origin, status_columns, findings_by_text, document.date
                )
                if read is not None:
                    rows.append(read)
        self.assemble(mapping, rows)

    def check_columns(self, mapping: Mapping, sheet: Sheet) -> dict[str, str]:
        """Check the mapping's columns are in ``sheet``; return its status columns by month.

        A missing column is reported and read as empty, so that the rest of the sheet's
        mistakes are reported in the same run.
        """
        present = set(sheet.columns)
        where = f"{sheet.source}" + (
            f" (header row {mapping.header_row})" if mapping.header_row > 1 else ""
        )
        has = ", ".join(repr(c) for c in sheet.columns if c) or "none"
        for key, column in mapping.columns.items():
            if column not in present:
                self.mapping_problem(
                    mapping,
                    f"columns.{key}",
                    f"column {column!r} is not in {where}; its columns are {has}.",
                )
        return self.dated_columns(mapping, sheet, where, has)

    def dated_columns(self, mapping: Mapping, sheet: Sheet, where: str, has: str) -> dict[str, str]:
        """Return ``sheet``'s status columns by month: those the mapping lists or dates, and with ``months`` every month-headed one."""
        present = set(sheet.columns)
        date = mapping.document.date if mapping.document else STAND_IN_DATE
        key = "columns.status_columns"
        status_columns: dict[str, str] = {}
        for column, month in mapping.status_column_months.items():
            if column not in present:
                self.mapping_problem(mapping, key, f"column {column!r} is not in {where}; its columns are {has}.")  # fmt: skip
                continue
            status_columns[column] = month
        for column in mapping.status_columns:
            if column not in present:
                self.mapping_problem(mapping, key, f"column {column!r} is not in {where}; its columns are {has}.")  # fmt: skip
                continue
            heading = read_heading(column, date)
            if heading is None or heading.month is None:
                why = heading.problem if heading else "names no month"
                self.mapping_problem(
                    mapping, key,
                    f"column {column!r} {why}, so it cannot date a status; give its month: "
                    f"status_columns: {{{column!r}: YYYY-MM}}.",
                )  # fmt: skip
                continue
            status_columns[column] = heading.month
        if mapping.status_months:
            taken = {*mapping.columns.values(), *status_columns}
            found = month_headed(sheet.columns, taken=taken, document_date=date, table=where)
            header = SourceRow(sheet.source, mapping.header_row, {})
            for column, severity, message in found.problems:
                self.report(header, column, severity, message)
            status_columns.update(found.months)
            if not status_columns and not found.problems:
                self.mapping_problem(
                    mapping, key,
                    f"no column of {where} is headed with a month and year (such as 'Sep 2023' or "
                    f"'RAG May 20'); its columns are {has}.",
                )  # fmt: skip
        return status_columns

    def row(
        self,
        mapping: Mapping,
        sheet: Sheet,
        origin: SheetRow,
        status_columns: dict[str, str],
        findings_by_text: dict[str, str],
        document_date: dt.date,
    ) -> _Row | None:
        columns = mapping.columns

        def cell(key: str) -> str:
            return origin.get(columns[key]) if key in columns else ""

        def merged(*keys: str) -> list[str]:
            return [
                f"{columns[k]}: {origin.merged[columns[k]]}"
                for k in keys
                if k in columns and columns[k] in origin.merged
            ]

        plan = self.plan_of(mapping, origin)
        answers: list[str] = []
        finding_ref = self.row_finding(
            mapping, sheet, origin, findings_by_text, merged("finding", "finding_ref")
        )
        if finding_ref:
            answers.append(finding_ref)
        elif mapping.finding:
            answers.append(mapping.finding)
        text = cell("action")
        if not text:
            used = [k for k in columns if k not in ("finding", "finding_ref", "plan") and cell(k)]
            if used and not finding_ref:
                self.report(
                    origin, columns["action"], Severity.WARNING,
                    f"has no action text but fills {', '.join(columns[k] for k in used)}; the row is skipped.",
                )  # fmt: skip
            return None
        if plan is None:
            return None
        owner_reader = self.owner_reader(mapping)
        named = owner_reader.read(origin, columns.get("owner", ""))
        named[ACCOUNTABLE].add(
            owner_reader.read(origin, columns.get("accountable", ""), accountable=True)[ACCOUNTABLE]
        )
        lead, support, accountable = named[LEAD], named[SUPPORT], named[ACCOUNTABLE]
        targets = parse_targets(cell("target_date"), document_date)
        for target in targets:
            if target.kind in (ONGOING, TO_BE_CONFIRMED):
                self.report(
                    origin, columns["target_date"], Severity.WARNING,
                    f"{target.raw!r} is not a date: it is kept as written, marked {target.kind}, with no month.",
                )  # fmt: skip
            elif target.month is None:
                self.report(
                    origin, columns["target_date"], Severity.WARNING,
                    f"{target.raw!r} is not a date sendgraph reads (such as '31 July 2024', 'End of March 2025', "
                    "'Spring term 2025', 'Q3 2024/25', '2024/25', 'w/c 3 June 2024', 'Ongoing' or 'TBC'); "
                    "it is kept as written, not guessed, and has no date.",
                )  # fmt: skip
        history = self.history(mapping, origin, status_columns)
        status_text = cell("status")
        status = self.status_word(mapping, origin, columns.get("status", ""), status_text)
        if not status_text and history:
            status_text, status = history[-1].text, history[-1].concept
        action_row = ActionRow(
            origin=origin,
            ref="",
            number=1,
            plan=plan,
            codes_text=cell("references"),
            codes=[],
            action=text,
            owner_text=cell("owner"),
            owners=lead.people,
            leads=accountable.people,
            target_text=cell("target_date"),
            targets=targets,
            progress=cell("progress"),
            status_text=status_text,
            status=status,
            status_note="",
            note=cell("note"),
            owner_organisations=lead.organisations,
            lead_organisations=accountable.organisations,
            supporters=support.people,
            supporting_organisations=support.organisations,
            posts={"owner": lead.posts, "support": support.posts, "accountable": accountable.posts},
            success_measure=cell("success_measure"),
            status_history=history,
            answers=answers,
            merged_cells=merged(*[k for k in columns if k not in ("finding", "finding_ref")]),
            progress_date=read_entry_date(cell("progress"), document_date)
            or (column_date(columns["progress"], document_date) if cell("progress") else None),
        )
        action_row.boards = [
            BoardMention(field=name, mention=mention)
            for name, words in (
                ("action", text),
                ("progress", cell("progress")),
                ("status", status_text),
            )
            for mention in self.gazetteer.find(words)
        ]
        crossing = [p for p in CROSS_REFERENCE_SEPARATORS.split(cell("references")) if p.strip()]
        return _Row(
            origin=origin,
            plan=plan,
            ref=cell("ref"),
            action_row=action_row,
            cross_references=crossing,
        )

    def owner_reader(self, mapping: Mapping) -> OwnerReader:
        """The reader of ``mapping``'s owner cells (records/ownercells.py), made once."""
        reader = self.owner_readers.get(id(mapping))
        if reader is None:
            reader = OwnerReader(
                mapping,
                records=self.records,
                people=self.people,
                organisation_names=self.organisation_names,
                document=self.document,
                report=self.report,
            )
            self.owner_readers[id(mapping)] = reader
        return reader

    def plan_of(self, mapping: Mapping, origin: SheetRow) -> str | None:
        column = mapping.columns.get("plan")
        if column is None:
            return mapping.plan or (mapping.plans[0].id if mapping.plans else None)
        written = origin.get(column)
        if not written and mapping.plan:
            return mapping.plan
        for plan in mapping.plans:
            if folded(written) in (folded(plan.id), folded(plan.title)):
                return plan.id
        known = ", ".join(f"{p.id} ({p.title})" for p in mapping.plans)
        self.report(
            origin, column, Severity.ERROR,
            f"{written!r} is not a plan the mapping names; its plans are {known}." if written
            else f"names no plan; the mapping's plans are {known}.",
        )  # fmt: skip
        return None

    def row_finding(
        self,
        mapping: Mapping,
        sheet: Sheet,
        origin: SheetRow,
        by_text: dict[str, str],
        merged: list[str],
    ) -> str:
        findings = mapping.findings
        if findings is None:
            return ""
        text = origin.get(mapping.columns.get("finding", ""))
        ref = origin.get(mapping.columns.get("finding_ref", ""))
        if not text and not ref:
            return ""
        key = " ".join(text.split()).casefold()
        if not ref:
            ref = by_text.get(key, "")
            if not ref:
                # Numbered in the order the file first gives them, past any listed refs.
                number = len(set(by_text.values())) + 1
                ref = f"{findings.ref_prefix} {number}"
                while ref in self.records.findings:
                    number += 1
                    ref = f"{findings.ref_prefix} {number}"
        if key:
            by_text.setdefault(key, ref)
        known = self.records.findings.get(ref)
        if known is None:
            if not text:
                self.report(
                    origin, mapping.columns["finding_ref"], Severity.ERROR,
                    f"finding {ref!r} has no words here or anywhere else in the file.",
                )  # fmt: skip
                return ""
            self.finding(mapping, origin, ref, text, sheet.name, merged)
        elif text and " ".join(known.text.split()) != " ".join(text.split()):
            self.report(
                origin, mapping.columns["finding"], Severity.ERROR,
                f"finding {ref!r} has other words on row {known.row} of {known.source}.",
            )  # fmt: skip
        return ref

    def agents(
        self, origin: SheetRow, column: str, names: list[str]
    ) -> tuple[list[str], list[str]]:
        """Split whole names into person ids and organisation ids; unknown names become people.

        For cells that hold one name each, such as a board register's chair and members;
        owner cells go through the owner-cell grammar (`OwnerReader`).
        """
        people: list[str] = []
        organisations: list[str] = []
        for name in names:
            org = self.organisation_names.get(name_key(name))
            if org is not None:
                organisations.append(org)
                continue
            ids = self.people.lookup(name)
            if len(ids) > 1:
                self.report(
                    origin, column, Severity.ERROR,
                    f"{name!r} could be any of {', '.join(ids)}; give the one meant an alias in the mapping.",
                )  # fmt: skip
                continue
            if not ids:
                person_id = slug(name)
                if not person_id:
                    continue
                if person_id in self.records.people:
                    # The same slug from a different spelling: keep one person, note it.
                    self.people.add(person_id, name, [name])
                else:
                    self.records.people[person_id] = Person(
                        origin=origin,
                        id=person_id,
                        name=name,
                        initials="",
                        aliases=[],
                        document=self.document,
                        section="",
                        note="",
                    )
                    self.people.add(person_id, name, [])
                ids = [person_id]
            people.extend(ids)
        return people, organisations

    def status_word(
        self, mapping: Mapping, origin: SourceRow, column: str, text: str
    ) -> str | None:
        if not text:
            return None
        word = lines(text)[0]
        mapped = mapping.statuses.get(folded(word))
        if mapped is None:
            self.report(
                origin, column, Severity.ERROR,
                f"status {word!r} is not under statuses: in {mapping.source}; add it with what it means (red, amber, green, behind-schedule).",
            )  # fmt: skip
            return None
        return mapped[1]

    def history(
        self, mapping: Mapping, origin: SheetRow, status_columns: dict[str, str]
    ) -> list[StatusObservation]:
        found = []
        for column, month in sorted(status_columns.items(), key=lambda item: item[1]):
            text = origin.get(column)
            if text:
                concept = self.status_word(mapping, origin, column, text)
                found.append(
                    StatusObservation(month=month, text=text, concept=concept, column=column)
                )
        return found

    # -- actions --------------------------------------------------------------------

    def assemble(self, mapping: Mapping, rows: list[_Row]) -> None:
        prefixes = {p.id: p.ref_prefix for p in mapping.plans}
        counters: dict[str, int] = defaultdict(int)
        grouped: dict[str, list[_Row]] = {}
        for row in rows:
            counters[row.plan] += 1
            prefix = prefixes.get(row.plan, "")
            if row.ref:
                ref = (
                    f"{prefix} {row.ref}" if prefix and not row.ref.startswith(prefix) else row.ref
                )
            else:
                ref = f"{prefix or 'Action'} {counters[row.plan]}"
            row.ref = " ".join(ref.split())
            grouped.setdefault(row.ref, []).append(row)
        self.repeated_rows(mapping, rows)
        for ref, parts in grouped.items():
            if ref in self.records.actions:
                first = self.records.actions[ref].first
                self.report(
                    parts[0].origin, mapping.columns.get("ref", ""), Severity.ERROR,
                    f"ref {ref!r} is already used on row {first.row} of {first.source}.",
                )  # fmt: skip
                continue
            if ref in self.records.findings:
                self.report(
                    parts[0].origin, mapping.columns.get("ref", ""), Severity.ERROR,
                    f"ref {ref!r} is also the reference of a finding; references must name one thing.",
                )  # fmt: skip
                continue
            plans = {p.plan for p in parts}
            if len(plans) > 1:
                self.report(
                    parts[0].origin, mapping.columns.get("plan", "plan"), Severity.ERROR,
                    f"{ref} sits in several plans: {', '.join(sorted(plans))}.",
                )  # fmt: skip
                continue
            action_rows = []
            for number, part in enumerate(parts, start=1):
                part.action_row.ref = ref
                part.action_row.number = number
                action_rows.append(part.action_row)
            if len(parts) > 1:
                self.report(
                    parts[1].origin, mapping.columns.get("ref", ""), Severity.INFO,
                    f"{ref} is also on row {parts[0].origin.row}; the rows are read as rows of one action.",
                )  # fmt: skip
            self.records.actions[ref] = Action(
                ref=ref, plan=parts[0].plan, kind="actions", review="", rows=action_rows
            )
        self.cross_references(mapping, [r for parts in grouped.values() for r in parts])

    def repeated_rows(self, mapping: Mapping, rows: list[_Row]) -> None:
        """Warn about a row that repeats an earlier row of its sheet cell for cell.

        Both are kept: two identical rows may be two pieces of work that happen to read
        alike, and merging them would lose one without a word. A pasted copy is the more
        likely cause, so the user is told which rows to look at.
        """
        seen: dict[tuple[str, tuple[tuple[str, str], ...]], _Row] = {}
        for row in rows:
            key = (row.origin.source, tuple(row.origin.values.items()))
            first = seen.setdefault(key, row)
            if first is row:
                continue
            kept = (
                f"as rows of {row.ref}"
                if first.ref == row.ref
                else f"as two actions, {first.ref} and {row.ref}"
            )
            self.report(
                row.origin, mapping.columns["action"], Severity.WARNING,
                f"repeats row {first.origin.row} cell for cell; both are kept, {kept}. Delete one if it is a copy.",
            )  # fmt: skip

    def cross_references(self, mapping: Mapping, rows: list[_Row]) -> None:
        def key(text: str) -> str:
            return re.sub(r"[^A-Z0-9.]", "", text.upper())

        actions = {key(ref): ref for ref in self.records.actions}
        prefixes = [p.ref_prefix for p in mapping.plans if p.ref_prefix]
        findings = {key(ref): ref for ref in self.records.findings}
        for row in rows:
            action_row = row.action_row
            if self.records.actions.get(row.ref) is None:
                continue
            for written in row.cross_references:
                candidates = [key(written), *(key(f"{p} {written}") for p in prefixes)]
                finding = next((findings[c] for c in candidates if c in findings), None)
                action = next((actions[c] for c in candidates if c in actions), None)
                if finding is not None:
                    if finding not in action_row.answers:
                        action_row.answers.append(finding)
                elif action is not None and action != row.ref:
                    action_row.references.append(action)
                else:
                    self.report(
                        row.origin, mapping.columns["references"], Severity.WARNING,
                        f"{written!r} names no action or finding in this import; it is kept as written and links nothing.",
                    )  # fmt: skip


def _data_file(mapping: Mapping, given: Path | None) -> tuple[Path | None, str]:
    if given is not None:
        return given, display_name(given)
    if not mapping.file:
        return None, ""
    path = (mapping.path.parent / mapping.file).resolve()
    return path, display_name(mapping.path.parent / mapping.file)


def import_spreadsheets(
    pairs: list[tuple[Path, Path | None]],
    *,
    encoding: str | None = None,
    area: str | None = None,
) -> Imported:
    """Read each (mapping file, spreadsheet) pair into one set of records, with every problem found.

    A spreadsheet of None is the file the mapping's ``file:`` names, relative to the
    mapping. ``area`` overrides the mappings' area. Problems about the mapping name the
    mapping file, its line and the key; problems about the data name the spreadsheet
    (and sheet), the row and the column.
    """
    importer = _Importer(encoding)
    read: list[tuple[Mapping, Path, str]] = []
    for mapping_path, given in pairs:
        mapping, problems = read_mapping(
            mapping_path, display_name(mapping_path), encoding=encoding
        )
        importer.problems += problems
        if not mapping.readable:
            continue
        if mapping.document is None:
            # Already reported. A stand-in lets the spreadsheet's own mistakes be found
            # in this run too; with an error reported, nothing is built from it.
            mapping.document = DocumentSpec(
                line=0, id="document", title="", publisher="", date=STAND_IN_DATE, section=""
            )
        data, shown = _data_file(mapping, given)
        if data is None:
            importer.mapping_problem(
                mapping,
                "file",
                "required key 'file' is missing: which spreadsheet does this mapping read?",
            )
            continue
        importer.define(mapping)
        read.append((mapping, data, shown))
    # Board registers first: their boards are then found where plans' progress names them.
    for mapping, data, shown in sorted(read, key=lambda item: item[0].register is None):
        importer.read(mapping, data, shown)
    chosen = slug(area) if area else importer.area
    problems = sorted(importer.problems, key=lambda p: (p.source, p.row, p.field, p.message))
    return Imported(records=importer.records, area=chosen or "imported", problems=problems)


def import_folder(
    folder: Path, *, encoding: str | None = None, area: str | None = None
) -> Imported:
    """Import every ``*.mapping.yaml`` in ``folder``, each reading the spreadsheet its ``file:`` names."""
    return import_spreadsheets(
        [(m, None) for m in mapping_files(folder)], encoding=encoding, area=area
    )
