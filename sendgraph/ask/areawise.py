"""Questions about every item of many areas, answered one area at a time and kept with the area.

At England scale the store on disk answers a query that reads every item several
times slower than a store in memory: over 153 areas the gap rules took over a minute
and the index of references five seconds. None of those queries joins one area's
nodes to another's: each area's nodes are minted in the area's own namespace
(`sendgraph.graph.vocab.Minter`) and areas share only the ontology's terms. So their
answer over all areas is the union of each area's answer, and each area's is worked
out once, on a small store in memory holding that area's triples and the ontology,
and kept beside the area's cached triples (``areas/<key>.answers/<query key>.json``). The key
covers the area's files and sendgraph's own, so an area whose files change, or a new
sendgraph, answers afresh; the other areas' answers are read back in milliseconds.

Only the queries named as area-local (`AREA_LOCAL`, and the bundled gap rules) are
answered this way; `tests/test_areawise.py` checks, for each, that the union equals
the answer over all the areas in one store.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sendgraph.ask.sparql import QUERY_PREFIXES, XSD_STRING, Answer, Term, _term
from sendgraph.base.files import write_atomically
from sendgraph.graph.vocab import ID_BASE


@dataclass(kw_only=True)
class AreaPart:
    """One cached area: its name, its triples (N-Triples, without the ontology), the folder its answers are kept in."""

    name: str
    triples: Path
    answers: Path


def query_key(query: str) -> str:
    """Return the key an answer to ``query`` is kept under."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()[:32]


# A kept row is a list of cells in the order of the variables: None when unbound, a
# string for a plain (xsd:string) literal, the most common by far, else the term's
# type, value, datatype and language.
Cell = str | list[str | None] | None


def _cell(term: Term | None) -> Cell:
    if term is None:
        return None
    if term.type == "literal" and term.datatype == XSD_STRING and not term.lang:
        return term.value
    return [term.type, term.value, term.datatype, term.lang]


def _term_of(cell: Cell) -> Term:
    if isinstance(cell, str):
        return Term("literal", cell, XSD_STRING)
    assert cell is not None
    return Term(*cell)  # type: ignore[arg-type]


def _is_shared(row: dict[str, Term]) -> bool:
    """True when a row binds no node of an area: it is about the ontology's terms alone."""
    return not any(t.type == "uri" and t.value.startswith(ID_BASE) for t in row.values())


def ordering(query: str) -> list[str]:
    """The variables of a query's closing ``ORDER BY ?a ?b``, or [] when it has none."""
    match = re.search(r"ORDER\s+BY\s+((?:\?\w+\s*)+)\s*$", query, re.IGNORECASE)
    return re.findall(r"\?(\w+)", match[1]) if match else []


class AreaAnswers:
    """Answers to area-local queries over many cached areas, each area's worked out once and kept."""

    def __init__(self, parts: list[AreaPart], ontology: bytes, queries: Iterable[str]) -> None:
        """``queries`` are worked out together for an area lacking any of them, in one load of it."""
        self.parts = parts
        self.ontology = ontology
        self.queries = list(dict.fromkeys(queries))
        # Each answer over every area, once read: `serve` asks the same questions again
        # and again, and reading 153 areas' files each time cost it a second a request.
        self._answered: dict[str, Answer] = {}

    def _kept(self, part: AreaPart, query: str) -> dict[str, Any]:
        """Return ``part``'s kept answer to ``query``, working out every known query it lacks first if need be."""
        path = part.answers / f"{query_key(query)}.json"
        try:
            return dict(json.loads(path.read_bytes()))
        except (OSError, ValueError):
            pass
        made = self._work_out(part, [query, *self.queries])
        if query_key(query) in made:
            return made[query_key(query)]
        return dict(json.loads(path.read_bytes()))  # another command kept it meanwhile

    def _work_out(self, part: AreaPart, queries: list[str]) -> dict[str, dict[str, Any]]:
        """Answer the ``queries`` ``part`` has no kept answer to, on a store of it and the ontology; keep each."""
        store = ox.Store()
        store.bulk_load(self.ontology, format=ox.RdfFormat.N_TRIPLES)
        store.bulk_load(path=str(part.triples), format=ox.RdfFormat.N_TRIPLES)
        part.answers.mkdir(exist_ok=True)
        made = {}
        for text in dict.fromkeys(queries):
            path = part.answers / f"{query_key(text)}.json"
            if path.exists():
                continue
            result = store.query(text, prefixes=QUERY_PREFIXES)
            assert isinstance(result, ox.QuerySolutions)  # area-local queries are SELECTs
            variables = [v.value for v in result.variables]
            rows = [{v: _term(s[v]) for v in variables if s[v] is not None} for s in result]
            kept = {
                "variables": variables,
                "rows": [[_cell(row.get(v)) for v in variables] for row in rows],
                "shared": [n for n, row in enumerate(rows) if _is_shared(row)],
            }
            write_atomically(path, json.dumps(kept).encode("utf-8"), sync=False)
            made[query_key(text)] = kept
        return made

    def answer(self, query: str) -> Answer:
        """Return the answer to the area-local SELECT ``query`` over every area: each area's rows in turn.

        A row two areas both give (one about the ontology's terms alone) is given once.
        A query ending in ``ORDER BY`` plain variables has the rows put in that order
        across the areas too (`order_key`); rows that tie stay in area order.
        """
        known = self._answered.get(query_key(query))
        if known is None:
            known = self._answered[query_key(query)] = self._gather(query)
        return known

    def _gather(self, query: str) -> Answer:
        """Read (or work out) each area's answer to ``query`` and put them together."""
        variables: list[str] = []
        rows: list[dict[str, Term]] = []
        shared: set[tuple[Cell, ...]] = set()
        for part in self.parts:
            kept = self._kept(part, query)
            variables = variables or kept["variables"]
            flagged = set(kept["shared"])
            for number, cells in enumerate(kept["rows"]):
                if number in flagged:
                    key = tuple(json.dumps(c) for c in cells)
                    if key in shared:
                        continue  # over all areas at once this is one solution, not one per area
                    shared.add(key)
                rows.append(
                    {v: _term_of(c) for v, c in zip(variables, cells, strict=True) if c is not None}
                )
        for name in reversed(ordering(query)):
            rows.sort(key=lambda r, n=name: order_key(r.get(n)))  # type: ignore[misc]
        return Answer(kind="select", variables=variables, rows=rows)


NUMBERS = {
    f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("integer", "decimal", "double", "float")
}


def order_key(term: Term | None) -> tuple[int, float, str]:
    """Where ``term`` sorts in an ORDER BY: unbound first, then numbers by value, then by text."""
    if term is None:
        return (0, 0.0, "")
    if term.type == "literal" and term.datatype in NUMBERS:
        return (1, float(term.value), "")
    return (2, 0.0, term.value)
