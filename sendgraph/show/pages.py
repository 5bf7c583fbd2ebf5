"""The pages of the graph's own IRIs: a resource's page, the ontology's page, and the ontology's documentation.

`render_resource_page` and `render_ontology_page` fill ``templates/resource.html``, one
offline page with inline CSS, no script, a Content-Security-Policy that forbids every
remote load (`sendgraph.show.templates.PAGE_POLICY`, sent in the header too) and every text from the data
escaped by Jinja2's autoescape. `render_ontology_markdown` writes the same `OntologyDoc`
as ``docs/ontology.md``, every text through an escaping filter.
"""

from __future__ import annotations

import re
from typing import Any

from sendgraph.ask.describe import Description, OntologyDoc, Ref
from sendgraph.show.tables import markdown_text
from sendgraph.show.templates import PAGE_POLICY, environment, template_text


def anchor(title: str) -> str:
    """Return the anchor of a heading, as GitHub makes it: ``Object properties`` -> ``object-properties``.

    >>> anchor("Object properties")
    'object-properties'
    """
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def _environment(*, html: bool) -> Any:
    filled = environment(html=html)
    filled.filters["anchor"] = anchor
    return filled


def _render_page(base: str, title: str, **values: Any) -> str:
    root = base if base.endswith("/") else base + "/"
    return str(
        _environment(html=True)
        .from_string(template_text("resource.html"))
        .render(
            policy=PAGE_POLICY,
            title=title,
            home=root,
            ontology_link=root + "ontology",
            **values,
        )
    )


def render_resource_page(description: Description, base: str = "/") -> str:
    """Return a resource's page: its label, kinds, IRI, quotes, sources, values and links in and out.

    ``base`` is where the server's own pages are (the query page, the ontology); the
    links of ``description`` were made with the same base (`sendgraph.ask.describe.linker`).
    """
    return _render_page(
        base, description.label, description=description, ontology=None,
        truncated=description.truncated,
    )  # fmt: skip


def render_ontology_page(doc: OntologyDoc, base: str = "/") -> str:
    """Return the ontology's page: its header, then each term at the anchor of its name (``/ontology#Action``)."""
    return _render_page(base, doc.label, description=None, ontology=doc, truncated=doc.truncated)


def _md_node(node: Ref, anchors: dict[str, str]) -> str:
    """A node in the ontology's Markdown: a link to its entry for a term, else its label and IRI."""
    if node.iri in anchors:
        return f"[{markdown_text(node.iri.rpartition('#')[2])}](#{anchors[node.iri]})"
    if node.label == node.iri:
        return f"<{node.iri}>"
    return (
        f"{markdown_text(node.label)} (`{node.iri}`)"
        if ":" not in node.label
        else f"`{node.label}`"
    )


def render_ontology_markdown(doc: OntologyDoc) -> str:
    """Return the ontology's documentation as Markdown (``docs/ontology.md``)."""
    markdown = _environment(html=False)
    markdown.filters["md"] = markdown_text
    markdown.filters["md_line"] = markdown_text
    anchors = {
        term.iri: anchor(f"{term.name} {term.kind}") for _, terms in doc.sections for term in terms
    }
    return str(
        markdown.from_string(template_text("ontology.md")).render(
            ontology=doc, node=lambda node: _md_node(node, anchors)
        )
    )
