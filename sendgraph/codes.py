"""Reference codes cited in a plan's Ref column ("SEND 1 SEND 4", "LAC 2-2 EH12").

A code is letters then a number. It keeps the spelling the source gives it as its
notation, and gets a key that ignores spaces, hyphens and case, so that "EH12",
"EH 12" and "eh12" are one code, and so are "WORK-FORCE DEV 1" and "WORKFORCE DEV 1".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE = re.compile(r"\b([A-Z][A-Z]*(?:-[A-Z]+)*(?:\s+[A-Z][A-Z]*(?:-[A-Z]+)*)*)\s*(\d+(?:-\d+)?)\b")


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
    for match in CODE.finditer(text):
        family = " ".join(match.group(1).split())
        number = match.group(2)
        notation = " ".join(match.group(0).split())
        codes.append(Code(notation, family, number))
    rest = " ".join(CODE.sub(" ", text).split())
    return codes, rest


def find_mentions(text: str, families: set[str]) -> list[Code]:
    """Return the codes of known ``families`` (keys such as "SEND", "CWD") that free text names.

    Only known families count, so that ordinary capitalised words followed by a number
    ("Year 9") are not taken for codes.

    >>> [c.notation for c in find_mentions("(CWD 2 and SEND 5)", {"CWD", "SEND"})]
    ['CWD 2', 'SEND 5']
    """
    found = []
    for code in find_codes(text)[0]:
        words = code.family.split()
        # "the SEND 5" style: keep the trailing family words that form a known family.
        for start in range(len(words)):
            family = " ".join(words[start:])
            if code_key(family, "") in families:
                notation = f"{family}{code.notation[len(code.family) :]}".strip()
                found.append(Code(notation, family, code.number))
                break
    return found
