"""Forms of the risk register: a risk, an acceptance decision, the risk matrix and list filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from aims.catalog.models import Control, RiskSource
from aims.core.forms import (
    NAME_MAX_LENGTH,
    MemberChoiceField,
    QuickSelect,
    length_of,
    members_of,
    system_filter_field,
)
from aims.inventory.models import AISystem

from .models import (
    LEVEL_LABEL_MAX_LENGTH,
    Category,
    Level,
    Risk,
    RiskAcceptance,
    RiskMatrix,
    Status,
    Treatment,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def scale_choices(labels: list[str]) -> list[tuple[int, str]]:
    return [(n, f"{n} · {label}") for n, label in enumerate(labels, start=1)]


def scale_field(
    labels, *, label: str, required: bool = True, help_text: str = "", missing: str = ""
):
    """A likelihood or impact in the matrix's words. It starts empty either way: a required
    one must be chosen (``missing`` says so), never taken from a default."""
    empty = "— choose —" if required else "— not assessed yet —"
    return forms.TypedChoiceField(
        label=label,
        choices=[("", empty), *scale_choices(labels)],
        coerce=int,
        required=required,
        empty_value=None,
        help_text=help_text,
        error_messages={"required": missing} if missing else None,
    )


class RiskForm(forms.ModelForm):
    """A risk of the register; likelihood and impact use the organization's matrix labels."""

    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "systems",
            "source",
            "category",
            "owner",
            "inherent_likelihood",
            "inherent_impact",
            "treatment",
            "controls",
            "treatment_plan",
            "treatment_due",
            "residual_likelihood",
            "residual_impact",
            "next_review",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "treatment_plan": forms.Textarea(attrs={"rows": 3}),
            "treatment_due": DATE,
            "next_review": DATE,
        }
        help_texts = {
            "description": "What could happen, to whom, and why (6.1.2 d).",
            "systems": "The AI systems this risk concerns.",
            "source": "Potential source of AI risk from ISO/IEC 42001 Annex C.3.",
            "treatment": "How the organization responds to the risk (6.1.3).",
            "controls": "Annex A controls that treat this risk.",
            "treatment_plan": "Actions, who does them and how success is checked.",
            "next_review": "When the risk assessment is next looked at again (8.2).",
        }

    def __init__(self, *args, organization, matrix: RiskMatrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["systems"].queryset = AISystem.objects.for_org(organization)
        self.fields["source"].queryset = RiskSource.objects.order_by("position")
        self.fields["source"].empty_label = "— none —"
        self.fields["controls"].queryset = Control.objects.order_by("position")
        self.fields["treatment"].choices = [("", "— not chosen yet —"), *Treatment.choices]
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="A member of this organization accountable for the risk.",
        )
        self.fields["inherent_likelihood"] = scale_field(
            matrix.likelihood_labels,
            label="Inherent likelihood",
            help_text="How likely before any treatment.",
            missing="Choose how likely the risk is before any treatment: the level follows.",
        )
        self.fields["inherent_impact"] = scale_field(
            matrix.impact_labels,
            label="Inherent impact",
            help_text="How severe the consequences before any treatment.",
            missing="Choose how severe the consequences are before any treatment.",
        )
        self.fields["residual_likelihood"] = scale_field(
            matrix.likelihood_labels,
            label="Residual likelihood",
            required=False,
            help_text="After the treatment. Leave both residual values empty until assessed.",
        )
        self.fields["residual_impact"] = scale_field(
            matrix.impact_labels, label="Residual impact", required=False
        )


