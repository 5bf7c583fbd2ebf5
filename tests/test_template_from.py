"""`sendgraph template --from`: a draft mapping for every import fixture, edited only at its TODOs, imports right."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from sendgraph.ask.questions import Questions
from sendgraph.base.problems import Severity
from sendgraph.cli import main
from sendgraph.graph.build import build_graph
from sendgraph.graph.vocab import SG
from sendgraph.records.mappings import load_yaml
from tests.helpers import IMPORT_FIXTURES

# For each fixture, the edits that turn its draft into a mapping: (words of the one TODO
# line to replace, what replaces it). Each replacement line takes the indentation of the
# line it replaces. The values are the fixture's own mapping's.
EDITS: dict[str, list[tuple[str, str]]] = {
    "app-docx": [
        ("area: TODO", "area: Brackenfold"),
        ("title: TODO the title of the paper", "title: Brackenfold Local Area SEND Accelerated Progress Plan"),
        ("date: \"TODO", "date: 2023-11-01"),
        ("- title: TODO", "- id: accelerated-progress-plan\n  title: Brackenfold Accelerated Progress Plan"),
        ("ref_prefix: a prefix for references", "ref_prefix: APP"),
        ("name: TODO the full name of LA", "name: Brackenfold Council"),
        ("name: TODO the full name of ICB", "name: NHS Brackenfold Integrated Care Board"),
        ("of Priya Nandakumar", "post: Head of SEND\norganisations: [la]"),
        ("of Owen Tremlett", "post: Designated Clinical Officer\norganisations: [icb]"),
    ],
    "blocks-md": [
        ("area: TODO", "area: Hartwell"),
        ("title: TODO the title of the paper", "title: Hartwell SEND Improvement Plan 2024-25"),
        ("date: \"TODO", "date: 2024-05-15"),
        ("- title: TODO", "- id: send-improvement-plan\n  title: Hartwell SEND Improvement Plan 2024-25"),
        ("name: TODO the full name of LA", "name: Hartwell Borough Council"),
        ("name: TODO the full name of ICB", "name: NHS Hartwell Integrated Care Board"),
        ("of Gareth Mbeki", "post: 14-25 Transitions Manager\norganisations: [la]"),
    ],
    "jc-leads": [
        ("area: TODO", "area: Eastmoor"),
        ("title: TODO the title of the paper", "title: Eastmoor SEND Joint Commissioning Plan 2024-25"),
        ("date: \"TODO", "date: 2024-06-01"),
        ("- title: TODO", "- id: joint-commissioning-plan\n  title: Eastmoor SEND Joint Commissioning Plan 2024-25"),
        ("status_date: YYYY-MM-DD", "status_date: 2024-06-01"),
        ("ref_prefix: a prefix for references", "ref_prefix: EJC"),
        ("name: TODO the full name of LA", "name: Eastmoor Borough Council"),
        ("name: TODO the full name of ICB", "name: NHS Eastmoor Integrated Care Board"),
        ("name: TODO the full name of PCF", "name: Eastmoor Parent and Carer Forum"),
        ("support: [\"TODO who 'health' is", "support: [ICB]"),
        ("On track: amber", "On track: green"),
        ("Some slippage: TODO", "Some slippage: amber"),
    ],
    "joint-commissioning": [
        ("area: TODO", "area: Northbridge"),
        ("title: TODO the title of the paper", "title: Northbridge SEND Joint Commissioning Action Plan 2024/25"),
        ("date: \"TODO", "date: 2024-10-01"),
        ("- title: TODO", "- id: joint-commissioning-plan\n  title: SEND Joint Commissioning Action Plan 2024/25"),
        ("status_date: YYYY-MM-DD", "status_date: 2024-10-01"),
        ("ref_prefix: a prefix for references", "ref_prefix: JC"),
        ("name: TODO the full name of LA", "name: Northbridge City Council"),
        ("name: TODO the full name of ICB", "name: NHS Northbridge Integrated Care Board"),
        ("name: TODO the full name of Parent Carer Forum", "name: Northbridge Parent Carer Forum"),
    ],
    "pap-html": [
        ("area: TODO", "area: Colbridge"),
        ("title: TODO the title of the paper", "title: Colbridge SEND Priority Action Plan"),
        ("date: \"TODO", "date: 2025-03-04"),
        ("- title: TODO", "- id: priority-action-plan\n  title: Colbridge Priority Action Plan"),
        ("name: TODO the full name of ICB", "name: NHS Colbridge Integrated Care Board"),
        ("name: TODO the full name of Council", "name: Colbridge Council"),
        ("of Tamsin Orrell", "post: Assistant Director, Inclusion\norganisations: [council]"),
    ],
    "wsoa": [
        ("area: TODO", "area: Anyshire"),
        ("title: TODO the title of the paper", "title: Anyshire Local Area Written Statement of Action"),
        ("date: \"TODO", "date: 2024-03-01"),
        ("- title: TODO", "- id: written-statement-of-action\n  title: Anyshire Written Statement of Action 2023-2025"),
        ("status_date: YYYY-MM-DD", "status_date: 2024-02-29"),
        ("ref_prefix: a prefix for references", "ref_prefix: WSoA"),
        ("name: TODO the full name of ICB", "name: NHS Anyshire Integrated Care Board"),
        ("name: TODO the full name of LA", "name: Anyshire County Council"),
        ("of Dana Whitfield", "post: Head of SEND\norganisations: [la]"),
        ("- name: Dr Ruth Adeyemi", "- name: Ruth Adeyemi\n  aliases: [Dr Ruth Adeyemi, Dr Adeyemi]"),
        ("of Dr Ruth Adeyemi", "post: Designated Clinical Officer for SEND\norganisations: [icb]"),
        ("of Marcus Hale", "post: Director of Children's Services\norganisations: [la]"),
        ("of Karen Lowe", "post: Head of Children's Commissioning\norganisations: [icb]"),
        ("review: TODO", "review: Joint local area SEND inspection of Anyshire, 2023"),
    ],
    "wsoa-initials": [
        ("area: TODO", "area: Yorvale"),
        ("title: TODO the title of the paper", "title: City of Yorvale Local Area SEND Written Statement of Action"),
        ("date: \"TODO", "date: 2022-09-01"),
        ("- title: TODO", "- id: written-statement-of-action\n  title: Yorvale Written Statement of Action 2022-23"),
        ("status_date: YYYY-MM-DD", "status_date: 2023-03-31"),
        ("ref_prefix: a prefix for references", "ref_prefix: WSoA"),
        ("name: TODO the full name of CYC", "name: City of Yorvale Council"),
        ("name: TODO the full name of CCG", "name: NHS Yorvale Clinical Commissioning Group"),
        ("review: TODO", "review: Joint local area SEND inspection of Yorvale, 2022"),
    ],
    "wsoa-rag-months": [
        ("area: TODO", "area: Eastvale"),
        ("title: TODO the title of the paper", "title: Eastvale Local Area SEND Written Statement of Action, progress report September 2022"),
        ("date: \"TODO", "date: 2022-09-15"),
        ("- title: TODO", "- id: written-statement-of-action\n  title: Eastvale Written Statement of Action 2020-2022"),
        ("status_date: YYYY-MM-DD", "status_date: 2022-08-31"),
        ("ref_prefix: a prefix for references", "ref_prefix: WSoA"),
        ("name: TODO the full name of EVC", "name: Eastvale City Council"),
        ("name: TODO the full name of CCG", "name: NHS Eastvale Clinical Commissioning Group"),
        ("review: TODO", "review: Joint local area SEND inspection of Eastvale, 2020"),
    ],
}  # fmt: skip

FOLDERS = sorted(p.name for p in IMPORT_FIXTURES.iterdir() if p.is_dir())


def source_file(folder: Path) -> Path:
    """The one file a fixture's mapping reads."""
    mappings = sorted(folder.glob("*.mapping.yaml"))
    assert len(mappings) == 1, f"{folder.name} has {len(mappings)} mappings"
    return folder / load_yaml(mappings[0].read_text(encoding="utf-8"))["file"]


