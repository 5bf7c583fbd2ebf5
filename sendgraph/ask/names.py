"""Items as people name them: a reference, or a board, person, plan, review or organisation by name.

`--focus` and the view's search start from whatever a governance lead knows an item
by: "SEND 4", "Health and Wellbeing Board", "SEND Board" (an alias), "Jackie Parkin",
"SEND Joint Action Plan". A reference is looked up first (`References`); then names,
matched as `name_key` folds them (case, spaces and punctuation do not matter, so
"Health and Wellbeing Board" is "Health and Well Being Board"); then a part of one
name. A name that could mean several items, or none, is answered with a sentence
naming the candidates. Over many areas ``AREA:NAME`` names one area's item.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

from sendgraph.ask.areas import area_of, listed, named, split_area
from sendgraph.ask.questions import Questions, name_key
from sendgraph.ask.references import reference_key
from sendgraph.base.errors import UnknownReference

# Every name an item of these kinds goes by: its label, its aliases, a person's name and
# initials.
NAMES_QUERY = """
SELECT ?node ?kind ?label ?name WHERE {
  VALUES (?type ?kind) {
    (sg:Board "board") (sg:Plan "plan") (sg:Review "review")
    (foaf:Person "person") (org:Organization "organisation")
  }
  ?node a ?type ; rdfs:label ?label .
  { ?node rdfs:label ?name } UNION { ?node skos:altLabel ?name } UNION { ?node foaf:name ?name }
  UNION { ?node sg:initials ?name } UNION { ?node skos:altLabel ?name }
}
"""

# The shortest part of a name that may name an item by itself: "SEN" is in too many.
SHORTEST_PART = 4


@dataclass(frozen=True, kw_only=True)
class NamedItem:
    """The item a name or reference names."""

    iri: str
    kind: str  # action, finding, priority, plan, board, review, person, organisation, code
    label: str

    @property
    def area(self) -> str | None:
        """The area whose namespace holds it."""
        return area_of(self.iri)


def resolve_name(questions: Questions, text: str) -> NamedItem:
    """Return the one item ``text`` names: a reference, else a board, person, plan, review or organisation.

    Raise `UnknownReference` with the candidates when it names several, or with the
    closest names when it names none.
    """
    references = questions.references
    area, name = split_area(text, references.areas)
    if reference_key(name) in references.index:
        target = references.resolve(text)
        return NamedItem(iri=target.iri, kind=target.kind, label=target.notation)
    items, keys = _names(questions, area)
    wanted = name_key(name)
    exact = sorted(i for i, ks in keys.items() if wanted in ks)
    if exact:
        return _one(text, [items[i] for i in exact], questions.many_areas)
    within = sorted(
        i for i, ks in keys.items() if len(wanted) >= SHORTEST_PART and any(wanted in k for k in ks)
    )
    if within:
        return _one(text, [items[i] for i in within], questions.many_areas)
    raise UnknownReference(_unknown(text, name, area, list(items.values()), questions))


def name_keys(questions: Questions) -> dict[str, list[str]]:
    """Every named item's IRI, with the keys of all its names as `name_key` folds them.

    The view's search matches what is typed, folded the same way, against these, so that
    it reaches by name what `--focus` reaches (a reference is matched as before).
    """
    return {iri: sorted(keys) for iri, keys in _names(questions, None)[1].items()}


def _names(
    questions: Questions, area: str | None
) -> tuple[dict[str, NamedItem], dict[str, set[str]]]:
    """Every named item (of ``area``, if given) by IRI, and the keys of all its names."""
    items: dict[str, NamedItem] = {}
    keys: dict[str, set[str]] = defaultdict(set)
    for row in questions.store.select(NAMES_QUERY):
        iri = str(row["node"])
        if area is not None and area_of(iri) != area:
            continue
        # A priority is a plan too, and a reference names it first.
        items.setdefault(iri, NamedItem(iri=iri, kind=str(row["kind"]), label=str(row["label"])))
        keys[iri].add(name_key(str(row["name"])))
    return items, keys


def _one(text: str, found: list[NamedItem], many: bool) -> NamedItem:
    """The one item of ``found``, or the error naming each of them."""
    if len(found) == 1:
        return found[0]
    ordered = sorted(found, key=lambda i: (i.area or "", i.kind, i.label))
    names = [f"{named(i.area, i.label, many)} ({i.kind})" for i in ordered]
    areas = {i.area for i in found}
    one_per_area = len(areas) > 1 and len(areas) == len(found)
    hint = "name one as AREA:NAME" if one_per_area else "give the whole name of the one you mean"
    raise UnknownReference(f"{text!r} could mean any of {len(found)}: {listed(names)}; {hint}.")


def _unknown(
    text: str, name: str, area: str | None, items: list[NamedItem], questions: Questions
) -> str:
    """Say that ``text`` names nothing, with the closest names and references there are."""
    choices = {i.label.casefold(): f"{i.label} ({i.kind})" for i in items}
    for targets in questions.references.index.values():
        for t in targets:
            if area is None or t.area == area:
                choices.setdefault(t.notation.casefold(), f"{t.notation} ({t.kind})")
    close = difflib.get_close_matches(" ".join(name.split()).casefold(), choices, n=5, cutoff=0.6)
    hint = f" Closest: {', '.join(choices[c] for c in close)}." if close else ""
    return (
        f"{text!r} is neither a reference nor the name of a board, person, plan, review "
        f"or organisation in {area or 'this graph'}.{hint}"
    )
