"""IRIs are minted from what a thing is, never from where its row sits (docs/model.md#iris).

A row added at the top of any table renames nothing: every IRI of the build before is in
the build after, and the only new IRIs are the new row's own nodes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import URIRef

from sendgraph.graph.build import build_graph, default_data_folder
from sendgraph.graph.triples import count_by_kind
from sendgraph.graph.vocab import ID_BASE
from sendgraph.records.loader import COLUMNS
from tests.helpers import IMPORT_FIXTURES, insert_first_row

R = "rotherham/"
E, N, W = "eastvale/", "northbridge/", "westmoor/"
PAPER = "rotherham-ccg-send-update-2017"
# A governance row the papers could give: a stated line from DLT to the joint action plan.
DLT_OVERSEES_PLAN = {
    "subject": "dlt",
    "relation": "oversees",
    "object": "send-joint-action-plan",
    "modality": "stated",
    "document": PAPER,
    "quote": "DLT oversees the SEND Joint Action Plan.",
}

# For each table of the bundled data (every file records/loader.py reads): a new valid
# row for its top, and the IRIs that row's nodes get, under the area's namespace.
INSERTED: list[tuple[str, dict[str, str], set[str]]] = [
    (
        "documents",
        {"id": "iris-paper", "title": "Iris paper", "publisher": "RMBC", "date": "2017-01-01"},
        {
            R + "document/iris-paper",
        },
    ),
    (
        "organisations",
        {"id": "iris-trust", "name": "Iris Trust", "document": PAPER},
        {
            R + "organisation/iris-trust",
        },
    ),
    (
        "people",
        {"id": "ida-iris", "name": "Ida Iris", "document": PAPER},
        {
            R + "person/ida-iris",
        },
    ),
    (
        "posts",
        {
            "person": "karen-borthwick",
            "post": "Chair of the Iris Panel",
            "organisations": "rmbc",
            "document": PAPER,
        },
        {
            R + "post/karen-borthwick/chair-of-the-iris-panel",
        },
    ),
    (
        "boards",
        {"id": "iris-panel", "label": "Iris Panel", "kind": "panel"},
        {
            R + "board/iris-panel",
        },
    ),
    (
        "plans",
        {"id": "iris-plan", "title": "Iris Plan", "document": PAPER},
        {
            R + "plan/iris-plan",
        },
    ),
    (
        "priorities",
        {"ref": "JCP 11", "plan": "send-joint-commissioning-plan-2016-17", "title": "Iris work"},
        {
            R + "plan/jcp-11",
        },
    ),
    (
        "reviews",
        {"id": "iris-review", "title": "Iris Review", "kind": "peer review", "document": PAPER},
        {
            R + "review/iris-review",
        },
    ),
    ("statuses", {"status": "On hold", "concept": "amber"}, set()),
    (
        "actions",
        {
            "ref": "IRIS 1",
            "row": "1",
            "plan": "send-joint-action-plan",
            "action": "Write the iris leaflet.",
            "owner": "Karen Borthwick",
            "target_date": "March 17",
            "progress": "Draft went to DLT for sign off.",
            "status": "On track",
        },
        {
            R + "action/iris-1",
            R + "action/iris-1/mention/progress/dlt",
            R + "action/iris-1/row/1",
            R + "action/iris-1/row/1/target/1",
        },
    ),
    (
        "ccg_gaps",
        {
            "ref": "CCG 9",
            "review": "ccg-self-assessment-2017",
            "issue": "The CCG has no iris leaflet.",
            "progress": "Leaflet drafted.\nDraft went to DLT for sign off.",
        },
        {
            R + "finding/ccg-9",
            R + "finding/ccg-9/mention/progress/dlt",
            R + "finding/ccg-9/row/1",
            R + "finding/ccg-9/row/2",
        },
    ),
    (
        "peer_challenge",
        {
            "ref": "PC 9.9",
            "review": "peer-challenge-2020",
            "section": "Appendix 1",
            "area_for_consideration": "Write an iris leaflet.",
            "identified_action": "Leaflet to go to DLT.",
            "progress_update": "Leaflet drafted.",
        },
        {
            R + "action/pc-9-9",
            R + "action/pc-9-9/mention/identified-action/dlt",
            R + "action/pc-9-9/row/1",
            R + "finding/pc-9-9",
        },
    ),
    (
        "versions",
        {
            "plan": "send-joint-action-plan",
            "version": "99",
            "amended_by": "Christine Pike",
            "date": "01/03/17",
            "summary": "Iris edits.",
        },
        {
            R + "plan/send-joint-action-plan/version/99",
        },
    ),
    (
        "governance",
        DLT_OVERSEES_PLAN,
        {
            R + "statement/dlt/oversees/send-joint-action-plan",
        },
    ),
]

# The same for imported spreadsheets: (fixture/file, row, new IRIs).
IMPORTED: list[tuple[str, dict[str, str], set[str]]] = [
    (
        "wsoa-rag-months/wsoa.csv",
        {
            "Ref": "0.1",
            "Area of weakness": "Families are not told who their key worker is.",
            "Action": "Name a key worker for every family and tell them by letter.",
            "Lead": "EVC",
            "Target date": "31 March 2021",
            "Success criteria": "Every family knows its key worker.",
            "RAG May 20": "Red",
            "RAG August 20": "Amber",
        },
        {
            E + "action/wsoa-0-1",
            E + "action/wsoa-0-1/row/1",
            E + "action/wsoa-0-1/row/1/target/1",
            E + "action/wsoa-0-1/status/2020-05",
            E + "action/wsoa-0-1/status/2020-08",
            E + "finding/sw-families-are-not-told-who-their",
        },
    ),
    (
        "joint-commissioning/plan.csv",
        {
            "Action": "Agree a joint protocol for iris referrals with the SEND Partnership Board.",
            "Target Date": "March 2025",
            "Lead": "ICB",
            "Status": "Not started",
        },
        {
            N + "action/jc-agree-a-joint-protocol-for-iris",
            N + "action/jc-agree-a-joint-protocol-for-iris/mention/action/send-partnership-board",
            N + "action/jc-agree-a-joint-protocol-for-iris/row/1",
            N + "action/jc-agree-a-joint-protocol-for-iris/row/1/target/1",
        },
    ),
    (
        "board-register/register.csv",
        {
            "Board": "Iris Panel",
            "Chair": "Helen Marsh (Director of Children's Services)",
            "Frequency of meetings": "Monthly",
            "Reports to": "SEND Improvement Board",
        },
        {
            W + "board/iris-panel",
            W + "membership/iris-panel/helen-marsh",
            W + "register-entry/iris-panel",
            W + "statement/iris-panel/reports-to/send-improvement-board",
        },
    ),
    (
        "board-register/members.csv",
        {
            "Board": "SEND Sufficiency Group",
            "Name": "Ida Iris",
            "Job title": "Iris Officer",
            "Organisation": "Westmoor Council",
            "Role": "Member",
        },
        {
            W + "membership/send-sufficiency-group/ida-iris",
            W + "person/ida-iris",
            W + "post/ida-iris/iris-officer",
        },
    ),
    (
        "board-register/plan.csv",
        {
            "Ref": "0.1",
            "Action": "Write the iris leaflet.",
            "Lead officer": "Helen Marsh",
            "Target date": "31 May 2025",
            "RAG": "Amber",
            "Progress update": "Draft went to the SEND Improvement Board.",
        },
        {
            W + "action/pap-0-1",
            W + "action/pap-0-1/mention/progress/send-improvement-board",
            W + "action/pap-0-1/row/1",
            W + "action/pap-0-1/row/1/target/1",
        },
    ),
]


def _iris(folder: Path) -> set[str]:
    """Every IRI in the area namespaces of ``folder``'s build, with the namespace base cut off."""
    built = build_graph(folder, validate=False)
    assert built.ok, [str(p) for p in built.problems if p.severity.name == "ERROR"]
    return {
        str(term).removeprefix(ID_BASE)
        for triple in built.triples.own()
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(ID_BASE)
    }


