"""Every reader, fed random and mutated bytes, gives a graph or a sentence: never a crash, a hang or a reach.

Each example runs under a time bound (`time_bound`) and an audit-hook watch
(`watching`): the reader must finish within `SECONDS`, open no file but its inputs (and
Python's and sendgraph's own), open no socket and start no process. The result must be
a `Build` or rows with `Problem`s, or a `SendgraphError` with a sentence; any other
exception fails the test with the bytes that caused it. The examples are derandomised,
so every run tries the same bytes.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from sendgraph.base.errors import SendgraphError
from sendgraph.base.problems import Problem
from sendgraph.base.resources import theme_rules_file
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_graph, build_import, default_data_folder
from sendgraph.read.rdfinput import GraphFile, read_rdf
from sendgraph.read.sources import read_table
from sendgraph.read.spreadsheets import read_spreadsheet
from sendgraph.records.mappings import read_mapping
from tests.helpers import JOINT, WSOA
from tests.watch import time_bound, watching

SECONDS = 10
DATA = default_data_folder()

# Bytes that mean something to one reader or another, so that mutations reach the parsers.
TOKENS = [
    b'"', b",", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xff\xfe", b"\x92",
    b":", b"- ", b"&a", b"*a", b"!!python/object:os.system", b"{", b"[", b"]", b"}", b"<",
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", b"&e;", b"@prefix", b"@context",
    b'"@context": "http://127.0.0.1:9/"', b"<http://", b"_:b", b"^^", b"@en", b"\\u", b"'''",
    b"(a+)+$", b"no", b"~", b"007", b"1.0", b"2024-03-01", b"=cmd|' /C calc'!A0",
]  # fmt: skip
PROFILE = settings(
    derandomize=True,
    database=None,
    deadline=None,  # each example has its own bound, `SECONDS`, which a hang cannot outlive
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


# SENDGRAPH_FUZZ_SCALE=20 searches twenty times as far (and, unless derandomised runs are
# wanted, SENDGRAPH_FUZZ_SEED=random tries new bytes each run).
SCALE = int(os.environ.get("SENDGRAPH_FUZZ_SCALE", "1"))
RANDOM = os.environ.get("SENDGRAPH_FUZZ_SEED") == "random"


def fuzz(examples: int) -> settings:
    """The derandomised profile with ``examples`` examples: the suite's time is spent by count."""
    return settings(PROFILE, max_examples=examples * SCALE, derandomize=not RANDOM)


def apply(base: bytes, edits: Sequence[tuple[str, int, bytes]]) -> bytes:
    """Apply byte edits to ``base``: flip a byte, insert bytes, delete a run, repeat a run."""
    data = bytearray(base)
    for kind, where, payload in edits:
        at = where % (len(data) + 1)
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] ^= payload[0] or 0xFF
        elif kind == "insert":
            data[at:at] = payload
        elif kind == "delete":
            del data[at : at + 4 * len(payload)]
        elif kind == "repeat":
            data[at:at] = data[at : at + 16 * len(payload)]
    return bytes(data)


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "repeat"]),
        st.integers(min_value=0, max_value=2**31),
        st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)),
    ),
    min_size=1,
    max_size=6,
)


def mutations(base: bytes) -> st.SearchStrategy[bytes]:
    """Bytes of ``base`` with a few edits, or sometimes bytes of no file at all."""
    return st.one_of(EDITS.map(lambda edits: apply(base, edits)), st.binary(max_size=2000))


def outcome(call: Callable[[], Any], inputs: Sequence[Path]) -> Any:
    """Run a reader as a user would meet it, and check the promise every reader keeps."""
    with watching(inputs) as seen, time_bound(SECONDS):
        try:
            result = call()
        except SendgraphError as exc:
            result = exc
    assert seen.violations == []
    if isinstance(result, SendgraphError):
        sentence = str(result)
        assert sentence and "Traceback" not in sentence
    elif isinstance(result, GraphFile):
        assert isinstance(result.graph, Graph)
    else:
        problems = result.problems if isinstance(result, Build) else result[1]
        assert all(isinstance(p, Problem) and p.message for p in problems)
    return result


