"""SECURITY.md names, for every promise, tests that exist: the document cannot drift from the suite."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"`(tests/test_\w+\.py)::(test_\w+)`")


def test_every_test_security_md_names_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    named = NAMED.findall(text)
    assert len(named) > 80
    missing = []
    for path, name in named:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        if name not in defined:
            missing.append(f"{path}::{name}")
    assert missing == []


def test_every_promise_names_a_test() -> None:
    """Each bold promise is followed by at least one test before the next promise."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    body = text.split("## The SPARQL endpoint", 1)[1].split("## What is not promised", 1)[0]
    promises = re.split(r"\n\*\*", body)[1:]
    assert len(promises) >= 20
    for promise in promises:
        assert NAMED.search(promise), promise[:80]
