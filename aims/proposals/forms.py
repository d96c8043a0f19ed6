from django import forms

from aims.core.forms import length_of

from .models import Proposal


class DecisionForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=length_of(Proposal, "decision_reason"),
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the decision; required to refuse.",
    )
