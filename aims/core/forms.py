"""Form helpers shared by every area."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

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
        required=False, label="AI system", choices=[("", empty_label), *options]
    )
