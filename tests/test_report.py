"""The inspection evidence report: the exact facts of the Rotherham papers, in HTML and Markdown."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from sendgraph.ask.gaps import find_gaps, load_rules
from sendgraph.ask.questions import Questions
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_graph
from sendgraph.show.report.evidence import Report, build_report
from sendgraph.show.report.html import render_html
from sendgraph.show.report.markdown import render_markdown
from tests.conftest import select
from tests.hostile import HREF, IMG, SCRIPT, hostile_data

SG = Namespace("https://w3id.org/sendgraph/ontology#")
GENERATED = dt.date(2024, 1, 2)
UNANSWERED = {"CCG 1", "CCG 2", "CCG 3", "CCG 4", "PC 5.4", "PC 5.5", "PC A1", "PC A2", "PC A3"}


@pytest.fixture(scope="module")
def questions(rotherham: Build) -> Questions:
    return Questions(rotherham.graph)


@pytest.fixture(scope="module")
def report(questions: Questions) -> Report:
    return build_report(questions, generated=GENERATED)


@pytest.fixture(scope="module")
def html(report: Report) -> str:
    return render_html(report)


@pytest.fixture(scope="module")
def markdown(report: Report) -> str:
    return render_markdown(report)


def article(html: str, ref_anchor: str) -> str:
    """The HTML of one finding's section."""
    match = re.search(rf'<article class="finding" id="{ref_anchor}".*?</article>', html, re.S)
    assert match, ref_anchor
    return match.group(0)


def provenance_row(html: str, ref: str, kind: str) -> tuple[str, str, str]:
    """The section, data file and row, and progress rows the provenance appendix gives an item."""
    match = re.search(
        rf'<tr data-ref="{re.escape(ref)}" data-kind="{kind}"><td><a href="#[^"]+">[^<]+</a></td>'
        r'<td>([^<]*)</td><td class="place">([^<]*)</td><td>([^<]*)</td></tr>',
        html,
    )
    assert match, ref
    return match.group(1), match.group(2), match.group(3)


def paths_entry(html: str, ref: str) -> str:
    """The HTML of one action's entry in the appendix of every oversight path."""
    match = re.search(
        rf'<div class="paths" id="[^"]+" data-ref="{re.escape(ref)}">.*?</ul>', html, re.S
    )
    assert match, ref
    return match.group(0)


def md_section(markdown: str, ref: str) -> str:
    """The Markdown of one finding, from its heading to the next finding's."""
    match = re.search(rf"^### {re.escape(ref)}: .*?(?=^### |^## )", markdown, re.S | re.M)
    assert match, ref
    return match.group(0)


# ---------------------------------------------------------------- findings


def test_pr14_lists_exactly_its_answering_action_and_owner(html: str, markdown: str) -> None:
    section = article(html, "finding-pr-14")
    assert re.findall(r'<div class="action" data-ref="([^"]+)"', section) == ["PR 14"]
    assert re.findall(r'<dd class="owners">([^<]*)</dd>', section) == ["Jackie Parkin"]
    assert re.findall(r'<dd class="leads">([^<]*)</dd>', section) == ["none named"]
    assert re.findall(r'<dd class="held"><strong>([^<]+)</strong>', section) == [
        "SEND Joint Commissioning Meetings"
    ]
    # The finding's page cites the paper and its section; the file and row are in the appendix.
    assert (
        "Source: Special Educational Needs and Disabilities (SEND) Update, Appendix 2, "
        "Peer Review Measures, PR 14<"
    ) in section
    assert "data/" not in section
    assert provenance_row(html, "PR 14", "action") == (
        "Appendix 2, Peer Review Measures, PR 14", "data/actions.csv row 25", "25",
    )  # fmt: skip
    assert "as at 25/09/17" in section
    assert "“On track”" in section
    md = md_section(markdown, "PR 14")
    assert re.findall(r"^#### (.+)$", md, re.M) == ["Answered by PR 14"]
    assert "- **Owners:** Jackie Parkin" in md
    assert "data/" not in md


def test_pc12_action_has_its_strongest_board_and_progress_quote(html: str, markdown: str) -> None:
    section = article(html, "finding-pc-1-2")
    assert re.findall(r'<div class="action" data-ref="([^"]+)"', section) == [
        "PC 1.2 identified action"
    ]
    # One line: the board over the peer challenge, by the review it oversees; the two
    # boards the action's own words report to are named, their paths in the appendix.
    held = re.search(r'<dd class="held">(.*?)</dd>', section, re.S)
    assert held
    assert re.sub(r"<[^>]+>", "", held.group(1)) == (
        "SEND Strategic Board (via review: PC 1.2 identified action, answers a finding of "
        "SEND Peer Challenge, overseen by SEND Strategic Board) Also Health Select Commission; "
        "Rotherham Place Board: every path in Appendix A. Every oversight path."
    )
    assert 'href="#paths-pc-1-2-identified-action"' in section
    assert "<li><strong>" not in section
    entry = paths_entry(html, "PC 1.2 identified action")
    # Stated lines only: the 2.2 chain above the SEND Strategic Board is inferred.
    assert set(re.findall(r"<li><strong>([^<]+)</strong>", entry)) == {
        "Health Select Commission", "Rotherham Place Board", "SEND Strategic Board",
    }  # fmt: skip
    assert "Rotherham CCG has invested an additional £500k in the pathway" in section
    assert provenance_row(html, "PC 1.2 identified action", "action")[1] == (
        "data/peer_challenge.csv row 10"
    )
    assert "PC 1.2 identified action has no owner." in section
    md = md_section(markdown, "PC 1.2")
    assert (
        "- **Held to account by:** SEND Strategic Board (via review: PC 1.2 identified action, "
        "answers a finding of SEND Peer Challenge, overseen by SEND Strategic Board). Also "
        "Health Select Commission; Rotherham Place Board: every path in Appendix A. Every "
        "oversight path\n"
    ).replace("\\n", "\n") in md


