"""Build the graph from a data folder: read, check, convert, validate, in one call."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph

from sendgraph.base.errors import InputError
from sendgraph.base.problems import Problem, Severity, worst
from sendgraph.base.resources import bundled_data
from sendgraph.graph.framework import link_review_kinds
from sendgraph.graph.ontology import ontology_triples
from sendgraph.graph.themes import tag_themes
from sendgraph.graph.triples import count_by_kind, records_to_triples
from sendgraph.graph.tripleset import TripleSet
from sendgraph.graph.validation import validate_graph
from sendgraph.graph.vocab import ID_BASE, PREFIXES
from sendgraph.read.rdfinput import is_rdf_file, read_rdf
from sendgraph.records.importer import import_folder, import_spreadsheets, is_imported_area
from sendgraph.records.loader import load_records
from sendgraph.records.model import Records


@dataclass
class Build:
    """The result of a build: its triples, the records they were made from, and every problem.

    The triples are a `TripleSet`, which the commands load into pyoxigraph or write out
    as they are; ``graph`` and ``areas`` give them as rdflib Graphs for users of the
    library, made on first use (an rdflib Graph costs about 70 µs a triple to fill).
    """

    triples: TripleSet
    records: Records
    problems: list[Problem] = field(default_factory=list)
    # Each area's own triples, without the ontology, by area name: what goes in its
    # named graph. Kept only when asked for, since at England scale it doubles memory.
    area_triples: dict[str, TripleSet] = field(default_factory=dict)
    area: str = "rotherham"  # the namespace of a single area's build

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return worst(self.problems) != Severity.ERROR

    @cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib Graph, with sendgraph's prefixes and the areas' bound."""
        names = list(self.area_triples) or [self.area]
        return self.triples.to_graph(PREFIXES | {name: f"{ID_BASE}{name}/" for name in names})

    @cached_property
    def areas(self) -> dict[str, Graph]:
        """Each area's own triples (``area_triples``) as an rdflib Graph."""
        return {name: triples.to_graph(PREFIXES) for name, triples in self.area_triples.items()}

    def counts(self) -> dict[str, int]:
        """Return the number of nodes of each kind, and of triples."""
        return count_by_kind(self.triples)

    def named_triples(self) -> dict[str, TripleSet]:
        """Return the dataset to publish: each area's triples under its graph IRI, and the ontology's.

        Areas sit in graphs of their own so that a store can load, compare and drop
        them one at a time (`graph_iri`).
        """
        areas = self.area_triples or {self.area: TripleSet(self.triples.own())}
        named = {graph_iri(area): triples for area, triples in areas.items()}
        named[graph_iri("ontology")] = ontology_triples()
        return named

    def named_graphs(self) -> dict[str, Graph]:
        """Return `named_triples` as rdflib Graphs."""
        return {iri: triples.to_graph(PREFIXES) for iri, triples in self.named_triples().items()}

    def serialize_dataset(self, fmt: str) -> bytes:
        """Return the named graphs as ``trig`` or ``nq`` (N-Quads) bytes."""
        import pyoxigraph as ox

        formats = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
        store = ox.Store()
        for iri, triples in self.named_triples().items():
            store.bulk_load(
                triples.ntriples(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri)
            )
        prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        dumped = store.dump(format=formats[fmt], prefixes=prefixes)
        assert dumped is not None  # dump() returns the bytes when given no output
        return dumped


GRAPH_BASE = "https://w3id.org/sendgraph/graph/"


def graph_iri(area: str) -> str:
    """Return the IRI of the named graph that holds ``area``'s triples (or ``"ontology"``).

    >>> graph_iri("rotherham")
    'https://w3id.org/sendgraph/graph/rotherham'
    """
    return GRAPH_BASE + area


def default_data_folder() -> Path:
    """Return the folder of the bundled Rotherham data."""
    return Path(str(bundled_data()))


def build_graph(
    data: Path | str | None = None,
    *,
    encoding: str | None = None,
    area: str | None = None,
    validate: bool = True,
) -> Build:
    """Build the knowledge graph from the CSV files in ``data`` (default: the bundled Rotherham data).

    A folder holding ``*.mapping.yaml`` files is an imported area: each mapping's
    spreadsheet is read through it (`import_folder`) instead of the CSV tables, and the
    area is the one the mappings name unless ``area`` is given. Otherwise ``area``
    defaults to "rotherham". When an import has errors, the graph holds only the
    ontology: nothing is built from a spreadsheet read wrongly.

    The graph holds the ontology too, so that it describes itself. Every problem with
    the input, and every SHACL result when ``validate`` is true, is in ``Build.problems``;
    nothing stops at the first one.

    >>> build = build_graph()
    >>> build.ok, build.counts()["recommendations"]
    (True, 23)
    """
    folder = Path(data) if data is not None else default_data_folder()
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of sendgraph data files.")
    if is_imported_area(folder):
        imported = import_folder(folder, encoding=encoding, area=area)
        records, problems, area = imported.records, imported.problems, imported.area
        if worst(problems) == Severity.ERROR:
            return Build(TripleSet(base=ontology_triples()), records, problems, area=area)
    else:
        records, problems = load_records(folder, encoding=encoding)
        area = area or "rotherham"
    graph = records_to_triples(records, area=area, base=ontology_triples())
    complete = worst(problems) != Severity.ERROR
    problems = (
        problems
        + link_review_kinds(graph, records, area)
        + tag_themes(graph, folder, encoding=encoding, complete=complete)
    )
    if validate:
        problems = problems + validate_graph(graph.to_graph())
    return Build(graph, records, problems, area=area)


