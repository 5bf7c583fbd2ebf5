"""The view in a real browser: Debian's chromium, driven by Playwright, on file: pages.

These tests skip, saying why, only when chromium is missing and CI is not set; under CI
a missing browser is a failure. `scripts/install-chromium.sh` installs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sendgraph.ask.questions import Questions
from sendgraph.graph.build import Build, build_graph
from sendgraph.show.view import collect, network, render_html
from tests.browser import ARTIFACTS
from tests.hostile import HREF, IMG, SCRIPT, hostile_data


class Page:
    """A page opened on a view file, recording console errors and every request."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1600, "height": 1000})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready=true]", timeout=30_000)

    def drawn(self) -> set[str]:
        return set(self.page.evaluate("window.sendgraph.network.body.nodeIndices"))

    def find(self, text: str) -> None:
        self.page.fill("#search", text)
        self.page.press("#search", "Enter")

    def click_node(self, node_id: str) -> None:
        # Freeze the layout first: on a loaded machine physics may still be moving the
        # nodes, and the click would land where the node was a moment ago.
        self.page.evaluate("window.sendgraph.network.setOptions({physics: false})")
        isolate(self.page, node_id)
        box = self.page.locator("#network canvas").bounding_box()
        point = self.page.evaluate(
            "id => window.sendgraph.network.canvasToDOM(window.sendgraph.network.getPositions([id])[id])",
            node_id,
        )
        self.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def isolate(page: Any, node_id: str) -> None:
    """Move a node clear of the others and centre it, so that no neighbour drawn over it
    (an organisation's wide box, say) takes the pointer: the tests are about what the
    node shows, not about where the layout happened to put it."""
    page.evaluate(
        """id => { const net = window.sendgraph.network;
                   net.moveNode(id, 100000, 100000);
                   net.focus(id, {scale: 1.5, animation: false});
                   net.redraw(); }""",
        node_id,
    )
    # Drawn where the pointer will go: the node's hit box follows it on the next frame.
    page.wait_for_function(
        """id => { const net = window.sendgraph.network;
                   return net.getNodeAt(net.canvasToDOM(net.getPositions([id])[id])) === id; }""",
        arg=node_id,
    )


