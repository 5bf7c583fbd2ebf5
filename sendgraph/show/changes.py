"""A comparison of two versions (`sendgraph.ask.changes`) as tables, Markdown and RDF.

The rows, the Markdown and the Turtle all render the one `Comparison`; none of them
decides what changed. In RDF each version is a ``prov:Entity`` with its
``dcterms:date``, the newer ``prov:wasRevisionOf`` the older, and the
``prov:Revision`` that qualifies that link ``dcterms:hasPart`` each change, an
``sg:Change`` about its item (``dcterms:subject``) in the ontology's terms.
"""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from sendgraph.ask.changes import Change, Comparison, Version
from sendgraph.graph.vocab import DCTERMS, PREFIXES, PROV, RDF, RDFS, SG, XSD
from sendgraph.show.tables import markdown_text, render_markdown_table

Row = dict[str, Any]

# The columns a text table shows; CSV and JSON carry every field.
TABLE_COLUMNS = ["ref", "item", "change", "before", "after", "note"]
UNANSWERED_COLUMNS = ["ref", "kind", "text"]


def note(change: Change) -> str:
    """Return what a change's table row says beside before and after: its direction, months or similarity.

    >>> from sendgraph.ask.changes import Change
    >>> note(Change(item="action", area=None, ref="SEND 8", kind="target moved", before="Dec 17", after="March 18", months=3))
    '3 months later'
    """
    if change.similarity is not None:
        return f"similarity {change.similarity:.2f}"
    if change.months is not None:
        if change.months == 0:
            return "same month"
        count = abs(change.months)
        return f"{count} month{'s' if count != 1 else ''} {'later' if change.months > 0 else 'earlier'}"
    return change.direction or ""


def change_rows(comparison: Comparison, *, areas: bool = False) -> list[Row]:
    """Return the changes as rows for a table or CSV: every field, and the ``note`` a table shows.

    With ``areas`` (the versions hold more than one area) each row begins with its area.
    """
    rows = []
    for change in comparison.changes:
        row: Row = {"area": change.area} if areas else {}
        row |= {
            "ref": change.ref,
            "item": change.item,
            "change": change.kind,
            "before": _value(change.before),
            "after": _value(change.after),
            "note": note(change),
            "direction": change.direction,
            "months": change.months,
            "similarity": change.similarity,
            "old_iri": change.old_iri,
            "new_iri": change.new_iri,
        }
        rows.append(row)
    return rows


def unanswered_rows(comparison: Comparison, *, areas: bool = False) -> list[Row]:
    """Return the findings unanswered in both versions as rows."""
    return [
        ({"area": f.area} if areas else {})
        | {"ref": f.ref, "kind": f.kind, "text": f.text, "iri": f.iri}
        for f in comparison.still_unanswered
    ]


def csv_rows(comparison: Comparison, *, areas: bool = False) -> list[Row]:
    """Return the changes and the findings still unanswered as one table, the ``part`` column telling them apart."""
    return [
        *({"part": "change", **row} for row in change_rows(comparison, areas=areas)),
        *(
            {"part": "still unanswered", "item": "finding", **row}
            for row in unanswered_rows(comparison, areas=areas)
        ),
    ]


def _value(value: str | tuple[str, ...] | None) -> str | list[str] | None:
    return list(value) if isinstance(value, tuple) else value


def heading(comparison: Comparison) -> str:
    """Return the one line that says what was compared with what, and for which board.

    >>> from sendgraph.ask.changes import Comparison, Version
    >>> old = Version(path="may", uri="file:///may", date="2023-05-31", dated_by="")
    >>> new = Version(path="sept", uri="file:///sept", date=None, dated_by="")
    >>> heading(Comparison(changes=(), still_unanswered=(), old=old, new=new, board="SEND Board"))
    'Changes from may (2023-05-31) to sept (undated), in what SEND Board oversees'
    """
    line = "Changes"
    if comparison.old and comparison.new:
        line += f" from {_named(comparison.old)} to {_named(comparison.new)}"
    if comparison.board:
        line += f", in what {comparison.board} oversees"
    return line


def _named(version: Version) -> str:
    return f"{version.path} ({version.date or 'undated'})"


def render_markdown(comparison: Comparison, *, areas: bool = False) -> str:
    """Return the comparison as Markdown: a heading, the changes, and the findings still unanswered."""
    first = ["area"] if areas else []
    changes = change_rows(comparison, areas=areas)
    unanswered = unanswered_rows(comparison, areas=areas)
    parts = [
        f"# {markdown_text(heading(comparison))}",
        _markdown_rows(first + TABLE_COLUMNS, changes, "No changes."),
        "## Findings still unanswered in both versions",
        _markdown_rows(first + UNANSWERED_COLUMNS, unanswered, "None."),
    ]
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


def _markdown_rows(columns: list[str], rows: list[Row], empty: str) -> str:
    return (
        render_markdown_table(columns, [[row[c] for c in columns] for row in rows])
        if rows
        else empty
    )


def comparison_graph(comparison: Comparison) -> Graph:
    """Return the comparison as RDF: the two versions as dated prov:Entity, the revision, and each change."""
    assert comparison.old is not None and comparison.new is not None
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, str(namespace))
    old, new = (_version(graph, v) for v in (comparison.old, comparison.new))
    graph.add((new, PROV.wasRevisionOf, old))
    revision = BNode()
    graph.add((new, PROV.qualifiedRevision, revision))
    graph.add((revision, RDF.type, PROV.Revision))
    graph.add((revision, PROV.entity, old))
    if comparison.board:
        graph.add(
            (revision, RDFS.comment, Literal(f"Limited to what {comparison.board} oversees."))
        )
    for change in comparison.changes:
        node = BNode()
        graph.add((revision, DCTERMS.hasPart, node))
        graph.add((node, RDF.type, SG.Change))
        graph.add((node, RDFS.label, Literal(f"{change.ref} ({change.item}): {change.kind}")))
        graph.add((node, SG.changeKind, Literal(change.kind)))
        for iri in {change.old_iri, change.new_iri} - {None}:
            graph.add((node, DCTERMS.subject, URIRef(str(iri))))
        for predicate, value in ((SG.valueBefore, change.before), (SG.valueAfter, change.after)):
            for text in value if isinstance(value, tuple) else () if value is None else (value,):
                graph.add((node, predicate, Literal(text)))
        if change.direction:
            graph.add((node, SG.direction, Literal(change.direction)))
        if change.months is not None:
            graph.add((node, SG.monthsMoved, Literal(change.months, datatype=XSD.integer)))
        if change.similarity is not None:
            graph.add((node, SG.similarity, Literal(str(change.similarity), datatype=XSD.decimal)))
    for finding in comparison.still_unanswered:
        graph.add((revision, SG.stillUnanswered, URIRef(finding.iri)))
    return graph


def _version(graph: Graph, version: Version) -> URIRef:
    node = URIRef(version.uri)
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, RDFS.label, Literal(version.path)))
    if version.date:
        graph.add((node, DCTERMS.date, Literal(version.date, datatype=XSD.date)))
    return node


def render_turtle(comparison: Comparison) -> str:
    """Return the comparison as Turtle (`comparison_graph`)."""
    return comparison_graph(comparison).serialize(format="turtle")
