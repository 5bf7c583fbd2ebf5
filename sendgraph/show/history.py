"""An item's history as Markdown: its dated entries in order, then what the papers do not date.

`render_markdown` writes an `ItemHistory` (`sendgraph.ask.history`) as a heading, a
table of dated entries and a list of undated ones, each saying why. Every text from the
data passes through `md_text`, so no cell of a council's spreadsheet can become a link,
an image or a heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sendgraph.ask.history import ItemHistory

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")

# The columns of the dated table, as `Entry.row` names them.
DATED_COLUMNS = ("date", "until", "precision", "as written", "kind", "what", "words", "detail")


def md_text(text: object) -> str:
    """Text made inert in Markdown, on one line: HTML characters as entities, Markdown's own escaped.

    >>> md_text("RAG <b>May</b> | 20")
    'RAG &lt;b&gt;May&lt;/b&gt; \\\\| 20'
    """
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(escaped.split()))


def md_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Return the lines of a Markdown table, every cell made inert."""
    lines = ["| " + " | ".join(md_text(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(md_text(cell) for cell in row) + " |" for row in rows]
    return lines


def render_markdown(history: ItemHistory) -> str:
    """Return an item's history as Markdown: dated entries in a table, then the undated ones."""
    lines = [f"# History of {md_text(history.ref)}", ""]
    if history.plan:
        lines += [f"An action of {md_text(history.plan)}.", ""]
    dated = [entry.row() for entry in history.dated]
    if dated:
        lines += md_table(DATED_COLUMNS, [[row[c] for c in DATED_COLUMNS] for row in dated])
    else:
        lines.append("The papers date nothing about it.")
    if history.undated:
        lines += ["", "## Not dated", ""]
        for entry in history.undated:
            detail = f" ({md_text(entry.detail)})" if entry.detail else ""
            lines.append(
                f"- {md_text(entry.kind)}: {md_text(entry.what)}{detail}. "
                f"Not dated: {md_text(entry.undated)}."
            )
    return "\n".join(lines) + "\n"
