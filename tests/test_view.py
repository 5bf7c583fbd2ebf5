"""The view page as a file: self-contained, offline, safe; and the exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from sendgraph.ask.exceptions import exception_rows, find_exceptions
from sendgraph.ask.gaps import bundled_rules, find_gaps
from sendgraph.ask.questions import Questions
from sendgraph.base.errors import ViewError
from sendgraph.cli import main
from sendgraph.graph.build import Build
from sendgraph.show.view import collect, governance, network, render_html, slice_view
from tests.hostile import HREF, IMG, SCRIPT, hostile_data


@pytest.fixture(scope="module")
def questions(rotherham: Build) -> Questions:
    return Questions(rotherham.graph)


@pytest.fixture(scope="module")
def page(questions: Questions) -> str:
    return render_html(network(collect(questions)))


def embedded(page: str) -> dict[str, object]:
    match = re.search(
        r'<script type="application/json" id="sendgraph-data">(.*?)</script>', page, re.DOTALL
    )
    assert match
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_the_page_loads_nothing_from_anywhere(page: str) -> None:
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)\s*=""", page, re.IGNORECASE)
    assert "default-src 'none'" in page and "connect-src 'none'" in page
    assert page.count("</script>") == 3  # the data, vis-network and the page's own script


def test_inferred_and_planned_lines_are_drawn_only_on_request_and_labelled(
    questions: Questions,
) -> None:
    def extra(data: object) -> list[tuple[str, str, str]]:
        return sorted(
            (labels[e["from"]], e["relation"], labels[e["to"]])
            for e in data.edges  # type: ignore[attr-defined]
            if "(" in e["relation"]
        )

    stated = collect(questions)
    labels = {iri: node["label"] for iri, node in stated.nodes.items()}
    assert extra(stated) == []
    assert extra(collect(questions, ["inferred", "planned"])) == [
        ("Children's Partnership", "reports to (inferred)", "Rotherham Place Board"),
        ("RESP", "reports to (inferred)", "SEND Strategic Board"),
        ("Rotherham Place Board", "reports to (inferred)", "Health and Well Being Board"),
        ("SEND Assurance Group", "oversees (planned)", "multi-agency SEND Action Plan"),
        ("SEND Strategic Board", "reports to (inferred)", "Children's Partnership"),
    ]
    assert not [
        e
        for e in collect(questions, ["inferred", "planned"]).edges
        if labels[e["from"]] == "joint task and finish group" and "reports to" in e["relation"]
    ]


def test_the_page_holds_every_node_and_edge(page: str, questions: Questions) -> None:
    data = collect(questions)
    payload = embedded(page)
    assert len(payload["nodes"]) == len(data.nodes) == 240  # type: ignore[arg-type]
    assert len(payload["edges"]) == len(data.edges) == 440  # type: ignore[arg-type]
    kinds: dict[str, int] = {}
    for node in payload["nodes"]:  # type: ignore[attr-defined]
        kinds[node["kind"]] = kinds.get(node["kind"], 0) + 1
    assert kinds == {
        "action": 85, "finding": 28, "plan": 18, "review": 3, "board": 52, "person": 32,
        "organisation": 8, "document": 2, "code": 12,
    }  # fmt: skip


def test_status_is_an_attribute_not_a_node(page: str) -> None:
    nodes = embedded(page)["nodes"]
    assert not [n for n in nodes if n["name"] in ("Red", "Amber", "Green", "Behind schedule")]  # type: ignore[attr-defined]
    send4 = next(n for n in nodes if n["name"] == "SEND 4")  # type: ignore[attr-defined]
    # Behind schedule is its own status, never folded into Red.
    assert (send4["status"], send4["details"]["owners"]) == ("Behind schedule", ["Jackie Parkin"])


def test_hostile_text_cannot_leave_its_script_element(tmp_path: Path) -> None:
    from sendgraph.graph.build import build_graph

    page = render_html(
        network(collect(Questions(build_graph(hostile_data(tmp_path), validate=False).graph)))
    )
    assert SCRIPT not in page and IMG not in page and "<a href" not in page
    names = {n["name"]: n for n in embedded(page)["nodes"]}  # type: ignore[attr-defined]
    assert names["PR 1"]["details"]["text"] == IMG
    assert names["PR 2"]["details"]["progress"] == [SCRIPT]
    assert names["PR 3"]["details"]["text"] == HREF


