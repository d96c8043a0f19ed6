"""Forms of the management review: the review, holding it, a decision and its follow-up, an
action, and the list filters."""

from __future__ import annotations

from django import forms

from aims.catalog.links import add_requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of, person_label
from aims.nonconformities.models import Severity
from aims.organizations.models import Membership

from .models import (
    ActionStatus,
    ManagementReview,
    ReviewAction,
    ReviewDecision,
    ReviewStatus,
)
from .services import DEFAULT_CLAUSES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


def chairs_of(organization):
    """The members who may chair a review: those with decision authority."""
    return members_of(organization).filter(
        pk__in=Membership.objects.filter(organization=organization)
        .with_authority()
        .values("user_id")
    )


def _chair_field(organization) -> MemberChoiceField:
    return MemberChoiceField(
        queryset=chairs_of(organization),
        required=False,
        empty_label="— not chosen yet —",
        help_text="Chairs the review and approves its minutes: an Owner, an AIMS Manager or a "
        "member of top management.",
    )


def _attendees_field(organization, *, required: bool = False) -> MemberMultipleChoiceField:
    return MemberMultipleChoiceField(
        members_of(organization),
        required=required,
        label="Attendees",
        help_text="Members who took part; top management should be among them.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class ReviewForm(forms.ModelForm):
    class Meta:
        model = ManagementReview
        fields = ["title", "planned_on", "chair", "guests", "agenda", "minutes"]
        widgets = {
            "planned_on": DATE,
            "guests": forms.Textarea(attrs={"rows": 2}),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"] = _chair_field(organization)
        self.fields["attendees"] = _attendees_field(organization)
        if self.instance.pk:
            self.initial.setdefault("attendees", list(self.instance.attendees.all()))
        add_requirement_fields(self, clauses=DEFAULT_CLAUSES)
        if not self.instance.is_held:
            self.fields["minutes"].help_text = "Written once the review is held."


class HoldForm(forms.Form):
    """Mark a review held: when, who chaired, who took part."""

    held_on = forms.DateField(label="Held on", widget=DATE, help_text="Today or earlier.")
    chair = forms.ModelChoiceField(queryset=None, required=False)
    attendees = forms.ModelMultipleChoiceField(queryset=None, required=False)
    guests = forms.CharField(
        label="Other attendees",
        required=False,
        max_length=ManagementReview._meta.get_field("guests").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="People who took part but are not members here: names and roles.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"] = _chair_field(organization)
        self.fields["attendees"] = _attendees_field(organization)


class DecisionForm(forms.ModelForm):
    class Meta:
        model = ReviewDecision
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        labels = {"kind": "About"}
        help_texts = {
            "kind": "Decisions on continual improvement opportunities and on any need for "
            "changes to the AIMS (9.3.3)."
        }


class RaiseNonconformityForm(forms.Form):
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MINOR)
    owner = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization), required=False, empty_label="— nobody yet —"
        )


class AddImprovementForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=None, required=False)
    due_date = forms.DateField(label="Due date", required=False, widget=DATE)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization), required=False, empty_label="— nobody yet —"
        )


class ActionForm(forms.ModelForm):
    class Meta:
        model = ReviewAction
        fields = ["title", "owner", "due_date", "status", "done_on", "outcome"]
        widgets = {
            "due_date": DATE,
            "done_on": DATE,
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }
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
            for name in ("status", "done_on", "outcome"):
                del self.fields[name]
        elif self.instance.review.is_approved:
            self.fields["title"].disabled = True
            self.fields["title"].help_text = "As decided at the review, whose minutes are approved."


class ReviewFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Search reviews", "type": "search"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ReviewStatus.choices])
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


class ActionFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Search actions", "type": "search"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ActionStatus.choices])
    owner = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any owner", to_field_name="username"
    )
    overdue = forms.BooleanField(required=False, label="Overdue")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(organization)
        self.fields["owner"].label_from_instance = person_label

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "owner": data.get("owner"),
            "overdue": data.get("overdue") or None,
        }
