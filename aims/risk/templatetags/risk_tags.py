from django import template
from django.utils.html import format_html

register = template.Library()

NOT_ASSESSED = format_html('<span class="muted small">{}</span>', "Not assessed")


@register.simple_tag
def level_badge(level, score=None) -> str:
    """A risk level as a badge, with its score when given; "Not assessed" without a level.

    A tag, not an included template: the register shows two a row, and an include costs a
    template render each."""
    if not level:
        return NOT_ASSESSED
    badge = format_html('<span class="badge badge-{}">{}</span>', level, level.label)
    if score is None or score == "":  # "": no score in the context of an include
        return badge
    return format_html(
        '{} <span class="muted small" title="Score: likelihood × impact">{}</span>', badge, score
    )
