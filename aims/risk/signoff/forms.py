from django import forms

from aims.core.forms import length_of

from ..models import RiskAssessmentSignOff


class SignOffForm(forms.Form):
    """Sign that assessing a system's risks in its present stage found none significant."""

    conclusion = forms.CharField(
        label="Conclusion of the assessment",
        max_length=length_of(RiskAssessmentSignOff, "conclusion"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was assessed (data, model, use, people affected), how, and why no risk "
        "is significant. Kept with your name in the audit trail.",
        error_messages={"required": "Say what was assessed, how, and why no risk is significant."},
    )
    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": "Tick the box to sign the assessment with your authority."},
    )

    def __init__(self, *args, system, authority: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = (
            f"I sign, as {authority}, that the risks of “{system.name}” were assessed in "
            f"{system.get_stage_display()} and none is significant."
        )

    def clean_conclusion(self):
        conclusion = self.cleaned_data["conclusion"].strip()
        if not conclusion:
            raise forms.ValidationError(
                "Say what was assessed, how, and why no risk is significant."
            )
        return conclusion
