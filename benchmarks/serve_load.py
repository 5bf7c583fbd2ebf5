"""A bounded load test of `sendgraph serve` on loopback: concurrent clients, a fixed number of queries.

Run: .venv/bin/python benchmarks/serve_load.py [--clients 8] [--queries 25] [--hostile | --mixed] [--data DIR]

Starts the server on 127.0.0.1 on a free port, sends ``--clients`` x ``--queries``
requests (SPARQL and named questions, in turn), prints p50/p95/max latency and the
error count, and stops the server by its PID. With ``--data`` (a folder of areas, as
`sendgraph synth` writes) the server serves those areas from the cache (warmed by one
start first), the named questions name area-001's items (``area-001:SEND 4``), and a
line gives the server's start-up time and memory, idle and at its peak under the load.

With ``--hostile`` the server runs with a 2 s query timeout and a 2 s client timeout,
and while the ordinary clients run, hostile ones keep at it: slow clients (silent, or
trickling their headers), oversized or malformed requests, and pathological queries.
A second table counts each kind's answers by status, with the server's peak memory.

With ``--mixed`` half the clients loop on the heaviest named question (/questions/gaps)
and half on a SPARQL query, for ``--seconds``; a table gives each group's answers by
status and p50/p95 latency, so a starved group shows.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
import urllib.error
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
    head = f"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n{declared}{extra}\r\n"
    return head.encode() + body


def _silent(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        return read_all(sock, time.monotonic()).status


def _trickling(port: int) -> int:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(0.5)
        for byte in b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\n":
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


MIXED = {
    "named question /questions/gaps": "questions/gaps",
    "SPARQL query": REQUESTS[0],
}


def mixed_load(base: str, clients: int, seconds: float) -> dict[str, list[tuple[int, float]]]:
    """Loop ``clients`` clients (half per group of `MIXED`) for ``seconds``; return (status, seconds) by group."""
    answers: dict[str, list[tuple[int, float]]] = {name: [] for name in MIXED}
    stop = time.monotonic() + seconds

    def loop(name: str) -> None:
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(base + MIXED[name], timeout=120) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            answers[name].append((status, time.perf_counter() - start))

    names = [name for name in MIXED for _ in range(max(1, clients // 2))]
    with ThreadPoolExecutor(len(names)) as pool:
        list(pool.map(loop, names))
    return answers


def print_mixed(answers: dict[str, list[tuple[int, float]]], clients: int, seconds: float) -> None:
    """Print one row per group of the mixed load."""
    print(f"{clients} clients for {seconds:g} s, half on each:")
    print()
    print("| clients asking | answers by status | p50 ms (200s) | p95 ms (200s) |")
    print("|---|---|---:|---:|")
    for name, replies in answers.items():
        counts = Counter(status for status, _ in replies)
        shown = ", ".join(f"{status or 'closed'}: {n}" for status, n in sorted(counts.items()))
        times = sorted(spent for status, spent in replies if status == 200)
        p50 = f"{statistics.median(times) * 1000:.0f}" if times else "-"
        p95 = f"{times[int(0.95 * (len(times) - 1))] * 1000:.0f}" if times else "-"
        print(f"| {name} | {shown} | {p50} | {p95} |")


def load(
    base: str, requests: list[str], clients: int, queries: int, timeout: float
) -> list[float | None]:
    """Send ``clients`` x ``queries`` requests, each client taking ``requests`` in turn; return each one's seconds (None: failed)."""

    def client(number: int) -> list[float | None]:
        spent: list[float | None] = []
        for index in range(queries):
            url = base + requests[(number + index) % len(requests)]
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    response.read()
                spent.append(time.perf_counter() - start)
            except OSError as error:
                print(f"error: {url}: {error}", file=sys.stderr)
                spent.append(None)
        return spent

    with ThreadPoolExecutor(clients) as pool:
        return [t for batch in pool.map(client, range(clients)) for t in batch]


def main() -> None:
    """Run the load and print one Markdown row (and, with --hostile, the hostile clients' table)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--queries", type=int, default=25)
    parser.add_argument("--hostile", action="store_true", help="mix in hostile clients")
    parser.add_argument(
        "--mixed", action="store_true", help="named-question clients against SPARQL clients"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the --mixed run")
    parser.add_argument("--data", type=Path, help="a folder of areas to serve")
    args = parser.parse_args()
    if args.data:
        scale_load(args)
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [executable("sendgraph"), "serve", "--port", str(port)]
    if args.hostile:
        command += ["--timeout", "2", "--client-timeout", "2"]
    if args.mixed:
        with running(command, base):
            answers = mixed_load(base, args.clients, args.seconds)
        print_mixed(answers, args.clients, args.seconds)
        return
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

        started = time.perf_counter()
        results = load(base, REQUESTS, args.clients, args.queries, timeout=60)
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


AREA_REQUESTS = [
    "sparql?query="
    + urllib.parse.quote(
        "SELECT ?ref ?owner WHERE { <https://w3id.org/sendgraph/id/area-001/action/send-4> "
        "sg:owner/rdfs:label ?owner ; skos:notation ?ref }"
    ),
    "questions/oversight?ref=" + urllib.parse.quote("area-001:SEND 4"),
    "questions/xref?code=" + urllib.parse.quote("area-001:SEND 4"),
    "questions/owner?name=" + urllib.parse.quote("Lee Quarry"),
    "questions/gaps",
]


def scale_load(args: argparse.Namespace) -> None:
    """Serve a folder of areas from the cache and print start-up, memory and latency under load."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [executable("sendgraph"), "serve", "--port", str(port), "--data", str(args.data)]
    with running(command, base, seconds=900):
        pass  # the first start builds the cache; the one measured reuses it
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [executable("sendgraph"), "serve", "--port", str(port), "--data", str(args.data)]
    started = time.perf_counter()
    with running(command, base, seconds=900) as process:
        startup = time.perf_counter() - started
        idle = tree_kb(process.pid)
        peak = [idle]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak.append(tree_kb(process.pid))

        sampler = threading.Thread(target=sample)
        sampler.start()

        results = load(base, AREA_REQUESTS, args.clients, args.queries, timeout=120)
        done.set()
        sampler.join()
    times = sorted(t for t in results if t is not None)
    errors = sum(1 for t in results if t is None)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        "| areas | start-up s | idle MiB | peak MiB | clients | requests | errors | p50 ms | p95 ms | max ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    areas = sum(1 for p in args.data.iterdir() if p.is_dir())
    print(
        f"| {areas} | {startup:.1f} | {idle / 1024:.0f} | {max(peak) / 1024:.0f} | {args.clients} | "
        f"{len(results)} | {errors} | {statistics.median(times) * 1000:.0f} | {p95 * 1000:.0f} | "
        f"{times[-1] * 1000:.0f} |"
    )


def tree_kb(pid: int) -> int:
    """Resident memory of ``pid`` and its query processes, in kB."""
    return rss_kb(pid) + sum(rss_kb(child) for child in child_pids(pid))


if __name__ == "__main__":
    main()
