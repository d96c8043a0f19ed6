from django import forms
from django.contrib.auth import get_user_model

from aims.catalog.models import ControlObjective
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField
from aims.risk.models import Risk

from .justification import MIN_CHARACTERS, MIN_WORDS
from .models import ADDITIONAL, AdditionalControl, Applicability, Implementation, SoAEntry
from .services import decision_problem


class SoAEntryForm(forms.ModelForm):
    """The decision on one control. The service requires a justification once decided."""

    class Meta:
        model = SoAEntry
        fields = ["applicability", "justification", "status", "owner", "implementation", "risks"]
        labels = {"applicability": "Applicability", "risks": "Linked risks"}
        help_texts = {
            "justification": "Why the control is included, or why it is excluded, in at least "
            f"{MIN_CHARACTERS} characters and {MIN_WORDS} words. Required once you decide "
            "either way; “n/a” or “see above” is no justification.",
            "status": "Only meaningful for applicable controls.",
            "implementation": "Policies, procedures, tools and records that put the control "
            "in place.",
            "risks": "Risks this control treats.",
        }
        widgets = {
            "justification": forms.Textarea(attrs={"rows": 4}),
            "implementation": forms.Textarea(attrs={"rows": 5}),
            "risks": forms.SelectMultiple(attrs={"size": 8}),
        }
        field_classes = {"owner": MemberChoiceField}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicability"].choices = Applicability.choices
        self.fields["status"].choices = Implementation.choices
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__organization=organization)
            .order_by("username")
        )
        self.fields["owner"].empty_label = "No owner yet"
        self.fields["risks"].queryset = Risk.objects.for_org(organization).order_by("ref")
        self.fields["risks"].required = False

    def clean(self):
        """The service's rule of a justification (:func:`aims.soa.services.decision_problem`),
        checked here too so its error comes with every other one."""
        data = super().clean()
        applicability = data.get("applicability")
        if applicability is not None and "justification" in data:
            changed = applicability != self.initial.get("applicability") or data[
                "justification"
            ] != self.initial.get("justification")
            problem = decision_problem(applicability, data["justification"], changed=changed)
            if problem:
                self.add_error("justification", problem)
        return data


class AdditionalControlForm(forms.ModelForm):
    """A control from another source than Annex A of ISO/IEC 42001 (6.1.3 c)."""

    class Meta:
        model = AdditionalControl
        fields = ["ref", "title", "source", "description"]
        help_texts = {
            "source": "ISO/IEC 27001 Annex A, a control of your own, or another framework.",
            "description": "What the control requires, in a few sentences. Say which "
            "framework it comes from when the source is another one.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "— choose —"), *self.fields["source"].choices[1:]]


class SoAFilterForm(forms.Form):
    """The list's search and filters, read from the query string. An applicability or status
    that is not one of the choices is ignored, as if not given; an objective is taken as it
    comes (one that does not exist matches nothing, as in the API)."""

    q = forms.CharField(required=False, max_length=NAME_MAX_LENGTH)
    objective = forms.CharField(required=False, max_length=NAME_MAX_LENGTH)
    applicability = forms.ChoiceField(
        required=False, choices=[("", "Any applicability"), *Applicability.choices]
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any implementation"), *Implementation.choices]
    )
    flagged = forms.BooleanField(required=False)

    def __init__(self, data, *, entries):
        super().__init__(data)
        self.entries = entries

    def objective_choices(self) -> list[tuple[str, str]]:
        """The sections of the list: the control objectives, then the additional controls."""
        objectives = ControlObjective.objects.filter(
            controls__soa_entries__in=self.entries.annex_a()
        ).distinct()
        choices = [(o.ref, f"{o.ref} {o.title}") for o in objectives]
        if self.entries.additional().exists():
            choices.append((ADDITIONAL, "Additional controls"))
        return choices

    def filters(self) -> dict:
        """The valid filters, as :meth:`aims.soa.models.SoAEntryQuerySet.filtered` takes them."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "objective": (data.get("objective") or "").strip() or None,
            "applicability": data.get("applicability") or None,
            "status": data.get("status") or None,
            "flagged": True if data.get("flagged") else None,
            "q": data.get("q") or None,
        }
