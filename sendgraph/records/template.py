"""A blank action plan to fill in, and the example mapping that reads it.

`sendgraph template` writes both into a folder: the plan as CSV (UTF-8 with a
byte-order mark, as Excel saves "CSV UTF-8") or as an XLSX workbook, with one column
for each key of the mapping's ``columns:``, and ``plan.mapping.yaml``, whose comments
explain every key. Once rows are filled in, the folder imports as it is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sendgraph.base.errors import UsageError
from sendgraph.base.files import write_atomically

TEMPLATE_FORMATS = ("csv", "xlsx")
MAPPING_NAME = "plan.mapping.yaml"


def example_mapping() -> str:
    """Return the text of the example mapping, comments and all."""
    return (
        resources.files("sendgraph").joinpath("templates", MAPPING_NAME).read_text(encoding="utf-8")
    )


def template_columns() -> list[str]:
    """Return the template's column headers: the example mapping's columns, in order."""
    import yaml

    columns = yaml.safe_load(example_mapping())["columns"]
    return [str(name) for name in columns.values()]


def write_template(folder: Path, fmt: str = "csv") -> list[Path]:
    """Write a blank plan (``plan.csv`` or ``plan.xlsx``) and its example mapping into ``folder``.

    Nothing is overwritten: if either file exists, `UsageError` says which.
    """
    if fmt not in TEMPLATE_FORMATS:
        raise UsageError(f"{fmt!r} is not a template format; use {' or '.join(TEMPLATE_FORMATS)}.")
    plan = folder / f"plan.{fmt}"
    mapping = folder / MAPPING_NAME
    existing = [str(p) for p in (plan, mapping) if p.exists()]
    if existing:
        raise UsageError(
            f"{' and '.join(existing)} already exist; choose another folder with -o, so nothing is overwritten."
        )
    columns = template_columns()
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(columns)
        write_atomically(plan, buffer.getvalue().encode("utf-8-sig"))
    else:
        import io

        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Action plan"
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        workbook = io.BytesIO()  # saved in memory: openpyxl would otherwise use a temporary file
        book.save(workbook)
        write_atomically(plan, workbook.getvalue())
    write_atomically(
        mapping, example_mapping().replace("file: plan.csv", f"file: plan.{fmt}").encode("utf-8")
    )
    return [plan, mapping]
