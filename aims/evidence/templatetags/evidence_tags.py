"""A piece of evidence's state and file integrity as badges: tags, not included templates, as
the evidence list shows them on its rows and an include costs a template render each."""

from django import template
from django.utils.html import format_html, format_html_join

from ..models import State

register = template.Library()

STATE_BADGES = {
    State.EXPIRED: format_html('<span class="badge badge-bad">{}</span>', "Expired"),
    State.NOT_YET_EFFECTIVE: format_html(
        '<span class="badge badge-info">{}</span>', "Not yet effective"
    ),
}
CURRENT = format_html('<span class="badge badge-ok">{}</span>', "Current")
ALTERED = format_html(
    '<span class="badge badge-bad" title="{}">{}</span>',
    "A stored file no longer matches the SHA-256 recorded at upload",
    "File altered",
)
MISSING = format_html(
    '<span class="badge badge-bad" title="{}">{}</span>',
    "A stored file is no longer in storage",
    "File missing",
)


@register.simple_tag
def state_badge(state) -> str:
    """An :class:`aims.evidence.models.State` as a badge."""
    return STATE_BADGES.get(state, CURRENT)


@register.simple_tag
def integrity_badges(altered, missing) -> str:
    """Whether a stored file of the evidence was found altered or missing by the last
    re-hash, as badges (nothing when neither)."""
    found = [badge for badge, shown in ((ALTERED, altered), (MISSING, missing)) if shown]
    return format_html_join(" ", "{}", ((badge,) for badge in found))
