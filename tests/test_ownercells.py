"""Owner cells as councils write them: the grammar cell by cell, and two plans that use it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from sendgraph.base.problems import Severity
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_graph
from sendgraph.graph.vocab import FOAF, ORG, RDFS, SG, SKOS, Minter
from sendgraph.records.importer import import_folder
from sendgraph.records.ownercells import Vocabulary, key, read_owner_cell
from tests.helpers import IMPORT_FIXTURES

LEADS = IMPORT_FIXTURES / "jc-leads"
INITIALS = IMPORT_FIXTURES / "wsoa-initials"

WORDS = Vocabulary(
    organisations={
        "la": "la",
        "local authority": "la",
        "icb": "icb",
        "cyc": "cyc",
        "ccg": "ccg",
        "pcf": "pcf",
        "parent and carer forum": "pcf",
        "x": "x",
        "y": "y",
    },
    partners=("la", "icb", "pcf"),
    is_person=lambda name: key(name) in {"jackie parkin", "paula williams", "paula williams eys"},
)

# Each cell, and its exact reading: role: names | ...; "unread" keeps what was not read.
CELLS = [
    # a lead and its supporting partners
    ("X with support from Y", "lead: org:x | support: org:y"),
    ("X supported by Y", "lead: org:x | support: org:y"),
    ("X, supported by Y", "lead: org:x | support: org:y"),
    ("X with the support of Y", "lead: org:x | support: org:y"),
    ("Lead: X; Support: Y", "lead: org:x | support: org:y"),
    ("Lead: ICB\nSupport: LA", "lead: org:icb | support: org:la"),
    ("X (lead), Y", "lead: org:x | support: org:y"),
    ("PCF (lead), LA & ICB", "lead: org:pcf | support: org:la, org:icb"),
    ("LA with support from all partners", "lead: org:la | support: org:icb, org:pcf"),
    ("ICB with support from all partners", "lead: org:icb | support: org:la, org:pcf"),
    ("ICB with support from health", "lead: org:icb | unread: health"),
    ("LA with support from health", "lead: org:la | unread: health"),
    # several organisations
    ("LA and ICB", "lead: org:la, org:icb"),
    ("LA/ICB", "lead: org:la, org:icb"),
    ("LA & ICB", "lead: org:la, org:icb"),
    ("LA ICB", "lead: org:la, org:icb"),
    ("All partners", "lead: org:la, org:icb, org:pcf"),
    ("all partners", "lead: org:la, org:icb, org:pcf"),
    ("Parent and Carer Forum and LA", "lead: org:pcf, org:la"),
    # officers by their organisations, in either order
    ("(M.S) CYC", "lead: org:cyc, person:M.S@cyc"),
    ("CYC (M.S)", "lead: org:cyc, person:M.S@cyc"),
    ("CYC – M.S", "lead: org:cyc, person:M.S@cyc"),
    ("CYC - M.S", "lead: org:cyc, person:M.S@cyc"),
    ("(M.S) CYC (K.McN) CCG", "lead: org:cyc, org:ccg, person:M.S@cyc, person:K.McN@ccg"),
    (
        "CYC (S.D) CCG (S.DV) (P.C)",
        "lead: org:cyc, org:ccg, person:S.D@cyc, person:S.DV@ccg, person:P.C@ccg",
    ),
    ("CCG (K.McN)", "lead: org:ccg, person:K.McN@ccg"),
    ("CCG (MS)", "lead: org:ccg, person:MS@ccg"),
    ("Jo Bell (ICB)", "lead: person:Jo Bell@icb"),
    # job titles are posts
    ("Head of SEND", "lead: post:Head of SEND"),
    ("SEND Strategic Lead", "lead: post:SEND Strategic Lead"),
    ("Head of SEND (LA)", "lead: post:Head of SEND@la"),
    # people, as the bundled plan writes them
    ("Jackie Parkin (Paula Williams)", "lead: person:Jackie Parkin | accountable: person:Paula Williams"),
    ("Paula Williams\nEYS", "lead: person:Paula Williams EYS"),
    ("Dana Whitfield and Dr Ruth Adeyemi", "lead: person:Dana Whitfield, person:Dr Ruth Adeyemi"),
    # what cannot be read is kept whole
    ("To be agreed at the next board", "unread: To be agreed at the next board"),
    ("SEND team", "unread: SEND team"),
    ("TBC", "unread: TBC"),
    ("PDQ", "unread: PDQ"),
    ("(M.S CYC", "unread: (M.S CYC"),
    ("", ""),
]  # fmt: skip


@pytest.mark.parametrize(("cell", "reading"), CELLS)
def test_each_cell_reads_as_the_grammar_says(cell: str, reading: str) -> None:
    assert read_owner_cell(cell, WORDS).summary() == reading


def test_initials_between_two_organisations_are_read_by_the_rule_and_noted() -> None:
    before = read_owner_cell("(M.S) CYC (K.McN) CCG", WORDS)
    after = read_owner_cell("CYC (S.D) CCG (S.DV) (P.C)", WORDS)
    assert before.notes == (
        "(K.McN) sits between CYC and CCG; read as CCG's, since the cell opens with bracketed "
        "initials, so writes each officer before their organisation. If they are CYC's, say how "
        "the cell reads under owner_cells:",
    )
    assert after.notes == (
        "(S.D) sits between CYC and CCG; read as CYC's, since the cell writes each officer after "
        "their organisation. If they are CCG's, say how the cell reads under owner_cells:",
    )
    assert read_owner_cell("CYC (M.S)", WORDS).notes == ()


def test_all_partners_needs_partners() -> None:
    words = Vocabulary(organisations={"la": "la"})
    assert read_owner_cell("all partners", words).summary() == "unread: all partners"


# ---------------------------------------------------------------- Eastmoor's joint commissioning plan


def owner(name: str, folder: Path) -> list[tuple[str, str]]:
    result = CliRunner().invoke(main, ["owner", name, "-f", "json", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    return [(row["ref"], row["role"]) for row in json.loads(result.stdout)]


@pytest.fixture(scope="module")
def leads() -> Build:
    return build_graph(LEADS)


@pytest.fixture(scope="module")
def initials() -> Build:
    return build_graph(INITIALS)


def test_the_joint_plan_imports_with_only_its_ongoing_date_reported(leads: Build) -> None:
    assert [(p.row, p.field, p.severity) for p in leads.problems] == [
        (10, "Timescale", Severity.WARNING)
    ]


def test_owner_lists_what_each_organisation_leads_and_supports() -> None:
    supporting = "supporting partner"
    assert owner("LA", LEADS) == [
        *[(f"EJC {n}", "owner") for n in (1, 2, 3, 4, 7)],
        *[(f"EJC {n}", supporting) for n in (5, 8, 9)],
    ]
    assert owner("ICB", LEADS) == [
        *[(f"EJC {n}", "owner") for n in (1, 5, 6, 7, 8)],
        *[(f"EJC {n}", supporting) for n in (3, 4, 9)],
    ]
    assert owner("PCF", LEADS) == [("EJC 9", "owner"), ("EJC 4", supporting), ("EJC 5", supporting)]


def test_all_partners_leaves_out_an_organisation_that_is_not_a_partner(leads: Build) -> None:
    sendiass = Minter("eastmoor")("organisation", "eastmoor-sendiass")
    assert (None, SG.supportingPartner, sendiass) not in leads.graph


def test_a_job_title_is_a_post_that_owns_the_action(leads: Build) -> None:
    graph = leads.graph
    action = Minter("eastmoor")("action", "ejc-10")
    [post] = graph.objects(action, SG.owner)
    assert (post, RDFS.label) in {(post, RDFS.label)}
    assert str(graph.value(post, RDFS.label)) == "Head of SEND"
    assert (post, ORG.heldBy, None) not in graph
    assert set(graph.objects(post, None)) >= {ORG.Post}


def test_about_and_trace_show_supporting_partners() -> None:
    result = CliRunner().invoke(main, ["about", "EJC 3", "-f", "json", "--data", str(LEADS)])
    [row] = json.loads(result.stdout)
    assert (row["owners"], row["supporting_partners"]) == (
        ["Eastmoor Borough Council"],
        ["NHS Eastmoor Integrated Care Board"],
    )


def test_a_cell_the_mapping_does_not_read_for_it_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "jc-leads"
    shutil.copytree(LEADS, folder)
    mapping = folder / "plan.mapping.yaml"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(re.sub(r"owner_cells:\n(  .*\n)+", "", text), encoding="utf-8")
    imported = import_folder(folder)
    warnings = [str(p) for p in imported.problems if p.field == "Lead"]
    assert warnings == [
        "jc-leads/plan.csv:4:Lead: warning: in 'LA with support from health', 'health' names no "
        "organisation, person or post sendgraph can tell; it is kept as written and left out of "
        "the owners. Add it as an organisation's short name (aliases:), or say how the cell reads "
        "under owner_cells: in jc-leads/plan.mapping.yaml."
    ]
    action = imported.records.actions["EJC 3"]
    assert (action.owner_organisations, action.supporting_organisations) == (
        ["eastmoor-borough-council"],
        [],
    )


def test_owner_cells_name_only_what_the_mapping_defines(tmp_path: Path) -> None:
    folder = tmp_path / "jc-leads"
    shutil.copytree(LEADS, folder)
    mapping = folder / "plan.mapping.yaml"
    text = mapping.read_text(encoding="utf-8").replace("support: [ICB]", "support: [NHS]")
    text = text.replace("    lead: [LA]\n", "    lead: [LA]\n    helped_by: [PCF]\n")
    mapping.write_text(text, encoding="utf-8")
    errors = [str(p) for p in import_folder(folder).problems if p.severity == Severity.ERROR]
    assert errors == [
        "jc-leads/plan.mapping.yaml:40:owner_cells['LA with support from health'].helped_by: error: "
        "'helped_by' is not a mapping key sendgraph knows. Known keys here: lead, support, accountable.",
        "jc-leads/plan.mapping.yaml:41:owner_cells['LA with support from health'].support: error: "
        "'NHS' is not an organisation under organisations: or a person under people: (by id, name "
        "or alias).",
    ]


# ---------------------------------------------------------------- Yorvale's WSoA with initials


def test_owner_lists_what_each_organisation_leads_when_initials_surround_codes() -> None:
    assert owner("CYC", INITIALS) == [
        (f"WSoA {r}", "owner") for r in ("1.1", "1.2", "1.3", "2.1", "2.2")
    ]
    assert owner("CCG", INITIALS) == [
        *[(f"WSoA {r}", "owner") for r in ("2.1", "2.2", "3.1")],
        ("WSoA 3.2", "supporting partner"),
    ]
    assert owner("K.McN", INITIALS) == [("WSoA 2.1", "owner"), ("WSoA 3.1", "owner")]


def test_initials_become_people_with_posts_in_their_organisations(initials: Build) -> None:
    graph = initials.graph
    found = {
        (str(graph.value(person, SG.initials)), str(graph.value(org, SKOS.prefLabel)))
        for post in graph.subjects(ORG.heldBy, None)
        for person in graph.objects(post, ORG.heldBy)
        for org in graph.objects(post, ORG.postIn)
    }
    council, ccg = "City of Yorvale Council", "NHS Yorvale Clinical Commissioning Group"
    assert found == {
        ("M.S", council), ("S.D", council), ("K.McN", ccg), ("S.DV", ccg), ("P.C", ccg),
    }  # fmt: skip


def test_ambiguous_initials_are_warned_about_with_file_row_column_and_cell(initials: Build) -> None:
    assert [str(p) for p in initials.problems] == [
        "wsoa-initials/wsoa.csv:7:Lead: warning: in '(M.S) CYC (K.McN) CCG', (K.McN) sits between "
        "CYC and CCG; read as CCG's, since the cell opens with bracketed initials, so writes each "
        "officer before their organisation. If they are CYC's, say how the cell reads under "
        "owner_cells: in wsoa-initials/wsoa.mapping.yaml.",
        "wsoa-initials/wsoa.csv:8:Lead: warning: in 'CYC (S.D) CCG (S.DV) (P.C)', (S.D) sits between "
        "CYC and CCG; read as CYC's, since the cell writes each officer after their organisation. "
        "If they are CCG's, say how the cell reads under owner_cells: in "
        "wsoa-initials/wsoa.mapping.yaml.",
    ]


# ---------------------------------------------------------------- every fixture


def short_names(graph: Graph) -> set[str]:
    return {
        str(name)
        for org in graph.subjects(None, ORG.Organization)
        for name in graph.objects(org, SKOS.altLabel)
    }


@pytest.mark.parametrize(
    "folder", sorted(p for p in IMPORT_FIXTURES.iterdir() if p.is_dir()), ids=lambda p: p.name
)
def test_no_person_is_named_by_a_sentence_or_an_organisation(folder: Path) -> None:
    graph = build_graph(folder).graph
    names = [
        str(n)
        for person in graph.subjects(None, FOAF.Person)
        for n in graph.objects(person, FOAF.name)
    ]
    codes = short_names(graph)
    assert codes
    bad = [
        name
        for name in names
        if "with support" in name.casefold()
        or re.search(r"\band\b", name, re.IGNORECASE)
        or "/" in name
        or any(re.search(rf"(?<!\w){re.escape(code)}(?!\w)", name) for code in codes)
    ]
    assert bad == []
