"""The evidence report as Markdown: the same content as the HTML page, with each chart as a table.

`render_markdown` fills ``templates/report.md`` from a `Report`. Jinja2's autoescape is
off, because the output is not HTML; instead every text from the data passes through
the template's ``md`` filter, which writes HTML's characters as entities and escapes
Markdown's own, so no cell of a council's spreadsheet can become a link, an image or a
heading.
"""

from __future__ import annotations

import re
from importlib import resources

from sendgraph.show.report.evidence import Report

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def _md(text: object) -> str:
    """Text made inert in Markdown: HTML characters as entities, Markdown's own escaped."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def _md_lines(text: str) -> str:
    """Text of several lines kept as several lines in one list item (hard line breaks)."""
    return "\\\n    ".join(_md(line) for line in text.splitlines())


def _md_cell(text: str) -> str:
    """Text of several lines kept in one table cell: its lines joined by a space."""
    return " ".join(_md(line) for line in str(text).splitlines() if line.strip())


def render_markdown(report: Report) -> str:
    """Return the report as Markdown: the same content, with each chart as a table."""
    from jinja2 import Environment, StrictUndefined  # lazy: only the report needs it

    template = (
        resources.files("sendgraph").joinpath("templates", "report.md").read_text(encoding="utf-8")
    )
    environment = Environment(
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = _md
    environment.filters["md_lines"] = _md_lines
    environment.filters["md_cell"] = _md_cell
    return environment.from_string(template).render(report=report)
