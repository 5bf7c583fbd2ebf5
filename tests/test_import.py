"""Councils' own plans, imported through a mapping: the two fixtures, every mistake, the template."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef

from sendgraph.base.problems import Severity
from sendgraph.cli import main
from sendgraph.graph.build import Build, area_folders, build_graph
from sendgraph.graph.vocab import DCTERMS, FOAF, ORG, RDF, SG, SKOS, XSD, Minter
from sendgraph.records.dates import parse_quarter, read_target
from tests.helpers import IMPORT_FIXTURES, JOINT, WSOA

FIXTURES = IMPORT_FIXTURES
NORTHBRIDGE = Minter("northbridge")
ANYSHIRE = Minter("anyshire")


@pytest.fixture(scope="module")
def joint() -> Build:
    return build_graph(JOINT)


@pytest.fixture(scope="module")
def wsoa() -> Build:
    return build_graph(WSOA)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def notations(graph: Graph, nodes: object) -> set[str]:
    return {str(graph.value(n, SKOS.notation)) for n in nodes}  # type: ignore[attr-defined]


def by_ref(graph: Graph, ref: str) -> URIRef:
    """The one action or finding whose reference is ``ref``: a ref the importer counts names no IRI."""
    (node,) = set(graph.subjects(SKOS.notation, Literal(ref)))
    assert isinstance(node, URIRef)
    return node


def located(build: Build) -> set[tuple[str, int, str, Severity]]:
    return {(p.source, p.row, p.field, p.severity) for p in build.problems}


def status_series(graph: Graph, action: URIRef) -> list[tuple[str, str]]:
    observations = graph.subjects(SG.statusOf, action)
    return sorted(
        (str(graph.value(o, SG.observedIn)), str(graph.value(o, SG.statusText)))
        for o in observations
    )


# ---------------------------------------------------------------- the joint commissioning plan


def test_the_joint_commissioning_plan_imports_and_conforms(joint: Build) -> None:
    # The only problems are the two target dates that are not dates; SHACL found nothing.
    assert located(joint) == {
        ("joint-commissioning/plan.csv", 4, "Target Date", Severity.WARNING),
        ("joint-commissioning/plan.csv", 5, "Target Date", Severity.WARNING),
    }
    counts = joint.counts()
    assert {k: counts[k] for k in ("actions", "findings", "organisations", "people", "boards")} == {
        "actions": 8,
        "findings": 0,
        "organisations": 3,
        "people": 0,
        "boards": 2,
    }
    graph = joint.graph
    assert notations(graph, graph.subjects(RDF.type, SG.Action)) == {f"JC {n}" for n in range(1, 9)}
    assert set(graph.objects(None, SG.owner)) == {
        NORTHBRIDGE("organisation", "northbridge-city-council"),
        NORTHBRIDGE("organisation", "nhs-northbridge-icb"),
        NORTHBRIDGE("organisation", "northbridge-parent-carer-forum"),
    }


def test_la_and_icb_is_exactly_two_organisation_owners(joint: Build) -> None:
    graph = joint.graph
    owners = set(graph.objects(by_ref(graph, "JC 1"), SG.owner))
    assert owners == {
        NORTHBRIDGE("organisation", "northbridge-city-council"),
        NORTHBRIDGE("organisation", "nhs-northbridge-icb"),
    }
    assert all((o, RDF.type, ORG.Organization) in graph for o in owners)
    assert str(graph.value(by_ref(graph, "JC 1"), SG.ownerText)) == "LA and ICB"
    # A sheet without a Ref column: the counted "JC 1" is a label; the IRI is the action's words.
    assert by_ref(graph, "JC 1") == NORTHBRIDGE(
        "action", "jc-develop-a-joint-commissioning-strategy-for"
    )


def test_the_success_measure_and_status_words_are_kept(joint: Build) -> None:
    graph = joint.graph
    action = by_ref(graph, "JC 3")
    assert str(graph.value(action, SG.successMeasure)) == (
        "Joint funding decisions made within 6 weeks of referral.\nFewer placements out of the area."
    )
    assert graph.value(action, SG.status) == SG["status-amber"]
    assert str(graph.value(action, SG.statusText)) == "Work in progress"
    # "Complete: complete" in the mapping means green.
    assert graph.value(by_ref(graph, "JC 5"), SG.status) == SG["status-green"]


def target(graph: Graph, ref: str) -> URIRef:
    node = graph.value(by_ref(graph, ref), SG.currentTargetDate)
    assert isinstance(node, URIRef)
    return node


def test_a_financial_quarter_is_october_to_december(joint: Build) -> None:
    graph = joint.graph
    q3 = target(graph, "JC 1")
    assert str(graph.value(q3, SG.rawText)) == "Q3 2024/25"
    assert (graph.value(q3, SG.startMonth), graph.value(q3, SG.month)) == (
        _month("2024-10"),
        _month("2024-12"),
    )
    assert graph.value(q3, SG.targetKind) == SG["target-quarter"]
    q1 = target(graph, "JC 8")  # "Q1 2025": a calendar quarter
    assert (str(graph.value(q1, SG.startMonth)), str(graph.value(q1, SG.month))) == (
        "2025-01",
        "2025-03",
    )
    day = target(graph, "JC 5")
    assert str(graph.value(day, SG.day)) == "2024-09-30"
    assert str(graph.value(target(graph, "JC 2"), SG.month)) == "2025-03"  # "March 2025"


def _month(text: str) -> object:
    from rdflib import Literal

    return Literal(text, datatype=XSD.gYearMonth)


def test_ongoing_and_tbc_are_kept_as_written_and_reported(joint: Build) -> None:
    graph = joint.graph
    for ref, raw, kind in (
        ("JC 3", "Ongoing", "target-ongoing"),
        ("JC 4", "TBC", "target-to-be-confirmed"),
    ):
        node = target(graph, ref)
        assert str(graph.value(node, SG.rawText)) == raw
        assert graph.value(node, SG.targetKind) == SG[kind]
        assert graph.value(node, SG.month) is None
    messages = {(p.row, p.message) for p in joint.problems}
    assert (
        4,
        "'Ongoing' is not a date: it is kept as written, marked ongoing, with no month.",
    ) in messages
    assert (
        5,
        "'TBC' is not a date: it is kept as written, marked to be confirmed, with no month.",
    ) in messages
    # "Summer term 2025" is a school term, April to July 2025: read, not reported.
    assert [row for row, _ in messages if row == 7] == []
    summer = target(graph, "JC 6")
    assert (str(graph.value(summer, SG.periodEnd)), graph.value(summer, SG.precision)) == (
        "2025-07-31",
        SG["precision-term"],
    )


@pytest.mark.parametrize(
    ("written", "months"),
    [
        ("Q1 2024/25", ("2024-04", "2024-06")),
        ("Q3 2024/25", ("2024-10", "2024-12")),
        ("Q4 2024-25", ("2025-01", "2025-03")),
        ("Q4 24/25", ("2025-01", "2025-03")),
        ("Quarter 2 2025", ("2025-04", "2025-06")),
        ("Q1 2025", ("2025-01", "2025-03")),
        ("Q3 2024/26", None),
        ("Q5 2024", None),
    ],
)
def test_quarters(written: str, months: tuple[str, str] | None) -> None:
    import datetime as dt

    assert parse_quarter(written, dt.date(2024, 10, 1)) == months


def test_target_words() -> None:
    import datetime as dt

    when = dt.date(2024, 10, 1)
    assert [read_target(1, w, when).kind for w in ("On-going", "tbc", "To be agreed", "Soon")] == [
        "ongoing",
        "to be confirmed",
        "to be confirmed",
        "",
    ]
    assert read_target(1, "Mar 25", when).month == "2025-03"  # the century of the document


def test_owner_icb_lists_its_actions() -> None:
    result = run("owner", "ICB", "--data", str(JOINT), "-f", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["ref"] for r in rows] == ["JC 1", "JC 2", "JC 3", "JC 5", "JC 8"]
    assert {r["name"] for r in rows} == {"NHS Northbridge Integrated Care Board"}


def test_owner_la_and_the_forum() -> None:
    refs = [
        r["ref"] for r in json.loads(run("owner", "LA", "--data", str(JOINT), "-f", "json").stdout)
    ]
    assert refs == ["JC 1", "JC 3", "JC 6"]
    forum = run("owner", "Parent Carer Forum", "--data", str(JOINT), "-f", "json")
    assert [r["ref"] for r in json.loads(forum.stdout)] == ["JC 4", "JC 8"]


def test_gaps_in_the_joint_commissioning_plan() -> None:
    result = run("gaps", "--data", str(JOINT), "-f", "json")
    assert result.exit_code == 0
    found = {(g["rule"], g["ref"]) for g in json.loads(result.stdout)}
    assert {(rule, ref) for rule, ref in found if rule != "owner-concentration"} == {
        ("no-owner", "JC 7"),  # the SENDIASS row's Lead cell is empty
        ("behind-or-red", "JC 4"),  # Not started
        ("behind-or-red", "JC 7"),
        ("no-target-date", "JC 3"),  # Ongoing
        ("no-target-date", "JC 4"),  # TBC
    }  # JC 6's "Summer term 2025" is a date: April to July 2025


def test_oversight_runs_through_the_plan() -> None:
    result = run("oversight", "JC 3", "--data", str(JOINT), "-f", "json")
    rows = json.loads(result.stdout)
    assert [(r["label"], r["via"]) for r in rows] == [("SEND Partnership Board", "plan")]
    assert rows[0]["path"][0]["quote"] == (
        "The SEND Partnership Board receives the joint commissioning action plan at every meeting."
    )


# ---------------------------------------------------------------- the written statement of action


def test_the_wsoa_imports_and_conforms(wsoa: Build) -> None:
    assert located(wsoa) == {("wsoa/wsoa.xlsx[Weakness 2]", 6, "Target date", Severity.WARNING)}
    counts = wsoa.counts()
    wanted = ("actions", "findings", "organisations", "people", "posts", "status observations")
    assert {k: counts[k] for k in wanted} == {
        "actions": 7,
        "findings": 4,
        "organisations": 2,
        "people": 4,
        "posts": 4,
        "status observations": 36,
    }
    graph = wsoa.graph
    assert notations(graph, graph.subjects(RDF.type, SG.SignificantWeakness)) == {
        "SW 1",
        "SW 2",
        "SW 3",
        "SW 4",
    }
    assert set(graph.objects(None, SG.owner)) == {
        ANYSHIRE("person", "dana-whitfield"),
        ANYSHIRE("person", "ruth-adeyemi"),  # written "Dr Ruth Adeyemi": an alias
        ANYSHIRE("organisation", "nhs-anyshire-icb"),
        ANYSHIRE("organisation", "anyshire-county-council"),
    }
    assert set(graph.objects(None, SG.accountableLead)) == {
        ANYSHIRE("person", "marcus-hale"),
        ANYSHIRE("person", "karen-lowe"),
    }


def test_the_monthly_rag_columns_are_a_status_series(wsoa: Build) -> None:
    graph = wsoa.graph
    action = ANYSHIRE("action", "wsoa-1-2")
    # January is blank in the workbook: no observation, not a guess.
    assert status_series(graph, action) == [
        ("2023-09", "Red"),
        ("2023-10", "Red"),
        ("2023-11", "Amber"),
        ("2023-12", "Amber"),
        ("2024-02", "Amber"),
    ]
    assert graph.value(action, SG.status) == SG["status-amber"]  # the latest, February
    observation = ANYSHIRE("action", "wsoa-1-2/status/2023-11")
    assert str(graph.value(observation, SG.sourceColumn)) == "Nov 2023"
    assert graph.value(observation, SG.status) == SG["status-amber"]


def test_month_headings_typed_as_excel_dates_are_months_too(wsoa: Build) -> None:
    assert status_series(wsoa.graph, ANYSHIRE("action", "wsoa-2-2")) == [
        ("2023-10", "Red"),
        ("2023-11", "Red"),
        ("2023-12", "Red"),
        ("2024-01", "Amber"),
    ]


def test_a_merged_cell_belongs_to_every_row_it_spans(wsoa: Build) -> None:
    graph = wsoa.graph
    weakness = by_ref(graph, "SW 1")
    assert str(graph.value(weakness, SG.mergedCell)) == "Weakness: A5:A7"
    assert (
        str(graph.value(weakness, SG.sourceFile)),
        str(graph.value(weakness, SG.sourceRow)),
    ) == (
        "wsoa/wsoa.xlsx[Weakness 1]",
        "5",
    )
    for ref in ("wsoa-1-1", "wsoa-1-2", "wsoa-1-3"):
        action = ANYSHIRE("action", ref)
        assert (action, SG.answers, weakness) in graph
        assert set(graph.objects(action, SG.accountableLead)) == {ANYSHIRE("person", "marcus-hale")}
        assert str(graph.value(action, SG.mergedCell)) == "Accountable: E5:E7"


def test_cross_references_link_actions_and_findings(wsoa: Build) -> None:
    graph = wsoa.graph
    assert set(graph.objects(ANYSHIRE("action", "wsoa-1-3"), DCTERMS.references)) == {
        ANYSHIRE("action", "wsoa-1-2")
    }
    assert set(graph.objects(ANYSHIRE("action", "wsoa-3-2"), SG.answers)) == {
        by_ref(graph, "SW 3"),
        by_ref(graph, "SW 1"),  # its Links cell says "SW 1"
    }


def test_people_keep_their_posts(wsoa: Build) -> None:
    graph = wsoa.graph
    ruth = ANYSHIRE("person", "ruth-adeyemi")
    assert (ruth, RDF.type, FOAF.Person) in graph
    assert (ruth, ORG.memberOf, ANYSHIRE("organisation", "nhs-anyshire-icb")) in graph


def test_trace_a_weakness_lists_its_actions() -> None:
    result = run("trace", "SW 1", "--data", str(WSOA), "-f", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["ref"] for r in rows] == ["WSoA 1.1", "WSoA 1.2", "WSoA 1.3", "WSoA 3.2"]
    assert rows[1]["owners"] == ["Dana Whitfield", "Ruth Adeyemi"]
    # Each board with the kind of its path: the plan, the review, and up the reporting line.
    assert rows[0]["boards"] == [
        "Anyshire Health and Wellbeing Board (reporting line)",
        "SEND Improvement Board (plan)",
        "SEND Improvement Board (review)",
    ]


def test_trace_the_unanswered_weakness() -> None:
    result = run("trace", "SW 4", "--data", str(WSOA), "--wide")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.splitlines() == [
        "Nothing answers SW 4: no action was identified for it.",
        "SW 4, Joint local area SEND inspection of Anyshire, 2023 (anyshire-local-area-written-statement-of-action, Weakness 4):",
        "  Finding: Leaders do not monitor the use of part-time timetables for children and young people with SEND.",
    ]


def test_owner_of_an_organisation_and_a_person_in_the_wsoa() -> None:
    icb = json.loads(run("owner", "ICB", "--data", str(WSOA), "-f", "json").stdout)
    assert [r["ref"] for r in icb] == ["WSoA 2.1", "WSoA 3.1"]
    karen = json.loads(run("owner", "Karen Lowe", "--data", str(WSOA), "-f", "json").stdout)
    assert [(r["ref"], r["role"]) for r in karen] == [
        ("WSoA 2.1", "accountable lead"),
        ("WSoA 2.2", "accountable lead"),
        ("WSoA 3.2", "accountable lead"),
    ]


def test_gaps_in_the_wsoa() -> None:
    result = run("gaps", "--data", str(WSOA), "-f", "json")
    found = {(g["rule"], g["ref"]) for g in json.loads(result.stdout)}
    assert {(rule, ref) for rule, ref in found if rule != "owner-concentration"} == {
        ("no-owner", "WSoA 2.2"),  # the Lead officer cell left blank on purpose
        ("no-target-date", "WSoA 2.2"),  # TBC
        ("unanswered-finding", "SW 4"),  # the weakness with no actions yet
        ("overdue", "WSoA 1.2"),  # Jan 2024, still amber at 29/02/2024
    }


def test_a_folder_of_imported_areas() -> None:
    assert area_folders(FIXTURES) == [
        FIXTURES / "app-docx",
        FIXTURES / "blocks-md",
        FIXTURES / "board-register",
        FIXTURES / "jc-leads",
        JOINT,
        FIXTURES / "pap-html",
        WSOA,
        FIXTURES / "wsoa-initials",
        FIXTURES / "wsoa-rag-months",
    ]
    assert area_folders(WSOA) == [WSOA]
    # One ICB in each of seven areas: each answers for its own area, with the area column.
    result = run("owner", "ICB", "--data", str(FIXTURES), "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert sorted({(r["area"], r["name"]) for r in rows}) == [
        ("app-docx", "NHS Brackenfold Integrated Care Board"),
        ("blocks-md", "NHS Hartwell Integrated Care Board"),
        ("board-register", "NHS Westmoor ICB"),
        ("jc-leads", "NHS Eastmoor Integrated Care Board"),
        ("joint-commissioning", "NHS Northbridge Integrated Care Board"),
        ("pap-html", "NHS Colbridge Integrated Care Board"),
        ("wsoa", "NHS Anyshire Integrated Care Board"),
    ]
    one = run("owner", "wsoa:ICB", "--data", str(FIXTURES), "-f", "json")
    assert json.loads(one.stdout) == [r for r in rows if r["area"] == "wsoa"]


# ---------------------------------------------------------------- mistakes


def broken_area(tmp_path: Path) -> Path:
    folder = tmp_path / "area"
    shutil.copytree(JOINT, folder)
    plan = folder / "plan.csv"
    text = plan.read_text(encoding="utf-8-sig").replace("Not started", "On hold", 1)
    plan.write_text(text, encoding="utf-8-sig", newline="")
    mapping = folder / "plan.mapping.yaml"
    text = mapping.read_text(encoding="utf-8")
    text = text.replace("  owner: Lead\n", "  owner: Lead Officer\n")  # not a column of the file
    text = text.replace(
        "area: Northbridge\n", "areas: Northbridge\n"
    )  # a typo: unknown, and area missing
    text = text.replace("  date: 2024-10-01\n", "")  # document.date is required
    mapping.write_text(text, encoding="utf-8")
    return folder


BROKEN_LINES = [
    "area/plan.csv:5:Status: error: status 'On hold' is not under statuses: in area/plan.mapping.yaml; "
    "add it with what it means (red, amber, green, behind-schedule).",
    "area/plan.mapping.yaml:area: error: required key 'area' is missing.",
    "area/plan.mapping.yaml:9:areas: error: 'areas' is not a mapping key sendgraph knows. Did you mean "
    "'area'? Known keys here: area, boards, columns, document, file, finding, findings, header_row, "
    "headings, layout, organisations, owner_cells, people, plan, plans, register, sheets, statuses, table.",
    "area/plan.mapping.yaml:12:document.date: error: document.date is required (YYYY-MM-DD).",
    "area/plan.mapping.yaml:60:columns.owner: error: column 'Lead Officer' is not in area/plan.csv; its "
    "columns are 'Action', 'Target Date', 'Lead', 'What does success look like?', 'Status'.",
]


def test_every_mistake_is_reported_in_one_run(tmp_path: Path) -> None:
    folder = broken_area(tmp_path)
    result = run("import", str(folder / "plan.csv"), "--mapping", str(folder / "plan.mapping.yaml"))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == BROKEN_LINES
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-2:] == [
        "5 errors, 2 warnings, 0 notes",
        "Nothing was imported: fix the errors above and import again.",
    ]
    assert not (tmp_path / "build").exists()


def test_unreadable_yaml_is_reported_beside_the_other_mistakes(tmp_path: Path) -> None:
    folder = broken_area(tmp_path)
    (folder / "wsoa.mapping.yaml").write_text(
        "file: wsoa.xlsx\nstatuses:\n  Red: red\n  - Amber\n", encoding="utf-8"
    )
    result = run("build", str(folder), "-o", str(tmp_path / "out.ttl"))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        *BROKEN_LINES,
        "area/wsoa.mapping.yaml:4: error: is not valid YAML: while parsing a block mapping, "
        "expected <block end>, but found '-'.",
    ]
    assert not (tmp_path / "out.ttl").exists()


def test_mistakes_in_a_workbook_name_the_sheet(tmp_path: Path) -> None:
    folder = tmp_path / "wsoa"
    shutil.copytree(WSOA, folder)
    from openpyxl import load_workbook

    book = load_workbook(folder / "wsoa.xlsx")
    book["Weakness 3"]["J6"] = "Blue"  # Oct 2023 of WSoA 3.2
    book.save(folder / "wsoa.xlsx")
    mapping = folder / "wsoa.mapping.yaml"
    text = mapping.read_text(encoding="utf-8").replace(
        "  references: Links\n", "  references: Link\n"
    )
    mapping.write_text(
        text.replace("  kind: significant weakness\n", "  kind: weakness\n"), encoding="utf-8"
    )
    built = build_graph(folder)
    assert [str(p) for p in built.problems if p.severity == Severity.ERROR] == [
        "wsoa/wsoa.mapping.yaml:55:findings.kind: error: 'weakness' is not a kind of finding sendgraph "
        "knows; use one of area for consideration, area for improvement, area for priority action, "
        "recommendation, significant weakness, strength.",
        *(
            "wsoa/wsoa.mapping.yaml:73:columns.references: error: column 'Link' is not in "
            f"wsoa/wsoa.xlsx[Weakness {n}] (header row 4); its columns are 'Weakness', 'Ref', "
            "'Action', 'Lead officer', 'Accountable', 'Target date', 'Evidence of impact', 'Links', "
            "'Sep 2023', 'Oct 2023', 'Nov 2023', 'Dec 2023', 'Jan 2024', 'Feb 2024'."
            for n in range(1, 5)
        ),
        "wsoa/wsoa.xlsx[Weakness 3]:6:Oct 2023: error: status 'Blue' is not under statuses: in "
        "wsoa/wsoa.mapping.yaml; add it with what it means (red, amber, green, behind-schedule).",
    ]
    assert not built.ok
    assert built.counts()["actions"] == 0  # nothing is built from a workbook read wrongly


def test_a_cp1252_file_needs_encoding_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    shutil.copytree(JOINT, folder)
    plan = folder / "plan.csv"
    text = plan.read_text(encoding="utf-8-sig").replace(
        "Parents tell us", "Parents’ view: families tell us"
    )
    plan.write_bytes(text.encode("cp1252"))
    args = ["import", str(plan), "--mapping", str(folder / "plan.mapping.yaml"), "-o", "-"]
    refused = run(*args)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0] == (
        # line 6 of the file: the row above holds a cell of two lines
        "old/plan.csv:6: error: is not UTF-8: byte 0x92 on line 6 cannot be decoded. It reads as "
        'Windows-1252 (cp1252), as older Excel saves "CSV". Save it as "CSV UTF-8", or pass '
        "--encoding cp1252 if that is what it is."
    )
    read = run(*args, "--encoding", "cp1252")
    assert read.exit_code == 0, read.stderr
    graph = Graph().parse(data=read.stdout, format="turtle")
    measure = graph.value(by_ref(graph, "JC 4"), SG.successMeasure)
    assert (
        str(measure) == "Parents’ view: families tell us the Local Offer is easy to find and use."
    )


# ---------------------------------------------------------------- the template


def fill(plan: Path, rows: list[list[str]]) -> None:
    with plan.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    with plan.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


TWO_ROWS = [
    [
        "1",
        "Publish a waiting-times dashboard for EHC needs assessments.",
        "LA",
        "Sam Example",
        "Q3 2024/25",
        "Every family can see how long assessments take.",
        "In progress",
        "Draft shared with the SEND Partnership Board in September.",
        "",
        "Families do not know how long an EHC needs assessment will take.",
    ],
    [
        "2",
        "Agree how health advice is quality assured.",
        "ICB and SE",
        "Robin Marsh",
        "31/03/2025",
        "Audits show advice is outcome-focused.",
        "Not started",
        "",
        "AP 1",
        "Families do not know how long an EHC needs assessment will take.",
    ],
]


def test_the_template_round_trips(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    written = run("template", "-o", str(folder))
    assert written.exit_code == 0
    assert written.stdout == f"Wrote {folder / 'plan.csv'} and {folder / 'plan.mapping.yaml'}\n"
    assert (folder / "plan.csv").read_bytes() == (
        b"\xef\xbb\xbfRef,Action,Owner,Accountable lead,Target date,Success measure,Status,Progress,"
        b"Cross-references,Finding\r\n"
    )
    fill(folder / "plan.csv", TWO_ROWS)
    out = tmp_path / "mine.ttl"
    result = run(
        "import",
        str(folder / "plan.csv"),
        "--mapping",
        str(folder / "plan.mapping.yaml"),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "0 errors, 0 warnings, 0 notes"
    graph = Graph().parse(out)
    anytown = Minter("anytown")
    assert notations(graph, graph.subjects(RDF.type, SG.Action)) == {"AP 1", "AP 2"}
    assert notations(graph, graph.subjects(RDF.type, SG.AreaForPriorityAction)) == {"APA 1"}
    first, second = anytown("action", "ap-1"), anytown("action", "ap-2")
    assert set(graph.objects(first, SG.owner)) == {anytown("organisation", "anytown-council")}
    assert set(graph.objects(first, SG.accountableLead)) == {anytown("person", "sam-example")}
    assert set(graph.objects(second, SG.owner)) == {
        anytown("organisation", "anytown-icb"),
        anytown("person", "sam-example"),  # "SE" is Sam Example's alias
    }
    # A name that is no organisation and no person the mapping knows becomes a person.
    assert set(graph.objects(second, SG.accountableLead)) == {anytown("person", "robin-marsh")}
    assert str(graph.value(anytown("person", "robin-marsh"), FOAF.name)) == "Robin Marsh"
    assert graph.value(first, SG.status) == SG["status-amber"]
    assert graph.value(second, SG.status) == SG["status-red"]
    assert str(graph.value(anytown("action", "ap-1/row/1"), SG.text)) == (
        "Draft shared with the SEND Partnership Board in September."
    )
    assert set(graph.objects(second, DCTERMS.references)) == {first}
    assert {a for a in (first, second) if (a, SG.answers, by_ref(graph, "APA 1")) in graph} == {
        first,
        second,
    }
    assert str(graph.value(graph.value(second, SG.currentTargetDate), SG.day)) == "2025-03-31"


def test_the_xlsx_template_round_trips_and_nothing_is_overwritten(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    folder = tmp_path / "book"
    assert run("template", "-o", str(folder), "-f", "xlsx").exit_code == 0
    book = load_workbook(folder / "plan.xlsx")
    for row in TWO_ROWS:
        book.active.append(row)  # type: ignore[union-attr]
    book.save(folder / "plan.xlsx")
    built = build_graph(folder)
    assert [p for p in built.problems if p.severity >= Severity.WARNING] == []
    assert built.counts()["actions"] == 2
    again = run("template", "-o", str(folder), "-f", "xlsx")
    assert again.exit_code == 2
    assert "already exist" in again.stderr
    assert len(list(book.active.iter_rows())) == 3  # type: ignore[union-attr]


def test_area_and_format_options(tmp_path: Path) -> None:
    result = run(
        "import", str(JOINT / "plan.csv"), "--mapping", str(JOINT / "plan.mapping.yaml"),
        "--area", "North Bridge", "-f", "nt", "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    graph = Graph().parse(data=result.stdout, format="nt")
    first = Minter("north-bridge")("action", "jc-develop-a-joint-commissioning-strategy-for")
    assert (first, RDF.type, SG.Action) in graph
    assert not any(str(s).startswith(str(NORTHBRIDGE.base)) for s in graph.subjects())


def test_the_command_line_does_not_import_openpyxl_or_yaml() -> None:
    code = "import sys, sendgraph.cli; print(sorted(m for m in ('openpyxl', 'yaml') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


def test_every_term_the_imports_use_is_declared(joint: Build, wsoa: Build) -> None:
    from rdflib.namespace import OWL, RDFS

    from sendgraph.graph.ontology import load_ontology

    ontology = load_ontology()
    for graph in (joint.graph, wsoa.graph):
        used = {p for p in graph.predicates() if str(p).startswith(str(SG))}
        used |= {o for o in graph.objects(None, RDF.type) if str(o).startswith(str(SG))}
        for term in used:
            kind = ontology.value(term, RDF.type)
            assert kind == OWL.Class or "Property" in str(kind), term
            assert ontology.value(term, RDFS.label) is not None, term
            assert ontology.value(term, RDFS.comment) is not None, term


def test_the_report_of_a_written_statement_of_action(tmp_path: Path) -> None:
    """The weaknesses are called what the inspection called them, and the unanswered one shows."""
    out = tmp_path / "wsoa.md"
    result = CliRunner().invoke(main, ["report", "--data", str(WSOA), "-f", "md", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("### SW ")]
    assert headings == [f"### SW {n}: Significant weakness" for n in (1, 2, 3, 4)]
    assert "Area for consideration" not in text


# ---------------------------------------------------------------- formulas without saved values


def test_a_formula_with_no_saved_value_is_kept_as_its_text_and_named(tmp_path: Path) -> None:
    """openpyxl, like other programs, writes a formula without the value Excel would save."""
    from openpyxl import Workbook

    from sendgraph.base.problems import Problem
    from sendgraph.read.spreadsheets import read_spreadsheet

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Actions"
    sheet.append(["Plan of actions"])
    sheet.append(["Ref", "Action", "Owner", "Total"])
    sheet.append(["1", "Recruit two officers", "Dana Whitfield", "=SUM(1,2)"])
    sheet.append(["2", '=CONCAT("Review ","the offer")', "Marcus Hale", 7])
    sheet["A1"] = '=UPPER("title")'  # above the header: kept, but nobody reads it
    path = tmp_path / "plan.xlsx"
    book.save(path)
    [read], problems = read_spreadsheet(path, "plan.xlsx", header_row=2)
    assert [row.values for row in read.rows] == [
        {
            "Ref": "1",
            "Action": "Recruit two officers",
            "Owner": "Dana Whitfield",
            "Total": "=SUM(1,2)",
        },
        {
            "Ref": "2",
            "Action": '=CONCAT("Review ","the offer")',
            "Owner": "Marcus Hale",
            "Total": "7",
        },
    ]
    kept = "; the cell is kept as the formula text. Open and save the workbook in Excel to save its values."
    assert problems == [
        Problem("plan.xlsx[Actions]", 3, "", Severity.WARNING, f"cell D3: a formula with no saved value (=SUM(1,2)){kept}"),
        Problem("plan.xlsx[Actions]", 4, "", Severity.WARNING, f'cell B4: a formula with no saved value (=CONCAT("Review ","the offer")){kept}'),
    ]  # fmt: skip


def test_import_warns_of_a_formula_with_no_saved_value(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    folder = tmp_path / "wsoa"
    shutil.copytree(WSOA, folder)
    book = load_workbook(folder / "wsoa.xlsx")
    book["Weakness 1"]["G5"] = '=IF(TRUE,"Charter signed","")'
    book.save(folder / "wsoa.xlsx")
    result = run("import", str(folder / "wsoa.xlsx"), "--mapping", str(folder / "wsoa.mapping.yaml"), "--no-validate", "-o", str(tmp_path / "wsoa.ttl"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "wsoa.xlsx[Weakness 1]:5: warning: cell G5: a formula with no saved value "
        '(=IF(TRUE,"Charter signed","")); the cell is kept as the formula text.'
    ) in result.stderr
    graph = Graph().parse(tmp_path / "wsoa.ttl")
    assert Literal('=IF(TRUE,"Charter signed","")') in set(graph.objects())
