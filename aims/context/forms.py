"""Forms of the context area: the records, their list filters, raising a risk from an issue and
adding obligations from the catalogue."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from aims.catalog.links import requirement_fields
from aims.catalog.models import Clause, Control
from aims.core.forms import (
    NAME_MAX_LENGTH,
    MemberChoiceField,
    members_of,
    system_filter_field,
)
from aims.inventory.models import AISystem
from aims.risk.forms import scale_field
from aims.risk.models import Category as RiskCategory
from aims.risk.models import Risk

from .catalogue import OTHERS as OTHER_SUGGESTIONS
from .catalogue import eu_ai_act_articles
from .models import (
    Addressed,
    AIRole,
    Compliance,
    InterestedParty,
    Issue,
    IssueCategory,
    IssueStatus,
    Obligation,
    ObligationKind,
    OperatorRole,
    PartyKind,
    Raises,
    ScopeStatus,
    ScopeVersion,
    Side,
    SystemRole,
)
from .services import DEFAULT_CLAUSES, DEFAULT_CONTROLS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _owner_field(organization) -> MemberChoiceField:
    return MemberChoiceField(
        queryset=members_of(organization),
        required=False,
        empty_label="— nobody yet —",
        help_text="A member of this organization who keeps this record up to date.",
    )


def _systems_field(form, organization, name: str = "systems") -> None:
    form.fields[name].queryset = AISystem.objects.for_org(organization).order_by("name")


class RequirementsForm(forms.ModelForm):
    """A record form with the two pickers of clauses and Annex A controls; a new record starts
    with its kind's default (4.1 for an issue, A.8.5 for an obligation, ...)."""

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields.update(requirement_fields())
        model = self._meta.model
        if self.instance.pk:
            self.initial["clauses"] = list(self.instance.clauses.all())
            self.initial["controls"] = list(self.instance.controls.all())
        else:
            self.initial["clauses"] = list(
                Clause.objects.filter(ref__in=DEFAULT_CLAUSES.get(model, []))
            )
            self.initial["controls"] = list(
                Control.objects.filter(ref__in=DEFAULT_CONTROLS.get(model, []))
            )
        if "owner" in self.fields:
            self.fields["owner"] = _owner_field(organization)


