"""A board pack as one offline HTML page or as Markdown, from a `BoardPack` (`sendgraph.ask.boardpack`).

`render` fills ``templates/boardpack.html`` (Jinja2 with autoescape, a
Content-Security-Policy that forbids every remote load) or ``templates/boardpack.md``
(every text from the data through the ``md`` filter, so no cell of a council's
spreadsheet becomes a link, an image or a heading). It renders the pack's facts and
derives none.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from sendgraph.show.tables import markdown_text

if TYPE_CHECKING:
    from sendgraph.ask.boardpack import BoardPack


def render(pack: BoardPack, fmt: str = "html") -> str:
    """Return the board pack as ``html`` (one offline page) or ``md`` (Markdown)."""
    from jinja2 import Environment, StrictUndefined  # lazy: only the reports need it

    html = fmt == "html"
    name = "boardpack.html" if html else "boardpack.md"
    template = resources.files("sendgraph").joinpath("templates", name).read_text(encoding="utf-8")
    environment = Environment(
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = markdown_text
    return environment.from_string(template).render(pack=pack)
