"""Owner cells as plans write them, and the people they name.

"Jackie Parkin (Paula Williams)" is an owner with an accountable lead in brackets.
"Mark Chambers and Paula Williams", "Rachel Amos/Carol Taylor", "Mary Jarrett & Alun
Windle" and one name per line are co-owners. Names are hung on people by the aliases in
``people.csv`` first, so that plain "Paula Williams" and "Paula Williams EYS" land on
the two different people Appendix A lists.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SEPARATORS = re.compile(r"\s*(?:/|&|\n|;|,|\band\b)\s*")
BRACKETED = re.compile(r"\(([^()]*)\)")


def name_key(name: str) -> str:
    """Return a name folded for matching: case, spacing and full stops ignored."""
    return " ".join(name.replace(".", " ").split()).casefold()


@dataclass(frozen=True)
class OwnerNames:
    """The names an owner cell gives, split into owners and accountable leads."""

    owners: list[str]
    leads: list[str]


def split_owner_cell(cell: str, lookup: Callable[[str], list[str]] | None = None) -> OwnerNames:
    """Split an owner cell into owner names and accountable-lead names.

    With ``lookup``, a line that names nobody is joined to the line before it when the
    two together are a known name: "Paula Williams" over "EYS" is "Paula Williams EYS".

    >>> split_owner_cell("Jackie Parkin (Paula Williams)")
    OwnerNames(owners=['Jackie Parkin'], leads=['Paula Williams'])
    >>> split_owner_cell("Rachel Amos/Carol Taylor").owners
    ['Rachel Amos', 'Carol Taylor']
    """
    leads = [name for inner in BRACKETED.findall(cell) for name in _split(inner)]
    owners = _split(BRACKETED.sub(" ", cell))
    if lookup is not None:
        owners = _rejoin(owners, lookup)
    return OwnerNames(owners, leads)


def _rejoin(names: list[str], lookup: Callable[[str], list[str]]) -> list[str]:
    joined: list[str] = []
    for name in names:
        if joined and not lookup(name) and lookup(f"{joined[-1]} {name}"):
            joined[-1] = f"{joined[-1]} {name}"
        else:
            joined.append(name)
    return joined


def _split(text: str) -> list[str]:
    return [" ".join(part.split()) for part in SEPARATORS.split(text) if part.strip()]


class PeopleIndex:
    """Finds the person a written name means, by alias first and then by name."""

    def __init__(self) -> None:
        self._aliases: dict[str, str] = {}
        self._names: dict[str, list[str]] = defaultdict(list)

    def add(self, person_id: str, name: str, aliases: Iterable[str]) -> list[str]:
        """Index a person; return the aliases that another person already holds."""
        self._names[name_key(name)].append(person_id)
        clashes = []
        for alias in aliases:
            key = name_key(alias)
            holder = self._aliases.get(key)
            if holder is not None and holder != person_id:
                clashes.append(alias)
                continue
            self._aliases[key] = person_id
        return clashes

    def lookup(self, written: str) -> list[str]:
        """Return the ids of the people ``written`` may mean: one, several, or none."""
        key = name_key(written)
        if key in self._aliases:
            return [self._aliases[key]]
        return list(self._names.get(key, []))

    def split_run_on(self, written: str) -> list[str] | None:
        """Split names written one after another without a separator, if all are known.

        "Caroline Wheatley Aileen Chambers" (two lines in the source, joined) becomes two
        names. Returns None when the words do not split into known names.
        """
        words = written.split()
        for cut in range(len(words) - 1, 0, -1):
            head = " ".join(words[:cut])
            if self.lookup(head):
                tail = " ".join(words[cut:])
                if self.lookup(tail):
                    return [head, tail]
                rest = self.split_run_on(tail)
                if rest:
                    return [head, *rest]
        return None
