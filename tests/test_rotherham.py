"""The exact facts of the two Rotherham papers, as the built graph must hold them."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph, Literal

from sendgraph.graph.build import Build
from sendgraph.graph.vocab import ORG, RDF, SG, SKOS
from tests.conftest import MINT, select

JCP_SUBACTIONS = {1: 5, 2: 7, 3: 4, 4: 3, 5: 8, 6: 4, 7: 2, 8: 2, 9: 2, 10: 3}


def notations(graph: Graph, cls: object) -> set[str]:
    return {str(graph.value(node, SKOS.notation)) for node in graph.subjects(RDF.type, cls)}  # type: ignore[arg-type]


def test_build_has_no_errors_and_reports_the_unparsable_cells(rotherham: Build) -> None:
    assert rotherham.ok
    warnings = {(p.source, p.row, p.field) for p in rotherham.problems if p.severity >= 2}
    assert warnings == {
        ("data/actions.csv", 18, "codes"),  # PR 7's Ref column reads "Action Plan"
        ("data/actions.csv", 55, "target_date"),  # JCP 2.7 "Paul?"
        ("data/actions.csv", 58, "status"),  # JCP 3.3, a sentence
        ("data/actions.csv", 59, "status"),  # JCP 3.4, the same sentence
        ("data/actions.csv", 59, "target_date"),  # JCP 3.4 "July 17 and ongoing"
    }


def test_counts_per_kind(rotherham: Build) -> None:
    counts = rotherham.counts()
    expected = {
        "measures": 9,
        "recommendations": 23,
        "self-assessment gaps": 4,
        "priorities": 10,
        "reviews": 3,
        "documents": 2,
        "undefined codes": 12,
        "plan versions": 13,
        # 9 measures + 23 recommendations + 40 JCP sub-actions + 13 identified 2020 actions
        "actions": 85,
        # 23 recommendations + 4 CCG gaps + 4 headline strengths + 3 headline areas + 17 Appendix 1 rows
        "findings": 51,
        # The report lists 45: all but the 6 strengths with no area for consideration.
        "findings needing an answer": 45,
        "findings that are strengths alone": 6,
        # The view draws these 23 (the recommendations) as actions, so it shows 28 findings.
        "findings that are plan rows too": 23,
        "target dates without a month": 2,
        "boards": 52,
        "people": 32,
        "posts": 27,
        "organisations": 8,
        # 8 plans and plan sections + the 10 JCP priorities
        "plans": 18,
    }
    assert {name: counts[name] for name in expected} == expected


def test_every_reference_is_present(graph: Graph) -> None:
    actions = notations(graph, SG.Action)
    assert {f"SEND {n}" for n in range(1, 10)} <= actions
    assert {f"PR {n}" for n in range(1, 24)} <= actions
    jcp = {f"JCP {p}.{m}" for p, count in JCP_SUBACTIONS.items() for m in range(1, count + 1)}
    assert {a for a in actions if a.startswith("JCP")} == jcp
    assert notations(graph, SG.Priority) == {f"JCP {n}" for n in range(1, 11)}
    assert notations(graph, SG.SelfAssessmentGap) == {"CCG 1", "CCG 2", "CCG 3", "CCG 4"}


def test_peer_challenge_rows_in_printed_order(rotherham: Build) -> None:
    refs = list(rotherham.records.peer_challenge)
    assert refs == [
        "PC S1",
        "PC S2",
        "PC S3",
        "PC S4",
        "PC A1",
        "PC A2",
        "PC A3",
        "PC 1.1",
        "PC 1.2",
        "PC 1.3",
        "PC 2.2",
        "PC 2.3",
        "PC 2.4",
        "PC 3.2",
        "PC 3.3",
        "PC 4.2",
        "PC 5.2",
        "PC 5.3",
        "PC 5.4",
        "PC 5.5",
        "PC 6.2",
        "PC 6.3",
        "PC 7.2",
        "PC 7.3",
    ]


def test_peer_challenge_keeps_empty_cells_empty(rotherham: Build) -> None:
    items = rotherham.records.peer_challenge
    filled = {
        ref: tuple(bool(v) for v in (i.strength, i.consideration, i.identified_action, i.progress))
        for ref, i in items.items()
        if not ref.startswith(("PC S", "PC A"))
    }
    assert filled["PC 2.4"] == (False, True, True, True)
    assert filled["PC 5.4"] == (True, True, False, False)
    assert filled["PC 5.5"] == (True, True, False, False)
    assert filled["PC 6.3"] == (True, False, False, False)
    assert filled["PC 7.2"] == (True, False, False, True)
    assert sum(all(f) for f in filled.values()) == 12


def test_identified_actions_answer_their_rows(graph: Graph) -> None:
    answered = {str(graph.value(f, SKOS.notation)) for f in graph.objects(None, SG.answers)}
    assert answered == {
        "PC 1.1",
        "PC 1.2",
        "PC 1.3",
        "PC 2.2",
        "PC 2.3",
        "PC 2.4",
        "PC 3.2",
        "PC 3.3",
        "PC 4.2",
        "PC 5.2",
        "PC 5.3",
        "PC 6.2",
        "PC 7.3",
    }
    unanswered = notations(graph, SG.AreaForConsideration) - answered
    assert unanswered == {"PC A1", "PC A2", "PC A3", "PC 5.4", "PC 5.5"}


PR_CODES = {
    1: {"SEND 1", "SEND 4"},
    2: {"SEND 1", "SEND 4"},
    3: {"SEND 1", "SEND 4"},
    4: {"SEND 1", "SEND 4"},
    5: {"SEND 7", "WORK-FORCE DEV 1"},
    6: {"SEND 2"},
    7: set(),
    8: {"CWD 1", "CWD 2", "CWD 9"},
    9: {"SEND 8", "CWD 8"},
    10: {"CWD 1"},
    11: {"CWD 9"},
    12: {"CWD 9"},
    13: {"SEND 3", "CWD 2"},
    14: {"SEND 4", "VOICE 1", "VOICE 4", "VOICE 5", "VOICE 6"},
    15: {"SEND 8", "CWD 8"},
    16: {"SEND 6", "SEND 7"},
    17: {"LAC 2-2"},
    18: {"SEND 2"},
    19: {"LAC 2-2", "EH12"},
    20: {"SEND 1", "SEND 2", "SEND 4"},
    21: {"COMM 1"},
    22: {"SEND 3"},
    23: {"SEND 1", "SEND 4"},
}


@pytest.mark.parametrize("number", sorted(PR_CODES))
def test_ref_column_cross_references(graph: Graph, number: int) -> None:
    action = MINT("action", f"pr-{number}")
    cited = {
        str(graph.value(code, SKOS.notation)) for code in graph.objects(action, MINT_REFERENCES)
    }
    assert cited == PR_CODES[number]


MINT_REFERENCES = __import__("rdflib").namespace.DCTERMS.references


def test_codes_that_are_cited_but_never_defined(graph: Graph) -> None:
    assert notations(graph, SG.UndefinedCode) == {
        "CWD 1",
        "CWD 2",
        "CWD 8",
        "CWD 9",
        "VOICE 1",
        "VOICE 4",
        "VOICE 5",
        "VOICE 6",
        "LAC 2-2",
        "EH12",
        "COMM 1",
        "WORK-FORCE DEV 1",
    }
    for code in graph.subjects(RDF.type, SG.UndefinedCode):
        assert graph.value(code, SG.isDefined) == Literal(False)


def test_send_4_is_cited_by_seven_recommendations(graph: Graph) -> None:
    citing = {
        str(graph.value(s, SKOS.notation))
        for s in graph.subjects(MINT_REFERENCES, MINT("action", "send-4"))
    }
    assert citing == {"PR 1", "PR 2", "PR 3", "PR 4", "PR 14", "PR 20", "PR 23"}


def test_text_mentions_record_where_text_and_ref_column_disagree(graph: Graph) -> None:
    mentions = {
        str(graph.value(s, SKOS.notation)): {
            str(graph.value(c, SKOS.notation)) for c in graph.objects(s, SG.mentions)
        }
        for s in set(graph.subjects(SG.mentions, None))
    }
    assert mentions == {
        "PR 8": {"CWD 1", "CWD 2", "CWD 9"},
        "PR 12": {"CWD 9"},
        "PR 13": {"CWD 2", "SEND 5"},
    }


def owned(graph: Graph, person: str, prop: object = SG.owner) -> set[str]:
    return {
        str(graph.value(a, SKOS.notation)) for a in graph.subjects(prop, MINT("person", person))
    }  # type: ignore[arg-type]


def test_the_two_paula_williams_are_two_people(graph: Graph) -> None:
    inclusion, early_years = (
        MINT("person", "paula-williams-inclusion"),
        MINT("person", "paula-williams-early-years"),
    )
    assert str(graph.value(inclusion, SG.initials)) == "PW (I)"
    assert str(graph.value(early_years, SG.initials)) == "PW (EY)"
    posts = {
        str(graph.value(post, __import__("rdflib").RDFS.label)): person
        for person in (inclusion, early_years)
        for post in graph.objects(person, ORG.holds)
    }
    assert posts == {
        "Head of Inclusion, Education & Skills, RMBC": inclusion,
        "Service Leader, Early Years, RMBC": early_years,
    }
    assert owned(graph, "paula-williams-early-years") == {"PR 18"}
    assert owned(graph, "paula-williams-inclusion") == {
        "SEND 1",
        "SEND 2",
        "SEND 5",
        "SEND 6",
        "SEND 9",
        "PR 6",
        "PR 20",
        "JCP 1.1",
        "JCP 1.2",
        "JCP 1.3",
        "JCP 2.1",
        "JCP 2.2",
        "JCP 2.3",
        "JCP 2.4",
        "JCP 2.7",
        "JCP 5.1",
        "JCP 5.2",
        "JCP 5.3",
        "JCP 5.4",
        "JCP 5.5",
        "JCP 5.6",
        "JCP 5.7",
        "JCP 6.1",
        "JCP 6.2",
        "JCP 6.3",
        "JCP 6.4",
        "JCP 9.1",
    }
    assert owned(graph, "paula-williams-inclusion", SG.accountableLead) == {"SEND 4", "SEND 7"}


def test_owner_cells_become_owners_and_accountable_leads(graph: Graph) -> None:
    assert owned(graph, "jackie-parkin") >= {"SEND 4", "PR 2", "PR 23", "JCP 5.8"}
    assert owned(graph, "mark-chambers", SG.accountableLead) == {"SEND 8", "PR 21", "PR 22"}
    assert {"SEND 5", "JCP 5.7"} <= owned(graph, "mark-chambers")
    assert "PR 16" in owned(graph, "rachel-amos") & owned(graph, "carol-taylor")
    assert "PR 7" in owned(graph, "caroline-wheatley") & owned(graph, "aileen-chambers")
    assert owned(graph, "ruth-fletcher-brown") == {"JCP 2.7"}


def test_every_action_owner_is_resolved(graph: Graph) -> None:
    without = {
        str(graph.value(a, SKOS.notation))
        for a in graph.subjects(RDF.type, SG.Action)
        if graph.value(a, SG.ownerText) is not None and graph.value(a, SG.owner) is None
    }
    assert without == set()


def test_appendix_a_initials(rotherham: Build) -> None:
    initials = [
        p.initials
        for p in rotherham.records.people.values()
        if p.section == "Appendix A: Action Owners"
    ]
    assert initials == [
        "KB",
        "PW (I)",
        "JP",
        "FF",
        "MJ",
        "DB",
        "IW",
        "JS",
        "CB",
        "CH",
        "CW",
        "PW (EY)",
        "CP",
        "SW",
    ]


def test_a_joint_post_sits_in_both_organisations(graph: Graph) -> None:
    rows = select(
        graph,
        'SELECT ?org WHERE { ?post org:heldBy ?p ; rdfs:label "Joint AD RMBC & CCG, Commissioning, Performance & Quality" ; org:postIn ?org }',
        p=MINT("person", "mark-chambers"),
    )
    assert {r[0] for r in rows} == {
        str(MINT("organisation", "rmbc")),
        str(MINT("organisation", "rotherham-ccg")),
    }


REVISIONS = {
    "send-1": ["2017-06", "2017-09"],
    "send-5": ["2017-04", "2017-07"],
    "pr-19": ["2017-05"],
    "jcp-2-1": ["2015-09", "2018-01"],
    "jcp-2-3": ["2017-07", "2017-09", "2018-03"],
    "jcp-5-7": ["2017-03", "2017-09", "2018-03"],
    "jcp-6-4": ["2017-03", "2017-07", "2017-10"],
    "jcp-3-4": [None, "2017-09"],
    "jcp-2-7": [None],
}


@pytest.mark.parametrize("action", sorted(REVISIONS))
def test_target_dates_are_ordered_revisions(graph: Graph, action: str) -> None:
    rows = select(
        graph,
        """SELECT ?n ?raw ?month ?before WHERE {
             ?a sg:targetDate ?t . ?t sg:revision ?n ; sg:rawText ?raw .
             OPTIONAL { ?t sg:month ?m } BIND(STR(?m) AS ?month)
             OPTIONAL { ?t prov:wasRevisionOf ?b . ?b sg:revision ?before }
           } ORDER BY ?n""",
        a=MINT("action", action),
    )
    assert [r[2] for r in rows] == REVISIONS[action]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert [r[3] for r in rows] == [None, *range(1, len(rows))]
    current = graph.value(MINT("action", action), SG.currentTargetDate)
    assert graph.value(current, SG.revision).toPython() == len(rows)  # type: ignore[union-attr]


def test_unparsed_target_dates_keep_their_words(graph: Graph) -> None:
    raw = {
        str(graph.value(t, SG.rawText))
        for t in graph.subjects(RDF.type, SG.TargetDate)
        if graph.value(t, SG.month) is None
    }
    assert raw == {"Paul?", "July 17 and ongoing"}


def status(graph: Graph, action: str) -> str | None:
    concept = graph.value(MINT("action", action), SG.status)
    return str(concept).rsplit("status-", 1)[1] if concept else None


def test_statuses_map_onto_the_plans_key(graph: Graph) -> None:
    assert status(graph, "send-4") == "behind-schedule"
    assert status(graph, "pr-1") == "green"
    assert status(graph, "pr-11") == "amber"  # "Progressing", mapped with a note
    # Ten rows, On track and Completed: an item takes its worst row's status.
    assert status(graph, "pr-15") == "amber"
    assert status(graph, "jcp-9-1") == "behind-schedule"  # Behind Schedule and On track
    assert status(graph, "jcp-3-3") is None  # a sentence, reported
    assert str(graph.value(MINT("action", "send-4"), SG.statusText)).startswith(
        "Behind Schedule\nGreat improvements"
    )
    statuses = Counter(
        status(graph, str(a).rsplit("/", 1)[1])
        for a in graph.subjects(RDF.type, SG.Action)
        if "/action/pc-" not in str(a)
    )
    # Counted by hand from the plan: SEND 3G 5A 1B; PR 7G 12A 3B, and PR 15 (mixed) A;
    # JCP 21G 14A 1B, and 9.1 (mixed) B; JCP 2.7 (empty), 3.3 and 3.4 (a sentence) have none.
    assert statuses == {"green": 31, "amber": 32, "behind-schedule": 6, None: 3}


def test_pr_15_has_ten_progress_rows(graph: Graph) -> None:
    rows = select(
        graph,
        "SELECT ?n ?status WHERE { ?a sg:progressEntry ?e . ?e sg:rowNumber ?n ; sg:statusText ?status } ORDER BY ?n",
        a=MINT("action", "pr-15"),
    )
    assert [r[1].split("\n")[0] for r in rows] == [
        "On track",
        "On track",
        "On track",
        "Completed",
        "Completed",
        "Completed*",
        "On Track",
        "Completed*",
        "On track",
        "Completed*",
    ]


def test_board_mentions_keep_the_sentence(graph: Graph) -> None:
    rows = select(
        graph,
        "SELECT ?a ?b ?quote WHERE { ?m a sg:BoardMention ; rdf:subject ?a ; rdf:object ?b ; sg:quote ?quote }",
    )
    found = {(a.rsplit("/", 1)[1], b.rsplit("/", 1)[1], q) for a, b, q in rows}  # type: ignore[union-attr]
    assert (
        "send-4",
        "performance-board",
        "Now reporting to the performance board monthly.",
    ) in found
    assert (
        "send-3",
        "dlt",
        "RAS report going to DLT 3 April and then Cabinet for approval",
    ) in found
    assert (
        "send-3",
        "cabinet",
        "RAS report going to DLT 3 April and then Cabinet for approval",
    ) in found
    assert (
        "jcp-6-4",
        "send-strategic-board",
        "This will feed into SEND Strategic Board starting in Sept 2017.",
    ) in found
    mentioned = {b for a, b, _ in found if a == "send-4"}
    assert mentioned == {"performance-board"}


def test_stated_oversight_and_reporting_lines(graph: Graph) -> None:
    oversees = {
        (str(s).rsplit("/", 1)[1], str(o).rsplit("/", 1)[1])
        for s, o in graph.subject_objects(SG.oversees)
    }
    assert oversees == {
        ("send-strategic-board", "neuro-developmental-pathway-action-plan"),
        ("send-strategic-board", "send-service-plan"),
        ("send-strategic-board", "semh-strategy-action-plan"),
        ("send-strategic-board", "peer-challenge-2020"),
        ("send-joint-commissioning-meetings", "send-joint-action-plan"),
    }
    chain = {
        (str(s).rsplit("/", 1)[1], str(o).rsplit("/", 1)[1])
        for s, o in graph.subject_objects(ORG.reportsTo)
    }
    assert chain == {("transitions-to-adulthood-panel", "joint-commissioning-resource-panel")}


def test_every_governance_statement_has_its_modality(graph: Graph) -> None:
    modality = {
        (
            str(graph.value(s, RDF.subject)).rsplit("/", 1)[1],
            str(graph.value(s, RDF.object)).rsplit("/", 1)[1],
            str(graph.value(s, SG.modality)).rsplit("#", 1)[1],
        )
        for s in graph.subjects(RDF.type, SG.GovernanceStatement)
    }
    assert modality == {
        ("send-strategic-board", "neuro-developmental-pathway-action-plan", "stated"),
        ("send-strategic-board", "send-service-plan", "stated"),
        ("send-strategic-board", "semh-strategy-action-plan", "stated"),
        ("rotherham-place-board", "health-and-wellbeing-board", "inferred"),
        ("childrens-partnership", "rotherham-place-board", "inferred"),
        ("send-strategic-board", "childrens-partnership", "inferred"),
        ("resp", "send-strategic-board", "inferred"),
        ("transitions-to-adulthood-panel", "joint-commissioning-resource-panel", "stated"),
        ("ehca-ehcp-joint-task-and-finish-group", "send-strategic-board", "recommended"),
        ("ehca-ehcp-joint-task-and-finish-group", "early-help-steering-group", "recommended"),
        ("send-assurance-group", "multi-agency-send-action-plan", "planned"),
        ("send-joint-commissioning-meetings", "send-joint-action-plan", "stated"),
        ("send-strategic-board", "peer-challenge-2020", "stated"),
    }


def test_peer_challenge_review(graph: Graph) -> None:
    review = MINT("review", "peer-challenge-2020")
    assert str(graph.value(review, SG.startDate)) == "2020-02-28"
    assert str(graph.value(review, SG.endDate)) == "2020-03-03"
    reviewers = {
        str(graph.value(p, __import__("rdflib").namespace.FOAF.name))
        for p in graph.objects(review, SG.reviewer)
    }
    assert reviewers == {"John Macilwraith", "Bernie Dawson", "Clare Linfitt", "Rob Mayall"}
    assert len(set(graph.objects(review, SG.focusArea))) == 4


def test_ccg_gaps_keep_their_progress_bullets(rotherham: Build) -> None:
    bullets = {ref: len(gap.progress) for ref, gap in rotherham.records.ccg_gaps.items()}
    assert bullets == {"CCG 1": 5, "CCG 2": 3, "CCG 3": 3, "CCG 4": 5}


def test_version_history(rotherham: Build) -> None:
    versions = rotherham.records.versions
    assert [v.number for v in versions] == list(range(1, 14))
    assert versions[5].date_text == "03/04/17" and str(versions[5].date) == "2017-04-03"
    assert {p for v in versions for p in v.people} == {"christine-pike", "paula-williams-inclusion"}


def test_a_board_named_in_passing_is_not_a_report_to_it(graph: Graph) -> None:
    rows = select(
        graph,
        "SELECT ?b ?report WHERE { ?m rdf:subject ?a ; rdf:object ?b ; sg:isReport ?report ; sg:field 'progress_update' }",
        a=MINT("action", "pc-3-3"),
    )
    assert {(str(b).rsplit("/", 1)[1], report) for b, report in rows} == {
        (
            "transitions-to-adulthood-panel",
            False,
        ),  # "A panel to focus on transitions ... has been established"
        (
            "joint-commissioning-resource-panel",
            True,
        ),  # "... and will feed into Joint Resourcing Panel."
    }
    reports = {
        (str(a).rsplit("/", 1)[1], str(b).rsplit("/", 1)[1])
        for a, b in select(
            graph, "SELECT ?a ?b WHERE { ?m rdf:subject ?a ; rdf:object ?b ; sg:isReport true }"
        )
    }
    assert ("pr-7", "dlt") in reports  # "DLT have asked for and have received weekly briefings"
    assert ("pc-6-2", "bame-parents-group") not in reports  # "BAME parents group continues to meet"
    assert (
        "pr-17",
        "foster-panel",
    ) not in reports  # "reported as being more stable ... at Foster Panel"