def test_the_strongest_path_is_stated_then_shortest_then_by_kind(report: Report) -> None:
    actions = {a.ref: a for f in report.findings for a in f.actions}
    assert {
        ref: (a.strongest.board, a.strongest.via) if a.strongest else None
        for ref, a in actions.items()
        if len(a.oversight) > 1
    } == {
        "PC 1.2 identified action": ("SEND Strategic Board", "review"),
        "PC 2.3 identified action": ("SEND Strategic Board", "review"),
        "PC 3.3 identified action": ("SEND Strategic Board", "review"),
        "PC 5.2 identified action": ("SEND Strategic Board", "review"),
        "PR 6": ("SEND Joint Commissioning Meetings", "plan"),
        "PR 7": ("SEND Joint Commissioning Meetings", "plan"),
        "PR 8": ("SEND Joint Commissioning Meetings", "plan"),
        "PR 13": ("SEND Joint Commissioning Meetings", "plan"),
    }


def test_unanswered_findings_are_shown_as_such(report: Report, html: str, markdown: str) -> None:
    answered = dict(re.findall(r'data-ref="([^"]+)" data-answered="(yes|no)"', html))
    assert {ref for ref, flag in answered.items() if flag == "no"} == UNANSWERED
    assert len(answered) == 45  # 23 recommendations + 4 CCG gaps + 18 areas for consideration
    for ref, row in (("PC 5.4", 20), ("PC 5.5", 21)):
        section = article(html, "finding-" + ref.lower().replace(" ", "-").replace(".", "-"))
        assert "No action answers this finding." in section
        assert "is a finding that no action answers." in section
        assert "Source: SEND Peer Challenge Outcomes and Progress Update, Education, Health &amp; Care Plans" in section  # fmt: skip
        assert "data/" not in section
        assert provenance_row(html, ref, "finding") == (
            "Education, Health &amp; Care Plans", f"data/peer_challenge.csv row {row}", "–",
        )  # fmt: skip
        assert "No action answers this finding." in md_section(markdown, ref)
    assert {f.ref for f in report.findings if not f.answered} == UNANSWERED
    assert "PC 5.5 (unanswered)" in re.sub(r"<[^>]+>", "", html)  # the contents say so too


def test_findings_grouped_by_review_in_reference_order(report: Report) -> None:
    assert [(r.label, len(r.findings)) for r in report.reviews] == [
        ("CCG SEND Self-Assessment", 4),
        ("SEND Peer Challenge", 18),
        ("SEND Peer Review", 23),
    ]
    peer_review = [f.ref for f in report.reviews[2].findings]
    assert peer_review == [f"PR {n}" for n in range(1, 24)]
    assert [f.ref for f in report.reviews[1].findings][:4] == [
        "PC 1.1",
        "PC 1.2",
        "PC 1.3",
        "PC 2.2",
    ]


def test_ccg_gap_shows_its_own_progress(html: str) -> None:
    section = article(html, "finding-ccg-1")
    assert "Progress reported against the finding itself" in section
    assert "RCCG are contributing to the new SEND Joint Data Dashboard" in section


def test_strengths_are_separate_and_brief(report: Report, html: str) -> None:
    assert [s.ref for s in report.strengths] == [
        "PC 6.3",
        "PC 7.2",
        "PC S1",
        "PC S2",
        "PC S3",
        "PC S4",
    ]
    strengths = html[html.index('<section class="appendix" id="strengths">') :]
    assert strengths.count('<li id="finding-pc-') == 6
    assert (
        "The SENDIASS service provide a wide range of services is valued and has impact"
        in strengths
    )


# ---------------------------------------------------------------- the executive summary

OFF_TRACK = {
    "JCP 9.1": (["Behind schedule", "Overdue"], ["Mark Chambers", "Paula Williams (I)"]),
    "JCP 10.2": (["Behind schedule", "Overdue"], ["Jo Smith"]),
    "PR 2": (["Behind schedule"], ["Jackie Parkin"]),
    "PR 3": (["Behind schedule"], ["Jackie Parkin"]),
    "PR 4": (["Overdue"], ["Jackie Parkin"]),
    "PR 7": (["Overdue"], ["Aileen Chambers", "Caroline Wheatley"]),
    "PR 11": (["Overdue"], ["Mary Jarrett"]),
    "PR 19": (["Behind schedule", "Overdue"], ["Colette Bailey"]),
    "SEND 3": (["Overdue"], ["Mark Chambers"]),
    "SEND 4": (["Behind schedule"], ["Jackie Parkin"]),
    "SEND 5": (["Overdue"], ["Mark Chambers", "Paula Williams (I)"]),
}


def summary_html(html: str) -> str:
    return html[html.index('<section id="summary">') : html.index("</section>")]


