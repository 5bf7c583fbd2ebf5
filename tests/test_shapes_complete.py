"""The shapes constrain every class and property the build writes, each with a severity and a message.

The rule for "constrained" is SHACL's own: a node is checked by every node shape whose
``sh:targetClass`` is one of its classes or a superclass of one (by the ontology's
``rdfs:subClassOf``), and by every shape with ``sh:targetSubjectsOf`` one of its
properties. A property of a node is constrained when one of those shapes has a property
shape with that ``sh:path`` (or with it among an ``sh:alternativePath``). A class is unconstrained when some node of that class is
checked by no shape at all, and a (class, property) pair when some node of that class has
the property unconstrained: a measure's ``sg:owner`` counts as
constrained, since a measure is an action and the action shape checks owners, though a
code in general has no owner. The graphs are Rotherham's and every fixture area's (each
import fixture, the board register's among them, and the dated progress of history), as
the build writes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from importlib.resources.abc import Traversable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from sendgraph.base.problems import Severity
from sendgraph.base.resources import framework_file, ontology_file, shapes_file
from sendgraph.graph.build import Build, build_graph, is_area
from sendgraph.graph.ontology import load_ontology
from sendgraph.graph.validation import load_shapes, validate_graph
from sendgraph.graph.vocab import SG, Minter

FIXTURES = Path(__file__).parent / "fixtures"
SEVERITIES = {SH.Violation, SH.Warning, SH.Info}


@pytest.fixture(scope="module")
def builds() -> dict[str, Build]:
    """Rotherham and every area of tests/fixtures, built without validation (the shapes are what is checked)."""
    folders: dict[str, Path | None] = {"rotherham": None}
    folders |= {p.name: p for p in sorted(FIXTURES.glob("*/*")) if p.is_dir() and is_area(p)}
    return {name: build_graph(folder, validate=False) for name, folder in folders.items()}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def short(graph: Graph, term: Node) -> str:
    return term.n3(graph.namespace_manager)


def superclasses(ontology: Graph, cls: Node) -> set[Node]:
    """``cls`` and every class above it by rdfs:subClassOf."""
    found, todo = {cls}, [cls]
    while todo:
        for above in ontology.objects(todo.pop(), RDFS.subClassOf):
            if above not in found:
                found.add(above)
                todo.append(above)
    return found


def paths(shapes: Graph, shape: Node) -> set[Node]:
    """The properties ``shape``'s property shapes check: each of an sh:alternativePath too."""
    found: set[Node] = set()
    for path in (shapes.value(p, SH.path) for p in shapes.objects(shape, SH.property)):
        alternatives = shapes.value(path, SH.alternativePath) if path is not None else None
        if alternatives is not None:
            found |= set(Collection(shapes, alternatives))
        elif path is not None:
            found.add(path)
    return found


def targeted(shapes: Graph, target: URIRef) -> dict[Node, set[Node]]:
    """The paths the shapes check, by the value of ``target`` (a class, or a property)."""
    found: dict[Node, set[Node]] = defaultdict(set)
    for shape, value in shapes.subject_objects(target):
        found[value] |= paths(shapes, shape)
    return found


def unconstrained(builds: dict[str, Build], shapes: Graph) -> tuple[set[str], set[str]]:
    """Return the classes of nodes no shape checks and the unconstrained (class, property) pairs, as text."""
    ontology = load_ontology()
    by_class = targeted(shapes, SH.targetClass)
    by_subject_of = targeted(shapes, SH.targetSubjectsOf)
    classes: set[str] = set()
    pairs: set[str] = set()
    for build in builds.values():
        properties: dict[Node, set[Node]] = defaultdict(set)
        for s, p, _ in build.triples.own():
            properties[s].add(p)
        for node, used in properties.items():
            kinds = set(build.triples.objects(node, RDF.type))
            above = set().union(*(superclasses(ontology, k) for k in kinds))
            if not above & set(by_class) and not used & set(by_subject_of):
                classes |= {short(ontology, k) for k in kinds}
            checked = set().union(*(by_class[c] for c in above), *(by_subject_of[p] for p in used))
            for p in used - checked - {RDF.type}:
                pairs |= {
                    f"{short(ontology, k)} {short(ontology, p)}" for k in kinds or {RDFS.Resource}
                }
    return classes, pairs


