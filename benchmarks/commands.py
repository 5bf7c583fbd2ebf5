"""Whole commands, as users run them: cold (empty cache), warm (cache made), and on rdflib's engine.

Run: .venv/bin/python benchmarks/commands.py [--sizes 1 10 20] [--runs 3]

For each size, `sendgraph synth` writes the areas; each command then runs as its own
process: once on an empty cache ("cold": every area is built and the store loaded),
then ``--runs`` times on the cache it made ("warm", the median is shown), then with
``--store rdflib`` (which builds the graph every time, as every command did before the
cache). Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENDGRAPH = str(Path(sys.executable).parent / "sendgraph")
COMMANDS = {
    "xref": ["xref", "SEND 4", "--area", "area-001"],
    "oversight": ["oversight", "SEND 4", "--area", "area-001"],
    "trace": ["trace", "SEND 4", "--area", "area-001"],
    "gaps": ["gaps"],
    "owner": ["owner", "Lee Quarry"],
}


def timed(args: list[str], env: dict[str, str]) -> float:
    """Run ``sendgraph args`` to the end; return its wall-clock seconds."""
    start = time.perf_counter()
    subprocess.run([SENDGRAPH, *args], env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def measure(size: int, runs: int, work: Path) -> list[str]:
    """Return the table rows for ``size`` areas."""
    data = work / f"england-{size}"
    subprocess.run([SENDGRAPH, "synth", "--areas", str(size), "-o", str(data)], check=True, capture_output=True)  # fmt: skip
    rows = []
    for name, args in COMMANDS.items():
        cache = work / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        env = os.environ | {"SENDGRAPH_CACHE": str(cache)}
        full = [*args, "--data", str(data), "-f", "json"]
        cold = timed(full, env)
        warm = statistics.median(timed(full, env) for _ in range(runs))
        rdflib = timed([*full, "--store", "rdflib"], env)
        rows.append(
            f"| {size} | {name} | {cold:.1f} | {warm:.2f} | {rdflib:.1f} | {rdflib / warm:.0f}x |"
        )
    return rows


def main() -> None:
    """Measure each size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 20])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print("| areas | command | cold s | warm s | rdflib s | rdflib ÷ warm |")
    print("|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as work:
        for size in options.sizes:
            for row in measure(size, options.runs, Path(work)):
                print(row, flush=True)


if __name__ == "__main__":
    main()
