"""Accountability gaps, found by rules that are files, not code.

A rule is a SPARQL SELECT file whose header comments give its ``id``, ``severity``
(error, warning or info), ``title`` and ``rationale``. It selects ``?subject``,
``?ref`` and ``?message``, and may select ``?quote``, ``?document`` and ``?section``
as evidence. sendgraph ships its rules in ``sendgraph/rules/``; users add their own
with a folder of .rq files. A line ``#include oversees`` stands for the one definition
of which boards oversee which actions (``sendgraph/queries/include/oversees.rq``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sendgraph.ask.areas import placed
from sendgraph.ask.questions import header_fields, natural_key, with_includes
from sendgraph.ask.sparql import QueryStore
from sendgraph.base.errors import QueryError, RuleError

SEVERITIES = ("error", "warning", "info")
HEADER_FIELDS = ("id", "severity", "title", "rationale")
REQUIRED_VARIABLES = ("subject", "ref", "message")


@dataclass(frozen=True)
class Rule:
    """One gap rule: its header and its SPARQL."""

    id: str
    severity: str
    title: str
    rationale: str
    query: str
    source: str
    trusted: bool


def parse_rule(text: str, source: str, trusted: bool = False) -> Rule:
    """Read a rule file's header; raise `RuleError` naming ``source`` if a field is missing or wrong."""
    fields = header_fields(text)
    missing = [name for name in HEADER_FIELDS if not fields.get(name)]
    if missing:
        raise RuleError(
            f"{source}: the header needs '# {missing[0]}: ...' (every rule has {', '.join(HEADER_FIELDS)})."
        )
    if fields["severity"] not in SEVERITIES:
        raise RuleError(
            f"{source}: severity {fields['severity']!r} is not one of {', '.join(SEVERITIES)}."
        )
    return Rule(
        fields["id"],
        fields["severity"],
        fields["title"],
        fields["rationale"],
        with_includes(text),
        source,
        trusted,
    )


def bundled_rules() -> list[Rule]:
    """Return the rules sendgraph ships, in file-name order."""
    folder = resources.files("sendgraph").joinpath("rules")
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".rq")), key=lambda e: e.name)
    return [
        parse_rule(e.read_text(encoding="utf-8"), f"sendgraph/rules/{e.name}", trusted=True)
        for e in entries
    ]


def load_rules(folders: Iterable[Path] = ()) -> list[Rule]:
    """Return the bundled rules and the rules in each of ``folders``; ids must be unique."""
    rules = bundled_rules()
    for folder in folders:
        if not folder.is_dir():
            raise RuleError(f"{folder} is not a folder of .rq rule files.")
        files = sorted(folder.glob("*.rq"))
        if not files:
            raise RuleError(f"{folder} holds no .rq rule files.")
        rules += [parse_rule(path.read_text(encoding="utf-8"), str(path)) for path in files]
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise RuleError(
                f"{rule.source}: rule id {rule.id!r} is already used by {seen[rule.id]}."
            )
        seen[rule.id] = rule.source
    return rules


def find_gaps(
    store: QueryStore, rules: Iterable[Rule], timeout: float = 30.0, *, areas: bool = False
) -> list[dict[str, Any]]:
    """Run every rule and return one dictionary per gap: rule, severity, ref, message and evidence.

    With ``areas`` (a graph of many areas, `Questions.many_areas`) each gap begins with
    the ``area`` of its subject.
    """
    gaps = []
    for rule in rules:
        try:
            # The bundled rules are area-local (`sendgraph.ask.areawise`); a user's may not be.
            answer = (
                store.area_local(rule.query)
                if rule.trusted
                else store.run(rule.query, timeout=timeout)
            )
        except QueryError as exc:
            raise RuleError(f"{rule.source}: {exc}") from None
        if answer.kind != "select" or not set(REQUIRED_VARIABLES) <= set(answer.variables):
            raise RuleError(
                f"{rule.source}: a rule must be a SELECT of ?{', ?'.join(REQUIRED_VARIABLES)}."
            )
        for row in answer.records():
            gaps.append(
                placed({
                    "rule": rule.id,
                    "severity": rule.severity,
                    "ref": row["ref"],
                    "message": row["message"],
                    "quote": row.get("quote"),
                    "document": str(row.get("document") or "").rsplit("/", 1)[-1] or None,
                    "section": row.get("section"),
                    "subject": row["subject"],
                }, row["subject"], areas)
            )  # fmt: skip
    order = {name: number for number, name in enumerate(SEVERITIES)}
    return sorted(
        gaps,
        key=lambda g: (
            order[g["severity"]], g["rule"], g.get("area") or "", natural_key(g["ref"]), g["message"],
        ),
    )  # fmt: skip
