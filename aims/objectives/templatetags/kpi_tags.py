"""How KPI figures read on a page: 0.15, not 0.150000 or 0.1500."""

from django import template

from aims.objectives.models import format_value

register = template.Library()


@register.filter
def plain(value) -> str:
    return format_value(value)
