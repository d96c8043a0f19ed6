"""Forms of the EU AI Act pages: the classification questionnaire, the overview's filters and the
organization's profile for the fine exposure.

The questionnaire form is built from :mod:`aims.euaiact.questionnaire` (its questions, guidance,
options and defaults), so the page asks exactly what the API and the stored classification hold.
It checks only the form of each answer; whether the answers fit together (a role given, an
Art. 6(3) exception only with an Annex III use, its reasoning written) is the questionnaire's
rule, which the service applies and the page shows beside each question.
"""

from __future__ import annotations

from django import forms

from aims.core.forms import NAME_MAX_LENGTH
from aims.inventory.models import RiskTier

from . import questionnaire as q
from .models import MAX_TURNOVER, TEXT, ActProfile

YES, NO = "yes", "no"
YES_NO = ((YES, "Yes"), (NO, "No"))


def _to_bool(value) -> bool:
    return value == YES


class ClassificationForm(forms.Form):
    """Every question of the questionnaire, and a note for the signer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, default in q.EMPTY.items():
            text, guidance = q.QUESTIONS[name]
            if isinstance(default, bool):
                field: forms.Field = forms.TypedChoiceField(
                    choices=YES_NO,
                    coerce=_to_bool,
                    empty_value=default,
                    required=False,
                    widget=forms.RadioSelect,
                )
            elif isinstance(default, list):
                field = forms.MultipleChoiceField(
                    choices=[(o.code, o.label) for o in q.OPTIONS[name]],
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            elif name in q.OPTIONS:
                field = forms.ChoiceField(
                    choices=[(o.code, o.label) for o in q.OPTIONS[name]],
                    required=False,
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(
                    max_length=q.REASONING_MAX,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 5}),
                )
            field.label, field.help_text = text, guidance
            self.fields[name] = field
        self.fields["note"] = forms.CharField(
            label="Note for the signer",
            max_length=TEXT,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Optional: anything the person who signs should know (sources, doubts).",
        )

    @staticmethod
    def initial_from(answers: dict) -> dict:
        """The form's initial values from stored answers (yes/no for the booleans)."""
        initial = {}
        for name, default in q.EMPTY.items():
            value = answers.get(name, default)
            if isinstance(default, bool):
                value = YES if value else NO
            initial[name] = value
        return initial

    def answers(self) -> dict:
        """The answers as the questionnaire takes them (call after ``is_valid()``); a question
        left unanswered takes its default."""
        found = {}
        for name, default in q.EMPTY.items():
            value = self.cleaned_data.get(name, default)
            if value in (None, "") and name in q.OPTIONS:  # a single choice not made
                value = default
            found[name] = value
        return found

    def questions(self) -> dict[str, dict]:
        """Each question for the template, by name: its bound field, and its options with their
        article (the Annex III uses grouped under the area they belong to)."""
        found = {}
        for name in q.EMPTY:
            bound = self[name]
            options = q.OPTIONS.get(name, ())
            articles = {o.code: o for o in options}
            rows = [
                {"widget": widget, "article": articles[widget.data["value"]].article}
                if widget.data["value"] in articles
                else {"widget": widget, "article": ""}
                for widget in bound.subwidgets
            ]
            groups = []
            if name == "annex_iii":
                for code, heading in q.ANNEX_III_AREAS.items():
                    members = [r for r in rows if articles[r["widget"].data["value"]].group == code]
                    groups.append({"heading": f"{code}. {heading}", "rows": members})
            found[name] = {
                "name": name,
                "field": bound,
                "kind": _kind(q.EMPTY[name], name),
                "rows": rows,
                "groups": groups,
            }
        return found


def _kind(default, name: str) -> str:
    if isinstance(default, bool):
        return "boolean"
    if isinstance(default, list):
        return "multiple"
    if name in q.OPTIONS:
        return "single"
    return "text"


class State:
    """The classification states the overview filters by."""

    NONE = "none"
    DRAFT = "draft"
    SIGNED = "signed"
    STALE = "stale"
    CHOICES = (
        (NONE, "Not classified"),
        (DRAFT, "Draft only"),
        (SIGNED, "Signed"),
        (STALE, "Signed, to redo"),
    )


class OverviewFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search", "type": "search"}),
    )
    tier = forms.ChoiceField(required=False, choices=[("", "Any tier"), *RiskTier.choices])
    state = forms.ChoiceField(required=False, choices=[("", "Any classification"), *State.CHOICES])

    def filters(self) -> dict:
        if not self.is_valid():
            return {"q": "", "tier": "", "state": ""}
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class ActProfileForm(forms.ModelForm):
    class Meta:
        model = ActProfile
        fields = ["annual_turnover", "is_sme"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        turnover = self.fields["annual_turnover"]
        turnover.widget.attrs.update({"min": 0, "max": str(MAX_TURNOVER), "step": 1})
        turnover.help_text = (
            "In whole euros, of the preceding financial year. Leave empty if not known: the "
            "exposure is then shown as a floor."
        )
        turnover.error_messages.update(
            {
                "min_value": "A turnover is zero or more.",
                "max_value": "At most EUR 10,000,000,000,000: no company turns over more. "
                "Check the number of digits.",
                "max_decimal_places": "In whole euros, without cents.",
                "max_digits": "At most EUR 10,000,000,000,000: no company turns over more. "
                "Check the number of digits.",
                "max_whole_digits": "At most EUR 10,000,000,000,000: no company turns over "
                "more. Check the number of digits.",
                "invalid": "Enter an amount in euros, digits only (no spaces or separators).",
            }
        )
