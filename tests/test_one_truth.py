"""One truth: the CLI's JSON, the view, the report and the endpoint say the same of every item.

For every action and finding of the Rotherham data and of each import fixture, each
output is read as a user gets it (the JSON the command prints, the data embedded in the
view's page, the report's HTML, the endpoint's answer over HTTP) and reduced to the
same facts: status, owners, accountable leads, supporting partners, boards with the kind and modality of
each path, target dates and the findings answered. They must agree exactly.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from sendgraph.cli import main
from tests.helpers import IMPORT_FIXTURES
from tests.htmltree import Element, parse
from tests.server import executable, free_port, running

# The bundled data, and every import fixture: a new fixture must state its facts below.
DATASETS: dict[str, Path | None] = {
    "rotherham": None,
    **{f.name: f for f in sorted(IMPORT_FIXTURES.iterdir()) if f.is_dir()},
}

# What is compared: an action's facts, and a finding's.
Action = tuple[
    str,
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    frozenset[tuple[str, str, str]],
    tuple[str, ...],
    frozenset[str],
]
Finding = tuple[str, bool, frozenset[str]]


def board(marked: str) -> tuple[str, str, str]:
    """Read "Board (via)" or "Board (via, modality)" back into its three parts."""
    label, _, mark = marked.rpartition(" (")
    via, _, modality = mark.removesuffix(")").partition(", ")
    return label, via, modality or "stated"


def action_facts(row: dict[str, Any], boards: list[str]) -> Action:
    return (
        row["status"] or "No status",
        tuple(row["owners"]),
        tuple(row["accountable_leads"]),
        tuple(row["supporting_partners"]),
        frozenset(board(b) for b in boards),
        tuple(row["targets"]),
        frozenset(row["answers"]),
    )


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def data_args(folder: Path | None) -> list[str]:
    return ["--data", str(folder)] if folder else []


# The roles `owner NAME` lists, by the field of an action's facts that holds them.
ROLES = {
    "owners": "owner",
    "supporting_partners": "supporting partner",
    "accountable_leads": "accountable lead",
}


def named(row: dict[str, Any]) -> dict[str, set[tuple[str, str]]]:
    """Each name an action's row gives, with the action's reference and the role."""
    found: dict[str, set[tuple[str, str]]] = {}
    for field, role in ROLES.items():
        for name in row[field]:
            found.setdefault(name, set()).add((row["ref"], role))
    return found


def fetch(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.loads(answer.read())


def from_about(rows: list[dict[str, Any]]) -> tuple[dict[str, Action], dict[str, Finding]]:
    actions = {r["iri"]: action_facts(r, r["boards"]) for r in rows if r["is"] == "action"}
    findings = {
        r["iri"]: (r["kind"], r["needs_answer"], frozenset(r["answered_by"]))
        for r in rows
        if r["is"] == "finding"
    }
    return actions, findings


def embedded(page: str) -> dict[str, Any]:
    """The data a view's page holds, as its script reads it."""
    match = re.search(r'id="sendgraph-data">(.*?)</script>', page, re.DOTALL)
    assert match
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def from_view(page: str) -> tuple[dict[str, Action], dict[str, Finding]]:
    nodes = embedded(page)["nodes"]
    actions, findings = {}, {}
    for node in nodes:
        details = node["details"]
        if node["kind"] == "action":
            actions[node["id"]] = (
                node["status"] or "No status",
                tuple(details.get("owners", [])),
                tuple(details.get("accountable leads", [])),
                tuple(details.get("supporting partners", [])),
                frozenset(board(b) for b in details.get("oversight", [])),
                tuple(re.sub(r" \(revision \d+\)$", "", t) for t in details.get("targets", [])),
                frozenset(details.get("answers", [])),
            )
        elif node["kind"] == "finding":
            findings[node["id"]] = (
                details["kind"],
                bool(details.get("text")),
                frozenset(details.get("answered by", [])),
            )
    return actions, findings


def listed(text: str, separator: str, none: str) -> tuple[str, ...]:
    return () if text == none else tuple(text.split(separator))


def status_shown(element: Element) -> str:
    """The status label a badge shows: its words beside the code."""
    return " ".join("".join(c for c in element.children if isinstance(c, str)).split())


def terms(dl: Element) -> dict[str, Element]:
    """A definition list's terms, each with the first definition after it."""
    found: dict[str, Element] = {}
    term = None
    for child in dl.children:
        if isinstance(child, Element) and child.tag == "dt":
            term = child.text()
        elif isinstance(child, Element) and child.tag == "dd" and term:
            found.setdefault(term, child)
            term = None
    return found


