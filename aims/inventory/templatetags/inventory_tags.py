from django import template
from django.urls import NoReverseMatch, reverse

from ..models import RiskTier

register = template.Library()

TIER_BADGES = {
    RiskTier.UNCLASSIFIED: "",  # plain grey: no verdict yet, neither good nor bad
    RiskTier.PROHIBITED: "badge-prohibited",
    RiskTier.HIGH: "badge-bad",
    RiskTier.LIMITED: "badge-warn",
    RiskTier.MINIMAL: "badge-ok",
}


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
    return TIER_BADGES.get(tier, "")
