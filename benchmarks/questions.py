"""Time each named question as a whole process on the bundled Rotherham graph.

Run: .venv/bin/python benchmarks/questions.py [--repeat 5]

Each command is started afresh (interpreter start, imports, building the graph from
the CSV files, loading the fast store, answering), as a user runs it. Prints a
Markdown table of the median and worst wall-clock seconds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = [
    ["oversight", "SEND 4"],
    ["trace", "PR 14"],
    ["trace", "PC 1.2"],
    ["xref", "SEND 4"],
    ["owner", "Jackie Parkin"],
    ["slippage"],
    ["overdue"],
    ["gaps"],
    ["analyse"],
    ["view", "-o", "build/benchmark-view.html"],
    ["recurring"],
    ["themes", "PR 4"],
    ["report", "-o", "build/benchmark-report.html"],
    ["owner", "ICB", "--data", "tests/fixtures/import/joint-commissioning"],
    [
        "import",
        "tests/fixtures/import/wsoa/wsoa.xlsx",
        "--mapping",
        "tests/fixtures/import/wsoa/wsoa.mapping.yaml",
        "-o",
        "-",
    ],
    ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
    ["build", "--no-validate", "-o", "-"],
    ["build", "-o", "-"],
]


def main() -> None:
    """Run every command ``--repeat`` times and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    executable = shutil.which("sendgraph", path=str(Path(sys.executable).parent)) or "sendgraph"
    print(f"| command | median s | worst s |  (n = {args.repeat})")
    print("|---|---:|---:|")
    for command in COMMANDS:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run([executable, *command], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        shown = " ".join(f'"{part}"' if " " in part else part for part in command)
        print(f"| `sendgraph {shown}` | {statistics.median(times):.2f} | {max(times):.2f} |")


if __name__ == "__main__":
    main()