def test_the_summary_comes_first_and_names_every_unanswered_finding(
    report: Report, html: str, markdown: str
) -> None:
    summary = summary_html(html)
    first_finding = html.index('<article class="finding"')
    assert html.index('<section id="summary">') < first_finding
    listed = re.findall(r'<li data-ref="([^"]+)"><a href="#([^"]+)"><strong>', summary)
    assert [ref for ref, _ in listed] == [f.ref for f in report.findings if not f.answered]
    assert {ref for ref, _ in listed} == UNANSWERED
    assert all(link == "finding-" + re.sub(r"[ .]", "-", ref.lower()) for ref, link in listed)
    pc55 = next(f for f in report.findings if f.ref == "PC 5.5")
    assert pc55.short == (
        "Consider the accessibility and personalisation of EHCPs (particularly use of professional language)"
    )
    ccg1 = next(f for f in report.findings if f.ref == "CCG 1")
    assert ccg1.short == (
        "The CCG needs a greater understanding of health data and statistics relating …"
    )
    assert f"<strong>CCG 1</strong></a> {ccg1.short}</li>" in summary
    # The Markdown the same, in the same order, before the first finding's section.
    md_summary = markdown[markdown.index("## Executive summary") : markdown.index("\n### CCG 1: ")]
    assert re.findall(r"^- \*\*([^*]+)\*\* ", md_summary, re.M) == [ref for ref, _ in listed]
    assert "- **PC 5.5** Consider the accessibility and personalisation of EHCPs" in md_summary
    order = [markdown.index(h) for h in ("## Executive summary", "### CCG 1: ", "## Appendix A.")]
    assert order == sorted(order)


def test_the_summarys_off_track_actions_are_the_exceptions_list(
    report: Report, questions: Questions, html: str, markdown: str
) -> None:
    from sendgraph.ask.exceptions import find_exceptions

    listed = find_exceptions(questions)
    assert [e.ref for e in report.exceptions] == [e.ref for e in listed]
    assert {
        e.ref: ([r.reason for r in e.reasons], list(e.owners)) for e in report.off_track
    } == OFF_TRACK
    assert [e.ref for e in report.unowned] == [
        f"PC {n} identified action"
        for n in ("1.1", "1.2", "1.3", "2.2", "2.3", "2.4", "3.2", "3.3", "4.2", "5.2", "5.3", "6.2", "7.3")
    ]  # fmt: skip
    assert len(report.off_track) + len(report.unowned) == len(listed) == 24
    table = re.search(r'<table id="off-track".*?</table>', summary_html(html), re.S)
    assert table
    assert re.findall(r'<tr data-ref="([^"]+)">', table.group(0)) == list(OFF_TRACK)
    assert '<td class="owners">Jackie Parkin; accountable: Paula Williams (I)</td>' in table.group(
        0
    )
    assert report.exception_boards[:3] == [
        ("SEND Strategic Board", 13),
        ("SEND Joint Commissioning Meetings", 11),
        ("DLT", 2),
    ]
    assert (
        "| SEND 4 | Behind schedule | Jackie Parkin; accountable: Paula Williams (I) | Mar 18 |"
        in markdown
    )
    assert "| SEND Strategic Board | 13 |" in markdown


def test_every_appendix_is_headed_and_listed_in_the_contents(
    report: Report, html: str, markdown: str
) -> None:
    headings = [
        "Appendix A. Every oversight path", "Appendix B. Register of every action",
        "Appendix C. Plan version log", "Appendix D. Recurring themes", "Appendix E. Strengths",
        "Appendix F. Figures and open gaps", "Appendix G. Where each item was read",
    ]  # fmt: skip
    assert [report.appendix(section) for section, _ in report.appendices] == headings
    assert re.findall(r'<section class="appendix" id="[^"]+">\s*<h2>([^<]+)</h2>', html) == headings
    assert re.findall(r"^## (Appendix .+)$", markdown, re.M) == headings
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert re.findall(r'<a href="#([a-z]+)">Appendix', toc) == [s for s, _ in report.appendices]


def test_the_version_log_appendix_lists_the_papers_log(report: Report) -> None:
    html, markdown = render_html(report), render_markdown(report)
    assert [(v.number, v.date_text) for v in report.versions] == [
        (1, "14/02/17"), (2, "27/02/17"), (3, "27/02/17"), (4, "01/03/17"), (5, "07/03/17"),
        (6, "03/04/17"), (7, "03/05/17"), (8, "08/06/17"), (9, "20/06/17"), (10, "18/07/17"),
        (11, "19/07/17"), (12, "09/08/17"), (13, "25/09/17"),
    ]  # fmt: skip
    assert {v.plan for v in report.versions} == {"SEND Joint Action Plan"}
    assert {v.document for v in report.versions} == {
        "Special Educational Needs and Disabilities (SEND) Update"
    }
    assert (
        '<tr><td>SEND Joint Action Plan</td><td class="n">2</td><td>27/02/17</td>'
        "<td>Christine Pike</td><td>Revision of SEND actions to link with CYPS Improvement Plan</td>"
    ) in html
    assert (
        "| SEND Joint Action Plan | 2 | 27/02/17 | Christine Pike | Revision of SEND actions to link with CYPS Improvement Plan |"
        in markdown
    )
    empty = Report(**{**report.__dict__, "versions": []})
    assert "The papers give no version log." in render_html(empty)
    assert "The papers give no version log." in render_markdown(empty)
    assert "no version log" not in html


def test_no_finding_page_cites_a_data_file(report: Report, html: str, markdown: str) -> None:
    pages = re.findall(r'<article class="finding".*?</article>', html, re.S)
    assert len(pages) == 45
    assert [page for page in pages if "data/" in page or ".csv" in page] == []
    findings = markdown[markdown.index("### CCG 1: ") : markdown.index("## Appendix A.")]
    assert ".csv" not in findings
    provenance = html[html.index('<section class="appendix" id="provenance">') :]
    rows = re.findall(r'<tr data-ref="([^"]+)" data-kind="(finding|action)">', provenance)
    assert len(rows) == 51 + 85  # every finding, strengths too, and every action
    assert len(set(rows)) == len(rows)


