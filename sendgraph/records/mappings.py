"""Mapping files: how a council's own spreadsheet maps onto sendgraph's model, read from YAML.

A mapping names the document the spreadsheet comes from, the area, the plans, the
organisations (with the short names the spreadsheet uses for them), the people and
boards it knows of, what the findings are, which of the spreadsheet's columns hold
which part of an action, and what each status word means. Every mistake in it (YAML
that does not parse, a key sendgraph does not know, a required key left out, a value of
the wrong kind) is a `Problem` naming the mapping file, the line and the key, and all of
them are reported in one run.

YAML is read with PyYAML's safe loader only, so a mapping cannot make Python objects,
and with YAML 1.1's implicit types turned off: ``no``, ``On``, ``1.0``, ``007`` and
``2024-03-01`` stay the words written, since a status word, a column name or a ref
changed into False, 1.0, 7 or a date would be lost without a word. Only an empty value
(or ``~``) is "nothing". A key written twice in one block is an error, not a silent
overwrite; anchors and aliases that expand beyond `MAX_MAPPING_VALUES` values, and
files over `MAX_MAPPING_BYTES`, are refused.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.sources import UTF8_BOM, decode, read_input
from sendgraph.read.tablegrid import ROW_HEADING, TableChoice
from sendgraph.records.model import SLUG, slug
from sendgraph.records.monthcolumns import explicit_month
from sendgraph.records.registerspec import RegisterSpec, read_register_section
from sendgraph.records.statuses import concept_named, concepts

MAPPING_SUFFIX = ".mapping.yaml"

# What a column of the spreadsheet can hold. Each maps to one part of the model.
COLUMN_KEYS = {
    "ref": "the action's reference (JC 1, 2.3); without it, actions are numbered",
    "action": "the action's words",
    "owner": "who does the work: people or organisations, one or several",
    "accountable": "who is accountable for it, where a separate column says",
    "target_date": "when it is due, as written (month and year, quarter, dd/mm/yyyy, Ongoing, TBC)",
    "success_measure": "what success looks like, or the evidence of impact",
    "status": "the status words, in one column",
    "status_columns": "dated status columns, a series: 'months', a list of column names, or columns with their months",
    "progress": "progress to date",
    "references": "other actions or findings the row cites",
    "note": "a note",
    "plan": "the plan the row belongs to (a plan id or title)",
    "finding": "the words of the finding the row answers",
    "finding_ref": "the reference of the finding the row answers",
}
TOP_KEYS = {
    "file",
    "sheets",
    "header_row",
    "area",
    "document",
    "plans",
    "plan",
    "finding",
    "organisations",
    "people",
    "boards",
    "findings",
    "statuses",
    "columns",
    "owner_cells",
    *("table", "layout", "headings"),  # Word documents, web pages and block layouts
    "register",
}
REQUIRED_TOP = ("area", "document", "plans", "columns")
# A board register's mapping reads boards, not actions: it needs no plans or columns.
REQUIRED_REGISTER = ("area", "document", "register")
DOCUMENT_KEYS = {"id", "title", "publisher", "date", "section"}
PLAN_KEYS = {"id", "title", "part_of", "status_date", "ref_prefix", "section", "reporting"}
ORGANISATION_KEYS = {"id", "name", "aliases", "partner"}
OWNER_CELL_ROLES = ("lead", "support", "accountable")
PERSON_KEYS = {"id", "name", "aliases", "post", "organisations"}
BOARD_KEYS = {"id", "label", "kind", "aliases", "organisation", "oversees", "reports_to", "quote"}
FINDINGS_KEYS = {"kind", "review", "review_kind", "ref_prefix", "section", "listed"}
LISTED_KEYS = {"ref", "text", "section"}
FINDING_KINDS = {
    "significant weakness": "SW",
    "area for priority action": "APA",
    "area for improvement": "AFI",
    "area for consideration": "AFC",
    "recommendation": "R",
    "strength": "S",
}
MONTHS_KEYWORD = "months"
# A mapping is a page or two of YAML; these bound what a hostile one can make us do.
MAX_MAPPING_BYTES = 1024 * 1024
MAX_MAPPING_VALUES = 100_000
_ROW_NUMBER = re.compile(r"[0-9]+")
LAYOUTS = ("table", "blocks")


@dataclass(frozen=True, kw_only=True)
class Spec:
    """Something the mapping defines, and the line of the mapping file it is defined on."""

    line: int


@dataclass(frozen=True, kw_only=True)
class DocumentSpec(Spec):
    """The paper the spreadsheet comes from."""

    id: str
    title: str
    publisher: str
    date: dt.date
    section: str


@dataclass(frozen=True, kw_only=True)
class PlanSpec(Spec):
    """A plan the rows belong to."""

    id: str
    title: str
    part_of: str
    status_date: dt.date | None
    ref_prefix: str
    section: str
    reporting: str = ""  # how often progress on it is reported, as written ("monthly")


@dataclass(frozen=True, kw_only=True)
class OrganisationSpec(Spec):
    """An organisation, with the short names owner cells use for it ("LA", "ICB")."""

    id: str
    name: str
    aliases: list[str]
    partner: bool = True  # one of the "all partners" an owner cell may name


@dataclass(frozen=True, kw_only=True)
class OwnerCellSpec(Spec):
    """How the mapping says one owner cell reads: who leads, supports, is accountable."""

    cell: str
    lead: list[str]
    support: list[str]
    accountable: list[str]


@dataclass(frozen=True, kw_only=True)
class PersonSpec(Spec):
    """A person the mapping names, with aliases, and optionally a post in organisations."""

    id: str
    name: str
    aliases: list[str]
    post: str
    organisations: list[str]


@dataclass(frozen=True, kw_only=True)
class BoardSpec(Spec):
    """A board, what it oversees (plan ids, or "findings") and whom it reports to."""

    id: str
    label: str
    kind: str
    aliases: list[str]
    organisation: str
    oversees: list[str]
    reports_to: list[str]
    quote: str


@dataclass(frozen=True, kw_only=True)
class ListedFinding(Spec):
    """A finding the mapping lists itself, such as one no row of the file answers yet."""

    ref: str
    text: str
    section: str


@dataclass(frozen=True, kw_only=True)
class FindingsSpec(Spec):
    """What the findings are, the review or inspection that made them, and how they are numbered."""

    kind: str
    review: str
    review_kind: str
    ref_prefix: str
    section: str
    listed: list[ListedFinding]


@dataclass(kw_only=True)
class Mapping:
    """A mapping file, read and checked."""

    path: Path
    source: str  # how problems name the mapping file
    file: str = ""
    sheets: list[str] = field(default_factory=list)
    header_row: int = 1
    area: str = ""
    document: DocumentSpec | None = None
    plans: list[PlanSpec] = field(default_factory=list)
    plan: str = ""
    finding: str = ""
    organisations: list[OrganisationSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    boards: list[BoardSpec] = field(default_factory=list)
    findings: FindingsSpec | None = None
    statuses: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # folded word -> (word, concept)
    status_lines: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # model key -> column name
    owner_cells: list[OwnerCellSpec] = field(default_factory=list)
    status_columns: list[str] = field(default_factory=list)
    status_months: bool = False  # status_columns: months
    status_column_months: dict[str, str] = field(default_factory=dict)  # column -> "YYYY-MM"
    tables: list[TableChoice] = field(default_factory=list)  # table: (Word, web pages)
    layout: str = ""  # "table" or "blocks"; "" reads a file as its kind is usually laid out
    headings: dict[str, str] = field(default_factory=dict)  # heading level or "row" -> column
    text: str = ""
    readable: bool = True  # False when the file is missing or is not YAML
    register: RegisterSpec | None = None  # a board register's mapping (registerspec.py)

    def line_of(self, key: str) -> int:
        """Return the line of the mapping file that holds ``key`` ("columns.owner"), or 0."""
        return key_line(self.text, key)


def key_line(text: str, key: str) -> int:
    """Find the line of a dotted key in YAML text, by indentation; 0 when it is not written.

    Only where a mistake is reported depends on this: the mapping itself is read with
    ``yaml.safe_load``, which keeps no line numbers.

    >>> key_line("a: 1\\ncolumns:\\n  ref: Ref\\n  owner: Lead\\n", "columns.owner")
    4
    >>> key_line("columns:\\n  ref: Ref\\nowner: x\\n", "columns.owner")
    1
    """
    lines = text.splitlines()
    start, indent, found = 0, -1, 0
    for part in key.split("."):
        name = re.escape(part.split("[")[0])
        pattern = re.compile(rf"^(\s*)(?:-\s+)?['\"]?{name}['\"]?\s*:")
        for number in range(start, len(lines)):
            line = lines[number]
            depth = len(line) - len(line.lstrip())
            match = pattern.match(line)
            if match and len(match.group(1)) > indent:
                start, indent, found = number + 1, len(match.group(1)), number + 1
                break
            if line.strip() and not line.strip().startswith("#") and depth <= indent:
                return found  # left the parent's block without finding the key
        else:
            return found
    return found


def folded(word: str) -> str:
    """Return a status word or name folded for matching: spacing and case ignored."""
    return " ".join(word.split()).casefold()


class _Reader:
    """Checks one parsed mapping, collecting a problem for each mistake."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.problems: list[Problem] = []
        self.findings_missing = True

    def report(
        self, key: str, message: str, severity: Severity = Severity.ERROR, *, line: int = 0
    ) -> None:
        line = line or self.mapping.line_of(key)
        self.problems.append(Problem(self.mapping.source, line, key, severity, message))

    def keys(self, where: str, value: dict[str, Any], allowed: set[str]) -> None:
        for key in value:
            if str(key) not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                self.report(
                    f"{where}.{key}" if where else str(key),
                    f"{key!r} is not a mapping key sendgraph knows.{hint} "
                    f"Known keys here: {', '.join(sorted(allowed))}.",
                )

    def table(self, where: str, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report(where, f"{where} should be a set of keys, not {_kind(value)}.")
            return {}
        return {str(k): v for k, v in value.items()}

    def items(self, where: str, value: Any) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.report(
                where, f"{where} should be a list (one '- ' item per entry), not {_kind(value)}."
            )
            return []
        found = []
        for number, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                self.report(
                    where, f"entry {number} of {where} should be a set of keys, not {_kind(item)}."
                )
                continue
            found.append({str(k): v for k, v in item.items()})
        return found

    def text(self, where: str, value: Any, *, required: bool = False) -> str:
        if value is None or value == "":
            if required:
                self.report(where, f"{where} is required.")
            return ""
        if isinstance(value, bool | dict | list):
            self.report(where, f"{where} should be words, not {_kind(value)}.")
            return ""
        return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()

    def texts(self, where: str, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value.strip()] if value.strip() else []
        if not isinstance(value, list):
            self.report(where, f"{where} should be a list of words, not {_kind(value)}.")
            return []
        return [self.text(where, v) for v in value if self.text(where, v)]

    def date(self, where: str, value: Any, *, required: bool = False) -> dt.date | None:
        if value is None or value == "":
            if required:
                self.report(where, f"{where} is required (YYYY-MM-DD).")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.report(where, f"{value!r} is not a date written as YYYY-MM-DD.")
            return None

    def identifier(self, where: str, value: Any, fallback: str) -> str:
        text = self.text(where, value) or slug(fallback)
        if text and not SLUG.match(text):
            self.report(where, f"{text!r} is not a lower-case id such as send-partnership-board.")
        return text

    # -- sections ----------------------------------------------------------------

    def read(self, raw: Any) -> None:
        mapping = self.mapping
        if not isinstance(raw, dict):
            self.report(
                "", f"should be a set of keys (file:, document:, columns: ...), not {_kind(raw)}."
            )
            return
        top = {str(k): v for k, v in raw.items()}
        self.keys("", top, TOP_KEYS)
        for key in REQUIRED_REGISTER if "register" in top else REQUIRED_TOP:
            if top.get(key) in (None, "", [], {}):
                self.report(key, f"required key {key!r} is missing.")
        mapping.file = self.text("file", top.get("file"))
        if mapping.file and not _is_inside(mapping.file):
            self.report(
                "file",
                f"{mapping.file!r} is not a file beside the mapping; name it as a path inside "
                "the mapping's folder, without '..' or a drive or a leading '/'.",
            )
            mapping.file = ""
        mapping.sheets = self.texts("sheets", top.get("sheets"))
        header_row = top.get("header_row", 1)
        if isinstance(header_row, str) and _ROW_NUMBER.fullmatch(header_row.strip()):
            header_row = int(header_row)
        if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
            self.report("header_row", f"{header_row!r} is not a row number (1, 2, 3...).")
        else:
            mapping.header_row = header_row
        mapping.area = self.text("area", top.get("area"))
        if mapping.area and not slug(mapping.area):
            self.report(
                "area",
                f"{mapping.area!r} makes no name for the area's IRIs; use letters or digits.",
            )
        self.document(top.get("document"))
        self.plans(top.get("plans"))
        mapping.plan = self.text("plan", top.get("plan"))
        mapping.finding = self.text("finding", top.get("finding"))
        self.organisations(top.get("organisations"))
        self.people(top.get("people"))
        self.boards(top.get("boards"))
        self.findings(top.get("findings"))
        self.statuses(top.get("statuses"))
        self.columns(top.get("columns"))
        self.owner_cells(top.get("owner_cells"))
        self.files(top)
        if "register" in top:
            mapping.register = read_register_section(self, top.get("register"))
        self.cross_checks()

    def document(self, value: Any) -> None:
        if value is None:
            return
        document = self.table("document", value)
        self.keys("document", document, DOCUMENT_KEYS)
        title = self.text("document.title", document.get("title"), required=True)
        date = self.date("document.date", document.get("date"), required=True)
        if title and date:
            self.mapping.document = DocumentSpec(
                line=self.mapping.line_of("document"),
                id=self.identifier("document.id", document.get("id"), title),
                title=title,
                publisher=self.text("document.publisher", document.get("publisher")),
                date=date,
                section=self.text("document.section", document.get("section")),
            )

    def plans(self, value: Any) -> None:
        seen: set[str] = set()
        for number, plan in enumerate(self.items("plans", value), start=1):
            where = f"plans[{number}]"
            self.keys(where, plan, PLAN_KEYS)
            title = self.text(f"{where}.title", plan.get("title"), required=True)
            if not title:
                continue
            plan_id = self.identifier(f"{where}.id", plan.get("id"), title)
            if plan_id in seen:
                self.report(f"{where}.id", f"plan id {plan_id!r} is used twice.")
            seen.add(plan_id)
            self.mapping.plans.append(
                PlanSpec(
                    line=self.mapping.line_of("plans"),
                    id=plan_id,
                    title=title,
                    part_of=self.text(f"{where}.part_of", plan.get("part_of")),
                    status_date=self.date(f"{where}.status_date", plan.get("status_date")),
                    ref_prefix=self.text(f"{where}.ref_prefix", plan.get("ref_prefix")),
                    section=self.text(f"{where}.section", plan.get("section")),
                    reporting=self.text(f"{where}.reporting", plan.get("reporting")),
                )
            )

    def organisations(self, value: Any) -> None:
        for number, item in enumerate(self.items("organisations", value), start=1):
            where = f"organisations[{number}]"
            self.keys(where, item, ORGANISATION_KEYS)
            name = self.text(f"{where}.name", item.get("name"), required=True)
            if name:
                self.mapping.organisations.append(
                    OrganisationSpec(
                        line=self.mapping.line_of("organisations"),
                        id=self.identifier(f"{where}.id", item.get("id"), name),
                        name=name,
                        aliases=self.texts(f"{where}.aliases", item.get("aliases")),
                        partner=self.yes_no(f"{where}.partner", item.get("partner"), True),
                    )
                )

    def yes_no(self, where: str, value: Any, default: bool) -> bool:
        if value is None:
            return default
        word = str(value).strip().casefold()
        if word in ("yes", "true"):
            return True
        if word in ("no", "false"):
            return False
        self.report(where, f"{where} should be yes or no, not {_kind(value)}.")
        return default

    def owner_cells(self, value: Any) -> None:
        """Read ``owner_cells:``, the mapping's own reading of owner cells the grammar misreads."""
        for cell, reading in self.table("owner_cells", value).items():
            where = f"owner_cells[{cell!r}]"
            if not isinstance(reading, dict):
                self.report(
                    where,
                    f"{where} should say who leads and who supports, such as "
                    f"{{lead: [LA], support: [ICB]}}, not {_kind(reading)}.",
                )
                continue
            roles = {str(k): v for k, v in reading.items()}
            for role in roles:
                if role not in OWNER_CELL_ROLES:
                    self.report(
                        f"{where}.{role}",
                        f"{role!r} is not a mapping key sendgraph knows. Known keys here: "
                        f"{', '.join(OWNER_CELL_ROLES)}.",
                        line=self.owner_cell_line(cell, role),
                    )
            lists = {
                role: self.texts(f"{where}.{role}", roles.get(role)) for role in OWNER_CELL_ROLES
            }
            if not any(lists.values()):
                self.report(where, f"{where} names nobody: give lead:, support: or accountable:.")
                continue
            self.mapping.owner_cells.append(
                OwnerCellSpec(line=self.mapping.line_of("owner_cells"), cell=cell, **lists)
            )

    def people(self, value: Any) -> None:
        for number, item in enumerate(self.items("people", value), start=1):
            where = f"people[{number}]"
            self.keys(where, item, PERSON_KEYS)
            name = self.text(f"{where}.name", item.get("name"), required=True)
            if name:
                self.mapping.people.append(
                    PersonSpec(
                        line=self.mapping.line_of("people"),
                        id=self.identifier(f"{where}.id", item.get("id"), name),
                        name=name,
                        aliases=self.texts(f"{where}.aliases", item.get("aliases")),
                        post=self.text(f"{where}.post", item.get("post")),
                        organisations=self.texts(
                            f"{where}.organisations", item.get("organisations")
                        ),
                    )
                )

    def boards(self, value: Any) -> None:
        for number, item in enumerate(self.items("boards", value), start=1):
            where = f"boards[{number}]"
            self.keys(where, item, BOARD_KEYS)
            label = self.text(f"{where}.label", item.get("label"), required=True)
            if label:
                self.mapping.boards.append(
                    BoardSpec(
                        line=self.mapping.line_of("boards"),
                        id=self.identifier(f"{where}.id", item.get("id"), label),
                        label=label,
                        kind=self.text(f"{where}.kind", item.get("kind")) or "board",
                        aliases=self.texts(f"{where}.aliases", item.get("aliases")),
                        organisation=self.text(f"{where}.organisation", item.get("organisation")),
                        oversees=self.texts(f"{where}.oversees", item.get("oversees")),
                        reports_to=self.texts(f"{where}.reports_to", item.get("reports_to")),
                        quote=self.text(f"{where}.quote", item.get("quote")),
                    )
                )

    def findings(self, value: Any) -> None:
        self.findings_missing = value is None
        if value is None:
            return
        findings = self.table("findings", value)
        self.keys("findings", findings, FINDINGS_KEYS)
        kind = self.text("findings.kind", findings.get("kind"), required=True).lower()
        if kind and kind not in FINDING_KINDS:
            self.report(
                "findings.kind",
                f"{kind!r} is not a kind of finding sendgraph knows; use one of {', '.join(sorted(FINDING_KINDS))}.",
            )
            return
        review = self.text("findings.review", findings.get("review"), required=True)
        listed = []
        for number, item in enumerate(
            self.items("findings.listed", findings.get("listed")), start=1
        ):
            where = f"findings.listed[{number}]"
            self.keys(where, item, LISTED_KEYS)
            ref = self.text(f"{where}.ref", item.get("ref"), required=True)
            text = self.text(f"{where}.text", item.get("text"), required=True)
            if ref and text:
                listed.append(
                    ListedFinding(
                        line=self.mapping.line_of("findings.listed"),
                        ref=ref,
                        text=text,
                        section=self.text(f"{where}.section", item.get("section")),
                    )
                )
        if kind and review:
            self.mapping.findings = FindingsSpec(
                line=self.mapping.line_of("findings"),
                kind=kind,
                review=review,
                review_kind=self.text("findings.review_kind", findings.get("review_kind"))
                or "inspection",
                ref_prefix=self.text("findings.ref_prefix", findings.get("ref_prefix"))
                or FINDING_KINDS[kind],
                section=self.text("findings.section", findings.get("section")),
                listed=listed,
            )

    def statuses(self, value: Any) -> None:
        statuses = self.table("statuses", value)
        for word, concept in statuses.items():
            where = f"statuses.{word}"
            name = concept_named(concept) if isinstance(concept, str) else None
            if name is None:
                self.report(
                    where,
                    f"status word {word!r} maps to {concept!r}, which is not one of "
                    f"{', '.join(concepts())} (or complete, meaning green).",
                )
                continue
            self.mapping.statuses[folded(word)] = (word, name)
            self.mapping.status_lines[folded(word)] = self.mapping.line_of(where)

    def columns(self, value: Any) -> None:
        columns = self.table("columns", value)
        self.keys("columns", columns, set(COLUMN_KEYS))
        for key, column in columns.items():
            if key not in COLUMN_KEYS:
                continue
            where = f"columns.{key}"
            if key == "status_columns":
                self.status_columns(where, column)
                continue
            name = self.text(where, column)
            if name:
                self.mapping.columns[key] = " ".join(name.split())
        if columns and "action" not in self.mapping.columns:
            self.report(
                "columns.action",
                "required key 'columns.action' is missing: which column holds the action?",
            )

    def status_columns(self, where: str, value: Any) -> None:
        """Read ``columns.status_columns``: 'months', column names, columns with their months, or a list of these.

        ``{"RAG (latest)": 2022-08}`` gives a column its month whatever its heading says;
        ``[months, {"RAG (latest)": 2022-08}]`` adds it to the month-headed columns.
        """
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                for column, month in item.items():
                    self.status_column_month(where, str(column), month)
            elif isinstance(item, str) and item.strip().lower() == MONTHS_KEYWORD:
                self.mapping.status_months = True
            else:
                name = self.text(where, item)
                if name:
                    self.mapping.status_columns.append(" ".join(name.split()))

    def status_column_month(self, where: str, column: str, month: Any) -> None:
        name = " ".join(column.split())
        read = explicit_month(month) if isinstance(month, str) else None
        if read is None:
            self.report(
                f"{where}.{column}",
                f"column {name!r} is given the month {month!r}; write it as YYYY-MM (2022-08) "
                "or a month and year (Aug 2022).",
            )
            return
        if name in self.mapping.status_column_months:
            self.report(f"{where}.{column}", f"column {name!r} is given a month twice.")
        self.mapping.status_column_months[name] = read

    # -- Word documents, web pages and block layouts ---------------------------------

    def files(self, top: dict[str, Any]) -> None:
        """Read ``table:``, ``layout:`` and ``headings:``, which say where in a document the rows are."""
        value = top.get("table")
        for number, item in enumerate(value if isinstance(value, list) else [value], start=1):
            if item is not None:
                where = f"table[{number}]" if isinstance(value, list) else "table"
                choice = self.table_choice(where, item)
                if choice is not None:
                    self.mapping.tables.append(choice)
        layout = self.text("layout", top.get("layout")).lower()
        if layout and layout not in LAYOUTS:
            self.report(
                "layout",
                f"{layout!r} is not a layout sendgraph reads; use 'table' (rows of a table) or "
                "'blocks' (a run of 'Label: value' lines under a heading for each action).",
            )
        else:
            self.mapping.layout = layout
        for level, column in self.table("headings", top.get("headings")).items():
            where = f"headings.{level}"
            key = level.strip().lower()
            if not (key == ROW_HEADING or (key.isdigit() and 0 <= int(key) <= 9)):
                self.report(
                    where,
                    f"{level!r} is not a heading level; use 0 (a title), 1 to 9 (Heading 1 to "
                    "Heading 9, <h1> to <h6>, '#' to '######'; a caption is 9) or 'row' (a "
                    "row of one cell across a table).",
                )
                continue
            name = self.text(where, column, required=True)
            if name:
                self.mapping.headings[str(int(key)) if key.isdigit() else key] = name

    def table_choice(self, where: str, item: Any) -> TableChoice | None:
        if isinstance(item, str) and _ROW_NUMBER.fullmatch(item.strip()):
            item = int(item)
        if isinstance(item, int) and not isinstance(item, bool) and item >= 1:
            return TableChoice(position=item)
        if isinstance(item, dict):
            keys = {str(k): v for k, v in item.items()}
            self.keys(where, keys, {"after_heading"})
            heading = self.text(f"{where}.after_heading", keys.get("after_heading"), required=True)
            return TableChoice(after_heading=heading) if heading else None
        self.report(
            where,
            f"{item!r} does not pick a table; write its position (table: 2, the document's "
            'second table) or the heading above it (table: {after_heading: "Area for priority '
            'action 1"}), or a list of these.',
        )
        return None

    def cross_checks(self) -> None:
        """Check that what one part of the mapping names, another part defines."""
        mapping = self.mapping
        plans = {p.id for p in mapping.plans}
        organisations = {o.id for o in mapping.organisations}
        self.check_plans(plans)
        self.check_people(organisations)
        self.check_boards(plans, organisations)
        self.check_findings()
        self.check_owner_cells()
        if (
            "status" in mapping.columns
            or mapping.status_columns
            or mapping.status_months
            or mapping.status_column_months
        ) and not mapping.statuses:
            self.report(
                "statuses",
                "required key 'statuses' is missing: say what each status word means (red, amber, green, behind-schedule).",
            )

    def check_plans(self, plans: set[str]) -> None:
        mapping = self.mapping
        if mapping.plan and mapping.plan not in plans:
            self.report(
                "plan",
                f"{mapping.plan!r} is not a plan id under plans: ({', '.join(sorted(plans))}).",
            )
        if len(plans) > 1 and not mapping.plan and "plan" not in mapping.columns:
            self.report(
                "plan",
                "there are several plans, so say which one the rows belong to: plan: <id>, or columns: plan: <column>.",
            )
        for plan in mapping.plans:
            if plan.part_of and plan.part_of not in plans:
                self.report(
                    "plans", f"{plan.id} is part_of {plan.part_of!r}, which is not a plan id here."
                )

    def check_people(self, organisations: set[str]) -> None:
        for person in self.mapping.people:
            for org in person.organisations:
                if org not in organisations:
                    self.report(
                        "people",
                        f"{person.name} is in {org!r}, which is not an organisation id here.",
                    )

    def check_boards(self, plans: set[str], organisations: set[str]) -> None:
        boards = {b.id for b in self.mapping.boards}
        for board in self.mapping.boards:
            if board.organisation and board.organisation not in organisations:
                self.report(
                    "boards",
                    f"{board.label} belongs to {board.organisation!r}, which is not an organisation id here.",
                )
            for target in board.oversees:
                if target not in plans | boards and target != "findings":
                    self.report(
                        "boards",
                        f"{board.label} oversees {target!r}, which is not a plan id, a board id or 'findings'.",
                    )
            for target in board.reports_to:
                if target not in boards:
                    self.report(
                        "boards",
                        f"{board.label} reports to {target!r}, which is not a board id here.",
                    )

    def check_owner_cells(self) -> None:
        mapping = self.mapping
        names = [
            name for org in mapping.organisations for name in [org.name, org.id, *org.aliases]
        ] + [
            name for person in mapping.people for name in [person.name, person.id, *person.aliases]
        ]
        known = {" ".join(folded(name).replace(".", " ").split()) for name in names if name}
        for spec in mapping.owner_cells:
            for role in OWNER_CELL_ROLES:
                for name in getattr(spec, role):
                    if " ".join(folded(name).replace(".", " ").split()) not in known:
                        self.report(
                            f"owner_cells[{spec.cell!r}].{role}",
                            f"{name!r} is not an organisation under organisations: or a person "
                            "under people: (by id, name or alias).",
                            line=self.owner_cell_line(spec.cell, role),
                        )

    def owner_cell_line(self, cell: str, role: str) -> int:
        """The line of ``role`` under ``cell`` in ``owner_cells:`` (a cell may hold full stops)."""
        lines = self.mapping.text.splitlines()
        start = self.mapping.line_of("owner_cells")
        cell_line = 0
        for number in range(start, len(lines)):
            written = lines[number].strip().rstrip(":").strip().strip("'\"")
            if not cell_line and " ".join(written.split()) == " ".join(cell.split()):
                cell_line = number + 1
            elif cell_line and re.match(rf"\s*['\"]?{re.escape(role)}['\"]?\s*:", lines[number]):
                return number + 1
        return cell_line or start

    def check_findings(self) -> None:
        mapping = self.mapping
        wants_findings = {"finding", "finding_ref"} & set(mapping.columns) or mapping.finding
        if wants_findings and self.findings_missing:
            self.report("findings", "rows name findings, so findings: needs kind: and review:.")
        listed = {f.ref for f in mapping.findings.listed} if mapping.findings else set()
        if mapping.finding and mapping.findings is not None and mapping.finding not in listed:
            self.report(
                "finding",
                f"{mapping.finding!r} is not the ref of a finding under findings: listed:.",
            )


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a set of keys"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"


def _is_inside(name: str) -> bool:
    # The spreadsheet a mapping names is read with the user's rights: a mapping passed
    # around with a data folder must not reach files outside it.
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(name)
        if path.is_absolute() or path.drive or path.root or ".." in path.parts:
            return False
    return True


@functools.cache
def _loader() -> type[Any]:
    """Return PyYAML's safe loader with the implicit types off and duplicate keys refused."""
    # Imported here: PyYAML is only needed when a mapping is read.
    import yaml
    from yaml.constructor import ConstructorError

    class WordsLoader(yaml.SafeLoader):
        """Safe loading where every plain scalar is the string written, except an empty one."""

        yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's class-level table)

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: dict[str, Any] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue
                if key_node.value in seen:
                    raise ConstructorError(
                        "while reading a set of keys",
                        node.start_mark,
                        f"key {key_node.value!r} is written twice (first on line "
                        f"{seen[key_node.value].line + 1})",
                        key_node.start_mark,
                    )
                seen[key_node.value] = key_node.start_mark
            return super().construct_mapping(node, deep=deep)

    WordsLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|)$"), ["~", ""])
    WordsLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])
    return WordsLoader


