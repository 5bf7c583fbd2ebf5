"""Area-local questions answered area by area agree with the same questions over all areas at once."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from sendgraph.ask.areawise import AreaAnswers, AreaPart, order_key, ordering
from sendgraph.ask.questions import area_local_queries, query_text
from sendgraph.ask.sparql import QueryStore, Term
from sendgraph.graph.areabuilds import build_area
from sendgraph.graph.build import area_folders, build_areas, default_data_folder
from sendgraph.graph.ontology import ontology_triples
from sendgraph.read.synth import synthesise
from tests.helpers import drop_rows

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two synthetic areas, Rotherham's own data and a council's imported WSoA, and a board register, as one folder of areas."""
    folder = tmp_path_factory.mktemp("mixed")
    synthesise(folder, 2)
    shutil.copytree(default_data_folder(), folder / "rotherham")
    shutil.copytree(FIXTURES / "wsoa", folder / "wsoa")
    shutil.copytree(FIXTURES / "board-register", folder / "board-register")
    # Rotherham without the lines saying which board oversees which plan, so that the
    # no-oversight rule has actions to find (on the papers it has none).
    shutil.copytree(default_data_folder(), folder / "unoverseen")
    assert drop_rows(folder / "unoverseen" / "governance.csv", "relation", "oversees") > 0
    return folder


@pytest.fixture(scope="module")
def whole(mixed: Path) -> QueryStore:
    """Every area in one store, as a command without the cache asks them."""
    return QueryStore(build_areas(mixed).triples)


@pytest.fixture(scope="module")
def parts(mixed: Path, tmp_path_factory: pytest.TempPathFactory) -> list[AreaPart]:
    kept = tmp_path_factory.mktemp("kept")
    made = []
    for folder in area_folders(mixed):
        built = build_area(folder, folder.name, None)
        (kept / f"{built.name}.nt").write_bytes(built.ntriples)
        made.append(
            AreaPart(name=built.name, triples=kept / f"{built.name}.nt", answers=kept / f"{built.name}.answers")
        )  # fmt: skip
    return made


def counted(rows: list[dict[str, Term]]) -> Counter[frozenset[tuple[str, object]]]:
    """Rows as a multiset; a GROUP_CONCAT's parts as a set, since SPARQL leaves their order open."""
    return Counter(
        frozenset((v, frozenset(t.value.split()) if v == "types" else t) for v, t in row.items())
        for row in rows
    )


def test_the_mixed_folder_has_four_areas(parts: list[AreaPart]) -> None:
    assert [p.name for p in parts] == [
        "area-001",
        "area-002",
        "board-register",
        "rotherham",
        "unoverseen",
        "wsoa",
    ]


@pytest.mark.parametrize("number", range(len(area_local_queries())))
def test_each_area_local_query_agrees_with_the_whole(
    number: int, whole: QueryStore, parts: list[AreaPart]
) -> None:
    query = area_local_queries()[number]
    everywhere = whole.area_local(query)
    by_area = AreaAnswers(parts, ontology_triples().ntriples(), area_local_queries()).answer(query)
    assert by_area.variables == everywhere.variables
    assert counted(by_area.rows) == counted(everywhere.rows)
    assert everywhere.rows, "a query with no rows here checks nothing"


@pytest.mark.parametrize("name", ["people", "action-details", "status-dates", "target-dates"])
def test_an_ordered_query_keeps_its_order_across_areas(
    name: str, whole: QueryStore, parts: list[AreaPart]
) -> None:
    query = query_text(name)
    order = ordering(query)
    assert order, f"{name} has no ORDER BY"

    def keys(rows: list[dict[str, Term]]) -> list[tuple[object, ...]]:
        return [tuple(order_key(r.get(v)) for v in order) for r in rows]

    by_area = AreaAnswers(parts, ontology_triples().ntriples(), []).answer(query)
    assert keys(by_area.rows) == keys(whole.area_local(query).rows)


def test_answers_are_kept_and_read_back(
    parts: list[AreaPart], monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = area_local_queries()
    first = AreaAnswers(parts, ontology_triples().ntriples(), queries)
    answered = [first.answer(q).rows for q in queries]
    assert all(len(list(p.answers.glob("*.json"))) == len(queries) for p in parts)

    def refuse(*_args: object) -> None:
        raise AssertionError("an area was answered again")

    monkeypatch.setattr(AreaAnswers, "_work_out", refuse)
    again = AreaAnswers(parts, ontology_triples().ntriples(), queries)
    assert [again.answer(q).rows for q in queries] == answered