def write_view(questions: Questions, path: Path) -> Path:
    path.write_text(render_html(network(collect(questions))), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rotherham_view(
    rotherham: Build, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Questions]:
    questions = Questions(rotherham.graph)
    return write_view(questions, tmp_path_factory.mktemp("view") / "sendgraph.html"), questions


@pytest.fixture(scope="module")
def opened(browser: Any, rotherham_view: tuple[Path, Questions]) -> Page:
    return Page(browser, rotherham_view[0])


def test_loads_with_no_console_errors_and_no_network(opened: Page) -> None:
    assert opened.errors == []
    assert opened.requests and all(url.startswith("file:") for url in opened.requests)


def test_draws_every_node(opened: Page, rotherham_view: tuple[Path, Questions]) -> None:
    assert opened.drawn() == set(collect(rotherham_view[1]).nodes)
    assert len(opened.drawn()) == 240


def test_search_focuses_the_node(opened: Page, iri: Any) -> None:
    opened.find("SEND 4")
    assert opened.page.evaluate("window.sendgraph.network.getSelectedNodes()") == [
        str(iri("action", "send-4"))
    ]
    assert opened.page.inner_text("#details-title") == "SEND 4"
    opened.page.click("#reset")


def test_clicking_a_node_opens_its_details(opened: Page, iri: Any) -> None:
    opened.page.evaluate("window.sendgraph.network.fit()")
    opened.click_node(str(iri("action", "send-4")))
    assert opened.page.inner_text("#details-title") == "SEND 4"
    owners = opened.page.inner_text("dd[data-field=owners]")
    status = opened.page.inner_text("dd[data-field=status]")
    assert owners == "Jackie Parkin"
    assert status.startswith("Behind Schedule")
    assert opened.page.inner_text("dd[data-field='accountable leads']") == "Paula Williams (I)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    opened.page.screenshot(path=str(ARTIFACTS / "rotherham-view-send4.png"))
    opened.page.click("#reset")


def test_status_filter_hides_exactly_the_other_nodes(
    opened: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    behind = {
        n["id"]
        for n in collect(rotherham_view[1]).nodes.values()
        if n.get("status") == "Behind schedule"
    }
    assert len(behind) == 6  # SEND 4, PR 2, PR 3, PR 19, JCP 9.1 and JCP 10.2
    opened.page.select_option("#status-filter", "Behind schedule")
    assert opened.drawn() == behind
    assert opened.page.inner_text("#count") == "6 of 240 nodes"
    opened.page.select_option("#status-filter", "Red")  # the papers mark no action Red
    assert opened.drawn() == set()
    opened.page.click("#reset")
    assert len(opened.drawn()) == 240


def test_behind_schedule_is_its_own_filter_entry_and_legend_entry(opened: Page) -> None:
    options = opened.page.eval_on_selector_all(
        "#status-filter option", "os => os.map(o => [o.value, o.textContent])"
    )
    assert options == [
        ["", "All"],
        ["Green", "Green (31)"],
        ["Amber", "Amber (32)"],
        ["Red", "Red (0)"],
        ["Behind schedule", "Behind schedule (6)"],
    ]
    legend = opened.page.eval_on_selector_all(
        "#legend .status-swatch",
        "ss => ss.map(s => [s.dataset.status, s.textContent, getComputedStyle(s).backgroundColor,"
        " s.nextElementSibling.textContent])",
    )
    assert legend == [
        ["Green", "G", "rgb(143, 209, 158)", "Status Green"],
        ["Amber", "A", "rgb(255, 209, 102)", "Status Amber"],
        ["Red", "R", "rgb(242, 139, 130)", "Status Red"],
        ["Behind schedule", "B", "rgb(208, 169, 245)", "Status Behind schedule"],
    ]


def test_full_view_screenshot(opened: Page) -> None:
    opened.page.evaluate("window.sendgraph.network.fit()")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "rotherham-view.png"
    opened.page.screenshot(path=str(path))
    assert path.stat().st_size > 50_000


def test_hostile_rows_show_as_text_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    questions = Questions(build_graph(hostile_data(tmp_path), validate=False).graph)
    page = Page(browser, write_view(questions, tmp_path / "hostile.html"))
    for ref, text in (("PR 1", IMG), ("PR 2", SCRIPT), ("PR 3", HREF)):
        page.find(ref)
        assert page.page.inner_text("dd[data-field=text]") == text
        if ref == "PR 2":
            assert page.page.inner_text("dd[data-field=progress]") == SCRIPT
    assert (
        page.page.locator("#details-body img, #details-body a, #details-body script").count() == 0
    )
    pr3 = page.page.evaluate("window.sendgraph.find('PR 3').id")
    # Freeze the layout first: on a loaded machine physics may still be moving the nodes,
    # and the mouse would land where PR 3 was a moment ago.
    page.page.evaluate("window.sendgraph.network.setOptions({physics: false})")
    isolate(page.page, pr3)
    box = page.page.locator("#network canvas").bounding_box()
    point = page.page.evaluate(
        "id => window.sendgraph.network.canvasToDOM(window.sendgraph.network.getPositions([id])[id])",
        pr3,
    )
    page.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = page.page.wait_for_selector("div.vis-tooltip", state="visible")
    assert HREF in tooltip.inner_text()  # the hover summary shows the words, not a link
    assert page.page.locator("div.vis-tooltip a, div.vis-tooltip img").count() == 0
    assert page.page.evaluate("window.__pwned") is None
    assert page.errors == []
    assert all(url.startswith("file:") for url in page.requests)
