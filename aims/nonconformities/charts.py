"""Inline SVG charts for the nonconformity register report (no JavaScript in reports)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join

BAR_HEIGHT = 18
LABEL_WIDTH = 170
BAR_WIDTH = 300


def bars(rows: list[tuple[str, int]], *, title: str) -> str:
    """A horizontal bar chart of ``(label, count)`` rows, as SVG safe to put in a page."""
    top = max((count for _, count in rows), default=0) or 1
    height = BAR_HEIGHT * len(rows) + 4
    width = LABEL_WIDTH + BAR_WIDTH + 40
    items = format_html_join(
        "",
        '<text x="0" y="{}" font-size="9">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#2f5d8a"></rect>'
        '<text x="{}" y="{}" font-size="9">{}</text>',
        (
            (
                index * BAR_HEIGHT + 13,
                label,
                LABEL_WIDTH,
                index * BAR_HEIGHT + 3,
                round(BAR_WIDTH * count / top),
                BAR_HEIGHT - 6,
                LABEL_WIDTH + round(BAR_WIDTH * count / top) + 4,
                index * BAR_HEIGHT + 13,
                count,
            )
            for index, (label, count) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" width="{}" '
        'height="{}" viewBox="0 0 {} {}">{}</svg>',
        title,
        width,
        height,
        width,
        height,
        items,
    )
