from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from aims.core.areas import record_links
from aims.core.forms import length_of

from .models import Evidence, Kind, Revision
from .uploads import allowed_extensions, check_upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files from a single ``<input type=file multiple>``; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        """Every file is checked (name, size, type against content) and every problem said at
        once, with the other fields' errors: not one file at a time, nor only once the rest of
        the form is right."""
        given = data if isinstance(data, (list, tuple)) else [data]
        files, problems = [], []
        for item in (item for item in given if item):
            try:
                files.append(super().clean(item, initial))
                check_upload(item)
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValidationError(problems)
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


def _files_help() -> str:
    from django.conf import settings

    return (
        f"You can select several files. Up to {settings.AIMS_MAX_UPLOAD_MB} MB each. Accepted: "
        + ", ".join(allowed_extensions())
        + ". The content must match the file name's type."
    )


class LinkChoiceField(forms.ModelMultipleChoiceField):
    """Records of one registered kind (:class:`aims.core.areas.RecordLink`), as it reads them."""

    def __init__(self, link, organization):
        super().__init__(
            queryset=link.choices(organization),
            required=False,
            label=link.label,
            help_text=link.help_text,
            widget=forms.SelectMultiple(attrs=LINK_WIDGET),
        )
        self.link = link

    def label_from_instance(self, obj):
        return self.link.describe(obj)


LINK_WIDGET = {"size": 8}


class EvidenceForm(forms.ModelForm):
    """Metadata and links of a piece of evidence (a field per kind of record the areas
    register); the create form adds the files."""

    url = forms.URLField(
        assume_scheme="https",
        max_length=1000,
        required=False,
        label="Link (for link evidence)",
        help_text="The address of the document, page or record, for evidence kept elsewhere.",
    )

    class Meta:
        model = Evidence
        fields = ["title", "description", "kind", "url", "effective_from", "valid_until"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "kind": forms.RadioSelect,
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"effective_from": "Effective from"}
        help_texts = {
            "description": "What it shows and where it comes from.",
            "valid_until": "The date after which an auditor would no longer accept it, such as "
            "the next review. Leave empty if it does not expire.",
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.link_fields = []
        for link in record_links():
            self.fields[link.name] = LinkChoiceField(link, organization)
            self.link_fields.append(link.name)
        self.fields["kind"].choices = Kind.choices
        if self.instance.pk:
            for name in self.link_fields:
                self.initial.setdefault(name, list(getattr(self.instance, name).all()))
        elif not self.initial.get("effective_from"):
            self.initial["effective_from"] = timezone.localdate()

    def link_boundfields(self):
        return [self[name] for name in self.link_fields]

    def links(self) -> dict:
        return {name: list(self.cleaned_data[name]) for name in self.link_fields}


class EvidenceCreateForm(EvidenceForm):
    files = MultipleFileField(required=False, label="Files", help_text="")

    field_order = [
        "title",
        "description",
        "kind",
        "files",
        "url",
        "effective_from",
        "valid_until",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _files_help()


class EvidenceEditForm(EvidenceForm):
    """Kind is fixed once recorded: a file's revisions would make no sense as a link."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        if self.instance.kind != Kind.LINK:
            del self.fields["url"]


class RevisionForm(forms.Form):
    files = MultipleFileField(label="Files of the new revision")
    note = forms.CharField(
        max_length=length_of(Revision, "note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What changed, for example \u201c2025 review, approved by the board\u201d.",
    )
    effective_from = forms.DateField(
        required=False,
        label="New effective from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty to keep the current date.",
    )
    valid_until = forms.DateField(
        required=False,
        label="New valid until",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty to keep the current expiry date.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _files_help()