def _within(value: Any, limit: int) -> bool:
    """True when ``value``, with every alias expanded, holds at most ``limit`` values."""
    stack, count = [value], 0
    while stack:
        count += 1
        if count > limit:
            return False
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def load_yaml(text: str) -> Any:
    """Parse mapping YAML the way `read_mapping` does: safe, with every plain word kept as written.

    >>> load_yaml("statuses: {No: red, on: green}\\nheader_row: 2\\nref: 007\\ndate: 2024-03-01\\nnote:")
    {'statuses': {'No': 'red', 'on': 'green'}, 'header_row': '2', 'ref': '007', 'date': '2024-03-01', 'note': None}
    """
    import yaml

    return yaml.load(text, Loader=_loader())  # the loader is a SafeLoader subclass


def read_mapping(
    path: Path, shown: str, *, encoding: str | None = None
) -> tuple[Mapping, list[Problem]]:
    """Read and check the mapping file at ``path``; ``shown`` is how problems name it.

    Every mistake is a problem; nothing is raised. YAML that does not parse is one
    problem at the line the parser stopped on. The file is UTF-8, with or without a
    byte-order mark; ``encoding`` is used only for a file that is not UTF-8, so that a
    mapping saved as UTF-8 beside a cp1252 spreadsheet is still read right.
    """
    import yaml

    mapping = Mapping(path=path, source=shown, readable=False)
    raw_bytes, unreadable = read_input(path, shown)
    if raw_bytes is None:
        return mapping, unreadable
    if len(raw_bytes) > MAX_MAPPING_BYTES:
        return mapping, [
            Problem(
                shown,
                0,
                "",
                Severity.ERROR,
                f"is {len(raw_bytes):,} bytes; a mapping file may be at most {MAX_MAPPING_BYTES:,}.",
            )
        ]
    try:
        text: str | None = raw_bytes.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        text, problems = decode(raw_bytes, shown, encoding, save_as="UTF-8")
        if text is None:
            return mapping, problems
    assert text is not None
    mapping.text = text
    try:
        raw = load_yaml(mapping.text)
    except RecursionError:
        return mapping, [Problem(shown, 0, "", Severity.ERROR, "is YAML nested too deeply.")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        detail = f"{context}, {reason}" if context else reason
        return mapping, [Problem(shown, line, "", Severity.ERROR, f"is not valid YAML: {detail}.")]
    if not _within(raw, MAX_MAPPING_VALUES):
        return mapping, [
            Problem(
                shown,
                0,
                "",
                Severity.ERROR,
                f"expands to more than {MAX_MAPPING_VALUES:,} values through its anchors and "
                "aliases (&name, *name); write the mapping out plainly.",
            )
        ]
    mapping.readable = True
    reader = _Reader(mapping)
    reader.read(raw)
    return mapping, undecided(mapping, raw, reader.problems)


# -- a draft's undecided values ---------------------------------------------------------

TODO_MARK = "TODO"


def _todo_values(value: Any, path: str) -> list[tuple[str, str]]:
    """Every value (not key) that starts with TODO, with its dotted key."""
    if isinstance(value, dict):
        return [
            found
            for k, v in value.items()
            for found in _todo_values(v, f"{path}.{k}" if path else str(k))
        ]
    if isinstance(value, list):
        return [
            found
            for number, item in enumerate(value, start=1)
            for found in _todo_values(item, f"{path}[{number}]")
        ]
    if isinstance(value, str) and re.match(rf"{TODO_MARK}\b", value.strip()):
        return [(path, value.strip())]
    return []


def undecided(mapping: Mapping, raw: Any, problems: list[Problem]) -> list[Problem]:
    """Refuse each value a draft mapping left as "TODO ...", naming it; drop what it set off besides.

    `sendgraph template --from` writes a placeholder where it cannot decide a value the
    import needs. Each is one error, on its line, saying what to decide; the other
    problems on those lines (a TODO is not a date, nor a status) would only repeat it.
    """
    lines = mapping.text.splitlines()
    found: list[Problem] = []
    used: set[int] = set()
    for path, value in _todo_values(raw, ""):
        line = next(
            (n for n, text in enumerate(lines, start=1) if value in text and n not in used), 0
        )
        used.add(line)
        found.append(
            Problem(
                mapping.source, line, path, Severity.ERROR,
                f"{path} is still a TODO: {value.removeprefix(TODO_MARK).strip()}. Decide it, "
                "write the answer in its place, and import again.",
            )
        )  # fmt: skip
    if not found:
        return problems
    return [*found, *(p for p in problems if p.row not in used)]