def from_report(page: str) -> dict[str, Any]:
    """What the report shows: the register's lines, each answering action's block, the findings.

    A finding's page names the one board that holds an answering action to account most
    strongly; every board over it, by every path, is in the appendix of oversight paths.
    """
    tree = parse(page)
    register = {}
    for row in tree.first("table", "register").first("tbody").own("tr", "entry"):
        cell = {c.attrs["class"]: c for c in row.own("td")}
        register[cell["ref"].text()] = (
            status_shown(cell["state"].first("span", "status")),
            listed(cell["owners"].text(), "; ", "none named"),
            listed(cell["targets"].text(), " → ", "none"),
            frozenset(a.text() for a in cell["answers"].find_all("a")),
        )
    paths = {}
    for entry in tree.first("section", id="paths").find_all("div", "paths"):
        boards = set()
        for item in entry.find_all("li"):
            for path in item.find_all("div", "source"):
                via, _, rest = path.text().removeprefix("via ").partition(": ")
                marks = re.findall(r"\[(inferred|planned)\]", rest.split("“")[0])
                boards.add((item.first("strong").text(), via, marks[0] if marks else "stated"))
        paths[entry.attrs["data-ref"]] = frozenset(boards)
    blocks, findings = {}, {}
    for article in tree.find_all("article", "finding"):
        answering = article.find_all("div", "action")
        kind = article.first("span", "kind").text()
        findings[article.attrs["data-ref"]] = (
            kind,
            frozenset(a.attrs["data-ref"] for a in answering),
        )
        for block in answering:
            facts = terms(block.first("dl"))
            ref = block.attrs["data-ref"]
            held = facts["Held to account by"].own("strong")
            # The board named on the page is one of those the appendix gives it.
            assert {b.text() for b in held} <= {board for board, _, _ in paths[ref]}
            assert bool(held) == bool(paths[ref])
            history = facts["Status"].own("div")
            block_facts = (
                status_shown(history[-1].first("span", "status")) if history else "No status",
                listed(facts["Owners"].text(), "; ", "none named"),
                listed(facts["Accountable leads"].text(), "; ", "none named"),
                listed(facts["Supporting partners"].text(), "; ", "")
                if "Supporting partners" in facts
                else (),
                paths[ref],
                listed(facts["Target dates"].text().split(" (first ")[0], " → ", "none given"),
            )
            assert blocks.setdefault(ref, block_facts) == block_facts
    strengths = {
        li.first("strong").text()
        for li in tree.first("ul", "strengths").own("li")
        if li.own("strong")
    }
    return {"register": register, "blocks": blocks, "findings": findings, "strengths": strengths}


@pytest.fixture(scope="module", params=list(DATASETS))
def outputs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """Each output's reading of one dataset: CLI JSON, the view, the endpoint."""
    folder = DATASETS[request.param]
    about = json.loads(cli("about", "-f", "json", *data_args(folder)))
    page = tmp_path_factory.mktemp("view") / "view.html"
    cli("view", "-o", str(page), *data_args(folder))
    report = page.with_name("report.html")
    cli("report", "-o", str(report), *data_args(folder))
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [executable("sendgraph"), "serve", "--port", str(port), *data_args(folder)]
    with running(command, base):
        served = fetch(base + "questions/about")
        # What each owner, supporting partner and accountable lead answers for, by name.
        names = {n for r in served if r["is"] == "action" for n in named(r)}
        owned = {
            name: {
                (r["ref"], r["role"])
                for r in fetch(base + "questions/owner?" + urlencode({"name": name}))
            }
            for name in names
        }
    yield {
        "name": request.param,
        "about": about,
        "cli": from_about(about),
        "view": from_view(page.read_text(encoding="utf-8")),
        "endpoint": from_about(served),
        "owned": owned,
        "report": from_report(report.read_text(encoding="utf-8")),
        "exceptions": json.loads(cli("exceptions", "-f", "json", *data_args(folder))),
        "view exceptions": embedded(page.read_text(encoding="utf-8"))["exceptions"],
    }


def test_the_endpoint_says_what_the_command_line_says(outputs: dict[str, Any]) -> None:
    assert outputs["endpoint"] == outputs["cli"]


def test_owner_lists_what_every_action_says_each_name_answers_for(outputs: dict[str, Any]) -> None:
    expected: dict[str, set[tuple[str, str]]] = {}
    for row in outputs["about"]:
        if row["is"] == "action":
            for name, roles in named(row).items():
                expected.setdefault(name, set()).update(roles)
    actions = {row["ref"] for row in outputs["about"] if row["is"] == "action"}
    # `owner` also lists the priorities a person leads as lead officer; they are not actions.
    assert {
        name: {(ref, role) for ref, role in rows if ref in actions and role in ROLES.values()}
        for name, rows in outputs["owned"].items()
    } == expected
    assert expected  # every dataset names someone


def test_the_view_says_what_the_command_line_says(outputs: dict[str, Any]) -> None:
    actions, findings = outputs["cli"]
    view_actions, view_findings = outputs["view"]
    assert view_actions == actions
    # The view draws a recommendation that is a row of a plan as an action, once.
    assert view_findings == {iri: f for iri, f in findings.items() if iri not in actions}


