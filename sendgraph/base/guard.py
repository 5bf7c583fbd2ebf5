"""A process-wide guard: what a command did not ask for, no query, file or library may do.

Python calls an audit hook before every network, file and process operation made from
Python code (``sys.addaudithook``, PEP 578). sendgraph installs one hook, once (hooks
cannot be removed), and it does nothing until a command sets a `Policy` for its
duration with `enforce`. Under a policy:

- the network is closed except for what the command was given: ``serve`` may listen
  on its ``--host:--port`` and ``push`` may connect to its endpoint's host and port;
- files may be written only at the command's outputs (and the temporary files beside
  them that atomic writes use) and, for a command that asks questions, in its cache
  folder, and read only from its inputs, sendgraph's own package
  files, Python's standard library and installed packages, ``/dev/null``, ``/proc``
  and the system's locale and time-zone files;
- no program may be started unless the command opens a browser (``view --open``) or
  prints a page to PDF with Chromium (``report -f pdf``), and then only that program.

A refused operation raises `Refused`, a `SendgraphError` whose sentence names what was
refused, and is remembered, so that a library that swallows the exception cannot hide
it: the command still ends with that sentence. The exception is deliberately not an
``OSError``, which libraries (urllib among them) catch and rewrap.

Query children forked under a policy inherit the hook and the policy, so a query runs
under the same rules as its command. The hook sees only what Python code does: native
code that opens sockets itself (pyoxigraph's SERVICE, a C library) is outside it, which
is why queries are also checked before they run (`sendgraph.ask.querytext`) and their
processes kept off the network by the kernel (`sendgraph.ask.netbarrier`).
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import site
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sendgraph.base.errors import Refused

# Files every Python program may need to read: the interpreter's own, devices that hold
# nothing, process information (multiprocessing, psutil) and locale and time-zone data.
SYSTEM_READS: tuple[str, ...] = (
    "/dev/null",
    "/dev/urandom",
    "/proc",
    "/sys/devices/system/cpu",
    "/etc/localtime",
    "/etc/timezone",
    "/usr/share/zoneinfo",
    "/usr/lib/locale",
    "/usr/share/locale",
    *(os.fspath(p) for p in mimetypes.knownfiles),  # the system's file types (openpyxl, urllib)
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class Policy:
    """What one command may do while it runs.

    ``reads`` are input files or folders; ``writes`` are output files or folders (a
    folder's whole contents, a file's temporary siblings ``.<name>.*.tmp`` and the
    folders above it may be made). ``connects`` and ``binds`` are ``(host, port)``
    pairs; ``programs`` allows starting other programs, ``runs`` only the programs at
    those paths. ``scratch`` are the name prefixes of temporary files or folders (and
    everything in such a folder) that the command or its libraries may make in the
    system's temporary folder (openpyxl writes each sheet to one before zipping it).
    """

    command: str
    reads: tuple[Path, ...] = ()
    writes: tuple[Path, ...] = ()
    connects: tuple[tuple[str, int], ...] = ()
    binds: tuple[tuple[str, int], ...] = ()
    programs: bool = False
    runs: tuple[Path, ...] = ()
    scratch: tuple[str, ...] = ()
    refused: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._writes = [_real(path) for path in self.writes]
        self._reads = [_real(path) for path in self.reads] + _python_roots() + list(SYSTEM_READS)
        self._code = _python_roots()
        self._runs = {_real(path) for path in self.runs}
        self._connects = {(address, port) for host, port in self.connects for address in _addresses(host, port)}  # fmt: skip
        self._binds = {(address, port) for host, port in self.binds for address in _addresses(host, port)}  # fmt: skip
        self._hosts = {address for address, _ in self._connects | self._binds}
        if self.binds:
            import socket

            # A server names itself: http.server looks up this machine's own name when
            # it listens on every address.
            self._hosts.add(socket.gethostname())
        # Found now, while nothing is refused: the first call probes the folder by writing to it.
        self._scratch = _real(tempfile.gettempdir()) if self.scratch else ""

    # -- describing the limits, for the refusal sentences ----------------------------

    def _network(self) -> str:
        if self.connects:
            return "connects only to " + ", ".join(f"{h}:{p}" for h, p in self.connects)
        if self.binds:
            return "only listens on " + ", ".join(f"{h}:{p}" for h, p in self.binds)
        return "makes no network connections"

    def _outputs(self) -> str:
        if not self._writes:
            return "writes no files"
        return "writes only " + ", ".join(_shown(path) for path in self._writes)

    # -- the checks ------------------------------------------------------------------

    def may_read(self, path: str) -> bool:
        """Return whether ``path`` (absolute, resolved) may be read."""
        return self.may_write(path) or any(_within(path, root) for root in self._reads)

    def may_write(self, path: str) -> bool:
        """Return whether ``path`` (absolute, resolved) may be created, written or removed."""
        folder, name = os.path.split(path)
        for root in self._writes:
            root_folder, root_name = os.path.split(root)
            if _within(path, root):
                return True
            if (
                folder == root_folder
                and name.startswith(f".{root_name}.")
                and name.endswith(".tmp")
            ):
                return True
        if self._scratch and (path == self._scratch or self._in_scratch(path)):
            # NamedTemporaryFile names the folder in its open; the file it makes is checked by name.
            return True
        # Python caches compiled modules beside their sources; that is its business.
        return f"{os.sep}__pycache__{os.sep}" in path and any(_within(path, r) for r in self._code)

    def _in_scratch(self, path: str) -> bool:
        """Whether ``path`` is a scratch file or folder of the temporary folder, or in one."""
        if not _within(path, self._scratch) or path == self._scratch:
            return False
        top = os.path.relpath(path, self._scratch).split(os.sep, 1)[0]
        return top.startswith(self.scratch)

    def may_run(self, program: str) -> bool:
        """Return whether the program ``program`` (a path or a name) may be started."""
        return self.programs or _real(program) in self._runs

    def may_list(self, path: str) -> bool:
        """Return whether the folder ``path`` may be listed: one that may be read, or one that holds an output."""
        return self.may_read(path) or any(_within(root, path) for root in self._writes)

    def may_make_folder(self, path: str) -> bool:
        """Return whether the folder ``path`` may be made: one on the way to an output, or in one."""
        return self.may_write(path) or any(_within(root, path) for root in self._writes)

    def may_connect(self, address: Any) -> bool:
        """Return whether a socket may connect (or send) to ``address``."""
        return _pair(address) in self._connects

    def may_bind(self, address: Any) -> bool:
        """Return whether a socket may listen on ``address``."""
        return _pair(address) in self._binds

    def may_resolve(self, host: Any) -> bool:
        """Return whether the name ``host`` may be looked up."""
        return _text(host) in self._hosts


def _text(value: Any) -> str:
    return os.fsdecode(value) if isinstance(value, bytes) else str(value)


def _pair(address: Any) -> tuple[str, int] | None:
    if isinstance(address, tuple) and len(address) >= 2:
        return _text(address[0]), int(address[1])
    return None


def _addresses(host: str, port: int) -> set[str]:
    """Return ``host`` and the addresses it resolves to now, before any policy is in force."""
    import socket

    found = {host}
    # An unknown name is left for the command's own connection attempt to report.
    with contextlib.suppress(OSError):
        found |= {str(info[4][0]) for info in socket.getaddrinfo(host, port)}
    return found


def _real(path: Path | str) -> str:
    return os.path.realpath(os.fspath(path))


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _shown(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


_ROOTS: list[str] = []


def _python_roots() -> list[str]:
    """Return the folders Python and its packages (sendgraph included) are read from."""
    if not _ROOTS:
        places = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
        places |= {p for p in sysconfig.get_paths().values() if p}
        places |= set(site.getsitepackages()) | {site.getusersitepackages()}
        places |= {p for p in sys.path if p and os.path.isabs(p)}
        if "" in sys.path:  # Python imports from the working folder too
            places.add(os.getcwd())
        # The sendgraph package folder, one up from this module: its package data lives there.
        places.add(str(Path(__file__).resolve().parents[1]))
        _ROOTS.extend(sorted({_real(p) for p in places}))
    return _ROOTS


# ---------------------------------------------------------------- the hook

_active: Policy | None = None
_inside = threading.local()
_installed = False


def _path(value: Any, dir_fd: Any = None) -> str | None:
    """Return the absolute, resolved path an audited call names; None for an open file descriptor."""
    if isinstance(value, int) or value is None:
        return None
    text = os.fsdecode(value) if isinstance(value, bytes) else os.fspath(value)
    if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(text):
        text = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), text)
    return os.path.realpath(text)


def _read(policy: Policy, path: str | None) -> str | None:
    if path is None or policy.may_read(path):
        return None
    return (
        f"read {path}: `{policy.command}` reads only its input, sendgraph's own files and Python's"
    )


def _write(policy: Policy, path: str | None) -> str | None:
    if path is None or policy.may_write(path):
        return None
    return f"write {path}: `{policy.command}` {policy._outputs()}"


def _check_open(policy: Policy, args: tuple[Any, ...]) -> str | None:
    path = _path(args[0])
    flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
    return _write(policy, path) if flags & _WRITE_FLAGS else _read(policy, path)


def _check_folder(policy: Policy, args: tuple[Any, ...]) -> str | None:
    path = _path(args[0], args[2] if len(args) > 2 else None)
    if path is None or policy.may_make_folder(path):
        return None
    return f"make the folder {path}: `{policy.command}` {policy._outputs()}"


def _check_change(position: int, dir_fd: int | None) -> Callable[[Policy, tuple[Any, ...]], str | None]:  # fmt: skip
    def check(policy: Policy, args: tuple[Any, ...]) -> str | None:
        fd = args[dir_fd] if dir_fd is not None and len(args) > dir_fd else None
        return _write(policy, _path(args[position], fd))

    return check


def _check_rename(policy: Policy, args: tuple[Any, ...]) -> str | None:
    return _write(policy, _path(args[0], args[2])) or _write(policy, _path(args[1], args[3]))


def _check_listing(policy: Policy, args: tuple[Any, ...]) -> str | None:
    path = _path(args[0] if args and args[0] is not None else ".")
    if path is None or policy.may_list(path):
        return None
    return (
        f"list {path}: `{policy.command}` reads only its input, sendgraph's own files and Python's"
    )


def _check_request(policy: Policy, args: tuple[Any, ...]) -> str | None:
    url = urlsplit(str(args[0]))
    if url.scheme == "file":
        return _read(policy, _path(url.path))
    if url.scheme in ("", "data"):
        return None
    port = url.port or _DEFAULT_PORTS.get(url.scheme, 0)
    if (url.hostname or "", port) in set(policy.connects):
        return None
    return f"fetch {args[0]}: `{policy.command}` {policy._network()}"


def _check_connect(policy: Policy, args: tuple[Any, ...]) -> str | None:
    if policy.may_connect(args[1]):
        return None
    return f"connect to {_address(args[1])}: `{policy.command}` {policy._network()}"


def _check_bind(policy: Policy, args: tuple[Any, ...]) -> str | None:
    if policy.may_bind(args[1]):
        return None
    return f"listen on {_address(args[1])}: `{policy.command}` {policy._network()}"


def _check_lookup(policy: Policy, args: tuple[Any, ...]) -> str | None:
    host = args[0][0] if isinstance(args[0], tuple) else args[0]
    if host is None or policy.may_resolve(host):
        return None
    return f"look up {_text(host)}: `{policy.command}` {policy._network()}"


def _check_program(policy: Policy, args: tuple[Any, ...]) -> str | None:
    if policy.programs:
        return None
    name = args[0] if args and args[0] is not None else args[1]
    if isinstance(name, int):  # os.spawn* name the mode first
        name = args[1]
    if isinstance(name, (list, tuple)):
        name = name[0]
    if isinstance(name, (str, bytes, os.PathLike)) and policy.may_run(_text(os.fspath(name))):
        return None
    if policy.runs:
        allowed = ", ".join(_shown(_real(p)) for p in policy.runs)
        return f"run {_text(name)}: `{policy.command}` starts no program but {allowed}"
    return f"run {_text(name)}: `{policy.command}` starts no other programs"


def _address(address: Any) -> str:
    pair = _pair(address)
    return f"{pair[0]}:{pair[1]}" if pair else _text(address)


_CHECKS: dict[str, Callable[[Policy, tuple[Any, ...]], str | None]] = {
    "open": _check_open,
    "os.listdir": _check_listing,
    "os.scandir": _check_listing,
    "os.mkdir": _check_folder,
    "os.remove": _check_change(0, 1),
    "os.rmdir": _check_change(0, 1),
    "os.chmod": _check_change(0, 2),
    "os.chown": _check_change(0, 3),
    "os.utime": _check_change(0, 3),
    "os.truncate": _check_change(0, None),
    "os.symlink": _check_change(1, 2),
    "os.link": _check_change(1, 3),
    "os.rename": _check_rename,
    "urllib.Request": _check_request,
    "socket.connect": _check_connect,
    "socket.sendto": _check_connect,
    "socket.sendmsg": _check_connect,
    "socket.bind": _check_bind,
    "socket.getaddrinfo": _check_lookup,
    "socket.gethostbyname": _check_lookup,
    "socket.gethostbyaddr": _check_lookup,
    "socket.getnameinfo": _check_lookup,
    "subprocess.Popen": _check_program,
    "os.system": _check_program,
    "os.exec": _check_program,
    "os.posix_spawn": _check_program,
    "os.spawn": _check_program,
    "os.startfile": _check_program,
    "pty.spawn": _check_program,
}


def _hook(event: str, args: tuple[Any, ...]) -> None:
    policy = _active
    if policy is None:
        return
    check = _CHECKS.get(event)
    if check is None or getattr(_inside, "busy", False):
        return
    _inside.busy = True  # the checks' own file-system calls are not the command's
    try:
        refusal = check(policy, args)
    except Exception as exc:  # a guard that cannot tell refuses
        refusal = f"do {event} {args[:2]!r}, which could not be checked ({exc})"
    finally:
        _inside.busy = False
    if refusal:
        sentence = f"sendgraph refused to {refusal}."
        policy.refused.append(sentence)
        raise Refused(sentence)


def install() -> None:
    """Install the audit hook, once per process; it does nothing until `enforce` sets a policy."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


def active() -> Policy | None:
    """Return the policy in force now, if any."""
    return _active


@contextmanager
def enforce(policy: Policy) -> Iterator[Policy]:
    """Hold ``policy`` in force over the whole process for the block, then restore the one before.

    If something was refused and a library swallowed the `Refused` exception, the block
    still ends by raising it, so a refusal is never silent.
    """
    global _active
    install()
    before, _active = _active, policy
    try:
        yield policy
    except Refused:
        raise
    except (Exception, SystemExit) as exc:
        if policy.refused:
            raise Refused(policy.refused[0]) from exc
        raise
    else:
        if policy.refused:
            raise Refused(policy.refused[0])
    finally:
        _active = before