def test_the_register_gives_each_actions_words(report: Report, html: str, markdown: str) -> None:
    jcp11 = next(e for e in report.register if e.ref == "JCP 1.1")
    assert (jcp11.text, jcp11.plan) == (
        "SEND Hub visioning event",
        "JCP 1 Create a Joint SEND Education, Health and Social Care Assessment Hub at Kimberworth Place",
    )
    assert '<tr id="action-jcp-1-1" class="entry"><td class="ref"><a href="https://w3id.org/sendgraph/id/rotherham/action/jcp-1-1">JCP 1.1</a></td><td class="text">SEND Hub visioning event</td>' in html  # fmt: skip
    assert "| JCP 1.1 | SEND Hub visioning event | Paula Williams (I) | Green (“Completed”) | March 16 | – |" in markdown  # fmt: skip
    assert "### JCP 1 Create a Joint SEND Education, Health and Social Care Assessment Hub at Kimberworth Place" in markdown  # fmt: skip


def test_each_finding_and_action_links_to_its_iri_or_its_page(report: Report, html: str) -> None:
    pc_a1 = "https://w3id.org/sendgraph/id/rotherham/finding/pc-a1"
    assert f'In the graph: <a href="{pc_a1}">{pc_a1}</a>' in html
    iris = re.findall(r'<p class="source iri">In the graph: <a href="([^"]+)">', html)
    assert len(iris) == len(set(iris)) == 45  # a page for each finding that needs an answer
    register = re.findall(r'<td class="ref"><a href="([^"]+)">', html)
    assert len(register) == len(set(register)) == 85  # every action
    served = render_html(report, pages="http://127.0.0.1:7878/")
    assert 'href="http://127.0.0.1:7878/id/rotherham/finding/pc-a1">' + pc_a1 + "</a>" in served
    assert '<a href="http://127.0.0.1:7878/id/rotherham/action/jcp-1-1">JCP 1.1</a>' in served


# ---------------------------------------------------------------- summary


def test_status_counts_equal_the_graph(
    report: Report, html: str, markdown: str, graph: Graph
) -> None:
    rows = select(
        graph,
        """SELECT ?action ?status WHERE { ?action a sg:Action .
           OPTIONAL { ?action sg:status/skos:prefLabel ?status } }""",
    )
    in_graph = Counter(str(status) if status else "No status" for _, status in rows)
    # PR 15 (rows On track and Completed) is Amber and JCP 9.1 (rows Behind Schedule and
    # On track) is Behind schedule: an item takes its worst row's status.
    expected = {"Green": 31, "Amber": 32, "Red": 0, "Behind schedule": 6, "No status": 16}
    assert {k: in_graph.get(k, 0) for k in expected} == expected
    assert report.status_counts == expected
    shown = dict(re.findall(r'<tr data-status="([^"]+)">.*?<td class="n">(\d+)</td>', html))
    assert {k: int(v) for k, v in shown.items()} == expected
    for status, count in expected.items():
        assert f"| {status} | {count} |" in markdown


def test_worst_slippage_is_jcp_2_1(report: Report, html: str, markdown: str) -> None:
    worst = report.worst_slippage
    assert worst is not None
    assert (worst["ref"], worst["months"], worst["targets"]) == (
        "JCP 2.1",
        28,
        ["Sept 15", "Jan 18"],
    )
    assert "<strong>28</strong> months slipped at worst (JCP 2.1)" in html
    assert "- JCP 2.1: Sept 15 → Jan 18, 28 months over 1 revision" in markdown


def test_board_counts_follow_the_oversight_paths(report: Report, questions: Questions) -> None:
    assert report.boards[:6] == [
        ("SEND Joint Commissioning Meetings", 72),
        ("SEND Strategic Board", 14),
        ("DLT", 9),
        ("Performance Board", 2),
        ("Cabinet", 1),
        ("Health Select Commission", 1),
    ]
    over_pr14 = {r["label"] for r in questions.oversight("PR 14")}
    assert over_pr14 == {"SEND Joint Commissioning Meetings"}
    assert len(report.boards) == 15


def test_inferred_lines_are_followed_only_on_request_and_marked(questions: Questions) -> None:
    inferred = build_report(questions, generated=GENERATED, include=["inferred"])
    found = [a for f in inferred.findings for a in f.actions if a.ref == "PC 1.2 identified action"]
    assert len({a.iri for a in found}) == 1
    action = found[0]
    assert action.boards == [
        "Children's Partnership", "Health Select Commission", "Health and Well Being Board",
        "Rotherham Place Board", "SEND Strategic Board",
    ]  # fmt: skip
    assert {
        (o.modality, o.path) for o in action.oversight if o.board == "Health and Well Being Board"
    } == {
        (
            "inferred",
            "PC 1.2 identified action, reports to Rotherham Place Board, "
            "reports to Health and Well Being Board [inferred]",
        ),
        (
            "inferred",
            "PC 1.2 identified action, answers a finding of SEND Peer Challenge, "
            "overseen by SEND Strategic Board, reports to Children's Partnership [inferred], "
            "reports to Rotherham Place Board [inferred], "
            "reports to Health and Well Being Board [inferred]",
        ),
    }
    # Markdown escapes the brackets; HTML writes them as they are.
    assert r"\[inferred\]" in render_markdown(inferred)
    assert "[inferred]" in render_html(inferred)
    assert "inferred" not in render_html(build_report(questions, generated=GENERATED))


def test_gap_counts_match_the_rules(report: Report, questions: Questions) -> None:
    found = Counter(g["rule"] for g in find_gaps(questions.store, load_rules()))
    assert {g.rule: g.count for g in report.gap_counts} == dict(found)
    assert report.gaps == 125  # 41 orphan boards became 36; JCP 2 has no lead officer
    unanswered = next(g for g in report.gap_counts if g.rule == "unanswered-finding")
    assert (unanswered.count, unanswered.top, unanswered.more) == (
        9,
        ["CCG 1", "CCG 2", "CCG 3", "CCG 4"],
        True,
    )
    placeholder = next(g for g in report.gap_counts if g.rule == "placeholder-entry")
    assert placeholder.top == ["JCP 2.7", "JCP 10.2"]  # each reference once


