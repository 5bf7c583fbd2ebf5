"""Check a built graph against the SHACL shapes, and report each result as a Problem."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from sendgraph.base.problems import Problem, Severity
from sendgraph.base.resources import shapes_file
from sendgraph.graph.vocab import PREFIXES, SG

SEVERITIES = {SH.Violation: Severity.ERROR, SH.Warning: Severity.WARNING, SH.Info: Severity.INFO}


def load_shapes() -> Graph:
    """Return the bundled SHACL shapes graph."""
    shapes = Graph()
    shapes.parse(data=shapes_file().read_text(encoding="utf-8"), format="turtle")
    return shapes


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        for prefix, namespace in PREFIXES.items():
            base = str(namespace)
            if node.startswith(base):
                return f"{prefix}:{node[len(base) :]}"
        return f"<{node}>"
    return str(node)


def validate_graph(graph: Graph, shapes: Graph | None = None) -> list[Problem]:
    """Validate ``graph`` with pySHACL and return one problem per validation result.

    Each problem points at the data file and row of the node that failed, when the node
    says where it came from, so a shape failure reads like any other input problem.
    """
    from pyshacl import validate  # lazy: pySHACL is slow to import and only needed here

    _, report, _ = validate(
        graph,
        shacl_graph=shapes if shapes is not None else load_shapes(),
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    problems = []
    for result in report.subjects(SH.focusNode, None):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        severity = SEVERITIES.get(report.value(result, SH.resultSeverity), Severity.ERROR)
        source = graph.value(focus, SG.sourceFile)
        row = graph.value(focus, SG.sourceRow)
        text = f"{_short(focus)} {_short(path)}: {message}".replace(" : ", ": ")
        problems.append(Problem(str(source or ""), int(row or 0), "", severity, f"shape: {text}"))
    return sorted(problems)
