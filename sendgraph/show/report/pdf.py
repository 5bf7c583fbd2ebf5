"""The evidence report as an A4 PDF, printed from its HTML page by Chromium.

`render_pdf` prints the page `render_html` writes with Debian's ``chromium`` run
headless (``--print-to-pdf``), the same browser the tests drive, so the PDF is what the
print stylesheet lays out: the summary on page 1, a page for each finding, then the
appendices. Nothing else is needed at run time: no Playwright, no browser download.

Chromium runs in a scratch folder of the system's temporary folder (its profile, its
home, the page and the PDF), removed afterwards, so it touches neither the user's own
browser profile nor anything beside the output; and, where the kernel allows it
(`sendgraph.ask.netbarrier`), in a process that can open no network socket. The page
it prints forbids every remote load by its Content-Security-Policy and runs no script,
which is why Chromium's own sandbox is not asked for: it is not available as root or
in most containers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from sendgraph.base.errors import OutputError
from sendgraph.show.report.evidence import Report
from sendgraph.show.report.html import render_html

# Where Debian installs chromium (scripts/install-chromium.sh), and the variable that
# names another Chromium or Chrome to print with.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_VARIABLE = "SENDGRAPH_CHROMIUM"
# The name prefix of the scratch folder the command may make in the temporary folder.
SCRATCH_PREFIX = "sendgraph-pdf-"
TIMEOUT = 120.0  # seconds; the Rotherham report prints in about three
HOW_TO_GET = (
    "sh scripts/install-chromium.sh (or apt install chromium) installs it, "
    f"or {CHROMIUM_VARIABLE} names another Chromium"
)
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-breakpad",
)


def chromium_path() -> Path:
    """The Chromium that prints the PDF: ``$SENDGRAPH_CHROMIUM``, else Debian's ``/usr/bin/chromium``."""
    named = os.environ.get(CHROMIUM_VARIABLE, "").strip()
    return Path(named) if named else CHROMIUM


def render_pdf(report: Report, *, chromium: Path | None = None, timeout: float = TIMEOUT) -> bytes:
    """Return the report printed to A4 PDF by Chromium (`chromium_path` unless ``chromium`` names one).

    Raises `OutputError`, with a sentence saying how to get Chromium, when it is not
    installed, and with Chromium's last words when it fails or takes longer than
    ``timeout`` seconds.
    """
    return print_pdf(render_html(report), chromium=chromium, timeout=timeout)


def print_pdf(page: str, *, chromium: Path | None = None, timeout: float = TIMEOUT) -> bytes:
    """Return the HTML ``page`` printed to PDF by Chromium headless, as bytes."""
    browser = chromium or chromium_path()
    if not (browser.is_file() and os.access(browser, os.X_OK)):
        raise OutputError(f"Chromium, which prints the PDF, is not at {browser}: {HOW_TO_GET}.")
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    try:
        source, target = scratch / "report.html", scratch / "report.pdf"
        source.write_text(page, encoding="utf-8")
        home = scratch / "home"
        home.mkdir()
        command = [
            str(browser),
            *_FLAGS,
            f"--user-data-dir={scratch / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        environment = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
        }
        said = _run(command, environment, timeout)
        data = target.read_bytes() if target.is_file() else b""
        if not data.startswith(b"%PDF"):
            raise OutputError(f"Chromium at {browser} printed no PDF{said}.")
        return data
    finally:
        _remove(scratch)


def _remove(folder: Path) -> None:
    """Remove ``folder`` and everything in it, by whole paths.

    Not `shutil.rmtree`: it opens what it removes relative to a folder's descriptor,
    and the guard, which sees only the name, cannot tell where that is.
    """
    for root, folders, files in os.walk(folder, topdown=False):
        for name in files:
            os.remove(os.path.join(root, name))
        for name in folders:
            path = os.path.join(root, name)
            os.remove(path) if os.path.islink(path) else os.rmdir(path)
    os.rmdir(folder)


def _run(command: list[str], environment: dict[str, str], timeout: float) -> str:
    """Run Chromium off the network, in a session of its own; return its last words as ": ...", or ""."""
    from sendgraph.ask.netbarrier import close_network

    process = subprocess.Popen(
        command,
        # Pipes, not /dev/null: the guard lets no command open a device for writing.
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        start_new_session=True,  # its helper processes are stopped with it
        preexec_fn=close_network,  # in the child, before Chromium starts: it keeps the filter
    )
    try:
        _, errors = process.communicate(b"", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise OutputError(f"Chromium did not print the PDF within {timeout:g} seconds.") from None
    finally:
        # Its session is its own: whatever of it is still running (a helper, or all of
        # it after the time limit) is stopped, and nothing else.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    lines = [line for line in errors.decode("utf-8", "replace").splitlines() if line.strip()]
    if process.returncode != 0:
        return (
            f" (it ended with code {process.returncode}: {lines[-1] if lines else 'nothing said'})"
        )
    return ""
