"""Readers that fail well: YAML words kept as written, hostile workbooks refused, encodings named."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from rdflib import Graph

from sendgraph.base.problems import Problem, Severity
from sendgraph.cli import main
from sendgraph.graph.build import build_graph, build_import
from sendgraph.read.sources import read_table
from sendgraph.read.spreadsheets import read_spreadsheet
from sendgraph.records.mappings import MAX_MAPPING_VALUES, load_yaml, read_mapping
from tests.helpers import WSOA
from tests.watch import time_bound, watching

# -- YAML: every plain word stays the string written ------------------------------------

YAML_WORDS = """\
file: plan.csv
header_row: 2
area: Yesford
document:
  title: Yesford SEND plan
  date: 2024-03-01
plans:
  - id: plan
    title: Yesford plan
    status_date: 2024-03-31
statuses:
  No: red
  on: amber
  Off: green
  Yes: behind-schedule
columns:
  ref: 007
  action: Action
  owner: null
  status: 1.0
  note: 1:20
"""
PLAN_CSV = """\
Yesford SEND plan (a title above the header)
007,Action,null,1.0,1:20
1.10,Write the local offer,Lead,No,first
0012,Set up the panel,Lead,on,second
2024-03-01,Train staff,Lead,Off,third
~,Publish,Lead,Yes,fourth
"""


def yesford(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "yesford"
    folder.mkdir()
    (folder / "plan.mapping.yaml").write_text(YAML_WORDS, encoding="utf-8")
    (folder / "plan.csv").write_text(PLAN_CSV, encoding="utf-8")
    return folder / "plan.csv", folder / "plan.mapping.yaml"


def test_yaml_1_1_implicit_types_are_off() -> None:
    assert load_yaml(
        "a: no\nb: Yes\nc: on\nd: OFF\ne: 1.0\nf: 007\ng: 2024-03-01\nh: 1:20\ni: 0x1F\n"
        "j: .inf\nk: null\nl: ~\nm:\nn: true\n"
    ) == {
        "a": "no",
        "b": "Yes",
        "c": "on",
        "d": "OFF",
        "e": "1.0",
        "f": "007",
        "g": "2024-03-01",
        "h": "1:20",
        "i": "0x1F",
        "j": ".inf",
        "k": "null",
        "l": None,
        "m": None,
        "n": "true",
    }


def test_yaml_keys_keep_their_words_too() -> None:
    assert load_yaml("statuses: {No: red, 1: amber, 2024-01-01: green, ~: red}") == {
        "statuses": {"No": "red", "1": "amber", "2024-01-01": "green", None: "red"}
    }


def test_yaml_is_read_safely() -> None:
    import yaml

    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml("a: !!python/object/apply:os.system ['echo owned']")


def test_status_words_column_names_and_refs_are_kept_as_written(tmp_path: Path) -> None:
    spreadsheet, mapping_file = yesford(tmp_path)
    mapping, problems = read_mapping(mapping_file, "yesford/plan.mapping.yaml")
    assert problems == []
    assert mapping.header_row == 2
    assert mapping.statuses == {
        "no": ("No", "red"),
        "on": ("on", "amber"),
        "off": ("Off", "green"),
        "yes": ("Yes", "behind-schedule"),
    }
    assert mapping.columns == {
        "ref": "007",
        "action": "Action",
        "owner": "null",
        "status": "1.0",
        "note": "1:20",
    }
    assert str(mapping.document and mapping.document.date) == "2024-03-01"
    built = build_import(spreadsheet, mapping_file, validate=False)
    assert [p for p in built.problems if p.severity == Severity.ERROR] == []
    rows = [(a.ref, a.first.status_text, a.first.status) for a in built.records.actions.values()]
    assert rows == [
        ("1.10", "No", "red"),
        ("0012", "on", "amber"),
        ("2024-03-01", "Off", "green"),
        ("~", "Yes", "behind-schedule"),
    ]


def test_a_key_written_twice_is_an_error_not_an_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "twice.mapping.yaml"
    path.write_text("statuses:\n  Red: red\n  Amber: amber\n  Red: green\n", encoding="utf-8")
    mapping, problems = read_mapping(path, "twice.mapping.yaml")
    assert problems == [
        Problem(
            "twice.mapping.yaml",
            4,
            "",
            Severity.ERROR,
            "is not valid YAML: while reading a set of keys, key 'Red' is written twice "
            "(first on line 2).",
        )
    ]
    assert not mapping.readable


def test_aliases_that_expand_without_bound_are_refused(tmp_path: Path) -> None:
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefg":
        previous = chr(ord(level) - 1)
        laughs.append(f"{level}: &{level} [{', '.join(['*' + previous] * 10)}]")
    path = tmp_path / "laughs.mapping.yaml"
    path.write_text("\n".join(laughs) + "\n", encoding="utf-8")
    with time_bound(5):
        _, problems = read_mapping(path, "laughs.mapping.yaml")
    assert problems == [
        Problem(
            "laughs.mapping.yaml",
            0,
            "",
            Severity.ERROR,
            f"expands to more than {MAX_MAPPING_VALUES:,} values through its anchors and aliases "
            "(&name, *name); write the mapping out plainly.",
        )
    ]


def test_a_mapping_cannot_name_a_file_outside_its_folder(tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text("Action\nsecret\n", encoding="utf-8")
    folder = tmp_path / "area"
    folder.mkdir()
    text = YAML_WORDS.replace("file: plan.csv", "file: ../secret.csv")
    (folder / "plan.mapping.yaml").write_text(text, encoding="utf-8")
    with watching([folder]) as seen:
        built = build_graph(folder, validate=False)
    assert seen.violations == []
    errors = [p for p in built.problems if p.severity == Severity.ERROR]
    assert errors[0] == Problem(
        "area/plan.mapping.yaml",
        1,
        "file",
        Severity.ERROR,
        "'../secret.csv' is not a file beside the mapping; name it as a path inside the "
        "mapping's folder, without '..' or a drive or a leading '/'.",
    )


# -- XLSX: defusedxml, zip bombs, sparse bombs -------------------------------------------


def test_openpyxl_parses_with_defusedxml() -> None:
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    import defusedxml.ElementTree

    assert functions.fromstring is defusedxml.ElementTree.fromstring
    assert functions.iterparse is defusedxml.ElementTree.iterparse


def rezip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """Copy a workbook, replacing some of its parts."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, replace.get(item.filename, old.read(item.filename)))
    return target


