"""Answers as people read them: aligned text tables, CSV, TSV and JSON.

Named questions give lists of dictionaries; a list inside a cell is joined with "; ",
and an oversight path is written as its steps with their quotes. SPARQL answers are
written in the standard formats: SPARQL 1.1 Query Results JSON, CSV and TSV.

CSV and TSV meant for a spreadsheet can be written safe: a cell that starts like a
formula gets a leading ``'`` so that Excel shows it as text instead of running it
(OWASP, "CSV injection"). Lossless output writes every cell exactly, for programs.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from sendgraph.ask.sparql import Answer, Term

Row = dict[str, Any]

# Excel, LibreOffice and Google Sheets read a cell that starts with one of these as a
# formula, or strip the character and read what follows as one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(cell: str) -> bool:
    """Return whether a spreadsheet would read ``cell`` as a formula: it starts with = + - @ tab or CR."""
    return cell.startswith(FORMULA_STARTS)


def neutralise(cell: str) -> str:
    """Return ``cell`` as a spreadsheet shows it as text: behind a ``'`` when it starts like a formula.

    >>> neutralise("=1+2"), neutralise("-5"), neutralise("5")
    ("'=1+2", "'-5", '5')
    """
    return "'" + cell if is_formula_like(cell) else cell


def render_csv(
    names: Sequence[str],
    cells: Iterable[Sequence[str]],
    *,
    safe: bool = False,
    line_end: str = "\n",
) -> str:
    """Render a header and rows of text cells as CSV; with ``safe``, formula-like cells are neutralised.

    Header names are written as they are: sendgraph names its own columns. A cell is
    quoted when it holds a comma, a quote, a CR or a LF. Python's csv module would
    leave a lone CR unquoted when rows end in LF, and every reader then splits the row
    there.
    """
    lines = [_csv_line(names)]
    lines += [_csv_line([neutralise(c) for c in row] if safe else row) for row in cells]
    return "".join(line + line_end for line in lines)


def _csv_line(cells: Sequence[str]) -> str:
    if len(cells) == 1 and not cells[0]:
        return '""'  # an empty line would be read as no row at all
    return ",".join(
        '"' + cell.replace('"', '""') + '"' if any(ch in cell for ch in ',"\r\n') else cell
        for cell in cells
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and "quote" in value[0]:
            return " → ".join(
                f"{s['from']} {s['relation']} {s['to']}"
                # A line the paper does not state is marked on the step that uses it.
                + (f" [{s['modality']}]" if s.get("modality", "stated") != "stated" else "")
                + f' ("{s["quote"]}" {s["document"]}, {s["section"]})'
                + (f", {s['then']}" if s.get("then") else "")
                for s in value
            )
        return "; ".join(_cell(v) for v in value)
    return str(value)


def columns_of(rows: Sequence[Row]) -> list[str]:
    """Return the keys of ``rows`` in first-seen order."""
    return list(dict.fromkeys(key for row in rows for key in row))


def render_rows(
    rows: Sequence[Row],
    fmt: str,
    columns: Sequence[str] | None = None,
    *,
    safe: bool = False,
    width: int | None = None,
) -> str:
    """Render question rows as ``table``, ``csv`` or ``json`` (an array of objects).

    ``safe`` neutralises formula-like CSV cells (see `neutralise`); tables and JSON are
    not for spreadsheets and are written as they are. A table is made to fit ``width``
    columns (see `render_table`); without it, each row is one line however long.
    """
    if fmt == "json":
        return json.dumps(list(rows), indent=2, ensure_ascii=False, default=str) + "\n"
    names = list(columns or columns_of(rows))
    cells = [[_cell(row.get(name)) for name in names] for row in rows]
    if fmt == "csv":
        return render_csv(names, cells, safe=safe)
    return render_table(names, cells, width)


# Markdown's own characters, escaped in every cell so that no text becomes a link,
# an image, a heading or a column break.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def markdown_text(value: Any) -> str:
    r"""Return a value as inert Markdown on one line: HTML's characters as entities, Markdown's escaped.

    >>> print(markdown_text("[PR 1](x) | <b>"))
    \[PR 1\](x) \| &lt;b&gt;
    """
    return markdown_escape(" ".join(_cell(value).split()))


def markdown_escape(text: object) -> str:
    r"""Return text made inert in Markdown, its lines kept: HTML's characters as entities, Markdown's escaped.

    >>> print(markdown_escape("# 1 < 2"))
    \# 1 &lt; 2
    """
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def render_markdown_table(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render a header and rows as a Markdown table, every cell made inert (`markdown_text`).

    >>> print(render_markdown_table(["ref", "status"], [["PR 1", "Green"]]), end="")
    | ref | status |
    | --- | --- |
    | PR 1 | Green |
    """
    lines = [
        "| " + " | ".join(markdown_text(n) for n in names) + " |",
        "| " + " | ".join("---" for _ in names) + " |",
    ]
    lines += ["| " + " | ".join(markdown_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# Two spaces between columns; a wrapped column narrower than this is hard to read, so
# a table that would need one is shown one block per record instead.
GAP = 2
NARROWEST = 12


def render_table(names: Sequence[str], cells: Sequence[Sequence[str]], width: int | None) -> str:
    """Render a header and rows of text as a table at most ``width`` columns wide, losing no word.

    A table that fits is one line per row. One that does not has its widest columns
    wrapped at word boundaries; when that would leave a column narrower than its longest
    word or than `NARROWEST`, each row becomes a block of ``name  value`` lines instead.
    With ``width`` None, every row is one line, as wide as it needs.

    >>> print(render_table(["ref", "text"], [["PR 1", "one two three four"]], 20), end="")
    ref   text
    ----  --------------
    PR 1  one two three
          four
    """
    flat = [[" ".join(cell.split()) for cell in row] for row in cells]
    natural = [max([len(name), *(len(row[i]) for row in flat)]) for i, name in enumerate(names)]
    if width is None or sum(natural) + GAP * (len(names) - 1) <= width:
        widths = natural
    else:
        fitted = _fit(names, flat, natural, width)
        if fitted is None:
            return _blocks(names, flat, width)
        widths = fitted
    lines = [_line(names, widths), _line(["-" * w for w in widths], widths)]
    for row in flat:
        wrapped = [_wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
        for depth in range(max(len(cell) for cell in wrapped)):
            lines.append(
                _line([cell[depth] if depth < len(cell) else "" for cell in wrapped], widths)
            )
    return "\n".join(lines) + "\n"


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return (" " * GAP).join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _fit(
    names: Sequence[str], rows: Sequence[Sequence[str]], natural: Sequence[int], width: int
) -> list[int] | None:
    """Share ``width`` among the columns: narrow ones keep their width, the rest split what is left."""
    left = width - GAP * (len(names) - 1)
    widths: dict[int, int] = {}
    open_columns = list(range(len(names)))
    while open_columns:
        share = left // len(open_columns)
        narrow = [i for i in open_columns if natural[i] <= share]
        if not narrow:
            break
        for i in narrow:
            widths[i] = natural[i]
            left -= natural[i]
        open_columns = [i for i in open_columns if i not in widths]
    for position, i in enumerate(open_columns):
        widths[i] = left // len(open_columns) + (position < left % len(open_columns))
    for i, name in enumerate(names):
        longest_word = max((len(w) for row in rows for w in row[i].split()), default=0)
        if widths[i] < max(len(name), longest_word, min(natural[i], NARROWEST)):
            return None
    return [widths[i] for i in range(len(names))]


def _blocks(names: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> str:
    """One block per row: each column's name, then its value wrapped beside it; blocks apart by a blank line."""
    label = max(len(name) for name in names)
    room = max(width - label - GAP, NARROWEST)
    blocks = []
    for row in rows:
        lines = []
        for name, cell in zip(names, row, strict=True):
            for depth, part in enumerate(_wrap(cell, room)):
                lines.append(f"{name if depth == 0 else '':<{label}}{' ' * GAP}{part}".rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


# How a literal is written in Turtle, as SPARQL 1.1 TSV writes it: every character that
# could end a line (for a spreadsheet, for Python's splitlines, for Unicode) or a cell
# is escaped, so a row of the answer is one line and a cell one field.
TURTLE_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        '"': '\\"',
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\b": "\\b",
        "\f": "\\f",
        **{ch: f"\\u{ord(ch):04X}" for ch in "\x0b\x1c\x1d\x1e\x85\u2028\u2029"},
    }
)


# Characters XML 1.0 cannot hold, not even written as a character reference: C0
# controls other than tab, LF and CR, U+FFFE and U+FFFF, and halves of surrogate pairs.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
REPLACEMENT = "\ufffd"
XML_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)


def xml_safe(text: str) -> str:
    """Return ``text`` with each character XML 1.0 cannot hold replaced by U+FFFD (�).

    A document holding one is not XML: a strict parser stops at it. `xml_forbidden`
    says which were there, for a warning.

    >>> xml_safe("Sept 17\\x0bDec 17")
    'Sept 17�Dec 17'
    """
    return XML_FORBIDDEN.sub(REPLACEMENT, text)


def xml_escape(text: str) -> str:
    """Return ``text`` for XML element content or a double-quoted attribute, read back as it was.

    ``&``, ``<``, ``>`` and ``"`` are escaped, and so are CR, LF and tab, since a
    parser reads a raw CR as a line feed, and all three in an attribute as spaces;
    characters XML cannot hold become U+FFFD (`xml_safe`).

    >>> xml_escape('a < b & "c"\\r\\nd\\x0b')
    'a &lt; b &amp; &quot;c&quot;&#13;&#10;d�'
    """
    return xml_safe(text.translate(XML_ESCAPES))


def xml_forbidden(text: str) -> list[str]:
    """Return the characters of ``text`` XML 1.0 cannot hold, as code points ("U+000B"), once each.

    >>> xml_forbidden("a\\x0bb\\x00c\\x0b")
    ['U+000B', 'U+0000']
    """
    return list(dict.fromkeys(f"U+{ord(ch):04X}" for ch in XML_FORBIDDEN.findall(text)))


def _term_text(term: Term | None) -> str:
    return "" if term is None else term.value


def _tsv_term(term: Term | None, safe: bool = False) -> str:
    if term is None:
        return ""
    if term.type == "uri":
        return f"<{term.value}>"
    if term.type == "bnode":
        return f"_:{term.value}"
    # A spreadsheet drops the quotes around a TSV cell, so the words inside are what
    # it would run.
    value = neutralise(term.value) if safe else term.value
    escaped = value.translate(TURTLE_ESCAPES)
    if term.lang:
        return f'"{escaped}"@{term.lang}'
    if term.datatype and term.datatype != "http://www.w3.org/2001/XMLSchema#string":
        return f'"{escaped}"^^<{term.datatype}>'
    return f'"{escaped}"'


def render_answer(answer: Answer, fmt: str, *, safe: bool = False, width: int | None = None) -> str:
    """Render a SELECT or ASK answer as ``table``, ``csv``, ``tsv`` or SPARQL 1.1 Results ``json``.

    ``safe`` neutralises formula-like CSV and TSV cells for a spreadsheet (see
    `neutralise`); without it the standard formats are written exactly, as programs
    reading them expect. A table fits ``width`` columns (see `render_table`).
    """
    if fmt == "json":
        if answer.kind == "ask":
            return json.dumps({"head": {}, "boolean": answer.boolean}, indent=2) + "\n"
        bindings = [{v: t.to_json() for v, t in row.items()} for row in answer.rows]
        return (
            json.dumps(
                {"head": {"vars": answer.variables}, "results": {"bindings": bindings}},
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    if answer.kind == "ask":
        return (
            {"csv": "_askResult\n", "tsv": "?_askResult\n"}.get(fmt, "")
            + ("true" if answer.boolean else "false")
            + "\n"
        )
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in answer.variables)]
        lines += [
            "\t".join(_tsv_term(row.get(v), safe) for v in answer.variables) for row in answer.rows
        ]
        return "\n".join(lines) + "\n"
    rows = [{v: _term_text(row.get(v)) for v in answer.variables} for row in answer.rows]
    return render_rows(
        rows, "csv" if fmt == "csv" else "table", answer.variables, safe=safe, width=width
    )


def board_blocks(board: dict[str, Any]) -> list[tuple[str, list[Row]]]:
    """Lay a board's answer (`Questions.board`) out as titled blocks of rows, each row saying its part.

    CSV writes the blocks' rows as one table, the ``part`` column telling them apart.
    """
    meets = board["meets"] or "not stated"
    if board["meets"] and board["meets_days"] is None:
        meets += " (names no interval)"
    elif board["meets_days"] is not None:
        meets += f" (every {board['meets_days']} days)"
    summary = [
        {"part": "board", "name": board["label"], "kind": board["kind"], "meets": meets,
         "chair": ", ".join(board["chairs"]) or "none named", "register": board["register"]}
    ]  # fmt: skip
    members = [
        {"part": "member", "person": m["person"], "role": m["role"], "as written": m["role_text"],
         "organisation": m["organisation"], "post": ", ".join(m["posts"]), "quote": m["quote"]}
        for m in board["members"]
    ]  # fmt: skip
    lines = [
        {"part": direction, "direction": direction, "other board": line["board"], "modality": line["modality"], "quote": line["quote"]}
        for direction, key in (("reports to", "reports_to"), ("reported to by", "reported_to_by"))
        for line in board[key]
    ]  # fmt: skip
    oversees = [
        {"part": "oversees", "via": group["via"], "through": group["through"],
         "actions": ", ".join(group["actions"]),
         "statuses": _counted(group["statuses"])}
        for group in board["oversees"]
    ]  # fmt: skip
    by_plan = [
        {"part": "oversees by plan", "plan": group["plan"] or "(part of no plan)", "via": group["via"],
         "actions": ", ".join(group["actions"]), "statuses": _counted(group["statuses"])}
        for group in board["by_plan"]
    ]  # fmt: skip
    rollup = [
        {"part": "status counts", "via": via, "statuses": _counted(counts)}
        for via, counts in board["rollup"].items()
    ]
    gaps = [
        {"part": "gap", "rule": gap["rule"], "severity": gap["severity"], "ref": gap["ref"],
         "message": gap["message"], "quote": gap["quote"]}
        for gap in board["gaps"]
    ]  # fmt: skip
    return [
        (board["label"], summary),
        ("Chair and members", members),
        ("Reporting lines", lines),
        ("Oversees", oversees),
        ("Oversees, by plan (up the reporting lines too)", by_plan),
        ("Status counts, by path kind", rollup),
        ("Gaps", gaps),
    ]


def _counted(statuses: dict[str, int]) -> str:
    """Word status counts as a table shows them.

    >>> _counted({"Amber": 2, "Green": 1})
    'Amber 2, Green 1'
    """
    return ", ".join(f"{label} {count}" for label, count in statuses.items())
