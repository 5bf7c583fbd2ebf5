"""References as people type them: "SEND 4", "send4", "peer review 14", "PC 5.5", "JCP 2".

Every node with a skos:notation (actions, findings, priorities, codes) can be named by
it. Typing is forgiven: case, spaces and hyphens between letters do not matter, and
"peer review", "peer challenge" and "joint commissioning" stand for PR, PC and JCP.
Over many areas, ``AREA:REF`` ("area-007:SEND 4") names one area's item
(`sendgraph.ask.areas`).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass

from sendgraph.ask.areas import area_of, listed, looks_like_area, named, split_area
from sendgraph.ask.sparql import QueryStore
from sendgraph.base.errors import UnknownReference

SYNONYMS = (
    (re.compile(r"\bPEER\s*REVIEW\b|\bRECOMMENDATION\b"), "PR"),
    (re.compile(r"\bPEER\s*CHALLENGE\b"), "PC"),
    (re.compile(r"\bJOINT\s*COMMISSIONING(\s*PLAN)?\b"), "JCP"),
)

INDEX_QUERY = """
SELECT ?node ?notation ?label (GROUP_CONCAT(DISTINCT STR(?type); separator=" ") AS ?types) WHERE {
  { ?node skos:notation ?notation } UNION { ?node skos:hiddenLabel ?notation . ?node a sg:UndefinedCode }
  ?node a ?type .
  OPTIONAL { ?node rdfs:label ?label }
  FILTER(?type != skos:Concept)
} GROUP BY ?node ?notation ?label
"""


def reference_key(text: str) -> str:
    """Fold a typed reference to the key it is looked up by.

    >>> [reference_key(t) for t in ("SEND 4", "send4", "peer review 14", "PC 5.5", "WORK-FORCE DEV 1", "LAC 2-2")]
    ['SEND4', 'SEND4', 'PR14', 'PC5.5', 'WORKFORCEDEV1', 'LAC2-2']
    """
    folded = " ".join(text.upper().split())
    for pattern, short in SYNONYMS:
        folded = pattern.sub(short, folded)
    folded = re.sub(r"(?<=[A-Z])-(?=[A-Z])", "", folded)
    return re.sub(r"[^A-Z0-9.\-]", "", folded)


@dataclass(frozen=True)
class Target:
    """A node a reference names, with its notation and its kinds (local names of its classes)."""

    iri: str
    notation: str
    label: str
    kinds: frozenset[str]

    def is_a(self, kind: str) -> bool:
        """True when the node is of class ``sg:<kind>``."""
        return kind in self.kinds

    @property
    def area(self) -> str | None:
        """The area whose namespace holds it."""
        return area_of(self.iri)

    @property
    def kind(self) -> str:
        """What it is, in a word or two: its first kind of `KINDS`, else its classes.

        >>> Target("i", "SEND 4", "SEND 4", frozenset({"Action", "Code", "Measure"})).kind
        'action'
        """
        return next((word for name, word in KINDS if name in self.kinds), None) or " ".join(
            sorted(self.kinds)
        )


# The kinds a candidate is named by in a message, most telling first.
KINDS = (
    ("Action", "action"),
    ("Finding", "finding"),
    ("Priority", "priority"),
    ("Plan", "plan"),
    ("Board", "board"),
    ("UndefinedCode", "undefined code"),
    ("Code", "code"),
)


class References:
    """An index from reference keys to the nodes of one graph."""

    def __init__(self, store: QueryStore) -> None:
        found: dict[str, dict[str, Target]] = defaultdict(dict)
        for row in store.area_local(INDEX_QUERY).records():
            kinds = frozenset(t.rsplit("#", 1)[-1] for t in str(row["types"]).split())
            target = Target(
                str(row["node"]), str(row["notation"]), str(row["label"] or row["notation"]), kinds
            )
            key = reference_key(target.notation)
            if row["node"] not in found[key]:
                found[key][str(row["node"])] = target
        self.index = {key: list(targets.values()) for key, targets in found.items()}
        self.areas = sorted({t.area for ts in self.index.values() for t in ts if t.area})

    @property
    def many_areas(self) -> bool:
        """True when the graph holds more than one area: then answers say which area each row is of."""
        return len(self.areas) > 1

    def resolve(self, text: str) -> Target:
        """Return the one node ``text`` names, or raise `UnknownReference` with the closest matches or the candidates.

        ``text`` may name one area's item as ``AREA:REF`` (`sendgraph.ask.areas`).
        """
        area, ref = split_area(text, self.areas)
        key = reference_key(ref)
        targets = [t for t in self.index.get(key, []) if area is None or t.area == area]
        if len(targets) == 1:
            return targets[0]
        if len(targets) > 1:
            raise self.ambiguous(text, targets)
        if area is None and looks_like_area(text) and key not in self.index:
            prefix = text.partition(":")[0].strip()
            raise UnknownReference(
                f"{text!r} is not a reference in this graph, and {prefix!r} is not one of "
                f"its areas ({listed(self.areas)})."
            )
        raise UnknownReference(self.unknown(text, key, area))

    def ambiguous(self, text: str, targets: list[Target]) -> UnknownReference:
        """The error for a reference naming several nodes: each with its area when they lie in more than one."""
        areas = {t.area for t in targets}
        if len(areas) < 2:
            kinds = ", ".join(f"{t.notation} ({' '.join(sorted(t.kinds))})" for t in targets)
            return UnknownReference(f"{text!r} could mean any of: {kinds}.")
        ordered = sorted(targets, key=lambda t: (t.area or "", t.notation, t.iri))
        names = [f"{named(t.area, t.notation, True)} ({t.kind})" for t in ordered]
        return UnknownReference(
            f"{text!r} names {len(targets)} items in {len(areas)} areas: {listed(names)}; "
            "name one as AREA:REF."
        )

    def unknown(self, text: str, key: str, area: str | None) -> str:
        """Say that ``text`` names nothing (in ``area``, when it names one), with the closest references there."""
        keys = [
            k for k, ts in self.index.items() if area is None or any(t.area == area for t in ts)
        ]
        close = difflib.get_close_matches(key, keys, n=5, cutoff=0.6)
        notations = [
            next(t.notation for t in self.index[k] if area is None or t.area == area) for k in close
        ]
        suggestions = ", ".join(named(area, n, True) for n in notations)
        hint = f" Closest: {suggestions}." if suggestions else ""
        where = area or "this graph"
        return f"{text!r} is not a reference in {where}.{hint}"
