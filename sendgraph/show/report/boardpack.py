"""A board pack as one offline HTML page or as Markdown, from a `BoardPack` (`sendgraph.ask.boardpack`).

`render` fills ``templates/boardpack.html`` (Jinja2 with autoescape, a
Content-Security-Policy that forbids every remote load) or ``templates/boardpack.md``
(every text from the data through the ``md`` filter, so no cell of a council's
spreadsheet becomes a link, an image or a heading). It renders the pack's facts and
derives none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sendgraph.show.tables import markdown_text
from sendgraph.show.templates import PAGE_POLICY, environment, template_text

if TYPE_CHECKING:
    from sendgraph.ask.boardpack import BoardPack


def render(pack: BoardPack, fmt: str = "html") -> str:
    """Return the board pack as ``html`` (one offline page) or ``md`` (Markdown)."""
    html = fmt == "html"
    filled = environment(html=html)
    filled.filters["md"] = markdown_text
    template = template_text("boardpack.html" if html else "boardpack.md")
    return filled.from_string(template).render(pack=pack, policy=PAGE_POLICY)
