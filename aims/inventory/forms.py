from django import forms

from aims.core.forms import (
    NAME_MAX_LENGTH,
    MemberChoiceField,
    QuickSelect,
    length_of,
    members_of,
    person_label,
)

from . import services
from .models import AISystem, LifecycleTransition, RiskTier, Stage
from .services import allowed_targets


class SystemForm(forms.ModelForm):
    """The descriptive fields of an AI system (never its stage: that is a recorded transition)."""

    FIELDSETS = [
        (
            "The system",
            "What it is and what it is for (clause 8, A.6.2.2).",
            ["name", "slug", "version", "purpose", "technique", "organization_role"],
        ),
        (
            "Use and people affected",
            "The intended use, its limits and who is affected (A.5, A.9.4).",
            [
                "intended_use",
                "foreseeable_misuse",
                "affected_stakeholders",
                "affects_individuals",
            ],
        ),
        (
            "Classification and oversight",
            "How the EU AI Act classifies it and how people keep control (A.9).",
            ["risk_tier", "automation", "human_oversight"],
        ),
        ("Accountability", "Who answers for the system (A.3.2).", ["owner"]),
        (
            "Data, models and suppliers",
            "What it is built from and who else is involved (A.7, A.10).",
            ["datasets", "models_used", "third_parties"],
        ),
    ]
    WIDE = {
        "purpose",
        "intended_use",
        "foreseeable_misuse",
        "affected_stakeholders",
        "affects_individuals",
        "human_oversight",
        "datasets",
        "models_used",
        "third_parties",
    }

    class Meta:
        model = AISystem
        fields = [
            "name",
            "slug",
            "version",
            "purpose",
            "technique",
            "organization_role",
            "intended_use",
            "foreseeable_misuse",
            "affected_stakeholders",
            "affects_individuals",
            "risk_tier",
            "automation",
            "human_oversight",
            "owner",
            "datasets",
            "models_used",
            "third_parties",
        ]
        labels = {"slug": "Short id", "owner": "Accountable owner"}
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "intended_use": forms.Textarea(attrs={"rows": 3}),
            "foreseeable_misuse": forms.Textarea(attrs={"rows": 2}),
            "affected_stakeholders": forms.Textarea(attrs={"rows": 2}),
            "human_oversight": forms.Textarea(attrs={"rows": 2}),
            "datasets": forms.Textarea(attrs={"rows": 2}),
            "models_used": forms.Textarea(attrs={"rows": 2}),
            "third_parties": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "affected_stakeholders": "Groups of people affected by the system's outputs, "
            "for example applicants, employees, patients.",
            "datasets": "The data sets used for training, validation and operation, "
            "with their origin.",
            "models_used": "Trained models, versions and pre-trained models it relies on.",
            "third_parties": "Suppliers, data providers, hosting and customers involved.",
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["slug"].required = False
        self.fields["slug"].help_text = (
            "Used by pipelines and the API, unique in the organization. "
            "Leave blank to make one from the name."
        )
        owner = self.fields["owner"]
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            label=owner.label,
            empty_label="Nobody yet",
            help_text="A member of this organization. An owner is required before development.",
        )
        self.fields["risk_tier"].help_text = (
            "Better set by the questionnaire on the system's EU AI Act page, which records the "
            "reasons and, once signed, sets the tier. A system not yet classified cannot leave "
            "planning; a prohibited practice (Art. 5) cannot move past it; a high-risk system "
            "enters deployment once the Act's obligations are met."
        )
        locked = self.instance.pk and services.tier_lock(self.instance)
        if locked:
            self.fields["risk_tier"].disabled = True
            self.fields["risk_tier"].help_text = locked

    def clean_slug(self):
        """A short id another system of the organization uses is said with the other errors
        (the service refuses it too, but only once everything else is right)."""
        slug = self.cleaned_data.get("slug", "")
        taken = (
            slug
            and AISystem.objects.filter(organization=self.organization, slug=slug)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(f"Another AI system already uses the id “{slug}”.")
        return slug

    def fieldsets(self):
        for legend, description, names in self.FIELDSETS:
            yield legend, description, [(self[name], name in self.WIDE) for name in names]


class TransitionForm(forms.Form):
    to_stage = forms.ChoiceField(label="Move to")
    reason = forms.CharField(
        label="Why",
        max_length=length_of(LifecycleTransition, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the life-cycle history and the audit trail.",
        error_messages={"required": "Say why the system moves to this stage."},
    )

    def __init__(self, *args, system: AISystem, **kwargs):
        super().__init__(*args, **kwargs)
        current = Stage(system.stage)
        following = system.next_stage()
        choices = []
        for target in allowed_targets(system):
            if target == following:
                label = f"{target.label} (next stage)"
            elif target == Stage.RETIRED:
                label = f"{target.label} (withdraw from use)"
            elif current == Stage.RETIRED:
                label = f"{target.label} (revive)"
            else:
                label = f"{target.label} (back)"
            choices.append((target.value, label))
        self.fields["to_stage"].choices = choices
        if following is not None and not self.is_bound:
            self.initial.setdefault("to_stage", following.value)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the system moves to this stage.")
        return reason


class SystemFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Name, purpose, short id"}),
    )
    stage = forms.ChoiceField(
        required=False, choices=[("", "Any stage"), *Stage.choices], widget=QuickSelect
    )
    tier = forms.ChoiceField(
        required=False,
        label="Risk tier",
        choices=[("", "Any risk tier"), *RiskTier.choices],
        widget=QuickSelect,
    )
    owner = forms.ChoiceField(required=False, widget=QuickSelect)
    attention = forms.ChoiceField(
        required=False,
        label="Risks",
        choices=[("", "Any risks"), ("decision", "Risks need a decision")],
        widget=QuickSelect,
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            ("", "Any owner"),
            ("none", "No owner"),
            *[(str(u.pk), person_label(u)) for u in members_of(organization)],
        ]

    def filter(self, systems):
        if not self.is_valid():
            return systems
        data = self.cleaned_data
        systems = systems.filtered(
            q=data["q"], stage=data["stage"], tier=data["tier"], owner=data["owner"]
        )
        if data["attention"] == "decision":
            systems = systems.filter(needs_decision_count__gt=0)
        return systems
