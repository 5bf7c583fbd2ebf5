"""A bounded load test of `sendgraph serve` on loopback: concurrent clients, a fixed number of queries.

Run: .venv/bin/python benchmarks/serve_load.py [--clients 8] [--queries 25] [--hostile]

Starts the server on 127.0.0.1 on a free port, sends ``--clients`` x ``--queries``
requests (SPARQL and named questions, in turn), prints p50/p95/max latency and the
error count, and stops the server by its PID.

With ``--hostile`` the server runs with a 2 s query timeout and a 2 s client timeout,
and while the ordinary clients run, hostile ones keep at it: slow clients (silent, or
trickling their headers), oversized or malformed requests, and pathological queries.
A second table counts each kind's answers by status, with the server's peak memory.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.server import child_pids, exchange, executable, free_port, read_all, rss_kb, running

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


def _post(body: bytes, length: int | None = None, extra: str = "") -> bytes:
    declared = "" if length is None else f"Content-Length: {length}\r\n"
    head = (
        f"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\n{declared}{extra}\r\n"
    )
    return head.encode() + body


def _silent(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        return read_all(sock, time.monotonic()).status


def _trickling(port: int) -> int:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(0.5)
        for byte in b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n":
            try:
                sock.sendall(bytes([byte]))
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except TimeoutError:
                continue
            except OSError:
                break
        return read_all(sock, started).status


CROSS_SORTED = b"SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
DEEP_PATH = b"SELECT * WHERE { ?s ((<x:p>|!<x:p>)*)* ?o } ORDER BY ?s"
# Each kind of hostile client: a name and one attempt, returning the status it was answered.
HOSTILE: list[tuple[str, Callable[[int], int]]] = [
    ("silent connection", _silent),
    ("headers a byte at a time", _trickling),
    ("body over 1 MB", lambda port: exchange(port, _post(b"x" * (2 << 20), 2 << 20)).status),
    ("URL over 64 KB", lambda port: exchange(port, f"GET /sparql?query={'a' * (70 << 10)} HTTP/1.1\r\n\r\n".encode()).status),
    ("101 headers", lambda port: exchange(port, b"GET / HTTP/1.1\r\n" + b"X: 1\r\n" * 101 + b"\r\n").status),
    ("chunked body", lambda port: exchange(port, _post(b"0\r\n\r\n", extra="Transfer-Encoding: chunked\r\n")).status),
    ("Content-Length lie", lambda port: exchange(port, _post(b"ASK {", 10)).status),
    ("sorted cross join", lambda port: exchange(port, _post(CROSS_SORTED, len(CROSS_SORTED))).status),
    ("deep property path", lambda port: exchange(port, _post(DEEP_PATH, len(DEEP_PATH))).status),
]  # fmt: skip


def hostile_load(port: int, pid: int, stop: threading.Event) -> tuple[dict[str, Counter[int]], int]:
    """Run every hostile kind over and over until ``stop``; return answers by kind and peak RSS in kB."""
    answers: dict[str, Counter[int]] = {name: Counter() for name, _ in HOSTILE}
    peak = [0]

    def keep_at(name: str, attempt: Callable[[int], int]) -> None:
        while not stop.is_set():
            try:
                answers[name][attempt(port)] += 1
            except OSError:
                answers[name][0] += 1

    def sample() -> None:
        while not stop.is_set():
            own = rss_kb(pid) + sum(rss_kb(child) for child in child_pids(pid))
            peak[0] = max(peak[0], own)
            time.sleep(0.05)

    # Three of each slow client, one of each other kind, all at once.
    kinds = HOSTILE[:2] * 3 + HOSTILE[2:]
    threads = [threading.Thread(target=keep_at, args=kind) for kind in kinds]
    threads.append(threading.Thread(target=sample))
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join()
    return answers, peak[0]


def main() -> None:
    """Run the load and print one Markdown row (and, with --hostile, the hostile clients' table)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--queries", type=int, default=25)
    parser.add_argument("--hostile", action="store_true", help="mix in hostile clients")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [executable("sendgraph"), "serve", "--port", str(port)]
    if args.hostile:
        command += ["--timeout", "2", "--client-timeout", "2"]
    with running(command, base) as process:
        idle = rss_kb(process.pid)
        stop = threading.Event()
        hostile: list[tuple[dict[str, Counter[int]], int]] = []
        if args.hostile:
            runner = threading.Thread(
                target=lambda: hostile.append(hostile_load(port, process.pid, stop))
            )
            runner.start()
            time.sleep(1.0)  # the hostile clients are at it before the ordinary ones start

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
        stop.set()
        if args.hostile:
            runner.join()
    times = sorted(t for t in results if t is not None)
    errors = sum(1 for t in results if t is None)
    p95 = times[int(0.95 * (len(times) - 1))]
    print("| clients | requests | errors | p50 ms | p95 ms | max ms | requests/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.clients} | {len(results)} | {errors} | {statistics.median(times) * 1000:.0f} | "
        f"{p95 * 1000:.0f} | {times[-1] * 1000:.0f} | {len(results) / wall:.1f} |"
    )
    if hostile:
        answers, peak = hostile[0]
        print()
        print("| hostile client | attempts | answers by status |")
        print("|---|---:|---|")
        for name, counts in answers.items():
            shown = ", ".join(f"{status or 'closed'}: {n}" for status, n in sorted(counts.items()))
            print(f"| {name} | {sum(counts.values())} | {shown} |")
        print()
        print(
            f"Server memory (RSS, with its query processes): idle {idle / 1024:.0f} MB, "
            f"peak {peak / 1024:.0f} MB."
        )


if __name__ == "__main__":
    main()
