from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

TIER_BADGES = {"prohibited": "badge-prohibited", "high": "badge-bad", "limited": "badge-warn"}


@register.simple_tag
def optional_url(name: str, **kwargs) -> str:
    """The URL of a page another area may not provide yet; empty when it does not exist."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


@register.filter
def tier_badge(tier: str) -> str:
    """The badge class for an EU AI Act risk tier."""
    return TIER_BADGES.get(tier, "badge-ok")