def test_status_date_is_the_plans_never_today(html: str, markdown: str) -> None:
    text = re.sub(r"<[^>]+>", "", html)
    assert "Statuses are as at 25/09/17 (25 September 2017)" in text
    assert "for 72 actions" in text
    assert "Generated by sendgraph on 2 January 2024" in html[html.index("<footer>") :]
    assert "02/01/24" not in html and "2 January 2024" not in html[: html.index("<footer>")]
    assert "Statuses are as at 25/09/17" in markdown


def test_register_lists_every_action_once(report: Report, html: str) -> None:
    assert len(report.register) == 85
    ids = re.findall(r'<tr id="(action-[^"]+)"', html)
    assert len(ids) == len(set(ids)) == 85
    jcp21 = next(e for e in report.register if e.ref == "JCP 2.1")
    assert (jcp21.targets, jcp21.answers) == (["Sept 15", "Jan 18"], [])
    pr14 = next(e for e in report.register if e.ref == "PR 14")
    assert pr14.answers == [("PR 14", "finding-pr-14")]


# ---------------------------------------------------------------- recurring themes

THEMES = {
    # label: (reviews raising it, findings, earlier actions, completed of those)
    "Attainment and attendance": (2, 4, 3, 0),
    "Children looked after": (2, 3, 2, 1),
    "Designated clinical or medical officer": (2, 3, 0, 0),
    "Early years": (2, 2, 1, 0),
    "EHC plan quality and process": (3, 7, 4, 2),
    "Health, social care and early help engagement": (3, 9, 2, 1),
    "Joint commissioning": (2, 4, 6, 3),
    "Outcomes data, performance and impact": (3, 9, 7, 3),
    "Preparation for adulthood": (2, 4, 6, 2),
    "Voice and co-production": (2, 4, 2, 0),
    "Workforce development": (3, 3, 2, 1),
}
PR_2016 = "SEND Peer Review (undated)"
THREE_REVIEWS = f"{PR_2016}; CCG SEND Self-Assessment (2017); SEND Peer Challenge (2020)"


def themes_html(html: str) -> str:
    start = html.index('<section class="appendix" id="themes">')
    return html[start : html.index("<section ", start + 1)]


def themes_md(markdown: str) -> str:
    start = markdown.index("## Appendix D. Recurring themes\n")
    return markdown[start : markdown.index("## Appendix E.", start)]


def theme_article(html: str, theme_anchor: str) -> str:
    match = re.search(rf'<article class="theme" id="{theme_anchor}".*?</article>', html, re.S)
    assert match, theme_anchor
    return match.group(0)


def theme_md(markdown: str, label: str) -> str:
    match = re.search(rf"^### {re.escape(label)}\n.*?(?=^### |^## )", markdown, re.S | re.M)
    assert match, label
    return match.group(0)


def test_recurring_themes_are_the_eleven_in_label_order(
    report: Report, html: str, markdown: str
) -> None:
    labels = sorted(THEMES, key=str.casefold)
    assert [t.label for t in report.themes] == labels
    section = themes_html(html)
    assert re.findall(
        r'<article class="theme" id="[^"]+" data-theme="[^"]+">\s*<h3>([^<]+)</h3>', section
    ) == [label.replace("&", "&amp;") for label in labels]
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert '<a href="#themes">Appendix D. Recurring themes</a> (11)' in toc
    overview = section[: section.index("</table>")]
    assert re.findall(r'<a href="#(theme-[^"]+)">', overview) == [t.anchor for t in report.themes]
    assert "theme-preparation-for-adulthood" in {t.anchor for t in report.themes}
    assert re.findall(r"^### (.+)$", themes_md(markdown), re.M) == labels


def test_overview_table_counts(report: Report, html: str, markdown: str) -> None:
    table = re.search(r'<table id="theme-overview">.*?</table>', html, re.S)
    assert table
    rows = re.findall(
        r'<tr data-theme="[^"]+"><td><a href="#[^"]+">([^<]+)</a></td><td>([^<]+)</td>'
        r'<td class="n">(\d+)</td><td class="n">(\d+)</td><td class="n">(\d+)</td></tr>',
        table.group(0),
    )
    shown = {
        label: (raised.count(";") + 1, int(f), int(e), int(c)) for label, raised, f, e, c in rows
    }
    assert shown == THEMES
    assert {
        t.label: (len(t.raised_by), len(t.findings), len(t.earlier), t.completed)
        for t in report.themes
    } == THEMES
    md = themes_md(markdown)
    assert "| theme | reviews raising it | findings | earlier actions | completed of those |" in md
    assert (
        f"| Preparation for adulthood | {PR_2016}; SEND Peer Challenge (2020) | 4 | 6 | 2 |" in md
    )
    assert f"| Outcomes data, performance and impact | {THREE_REVIEWS} | 9 | 7 | 3 |" in md
    assert (
        "| Designated clinical or medical officer | CCG SEND Self-Assessment (2017); SEND Peer Challenge (2020) | 3 | 0 | 0 |"
        in md
    )
    assert len(re.findall(r"^\| [^|]+ \| [^|]+ \| \d+ \| \d+ \| \d+ \|$", md, re.M)) == 11