@pytest.fixture(scope="module")
def before() -> dict[Path, set[str]]:
    """The IRIs of each untouched build, made once."""
    folders = [default_data_folder(), *{IMPORT_FIXTURES / n.split("/")[0] for n, _, _ in IMPORTED}]
    return {folder: _iris(folder) for folder in folders}


def _with_row_on_top(tmp_path: Path, source: Path, file: str, cells: dict[str, str]) -> Path:
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    insert_first_row(folder / file, **cells)
    return folder


def test_every_table_of_the_bundled_data_gets_a_row_on_top() -> None:
    assert [name for name, _, _ in INSERTED] == list(COLUMNS)


@pytest.mark.parametrize(("table", "cells", "new"), INSERTED, ids=[t for t, _, _ in INSERTED])
def test_a_row_on_top_of_a_bundled_table_renames_nothing(
    tmp_path: Path, before: dict[Path, set[str]], table: str, cells: dict[str, str], new: set[str]
) -> None:
    source = default_data_folder()
    after = _iris(_with_row_on_top(tmp_path, source, f"{table}.csv", cells))
    assert before[source] <= after
    assert after - before[source] == new


@pytest.mark.parametrize(("file", "cells", "new"), IMPORTED, ids=[f for f, _, _ in IMPORTED])
def test_a_row_on_top_of_an_imported_sheet_renames_nothing(
    tmp_path: Path, before: dict[Path, set[str]], file: str, cells: dict[str, str], new: set[str]
) -> None:
    fixture, name = file.split("/")
    source = IMPORT_FIXTURES / fixture
    after = _iris(_with_row_on_top(tmp_path, source, name, cells))
    assert before[source] <= after
    assert after - before[source] == new


