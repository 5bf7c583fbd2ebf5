"""The inspection evidence report: for each finding, what was done, by whom, overseen by whom, with what result.

The report is a package of four modules, one for each thing it holds:

- `evidence`: the facts, gathered once by `build_report` into a `Report`;
- `html`: `render_html`, one offline page from ``templates/report.html``;
- `markdown`: `render_markdown`, Markdown from ``templates/report.md``;
- `pdf`: `render_pdf`, that page printed to A4 by Chromium.

A package rather than four ``report_*`` modules beside the other renderers, because
they are one thing in four parts: ``ls sendgraph/show/report`` shows the report's
facts and its renderings, and each module's name says which part it is without a
prefix. This module joins them for the command line: `build_report`, then `render` as HTML
or Markdown (the PDF is `pdf.render_pdf`'s, which needs Chromium).
"""

from __future__ import annotations

from sendgraph.show.report.evidence import Report, build_report
from sendgraph.show.report.html import render_html
from sendgraph.show.report.markdown import render_markdown

__all__ = ["Report", "build_report", "render"]


def render(report: Report, fmt: str = "html", pages: str | None = None) -> str:
    """Return the report as ``html`` or ``md`` (Markdown); the page links to ``pages`` (see `render_html`)."""
    return render_html(report, pages) if fmt == "html" else render_markdown(report)