def test_the_graphs_use_the_terms_the_shapes_are_written_for(builds: dict[str, Build]) -> None:
    # The graphs this file checks hold what the shapes must cover: a measure (a node of
    # three classes), a membership, a status observation, a theme removal, a status word.
    kinds = {k for b in builds.values() for _, _, k in b.triples.own() if isinstance(k, URIRef)}
    assert {SG.Measure, SG.StatusObservation, SG.ThemeRemoval, SG.RegisterEntry} <= kinds
    assert [name for name, build in builds.items() if not build.ok] == []


def test_every_class_and_property_the_build_writes_is_constrained(
    builds: dict[str, Build], shapes: Graph
) -> None:
    assert unconstrained(builds, shapes) == (set(), set())


def test_a_property_no_shape_checks_is_found(builds: dict[str, Build], shapes: Graph) -> None:
    lax = Graph()
    for triple in shapes:
        if triple[2] != SG.initials:
            lax.add(triple)
    # sg:initials is on people of Rotherham and of the WSoA with initials only.
    assert unconstrained(builds, lax) == (set(), {"foaf:Person sg:initials"})


def parts(shapes: Graph, lists: Iterable[Node]) -> set[Node]:
    return {member for head in lists for member in Collection(shapes, head)}


def test_every_shape_has_a_severity_and_a_message(shapes: Graph) -> None:
    # The shapes inside an sh:or are parts of one constraint, reported with the message
    # of the shape that holds it; a SPARQL constraint is reported with its own message.
    inner = parts(shapes, shapes.objects(None, SH["or"]))
    every = (
        set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.objects(None, SH.property))
    ) - inner
    assert len(every) > 150
    without_severity = {s for s in every if {shapes.value(s, SH.severity)} - SEVERITIES}
    without_message = {s for s in every if shapes.value(s, SH.message) is None}
    assert (without_severity, without_message) == (set(), set())
    assert {
        s for s in shapes.objects(None, SH.sparql) if shapes.value(s, SH.message) is None
    } == set()
    assert not any(isinstance(s, BNode) for s in shapes.subjects(RDF.type, SH.NodeShape))


def test_a_note_that_is_not_plain_text_is_a_warning_at_its_row(builds: dict[str, Build]) -> None:
    graph = builds["blocks-md"].triples.to_graph()
    finding = Minter("hartwell")("finding", "afi-area-for-improvement-1-transition-to")  # AFI 1
    graph.add((finding, SKOS.editorialNote, Literal("Read from the letter", lang="en")))
    [problem] = validate_graph(graph)
    assert (problem.source, problem.row, problem.severity) == (
        "blocks-md/plan.md",
        9,
        Severity.WARNING,
    )
    assert problem.message == (
        f"shape: <{finding}> skos:editorialNote: a node has at most one note, as plain text:"
        " put everything in the note column of its row"
    )


def test_a_finding_without_words_is_reported_with_what_to_fill(builds: dict[str, Build]) -> None:
    graph = builds["blocks-md"].triples.to_graph()
    finding = Minter("hartwell")("finding", "afi-area-for-improvement-1-transition-to")  # AFI 1
    graph.remove((finding, SG.text, None))
    assert [(p.severity, p.message) for p in validate_graph(graph)] == [
        (
            Severity.ERROR,
            f"shape: <{finding}>: a finding needs its words:"
            " fill its text, strength or area for consideration column",
        )
    ]


@pytest.mark.parametrize(
    "part, iri",
    [
        (ontology_file, "https://w3id.org/sendgraph/ontology"),
        (framework_file, "https://w3id.org/sendgraph/framework"),
        (shapes_file, "https://w3id.org/sendgraph/shapes"),
    ],
)
def test_each_ontology_file_has_its_header(part: Callable[[], Traversable], iri: str) -> None:
    graph = Graph().parse(data=part().read_text(encoding="utf-8"), format="turtle")
    [header] = graph.subjects(RDF.type, OWL.Ontology)
    assert header == URIRef(iri)
    for prop in (RDFS.label, RDFS.comment, DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert graph.value(header, prop) is not None, prop
    assert graph.value(header, OWL.versionIRI) == URIRef(f"{iri}/0.1.0")
    assert graph.value(header, DCTERMS.license) == URIRef("https://spdx.org/licenses/MIT")
    modified = graph.value(header, DCTERMS.modified)
    assert isinstance(modified, Literal) and isinstance(modified.toPython(), date)
