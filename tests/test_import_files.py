"""The files councils publish: a Word plan, a web page plan and a block layout, each through a mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from sendgraph.base.problems import Severity
from sendgraph.graph.build import Build, build_graph
from sendgraph.graph.vocab import RDF, SG, SKOS
from sendgraph.read.tablegrid import FoundTable, GridCell, to_sheet
from sendgraph.read.webpages import html_tables
from sendgraph.records.importer import import_folder
from tests.helpers import IMPORT_FIXTURES

APP = IMPORT_FIXTURES / "app-docx"
PAP = IMPORT_FIXTURES / "pap-html"
BLOCKS = IMPORT_FIXTURES / "blocks-md"


def actions(graph: Graph) -> dict[str, URIRef]:
    return {
        str(graph.value(a, SKOS.notation)): a  # type: ignore[misc]
        for a in graph.subjects(RDF.type, SG.Action)
    }


def facts(build: Build) -> dict[str, tuple[set[str], set[str], str, str, set[str]]]:
    """Each action's owners, findings answered, status text, target as written and merged cells."""
    graph = build.graph
    found = {}
    for ref, action in actions(graph).items():
        owners = {str(o).rsplit("/", 1)[-1] for o in graph.objects(action, SG.owner)}
        answers = {str(graph.value(f, SKOS.notation)) for f in graph.objects(action, SG.answers)}
        found[ref] = (
            owners,
            answers,
            str(graph.value(action, SG.statusText)),
            str(graph.value(action, SG.targetDateText)),
            {str(m) for m in graph.objects(action, SG.mergedCell)},
        )
    return found


def located(build: Build) -> set[tuple[str, int, str, Severity]]:
    return {(p.source, p.row, p.field, p.severity) for p in build.problems}


@pytest.fixture(scope="module")
def app() -> Build:
    return build_graph(APP)


@pytest.fixture(scope="module")
def pap() -> Build:
    return build_graph(PAP)


@pytest.fixture(scope="module")
def blocks() -> Build:
    return build_graph(BLOCKS)


def test_the_word_plan_imports_its_tables_under_the_headings_the_mapping_names(app: Build) -> None:
    # Table 1 is the front sheet and is not read; the merged lead, the repeated header and
    # the workstream row are each a note naming the table, the row and the column.
    assert located(app) == {
        ("app-docx/app.docx[table 2]", 2, "Lead", Severity.INFO),
        ("app-docx/app.docx[table 2]", 4, "", Severity.INFO),
        ("app-docx/app.docx[table 3]", 2, "", Severity.INFO),
    }
    assert facts(app) == {
        "APP 1.1": ({"priya-nandakumar"}, {"APA 1"}, "Complete", "Mar 2024", {"Lead: rows 2-3"}),
        "APP 1.2": ({"priya-nandakumar"}, {"APA 1"}, "On track", "30/06/2024", {"Lead: rows 2-3"}),
        "APP 1.3": ({"priya-nandakumar"}, {"APA 1"}, "At risk", "Q2 2024/25", set()),
        "APP 2.1": ({"owen-tremlett"}, {"APA 2"}, "Complete", "Dec 2023", set()),
        "APP 2.2": (
            {"brackenfold-council", "nhs-brackenfold-icb"},
            {"APA 2"},
            "On track",
            "Sep 2024",
            set(),
        ),
    }
    graph = app.graph
    findings = {
        str(graph.value(f, SKOS.notation)): str(graph.value(f, SG.text))
        for f in graph.subjects(RDF.type, SG.Finding)
    }
    assert set(findings) == {"APA 1", "APA 2"}
    assert findings["APA 2"].startswith("Area for priority action 2: Education, health and care")
    boards = {str(graph.value(b, SKOS.prefLabel)) for b in graph.subjects(RDF.type, SG.Board)}
    assert boards == {"SEND Improvement Board"}
    notes = {str(graph.value(a, SKOS.editorialNote)) for a in actions(graph).values()}
    assert "Workstream B: Health advice for EHC needs assessments" in notes


