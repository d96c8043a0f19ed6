"""The readiness chart, drawn on the server as SVG (the page and the PDF show the same one).

As :mod:`aims.checks.charts`, whose helpers and colours it reuses: no script, no ``style``
attribute, every element built with ``format_html``, so every label is escaped. One horizontal
bar per clause (4 to 10) and per Annex A objective (A.2 to A.10), 0 to 100 %, with a dashed line
at level 3 (60 %), the level a certification audit looks for; with an earlier assessment, a thin
grey bar above each shows where it stood then.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from aims.checks.charts import FAIL_FILL, GRID, INK, MUTED, PASS_FILL, _n, _svg

from .models import TARGET_LEVEL
from .results import TOP, Group

WARN_FILL = "#c98a1b"
BEFORE_FILL = "#b8c2cc"
TARGET_PERCENT = round(100 * TARGET_LEVEL / TOP)


def fill_for(percent: int | None) -> str:
    if percent is None:
        return GRID
    if percent >= TARGET_PERCENT:
        return PASS_FILL
    if percent >= 40:
        return WARN_FILL
    return FAIL_FILL


def readiness_chart(
    groups: list[Group],
    *,
    title: str,
    before: dict[str, int | None] | None = None,
    width: int = 640,
) -> SafeString:
    """Bars of readiness (percent of level 5) for ``groups``; ``before`` maps a group's ref to
    its percent in an earlier assessment."""
    narrow = width < 480  # side by side in a report: shorter labels
    label_w, right, top, row = (130 if narrow else 230), 40, 30, 24 if before is None else 30
    longest, label_size = (17, 10) if narrow else (34, 11)
    plot_w = width - label_w - right
    height = top + row * len(groups) + 34
    parts = []
    for tick in (0, 20, 40, 60, 80, 100):
        x = label_w + plot_w * tick / 100
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
                _n(x),
                top - 4,
                _n(x),
                height - 26,
                GRID,
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="middle">{}</text>',
                _n(x),
                height - 12,
                MUTED,
                f"{tick} %",
            )
        )
    target_x = label_w + plot_w * TARGET_PERCENT / 100
    parts.append(
        format_html(
            '<line class="target" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
            'stroke-dasharray="5 4"/>',
            _n(target_x),
            top - 8,
            _n(target_x),
            height - 26,
            INK,
        )
    )
    for index, group in enumerate(groups):
        y = top + row * index
        label = group.label if len(group.label) <= longest else group.label[: longest - 1] + "…"
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="{}" fill="{}" text-anchor="end">{}</text>',
                label_w - 8,
                _n(y + row / 2 + 4),
                label_size,
                INK,
                label,
            )
        )
        bar_y, bar_h = y + 4, row - 8
        if before is not None:
            earlier = before.get(group.ref)
            if earlier is not None:
                parts.append(
                    format_html(
                        '<rect class="before" x="{}" y="{}" width="{}" height="5" fill="{}">'
                        "<title>{}</title></rect>",
                        label_w,
                        _n(y + 2),
                        _n(plot_w * earlier / 100),
                        BEFORE_FILL,
                        f"{group.ref} before: {earlier} %",
                    )
                )
            bar_y, bar_h = y + 9, row - 13
        percent = group.percent
        parts.append(
            format_html(
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}</title></rect>",
                label_w,
                _n(bar_y),
                _n(plot_w * (percent or 0) / 100),
                _n(bar_h),
                fill_for(percent),
                f"{group.label}: {percent} %" if percent is not None else f"{group.label}: —",
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" fill="{}">{}</text>',
                _n(label_w + plot_w * (percent or 0) / 100 + 4),
                _n(bar_y + bar_h / 2 + 4),
                INK,
                f"{percent} %" if percent is not None else "—",
            )
        )
    return _svg(parts, title=title, width=width, height=height)
