"""Records become triples written in the ontology's terms (a `TripleSet`).

This is where an owner name becomes an sg:owner edge to a foaf:Person, a Ref column
code becomes a dcterms:references edge, and a sentence that names a board becomes an
sg:mentionsBoard edge with its sg:BoardMention evidence. Every node made from data
carries prov:hadPrimarySource (the paper), sg:section (the place in it), and
sg:sourceFile / sg:sourceRow (the data file and spreadsheet row), so any answer can be
checked against the words it came from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from sendgraph.graph.tripleset import TripleSet
from sendgraph.graph.vocab import (
    ANSWER_EXPECTED_BY,
    DCTERMS,
    FOAF,
    ORG,
    PROV,
    RDF,
    RDFS,
    SG,
    SKOS,
    XSD,
    Minter,
    distinct,
    readable,
)
from sendgraph.records.codes import Code
from sendgraph.records.dates import (
    DAY,
    ONGOING,
    QUARTER,
    TO_BE_CONFIRMED,
    EntryDate,
    read_entry_date,
)
from sendgraph.records.model import (
    Action,
    ActionRow,
    Board,
    BoardMention,
    GovernanceLink,
    Located,
    Records,
    slug,
)

# A board mention with the record whose row it was read from.
Found = tuple[BoardMention, Located]

# How a target is written, when not as a month and year: a concept of sg:TargetKindScheme.
TARGET_KINDS = {
    ONGOING: SG["target-ongoing"],
    TO_BE_CONFIRMED: SG["target-to-be-confirmed"],
    QUARTER: SG["target-quarter"],
    DAY: SG["target-day"],
}
# The classes of a finding read through a mapping, by the kind the mapping names.
FINDING_CLASSES = {
    "significant weakness": (SG.SignificantWeakness, SG.AreaForConsideration),
    "area for priority action": (SG.AreaForPriorityAction, SG.AreaForConsideration),
    "area for improvement": (SG.AreaForImprovement, SG.AreaForConsideration),
    "area for consideration": (SG.AreaForConsideration,),
    "recommendation": (SG.Recommendation,),
    "strength": (SG.Strength,),
}


def _joined(*segments: str) -> str:
    """Join the non-empty slugs with hyphens: ("jc", "") -> "jc"."""
    return "-".join(part for part in segments if part)


def _text(value: str) -> Literal:
    # A plain literal is an xsd:string in RDF 1.1; rdflib only compares it equal to
    # other plain literals, which is how the shapes and queries write theirs.
    return Literal(value)


class _Writer:
    """Adds the triples for each kind of record to one graph."""

    def __init__(self, records: Records, area: str, base: TripleSet | None) -> None:
        self.records = records
        self.mint = Minter(area)
        self.graph = TripleSet(base=base)
        self.code_nodes: dict[str, URIRef] = {}
        self.action_iris = self.named_actions()
        self.finding_iris = self.named_findings()

    # -- IRIs minted from what a thing is (docs/model.md#iris) -------------------

    def named_actions(self) -> dict[str, URIRef]:
        """Each action's IRI by its ref: the ref's slug, or its words' where the ref is a count."""
        named: list[tuple[URIRef, tuple[str, ...]]] = []
        for action in self.records.actions.values():
            if action.numbered:
                name = _joined(slug(action.ref.rsplit(" ", 1)[0]), readable(action.first.action))
                named.append((self.mint("action", name), (action.plan, action.first.action)))
            else:
                named.append((self.mint("action", slug(action.ref)), (action.ref,)))
        return dict(zip(self.records.actions, distinct(named), strict=True))

    def named_findings(self) -> dict[str, URIRef]:
        """Each imported finding's IRI by its ref: the ref's slug, or its words' where the ref is a count."""
        named: list[tuple[URIRef, tuple[str, ...]]] = []
        for finding in self.records.findings.values():
            if finding.numbered:
                name = _joined(slug(finding.ref.rsplit(" ", 1)[0]), readable(finding.text))
                named.append((self.mint("finding", name), (finding.review, finding.text)))
            else:
                named.append((self.mint("finding", slug(finding.ref)), (finding.ref,)))
        return dict(zip(self.records.findings, distinct(named), strict=True))

    def action_iri(self, ref: str) -> URIRef:
        """Return the IRI of the action ``ref`` names."""
        return self.action_iris.get(ref) or self.mint("action", slug(ref))

    def finding_iri(self, ref: str) -> URIRef:
        """Return the IRI of the finding ``ref`` names."""
        return self.finding_iris.get(ref) or self.mint("finding", slug(ref))

    def post_iris(self) -> list[URIRef]:
        """Each post's IRI: its holder and title; a post no one is named as holding, its id."""
        named = [
            (self.mint("post", post.id), (post.id,))
            if post.id
            else (
                self.mint("post", post.person, slug(post.title)),
                (post.person, post.title, *post.organisations, post.document, post.section),
            )
            for post in self.records.posts
        ]
        return distinct(named)

    def add(self, s: Node, p: URIRef, o: Node) -> None:
        self.graph.add((s, p, o))

    def text(self, s: Node, p: URIRef, value: str) -> None:
        if value:
            self.add(s, p, _text(value))

    def texts(self, s: Node, p: URIRef, values: Iterable[str]) -> None:
        for value in values:
            self.text(s, p, value)

    def provenance(
        self, node: Node, record: Located, document: str, section: str, *, entity: bool = True
    ) -> None:
        """Name where ``node`` was read: its paper, the place in it, and the data file's row.

        A record (an action, a finding, a quote) is a prov:Entity derived from its paper,
        prov:hadPrimarySource. A person, organisation, post, board or review is not a
        record but what a record is about (PROV-O's agents and activities are no
        entities), so its paper is the one that names it, dcterms:isReferencedBy.
        """
        if document:
            source = PROV.hadPrimarySource if entity else DCTERMS.isReferencedBy
            self.add(node, source, self.mint("document", document))
        self.text(node, SG.section, section)
        self.add(node, SG.sourceFile, _text(record.source))
        self.add(node, SG.sourceRow, Literal(record.row, datatype=XSD.integer))

    # -- kinds -------------------------------------------------------------------

    def documents(self) -> None:
        for doc in self.records.documents.values():
            node = self.mint("document", doc.id)
            self.add(node, RDF.type, SG.SourceDocument)
            self.text(node, RDFS.label, doc.title)
            self.text(node, DCTERMS.title, doc.title)
            self.publisher(node, doc.publisher)
            self.add(node, DCTERMS.date, Literal(doc.date, datatype=XSD.date))
            self.texts(node, SG.meeting, doc.meetings)
            if doc.source_file:
                # The text file was transcribed from the paper, so it points at the paper.
                text = self.mint("text", doc.id)
                self.add(text, RDF.type, FOAF.Document)
                self.text(text, RDFS.label, doc.source_file)
                self.add(text, DCTERMS.source, node)
            self.text(node, SKOS.editorialNote, doc.note)
            self.add(node, SG.sourceFile, _text(doc.source))
            self.add(node, SG.sourceRow, Literal(doc.row, datatype=XSD.integer))

    def publisher(self, document: URIRef, words: str) -> None:
        """The paper's publisher: its words as written, and the organisation they name, if one does.

        Only an organisation whose name or alias is those very words is the publisher;
        a near match is never taken for one.
        """
        self.text(document, SG.publisherText, words)
        wanted = " ".join(words.split()).casefold()
        for org in self.records.organisations.values():
            if wanted and wanted in {
                " ".join(n.split()).casefold() for n in (org.name, *org.aliases)
            }:
                self.add(document, DCTERMS.publisher, self.mint("organisation", org.id))
                return

    def organisations(self) -> None:
        for org in self.records.organisations.values():
            node = self.mint("organisation", org.id)
            self.add(node, RDF.type, ORG.Organization)
            self.text(node, RDFS.label, org.name)
            self.text(node, SKOS.prefLabel, org.name)
            self.texts(node, SKOS.altLabel, org.aliases)
            self.text(node, SKOS.editorialNote, org.note)
            self.provenance(node, org, org.document, org.section, entity=False)

    def people(self) -> None:
        names = Counter(p.name for p in self.records.people.values())
        for person in self.records.people.values():
            node = self.mint("person", person.id)
            self.add(node, RDF.type, FOAF.Person)
            self.text(node, FOAF.name, person.name)
            label = person.name
            if names[person.name] > 1:
                inner = (
                    person.initials.split("(")[-1].rstrip(")").strip()
                    if "(" in person.initials
                    else person.initials
                )
                label = f"{person.name} ({inner or person.id})"
            self.text(node, RDFS.label, label)
            self.text(node, SG.initials, person.initials)
            self.texts(node, SKOS.altLabel, person.aliases)
            self.text(node, SKOS.editorialNote, person.note)
            self.provenance(node, person, person.document, person.section, entity=False)
        for post, node in zip(self.records.posts, self.post_iris(), strict=True):
            self.add(node, RDF.type, ORG.Post)
            self.text(node, RDFS.label, post.title)
            holder = self.mint("person", post.person) if post.person else None
            if holder is not None:
                self.add(node, ORG.heldBy, holder)
                self.add(holder, ORG.holds, node)
            for org_id in post.organisations:
                org = self.mint("organisation", org_id)
                self.add(node, ORG.postIn, org)
                if holder is not None:
                    self.add(holder, ORG.memberOf, org)
            self.text(node, SKOS.editorialNote, post.note)
            self.provenance(node, post, post.document, post.section, entity=False)

    def boards(self) -> None:
        for board in self.records.boards.values():
            node = self.mint("board", board.id)
            self.add(node, RDF.type, SG.Board)
            self.text(node, RDFS.label, board.label)
            self.text(node, SKOS.prefLabel, board.label)
            self.texts(node, SKOS.altLabel, board.aliases)
            if board.kind:
                self.add(node, ORG.classification, SG[f"board-kind-{slug(board.kind)}"])
            if board.kind == "partnership":
                self.add(node, RDF.type, ORG.OrganizationalCollaboration)
            for org_id in board.organisations:
                self.add(node, ORG.unitOf, self.mint("organisation", org_id))
            self.text(node, SG.firstMention, board.quote)
            self.text(node, SKOS.editorialNote, board.note)
            self.provenance(node, board, board.document, "", entity=False)
            self.meetings(node, board)

    def meetings(self, node: URIRef, board: Board) -> None:
        """How often a board meets, and its row of a board register, where a register gives them."""
        self.text(node, SG.meetingFrequency, board.meets)
        if board.meets_days is not None:
            self.add(node, SG.meetingIntervalDays, Literal(board.meets_days, datatype=XSD.integer))
        entry = board.register
        if entry is None:
            return
        evidence = self.mint("register-entry", board.id)
        self.add(node, SG.registerEntry, evidence)
        self.add(evidence, RDF.type, SG.RegisterEntry)
        self.text(evidence, SG.quote, entry.quote)
        self.text(evidence, SG.chairText, entry.chair_text)
        self.add(evidence, PROV.wasQuotedFrom, self.mint("document", entry.document))
        self.provenance(evidence, entry, entry.document, entry.section)

    def memberships(self) -> None:
        """Each place on a board as W3C ORG writes it: an org:Membership, with its role and words."""
        roles = {"chair": SG.Chair, "member": SG.Member, "adviser": SG.Adviser}
        for held in self.records.memberships:
            node = self.mint("membership", held.board, held.person)
            board = self.mint("board", held.board)
            person = self.mint("person", held.person)
            self.add(node, RDF.type, ORG.Membership)
            self.add(node, ORG.member, person)
            self.add(node, ORG.organization, board)
            self.add(node, ORG.role, roles[held.role])
            self.text(node, SG.roleText, held.role_text)
            if held.organisation:
                self.add(node, SG.representing, self.mint("organisation", held.organisation))
            if held.role == "chair":
                self.add(person, ORG.headOf, board)
            self.text(node, SG.quote, held.quote)
            self.add(node, PROV.wasQuotedFrom, self.mint("document", held.document))
            self.provenance(node, held, held.document, held.section)

    def reviews(self) -> None:
        for review in self.records.reviews.values():
            node = self.mint("review", review.id)
            self.add(node, RDF.type, SG.Review)
            self.text(node, RDFS.label, review.title)
            for prop, value in ((SG.startDate, review.start), (SG.endDate, review.end)):
                if value:
                    datatype = XSD.date if len(value) == 10 else XSD.gYearMonth
                    self.add(node, prop, Literal(value, datatype=datatype))
            for person in review.reviewers:
                self.add(node, SG.reviewer, self.mint("person", person))
            self.texts(node, SG.focusArea, review.focus_areas)
            self.text(node, SKOS.editorialNote, review.note)
            self.provenance(node, review, review.document, review.section, entity=False)

    def plans(self) -> None:
        for plan in self.records.plans.values():
            node = self.mint("plan", plan.id)
            self.add(node, RDF.type, SG.Plan)
            if plan.ref:
                self.add(node, RDF.type, SG.Priority)
                self.text(node, SKOS.notation, plan.ref)
            self.text(node, RDFS.label, f"{plan.ref} {plan.title}" if plan.ref else plan.title)
            self.text(node, DCTERMS.title, plan.title)
            if plan.part_of:
                self.add(node, DCTERMS.isPartOf, self.mint("plan", plan.part_of))
            if plan.status_date and not plan.ref:
                self.add(node, SG.statusDate, Literal(plan.status_date, datatype=XSD.date))
            self.text(node, SG.rowsAre, plan.rows_are if not plan.ref else "")
            if plan.review:
                self.add(node, SG.respondsTo, self.mint("review", plan.review))
            self.text(node, SG.leadOfficerText, plan.lead_officer_text)
            for person in plan.lead_officers:
                self.add(node, SG.leadOfficer, self.mint("person", person))
            self.text(node, SKOS.editorialNote, plan.note)
            self.text(node, SG.reportingFrequency, plan.reporting)
            if plan.reporting_days is not None:
                self.add(node, SG.reportingIntervalDays, Literal(plan.reporting_days, datatype=XSD.integer))  # fmt: skip
            section = f"{plan.section}, {plan.ref}" if plan.ref else plan.section
            self.provenance(node, plan, plan.document, section)

    def statuses(self) -> None:
        for word in self.records.statuses.values():
            concept = self.mint.status(word.concept)
            self.text(concept, SKOS.hiddenLabel, word.status)
            self.text(concept, SKOS.editorialNote, word.note)

    def code(self, code: Code, origin: Located, document: str, section: str) -> URIRef:
        """Return the node a cited code stands for: its measure, or an undefined-code node."""
        defined = self.records.defined_codes.get(code.key)
        if defined is not None:
            return self.action_iri(defined)
        node = self.code_nodes.get(code.key)
        if node is None:
            node = self.mint("code", code.slug)
            self.code_nodes[code.key] = node
            self.add(node, RDF.type, SG.UndefinedCode)
            self.add(node, RDF.type, SG.Code)
            self.add(node, SKOS.inScheme, SG.CodeScheme)
            self.text(node, SKOS.notation, code.notation)
            self.text(node, RDFS.label, code.notation)
            self.text(node, SG.codeFamily, code.family)
            self.add(node, SG.isDefined, Literal(False))
            self.provenance(node, origin, document, section)
        if (node, SKOS.notation, _text(code.notation)) not in self.graph:
            self.text(node, SKOS.hiddenLabel, code.notation)
        return node

    def actions(self) -> None:
        for action in self.records.actions.values():
            self.action(action)

    def action(self, action: Action) -> None:
        plan = self.records.plans[action.plan]
        node = self.action_iri(action.ref)
        section = f"{plan.section}, {action.ref}"
        first = action.first
        self.add(node, RDF.type, SG.Action)
        if action.kind == "measures":
            family, _ = action.ref.rsplit(" ", 1)
            self.add(node, RDF.type, SG.Measure)
            self.add(node, RDF.type, SG.Code)
            self.add(node, SKOS.inScheme, SG.CodeScheme)
            self.text(node, SG.codeFamily, family)
            self.add(node, SG.isDefined, Literal(True))
        if action.kind == "recommendations":
            self.add(node, RDF.type, SG.Recommendation)
            self.add(node, RDF.type, SG.Finding)
            if action.review:
                self.add(node, PROV.wasGeneratedBy, self.mint("review", action.review))
        self.text(node, SKOS.notation, action.ref)
        self.text(node, RDFS.label, action.ref)
        self.add(node, DCTERMS.isPartOf, self.mint("plan", plan.id))
        self.provenance(node, first, plan.document, section)
        self.text(node, SG.text, first.action)
        self.text(node, SG.ownerText, first.owner_text)
        self.text(node, SG.targetDateText, first.target_text)
        self.text(node, SG.statusText, first.status_text)
        self.text(node, SKOS.editorialNote, first.note)
        self.text(node, SG.codesText, first.codes_text)
        for person in action.owners:
            self.add(node, SG.owner, self.mint("person", person))
        for person in action.leads:
            self.add(node, SG.accountableLead, self.mint("person", person))
        if action.status:
            self.add(node, SG.status, self.mint.status(action.status))
        for row in action.rows:
            for code in row.codes:
                self.add(node, DCTERMS.references, self.code(code, row, plan.document, section))
        for code in action.mentions:
            self.add(node, SG.mentions, self.code(code, first, plan.document, section))
        for row in action.rows:
            entry = self.entry(node, row, plan.document, section)
            if row.number == 1:
                for target in row.targets:  # the first row's target dates, as `entry` made them
                    self.add(node, SG.targetDate, URIRef(f"{entry}/target/{target.revision}"))
                if row.targets:
                    self.add(
                        node, SG.currentTargetDate, URIRef(f"{entry}/target/{len(row.targets)}")
                    )
        found = [(mention, row) for row in action.rows for mention in row.boards]
        self.mentions(node, found, plan.document, section)
        self.imported(node, action, plan.document, section)

    def imported(self, node: URIRef, action: Action, document: str, section: str) -> None:
        """Add what a row read through a mapping has beyond the bundled data's columns."""
        for org in action.owner_organisations:
            self.add(node, SG.owner, self.mint("organisation", org))
        for org in action.lead_organisations:
            self.add(node, SG.accountableLead, self.mint("organisation", org))
        for person in action.supporters:
            self.add(node, SG.supportingPartner, self.mint("person", person))
        for org in action.supporting_organisations:
            self.add(node, SG.supportingPartner, self.mint("organisation", org))
        for role, term in (
            ("owner", SG.owner),
            ("support", SG.supportingPartner),
            ("accountable", SG.accountableLead),
        ):
            for post in action.posts(role):
                self.add(node, term, self.mint("post", post))
        for finding in action.answers:
            self.add(node, SG.answers, self.finding_iri(finding))
        for row in action.rows:
            self.text(node, SG.successMeasure, row.success_measure)
            for ref in row.references:
                self.add(node, DCTERMS.references, self.action_iri(ref))
            self.texts(node, SG.mergedCell, row.merged_cells)
        self.status_history(node, action.rows, document, section)

    def status_history(
        self, action: URIRef, rows: list[ActionRow], document: str, section: str
    ) -> None:
        """Add one sg:StatusObservation per dated status cell of the item's rows."""
        cells = [(row, seen) for row in rows for seen in row.status_history]
        named = [
            (URIRef(f"{action}/status/{seen.month}"), (seen.month, seen.column, seen.text))
            for _, seen in cells
        ]
        for (row, seen), node in zip(cells, distinct(named), strict=True):
            self.add(node, RDF.type, SG.StatusObservation)
            self.add(node, SG.statusOf, action)
            self.add(node, SG.observedIn, Literal(seen.month, datatype=XSD.gYearMonth))
            self.text(node, SG.statusText, seen.text)
            if seen.concept:
                self.add(node, SG.status, self.mint.status(seen.concept))
            self.text(node, SG.sourceColumn, seen.column)
            self.provenance(node, row, document, f"{section}, {seen.column}")

    def findings(self) -> None:
        for finding in self.records.findings.values():
            review = self.records.reviews[finding.review]
            node = self.finding_iri(finding.ref)
            self.add(node, RDF.type, SG.Finding)
            for cls in FINDING_CLASSES[finding.kind]:
                self.add(node, RDF.type, cls)
            self.text(node, SKOS.notation, finding.ref)
            self.text(node, RDFS.label, finding.ref)
            self.text(node, SG.text, finding.text)
            self.texts(node, SG.mergedCell, finding.merged_cells)
            self.add(node, PROV.wasGeneratedBy, self.mint("review", review.id))
            self.provenance(node, finding, review.document, finding.section)

    def entry(self, action: URIRef, row: ActionRow, document: str, section: str) -> URIRef:
        entry = URIRef(f"{action}/row/{row.number}")
        self.add(entry, RDF.type, SG.ProgressEntry)
        self.add(action, SG.progressEntry, entry)
        self.add(entry, SG.rowNumber, Literal(row.number, datatype=XSD.integer))
        self.text(entry, SG.text, row.progress)
        if row.number > 1:
            self.text(entry, SG.actionText, row.action)
            self.text(entry, SG.ownerText, row.owner_text)
            self.text(entry, SKOS.editorialNote, row.note)
            self.text(entry, SG.codesText, row.codes_text)
        self.text(entry, SG.targetDateText, row.target_text)
        self.entry_date(entry, row.progress_date)
        self.text(entry, SG.statusText, row.status_text)
        if row.status:
            self.add(entry, SG.status, self.mint.status(row.status))
            self.text(entry, SG.statusNote, row.status_note)
        previous: URIRef | None = None
        for target in row.targets:
            node = URIRef(f"{entry}/target/{target.revision}")
            self.add(node, RDF.type, SG.TargetDate)
            self.add(entry, SG.targetDate, node)
            self.text(node, SG.rawText, target.raw)
            self.add(node, SG.revision, Literal(target.revision, datatype=XSD.integer))
            if target.month:
                self.add(node, SG.month, Literal(target.month, datatype=XSD.gYearMonth))
            if target.kind:
                self.add(node, SG.targetKind, TARGET_KINDS[target.kind])
            if target.first_month:
                self.add(node, SG.startMonth, Literal(target.first_month, datatype=XSD.gYearMonth))
            if target.day:
                self.add(node, SG.day, Literal(target.day, datatype=XSD.date))
            if target.precision and target.start and target.end:
                self.add(node, SG.precision, SG[f"precision-{target.precision}"])
                self.add(node, SG.periodStart, Literal(target.start, datatype=XSD.date))
                self.add(node, SG.periodEnd, Literal(target.end, datatype=XSD.date))
            if previous is not None:
                self.add(node, PROV.wasRevisionOf, previous)
            previous = node
            self.provenance(node, row, document, f"{section} row {row.number}, target date")
        self.provenance(entry, row, document, f"{section} row {row.number}")
        return entry

    def entry_date(self, entry: URIRef, date: EntryDate | None) -> None:
        """Date a progress entry by its heading or its column, with the precision of that date."""
        if date is None:
            return
        self.text(entry, SG.dateText, date.words)
        self.add(entry, SG.precision, SG[f"precision-{date.precision}"])
        self.add(entry, SG.periodStart, Literal(date.start, datatype=XSD.date))
        self.add(entry, SG.periodEnd, Literal(date.end, datatype=XSD.date))
        self.text(entry, SG.sourceColumn, date.column)

    def heading_date(self, text: str, document: str) -> EntryDate | None:
        """The date an entry of a finding's progress is headed with (records/dates.py)."""
        paper = self.records.documents.get(document)
        return read_entry_date(text, paper.date) if paper else None

    def mentions(
        self, subject: URIRef, mentions: Sequence[Found], document: str, section: str
    ) -> None:
        """Add an sg:BoardMention for each board named in ``subject``'s fields, named by field and board."""
        named = [
            (
                URIRef(f"{subject}/mention/{slug(found.field)}/{found.mention.board}"),
                (found.field, found.mention.board, found.mention.name, found.mention.sentence),
            )
            for found, _ in mentions
        ]
        for (found, origin), evidence in zip(mentions, distinct(named), strict=True):
            board = self.mint("board", found.mention.board)
            self.add(subject, SG.mentionsBoard, board)
            self.add(evidence, RDF.type, SG.BoardMention)
            self.add(evidence, RDF.subject, subject)
            self.add(evidence, RDF.predicate, SG.mentionsBoard)
            self.add(evidence, RDF.object, board)
            self.text(evidence, SG.quote, found.mention.sentence)
            self.text(evidence, SG.field, found.field)
            self.add(evidence, SG.isReport, Literal(found.mention.is_report))
            if document:
                self.add(evidence, PROV.wasQuotedFrom, self.mint("document", document))
            self.provenance(evidence, origin, document, section)

    def ccg_gaps(self) -> None:
        for gap in self.records.ccg_gaps.values():
            review = self.records.reviews.get(gap.review)
            document = review.document if review else ""
            section = f"{review.section}, {gap.ref}" if review else gap.ref
            node = self.finding_iri(gap.ref)
            self.add(node, RDF.type, SG.SelfAssessmentGap)
            self.add(node, RDF.type, SG.Finding)
            self.text(node, SKOS.notation, gap.ref)
            self.text(node, RDFS.label, gap.ref)
            self.text(node, SG.text, gap.issue)
            # The entries below hold the cell's non-empty lines, stripped; the cell
            # itself is kept as written so that nothing of it is lost.
            self.text(node, SG.progressText, gap.progress_text)
            self.text(node, SKOS.editorialNote, gap.note)
            self.add(node, PROV.wasGeneratedBy, self.mint("review", gap.review))
            self.provenance(node, gap, document, section)
            for number, bullet in enumerate(gap.progress, start=1):
                entry = URIRef(f"{node}/row/{number}")
                self.add(entry, RDF.type, SG.ProgressEntry)
                self.add(node, SG.progressEntry, entry)
                self.add(entry, SG.rowNumber, Literal(number, datatype=XSD.integer))
                self.text(entry, SG.text, bullet)
                self.entry_date(entry, self.heading_date(bullet, document))
                self.provenance(entry, gap, document, f"{section} progress {number}")
            self.mentions(node, [(m, gap) for m in gap.boards], document, section)

    def peer_challenge(self) -> None:
        for item in self.records.peer_challenge.values():
            review = self.records.reviews.get(item.review)
            document = review.document if review else ""
            section = f"{item.section}, {item.ref}" if item.section else item.ref
            node = self.finding_iri(item.ref)
            self.add(node, RDF.type, SG.Finding)
            if item.strength:
                self.add(node, RDF.type, SG.Strength)
            if item.consideration:
                self.add(node, RDF.type, SG.AreaForConsideration)
            self.text(node, SKOS.notation, item.ref)
            self.text(node, RDFS.label, item.ref)
            self.text(node, SG.strengthText, item.strength)
            self.text(node, SG.considerationText, item.consideration)
            self.text(node, SKOS.editorialNote, item.note)
            self.add(node, PROV.wasGeneratedBy, self.mint("review", item.review))
            self.provenance(node, item, document, item.section)
            holder = node
            if item.identified_action:
                holder = self.action_iri(item.ref)
                self.add(holder, RDF.type, SG.Action)
                self.text(holder, RDFS.label, f"{item.ref} identified action")
                self.text(holder, SG.text, item.identified_action)
                self.add(holder, SG.answers, node)
                self.provenance(holder, item, document, f"{section}, identified action")
            if item.progress:
                entry = URIRef(f"{holder}/row/1")
                self.add(entry, RDF.type, SG.ProgressEntry)
                self.add(holder, SG.progressEntry, entry)
                self.add(entry, SG.rowNumber, Literal(1, datatype=XSD.integer))
                self.text(entry, SG.text, item.progress)
                self.entry_date(entry, self.heading_date(item.progress, document))
                self.provenance(entry, item, document, f"{section}, progress update")
            on_finding = [
                m for m in item.boards if m.field in ("strength", "area_for_consideration")
            ]
            on_action = [m for m in item.boards if m not in on_finding]
            # Without an identified action the finding holds both, named apart by field.
            by_subject = {node: on_finding}
            by_subject.setdefault(holder, []).extend(on_action)
            for subject, found in by_subject.items():
                self.mentions(subject, [(m, item) for m in found], document, section)

    def versions(self) -> None:
        """Each entry of a plan's version history: a dated prov:Entity revising the one before it."""
        numbers: dict[str, set[int]] = {}
        for version in self.records.versions:
            numbers.setdefault(version.plan, set()).add(version.number)
        for version in self.records.versions:
            plan = self.records.plans[version.plan]
            plan_node = self.mint("plan", plan.id)
            node = URIRef(f"{plan_node}/version/{version.number}")
            self.add(node, RDF.type, SG.PlanVersion)
            self.add(node, RDF.type, PROV.Entity)
            if version.number - 1 in numbers[version.plan]:
                self.add(
                    node, PROV.wasRevisionOf, URIRef(f"{plan_node}/version/{version.number - 1}")
                )
            self.add(plan_node, SG.version, node)
            self.text(node, RDFS.label, f"{plan.title} version {version.number}")
            self.add(node, SG.versionNumber, Literal(version.number, datatype=XSD.integer))
            self.text(node, SG.amendedByText, version.amended_by)
            for person in version.people:
                self.add(node, PROV.wasAttributedTo, self.mint("person", person))
            self.text(node, SG.dateText, version.date_text)
            if version.date:
                self.add(node, DCTERMS.date, Literal(version.date, datatype=XSD.date))
            self.text(node, DCTERMS.description, version.summary)
            self.provenance(node, version, plan.document, f"{plan.section}, Version History")

    def line(self, link: GovernanceLink) -> tuple[URIRef, URIRef, URIRef]:
        """Return the subject, predicate and object of the line ``link`` states."""
        subject = self.mint("board", link.subject)
        if link.relation == "reports_to":
            return subject, ORG.reportsTo, self.mint("board", link.object)
        if link.object in self.records.boards:
            return subject, SG.oversees, self.mint("board", link.object)
        if link.object in self.records.reviews:
            return subject, SG.oversees, self.mint("review", link.object)
        return subject, SG.oversees, self.mint("plan", link.object)

    def governance(self) -> None:
        lines = [(link, self.line(link)) for link in self.records.governance]
        # A statement is named by what it says: its subject, relation and object.
        named = [
            (
                self.mint("statement", link.subject, slug(link.relation), link.object),
                (*triple, link.modality, link.document, link.section, link.quote),
            )
            for link, triple in lines
        ]
        for (link, (subject, predicate, obj)), evidence in zip(lines, distinct(named), strict=True):
            # Only what a paper states is a fact of the governance; a line read from word
            # order, recommended or still to be set up lives on its statement alone.
            if link.modality == "stated":
                self.add(subject, predicate, obj)
            self.add(evidence, RDF.type, SG.GovernanceStatement)
            self.add(evidence, SG.modality, SG[link.modality])
            self.add(evidence, RDF.subject, subject)
            self.add(evidence, RDF.predicate, predicate)
            self.add(evidence, RDF.object, obj)
            self.text(evidence, SG.quote, link.quote)
            self.add(evidence, PROV.wasQuotedFrom, self.mint("document", link.document))
            self.text(evidence, SKOS.editorialNote, link.note)
            self.provenance(evidence, link, link.document, link.section)

    def write(self) -> TripleSet:
        for step in (
            self.documents,
            self.organisations,
            self.people,
            self.boards,
            self.reviews,
            self.plans,
            self.statuses,
            self.actions,
            self.ccg_gaps,
            self.peer_challenge,
            self.findings,
            self.versions,
            self.governance,
            self.memberships,
        ):
            step()
        return self.graph


