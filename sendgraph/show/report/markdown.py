"""The evidence report as Markdown: the same content as the HTML page, with each chart as a table.

`render_markdown` fills ``templates/report.md`` from a `Report`. Jinja2's autoescape is
off, because the output is not HTML; instead every text from the data passes through
the template's ``md`` filter, which writes HTML's characters as entities and escapes
Markdown's own, so no cell of a council's spreadsheet can become a link, an image or a
heading.
"""

from __future__ import annotations

from sendgraph.show.report.evidence import Report
from sendgraph.show.tables import markdown_escape as _md
from sendgraph.show.templates import environment, template_text


def _md_lines(text: str) -> str:
    """Text of several lines kept as several lines in one list item (hard line breaks)."""
    return "\\\n    ".join(_md(line) for line in text.splitlines())


def _md_cell(text: str) -> str:
    """Text of several lines kept in one table cell: its lines joined by a space."""
    return " ".join(_md(line) for line in str(text).splitlines() if line.strip())


def render_markdown(report: Report) -> str:
    """Return the report as Markdown: the same content, with each chart as a table."""
    markdown = environment(html=False)
    markdown.filters["md"] = _md
    markdown.filters["md_lines"] = _md_lines
    markdown.filters["md_cell"] = _md_cell
    return markdown.from_string(template_text("report.md")).render(report=report)
