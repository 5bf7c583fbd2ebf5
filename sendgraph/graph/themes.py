"""Themes: which findings and actions speak of which subject, by rules a reader can inspect.

A tagging rule is a row of a CSV file (``sendgraph/tagging/theme-rules.csv``, or a data
folder's own ``theme_rules.csv``): an id, the theme it tags, optionally a performance
measure it also points at, and a regular expression matched ignoring case and at word
boundaries. Rules read the words of every finding and action as the graph holds them
(``sg:text``, ``sg:strengthText``, ``sg:considerationText``). They do not read progress
text: progress says what was done, often in passing about other subjects (PR 17's
placement figures, CCG 1's "statutory timescales"), and a theme is about what the finding
or action itself asks for.

Each tag is a ``?item dcterms:subject ?theme`` link with an ``sg:ThemeTag`` holding the matched
words, the sentence they are in, the field, the rule and the item's provenance. After the
rules, the data folder's ``theme_corrections.csv`` adds or removes tags by hand, each
with its reason, and is kept as evidence too. This runs on the built graph, before SHACL
validation, so the shapes check the tags like any other evidence.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as default
from pathlib import Path

from rdflib import Literal, URIRef

from sendgraph.base.problems import Problem, Severity
from sendgraph.base.resources import theme_rules_file
from sendgraph.graph.tripleset import TripleSet
from sendgraph.graph.vocab import DCTERMS, PROV, RDF, RDFS, SG, SKOS, XSD
from sendgraph.read.sources import Readable, SourceRow, read_table

RULES_FILE = "theme_rules.csv"
CORRECTIONS_FILE = "theme_corrections.csv"
BUNDLED_RULES = "sendgraph/tagging/theme-rules.csv"
CHANGES = ("add", "remove")

# The fields rules read, with the name a tag gives each.
FIELDS = (
    (SG.text, "text"),
    (SG.strengthText, "strength"),
    (SG.considerationText, "area for consideration"),
)

# A sentence ends at . ! or ? followed by a capital or an opening bracket or quote
# ("e.g. joint workforce" goes on), or at a line break inside a cell.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(‘“'\"])|\n+")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class ThemeRule:
    """One tagging rule: the theme (and measure) it tags and the words it matches."""

    id: str
    theme: str
    measure: str
    pattern: str
    regex: re.Pattern[str]
    note: str
    source: str
    row: int

    def matches(self, text: str) -> list[re.Match[str]]:
        """Return the rule's matches in ``text``, in order."""
        return list(self.regex.finditer(text))


@dataclass(frozen=True)
class Correction:
    """One row of theme_corrections.csv: add or remove a theme on an item, and why."""

    item: URIRef
    ref: str
    theme: str
    change: str
    reason: str
    source: str
    row: int
    written_change: str = ""  # the change cell as written, kept as evidence


