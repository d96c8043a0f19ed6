"""An SoA entry's applicability and implementation as badges: tags, not included templates, as
the SoA list shows both on each of its rows and an include costs a template render each."""

from django import template
from django.utils.html import format_html

from ..models import Applicability, Implementation

register = template.Library()

APPLICABILITY = {
    Applicability.APPLICABLE: format_html('<span class="badge badge-info">{}</span>', "Applicable"),
    Applicability.EXCLUDED: format_html('<span class="badge">{}</span>', "Not applicable"),
}
UNDECIDED = format_html('<span class="badge badge-warn">{}</span>', "Not decided")
IMPLEMENTATION = {
    Implementation.IMPLEMENTED: "badge badge-ok",
    Implementation.PARTIAL: "badge badge-medium",
    Implementation.PLANNED: "badge badge-info",
}
NOT_APPLICABLE = format_html('<span class="muted">{}</span>', "—")


@register.simple_tag
def applicability_badge(entry) -> str:
    return APPLICABILITY.get(entry.applicability, UNDECIDED)


@register.simple_tag
def implementation_badge(entry) -> str:
    """Implementation only counts for applicable controls."""
    if entry.applicability != Applicability.APPLICABLE:
        return NOT_APPLICABLE
    css = IMPLEMENTATION.get(entry.status, "badge")
    return format_html('<span class="{}">{}</span>', css, entry.get_status_display())
