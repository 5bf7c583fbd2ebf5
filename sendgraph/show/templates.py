"""The Jinja2 templates every page and paper is filled from, and the policy of an offline page.

The templates are package data under ``templates/``. An HTML page is filled with
autoescape on, so every text from the data is escaped; Markdown with it off, each text
passing through an escaping filter the renderer adds (`sendgraph.show.tables.markdown_text`).
Undefined names fail loudly rather than render as nothing.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment

# The Content-Security-Policy of every offline page without script (the report, a board
# pack, a resource's page): nothing is loaded from anywhere, not even this server.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
    "connect-src 'none'; script-src 'none'; form-action 'none'; base-uri 'none'"
)


def template_text(name: str) -> str:
    """The text of the template ``name`` of ``templates/``."""
    return resources.files("sendgraph").joinpath("templates", name).read_text(encoding="utf-8")


def environment(*, html: bool, keep_trailing_newline: bool = True) -> Environment:
    """A Jinja2 environment for an HTML page (autoescape on) or Markdown (off)."""
    from jinja2 import Environment, StrictUndefined  # lazy: only pages and papers need it

    return Environment(
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
    )
