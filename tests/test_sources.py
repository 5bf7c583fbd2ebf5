"""Reading files as people save them: Excel's BOM, cp1252, UTF-16, empty and ragged files."""

from __future__ import annotations

from pathlib import Path

from sendgraph.base.problems import Severity
from sendgraph.read.sources import read_table

COLUMNS = ("ref", "owner")


def write(tmp_path: Path, raw: bytes) -> Path:
    path = tmp_path / "actions.csv"
    path.write_bytes(raw)
    return path


def test_utf8_with_and_without_bom_read_the_same(tmp_path: Path) -> None:
    text = "ref,owner\r\nPR 1,Children’s Services\r\n"
    plain, p1 = read_table(write(tmp_path, text.encode()), "data/actions.csv", COLUMNS)
    bom, p2 = read_table(
        write(tmp_path, b"\xef\xbb\xbf" + text.encode()), "data/actions.csv", COLUMNS
    )
    assert p1 == p2 == []
    assert plain.columns == bom.columns == ["ref", "owner"]
    assert [r.values for r in bom.rows] == [{"ref": "PR 1", "owner": "Children’s Services"}]
    assert bom.rows[0].row == 2


def test_cp1252_is_an_error_naming_the_line_and_the_fix(tmp_path: Path) -> None:
    raw = "ref,owner\r\nPR 1,Jo Smith\r\nPR 2,Children’s Services\r\n".encode("cp1252")
    table, problems = read_table(write(tmp_path, raw), "data/actions.csv", COLUMNS)
    assert table.rows == []
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.source, problem.row, problem.severity) == (
        "data/actions.csv",
        3,
        Severity.ERROR,
    )
    assert (
        "0x92" in problem.message
        and "cp1252" in problem.message
        and "--encoding" in problem.message
    )


def test_cp1252_reads_when_asked_for(tmp_path: Path) -> None:
    raw = "ref,owner\r\nPR 2,Children’s Services\r\n".encode("cp1252")
    table, problems = read_table(
        write(tmp_path, raw), "data/actions.csv", COLUMNS, encoding="cp1252"
    )
    assert problems == []
    assert table.rows[0].get("owner") == "Children’s Services"


def test_utf16_from_excel_unicode_text_is_explained(tmp_path: Path) -> None:
    raw = "ref,owner\r\n".encode("utf-16")
    _, problems = read_table(write(tmp_path, raw), "data/actions.csv", COLUMNS)
    assert [p.severity for p in problems] == [Severity.ERROR]
    assert "UTF-16" in problems[0].message


def test_empty_file_names_the_columns_it_needs(tmp_path: Path) -> None:
    _, problems = read_table(write(tmp_path, b""), "data/actions.csv", COLUMNS)
    assert [str(p) for p in problems] == [
        "data/actions.csv: error: is empty; it needs a header row with ref, owner."
    ]


def test_missing_file(tmp_path: Path) -> None:
    _, problems = read_table(tmp_path / "nope.csv", "data/nope.csv", COLUMNS)
    assert [str(p) for p in problems] == ["data/nope.csv: error: is missing."]


def test_header_problems_are_all_reported(tmp_path: Path) -> None:
    raw = b"ref,ref,colour\r\nPR 1,PR 1,red\r\n"
    _, problems = read_table(write(tmp_path, raw), "data/actions.csv", COLUMNS)
    assert [(p.row, p.field, p.severity) for p in problems] == [
        (1, "ref", Severity.ERROR),
        (1, "owner", Severity.ERROR),
        (1, "colour", Severity.WARNING),
    ]


def test_ragged_row_with_extra_cells_is_an_error_and_the_row_is_kept(tmp_path: Path) -> None:
    raw = b"ref,owner\r\nPR 1,Jo Smith,Mary Jarrett\r\nPR 2,Ian Walker\r\n"
    table, problems = read_table(write(tmp_path, raw), "data/actions.csv", COLUMNS)
    assert [(p.row, p.severity) for p in problems] == [(2, Severity.ERROR)]
    assert "'Mary Jarrett'" in problems[0].message
    assert [r.get("ref") for r in table.rows] == ["PR 1", "PR 2"]


def test_cells_with_newlines_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    raw = b'ref,owner\r\n"PR 1","Caroline Wheatley\r\nAileen Chambers"\r\nPR 2,Jo Smith\r\n'
    table, problems = read_table(write(tmp_path, raw), "data/actions.csv", COLUMNS)
    assert problems == []
    assert [(r.row, r.get("owner")) for r in table.rows] == [
        (2, "Caroline Wheatley\nAileen Chambers"),
        (3, "Jo Smith"),
    ]


def test_stray_spaces_are_removed_and_noted(tmp_path: Path) -> None:
    table, problems = read_table(
        write(tmp_path, b"ref,owner\r\nPR 1 ,Jo Smith\r\n"), "data/actions.csv", COLUMNS
    )
    assert table.rows[0].get("ref") == "PR 1"
    assert [(p.row, p.field, p.severity) for p in problems] == [(2, "ref", Severity.INFO)]
