"""SHACL validation: what pySHACL costs, and whether pyshacl-turbo gives the same answers.

Run: .venv/bin/python benchmarks/shacl.py [--runs 3] [--skip-commands]

Times `sendgraph.graph.validation.validate_graph` (pySHACL) on the Rotherham graph and on
one synthetic area (median of ``--runs``), then on one broken copy of the Rotherham graph
per node shape of ``ontology/shapes.ttl``, each broken so that its shape fires (once
each). When pyshacl-turbo is importable, the same calls run again with pyshacl-turbo's
``validate`` in pySHACL's place (same arguments, same shapes), and two things are
compared: each report's results as (focus node, path, severity, source shape, constraint
component), counted, a property shape named by its node shape and path; and the problems
`validate_graph` returns as sendgraph prints them, messages included. "fires" says the
case's own shape is among pySHACL's results. A second table times `sendgraph build -o -`
against `sendgraph build --no-validate -o -` as whole processes (median of ``--runs``).

pyshacl-turbo is not a dependency of sendgraph: install it in a separate environment
to compare, e.g. ``python3 -m venv /tmp/turbo && /tmp/turbo/bin/pip install -e .
pyshacl-turbo`` and run this script with that Python. Without it, the tables have
pySHACL's figures only and say so. Prints Markdown tables for docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SH, SKOS, XSD

from sendgraph.graph.build import build_graph
from sendgraph.graph.validation import load_shapes, validate_graph
from sendgraph.graph.vocab import ORG, PROV, SG

try:
    import pyshacl_turbo
except ImportError:  # not a dependency: the comparison is skipped
    pyshacl_turbo = None

SENDGRAPH = str(Path(sys.executable).parent / "sendgraph")
SGSH = "https://w3id.org/sendgraph/shapes#"
Key = tuple[str, str, str, str, str]


# ---------------------------------------------------------------- running a validator


@contextlib.contextmanager
def validator(validate: Callable[..., Any], reports: list[Graph]) -> Iterator[None]:
    """Make `validate_graph` call ``validate`` for pySHACL's, keeping each report it returns."""
    original = pyshacl.validate

    def keeping(*args: Any, **kwargs: Any) -> Any:
        conforms, report, text = validate(*args, **kwargs)
        reports.append(report)
        return conforms, report, text

    pyshacl.validate = keeping
    try:
        yield
    finally:
        pyshacl.validate = original


def timed(
    validate: Callable[..., Any], graph: Graph, shapes: Graph
) -> tuple[float, Graph, list[str]]:
    """Run `validate_graph` with ``validate``; return its seconds, report graph and problems as printed."""
    reports: list[Graph] = []
    with validator(validate, reports):
        start = time.perf_counter()
        problems = validate_graph(graph, shapes)
        seconds = time.perf_counter() - start
    return seconds, reports[-1], [str(problem) for problem in problems]


def name(node: Any) -> str:
    """Return ``node`` as text, blank nodes as ``_``: a report's blank nodes are its own."""
    return "_" if isinstance(node, BNode) or node is None else str(node)


def shape_name(shape: Any, report: Graph, shapes: Graph) -> str:
    """Name a source shape: a node shape by its IRI, a property shape by its node shape and path."""
    if isinstance(shape, URIRef):
        return str(shape)
    for graph in (shapes, report):
        parent = graph.value(None, SH.property, shape)
        path = graph.value(shape, SH.path)
        if parent is not None or path is not None:
            return f"{name(parent)} / {name(path)}"
    return name(shape)


def keys(report: Graph, shapes: Graph) -> Counter[Key]:
    """Count each result of ``report`` as (focus node, path, severity, source shape, component)."""
    return Counter(
        (
            name(report.value(result, SH.focusNode)),
            name(report.value(result, SH.resultPath)),
            name(report.value(result, SH.resultSeverity)),
            shape_name(report.value(result, SH.sourceShape), report, shapes),
            name(report.value(result, SH.sourceConstraintComponent)),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    )


# ---------------------------------------------------------------- graphs broken per shape


def copy(graph: Graph) -> Graph:
    clone = Graph()
    for triple in graph:
        clone.add(triple)
    return clone


def first(graph: Graph, kind: URIRef) -> URIRef:
    """Return the first node of class ``kind`` in IRI order, so every run breaks the same node."""
    return min(s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef))


