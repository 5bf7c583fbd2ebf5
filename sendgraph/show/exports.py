"""The data tables written back from a built graph, cell for cell.

The graph keeps every cell of the action, finding and priority tables as it was
written: an action's words in sg:text, its owner cell in sg:ownerText, its target date
cell in sg:targetDateText, a CCG gap's whole progress cell in sg:progressText, and each
node's data file and spreadsheet row in sg:sourceFile and sg:sourceRow. This module
reads them back into the tables of the sendgraph CSV format (``actions.csv``,
``peer_challenge.csv``, ``ccg_gaps.csv``, ``priorities.csv``), row for row in the order
of the file they came from, so that a graph can be checked against its data, or its
data recovered from it. The files are written as Excel writes "CSV UTF-8".
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from sendgraph.base.problems import Problem, Severity
from sendgraph.graph.vocab import DCTERMS, ID_BASE, PROV, RDF, SG, SKOS
from sendgraph.records.loader import COLUMNS
from sendgraph.show.tables import is_formula_like, render_csv, xml_forbidden, xml_safe

# The tables written back, in the order a reader of data/README.md meets them.
TABLES = ("actions", "priorities", "ccg_gaps", "peer_challenge")
UTF8_BOM = "\ufeff"

Cells = dict[str, str]


@dataclass
class ExportedTable:
    """One data table read back from a graph: its folder, name, columns and rows."""

    folder: str  # the data folder the rows came from, as sg:sourceFile names it ("data")
    name: str  # "actions"
    columns: tuple[str, ...]
    rows: list[Cells] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        """The file the table is written to: ``actions.csv``."""
        return f"{self.name}.csv"

    def formula_like_cells(self) -> int:
        """Count the cells a spreadsheet would read as formulas (see `sendgraph.show.tables.neutralise`)."""
        return sum(1 for row in self.rows for cell in row.values() if is_formula_like(cell))

    def render(self, *, safe: bool) -> bytes:
        """Return the table as a CSV file: UTF-8 with a byte-order mark, CRLF between rows."""
        cells = ([row.get(c, "") for c in self.columns] for row in self.rows)
        text = render_csv(self.columns, cells, safe=safe, line_end="\r\n")
        return (UTF8_BOM + text).encode("utf-8")


class _Reader:
    """Reads the cells of each table back from the nodes that came from it."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def literal(self, node: Node, prop: URIRef) -> str:
        value = self.graph.value(node, prop)
        return "" if value is None else str(value)

    def identifier(self, node: Node, prop: URIRef) -> str:
        """Return the data id of the node ``prop`` links to: the last part of its IRI."""
        target = self.graph.value(node, prop)
        if target is None:
            return ""
        # Instance IRIs are minted as {base}{area}/{kind}/{id}, from ids used as written.
        return str(target).removeprefix(ID_BASE).split("/", 2)[-1]

    def origin(self, node: Node) -> tuple[str, str, int] | None:
        """Return (folder, table, row) of the data file row ``node`` came from."""
        source = self.graph.value(node, SG.sourceFile)
        row = self.graph.value(node, SG.sourceRow)
        if source is None or row is None:
            return None
        folder, _, name = str(source).rpartition("/")
        return folder, name.removesuffix(".csv"), int(str(row))

    def nodes_from(self, cls: URIRef, table: str) -> Iterator[tuple[str, int, Node]]:
        for node in set(self.graph.subjects(RDF.type, cls)):
            where = self.origin(node)
            if where is not None and where[1] == table:
                yield where[0], where[2], node

    def entries(self, node: Node) -> list[Node]:
        return sorted(
            self.graph.objects(node, SG.progressEntry),
            key=lambda e: int(self.literal(e, SG.rowNumber) or 0),
        )

    # -- tables -----------------------------------------------------------------

    def actions(self) -> Iterator[tuple[str, int, Cells]]:
        for folder, _, node in self.nodes_from(SG.Action, "actions"):
            for entry in self.entries(node):
                where = self.origin(entry)
                if where is None:
                    continue
                number = self.literal(entry, SG.rowNumber)
                # An item's first row is the item's own: its words sit on the action node.
                words = node if number == "1" else entry
                yield (
                    folder,
                    where[2],
                    {
                        "ref": self.literal(node, SKOS.notation),
                        "row": number,
                        "plan": self.identifier(node, DCTERMS.isPartOf),
                        "codes": self.literal(words, SG.codesText),
                        "action": self.literal(words, SG.text if number == "1" else SG.actionText),
                        "owner": self.literal(words, SG.ownerText),
                        "target_date": self.literal(entry, SG.targetDateText),
                        "progress": self.literal(entry, SG.text),
                        "status": self.literal(entry, SG.statusText),
                        "note": self.literal(words, SKOS.editorialNote),
                    },
                )

    def priorities(self) -> Iterator[tuple[str, int, Cells]]:
        for folder, row, node in self.nodes_from(SG.Priority, "priorities"):
            yield (
                folder,
                row,
                {
                    "ref": self.literal(node, SKOS.notation),
                    "plan": self.identifier(node, DCTERMS.isPartOf),
                    "title": self.literal(node, DCTERMS.title),
                    "lead_officer": self.literal(node, SG.leadOfficerText),
                    "note": self.literal(node, SKOS.editorialNote),
                },
            )

    def ccg_gaps(self) -> Iterator[tuple[str, int, Cells]]:
        for folder, row, node in self.nodes_from(SG.SelfAssessmentGap, "ccg_gaps"):
            yield (
                folder,
                row,
                {
                    "ref": self.literal(node, SKOS.notation),
                    "review": self.identifier(node, PROV.wasGeneratedBy),
                    "issue": self.literal(node, SG.text),
                    "progress": self.literal(node, SG.progressText),
                    "note": self.literal(node, SKOS.editorialNote),
                },
            )

    def peer_challenge(self) -> Iterator[tuple[str, int, Cells]]:
        for folder, row, node in self.nodes_from(SG.Finding, "peer_challenge"):
            # The row's identified action, if it has one, is the action made from the
            # same row that answers the finding; its progress update hangs off it.
            holders = [
                a for a in self.graph.subjects(SG.answers, node) if self.origin(a) == (folder, "peer_challenge", row)
            ]  # fmt: skip
            holder = holders[0] if holders else node
            progress = self.entries(holder)
            yield (
                folder,
                row,
                {
                    "ref": self.literal(node, SKOS.notation),
                    "review": self.identifier(node, PROV.wasGeneratedBy),
                    "section": self.literal(node, SG.section),
                    "strength": self.literal(node, SG.strengthText),
                    "area_for_consideration": self.literal(node, SG.considerationText),
                    "identified_action": self.literal(holders[0], SG.text) if holders else "",
                    "progress_update": self.literal(progress[0], SG.text) if progress else "",
                    "note": self.literal(node, SKOS.editorialNote),
                },
            )


