"""An item's history as Markdown: its dated entries in order, then what the papers do not date.

`render_markdown` writes an `ItemHistory` (`sendgraph.ask.history`) as a heading, a
table of dated entries and a list of undated ones, each saying why. Every text from the
data passes through `markdown_text` (show/tables.py), so no cell of a council's
spreadsheet can become a link, an image or a heading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sendgraph.show.tables import markdown_text as md_text
from sendgraph.show.tables import render_markdown_table

if TYPE_CHECKING:
    from sendgraph.ask.history import ItemHistory

# The columns of the dated table, as `Entry.row` names them.
DATED_COLUMNS = ("date", "until", "precision", "as written", "kind", "what", "words", "detail")


def render_markdown(history: ItemHistory) -> str:
    """Return an item's history as Markdown: dated entries in a table, then the undated ones."""
    lines = [f"# History of {md_text(history.ref)}", ""]
    if history.plan:
        lines += [f"An action of {md_text(history.plan)}.", ""]
    dated = [entry.row() for entry in history.dated]
    if dated:
        lines += render_markdown_table(
            DATED_COLUMNS, [[row[c] for c in DATED_COLUMNS] for row in dated]
        ).splitlines()
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
