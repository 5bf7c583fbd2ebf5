"""The files councils publish, each read into sheets of rows through its mapping.

A mapping reads a CSV or XLSX spreadsheet, a Word document's tables or paragraphs, a
web page's tables, or a text or Markdown file of blocks, and the importer reads every
one of them the same way: as sheets whose columns the mapping names. Which tables of a
document are read is the mapping's ``table:``; how the headings above them become
columns is its ``headings:``. A choice that picks no table names the mapping's key.
"""

from __future__ import annotations

from pathlib import Path

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.blocks import Line, read_blocks, text_file_lines
from sendgraph.read.spreadsheets import SPREADSHEET_SUFFIXES, Sheet, read_spreadsheet
from sendgraph.read.tablegrid import FoundTable, choose, to_sheet
from sendgraph.read.webpages import html_tables
from sendgraph.read.wordfiles import body_items, docx_tables, open_docx, paragraph_text
from sendgraph.records.mappings import Mapping

WORD_SUFFIXES = (".docx",)
PAGE_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
FILE_SUFFIXES = (*SPREADSHEET_SUFFIXES, *WORD_SUFFIXES, *PAGE_SUFFIXES, *TEXT_SUFFIXES)


def read_file(
    mapping: Mapping, path: Path, shown: str, encoding: str | None
) -> tuple[list[Sheet], list[Problem]]:
    """Read the file a mapping names into sheets; problems name the file, or the mapping's key."""
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        problems = _not_for_spreadsheets(mapping)
        sheets, read = read_spreadsheet(
            path, shown, header_row=mapping.header_row, sheets=mapping.sheets, encoding=encoding
        )
        return sheets, [*problems, *read]
    if not path.is_file():
        return [], [Problem(shown, 0, "", Severity.ERROR, "is missing.")]
    if suffix in TEXT_SUFFIXES or (suffix in WORD_SUFFIXES and mapping.layout == "blocks"):
        return _blocks(mapping, path, shown, encoding)
    if suffix in WORD_SUFFIXES:
        tables, problems = docx_tables(path, shown)
    elif suffix in PAGE_SUFFIXES:
        if mapping.layout == "blocks":
            return [], [_mapping_problem(mapping, "layout", "a web page is read by its tables; 'blocks' is for Word documents and text files.")]  # fmt: skip
        tables, problems = html_tables(path, shown, encoding)
    else:
        kinds = ", ".join(FILE_SUFFIXES)
        return [], [
            Problem(
                shown, 0, "", Severity.ERROR,
                f"is not a kind of file sendgraph reads ({kinds}), not {suffix or 'a file without a suffix'}.",
            )
        ]  # fmt: skip
    return _tables(mapping, tables, problems, shown)


def _tables(
    mapping: Mapping, tables: list[FoundTable], problems: list[Problem], shown: str
) -> tuple[list[Sheet], list[Problem]]:
    if not tables and not any(p.severity is Severity.ERROR for p in problems):
        problems.append(Problem(shown, 0, "", Severity.ERROR, "has no table."))
    picked, failures = choose(tables, mapping.tables)
    for index, message in failures:
        key = f"table[{index + 1}]" if len(mapping.tables) > 1 else "table"
        problems.append(_mapping_problem(mapping, key, f"{shown}: {message}"))
    sheets = []
    for table in picked:
        sheet, table_problems = to_sheet(table, mapping.header_row, mapping.headings)
        problems += table_problems
        if sheet is not None:
            sheets.append(sheet)
    return sheets, problems


def _blocks(
    mapping: Mapping, path: Path, shown: str, encoding: str | None
) -> tuple[list[Sheet], list[Problem]]:
    problems = []
    if mapping.tables:
        problems.append(_mapping_problem(mapping, "table", "a file of blocks has no tables to pick; remove table:."))  # fmt: skip
    if "row" in mapping.headings:
        problems.append(_mapping_problem(mapping, "headings.row", "a file of blocks has no table rows; 'row' is for tables."))  # fmt: skip
    source = shown
    if path.suffix.lower() in WORD_SUFFIXES:
        document, read = open_docx(path, shown)
        source = f"{shown}[paragraphs]"
        lines: list[Line] | None = None
        if document is not None:
            # Numbered by paragraph; a paragraph's line breaks are lines of it.
            lines = [
                Line(number=number, text=line, level=level)
                for number, (_, element, level) in enumerate(
                    (i for i in body_items(document) if i[0] == "p"), start=1
                )
                for line in (paragraph_text(element).splitlines() or [""])
            ]
    else:
        lines, read = text_file_lines(path, shown, encoding)
    problems += read
    if lines is None:
        return [], problems
    labels = [*mapping.columns.values(), *mapping.status_columns]
    sheet, block_problems = read_blocks(lines, source, mapping.headings, labels)
    return [sheet], [*problems, *block_problems]


def _not_for_spreadsheets(mapping: Mapping) -> list[Problem]:
    problems = []
    for key, given in (("table", mapping.tables), ("layout", mapping.layout), ("headings", mapping.headings)):  # fmt: skip
        if given:
            problems.append(
                _mapping_problem(
                    mapping, key,
                    f"{key}: is for Word documents, web pages and text files; a spreadsheet's sheets are picked with sheets:.",
                )
            )  # fmt: skip
    return problems


def _mapping_problem(mapping: Mapping, key: str, message: str) -> Problem:
    return Problem(mapping.source, mapping.line_of(key), key, Severity.ERROR, message)
