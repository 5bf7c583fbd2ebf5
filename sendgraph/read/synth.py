"""Synthetic areas for scale tests: realistic data folders in the same format as data/.

Each area is the bundled Rotherham data reshaped: its own invented people, who own the
actions in shared, uneven measure; the same boards and reporting chains; a plan per year
whose target dates are revised one to three times; the same cross-references, defined
and undefined; and peer challenge findings of which some have no answering action. No
real person's name is used outside the bundled data.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from sendgraph.base.files import write_atomically
from sendgraph.base.resources import bundled_data

FIRST = ["Alex", "Sam", "Jo", "Chris", "Pat", "Lee", "Kim", "Robin", "Jamie", "Morgan", "Ashley", "Taylor",
         "Jordan", "Casey", "Drew", "Avery", "Quinn", "Riley", "Sasha", "Toni"]  # fmt: skip
LAST = ["Ashdown", "Brook", "Carver", "Dale", "Ellis", "Fenwick", "Garth", "Hale", "Ingram", "Jessop", "Kerr",
        "Lowe", "Marsh", "Noble", "Orme", "Pryce", "Quarry", "Royle", "Shaw", "Thorne"]  # fmt: skip
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]
STATUSES = (
    ["On track"] * 5 + ["Completed"] * 4 + ["Behind Schedule"] * 2 + ["Completed*", "Progressing"]
)


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    text = bundled_data().joinpath(f"{name}.csv").read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def _write(folder: Path, name: str, columns: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    write_atomically(folder / f"{name}.csv", buffer.getvalue().encode("utf-8-sig"))


def synthesise_area(folder: Path, number: int, years: int, seed: int = 2017) -> Path:
    """Write one synthetic area's data files into ``folder``; return it."""
    rng = random.Random(seed * 1000 + number)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        p.name.removesuffix(".csv"): _read(p.name.removesuffix(".csv"))
        for p in bundled_data().iterdir()
        if p.name.endswith(".csv")
    }

    people_columns, people = tables["people"]
    names = rng.sample([f"{f} {s}" for f in FIRST for s in LAST], 30)
    invented = [
        {"id": f"person-{i + 1}", "name": name, "initials": "", "aliases": "", "document": "rotherham-ccg-send-update-2017",
         "section": "synthetic", "note": ""}
        for i, name in enumerate(names)
    ]  # fmt: skip
    reviewers = [
        p
        for p in people
        if p["document"] == "rotherham-send-peer-challenge-2020" and p["section"] == "1.4"
    ]
    _write(folder, "people", people_columns, invented + reviewers)
    posts_columns, posts = tables["posts"]
    _write(folder, "posts", posts_columns,
           [{"person": p["id"], "post": rng.choice(["Head of Service", "Service Manager", "Team Manager", "Commissioning Manager"]),
             "organisations": rng.choice(["rmbc", "rotherham-ccg", "rmbc\nrotherham-ccg"]),
             "document": "rotherham-ccg-send-update-2017", "section": "synthetic", "note": ""} for p in invented]
           + [p for p in posts if p["person"] in {r["id"] for r in reviewers}])  # fmt: skip
    # A few people own most of the work, as in real plans.
    weights = [1 / (rank + 1) for rank in range(len(names))]

    def owner() -> str:
        chosen = rng.choices(names, weights=weights, k=rng.choice([1, 1, 1, 2]))
        cell = " / ".join(dict.fromkeys(chosen))
        return cell + (f" ({rng.choice(names)})" if rng.random() < 0.15 else "")

    action_columns, actions = tables["actions"]
    rows = []
    for year in range(1, years + 1):
        for base in actions:
            row = dict(base)
            if year > 1:
                row["ref"] = f"{base['ref']} Y{year}"
            if base["owner"]:
                row["owner"] = owner()
            if base["target_date"]:
                start = rng.randrange(0, 24)
                revisions = rng.choice([1, 1, 1, 2, 2, 3])
                months = [
                    start + sum(rng.randrange(1, 7) for _ in range(k)) for k in range(revisions)
                ]
                row["target_date"] = "\n".join(
                    f"{MONTHS[m % 12]} {16 + year + m // 12:02d}" for m in months
                )
            if base["status"]:
                row["status"] = rng.choice(STATUSES)
            rows.append(row)
    _write(folder, "actions", action_columns, rows)

    priority_columns, priorities = tables["priorities"]
    _write(
        folder,
        "priorities",
        priority_columns,
        [dict(p, lead_officer=rng.choice(names) if p["lead_officer"] else "") for p in priorities],
    )
    version_columns, versions = tables["versions"]
    _write(
        folder,
        "versions",
        version_columns,
        [dict(v, amended_by=rng.choice(names)) for v in versions],
    )
    challenge_columns, challenge = tables["peer_challenge"]
    _write(folder, "peer_challenge", challenge_columns,
           [dict(c, identified_action="" if rng.random() < 0.2 else c["identified_action"]) for c in challenge])  # fmt: skip
    for name in (
        "documents",
        "organisations",
        "boards",
        "plans",
        "reviews",
        "statuses",
        "ccg_gaps",
        "governance",
    ):
        _write(folder, name, *tables[name])
    return folder


def synthesise(out: Path, areas: int, years: int = 1, seed: int = 2017) -> list[Path]:
    """Write ``areas`` synthetic areas of ``years`` plans each under ``out``; return their folders."""
    return [synthesise_area(out / f"area-{n:03d}", n, years, seed) for n in range(1, areas + 1)]