def network_file(network: Any, fmt: str, target: str) -> tuple[bytes, list[Problem]]:
    """Write a network (`sendgraph.show.view.to_networkx`) as a GraphML or GEXF document for ``target``.

    A cell may hold characters XML 1.0 cannot hold (a vertical tab pasted from Excel, a
    NUL); a document holding one is not XML, and Gephi, Cytoscape and every strict
    parser refuse it. Each such character is written as U+FFFD (`xml_safe`), and each
    node or edge attribute so written is a warning naming it and the characters.
    """
    import networkx as nx

    problems: list[Problem] = []

    def safe(text: Any, where: str) -> str:
        text = str(text)
        found = xml_forbidden(text)
        if found:
            problems.append(
                Problem(
                    target,
                    0,
                    "",
                    Severity.WARNING,
                    f"{where}: {', '.join(found)} cannot be written in XML; "
                    f"{'it is' if len(found) == 1 else 'they are'} written as U+FFFD.",
                )
            )
        return xml_safe(text)

    def attributes(values: dict[str, Any], where: str) -> dict[str, str]:
        return {
            safe(name, f"{where} attribute name {name!r}"): safe(value, f"{where} {name}")
            for name, value in values.items()
        }

    written = nx.MultiDiGraph()
    for node, values in network.nodes(data=True):
        where = f"node {node!r}"
        written.add_node(safe(node, where), **attributes(values, where))
    for start, end, key, values in network.edges(keys=True, data=True):
        where = f"edge {start!r} -> {end!r}"
        written.add_edge(
            xml_safe(str(start)), xml_safe(str(end)), key=key, **attributes(values, where)
        )
    buffer = io.BytesIO()
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(written, buffer)
    return buffer.getvalue(), problems


def export_tables(graph: Graph) -> list[ExportedTable]:
    """Read the action, priority, CCG gap and peer challenge tables back from ``graph``.

    Each data folder the graph was built from (one, or one per area) gives its own
    tables; a table with no rows in the graph is left out. Rows come in the order of
    the file they were read from.
    """
    reader = _Reader(graph)
    found: dict[tuple[str, str], list[tuple[int, Cells]]] = {}
    for name in TABLES:
        for folder, row, cells in getattr(reader, name)():
            found.setdefault((folder, name), []).append((row, cells))
    return [
        ExportedTable(folder, name, COLUMNS[name], [cells for _, cells in sorted(rows, key=lambda r: r[0])])
        for (folder, name), rows in sorted(found.items(), key=lambda kv: (kv[0][0], TABLES.index(kv[0][1])))
    ]  # fmt: skip


def table_files(tables: list[ExportedTable], *, safe: bool) -> dict[str, bytes]:
    """Return each table's file, by its path relative to the export folder.

    Tables of one data folder are written side by side (``actions.csv``); tables of
    several areas go in a folder per area (``barnsley/actions.csv``).
    """
    folders = {t.folder for t in tables}
    return {
        (t.file_name if len(folders) == 1 else f"{t.folder}/{t.file_name}"): t.render(safe=safe)
        for t in tables
    }
