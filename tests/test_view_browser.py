"""The view in a real browser: Debian's chromium, driven by Playwright, on file: pages.

These tests skip, saying why, only when chromium is missing and CI is not set; under CI
a missing browser is a failure. `scripts/install-chromium.sh` installs it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sendgraph.ask.gaps import bundled_rules, find_gaps
from sendgraph.ask.names import resolve_name
from sendgraph.ask.questions import Questions
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_graph
from sendgraph.show.view import collect, network, render_html
from tests.browser import ARTIFACTS
from tests.hostile import HREF, IMG, SCRIPT, hostile_data


class Page:
    """A page opened on a view file, recording console errors and every request."""

    def __init__(self, browser: Any, path: Path, fragment: str = "") -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_selector("body[data-ready=true]", timeout=30_000)

    def drawn(self) -> set[str]:
        return set(self.page.evaluate("window.sendgraph.network.body.nodeIndices"))

    def greyed(self) -> set[str]:
        return set(self.page.evaluate("[...window.sendgraph.grey()]"))

    def at(self, node_id: str) -> tuple[float, float]:
        """Where a node is drawn, in the page's pixels."""
        box = self.page.locator("#network canvas").bounding_box()
        point = self.page.evaluate(
            "id => window.sendgraph.network.canvasToDOM(window.sendgraph.network.getPositions([id])[id])",
            node_id,
        )
        return box["x"] + point["x"], box["y"] + point["y"]

    def hash(self) -> str:
        return str(self.page.evaluate("location.hash"))

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
    gaps = find_gaps(questions.store, bundled_rules())
    path.write_text(render_html(network(collect(questions, (), gaps))), encoding="utf-8")
    return path


def labels(questions: Questions, ids: set[str]) -> set[str]:
    data = collect(questions)
    return {data.nodes[i]["label"] for i in ids}


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


@pytest.fixture()
def fresh(browser: Any, rotherham_view: tuple[Path, Questions]) -> Any:
    page = Page(browser, rotherham_view[0])
    yield page
    assert page.errors == []
    page.page.close()


def boards_of(questions: Questions) -> dict[str, str]:
    return {iri: b.label for iri, b in questions.facts().boards.items()}


# What is drawn apart: a node is crowded when another's centre is within 16 px of its own.
CROWDING = """() => { const net = window.sendgraph.network, canvas = net.canvas.frame.canvas;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  const positions = net.getPositions(net.body.nodeIndices);
  const seen = Object.keys(positions).map(id => [id, net.canvasToDOM(positions[id])])
    .filter(([, p]) => p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height);
  const crowded = seen.filter(([a, p]) => seen.some(([b, q]) => a !== b && Math.hypot(p.x - q.x, p.y - q.y) < 16));
  return { visible: seen.map(([id]) => id), crowded: crowded.map(([id]) => id) }; }"""