def test_the_web_page_plan_imports_its_rowspan_and_colspan(pap: Build) -> None:
    assert located(pap) == {
        ("pap-html/pap.html[table 1]", 2, "Who leads", Severity.INFO),
        ("pap-html/pap.html[table 2]", 3, "By when", Severity.INFO),
        ("pap-html/pap.html[table 2]", 3, "How we will know", Severity.INFO),
    }
    assert facts(pap) == {
        "P1.1": ({"tamsin-orrell"}, {"PA 1"}, "Done", "Jan 2025", {"Who leads: rows 2-3"}),
        "P1.2": ({"tamsin-orrell"}, {"PA 1"}, "In progress", "Apr 2025", {"Who leads: rows 2-3"}),
        "P2.1": ({"nhs-colbridge-icb"}, {"PA 2"}, "Not started", "30/09/2025", set()),
        "P2.2": (
            {"colbridge-council", "nhs-colbridge-icb"},
            {"PA 2"},
            "In progress",
            "Q3 2025/26",
            {"By when: row 3, grid columns 4-5", "How we will know: row 3, grid columns 4-5"},
        ),
    }
    graph = pap.graph
    action = actions(graph)["P1.1"]
    # A <br> inside a cell is a line of the value; entities are decoded.
    assert str(graph.value(action, SG.successMeasure)) == (
        "The panel has met three times\nand its minutes go to the board."
    )
    assert "“you said, we did”" in str(graph.value(actions(graph)["P1.2"], SG.text))


def test_the_block_layout_reads_each_run_of_labels_as_an_action(blocks: Build) -> None:
    # The two lines of introduction belong to no block and are noted, not lost.
    assert located(blocks) == {
        ("blocks-md/plan.md", 3, "", Severity.INFO),
        ("blocks-md/plan.md", 4, "", Severity.INFO),
    }
    assert facts(blocks) == {
        "HW 1.1": ({"gareth-mbeki"}, {"AFI 1"}, "Complete", "Sep 2024", set()),
        "HW 1.2": ({"nhs-hartwell-icb"}, {"AFI 1"}, "Slipped", "Q4 2024/25", set()),
        "HW 2.1": ({"hartwell-borough-council"}, {"AFI 2"}, "On track", "Mar 2025", set()),
    }
    graph = blocks.graph
    hw11 = actions(graph)["HW 1.1"]
    # A value wrapped onto a second line is one value, its line break kept.
    assert str(graph.value(hw11, SG.text)) == (
        "Start transition planning at the Year 9 annual review for every young\n"
        "person with an EHC plan and a health need."
    )
    entry = graph.value(actions(graph)["HW 1.2"], SG.progressEntry)
    assert str(graph.value(entry, SG.text)) == ("Waiting for the adult trust's sign-off.")


