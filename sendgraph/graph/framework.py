"""The inspection framework's words, linked to the built graph: which kind of review each review is.

``ontology/framework.ttl`` gives each review class (peer review, peer challenge,
self-assessment, the kinds of inspection) the word that reviews.csv writes in its kind
column (``sg:reviewKindWord``). Here every review whose kind is one of those words becomes
an instance of that class too, so a question can ask for ``sg:PeerChallenge`` without
knowing how a data file spells it. The class is the kind: the graph keeps no kind word
beside it, which would say the same thing twice.
"""

from __future__ import annotations

from rdflib import URIRef

from sendgraph.base.problems import Problem, Severity
from sendgraph.graph.tripleset import TripleSet
from sendgraph.graph.vocab import RDF, SG, Minter
from sendgraph.records.model import Records


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def link_review_kinds(graph: TripleSet, records: Records, area: str) -> list[Problem]:
    """Type each review of ``records`` by its kind word; return a note for each whose kind no class has.

    The graph must hold the ontology (``build_graph`` adds it before calling this), and
    the reviews' nodes, minted under ``area``.
    """
    classes: dict[str, URIRef] = {}
    for declared, word in graph.subject_objects(SG.reviewKindWord):
        if isinstance(declared, URIRef):
            classes[_fold(str(word))] = declared
    problems: list[Problem] = []
    mint = Minter(area)
    for review in sorted(records.reviews.values(), key=lambda r: r.id):
        kind = review.kind
        if not kind:
            continue
        cls = classes.get(_fold(kind))
        if cls is not None:
            graph.add((mint("review", review.id), RDF.type, cls))
            continue
        known = ", ".join(sorted(classes))
        problems.append(
            Problem(
                review.source,
                review.row,
                "kind",
                Severity.INFO,
                f"review kind {kind!r} is none of the framework's ({known}); "
                "the review is kept as a review of no particular kind.",
            )
        )
    return problems
