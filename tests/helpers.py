"""Helpers the tests share: editing a copy of the data tables, and the import fixtures' folders."""

from __future__ import annotations

import csv
from pathlib import Path

# Councils' spreadsheets written from the import template, with their mappings.
IMPORT_FIXTURES = Path(__file__).parent / "fixtures" / "import"
JOINT = IMPORT_FIXTURES / "joint-commissioning"
WSOA = IMPORT_FIXTURES / "wsoa"


def edit(folder: Path, name: str, ref_column: str, key: str, /, **changes: str) -> int:
    """Change cells of the first row whose ``ref_column`` is ``key``; return its spreadsheet row."""
    path = folder / f"{name}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = 0
    for number, row in enumerate(rows, start=2):
        if row[ref_column] == key and not found:
            row.update(changes)
            found = number
    assert found, f"{key} not in {name}"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return found


def drop_rows(path: Path, column: str, value: str) -> int:
    """Rewrite the CSV file ``path`` without the rows whose ``column`` is ``value``; return how many went."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = [r for r in rows if r[column] != value]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    return len(rows) - len(kept)


def insert_first_row(path: Path, **cells: str) -> None:
    """Rewrite the CSV file ``path`` with a new first data row (right under the header) of ``cells``."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    assert set(cells) <= set(columns), f"{sorted(set(cells) - set(columns))} not in {path.name}"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows([{c: cells.get(c, "") for c in columns}, *rows])
