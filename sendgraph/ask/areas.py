"""Which area an item belongs to, and how a reference names one area's item.

An area is the namespace of its IRIs (``https://w3id.org/sendgraph/id/<area>/``), so an
item's area is read from its IRI, never stored twice. Over a graph of many areas the
same reference ("SEND 4") names an item in each; ``AREA:REF`` ("area-007:SEND 4") names
one. A colon never matters in a reference (`reference_key` drops it), and an area's name
is a folder's name, so the part before the first colon is an area only when the graph
holds an area of that name: "JCP:2" is still JCP 2 in a graph with no area "jcp".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sendgraph.graph.vocab import ID_BASE

SEPARATOR = ":"

# How many candidates an ambiguous reference lists before counting the rest.
LISTED = 10


def area_of(iri: object) -> str | None:
    """Return the area whose namespace holds ``iri``, or None for a node of no area (the ontology's).

    >>> area_of("https://w3id.org/sendgraph/id/area-007/action/send-4")
    'area-007'
    >>> area_of("https://w3id.org/sendgraph/ontology#status-red") is None
    True
    """
    text = str(iri)
    if not text.startswith(ID_BASE):
        return None
    return text[len(ID_BASE) :].split("/", 1)[0] or None


def split_area(text: str, areas: Iterable[str]) -> tuple[str | None, str]:
    """Split ``AREA:REF`` into the area and the reference, when AREA is one of ``areas``.

    Case and spaces around the area's name do not matter; anything else is a reference
    whole.

    >>> split_area("Area-007 : SEND 4", ["area-007"])
    ('area-007', 'SEND 4')
    >>> split_area("JCP:2", ["area-007"])
    (None, 'JCP:2')
    """
    before, colon, after = text.partition(SEPARATOR)
    if colon:
        wanted = before.strip().casefold()
        for area in areas:
            if area.casefold() == wanted:
                return area, after.strip()
    return None, text


def looks_like_area(text: str) -> bool:
    """True when ``text`` has the form AREA:REF with a slug for AREA (letters, digits, hyphens).

    >>> looks_like_area("area-099:SEND 4"), looks_like_area("SEND 4"), looks_like_area("PC 5.5: x")
    (True, False, False)
    """
    before, colon, after = text.partition(SEPARATOR)
    slug = before.strip()
    return bool(colon and after.strip() and slug) and all(ch.isalnum() or ch in "-_" for ch in slug)


def named(area: str | None, ref: str, many: bool) -> str:
    """Write a reference as a user would type it back: ``AREA:REF`` over many areas, else REF alone.

    >>> named("area-007", "SEND 4", True), named("area-007", "SEND 4", False)
    ('area-007:SEND 4', 'SEND 4')
    """
    return f"{area}{SEPARATOR}{ref}" if many and area else ref


def listed(names: list[str], limit: int = LISTED) -> str:
    """Join up to ``limit`` names, then count the rest.

    >>> listed(["a", "b", "c"], 2)
    'a, b and 1 more'
    """
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


def placed(row: dict[str, Any], iri: object, many: bool) -> dict[str, Any]:
    """Return ``row`` with the ``area`` of ``iri`` first, when the graph holds ``many`` areas; else ``row`` as it is.

    A one-area graph's rows carry no column that would say the same thing on every row.

    >>> placed({"ref": "SEND 4"}, "https://w3id.org/sendgraph/id/area-007/action/send-4", True)
    {'area': 'area-007', 'ref': 'SEND 4'}
    >>> placed({"ref": "SEND 4"}, "https://w3id.org/sendgraph/id/area-007/action/send-4", False)
    {'ref': 'SEND 4'}
    """
    return {"area": area_of(iri), **row} if many else row
