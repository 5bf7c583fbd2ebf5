"""Whole commands, as users run them: cold (empty cache), warm (cache made), and on rdflib's engine.

Run: .venv/bin/python benchmarks/commands.py [--sizes 1 10 153] [--runs 3] [--limit 300]

For each size, `sendgraph synth` writes the areas. Each command then runs as its own
process: once on an empty cache ("cold": every area is built and the store loaded,
and the first whole-graph questions are answered area by area and kept), then
``--runs`` times on the cache it made ("warm", the median is shown), then with
``--store rdflib`` (which builds the graph every time, as every command did before
the cache, and asks rdflib's engine). A run past ``--limit`` seconds is stopped and
shown as "> limit". Peak memory is the most the command's processes (it and the
workers it starts) held at once, sampled every 20 ms.

A second table times `sendgraph build AREAS -f nq` as a whole process against
pyoxigraph bulk-loading the file it wrote, in the same run, with the build's peak
memory. Prints Markdown tables for docs/performance.md.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.server import child_pids, rss_kb

SENDGRAPH = str(Path(sys.executable).parent / "sendgraph")
COMMANDS = {
    "xref": ["xref", "SEND 4", "--area", "area-001"],
    "oversight": ["oversight", "SEND 4", "--area", "area-001"],
    "trace": ["trace", "SEND 4", "--area", "area-001"],
    "gaps": ["gaps"],
    "owner": ["owner", "Lee Quarry"],
}


def tree_rss(pid: int) -> int:
    """Return the resident memory, in kB, of ``pid`` and every process under it."""
    return rss_kb(pid) + sum(tree_rss(child) for child in child_pids(pid))


def timed(args: list[str], env: dict[str, str], limit: float) -> tuple[float | None, int]:
    """Run ``sendgraph args`` to the end; return its wall-clock seconds (None past ``limit``) and peak kB."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [SENDGRAPH, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        if time.perf_counter() - start > limit:
            process.kill()
            process.wait()
            return None, peak
        time.sleep(0.02)
    return time.perf_counter() - start, peak


def shown(seconds: float | None, limit: float, digits: int = 1) -> str:
    return f"> {limit:.0f}" if seconds is None else f"{seconds:.{digits}f}"


def measure(size: int, runs: int, limit: float, work: Path) -> tuple[list[str], str]:
    """Return the command rows and the build row for ``size`` areas."""
    data = work / f"england-{size}"
    subprocess.run([SENDGRAPH, "synth", "--areas", str(size), "-o", str(data)], check=True, capture_output=True)  # fmt: skip
    rows = []
    for name, args in COMMANDS.items():
        cache = work / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        env = os.environ | {"SENDGRAPH_CACHE": str(cache)}
        full = [*args, "--data", str(data), "-f", "json"]
        cold, _ = timed(full, env, limit)
        warm_runs = [timed(full, env, limit) for _ in range(runs)]
        warm = statistics.median(t or limit for t, _ in warm_runs)
        peak = max(p for _, p in warm_runs)
        rdflib, _ = timed([*full, "--store", "rdflib"], env, limit)
        ratio = f"{rdflib / warm:.0f}x" if rdflib is not None else f"> {limit / warm:.0f}x"
        rows.append(
            f"| {size} | {name} | {shown(cold, limit)} | {warm:.2f} | {peak / 1024:.0f} | "
            f"{shown(rdflib, limit)} | {ratio} |"
        )
    out = work / f"england-{size}.nq"
    built, peak = timed(["build", str(data), "-f", "nq", "-o", str(out)], dict(os.environ), limit)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import sys, pyoxigraph as ox; ox.Store().bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)", str(out)],
        check=True,
    )  # fmt: skip
    loaded = time.perf_counter() - start
    quads = sum(1 for _ in out.open("rb"))
    ratio = f"{built / loaded:.1f}x" if built is not None else "-"
    build_row = f"| {size} | {quads:,} | {shown(built, limit)} | {loaded:.1f} | {ratio} | {peak / 1024:.0f} |"
    return rows, build_row


def main() -> None:
    """Measure each size and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 153])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=float, default=300.0)
    options = parser.parse_args()
    builds = []
    print("| areas | command | cold s | warm s | warm peak MiB | rdflib s | rdflib ÷ warm |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as work:
        for size in options.sizes:
            rows, build_row = measure(size, options.runs, options.limit, Path(work))
            for row in rows:
                print(row, flush=True)
            builds.append(build_row)
    print()
    print(
        "| areas | quads | build -f nq s | pyoxigraph bulk load s | build ÷ load | build peak MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for row in builds:
        print(row)


if __name__ == "__main__":
    main()