def records_to_triples(
    records: Records, area: str = "rotherham", base: TripleSet | None = None
) -> TripleSet:
    """Return the triples of ``records``, with instance IRIs under the ``area`` namespace, over ``base``."""
    return _Writer(records, area, base).write()


def count_by_kind(graph: Graph | TripleSet) -> dict[str, int]:
    """Return how many nodes the graph has of each sendgraph kind, plus its triple count."""
    kinds = {
        "actions": SG.Action,
        "measures": SG.Measure,
        "findings": SG.Finding,
        "recommendations": SG.Recommendation,
        "strengths": SG.Strength,
        "areas for consideration": SG.AreaForConsideration,
        "self-assessment gaps": SG.SelfAssessmentGap,
        "plans": SG.Plan,
        "priorities": SG.Priority,
        "reviews": SG.Review,
        "boards": SG.Board,
        "people": FOAF.Person,
        "posts": ORG.Post,
        "organisations": ORG.Organization,
        "documents": SG.SourceDocument,
        "undefined codes": SG.UndefinedCode,
        "target dates": SG.TargetDate,
        "progress entries": SG.ProgressEntry,
        "board mentions": SG.BoardMention,
        "governance statements": SG.GovernanceStatement,
        "theme tags": SG.ThemeTag,
        "plan versions": SG.PlanVersion,
        "status observations": SG.StatusObservation,
    }
    nodes = {name: set(graph.subjects(RDF.type, cls)) for name, cls in kinds.items()}
    counts = {}
    for name, found in nodes.items():
        counts[name] = len(found)
        if name == "findings":
            # Why outputs count findings differently: the report lists those needing an
            # answer; the view draws a recommendation that is a row of a plan as an action.
            counts["findings needing an answer"] = sum(
                any(graph.value(f, p) is not None for p in ANSWER_EXPECTED_BY) for f in found
            )
            counts["findings that are strengths alone"] = (
                counts["findings"] - counts["findings needing an answer"]
            )
            counts["findings that are plan rows too"] = len(found & nodes["actions"])
    counts["target dates without a month"] = sum(
        1 for t in graph.subjects(RDF.type, SG.TargetDate) if graph.value(t, SG.month) is None
    )
    counts["triples"] = len(graph)
    return counts