@dataclass
class _Tag:
    """A link a rule or correction makes, and the evidence gathered for it so far."""

    item: URIRef
    predicate: URIRef
    target: URIRef
    identifier: str
    field: str
    rule: ThemeRule | None
    quote: str
    matched: list[str] = default(default_factory=list)
    correction: Correction | None = None


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a rule's pattern as sendgraph matches it: ignoring case, at word boundaries.

    >>> compile_pattern("preparation for adulthood|post 16").findall("Post 16/Preparation for Adulthood Offer")
    ['Post 16', 'Preparation for Adulthood']
    >>> compile_pattern("ASD").findall("ASDAN and ASD")
    ['ASD']
    """
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


def sentence_around(text: str, position: int) -> str:
    """Return the sentence of ``text`` that holds the character at ``position``.

    >>> sentence_around("Work started. Only 20 people attended (e.g. staff). More next term.", 20)
    'Only 20 people attended (e.g. staff).'
    """
    begin = 0
    for end in _SENTENCE_END.finditer(text):
        if end.start() > position:
            return text[begin : end.start()].strip()
        begin = end.end()
    return text[begin:].strip()


def _identifiers(graph: TripleSet, *classes: URIRef) -> dict[str, URIRef]:
    found = {}
    for cls in classes:
        for node in graph.subjects(RDF.type, cls):
            identifier = graph.value(node, DCTERMS.identifier)
            if isinstance(node, URIRef) and identifier is not None:
                found[str(identifier)] = node
    return found


def load_theme_rules(
    path: Readable,
    source: str,
    themes: dict[str, URIRef],
    measures: dict[str, URIRef],
    encoding: str | None = None,
) -> tuple[list[ThemeRule], list[Problem]]:
    """Read a rule file; a rule with an unknown theme or measure, or a pattern that does not compile, is an error and is left out."""
    table, problems = read_table(
        path, source, ("id", "theme", "pattern"), ("measure", "note"), encoding=encoding
    )
    rules: list[ThemeRule] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        found = _rule(row, themes, measures, seen, problems)
        if found is not None:
            rules.append(found)
    return rules, problems


def _rule(
    row: SourceRow,
    themes: dict[str, URIRef],
    measures: dict[str, URIRef],
    seen: dict[str, int],
    problems: list[Problem],
) -> ThemeRule | None:
    before = len(problems)
    rule_id, theme, measure, pattern = (row.get(c) for c in ("id", "theme", "measure", "pattern"))
    if not _ID.fullmatch(rule_id):
        problems.append(
            row.problem("id", Severity.ERROR, f"{rule_id!r} is not a rule id such as pfa-post-16.")
        )
    elif rule_id in seen:
        problems.append(
            row.problem(
                "id", Severity.ERROR, f"rule id {rule_id!r} is already used on row {seen[rule_id]}."
            )
        )
    seen.setdefault(rule_id, row.row)
    if theme not in themes:
        problems.append(row.problem("theme", Severity.ERROR, _unknown("theme", theme, themes)))
    if measure and measure not in measures:
        problems.append(
            row.problem("measure", Severity.ERROR, _unknown("measure", measure, measures))
        )
    regex = None
    if not pattern:
        problems.append(row.problem("pattern", Severity.ERROR, "a rule needs a pattern."))
    else:
        try:
            re.compile(pattern)  # first alone, so that an error's position is in the rule's words
            regex = compile_pattern(pattern)
        except re.error as exc:
            problems.append(
                row.problem(
                    "pattern", Severity.ERROR, f"{pattern!r} is not a regular expression: {exc}."
                )
            )
    if regex is None or len(problems) > before:
        return None
    return ThemeRule(rule_id, theme, measure, pattern, regex, row.get("note"), row.source, row.row)


def _unknown(kind: str, value: str, known: dict[str, URIRef]) -> str:
    if not value:
        return f"a {kind} is needed."
    return f"{value!r} is not a {kind} of the framework; use one of {', '.join(sorted(known))}."


def _item_keys(graph: TripleSet) -> tuple[list[URIRef], dict[str, list[URIRef]]]:
    items = sorted(
        {
            node
            for cls in (SG.Finding, SG.Action)
            for node in graph.subjects(RDF.type, cls)
            if isinstance(node, URIRef)
        }
    )
    keys: dict[str, list[URIRef]] = defaultdict(list)
    for item in items:
        names = {str(n) for p in (SKOS.notation, RDFS.label) for n in graph.objects(item, p)}
        for name in names:
            keys[_ref_key(name)].append(item)
    return items, keys


def _ref_key(text: str) -> str:
    return "".join(text.split()).casefold()


def load_corrections(
    folder: Path,
    keys: dict[str, list[URIRef]],
    targets: dict[str, URIRef],
    encoding: str | None = None,
    complete: bool = True,
) -> tuple[list[Correction], list[Problem]]:
    """Read ``theme_corrections.csv`` from ``folder`` (no file, no corrections); every bad cell is a problem.

    When the graph is not ``complete`` (its tables had errors, so rows are missing), a
    ref it lacks is a note rather than an error: the error that matters is the table's.
    """
    path = folder / CORRECTIONS_FILE
    if not path.exists():
        return [], []
    source = f"{folder.name}/{CORRECTIONS_FILE}" if folder.name else CORRECTIONS_FILE
    table, problems = read_table(
        path, source, ("ref", "theme", "change", "reason"), encoding=encoding
    )
    corrections = []
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        ref, theme, change = row.get("ref"), row.get("theme"), row.get("change").casefold()
        before = len(problems)
        found = keys.get(_ref_key(ref), [])
        if not found and complete:
            problems.append(
                row.problem(
                    "ref",
                    Severity.ERROR,
                    f"{ref!r} is not the reference or label of any finding or action in this graph.",
                )
            )
        elif not found:
            problems.append(
                row.problem(
                    "ref",
                    Severity.INFO,
                    f"{ref!r} is not in the graph, which lacks the rows its data errors dropped; "
                    "checked again once they are fixed.",
                )
            )
        elif len(set(found)) > 1:
            problems.append(
                row.problem(
                    "ref", Severity.ERROR, f"{ref!r} names {len(set(found))} items; give one."
                )
            )
        if theme not in targets:
            problems.append(row.problem("theme", Severity.ERROR, _unknown("theme", theme, targets)))
        if change not in CHANGES:
            problems.append(
                row.problem("change", Severity.ERROR, f"{change!r} is not add or remove.")
            )
        if not row.get("reason"):
            problems.append(
                row.problem(
                    "reason",
                    Severity.WARNING,
                    "a correction should say why; it is applied all the same.",
                )
            )
        if not found or any(p.severity == Severity.ERROR for p in problems[before:]):
            continue
        key = (str(found[0]), theme)
        if key in seen:
            problems.append(
                row.problem(
                    "theme",
                    Severity.ERROR,
                    f"row {seen[key]} already corrects {theme!r} on {ref}; keep one.",
                )
            )
            continue
        seen[key] = row.row
        corrections.append(
            Correction(
                found[0],
                ref,
                theme,
                change,
                row.get("reason"),
                row.source,
                row.row,
                row.get("change"),
            )
        )
    return corrections, problems


class _Tagger:
    """Finds the tags of one graph, applies the corrections, and writes the triples."""

    def __init__(self, graph: TripleSet) -> None:
        self.graph = graph
        self.themes = _identifiers(graph, SG.Theme)
        self.measures = _identifiers(graph, SG.PerformanceMeasure, SG.StatutoryTimescale)
        self.tags: dict[tuple[URIRef, URIRef, URIRef], list[_Tag]] = defaultdict(list)

    def target(self, identifier: str) -> tuple[URIRef, URIRef]:
        if identifier in self.themes:
            return DCTERMS.subject, self.themes[identifier]
        return SG.pointsAtMeasure, self.measures[identifier]

    def run_rules(self, items: list[URIRef], rules: list[ThemeRule]) -> None:
        for item in items:
            for prop, name in FIELDS:
                for text in sorted(str(t) for t in self.graph.objects(item, prop)):
                    for rule in rules:
                        self.match(item, name, text, rule)

    def match(self, item: URIRef, name: str, text: str, rule: ThemeRule) -> None:
        found = rule.matches(text)
        if not found:
            return
        words = list(dict.fromkeys(m.group(0) for m in found))
        quote = sentence_around(text, found[0].start())
        for identifier in filter(None, (rule.theme, rule.measure)):
            predicate, target = self.target(identifier)
            self.tags[(item, predicate, target)].append(
                _Tag(item, predicate, target, identifier, name, rule, quote, words)
            )

    def correct(self, corrections: list[Correction]) -> list[Problem]:
        problems = []
        for fix in corrections:
            predicate, target = self.target(fix.theme)
            key = (fix.item, predicate, target)
            made = self.tags.get(key, [])
            if fix.change == "add" and made:
                rules = ", ".join(sorted({t.rule.id for t in made if t.rule}))
                problems.append(
                    Problem(
                        fix.source,
                        fix.row,
                        "change",
                        Severity.INFO,
                        f"{fix.ref} is already tagged {fix.theme} by rule {rules}; the correction is kept as evidence.",
                    )
                )
            if fix.change == "remove" and not made:
                problems.append(
                    Problem(
                        fix.source,
                        fix.row,
                        "change",
                        Severity.INFO,
                        f"{fix.ref} is not tagged {fix.theme}; there is nothing to remove.",
                    )
                )
                continue
            if fix.change == "add":
                name, text = self.main_text(fix.item)
                self.tags[key].append(
                    _Tag(fix.item, predicate, target, fix.theme, name, None, text, [], fix)
                )
            else:
                self.removal(fix, self.tags.pop(key))
                if predicate == DCTERMS.subject:
                    self.drop_measures_of(fix)
        return problems

    def drop_measures_of(self, fix: Correction) -> None:
        # A rule that tags a theme and a measure is undone as a whole: the measure link
        # rested on the same words the correction has just rejected.
        for key in [k for k in self.tags if k[0] == fix.item and k[1] == SG.pointsAtMeasure]:
            kept = [t for t in self.tags[key] if not (t.rule and t.rule.theme == fix.theme)]
            if kept:
                self.tags[key] = kept
            else:
                del self.tags[key]

    def main_text(self, item: URIRef) -> tuple[str, str]:
        for prop, name in (FIELDS[0], FIELDS[2], FIELDS[1]):
            value = self.graph.value(item, prop)
            if value is not None:
                return name, str(value)
        return "", ""

    def provenance(self, node: URIRef, item: URIRef, *, own_row: Correction | None) -> None:
        document = self.graph.value(item, PROV.hadPrimarySource)
        if document is not None:
            self.graph.add((node, PROV.hadPrimarySource, document))
        for value in self.graph.objects(item, SG.section):
            self.graph.add((node, SG.section, value))
        if own_row is not None:
            self.graph.add((node, SG.sourceFile, Literal(own_row.source)))
            self.graph.add((node, SG.sourceRow, Literal(own_row.row, datatype=XSD.integer)))
            return
        for prop in (SG.sourceFile, SG.sourceRow):
            for value in self.graph.objects(item, prop):
                self.graph.add((node, prop, value))

    def removal(self, fix: Correction, removed: list[_Tag]) -> None:
        target = self.target(fix.theme)[1]
        node = URIRef(f"{fix.item}/removed/{fix.theme}")
        add = self.graph.add
        add((node, RDF.type, SG.ThemeRemoval))
        add((node, SG.removedFrom, fix.item))
        add((node, SG.removedTheme, target))
        add((node, SG.taggedBy, Literal("correction")))
        add((node, SG.correctionChange, Literal(fix.written_change)))
        if fix.reason:
            add((node, SG.reason, Literal(fix.reason)))
        for tag in removed:
            if tag.rule:
                add((node, SG.themeRule, Literal(tag.rule.id)))
            for words in tag.matched:
                add((node, SG.matchedText, Literal(words)))
        self.provenance(node, fix.item, own_row=fix)

    def write(self) -> None:
        for (item, predicate, target), tags in sorted(self.tags.items()):
            self.graph.add((item, predicate, target))
            kind = "theme" if predicate == DCTERMS.subject else "measure"
            for tag in tags:
                made_by = tag.rule.id if tag.rule else "correction"
                suffix = f"{made_by}/{_slug(tag.field)}" if tag.rule else made_by
                node = URIRef(f"{item}/{kind}/{tag.identifier}/{suffix}")
                self.evidence(node, tag)

    def evidence(self, node: URIRef, tag: _Tag) -> None:
        add = self.graph.add
        add((node, RDF.type, SG.ThemeTag))
        add((node, RDF.subject, tag.item))
        add((node, RDF.predicate, tag.predicate))
        add((node, RDF.object, tag.target))
        if tag.field:
            add((node, SG.field, Literal(tag.field)))
        if tag.quote:
            add((node, SG.quote, Literal(tag.quote)))
        for words in tag.matched:
            add((node, SG.matchedText, Literal(words)))
        document = self.graph.value(tag.item, PROV.hadPrimarySource)
        if document is not None:
            add((node, PROV.wasQuotedFrom, document))
        if tag.rule is not None:
            add((node, SG.taggedBy, Literal("rule")))
            add((node, SG.themeRule, Literal(tag.rule.id)))
            add((node, SG.rulePattern, Literal(tag.rule.pattern)))
        if tag.correction is not None:
            add((node, SG.taggedBy, Literal("correction")))
            add((node, SG.correctionChange, Literal(tag.correction.written_change)))
            if tag.correction.reason:
                add((node, SG.reason, Literal(tag.correction.reason)))
        self.provenance(node, tag.item, own_row=tag.correction)


def _slug(text: str) -> str:
    return "-".join(text.split())


def tag_themes(
    graph: TripleSet, folder: Path, *, encoding: str | None = None, complete: bool = True
) -> list[Problem]:
    """Tag every finding and action of ``graph`` with its themes, in place; return the problems.

    The rules are the data folder's ``theme_rules.csv`` if it has one, else the bundled
    rules; the corrections are the folder's ``theme_corrections.csv``. The graph must
    hold the ontology, whose framework file defines the themes and measures. ``complete``
    is False when the graph was built from tables with errors (see `load_corrections`).
    """
    tagger = _Tagger(graph)
    own = folder / RULES_FILE
    if own.exists():
        source = f"{folder.name}/{RULES_FILE}" if folder.name else RULES_FILE
        rules, problems = load_theme_rules(
            own, source, tagger.themes, tagger.measures, encoding=encoding
        )
    else:
        rules, problems = load_theme_rules(
            theme_rules_file(), BUNDLED_RULES, tagger.themes, tagger.measures
        )
    items, keys = _item_keys(graph)
    tagger.run_rules(items, rules)
    corrections, found = load_corrections(
        folder, keys, tagger.themes | tagger.measures, encoding, complete
    )
    problems += found
    problems += tagger.correct(corrections)
    tagger.write()
    return problems
