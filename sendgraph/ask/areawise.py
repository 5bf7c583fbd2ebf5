"""Questions about every item of many areas, answered one area at a time and kept with the area.

At England scale the store on disk answers a query that reads every item several
times slower than a store in memory: over 153 areas the gap rules took over a minute
and the index of references five seconds. None of those queries joins one area's
nodes to another's: each area's nodes are minted in the area's own namespace
(`sendgraph.graph.vocab.Minter`) and areas share only the ontology's terms. So their
answer over all areas is the union of each area's answer, and each area's is worked
out once, on a small store in memory holding that area's triples and the ontology,
and kept beside the area's cached triples (``areas/<key>.answers.json``). The key
covers the area's files and sendgraph's own, so an area whose files change, or a new
sendgraph, answers afresh; the other areas' answers are read back in milliseconds.

Only the queries named as area-local (`AREA_LOCAL`, and the bundled gap rules) are
answered this way; `tests/test_areawise.py` checks, for each, that the union equals
the answer over all the areas in one store.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sendgraph.ask.sparql import QUERY_PREFIXES, Answer, Term, _term


@dataclass(kw_only=True)
class AreaPart:
    """One cached area: its name, its triples (N-Triples, without the ontology), where its answers are kept."""

    name: str
    triples: Path
    answers: Path


def query_key(query: str) -> str:
    """Return the key an answer to ``query`` is kept under."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()[:32]


def _rows_json(rows: list[dict[str, Term]]) -> list[dict[str, list[str | None]]]:
    return [{v: [t.type, t.value, t.datatype, t.lang] for v, t in row.items()} for row in rows]


def _rows(items: list[dict[str, list[Any]]]) -> list[dict[str, Term]]:
    return [{v: Term(*t) for v, t in row.items()} for row in items]


def _write(path: Path, data: bytes) -> None:
    """Write ``path`` whole through a temporary sibling: a reader sees the old answers or the new."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _ordering(query: str) -> list[str]:
    """The variables of a query's closing ``ORDER BY ?a ?b``, or [] when it has none."""
    match = re.search(r"ORDER\s+BY\s+((?:\?\w+\s*)+)\s*$", query, re.IGNORECASE)
    return re.findall(r"\?(\w+)", match[1]) if match else []


class AreaAnswers:
    """Answers to area-local queries over many cached areas, each area's worked out once and kept."""

    def __init__(self, parts: list[AreaPart], ontology: bytes, queries: Iterable[str]) -> None:
        """``queries`` are worked out together for an area that has none kept, in one load of it."""
        self.parts = parts
        self.ontology = ontology
        self.queries = list(dict.fromkeys(queries))
        self._kept: dict[str, dict[str, Any]] = {}

    def _answers(self, part: AreaPart, query: str) -> dict[str, Any]:
        """Return ``part``'s kept answers, working out ``query`` and the known queries if it lacks it."""
        kept = self._kept.get(part.name)
        if kept is None:
            try:
                kept = json.loads(part.answers.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                kept = {}
            self._kept[part.name] = kept
        assert kept is not None
        if query_key(query) not in kept:
            self._work_out(part, kept, [query, *self.queries])
        return kept

    def _work_out(self, part: AreaPart, kept: dict[str, Any], queries: list[str]) -> None:
        """Answer ``queries`` not yet in ``kept`` on a store of ``part`` and the ontology; keep them."""
        store = ox.Store()
        store.bulk_load(self.ontology, format=ox.RdfFormat.N_TRIPLES)
        store.bulk_load(path=str(part.triples), format=ox.RdfFormat.N_TRIPLES)
        for text in dict.fromkeys(queries):
            if query_key(text) not in kept:
                result = store.query(text, prefixes=QUERY_PREFIXES)
                assert isinstance(result, ox.QuerySolutions)  # area-local queries are SELECTs
                variables = [v.value for v in result.variables]
                rows = [{v: _term(s[v]) for v in variables if s[v] is not None} for s in result]
                kept[query_key(text)] = {"variables": variables, "rows": _rows_json(rows)}
        _write(part.answers, json.dumps(kept).encode("utf-8"))

    def answer(self, query: str) -> Answer:
        """Return the answer to the area-local SELECT ``query`` over every area: each area's rows in turn.

        A row two areas both give (one about the ontology's terms alone) is given once.
        A query ending in ``ORDER BY`` plain variables has the rows put in that order
        across the areas too (unbound first, as SPARQL orders them); rows that tie stay
        in area order.
        """
        variables: list[str] = []
        rows: list[dict[str, Term]] = []
        earlier: set[frozenset[tuple[str, Term]]] = set()
        for part in self.parts:
            found = self._answers(part, query)[query_key(query)]
            variables = variables or found["variables"]
            own = _rows(found["rows"])
            # A row that an earlier area gave too binds only the terms areas share (the
            # ontology's): over all areas at once it is one solution, so it is kept once.
            rows += [row for row in own if frozenset(row.items()) not in earlier]
            earlier |= {frozenset(row.items()) for row in own}
        for name in reversed(_ordering(query)):
            rows.sort(key=lambda r, n=name: (n in r, r[n].value if n in r else ""))  # type: ignore[misc]
        return Answer(kind="select", variables=variables, rows=rows)
