"""England scale: build time, peak memory and question latency at 1, 10 and 153 areas, on both stores.

Run: .venv/bin/python benchmarks/scale.py [--sizes 1 10 153] [--years 1] [--limit 120]

Each size and store runs in its own process, so peak memory (maximum resident set) is
that run's alone. Questions are the bundled queries behind the named commands; those
about one item are bound to area-001's. A query still running after ``--limit`` seconds
is stopped and shown as "> limit". Queries run in the process, as the commands run
the bundled ones, not in the forked child that guards users' own queries.
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = {
    # name: (bundled query, variable to bind, the area-001 node it is bound to)
    "oversight SEND 4": ("oversight", "action", "action/send-4"),
    "xref SEND 4": ("citations", "code", "action/send-4"),
    "owner (area-001 person-1)": ("responsibilities", "person", "person/person-1"),
    "slippage": ("target-dates", None, None),
    "overdue": ("status-dates", None, None),
}


class Overrun(Exception):
    """A query ran past the time limit."""


def run_one(folder: str, store: str, limit: float) -> dict[str, object]:
    """Build ``folder`` and time every question on ``store``; return the figures."""
    from rdflib import URIRef

    from sendgraph.ask.gaps import bundled_rules
    from sendgraph.ask.questions import query_text
    from sendgraph.ask.sparql import QueryStore
    from sendgraph.graph.build import build_areas

    figures: dict[str, object] = {}
    start = time.perf_counter()
    built = build_areas(folder)
    figures["build s"] = time.perf_counter() - start
    figures["triples"] = len(built.graph)
    start = time.perf_counter()
    queries = QueryStore(built.graph, store)
    figures["load s"] = time.perf_counter() - start
    base = "https://w3id.org/sendgraph/id/area-001/"

    def timed(text: str, bindings: dict[str, URIRef]) -> float | None:
        # In this process, as the commands run bundled queries; a timer stops the slow ones
        # (rdflib's engine is Python, so the alarm lands mid-query).
        def stop(_signum: int, _frame: object) -> None:
            raise Overrun

        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, limit)
        begin = time.perf_counter()
        try:
            queries.run(text, bindings, timeout=None, trusted=True, row_cap=10**8).records()
        except Overrun:
            return None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return time.perf_counter() - begin

    for name, (query, variable, node) in QUESTIONS.items():
        bindings = {variable: URIRef(base + node)} if variable and node else {}
        figures[name] = timed(query_text(query), bindings)
    begin = time.perf_counter()
    total: float | None = 0.0
    for rule in bundled_rules():
        spent = timed(rule.query, {})
        total = None if spent is None or total is None else total + spent
        if total is None:
            break
    figures["gaps (13 rules)"] = total if total is None else time.perf_counter() - begin
    figures["peak MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def ratios(measured: dict[str, dict[str, object]], columns: list[str]) -> str:
    """Return the row of rdflib's figure over oxigraph's for each column ("> 100x" past the limit)."""
    cells = []
    for name in columns:
        fast, slow = measured["oxigraph"][name], measured["rdflib"][name]
        if not isinstance(fast, float) or fast <= 0:
            cells.append("")
        elif slow is None:
            cells.append("> limit")
        else:
            assert isinstance(slow, float)
            cells.append(f"{slow / fast:.1f}x")
    return " | ".join(cells)


def main() -> None:
    """Synthesise each size once, run both stores in separate processes, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 153])
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--limit", type=float, default=120.0)
    parser.add_argument("--one", nargs=2, metavar=("FOLDER", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.limit)))
        return
    from sendgraph.read.synth import synthesise

    columns = ["build s", "peak MiB", *QUESTIONS, "gaps (13 rules)"]
    print("| areas | triples | store | " + " | ".join(columns) + " |")
    print("|---:|---:|---|" + "---:|" * len(columns))
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            folder = Path(scratch) / f"areas-{size}"
            synthesise(folder, size, args.years)
            measured: dict[str, dict[str, object]] = {}
            for store in ("oxigraph", "rdflib"):
                out = subprocess.run(
                    [sys.executable, __file__, "--limit", str(args.limit), "--one", str(folder), store],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                figures = json.loads(out.stdout.strip().splitlines()[-1])
                measured[store] = figures

                def cell(name: str, figures: dict[str, object] = figures) -> str:
                    value = figures[name]
                    if value is None:
                        return f"> {args.limit:g}"
                    return (
                        f"{value:.0f}"
                        if name == "peak MiB"
                        else f"{value:.3f}"
                        if name != "build s"
                        else f"{value:.1f}"
                    )

                row = " | ".join(cell(name) for name in columns)
                print(f"| {size} | {figures['triples']:,} | {store} | {row} |", flush=True)
            print(f"| {size} | | rdflib ÷ oxigraph | {ratios(measured, columns)} |", flush=True)


if __name__ == "__main__":
    main()
