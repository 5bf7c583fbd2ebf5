"""The endpoint's query page (YASGUI) in a real browser: Debian's chromium, driven by Playwright.

Against a real `sendgraph serve` on 127.0.0.1: a bundled query runs and its rows show
with labels beside IRIs, the address bar holds the query, the CSV download is safe for
a spreadsheet, a syntax error is a sentence, and no request leaves loopback. These
tests skip, saying why, only when chromium is missing and CI is not set; under CI a
missing browser is a failure. `scripts/install-chromium.sh` installs it.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.server import executable, free_port, running

BOARDS = "https://w3id.org/sendgraph/id/rotherham/board/"


class QueryPage:
    """The query page in a fresh browser context, recording every request and console error."""

    def __init__(self, browser: Any) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 900}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, url: str) -> QueryPage:
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        return self

    def close(self) -> None:
        self.context.close()

    def editor(self) -> str:
        return str(self.page.evaluate("window.sendgraph.yasgui.getTab().getQuery()"))

    def rows(self) -> list[list[str]]:
        """The text of each cell of the results table, without YASR's row numbers."""
        self.page.wait_for_selector(".yasr table.dataTable tbody td", timeout=30_000)
        cells = self.page.eval_on_selector_all(
            ".yasr table.dataTable tbody tr",
            "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.textContent))",
        )
        return [row[1:] for row in cells]

    def assert_only_loopback(self, base: str) -> None:
        assert self.requests and all(url.startswith(base) for url in self.requests), self.requests


@pytest.fixture
def opened(browser: Any) -> Iterator[Any]:
    pages: list[QueryPage] = []

    def open_page(url: str) -> QueryPage:
        pages.append(QueryPage(browser))
        return pages[-1].open(url)

    yield open_page
    for page in pages:
        page.close()


def five_rows(page: QueryPage) -> None:
    # A locator, not wait_for_function: the page's policy forbids evaluating strings.
    from playwright.sync_api import expect

    expect(page.page.locator(".yasr table.dataTable tbody tr")).to_have_count(5, timeout=30_000)


def reporting_lines(page: QueryPage) -> list[list[str]]:
    """Run the bundled reporting-lines query from the examples and return its board columns."""
    page.page.select_option("#examples", "reporting-lines")
    five_rows(page)
    return [row[:4] for row in page.rows()]


EXPECTED = [
    [f"Children's Partnership — <{BOARDS}childrens-partnership>", "Children's Partnership",
     f"Rotherham Place Board — <{BOARDS}rotherham-place-board>", "Rotherham Place Board"],
    [f"RESP — <{BOARDS}resp>", "RESP",
     f"SEND Strategic Board — <{BOARDS}send-strategic-board>", "SEND Strategic Board"],
    [f"Rotherham Place Board — <{BOARDS}rotherham-place-board>", "Rotherham Place Board",
     f"Health and Well Being Board — <{BOARDS}health-and-wellbeing-board>",
     "Health and Well Being Board"],
    [f"SEND Strategic Board — <{BOARDS}send-strategic-board>", "SEND Strategic Board",
     f"Children's Partnership — <{BOARDS}childrens-partnership>", "Children's Partnership"],
    [f"panel to focus on transitions to adulthood — <{BOARDS}transitions-to-adulthood-panel>",
     "panel to focus on transitions to adulthood",
     f"Joint Commissioning Resource Panel — <{BOARDS}joint-commissioning-resource-panel>",
     "Joint Commissioning Resource Panel"],
]  # fmt: skip


def test_the_page_is_yasgui_and_runs_a_bundled_query_with_labels_beside_iris(
    opened: Any, endpoint: str
) -> None:
    page = opened(endpoint)
    assert page.page.locator(".yasgui .yasqe .CodeMirror").count() == 1
    assert reporting_lines(page) == EXPECTED
    assert page.page.locator(".yasgui .tabsList .tab.active a span").first.inner_text() == (
        "Reporting lines between boards"
    )
    page.assert_only_loopback(endpoint)
    assert page.errors == []


def test_the_address_bar_holds_the_query_and_opening_it_restores_it(
    opened: Any, endpoint: str
) -> None:
    first = opened(endpoint)
    rows = reporting_lines(first)
    query = first.editor()
    assert query.startswith("# title: Reporting lines between boards\n")
    address = first.page.url
    assert parse_qs(urlparse(address).query) == {"query": [query]}
    # A new browser context shares no storage with the first: only the address carries it.
    again = opened(address)
    assert again.editor() == query
    five_rows(again)
    assert [row[:4] for row in again.rows()] == rows
    # YASGUI's own share links put the query after '#'; they open the same way.
    shared = opened(endpoint + "#" + urlencode({"query": query}))
    assert shared.editor() == query
    for page in (first, again, shared):
        page.assert_only_loopback(endpoint)
        assert page.errors == []


