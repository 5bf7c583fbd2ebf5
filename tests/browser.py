"""Debian's chromium for the browser tests, driven by Playwright by its path.

`playwright install` is never used (it downloads a browser build of its own);
`scripts/install-chromium.sh` installs Debian's package. Without it the browser tests
skip, saying why, except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots and PDFs the browser tests leave for a person to look at.
ARTIFACTS = Path(__file__).resolve().parent.parent / "build" / "test-artifacts"


def require_chromium() -> None:
    """Skip the test when Debian's chromium is missing, saying why; fail instead under CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing under CI; scripts/install-chromium.sh installs it.")
        pytest.skip(
            f"Debian chromium is not installed at {CHROMIUM} (sh scripts/install-chromium.sh)"
        )


def pdf_texts(pdf: bytes) -> list[str]:
    """The text of each page of a PDF, in order (pypdf)."""
    from io import BytesIO

    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


@contextmanager
def launched() -> Iterator[Any]:
    """Launch chromium headless for a module's tests; skip (fail under CI) when it is missing."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()
