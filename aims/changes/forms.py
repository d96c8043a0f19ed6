"""Forms of planned changes: a change, a decision's reason, the list filters."""

from __future__ import annotations

from django import forms

from aims.catalog.links import add_requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, system_filter_field
from aims.inventory.models import AISystem, Stage

from .models import Kind, PlannedChange, Status
from .services import DEFAULT_CLAUSES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlannedChangeForm(forms.ModelForm):
    class Meta:
        model = PlannedChange
        fields = [
            "system",
            "kind",
            "description",
            "reason",
            "new_version",
            "new_intended_use",
            "planned_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "reason": forms.Textarea(attrs={"rows": 3}),
            "new_intended_use": forms.Textarea(attrs={"rows": 3}),
            "planned_date": DATE,
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = AISystem.objects.for_org(organization).exclude(
            stage=Stage.RETIRED
        )
        if self.instance.pk:
            self.fields["system"].disabled = True
        add_requirement_fields(self, clauses=DEFAULT_CLAUSES)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For the proposer and the record.",
    )


class PlannedChangeFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search changes", "type": "search"}),
    )
    system = forms.CharField(required=False, max_length=NAME_MAX_LENGTH)  # set in __init__
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Kind.choices])

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "system": data.get("system") or None,
            "status": data.get("status") or None,
            "kind": data.get("kind") or None,
        }
