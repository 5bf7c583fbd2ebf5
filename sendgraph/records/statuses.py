"""The status scheme: the statuses an action can have, their labels, colours and order.

The scheme is defined once, as data: the SKOS concept scheme ``sg:StatusScheme`` in the
ontology (``ontology/sendgraph.ttl``). This module reads it, once, for everything that
names, colours, orders or judges a status: the records, the mappings, the view, the
report and the questions. The gap rules read the same concepts from the graph.

An item whose rows disagree takes its worst row's status (see :func:`item_status`), and
each row keeps its own, shown beside the item's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

SG = "https://w3id.org/sendgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@dataclass(frozen=True, kw_only=True)
class Status:
    """One status of the scheme, as every output shows it."""

    concept: str  # "behind-schedule": the end of the concept's IRI, sg:status-behind-schedule
    label: str  # "Behind schedule"
    code: str  # "B", shown beside the colour so that colour is never the only cue
    fill: str
    ink: str
    severity: int  # 1 is the best; the scheme is listed in this order
    is_complete: bool
    words: tuple[str, ...] = ()  # other names a mapping may give it: "done" for Green
    definition: str = ""


# An action with no status word the scheme knows; not a concept of the scheme, so never
# a value of sg:status, but listed and coloured beside the scheme's statuses.
NO_STATUS = Status(
    concept="",
    label="No status",
    code="–",
    fill="#e0e0e0",
    ink="#1a1a1a",
    severity=0,
    is_complete=False,
)


@functools.cache
def scheme() -> tuple[Status, ...]:
    """Return the scheme's statuses, best first, as the ontology defines them.

    >>> [s.label for s in scheme()]
    ['Green', 'Amber', 'Red', 'Behind schedule']
    """
    from rdflib import Graph, Literal, Namespace, URIRef  # lazy: rdflib is slow to import

    from sendgraph.base.resources import ontology_file

    sg, skos = Namespace(SG), Namespace(SKOS)
    graph = Graph()
    with ontology_file().open("rb") as stream:
        graph.parse(stream, format="turtle")

    def text(node: URIRef, predicate: URIRef) -> str:
        value = graph.value(node, predicate)
        return str(value) if value is not None else ""

    found = []
    for node in graph.subjects(skos.inScheme, sg.StatusScheme):
        assert isinstance(node, URIRef)
        complete = graph.value(node, sg.isComplete)
        found.append(
            Status(
                concept=str(node).removeprefix(f"{SG}status-"),
                label=text(node, skos.prefLabel),
                code=text(node, sg.shortCode),
                fill=text(node, sg.fillColour),
                ink=text(node, sg.inkColour),
                severity=int(text(node, sg.severity)),
                is_complete=isinstance(complete, Literal) and complete.toPython() is True,
                words=tuple(sorted(str(w) for w in graph.objects(node, skos.altLabel))),
                definition=text(node, skos.definition),
            )
        )
    return tuple(sorted(found, key=lambda s: s.severity))


def concepts() -> list[str]:
    """Return the names of the scheme's concepts, best first: what a status word may map to."""
    return [s.concept for s in scheme()]


def concept_named(name: str) -> str | None:
    """Return the concept a mapping's name for it means: its own name, label or another word.

    >>> concept_named("Done"), concept_named("behind schedule"), concept_named("blue")
    ('green', 'behind-schedule', None)
    """
    wanted = " ".join(name.replace("-", " ").split()).casefold()
    for status in scheme():
        names = {status.concept.replace("-", " "), status.label.casefold(), *status.words}
        if wanted in {n.casefold() for n in names}:
            return status.concept
    return None


def of(label: object) -> Status:
    """Return the status whose label is ``label`` (as the graph gives it), or NO_STATUS.

    >>> of("Behind schedule").code, of(None).label
    ('B', 'No status')
    """
    for status in scheme():
        if status.label == str(label or ""):
            return status
    return NO_STATUS


def of_concept(concept: str) -> Status:
    """Return the status of the concept named ``concept`` ("behind-schedule")."""
    return next(s for s in scheme() if s.concept == concept)


def item_status(row_concepts: Iterable[str | None]) -> str | None:
    """Return an item's status from its rows' own: the worst of those the scheme knows.

    An item is complete only when every row that has a status is, and behind schedule
    when any row is, so an item never looks better than any part of it. Rows without a
    status word take no part (the status-outside-scheme rule flags those with words the
    scheme does not know); an item none of whose rows has one has no status.

    >>> item_status(["green", "amber", None]), item_status(["amber", "behind-schedule"])
    ('amber', 'behind-schedule')
    >>> item_status([None]) is None
    True
    """
    known = [of_concept(c) for c in row_concepts if c]
    return max(known, key=lambda s: s.severity).concept if known else None


def is_complete(label: object) -> bool:
    """Whether the status labelled ``label`` means the action is done."""
    return of(label).is_complete


def row_status_text(row: object, status: object, written: object) -> str:
    """Return one row's own status as every output shows it beside its item's.

    >>> row_status_text(2, "Amber", "On track")
    'row 2: Amber (as written: On track)'
    >>> row_status_text(3, None, "Delay encountered")
    'row 3: no status in the scheme (as written: Delay encountered)'
    """
    words = " ".join(str(written or "").split())
    name = str(status or "") or "no status in the scheme"
    return f"row {row}: {name}" + (f" (as written: {words})" if words else "")
