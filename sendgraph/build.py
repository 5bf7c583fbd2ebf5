"""Build the graph from a data folder: read, check, convert, validate, in one call."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from sendgraph.graph import count_by_kind, records_to_graph
from sendgraph.problems import InputError, Problem, Severity, worst
from sendgraph.records import Records, load_records
from sendgraph.resources import bundled_data, ontology_file
from sendgraph.validation import validate_graph


@dataclass
class Build:
    """The result of a build: the graph, the records it was made from, and every problem."""

    graph: Graph
    records: Records
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return worst(self.problems) != Severity.ERROR

    def counts(self) -> dict[str, int]:
        """Return the number of nodes of each kind, and of triples."""
        return count_by_kind(self.graph)


def default_data_folder() -> Path:
    """Return the folder of the bundled Rotherham data."""
    return Path(str(bundled_data()))


def load_ontology() -> Graph:
    """Return the sendgraph ontology as a graph."""
    graph = Graph()
    graph.parse(data=ontology_file().read_text(encoding="utf-8"), format="turtle")
    return graph


def build_graph(
    data: Path | str | None = None,
    *,
    encoding: str | None = None,
    area: str = "rotherham",
    validate: bool = True,
) -> Build:
    """Build the knowledge graph from the CSV files in ``data`` (default: the bundled Rotherham data).

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
    records, problems = load_records(folder, encoding=encoding)
    graph = records_to_graph(records, area=area)
    graph += load_ontology()
    if validate:
        problems = problems + validate_graph(graph)
    return Build(graph, records, problems)


def area_folders(folder: Path) -> list[Path]:
    """Return the area folders under ``folder`` (each with its own documents.csv), or ``[folder]`` if it is one area."""
    if (folder / "documents.csv").exists():
        return [folder]
    return sorted(p for p in folder.iterdir() if (p / "documents.csv").exists())


def build_areas(folder: Path | str, *, encoding: str | None = None) -> Build:
    """Build every area under ``folder`` into one graph, each with IRIs in its own namespace.

    The area's name is its folder's name. SHACL validation is skipped here: it is the
    slow part at scale, and each area can be validated alone with `build_graph`.
    """
    root = Path(folder)
    areas = area_folders(root)
    if not areas:
        raise InputError(f"{root} holds no sendgraph data folder (a folder with documents.csv).")
    graph = load_ontology()
    problems: list[Problem] = []
    records = None
    for area in areas:
        built = build_graph(area, encoding=encoding, area=area.name, validate=False)
        for triple in built.graph:
            graph.add(triple)
        problems += built.problems
        records = records or built.records
    assert records is not None
    return Build(graph, records, problems)
