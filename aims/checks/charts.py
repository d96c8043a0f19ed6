"""Charts drawn on the server as SVG, so the same picture can go into a PDF report.

No script and no ``style`` attribute (the Content-Security-Policy allows neither): only SVG
presentation attributes. Every element is built with ``format_html``, so every label (group
names come from the user's data) is escaped; nothing here is marked safe by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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


def _n(value: float) -> str:
    """A coordinate, to one decimal."""
    return f"{value:.1f}"


def _svg(parts: list[SafeString], *, title: str, width: int, height: int) -> SafeString:
    """The chart: its title (as a tooltip, an accessible name and a heading) above ``parts``."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" role="img" aria-label="{title}"><title>{title}</title>'
        '<text x="0" y="16" font-size="13" font-weight="600" fill="{ink}">{title}</text>'
        "{body}</svg>",
        w=width,
        h=height,
        title=title,
        ink=INK,
        body=format_html_join("", "{}", ((part,) for part in parts)),
    )


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

    parts = []
    for tick in range(5):
        value = scale_max * tick / 4
        tx = _n(x(value))
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                tx,
                top - 6,
                tx,
                height - 24,
                GRID,
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="middle">{}</text>',
                tx,
                height - 10,
                MUTED,
                _fmt(value),
            )
        )
    if limit is not None:  # under the bars' value labels, which have a halo
        lx = _n(x(limit))
        parts.append(
            format_html(
                '<line class="limit" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
                'stroke-width="2" stroke-dasharray="5 4"/>',
                lx,
                top - 8,
                lx,
                height - 24,
                INK,
            )
        )
    for i, bar in enumerate(bars):
        y = top + i * row
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" fill="{}" text-anchor="end">{}</text>',
                left - 8,
                y + 15,
                INK,
                bar.label[:28],
            )
        )
        if bar.value is None or not math.isfinite(bar.value):
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                    left + 4,
                    y + 15,
                    MUTED,
                    "no value (too few rows)",
                )
            )
            continue
        if limit is None:
            fill = NEUTRAL_FILL
        else:
            ok = bar.value <= limit if op == "max" else bar.value >= limit
            fill = PASS_FILL if ok else FAIL_FILL
        parts.append(
            format_html(
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2">'
                "<title>{}: {}</title></rect>",
                left,
                y + 3,
                _n(max(x(bar.value) - left, 1)),
                row - 10,
                fill,
                bar.label,
                _fmt(bar.value),
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" fill="{}" ' + HALO + ">{}</text>",
                _n(x(bar.value) + 5),
                y + 15,
                INK,
                _fmt(bar.value),
            )
        )
    if limit is not None:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="middle" '
                + HALO
                + ">{}</text>",
                _n(x(limit)),
                top - 11,
                INK,
                limit_label or f"limit {_fmt(limit)}",
            )
        )
    return _svg(parts, title=title, width=width, height=height)


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
    if not usable:
        empty = format_html(
            '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
            left,
            f"{height / 2:.0f}",
            MUTED,
            "No run yet.",
        )
        return _svg([empty], title=title, width=width, height=height)
    scale_max = _nice_max(max([v for _, v, _ in usable] + [limit or 0.0]))
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v: float) -> float:
        return top + plot_h * (1 - max(v, 0.0) / scale_max)

    def x(i: int) -> float:
        return left + (plot_w * i / (len(usable) - 1) if len(usable) > 1 else plot_w / 2)

    parts = []
    for tick in range(3):
        value = scale_max * tick / 2
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
                left,
                _n(y(value)),
                width - right,
                _n(y(value)),
                GRID,
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="end">{}</text>',
                left - 6,
                _n(y(value) + 4),
                MUTED,
                _fmt(value),
            )
        )
    if limit is not None:
        parts.append(
            format_html(
                '<line class="limit" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
                'stroke-width="2" stroke-dasharray="5 4"/>',
                left,
                _n(y(limit)),
                width - right,
                _n(y(limit)),
                INK,
            )
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, (_, v, _) in enumerate(usable)
    )
    parts.append(
        format_html('<path d="{}" fill="none" stroke="{}" stroke-width="2"/>', path, NEUTRAL_FILL)
    )
    for i, (when, value, ok) in enumerate(usable):
        parts.append(
            format_html(
                '<circle class="point" cx="{}" cy="{}" r="4" fill="{}"><title>{}: {}</title>'
                "</circle>",
                _n(x(i)),
                _n(y(value)),
                PASS_FILL if ok else FAIL_FILL,
                f"{when:%Y-%m-%d %H:%M}",
                _fmt(value),
            )
        )
    first, last = usable[0][0], usable[-1][0]
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="10" fill="{}">{}</text>',
            left,
            height - 8,
            MUTED,
            f"{first:%Y-%m-%d}",
        )
    )
    if len(usable) > 1:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="end">{}</text>',
                width - right,
                height - 8,
                MUTED,
                f"{last:%Y-%m-%d}",
            )
        )
    return _svg(parts, title=title, width=width, height=height)
