from django import template

register = template.Library()


@register.filter
def audit_value(value) -> str:
    """A stored field value as a person reads it: lists joined, empty shown as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


@register.filter
def field_label(name: str) -> str:
    return name.replace("_", " ")
