"""The pages of the graph's IRIs in Chromium, offline: open an action's page, follow its links to other pages.

Every request the browser makes goes through a route that lets through the local
server alone and records anything else, so a page that loaded a style sheet, a font or
a script from elsewhere would fail the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sendgraph.ask.questions import Questions
from sendgraph.graph.build import Build
from sendgraph.show.view import collect, network, render_html
from tests.server import executable, free_port, running


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("serve")
    port = free_port()
    command = [executable("sendgraph"), "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    with running(command, url, log=log / "serve.log"):
        yield url


def offline_page(browser: Any, base: str) -> tuple[Any, list[str]]:
    """A new page whose requests reach only ``base``; the list fills with every other URL it asked for."""
    elsewhere: list[str] = []
    page = browser.new_page()

    def only_local(route: Any) -> None:
        url = route.request.url
        if url.startswith(base):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", only_local)
    return page, elsewhere


def test_an_actions_page_opens_offline_and_its_links_lead_to_other_pages(
    browser: Any, base: str
) -> None:
    page, elsewhere = offline_page(browser, base)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        response = page.goto(base + "id/rotherham/action/send-3")
        assert response.status == 200
        assert page.title() == "SEND 3 · sendgraph"
        assert page.locator("h1").inner_text() == "SEND 3"
        # A link in: PR 13 cites SEND 3.
        with page.expect_navigation():
            page.get_by_role("link", name="PR 13", exact=True).click()
        assert page.url == base + "id/rotherham/action/pr-13"
        assert page.locator("h1").inner_text() == "PR 13"
        # A link out from there: the board its text names, then back by a link in.
        with page.expect_navigation():
            page.get_by_role("link", name="SEND 3", exact=True).first.click()
        assert page.url == base + "id/rotherham/action/send-3"
        with page.expect_navigation():
            page.get_by_role("link", name="Mark Chambers", exact=True).click()
        assert page.locator("h1").inner_text() == "Mark Chambers"
        # And back by the link in that names him owner.
        with page.expect_navigation():
            page.get_by_role("link", name="SEND 3", exact=True).first.click()
        # A kind leads to its place on the ontology's page.
        with page.expect_navigation():
            page.get_by_role("link", name="measure", exact=True).click()
        assert page.url == base + "ontology#Measure"
        assert page.locator("h1").inner_text() == "sendgraph ontology"
        assert page.locator("#Measure h3").inner_text() == "measure sg:Measure"
        assert elsewhere == []
        assert errors == []
    finally:
        page.close()


def test_the_views_panel_opens_a_nodes_page(
    browser: Any, base: str, rotherham: Build, tmp_path: Path
) -> None:
    """A view written with --base links each node's panel to its page on that server."""
    view = tmp_path / "view.html"
    view.write_text(
        render_html(network(collect(Questions(rotherham.graph))), pages=base), encoding="utf-8"
    )
    page = browser.new_page()
    try:
        page.goto(view.as_uri())
        page.evaluate(
            "window.sendgraph.select('https://w3id.org/sendgraph/id/rotherham/action/send-3', false, false)"
        )
        link = page.get_by_role("link", name="Open its page")
        assert link.get_attribute("href") == base + "id/rotherham/action/send-3"
        with page.expect_navigation():
            link.click()
        assert page.url == base + "id/rotherham/action/send-3"
        assert page.locator("h1").inner_text() == "SEND 3"
    finally:
        page.close()
