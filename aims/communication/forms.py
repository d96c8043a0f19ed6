"""Forms of the communication plan and log, and the lists' filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from aims.catalog.links import requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of

from .models import AudienceKind, Channel, Communication, Frequency, PlanEntry

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanEntryForm(forms.ModelForm):
    class Meta:
        model = PlanEntry
        fields = [
            "topic",
            "description",
            "frequency",
            "next_due",
            "audience_kind",
            "audience",
            "channel",
            "communicator",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "next_due": DATE}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communicator"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            label="Who communicates",
            empty_label="— nobody yet —",
            help_text="The member who makes this communication; reminded when it is due.",
        )
        self.fields.update(requirement_fields())
        self.fields["clauses"].help_text = "Usually 7.4 (communication)."
        self.fields[
            "controls"
        ].help_text = (
            "E.g. A.8.3 (external reporting) or A.8.5 (information for interested parties)."
        )
        if self.instance.pk:
            self.initial["clauses"] = list(self.instance.clauses.all())
            self.initial["controls"] = list(self.instance.controls.all())


class CommunicationForm(forms.ModelForm):
    class Meta:
        model = Communication
        fields = [
            "communicated_on",
            "plan_entry",
            "summary",
            "audience",
            "channel",
            "communicated_by",
        ]
        widgets = {"communicated_on": DATE, "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_entry"].queryset = PlanEntry.objects.for_org(organization)
        self.fields["plan_entry"].empty_label = "— not planned —"
        self.fields["communicated_by"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            label="By whom",
            empty_label="— not recorded —",
        )
        if self.instance.pk:
            self.fields[
                "plan_entry"
            ].help_text = "Changing it here does not move any plan entry's due date."


class PlanFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search what, with whom"}),
    )
    frequency = forms.ChoiceField(
        required=False, choices=[("", "Any frequency"), *Frequency.choices]
    )
    channel = forms.ChoiceField(required=False, choices=[("", "Any channel"), *Channel.choices])
    audience_kind = forms.ChoiceField(
        required=False, choices=[("", "Internal and external"), *AudienceKind.choices]
    )
    communicator = MemberChoiceField(
        required=False, queryset=get_user_model().objects.none(), empty_label="Anyone"
    )
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["communicator"].queryset = members_of(organization)

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "frequency": data.get("frequency") or None,
            "channel": data.get("channel") or None,
            "audience_kind": data.get("audience_kind") or None,
            "communicator": data.get("communicator"),
            "overdue": True if data.get("overdue") else None,
        }


class LogFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search the log"}),
    )
    channel = forms.ChoiceField(required=False, choices=[("", "Any channel"), *Channel.choices])
    communicated_by = MemberChoiceField(
        required=False, queryset=get_user_model().objects.none(), empty_label="Anyone"
    )

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["communicated_by"].queryset = members_of(organization)
        self.fields["plan_entry"] = forms.ModelChoiceField(
            PlanEntry.objects.for_org(organization), required=False, empty_label="Any plan entry"
        )

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        entry = data.get("plan_entry")
        return {
            "q": data.get("q") or None,
            "channel": data.get("channel") or None,
            "plan_entry": entry.pk if entry else None,
            "communicated_by": data.get("communicated_by"),
        }