# Per dataset: actions, findings, both at once (recommendations that are plan rows),
# actions by status, boards over actions by kind of path, and findings answered.
EXPECTED = {
    "rotherham": (
        85, 51, 23,
        {"Green": 31, "Amber": 32, "Behind schedule": 6, "No status": 16},
        {"plan": 72, "report": 25, "review": 13},
        36,
    ),
    "app-docx": (5, 2, 0, {"Green": 2, "Amber": 2, "Red": 1}, {"plan": 5, "review": 5}, 2),
    "blocks-md": (
        3, 2, 0, {"Green": 1, "Behind schedule": 1, "Amber": 1}, {"plan": 3, "review": 3}, 2,
    ),
    "pap-html": (4, 2, 0, {"Green": 1, "Amber": 2, "Red": 1}, {"plan": 4}, 2),
    "board-register": (
        4, 0, 0, {"Amber": 2, "Green": 1, "Red": 1}, {"plan": 4, "report": 1, "reporting line": 4}, 0,
    ),
    "joint-commissioning": (8, 0, 0, {"Amber": 4, "Red": 2, "Green": 2}, {"plan": 8}, 0),
    "wsoa-rag-months": (
        9, 3, 0, {"Green": 4, "Amber": 4, "Red": 1}, {"plan": 9, "review": 9}, 3,
    ),
    "wsoa": (
        7, 4, 0, {"Amber": 4, "Green": 3}, {"plan": 7, "review": 7, "reporting line": 7}, 3,
    ),
    "jc-leads": (10, 0, 0, {"Green": 6, "Amber": 2, "Red": 2}, {"plan": 10}, 0),
    "wsoa-initials": (7, 3, 0, {"Green": 2, "Amber": 3, "Red": 2}, {"plan": 7, "review": 7}, 3),
}  # fmt: skip


def test_the_report_says_what_the_command_line_says(outputs: dict[str, Any]) -> None:
    actions, findings = outputs["cli"]
    report = outputs["report"]
    by_ref: dict[str, Action] = {}
    for iri, facts in actions.items():
        ref = next(r["ref"] for r in outputs["about"] if r["iri"] == iri and r["is"] == "action")
        assert ref not in by_ref  # one area: references name one action each
        by_ref[ref] = facts
    # The register: every action, with status, owners, targets and the findings it answers.
    assert report["register"] == {
        ref: (status, owners, targets, answers)
        for ref, (status, owners, _, _, _, targets, answers) in by_ref.items()
    }
    # Each action answering a finding, in full: status, owners, leads, supporting partners,
    # boards, targets.
    assert report["blocks"] == {
        ref: facts[:6] for ref, facts in by_ref.items() if ref in report["blocks"]
    }
    finding_refs = {r["iri"]: r["ref"] for r in outputs["about"] if r["is"] == "finding"}
    answering = {
        finding_refs[iri]: (kind, by) for iri, (kind, needs, by) in findings.items() if needs
    }
    assert report["findings"] == answering
    assert set(report["blocks"]) == {ref for _, by in answering.values() for ref in by}
    assert report["strengths"] == {
        finding_refs[iri] for iri, (_, needs, _) in findings.items() if not needs
    }


def test_every_item_is_there_once_with_its_facts(outputs: dict[str, Any]) -> None:
    actions, findings = outputs["cli"]
    assert len(outputs["about"]) == len(actions) + len(findings)
    statuses: dict[str, int] = {}
    for status, *_ in actions.values():
        statuses[status] = statuses.get(status, 0) + 1
    paths: dict[str, int] = {}
    for *_, boards, _targets, _answers in actions.values():
        for _label, via, _modality in boards:
            paths[via] = paths.get(via, 0) + 1
    answered = sum(1 for _kind, needs, by in findings.values() if needs and by)
    assert (
        len(actions), len(findings), len(actions.keys() & findings.keys()),
        statuses, paths, answered,
    ) == EXPECTED[outputs["name"]]  # fmt: skip


def test_the_exceptions_say_what_about_says(outputs: dict[str, Any]) -> None:
    """Each exception's status, owners, leads and boards are its `about` facts; every unowned, red or behind-schedule action is one."""
    actions = {r["ref"]: r for r in outputs["about"] if r["is"] == "action"}
    shown = {
        r["ref"]: (r["status"], r["owners"], r["accountable_leads"], r["boards"])
        for r in outputs["exceptions"]
    }
    assert shown == {
        ref: (
            actions[ref]["status"] or "No status",
            actions[ref]["owners"],
            actions[ref]["accountable_leads"],
            actions[ref]["boards"],
        )
        for ref in shown
    }
    flagged = {
        ref
        for ref, r in actions.items()
        if not r["owners"] or r["status"] in ("Red", "Behind schedule")
    }
    assert flagged <= set(shown)
    assert {r["ref"] for r in outputs["exceptions"] if "Overdue" not in r["reasons"]} <= flagged


def test_the_views_exceptions_are_the_exceptions_command_s(outputs: dict[str, Any]) -> None:
    """The view's panel lists the rows `exceptions -f json` gives, in its order, each with the action's IRI."""
    shown = outputs["view exceptions"]
    assert [{k: v for k, v in r.items() if k != "id"} for r in shown] == outputs["exceptions"]
    actions = {r["iri"]: r["ref"] for r in outputs["about"] if r["is"] == "action"}
    assert [actions[r["id"]] for r in shown] == [r["ref"] for r in outputs["exceptions"]]
