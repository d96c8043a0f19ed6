"""Forms of the leadership area: roles, activities, a row of the RACI matrix, meetings,
decisions, actions and the list filters."""

from __future__ import annotations

from django import forms

from aims.catalog.links import requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of, person_label
from aims.inventory.models import AISystem
from aims.risk.models import Risk

from .models import (
    Activity,
    AIMSRole,
    CommitteeAction,
    Decision,
    Letter,
    Meeting,
    MeetingStatus,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class RoleForm(forms.ModelForm):
    class Meta:
        model = AIMSRole
        fields = ["name", "description", "responsibilities", "authorities"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "responsibilities": forms.Textarea(attrs={"rows": 5}),
            "authorities": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"name": "As people call it: “AI governance lead”, “Model owner”."}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holders"] = MemberMultipleChoiceField(
            members_of(organization),
            required=False,
            help_text="Members who hold this role.",
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )
        self.fields.update(requirement_fields())
        if self.instance.pk:
            self.initial.setdefault("holders", list(self.instance.holders.all()))
            self.initial.setdefault("clauses", list(self.instance.clauses.all()))
            self.initial.setdefault("controls", list(self.instance.controls.all()))


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["name", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"position": "Where the activity comes in the matrix, smallest first."}


LETTER_CHOICES = [("", "—"), *[(value, value) for value in Letter.values]]


class RowForm(forms.Form):
    """One row of the RACI matrix: a letter for each column (AIMS roles, then people)."""

    def __init__(self, *args, activity: Activity, roles, people, cells: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.form_id = f"row-{activity.pk}"
        self.columns = []
        for kind, holder, label in [
            *[("role", role, str(role)) for role in roles],
            *[("person", person, person_label(person)) for person in people],
        ]:
            name = f"{kind}-{holder.pk}"
            self.fields[name] = forms.ChoiceField(
                choices=LETTER_CHOICES,
                required=False,
                label=label,
                widget=forms.Select(
                    attrs={"form": self.form_id, "aria-label": f"{label}: {activity.name}"}
                ),
            )
            self.initial[name] = cells.get((kind, holder.pk), "")
            self.columns.append(
                (name, holder if kind == "role" else None, holder if kind == "person" else None)
            )

    def cells(self) -> list[tuple]:
        """``[(role, person, letter)]`` for every column the form shows."""
        return [
            (role, person, self.cleaned_data.get(name) or "") for name, role, person in self.columns
        ]


class PersonCellForm(forms.Form):
    """Give a person (rather than a role) a letter for one activity: adds their column."""

    activity = forms.ModelChoiceField(Activity.objects.none(), empty_label="— activity —")
    person = MemberChoiceField(None, empty_label="— member —")
    letter = forms.ChoiceField(choices=[(v, f"{v} · {label}") for v, label in Letter.choices])

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.for_org(organization)
        self.fields["person"].queryset = members_of(organization)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "date", "status", "agenda", "minutes"]
        widgets = {
            "date": DATE,
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "status": "Mark it held once it has taken place: its decisions can then be recorded.",
            "minutes": "What was discussed and concluded, in your own words.",
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"] = MemberMultipleChoiceField(
            members_of(organization),
            required=False,
            help_text="Members who took part.",
            widget=forms.SelectMultiple(attrs={"size": 8}),
        )
        if self.instance.pk:
            self.initial.setdefault("attendees", list(self.instance.attendees.all()))


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text", "system", "risk", "reference"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = AISystem.objects.for_org(organization).order_by("name")
        self.fields["system"].empty_label = "— none —"
        self.fields["risk"].queryset = Risk.objects.for_org(organization).order_by("ref")
        self.fields["risk"].empty_label = "— none —"


class ActionForm(forms.ModelForm):
    class Meta:
        model = CommitteeAction
        fields = ["title", "owner", "due_date", "status", "done_on"]
        widgets = {"due_date": DATE, "done_on": DATE}
        help_texts = {"done_on": "When it was done; today when left empty."}

    def __init__(self, *args, organization, new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="Who does it; they see it in their reminders.",
        )
        self.fields["due_date"].help_text = "Today or later."
        if new:
            del self.fields["status"]
            del self.fields["done_on"]


class MeetingFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Search title, agenda, minutes"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *MeetingStatus.choices])
    attendee = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any attendee", to_field_name="username"
    )
    open_actions = forms.BooleanField(required=False, label="With open actions")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendee"].queryset = members_of(organization)
        self.fields["attendee"].label_from_instance = person_label

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "attendee": data.get("attendee"),
            "open_actions": data.get("open_actions") or None,
        }


class RoleFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Search roles"}),
    )
    unassigned = forms.BooleanField(required=False, label="Nobody holds it")

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "q": self.cleaned_data.get("q") or None,
            "unassigned": self.cleaned_data.get("unassigned") or None,
        }
