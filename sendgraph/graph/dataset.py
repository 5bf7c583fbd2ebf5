"""A folder of areas written as one dataset, each area in its named graph, streamed area by area.

``sendgraph build ENGLAND -f nq`` is the build at England scale. Holding every area's
triples at once (as `build_areas` does) cost 2.4 GB at 153 areas; here each area is
built in a worker (`iter_area_builds`), turned into N-Quads by naming its graph on each
line, and written out before the next, so memory holds a few areas at most. TriG, which
groups each graph's triples under prefixes, is written by pyoxigraph from a store
loaded area by area.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sendgraph.base.files import write_atomically
from sendgraph.base.problems import Problem, Severity, worst
from sendgraph.graph.areabuilds import AreaBuild, iter_area_builds
from sendgraph.graph.build import graph_iri
from sendgraph.graph.ontology import ontology_triples
from sendgraph.graph.vocab import PREFIXES


@dataclass(kw_only=True)
class Dataset:
    """What a dataset build found: every area's problems, and its counts summed over the areas."""

    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    quads: int = 0

    @property
    def ok(self) -> bool:
        """True when no area's build found an error (and so the dataset may be written)."""
        return worst(self.problems) != Severity.ERROR

    def take(self, built: AreaBuild) -> None:
        """Count one area in."""
        self.problems += built.problems
        self.counts.update({k: v for k, v in built.counts.items() if k != "triples"})
        self.quads += built.triples


class _Abandoned(Exception):
    """An area had an error: the dataset is not written."""


def write_dataset(
    areas: list[tuple[Path, str | None]], fmt: str, target: Path | BinaryIO, encoding: str | None
) -> Dataset:
    """Build ``areas`` and write them as ``fmt`` ("nq" or "trig") to ``target``, a file or a stream.

    Nothing is written when an area's build has an error: a file is written under a
    temporary name and the rename is abandoned, and a stream gets the dataset only whole.
    """
    found = Dataset()

    def chunks() -> Iterator[bytes]:
        yield from iter_nquads(areas, found, encoding) if fmt == "nq" else [trig(areas, found, encoding)]  # fmt: skip
        if not found.ok:
            raise _Abandoned

    with contextlib.suppress(_Abandoned):
        if isinstance(target, Path):
            write_atomically(target, chunks())
        else:
            target.write(b"".join(chunks()))
    return found


def quads(ntriples: bytes, graph: str) -> bytes:
    """Return N-Triples text as N-Quads in the named graph ``graph``.

    Every N-Triples line ends " .\\n", and nowhere else has a raw line break (a literal's
    is escaped as ``\\n``), so naming the graph before each line's end is one replace.
    """
    return ntriples.replace(b" .\n", f" <{graph}> .\n".encode())


def iter_nquads(
    areas: list[tuple[Path, str | None]], found: Dataset, encoding: str | None
) -> Iterator[bytes]:
    """Yield the ontology's graph, then each area's, as N-Quads; count each area into ``found``."""
    ontology = ontology_triples()
    found.quads += len(ontology)
    yield quads(ontology.ntriples(), graph_iri("ontology"))
    for built in iter_area_builds(areas, encoding):
        found.take(built)
        yield quads(built.ntriples, graph_iri(built.name))


def trig(areas: list[tuple[Path, str | None]], found: Dataset, encoding: str | None) -> bytes:
    """Return the ontology's graph and each area's as TriG, with sendgraph's prefixes."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(
        ontology_triples().ntriples(),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode(graph_iri("ontology")),
    )
    found.quads += len(ontology_triples())
    for built in iter_area_builds(areas, encoding):
        found.take(built)
        store.bulk_load(
            built.ntriples,
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(graph_iri(built.name)),
        )
    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    dumped = store.dump(format=ox.RdfFormat.TRIG, prefixes=prefixes)
    assert dumped is not None  # dump() returns the bytes when given no output
    return dumped