def test_a_share_link_naming_another_endpoint_asks_only_this_server(
    opened: Any, endpoint: str
) -> None:
    link = (
        endpoint
        + "?"
        + urlencode(
            {"query": "ASK { ?s ?p ?o }", "endpoint": "http://192.0.2.1/sparql", "extra": "x"}
        )
    )
    page = opened(link)
    page.page.wait_for_selector(".yasr .booleanResult", timeout=30_000)
    assert page.page.inner_text(".yasr .booleanResult").strip() == "True"
    page.assert_only_loopback(endpoint)
    assert page.errors == []


def test_the_csv_download_is_formula_safe(opened: Any, endpoint: str) -> None:
    cells = ["=1+2", "+44 1709", "-3", "@SUM(A1)", "\tx", "plain", "a,b"]
    values = " ".join(f'"{c}"' for c in cells).replace("\t", "\\t")
    query = f"SELECT ?cell WHERE {{ VALUES ?cell {{ {values} }} }}"
    page = opened(endpoint + "?" + urlencode({"query": query}))
    assert len(page.rows()) == len(cells)
    with page.page.expect_download() as download:
        page.page.click(".yasr .yasr_downloadIcon")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text == "cell\n'=1+2\n'+44 1709\n'-3\n'@SUM(A1)\n'\tx\nplain\n\"a,b\"\n"
    assert download.value.suggested_filename == "query-results.csv"
    # The endpoint's own CSV stays exact for programs.
    request = urllib.request.Request(
        endpoint + "sparql?" + urlencode({"query": query}), headers={"Accept": "text/csv"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        exact = response.read().decode("utf-8")
    assert exact.splitlines()[1:4] == ["=1+2", "+44 1709", "-3"]
    page.assert_only_loopback(endpoint)
    assert page.errors == []


def test_a_syntax_error_shows_as_a_sentence(opened: Any, endpoint: str) -> None:
    page = opened(endpoint + "?" + urlencode({"query": "SELECT ?s WHERE {\n  ?s SELEKT ?o }"}))
    page.page.wait_for_selector(".yasr .errorResult pre", timeout=30_000)
    assert page.page.inner_text(".yasr .errorResult pre").strip() == (
        "The query has a syntax error at line 2, column 6, near 'SELEKT'."
    )
    assert page.page.inner_text(".yasr .errorResult .status") == "Bad Request (#400)"
    page.assert_only_loopback(endpoint)
    # Chromium logs every 4xx answer, and YASQE logs the failed request: nothing else.
    assert len(page.errors) == 2
    assert "status of 400 (Bad Request)" in page.errors[0]
    assert page.errors[1].startswith("Error: Bad Request")


HOSTILE = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sg: <https://w3id.org/sendgraph/ontology#> .
<https://example.org/a'onmouseover='window.__pwned=4'x>
    rdfs:label "<img src=x onerror=\\"window.__pwned=1\\">" ;
    sg:text "</script><script>window.__pwned=2</script>" .
"""


def test_hostile_iris_and_labels_show_as_text_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    graph = tmp_path / "hostile.ttl"
    graph.write_text(HOSTILE, encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    query = "SELECT ?s ?text WHERE { ?s sg:text ?text }"
    command = [executable("sendgraph"), "serve", "--data", str(graph), "--port", str(port)]
    with running(command, base):
        page = QueryPage(browser).open(base + "?" + urlencode({"query": query}))
        try:
            iri = "https://example.org/a'onmouseover='window.__pwned=4'x"
            assert page.rows() == [
                [
                    f'<img src=x onerror="window.__pwned=1"> — <{iri}>',
                    "</script><script>window.__pwned=2</script>",
                ]
            ]
            link = page.page.locator(".yasr table.dataTable tbody a.iri")
            # The quote in the IRI stays inside the link's href: YASR alone would let it
            # out as an onmouseover attribute (which the page's policy would still refuse).
            assert link.get_attribute("href") == iri
            assert link.evaluate("a => a.getAttributeNames()") == ["class", "target", "ref", "href"]
            link.hover()
            assert page.page.evaluate("window.__pwned") is None
            page.assert_only_loopback(base)
            assert page.errors == []
        finally:
            page.close()
