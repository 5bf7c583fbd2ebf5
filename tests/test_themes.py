"""Themes, the inspection framework and `sendgraph recurring`, on the exact words of the papers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal

from sendgraph.ask.questions import Questions
from sendgraph.base.problems import Severity
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_areas, build_graph, default_data_folder
from sendgraph.graph.themes import compile_pattern, sentence_around
from sendgraph.graph.vocab import DCTERMS, RDF, SG
from tests.conftest import MINT
from tests.helpers import edit

RECURRING = {
    "attainment-attendance",
    "designated-clinical-officer",
    "early-years",
    "ehc-quality",
    "joint-commissioning",
    "looked-after-children",
    "performance-data",
    "preparation-for-adulthood",
    "voice-coproduction",
    "wider-system",
    "workforce-development",
}


@pytest.fixture(scope="module")
def questions(rotherham: Build) -> Questions:
    return Questions(rotherham.graph)


@pytest.fixture(scope="module")
def recurring(questions: Questions) -> list[dict[str, Any]]:
    return questions.recurring()


def of_theme(rows: list[dict[str, Any]], theme: str, role: str) -> list[tuple[Any, ...]]:
    if role == "finding":
        return [
            (r["ref"], r["kind"], r["review"], r["year"], r["field"], r["matched"])
            for r in rows
            if r["theme"] == theme and r["role"] == role
        ]
    return [
        (r["ref"], r["matched"], r["status"], r["completed"], r["status_date"], r["section"])
        for r in rows
        if r["theme"] == theme and r["role"] == role
    ]


# ---------------------------------------------------------------- recurring themes


def test_the_recurring_themes(recurring: list[dict[str, Any]]) -> None:
    assert {r["theme"] for r in recurring} == RECURRING
    raised = {r["theme"]: tuple(r["raised_by"]) for r in recurring}
    assert raised["ehc-quality"] == (
        "SEND Peer Review (undated)",
        "CCG SEND Self-Assessment (2017)",
        "SEND Peer Challenge (2020)",
    )
    assert raised["designated-clinical-officer"] == (
        "CCG SEND Self-Assessment (2017)",
        "SEND Peer Challenge (2020)",
    )


def test_themes_raised_by_one_review_are_not_recurring(recurring: list[dict[str, Any]]) -> None:
    # Timeliness was a 2016 finding only; autism and governance were raised in 2020 only.
    assert {"ehc-timeliness", "autism-neurodevelopmental", "governance", "semh"}.isdisjoint(
        r["theme"] for r in recurring
    )


def test_preparation_for_adulthood(recurring: list[dict[str, Any]]) -> None:
    theme = "preparation-for-adulthood"
    assert of_theme(recurring, theme, "finding") == [
        ("PR 9", "recommendation", "SEND Peer Review", None, "text",
         ["Transitions Team", "into adulthood", "transition to adult services"]),
        ("PR 15", "recommendation", "SEND Peer Review", None, "text",
         ["Post 16", "Preparation for Adulthood", "Supported Internships",
          "preparation for adulthood", "towards adulthood"]),
        ("PC 3.3", "area for consideration", "SEND Peer Challenge", 2020,
         "area for consideration", ["transitions to adulthood"]),
        ("PC 7.3", "area for consideration", "SEND Peer Challenge", 2020,
         "area for consideration", ["young people in transition"]),
    ]  # fmt: skip
    plan, section = "2017-09-25", "Appendix 2, SEND Joint Commissioning Plan 2016/17"
    assert of_theme(recurring, theme, "earlier action") == [
        ("JCP 10.1", ["Transitions Partnership"], "Green", True, plan, f"{section}, JCP 10.1"),
        ("JCP 10.2", ["transition priorities"], "Behind schedule", False, plan, f"{section}, JCP 10.2"),
        ("JCP 10.3", ["transition pathways"], "Amber", False, plan, f"{section}, JCP 10.3"),
        ("PR 9", ["Transitions Team", "into adulthood", "transition to adult services"],
         "Green", True, plan, "Appendix 2, Peer Review Measures, PR 9"),
        # PR 15's ten progress rows disagree (Completed, On track): it takes the worst.
        ("PR 15", ["Post 16", "Preparation for Adulthood", "Supported Internships",
                   "preparation for adulthood", "towards adulthood"],
         "Amber", False, plan, "Appendix 2, Peer Review Measures, PR 15"),
        ("SEND 8", ["Children’s to Adult Services"], "Amber", False, plan,
         "Appendix 2, CYPS Improvement Plan Measures, SEND 8"),
    ]  # fmt: skip
    [identified] = [
        r for r in recurring if r["theme"] == theme and r["role"] == "identified action"
    ]
    assert (identified["ref"], identified["answers"], identified["matched"]) == (
        "PC 3.3 identified action",
        "PC 3.3",
        ["Preparation for Adulthood"],
    )
    assert identified["document"] == "rotherham-send-peer-challenge-2020"


def test_attainment_and_attendance(recurring: list[dict[str, Any]]) -> None:
    theme = "attainment-attendance"
    assert of_theme(recurring, theme, "finding") == [
        ("PR 17", "recommendation", "SEND Peer Review", None, "text", ["disruption to education"]),
        ("PR 19", "recommendation", "SEND Peer Review", None, "text", ["persistent absence"]),
        ("PR 20", "recommendation", "SEND Peer Review", None, "text", ["attainment"]),
        ("PC 7.3", "area for consideration", "SEND Peer Challenge", 2020, "area for consideration", ["attainment"]),
        ("PC 7.3", "strength", "SEND Peer Challenge", 2020, "strength", ["Progress 8"]),
    ]  # fmt: skip
    assert [(r[0], r[2], r[3]) for r in of_theme(recurring, theme, "earlier action")] == [
        ("PR 17", "Amber", False),
        ("PR 19", "Behind schedule", False),
        ("PR 20", "Amber", False),
    ]


def test_designated_clinical_officer_had_no_plan_action(recurring: list[dict[str, Any]]) -> None:
    theme = "designated-clinical-officer"
    assert of_theme(recurring, theme, "finding") == [
        ("CCG 3", "self-assessment gap", "CCG SEND Self-Assessment", 2017, "text", ["Designated Medical Officer"]),
        ("PC 2.3", "area for consideration", "SEND Peer Challenge", 2020, "area for consideration", ["Designated Clinical Officer"]),
        ("PC 5.2", "strength", "SEND Peer Challenge", 2020, "strength", ["DCO"]),
    ]  # fmt: skip
    # The DCO work was the CCG's own (its progress bullets), not a row of the 2017 plan.
    assert [r for r in recurring if r["theme"] == theme and r["role"] != "finding"] == []


def test_a_correction_is_evidence_in_recurring(recurring: list[dict[str, Any]]) -> None:
    [pr5] = [
        r for r in recurring if r["theme"] == "workforce-development" and r["role"] == "finding"
        and r["ref"] == "PR 5"
    ]  # fmt: skip
    assert (pr5["tagged_by"], pr5["matched"], pr5["rules"]) == ("correction", [], [])
    assert pr5["reason"].startswith(
        "It asks that all staff of the EHC assessment and planning team"
    )


def test_recurring_is_the_same_on_both_stores(rotherham: Build) -> None:
    fast = Questions(rotherham.graph).recurring()
    reference = Questions(rotherham.graph, "rdflib").recurring()
    assert fast == reference
    assert len(fast) == 102


def test_a_theme_recurs_within_an_area_not_across_areas(tmp_path: Path) -> None:
    for area in ("north", "south"):
        shutil.copytree(default_data_folder(), tmp_path / area)
    rows = Questions(build_areas(tmp_path).graph).recurring()
    # Each area's 2016 peer review alone raises EHC timeliness; two areas do not make it recur.
    assert {(r["area"], r["theme"]) for r in rows} == {
        (area, theme) for area in ("north", "south") for theme in RECURRING
    }
    assert len(rows) == 2 * 102


# ---------------------------------------------------------------- tags


def test_tag_counts_per_theme(questions: Questions) -> None:
    counts = {
        r["theme"]: (r["items"], r["findings"], r["actions"]) for r in questions.theme_counts()
    }
    assert counts == {
        "attainment-attendance": (4, 4, 3),
        "autism-neurodevelopmental": (7, 4, 3),
        "children-with-disabilities": (5, 5, 5),
        "designated-clinical-officer": (3, 3, 0),
        "early-years": (2, 2, 1),
        "ehc-quality": (10, 7, 5),
        "ehc-timeliness": (8, 6, 8),
        "governance": (7, 2, 5),
        "inclusion-alternative-provision": (4, 1, 4),
        "joint-commissioning": (15, 4, 12),
        "local-offer": (4, 1, 4),
        "looked-after-children": (3, 3, 2),
        "performance-data": (17, 9, 11),
        "personal-budgets": (7, 1, 7),
        "preparation-for-adulthood": (10, 4, 8),
        "semh": (6, 1, 6),
        "voice-coproduction": (6, 4, 3),
        "wider-system": (10, 9, 3),
        "workforce-development": (5, 3, 3),
    }


def test_the_20_week_timescale_is_pointed_at_with_evidence(questions: Questions) -> None:
    rows = questions.themes(theme="ehc-20-week-timescale")
    assert [(r["ref"], r["link"], r["matched"], r["source"]) for r in rows] == [
        ("PR 4", "measure", ["20 week timescale", "prescribed timescales"], "data/actions.csv:15"),
        ("PR 5", "measure", ["prescribed timescales"], "data/actions.csv:16"),
        ("PR 23", "measure", ["Timescales for the completion of both transfers and new EHC Plans"],
         "data/actions.csv:43"),
        ("SEND 4", "measure", ["statutory timescales"], "data/actions.csv:6"),
    ]  # fmt: skip
    assert rows[0]["quote"].endswith(
        "completing statutory responsibilities within prescribed timescales."
    )


def test_progress_text_is_not_tagged(graph: Graph) -> None:
    # CCG 1's progress speaks of "the statutory timescales" for EHCP requests; the gap
    # itself is about health data, so it does not point at the 20-week measure.
    ccg1 = MINT("finding", "ccg-1")
    assert set(graph.objects(ccg1, SG.pointsAtMeasure)) == set()
    assert set(graph.objects(ccg1, DCTERMS.subject)) == {SG["theme-performance-data"]}


def test_bare_outcomes_tags_nothing(questions: Questions) -> None:
    # "the best possible outcomes for children and young people" is in PC S3 and PC 1.2's strength.
    assert questions.themes("PC S3") == []


def test_a_tag_holds_its_words_sentence_field_rule_and_provenance(graph: Graph) -> None:
    tag = MINT("action", "pr-4/theme/ehc-timeliness/ehc-20-weeks/text")
    assert (tag, RDF.type, SG.ThemeTag) in graph
    assert set(graph.objects(tag, SG.matchedText)) == {
        Literal("20 week timescale"),
        Literal("prescribed timescales"),
    }
    assert str(graph.value(tag, SG.field)) == "text"
    assert str(graph.value(tag, SG.themeRule)) == "ehc-20-weeks"
    assert str(graph.value(tag, SG.taggedBy)) == "rule"
    assert (str(graph.value(tag, SG.sourceFile)), int(graph.value(tag, SG.sourceRow))) == (  # type: ignore[arg-type]
        "data/actions.csv",
        15,
    )
    assert graph.value(tag, SG.section) == Literal("Appendix 2, Peer Review Measures, PR 4")


def test_the_reviews_are_typed_by_their_kind(graph: Graph) -> None:
    assert {
        str(review).rsplit("/", 1)[-1]: {
            str(c).rsplit("#", 1)[-1] for c in graph.objects(review, RDF.type) if c != SG.Review
        }
        for review in graph.subjects(RDF.type, SG.Review)
    } == {
        "peer-review-2016": {"PeerReview"},
        "ccg-self-assessment-2017": {"SelfAssessment"},
        "peer-challenge-2020": {"PeerChallenge"},
    }


def test_a_review_of_no_known_kind_is_a_note_at_its_cell(data_copy: Path) -> None:
    row = edit(data_copy, "reviews", "id", "peer-review-2016", kind="audit")
    built = build_graph(data_copy, validate=False)
    [note] = [p for p in built.problems if p.source == "data/reviews.csv"]
    assert (note.row, note.field, note.severity) == (row, "kind", Severity.INFO)
    assert note.message.startswith("review kind 'audit' is none of the framework's (")
    review = MINT("review", "peer-review-2016")
    assert set(built.graph.objects(review, RDF.type)) == {SG.Review}


def test_the_shipped_corrections(questions: Questions) -> None:
    assert [(r["ref"], r["link"], r["theme"], r["matched"]) for r in questions.themes("PR 22")] == [
        ("PR 22", "removed", "performance-data", ["data"]),
        ("PR 22", "theme", "personal-budgets", ["Personal Budget", "Personal Budgets"]),
    ]
    added = [
        r for r in questions.themes() if r["tagged_by"] == "correction" and r["link"] == "theme"
    ]
    assert [(r["ref"], r["theme"], r["source"]) for r in added] == [
        ("JCP 2.7", "semh", "data/theme_corrections.csv:4"),
        ("JCP 3.4", "performance-data", "data/theme_corrections.csv:5"),
        ("PC 4.2 identified action", "autism-neurodevelopmental", "data/theme_corrections.csv:6"),
        ("PC 5.3 identified action", "ehc-quality", "data/theme_corrections.csv:7"),
        ("PR 5", "workforce-development", "data/theme_corrections.csv:2"),
    ]


# ---------------------------------------------------------------- corrections by hand


def write_corrections(folder: Path, *rows: str) -> None:
    text = "ref,theme,change,reason\n" + "".join(f"{row}\n" for row in rows)
    (folder / "theme_corrections.csv").write_text(text, encoding="utf-8")


def test_a_correction_adds_and_removes_a_tag(data_copy: Path) -> None:
    write_corrections(
        data_copy,
        "PR 16,workforce-development,add,The EP offer is a service to school staff.",
        "PR 9,preparation-for-adulthood,remove,Testing a removal.",
    )
    built = build_graph(data_copy, validate=False)
    assert [p for p in built.problems if "theme" in p.source] == []
    graph = built.graph
    pr16, pr9 = MINT("action", "pr-16"), MINT("action", "pr-9")
    assert (pr16, DCTERMS.subject, SG["theme-workforce-development"]) in graph
    tag = MINT("action", "pr-16/theme/workforce-development/correction")
    assert str(graph.value(tag, SG.taggedBy)) == "correction"
    assert str(graph.value(tag, SG.reason)) == "The EP offer is a service to school staff."
    assert (str(graph.value(tag, SG.sourceFile)), int(graph.value(tag, SG.sourceRow))) == (  # type: ignore[arg-type]
        "data/theme_corrections.csv",
        2,
    )
    assert (pr9, DCTERMS.subject, SG["theme-preparation-for-adulthood"]) not in graph
    # PR 9's only theme was preparation for adulthood; its rule tags went with the link.
    assert [
        t for t in graph.subjects(RDF.subject, pr9) if (t, RDF.type, SG.ThemeTag) in graph
    ] == []
    assert (
        MINT("action", "pr-9/mention/progress/transitions-development-group"),
        RDF.type,
        SG.BoardMention,
    ) in graph
    removal = MINT("action", "pr-9/removed/preparation-for-adulthood")
    assert {str(r) for r in graph.objects(removal, SG.themeRule)} == {
        "pfa-adulthood",
        "pfa-transition-work",
    }
    # Without the shipped corrections, the rules alone tag PR 22 with data.
    pr22 = MINT("action", "pr-22")
    assert (pr22, DCTERMS.subject, SG["theme-performance-data"]) in graph
    assert (pr22, DCTERMS.subject, SG["theme-performance-data"]) not in build_graph(
        validate=False
    ).graph


def test_a_corrected_graph_conforms_to_the_shapes(data_copy: Path) -> None:
    write_corrections(
        data_copy,
        "PR 16,workforce-development,add,The EP offer is a service to school staff.",
        "PR 4,ehc-timeliness,remove,Testing that the measure goes with it.",
    )
    built = build_graph(data_copy)
    assert built.ok, [str(p) for p in built.problems if p.severity == 3]
    pr4 = MINT("action", "pr-4")
    assert set(built.graph.objects(pr4, SG.pointsAtMeasure)) == set()


def test_unknown_ref_theme_and_change_are_reported_at_their_cells(data_copy: Path) -> None:
    write_corrections(
        data_copy,
        "PR 99,semh,add,No such recommendation.",
        "PR 9,wellbeing,add,No such theme.",
        "PR 9,semh,maybe,No such change.",
        "PR 9,semh,add,",
    )
    built = build_graph(data_copy, validate=False)
    found = [str(p) for p in built.problems if p.source == "data/theme_corrections.csv"]
    assert found[0] == (
        "data/theme_corrections.csv:2:ref: error: 'PR 99' is not the reference or label of any finding or action in this graph."
    )
    assert found[1].startswith(
        "data/theme_corrections.csv:3:theme: error: 'wellbeing' is not a theme of the framework; use one of attainment-attendance,"
    )
    assert found[2:] == [
        "data/theme_corrections.csv:4:change: error: 'maybe' is not add or remove.",
        "data/theme_corrections.csv:5:reason: warning: a correction should say why; it is applied all the same.",
    ]
    assert not built.ok
    assert (
        MINT("action", "pr-9"),
        DCTERMS.subject,
        SG["theme-semh"],
    ) in built.graph  # row 5 still applies


def test_a_data_folder_can_bring_its_own_rules(data_copy: Path) -> None:
    (data_copy / "theme_rules.csv").write_text(
        "id,theme,measure,pattern,note\n"
        "hub,governance,,SEND Hub,The hub's working group.\n"
        "broken,semh,,(unclosed,A pattern that does not compile.\n"
        "odd,wellbeing,,wellbeing,An unknown theme.\n",
        encoding="utf-8",
    )
    write_corrections(data_copy)
    built = build_graph(data_copy, validate=False)
    assert [str(p) for p in built.problems if p.source == "data/theme_rules.csv"] == [
        "data/theme_rules.csv:3:pattern: error: '(unclosed' is not a regular expression: missing ), unterminated subpattern at position 0.",
        "data/theme_rules.csv:4:theme: error: 'wellbeing' is not a theme of the framework; use one of "
        + ", ".join(
            sorted(
                {
                    "attainment-attendance", "autism-neurodevelopmental", "children-with-disabilities",
                    "designated-clinical-officer", "early-years", "ehc-quality", "ehc-timeliness",
                    "governance", "inclusion-alternative-provision", "joint-commissioning", "local-offer",
                    "looked-after-children", "performance-data", "personal-budgets",
                    "preparation-for-adulthood", "semh", "voice-coproduction", "wider-system",
                    "workforce-development",
                }
            )
        )
        + ".",
    ]  # fmt: skip
    tagged = {s for s, o in built.graph.subject_objects(DCTERMS.subject)}
    assert tagged == {
        MINT("action", "jcp-1-1"),
        MINT("action", "jcp-1-2"),
        MINT("action", "jcp-1-3"),
    }


# ---------------------------------------------------------------- the commands


def test_recurring_command_json() -> None:
    result = CliRunner().invoke(main, ["recurring", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["theme"] for r in rows} == RECURRING
    [jcp101] = [r for r in rows if r["ref"] == "JCP 10.1"]
    assert (jcp101["status"], jcp101["completed"], jcp101["status_date"], jcp101["document"]) == (
        "Green",
        True,
        "2017-09-25",
        "rotherham-ccg-send-update-2017",
    )


def test_themes_command_table() -> None:
    result = CliRunner().invoke(main, ["themes", "pc4.2", "--wide"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "ref", "link", "theme", "field", "matched", "tagged_by", "rules", "reason", "source",
    ]  # fmt: skip
    assert [line.split("  ")[0] for line in lines[2:]] == [
        "PC 4.2", "PC 4.2", "PC 4.2", "PC 4.2 identified action",
    ]  # fmt: skip


def test_bad_corrections_stop_the_questions_with_exit_1(data_copy: Path) -> None:
    write_corrections(data_copy, "PR 99,semh,add,No such recommendation.")
    result = CliRunner().invoke(main, ["recurring", "--data", str(data_copy)])
    assert result.exit_code == 1
    assert "run `sendgraph validate` to see them" in result.stderr
    shown = CliRunner().invoke(main, ["validate", str(data_copy)])
    assert shown.exit_code == 1
    assert (
        "data/theme_corrections.csv:2:ref: error: 'PR 99' is not the reference or label of any finding or action in this graph."
        in shown.stdout.splitlines()
    )


# ---------------------------------------------------------------- the helpers


def test_patterns_match_at_word_boundaries_ignoring_case() -> None:
    assert compile_pattern("PRU").findall("Aspire PRU; PRUs; prune") == ["PRU"]
    assert compile_pattern("inclusion(?! service)").findall(
        "The Inclusion Service ... the profile of inclusion"
    ) == ["inclusion"]


def test_sentence_around_keeps_abbreviations_inside() -> None:
    text = "Involvement of adult health services is needed (e.g. joint workforce development)"
    assert sentence_around(text, text.index("workforce")) == text


def test_an_imported_plan_is_tagged_in_its_own_words(tmp_path: Path) -> None:
    """Other areas word the 20-week limit their own way; the imported plan is tagged all the same."""
    runner = CliRunner()
    assert runner.invoke(main, ["template", "-o", str(tmp_path / "area")]).exit_code == 0
    plan = tmp_path / "area" / "plan.csv"
    plan.write_text(
        plan.read_text(encoding="utf-8-sig")
        + "1,Make sure new EHC plans are issued within 20 weeks,Sam Example,,March 2025,,On track,,,"
        "EHC plans are not issued on time\n"
        + "2,Refresh the local offer website with parents,ICB,,TBC,,In progress,,,\n",
        encoding="utf-8-sig",
    )
    result = runner.invoke(main, ["themes", "--data", str(tmp_path / "area"), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    links = {
        (t["ref"], t["link"], t["theme"], tuple(t["matched"])) for t in json.loads(result.stdout)
    }
    assert links == {
        ("AP 1", "measure", "ehc-20-week-timescale", ("EHC plans are issued within",)),
        ("AP 1", "theme", "ehc-timeliness", ("EHC plans are issued within",)),
        ("APA 1", "measure", "ehc-20-week-timescale", ("EHC plans are not issued on time",)),
        ("APA 1", "theme", "ehc-timeliness", ("EHC plans are not issued on time",)),
        ("AP 2", "theme", "local-offer", ("local offer",)),
    }


def test_an_unreadable_table_is_the_one_error_not_the_corrections_it_strands(
    data_copy: Path,
) -> None:
    """With actions.csv unreadable, the corrections naming its rows are notes, not four more errors."""
    path = data_copy / "actions.csv"
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode("cp1252", errors="replace"))
    built = build_graph(data_copy, validate=False)
    errors = [p for p in built.problems if p.severity == Severity.ERROR]
    assert [(p.source, p.field) for p in errors] == [("data/actions.csv", "")]
    stranded = [p for p in built.problems if p.source == "data/theme_corrections.csv"]
    assert [(p.row, p.severity) for p in stranded] == [(r, Severity.INFO) for r in (2, 3, 4, 5)]