def build_import(
    spreadsheet: Path | str,
    mapping: Path | str,
    *,
    encoding: str | None = None,
    area: str | None = None,
    validate: bool = True,
) -> Build:
    """Build the graph of one spreadsheet read through one mapping file (`sendgraph import`).

    Every mistake in the mapping or the spreadsheet is in ``Build.problems``, found
    before anything is built; when one is an error, the graph holds only the ontology.
    ``area`` overrides the area the mapping names.
    """
    imported = import_spreadsheets(
        [(Path(mapping), Path(spreadsheet))], encoding=encoding, area=area
    )
    if worst(imported.problems) == Severity.ERROR:
        return Build(
            TripleSet(base=ontology_triples()),
            imported.records,
            imported.problems,
            area=imported.area,
        )
    graph = records_to_triples(imported.records, area=imported.area, base=ontology_triples())
    # Themes as for a data folder: the mapping's folder may hold its own rules and corrections.
    problems = (
        imported.problems
        + link_review_kinds(graph, imported.records, imported.area)
        + tag_themes(graph, Path(mapping).parent, encoding=encoding)
    )
    problems += validate_graph(graph.to_graph()) if validate else []
    return Build(graph, imported.records, problems, area=imported.area)


def is_area(folder: Path) -> bool:
    """True when ``folder`` is one area's data: sendgraph CSV files (documents.csv) or mapping files."""
    return (folder / "documents.csv").exists() or is_imported_area(folder)


def area_folders(folder: Path) -> list[Path]:
    """Return the area folders under ``folder`` (each with its own documents.csv or mapping files), or ``[folder]`` if it is one area."""
    if is_area(folder):
        return [folder]
    return sorted(p for p in folder.iterdir() if p.is_dir() and is_area(p))


def chosen_areas(root: Path, only: str | None) -> list[Path]:
    """Return the area folders under ``root``, or the one named ``only``; an `InputError` when there is none."""
    areas = area_folders(root)
    if not areas:
        raise InputError(f"{root} holds no sendgraph data folder (a folder with documents.csv).")
    if only is None:
        return areas
    chosen = [a for a in areas if a.name == only]
    if not chosen:
        names = ", ".join(a.name for a in areas[:10]) + (", ..." if len(areas) > 10 else "")
        raise InputError(f"{root} has no area {only!r}; its areas are {names}.")
    return chosen


def build_areas(
    folder: Path | str,
    *,
    encoding: str | None = None,
    only: str | None = None,
    keep_areas: bool = False,
) -> Build:
    """Build every area under ``folder`` into one graph, each with IRIs in its own namespace.

    The area's name is its folder's name; ``only`` builds that one area alone. With
    ``keep_areas``, each area's own triples are kept too (``Build.areas``), for writing
    one named graph per area. SHACL validation is skipped here: it is the slow part at
    scale, and each area can be validated alone with `build_graph`.
    """
    root = Path(folder)
    areas = chosen_areas(root, only)
    graph = TripleSet(base=ontology_triples())
    problems: list[Problem] = []
    records = None
    kept: dict[str, TripleSet] = {}
    for area in areas:
        built = build_graph(area, encoding=encoding, area=area.name, validate=False)
        graph.update(built.triples.own())
        if keep_areas:
            kept[area.name] = TripleSet(built.triples.own())
        problems += built.problems
        records = records or built.records
    assert records is not None
    return Build(graph, records, problems, kept, area=root.name)


def is_folder_of_areas(data: Path | None) -> bool:
    """Return True when ``data`` is a folder of area folders rather than one area's data."""
    return data is not None and data.is_dir() and not is_area(data) and bool(area_folders(data))


def load_data(
    data: Path | None,
    *,
    encoding: str | None = None,
    area: str | None = None,
    validate: bool = False,
    keep_areas: bool = False,
) -> Build:
    """Build what a command asks about: one area's folder, a folder of areas, or one area of those.

    ``area`` names one area of a folder of areas (its folder name); on a single area's
    folder it must be that area's name. ``data`` may also be a graph file built
    elsewhere (`load_graph_file`).
    """
    if data is not None and is_rdf_file(data) and not data.is_dir():
        return load_graph_file(data, area=area)
    if is_folder_of_areas(data):
        assert data is not None
        return build_areas(data, encoding=encoding, only=area, keep_areas=keep_areas)
    built = build_graph(data, encoding=encoding, validate=validate)
    if area is not None and area != built.area:
        where = data if data is not None else "the bundled data"
        raise InputError(
            f"{where} holds one area, {built.area!r}; there is no area {area!r} in it."
        )
    return built


def load_graph_file(path: Path, *, area: str | None = None) -> Build:
    """Open a graph file built elsewhere (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads) to ask about.

    The file is read by `read_rdf`, which refuses what could reach beyond it. The
    ontology is added, since the questions rely on it and a graph from elsewhere may
    lack it. A TriG or N-Quads file written by ``sendgraph build`` holds each area in a
    named graph; ``area`` picks one of them.
    """
    read = read_rdf(path)
    areas = {
        iri.removeprefix(GRAPH_BASE): triples
        for iri, triples in read.named.items()
        if iri.startswith(GRAPH_BASE) and iri != graph_iri("ontology")
    }
    graph = read.graph
    if area is not None:
        if area not in areas:
            held = ", ".join(sorted(areas)) or "none (only a named graph per area makes one)"
            raise InputError(f"{path} has no area {area!r}; its areas are {held}.")
        areas = {area: areas[area]}
        graph = areas[area]
    triples = TripleSet(graph, base=ontology_triples())
    name = area or (next(iter(areas)) if len(areas) == 1 else path.stem)
    kept = {name: TripleSet(own) for name, own in areas.items()}
    return Build(triples, Records(), [], kept, area=name)
