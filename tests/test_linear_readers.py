"""Every reader of cell text takes time in proportion to the cell, however it is written.

A regular expression with nested or overlapping repeats can take minutes over one cell
a few tens of kilobytes long (the plain form of the code expression took 62 s over a
40 KB cell). Each splitter and matcher sendgraph applies to cells reads cells built to
make such expressions backtrack: long runs of spaces, capitals without their number,
"and" after "and", open brackets, digits, commas. These are tests of how time grows,
not benchmarks: a 16 KB cell must be read within a second, and a cell eight times longer
within sixteen times as long (or a second, if that is longer), which linear code meets
many times over on a loaded machine and quadratic code misses by minutes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sendgraph.ask.references import reference_key
from sendgraph.graph.build import build_graph, default_data_folder
from sendgraph.graph.themes import compile_pattern, sentence_around, theme_rules_file
from sendgraph.records.codes import code_key, find_codes, find_mentions
from sendgraph.records.dates import parse_targets
from sendgraph.records.gazetteer import Gazetteer, sentences
from sendgraph.records.importer import CROSS_REFERENCE_SEPARATORS
from sendgraph.records.loader import load_records
from sendgraph.records.model import slug
from sendgraph.records.owners import PeopleIndex, split_owner_cell
from tests.watch import TookTooLong, time_bound

SMALL = 16 * 1024
LARGE = 128 * 1024

# What a cell repeats to make a backtracking expression work hard.
UNITS = {
    "spaces": " ",
    "spaces and tabs": " \t ",
    "capitals": "SEND ",
    "capitals and numbers": "SEND 1 SEND ",
    "hyphens": "A-",
    "hyphenated capitals": "WORK-FORCE DEV ",
    "and": "and ",
    "spaced and": "a   and   ",
    "brackets": "(",
    "bracketed names": "(Paula Williams ",
    "digits": "1",
    "numbers and hyphens": "1-",
    "commas": ", ",
    "slashes": " / ",
    "line breaks": " \n",
    "full stops": ". ",
    "sentences": "Reporting to the Performance Board. ",
    "board names": "Performance   ",
    "names": "Paula Williams ",
    "names and full stops": "Paula . ",
    "words": "word   ",
    "quotes": "'\"",
    "peer review": "PEER    ",
}


def cell(unit: str, size: int) -> str:
    """A cell of ``size`` characters: a capital, then ``unit`` over and over, then a letter."""
    body = unit * (size // len(unit) + 1)
    return ("A" + body)[: size - 1] + "x"


@pytest.fixture(scope="module")
def readers() -> dict[str, Callable[[str], object]]:
    """Each splitter and matcher applied to cells, with the Rotherham people, boards and rules."""
    records, _ = load_records(default_data_folder())
    people = PeopleIndex()
    for person in records.people.values():
        people.add(person.id, person.name, [*person.aliases, *filter(None, [person.initials])])
    boards = Gazetteer()
    for board in records.boards.values():
        boards.add(board.id, [board.label, *board.aliases])
    with theme_rules_file().open(encoding="utf-8", newline="") as handle:
        rules = [compile_pattern(row["pattern"]) for row in csv.DictReader(handle)]
    families = {code_key(code, "") for code in ("SEND", "CWD", "LAC", "EH", "PR", "JCP")}
    return {
        "find_codes": find_codes,
        "find_mentions": lambda text: find_mentions(text, families),
        "split_owner_cell": lambda text: split_owner_cell(text, people.lookup),
        "split_run_on": people.split_run_on,
        "cross references": CROSS_REFERENCE_SEPARATORS.split,
        "reference_key": reference_key,
        "sentences": sentences,
        "board mentions": boards.find,
        "sentence_around": lambda text: sentence_around(text, len(text) // 2),
        "theme rules": lambda text: [rule.findall(text) for rule in rules],
        "parse_targets": lambda text: parse_targets(text, dt.date(2017, 11, 1)),
        "slug": slug,
    }


def seconds(reader: Callable[[str], object], text: str, limit: float) -> float:
    """Return how long ``reader`` takes over ``text``; fail the test past ``limit`` seconds."""
    start = time.perf_counter()
    with time_bound(limit):
        reader(text)
    return time.perf_counter() - start


def assert_linear(reader: Callable[[str], object], unit: str) -> None:
    small = min(seconds(reader, cell(unit, SMALL), 1.0) for _ in range(2))
    seconds(reader, cell(unit, LARGE), max(1.0, 2 * LARGE / SMALL * small))


READER_NAMES = [
    "find_codes",
    "find_mentions",
    "split_owner_cell",
    "split_run_on",
    "cross references",
    "reference_key",
    "sentences",
    "board mentions",
    "sentence_around",
    "theme rules",
    "parse_targets",
    "slug",
]


@pytest.mark.parametrize("unit", list(UNITS.values()), ids=list(UNITS))
@pytest.mark.parametrize("name", READER_NAMES)
def test_each_reader_takes_time_in_proportion_to_the_cell(
    readers: dict[str, Callable[[str], object]], name: str, unit: str
) -> None:
    assert_linear(readers[name], unit)


def test_the_readers_are_the_ones_named(readers: dict[str, Callable[[str], object]]) -> None:
    assert sorted(readers) == sorted(READER_NAMES)


def test_a_quadratic_expression_is_caught() -> None:
    """The test above can fail: the code expression as it was written before misses the bound."""
    import re

    old = re.compile(r"\b([A-Z][A-Z]*(?:-[A-Z]+)*(?:\s+[A-Z][A-Z]*(?:-[A-Z]+)*)*)\s*(\d+)\b")
    with pytest.raises(TookTooLong):
        assert_linear(old.findall, "SEND ")


KEYS = {"id", "ref", "row", "plan", "review"}  # kept, so that the row is still the row it was


def rewrite(path: Path, edit: Callable[[dict[str, str]], None]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    edit(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.mark.parametrize(
    ("table", "unit"),
    [
        ("actions.csv", "SEND 1 SEND "),
        ("actions.csv", "Paula Williams and "),
        ("actions.csv", "Reporting to the Performance Board   "),
        ("peer_challenge.csv", "(. "),
        ("ccg_gaps.csv", "A   "),
        ("boards.csv", "SEND "),
    ],
)
def test_a_data_table_with_a_128_kb_cell_in_every_column_builds_in_time(
    tmp_path: Path, table: str, unit: str
) -> None:
    """The whole build, with every column but the keys of a table's first row 128 KB long."""
    sizes = {}
    for size in (SMALL, LARGE):
        folder = tmp_path / str(size)
        shutil.copytree(default_data_folder(), folder)

        def fill(row: dict[str, str], size: int = size) -> None:
            row.update({k: cell(unit, size) for k in row if k not in KEYS})

        rewrite(folder / table, fill)
        start = time.perf_counter()
        with time_bound(60):
            built = build_graph(folder, validate=False)
        sizes[size] = time.perf_counter() - start
        assert len(built.graph) > 9000
    assert sizes[LARGE] < max(10.0, 2 * LARGE / SMALL * sizes[SMALL])
