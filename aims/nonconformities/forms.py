"""Forms of nonconformities: raising one, its reaction and root cause, corrective actions, the
effectiveness review and the register's filters."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from aims.catalog.links import add_requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of, system_filter_field
from aims.incidents.models import Concern, Incident
from aims.inventory.models import AISystem

from .models import (
    MAX_WHYS,
    WHY_MAX_LENGTH,
    CorrectiveAction,
    EffectivenessReview,
    Nonconformity,
    Severity,
    Source,
    Status,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IncidentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.ref} {obj.title}"


class ConcernChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"Concern {obj.pk}: {obj.summary(60)}"


class NonconformityForm(forms.ModelForm):
    """Raise a nonconformity by hand, or edit what it is about."""

    class Meta:
        model = Nonconformity
        fields = [
            "title",
            "description",
            "severity",
            "owner",
            "raised_on",
            "system",
            "incident",
            "concern",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "raised_on": DATE}
        help_texts = {
            "description": "The requirement not met, and the facts that show it.",
            "severity": "Major: a requirement is not met at all, or the system cannot be relied "
            "on. Minor: a single lapse.",
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="The member who sees its handling through.",
        )
        self.fields["system"].queryset = AISystem.objects.for_org(organization).order_by("name")
        self.fields["system"].empty_label = "— no particular system —"
        self.fields["incident"] = IncidentChoice(
            Incident.objects.for_org(organization).order_by("-pk"),
            required=False,
            empty_label="— none —",
            help_text="The incident it came from, if any.",
        )
        self.fields["concern"] = ConcernChoice(
            Concern.objects.for_org(organization).order_by("-pk"),
            required=False,
            empty_label="— none —",
            help_text="The complaint or concern it came from, if any.",
        )
        if self.instance.pk:
            del self.fields["raised_on"]
        add_requirement_fields(self)
        self.fields["clauses"].help_text = "The clauses of ISO/IEC 42001 not met."
        self.fields["controls"].help_text = "The Annex A controls not met."

    def clean_raised_on(self):
        raised_on = self.cleaned_data.get("raised_on")
        if raised_on and raised_on > timezone.localdate():
            raise forms.ValidationError("A nonconformity cannot be raised on a date to come.")
        return raised_on


class AnalysisForm(forms.ModelForm):
    """Reaction and containment, and the root cause: five whys (why/because pairs) and/or
    the cause found in free text."""

    class Meta:
        model = Nonconformity
        fields = ["containment", "root_cause", "similar_elsewhere"]
        widgets = {
            "containment": forms.Textarea(attrs={"rows": 4}),
            "root_cause": forms.Textarea(attrs={"rows": 4}),
            "similar_elsewhere": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        steps = self.instance.why_steps() if self.instance.pk else []
        for number in range(1, MAX_WHYS + 1):
            step = steps[number - 1] if number <= len(steps) else {}
            self.fields[f"why_{number}"] = forms.CharField(
                label=f"Why {number}?",
                required=False,
                max_length=WHY_MAX_LENGTH,
                initial=step.get("why", ""),
                widget=forms.TextInput(),
            )
            self.fields[f"because_{number}"] = forms.CharField(
                label="Because",
                required=False,
                max_length=WHY_MAX_LENGTH,
                initial=step.get("because", ""),
                widget=forms.TextInput(),
            )

    def why_pairs(self):
        """The bound why/because fields, step by step, for the template."""
        return [
            (number, self[f"why_{number}"], self[f"because_{number}"])
            for number in range(1, MAX_WHYS + 1)
        ]

    def whys(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"why": data.get(f"why_{n}", ""), "because": data.get(f"because_{n}", "")}
            for n in range(1, MAX_WHYS + 1)
        ]


class ActionForm(forms.ModelForm):
    class Meta:
        model = CorrectiveAction
        fields = ["title", "owner", "due_date", "description"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"title": "What will be done to remove the cause."}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            empty_label="— choose —",
            help_text="The member who carries it out.",
        )


class ActionDoneForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    done_on = forms.DateField(
        label="Done on", required=False, widget=DATE, help_text="Leave empty for today."
    )


class ActionReasonForm(forms.Form):
    note = forms.CharField(
        label="Reason", max_length=2_000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EffectivenessForm(forms.ModelForm):
    class Meta:
        model = EffectivenessReview
        fields = ["verdict", "evidence", "reviewed_on"]
        widgets = {
            "verdict": forms.RadioSelect,
            "evidence": forms.Textarea(attrs={"rows": 3}),
            "reviewed_on": DATE,
        }
        labels = {"verdict": "Did the corrective actions work?"}


class NonconformityFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search nonconformities", "type": "search"}),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), ("not_closed", "Not closed"), *Status.choices],
    )
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *Source.choices])
    severity = forms.ChoiceField(required=False, choices=[("", "Any severity"), *Severity.choices])
    overdue = forms.BooleanField(required=False, label="Overdue actions")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )
        self.order_fields(["q", "status", "source", "severity", "system", "overdue"])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        system = None
        if data.get("system"):
            system = AISystem.objects.for_org(self.organization).filter(slug=data["system"]).first()
            if system is None:
                return {"system": AISystem(pk=0)}  # an unknown system matches nothing
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "source": data.get("source") or None,
            "severity": data.get("severity") or None,
            "system": system,
            "overdue_on": timezone.localdate() if data.get("overdue") else None,
        }
