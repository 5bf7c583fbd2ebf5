"""`sendgraph serve` in Chromium: the query page's own requests are answered, another page's are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.server import executable, free_port, running

ASK_FORM = "query=ASK%20%7B%7D"  # ASK {}, as a form sends it


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    log = tmp_path_factory.mktemp("serve")
    port = free_port()
    command = [executable("sendgraph"), "serve", "--port", str(port)]
    with running(command, f"http://127.0.0.1:{port}/", log=log / "serve.log"):
        yield port


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_the_query_page_can_ask_its_own_server(browser: Any, port: int, name: str) -> None:
    base = f"http://{name}:{port}/"
    script = f"""async () => {{
        const posted = await fetch("sparql", {{method: "POST", body: "{ASK_FORM}",
            headers: {{"Content-Type": "application/x-www-form-urlencoded"}}}});
        const got = await fetch("queries");
        return [posted.status, await posted.text(), got.status];
    }}"""
    page = browser.new_page()
    try:
        page.goto(base)
        assert page.evaluate(script) == [200, '{"head": {}, "boolean": true}', 200]
    finally:
        page.close()


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_another_sites_form_is_refused_in_the_browser(browser: Any, port: int, method: str) -> None:
    """A page of another site submits a query form to the server, as a cross-site attack would.

    The POST carries the page's Origin; the GET carries none, but Sec-Fetch-Site says
    it came from another site.
    """
    target = f"http://127.0.0.1:{port}/sparql"
    form = f'<form method="{method}" action="{target}"><input name="query" value="ASK {{}}"></form>'
    page = browser.new_page()
    page.route(
        "http://evil.example/",
        lambda route: route.fulfill(status=200, content_type="text/html", body=form),
    )
    try:
        page.goto("http://evil.example/")
        with page.expect_navigation() as navigation:
            page.evaluate("document.forms[0].submit()")
        response = navigation.value
        assert response.url.startswith(target) and response.status == 403
        assert response.text() == (
            "Pages from 'http://evil.example' may not use this server; if that is your own "
            "page, start the server with --allow-origin http://evil.example.\n"
            if method == "POST"
            else "A page of another site sent this request (Sec-Fetch-Site: cross-site); only "
            "the query page and the pages named with --allow-origin may.\n"
        )
    finally:
        page.close()
