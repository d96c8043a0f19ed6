"""Forms of the improvement register and the lessons-learned log."""

from __future__ import annotations

from django import forms

from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of
from aims.incidents.models import Incident
from aims.inventory.models import AISystem
from aims.nonconformities.models import Nonconformity

from .models import Improvement, Lesson, LessonSource, Source, Status

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordChoice(forms.ModelChoiceField):
    """A choice of incidents, nonconformities or improvements, by ref and title."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.ref} {obj.title}"


def _links(form, organization, names=("system", "incident", "nonconformity")) -> None:
    if "system" in names:
        form.fields["system"].queryset = AISystem.objects.for_org(organization).order_by("name")
        form.fields["system"].empty_label = "— no particular system —"
    if "incident" in names:
        form.fields["incident"] = RecordChoice(
            Incident.objects.for_org(organization).order_by("-pk"),
            required=False,
            empty_label="— none —",
        )
    if "nonconformity" in names:
        form.fields["nonconformity"] = RecordChoice(
            Nonconformity.objects.for_org(organization).order_by("-pk"),
            required=False,
            empty_label="— none —",
        )


class ImprovementForm(forms.ModelForm):
    class Meta:
        model = Improvement
        fields = [
            "title",
            "description",
            "source",
            "source_reference",
            "owner",
            "due_date",
            "system",
            "incident",
            "nonconformity",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "due_date": DATE}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="The member who carries it out.",
        )
        _links(self, organization)


class SuggestionForm(forms.ModelForm):
    """What any member may suggest: the idea, and the system it is about."""

    class Meta:
        model = Improvement
        fields = ["title", "description", "system"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        labels = {"title": "Your suggestion, in a line"}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        _links(self, organization, names=("system",))


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(
        max_length=2_000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.CharField(
        label="What changed",
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome_measure = forms.CharField(
        label="Measured how",
        max_length=2_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The figure or the observation that shows it, and where it comes from.",
    )
    outcome_measured_on = forms.DateField(label="Measured on", required=False, widget=DATE)


class ImprovementFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search improvements", "type": "search"}),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any status"),
            ("not_closed", "Open (not done or rejected)"),
            *Status.choices,
        ],
    )
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *Source.choices])
    overdue = forms.BooleanField(required=False, label="Overdue")

    def filters(self, today) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "source": data.get("source") or None,
            "overdue_on": today if data.get("overdue") else None,
        }


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = [
            "title",
            "what_happened",
            "lesson",
            "source",
            "source_reference",
            "incident",
            "nonconformity",
            "improvement",
            "recorded_on",
        ]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "lesson": forms.Textarea(attrs={"rows": 4}),
            "recorded_on": DATE,
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        _links(self, organization, names=("incident", "nonconformity"))
        self.fields["improvement"] = RecordChoice(
            Improvement.objects.for_org(organization).order_by("-pk"),
            required=False,
            empty_label="— none yet —",
            help_text="The improvement it led to, if any.",
        )


class LessonFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search lessons", "type": "search"}),
    )
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *LessonSource.choices])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "q": self.cleaned_data.get("q") or None,
            "source": self.cleaned_data.get("source") or None,
        }