class IssueForm(RequirementsForm):
    class Meta:
        model = Issue
        fields = [
            "title",
            "description",
            "side",
            "category",
            "effect",
            "raises",
            "owner",
            "review_date",
            "status",
            "risks",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "effect": forms.Textarea(attrs={"rows": 3}),
            "review_date": DATE,
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self.fields["category"].choices = [("", "— choose —"), *IssueCategory.grouped()]
        self.fields["risks"].queryset = Risk.objects.for_org(organization).order_by("ref")
        self.fields["risks"].help_text = "Risks of the register this issue gives rise to."


class PartyForm(RequirementsForm):
    class Meta:
        model = InterestedParty
        fields = [
            "name",
            "side",
            "kind",
            "needs",
            "requirements",
            "addressed",
            "how_addressed",
            "owner",
            "review_date",
        ]
        widgets = {
            "needs": forms.Textarea(attrs={"rows": 3}),
            "requirements": forms.Textarea(attrs={"rows": 3}),
            "how_addressed": forms.Textarea(attrs={"rows": 3}),
            "review_date": DATE,
        }


class ObligationForm(RequirementsForm):
    class Meta:
        model = Obligation
        fields = [
            "kind",
            "title",
            "reference",
            "description",
            "systems",
            "owner",
            "how_shown",
            "compliance",
            "review_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "how_shown": forms.Textarea(attrs={"rows": 3}),
            "review_date": DATE,
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        _systems_field(self, organization)


class ScopeForm(RequirementsForm):
    class Meta:
        model = ScopeVersion
        fields = [
            "statement",
            "systems",
            "units",
            "sites",
            "activities",
            "exclusions",
            "interfaces",
            "change_note",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("units", "sites", "activities", "exclusions", "interfaces", "change_note")
        } | {"statement": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        _systems_field(self, organization)
        if self.instance.pk is None and self.instance.number is None:
            # A new draft starts from the approved version's systems, when there is one.
            source = ScopeVersion.objects.current(organization)
            if source is not None:
                self.initial["systems"] = list(source.systems.all())
                self.initial["clauses"] = list(source.clauses.all())
                self.initial["controls"] = list(source.controls.all())


class SystemRoleForm(forms.ModelForm):
    iso_roles = forms.MultipleChoiceField(
        label="Roles (ISO/IEC 22989)",
        choices=AIRole.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=SystemRole._meta.get_field("iso_roles").help_text,
    )
    eu_roles = forms.MultipleChoiceField(
        label="Operator roles (EU AI Act)",
        choices=OperatorRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=SystemRole._meta.get_field("eu_roles").help_text,
    )

    class Meta:
        model = SystemRole
        fields = ["system", "iso_roles", "eu_roles", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        systems = AISystem.objects.for_org(organization).order_by("name")
        if self.instance.pk:
            self.fields["system"].disabled = True
            self.fields["system"].queryset = systems
        else:
            self.fields["system"].queryset = systems.filter(context_role__isnull=True)
        self.fields["system"].empty_label = "— choose —"


class RaiseRiskForm(forms.Form):
    """Likelihood and impact in the risk matrix's words, and the register's category."""

    category = forms.ChoiceField(label="Risk category", choices=RiskCategory.choices)

    def __init__(self, *args, matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inherent_likelihood"] = scale_field(
            matrix.likelihood_labels,
            label="Likelihood",
            help_text="How likely, before any treatment.",
            missing="Choose how likely the risk is: the risk register needs it.",
        )
        self.fields["inherent_impact"] = scale_field(
            matrix.impact_labels,
            label="Impact",
            help_text="How severe the consequences, before any treatment.",
            missing="Choose how severe the consequences are: the risk register needs it.",
        )
        self.order_fields(["inherent_likelihood", "inherent_impact", "category"])


class CatalogueForm(forms.Form):
    """Obligations to add in one step: EU AI Act articles and other suggestions."""

    articles = forms.MultipleChoiceField(
        label="EU AI Act articles",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    others = forms.MultipleChoiceField(
        label="Other common obligations",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    systems = forms.ModelMultipleChoiceField(
        label="AI systems they apply to",
        queryset=AISystem.objects.none(),
        required=False,
        help_text="Optional: link every added obligation to these systems.",
    )

    def __init__(self, *args, organization, present: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.present = present

        def label(item) -> str:
            there = " (in the register already)" if item.reference.lower() in present else ""
            return f"{item.reference}: {item.title}{there}"

        self.fields["articles"].choices = [(a.key, label(a)) for a in eu_ai_act_articles()]
        self.fields["others"].choices = [(s.key, label(s)) for s in OTHER_SUGGESTIONS]
        self.fields["systems"].queryset = AISystem.objects.for_org(organization).order_by("name")

    def keys(self) -> list[str]:
        return [*self.cleaned_data.get("articles", []), *self.cleaned_data.get("others", [])]


# --- List filters ----------------------------------------------------------------------------


def _search(placeholder: str) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


class FilterForm(forms.Form):
    """A list's filters from the query string; an invalid value is ignored, as if not given."""

    def filters(self) -> dict:
        self.is_valid()
        return {
            name: (value if value not in ("", None, False) else None)
            for name, value in self.cleaned_data.items()
        }

    def applied(self) -> dict:
        """The filters given, as the QuerySet's ``filtered`` takes them."""
        return {k: v for k, v in self.filters().items() if v is not None}


class IssueFilterForm(FilterForm):
    q = _search("Search id, title, description or effect")
    side = forms.ChoiceField(required=False, choices=[("", "Internal and external"), *Side.choices])
    category = forms.ChoiceField(
        required=False, choices=[("", "All categories"), *IssueCategory.grouped()]
    )
    raises = forms.ChoiceField(
        required=False, choices=[("", "Risk or opportunity"), *Raises.choices]
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *IssueStatus.choices])
    owner = MemberChoiceField(
        required=False, queryset=get_user_model().objects.none(), empty_label="Any owner"
    )
    overdue = forms.BooleanField(required=False, label="Review overdue")

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["owner"].queryset = members_of(organization)


class PartyFilterForm(FilterForm):
    q = _search("Search name, needs or requirements")
    side = forms.ChoiceField(required=False, choices=[("", "Internal and external"), *Side.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *PartyKind.choices])
    addressed = forms.ChoiceField(
        required=False, choices=[("", "Addressed or not"), *Addressed.choices]
    )
    owner = MemberChoiceField(
        required=False, queryset=get_user_model().objects.none(), empty_label="Any owner"
    )
    overdue = forms.BooleanField(required=False, label="Review overdue")

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["owner"].queryset = members_of(organization)


class ObligationFilterForm(FilterForm):
    q = _search("Search title, reference or description")
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *ObligationKind.choices])
    compliance = forms.ChoiceField(
        required=False, choices=[("", "Any compliance status"), *Compliance.choices]
    )
    owner = MemberChoiceField(
        required=False, queryset=get_user_model().objects.none(), empty_label="Any owner"
    )
    overdue = forms.BooleanField(required=False, label="Review overdue")

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["owner"].queryset = members_of(organization)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="All AI systems"
        )


class ScopeFilterForm(FilterForm):
    q = _search("Search the scope's text")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ScopeStatus.choices])

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )


class RoleFilterForm(FilterForm):
    q = _search("Search system or note")
    iso_role = forms.ChoiceField(
        required=False, label="ISO/IEC 22989 role", choices=[("", "Any ISO role"), *AIRole.choices]
    )
    eu_role = forms.ChoiceField(
        required=False,
        label="EU AI Act role",
        choices=[("", "Any EU AI Act role"), *OperatorRole.choices],
    )

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="All AI systems"
        )
