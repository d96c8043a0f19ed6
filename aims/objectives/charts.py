"""A KPI's trend, drawn on the server as SVG in the style of the checks' charts.

Like :mod:`aims.checks.charts` (whose helpers and colours it reuses): no script, no ``style``
attribute, every element built with ``format_html`` so every label is escaped. Unlike a check's
metric, a KPI may be negative or far from zero, so the scale spans the values and the target
rather than starting at zero.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString

from aims.checks.charts import FAIL_FILL, GRID, INK, MUTED, NEUTRAL_FILL, PASS_FILL, _fmt, _n, _svg

from .models import KPI, Direction, KPIStatus, format_value

AT_RISK_FILL = "#c98a1b"
BAND_FILL = "#e3f1ea"
STATUS_FILL = {
    KPIStatus.ON_TARGET: PASS_FILL,
    KPIStatus.AT_RISK: AT_RISK_FILL,
    KPIStatus.OFF_TARGET: FAIL_FILL,
}


def _scale(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if math.isclose(low, high):
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.1
    return low - pad, high + pad


def kpi_chart(
    kpi: KPI,
    points: list[tuple[dt.date, Decimal]],
    *,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """The KPI's measurements, oldest left, each dot coloured by the status it gave, with a
    dashed line at the target (and the band shaded, for "within a band")."""
    title = f"{kpi.name} ({kpi.unit})" if kpi.unit else kpi.name
    left, right, top, bottom = 56, 24, 30, 30
    if not points:
        empty = format_html(
            '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
            left,
            f"{height / 2:.0f}",
            MUTED,
            "No measurement yet.",
        )
        return _svg([empty], title=title, width=width, height=height)
    target, band = float(kpi.target), float(kpi.band or 0)
    bounds = [float(v) for _, v in points] + [target]
    if kpi.direction == Direction.BAND:
        bounds += [target - band, target + band]
    low, high = _scale(bounds)
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    def x(i: int) -> float:
        return left + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    parts = []
    if kpi.direction == Direction.BAND and band > 0:
        parts.append(
            format_html(
                '<rect class="band" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                left,
                _n(y(target + band)),
                plot_w,
                _n(y(target - band) - y(target + band)),
                BAND_FILL,
            )
        )
    for tick in range(3):
        value = low + (high - low) * tick / 2
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
    parts.append(
        format_html(
            '<line class="target" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
            'stroke-width="2" stroke-dasharray="5 4"/>',
            left,
            _n(y(target)),
            width - right,
            _n(y(target)),
            INK,
        )
    )
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="end" '
            'stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>',
            width - right,
            _n(y(target) - 5),
            INK,
            f"target {kpi.target_text()}",
        )
    )
    if len(points) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(float(v)):.1f}"
            for i, (_, v) in enumerate(points)
        )
        parts.append(
            format_html(
                '<path d="{}" fill="none" stroke="{}" stroke-width="2"/>', path, NEUTRAL_FILL
            )
        )
    for i, (day, value) in enumerate(points):
        status = kpi.status_for(value)
        parts.append(
            format_html(
                '<circle class="point" cx="{}" cy="{}" r="4" fill="{}"><title>{}: {} ({})</title>'
                "</circle>",
                _n(x(i)),
                _n(y(float(value))),
                STATUS_FILL.get(status, NEUTRAL_FILL),
                f"{day:%Y-%m-%d}",
                format_value(value),
                status.label,
            )
        )
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="10" fill="{}">{}</text>',
            left,
            height - 8,
            MUTED,
            f"{points[0][0]:%Y-%m-%d}",
        )
    )
    if len(points) > 1:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="end">{}</text>',
                width - right,
                height - 8,
                MUTED,
                f"{points[-1][0]:%Y-%m-%d}",
            )
        )
    return _svg(parts, title=title, width=width, height=height)
