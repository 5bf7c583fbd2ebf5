"""Interrupted halfway: a push leaves the target graph as it was, a build leaves the old file whole.

Pushes go through a small TCP proxy on 127.0.0.1 that forwards to a real Oxigraph server
and, at a chosen byte of a chosen request, kills the server or the client (SIGKILL by
PID) or cuts the connection. The store is then (re)started on the same folder and the
target graph compared, as a graph, with what it held before.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from sendgraph.base.errors import PushError
from sendgraph.base.files import stale_temporaries
from sendgraph.cli import main
from sendgraph.graph.build import Build
from sendgraph.serve.push import push
from tests.server import executable, free_port, wait_for

TARGET = "https://example.org/graphs/send"
Where = Callable[[bytes], int | None]


class Store:
    """An Oxigraph server on one folder and port, that can be killed and started again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [executable("oxigraph"), "serve", "--location", str(self.folder),
             "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_for(f"{self.base}/query?query=ASK%7B%7D", self.process)

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()  # closing twice is harmless

    def graph(self, name: str = TARGET) -> Graph:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
        request = urllib.request.Request(
            f"{self.base}/query?query={urllib.parse.quote(query)}",
            headers={"Accept": "application/n-triples"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return Graph().parse(data=response.read().decode("utf-8"), format="nt")

    def names(self) -> set[str]:
        """Every named graph the store lists, empty ones included."""
        query = "SELECT ?g WHERE { GRAPH ?g { } }"
        request = urllib.request.Request(
            f"{self.base}/query?query={urllib.parse.quote(query)}", headers={"Accept": "text/csv"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return set(response.read().decode("utf-8").split()[1:])


class Proxy:
    """Forwards loopback TCP to the store; at the byte ``where`` picks in a request, acts once.

    ``where`` is given the bytes a client has sent so far on one connection and returns
    the offset to stop at, or None. Bytes up to it are forwarded, then ``action`` runs
    and, with ``cut``, both sides of that connection are closed.
    """

    def __init__(self, upstream: int, where: Where, action: Callable[[], None], cut: bool) -> None:
        self.upstream, self.where, self.action, self.cut = upstream, where, action, cut
        self.fired = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.threads: list[threading.Thread] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self.forward, args=(client,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def forward(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream), timeout=30)
        except OSError:
            client.close()
            return
        back = threading.Thread(target=self.pipe, args=(upstream, client), daemon=True)
        back.start()
        seen = b""
        try:
            while chunk := client.recv(65536):
                stop = None if self.fired.is_set() else self.where(seen + chunk)
                if stop is not None and stop >= len(seen):
                    upstream.sendall(chunk[: stop - len(seen)])
                    self.fired.set()
                    self.action()
                    if self.cut:
                        break
                    upstream.sendall(chunk[stop - len(seen) :])
                else:
                    upstream.sendall(chunk)
                seen += chunk
        except OSError:
            pass
        finally:
            for end in (upstream, client):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            back.join(timeout=10)

    @staticmethod
    def pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()


def in_body(method: bytes, fraction: float) -> Where:
    """Stop ``fraction`` of the way through the body of the first ``method`` request."""

    def where(sent: bytes) -> int | None:
        if not sent.startswith(method) or b"\r\n\r\n" not in sent:
            return None
        head, _ = sent.split(b"\r\n\r\n", 1)
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        offset = len(head) + 4 + int(length * fraction)
        return offset if len(sent) >= offset else None

    return where


def at_start(method: bytes, path: bytes = b"") -> Where:
    """Stop before the first byte of the first ``method`` request (to ``path``) is forwarded."""
    return lambda sent: 0 if sent.startswith(method + b" " + path) else None


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    running = Store(tmp_path / "store")
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def before(store: Store) -> Graph:
    """What the target graph holds before the interrupted push: a few triples, one blank node."""
    graph = Graph()
    node = BNode()
    graph.add((URIRef("https://example.org/plan"), URIRef("https://example.org/has"), node))
    graph.add((node, URIRef("https://example.org/label"), Literal("before", lang="en")))
    graph.add((URIRef("https://example.org/plan"), URIRef("https://example.org/count"), Literal(7)))
    push(graph, f"{store.base}/store", TARGET)
    assert isomorphic(store.graph(), graph)
    return graph


def proxied(store: Store, where: Where, action: Callable[[], None], cut: bool) -> Proxy:
    return Proxy(store.port, where, action, cut)


def uploads(store: Store) -> set[str]:
    return {name for name in store.names() if "-upload-" in name}


def test_server_killed_during_the_upload(store: Store, before: Graph, rotherham: Build) -> None:
    proxy = proxied(store, in_body(b"PUT", 0.5), store.kill, cut=True)
    try:
        with pytest.raises(PushError):
            push(rotherham.graph, f"http://127.0.0.1:{proxy.port}/store", TARGET, timeout=20)
    finally:
        proxy.close()
    assert proxy.fired.is_set()
    store.start()
    assert isomorphic(store.graph(), before)
    assert uploads(store) == set()  # the upload never reached the store
    assert store.names() == {TARGET}


def test_server_killed_after_the_upload(store: Store, before: Graph, rotherham: Build) -> None:
    # The temporary graph is whole; the store dies as the push counts it back.
    proxy = proxied(store, at_start(b"GET", b"/store?graph="), store.kill, cut=True)
    try:
        with pytest.raises(PushError):
            push(rotherham.graph, f"http://127.0.0.1:{proxy.port}/store", TARGET, timeout=20)
    finally:
        proxy.close()
    store.start()
    assert isomorphic(store.graph(), before)
    left = uploads(store)
    assert len(left) == 1 and next(iter(left)).startswith(f"{TARGET}-upload-")
    assert len(store.graph(next(iter(left)))) == len(rotherham.graph)
    # The next push to the same target removes it, and replaces the target.
    push(rotherham.graph, f"{store.base}/store", TARGET)
    assert store.names() == {TARGET}
    assert isomorphic(store.graph(), rotherham.graph)


def test_server_killed_before_the_move(store: Store, before: Graph, rotherham: Build) -> None:
    # Nothing is stale, so the one POST to /update is the MOVE; the store dies before it.
    proxy = proxied(store, at_start(b"POST", b"/update"), store.kill, cut=True)
    try:
        with pytest.raises(PushError):
            push(rotherham.graph, f"http://127.0.0.1:{proxy.port}/store", TARGET, timeout=20)
    finally:
        proxy.close()
    store.start()
    assert isomorphic(store.graph(), before)
    assert len(uploads(store)) == 1
    push(rotherham.graph, f"{store.base}/store", TARGET)
    assert store.names() == {TARGET}
    assert isomorphic(store.graph(), rotherham.graph)


def test_connection_cut_halfway_through_the_body(
    store: Store, before: Graph, rotherham: Build
) -> None:
    proxy = proxied(store, in_body(b"PUT", 0.5), lambda: None, cut=True)
    try:
        with pytest.raises(PushError):
            push(rotherham.graph, f"http://127.0.0.1:{proxy.port}/store", TARGET, timeout=20)
    finally:
        proxy.close()
    assert proxy.fired.is_set()
    assert isomorphic(store.graph(), before)
    assert store.names() == {TARGET}  # the store survived, and no temporary graph is left


def run_push(endpoint: str, data: Path | None = None) -> subprocess.Popen[bytes]:
    args = [executable("sendgraph"), "push", "--endpoint", endpoint, "--graph", TARGET]
    if data is not None:
        args += ["--data", str(data)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def killed_client(store: Store, where: Where) -> None:
    """Run `sendgraph push` as a process through the proxy and SIGKILL it at ``where``."""
    client: list[subprocess.Popen[bytes]] = []

    def kill_client() -> None:
        os.kill(client[0].pid, signal.SIGKILL)
        client[0].wait()

    proxy = proxied(store, where, kill_client, cut=True)
    try:
        client.append(run_push(f"http://127.0.0.1:{proxy.port}/store"))
        _, err = client[0].communicate(timeout=120)
    finally:
        proxy.close()
    assert proxy.fired.is_set(), err.decode()
    assert client[0].returncode == -signal.SIGKILL


def test_client_killed_during_the_upload(store: Store, before: Graph) -> None:
    killed_client(store, in_body(b"PUT", 0.5))
    time.sleep(0.5)  # the store notices the closed connection
    assert isomorphic(store.graph(), before)
    assert store.names() == {TARGET}


def test_client_killed_before_the_move_leaves_an_upload_the_next_push_removes(
    store: Store, before: Graph, rotherham: Build
) -> None:
    killed_client(store, at_start(b"POST", b"/update"))  # the MOVE
    assert isomorphic(store.graph(), before)
    left = uploads(store)
    assert len(left) == 1 and len(store.graph(next(iter(left)))) == len(rotherham.graph)
    result = CliRunner().invoke(main, ["push", "--endpoint", f"{store.base}/store", "--graph", TARGET])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert store.names() == {TARGET}
    assert isomorphic(store.graph(), rotherham.graph)


def test_a_vanished_upload_fails_the_move_instead_of_emptying_the_target(
    store: Store, before: Graph, rotherham: Build
) -> None:
    """A temporary graph removed under a push (another push's clean-up) must not empty the target."""

    def drop_upload() -> None:
        for name in uploads(store):
            request = urllib.request.Request(
                f"{store.base}/update", data=f"DROP GRAPH <{name}>".encode(),
                headers={"Content-Type": "application/sparql-update"}, method="POST",
            )  # fmt: skip
            urllib.request.urlopen(request, timeout=30).close()

    proxy = proxied(store, at_start(b"POST", b"/update"), drop_upload, cut=False)
    try:
        with pytest.raises(PushError, match=r"was answered 500 .*does not exist"):
            push(rotherham.graph, f"http://127.0.0.1:{proxy.port}/store", TARGET, timeout=20)
    finally:
        proxy.close()
    assert isomorphic(store.graph(), before)
    assert store.names() == {TARGET}


# ---------------------------------------------------------------- build writes atomically


def test_a_build_that_fails_while_writing_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"# the previous graph\n")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    result = CliRunner().invoke(main, ["build", "-o", str(target)])
    monkeypatch.undo()
    assert result.exit_code == 3
    assert (
        result.stderr.splitlines()[-1] == f"Error: cannot write {target}: No space left on device."
    )
    assert target.read_bytes() == b"# the previous graph\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]


KILLED_MID_WRITE = """
import os, signal, sys
import sendgraph.base.files as files

real_fdopen = os.fdopen

class HalfThenKilled:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False
    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        os.kill(os.getpid(), signal.SIGKILL)

files.os.fdopen = lambda fd, mode: HalfThenKilled(real_fdopen(fd, mode))
from sendgraph.cli import main
main(sys.argv[1:])
"""


def test_a_build_killed_mid_write_leaves_the_old_file_and_the_next_write_removes_the_rest(
    tmp_path: Path,
) -> None:
    england = tmp_path / "england"
    assert CliRunner().invoke(main, ["synth", "--areas", "30", "-o", str(england)]).exit_code == 0
    target = tmp_path / "england.nt"
    target.write_bytes(b"# the previous graph\n")
    command = [sys.executable, "-c", KILLED_MID_WRITE, "build", str(england), "-f", "nt", "-o", str(target), "--no-validate"]  # fmt: skip
    killed = subprocess.run(command, capture_output=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert target.read_bytes() == b"# the previous graph\n"
    left = stale_temporaries(target)
    assert [p.name.startswith(f".england.nt.{p.name.split('.')[3]}.") for p in left] == [True]
    assert left[0].stat().st_size > 10_000_000  # half of the 30 areas' graph, never renamed
    # The next write of the same file removes what the killed one left.
    again = CliRunner().invoke(main, ["build", "-f", "nt", "-o", str(target), "--no-validate"])
    assert again.exit_code == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["england", "england.nt"]
    assert target.read_bytes().endswith(b" .\n")


class Writes:
    """Every file opened for writing and every rename, while recording (an audit hook of the test's own)."""

    recording = False
    opened: ClassVar[list[str]] = []
    renamed: ClassVar[list[tuple[str, str]]] = []

    @classmethod
    def hook(cls, event: str, args: tuple[object, ...]) -> None:
        if not cls.recording:
            return
        if event == "open" and isinstance(args[0], (str, os.PathLike)) and isinstance(args[2], int):
            if args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                cls.opened.append(os.path.realpath(args[0]))
        elif event == "os.rename":
            cls.renamed.append((os.path.realpath(str(args[0])), os.path.realpath(str(args[1]))))


sys.addaudithook(Writes.hook)


@pytest.mark.parametrize(
    ("args", "outputs"),
    [
        (["build", "-o", "out/graph.ttl"], ["out/graph.ttl"]),
        (["build", "-f", "trig"], ["build/sendgraph.trig"]),
        (["view", "-o", "view.html"], ["view.html"]),
        (["report", "-f", "md", "-o", "report.md"], ["report.md"]),
        (["export", "-f", "gexf", "-o", "network.gexf"], ["network.gexf"]),
        (["template", "-o", "area", "-f", "xlsx"], ["area/plan.xlsx", "area/plan.mapping.yaml"]),
        (
            ["synth", "-o", "england"],
            [
                f"england/area-001/{name}.csv"
                for name in (
                    "actions",
                    "boards",
                    "organisations",
                    "people",
                    "posts",
                    "peer_challenge",
                )
            ],
        ),
    ],
)
def test_every_command_that_writes_a_file_writes_it_atomically(
    args: list[str], outputs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Writes.opened.clear()
    Writes.renamed.clear()
    Writes.recording = True
    try:
        result = CliRunner().invoke(main, args)
    finally:
        Writes.recording = False
    assert result.exit_code == 0, result.stderr
    renamed_to = {destination: source for source, destination in Writes.renamed}
    for output in outputs:
        final = os.path.realpath(output)
        assert final not in Writes.opened, f"{output} was written in place"
        source = renamed_to[final]
        assert os.path.basename(source).startswith(f".{os.path.basename(final)}.")
        assert source.endswith(".tmp") and source in Writes.opened
    assert not list(tmp_path.rglob("*.tmp"))


def test_import_writes_its_graph_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["template", "-o", "area"]).exit_code == 0
    Writes.opened.clear()
    Writes.renamed.clear()
    Writes.recording = True
    try:
        result = CliRunner().invoke(main, ["import", "area/plan.csv", "--mapping", "area/plan.mapping.yaml", "-o", "area.ttl"])  # fmt: skip
    finally:
        Writes.recording = False
    assert result.exit_code == 0, result.stderr
    final = os.path.realpath("area.ttl")
    assert final not in Writes.opened
    assert [os.path.basename(d) for _, d in Writes.renamed] == ["area.ttl"]
