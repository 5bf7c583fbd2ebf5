"""The persistent store: each area built once, kept on disk, and reused until its files change.

Building an area from its tables takes about a second; opening a store that already
holds it takes milliseconds. The cache folder (`cache_folder`) holds:

- ``areas/<key>.nt`` and ``areas/<key>.json``: one area's triples (N-Triples, without
  the ontology) and what its build found (its name and problems). The key is a hash of
  every file in the area's folder, its name, the encoding, and every file of sendgraph
  itself (code, ontology, shapes, bundled rules), so a changed input or a new sendgraph
  rebuilds it. The ``.json`` is written last: an ``.nt`` without it is not an entry.
- ``stores/<key>/``: a pyoxigraph store loaded from those entries, with a
  ``manifest.json`` naming each area and its key. A store is never changed once made:
  it is loaded under a temporary name and renamed into place whole, so a store without
  a manifest that matches is one a killed build left, and is removed and made again.
- ``lock``: taken exclusively (``fcntl.flock``) by whoever writes, so two commands never
  build at once; ``stores/<key>.lock`` is held shared by each command reading that
  store, so a store in use is never removed.

A folder of areas makes a "merged" store (every area in the default graph, as one
graph: what the questions ask) or a "named" one (each area in its own named graph,
for `serve`); the two differ because a triple two areas share is one triple when
merged but one per area when named.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from sendgraph.base.errors import OutputError
from sendgraph.base.files import write_atomically
from sendgraph.base.problems import Problem, Severity, worst
from sendgraph.graph.areabuilds import iter_area_builds
from sendgraph.graph.build import (
    chosen_areas,
    graph_iri,
    is_folder_of_areas,
)
from sendgraph.graph.ontology import ontology_triples

CACHE_ENV = "SENDGRAPH_CACHE"
FLAVOURS = ("merged", "named")
# Bumped when the layout of the cache folder changes, so an old layout is never read.
LAYOUT = "1"


def cache_folder() -> Path:
    """Return the cache folder: $SENDGRAPH_CACHE, else $XDG_CACHE_HOME/sendgraph, else ~/.cache/sendgraph."""
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sendgraph"


_FINGERPRINT: list[str] = []


def fingerprint() -> str:
    """Return a hash of every file of the sendgraph package: its code, ontology, shapes and rules.

    A cached area is valid only for the sendgraph that built it; hashing the files
    rather than trusting the version number covers a changed ontology or an edited
    install too. It takes a few milliseconds.
    """
    if not _FINGERPRINT:
        package = Path(__file__).resolve().parents[1]
        digest = hashlib.sha256(LAYOUT.encode())
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(package)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
        _FINGERPRINT.append(digest.hexdigest()[:32])
    return _FINGERPRINT[0]


@dataclass(kw_only=True)
class Area:
    """One area to build: its folder, the name it is built under (None: the folder's data decides), its key."""

    folder: Path
    name: str | None
    key: str


def area_key(folder: Path, name: str | None, encoding: str | None) -> str:
    """Return the hash of everything ``folder``'s build reads: its files, its name, the encoding, sendgraph."""
    digest = hashlib.sha256(f"{fingerprint()}\0{name or ''}\0{encoding or ''}\0".encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def areas_of(data: Path, only: str | None, encoding: str | None) -> list[Area]:
    """Return the areas a command asks about: each folder of a folder of areas (or ``only``), or the one area."""
    if not is_folder_of_areas(data):
        return [Area(folder=data, name=None, key=area_key(data, None, encoding))]
    folders = chosen_areas(data, only)
    return [Area(folder=f, name=f.name, key=area_key(f, f.name, encoding)) for f in folders]


@dataclass(kw_only=True)
class Entry:
    """One cached area: the name it was built under, its problems, its triples' file, and where answers about it are kept."""

    name: str
    problems: list[Problem]
    triples: Path
    answers: Path  # a folder written by `sendgraph.ask.areawise`; removed with the entry


@dataclass(kw_only=True)
class Opened:
    """A store ready to ask, the problems its areas' builds found, and what the cache did to make it."""

    store: ox.Store | None
    union: bool
    size: int
    area: str
    problems: list[Problem]
    built: int = 0
    reused: int = 0
    removed: int = 0  # half-written entries a killed build left, removed before building
    held: list[int] = field(
        default_factory=list
    )  # the shared locks on the store, kept while it is used
    entries: list[Entry] = field(default_factory=list)  # the areas it holds, in order

    @property
    def ok(self) -> bool:
        """True when no area's build found an error (and so a store was opened)."""
        return worst(self.problems) != Severity.ERROR

    def release(self) -> None:
        """Let the store go: once no command holds it, a newer build may remove it."""
        for handle in self.held:
            os.close(handle)
        self.held.clear()


def _problem_json(problem: Problem) -> list[object]:
    return [problem.source, problem.row, problem.field, int(problem.severity), problem.message]


def _problem(item: list[object]) -> Problem:
    source, row, column, severity, message = item
    return Problem(str(source), int(row), str(column), Severity(int(severity)), str(message))  # type: ignore[call-overload]


@contextlib.contextmanager
def _locked(path: Path, shared: bool = False) -> Iterator[int]:
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield handle
    finally:
        os.close(handle)


class Cache:
    """The cache folder: area entries and the stores loaded from them (see the module's notes)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.areas = folder / "areas"
        self.stores = folder / "stores"

    def _prepare(self) -> None:
        try:
            self.areas.mkdir(parents=True, exist_ok=True)
            self.stores.mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"cannot use the cache folder {self.folder}: {exc.strerror or exc}; "
                "give another with --cache DIR, or --no-cache."
            ) from None

    # -- entries ---------------------------------------------------------------------

    def entry(self, key: str) -> Entry | None:
        """Return the complete entry ``key``, or None when there is none (or only part of one)."""
        marker = self.areas / f"{key}.json"
        triples = self.areas / f"{key}.nt"
        try:
            about = json.loads(marker.read_text(encoding="utf-8"))
            if triples.stat().st_size != about["bytes"]:
                return None
            problems = [_problem(p) for p in about["problems"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return Entry(
            name=about["name"],
            problems=problems,
            triples=triples,
            answers=self.areas / f"{key}.answers",
        )

    def build_entries(self, areas: list[Area], encoding: str | None) -> Iterator[Entry]:
        """Build ``areas`` from their files (side by side, `iter_area_builds`) and write each entry: triples first, the marker last."""
        made = iter_area_builds([(a.folder, a.name) for a in areas], encoding)
        for area, built in zip(areas, made, strict=True):
            triples = self.areas / f"{area.key}.nt"
            write_atomically(triples, built.ntriples)
            about = {
                "name": built.name,
                "folder": str(area.folder.resolve()),
                "bytes": len(built.ntriples),
                "problems": [_problem_json(p) for p in built.problems],
            }
            write_atomically(self.areas / f"{area.key}.json", json.dumps(about).encode("utf-8"))
            answers = self.areas / f"{area.key}.answers"
            shutil.rmtree(
                answers, ignore_errors=True
            )  # answers about the files the area had before
            yield Entry(name=built.name, problems=built.problems, triples=triples, answers=answers)

    # -- stores ----------------------------------------------------------------------

    def store_key(self, areas: list[Area], flavour: str) -> str:
        """Return the key of the store of ``areas`` in ``flavour``."""
        text = "\0".join([fingerprint(), flavour, *(f"{a.name or ''}={a.key}" for a in areas)])
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def _manifest(self, key: str) -> dict[str, object] | None:
        try:
            manifest = json.loads((self.stores / key / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return manifest if isinstance(manifest, dict) and manifest.get("key") == key else None

    def _load(self, key: str, entries: list[Entry], flavour: str, about: dict[str, object]) -> None:
        """Load a new store from ``entries`` under a temporary name; rename it into place when whole."""
        temporary = self.stores / f".tmp-{key}.{os.getpid()}"
        shutil.rmtree(temporary, ignore_errors=True)
        store = ox.Store(str(temporary))
        named = flavour == "named"
        ontology = ontology_triples().ntriples()
        store.bulk_load(
            ontology,
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(graph_iri("ontology")) if named else None,
        )
        for entry in entries:
            store.bulk_load(
                path=str(entry.triples),
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(graph_iri(entry.name)) if named else None,
            )
        about = about | {"key": key, "flavour": flavour, "size": len(store)}
        store.flush()
        del store
        gc.collect()  # the store's files are closed only when the object is gone
        write_atomically(temporary / "manifest.json", json.dumps(about).encode("utf-8"))
        os.rename(temporary, self.stores / key)

    def _remove_partial(self) -> int:
        """Remove what killed builds left: temporary files and stores. Called holding the lock."""
        removed = 0
        for path in [*self.areas.glob(".*.tmp"), *self.areas.glob("*.answers/.*.tmp"), *self.stores.glob(".tmp-*")]:  # fmt: skip
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed += 1
        for path in self.stores.iterdir():
            if (
                path.is_dir()
                and not path.name.startswith(".")
                and self._manifest(path.name) is None
            ):
                shutil.rmtree(path, ignore_errors=True)  # renamed in without a whole manifest
                removed += 1
        return removed

    def _forget_older(self, key: str, about: dict[str, object]) -> None:
        """Remove the stores made before for the same data (not in use), and the entries only they used."""
        kept: set[str] = set()
        dropped: set[str] = set()
        for path in self.stores.iterdir():
            manifest = self._manifest(path.name) if path.is_dir() else None
            if manifest is None:
                continue
            areas = {str(k) for k in manifest.get("areas", {}).values()}  # type: ignore[attr-defined]
            same = all(manifest.get(k) == about[k] for k in ("data", "only", "flavour"))
            if path.name == key or not same:
                kept |= areas
                continue
            with open(self.stores / f"{path.name}.lock", "a+b") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    kept |= areas  # a command is reading it
                    continue
                shutil.rmtree(path, ignore_errors=True)
                dropped |= areas
        for stale in dropped - kept:
            for suffix in (".json", ".nt"):
                (self.areas / f"{stale}{suffix}").unlink(missing_ok=True)
            shutil.rmtree(self.areas / f"{stale}.answers", ignore_errors=True)

    def open(
        self, data: Path, areas: list[Area], *, encoding: str | None, flavour: str, only: str | None
    ) -> Opened:
        """Return the store of ``areas``, building what is missing, reusing what is there.

        A store already made is opened without taking the write lock; otherwise the
        lock is taken, what a killed build left is removed, each area not cached is
        built, and the store is loaded. When an area's build finds an error, no store
        is made and the `Opened` carries the problems.
        """
        self._prepare()
        key = self.store_key(areas, flavour)
        opened = self._open_made(key, areas)
        if opened is not None:
            return opened
        with _locked(self.folder / "lock"):
            opened = self._open_made(key, areas)
            if opened is not None:
                return opened
            removed = self._remove_partial()
            found = {area.key: self.entry(area.key) for area in areas}
            missing = [area for area in areas if found[area.key] is None]
            found |= {
                a.key: e
                for a, e in zip(missing, self.build_entries(missing, encoding), strict=True)
            }
            entries = [e for e in found.values() if e is not None]
            built = len(missing)
            problems = [p for e in entries for p in e.problems]
            name = entries[0].name if len(entries) == 1 else data.name
            if worst(problems) == Severity.ERROR:
                return Opened(store=None, union=False, size=0, area=name, problems=problems,
                              built=built, reused=len(areas) - built, removed=removed)  # fmt: skip
            about: dict[str, object] = {
                "data": str(data.resolve()),
                "only": only,
                "name": name,
                "areas": {e.name: a.key for e, a in zip(entries, areas, strict=True)},
            }
            self._load(key, entries, flavour, about)
            self._forget_older(key, about | {"flavour": flavour})
        opened = self._open_made(key, areas)
        if opened is None:
            raise OutputError(f"the store made in {self.stores / key} could not be opened.")
        opened.built, opened.reused, opened.removed = built, len(areas) - built, removed
        return opened

    def _open_made(self, key: str, areas: list[Area]) -> Opened | None:
        """Open the store ``key`` if it is whole and its areas' entries are all there; else None."""
        lock = os.open(self.stores / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o666)
        fcntl.flock(lock, fcntl.LOCK_SH)
        manifest = self._manifest(key)
        entries = [self.entry(a.key) for a in areas]
        if manifest is None or any(e is None for e in entries):
            os.close(lock)
            return None
        try:
            store = ox.Store.read_only(str(self.stores / key))
        except OSError:
            os.close(lock)
            return None
        return Opened(
            store=store,
            union=manifest["flavour"] == "named",
            size=int(manifest["size"]),  # type: ignore[call-overload]
            area=str(manifest["name"]),
            problems=[p for e in entries if e is not None for p in e.problems],
            held=[lock],
            entries=[e for e in entries if e is not None],
        )

    # -- the cache command -----------------------------------------------------------

    def _entry_markers(self) -> list[Path]:
        """The ``.json`` that marks each complete area entry (not the answers kept beside it)."""
        if not self.areas.is_dir():
            return []
        return list(self.areas.glob("*.json"))

    def info(self) -> dict[str, object]:
        """Return what the cache holds: its folder, counts of areas and stores, and bytes on disk."""
        size = sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file()) if self.folder.is_dir() else 0  # fmt: skip
        stores = [p for p in self.stores.iterdir() if p.is_dir() and not p.name.startswith(".")] if self.stores.is_dir() else []  # fmt: skip
        return {
            "folder": str(self.folder),
            "areas": len(self._entry_markers()),
            "stores": len(stores),
            "bytes": size,
        }

    def clear(self) -> int:
        """Remove every area entry and every store not in use; return how many stores are kept because in use."""
        if not self.folder.is_dir():
            return 0
        in_use = 0
        with _locked(self.folder / "lock"):
            if self.areas.is_dir():
                shutil.rmtree(self.areas)
            for path in list(self.stores.iterdir()) if self.stores.is_dir() else []:
                if not path.is_dir():
                    continue
                with open(self.stores / f"{path.name.removeprefix('.')}.lock", "a+b") as lock:
                    try:
                        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        in_use += 1
                        continue
                    shutil.rmtree(path)
        return in_use
