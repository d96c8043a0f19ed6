"""Forms of data sets, their uses, other resources and the list filters."""

from __future__ import annotations

from django import forms

from aims.catalog.links import add_requirement_fields
from aims.checks.models import Check
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of, system_filter_field
from aims.inventory.models import AISystem

from .models import Acquisition, DataSet, LegalBasis, Purpose, Resource, ResourceKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QualityChecksField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.get_kind_display()}, {obj.system.name})"


def quality_checks_field(organization) -> QualityChecksField:
    return QualityChecksField(
        queryset=Check.objects.for_org(organization).select_related("system"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        label="Quality checks",
        help_text="The technical checks that test this data set (A.7.4): data-quality checks "
        "usually, but a check of any kind may be linked.",
    )


class DataSetForm(forms.ModelForm):
    class Meta:
        model = DataSet
        fields = [
            "name",
            "description",
            "owner",
            "acquisition",
            "source",
            "licence",
            "legal_basis",
            "provenance",
            "personal_data_categories",
            "special_categories",
            "known_quality_issues",
            "quality_checks",
            "preparation",
            "retention",
            "retain_until",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "source": forms.Textarea(attrs={"rows": 2}),
            "provenance": forms.Textarea(attrs={"rows": 3}),
            "personal_data_categories": forms.Textarea(attrs={"rows": 2}),
            "known_quality_issues": forms.Textarea(attrs={"rows": 3}),
            "preparation": forms.Textarea(attrs={"rows": 3}),
            "retention": forms.Textarea(attrs={"rows": 2}),
            "retain_until": DATE,
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="The member who answers for this data set.",
        )
        self.fields["quality_checks"] = quality_checks_field(organization)
        add_requirement_fields(self)
        if self.instance.pk:
            self.initial["quality_checks"] = list(self.instance.quality_checks.all())


class QualityChecksForm(forms.Form):
    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quality_checks"] = quality_checks_field(organization)


class SystemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} (version {obj.version})" if obj.version else obj.name


class UseForm(forms.Form):
    system = SystemChoiceField(queryset=AISystem.objects.none(), label="AI system")
    purpose = forms.ChoiceField(choices=Purpose.choices)
    system_version = forms.CharField(
        label="System version",
        max_length=50,
        required=False,
        help_text="The version that uses it (empty: every version).",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = AISystem.objects.for_org(organization).order_by("name")


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["system", "kind", "name", "description", "owner"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"] = SystemChoiceField(
            queryset=AISystem.objects.for_org(organization).order_by("name"), label="AI system"
        )
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization), required=False, empty_label="— nobody yet —"
        )


YES_NO = [("", "Personal data: any"), ("yes", "Holds personal data"), ("no", "No personal data")]


class DataSetFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search data sets", "type": "search"}),
    )
    purpose = forms.ChoiceField(required=False, choices=[("", "Any purpose"), *Purpose.choices])
    acquisition = forms.ChoiceField(
        required=False, choices=[("", "Any acquisition"), *Acquisition.choices]
    )
    legal_basis = forms.ChoiceField(
        required=False, choices=[("", "Any legal basis"), *LegalBasis.choices]
    )
    personal = forms.ChoiceField(required=False, choices=YES_NO)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {name: data.get(name) or None for name in self.fields}


class ResourceFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search resources", "type": "search"}),
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *ResourceKind.choices])

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: self.cleaned_data.get(name) or None for name in self.fields}
