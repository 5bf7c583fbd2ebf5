"""The named questions: oversight, trace, xref, owner, slippage and overdue.

Each question runs bundled SPARQL files (``sendgraph/queries/*.rq``) on the fast store,
with the values it asks about passed as bindings, and returns a list of plain
dictionaries. Every dictionary names what it is about with ``ref`` (actions, findings,
codes), ``name`` (people) or ``label`` (boards). Over a graph of many areas each row
begins with the ``area`` of the item it is about (`sendgraph.ask.areas.placed`); a
one-area graph's rows have no such column.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from rdflib import Graph, URIRef

from sendgraph.ask.areas import area_of, named, placed, split_area
from sendgraph.ask.facts import BoardFacts, Facts
from sendgraph.ask.references import INDEX_QUERY, References, Target
from sendgraph.ask.sparql import QueryStore
from sendgraph.base.errors import SendgraphError, UnknownReference
from sendgraph.graph.tripleset import TripleSet
from sendgraph.records.statuses import is_complete


def natural_key(text: object) -> list[Any]:
    """Sort "PR 2" before "PR 14", and "JCP 2.7" before "JCP 10.1".

    >>> sorted(["PR 14", "PR 2", "JCP 10.1", "JCP 2.7"], key=natural_key)
    ['JCP 2.7', 'JCP 10.1', 'PR 2', 'PR 14']
    """
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(text or ""))]


Row = dict[str, Any]


@dataclass(frozen=True)
class NamedQuery:
    """A bundled SPARQL file and the title and description in its header comments."""

    name: str
    title: str
    description: str
    text: str


def header_fields(text: str) -> dict[str, str]:
    """Return the ``# key: value`` lines that open a .rq file, keys in lower case.

    >>> header_fields("# Title: Owners of open actions")
    {'title': 'Owners of open actions'}
    """
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        fields[key.strip().lower()] = value.strip()
    return fields


def _parse_header(name: str, text: str) -> NamedQuery:
    fields = header_fields(text)
    return NamedQuery(name, fields.get("title", name), fields.get("description", ""), text)


INCLUDE = re.compile(r"^[ \t]*#include[ \t]+([a-z0-9-]+)[ \t]*$", re.MULTILINE)


@cache
def fragment(name: str) -> str:
    """Return the bundled SPARQL fragment ``name`` (``sendgraph/queries/include/NAME.rq``)."""
    entry = resources.files("sendgraph").joinpath("queries", "include", f"{name}.rq")
    if not entry.is_file():
        raise SendgraphError(f"#include {name}: there is no bundled fragment of that name.")
    return entry.read_text(encoding="utf-8")


def with_includes(text: str) -> str:
    """Replace each ``#include NAME`` line of a query with the bundled fragment ``NAME``.

    A definition several queries and rules share, such as what "oversees" means, is
    written once as a fragment, so they cannot disagree.

    >>> "sg:GovernanceStatement" in with_includes("#include oversees")
    True
    """
    return INCLUDE.sub(lambda match: fragment(match.group(1)), text)


@cache
def bundled_queries() -> dict[str, NamedQuery]:
    """Return the bundled named queries by name (the .rq file's stem), loaded once."""
    folder = resources.files("sendgraph").joinpath("queries")
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name.removesuffix(".rq")
            found[name] = _parse_header(name, with_includes(entry.read_text(encoding="utf-8")))
    return found


def query_text(name: str) -> str:
    """Return the SPARQL text of the bundled query ``name``."""
    return bundled_queries()[name].text


def area_local_queries() -> list[str]:
    """Return the questions that read every item but never join two areas (`sendgraph.ask.areawise`)."""
    from sendgraph.ask.gaps import bundled_rules

    return [
        INDEX_QUERY,
        ORGANISATION_QUERY,
        *(query_text(name) for name in AREA_LOCAL),
        *(rule.query for rule in bundled_rules()),
    ]


# The bundled questions without bindings that read every action of every area.
AREA_LOCAL = ("people", "action-details", "status-dates", "target-dates")


# An organisation by its name, label or any alias: an owner cell may name it ("ICB"); or
# a post by its title, where a plan names the post as owner and no one who holds it
# ("Head of SEND").
ORGANISATION_QUERY = """
SELECT ?organisation ?name WHERE {
  {
    ?organisation a org:Organization .
    { ?organisation rdfs:label ?name } UNION { ?organisation skos:altLabel ?name }
  } UNION {
    ?organisation a org:Post ; rdfs:label ?name .
    FILTER EXISTS { ?item sg:owner|sg:supportingPartner|sg:accountableLead ?organisation }
  }
}
"""


def _month_end(month: str) -> dt.date:
    year, number = (int(part) for part in month.split("-"))
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def _due_by(month: object, end: object) -> dt.date:
    """The last day of a target's period: its sg:periodEnd, or its month's end where the graph gives none."""
    return end if isinstance(end, dt.date) else _month_end(str(month))


def months_between(first: str, last: str) -> int:
    """Return how many months ``last`` ("2017-09") falls after ``first``; negative when before.

    >>> months_between("2017-06", "2018-03"), months_between("2017-06", "2017-01")
    (9, -5)
    """
    y1, m1 = (int(p) for p in first.split("-"))
    y2, m2 = (int(p) for p in last.split("-"))
    return (y2 - y1) * 12 + (m2 - m1)


# The modalities a path may follow: a recommended line is never one.
PATH_MODALITIES = ("stated", "inferred", "planned")


def path_modalities(include: Iterable[str] = ()) -> set[str]:
    """Return the modalities a path may follow: stated, and those of ``include``.

    >>> sorted(path_modalities(["inferred"]))
    ['inferred', 'stated']
    """
    extra = set(include)
    wrong = extra - set(PATH_MODALITIES)
    if wrong:
        raise SendgraphError(
            f"{', '.join(sorted(wrong))}: a path may follow only {', '.join(PATH_MODALITIES)} lines."
        )
    return {"stated", *extra}


def _modality(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _local(iri: object) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


class Questions:
    """The named questions over one graph."""

    def __init__(
        self,
        graph: Graph | TripleSet | None,
        backend: str = "oxigraph",
        named: Mapping[str, Graph | TripleSet] | None = None,
        *,
        store: QueryStore | None = None,
    ) -> None:
        """Ask over ``graph`` loaded on ``backend``, or over a ``store`` already loaded (then ``graph`` is None)."""
        if store is None:
            assert graph is not None
            store = QueryStore(graph, backend, named)
        self.store = store
        self.references = References(self.store)
        self._facts: dict[tuple[str, ...], Facts] = {}

    @property
    def many_areas(self) -> bool:
        """True when the graph holds more than one area, and rows say which area each is of."""
        return self.references.many_areas

    def placed(self, row: Row, iri: object) -> Row:
        """Return ``row`` with the area of the item ``iri`` first, over many areas (`placed`)."""
        return placed(row, iri, self.many_areas)

    def select(self, name: str, **bindings: str | URIRef) -> list[Row]:
        """Run the bundled query ``name`` with IRIs bound to variables; return its rows."""
        if name in AREA_LOCAL and not bindings:
            return self.store.area_local(query_text(name)).records()
        return self.store.select(query_text(name), {k: URIRef(v) for k, v in bindings.items()})

    def facts(self, include: Iterable[str] = ()) -> Facts:
        """Return the facts of every action and finding, derived once per choice of ``include``."""
        key = tuple(sorted(set(include)))
        if key not in self._facts:
            self._facts[key] = Facts.build(self, key)
        return self._facts[key]

    # -- resolving what the user asked about ------------------------------------

    def actions_for(self, ref: str) -> tuple[Target, list[str]]:
        """Resolve ``ref`` to the actions it stands for: an action itself, or the actions answering a finding."""
        target = self.references.resolve(ref)
        if target.is_a("Action"):
            return target, [target.iri]
        if target.is_a("Finding"):
            return target, [str(r["action"]) for r in self.select("answers", finding=target.iri)]
        if target.is_a("Priority"):
            rows = self.store.select(
                "SELECT ?plan ?action WHERE { ?action dcterms:isPartOf ?plan ; a sg:Action ; skos:notation ?ref } ORDER BY ?ref",
                {"plan": URIRef(target.iri)},
            )
            return target, [str(r["action"]) for r in rows]
        raise UnknownReference(
            f"{target.notation} is a {_kind(target)}, not an action or a finding."
        )

    # -- questions ---------------------------------------------------------------

    def oversight(self, ref: str, include: Iterable[str] = ()) -> list[Row]:
        """Every board over the action ``ref`` names, and the path by which it oversees it.

        A board oversees an action through a plan the action is part of, through the
        review whose finding it answers, through a report its progress text names, or
        up the reporting line from any of those boards (``include/oversees.rq``, the one
        definition the orphan-board rule uses too). Each step of a path carries its
        quote, document, section and modality. Only stated lines are followed unless
        ``include`` names "inferred" or "planned"; a recommended line never is.
        """
        return self.oversight_of(self.actions_for(ref)[1], include)

    def reporting_lines(self, include: Iterable[str] = ()) -> list[Row]:
        """Return the reporting lines between boards: stated ones, and those ``include`` names.

        ``include`` may name "inferred" and "planned"; a recommendation is never a
        reporting line. Each row has its ``modality``.
        """
        allowed = path_modalities(include)
        return [
            dict(row, modality=_modality(row["modality"]))
            for row in self.select("reporting-lines")
            if _modality(row["modality"]) in allowed
        ]

    def oversight_of(self, actions: list[str], include: Iterable[str] = ()) -> list[Row]:
        """Return the oversight paths of the actions given by IRI (see `oversight`)."""
        found = [
            self.placed(row, action)
            for action, rows in self.oversight_by_action(include, actions).items()
            for row in rows
        ]
        return sorted(
            found,
            key=lambda r: (
                r.get("area") or "", natural_key(r["ref"]), len(r["path"]), r["label"], r["via"],
            ),
        )  # fmt: skip

    def oversight_by_action(
        self, include: Iterable[str] = (), actions: list[str] | None = None
    ) -> dict[str, list[Row]]:
        """Return every action's oversight paths (see `oversight`) by its IRI, or those of ``actions``.

        Without ``actions`` the paths of all actions are found in one query.
        """
        allowed = path_modalities(include)
        lines = defaultdict(list)
        for line in self.reporting_lines(include):
            lines[str(line["board"])].append(line)
        if actions is None:
            rows = self.select("oversight")
        else:
            rows = [
                {**row, "action": URIRef(action)}
                for action in actions
                for row in self.select("oversight", action=action)
            ]
        found: dict[str, dict[tuple[Any, ...], Row]] = defaultdict(dict)
        for row in rows:
            modality = _modality(row["modality"])
            if modality not in allowed:
                continue
            relation = {
                "plan": "is part of",
                "review": "answers a finding of",
                "report": "reports to",
            }[row["via"]]
            first = {
                "from": row["ref"],
                "relation": relation,
                "to": row["through_label"] if row["via"] != "report" else row["board_label"],
                "modality": modality,
                "quote": row["quote"],
                "document": _local(row["document"]),
                "section": row["section"],
            }
            if row["via"] != "report":
                first["then"] = f"overseen by {row['board_label']}"
            path = [first]
            paths = [
                self._path_row(row["ref"], row["board"], row["board_label"], row["via"], path),
                *self._up_the_line(row["ref"], str(row["board"]), path, lines),
            ]
            unique = found[str(row["action"])]
            for r in paths:
                unique[(r["label"], r["via"], tuple(s["quote"] for s in r["path"]))] = r
        return {
            action: sorted(unique.values(), key=lambda r: (len(r["path"]), r["label"], r["via"]))
            for action, unique in found.items()
        }

    @staticmethod
    def _path_row(ref: str, board: object, label: str, via: str, path: list[Row]) -> Row:
        weaker = [step["modality"] for step in path if step["modality"] != "stated"]
        return {
            "ref": ref,
            "label": label,
            "board": str(board),
            "via": via,
            "modality": weaker[0] if weaker else "stated",
            "path": path,
        }

    def _up_the_line(
        self, ref: str, board: str, path: list[Row], lines: dict[str, list[Row]]
    ) -> list[Row]:
        rows, seen, frontier = [], {board}, [(board, path)]
        while frontier:
            current, steps = frontier.pop(0)
            for line in lines.get(current, []):
                above = str(line["reports_to"])
                if above in seen:
                    continue
                seen.add(above)
                step = {
                    "from": line["board_label"],
                    "relation": "reports to",
                    "to": line["reports_to_label"],
                    "modality": line["modality"],
                    "quote": line["quote"],
                    "document": _local(line["document"]),
                    "section": line["section"],
                }
                rows.append(
                    self._path_row(
                        ref, above, line["reports_to_label"], "reporting line", [*steps, step]
                    )
                )
                frontier.append((above, [*steps, step]))
        return rows

    def trace(self, ref: str) -> list[Row]:
        """Trace a finding to the actions that answer it, or an action to the findings it answers.

        For a finding: one row per answering action with its owners, accountable leads,
        their organisations, the boards over it, its status, target dates and progress.
        For an action: one row per finding it answers, per code it cites and per item that
        cites it. For a code: one row per item citing it, saying whether the code is
        defined. `untraced` says what a reference with no rows is.
        """
        target = self.references.resolve(ref)
        if target.is_a("Code") and not target.is_a("Action"):
            rows = [
                self.placed(
                    {
                        "ref": r["citer_ref"],
                        "code": target.notation,
                        "defined": False,
                        "relation": r["relation"],
                    },
                    r["citer"],
                )
                for r in self.select("citations", code=target.iri)
                if r["citer_ref"]
            ]
            return _by_relation(rows)
        if target.is_a("Finding"):
            return [
                self._action_summary(action, target.notation) for action in self.actions_for(ref)[1]
            ]
        if target.is_a("Action"):
            rows = [
                {
                    "ref": r["finding_ref"],
                    "relation": "answered by this action",
                    "action": target.notation,
                }
                for r in self.select("answers", action=target.iri)
                if r["finding"] != URIRef(target.iri) and str(r["finding"]) != target.iri
            ]
            rows += [
                {
                    "ref": r["code_ref"],
                    "relation": CITED_BY[str(r["relation"])],
                    "action": target.notation,
                }
                for r in self.select("citations", citer=target.iri)
                if r["relation"]
            ]
            rows += [
                {
                    "ref": r["citer_ref"],
                    "relation": f"{r['relation']} this measure",
                    "action": target.notation,
                }
                for r in self.select("citations", code=target.iri)
                if r["citer_ref"]
            ]
            return [self.placed(row, target.iri) for row in _by_relation(rows)]
        return [
            self._action_summary(action, target.notation) for action in self.actions_for(ref)[1]
        ]

    def about(self, ref: str | None = None, include: Iterable[str] = ()) -> list[Row]:
        """Everything the graph says of the action or finding ``ref``, or of every one.

        One row per action (``is``: "action") and per finding (``is``: "finding"); a
        recommendation that is a row of a plan is both. These are the facts every output
        shows (`Facts`): status, owners, accountable leads, the boards over an action
        with the kind and modality of each path, targets, progress and the findings an
        action answers; for a finding, its words and the actions that answer it.
        """
        facts = self.facts(include)
        chosen: set[str] | None = None
        if ref is not None:
            target = self.references.resolve(ref)
            if not (target.is_a("Action") or target.is_a("Finding")):
                raise UnknownReference(
                    f"{target.notation} is a {_kind(target)}, not an action or a finding."
                )
            chosen = {target.iri}
        rows: list[Row] = [
            self.placed({"is": "action", **fact.row(), "iri": iri}, iri)
            for iri, fact in facts.actions.items()
            if chosen is None or iri in chosen
        ]
        rows += [
            self.placed({"is": "finding", **fact.row(), "iri": iri}, iri)
            for iri, fact in facts.findings.items()
            if chosen is None or iri in chosen
        ]
        return rows

    def untraced(self, ref: str) -> list[str]:
        """Say, in lines, what ``ref`` is when `trace` finds nothing for it.

        An unanswered finding is given with its review, source and words; an action
        with its plan, saying it answers no finding, cites nothing and nothing cites it.
        """
        target = self.references.resolve(ref)
        if target.is_a("Finding"):
            [finding] = self.select("findings", finding=target.iri) or [{}]
            source = ", ".join(
                str(part)
                for part in (_local(finding.get("document") or ""), finding.get("section"))
                if part
            )
            lines = [
                f"Nothing answers {target.notation}: no action was identified for it.",
                f"{target.notation}, {finding.get('review_label') or 'a finding'}"
                + (f" ({source})" if source else "")
                + ":",
            ]
            text_is = next((w for k, w in TEXT_KINDS.items() if target.is_a(k)), "Finding")
            for key, label in {"text": text_is, **FINDING_WORDS}.items():
                if finding.get(key):
                    lines.append(f"  {label}: {' '.join(str(finding[key]).split())}")
            return lines
        if target.is_a("Action"):
            [details] = self.select("action-details", action=target.iri) or [{}]
            plan = f", an action of {details['plan_label']}," if details.get("plan_label") else ""
            return [
                f"{target.notation}{plan} answers no finding, cites no code, and nothing cites it."
            ]
        if target.is_a("Code"):
            return [f"Nothing cites {target.notation}."]
        return [f"No action is part of {target.notation}."]

    def _action_summary(self, action: str, finding: str) -> Row:
        return self.placed({"finding": finding, **self.facts().actions[action].row()}, action)

    def row_statuses(self, item: str | None = None) -> dict[str, list[Row]]:
        """Each row's own status, by item, for the items of more than one row (or ``item``).

        An item's status is its worst row's (docs/statuses.md); these are the rows shown
        beside it: ``row``, ``status`` (None when its words are in no scheme) and
        ``status_text``. Rows with no status cell are left out.
        """
        rows = self.select("progress", item=item) if item else self.select("progress")
        by_item: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_item[str(row["item"])].append(row)
        return {
            iri: [
                {"row": r["row"], "status": r["status"], "status_text": r["status_text"]}
                for r in entries
                if r["status"] or r["status_text"]
            ]
            for iri, entries in by_item.items()
            if len(entries) > 1
        }

    def xref(self, code: str) -> list[Row]:
        """Everything that cites ``code``, and what the code itself is."""
        target = self.references.resolve(code)
        if not target.is_a("Code"):
            raise UnknownReference(f"{target.notation} is a {_kind(target)}, not a code.")
        [details] = self.select("action-details", action=target.iri) or [{}]
        rows = self.select("citations", code=target.iri)
        what = (
            details.get("text")
            if rows and rows[0]["defined"]
            else "cited in these papers but never defined"
        )
        found = [
            self.placed(
                {
                    "ref": r["citer_ref"],
                    "relation": r["relation"],
                    "code": target.notation,
                    "defined": bool(r["defined"]),
                    "code_is": what,
                },
                r["citer"],
            )
            for r in rows
            if r["citer_ref"]
        ]
        return _by_relation(found)

    def person(self, name: str) -> list[str]:
        """Resolve a written name to person IRIs: by name, then label, initials, alias or post; else an organisation by name or alias.

        Names match as the view's search matches them: case, spaces and punctuation do
        not matter ("jackie-parkin", "PW(EY)"), and a part of one person's name or label
        names that person ("Parkin"). A name that matches no one is answered with the
        closest names there are. Over many areas a name may match one person or
        organisation in each of several areas: each is returned, one per area;
        ``AREA:NAME`` asks about one area's.
        """
        area, name = split_area(name, self.references.areas)
        people, posts, keys = self._people(area)
        wanted = name_key(name)
        by_name = [p for p, row in people.items() if name_key(str(row["name"])) == wanted]
        if _one_per_area(by_name):
            return by_name
        exact = [p for p, k in keys.items() if wanted in k]
        if not by_name and _one_per_area(exact):
            return exact
        if by_name:
            choices = "; ".join(
                f"{named(area_of(p), str(people[p]['person_label']), self.many_areas)} "
                f"({people[p]['initials'] or 'no initials'}: {', '.join(sorted(posts[p]))})"
                for p in by_name
            )
            raise UnknownReference(
                f"{name!r} names {len(by_name)} people: {choices}. Give the one you mean by its initials or label."
            )
        with_post = [
            p
            for p, row in people.items()
            if wanted.startswith(name_key(str(row["name"])))
            and any(name_key(post) in wanted for post in posts[p])
        ]
        if _one_per_area(with_post):
            return with_post
        organisations = sorted(
            {
                str(row["organisation"])
                for row in self.store.area_local(ORGANISATION_QUERY).records()
                if name_key(str(row["name"])) == wanted
                and (area is None or area_of(row["organisation"]) == area)
            }
        )
        if _one_per_area(organisations):
            return organisations
        if organisations:
            raise UnknownReference(
                f"{name!r} names {len(organisations)} organisations in one area; give the one you mean by its whole name."
            )
        return self._within(name, {p: str(row["person_label"]) for p, row in people.items()})

    def _people(
        self, area: str | None
    ) -> tuple[dict[str, Row], dict[str, set[str]], dict[str, set[str]]]:
        """Every person (of ``area``, if given) by IRI; their posts; the keys of their label, initials and aliases."""
        people: dict[str, Row] = {}
        posts: dict[str, set[str]] = defaultdict(set)
        keys: dict[str, set[str]] = defaultdict(set)
        for row in self.select("people"):
            person = str(row["person"])
            if area is not None and area_of(person) != area:
                continue
            people[person] = row
            if row["post"]:
                posts[person].add(str(row["post"]))
            keys[person] |= {
                name_key(str(v)) for v in (row["person_label"], row["initials"], row["alias"]) if v
            }
        return people, posts, keys

    def _within(self, name: str, labels: dict[str, str]) -> list[str]:
        """The person whose label holds ``name`` (one per area), or an error with the closest names."""
        typed = " ".join(name.split()).casefold()
        within = [p for p, label in labels.items() if typed and typed in label.casefold()]
        if _one_per_area(within):
            return within
        if within:
            raise UnknownReference(
                f"{name!r} is part of {len(within)} names: {', '.join(sorted(labels[p] for p in within))}; give the whole name."
            )
        close = difflib.get_close_matches(
            typed, {label.casefold(): label for label in labels.values()}, n=3, cutoff=0.6
        )
        suggested = [next(lb for lb in labels.values() if lb.casefold() == c) for c in close]
        hint = f"; did you mean {' or '.join(suggested)}?" if suggested else "."
        raise UnknownReference(f"no owner matches {name!r}{hint}")

    def board(
        self, name: str, rules: Iterable[Any] | None = None, include: Iterable[str] = ()
    ) -> Row:
        """Everything about the board ``name``: its seats, reporting lines, meetings, what it oversees, its gaps.

        Names match as `owner` matches people: case, spaces and punctuation do not matter,
        and a label or alias names the board; a name that matches none is answered with the
        closest. Its reporting lines are every line the papers give, each with its
        modality; what it oversees up the reporting lines (``by_plan``, ``rollup``)
        follows stated lines and those ``include`` names. The gaps are those whose
        subject is the board or an action it oversees directly (``include/oversees.rq``).
        """
        from sendgraph.ask.gaps import bundled_rules, find_gaps

        boards = self.facts(include).boards
        wanted = name_key(name)
        matches = [
            b for b in boards.values() if wanted in {name_key(n) for n in (b.label, *b.aliases)}
        ]
        if len(matches) != 1:
            labels = sorted(b.label for b in boards.values())
            if matches:
                raise UnknownReference(f"{name!r} names {len(matches)} boards: {', '.join(sorted(b.label for b in matches))}.")  # fmt: skip
            typed = " ".join(name.split()).casefold()
            close = difflib.get_close_matches(
                typed, [lb.casefold() for lb in labels], n=3, cutoff=0.5
            )
            suggested = [next(lb for lb in labels if lb.casefold() == c) for c in close]
            hint = f"; did you mean {' or '.join(suggested)}?" if suggested else "."
            raise UnknownReference(f"no board matches {name!r}{hint}")
        [board] = matches
        gaps = find_gaps(self.store, rules if rules is not None else bundled_rules())
        return self.board_answer(board, gaps, include)

    def board_answer(
        self, board: BoardFacts, gaps: Iterable[Row], include: Iterable[str] = ()
    ) -> Row:
        """A board's answer as `board` gives it, from its facts and the gaps found over the graph.

        The gaps kept are those whose subject is the board or an action it oversees
        directly (by lines of the modalities ``include`` adds to stated ones); the view's
        board panels are built by this too, with the gaps found once.
        """
        facts_of = self.facts(include)
        overseen = {
            action.iri
            for action in facts_of.actions.values()
            if any(o.board == board.iri and o.via != "reporting line" for o in action.oversight)
        }
        kept = [
            {k: v for k, v in gap.items() if k != "subject"}
            for gap in gaps
            if str(gap["subject"]) in overseen | {board.iri}
        ]
        facts = board.to_json()
        for group in facts["oversees"] + facts["by_plan"]:
            group["actions"] = sorted(group["actions"], key=natural_key)
        return {**facts, "gaps": kept}

    def owner(self, name: str) -> list[Row]:
        """Everything the person ``name`` owns, is accountable for or leads, with its status.

        Over many areas, a name that is someone in each of several areas is answered for
        each of them, area by area.
        """
        return [
            self.placed(
                {
                    "name": row["person_label"],
                    "ref": row["ref"],
                    "role": row["role"],
                    "status": row["status"],
                    "status_text": row["status_text"],
                },
                person,
            )
            for person in sorted(self.person(name), key=lambda p: area_of(p) or "")
            for row in self.select("responsibilities", person=person)
        ]

    def slippage(self) -> list[Row]:
        """Actions whose target date was revised, ranked by months slipped, then by revisions.

        Months are counted between the ends of the first and the last target's periods
        (sg:month is the month a period ends), whatever their precision: "Summer term
        2021" (ending July 2021) revised to "Q3 2021/22" (ending December 2021) slipped
        5 months.
        """
        dates: dict[str, list[Row]] = defaultdict(list)
        for row in self.select("target-dates"):
            dates[str(row["action"])].append(row)  # by node: areas share references
        ranked = []
        for revisions in dates.values():
            ref = str(revisions[0]["ref"])
            if len(revisions) < 2:
                continue
            first, last = revisions[0], revisions[-1]
            months = (
                months_between(str(first["month"]), str(last["month"]))
                if first["month"] and last["month"]
                else None
            )
            ranked.append(
                self.placed({
                    "ref": ref,
                    "revisions": len(revisions) - 1,
                    "first": first["raw"],
                    "last": last["raw"],
                    "months": months,
                    "targets": [r["raw"] for r in revisions],
                }, first["action"])
            )  # fmt: skip
        return sorted(
            ranked,
            key=lambda r: (
                r["months"] is None, -(r["months"] or 0), -r["revisions"], r["ref"], r.get("area") or "",
            ),
        )  # fmt: skip

    def overdue(self, as_of: dt.date | None = None) -> list[Row]:
        """Actions whose current target has ended before the as-of date and that are not complete.

        A target ends on the last day of the period it names: "31 July 2024" on that day,
        "Spring term 2025" on 30 April 2025, "2024/25" on 31 March 2025 (`dates`).

        The as-of date is, by default, the date the action's plan reports its statuses
        as at, never today.
        """
        status_dates = {str(r["action"]): r["status_date"] for r in self.select("status-dates")}
        found = []
        for row in self.select("action-details"):
            month = row["target_month"]
            when = as_of or status_dates.get(str(row["action"]))
            if not month or when is None or is_complete(row["status"]):
                continue
            if _due_by(month, row["target_end"]) < when:
                found.append(
                    self.placed(
                        {
                            "ref": row["ref"],
                            "target": row["target"],
                            "as_of": when.isoformat(),
                            "status": row["status"],
                            "status_text": row["status_text"],
                        },
                        row["action"],
                    )
                )
        return sorted(found, key=lambda r: (r.get("area") or "", natural_key(r["ref"])))

    # -- themes ------------------------------------------------------------------

    def recurring(self) -> list[Row]:
        """Themes raised by more than one review: the findings that raise them, and the earlier actions on them.

        A review raises a theme when a finding it generated is tagged with it; a theme
        recurs within one area (the namespace of its IRIs), never across areas. One row
        per area, theme, role, item and field: areas and themes in id order, then
        findings (undated reviews first, then by date), earlier actions and identified
        actions. Keys:

        - ``area``, ``theme``, ``theme_label``; ``raised_by``: the reviews, as "label (year)";
        - ``role``: "finding"; "earlier action", an action of a plan whose statuses are
          reported before the latest dated review raising the theme (in Rotherham, the
          2017 plan's rows, as at 25/09/17); "plan action", one reported after it; or
          "identified action", an action a raising review itself identified;
        - ``ref``, ``kind`` (recommendation, self-assessment gap, strength, area for
          consideration, action); ``review`` and ``year`` (None when the papers give no
          date) for findings; ``answers`` for identified actions;
        - ``field``, ``matched`` (the words the tag matched, as written), ``tagged_by``
          ("rule" or "correction"), ``rules``, ``reason`` (a correction's);
        - ``status``, ``status_text``, ``completed`` (a status the scheme marks complete, as "Completed" maps;
          None when the action has no status at all), ``status_date`` (ISO date) for
          actions;
        - ``document`` (document id), ``section``.
        """
        key = ("area", "theme_id", "ref", "field")
        findings = _merged(self.select("recurring"), key)
        themes = {(r["area"], r["theme_id"]) for r in findings}
        actions = [
            r
            for r in _merged(self.select("theme-actions"), key)
            if (r["area"], r["theme_id"]) in themes
        ]
        reviews: dict[tuple[str, str], dict[str, Row]] = defaultdict(dict)
        for row in findings:
            reviews[(row["area"], row["theme_id"])][str(row["review"])] = row
        found: list[Row] = []
        for area, theme in sorted(themes):
            raisers = sorted(reviews[(area, theme)].values(), key=_review_order)
            dates = [str(r["review_start"] or r["review_end"]) for r in raisers if _dated(r)]
            latest = max(dates, default=None)
            base = {
                "area": area,
                "theme": theme,
                "theme_label": raisers[0]["theme_label"],
                "raised_by": [f"{r['review_label']} ({_year(r) or 'undated'})" for r in raisers],
            }
            order = {str(r["review"]): n for n, r in enumerate(raisers)}
            mine = [r for r in findings if (r["area"], r["theme_id"]) == (area, theme)]
            for row in sorted(
                mine,
                key=lambda r: (order[str(r["review"])], natural_key(r["ref"]), r["field"] or ""),
            ):
                found.append(
                    base
                    | _evidence(row, "finding", row["finding_kind"])
                    | {"review": row["review_label"], "year": _year(row)}
                )
            answered = {r["ref"] for r in mine}
            for row in sorted(
                (r for r in actions if (r["area"], r["theme_id"]) == (area, theme)),
                key=lambda r: (r["status_date"] is None, natural_key(r["ref"]), r["field"] or ""),
            ):
                when = row["status_date"]
                if when is None and row["answers_ref"] not in answered:
                    continue
                if when is None:
                    role = "identified action"
                elif latest is None or when.isoformat() < latest:
                    role = "earlier action"
                else:
                    role = "plan action"  # reported after the latest review: a response to it
                found.append(base | _evidence(row, role, "action") | _status(row))
        return found

    def themes(self, ref: str | None = None, theme: str | None = None) -> list[Row]:
        """The theme and measure tags of an item (or of every item), with their evidence.

        ``ref`` names a finding or action; a finding brings the actions that answer it.
        ``theme`` keeps the tags of one theme or measure id. One row per item, tag and
        field: ``ref``, ``link`` ("theme", "measure" or "removed" for a correction that
        took a rule's tag away), ``theme``, ``theme_label``, ``field``, ``matched``,
        ``quote``, ``tagged_by``, ``rules``, ``pattern``, ``reason``, ``source``
        (data file and row), ``document``, ``section``.
        """
        items: set[str] | None = None
        if ref is not None:
            target = self.references.resolve(ref)
            items = {target.iri} | {
                str(r["action"]) for r in self.select("answers", finding=target.iri)
            }
        rows = [
            r
            for r in _merged(
                self.select("theme-tags"), ("item", "link", "target_id", "rule", "field")
            )
            if items is None or str(r["item"]) in items
        ]
        removed = [
            r | {"link": "removed", "tagged_by": "correction", "field": None, "quote": None,
                 "pattern": None, "document": None, "section": None}
            for r in _merged(self.select("theme-removals"), ("item", "target_id"))
            if items is None or str(r["item"]) in items
        ]  # fmt: skip
        found = [
            self.placed({
                "ref": r["ref"],
                "link": r["link"],
                "theme": r["target_id"],
                "theme_label": r["target_label"],
                "field": r["field"],
                "matched": r["matched"],
                "quote": r["quote"],
                "tagged_by": r["tagged_by"],
                "rules": r["rules"],
                "pattern": r["pattern"],
                "reason": r["reason"],
                "source": f"{r['source_file']}:{r['source_row']}",
                "document": _local(r["document"]) if r["document"] else None,
                "section": r["section"],
            }, r["item"])
            for r in rows + removed
            if theme is None or r["target_id"] == theme
        ]  # fmt: skip
        return sorted(
            found,
            key=lambda r: (
                r.get("area") or "", natural_key(r["ref"]), r["link"], r["theme"], r["field"] or "",
            ),
        )  # fmt: skip

    def theme_counts(self) -> list[Row]:
        """How many items each theme tags: findings, actions (a PR row is both), and those tagged by correction."""
        # An item is its area's and its reference: areas share references.
        many = self.many_areas

        def item(iri: object, ref: object) -> str:
            return named(area_of(iri), str(ref), many)

        rows = [r for r in self.themes() if r["link"] == "theme"]
        finding_refs = {item(r["finding"], r["ref"]) for r in self.select("findings")}
        action_refs = {item(r["action"], r["ref"]) for r in self.select("action-details")}
        found = []
        for theme in sorted({r["theme"] for r in rows}):
            tagged = [r for r in rows if r["theme"] == theme]
            refs = {named(r.get("area"), str(r["ref"]), many) for r in tagged}
            found.append(
                {
                    "theme": theme,
                    "theme_label": tagged[0]["theme_label"],
                    "items": len(refs),
                    "findings": len(refs & finding_refs),
                    "actions": len(refs & action_refs),
                    "by_correction": sorted(
                        {
                            named(r.get("area"), r["ref"], many)
                            for r in tagged
                            if r["tagged_by"] == "correction"
                        },
                        key=natural_key,
                    ),
                }
            )
        return found


def _one_per_area(iris: list[str]) -> bool:
    """True when ``iris`` are some nodes, no two of one area: what a name over many areas may name."""
    return bool(iris) and len({area_of(i) for i in iris}) == len(iris)


def _by_relation(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r["relation"], r.get("area") or "", natural_key(r["ref"])))


def _merged(rows: list[Row], key: tuple[str, ...]) -> list[Row]:
    """Fold one-row-per-matched-word answers into one row per ``key``, with ``matched`` and ``rules`` as lists."""
    merged: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        k = tuple(str(row.get(name)) for name in key)
        into = merged.setdefault(k, row | {"matched": [], "rules": []})
        if row.get("matched") is not None and row["matched"] not in into["matched"]:
            into["matched"].append(row["matched"])
        if row.get("rule") is not None and row["rule"] not in into["rules"]:
            into["rules"].append(row["rule"])
    return list(merged.values())


def _dated(review: Row) -> bool:
    return review["review_start"] is not None or review["review_end"] is not None


def _year(review: Row) -> int | None:
    return int(str(review["review_start"] or review["review_end"])[:4]) if _dated(review) else None


def _review_order(review: Row) -> tuple[bool, str, str]:
    # Undated reviews first: the papers leave undated a review that an older, dated plan
    # already answers (Rotherham's peer review, whose recommendations are 2017 plan rows).
    return (
        _dated(review),
        str(review["review_start"] or review["review_end"] or ""),
        str(review["review_label"]),
    )


def _evidence(row: Row, role: str, kind: str) -> Row:
    return {
        "role": role,
        "ref": row["ref"],
        "kind": kind,
        "field": row["field"],
        "matched": row["matched"],
        "tagged_by": row["tagged_by"],
        "rules": row["rules"],
        "reason": row["reason"],
        "document": _local(row["document"]) if row["document"] else None,
        "section": row["section"],
    }


def _status(row: Row) -> Row:
    when = row["status_date"]
    return {
        "answers": row["answers_ref"],
        "status": row["status"],
        "status_text": row["status_text"],
        "completed": is_complete(row["status"]) if row["status"] or row["status_text"] else None,
        "status_date": when.isoformat() if when is not None else None,
    }


def name_key(text: str) -> str:
    """Fold a written name to the key it is matched by, as the view's search does: letters and digits, in one case.

    >>> name_key("Jackie  Parkin"), name_key("PW (EY)"), name_key("jackie-parkin")
    ('jackieparkin', 'pwey', 'jackieparkin')
    """
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# How a code an action cites stands to it, by how the action cites it.
CITED_BY = {"references": "referenced by this action", "mentions": "mentioned by this action"}

# The words a finding is written in besides its text, as the findings query names them,
# and what each is; its text is named by the kind of finding (TEXT_KINDS).
FINDING_WORDS = {"strength": "Strength", "consideration": "Area for consideration"}
TEXT_KINDS = {"Recommendation": "Recommendation", "SelfAssessmentGap": "Self-assessment gap"}


def _kind(target: Target) -> str:
    for kind in ("Priority", "Plan", "Board", "Code"):
        if target.is_a(kind):
            return kind.lower()
    return "thing"


__all__ = ["NamedQuery", "Questions", "SendgraphError", "bundled_queries", "query_text"]