def provenance(graph: Graph, node: URIRef, document: URIRef) -> None:
    graph.add((node, SG.sourceFile, Literal("data/added.csv")))
    graph.add((node, SG.sourceRow, Literal(1)))
    graph.add((node, PROV.hadPrimarySource, document))


def break_provenance(g: Graph) -> None:
    action = first(g, SG.Action)
    g.remove((action, PROV.hadPrimarySource, None))
    g.set((first(g, SG.Board), SG.sourceRow, Literal(0)))


def break_document(g: Graph) -> None:
    g.remove((first(g, SG.SourceDocument), DCTERMS.date, None))


def break_action(g: Graph) -> None:
    action = first(g, SG.Action)
    g.add((action, SG.owner, first(g, SG.Code)))  # sh:or: not a person, organisation or post
    g.add((action, RDFS.label, Literal("a second label")))
    g.add((action, SG.status, Literal("Green")))


def break_finding(g: Graph) -> None:
    finding = min(g.subjects(PROV.wasGeneratedBy, None), key=str)
    for text in (SG.text, SG.strengthText, SG.considerationText):
        g.remove((finding, text, None))  # the node-level sh:or
    g.remove((finding, SKOS.notation, None))


def break_target_date(g: Graph) -> None:
    revised = min(g.subjects(PROV.wasRevisionOf, None), key=str)
    g.remove((revised, PROV.wasRevisionOf, None))  # SPARQL: the revision chain
    dated = min(g.subjects(SG.periodStart, None), key=str)
    g.set((dated, SG.periodEnd, Literal("2000-01-01", datatype=XSD.date)))  # ends before start
    g.set((dated, SG.targetKind, SG["target-someday"]))


def break_progress_entry(g: Graph) -> None:
    g.remove((first(g, SG.ProgressEntry), SG.rowNumber, None))


def break_status_observation(g: Graph) -> None:
    observation = URIRef("https://example.org/observation/1")  # none in Rotherham: one is added
    g.add((observation, RDF.type, SG.StatusObservation))
    provenance(g, observation, first(g, SG.SourceDocument))
    g.add((observation, SG.statusOf, first(g, SG.Board)))
    g.add((observation, SG.observedIn, Literal("2024-05", datatype=XSD.gYearMonth)))
    g.add((observation, SG.statusText, Literal("on track")))


def break_code(g: Graph) -> None:
    g.remove((first(g, SG.Code), SG.codeFamily, None))


def break_undefined_code(g: Graph) -> None:
    g.set((first(g, SG.UndefinedCode), SG.isDefined, Literal(True)))


def break_measure(g: Graph) -> None:
    g.set((first(g, SG.Measure), SG.isDefined, Literal(False)))


def break_person(g: Graph) -> None:
    g.remove((first(g, FOAF.Person), FOAF.name, None))


def break_post(g: Graph) -> None:
    g.add((first(g, ORG.Post), ORG.heldBy, first(g, SG.Board)))


def break_organisation(g: Graph) -> None:
    g.remove((first(g, ORG.Organization), RDFS.label, None))


def break_board(g: Graph) -> None:
    board = first(g, SG.Board)
    g.set((board, ORG.classification, SG["board-kind-club"]))
    g.add((board, SG.meetingIntervalDays, Literal(0)))


def break_register_entry(g: Graph) -> None:
    entry = URIRef("https://example.org/register/1")  # none in Rotherham: one is added
    g.add((entry, RDF.type, SG.RegisterEntry))
    provenance(g, entry, first(g, SG.SourceDocument))
    g.add((entry, PROV.wasQuotedFrom, first(g, SG.SourceDocument)))


