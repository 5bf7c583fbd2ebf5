"""What a reader touches while it runs: files opened, sockets, processes, and how long it took.

`watching` records, through a Python audit hook, every file a reader opens that is not
one of its inputs (Python's own modules, installed packages and sendgraph's package
data are allowed), every socket or URL request, and every process started. The hook is
installed once for the whole test run (audit hooks cannot be removed) and records only
while a `watching` block is open. `time_bound` fails a block that runs too long, so a
hang is a failure rather than a stuck test run.
"""

from __future__ import annotations

import mimetypes
import os
import signal
import site
import sys
import sysconfig
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import sendgraph

NETWORK_EVENTS = ("socket.", "urllib.", "http.client.", "ftplib.", "smtplib.", "webbrowser.")
PROCESS_EVENTS = ("subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.fork", "os.spawn")


def _library_roots() -> list[str]:
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots |= set(site.getsitepackages())
    package = Path(sendgraph.__file__).resolve().parent
    roots.add(str(package))
    # Package data may be links to the source tree's ontology/ and data/ folders.
    roots |= {str(entry.resolve()) for entry in (package / "resources").iterdir()}
    return sorted(os.path.realpath(root) for root in roots)


# Python's mimetypes reads the system's type tables the first time it is asked (openpyxl
# asks); they are Python's own configuration, not anyone's data.
LIBRARY_ROOTS = _library_roots() + [os.path.realpath(p) for p in mimetypes.knownfiles]


@dataclass
class Watch:
    """What one `watching` block saw: each thing done beyond its inputs."""

    allowed: list[str]
    violations: list[str] = field(default_factory=list)


_current: list[Watch] = []


def _allowed(path: str, watch: Watch) -> bool:
    real = os.path.realpath(path)
    return any(real == root or real.startswith(root + os.sep) for root in watch.allowed)


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _current:
        return
    watch = _current[-1]
    if event == "open":
        path = args[0]
        if isinstance(path, int):
            return  # a descriptor already opened, and checked, by path
        text = os.fsdecode(path)
        if not _allowed(text, watch):
            watch.violations.append(f"open {text}")
    elif event.startswith(NETWORK_EVENTS + PROCESS_EVENTS):
        watch.violations.append(f"{event} {args!r:.200}")


sys.addaudithook(_hook)


@contextmanager
def watching(inputs: Sequence[Path]) -> Iterator[Watch]:
    """Record, while the block runs, files opened beyond ``inputs`` and any network or process use.

    An input may be a file or a folder (everything under it is allowed).
    """
    allowed = [os.path.realpath(p) for p in inputs] + LIBRARY_ROOTS
    watch = Watch(allowed)
    _current.append(watch)
    try:
        yield watch
    finally:
        _current.pop()


class TookTooLong(BaseException):
    """Raised into a block that ran past its time bound.

    A BaseException, so that a reader's own ``except Exception`` cannot swallow it.
    """


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Fail the block with `TookTooLong` if it runs longer than ``seconds`` (main thread only)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TookTooLong(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