class AcceptanceForm(forms.Form):
    rationale = forms.CharField(
        max_length=length_of(RiskAcceptance, "rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why the organization retains this risk above its appetite, and on what terms.",
    )
    expires_on = forms.DateField(
        label="Acceptance expires on",
        widget=DATE,
        help_text="A future date, at most three years ahead. The risk needs a new decision then.",
    )


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# Seven levels a line, with room for blank lines and spaces around the names.
MATRIX_LABELS_MAX_LENGTH = 10 * (LEVEL_LABEL_MAX_LENGTH + 2)


class MatrixForm(forms.Form):
    likelihood_labels = forms.CharField(
        label="Likelihood levels",
        max_length=MATRIX_LABELS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="One label per line, least likely first. From 3 to 7 levels.",
    )
    impact_labels = forms.CharField(
        label="Impact levels",
        max_length=MATRIX_LABELS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="One label per line, least severe first. From 3 to 7 levels.",
    )
    low_max = forms.IntegerField(label="Low: scores up to", min_value=1, help_text="From 1.")
    medium_max = forms.IntegerField(
        label="Medium: scores up to", min_value=1, help_text="Above low."
    )
    high_max = forms.IntegerField(
        label="High: scores up to",
        min_value=1,
        help_text="Above medium; higher scores are critical.",
    )
    appetite = forms.ChoiceField(
        label="Risk appetite",
        choices=Level.choices,
        help_text="The highest level the organization retains without a recorded decision.",
    )

    @classmethod
    def for_matrix(cls, matrix: RiskMatrix, data=None) -> MatrixForm:
        initial = {
            "likelihood_labels": "\n".join(matrix.likelihood_labels),
            "impact_labels": "\n".join(matrix.impact_labels),
            "low_max": matrix.low_max,
            "medium_max": matrix.medium_max,
            "high_max": matrix.high_max,
            "appetite": matrix.appetite,
        }
        return cls(data, initial=initial)

    def clean_likelihood_labels(self):
        return lines(self.cleaned_data["likelihood_labels"])

    def clean_impact_labels(self):
        return lines(self.cleaned_data["impact_labels"])

    def apply_to(self, matrix: RiskMatrix) -> RiskMatrix:
        for name, value in self.cleaned_data.items():
            setattr(matrix, name, value)
        return matrix


class RiskFilterForm(forms.Form):
    """The register's search and filters, read from the query string."""

    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search id, title or description"}
        ),
    )
    category = forms.ChoiceField(
        required=False, choices=[("", "All categories"), *Category.choices], widget=QuickSelect
    )
    level = forms.ChoiceField(
        required=False, choices=[("", "Any level"), *Level.choices], widget=QuickSelect
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Status.choices], widget=QuickSelect
    )
    owner = MemberChoiceField(
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label="Any owner",
        widget=QuickSelect,
    )
    needs_decision = forms.BooleanField(required=False, label="Needs decision only")
    overdue = forms.BooleanField(required=False, label="Review overdue")
    inherent_cell = forms.RegexField(regex=r"^\d{1,2}-\d{1,2}$", max_length=5, required=False)
    residual_cell = forms.RegexField(regex=r"^\d{1,2}-\d{1,2}$", max_length=5, required=False)

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="All AI systems"
        )
        self.fields["owner"].queryset = members_of(organization)
        self.fields["level"].label = "Current level"
        for name in ("inherent_cell", "residual_cell"):
            self.fields[name].widget = forms.HiddenInput()

    def cell(self, name: str) -> tuple[int, int] | None:
        self.is_valid()
        value = self.cleaned_data.get(name)
        if not value:
            return None
        likelihood, impact = value.split("-")
        return int(likelihood), int(impact)

    def filters(self) -> dict:
        """The filters that are valid, as :func:`aims.risk.filters.filtered` takes them; a
        value that is not one of the choices is ignored, as if not given."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "category": data.get("category") or None,
            "level": data.get("level") or None,
            "status": data.get("status") or None,
            "system": data.get("system") or None,
            "owner": data.get("owner"),
            "needs_decision": True if data.get("needs_decision") else None,
            "overdue": True if data.get("overdue") else None,
            "inherent_cell": self.cell("inherent_cell"),
            "residual_cell": self.cell("residual_cell"),
        }