def _nodes(folder: Path) -> tuple[dict[str, int], set[str]]:
    built = build_graph(folder, validate=False)
    assert built.ok
    counts = {k: v for k, v in count_by_kind(built.triples).items() if k != "triples"}
    return counts, {str(s).removeprefix(ID_BASE) for s, _, _ in built.triples.own()}


def test_things_that_share_a_name_stay_apart(tmp_path: Path) -> None:
    """A post, a statement and two mentions that share a readable name are kept apart by a hash."""
    source = default_data_folder()
    folder = tmp_path / "data"
    shutil.copytree(source, folder)
    # Karen Borthwick's post as another paper states it.
    post = "Assistant Director, Education & Skills, RMBC"
    insert_first_row(
        folder / "posts.csv",
        person="karen-borthwick",
        post=post,
        organisations="rmbc",
        document="rotherham-send-peer-challenge-2020",
    )
    # A line the data already states, recommended as well.
    insert_first_row(
        folder / "governance.csv",
        subject="send-strategic-board",
        relation="oversees",
        object="send-service-plan",
        modality="recommended",
        document=PAPER,
        quote="The SEND Strategic Board should oversee the SEND Service Plan.",
    )
    # One field naming the same board in two sentences.
    insert_first_row(
        folder / "actions.csv",
        ref="IRIS 1",
        row="1",
        plan="send-joint-action-plan",
        action="Write the iris leaflet.",
        progress="Draft went to DLT. Final version back to DLT in May.",
    )
    counts, after = _nodes(folder)
    was, before = _nodes(source)
    grown = {kind: counts[kind] - was[kind] for kind in counts if counts[kind] != was[kind]}
    assert grown == {
        "actions": 1,
        "posts": 1,
        "progress entries": 1,
        "board mentions": 2,
        "governance statements": 1,
    }
    assert sorted(before - after) == [
        R + "post/karen-borthwick/assistant-director-education-skills-rmbc",
        R + "statement/send-strategic-board/oversees/send-service-plan",
    ]
    # Both of each pair take a hash of their words; the rest of the graph keeps its IRIs.
    assert sorted(after - before) == [
        R + "action/iris-1",
        R + "action/iris-1/mention/progress/dlt-44ecd08e",
        R + "action/iris-1/mention/progress/dlt-d5461ff8",
        R + "action/iris-1/row/1",
        R + "post/karen-borthwick/assistant-director-education-skills-rmbc-d8499990",
        R + "post/karen-borthwick/assistant-director-education-skills-rmbc-fd472efe",
        R + "statement/send-strategic-board/oversees/send-service-plan-5351b93b",
        R + "statement/send-strategic-board/oversees/send-service-plan-fa89f86a",
    ]


def test_copies_word_for_word_are_told_apart_by_their_order_among_themselves(
    tmp_path: Path,
) -> None:
    """A governance row pasted twice is two statements: the second copy's IRI ends in -2."""
    folder = tmp_path / "data"
    shutil.copytree(default_data_folder(), folder)
    line = DLT_OVERSEES_PLAN
    insert_first_row(folder / "governance.csv", **line)
    insert_first_row(folder / "governance.csv", **line)
    counts, after = _nodes(folder)
    assert (
        counts["governance statements"]
        == _nodes(default_data_folder())[0]["governance statements"] + 2
    )
    assert {i for i in after if "/statement/dlt/" in i} == {
        R + "statement/dlt/oversees/send-joint-action-plan-844ff5ce",
        R + "statement/dlt/oversees/send-joint-action-plan-844ff5ce-2",
    }