def sheet_xml() -> bytes:
    with zipfile.ZipFile(WSOA / "wsoa.xlsx") as book:
        return book.read("xl/worksheets/sheet1.xml")


ENTITY_BOMB = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [ <!ENTITY a "aaaaaaaaaa"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize(
    ("part", "entity"),
    [
        ("xl/worksheets/sheet1.xml", ENTITY_BOMB),
        ("xl/worksheets/sheet2.xml", EXTERNAL_ENTITY),
        ("xl/workbook.xml", EXTERNAL_ENTITY),
    ],
)
def test_a_workbook_with_xml_entities_is_refused(tmp_path: Path, part: str, entity: bytes) -> None:
    book = rezip(WSOA / "wsoa.xlsx", tmp_path / "entities.xlsx", {part: entity})
    with watching([book]) as seen:
        sheets, problems = read_spreadsheet(book, "area/entities.xlsx")
    assert seen.violations == []
    assert sheets == []
    assert problems == [
        Problem(
            "area/entities.xlsx",
            0,
            "",
            Severity.ERROR,
            "cannot be read as an Excel workbook: its XML declares entities or refers to outside "
            "resources (EntitiesForbidden), which sendgraph refuses.",
        )
    ]


def bomb(path: Path, member_bytes: int, name: str = "xl/worksheets/sheet1.xml") -> Path:
    """Write a workbook whose one sheet part is ``member_bytes`` of spaces, streamed, never held."""
    chunk = b" " * (1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book,
        book.open(name, "w", force_zip64=True) as part,
    ):
        for _ in range(member_bytes // len(chunk)):
            part.write(chunk)
    return path


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    path = bomb(tmp_path / "ratio.xlsx", 64 * 1024 * 1024)
    assert path.stat().st_size < 200_000
    with time_bound(10):
        sheets, problems = read_spreadsheet(path, "area/ratio.xlsx")
    assert sheets == []
    assert [(p.source, p.severity) for p in problems] == [("area/ratio.xlsx", Severity.ERROR)]
    ratio = 64 * 1024 * 1024 / zipfile.ZipFile(path).infolist()[0].compress_size
    assert problems[0].message == (
        f"has a part (xl/worksheets/sheet1.xml) compressed {ratio:,.0f} to 1, over sendgraph's "
        "limit of 100 to 1; it is refused as a possible zip bomb."
    )


def test_a_zip_bomb_is_refused_by_its_unpacked_size(tmp_path: Path) -> None:
    size = 210 * 1024 * 1024
    path = bomb(tmp_path / "big.xlsx", size)
    with time_bound(20):
        _, problems = read_spreadsheet(path, "area/big.xlsx")
    assert problems == [
        Problem(
            "area/big.xlsx",
            0,
            "",
            Severity.ERROR,
            f"would unpack to {size:,} bytes, over sendgraph's limit of 209,715,200 bytes for a "
            "workbook; it is refused as a possible zip bomb.",
        )
    ]


@pytest.mark.parametrize(
    ("sheet_data", "cells"),
    [
        (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', 17_179_869_184),
        (b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:ZZ99999"/></mergeCells><sheetData>', 70_199_298),
    ],
)  # fmt: skip
def test_a_sheet_spanning_billions_of_cells_is_refused(
    tmp_path: Path, sheet_data: bytes, cells: int
) -> None:
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + sheet_data
        + b"</sheetData></worksheet>"
    )
    path = rezip(WSOA / "wsoa.xlsx", tmp_path / "sparse.xlsx", {"xl/worksheets/sheet1.xml": xml})
    with time_bound(10):
        _, problems = read_spreadsheet(path, "area/sparse.xlsx")
    assert problems == [
        Problem(
            "area/sparse.xlsx",
            0,
            "",
            Severity.ERROR,
            f"has a sheet (xl/worksheets/sheet1.xml) spanning {cells:,} cells, over sendgraph's "
            "limit of 2,000,000; a stray cell far down or across, or a merge over a whole sheet, "
            "does this. Delete the empty rows and columns beyond the table.",
        )
    ]


def test_the_real_workbook_passes_the_checks(tmp_path: Path) -> None:
    sheets, problems = read_spreadsheet(WSOA / "wsoa.xlsx", "wsoa/wsoa.xlsx")
    assert problems == []
    assert [s.name for s in sheets] == ["Weakness 1", "Weakness 2", "Weakness 3", "Weakness 4"]


def test_a_workbook_that_is_not_a_zip_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"Action,Lead\nWrite it,LA\n")
    assert read_spreadsheet(path, "area/plan.xlsx") == (
        [],
        [
            Problem(
                "area/plan.xlsx",
                0,
                "",
                Severity.ERROR,
                "cannot be read as an Excel workbook (it is not a readable zip file: File is "
                "not a zip file).",
            )
        ],
    )


# -- Encodings: UTF-8 with or without BOM; anything else names --encoding -----------------

CP1252 = (
    "is not UTF-8: byte 0x{byte} on line {line} cannot be decoded. It reads as Windows-1252 "
    '(cp1252), as older Excel saves "CSV". Save it as {save_as}, or pass --encoding cp1252 if '
    "that is what it is."
)


def save_cp1252(path: Path, text: str) -> Problem:
    """Write ``text`` in cp1252 and return the problem a UTF-8 reader must report, at its first non-ASCII byte."""
    raw = text.encode("cp1252")
    path.write_bytes(raw)
    first = next(i for i, byte in enumerate(raw) if byte >= 0x80)
    line = raw[:first].count(b"\n") + 1
    message = CP1252.format(byte=f"{raw[first]:02x}", line=line, save_as='"CSV UTF-8"')
    return Problem(f"{path.parent.name}/{path.name}", line, "", Severity.ERROR, message)


def test_a_data_table_in_cp1252_names_encoding(data_copy: Path) -> None:
    text = (data_copy / "boards.csv").read_text(encoding="utf-8-sig")
    expected = save_cp1252(data_copy / "boards.csv", text)
    assert expected.row == 3  # an en dash in "2016–2017"
    built = build_graph(data_copy, validate=False)
    assert [p for p in built.problems if p.source == "data/boards.csv"] == [expected]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_or_without_bom_reads_the_same(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(bom + "id,name\n1,Children’s\n".encode())
    table, problems = read_table(path, "t.csv", ("id", "name"))
    assert problems == []
    assert table.columns == ["id", "name"]
    assert [r.values for r in table.rows] == [{"id": "1", "name": "Children’s"}]


def test_utf16_needs_encoding_and_then_reads_honestly(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("id,name\n1,Children’s\n".encode("utf-16"))
    table, problems = read_table(path, "t.csv", ("id", "name"))
    assert problems == [
        Problem(
            "t.csv",
            0,
            "",
            Severity.ERROR,
            'is UTF-16 (Excel\'s "Unicode Text"); save it as "CSV UTF-8" or pass --encoding utf-16.',
        )
    ]
    table, problems = read_table(path, "t.csv", ("id", "name"), encoding="utf-16")
    assert (problems, [r.values for r in table.rows]) == ([], [{"id": "1", "name": "Children’s"}])


def test_random_bytes_are_not_mojibake(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,name\n1,\x81\x8d\xfe\n")
    table, problems = read_table(path, "t.csv", ("id", "name"))
    assert table.rows == []
    assert problems == [
        Problem(
            "t.csv",
            2,
            "",
            Severity.ERROR,
            'is not UTF-8: byte 0x81 on line 2 cannot be decoded. Save it as "CSV UTF-8", or '
            "pass --encoding cp1252 if that is what it is.",
        )
    ]


def test_an_imported_csv_in_cp1252_names_encoding_and_reads_with_it(tmp_path: Path) -> None:
    spreadsheet, mapping_file = yesford(tmp_path)
    spreadsheet.write_bytes(PLAN_CSV.replace("local offer", "Children’s offer").encode("cp1252"))
    built = build_import(spreadsheet, mapping_file, validate=False)
    assert built.problems == [
        Problem(
            "yesford/plan.csv",
            3,
            "",
            Severity.ERROR,
            CP1252.format(byte="92", line=3, save_as='"CSV UTF-8"'),
        )
    ]
    built = build_import(spreadsheet, mapping_file, encoding="cp1252", validate=False)
    assert built.records.actions["1.10"].first.action == "Write the Children’s offer"


def test_a_mapping_in_cp1252_names_encoding_and_a_utf8_one_ignores_it(tmp_path: Path) -> None:
    _, mapping_file = yesford(tmp_path)
    utf8 = YAML_WORDS.replace("Yesford SEND plan", "Yesford’s SEND plan")
    mapping_file.write_bytes(utf8.encode("cp1252"))
    mapping, problems = read_mapping(mapping_file, "yesford/plan.mapping.yaml")
    assert problems == [
        Problem(
            "yesford/plan.mapping.yaml",
            5,
            "",
            Severity.ERROR,
            CP1252.format(byte="92", line=5, save_as="UTF-8"),
        )
    ]
    mapping, problems = read_mapping(mapping_file, "m", encoding="cp1252")
    assert (problems, mapping.document and mapping.document.title) == ([], "Yesford’s SEND plan")
    # A UTF-8 mapping beside a cp1252 spreadsheet: --encoding is for the spreadsheet only.
    mapping_file.write_text(utf8, encoding="utf-8")
    mapping, problems = read_mapping(mapping_file, "m", encoding="cp1252")
    assert (problems, mapping.document and mapping.document.title) == ([], "Yesford’s SEND plan")


@pytest.mark.parametrize("name", ["theme_rules.csv", "theme_corrections.csv"])
def test_theme_files_in_cp1252_name_encoding(data_copy: Path, name: str) -> None:
    from sendgraph.base.resources import theme_rules_file

    text = (
        theme_rules_file().read_text(encoding="utf-8-sig")
        if name == "theme_rules.csv"
        else (data_copy / name).read_text(encoding="utf-8-sig")
    )
    edited = text.replace("s", "’s", 1)
    expected = save_cp1252(data_copy / name, edited)
    built = build_graph(data_copy, validate=False)
    assert [p for p in built.problems if p.source == f"data/{name}"] == [expected]


def test_theme_rules_in_cp1252_read_with_encoding(tmp_path: Path, graph: Graph) -> None:
    from sendgraph.base.resources import theme_rules_file
    from sendgraph.graph.themes import _Tagger, load_theme_rules

    tagger = _Tagger(graph)
    themes, measures = tagger.themes, tagger.measures
    text = theme_rules_file().read_text(encoding="utf-8-sig")
    path = tmp_path / "theme_rules.csv"
    path.write_text(text, encoding="utf-8")
    in_utf8 = load_theme_rules(path, "r", themes, measures)
    path.write_bytes(text.encode("cp1252"))
    in_cp1252 = load_theme_rules(path, "r", themes, measures, encoding="cp1252")
    assert in_cp1252 == in_utf8
    assert len(in_utf8[0]) > 20


def test_the_cli_names_encoding_for_a_cp1252_table(data_copy: Path) -> None:
    text = (data_copy / "boards.csv").read_text(encoding="utf-8-sig")
    expected = save_cp1252(data_copy / "boards.csv", text)
    result = CliRunner().invoke(main, ["validate", str(data_copy)])
    assert result.exit_code == 1
    assert f"{expected}\n" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unclosed_quote_is_one_problem_and_the_rows_before_it_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,name\n1,one\n2,"two\n' + "x" * 200_000 + "\n3,three\n", encoding="utf-8")
    table, problems = read_table(path, "t.csv", ("id", "name"))
    assert [r.values for r in table.rows] == [{"id": "1", "name": "one"}]
    assert problems == [
        Problem(
            "t.csv",
            3,
            "",
            Severity.ERROR,
            "cannot be read as CSV from this row on (field larger than field limit (131072)): a "
            'quote (") opened here and never closed makes the rest of the file one cell.',
        )
    ]


def test_a_data_folder_is_read_without_touching_anything_else(data_copy: Path) -> None:
    with watching([data_copy]) as seen:
        built = build_graph(data_copy, validate=False)
    assert built.ok
    assert seen.violations == []


def test_the_watch_sees_what_it_should(tmp_path: Path) -> None:
    # The watch itself must be able to fail: a file outside the inputs is caught.
    inside, outside = tmp_path / "in.csv", tmp_path / "out.csv"
    inside.write_text("a\n", encoding="utf-8")
    outside.write_text("a\n", encoding="utf-8")
    with watching([inside]) as seen:
        inside.read_text(encoding="utf-8")
        outside.read_text(encoding="utf-8")
    assert seen.violations == [f"open {outside}"]
