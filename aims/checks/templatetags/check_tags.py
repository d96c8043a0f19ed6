from django import template

from aims.checks.kinds import kind_of

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


@register.filter
def option_lines(check) -> list[tuple[str, str]]:
    """The check's options as (name, text) lines for its page, each written as its kind writes
    it (a data-quality rule as the form writes it, a column a line)."""
    kind = kind_of(check)
    lines = []
    for name, value in (check.options or {}).items():
        label = words(name)
        lines.append((label[:1].upper() + label[1:], kind.option_text(check, name, value)))
    return lines
