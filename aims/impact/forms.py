"""Forms of impact assessments: the assessment, its findings (one form per dimension), the
sign-off and the list's filters."""

from __future__ import annotations

from django import forms

from aims.catalog.links import add_requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, system_filter_field
from aims.inventory.models import AISystem

from .models import Currency, ImpactAssessment, ImpactFinding, Status
from .services import DEFAULT_CLAUSES, DEFAULT_CONTROLS, FINDING_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT = {"rows": 3}


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = ImpactAssessment
        fields = [
            "system",
            "system_version",
            "title",
            "intended_use",
            "foreseeable_misuse",
            "affected_individuals",
            "affected_groups",
            "affected_society",
            "next_reassessment",
            "deployer_process",
            "period_of_use",
            "persons_affected",
            "specific_risks",
            "oversight_measures",
            "remedy_measures",
        ]
        widgets = {
            "next_reassessment": DATE,
            **{
                name: forms.Textarea(attrs=SHORT)
                for name in (
                    "intended_use",
                    "foreseeable_misuse",
                    "affected_individuals",
                    "affected_groups",
                    "affected_society",
                    "deployer_process",
                    "period_of_use",
                    "persons_affected",
                    "specific_risks",
                    "oversight_measures",
                    "remedy_measures",
                )
            },
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        add_requirement_fields(self, clauses=DEFAULT_CLAUSES, controls=DEFAULT_CONTROLS)
        if self.instance.pk:
            del self.fields["system"]
        else:
            self.fields["system"].queryset = AISystem.objects.for_org(organization).active()
            self.fields["system"].empty_label = "— choose the AI system —"
            self.fields["title"].required = False
            self.fields["title"].help_text = "“Impact assessment: <system> v<version>” if empty."
            self.fields["intended_use"].help_text = "Taken from the system when left empty."
            self.fields["foreseeable_misuse"].help_text = "Taken from the system when left empty."


class FindingForm(forms.ModelForm):
    class Meta:
        model = ImpactFinding
        fields = list(FINDING_FIELDS)
        widgets = {
            "consequences": forms.Textarea(attrs=SHORT),
            "existing_mitigations": forms.Textarea(attrs={"rows": 2}),
            "planned_mitigations": forms.Textarea(attrs={"rows": 2}),
            "residual_note": forms.Textarea(attrs={"rows": 2}),
            "not_relevant_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [
            ("", "— not scored —"),
            *self.fields["severity"].choices[1:],
        ]
        self.fields["likelihood"].choices = [
            ("", "— not scored —"),
            *self.fields["likelihood"].choices[1:],
        ]

    def clean(self):
        data = super().clean()
        if data.get("not_relevant") and not (data.get("not_relevant_reason") or "").strip():
            self.add_error("not_relevant_reason", "Say why this dimension is not relevant.")
        return data


FindingFormSet = forms.modelformset_factory(ImpactFinding, form=FindingForm, extra=0, max_num=20)


class SignOffForm(forms.Form):
    next_reassessment = forms.DateField(
        required=False,
        widget=DATE,
        help_text="Empty: 12 months from today.",
    )
    note = forms.CharField(
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you reviewed, or any condition of the sign-off.",
    )


class ScheduleForm(forms.Form):
    next_reassessment = forms.DateField(widget=DATE)


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search assessments", "type": "search"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    currency = forms.ChoiceField(required=False, choices=[("", "Any currency"), *Currency.choices])

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )
        self.order_fields(["q", "system", "status", "currency"])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        system = None
        if data.get("system"):
            system = AISystem.objects.for_org(self.organization).filter(slug=data["system"]).first()
            if system is None:
                return {"system": 0}  # an unknown system: nothing matches
        return {
            "q": data.get("q") or None,
            "system": system,
            "status": data.get("status") or None,
            "currency": data.get("currency") or None,
        }
