"""References as people type them: "SEND 4", "send4", "peer review 14", "PC 5.5", "JCP 2".

Every node with a skos:notation (actions, findings, priorities, codes) can be named by
it. Typing is forgiven: case, spaces and hyphens between letters do not matter, and
"peer review", "peer challenge" and "joint commissioning" stand for PR, PC and JCP.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass

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


class References:
    """An index from reference keys to the nodes of one graph."""

    def __init__(self, store: QueryStore) -> None:
        found: dict[str, dict[str, Target]] = defaultdict(dict)
        for row in store.select(INDEX_QUERY):
            kinds = frozenset(t.rsplit("#", 1)[-1] for t in str(row["types"]).split())
            target = Target(
                str(row["node"]), str(row["notation"]), str(row["label"] or row["notation"]), kinds
            )
            key = reference_key(target.notation)
            if row["node"] not in found[key]:
                found[key][str(row["node"])] = target
        self.index = {key: list(targets.values()) for key, targets in found.items()}

    def resolve(self, text: str) -> Target:
        """Return the one node ``text`` names, or raise `UnknownReference` with the closest matches or the candidates."""
        key = reference_key(text)
        targets = self.index.get(key, [])
        if len(targets) == 1:
            return targets[0]
        if len(targets) > 1:
            names = ", ".join(f"{t.notation} ({' '.join(sorted(t.kinds))})" for t in targets)
            raise UnknownReference(f"{text!r} could mean any of: {names}.")
        close = difflib.get_close_matches(key, list(self.index), n=5, cutoff=0.6)
        suggestions = ", ".join(self.index[k][0].notation for k in close)
        hint = f" Closest: {suggestions}." if suggestions else ""
        raise UnknownReference(f"{text!r} is not a reference in this graph.{hint}")