def test_the_word_fixture_is_what_its_script_writes(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_app", APP / "make_app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(tmp_path / "app.docx")
    copy = tmp_path / "app.mapping.yaml"
    copy.write_text((APP / "app.mapping.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    imported = import_folder(tmp_path)
    assert sorted(imported.records.actions) == [
        "APP 1.1",
        "APP 1.2",
        "APP 1.3",
        "APP 2.1",
        "APP 2.2",
    ]


def write_area(folder: Path, data_name: str, data: str, extra: str) -> Path:
    mapping = (PAP / "pap.mapping.yaml").read_text(encoding="utf-8")
    mapping = mapping.replace("file: pap.html", f"file: {data_name}")
    if extra.startswith("headings:"):
        mapping = mapping.replace("headings:\n  2: Priority\n", "")
    mapping += extra
    (folder / "pap.mapping.yaml").write_text(mapping, encoding="utf-8")
    (folder / data_name).write_text(data, encoding="utf-8")
    return folder


def test_a_table_the_mapping_picks_that_is_not_there_names_the_mapping_key(tmp_path: Path) -> None:
    page = (PAP / "pap.html").read_text(encoding="utf-8")
    write_area(tmp_path, "pap.html", page, "table:\n  - 3\n  - after_heading: Priority 9\n")
    problems = [p for p in import_folder(tmp_path).problems if p.severity is Severity.ERROR]
    mapping = f"{tmp_path.name}/pap.mapping.yaml"
    assert [(p.source, p.field, p.message) for p in problems] == [
        (
            mapping,
            "table[1]",
            f"{tmp_path.name}/pap.html: there is no table 3: the file has 2.",
        ),
        (
            mapping,
            "table[2]",
            f"{tmp_path.name}/pap.html: no table comes after a heading reading 'Priority 9'; the headings above "
            "tables are 'Priority 1: Leaders do not use what children, young people and "
            "families tell them to plan services'; 'Priority 2 actions'.",
        ),
    ]


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ("table: first\n", "table", "does not pick a table"),
        ("table: {after_heading: Priority 1, after: x}\n", "table.after", "is not a mapping key"),
        ("layout: cards\n", "layout", "is not a layout sendgraph reads"),
        ("headings:\n  2: Priority\n  top: Other\n", "headings.top", "is not a heading level"),
    ],
)
def test_mistakes_in_the_file_keys_name_the_mapping_and_key(
    tmp_path: Path, extra: str, key: str, words: str
) -> None:
    page = (PAP / "pap.html").read_text(encoding="utf-8")
    write_area(tmp_path, "pap.html", page, extra)
    errors = [p for p in import_folder(tmp_path).problems if p.severity is Severity.ERROR]
    assert [(p.source, p.field) for p in errors] == [(f"{tmp_path.name}/pap.mapping.yaml", key)]
    assert words in errors[0].message


def test_a_split_cell_and_a_repeated_header_in_a_web_page_are_noted(tmp_path: Path) -> None:
    page = tmp_path / "plan.html"
    page.write_text(
        "<h2>Priority 1</h2><table>"
        "<tr><th>Action</th><th colspan=2>Lead</th></tr>"
        "<tr><td>Write the strategy</td><td>LA</td><td>ICB</td></tr>"
        "<tr><td>Action</td><td colspan=2>Lead</td></tr>"
        "<tr><td>Audit plans<td>ICB</td><td></td></tr>"
        "</table>",
        encoding="utf-8",
    )
    tables, problems = html_tables(page, "plan.html")
    assert problems == []
    sheet, notes = to_sheet(tables[0], 1, {"2": "Priority"})
    assert sheet is not None
    assert [(r.row, r.values) for r in sheet.rows] == [
        (2, {"Action": "Write the strategy", "Lead": "LA\nICB", "Priority": "Priority 1"}),
        (4, {"Action": "Audit plans", "Lead": "ICB", "Priority": "Priority 1"}),
    ]
    assert [(n.source, n.row, n.field, n.severity) for n in notes] == [
        ("plan.html[table 1]", 2, "Lead", Severity.INFO),
        ("plan.html[table 1]", 3, "", Severity.INFO),
    ]
    assert "split into 2 cells" in notes[0].message
    assert "repeats the header row" in notes[1].message


def test_words_beyond_the_header_are_an_error_naming_the_row() -> None:
    def cell(text: str, column: int, row: int) -> GridCell:
        return GridCell(text=text, first=column, last=column, top=row, bottom=row)

    table = FoundTable(
        source="plan.docx[table 1]",
        position=1,
        heading="",
        rows=[[cell("Action", 0, 1)], [cell("Do it", 0, 2), cell("stray", 1, 2)]],
    )
    _, problems = to_sheet(table, 1, {})
    assert [(p.row, p.severity) for p in problems] == [(2, Severity.ERROR)]
    assert "'stray'" in problems[0].message