def test_preparation_for_adulthood_findings_and_earlier_actions(
    report: Report, html: str, markdown: str
) -> None:
    theme = next(t for t in report.themes if t.label == "Preparation for adulthood")
    assert [(review, [i.ref for i in items]) for review, items in theme.by_review] == [
        (PR_2016, ["PR 9", "PR 15"]),
        ("SEND Peer Challenge (2020)", ["PC 3.3", "PC 7.3"]),
    ]
    assert [(i.ref, i.status, i.written, i.completion, i.as_at_text) for i in theme.earlier] == [
        ("JCP 10.1", "Green", "Completed", "completed", "25/09/17"),
        (
            "JCP 10.2",
            "Behind schedule",
            "Behind Schedule\nUpdate required by Jo Smith at the next meeting.",
            "not completed",
            "25/09/17",
        ),
        ("JCP 10.3", "Amber", "On track", "not completed", "25/09/17"),
        ("PR 9", "Green", "Completed", "completed", "25/09/17"),
        ("PR 15", "Amber", "On track", "not completed", "25/09/17"),
        ("SEND 8", "Amber", "On track", "not completed", "25/09/17"),
    ]
    assert [(i.ref, i.answers) for i in theme.identified] == [
        ("PC 3.3 identified action", "PC 3.3")
    ]
    assert theme.later == []

    section = theme_article(html, "theme-preparation-for-adulthood")
    assert "Raised by SEND Peer Review (undated) and SEND Peer Challenge (2020)." in section
    findings = re.findall(r'<li data-ref="([^"]+)"><strong><a href="#([^"]+)">', section)
    assert findings[:4] == [
        ("PR 9", "finding-pr-9"),
        ("PR 15", "finding-pr-15"),
        ("PC 3.3", "finding-pc-3-3"),
        ("PC 7.3", "finding-pc-7-3"),
    ]
    assert (
        '<strong><a href="#finding-pr-9">PR 9</a></strong> <span class="tag"><span class="kind">'
        'Recommendation:</span> <span class="matched">“Transitions Team”</span>, '
        '<span class="matched">“into adulthood”</span>, '
        '<span class="matched">“transition to adult services”</span></span>'
    ) in section
    assert (
        '<span class="kind">Area for consideration:</span> <span class="matched">“young people in transition”</span>'
        in section
    )
    actions = re.findall(
        r'<tr data-ref="([^"]+)" data-status="([^"]+)" data-completed="([^"]+)"><td><a href="#([^"]+)">',
        section,
    )
    assert actions == [
        ("JCP 10.1", "Green", "completed", "action-jcp-10-1"),
        ("JCP 10.2", "Behind schedule", "not completed", "action-jcp-10-2"),
        ("JCP 10.3", "Amber", "not completed", "action-jcp-10-3"),
        ("PR 9", "Green", "completed", "action-pr-9"),
        ("PR 15", "Amber", "not completed", "action-pr-15"),
        ("SEND 8", "Amber", "not completed", "action-send-8"),
    ]
    assert "Earlier actions on it (6, 2 completed)" in section
    assert "statuses as at 25/09/17" in section
    assert (
        "as written: “Behind Schedule\nUpdate required by Jo Smith at the next meeting.”" in section
    )
    assert '<span class="matched">“Children’s to Adult Services”</span>' in section
    assert (
        '<strong><a href="#action-pc-3-3-identified-action">PC 3.3 identified action</a></strong>,'
        ' answering <a href="#finding-pc-3-3">PC 3.3</a>'
    ) in section
    assert "Review ToR for Preparation for Adulthood Board" in section

    md = theme_md(markdown, "Preparation for adulthood")
    assert "Raised by SEND Peer Review (undated) and SEND Peer Challenge (2020)." in md
    assert re.findall(r"^  - \*\*([^*]+)\*\*", md, re.M) == ["PR 9", "PR 15", "PC 3.3", "PC 7.3"]
    assert "  - **PC 7.3** Area for consideration: “young people in transition”" in md
    assert "#### Earlier actions on it (6, 2 completed), statuses as at 25/09/17" in md
    assert re.findall(r"^- \*\*([^*]+)\*\*: ([^(;,]+)", md, re.M) == [
        ("JCP 10.1", "Green "),
        ("JCP 10.2", "Behind schedule "),
        ("JCP 10.3", "Amber "),
        ("PR 9", "Green "),
        ("PR 15", "Amber "),
        ("SEND 8", "Amber "),
    ]
    assert (
        "- **JCP 10.1**: Green (as written: “Completed”), as at 25/09/17; completed."
        " Evidence: “Transitions Partnership”"
    ) in md
    assert (
        "- **JCP 10.2**: Behind schedule (as written: “Behind Schedule\\\n    Update required by Jo Smith at the next meeting.”), as at 25/09/17; not completed."
        in md
    )
    assert "- **PC 3.3 identified action**, answering PC 3.3: “Preparation for Adulthood”" in md


def test_undated_review_is_never_given_a_year(report: Report, html: str, markdown: str) -> None:
    ehc = theme_article(html, "theme-ehc-quality")
    assert (
        "Raised by SEND Peer Review (undated), CCG SEND Self-Assessment (2017)"
        " and SEND Peer Challenge (2020)."
    ) in ehc
    for text in (themes_html(html), themes_md(markdown)):
        assert "SEND Peer Review (undated)" in text
        assert re.findall(r"SEND Peer Review \((\w+)\)", text) and set(
            re.findall(r"SEND Peer Review \((\w+)\)", text)
        ) == {"undated"}
    assert {
        t.raised_by[0] for t in report.themes if t.raised_by[0].startswith("SEND Peer Review")
    } == {PR_2016}
    assert (
        "Raised by SEND Peer Review (undated), CCG SEND Self-Assessment (2017) and SEND Peer Challenge (2020)."
        in theme_md(markdown, "EHC plan quality and process")
    )