def break_membership(g: Graph) -> None:
    membership = URIRef("https://example.org/membership/1")  # none in Rotherham: one is added
    person, board = first(g, FOAF.Person), first(g, SG.Board)
    g.add((membership, RDF.type, ORG.Membership))
    provenance(g, membership, first(g, SG.SourceDocument))
    g.add((membership, ORG.member, person))
    g.add((membership, ORG.organization, board))
    g.add((membership, ORG.role, SG.Member))
    g.add((person, ORG.headOf, board))  # SPARQL: a head who is not the chair
    g.add((membership, SG.quote, Literal("Member")))
    g.add((membership, PROV.wasQuotedFrom, first(g, SG.SourceDocument)))
    g.add((membership, SG.representing, first(g, FOAF.Person)))


def break_plan(g: Graph) -> None:
    g.add((first(g, SG.Plan), SG.statusDate, Literal("March 2024")))


def break_review(g: Graph) -> None:
    g.add((first(g, SG.Review), SG.reviewer, first(g, SG.Board)))


def break_plan_version(g: Graph) -> None:
    g.set((first(g, SG.PlanVersion), SG.versionNumber, Literal(0)))


def break_evidence(g: Graph) -> None:
    mention = first(g, SG.BoardMention)
    link = (
        g.value(mention, RDF.subject),
        g.value(mention, RDF.predicate),
        g.value(mention, RDF.object),
    )
    g.remove(link)  # type: ignore[arg-type]  # SPARQL: evidence for a missing link
    g.remove((mention, SG.quote, None))


def break_governance_statement(g: Graph) -> None:
    statements = sorted(g.subjects(RDF.type, SG.GovernanceStatement), key=str)
    unstated = [s for s in statements if g.value(s, SG.modality) != SG.stated]
    first_, second = unstated[0], unstated[1]
    g.add((first_, SG.modality, SG.stated))  # two modalities
    g.add(
        (g.value(second, RDF.subject), g.value(second, RDF.predicate), g.value(second, RDF.object))
    )  # type: ignore[arg-type]


def break_tagged_item(g: Graph) -> None:
    g.add((first(g, SG.Action), SG.theme, first(g, SG.Board)))


def break_status(g: Graph) -> None:
    g.add((SG["status-green"], SKOS.hiddenLabel, Literal("Done", lang="en")))  # a warning


def break_board_mention(g: Graph) -> None:
    g.remove((first(g, SG.BoardMention), SG.isReport, None))


def break_theme_tag(g: Graph) -> None:
    g.add((first(g, SG.ThemeTag), SG.taggedBy, Literal("guess")))


def break_theme_removal(g: Graph) -> None:
    g.remove((first(g, SG.ThemeRemoval), SG.removedTheme, None))


BREAKS: dict[str, Callable[[Graph], None]] = {
    "ProvenanceShape": break_provenance,
    "DocumentShape": break_document,
    "ActionShape": break_action,
    "FindingShape": break_finding,
    "TargetDateShape": break_target_date,
    "ProgressEntryShape": break_progress_entry,
    "StatusObservationShape": break_status_observation,
    "CodeShape": break_code,
    "UndefinedCodeShape": break_undefined_code,
    "MeasureShape": break_measure,
    "PersonShape": break_person,
    "PostShape": break_post,
    "OrganisationShape": break_organisation,
    "BoardShape": break_board,
    "RegisterEntryShape": break_register_entry,
    "MembershipShape": break_membership,
    "PlanShape": break_plan,
    "ReviewShape": break_review,
    "PlanVersionShape": break_plan_version,
    "EvidenceShape": break_evidence,
    "GovernanceStatementShape": break_governance_statement,
    "TaggedItemShape": break_tagged_item,
    "StatusShape": break_status,
    "BoardMentionShape": break_board_mention,
    "ThemeTagShape": break_theme_tag,
    "ThemeRemovalShape": break_theme_removal,
}


# ---------------------------------------------------------------- tables


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}"


