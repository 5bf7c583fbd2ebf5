"""The kernel's barrier between a query's process and the network: a seccomp filter.

A user's query runs in a forked child process, and the child calls `close_network`
before it reads the query. From then on the kernel fails, in that process and in any
thread or process it starts, every ``socket()`` and ``socketpair()`` for a family other
than AF_UNIX (IPv4, IPv6, netlink, packet: no socket can reach another machine) with
EACCES, and every ``io_uring_setup()`` (io_uring can open sockets without ``socket()``)
with EPERM. The filter cannot be lifted, and it sets no_new_privs, so no program the
child might start could gain privileges to escape it. The pipe that carries the answer
to the parent is untouched. So even a query the reader in `sendgraph.ask.querytext`
misjudged cannot open a connection: pyoxigraph's SERVICE fails inside the child.

The filter is built by libseccomp (Debian's libseccomp2), the library container
runtimes use; it also makes the filter refuse system calls of another calling convention
(32-bit or x32 calls on x86-64), which rules written by hand easily miss. sendgraph binds
the few functions it needs with ctypes. The rules are compiled in the parent, before its
first fork, rather than in a child of a process that may have threads; the child only
loads them, and, being a fresh fork, has one thread (the filter is loaded with
thread-sync all the same).

Where the filter cannot be had (another system than Linux, a kernel without seccomp,
no libseccomp), the parent says so on stderr once, when it first forks a query process,
and queries run with the reader's check alone. Where the filter was prepared but the
kernel will not load it, the query process says so and ends without running the query.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import sys
import threading
from dataclasses import dataclass
from typing import Any

_LIBRARY = "libseccomp.so.2"
_PR_GET_SECCOMP = 21
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_NOT_EQUAL = 1  # SCMP_CMP_NE
_NO_NEW_PRIVILEGES = 3  # SCMP_FLTATR_CTL_NNP
_THREAD_SYNC = 4  # SCMP_FLTATR_CTL_TSYNC
_NO_SUCH_CALL = -1  # __NR_SCMP_ERROR
_FAILURE_EXIT = 70  # EX_SOFTWARE: the query process ended before running the query


class _ArgumentTest(ctypes.Structure):
    """libseccomp's ``struct scmp_arg_cmp``: one test of one argument of a system call."""

    _fields_ = (
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


class _Unavailable(Exception):
    """The filter cannot be had on this system; the message says why."""


@dataclass
class _Barrier:
    library: Any = None
    context: int | None = None
    missing: str | None = None


_BARRIER = _Barrier()
_PREPARING = threading.Lock()


def _bind(library: Any) -> None:
    library.seccomp_init.argtypes = (ctypes.c_uint32,)
    library.seccomp_init.restype = ctypes.c_void_p
    library.seccomp_syscall_resolve_name.argtypes = (ctypes.c_char_p,)
    library.seccomp_syscall_resolve_name.restype = ctypes.c_int
    library.seccomp_rule_add_array.argtypes = (
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgumentTest),
    )
    library.seccomp_rule_add_array.restype = ctypes.c_int
    library.seccomp_attr_set.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32)
    library.seccomp_attr_set.restype = ctypes.c_int
    library.seccomp_load.argtypes = (ctypes.c_void_p,)
    library.seccomp_load.restype = ctypes.c_int


def _checked(result: int, what: str) -> None:
    if result < 0:
        raise _Unavailable(f"libseccomp could not {what} ({os.strerror(-result)})")


def _build() -> tuple[Any, int]:
    """Load libseccomp and compile the filter; return the library and the filter's context."""
    if not sys.platform.startswith("linux"):
        raise _Unavailable(f"seccomp is a Linux facility and this system is {sys.platform}")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_GET_SECCOMP, 0, 0, 0, 0) < 0:
        raise _Unavailable("this kernel was built without seccomp")
    try:
        library = ctypes.CDLL(_LIBRARY)
    except OSError:
        raise _Unavailable(f"{_LIBRARY} is not installed (Debian: libseccomp2)") from None
    _bind(library)
    context = library.seccomp_init(_ALLOW)
    if not context:
        raise _Unavailable("libseccomp could not start a filter")
    _checked(library.seccomp_attr_set(context, _NO_NEW_PRIVILEGES, 1), "set no_new_privs")
    _checked(library.seccomp_attr_set(context, _THREAD_SYNC, 1), "set thread-sync")
    other_families = _ArgumentTest(0, _NOT_EQUAL, socket.AF_UNIX, 0)
    rules = (
        (b"socket", _ERRNO | errno.EACCES, other_families),
        (b"socketpair", _ERRNO | errno.EACCES, other_families),
        (b"io_uring_setup", _ERRNO | errno.EPERM, None),
    )
    for name, action, test in rules:
        number = library.seccomp_syscall_resolve_name(name)
        if number == _NO_SUCH_CALL:
            raise _Unavailable(f"libseccomp does not know the system call {name.decode()}")
        tests = ctypes.byref(test) if test is not None else None
        added = library.seccomp_rule_add_array(context, action, number, int(test is not None), tests)  # fmt: skip
        _checked(added, f"add a rule for {name.decode()}")
    return library, int(context)


def _prepare() -> None:
    """Compile the filter in this process, once; say once on stderr if it cannot be had."""
    with _PREPARING:
        if _BARRIER.context is not None or _BARRIER.missing is not None:
            return
        try:
            _BARRIER.library, _BARRIER.context = _build()
        except _Unavailable as exc:
            _BARRIER.missing = str(exc)
        except Exception as exc:  # a fork hook must not raise: say what failed instead
            _BARRIER.missing = f"preparing it failed: {exc}"
        if _BARRIER.missing is not None:
            sys.stderr.write(
                "sendgraph: queries run without the kernel's network barrier on this system "
                f"({_BARRIER.missing}); the query reader's check still refuses SERVICE.\n"
            )
            sys.stderr.flush()


def close_network() -> None:
    """Make this process unable to open any socket but a local (AF_UNIX) one, for good.

    Called first thing in a query's child process. Where the filter cannot be had,
    this returns having said so once (see the module's description); where it was
    prepared but does not load, the process ends with exit code 70.
    """
    if _BARRIER.context is None and _BARRIER.missing is None:
        _prepare()
    if _BARRIER.context is None:
        return
    loaded = _BARRIER.library.seccomp_load(_BARRIER.context)
    if loaded < 0:
        os.write(
            2,
            "sendgraph: the query process could not close its network access "
            f"({os.strerror(-loaded)}); the query was not run.\n".encode(),
        )
        os._exit(_FAILURE_EXIT)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_prepare)
