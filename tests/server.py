"""Start servers for tests on 127.0.0.1 and stop them by PID."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(
    url: str, process: subprocess.Popen[bytes], seconds: float = 30.0, log: Path | None = None
) -> None:
    """Wait until ``url`` answers, or fail with what the process said (on stderr, or in ``log``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text() if log else ""
            if process.stderr:
                said = process.stderr.read().decode()
            raise RuntimeError(f"the server stopped: {said}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def running(
    command: list[str], url: str, log: Path | None = None, seconds: float = 30.0
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server command, wait for ``url``, and stop it by its PID with SIGTERM afterwards.

    With ``log``, the server's stderr goes to that file instead of a pipe, so that a
    server writing much to it never blocks on a pipe nobody reads.
    """
    if log:
        with open(log, "wb") as sink:  # the server holds its own copy of the file
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=sink)
    else:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(url, process, seconds, log=log)
        yield process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def listening_addresses(port: int) -> set[str]:
    """Return the local IPv4 addresses a TCP socket listens on ``port`` with, read from /proc/net/tcp."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def executable(name: str) -> str:
    """Return the path of a console script installed beside this interpreter."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        raise RuntimeError(f"{name} is not installed beside {sys.executable}")
    return found


def rss_kb(pid: int) -> int:
    """Return the resident memory of process ``pid`` in kB (VmRSS), or 0 once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def child_pids(pid: int) -> list[int]:
    """Return the PIDs of the live child processes of ``pid``, from /proc."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def thread_count(pid: int) -> int:
    """Return how many threads process ``pid`` runs now."""
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


@dataclass
class Reply:
    """An HTTP answer read off a raw socket."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float  # from connecting to the end of the answer


def parse(raw: bytes, seconds: float) -> Reply:
    """Split a raw HTTP answer into status, headers and body (status 0 when nothing came)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return Reply(int(lines[0].split()[1]) if lines[0] else 0, headers, body, seconds)


def read_all(sock: socket.socket, started: float, wait: float = 15.0) -> Reply:
    """Read until the server closes the connection, and parse what came."""
    sock.settimeout(wait)
    chunks = []
    try:
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return parse(b"".join(chunks), time.monotonic() - started)


def exchange(port: int, *parts: bytes, pause: float = 0.0, shut: bool = False) -> Reply:
    """Send ``parts`` on a new connection (``pause`` s apart), optionally end the sending side, read the answer."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        try:
            for number, part in enumerate(parts):
                if number:
                    time.sleep(pause)
                sock.sendall(part)
            if shut:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before taking everything: the answer is still there
        return read_all(sock, started)