def test_the_first_screen_draws_the_boards_apart_with_every_stated_line_in_sight(
    opened: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    questions = rotherham_view[1]
    boards = boards_of(questions)
    assert opened.drawn() == set(boards) and len(boards) == 52  # plans and actions closed
    seen = opened.page.evaluate(CROWDING)
    assert len(seen["crowded"]) <= 0.05 * len(seen["visible"])
    assert seen["crowded"] == []
    # Every board on a stated reporting line is in sight, above the one that reports to it.
    lined = {
        b.label
        for b in questions.facts().boards.values()
        if any(line.modality == "stated" for line in (*b.reports_to, *b.reported_to_by))
    }
    assert lined == {
        "Joint Commissioning Resource Panel",
        "panel to focus on transitions to adulthood",
    }
    visible = {boards[i] for i in seen["visible"]}
    assert lined <= visible
    by_label = {label: iri for iri, label in boards.items()}
    panel = opened.at(by_label["panel to focus on transitions to adulthood"])
    resource = opened.at(by_label["Joint Commissioning Resource Panel"])
    assert resource[1] < panel[1]
    # The boards on no line sit below, in their own band.
    band = [opened.at(i)[1] for i, label in boards.items() if label not in lined]
    assert min(band) > panel[1]
    assert opened.page.evaluate("window.sendgraph.network.getScale()") >= 0.85  # labels legible


def test_clicking_a_board_opens_and_closes_it(
    fresh: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    questions = rotherham_view[1]
    boards = set(boards_of(questions))
    meetings = fresh.page.evaluate("window.sendgraph.find('SEND Joint Commissioning Meetings').id")
    fresh.page.mouse.click(*fresh.at(meetings))
    assert labels(questions, fresh.drawn() - boards) == {"SEND Joint Action Plan", "JCP 3.2"}
    assert fresh.page.inner_text("#details-title") == "SEND Joint Commissioning Meetings"
    assert fresh.page.inner_text("dd[data-field='reports to']") == "No stated line"
    oversees = fresh.page.inner_text("dd[data-field=oversees]")
    assert "plan SEND Joint Action Plan" in oversees and "31 Green" in oversees
    assert "6 Behind schedule" in oversees
    plan = fresh.page.evaluate("window.sendgraph.find('SEND Joint Action Plan').id")
    fresh.page.mouse.click(*fresh.at(plan))
    assert labels(questions, fresh.drawn() - boards) == {
        "SEND Joint Action Plan", "JCP 3.2", "CYPS Improvement Plan measures",
        "Peer Review measures", "SEND Joint Commissioning Plan 2016/17",
    }  # fmt: skip
    fresh.page.mouse.click(*fresh.at(meetings))  # closing a board closes what it holds
    assert fresh.drawn() == boards
    assert fresh.page.evaluate("window.sendgraph.state.open.size") == 0


def test_a_boards_panel_says_what_the_board_command_says(
    fresh: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    answer = rotherham_view[1].board("panel to focus on transitions to adulthood")
    [line] = answer["reports_to"]
    fresh.find("panel to focus on transitions to adulthood")
    assert fresh.page.inner_text("dd[data-field='reports to']") == (
        f"{line['board']} ({line['modality']})\n{line['quote']}"
    )
    assert line["modality"] == "stated"
    fresh.find("SEND Strategic Board")
    gaps = fresh.page.eval_on_selector_all(
        "dd[data-field=gaps] li", "ls => ls.map(l => l.textContent)"
    )
    strategic = rotherham_view[1].board("SEND Strategic Board")
    assert gaps == [f"[{g['severity']}] {g['message']}" for g in strategic["gaps"]]
    assert len(gaps) == 27


def test_plus_and_minus_widen_and_narrow_the_focus_by_degree(
    fresh: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    data = collect(rotherham_view[1])
    neighbours: dict[str, set[str]] = {i: set() for i in data.nodes}
    for edge in data.edges:
        neighbours[edge["from"]].add(edge["to"])
        neighbours[edge["to"]].add(edge["from"])
    fresh.find("SEND 4")
    send4 = fresh.page.evaluate("window.sendgraph.find('SEND 4').id")
    one = {send4} | neighbours[send4]
    two = one | {m for n in one for m in neighbours[n]}
    fresh.page.click("#widen")
    assert fresh.drawn() == one and len(one) == 12
    fresh.page.click("#widen")
    assert fresh.drawn() == two and len(two) == 56
    assert fresh.page.inner_text("#focus-depth") == "Focus: 2 steps"
    fresh.page.click("#narrow")
    assert fresh.drawn() == one
    fresh.page.click("#narrow")
    assert fresh.page.inner_text("#focus-depth") == "No focus"


def test_behind_schedule_keeps_owners_and_boards_drawn(
    fresh: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    questions = rotherham_view[1]
    behind = {a.iri: a for a in questions.facts().actions.values() if a.status == "Behind schedule"}
    assert {a.ref for a in behind.values()} == {
        "SEND 4",
        "PR 2",
        "PR 3",
        "PR 19",
        "JCP 9.1",
        "JCP 10.2",
    }
    owners = {o for a in behind.values() for o in (*a.owners, *a.accountable_leads)}
    assert owners == {
        "Jackie Parkin",
        "Paula Williams (I)",
        "Colette Bailey",
        "Mark Chambers",
        "Jo Smith",
    }
    fresh.page.select_option("#status-filter", "Behind schedule")
    drawn = fresh.drawn()
    data = collect(questions)
    assert {i for i in drawn if data.nodes[i]["kind"] == "action"} == set(behind)
    assert {data.nodes[i]["label"] for i in drawn if data.nodes[i]["kind"] == "person"} == owners
    assert not {i for i in drawn if data.nodes[i]["label"] in owners} & fresh.greyed()
    assert set(boards_of(questions)) <= drawn  # boards stay, greyed unless over one of them
    performance = fresh.page.evaluate("window.sendgraph.find('Performance Board').id")
    strategic = fresh.page.evaluate("window.sendgraph.find('SEND Strategic Board').id")
    assert performance not in fresh.greyed() and strategic in fresh.greyed()
    fresh.page.click("#layout")  # the full network keeps every person
    drawn = fresh.drawn()
    assert {i for i in drawn if data.nodes[i]["kind"] == "action"} == set(behind)
    assert len([i for i in drawn if data.nodes[i]["kind"] == "person"]) == 32


def test_the_url_fragment_reopens_the_same_view(
    browser: Any, fresh: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    meetings = fresh.page.evaluate("window.sendgraph.find('SEND Joint Commissioning Meetings').id")
    fresh.page.mouse.click(*fresh.at(meetings))
    fresh.page.select_option("#status-filter", "Green")
    fresh.page.uncheck("#kind-finding")
    fresh.find("PR 8")
    fragment = fresh.hash()
    assert "status=Green" in fragment and "hide=finding" in fragment and "open=" in fragment
    before = (fresh.drawn(), fresh.greyed(), fresh.page.inner_text("#details-title"))
    positions = fresh.page.evaluate("window.sendgraph.network.getPositions()")
    again = Page(browser, rotherham_view[0], fragment)
    assert (again.drawn(), again.greyed(), again.page.inner_text("#details-title")) == before
    assert again.page.evaluate("window.sendgraph.network.getPositions()") == positions
    assert again.page.input_value("#status-filter") == "Green"
    assert not again.page.is_checked("#kind-finding")
    assert again.errors == []
    fresh.page.reload()  # a reload keeps it too
    fresh.page.wait_for_selector("body[data-ready=true]")
    assert (fresh.drawn(), fresh.page.inner_text("#details-title")) == before[::2]


def test_search_results_and_the_panel_answer_the_keyboard(fresh: Page) -> None:
    page = fresh.page
    page.focus("#search")
    page.keyboard.type("PR 1")
    results = page.eval_on_selector_all("#results button", "bs => bs.map(b => b.textContent)")
    assert results == [f"PR {n} action" for n in (1, *range(10, 20))]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "PR 10 action"
    page.keyboard.press("Enter")
    assert page.inner_text("#details-title") == "PR 10"
    assert page.evaluate("document.activeElement.id") == "details-title"
    # Tab walks the panel's links; Enter follows one.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Focus here (+)":
            break
    else:
        raise AssertionError("Tab never reached the panel's focus link")
    page.keyboard.press("Enter")
    assert page.inner_text("#focus-depth") == "Focus: 1 step"


def test_search_focuses_the_node(opened: Page, iri: Any) -> None:
    opened.find("SEND 4")
    assert opened.page.evaluate("window.sendgraph.network.getSelectedNodes()") == [
        str(iri("action", "send-4"))
    ]
    assert opened.page.inner_text("#details-title") == "SEND 4"
    opened.page.click("#reset")


def test_clicking_a_node_opens_its_details(opened: Page, iri: Any) -> None:
    opened.find("SEND 4")
    opened.page.click("#reset")
    opened.page.click("#layout")
    opened.page.wait_for_selector("body[data-settled=true]", timeout=30_000)
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


def test_a_plans_panel_lists_its_version_log(
    opened: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    from sendgraph.ask.history import version_logs

    opened.find("SEND Joint Action Plan")
    assert opened.page.inner_text("#details-title") == "SEND Joint Action Plan"
    items = opened.page.locator("dd[data-field=versions] li").all_inner_texts()
    [log] = version_logs(rotherham_view[1]).values()
    assert items == [v.line for v in log]
    assert len(items) == 13
    assert items[0] == (
        "Version 1, 14/02/17, amended by Christine Pike: Updates collated from identified "
        "leads determining target dates and establishing the current position statement "
        "and RAG rating"
    )
    opened.page.click("#reset")


def test_the_full_network_draws_every_node(
    opened: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    opened.page.click("#layout")
    assert opened.drawn() == set(collect(rotherham_view[1]).nodes)
    assert len(opened.drawn()) == 240
    opened.page.click("#reset")
    assert len(opened.drawn()) == 52


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
        "#legend [data-status]",
        "ss => ss.map(s => [s.dataset.status, s.textContent, getComputedStyle(s).backgroundColor,"
        " s.nextElementSibling.textContent])",
    )
    assert legend == [
        ["Green", "G", "rgb(143, 209, 158)", "Status Green"],
        ["Amber", "A", "rgb(255, 209, 102)", "Status Amber"],
        ["Red", "R", "rgb(242, 139, 130)", "Status Red"],
        ["Behind schedule", "B", "rgb(208, 169, 245)", "Status Behind schedule"],
        ["No status", "–", "rgb(224, 224, 224)", "Status No status"],
    ]
    # Each action's label carries its status's letter, so colour is never the only cue.
    assert (
        opened.page.evaluate("window.sendgraph.nodes.get(window.sendgraph.find('SEND 4').id).label")
        == "B · SEND 4"
    )


def test_print_shows_the_map_and_its_legend(opened: Page) -> None:
    opened.page.emulate_media(media="print")
    try:
        shown = opened.page.evaluate(
            "['#legend', '#network', '#kind-filters', '#search'].map(s => getComputedStyle(document.querySelector(s)).display !== 'none' && document.querySelector(s).offsetParent !== null)"
        )
        assert shown == [True, True, False, False]
    finally:
        opened.page.emulate_media(media="screen")


def test_first_screen_screenshot(opened: Page) -> None:
    opened.page.click("#reset")
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


def test_the_exceptions_panel_lists_what_the_exceptions_command_lists(
    browser: Any, fresh: Page, rotherham_view: tuple[Path, Questions]
) -> None:
    result = CliRunner().invoke(main, ["exceptions", "-f", "json"], catch_exceptions=False)
    expected = json.loads(result.stdout)
    page = fresh.page
    assert not page.is_visible("#exceptions")
    assert page.inner_text("#exceptions-toggle") == "Exceptions (24)"
    page.click("#exceptions-toggle")
    counts = page.eval_on_selector_all(
        "#exception-counts button", "bs => bs.map(b => b.textContent)"
    )
    assert counts == ["0 Red", "6 Behind schedule", "8 Overdue", "13 No owner"]
    rows = page.eval_on_selector_all(
        "#exception-list button",
        "bs => bs.map(b => [b.dataset.ref, b.querySelector('.reasons').textContent,"
        " [...b.querySelectorAll('.fact')].map(f => f.textContent)])",
    )
    assert [ref for ref, _, _ in rows] == [r["ref"] for r in expected] and len(rows) == 24
    assert {ref for ref, reasons, _ in rows if "," in reasons} == {"PR 19", "JCP 9.1", "JCP 10.2"}
    assert {r["ref"] for r in expected if len(r["reasons"]) == 2} == {
        "PR 19",
        "JCP 9.1",
        "JCP 10.2",
    }
    facts = {ref: (reasons, shown) for ref, reasons, shown in rows}
    assert facts["PR 19"] == (
        " — Behind schedule, Overdue",
        ["Owner: Colette Bailey", "Target: May 2017", "Board: SEND Joint Commissioning Meetings (plan)"],
    )  # fmt: skip
    assert facts["PC 1.1 identified action"][1] == [
        "No owner", "Target: none", "Board: SEND Strategic Board (review)",
    ]  # fmt: skip
    # The panel takes the keyboard: opening it puts the first row in focus, Enter finds it.
    assert page.evaluate("document.activeElement.dataset.ref") == "JCP 9.1"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    jcp = page.evaluate("window.sendgraph.find('JCP 10.2').id")
    assert page.evaluate("window.sendgraph.network.getSelectedNodes()") == [jcp]
    assert page.inner_text("#details-title") == "JCP 10.2"
    # Clicking a row selects its action in the map, opening its board and plans to show it.
    pr19 = page.evaluate("window.sendgraph.find('PR 19').id")
    assert pr19 not in fresh.drawn()
    page.click("#exception-list button[data-ref='PR 19']")
    assert page.evaluate("window.sendgraph.network.getSelectedNodes()") == [pr19]
    assert pr19 in fresh.drawn() and page.inner_text("#details-title") == "PR 19"
    assert page.get_attribute("#exception-list button[data-ref='PR 19']", "aria-current") == "true"
    # A reason's count narrows the list to it, and the fragment keeps the panel as it is.
    page.click("#exception-counts button[data-reason='Behind schedule']")
    shown = page.eval_on_selector_all("#exception-list button", "bs => bs.map(b => b.dataset.ref)")
    assert shown == [r["ref"] for r in expected if "Behind schedule" in r["reasons"]]
    assert shown == ["JCP 9.1", "JCP 10.2", "PR 2", "PR 3", "PR 19", "SEND 4"]
    again = Page(browser, rotherham_view[0], fresh.hash())
    assert again.page.is_visible("#exceptions")
    assert (
        again.page.eval_on_selector_all(
            "#exception-list button", "bs => bs.map(b => b.dataset.ref)"
        )
        == shown
    )
    assert again.page.evaluate("window.sendgraph.network.getSelectedNodes()") == [pr19]
    assert again.errors == []
    again.page.close()
    page.click("#exceptions-toggle")
    assert not page.is_visible("#exceptions") and page.is_visible("#kind-filters")


@pytest.mark.parametrize(
    "text",
    ["SEND Board", "PCF", "JP", "PW (EY)", "health & well-being board", "Wellbeing",
     "SEND Joint Action Plan", "SEND Peer Challenge", "send4", "JCP 2"],
)  # fmt: skip
def test_the_search_finds_first_what_focus_names(
    opened: Page, rotherham_view: tuple[Path, Questions], text: str
) -> None:
    expected = resolve_name(rotherham_view[1], text).iri
    assert opened.page.evaluate("t => window.sendgraph.find(t).id", text) == expected


def test_a_board_alias_and_a_persons_initials_are_reached_by_keyboard(fresh: Page) -> None:
    page = fresh.page
    for typed, found in (("SEND Board", "SEND Strategic Board"), ("JP", "Jackie Parkin")):
        page.fill("#search", "")
        page.focus("#search")
        page.keyboard.type(typed)
        first = page.eval_on_selector_all("#results button", "bs => bs.map(b => b.textContent)")[0]
        assert first.startswith(found + " ")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert page.inner_text("#details-title") == found
        assert page.evaluate("document.activeElement.id") == "details-title"
    iri = page.evaluate("window.sendgraph.find('Jackie Parkin').id")
    assert page.evaluate("window.sendgraph.network.getSelectedNodes()") == [iri]
