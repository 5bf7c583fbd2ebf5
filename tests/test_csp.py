"""Every HTML page sendgraph makes carries a Content-Security-Policy that forbids remote loads.

For the view, the report and the server's query page: the policy is parsed and checked
source by source, and in Debian's chromium a copy of each page with a remote image,
script, style sheet, fetch and frame injected makes no request at all, while the same
copy without the policy does (so the check can fail).
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from sendgraph.ask.questions import Questions
from sendgraph.graph.build import Build
from sendgraph.show.report.evidence import build_report
from sendgraph.show.report.html import render_html as render_report
from sendgraph.show.view import collect, network
from sendgraph.show.view import render_html as render_view

REMOTE = "http://192.0.2.1"  # TEST-NET-1: never routed, and every request to it is recorded
INJECTED = f"""
<img src="{REMOTE}/image.png">
<script src="{REMOTE}/script.js"></script>
<link rel="stylesheet" href="{REMOTE}/style.css">
<iframe src="{REMOTE}/frame.html"></iframe>
<object data="{REMOTE}/object.swf"></object>
<script>
  try {{ fetch("{REMOTE}/fetch"); }} catch (e) {{}}
  new Image().src = "{REMOTE}/inline-image.png";
</script>
"""
# Sources that reach nothing beyond the page itself; a hash allows one inline script.
LOCAL_SOURCES = {"'none'", "'self'", "'unsafe-inline'", "data:", "blob:"}
HASH = re.compile(r"'sha256-[A-Za-z0-9+/]{43}='")
FETCH_DIRECTIVES = {"script-src", "style-src", "img-src", "font-src", "connect-src", "media-src",
                    "object-src", "frame-src", "child-src", "worker-src", "manifest-src"}  # fmt: skip


class MetaPolicy(HTMLParser):
    """Collects the content of every <meta http-equiv="Content-Security-Policy">."""

    def __init__(self) -> None:
        super().__init__()
        self.policies: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(values.get("content") or "")


def meta_policies(html: str) -> list[str]:
    parser = MetaPolicy()
    parser.feed(html)
    return parser.policies


def parse(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            assert words[0].lower() not in directives, f"{words[0]} is given twice"
            directives[words[0].lower()] = words[1:]
    return directives


def assert_forbids_remote_loads(policy: str, connect: set[str]) -> None:
    directives = parse(policy)
    assert directives["default-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'none'"]
    for name, sources in directives.items():
        if name in FETCH_DIRECTIVES:
            assert all(s in LOCAL_SOURCES or HASH.fullmatch(s) for s in sources), (name, sources)
            assert not any(s.rstrip(":") in ("http", "https", "ws", "wss") for s in sources)
            assert "*" not in " ".join(sources)
    assert "'unsafe-eval'" not in policy
    assert set(directives.get("connect-src", ["'none'"])) == connect
    assert not set(directives.get("script-src", [])) & {"data:", "blob:", "'self'"}


@pytest.fixture(scope="module")
def view_html(rotherham: Build) -> str:
    return render_view(network(collect(Questions(rotherham.graph))))


@pytest.fixture(scope="module")
def report_html(rotherham: Build) -> str:
    return render_report(build_report(Questions(rotherham.graph), generated=dt.date(2024, 1, 2)))


def fetch_page(url: str) -> tuple[dict[str, str], str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return dict(response.headers), response.read().decode("utf-8")


def test_the_view_forbids_remote_loads(view_html: str) -> None:
    (policy,) = meta_policies(view_html)
    assert_forbids_remote_loads(policy, connect={"'none'"})


def test_the_report_forbids_remote_loads(report_html: str) -> None:
    (policy,) = meta_policies(report_html)
    assert_forbids_remote_loads(policy, connect={"'none'"})
    assert parse(policy)["script-src"] == ["'none'"]  # the report runs no script at all


def test_the_query_page_forbids_remote_loads_in_its_header_and_its_page(endpoint: str) -> None:
    headers, page = fetch_page(endpoint)
    (meta,) = meta_policies(page)
    assert headers["Content-Security-Policy"] == meta
    assert_forbids_remote_loads(meta, connect={"'self'"})  # it asks its own /sparql
    # Only YASGUI and the page's own script run, by their hashes: no inline script else.
    scripts = parse(meta)["script-src"]
    assert len(scripts) == 2 and all(HASH.fullmatch(s) for s in scripts)


@pytest.mark.parametrize("path", ["id/rotherham/action/send-3", "ontology"])
def test_the_pages_of_the_graphs_iris_forbid_remote_loads(endpoint: str, path: str) -> None:
    headers, page = fetch_page(endpoint + path)
    (meta,) = meta_policies(page)
    assert headers["Content-Security-Policy"] == meta
    assert_forbids_remote_loads(meta, connect={"'none'"})
    assert parse(meta)["script-src"] == ["'none'"]  # the pages run no script at all


def test_a_policy_with_a_remote_source_fails_the_check() -> None:
    with pytest.raises(AssertionError):
        assert_forbids_remote_loads(
            "default-src 'none'; img-src https:; base-uri 'none'; form-action 'none'", {"'none'"}
        )
    with pytest.raises(AssertionError):
        assert_forbids_remote_loads(
            "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; base-uri 'none'; "
            "form-action 'none'",
            {"'none'"},
        )


# ---------------------------------------------------------------- in the browser


def inject(html: str, *, keep_policy: bool) -> str:
    if not keep_policy:
        html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    return html.replace("</body>", INJECTED + "</body>", 1)


def remote_requests(browser: Any, load: Any) -> list[str]:
    """Open a page with ``load(page)`` and return the remote URLs that went out to the network."""
    asked: list[str] = []
    page = browser.new_page()

    def reached(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(status=204)

    page.route(f"{REMOTE}/**", reached)
    # Chromium reports a request its policy blocked as a failed request, and never routes
    # it: only what reaches the route (the network) counts.
    try:
        load(page)
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)  # let the inline script's fetch and image go out, if they can
    finally:
        page.close()
    return sorted(set(asked))


@pytest.mark.parametrize("which", ["view", "report", "resource"])
def test_injected_remote_loads_make_no_request_from_a_file(
    which: str, browser: Any, view_html: str, report_html: str, endpoint: str, tmp_path: Path
) -> None:
    pages = {"view": view_html, "report": report_html}
    html = (
        pages[which] if which in pages else fetch_page(endpoint + "id/rotherham/action/send-3")[1]
    )
    guarded, bare = tmp_path / "guarded.html", tmp_path / "bare.html"
    guarded.write_text(inject(html, keep_policy=True), encoding="utf-8")
    bare.write_text(inject(html, keep_policy=False), encoding="utf-8")
    assert remote_requests(browser, lambda page: page.goto(guarded.as_uri())) == []
    # Control: without its policy the same page reaches out (the report's inline script
    # would run too), so the empty list above is the policy's doing.
    reached = remote_requests(browser, lambda page: page.goto(bare.as_uri()))
    assert {f"{REMOTE}/image.png", f"{REMOTE}/script.js", f"{REMOTE}/style.css"} <= set(reached)


def test_injected_remote_loads_make_no_request_from_the_query_page(
    browser: Any, endpoint: str
) -> None:
    def load(keep_policy: bool) -> Any:
        def opened(page: Any) -> None:
            def edit(route: Any) -> None:
                response = route.fetch()
                headers = dict(response.headers)
                if not keep_policy:
                    headers.pop("content-security-policy", None)
                route.fulfill(
                    response=response, headers=headers,
                    body=inject(response.text(), keep_policy=keep_policy),
                )  # fmt: skip

            page.route(endpoint, edit)
            page.goto(endpoint)

        return opened

    assert remote_requests(browser, load(keep_policy=True)) == []
    reached = remote_requests(browser, load(keep_policy=False))
    assert {f"{REMOTE}/image.png", f"{REMOTE}/script.js", f"{REMOTE}/fetch"} <= set(reached)
