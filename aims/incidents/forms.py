"""Forms of incidents and concerns: the records, the logs, triage, the public form, the filters."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator

from aims.catalog.links import add_requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of, system_filter_field
from aims.inventory.models import AISystem
from aims.risk.models import Category, Risk

from .models import (
    CONCERN_MAX_LENGTH,
    Communication,
    Concern,
    ConcernChannel,
    ConcernStatus,
    Incident,
    IncidentStatus,
    Severity,
    TimelineEntry,
)
from .services import INCIDENT_CONTROLS

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _when_field(**kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(widget=WHEN, **kwargs)


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "system",
            "title",
            "what_happened",
            "harm",
            "persons_affected",
            "severity",
            "occurred_at",
            "became_aware_at",
            "contained_at",
            "resolved_at",
            "owner",
            "containment_actions",
            "root_cause",
            "corrective_actions",
            "risks",
            "is_serious",
            "serious_type",
        ]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "harm": forms.Textarea(attrs={"rows": 3}),
            "containment_actions": forms.Textarea(attrs={"rows": 3}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "corrective_actions": forms.Textarea(attrs={"rows": 3}),
            "occurred_at": WHEN,
            "became_aware_at": WHEN,
            "contained_at": WHEN,
            "resolved_at": WHEN,
            "risks": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = AISystem.objects.for_org(organization).order_by("name")
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="The member who handles the incident.",
        )
        self.fields["risks"].queryset = Risk.objects.filter(organization=organization).order_by(
            "ref"
        )
        self.fields["risks"].help_text = "The risks of the register this incident realizes."
        self.fields["serious_type"].help_text = (
            "Deadline to report (EU AI Act Art. 73): 10 days after awareness for a death, 2 days "
            "for a widespread infringement or critical infrastructure, 15 days otherwise."
        )
        add_requirement_fields(self, controls=INCIDENT_CONTROLS)


class TimelineForm(forms.ModelForm):
    when = _when_field(help_text="Now or earlier.")

    class Meta:
        model = TimelineEntry
        fields = ["when", "what"]
        widgets = {"what": forms.Textarea(attrs={"rows": 2})}


class CommunicationForm(forms.ModelForm):
    when = _when_field(help_text="Now or earlier.")

    class Meta:
        model = Communication
        fields = ["when", "audience", "channel", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2})}


class ReportForm(forms.Form):
    reference = forms.CharField(
        label="Authority's reference",
        max_length=200,
        required=False,
        help_text="The case number the authority gave, if any.",
    )
    when = _when_field(label="Reported at", required=False, help_text="Leave empty for now.")


class IncidentFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search incidents", "type": "search"}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *IncidentStatus.choices]
    )
    severity = forms.ChoiceField(required=False, choices=[("", "Any severity"), *Severity.choices])
    serious = forms.ChoiceField(
        required=False,
        choices=[("", "Serious or not"), ("yes", "Serious (Art. 73)"), ("no", "Not serious")],
    )
    overdue = forms.BooleanField(required=False, label="Report overdue")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )
        self.order_fields(["q", "system", "status", "severity", "serious", "overdue"])

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
            "system": system,
            "status": data.get("status") or None,
            "severity": data.get("severity") or None,
            "serious": {"yes": True, "no": False}.get(data.get("serious")),
            "overdue": data.get("overdue") or None,
        }


# --- Concerns ----------------------------------------------------------------------------------


class ConcernForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["system", "text", "anonymous"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        labels = {"anonymous": "Raise it anonymously"}
        help_texts = {
            "anonymous": "Your name is then not recorded anywhere: nobody, not even the AIMS "
            "manager, can see who raised it.",
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = AISystem.objects.for_org(organization).order_by("name")
        self.fields["system"].empty_label = "— not sure which system —"


class SystemNameChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class PublicConcernForm(forms.Form):
    """The form of the public link: no account, a bounded text, a honeypot."""

    text = forms.CharField(
        label="What is your concern?",
        max_length=CONCERN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=f"At most {CONCERN_MAX_LENGTH:,} characters.",
    )
    system = SystemNameChoice(
        queryset=AISystem.objects.none(),
        required=False,
        empty_label="— not sure —",
        label="Which system is it about?",
    )
    anonymous = forms.BooleanField(
        required=False,
        initial=True,
        label="Stay anonymous",
        help_text="Leave ticked to send no name or contact: we then cannot answer you.",
    )
    name = forms.CharField(label="Your name (optional)", max_length=200, required=False)
    contact = forms.CharField(
        label="How to reach you (optional)",
        max_length=200,
        required=False,
        help_text="An e-mail address or phone number.",
    )
    # Left empty by people; filled by robots that fill every field.
    website = forms.CharField(
        required=False,
        max_length=200,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = (
            AISystem.objects.for_org(organization).active().order_by("name").only("pk", "name")
        )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if "\x00" in text:
            raise forms.ValidationError("Remove the null character.")
        return text


class TriageForm(forms.Form):
    OUTCOMES = [
        ("incident", "Open an incident"),
        ("risk", "Record a risk"),
        ("close", "Close it, with a reason"),
    ]
    outcome = forms.ChoiceField(choices=OUTCOMES, widget=forms.RadioSelect)
    title = forms.CharField(
        max_length=200, required=False, help_text="Of the incident or risk; prefilled if empty."
    )
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM, required=False)
    category = forms.ChoiceField(choices=Category.choices, required=False, label="Risk category")
    likelihood = forms.IntegerField(min_value=1, max_value=10, required=False, initial=3)
    impact = forms.IntegerField(min_value=1, max_value=10, required=False, initial=3)
    reason = forms.CharField(
        max_length=2_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to close it: why no incident nor risk follows.",
    )

    def __init__(self, *args, matrix=None, **kwargs):
        """``matrix``: the organization's risk matrix, whose scales bound likelihood and
        impact (1 to 10 without one)."""
        super().__init__(*args, **kwargs)
        if matrix is not None:
            for name, levels in (
                ("likelihood", matrix.likelihood_levels),
                ("impact", matrix.impact_levels),
            ):
                field = self.fields[name]
                field.max_value = levels
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxValueValidator)
                ]
                field.validators.append(MaxValueValidator(levels))
                field.widget.attrs["max"] = levels
                field.help_text = f"1 to {levels}, on the risk matrix."

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "close" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the concern is closed without further action.")
        if data.get("outcome") == "risk":
            for name in ("category", "likelihood", "impact"):
                if not data.get(name):
                    self.add_error(name, "Needed to record a risk.")
        return data


class ConcernFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search concerns", "type": "search"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ConcernStatus.choices])
    channel = forms.ChoiceField(
        required=False, choices=[("", "Any channel"), *ConcernChannel.choices]
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )
        self.order_fields(["q", "status", "system", "channel"])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        system = None
        if data.get("system"):
            system = AISystem.objects.for_org(self.organization).filter(slug=data["system"]).first()
            if system is None:
                return {"system": AISystem(pk=0)}
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "system": system,
            "channel": data.get("channel") or None,
        }
