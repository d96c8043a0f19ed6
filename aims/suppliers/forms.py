"""Forms of suppliers and customers, their assessments and the list filters."""

from __future__ import annotations

from django import forms

from aims.catalog.links import add_requirement_fields
from aims.catalog.models import Control
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of, system_filter_field
from aims.datasets.models import DataSet
from aims.inventory.models import AISystem

from .models import Kind, Status, SupplierAssessment, ThirdParty

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEFAULT_CONTROLS = ("A.10.2", "A.10.3")  # offered for a new record: a supplier's
CUSTOMER_CONTROLS = ("A.10.2", "A.10.4")  # what a new customer addresses instead


class ThirdPartyForm(forms.ModelForm):
    class Meta:
        model = ThirdParty
        fields = [
            "name",
            "kind",
            "contact",
            "description",
            "systems",
            "datasets",
            "responsibilities",
            "our_responsibilities",
            "commitments",
            "contract_reference",
            "contract_date",
            "status",
            "owner",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "responsibilities": forms.Textarea(attrs={"rows": 3}),
            "our_responsibilities": forms.Textarea(attrs={"rows": 3}),
            "commitments": forms.Textarea(attrs={"rows": 3}),
            "contract_date": DATE,
            "systems": forms.SelectMultiple(attrs={"size": 5}),
            "datasets": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="The member who manages the relationship.",
        )
        self.fields["systems"].queryset = AISystem.objects.for_org(organization).order_by("name")
        self.fields["datasets"].queryset = DataSet.objects.for_org(organization)
        add_requirement_fields(self, controls=DEFAULT_CONTROLS)
        if self.instance.pk is None:
            self.fields["controls"].help_text += (
                " A new customer left with the suppliers' controls A.10.2 and A.10.3 "
                "addresses A.10.2 and A.10.4 instead."
            )

    def clean(self):
        data = super().clean()
        controls = data.get("controls")
        if (
            not self.instance.pk
            and data.get("kind") == Kind.CUSTOMER
            and controls is not None
            and sorted(c.ref for c in controls) == sorted(DEFAULT_CONTROLS)
        ):
            data["controls"] = list(Control.objects.filter(ref__in=CUSTOMER_CONTROLS))
        return data


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = SupplierAssessment
        fields = ["assessed_on", "assessor", "outcome", "findings", "next_due"]
        widgets = {
            "assessed_on": DATE,
            "next_due": DATE,
            "findings": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"] = MemberChoiceField(
            queryset=members_of(organization), required=False, empty_label="— not said —"
        )


class ThirdPartyFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search", "type": "search"}),
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Kind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    due = forms.BooleanField(required=False, label="Assessment due")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: self.cleaned_data.get(name) or None for name in self.fields}
