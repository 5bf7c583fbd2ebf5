"""Nothing lost: every cell comes back out of the graph, graphs survive every RDF format, rows stay rows.

The property tests write rows of random text (quotes, commas, line breaks, spaces at
either end, "007", formulas, any Unicode) into a copy of the bundled data, build it,
and check that the export gives every cell back exactly, and that the graph reads
back the same from Turtle, N-Triples and JSON-LD. They run a fixed set of examples
(the "ci" profile in conftest.py); ``--hypothesis-profile=deep`` searches further.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from sendgraph.base.problems import Severity
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_graph, default_data_folder, graph_iri
from sendgraph.graph.vocab import SG, SKOS
from sendgraph.records.loader import load_records
from sendgraph.show.exports import TABLES, export_tables
from sendgraph.show.tables import neutralise, render_csv
from tests.helpers import JOINT, edit

RDF_FORMATS = ("turtle", "nt", "json-ld")
STRIPPED = "leading or trailing spaces were removed."

# Pieces that have broken CSV and RDF writers before: quotes, separators, line ends,
# spaces at either end, numbers with leading zeros, formulas, and text beyond ASCII.
PIECES = [
    '"', '""', ",", ";", "\n", "\r\n", "\r", " ", "  ", "\t", "\u00a0", "007", "0", "1e3",
    "=1+2", "+44", "-", "@", "'", "\\", '"""', "'''", "’", "é", "€", "😀", "\u2028", "\x85",
    "\x0b", "\x00", "<p>", "&amp;", "_:b0", "<http://x>", "@en", "^^xsd:int", "#", "{", "}",
]  # fmt: skip
cell_text = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=6),
    ),
    max_size=6,
).map("".join)


def read_back(cell: str) -> str:
    """What the reader makes of a cell: line ends as LF, spaces at either end removed (and noted)."""
    return cell.replace("\r\n", "\n").replace("\r", "\n").strip()


def filled(text: str) -> bool:
    return bool(read_back(text))


@dataclass
class Rows:
    """Rows to add to each table: by table, the rows and where each goes among the others."""

    tables: dict[str, list[tuple[int, dict[str, str]]]]


@st.composite
def new_rows(draw: st.DrawFn) -> Rows:
    """Draw a few rows for each of the four tables, with references that name one thing each."""

    def position() -> int:
        return draw(st.integers(0, 200))

    tables: dict[str, list[tuple[int, dict[str, str]]]] = {name: [] for name in TABLES}
    for i in range(1, draw(st.integers(1, 3)) + 1):
        # Refs as people write them: numbers with leading zeros stay as written.
        ref = draw(st.sampled_from([f"ZZ {i}", f"{i:03d}", f"ZZ-{i}.0"]))
        for number in range(1, draw(st.integers(1, 2)) + 1):
            tables["actions"].append((position(), {
                "ref": ref, "row": str(number), "plan": "jcp-1",
                "codes": draw(cell_text), "action": draw(cell_text),
                "owner": draw(st.sampled_from(["", "Sue Wilson", "Sue Wilson / Jackie Parkin"])),
                "target_date": draw(cell_text), "progress": draw(cell_text),
                "status": draw(cell_text), "note": draw(cell_text),
            }))  # fmt: skip
    for i in range(1, draw(st.integers(1, 2)) + 1):
        tables["priorities"].append((position(), {
            "ref": f"JCPZ {i}", "plan": "send-joint-commissioning-plan-2016-17",
            "title": draw(cell_text.filter(filled)),
            "lead_officer": draw(st.sampled_from(["", "Sue Wilson", "Emma Royle / Paul Theaker"])),
            "note": draw(cell_text),
        }))  # fmt: skip
        tables["ccg_gaps"].append((position(), {
            "ref": f"CCGZ {i}", "review": "ccg-self-assessment-2017",
            "issue": draw(cell_text.filter(filled)), "progress": draw(cell_text),
            "note": draw(cell_text),
        }))  # fmt: skip
        texts = draw(
            st.lists(cell_text, min_size=4, max_size=4).filter(lambda t: any(map(filled, t)))
        )
        tables["peer_challenge"].append((position(), {
            "ref": f"PCZ {i}", "review": "peer-challenge-2020", "section": draw(cell_text),
            "strength": texts[0], "area_for_consideration": texts[1],
            "identified_action": texts[2], "progress_update": texts[3], "note": draw(cell_text),
        }))  # fmt: skip
    return Rows(tables)


