"""Forms of the records the Act adds: one form per kind of system record (built from its model),
the recourse channel, the explanation and recourse register, the regulatory watch, and their
list filters."""

from __future__ import annotations

import functools

from django import forms
from django.db import models
from django.db.models import Q

from aims.checks.models import Check
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of, system_filter_field
from aims.inventory.models import AISystem
from aims.objectives.models import KPI

from .kinds import RecordKind
from .models import (
    ChangeSource,
    ChangeStatus,
    RecourseChannel,
    RecourseRequest,
    RegulatoryChange,
    RequestKind,
    RequestStatus,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Set by the page, never typed: whose record it is and when it was made.
NOT_TYPED = ("organization", "system", "created_at")
# The people a record names: chosen among the organization's members.
PEOPLE = {
    "person": "— nobody named —",
    "approved_by": "— not approved yet —",
    "handled_by": "— nobody yet —",
    "owner": "— nobody yet —",
}


class CheckChoiceField(forms.ModelMultipleChoiceField):
    """The system's checks, named without their system (one query, not one per check)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


def _widgets(model) -> dict:
    widgets: dict = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            widgets[field.name] = DATE
        elif isinstance(field, models.TextField):
            widgets[field.name] = forms.Textarea(attrs={"rows": 3})
    for field in model._meta.many_to_many:
        widgets[field.name] = forms.SelectMultiple(attrs={"size": 5})
    return widgets


def _people(form: forms.ModelForm, organization) -> None:
    """Its people fields offer the members of ``organization`` only."""
    for name, empty in PEOPLE.items():
        if name in form.fields:
            field = form.fields[name]
            form.fields[name] = MemberChoiceField(
                queryset=members_of(organization),
                required=False,
                empty_label=empty,
                label=field.label,
                help_text=field.help_text,
            )


class SystemRecordForm(forms.ModelForm):
    """The base of each kind's form: people are members, checks the system's own, KPIs the
    organization's."""

    def __init__(self, *args, system: AISystem, **kwargs):
        super().__init__(*args, **kwargs)
        organization = system.organization
        _people(self, organization)
        if "checks" in self.fields:
            field = self.fields["checks"]
            self.fields["checks"] = CheckChoiceField(
                queryset=Check.objects.filter(system=system).order_by("name", "pk"),
                required=False,
                label=field.label,
                widget=field.widget,
                help_text="The checks of this system whose runs show how it behaves in use.",
            )
        if "kpis" in self.fields:
            self.fields["kpis"].queryset = KPI.objects.for_org(organization).order_by("name")
            self.fields["kpis"].help_text = "The organization's KPIs this plan watches."

    def many_to_many(self) -> dict[str, list]:
        """The links chosen, for the service (which replaces them)."""
        return {
            field.name: list(self.cleaned_data[field.name])
            for field in self._meta.model._meta.many_to_many
            if field.name in self.fields
        }


@functools.cache
def record_form_class(kind: RecordKind) -> type[SystemRecordForm]:
    """The form of one kind of record: every field of its model a person types, in the order
    the model declares them (its links among them, not after)."""
    model = kind.model
    declared = sorted(
        [*model._meta.concrete_fields, *model._meta.many_to_many],
        key=lambda field: field.creation_counter,
    )
    fields = [
        field.name
        for field in declared
        if field.editable and not field.auto_created and field.name not in NOT_TYPED
    ]
    return forms.modelform_factory(
        model, form=SystemRecordForm, fields=fields, widgets=_widgets(model)
    )


class RecourseChannelForm(forms.ModelForm):
    class Meta:
        model = RecourseChannel
        fields = ["how_to_ask", "contact", "published_where", "response_days"]
        widgets = {"how_to_ask": forms.Textarea(attrs={"rows": 4})}


class RecourseRequestForm(forms.ModelForm):
    """A request received (without its answer when new: its reference and due date come from
    the service), or its answer recorded."""

    class Meta:
        model = RecourseRequest
        fields = [
            "system",
            "kind",
            "received_on",
            "requester",
            "summary",
            "due_on",
            "status",
            "handled_by",
            "answered_on",
            "outcome",
        ]
        widgets = {
            "received_on": DATE,
            "due_on": DATE,
            "answered_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "outcome": forms.Textarea(attrs={"rows": 4}),
        }

    # The fields of the request, and those of its answer (the answer's are not asked of a new
    # request but handled_by, who may be named from the start).
    REQUEST = ("system", "kind", "received_on", "requester", "summary", "due_on")
    ANSWERING = ("status", "handled_by", "answered_on", "outcome")
    ANSWER = ("status", "answered_on", "outcome")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = AISystem.objects.for_org(organization).order_by("name")
        _people(self, organization)
        if self.instance.pk is None:
            for name in self.ANSWER:
                del self.fields[name]
            due = self.fields["due_on"]
            due.required = False
            due.help_text = (
                "Left empty: the number of days the system's recourse channel promises after "
                "the day it came (30 when it promises none)."
            )


class ChangeForm(forms.ModelForm):
    class Meta:
        model = RegulatoryChange
        fields = [
            "title",
            "source",
            "reference",
            "jurisdiction",
            "published_on",
            "effective_on",
            "summary",
            "effect",
            "articles",
            "systems",
            "status",
            "owner",
        ]
        widgets = {
            "published_on": DATE,
            "effective_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "effect": forms.Textarea(attrs={"rows": 4}),
            "systems": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        systems = self.fields["systems"]
        systems.queryset = AISystem.objects.for_org(organization).order_by("name")
        systems.label = "AI systems it touches"
        _people(self, organization)


def _search_field(placeholder: str) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": placeholder, "type": "search"}),
    )


class RequestFilterForm(forms.Form):
    q = _search_field("Reference, requester, what is asked")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *RequestKind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *RequestStatus.choices])
    overdue = forms.BooleanField(required=False, label="Overdue")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )

    def filter(self, requests):
        if not self.is_valid():
            return requests
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            requests = requests.filter(
                Q(ref__icontains=q) | Q(requester__icontains=q) | Q(summary__icontains=q)
            )
        if data["system"]:
            requests = requests.filter(system__slug=data["system"])
        if data["kind"]:
            requests = requests.filter(kind=data["kind"])
        if data["status"]:
            requests = requests.filter(status=data["status"])
        if data["overdue"]:
            requests = requests.overdue()
        return requests


class ChangeFilterForm(forms.Form):
    q = _search_field("Title, reference, what changes")
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *ChangeSource.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ChangeStatus.choices])

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"] = system_filter_field(
            AISystem.objects.for_org(organization), empty_label="Any AI system"
        )

    def filter(self, changes):
        if not self.is_valid():
            return changes
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            changes = changes.filter(
                Q(title__icontains=q)
                | Q(reference__icontains=q)
                | Q(summary__icontains=q)
                | Q(articles__icontains=q)
            )
        if data["source"]:
            changes = changes.filter(source=data["source"])
        if data["status"]:
            changes = changes.filter(status=data["status"])
        if data["system"]:
            touching = RegulatoryChange.objects.filter(systems__slug=data["system"])
            changes = changes.filter(pk__in=touching.values("pk"))
        return changes
