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
from sendgraph.records.draftmapping import draft_mapping, todo_lines
from sendgraph.records.mappings import load_yaml
from tests.helpers import IMPORT_FIXTURES

# For each fixture, the edits that turn its draft into a mapping: (words of the one TODO
# line to replace, what replaces it). Each replacement line takes the indentation of the
# line it replaces. The values are the fixture's own mapping's. A fixture of several
# papers has an edit set for each file its mappings read, keyed "fixture/file".
EDITS: dict[str, list[tuple[str, str]]] = {
    # The plan is drafted and decided first, so the register's draft, written beside it,
    # leaves out the organisations the plan's mapping now names.
    "board-register/plan.csv": [
        ("area: TODO", "area: Westmoor"),
        ("title: TODO the title of the paper", "title: Westmoor Priority Action Plan, progress report March 2025"),
        ("date: \"TODO", "date: 2025-03-31"),
        ("- title: TODO", "- id: priority-action-plan\n  title: Priority Action Plan"),
        ("status_date: YYYY-MM-DD", "status_date: 2025-03-31"),
        ("ref_prefix: a prefix for references", "ref_prefix: PAP"),
        ("name: TODO the full name of LA", "name: Westmoor Council"),
        ("name: TODO the full name of ICB", "name: NHS Westmoor ICB"),
    ],
    "board-register/register.csv": [
        ("area: TODO", "area: Westmoor"),
        ("title: TODO the title of the paper", "title: Westmoor SEND Governance Structure and Terms of Reference"),
        ("date: TODO", "date: 2025-01-20"),
        ("section: where in the paper", "section: Appendix 1, Membership"),
        ("name: TODO the full name of Westmoor Parent Carer Forum", "name: Westmoor Parent Carer Forum"),
        ("name: TODO the full name of Department for Education", "name: Department for Education"),
        ("name: TODO the full name of Oakfield Primary School", "name: Oakfield Primary School"),
        ("Officer in attendance: TODO", "Officer in attendance: adviser"),
    ],
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


def source_files(folder: Path) -> list[Path]:
    """The files a fixture's mappings read, a plan's before a register's (which names its plans)."""
    mappings = [load_yaml(m.read_text(encoding="utf-8")) for m in sorted(folder.glob("*.mapping.yaml"))]  # fmt: skip
    return [folder / m["file"] for m in sorted(mappings, key=lambda m: "register" in m)]


def source_file(folder: Path) -> Path:
    """The one file a fixture's mapping reads."""
    sources = source_files(folder)
    assert len(sources) == 1, f"{folder.name} has {len(sources)} mappings"
    return sources[0]


def edits_for(name: str, source: Path) -> list[tuple[str, str]]:
    """The edit set of one file of a fixture: its own for a fixture of several papers."""
    several = len(source_files(IMPORT_FIXTURES / name)) > 1
    return EDITS[f"{name}/{source.name}" if several else name]


def test_every_mapping_of_every_fixture_is_drafted_and_edited() -> None:
    keys = {
        f"{name}/{source.name}" if len(sources) > 1 else name
        for name in FOLDERS
        for sources in [source_files(IMPORT_FIXTURES / name)]
        for source in sources
    }
    assert keys == set(EDITS)
    assert len(source_files(IMPORT_FIXTURES / "board-register")) == 2


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
        d[2:] for d in difflib.ndiff(text.splitlines(), edited.splitlines()) if d.startswith("- ")
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


def board_facts(folder: Path) -> dict[str, Any]:
    """What the import gives each board, by label: kind, meetings, seats, lines and what it oversees."""
    build = build_graph(folder, validate=False)
    assert build.ok, [str(p) for p in build.problems if p.severity is Severity.ERROR]
    return {
        board.label: (
            board.kind, board.meets, board.meets_days, board.register, board.section, board.chairs,
            [(s.person, s.role, s.role_text, s.organisation, s.posts, s.quote) for s in board.members],
            [(line.board, line.modality, line.quote) for line in board.reports_to],
            [(line.board, line.modality) for line in board.reported_to_by],
            [(o.via, o.through, o.actions) for o in board.oversees],
        )
        for board in Questions(build.graph, "rdflib").facts().boards.values()
    }  # fmt: skip


@pytest.mark.parametrize("name", FOLDERS)
def test_a_draft_edited_at_its_todos_imports_as_the_fixture_does(name: str, tmp_path: Path) -> None:
    assert any(k.split("/")[0] == name for k in EDITS), (
        f"{name} is a new fixture: give its TODO edits in EDITS"
    )
    folder = IMPORT_FIXTURES / name
    into = tmp_path / name
    for source in source_files(folder):
        text = draft(source, into)
        (into / f"{source.stem}.mapping.yaml").write_text(
            apply_edits(text, edits_for(name, source)), encoding="utf-8"
        )
    assert facts(into) == facts(folder)
    # A plan's draft leaves its boards: as an optional TODO; a register's draft reads them.
    if any("register" in load_yaml(m.read_text(encoding="utf-8")) for m in folder.glob("*.mapping.yaml")):  # fmt: skip
        assert board_facts(into) == board_facts(folder)


def test_the_edits_cover_every_fixture() -> None:
    assert sorted({k.split("/")[0] for k in EDITS}) == FOLDERS


def drafted(name: str) -> tuple[str, dict[str, Any]]:
    text = draft_mapping(source_file(IMPORT_FIXTURES / name))
    return text, load_yaml(text)


def test_the_draft_for_a_joint_commissioning_plan() -> None:
    text, read = drafted("jc-leads")
    assert read["statuses"] == {
        "On track": "amber",
        "Some slippage": "TODO green or amber or red or behind-schedule",
        "Off track": "red",
        "Complete": "green",
    }
    assert [(o["id"], o["aliases"]) for o in read["organisations"]] == [
        ("la", ["LA"]),
        ("icb", ["ICB"]),
        ("pcf", ["PCF"]),
    ]
    assert "people" not in read  # "Head of SEND" is a post, listed in a comment
    assert "# Posts found in owner cells, kept as posts, not people: Head of SEND." in text
    assert read["owner_cells"] == {
        "LA with support from health": {
            "lead": ["LA"],
            "support": ["TODO who 'health' is: an organisation's short name or a person"],
        }
    }
    assert read["columns"] == {
        "ref": "Ref",
        "action": "Key actions",
        "owner": "Lead",
        "target_date": "Timescale",
        "status": "RAG",
    }
    assert todo_lines(text) == [
        "area: TODO the local area, as its name should read in every IRI (Anytown)",
        "title: TODO the title of the paper the plan is published in",
        'date: "TODO the date of the paper, YYYY-MM-DD; a two-digit year in the file takes its century"',
        "# TODO: optional; publisher: the councils and boards that publish the paper",
        "- title: TODO the name of the plan",
        "# TODO: optional; status_date: YYYY-MM-DD, the date its statuses are reported as at (overdue judges by it)",
        '# TODO: optional; ref_prefix: a prefix for references ("AP": "3" becomes "AP 3")',
        "name: TODO the full name of LA (in 8 owner cells)",
        "name: TODO the full name of ICB (in 7 owner cells)",
        "name: TODO the full name of PCF (in 3 owner cells)",
        "support: [\"TODO who 'health' is: an organisation's short name or a person\"]",
        "# TODO: optional; boards: the boards that oversee the plan (see the example mapping).",
        "On track: amber   # TODO check: a guess; plans differ in what 'On track' means",
        "Some slippage: TODO green or amber or red or behind-schedule",
        "Off track: red   # TODO check: a guess; plans differ in what 'Off track' means",
        "# TODO: the column 'Priority' is not placed; name it under a key above (ref, action, "
        "owner, accountable, target_date, success_measure, status, progress, references, "
        "finding, note), or leave it out and it is not read",
    ]


def test_the_draft_for_a_wsoa_with_initials_and_titles_above_its_header() -> None:
    text, read = drafted("wsoa-initials")
    assert read["header_row"] == "3"
    assert read["statuses"] == {"Green": "green", "Amber": "amber", "Red": "red"}
    assert [(o["id"], o["aliases"]) for o in read["organisations"]] == [
        ("cyc", ["CYC"]),
        ("ccg", ["CCG"]),
    ]
    assert read["people"] == [
        {"name": "M.S", "organisations": ["cyc"]},
        {"name": "K.McN", "organisations": ["ccg"]},
        {"name": "S.D", "organisations": ["cyc"]},
        {"name": "S.DV", "organisations": ["ccg"]},
        {"name": "P.C", "organisations": ["ccg"]},
    ]
    assert read["findings"] == {
        "kind": "significant weakness",
        "review": "TODO the inspection or review that made the findings (Area SEND inspection of Anytown, 2024)",
    }
    assert read["columns"] == {
        "ref": "Ref",
        "finding": "Area of weakness",
        "action": "Action",
        "owner": "Lead",
        "target_date": "By when",
        "status": "RAG",
    }
    todos = todo_lines(text)
    assert [t for t in todos if not t.startswith("# TODO")] == [
        "area: TODO the local area, as its name should read in every IRI (Anytown)",
        "title: TODO the title of the paper the plan is published in",
        'date: "TODO the date of the paper, YYYY-MM-DD; a two-digit year in the file takes its century"',
        "- title: TODO the name of the plan",
        "name: TODO the full name of CYC (in 5 owner cells)",
        "name: TODO the full name of CCG (in 4 owner cells)",
        "review: TODO the inspection or review that made the findings (Area SEND inspection of Anytown, 2024)",
    ]
    # Where the grammar chose between two readings of bracketed initials, the draft says which.
    assert [t[:48] for t in todos if t.startswith("# TODO check")] == [
        "# TODO check: '(M.S) CYC (K.McN) CCG': (K.McN) s",
        "# TODO check: 'CYC (S.D) CCG (S.DV) (P.C)': (S.D",
    ]


def test_month_columns_and_word_tables_are_recognised() -> None:
    _, months = drafted("wsoa-rag-months")
    assert months["columns"]["status_columns"] == "months"
    assert "status" not in months["columns"]
    text, app = drafted("app-docx")
    assert app["table"] == ["2", "3"]
    assert (
        "# or by the heading above each: table: [{after_heading: Area for priority action 1}, "
        "{after_heading: Area for priority action 2}]"
    ) in text
    _, blocks = drafted("blocks-md")
    assert (blocks["layout"], blocks["headings"], blocks["columns"]["ref"]) == (
        "blocks",
        {"3": "Ref"},
        "Ref",
    )


def test_a_draft_is_not_imported_until_its_todos_are_decided(tmp_path: Path) -> None:
    source = source_file(IMPORT_FIXTURES / "wsoa-rag-months")
    draft(source, tmp_path)
    build = build_graph(tmp_path, validate=False)
    errors = [(p.row, p.field, p.message) for p in build.problems if p.severity is Severity.ERROR]
    assert [(row, key) for row, key, _ in errors] == [
        (9, "area"),
        (12, "document.title"),
        (13, "document.date"),
        (17, "plans[1].title"),
        (26, "organisations[1].name"),
        (29, "organisations[2].name"),
        (37, "findings.review"),
    ]
    assert errors[2][2] == (
        "document.date is still a TODO: the date of the paper, YYYY-MM-DD; a two-digit year in "
        "the file takes its century. Decide it, write the answer in its place, and import again."
    )


def test_template_from_overwrites_nothing_and_names_what_it_cannot_read(tmp_path: Path) -> None:
    source = source_file(IMPORT_FIXTURES / "jc-leads")
    draft(source, tmp_path)
    again = CliRunner().invoke(main, ["template", "--from", str(source), "-o", str(tmp_path)])
    assert again.exit_code == 2
    assert "plan.mapping.yaml and" in again.output and "already exist;" in again.output
    formatted = CliRunner().invoke(main, ["template", "--from", str(source), "-f", "xlsx"])
    assert formatted.exit_code == 2
    assert "-f is the blank plan's format" in formatted.output
    odd = tmp_path / "plan.pdf"
    odd.write_bytes(b"%PDF-1.4")
    refused = CliRunner().invoke(main, ["template", "--from", str(odd)])
    assert refused.exit_code == 2
    assert "plan.pdf is not a kind of file sendgraph reads" in refused.output
    missing = CliRunner().invoke(main, ["template", "--from", str(tmp_path / "none.csv")])
    assert missing.exit_code == 2
    assert "none.csv is not a file." in missing.output


def test_a_word_document_of_label_paragraphs_is_drafted_as_blocks(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Anytown SEND Improvement Plan", level=1)
    for ref, action, lead, status in (
        ("1.1", "Publish the Local Offer again.", "LA", "Complete"),
        ("1.2", "Start a therapy triage line.", "ICB with support from LA", "Delayed"),
    ):
        document.add_heading(ref, level=2)
        for label, value in (("Action", action), ("Lead", lead), ("Status", status)):
            document.add_paragraph(f"{label}: {value}")
    document.save(tmp_path / "plan.docx")
    read = load_yaml(draft_mapping(tmp_path / "plan.docx"))
    assert read["layout"] == "blocks"
    assert read["columns"] == {"action": "Action", "owner": "Lead", "status": "Status"}
    assert read["statuses"] == {"Complete": "green", "Delayed": "behind-schedule"}
    assert [o["aliases"] for o in read["organisations"]] == [["LA"], ["ICB"]]


def test_the_draft_for_a_board_register_without_a_membership_table(tmp_path: Path) -> None:
    (tmp_path / "governance.csv").write_text(
        "Governance structure 2025\n\n"
        "Meeting,Chaired by,How often,Reporting to\n"
        "SEND Partnership Board,Jo Bloggs (Northbridge Parent Carer Forum),Bi-monthly,Health and Wellbeing Board\n"
        "Preparing for Adulthood Group,Vacant,Every 6 weeks,SEND Partnership Board\n",
        encoding="utf-8",
    )
    text = draft(tmp_path / "governance.csv", tmp_path)
    read = load_yaml(text)
    assert read["header_row"] == "3"
    assert read["register"] == {
        "boards": {
            "board": "Meeting",
            "chair": "Chaired by",
            "meets": "How often",
            "reports_to": "Reporting to",
        }
    }
    assert [(o["id"], o["aliases"]) for o in read["organisations"]] == [
        ("northbridge-parent-carer-forum", ["Northbridge Parent Carer Forum"])
    ]
    assert "# Meeting frequencies read: 'Every 6 weeks' (42 days)." in text
    assert "# Chair cells that name nobody, so no chair is recorded: 'Vacant'." in text
    assert todo_lines(text) == [
        "area: TODO the local area, as its name should read in every IRI (Anytown)",
        "title: TODO the title of the paper the register is published in",
        "date: TODO the date of the paper, YYYY-MM-DD",
        "# TODO: optional; publisher: the councils and boards that publish the paper",
        "# TODO: optional; section: where in the paper the register is (Appendix 1)",
        "# TODO check: the import reads the brackets of the chair cell 'Jo Bloggs (Northb"
        "ridge Parent Carer Forum)' as the chair's post, not an organisation.",
        "name: TODO the full name of Northbridge Parent Carer Forum (in 1 row)",
        "# TODO: optional; oversees: the column of the plans it oversees, by id, title or"
        " ref prefix, one or several",
        "# TODO: 'Bi-monthly': 'bi-monthly' means both twice a month and every two months"
        "; it is kept as written and not compared with how often plans report. Write an interval in the file (monthly, every six weeks) to compare it.",
        "# TODO: optional; members: the membership table, a row per member, in another file",
    ]
    # Undecided, the draft is refused by name, every TODO value in one run.
    build = build_graph(tmp_path, validate=False)
    errors = [p.field for p in build.problems if p.severity is Severity.ERROR]
    assert errors == ["area", "document.title", "document.date", "organisations[1].name"]


def test_a_register_drafted_on_its_own_lists_every_organisation_of_its_members(
    tmp_path: Path,
) -> None:
    source = IMPORT_FIXTURES / "board-register" / "register.csv"
    result = CliRunner().invoke(main, ["template", "--from", str(source), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "members.csv",
        "register.csv",
        "register.mapping.yaml",
    ]
    read = load_yaml((tmp_path / "register.mapping.yaml").read_text(encoding="utf-8"))
    assert [(o["id"], o["name"]) for o in read["organisations"]] == [
        ("westmoor-council", "TODO the full name of Westmoor Council (in 4 rows)"),
        ("nhs-westmoor-icb", "TODO the full name of NHS Westmoor ICB (in 2 rows)"),
        (
            "westmoor-parent-carer-forum",
            "TODO the full name of Westmoor Parent Carer Forum (in 1 row)",
        ),
        ("department-for-education", "TODO the full name of Department for Education (in 1 row)"),
        ("oakfield-primary-school", "TODO the full name of Oakfield Primary School (in 1 row)"),
    ]
    assert read["register"]["members"] == {
        "file": "members.csv",
        "columns": {
            "board": "Board",
            "name": "Name",
            "post": "Job title",
            "organisation": "Organisation",
            "role": "Role",
        },
    }
    assert read["register"]["roles"] == {"Officer in attendance": "TODO chair or member or adviser"}
