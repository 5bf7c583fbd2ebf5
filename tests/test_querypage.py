"""The query page as the server sends it, and its spreadsheet download, without a browser."""

from __future__ import annotations

import base64
import hashlib
import re

from rdflib import Graph, Literal, URIRef

from sendgraph.ask.sparql import QueryStore
from sendgraph.show.querypage import render_query_page, spreadsheet_csv


def test_the_policy_allows_exactly_the_page_s_scripts_by_hash() -> None:
    page, policy = render_query_page()
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 2 and "new Yasgui(" in scripts[1]
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    ]
    assert f"script-src {' '.join(hashes)};" in policy
    assert f'content="{policy}"' in page
    assert "sourceMappingURL" not in page


def test_the_download_neutralises_formulas_in_select_and_graph_answers() -> None:
    graph = Graph()
    graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal("=1+2")))
    store = QueryStore(graph)
    select = store.run("SELECT ?o WHERE { ?s ?p ?o }")
    assert spreadsheet_csv(select) == "o\n'=1+2\n"
    construct = store.run("CONSTRUCT WHERE { ?s ?p ?o }")
    assert spreadsheet_csv(construct) == (
        "subject,predicate,object\nhttps://example.org/a,https://example.org/p,'=1+2\n"
    )
