"""Forms of the documents area: a document's details, its text, the actions and list filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from aims.catalog.links import requirement_fields
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, length_of, members_of
from aims.organizations.models import Role

from .models import (
    CONTENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Classification,
    Document,
    DocumentVersion,
    Kind,
    Status,
)
from .starters import STARTERS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentForm(forms.ModelForm):
    """A document's details (not its text)."""

    audience = forms.MultipleChoiceField(
        label="For roles",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of these roles are asked to read and acknowledge it; none: everyone.",
    )

    class Meta:
        model = Document
        fields = [
            "title",
            "kind",
            "summary",
            "owner",
            "classification",
            "is_ai_policy",
            "review_months",
            "next_review",
        ]
        widgets = {"next_review": DATE, "summary": forms.TextInput()}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            members_of(organization), required=False, help_text=Document.owner.field.help_text
        )
        self.fields.update(requirement_fields())
        if self.instance.pk:
            self.initial.setdefault("audience", self.instance.audience)
            self.initial.setdefault("clauses", list(self.instance.clauses.all()))
            self.initial.setdefault("controls", list(self.instance.controls.all()))


class ContentForm(forms.Form):
    """The text of the draft (Markdown) and, optionally, a file."""

    content = forms.CharField(
        label="Text (Markdown)",
        required=False,
        max_length=CONTENT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "mono"}),
        help_text="Headings with #, lists with - or 1., **bold**, *italic*, [links](https://…), "
        "tables with |. HTML is not rendered.",
    )
    change_note = forms.CharField(
        label="What changed",
        required=False,
        max_length=length_of(DocumentVersion, "change_note"),
        help_text="A line for reviewers and readers.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text="A PDF or office file, when the document is not written here.",
    )
    remove_file = forms.BooleanField(label="Remove the uploaded file", required=False)


class NewDocumentForm(DocumentForm, ContentForm):
    """A new document: its details and its first draft."""

    class Meta(DocumentForm.Meta):
        pass


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="What the review found",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_review = forms.DateField(
        label="Next review",
        required=False,
        widget=DATE,
        help_text="Leave empty for one review cycle from today.",
    )


class StarterForm(forms.Form):
    template = forms.ChoiceField(choices=[(key, s.title) for key, s in STARTERS.items()])
    title = forms.CharField(
        max_length=length_of(Document, "title"),
        required=False,
        help_text="Leave empty to use the template's title.",
    )


class DocumentFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search title or summary", "type": "search"}),
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Kind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    classification = forms.ChoiceField(
        required=False, choices=[("", "Any classification"), *Classification.choices]
    )
    owner = forms.ChoiceField(required=False)
    overdue = forms.BooleanField(required=False, label="Review overdue")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        people = members_of(organization).values_list("pk", "username")[:200]
        self.fields["owner"].choices = [("", "Any owner"), *((str(pk), n) for pk, n in people)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        owner = None
        if data.get("owner"):
            owner = get_user_model().objects.filter(pk=data["owner"]).first()
        return {
            "q": data.get("q") or None,
            "kind": data.get("kind") or None,
            "status": data.get("status") or None,
            "classification": data.get("classification") or None,
            "owner": owner,
            "overdue": data.get("overdue") or None,
        }
