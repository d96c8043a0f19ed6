from django import forms
from django.contrib.auth import get_user_model

from aims.core.forms import MemberChoiceField
from aims.risk.models import Risk

from .models import Applicability, Implementation, SoAEntry


class SoAEntryForm(forms.ModelForm):
    """The decision on one control. The service requires a justification once decided."""

    class Meta:
        model = SoAEntry
        fields = ["applicability", "justification", "status", "owner", "implementation", "risks"]
        labels = {"applicability": "Applicability", "risks": "Linked risks"}
        help_texts = {
            "justification": "Why the control is included, or why it is excluded. "
            "Required once you decide either way.",
            "status": "Only meaningful for applicable controls.",
            "implementation": "Policies, procedures, tools and records that put the control "
            "in place.",
            "risks": "Risks this control treats. Hold Ctrl (Cmd on a Mac) to choose several.",
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
