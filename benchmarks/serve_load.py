"""A bounded load test of `sendgraph serve` on loopback: concurrent clients, a fixed number of queries.

Run: .venv/bin/python benchmarks/serve_load.py [--clients 8] [--queries 25]

Starts the server on 127.0.0.1 on a free port, sends ``--clients`` x ``--queries``
requests (SPARQL and named questions, in turn), prints p50/p95/max latency and the
error count, and stops the server by its PID.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.server import executable, free_port, running

REQUESTS = [
    "sparql?query="
    + urllib.parse.quote(
        "SELECT ?ref ?owner WHERE { ?a sg:owner/rdfs:label ?owner ; skos:notation ?ref }"
    ),
    "questions/oversight?ref=SEND%204",
    "sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
    "questions/xref?code=SEND%204",
    "questions/overdue",
]


def main() -> None:
    """Run the load and print one Markdown row."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--queries", type=int, default=25)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with running([executable("sendgraph"), "serve", "--port", str(port)], base):

        def client(number: int) -> list[float | None]:
            spent: list[float | None] = []
            for index in range(args.queries):
                url = base + REQUESTS[(number + index) % len(REQUESTS)]
                start = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=60) as response:
                        response.read()
                    spent.append(time.perf_counter() - start)
                except OSError as error:
                    print(f"error: {url}: {error}", file=sys.stderr)
                    spent.append(None)
            return spent

        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = [t for batch in pool.map(client, range(args.clients)) for t in batch]
        wall = time.perf_counter() - started
    times = sorted(t for t in results if t is not None)
    errors = sum(1 for t in results if t is None)
    p95 = times[int(0.95 * (len(times) - 1))]
    print("| clients | requests | errors | p50 ms | p95 ms | max ms | requests/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.clients} | {len(results)} | {errors} | {statistics.median(times) * 1000:.0f} | "
        f"{p95 * 1000:.0f} | {times[-1] * 1000:.0f} | {len(results) / wall:.1f} |"
    )


if __name__ == "__main__":
    main()