def read_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    with (folder / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@contextmanager
def data_with(rows: Rows) -> Iterator[tuple[Path, dict[str, list[dict[str, str]]]]]:
    """A copy of the bundled data with ``rows`` inserted; yields it and every table's rows as written."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "data"
        shutil.copytree(default_data_folder(), folder)
        written = {}
        for name, additions in rows.tables.items():
            table = read_rows(folder, name)
            for where, row in additions:
                table.insert(min(where, len(table)), row)
            write_rows(folder, name, table)
            written[name] = table
        yield folder, written


def generated_triples(build: Build, written: dict[str, list[dict[str, str]]]) -> Graph:
    """The triples of every node made from a generated row (those whose ref ends in a Z ref)."""
    refs = {row["ref"] for table in written.values() for row in table if "Z" in row["ref"] or row["ref"].isdigit()}  # fmt: skip
    rows = {
        (f"data/{name}.csv", number)
        for name, table in written.items()
        for number, row in enumerate(table, start=2)
        if row["ref"] in refs
    }
    graph = Graph()
    for node, row in build.graph.subject_objects(SG.sourceRow):
        if (str(build.graph.value(node, SG.sourceFile)), int(str(row))) in rows:
            for p, o in build.graph.predicate_objects(node):
                graph.add((node, p, o))
    return graph


# ---------------------------------------------------------------- data -> graph -> CSV


@given(new_rows())
def test_every_cell_comes_back_out_of_the_graph(rows: Rows) -> None:
    with data_with(rows) as (folder, written):
        build = build_graph(folder, validate=False)
        errors = [p for p in build.problems if p.severity == Severity.ERROR]
        assert errors == []
        exported = {t.name: t.rows for t in export_tables(build.graph)}
        assert exported == {
            name: [{c: read_back(v) for c, v in row.items()} for row in table]
            for name, table in written.items()
        }
        # A cell that lost spaces at either end says so, at its file, row and column.
        stripped = {
            (f"data/{name}.csv", number, column)
            for name, table in written.items()
            for number, row in enumerate(table, start=2)
            for column, value in row.items()
            if value.replace("\r\n", "\n").replace("\r", "\n") != read_back(value)
        }
        noted = {(p.source, p.row, p.field) for p in build.problems if p.message == STRIPPED}
        assert noted == stripped


@given(new_rows())
def test_generated_rows_survive_every_rdf_format(rows: Rows) -> None:
    with data_with(rows) as (folder, written):
        triples = generated_triples(build_graph(folder, validate=False), written)
        assert len(triples) > 20
        for fmt in RDF_FORMATS:
            text = triples.serialize(format=fmt)
            assert isomorphic(Graph().parse(data=text, format=fmt), triples), fmt


@given(st.lists(st.lists(cell_text, min_size=3, max_size=3), max_size=5))
def test_csv_is_lossless_or_safe_and_never_splits_a_row(rows: list[list[str]]) -> None:
    names = ["a", "b", "c"]
    for safe in (False, True):
        for line_end in ("\n", "\r\n"):
            text = render_csv(names, rows, safe=safe, line_end=line_end)
            back = list(csv.reader(io.StringIO(text, newline="")))
            assert back[0] == names
            assert back[1:] == [[neutralise(c) if safe else c for c in row] for row in rows]


# ---------------------------------------------------------------- graph -> RDF -> graph


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_the_rotherham_graph_survives_every_rdf_format(rotherham: Build, fmt: str) -> None:
    text = rotherham.graph.serialize(format=fmt)
    assert isomorphic(Graph().parse(data=text, format=fmt), rotherham.graph)


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_the_dataset_comes_back_as_the_same_named_graphs(rotherham: Build, fmt: str) -> None:
    dataset = Dataset()
    dataset.parse(
        data=rotherham.serialize_dataset(fmt), format={"trig": "trig", "nq": "nquads"}[fmt]
    )
    named = rotherham.named_graphs()
    back = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    assert set(back) == {graph_iri("rotherham"), graph_iri("ontology")} == set(named)
    for iri, graph in named.items():
        assert isomorphic(back[iri], graph), iri


# ---------------------------------------------------------------- literals as written


def test_numbers_and_spaces_are_kept_or_reported(data_copy: Path) -> None:
    row = edit(
        data_copy, "actions", "ref", "PR 1",
        ref="007", codes="007", target_date="007", note="  1.50  ", progress="1e3\n\n  -0 ",
    )  # fmt: skip
    build = build_graph(data_copy, validate=False)
    action = next(build.graph.subjects(SKOS.notation, Literal("007")))
    assert build.graph.value(action, SKOS.notation) == Literal("007")
    assert build.graph.value(action, SKOS.notation).datatype is None  # type: ignore[union-attr]
    actions = next(t for t in export_tables(build.graph) if t.name == "actions")
    assert actions.rows[row - 2] | {"action": "", "owner": "", "status": ""} == {
        "ref": "007", "row": "1", "plan": "peer-review-measures", "codes": "007", "action": "",
        "owner": "", "target_date": "007", "progress": "1e3\n\n  -0", "status": "", "note": "1.50",
    }  # fmt: skip
    located = {(p.field, p.severity, p.message) for p in build.problems if p.row == row}
    assert ("note", Severity.INFO, STRIPPED) in located
    assert ("progress", Severity.INFO, STRIPPED) in located
    assert ("target_date", Severity.WARNING, "'007' is not a month and year; it is kept as written and has no date.") in located  # fmt: skip


def test_a_row_number_is_read_as_written_or_reported(data_copy: Path) -> None:
    zeros = edit(data_copy, "actions", "ref", "PR 1", row="01")
    underscore = edit(data_copy, "actions", "ref", "PR 2", row="1_0")
    arabic = edit(data_copy, "actions", "ref", "PR 3", row="\u0661")
    _, problems = load_records(data_copy)
    assert {(p.row, p.field, p.severity, p.message) for p in problems if p.field == "row"} == {
        (zeros, "row", Severity.WARNING, "'01' is read as row 1; the graph keeps the number, not the zeros."),
        (underscore, "row", Severity.ERROR, "'1_0' is not a row number (1, 2, 3...)."),
        (arabic, "row", Severity.ERROR, "'\u0661' is not a row number (1, 2, 3...)."),
    }  # fmt: skip


# ---------------------------------------------------------------- two rows stay two rows


def duplicate_line(folder: Path, name: str, ref: str) -> tuple[int, int]:
    """Copy the first row whose ref is ``ref`` to the end of the table; return both rows."""
    table = read_rows(folder, name)
    first = next(i for i, row in enumerate(table) if row["ref"] == ref)
    table.append(dict(table[first]))
    write_rows(folder, name, table)
    return first + 2, len(table) + 1


def test_a_repeated_row_of_a_data_table_is_an_error_naming_both_rows(data_copy: Path) -> None:
    action = duplicate_line(data_copy, "actions", "PR 1")
    gap = duplicate_line(data_copy, "ccg_gaps", "CCG 1")
    finding = duplicate_line(data_copy, "peer_challenge", "PC 1.1")
    priority = duplicate_line(data_copy, "priorities", "JCP 1")
    _, problems = load_records(data_copy)
    errors = {
        (p.source, p.row, p.field, p.message) for p in problems if p.severity == Severity.ERROR
    }
    assert errors == {
        ("data/actions.csv", action[1], "row", f"PR 1 row 1 is already on row {action[0]}."),
        ("data/ccg_gaps.csv", gap[1], "ref", f"'CCG 1' is already used on row {gap[0]}."),
        ("data/peer_challenge.csv", finding[1], "ref", f"'PC 1.1' is already used on row {finding[0]}."),
        ("data/priorities.csv", priority[1], "ref", f"'JCP 1' is already used on row {priority[0]}."),
    }  # fmt: skip


def test_two_identical_imported_rows_stay_two_actions_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "joint"
    shutil.copytree(JOINT, folder)
    plan = folder / "plan.csv"
    lines = plan.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    plan.write_text("\ufeff" + "".join([*lines, lines[1]]), encoding="utf-8")
    rows = len(list(csv.reader(io.StringIO("".join(lines[1:]), newline="")))) + 1
    result = CliRunner().invoke(main, ["import", str(plan), "--mapping", str(folder / "plan.mapping.yaml"), "-o", str(tmp_path / "joint.ttl")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        f"plan.csv:{rows + 1}:Action: warning: repeats row 2 cell for cell; both are kept, "
        f"as two actions, JC 1 and JC {rows}. Delete one if it is a copy.\n"
    ) in result.stderr
    graph = Graph().parse(tmp_path / "joint.ttl")
    first = URIRef(str(next(graph.subjects(SKOS.notation, Literal("JC 1")))))
    last = next(graph.subjects(SKOS.notation, Literal(f"JC {rows}")))
    assert first != last
    assert graph.value(first, SG.text) == graph.value(last, SG.text)
