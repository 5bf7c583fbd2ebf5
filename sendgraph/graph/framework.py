"""The inspection framework's words, linked to the built graph: which kind of review each review is.

``ontology/framework.ttl`` gives each review class (peer review, peer challenge,
self-assessment, the kinds of inspection) the word that reviews.csv writes in its kind
column (``sg:reviewKindWord``). Here every review whose ``sg:reviewKind`` is one of those
words becomes an instance of that class too, so a question can ask for ``sg:PeerChallenge``
without knowing how a data file spells it.
"""

from __future__ import annotations

from rdflib import URIRef

from sendgraph.base.problems import Problem, Severity
from sendgraph.graph.tripleset import TripleSet
from sendgraph.graph.vocab import RDF, SG


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def link_review_kinds(graph: TripleSet) -> list[Problem]:
    """Type each review by its kind word; return a note for each review whose kind no class has.

    The graph must hold the ontology (``build_graph`` adds it before calling this).
    """
    classes: dict[str, URIRef] = {}
    for declared, word in graph.subject_objects(SG.reviewKindWord):
        if isinstance(declared, URIRef):
            classes[_fold(str(word))] = declared
    problems: list[Problem] = []
    for review in sorted(graph.subjects(RDF.type, SG.Review), key=str):
        kind = graph.value(review, SG.reviewKind)
        if kind is None:
            continue
        cls = classes.get(_fold(str(kind)))
        if cls is not None:
            graph.add((review, RDF.type, cls))
            continue
        known = ", ".join(sorted(classes))
        problems.append(
            Problem(
                str(graph.value(review, SG.sourceFile) or ""),
                int(str(graph.value(review, SG.sourceRow) or 0)),
                "kind",
                Severity.INFO,
                f"review kind {str(kind)!r} is none of the framework's ({known}); "
                "the review is kept as a review of no particular kind.",
            )
        )
    return problems