def test_slices(questions: Questions) -> None:
    data = collect(questions)
    focus = slice_view(data, questions, focus="SEND 4", depth=1)
    assert {n["label"] for n in focus.nodes.values()} == {
        "SEND 4", "Jackie Parkin", "Paula Williams (I)", "CYPS Improvement Plan measures", "Performance Board",
        "PR 1", "PR 2", "PR 3", "PR 4", "PR 14", "PR 20", "PR 23",
    }  # fmt: skip
    behind = slice_view(data, questions, status="behind-schedule")
    assert {n["label"] for n in behind.nodes.values()} == {
        "SEND 4",
        "PR 2",
        "PR 3",
        "PR 19",
        "JCP 9.1",
        "JCP 10.2",
    }
    assert slice_view(data, questions, status="Behind schedule").nodes == behind.nodes
    with pytest.raises(ViewError, match="empty"):  # the papers mark no action Red
        slice_view(data, questions, status="red")
    board = slice_view(data, questions, board="Performance Board")
    assert {n["label"] for n in board.nodes.values() if n["kind"] == "action"} == {
        "SEND 4",
        "JCP 2.1",
    }


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_exports_open_in_networkx_with_the_same_attributes(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"graph.{fmt}"
    result = CliRunner().invoke(main, ["export", "-f", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (240, 440)
    send4 = next(data for _, data in graph.nodes(data=True) if data["label"] == "SEND 4")
    assert (send4["kind"], send4["status"], send4["owners"]) == (
        "action",
        "Behind schedule",
        "Jackie Parkin; Paula Williams (I)",
    )


def test_view_command_writes_the_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["view", "--gaps"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Wrote visualisations/sendgraph.html (240 nodes, 440 edges)\n"
        "51 findings: 45 need an answer, 6 are strengths alone. 23 are rows of a plan too "
        "and are drawn as actions; 28 are drawn as findings here.\n"
    )
    payload = embedded((tmp_path / "visualisations" / "sendgraph.html").read_text(encoding="utf-8"))
    pc55 = next(n for n in payload["nodes"] if n["name"] == "PC 5.5")  # type: ignore[attr-defined]
    assert pc55["gaps"] == ["[warning] PC 5.5 is a finding that no action answers."]


def test_empty_slice_is_a_sentence(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["view", "--board", "Nowhere Board", "-o", str(tmp_path / "v.html")]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 'Nowhere Board' is not a board in this graph")


def test_the_first_screen_tiers_boards_down_their_lines_and_bands_the_rest(
    questions: Questions,
) -> None:
    data = collect(questions)
    label = {iri: node["label"] for iri, node in data.nodes.items()}
    layout = governance(data)
    assert [[label[i] for i in tier] for tier in layout["tiers"]] == [
        ["Joint Commissioning Resource Panel"],
        ["panel to focus on transitions to adulthood"],
    ]
    band = [label[i] for row in layout["band"] for i in row]
    assert len(band) == 50 and {len(row) for row in layout["band"][:-1]} == {4}
    assert band[:4] == [
        "SEND Joint Commissioning Meetings",
        "SEND Strategic Board",
        "DLT",
        "Performance Board",
    ]
    children = {label[k]: [label[c] for c in v] for k, v in layout["children"].items()}
    assert children["SEND Strategic Board"] == [
        "Neuro-Developmental Pathway Action Plan", "SEND Service Plan",
        "Social, Emotional and Mental Health Strategy Action Plan", "JCP 6.4",
        "PC 5.2 identified action", "SEND Peer Challenge",
    ]  # fmt: skip
    # Lines read from a sentence's structure tier the boards only when drawn.
    inferred = collect(questions, ["inferred"])
    tiers = [[label[i] for i in tier] for tier in governance(inferred)["tiers"]]
    assert tiers == [
        ["Health and Well Being Board", "Joint Commissioning Resource Panel"],
        ["Rotherham Place Board", "panel to focus on transitions to adulthood"],
        ["Children's Partnership"],
        ["SEND Strategic Board"],
        ["RESP"],
    ]


def test_each_board_carries_its_roll_up_and_what_the_board_command_says(
    questions: Questions,
) -> None:
    data = collect(questions)
    by_label = {n["label"]: n for n in data.nodes.values() if n["kind"] == "board"}
    assert by_label["SEND Joint Commissioning Meetings"]["rollup"] == {
        "plan": {"Green": 31, "Amber": 32, "Behind schedule": 6, "No status": 3},
        "report": {"Green": 1},
    }
    assert by_label["Performance Board"]["rollup"] == {"report": {"Amber": 1, "Behind schedule": 1}}
    assert by_label["Workforce Board"]["rollup"] == {}
    strategic = by_label["SEND Strategic Board"]["id"]
    answer = json.loads(json.dumps(questions.board("SEND Strategic Board")))
    assert len(answer["gaps"]) == 27
    assert json.loads(json.dumps(data.boards[strategic])) == {**answer, "gaps": []}
    with_gaps = collect(questions, (), find_gaps(questions.store, bundled_rules()))
    payload = embedded(render_html(network(with_gaps)))
    assert payload["boards"][strategic] == answer  # type: ignore[index]
    perf = next(n for n in payload["nodes"] if n["name"] == "Performance Board")  # type: ignore[attr-defined]
    assert perf["label"] == "Performance Board\nreport: 1A 1B"


@pytest.mark.parametrize("include", [(), ("inferred",), ("inferred", "planned")])
def test_the_exceptions_panel_holds_what_the_exceptions_command_lists(
    questions: Questions, include: tuple[str, ...]
) -> None:
    rows = collect(questions, include).exceptions
    assert [{k: v for k, v in r.items() if k != "id"} for r in rows] == exception_rows(
        questions, include
    )
    assert len(rows) == 24
    assert [r["id"] for r in rows] == [e.iri for e in find_exceptions(questions, include)]


def test_the_exceptions_follow_the_lines_the_view_draws(questions: Questions) -> None:
    def boards(include: tuple[str, ...]) -> dict[str, list[str]]:
        return {r["ref"]: r["boards"] for r in collect(questions, include).exceptions}

    stated, inferred = boards(()), boards(("inferred",))
    # The peer challenge's actions reach the boards above the SEND Strategic Board by
    # inferred lines only.
    changed = {ref for ref in stated if stated[ref] != inferred[ref]}
    assert changed == {ref for ref in stated if ref.startswith("PC ")} and len(changed) == 13
    assert inferred["PC 1.1 identified action"] == [
        "Children's Partnership (reporting line, inferred)",
        "Health and Well Being Board (reporting line, inferred)",
        "Rotherham Place Board (reporting line, inferred)",
        "SEND Strategic Board (review)",
    ]


def test_a_sliced_view_lists_only_the_exceptions_it_draws(questions: Questions) -> None:
    sliced = slice_view(collect(questions), questions, status="behind-schedule")
    assert [r["ref"] for r in sliced.exceptions] == [
        "JCP 9.1", "JCP 10.2", "PR 2", "PR 3", "PR 19", "SEND 4",
    ]  # fmt: skip


def test_each_named_node_carries_the_keys_of_its_names(page: str, questions: Questions) -> None:
    keys = {n["name"]: n.get("keys") for n in embedded(page)["nodes"]}  # type: ignore[attr-defined]
    assert keys["Jackie Parkin"] == ["jackieparkin", "jp"]
    assert keys["SEND Strategic Board"] == ["sendboard", "sendstrategicboard", "sendstrategyboard"]
    assert keys["Health and Well Being Board"] == [
        "healthandwellbeingboard",
        "healthwellbeingboard",
    ]
    assert keys["SEND 4"] is None  # a reference is matched as one, not by name
    assert {n for n, k in keys.items() if k} == {
        n["name"]
        for n in embedded(page)["nodes"]  # type: ignore[attr-defined]
        if n["kind"] in ("board", "person", "plan", "review", "organisation")
    }
