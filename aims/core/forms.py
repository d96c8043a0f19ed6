"""Form helpers shared by every area."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

# Longest identifier people type (a column name, a search) and longest free list or rules, in
# forms as in the API (aims/api/schemas.py uses the same numbers).
NAME_MAX_LENGTH = 200
LIST_MAX_LENGTH = 20_000


def length_of(model, field_name: str) -> int:
    """The maximum length of a model's text field, for a plain form field that fills it."""
    return model._meta.get_field(field_name).max_length


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: beside its field when the form shows it."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def person_label(user) -> str:
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def members_of(organization):
    """The users who belong to an organization, for owner and assignee choices."""
    return (
        get_user_model()
        .objects.filter(memberships__organization=organization)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


# Above this many options a drop-down helps nobody: filters take a short id typed instead.
CHOICE_LIMIT = 200


def system_filter_field(systems, *, empty_label: str) -> forms.Field:
    """A filter on one AI system by its short id: a drop-down for a few systems, a text box
    for many. One query either way."""
    options = list(systems.order_by("name").values_list("slug", "name")[: CHOICE_LIMIT + 1])
    if len(options) > CHOICE_LIMIT:
        return forms.SlugField(
            required=False,
            label="AI system",
            widget=forms.TextInput(attrs={"placeholder": "AI system short id"}),
        )
    return forms.ChoiceField(
        required=False,
        label="AI system",
        choices=[("", empty_label), *options],
        widget=QuickSelect,
    )


class QuickSelect(forms.Select):
    """Django's drop-down, the same markup, drawn with ``format_html`` instead of Django's
    widget templates (two template renders an option, some 40 µs): list filters draw several
    on every request. Options in groups and multiple selects are left to Django."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or any(
            isinstance(label, (list, tuple)) for _, label in choices
        ):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        options, chosen = [], False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = not chosen and text in wanted  # a single select marks its first match
            chosen = chosen or selected
            options.append((text, SELECTED if selected else "", label))
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            _attributes(self.build_attrs(self.attrs, attrs)),
            format_html_join("", '\n  <option value="{}"{}>{}</option>\n', options),
        )


SELECTED = format_html(" {}", "selected")


def _attributes(attrs: dict) -> str:
    """Attributes as Django's widget template writes them (django/forms/widgets/attrs.html)."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value),)
            for key, value in attrs.items()
            if value is not False
        ),
    )
