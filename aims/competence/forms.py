"""Forms of competence and training: competences with who needs them, courses, training
records, the import and the lists' filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from aims.catalog.links import requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of
from aims.organizations.models import Role

from .models import Competence, Course, TrainingRecord, TrainingState
from .services import IMPORT_MAX_BYTES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


class CompetenceForm(forms.ModelForm):
    """A competence, and who needs it: every member of the roles chosen, and the people named."""

    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        label="Needed by every member with the role",
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    class Meta:
        model = Competence
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"] = MembersField(
            queryset=members_of(organization),
            required=False,
            label="Also needed by these people",
            help_text="For a need of one person rather than a whole role (the data scientist "
            "who validates models, say).",
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )
        self.fields.update(requirement_fields())
        self.fields["clauses"].help_text = "Usually 7.2 (competence) or 7.3 (awareness)."
        self.fields["controls"].help_text = "Usually A.4.6 (human resources)."
        if self.instance.pk:
            requirements = list(self.instance.requirements.all())
            self.initial["roles"] = [r.role for r in requirements if r.role]
            self.initial["people"] = [r.person_id for r in requirements if r.person_id]
            self.initial["clauses"] = list(self.instance.clauses.all())
            self.initial["controls"] = list(self.instance.controls.all())


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "provider", "competences", "validity_months", "description"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "competences": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competences"].queryset = Competence.objects.for_org(organization)
        self.fields["competences"].help_text = "What someone who completes it holds."


class TrainingForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["person", "course", "completed_on", "expires_on", "evidence", "note"]
        widgets = {
            "completed_on": DATE,
            "expires_on": DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = MemberChoiceField(
            queryset=members_of(organization),
            label="Person",
            empty_label="— choose —",
            help_text="The member who completed the course.",
        )
        self.fields["course"].queryset = Course.objects.for_org(organization)
        self.fields["course"].empty_label = "— choose —"


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text=f"At most {IMPORT_MAX_BYTES // 1024} KiB and 5,000 rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    content = forms.CharField(
        required=False, max_length=IMPORT_MAX_BYTES, widget=forms.HiddenInput()
    )

    def data_bytes(self) -> bytes | None:
        """The file's bytes (first step) or the checked content sent back (confirmation)."""
        upload = self.cleaned_data.get("file")
        if upload is not None:
            if upload.size > IMPORT_MAX_BYTES:
                return b"x" * (IMPORT_MAX_BYTES + 1)  # refused with the size message
            return upload.read()
        content = self.cleaned_data.get("content")
        return content.encode("utf-8") if content else None


class CompetenceFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search competences"}),
    )
    role = forms.ChoiceField(required=False, choices=[("", "Needed by any role"), *Role.choices])

    def filters(self) -> dict:
        self.is_valid()
        return {k: self.cleaned_data.get(k) or None for k in ("q", "role")}


class CourseFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search courses"}),
    )

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["competence"] = forms.ModelChoiceField(
            Competence.objects.for_org(organization),
            required=False,
            empty_label="Giving any competence",
        )

    def filters(self) -> dict:
        self.is_valid()
        competence = self.cleaned_data.get("competence")
        return {
            "q": self.cleaned_data.get("q") or None,
            "competence": competence.pk if competence else None,
        }


class TrainingFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search person, course, evidence"}
        ),
    )
    person = MemberChoiceField(
        required=False, queryset=get_user_model().objects.none(), empty_label="Anyone"
    )
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *TrainingState.choices])

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.fields["person"].queryset = members_of(organization)
        self.fields["course"] = forms.ModelChoiceField(
            Course.objects.for_org(organization), required=False, empty_label="Any course"
        )

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        course = data.get("course")
        return {
            "q": data.get("q") or None,
            "person": data.get("person"),
            "course": course.pk if course else None,
            "state": data.get("state") or None,
        }


class MatrixFilterForm(forms.Form):
    role = forms.ChoiceField(required=False, choices=[("", "Every role"), *Role.choices])

    def role_value(self) -> str | None:
        self.is_valid()
        return self.cleaned_data.get("role") or None
