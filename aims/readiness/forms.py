"""Forms of the readiness area: an assessment, an item's rating, a roadmap action, a tick by
hand, the comparison and the list filters."""

from __future__ import annotations

from django import forms

from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, length_of, members_of

from .models import (
    ActionStatus,
    Assessment,
    AssessmentItem,
    ChecklistTick,
    Maturity,
    RoadmapAction,
    Status,
)
from .services import evidence_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["title", "assessed_on", "assessor", "summary"]
        widgets = {"assessed_on": DATE, "summary": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"title": "Left empty: “Readiness assessment” and the date."}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["assessed_on"].required = False
        self.fields["assessed_on"].help_text = "Today or earlier; today when left empty."
        self.fields["assessor"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody named —",
            help_text="The member who rates each item (the AIMS manager, usually).",
        )
        if self.instance.pk is None:
            del self.fields["summary"]


class ItemForm(forms.ModelForm):
    """The assessor's rating of one item: a level (confirming or overriding the proposal), a
    note and the evidence looked at."""

    level = forms.TypedChoiceField(
        coerce=int,
        choices=Maturity.choices,
        widget=forms.RadioSelect,
        help_text="A level other than the proposal needs a note saying why.",
    )

    class Meta:
        model = AssessmentItem
        fields = ["level", "note", "evidence"]
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.level is None and self.instance.proposed_level is not None:
            self.initial.setdefault("level", self.instance.proposed_level)
        self.fields["evidence"].queryset = evidence_choices(organization)
        self.fields["evidence"].required = False
        self.fields["evidence"].widget.attrs["size"] = 8


class RoadmapActionForm(forms.ModelForm):
    class Meta:
        model = RoadmapAction
        fields = ["title", "description", "item", "owner", "due_date"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "due_date": DATE}

    def __init__(self, *args, organization, gaps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="The member who does it.",
        )
        self.fields["item"] = forms.ModelChoiceField(
            queryset=gaps,
            required=False,
            label="Gap",
            empty_label="— no particular gap —",
            help_text="The requirement below level 3 this action raises.",
        )
        self.fields["item"].label_from_instance = lambda item: (
            f"{item.ref} {item.title} (level {item.level}, {item.assessment.title})"
        )


class TickForm(forms.Form):
    ticked = forms.TypedChoiceField(
        label="By hand",
        coerce=lambda value: value == "yes",
        choices=[("yes", "Ticked: it is met"), ("no", "Not met, whatever the records say")],
        widget=forms.RadioSelect,
        initial="yes",
    )
    note = forms.CharField(
        max_length=length_of(ChecklistTick, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why: what shows it is met, or why it is not.",
    )


class CompareForm(forms.Form):
    before = forms.ModelChoiceField(queryset=None, label="Earlier assessment")
    after = forms.ModelChoiceField(queryset=None, label="Later assessment")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        found = Assessment.objects.for_org(organization).order_by("-assessed_on", "-pk")
        for name in ("before", "after"):
            self.fields[name].queryset = found
            self.fields[name].label_from_instance = lambda a: (
                f"{a.title} ({a.assessed_on:%Y-%m-%d}, {a.get_status_display().lower()})"
            )

    def clean(self):
        data = super().clean()
        if data.get("before") and data.get("after") and data["before"] == data["after"]:
            raise forms.ValidationError("Choose two different assessments.")
        return data


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search assessments", "type": "search"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"q": self.cleaned_data.get("q") or None, "status": self.cleaned_data["status"]}


class ActionFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search actions", "type": "search"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ActionStatus.choices])
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any owner")
    overdue = forms.BooleanField(required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization), required=False, empty_label="Any owner"
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "owner": data.get("owner"),
            "overdue": data.get("overdue") or None,
        }
