"""Writing output files whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sendgraph.base.errors import OutputError


def write_atomically(path: Path, data: bytes | Iterable[bytes], *, sync: bool = True) -> None:
    """Write ``data`` (bytes, or chunks of them) to ``path`` through a temporary file, so no half-written file is left.

    Chunks are written as they come, so a large output is never held whole in memory;
    one that raises part way leaves ``path`` as it was. ``sync=False`` skips syncing the
    data before the rename, for a cache whose torn file is read as missing and made again.

    The temporary file sits beside ``path`` (``.<name>.<pid>.<random>.tmp``) and is
    renamed over it only once it is complete, so a reader, or a run that is killed, sees
    the old file or the new one, never part of one. A write that fails removes its
    temporary file; one left by a killed run is removed by the next write. A path that
    exists and is not a regular file (/dev/null, a named pipe) is written to directly:
    renaming over it would replace the device with a file. A failure is an `OutputError`
    naming the file and the reason.
    """
    try:
        _write_atomically(path, data, sync)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}.") from None


def _write_atomically(path: Path, data: bytes | Iterable[bytes], sync: bool = True) -> None:
    chunks = [data] if isinstance(data, bytes) else data
    if path.exists() and not path.is_file():
        with path.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in stale_temporaries(path):
        stale.unlink(missing_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            if sync:
                os.fsync(out.fileno())  # the rename must not reach the disk before the data
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; an output is for sharing
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def stale_temporaries(path: Path) -> list[Path]:
    """Return the temporary files that writes to ``path`` by processes no longer running left beside it."""
    if not path.parent.is_dir():
        return []
    prefix = f".{path.name}."
    return sorted(
        found
        for found in path.parent.glob(f"{glob_escape(prefix)}*.tmp")
        if not _running(found.name[len(prefix) :].split(".")[0])
    )


def _running(pid: str) -> bool:
    """Return whether the process ``pid`` (text from a file name) is running on this machine."""
    if not pid.isdigit():
        return True  # not a name this module wrote: leave it alone
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def glob_escape(name: str) -> str:
    """Return ``name`` with glob's special characters matched literally."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
