"""Time the view in headless Chromium: until the governance map is drawn, a click opens a board, and the full network is drawn.

Run: .venv/bin/python benchmarks/view.py [--nodes 5000] [--repeat 3]

Measures the bundled Rotherham view and a synthetic view of about ``--nodes`` nodes made
through the real pipeline (CSV files -> graph -> view): the Rotherham data plus
synthetic actions, people and boards. Needs Debian's chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from sendgraph.ask.questions import Questions
from sendgraph.graph.build import build_graph, default_data_folder
from sendgraph.show.view import collect, network, render_html

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Append rows to a data file, in its own column order."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        columns = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=columns).writerows(rows)


def synthetic_data(folder: Path, nodes: int) -> Path:
    """Copy the Rotherham data and add people, boards and actions until the view has about ``nodes`` nodes."""
    target = folder / "data"
    shutil.copytree(default_data_folder(), target)
    rng = random.Random(2017)
    people = [f"Synthetic Person {n}" for n in range(max(20, nodes // 25))]
    boards = [f"Synthetic Board {n}" for n in range(max(10, nodes // 80))]
    document = "rotherham-ccg-send-update-2017"
    append_rows(
        target / "people.csv",
        [
            {
                "id": f"synthetic-person-{n}",
                "name": name,
                "document": document,
                "section": "synthetic",
            }
            for n, name in enumerate(people)
        ],
    )
    append_rows(
        target / "boards.csv",
        [
            {
                "id": f"synthetic-board-{n}",
                "label": name,
                "kind": "board",
                "document": document,
                "quote": "synthetic",
            }
            for n, name in enumerate(boards)
        ],
    )
    actions = nodes - 240 - len(people) - len(boards)
    statuses = ["On track", "Completed", "Behind Schedule"]
    rows = []
    for n in range(actions):
        board = rng.choice(boards)
        rows.append(
            {
                "ref": f"JCP 1.{100 + n}",
                "row": "1",
                "plan": f"jcp-{rng.randint(1, 10)}",
                "action": f"Synthetic action {n}",
                "owner": rng.choice(people),
                "target_date": rng.choice(["June 17", "Sept 17\nMar 18", "Dec 17"]),
                "progress": f"Now reporting to the {board} monthly.",
                "status": rng.choice(statuses),
            }
        )
    append_rows(target / "actions.csv", rows)
    return target


def measure(browser: Any, path: Path, click_label: str) -> tuple[float, float, float]:
    """Return seconds until the first screen is ready, until a click on the board ``click_label``
    has opened it and shown its panel, and until the full network is drawn after that."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=120_000)
    ready = time.perf_counter() - start
    node_id = page.evaluate("label => window.sendgraph.find(label).id", click_label)
    page.evaluate(
        "id => window.sendgraph.network.focus(id, {scale: 1.0, animation: false})", node_id
    )
    box = page.locator("#network canvas").bounding_box()
    point = page.evaluate(
        "id => window.sendgraph.network.canvasToDOM(window.sendgraph.network.getPositions([id])[id])",
        node_id,
    )
    clicked = time.perf_counter()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function(
        "label => (document.getElementById('details-title') || {}).textContent === label"
        " && window.sendgraph.state.open.size === 1",
        arg=click_label,
    )
    answered = time.perf_counter() - clicked
    switched = time.perf_counter()
    page.click("#layout")
    page.wait_for_function(
        "() => document.body.dataset.settled !== 'false'"
        " && window.sendgraph.network.body.nodeIndices.length === window.sendgraph.nodes.length",
        timeout=300_000,
    )
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    full = time.perf_counter() - switched
    page.close()
    return ready, ready + answered, full


def main() -> None:
    """Build both views and print a Markdown table of the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        views = {}
        small = collect(Questions(build_graph(validate=False).graph))
        views["Rotherham"] = (small, "SEND Joint Commissioning Meetings")
        started = time.perf_counter()
        large = collect(
            Questions(build_graph(synthetic_data(folder, args.nodes), validate=False).graph)
        )
        print(f"(synthetic graph built in {time.perf_counter() - started:.1f} s)")
        views["synthetic"] = (large, "SEND Joint Commissioning Meetings")
        print(
            "| view | nodes | edges | boards drawn | first screen ready s | board opened s | full network drawn s |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, (data, label) in views.items():
                path = folder / f"{name}.html"
                path.write_text(render_html(network(data)), encoding="utf-8")
                runs = [measure(browser, path, label) for _ in range(args.repeat)]
                ready, answered, full = (statistics.median(r[k] for r in runs) for k in range(3))
                boards = sum(1 for n in data.nodes.values() if n["kind"] == "board")
                print(
                    f"| {name} | {len(data.nodes)} | {len(data.edges)} | {boards} | {ready:.2f}"
                    f" | {answered:.2f} | {full:.2f} |"
                )
            browser.close()


if __name__ == "__main__":
    main()