def replaced(folder: Path, name: str, content: bytes, call: Callable[[], Any]) -> Any:
    """Run ``call`` with ``folder/name`` holding ``content``, then put the file back."""
    path = folder / name
    original = path.read_bytes() if path.exists() else None
    path.write_bytes(content)
    try:
        return outcome(call, [folder])
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled data, each example changing one file and putting it back."""
    target = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="module")
def import_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two imported areas' files side by side."""
    target = tmp_path_factory.mktemp("fuzz-import")
    for source in (WSOA, JOINT):
        for path in source.iterdir():
            if path.suffix != ".py":
                shutil.copy(path, target / path.name)
    return target


# -- the data folder's CSV tables, through build_graph ----------------------------------

TABLES = ["actions.csv", "boards.csv", "documents.csv", "statuses.csv", "people.csv"]


@fuzz(30)
@given(name=st.sampled_from(TABLES), data=st.data())
def test_a_damaged_data_table_builds_or_says_why(data_folder: Path, name: str, data: Any) -> None:
    content = data.draw(mutations((DATA / name).read_bytes()))
    built = replaced(data_folder, name, content, lambda: build_graph(data_folder, validate=False))
    assert isinstance(built, Build)


@fuzz(200)
@given(content=st.binary(max_size=3000))
def test_read_table_takes_any_bytes(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    path = tmp_path_factory.getbasetemp() / "any.csv"
    path.write_bytes(content)
    table, _ = outcome(lambda: read_table(path, "any.csv", ("id", "name")), [path])
    assert all(set(row.values) <= set(table.columns) for row in table.rows)


# -- theme rules and corrections -----------------------------------------------------------

THEME_FILES = {
    "theme_rules.csv": theme_rules_file().read_bytes(),
    "theme_corrections.csv": (DATA / "theme_corrections.csv").read_bytes(),
}


@fuzz(25)
@given(name=st.sampled_from(sorted(THEME_FILES)), data=st.data())
def test_damaged_theme_files_build_or_say_why(data_folder: Path, name: str, data: Any) -> None:
    content = data.draw(mutations(THEME_FILES[name]))
    built = replaced(data_folder, name, content, lambda: build_graph(data_folder, validate=False))
    assert isinstance(built, Build)


# -- spreadsheets and mappings, through build_import --------------------------------------


def rezipped(base: Path, member: int, edits: Sequence[tuple[str, int, bytes]]) -> bytes:
    """The workbook ``base`` with one of its parts edited: the XML parsers see the damage."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(base) as old, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new:
        items = old.infolist()
        for number, item in enumerate(items):
            content = old.read(item.filename)
            if number == member % len(items):
                content = apply(content, edits)
            new.writestr(item.filename, content)
    return buffer.getvalue()


WORKBOOKS = st.one_of(
    mutations((WSOA / "wsoa.xlsx").read_bytes()),
    st.builds(rezipped, st.just(WSOA / "wsoa.xlsx"), st.integers(0, 100), EDITS),
)


@fuzz(40)
@given(content=WORKBOOKS)
def test_a_damaged_workbook_imports_or_says_why(import_folder: Path, content: bytes) -> None:
    mapping = import_folder / "wsoa.mapping.yaml"
    workbook = import_folder / "wsoa.xlsx"
    built = replaced(
        import_folder, "wsoa.xlsx", content, lambda: build_import(workbook, mapping, validate=False)
    )
    assert isinstance(built, Build)


@fuzz(30)
@given(content=mutations((JOINT / "plan.csv").read_bytes()))
def test_a_damaged_csv_spreadsheet_imports_or_says_why(import_folder: Path, content: bytes) -> None:
    mapping = import_folder / "plan.mapping.yaml"
    sheet = import_folder / "plan.csv"
    built = replaced(
        import_folder, "plan.csv", content, lambda: build_import(sheet, mapping, validate=False)
    )
    assert isinstance(built, Build)


@fuzz(50)
@given(
    name=st.sampled_from(["wsoa.mapping.yaml", "plan.mapping.yaml"]),
    data=st.data(),
)
def test_a_damaged_mapping_imports_or_says_why(import_folder: Path, name: str, data: Any) -> None:
    base = (WSOA if name.startswith("wsoa") else JOINT) / name
    content = data.draw(mutations(base.read_bytes()))
    sheet = import_folder / ("wsoa.xlsx" if name.startswith("wsoa") else "plan.csv")
    mapping = import_folder / name
    built = replaced(
        import_folder, name, content, lambda: build_import(sheet, mapping, validate=False)
    )
    assert isinstance(built, Build)


@fuzz(100)
@given(content=st.binary(max_size=2000))
def test_read_mapping_and_read_spreadsheet_take_any_bytes(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    folder = tmp_path_factory.getbasetemp()
    for name, read in (
        ("any.mapping.yaml", lambda p: read_mapping(p, "any.mapping.yaml")),
        ("any.xlsx", lambda p: read_spreadsheet(p, "any.xlsx")),
        ("any.csv", lambda p: read_spreadsheet(p, "any.csv", header_row=2)),
    ):
        path = folder / name
        path.write_bytes(content)
        outcome(lambda read=read, path=path: read(path), [path])


# -- graph files ---------------------------------------------------------------------------

SMALL_GRAPH = """\
@prefix sg: <https://w3id.org/sendgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/sendgraph/id/rotherham/action/pr-14> a sg:Action ;
    skos:notation "PR 14" ;
    sg:text "Children’s \\"voice\\" heard"@en ;
    sg:sourceRow 16 ;
    sg:targetDate "2018-03-31"^^xsd:date ;
    sg:owner [ skos:prefLabel "007" ] .
"""


@pytest.fixture(scope="module")
def graph_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A small graph in every format `read_rdf` takes."""
    from rdflib import Graph

    graph = Graph().parse(data=SMALL_GRAPH, format="turtle")
    files = {
        f"g.{suffix}": graph.serialize(format=fmt, encoding="utf-8")
        for suffix, fmt in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml"))
    }
    lines = files["g.nt"].decode("utf-8").splitlines()
    iri = "<https://w3id.org/sendgraph/graph/rotherham>"
    files["g.trig"] = f"{iri} {{\n" + "\n".join(lines) + "\n}\n"
    files["g.nq"] = "".join(f"{line.removesuffix(' .')} {iri} .\n" for line in lines if line)
    return {
        name: content if isinstance(content, bytes) else content.encode()
        for name, content in files.items()
    }


RDF_NAMES = ["g.ttl", "g.nt", "g.jsonld", "g.rdf", "g.trig", "g.nq"]


@fuzz(120)
@given(name=st.sampled_from(RDF_NAMES), data=st.data())
def test_a_damaged_graph_file_reads_or_says_why(
    tmp_path_factory: pytest.TempPathFactory, graph_files: dict[str, bytes], name: str, data: Any
) -> None:
    content = data.draw(mutations(graph_files[name]))
    path = tmp_path_factory.getbasetemp() / name
    path.write_bytes(content)
    outcome(lambda: read_rdf(path), [path])


# -- the command line: a sentence and an exit code, never a traceback ----------------------


def no_traceback(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2, 3)
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 3:
        assert result.stderr.startswith("Error: ")


@fuzz(15)
@given(name=st.sampled_from(RDF_NAMES), data=st.data())
def test_the_cli_on_a_damaged_graph_file(
    tmp_path_factory: pytest.TempPathFactory, graph_files: dict[str, bytes], name: str, data: Any
) -> None:
    path = tmp_path_factory.getbasetemp() / f"cli-{name}"
    path.write_bytes(data.draw(mutations(graph_files[name])))
    with time_bound(SECONDS):
        no_traceback(["overdue", "--data", str(path), "-f", "csv"])


@fuzz(15)
@given(content=WORKBOOKS)
def test_the_cli_on_a_damaged_workbook(import_folder: Path, content: bytes) -> None:
    workbook = import_folder / "cli.xlsx"
    workbook.write_bytes(content)
    with time_bound(SECONDS):
        no_traceback(
            [
                "import",
                str(workbook),
                "--mapping",
                str(import_folder / "wsoa.mapping.yaml"),
                "--no-validate",
                "-o",
                "-",
            ]
        )
