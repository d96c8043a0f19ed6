"""The reminders page's filters and a person's reminder settings."""

from __future__ import annotations

from django import forms

from aims.core.forms import NAME_MAX_LENGTH


class ReminderFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search reminders"}),
    )
    kind = forms.ChoiceField(required=False, label="Kind")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *((k, k) for k in sorted(set(kinds)))]

    def filters(self) -> dict:
        """The valid filters, for :func:`aims.reminders.rules.filtered`; one that is not valid
        (a kind the person has nothing of any more) is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"q": data.get("q") or "", "kind": data.get("kind") or ""}


class PreferenceForm(forms.Form):
    label_suffix = ""

    digest = forms.BooleanField(
        required=False,
        label="Send me the daily digest",
        help_text="One e-mail a day, only on days when something of yours is overdue or due "
        "within a week, in any of your organizations.",
    )