def draft(source: Path, into: Path) -> str:
    result = CliRunner().invoke(main, ["template", "--from", str(source), "-o", str(into)])
    assert result.exit_code == 0, result.output
    return (into / f"{source.stem}.mapping.yaml").read_text(encoding="utf-8")


def apply_edits(text: str, edits: list[tuple[str, str]]) -> str:
    """Replace each edit's one TODO line; fail if the words match no line, several, or a line without TODO."""
    lines = text.splitlines()
    for words, replacement in edits:
        matches = [n for n, line in enumerate(lines) if words in line]
        assert len(matches) == 1, f"{words!r} matches lines {matches}"
        line = lines[matches[0]]
        assert "TODO" in line, f"{words!r} edits a line without a TODO: {line!r}"
        indent = line[: len(line) - len(line.lstrip())]
        lines[matches[0]] = "\n".join(indent + r for r in replacement.splitlines())
    edited = "\n".join(lines) + "\n"
    removed = [
        d[2:]
        for d in difflib.ndiff(text.splitlines(), edited.splitlines())
        if d.startswith("- ")
    ]
    assert len(removed) == len(edits) and all("TODO" in line for line in removed)
    return edited


def facts(folder: Path) -> dict[str, dict[str, Any]]:
    """What the import gives each action, by ref: words, plan, owners, statuses and their history, targets."""
    build = build_graph(folder, validate=False)
    assert build.ok, [str(p) for p in build.problems if p.severity is Severity.ERROR]
    graph = build.graph
    found = {}
    for action in Questions(graph, "rdflib").facts().actions.values():
        history = sorted(
            (str(graph.value(o, SG.observedIn)), str(graph.value(o, SG.statusText)))
            for o in graph.subjects(SG.statusOf, URIRef(action.iri))
        )
        found[action.ref] = {
            "text": action.text,
            "plan": action.plan,
            "owners": sorted(action.owners),
            "accountable_leads": sorted(action.accountable_leads),
            "supporting_partners": sorted(action.supporting_partners),
            "organisations": sorted(action.organisations),
            "status": action.status,
            "status_text": action.status_text,
            "row_statuses": action.row_statuses,
            "targets": action.targets,
            "history": history,
        }
    return found


@pytest.mark.parametrize("name", FOLDERS)
def test_a_draft_edited_at_its_todos_imports_as_the_fixture_does(name: str, tmp_path: Path) -> None:
    assert name in EDITS, f"{name} is a new fixture: give its TODO edits in EDITS"
    folder = IMPORT_FIXTURES / name
    source = source_file(folder)
    into = tmp_path / name
    text = draft(source, into)
    (into / f"{source.stem}.mapping.yaml").write_text(apply_edits(text, EDITS[name]), encoding="utf-8")
    assert facts(into) == facts(folder)


def test_the_edits_cover_every_fixture() -> None:
    assert sorted(EDITS) == FOLDERS
