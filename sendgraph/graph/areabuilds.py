"""Many areas built at once: each in a worker process, each leaving as N-Triples text.

An area's build is pure Python (reading its tables, writing its triples, tagging
themes) and needs nothing from any other area, so areas build side by side on every
core. A worker sends back the area's own triples (without the ontology) as N-Triples
bytes, which is what the cache keeps and what a store or an N-Quads file takes, so
no graph is ever rebuilt from them in Python.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sendgraph.base.problems import Problem
from sendgraph.graph.build import build_graph
from sendgraph.graph.ontology import ontology_triples
from sendgraph.graph.triples import count_by_kind


@dataclass(kw_only=True)
class AreaBuild:
    """One area built: the name it was built under, its own triples as N-Triples, its problems and counts."""

    name: str
    ntriples: bytes
    triples: int  # how many lines ``ntriples`` holds
    problems: list[Problem]
    counts: dict[str, int]


def build_area(folder: Path, name: str | None, encoding: str | None) -> AreaBuild:
    """Build the area in ``folder`` (under ``name``, or the name its data gives) without SHACL."""
    built = build_graph(folder, encoding=encoding, area=name, validate=False)
    return AreaBuild(
        name=built.area,
        ntriples=built.triples.ntriples(own=True),
        triples=len(built.triples) - len(ontology_triples()),
        problems=list(built.problems),
        counts=count_by_kind(built.triples),
    )


_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends


def _die_with(parent: int) -> None:
    """Make this worker end with the command that started it, even when that is killed.

    Otherwise a worker whose command was killed waits on its task queue for ever: it
    holds a copy of the queue's writing end, so it never reads the end of it.
    """
    if not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the command ended before the line above took effect
        os._exit(1)


def workers() -> int:
    """Return how many areas to build at once: the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def iter_area_builds(
    areas: Sequence[tuple[Path, str | None]], encoding: str | None = None
) -> Iterator[AreaBuild]:
    """Build each (folder, name) of ``areas`` and yield the builds in the order given.

    With more than one area and more than one core, areas build in worker processes
    forked from this one: they start at once, with sendgraph imported, and inherit the
    command's guard (`sendgraph.base.guard`), so a worker may read and write no more
    than its command. The pool forks every worker before it starts a thread of its own.
    """
    count = min(workers(), len(areas))
    if count <= 1:
        for folder, name in areas:
            yield build_area(folder, name, encoding)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=count, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)
    ) as pool:
        folders = [folder for folder, _ in areas]
        names = [name for _, name in areas]
        yield from pool.map(build_area, folders, names, [encoding] * len(areas))
