"""Forms of technical documentation: a draft, the list filters."""

from __future__ import annotations

from django import forms

from aims.catalog.links import requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, system_filter_field
from aims.datasets.models import DataSet
from aims.inventory.models import AISystem

from .models import Kind, Status, TechnicalDocument

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = {"rows": 5}

TECHNICAL_FIELDS = [
    "general_description",
    "architecture",
    "training_data",
    "training_datasets",
    "evaluation",
    "limitations",
    "oversight",
    "logging",
    "robustness",
    "lifecycle_changes",
]
USER_FIELDS = ["audience", "user_text", "published_url", "channel", "published_since"]


class TechnicalDocumentForm(forms.ModelForm):
    published_url = forms.URLField(
        label="Where it is published",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A web address, if any.",
    )

    class Meta:
        model = TechnicalDocument
        fields = [
            "system",
            "kind",
            "system_version",
            "title",
            "change_note",
            *TECHNICAL_FIELDS,
            *USER_FIELDS,
        ]
        widgets = {
            **{
                name: forms.Textarea(attrs=TEXT)
                for name in TECHNICAL_FIELDS + ["user_text"]
                if name != "training_datasets"
            },
            "training_datasets": forms.SelectMultiple(attrs={"size": 5}),
            "published_since": DATE,
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = AISystem.objects.for_org(organization)
        self.fields["training_datasets"].queryset = DataSet.objects.for_org(organization).order_by(
            "name"
        )
        self.fields["audience"].required = False
        self.fields.update(requirement_fields())
        if self.instance.pk:
            # a version keeps its system and kind
            self.fields["system"].disabled = True
            self.fields["kind"].disabled = True
            self.initial["clauses"] = list(self.instance.clauses.all())
            self.initial["controls"] = list(self.instance.controls.all())
            if self.instance.is_technical:
                self.initial["training_datasets"] = list(self.instance.training_datasets.all())
            # a version keeps its kind: only its own sections are edited
            for name in USER_FIELDS if self.instance.is_technical else TECHNICAL_FIELDS:
                del self.fields[name]

    def technical_fields(self):
        return [self[name] for name in TECHNICAL_FIELDS]

    def user_fields(self):
        return [self[name] for name in USER_FIELDS]


class TechnicalDocumentFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search documentation", "type": "search"}),
    )
    system = forms.CharField(required=False, max_length=NAME_MAX_LENGTH)  # set in __init__
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Kind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])

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
            "kind": data.get("kind") or None,
            "status": data.get("status") or None,
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
