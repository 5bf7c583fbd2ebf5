"""Block layouts: each action a run of "Label: value" lines under a heading, read into rows.

Some plans are not tables at all: under a heading for each action come lines such as
"Lead: Head of SEND" and "By when: March 2025", in a Word document's paragraphs, a
text file or a Markdown page. Each block becomes one row whose columns are its labels,
so the mapping names columns by label as it would a spreadsheet's header. A line that
is not a label continues the value above it; a new heading, or a label the block
already has, starts the next block. The headings in force are kept by level, so that a
mapping can read them into columns (the area for priority action above the action).
Words outside any block, and labels the mapping does not read, are noted, never lost
without a word.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from sendgraph.base.problems import Problem, Severity
from sendgraph.read.sources import decode, read_input
from sendgraph.read.spreadsheets import Sheet, SheetRow

MAX_TEXT_BYTES = 20 * 1024 * 1024
# A label is a few words, not a sentence: letters first, no full stop or comma before the colon.
_LABEL = re.compile(r"^(?P<label>[^\W\d_][\w ()/&'’?-]{0,47}?)\s*:(?:\s+(?P<value>.*))?$")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MARKDOWN_DECORATION = re.compile(
    r"^(?:[-*+]\s+)?(?:\*\*|__)?(?P<label>[^*_:]+?)(?:\*\*|__)?\s*:(?:\*\*|__)?(?=\s|$)"
)


@dataclass(frozen=True, kw_only=True)
class Line:
    """One line of a document: its number (line or paragraph), words, and heading level if a heading."""

    number: int
    text: str
    level: int | None = None


@dataclass(kw_only=True)
class _Block:
    row: int
    values: dict[str, str] = field(default_factory=dict)
    headings: dict[int, str] = field(default_factory=dict)


def label_of(text: str) -> tuple[str, str] | None:
    """Return (label, value) when a line reads "Label: value", else None.

    >>> label_of("Lead officer: Head of SEND"), label_of("Note that, in 2024: more")
    (('Lead officer', 'Head of SEND'), None)
    >>> label_of("- **By when:** March 2025")
    ('By when', 'March 2025')
    """
    plain = _MARKDOWN_DECORATION.sub(lambda m: f"{m.group('label')}: ", text, count=1)
    match = _LABEL.match(plain.strip())
    if match is None:
        return None
    return " ".join(match.group("label").split()), (match.group("value") or "").strip()


def text_lines(text: str, markdown: bool) -> list[Line]:
    """Split a text or Markdown file into lines; in Markdown, "#" lines are headings.

    In a plain text file a heading is a line on its own after a blank line that is
    followed by a label line, as "Action 1.1" above "Lead: …".
    """
    raw = text.splitlines()
    lines: list[Line] = []
    for index, line in enumerate(raw):
        number = index + 1
        match = _MARKDOWN_HEADING.match(line) if markdown else None
        if match:
            lines.append(Line(number=number, text=match.group(2), level=len(match.group(1))))
            continue
        if not markdown and line.strip() and label_of(line) is None:
            before = raw[index - 1].strip() if index else ""
            after = next((n for n in raw[index + 1 :] if n.strip()), "")
            if not before and label_of(after) is not None:
                lines.append(Line(number=number, text=line.strip(), level=1))
                continue
        lines.append(Line(number=number, text=line))
    return lines


def read_blocks(
    lines: list[Line],
    source: str,
    headings: dict[str, str],
    read_labels: Collection[str],
) -> tuple[Sheet, list[Problem]]:
    """Read lines into a sheet of one row per block.

    ``headings`` names columns for headings in force by level ("2": column name); the
    block's own heading is the deepest in force. ``read_labels`` are the labels the
    mapping reads (folded); any other label is noted once.
    """
    sheet = Sheet(source, "")
    problems: list[Problem] = []
    in_force: dict[int, str] = {}
    blocks: list[_Block] = []
    current: _Block | None = None
    label = ""
    stray: list[Line] = []
    for line in lines:
        text = line.text.strip()
        if line.level is not None:
            if text:
                in_force = {k: v for k, v in in_force.items() if k < line.level}
                in_force[line.level] = text
                current, label = None, ""
            continue
        if not text:
            continue
        found = label_of(text)
        if found is not None:
            name, value = found
            if current is None or name in current.values:
                current = _Block(row=line.number, headings=dict(in_force))
                blocks.append(current)
            current.values[name] = value
            label = name
        elif current is not None and label:
            current.values[label] = "\n".join(v for v in (current.values[label], text) if v)
        else:
            stray.append(line)
    for line in stray:
        problems.append(
            Problem(
                source, line.number, "", Severity.INFO,
                f"is not in any block (no 'Label: value' line above it under its heading); it is not read: {line.text.strip()[:80]!r}.",
            )
        )  # fmt: skip
    columns: dict[str, None] = {}
    for block in blocks:
        columns.update(dict.fromkeys(block.values))
    noted = {" ".join(n.split()).casefold() for n in read_labels}
    for name in columns:
        if name.casefold() not in noted:
            first = next(b for b in blocks if name in b.values)
            problems.append(
                Problem(
                    source, first.row, name, Severity.INFO,
                    f"label {name!r} is not one the mapping reads; its values are not imported.",
                )
            )  # fmt: skip
    sheet.columns = [*columns, *(n for n in headings.values() if n not in columns)]
    for block in blocks:
        values = {name: block.values.get(name, "") for name in columns}
        for level, name in headings.items():
            if level.isdigit() and name not in block.values:
                values[name] = block.headings.get(int(level), "")
        sheet.rows.append(SheetRow(source, block.row, values))
    return sheet, problems


def text_file_lines(
    path: Path, shown: str, encoding: str | None
) -> tuple[list[Line] | None, list[Problem]]:
    """Read a .txt or .md file into lines, or None and why it cannot be read."""
    raw, problems = read_input(path, shown)
    if raw is None:
        return None, problems
    if len(raw) > MAX_TEXT_BYTES:
        return None, [
            Problem(
                shown, 0, "", Severity.ERROR,
                f"is {len(raw):,} bytes; a text file sendgraph reads may be at most {MAX_TEXT_BYTES:,}.",
            )
        ]  # fmt: skip
    text, problems = decode(raw, shown, encoding, save_as="UTF-8")
    if text is None:
        return None, problems
    return text_lines(text, markdown=path.suffix.lower() in (".md", ".markdown")), problems
