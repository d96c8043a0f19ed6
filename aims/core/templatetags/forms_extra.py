"""Template tags every form page shares: one error summary for the whole page, and the form
assets (the counters under bounded fields, the error styling).

``{% error_summary %}`` finds every bound form and formset with errors in the page's context and
lists each error once, as a link to its field, above the content (``base.html``). Pages render
their fields by hand or through ``core/form_fields.html``; either way the summary comes from the
forms themselves, so no page can forget it. It renders once per page: the first call wins, later
ones (``core/form_fields.html`` calls it too, for pages and fragments rendered without it) print
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

# Set on the page's Context once a tag has rendered, so it renders once per page.
SUMMARY_SHOWN = "_aims_error_summary_shown"
ASSETS_SHOWN = "_aims_form_assets_shown"


@dataclass(frozen=True)
class SummaryItem:
    """One error: ``Label: message``, and the id of the field it is about (None: the form's)."""

    text: str
    target: str | None


def _target(bound: forms.BoundField) -> str | None:
    """The id of the element a link to this field should reach: the input itself, or the first
    radio button or check box of a group."""
    if bound.is_hidden or not bound.auto_id:
        return None
    return bound.id_for_label or f"{bound.auto_id}_0"


def _form_items(form: forms.BaseForm, row: str = "") -> list[SummaryItem]:
    items = [SummaryItem(f"{row}{message}", None) for message in form.non_field_errors()]
    for name, field in form.fields.items():
        if name not in form.errors:
            continue
        bound = form[name]
        label = field.label or name.replace("_", " ").capitalize()
        target = _target(bound)
        for message in form.errors[name]:
            items.append(SummaryItem(f"{row}{label}: {message}", target))
    return items


def _formset_items(formset: BaseFormSet) -> list[SummaryItem]:
    items = [SummaryItem(str(message), None) for message in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, start=1):
        if form.is_bound and form.errors:
            items.extend(_form_items(form, row=f"Row {number}, "))
    return items


def _candidates(context) -> list:
    """Forms and formsets of the context: its values, and those inside a list, tuple or dict.

    Types are read with ``type()``, never ``isinstance``, which would evaluate the lazy values of
    the context (the CSRF token, say: evaluated, it sets a cookie on every page).
    """
    found = []
    for value in context.flatten().values():
        found.append(value)
        if issubclass(type(value), (list, tuple)):
            found.extend(value)
        elif issubclass(type(value), dict):
            found.extend(value.values())
    return found


def _is_formset(value) -> bool:
    return issubclass(type(value), BaseFormSet) and value.is_bound


def _is_form_with_errors(value) -> bool:
    return issubclass(type(value), forms.BaseForm) and value.is_bound and bool(value.errors)


def page_errors(context) -> list[SummaryItem]:
    """Every error of every bound form and formset of the page, in context order, once each."""
    seen: set[int] = set()
    in_formsets: set[int] = set()
    items: list[SummaryItem] = []
    candidates = _candidates(context)
    for value in candidates:
        if _is_formset(value):
            in_formsets.update(id(form) for form in value.forms)
    for value in candidates:
        if id(value) in seen or id(value) in in_formsets:
            continue
        if _is_formset(value):
            seen.add(id(value))
            items.extend(_formset_items(value))
        elif _is_form_with_errors(value):
            seen.add(id(value))
            items.extend(_form_items(value))
    return items


@register.simple_tag(takes_context=True)
def error_summary(context) -> str:
    """The page's error summary (nothing when no form has an error), once per page."""
    if getattr(context, SUMMARY_SHOWN, False):
        return ""
    setattr(context, SUMMARY_SHOWN, True)
    items = page_errors(context)
    if not items:
        return ""
    return render_to_string("core/error_summary.html", {"items": items})


@register.simple_tag(takes_context=True)
def form_assets(context) -> str:
    """The stylesheet and script of forms (error styling, length counters), once per page."""
    if getattr(context, ASSETS_SHOWN, False):
        return ""
    setattr(context, ASSETS_SHOWN, True)
    return format_html(
        '<link rel="stylesheet" href="{}">\n<script src="{}" defer></script>',
        static("aims/forms.css"),
        static("aims/forms.js"),
    )
