"""Bar charts as inline SVG text, for the report: no script, no fonts fetched, print-safe.

Each chart is one ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says
in words what the bars show, so that a screen reader, a text search and a printout
all carry the numbers. Every bar carries its value as text, and every coloured segment
its status's short code, because colour must never be the only cue. Every text from
the data is escaped here, once, as it is written into the markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

# Drawn at 720 units wide, about the text width of an A4 page at 96 dpi with 15 mm margins;
# the SVG scales with its container, so it also fits a screen.
WIDTH = 720
ROW = 24
BAR = 16
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
LABEL_CHARS = 34


@dataclass(frozen=True)
class Series:
    """One kind of segment in a stacked bar: its name, short code, fill and text colour."""

    name: str
    code: str
    fill: str
    ink: str = "#ffffff"


@dataclass(frozen=True)
class Chart:
    """A drawn chart: an id for anchors, its title, the SVG text, and its data as a table."""

    id: str
    title: str
    svg: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_text(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{_text(chart_id)}-title {_text(chart_id)}-desc" '
        f'font-family="{FONT}" font-size="12">',
        f'<title id="{_text(chart_id)}-title">{_text(title)}</title>',
        f'<desc id="{_text(chart_id)}-desc">{_text(description)}</desc>',
    ]


def _scale(largest: int, space: float) -> float:
    return space / largest if largest else 0.0


def stacked_bars(
    chart_id: str,
    title: str,
    rows: list[tuple[str, dict[str, int]]],
    series: list[Series],
) -> Chart:
    """Horizontal stacked bars: one row per label, one segment per series, with a legend.

    ``rows`` is ``[(label, {series name: count})]``, drawn in the order given.
    """
    left, right, top = 250, 40, 34
    height = top + ROW * len(rows) + 12
    totals = [sum(counts.values()) for _, counts in rows]
    unit = _scale(max(totals, default=0), WIDTH - left - right)
    words = "; ".join(
        f"{label}: "
        + ", ".join(f"{counts[s.name]} {s.name}" for s in series if counts.get(s.name))
        + f" ({total} in all)"
        for (label, counts), total in zip(rows, totals, strict=True)
    )
    parts = _open(chart_id, title, f"{title}. {words}.", height)
    x = 0.0
    for entry in series:  # the legend, in the order the segments are stacked
        parts.append(
            f'<rect x="{x:.0f}" y="4" width="22" height="16" fill="{entry.fill}" stroke="#333" stroke-width="0.5"/>'
            f'<text x="{x + 11:.0f}" y="16" text-anchor="middle" fill="{entry.ink}" font-weight="700">{_text(entry.code)}</text>'
            f'<text x="{x + 27:.0f}" y="16">{_text(entry.name)}</text>'
        )
        x += 27 + 7.2 * len(entry.name) + 16
    for index, ((label, counts), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + index * ROW
        parts.append(
            f'<text x="{left - 8}" y="{y + BAR - 4}" text-anchor="end">'
            f"<title>{_text(label)}</title>{_text(_short(label))}</text>"
        )
        start = float(left)
        for entry in series:
            count = counts.get(entry.name, 0)
            if not count:
                continue
            width = count * unit
            parts.append(
                f'<g class="segment"><title>{_text(label)}: {count} {_text(entry.name)}</title>'
                f'<rect x="{start:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{entry.fill}" stroke="#ffffff" stroke-width="1"/>'
            )
            # The count and code when they fit, the code alone when only it fits: a
            # segment is never told by its colour alone.
            code = f"{entry.code} {count}"
            if width < 7 * len(code) + 6:
                code = entry.code if width >= 10 else ""
            if code:
                parts.append(
                    f'<text x="{start + width / 2:.1f}" y="{y + BAR - 4}" text-anchor="middle" '
                    f'fill="{entry.ink}" font-size="11" font-weight="700">{_text(code)}</text>'
                )
            parts.append("</g>")
            start += width
        parts.append(f'<text x="{start + 6:.1f}" y="{y + BAR - 4}" fill="#333">{total}</text>')
    parts.append("</svg>")
    table_rows = tuple(
        (label, *(str(counts.get(s.name, 0)) for s in series), str(total))
        for (label, counts), total in zip(rows, totals, strict=True)
    )
    return Chart(
        chart_id,
        title,
        "".join(parts),
        ("", *(s.name for s in series), "all"),
        table_rows,
    )


def bars(
    chart_id: str,
    title: str,
    rows: list[tuple[str, int, str]],
    unit_name: str,
    fill: str = "#4e79a7",
) -> Chart:
    """Horizontal bars: one per ``(label, value, note)``, the value and note written after the bar."""
    left, right, top = 170, 230, 6
    height = top + ROW * len(rows) + 6
    unit = _scale(max((value for _, value, _ in rows), default=0), WIDTH - left - right)
    words = "; ".join(
        f"{label}: {value} {unit_name}" + (f" ({note})" if note else "")
        for label, value, note in rows
    )
    parts = _open(chart_id, title, f"{title}. {words}.", height)
    for index, (label, value, note) in enumerate(rows):
        y = top + index * ROW
        width = max(value * unit, 1.5)
        after = f"{value} {unit_name}" + (f" · {note}" if note else "")
        parts.append(
            f'<g class="bar"><title>{_text(label)}: {_text(after)}</title>'
            f'<text x="{left - 8}" y="{y + BAR - 4}" text-anchor="end">{_text(_short(label))}</text>'
            f'<rect x="{left}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{fill}"/>'
            f'<text x="{left + width + 6:.1f}" y="{y + BAR - 4}" fill="#333">{_text(after)}</text></g>'
        )
    parts.append("</svg>")
    return Chart(
        chart_id,
        title,
        "".join(parts),
        ("", unit_name, ""),
        tuple((label, str(value), note) for label, value, note in rows),
    )