def test_a_corrections_tag_shows_its_reason(html: str, markdown: str) -> None:
    workforce = theme_article(html, "theme-workforce-development")
    reason = "It asks that all staff of the EHC assessment and planning team understand fully"
    assert workforce.count(f"tagged by correction: {reason}") == 2  # the finding and its plan row
    assert "Workforce development on EHCPs" not in workforce  # that is PC 5.3's EHC plan tag
    md = theme_md(markdown, "Workforce development")
    assert f"  - **PR 5** Recommendation: tagged by correction: {reason}" in md
    assert "Evidence: tagged by correction: It asks" in md


# ---------------------------------------------------------------- charts


def test_three_charts_with_titles_and_descriptions(report: Report, html: str) -> None:
    assert [c.id for c in report.charts] == [
        "chart-status-by-plan",
        "chart-slippage",
        "chart-owners",
    ]
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    status = report.charts[0]
    peer_review = next(row for row in status.rows if row[0] == "Peer Review measures")
    # Green, Amber, Red, Behind schedule, No status (the scheme's order), then the total.
    assert peer_review == ("Peer Review measures", "7", "13", "0", "3", "0", "23")
    assert "G 7" in svgs[0] and "A 13" in svgs[0] and "B 3" in svgs[0]  # not colour alone
    assert report.charts[1].rows[0] == ("JCP 2.1", "28", "Sept 15 → Jan 18")
    assert report.charts[2].rows[0] == ("Paula Williams (I)", "27", "")


def test_markdown_carries_the_charts_as_tables(markdown: str) -> None:
    assert "### Actions by status, plan by plan" in markdown
    assert "| Peer Review measures | 7 | 13 | 0 | 3 | 0 | 23 |" in markdown
    assert "| JCP 2.1 | 28 | Sept 15 → Jan 18 |" in markdown
    assert "<svg" not in markdown


# ---------------------------------------------------------------- safety


