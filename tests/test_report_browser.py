"""The evidence report in a real browser: Debian's chromium, driven by Playwright, on a file: page.

It uses the shared `browser` fixture (chromium by path, never `playwright install`), which
skips, saying why, when chromium is missing outside CI.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sendgraph.ask.questions import Questions
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_graph
from sendgraph.show.report.evidence import Report, build_report
from sendgraph.show.report.html import render_html
from tests.browser import ARTIFACTS, pdf_texts, require_chromium
from tests.hostile import IMG, SCRIPT, hostile_data

WIDTH = 1100


class ReportPage:
    """The report opened in a page, recording console errors and every request."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": WIDTH, "height": 1400})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")


@pytest.fixture(scope="module")
def report(rotherham: Build) -> Report:
    return build_report(Questions(rotherham.graph), generated=dt.date(2024, 1, 2))


@pytest.fixture(scope="module")
def report_file(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def opened(browser: Any, report_file: Path) -> ReportPage:
    return ReportPage(browser, report_file)


def test_loads_with_no_console_errors_and_no_network(opened: ReportPage) -> None:
    assert opened.errors == []
    assert opened.requests and all(url.startswith(("file:", "data:")) for url in opened.requests)


def test_contents_link_scrolls_to_the_finding(opened: ReportPage) -> None:
    page = opened.page
    page.evaluate("window.scrollTo(0, 0)")
    page.click("nav.toc a[href='#finding-pc-5-5']")
    page.wait_for_function("location.hash === '#finding-pc-5-5'")
    top = page.evaluate("document.getElementById('finding-pc-5-5').getBoundingClientRect().top")
    assert page.evaluate("window.scrollY") > 1000
    assert -2 <= top <= 5
    assert page.inner_text("#finding-pc-5-5 h3").startswith("PC 5.5")
    assert "No action answers this finding." in page.inner_text("#finding-pc-5-5")


def test_contents_link_scrolls_to_the_recurring_themes(opened: ReportPage) -> None:
    page = opened.page
    page.evaluate("window.scrollTo(0, 0)")
    page.click("nav.toc a[href='#themes']")
    page.wait_for_function("location.hash === '#themes'")
    box = page.evaluate("document.getElementById('themes').getBoundingClientRect().toJSON()")
    assert -2 <= box["top"] <= 5
    assert box["height"] > 3000  # eleven themes, each with its findings and actions
    assert page.inner_text("#themes h2") == "Appendix D. Recurring themes"
    assert page.locator("#themes article.theme").count() == 11
    page.click("#theme-overview a[href='#theme-preparation-for-adulthood']")
    page.wait_for_function("location.hash === '#theme-preparation-for-adulthood'")
    theme = page.locator("#theme-preparation-for-adulthood")
    top = page.evaluate(
        "document.getElementById('theme-preparation-for-adulthood').getBoundingClientRect().top"
    )
    assert -2 <= top <= 5
    assert page.inner_text("#theme-preparation-for-adulthood h3") == "Preparation for adulthood"
    assert theme.locator("table.theme-actions tbody tr").count() == 6


def test_charts_render_with_size(opened: ReportPage) -> None:
    page = opened.page
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for index in range(3):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 600 and box["height"] > 100
    segments = page.locator("#chart-status-by-plan g.segment rect")
    assert (
        segments.count() == 26
    )  # the non-empty statuses of the 13 plan rows (see the Markdown table)
    widths = [segments.nth(i).bounding_box()["width"] for i in range(segments.count())]
    assert min(widths) > 5
    assert page.locator("#chart-slippage g.bar").count() == 10
    assert page.locator("#chart-owners g.bar").count() == 10


def test_screenshot_of_the_summary(opened: ReportPage) -> None:
    page = opened.page
    page.evaluate("window.scrollTo(0, 0)")
    # The executive summary: the part a reader of the README needs.
    top, bottom = page.evaluate(
        """[document.getElementById('summary').getBoundingClientRect().top + window.scrollY - 16,
            document.getElementById('summary').getBoundingClientRect().bottom + window.scrollY]"""
    )
    # Into the test artifacts, not docs/: a test run must not change tracked files.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "report.png"
    page.screenshot(
        path=str(path),
        full_page=True,
        clip={"x": 0, "y": top, "width": WIDTH, "height": bottom - top},
    )
    assert path.stat().st_size > 100_000


# ---------------------------------------------------------------- printed to A4


@dataclass(frozen=True, kw_only=True)
class Printed:
    """Where the parts of the report fall in its PDF: page numbers from 1."""

    pages: list[str]  # each page's text, its spaces removed
    findings: dict[str, int]  # each finding's first page
    appendices: int  # the page the first appendix starts on


def squeezed(text: str) -> str:
    """Text with its spaces removed and its ligatures (ﬁ) written as letters, as pypdf reads it."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def printed(pdf: bytes, report: Report) -> Printed:
    pages = [squeezed(text) for text in pdf_texts(pdf)]
    starts = {
        f.ref: [n for n, text in enumerate(pages, 1) if text.startswith(squeezed(f.ref + f.kind))]
        for f in report.findings
    }
    assert all(len(found) == 1 for found in starts.values()), starts
    [appendix] = [n for n, t in enumerate(pages, 1) if t.startswith("AppendixA.Everyoversightpath")]
    return Printed(
        pages=pages, findings={ref: n[0] for ref, n in starts.items()}, appendices=appendix
    )


def check_printed(pdf: bytes, report: Report) -> Printed:
    """The print's promises: a one-page summary first, a page (or two) per finding, at most 50 and 70 pages."""
    assert pdf.startswith(b"%PDF")
    layout = printed(pdf, report)
    first = layout.pages[0]
    # The whole summary is on page 1: its last line, the appendices' names, is there, and
    # page 2 is the first finding's.
    assert first.startswith("SENDGRAPH·AREASENDINSPECTIONPREPARATION")
    assert squeezed("Appendix G. Where each item was read") in first
    assert layout.findings[report.findings[0].ref] == 2
    # Every finding starts a page of its own, in the report's order, after the summary.
    order = [layout.findings[f.ref] for f in report.findings]
    assert order == sorted(set(order)) and len(order) == 45
    # The summary names every unanswered finding, by reference and first words, on page 1,
    # before any finding's own page.
    for finding in report.findings:
        if not finding.answered:
            assert squeezed(finding.ref + " " + " ".join(finding.text.split()[:5])) in first
    assert layout.appendices - 1 <= 50  # the summary and the findings
    assert len(layout.pages) <= 70  # everything, the appendices too
    return layout


def test_prints_to_a4_with_the_summary_on_page_one(opened: ReportPage, report: Report) -> None:
    pdf = opened.page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    check_printed(pdf, report)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf)


def test_report_f_pdf_writes_the_same_print(
    report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_chromium()
    monkeypatch.delenv("SENDGRAPH_CHROMIUM", raising=False)
    target = tmp_path / "out" / "report.pdf"
    result = CliRunner().invoke(main, ["report", "-f", "pdf", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {target} (45 findings, 9 unanswered; 85 actions; 125 gaps)\n"
    check_printed(target.read_bytes(), report)
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.pdf"]


def test_hostile_rows_show_as_text_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    report = build_report(
        Questions(build_graph(hostile_data(tmp_path), validate=False).graph),
        generated=dt.date(2024, 1, 2),
    )
    path = tmp_path / "hostile.html"
    path.write_text(render_html(report), encoding="utf-8")
    opened = ReportPage(browser, path)
    page = opened.page
    assert page.inner_text("#finding-pr-1 blockquote.finding-text") == IMG
    assert page.inner_text("#finding-pr-2 blockquote.finding-text") == SCRIPT
    assert page.locator("main img, main script, main a[href^=javascript]").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert opened.errors == []
    assert all(url.startswith(("file:", "data:")) for url in opened.requests)
