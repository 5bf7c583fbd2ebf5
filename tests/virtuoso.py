"""Debian's Virtuoso (virtuoso-opensource-7-bin), started for a test on 127.0.0.1 and stopped by its PID.

Each server gets a database folder and a virtuoso.ini of its own, written here, never the
system's; its SQL and HTTP ports are free ports on loopback. `scripts/install-virtuoso.sh`
installs the package. Without it the Virtuoso tests skip, saying why, except under CI,
where a missing server is a failure.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server import free_port, running

VIRTUOSO = Path("/usr/bin/virtuoso-t")
ISQL = Path("/usr/bin/isql-vt")
# A fresh database starts with these; the tests push as dba over digest authentication.
USER, PASSWORD = "dba", "dba"


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its HTTP base URL and its SQL port (for isql)."""

    base: str
    sql_port: int
    log: Path

    @property
    def store(self) -> str:
        """The Graph Store Protocol endpoint that takes a user and password."""
        return f"{self.base}/sparql-graph-crud-auth"

    def sql(self, statement: str) -> str:
        """Run one SQL statement as dba with isql and return what it printed."""
        done = subprocess.run(
            [str(ISQL), f"127.0.0.1:{self.sql_port}", USER, PASSWORD, f"exec={statement}"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        said = done.stdout.decode("utf-8", errors="replace")
        if done.returncode or "*** Error" in said:
            raise RuntimeError(f"isql could not run {statement!r}: {said} {done.stderr.decode()}")
        return said


def _ini(folder: Path, sql_port: int, http_port: int, extra: dict[str, str]) -> str:
    database = {
        "DatabaseFile": folder / "virtuoso.db",
        "ErrorLogFile": folder / "virtuoso.log",
        "LockFile": folder / "virtuoso.lck",
        "TransactionFile": folder / "virtuoso.trx",
        "xa_persistent_file": folder / "virtuoso.pxa",
        "TempStorage": "TempDatabase",
    }
    parameters = {
        "ServerPort": f"127.0.0.1:{sql_port}",
        "DisableUnixSocket": "1",
        "CheckpointInterval": "0",  # a test's database lives for seconds
        "NumberOfBuffers": "10000",
        "MaxDirtyBuffers": "6000",
        "DirsAllowed": ".",
        **extra,
    }
    sections = {
        "Database": database,
        "TempDatabase": {
            "DatabaseFile": folder / "virtuoso-temp.db",
            "TransactionFile": folder / "virtuoso-temp.trx",
        },
        "Parameters": parameters,
        "HTTPServer": {
            "ServerPort": f"127.0.0.1:{http_port}",
            "ServerRoot": folder,
            "ServerThreads": "4",
        },
        # Debian's own ini caps answers at 10000 rows; a graph read back must come whole.
        "SPARQL": {"ResultSetMaxRows": "1000000"},
    }
    return "".join(
        f"[{name}]\n" + "".join(f"{key} = {value}\n" for key, value in values.items())
        for name, values in sections.items()
    )


@contextmanager
def started(folder: Path, **parameters: str) -> Iterator[Virtuoso]:
    """Start Virtuoso on a new database in ``folder``, wait until it answers SPARQL, stop it by PID.

    ``parameters`` go to the [Parameters] section of its virtuoso.ini.
    """
    if not VIRTUOSO.exists() or not ISQL.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{VIRTUOSO} is missing under CI; scripts/install-virtuoso.sh installs it.")
        pytest.skip(
            f"Debian's Virtuoso is not installed at {VIRTUOSO} (sh scripts/install-virtuoso.sh)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_ini(folder, sql_port, http_port, parameters), encoding="utf-8")
    base = f"http://127.0.0.1:{http_port}"
    command = [str(VIRTUOSO), "+foreground", "+configfile", str(ini)]
    log = folder / "stderr.log"
    # A new database is made and checkpointed before the HTTP server opens: seconds, not ms.
    with running(command, f"{base}/sparql?query=ASK%7B%7D", log=log, seconds=90):
        yield Virtuoso(base, sql_port, folder / "virtuoso.log")
