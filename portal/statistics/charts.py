"""Charts as inline SVG, rendered on the server: no JavaScript, no CDN, works offline and under a
CSP without inline scripts. Every label is escaped; the same figures are also in the tables next
to the charts (the charts are a convenience, not the only place a number appears)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

RECEIVED_COLOUR = "#2f6fad"
COMPLETED_COLOUR = "#3a8d3a"
LATE_COLOUR = "#ba2121"
BAR_COLOUR = "#2f6fad"
MAX_BARS = 30


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def monthly_bars(series: list[tuple[str, int, int]], *, title: str, legend: tuple[str, str]):
    """Grouped bars per month: (label, received, completed)."""
    width_per = 48
    height, top, bottom, left = 180, 20, 40, 36
    width = left + max(1, len(series)) * width_per + 10
    peak = max([1, *(max(r, c) for _, r, c in series)])
    scale = (height - top - bottom) / peak
    parts = [
        f'<svg class="stats-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" '
        'stroke="#999"/>',
        f'<text x="2" y="{top + 4}" font-size="10" fill="#555">{peak}</text>',
    ]
    for i, (label, received, completed) in enumerate(series):
        x = left + i * width_per + 6
        for j, (value, colour) in enumerate(
            ((received, RECEIVED_COLOUR), (completed, COMPLETED_COLOUR))
        ):
            h = round(value * scale, 1)
            y = round(height - bottom - h, 1)
            parts.append(
                f'<rect x="{x + j * 17}" y="{y}" width="15" height="{h}" fill="{colour}">'
                f"<title>{escape(label)}: {value}</title></rect>"
            )
        parts.append(
            f'<text x="{x + 16}" y="{height - bottom + 14}" font-size="10" '
            f'text-anchor="middle" fill="#333">{escape(label)}</text>'
        )
    legend_y = height - 8
    parts.append(
        f'<rect x="{left}" y="{legend_y - 9}" width="10" height="10" fill="{RECEIVED_COLOUR}"/>'
        f'<text x="{left + 14}" y="{legend_y}" font-size="10">{escape(legend[0])}</text>'
        f'<rect x="{left + 110}" y="{legend_y - 9}" width="10" height="10" '
        f'fill="{COMPLETED_COLOUR}"/>'
        f'<text x="{left + 124}" y="{legend_y}" font-size="10">{escape(legend[1])}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def horizontal_bars(
    rows: list[tuple[str, Decimal | int | None]], *, title: str, unit: str = "", maximum=None
) -> SafeString:
    """One bar per row (label, value); value None is drawn as "—". At most MAX_BARS rows."""
    rows = rows[:MAX_BARS]
    label_width, bar_width, row_height = 220, 260, 20
    height = max(1, len(rows)) * row_height + 10
    width = label_width + bar_width + 70
    peak = maximum or max([1, *((v or 0) for _, v in rows)])
    parts = [
        f'<svg class="stats-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_height
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" font-size="11" text-anchor="end" '
            f'fill="#333">{escape(short)}<title>{escape(label)}</title></text>'
        )
        if value is None:
            parts.append(f'<text x="{label_width + 4}" y="{y + 13}" font-size="11">—</text>')
            continue
        w = round(float(value) / float(peak) * bar_width, 1) if peak else 0
        colour = LATE_COLOUR if unit == "%" and float(value) < 80 else BAR_COLOUR
        parts.append(
            f'<rect x="{label_width}" y="{y + 2}" width="{w}" height="{row_height - 6}" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + w + 4}" y="{y + 13}" font-size="11">'
            f"{escape(_num(value))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
