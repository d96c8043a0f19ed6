from django import template

register = template.Library()


@register.filter
def split(text: str) -> list[str]:
    return text.split()


@register.filter
def field(form, name: str):
    """The bound field ``name`` of ``form``, or None when the form has no such field."""
    return form[name] if name in form.fields else None


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def metric(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:
            return "—"
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 2 else f"{value:.4f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@register.filter
def words(name: str) -> str:
    """A metric's name as words: "true_positive_rate" reads "true positive rate"."""
    return str(name).replace("_", " ")
