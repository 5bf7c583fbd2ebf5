"""Nothing invented, nothing lost: data words come from the papers, data cells reach the graph."""

from __future__ import annotations

import csv
import re

import pytest
from rdflib import Graph, Literal, URIRef

from sendgraph.graph.build import default_data_folder
from tests.conftest import SOURCES

# The columns that hold the papers' own words (the rest are ids, numbers and notes).
TEXT_COLUMNS = {
    "actions": ("codes", "action", "owner", "target_date", "progress", "status"),
    "priorities": ("title", "lead_officer"),
    "ccg_gaps": ("issue", "progress"),
    "peer_challenge": (
        "strength",
        "area_for_consideration",
        "identified_action",
        "progress_update",
    ),
    "versions": ("amended_by", "date", "summary"),
    "posts": ("post",),
    "boards": ("label", "aliases", "quote"),
    "governance": ("quote",),
    "people": ("name", "initials"),
}
WORD = re.compile(r"[^\s/]+")
EDGE_PUNCTUATION = "()[]{}\"“”‘’',.;:!?•–-"


def words(text: str) -> set[str]:
    return {w.strip(EDGE_PUNCTUATION) for w in WORD.findall(text)} - {""}


def rows(name: str) -> list[dict[str, str]]:
    with (default_data_folder() / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def source_words() -> set[str]:
    papers = sorted(SOURCES.glob("*.txt"))
    assert len(papers) == 2
    found: set[str] = set()
    for paper in papers:
        text = re.sub(r"</?p>", " ", paper.read_text(encoding="utf-8"))
        found |= words(text)
        found |= words(re.sub(r"-\s*\n\s*", "-", text))  # words the PDF wrapped at a hyphen
    return found


@pytest.mark.parametrize("name", sorted(TEXT_COLUMNS))
def test_every_word_of_the_data_is_in_the_papers(name: str, source_words: set[str]) -> None:
    strays = {
        (index + 2, column, word)
        for index, row in enumerate(rows(name))
        for column in TEXT_COLUMNS[name]
        for word in words(row[column])
        if word not in source_words
    }
    assert strays == set()


def test_typos_stay_as_written() -> None:
    cells = "\n".join(
        v for name in ("actions", "ccg_gaps") for row in rows(name) for v in row.values()
    )
    for typo in (
        "Designated Clinical Offer",
        "Holllingsworth",
        "boing planned",
        "Paul?",
        "Improved Board",
    ):
        assert typo in cells


def graph_tokens(graph: Graph) -> tuple[set[str], set[str]]:
    literals = {str(o) for o in graph.objects() if isinstance(o, Literal)}
    segments = {re.split(r"[/#]", str(n))[-1] for n in graph.all_nodes() if isinstance(n, URIRef)}
    return literals, segments


@pytest.mark.parametrize("name", sorted(p.stem for p in default_data_folder().glob("*.csv")))
def test_every_non_empty_cell_is_in_the_graph(name: str, graph: Graph) -> None:
    literals, segments = graph_tokens(graph)
    segments |= (
        {"reports_to"}
        if (None, __import__("rdflib").namespace.ORG.reportsTo, None) in graph
        else set()
    )
    segments |= {s.removeprefix("status-") for s in segments if s.startswith("status-")}
    missing = []
    for index, row in enumerate(rows(name), start=2):
        for column, cell in row.items():
            if not cell:
                continue
            parts = [cell, *[line.strip() for line in cell.splitlines() if line.strip()]]
            if cell in literals or cell in segments:
                continue
            if all(line in literals or line in segments for line in parts[1:]):
                continue
            missing.append((index, column, cell[:60]))
    assert missing == []
