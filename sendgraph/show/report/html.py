"""The evidence report as one offline HTML page.

`render_html` fills ``templates/report.html`` from a `Report`: inline CSS and SVG
charts, a Content-Security-Policy that forbids every remote load, and every text from
the data escaped by Jinja2's autoescape.
"""

from __future__ import annotations

from sendgraph.show.report.evidence import Report, anchor, status_series
from sendgraph.show.templates import PAGE_POLICY, environment, template_text


def render_html(report: Report, pages: str | None = None) -> str:
    """Return the report as one offline HTML page: inline CSS and SVG, every data text escaped.

    Each finding and action links to its IRI, or with ``pages`` (where `sendgraph serve`
    answers the graph's IRIs) to its page there.
    """
    from markupsafe import Markup

    from sendgraph.ask.describe import base_url, linker

    page = environment(html=True, keep_trailing_newline=False)
    page.filters["anchor"] = anchor
    link = linker(base_url(pages)) if pages is not None else None
    page.filters["page"] = lambda iri: (link(iri) if link else None) or iri
    return page.from_string(template_text("report.html")).render(
        report=report,
        policy=PAGE_POLICY,
        statuses={s.name: s for s in status_series()},
        # The SVG is markup that charts.py built with every text escaped.
        charts=[(chart, Markup(chart.svg)) for chart in report.charts],
    )
