"""The gazetteer of boards: finding where a text names a board, sentence by sentence.

Each board is found by its label and every alias in ``boards.csv``. Names written all in
capitals (DLT, SLT, RESP) match only in capitals, so that "slt" inside a word or a
lower-case phrase is not taken for the Strategic Leadership Team; other names match in
any case, since progress text writes "performance board" as often as "Performance Board".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that say the work goes to a board. Written before its name: "reporting to the
# performance board", "going to DLT", "sign off at SLT", "agreed with Schools Forum".
# Written after it: "Rotherham Place Board received an update", "Cabinet for approval".
# A board named without them ("BAME parents group continues to meet") is mentioned, not
# reported to.
CUES_BEFORE = re.compile(
    r"reporting to|reported to|report to|feeds? into|go(?:es|ing)? to|gone for|sign(?:ed)? off"
    r"|agreed (?:at|with)|raised at|closed with|ratified by|presentation",
    re.IGNORECASE,
)
CUES_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,5}?(?:received|have received|for approvals?|for sign off)", re.IGNORECASE
)

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'‘(])")


@dataclass(frozen=True, kw_only=True)
class Mention:
    """A board named in a sentence, and whether the sentence sends work to it."""

    board: str
    name: str
    sentence: str
    is_report: bool = False


def sentences(text: str) -> list[str]:
    """Split text into sentences: at line breaks, and after a full stop before a capital.

    >>> sentences("Team enhanced. Now reporting to the performance board monthly.")
    ['Team enhanced.', 'Now reporting to the performance board monthly.']
    """
    found: list[str] = []
    for line in text.splitlines():
        found.extend(part.strip() for part in SENTENCE_END.split(line) if part.strip())
    return found


class Gazetteer:
    """Board names, longest first, compiled to find mentions in text."""

    def __init__(self) -> None:
        self._names: list[tuple[str, str]] = []
        self._pattern: re.Pattern[str] | None = None

    def add(self, board: str, names: list[str]) -> None:
        """Add a board's label and aliases."""
        self._names.extend((name, board) for name in names if name.strip())
        self._pattern = None

    def _compiled(self) -> re.Pattern[str]:
        if self._pattern is None:
            parts = []
            for name, _ in sorted(self._names, key=lambda item: -len(item[0])):
                words = r"\s+".join(re.escape(word) for word in name.split())
                parts.append(words if name.isupper() else f"(?i:{words})")
            # The word boundaries stand outside the alternatives, so a place inside a word
            # is passed over once rather than once per name (a third of a build's time).
            body = "|".join(parts)
            self._pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])" if parts else r"(?!x)x")
        return self._pattern

    def board_for(self, written: str) -> str | None:
        """Return the board a name (label or alias) stands for, or None."""
        folded = " ".join(written.split())
        for name, board in self._names:
            if name == folded or (not name.isupper() and name.casefold() == folded.casefold()):
                return board
        return None

    def find(self, text: str) -> list[Mention]:
        """Return each board named in each sentence of ``text``, once per sentence."""
        mentions = []
        pattern = self._compiled()
        for sentence in sentences(text):
            seen: set[str] = set()
            for match in pattern.finditer(sentence):
                board = self.board_for(match.group(0))
                if board is not None and board not in seen:
                    seen.add(board)
                    reported = bool(
                        CUES_BEFORE.search(sentence[: match.start()])
                        or CUES_AFTER.search(sentence[match.end() :])
                    )
                    mentions.append(
                        Mention(
                            board=board, name=match.group(0), sentence=sentence, is_report=reported
                        )
                    )
        return mentions