def test_no_remote_loads(html: str) -> None:
    assert "default-src 'none'" in html
    # The only addresses are links a reader may follow to the items' IRIs; nothing loads.
    absolute = re.findall(
        r"""<(\w+)[^>]*?(?:src|href|action)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", html, re.I
    )
    assert {tag for tag, _ in absolute} == {"a"}
    assert all(url.startswith("https://w3id.org/sendgraph/id/rotherham/") for _, url in absolute)
    assert len(absolute) == 45 + 85  # each finding's page, each action in the register
    assert set(re.findall(r'href="(.)', html)) == {"#", "h"}
    assert "<script" not in html and "url(" not in html and "@import" not in html
    assert "<link" not in html and "<img" not in html


def test_every_contents_link_has_its_target(html: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert set(re.findall(r'href="#([^"]+)"', html)) <= set(ids)


def test_hostile_rows_are_escaped(tmp_path: Path) -> None:
    report = build_report(
        Questions(build_graph(hostile_data(tmp_path), validate=False).graph), generated=GENERATED
    )
    html = render_html(report)
    for text in (IMG, SCRIPT, HREF):
        assert text not in html
    assert (
        "<img" not in html
        and "<script" not in html
        and "javascript:" not in html.replace("href=&#34;javascript:", "")
    )
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in html
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=2&lt;/script&gt;" in html
    assert "B&amp;Q" in html
    markdown = render_markdown(report)
    assert "<img" not in markdown and "<script" not in markdown and "<a " not in markdown
    assert '&lt;img src=x onerror="window.\\_\\_pwned=1"&gt;' in markdown


# ---------------------------------------------------------------- imported plans


def test_status_series_and_success_measures_when_the_graph_has_them(rotherham: Build) -> None:
    graph = Graph()
    for triple in rotherham.graph:
        graph.add(triple)
    pr14 = URIRef("https://w3id.org/sendgraph/id/rotherham/action/pr-14")
    # The shape `sendgraph import` gives a plan's monthly status columns.
    for month, status, written in [
        ("2018-03", "status-green", "Completed"),
        ("2017-06", "status-red", "Behind"),
    ]:
        observation = URIRef(f"{pr14}/status/{month}")
        graph.add((observation, RDF.type, SG.StatusObservation))
        graph.add((observation, SG.statusOf, pr14))
        graph.add((observation, SG.observedIn, Literal(month, datatype=XSD.gYearMonth)))
        graph.add((observation, SG.status, SG[status]))
        graph.add((observation, SG.statusText, Literal(written)))
    # As the import does, the action's status is its latest observation's.
    graph.set((pr14, SG.status, SG["status-green"]))
    graph.set((pr14, SG.statusText, Literal("Completed")))
    graph.add((pr14, SG.successMeasure, Literal("Every EHC Plan audited shows the child's voice")))
    questions = Questions(graph)
    assert len(questions.select("status-history")) == 2
    assert [r["measure"] for r in questions.select("success-measures")] == [
        "Every EHC Plan audited shows the child's voice"
    ]
    report = build_report(questions, generated=GENERATED)
    [action] = next(f for f in report.findings if f.ref == "PR 14").actions
    assert [(p.status, p.written, p.as_at_text) for p in action.history] == [
        ("Red", "Behind", "Jun 2017"),
        ("Green", "Completed", "Mar 2018"),
    ]
    assert action.status == "Green"
    section = article(render_html(report), "finding-pr-14")
    assert section.index("as at Jun 2017") < section.index("as at Mar 2018")
    assert "Every EHC Plan audited shows the child&#39;s voice" in section
    assert "- **Success measure:** Every EHC Plan audited shows the child's voice" in (
        render_markdown(report)
    )


# ---------------------------------------------------------------- command line


def test_cli_writes_html_and_markdown(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "out" / "report.html"
    result = runner.invoke(main, ["report", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Wrote {target} (45 findings, 9 unanswered; 85 actions; 125 gaps)\n")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = runner.invoke(main, ["report", "-f", "md", "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# SEND inspection evidence report\n")
    assert "### PC 5.5: Area for consideration" in result.stdout


def test_cli_default_path_and_a_missing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["report", "-f", "md"])
    assert result.exit_code == 0
    assert (tmp_path / "build" / "report.md").is_file()
    result = runner.invoke(main, ["report", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.output


def test_provenance_rows(questions: Questions, iri: Callable[..., URIRef]) -> None:
    rows = {r["node"]: r for r in questions.select("provenance")}
    entry = rows[f"{iri('action', 'pr-15')}/row/3"]
    assert (entry["source_file"], entry["source_row"], entry["item"], entry["part"]) == (
        "data/actions.csv",
        28,
        str(iri("action", "pr-15")),
        3,
    )
    pc55 = rows[str(iri("finding", "pc-5-5"))]
    assert (pc55["document_title"], pc55["section"], pc55["source_file"], pc55["source_row"]) == (
        "SEND Peer Challenge Outcomes and Progress Update",
        "Education, Health & Care Plans",
        "data/peer_challenge.csv",
        21,
    )


def fake_chromium(tmp_path: Path, script: str) -> Path:
    """A program standing in for Chromium: ``script`` is its shell text."""
    program = tmp_path / "fake-chromium"
    program.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    program.chmod(0o755)
    return program


def test_pdf_without_chromium_says_how_to_get_it_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDGRAPH_CHROMIUM", str(tmp_path / "no-chromium"))
    target = tmp_path / "report.pdf"
    result = CliRunner().invoke(main, ["report", "-f", "pdf", "-o", str(target)])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: Chromium, which prints the PDF, is not at {tmp_path / 'no-chromium'}: "
        "sh scripts/install-chromium.sh (or apt install chromium) installs it, "
        "or SENDGRAPH_CHROMIUM names another Chromium.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_failed_print_leaves_the_old_file_and_no_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    before = set(Path(tempfile.gettempdir()).glob("sendgraph-pdf-*"))
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF old")
    failing = fake_chromium(tmp_path, 'echo "no display here" >&2\nexit 5\n')
    monkeypatch.setenv("SENDGRAPH_CHROMIUM", str(failing))
    result = CliRunner().invoke(main, ["report", "-f", "pdf", "-o", str(target)])
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: Chromium at {failing} printed no PDF (it ended with code 5: no display here).\n"
    )
    # One that ends well but writes something else is no PDF either.
    garbage = fake_chromium(
        tmp_path,
        'for a in "$@"; do case "$a" in --print-to-pdf=*) echo junk > "${a#*=}";; esac; done\n',
    )
    monkeypatch.setenv("SENDGRAPH_CHROMIUM", str(garbage))
    result = CliRunner().invoke(main, ["report", "-f", "pdf", "-o", str(target)])
    assert result.exit_code == 3
    assert result.stderr == f"Error: Chromium at {garbage} printed no PDF.\n"
    assert target.read_bytes() == b"%PDF old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-chromium", "report.pdf"]
    assert set(Path(tempfile.gettempdir()).glob("sendgraph-pdf-*")) == before


def test_pdf_is_printed_from_the_report_page_in_a_scratch_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Chromium is given: the report's own page, its own profile and home, no network flags needed."""
    seen = tmp_path / "seen.txt"
    program = fake_chromium(
        tmp_path,
        f'echo "$HOME" > {seen}\nfor a in "$@"; do echo "$a" >> {seen}; case "$a" in '
        '--print-to-pdf=*) printf "%%PDF-1.4 fake" > "${a#*=}";; esac; done\n',
    )
    monkeypatch.setenv("SENDGRAPH_CHROMIUM", str(program))
    monkeypatch.chdir(tmp_path)
    # The fake writes its notes into tmp_path: allowed to the test's own program, not to sendgraph.
    result = CliRunner().invoke(main, ["report", "-f", "pdf"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / "report.pdf").read_bytes() == b"%PDF-1.4 fake"
    home, *arguments = seen.read_text(encoding="utf-8").splitlines()
    scratch = Path(home).parent
    assert scratch.name.startswith("sendgraph-pdf-") and not scratch.exists()
    assert arguments[:3] == ["--headless", "--no-sandbox", "--disable-gpu"]
    assert "--no-pdf-header-footer" in arguments
    assert f"--user-data-dir={scratch / 'profile'}" in arguments
    assert f"--print-to-pdf={scratch / 'report.pdf'}" in arguments
    assert arguments[-1] == (scratch / "report.html").as_uri()


def test_chromium_runs_where_it_can_open_no_network_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ctypes.util
    import sys

    if ctypes.util.find_library("seccomp") is None and not os.environ.get("CI"):
        pytest.skip("libseccomp is not installed: the network filter cannot be had here")
    probe = (
        "import socket, sys\n"
        "try:\n    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "except PermissionError:\n    sys.exit(0)\n"
        "sys.exit(9)\n"
    )
    (tmp_path / "probe.py").write_text(probe, encoding="utf-8")
    program = fake_chromium(
        tmp_path,
        f'{sys.executable} {tmp_path / "probe.py"} || {{ echo "it reached the network" >&2; exit 9; }}\n'
        'for a in "$@"; do case "$a" in --print-to-pdf=*) printf "%%PDF-1.4" > "${a#*=}";; esac; done\n',
    )
    monkeypatch.setenv("SENDGRAPH_CHROMIUM", str(program))
    target = tmp_path / "report.pdf"
    result = CliRunner().invoke(main, ["report", "-f", "pdf", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == b"%PDF-1.4"
