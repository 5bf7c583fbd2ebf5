"""Reference codes cited in a plan's Ref column ("SEND 1 SEND 4", "LAC 2-2 EH12").

A code is letters then a number. It keeps the spelling the source gives it as its
notation, and gets a key that ignores spaces, hyphens and case, so that "EH12",
"EH 12" and "eh12" are one code, and so are "WORK-FORCE DEV 1" and "WORKFORCE DEV 1".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A run of capitalised words, then the number if one follows. Every quantifier is
# possessive and the run is taken whole even when no number follows, so a cell is read
# in one pass: a run without its number is not a code, and no code can start inside it,
# since from any of its words the run ends at the same place. (The plain form of this
# expression took a minute on a 40 KB cell of capitals.)
_WORD = r"[A-Z]++(?:-[A-Z]++)*+"
WORDS_AND_NUMBER = re.compile(rf"\b({_WORD}(?:\s++{_WORD})*+)(?:\s*+(\d++(?:-\d++\b)?+)\b)?")


@dataclass(frozen=True)
class Code:
    """One code as written, with the key it is known by."""

    notation: str
    family: str
    number: str

    @property
    def key(self) -> str:
        """The spelling-free identity of the code: "SEND4", "WORKFORCEDEV1", "LAC2-2"."""
        return code_key(self.family, self.number)

    @property
    def slug(self) -> str:
        """A lower-case IRI segment: "send-4", "workforce-dev-1", "lac-2-2"."""
        family = re.sub(r"[^a-z]+", "-", self.family.lower().replace("-", "")).strip("-")
        return f"{family}-{self.number}"


def code_key(family: str, number: str) -> str:
    """Return the key of a code from its letters and number."""
    return re.sub(r"[^A-Z]", "", family.upper()) + number


def find_codes(text: str) -> tuple[list[Code], str]:
    """Return the codes in ``text`` in order, and whatever text was left over.

    >>> [c.notation for c in find_codes("SEND 7 WORK-FORCE DEV 1")[0]]
    ['SEND 7', 'WORK-FORCE DEV 1']
    >>> find_codes("Action Plan")
    ([], 'Action Plan')
    """
    codes = []
    rest = []
    end = 0
    for match in WORDS_AND_NUMBER.finditer(text):
        number = match.group(2)
        if number is None:
            continue
        family = " ".join(match.group(1).split())
        notation = " ".join(match.group(0).split())
        codes.append(Code(notation, family, number))
        rest.append(text[end : match.start()])
        end = match.end()
    rest.append(text[end:])
    return codes, " ".join(" ".join(rest).split())


def find_mentions(text: str, families: set[str]) -> list[Code]:
    """Return the codes of known ``families`` (keys such as "SEND", "CWD") that free text names.

    Only known families count, so that ordinary capitalised words followed by a number
    ("Year 9") are not taken for codes.

    >>> [c.notation for c in find_mentions("(CWD 2 and SEND 5)", {"CWD", "SEND"})]
    ['CWD 2', 'SEND 5']
    """
    longest = max((len(family) for family in families), default=0)
    found = []
    for code in find_codes(text)[0]:
        words = code.family.split()
        # "the SEND 5" style: keep the most trailing family words that form a known
        # family. Keys only grow as words are added, so no more words are looked at
        # than the longest family's key can hold.
        keys = []
        key = ""
        for word in reversed(words):
            key = code_key(word, "") + key
            if len(key) > longest:
                break
            keys.append(key)
        for size in range(len(keys), 0, -1):
            if keys[size - 1] in families:
                family = " ".join(words[len(words) - size :])
                notation = f"{family}{code.notation[len(code.family) :]}".strip()
                found.append(Code(notation, family, code.number))
                break
    return found
