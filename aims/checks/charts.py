"""Charts drawn on the server as SVG, so the same picture can go into a PDF report.

No script and no ``style`` attribute (the Content-Security-Policy allows neither): only SVG
presentation attributes. Every label is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PASS_FILL = "#3f8f6b"
FAIL_FILL = "#c8473d"
NEUTRAL_FILL = "#4a78a8"
INK = "#1b2430"
MUTED = "#5b6675"
GRID = "#dde3ea"
# A white outline under a label keeps it readable where it crosses a line or a bar.
HALO = 'stroke="#fff" stroke-width="3" paint-order="stroke"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return top
    return 10 ** (exponent + 1)


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    limit: float | None = None,
    op: str | None = None,
    limit_label: str = "",
    width: int = 520,
) -> SafeString:
    """Horizontal bars, one per group, with a dashed line at the limit.

    Bars are green when their value is within the limit, red when not, blue without a limit.
    """
    row, top, left, right = 30, 44, 150, 70
    height = top + row * max(len(bars), 1) + 30
    values = [b.value for b in bars if b.value is not None and math.isfinite(b.value)]
    scale_max = _nice_max(max([*values, limit or 0.0, 0.0]))
    plot = width - left - right

    def x(v: float) -> float:
        return left + plot * max(v, 0.0) / scale_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="13" font-weight="600" fill="{INK}">{escape(title)}</text>',
    ]
    for tick in range(5):
        value = scale_max * tick / 4
        tx = x(value)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" '
            f'y2="{height - 24}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{tx:.1f}" y="{height - 10}" font-size="10" fill="{MUTED}" '
            f'text-anchor="middle">{_fmt(value)}</text>'
        )
    if limit is not None:  # under the bars' value labels, which have a halo
        parts.append(
            f'<line class="limit" x1="{x(limit):.1f}" y1="{top - 8}" x2="{x(limit):.1f}" '
            f'y2="{height - 24}" stroke="{INK}" stroke-width="2" '
            f'stroke-dasharray="5 4"/>'
        )
    for i, bar in enumerate(bars):
        y = top + i * row
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" font-size="11" fill="{INK}" '
            f'text-anchor="end">{escape(bar.label[:28])}</text>'
        )
        if bar.value is None or not math.isfinite(bar.value):
            parts.append(
                f'<text x="{left + 4}" y="{y + 15}" font-size="11" fill="{MUTED}">'
                "no value (too few rows)</text>"
            )
            continue
        if limit is None:
            fill = NEUTRAL_FILL
        else:
            ok = bar.value <= limit if op == "max" else bar.value >= limit
            fill = PASS_FILL if ok else FAIL_FILL
        parts.append(
            f'<rect class="bar" x="{left}" y="{y + 3}" '
            f'width="{max(x(bar.value) - left, 1):.1f}" height="{row - 10}" '
            f'fill="{fill}" rx="2"><title>{escape(bar.label)}: '
            f"{_fmt(bar.value)}</title></rect>"
        )
        parts.append(
            f'<text x="{x(bar.value) + 5:.1f}" y="{y + 15}" font-size="11" '
            f'fill="{INK}" {HALO}>{_fmt(bar.value)}</text>'
        )
    if limit is not None:
        lx = x(limit)
        label = limit_label or f"limit {_fmt(limit)}"
        parts.append(
            f'<text x="{lx:.1f}" y="{top - 11}" font-size="10" fill="{INK}" '
            f'text-anchor="middle" {HALO}>{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


def trend_chart(
    points: list[tuple[dt.datetime, float | None, bool]],
    *,
    title: str,
    limit: float | None = None,
    width: int = 520,
    height: int = 180,
) -> SafeString:
    """A metric over the runs of a check, oldest left; dots coloured by the run's verdict."""
    left, right, top, bottom = 50, 20, 30, 30
    usable = [(t, v, ok) for t, v, ok in points if v is not None and math.isfinite(v)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="13" font-weight="600" fill="{INK}">{escape(title)}</text>',
    ]
    if not usable:
        parts.append(
            f'<text x="{left}" y="{height / 2:.0f}" font-size="12" fill="{MUTED}">'
            "No run yet.</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308
    scale_max = _nice_max(max([v for _, v, _ in usable] + [limit or 0.0]))
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v: float) -> float:
        return top + plot_h * (1 - max(v, 0.0) / scale_max)

    def x(i: int) -> float:
        return left + (plot_w * i / (len(usable) - 1) if len(usable) > 1 else plot_w / 2)

    for tick in range(3):
        value = scale_max * tick / 2
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" '
            f'y2="{y(value):.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" font-size="10" '
            f'fill="{MUTED}" text-anchor="end">{_fmt(value)}</text>'
        )
    if limit is not None:
        parts.append(
            f'<line class="limit" x1="{left}" y1="{y(limit):.1f}" x2="{width - right}" '
            f'y2="{y(limit):.1f}" stroke="{INK}" stroke-width="2" '
            f'stroke-dasharray="5 4"/>'
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, (_, v, _) in enumerate(usable)
    )
    parts.append(f'<path d="{path}" fill="none" stroke="{NEUTRAL_FILL}" stroke-width="2"/>')
    for i, (when, value, ok) in enumerate(usable):
        parts.append(
            f'<circle class="point" cx="{x(i):.1f}" cy="{y(value):.1f}" r="4" '
            f'fill="{PASS_FILL if ok else FAIL_FILL}"><title>{when:%Y-%m-%d %H:%M}: '
            f"{_fmt(value)}</title></circle>"
        )
    first, last = usable[0][0], usable[-1][0]
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="10" fill="{MUTED}">{first:%Y-%m-%d}</text>'
    )
    if len(usable) > 1:
        parts.append(
            f'<text x="{width - right}" y="{height - 8}" font-size="10" '
            f'fill="{MUTED}" text-anchor="end">{last:%Y-%m-%d}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