def compared(
    shape: str, ours: tuple[float, Graph, list[str]], theirs: tuple[float, Graph, list[str]],
    shapes: Graph, differences: list[str],
) -> list[str]:  # fmt: skip
    """Return the cells comparing two validators' answers; note each difference under ``shape``."""
    mine, other = keys(ours[1], shapes), keys(theirs[1], shapes)
    for key in sorted((mine - other).elements()):
        differences.append(f"- {shape}: only pySHACL reports {key}")
    for key in sorted((other - mine).elements()):
        differences.append(f"- {shape}: only pyshacl-turbo reports {key}")
    printed, turbo = Counter(ours[2]), Counter(theirs[2])
    for problem in sorted((printed - turbo).elements()):
        differences.append(f"- {shape}: only pySHACL prints `{problem}`")
    for problem in sorted((turbo - printed).elements()):
        differences.append(f"- {shape}: only pyshacl-turbo prints `{problem}`")
    same = "yes" if mine == other else "NO"
    return [f"{same} ({mine.total()} results)", "yes" if printed == turbo else "NO"]


def clean_rows(
    graphs: dict[str, Graph], shapes: Graph, runs: int, differences: list[str]
) -> list[str]:
    rows = []
    for label, graph in graphs.items():
        ours = [timed(pyshacl.validate, graph, shapes) for _ in range(runs)]
        cells = [
            label,
            f"{len(graph)}",
            median([run[0] for run in ours]),
            "clean" if not ours[0][2] else "NOT clean",
        ]
        if pyshacl_turbo is not None:
            theirs = [timed(pyshacl_turbo.validate, graph, shapes) for _ in range(runs)]
            cells += [
                median([run[0] for run in theirs]),
                *compared(label, ours[0], theirs[0], shapes, differences),
            ]
        rows.append(f"| {' | '.join(cells)} |")
    return rows


def broken_rows(rotherham: Graph, shapes: Graph, differences: list[str]) -> list[str]:
    rows = []
    for shape, breaking in BREAKS.items():
        graph = copy(rotherham)
        breaking(graph)
        ours = timed(pyshacl.validate, graph, shapes)
        fires = any(SGSH + shape in key[3] for key in keys(ours[1], shapes))
        cells = [f"broken for {shape}", f"{len(graph)}", f"{ours[0]:.2f}"]
        cells.append("fires" if fires else "does not fire")
        if pyshacl_turbo is not None:
            theirs = timed(pyshacl_turbo.validate, graph, shapes)
            cells += [f"{theirs[0]:.2f}", *compared(shape, ours, theirs, shapes, differences)]
        rows.append(f"| {' | '.join(cells)} |")
    return rows


def process_seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [SENDGRAPH, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--skip-commands", action="store_true", help="Skip the whole-process table."
    )
    options = parser.parse_args()

    shapes = load_shapes()
    rotherham = build_graph(validate=False).graph
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [SENDGRAPH, "synth", "--areas", "1", "-o", folder],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        area = build_graph(Path(folder) / "area-001", area="area-001", validate=False).graph

    header = "| graph | triples | pySHACL s | pySHACL result |"
    rule = "|---|---:|---:|---|"
    if pyshacl_turbo is not None:
        header += " pyshacl-turbo s | same results | same problems printed |"
        rule += "---:|---|---|"
    else:
        print("pyshacl-turbo is not installed: pySHACL's figures only.\n")
    print(header)
    print(rule)
    differences: list[str] = []
    graphs = {"Rotherham": rotherham, "one synthetic area": area}
    for row in clean_rows(graphs, shapes, options.runs, differences):
        print(row)
    for row in broken_rows(rotherham, shapes, differences):
        print(row)
    if pyshacl_turbo is not None:
        version = getattr(pyshacl_turbo, "__version__", "?")
        print(f"\npySHACL {pyshacl.__version__}, pyshacl-turbo {version}.")
        print("\n".join(["", "Differences:", *differences]) if differences else "\nNo differences.")

    if not options.skip_commands:
        print("\n| command | median s |\n|---|---:|")
        for args in (["build", "-o", "-"], ["build", "--no-validate", "-o", "-"]):
            seconds = [process_seconds(args) for _ in range(options.runs)]
            print(f"| `sendgraph {' '.join(args)}` | {median(seconds)} |")


if __name__ == "__main__":
    main()
