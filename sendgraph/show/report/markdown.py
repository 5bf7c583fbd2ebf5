"""The evidence report as Markdown: the same content as the HTML page, with each chart as a table."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sendgraph.show.report.evidence import (
    ActionEvidence,
    FindingEvidence,
    Gap,
    Report,
    ThemeEvidence,
    ThemeItem,
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def _md(text: object) -> str:
    """Text made inert in Markdown: HTML characters as entities, Markdown's own escaped."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def _md_quote(text: str) -> list[str]:
    return ["> " + _md(line) if line.strip() else ">" for line in text.splitlines()]


def _md_table(columns: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    heads = list(columns)
    lines = ["| " + " | ".join(_md(c) for c in heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows]
    return lines


def _md_action(action: ActionEvidence, finding: FindingEvidence) -> list[str]:
    lines = [f"#### {_md(action.ref)}", ""]
    if action.ref != finding.ref and action.text:
        lines += [*_md_quote(action.text), ""]
    elif action.ref == finding.ref:
        lines += ["This finding is itself a row of the plan.", ""]
    lines += [
        f"- **Owners:** {_md('; '.join(action.owners) or 'none named')}",
        f"- **Accountable leads:** {_md('; '.join(action.accountable_leads) or 'none named')}",
        f"- **Organisations:** {_md('; '.join(action.organisations) or 'none stated')}",
    ]
    if action.oversight:
        lines.append("- **Boards:**")
        lines += [
            f"  - {_md(o.board)} ({_md(o.via)}): {_md(o.path)}. “{_md(o.quote)}” ({_md(o.source)})"
            for o in action.oversight
        ]
    else:
        lines.append("- **Boards:** no board oversees this action")
    if action.history:
        lines.append("- **Status:**")
        lines += [
            f"  - {_md(p.status)}"
            + (f" (as written: “{_md(p.written)}”)" if p.written and p.written != p.status else "")
            + f", as at {_md(p.as_at_text)}"
            for p in action.history
        ]
        lines += [f"  - {_md(line)}" for line in action.row_statuses]
    else:
        lines.append("- **Status:** none reported")
    if action.targets:
        moved = (
            f"; moved {action.months_slipped} months" if action.months_slipped is not None else ""
        )
        lines.append(
            f"- **Target dates:** {_md(' → '.join(action.targets))}"
            + (
                f" (first {_md(action.targets[0])}, current {_md(action.targets[-1])}{moved})"
                if len(action.targets) > 1
                else ""
            )
        )
    else:
        lines.append("- **Target dates:** none given")
    lines += [f"- **Success measure:** {_md(m)}" for m in action.success_measures]
    lines.append(f"- **Source:** {_md(action.source)}")
    for quote in action.progress:
        lines += [
            "",
            "Progress"
            + (f" (status as written: {_md(quote.status_text)})" if quote.status_text else "")
            + f", {_md(quote.source)}:",
            "",
        ]
        lines += _md_quote(quote.text)
    lines += _md_gaps(action.gaps)
    return [*lines, ""]


def _md_gaps(gaps: list[Gap]) -> list[str]:
    if not gaps:
        return []
    lines = ["", "Gaps:", ""]
    lines += [
        f"- [{_md(g.severity)}] {_md(g.rule)}: {_md(g.message)}"
        + (f" “{_md(g.quote)}”" if g.quote else "")
        + f" ({_md(g.source)})"
        for g in gaps
    ]
    return lines


# Fixed text, not data: written as Markdown, code spans and all.
THEMES_INTRO = (
    "A theme recurs when findings of more than one review carry it: the same concern raised"
    " again. Findings and actions are tagged by the word rules in"
    " `sendgraph/tagging/theme-rules.csv` (or the data folder's `theme_rules.csv`), with the"
    " corrections in the data folder's `theme_corrections.csv` adding or removing a tag and"
    " saying why; the words below are those the rules matched, as written. `sendgraph themes"
    " REF` shows why an item carries a tag. Earlier actions are the plan's actions on the"
    " theme whose status was reported before the latest review raising it."
)


def _md_lines(text: str) -> str:
    """Text of several lines kept as several lines in one list item (hard line breaks)."""
    return "\\\n    ".join(_md(line) for line in text.splitlines())


def _md_tags(item: ThemeItem) -> str:
    parts = []
    for tag in item.tags:
        words = ", ".join(f"“{_md(word)}”" for word in tag.matched)
        if tag.corrected and words:
            words += f" (tagged by correction: {_md(tag.reason)})"
        elif tag.corrected:
            words = f"tagged by correction: {_md(tag.reason)}"
        parts.append(f"{_md(tag.kind)}: {words}" if tag.kind else words)
    where = "" if item.link else f" ({_md(item.source)})"
    return "; ".join(parts) + where


def _md_theme_actions(items: list[ThemeItem]) -> list[str]:
    lines = []
    for item in items:
        written = item.written and item.written != item.status
        lines.append(
            f"- **{_md(item.ref)}**: {_md(item.status)}"
            + (f" (as written: “{_md_lines(item.written)}”)" if written else "")
            + (f", as at {_md(item.as_at_text)}" if item.as_at_text else "")
            + f"; {item.completion}. Evidence: {_md_tags(item)}"
        )
    return lines


def _md_themes(themes: list[ThemeEvidence]) -> list[str]:
    """The recurring themes as Markdown: the overview table, then one heading per theme."""
    lines = ["## Recurring themes", "", THEMES_INTRO, ""]
    if not themes:
        return [*lines, "No theme recurs across the reviews.", ""]
    lines += _md_table(
        ("theme", "reviews raising it", "findings", "earlier actions", "completed of those"),
        (
            (t.label, "; ".join(t.raised_by), len(t.findings), len(t.earlier), t.completed)
            for t in themes
        ),
    )
    for theme in themes:
        lines += ["", f"### {_md(theme.label)}", "", f"{_md(theme.summary)}.", ""]
        lines += [f"#### Findings that raise it ({len(theme.findings)})", ""]
        for review, items in theme.by_review:
            lines.append(f"- {_md(review)}")
            lines += [f"  - **{_md(item.ref)}** {_md_tags(item)}" for item in items]
        as_at = f", statuses as at {_md(', '.join(theme.earlier_as_at))}" if theme.earlier else ""
        lines += [
            "",
            f"#### Earlier actions on it ({len(theme.earlier)}"
            + (f", {theme.completed} completed" if theme.earlier else "")
            + f"){as_at}",
            "",
        ]
        lines += _md_theme_actions(theme.earlier) or [
            "No plan reported an action on this theme before the latest review raising it."
        ]
        if theme.later:
            lines += [
                "",
                f"#### Plan actions reported after the latest review ({len(theme.later)})",
                "",
            ]
            lines += _md_theme_actions(theme.later)
        if theme.identified:
            lines += ["", f"#### Actions the reviews identified ({len(theme.identified)})", ""]
            for item in theme.identified:
                answering = f", answering {_md(item.answers)}" if item.answers else ""
                lines.append(f"- **{_md(item.ref)}**{answering}: {_md_tags(item)}")
                if item.text:
                    lines += ["", *("  " + line for line in _md_quote(item.text))]
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    """Return the report as Markdown: the same content, with each chart as a table."""
    lines = [f"# {_md(report.title)}", ""]
    lines += [f"Sources: {_md('; '.join(report.documents))}.", ""]
    lines += [_md(sentence) for sentence in report.as_at_sentences] + [""]
    lines += ["## Summary", "", "### Actions by status", ""]
    lines += _md_table(("status", "actions"), report.status_counts.items())
    lines += ["", f"{report.actions} actions in all.", "", "### Actions each board oversees", ""]
    lines += _md_table(("board", "actions"), report.boards)
    lines += ["", "### Worst slippage", ""]
    lines += [
        f"- {_md(r['ref'])}: {_md(' → '.join(r['targets']))}, "
        + (f"{r['months']} months" if r["months"] is not None else "months unknown")
        + f" over {r['revisions']} revision{'s' if r['revisions'] != 1 else ''}"
        for r in report.slippage[:5]
    ] or ["No target was revised."]
    lines += ["", f"### Open gaps ({report.gaps})", ""]
    lines += _md_table(
        ("rule", "severity", "gaps", "first found in"),
        (
            (g.rule, g.severity, g.count, ", ".join(g.top) + (", …" if g.more else ""))
            for g in report.gap_counts
        ),
    )
    lines += ["", "## Charts", ""]
    for chart in report.charts:
        lines += [f"### {_md(chart.title)}", "", *_md_table(chart.columns, chart.rows), ""]
    for review in report.reviews:
        answered = len(review.findings) - len(review.unanswered)
        lines += [
            f"## {_md(review.label)}",
            "",
            f"{len(review.findings)} findings, {answered} answered by an action.",
            "",
        ]
        for finding in review.findings:
            lines += [
                f"### {_md(finding.ref)}: {_md(finding.kind)}",
                "",
                *_md_quote(finding.text),
                "",
            ]
            if finding.strength:
                lines += [f"Strength noted: {_md(finding.strength)}", ""]
            lines += [f"Source: {_md(finding.source)}", ""]
            if not finding.answered:
                lines += ["**No action answers this finding.** That is a gap, not an omission.", ""]
            for quote in finding.progress:
                lines += [f"Progress reported against the finding itself, {_md(quote.source)}:", ""]
                lines += [*_md_quote(quote.text), ""]
            if finding.gaps:
                lines += [*_md_gaps(finding.gaps)[1:], ""]
            for action in finding.actions:
                lines += _md_action(action, finding)
    lines += ["## Strengths", ""]
    lines += [f"- **{_md(s.ref)}** {_md(s.strength)} ({_md(s.source)})" for s in report.strengths]
    lines += ["", *_md_themes(report.themes)]
    lines += ["", "## Register of every action", ""]
    lines += _md_table(
        ("action", "plan", "owners", "status", "targets", "answers", "source"),
        (
            (
                e.ref,
                e.plan or "not in a plan",
                "; ".join(e.owners) or "none named",
                e.status
                + (f" (“{e.written}”)" if e.written and e.written != e.status else "")
                + "".join(f"; {line}" for line in e.row_statuses),
                " → ".join(e.targets) or "none",
                ", ".join(ref for ref, _ in e.answers) or "–",
                f"{e.source.file} row {e.source.row}" if e.source.row else e.source.file,
            )
            for e in report.register
        ),
    )
    lines += ["", "---", "", _md(report.footer), ""]
    return "\n".join(lines)
