"""Owner cells as plans write them, and the people they name.

"Jackie Parkin (Paula Williams)" is an owner with an accountable lead in brackets.
"Mark Chambers and Paula Williams", "Rachel Amos/Carol Taylor", "Mary Jarrett & Alun
Windle" and one name per line are co-owners. Names are hung on people by the aliases in
``people.csv`` first, so that plain "Paula Williams" and "Paula Williams EYS" land on
the two different people Appendix A lists.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# A separator with the spaces around it. Spaces are taken in front of it only from where
# they start, so a long run of spaces is scanned once, not once from each of its characters.
SEPARATORS = re.compile(r"(?:(?<!\s)\s*)?(?:/|&|\n|;|,|\band\b)\s*")
BRACKETED = re.compile(r"\(([^()]*+)\)")


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
        self._most_words = 0  # the most words in a name's or an alias's key

    def add(self, person_id: str, name: str, aliases: Iterable[str]) -> list[str]:
        """Index a person; return the aliases that another person already holds."""
        self._names[name_key(name)].append(person_id)
        self._most_words = max(self._most_words, len(name_key(name).split()))
        clashes = []
        for alias in aliases:
            key = name_key(alias)
            self._most_words = max(self._most_words, len(key.split()))
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
        names. Returns None when the words do not split into known names. Of the ways
        to split, the one with the longest first name is taken, then the longest next.

        >>> people = PeopleIndex()
        >>> people.add("cw", "Caroline Wheatley", [])
        []
        >>> people.add("ac", "Aileen Chambers", [])
        []
        >>> people.split_run_on("Caroline Wheatley Aileen Chambers")
        ['Caroline Wheatley', 'Aileen Chambers']
        """
        words = written.split()
        count = len(words)
        # A name is looked up by its key, whose words are the written words split at
        # full stops; starts[i] counts the key's words before written word i, so that
        # a run of words longer than any known name is never joined or looked up.
        key_words = [part for word in words for part in word.replace(".", " ").split()]
        starts = [0]
        for word in words:
            starts.append(starts[-1] + len(word.replace(".", " ").split()))

        def is_known(begin: int, end: int) -> bool:
            if starts[end] - starts[begin] > self._most_words:
                return False
            key = " ".join(key_words[starts[begin] : starts[end]]).casefold()
            return key in self._aliases or bool(self._names.get(key))

        # first_end[i]: where the first name of words[i:] ends in its split, if it has one;
        # ends_with_tail[i]: that the rest after it is one known name.
        first_end: list[int | None] = [None] * (count + 1)
        ends_with_tail = [False] * (count + 1)
        # The starts that split, as negative numbers: found from the right, so ascending.
        splitting: list[int] = []
        for begin in range(count - 2, -1, -1):
            cut = min(count - 1, bisect.bisect_right(starts, starts[begin] + self._most_words) - 1)
            while cut > begin and first_end[begin] is None:
                # Cuts whose heads differ only by words of full stops have one key, and so
                # do their tails: the last of them wins if the tail is a name, else the
                # last from which the rest splits.
                same = bisect.bisect_left(starts, starts[cut], begin + 1, cut + 1)
                if is_known(begin, cut):
                    if is_known(cut, count):
                        first_end[begin], ends_with_tail[begin] = cut, True
                    else:
                        index = bisect.bisect_left(splitting, -cut)
                        if index < len(splitting) and -splitting[index] >= same:
                            first_end[begin] = -splitting[index]
                cut = same - 1
            if first_end[begin] is not None:
                splitting.append(-begin)
        if first_end[0] is None:
            return None
        names = []
        begin = 0
        while True:
            name_end = first_end[begin]
            assert name_end is not None
            names.append(" ".join(words[begin:name_end]))
            if ends_with_tail[begin]:
                names.append(" ".join(words[name_end:]))
                return names
            begin = name_end
