"""Forms of the frameworks pages: the coverage filters and the two imports."""

from __future__ import annotations

from django import forms

from .coverage import Status
from .imports import MAX_FILE_BYTES, MAX_OSCAL_BYTES


class CoverageFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Id or title", "type": "search"}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Status.choices], label="Status"
    )
    group = forms.ChoiceField(required=False, choices=[("", "Every part")], label="Part")

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [
            ("", "Every part"),
            *((g.ref, f"{g.ref} {g.title}"[:80]) for g in groups),
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ImportForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What your organization calls this framework or control set."
    )
    version = forms.CharField(max_length=40, required=False)
    file = forms.FileField()
    max_bytes = MAX_FILE_BYTES

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file is larger than {self.max_bytes // 1024} KiB: split it."
            )
        return upload


class CSVImportForm(ImportForm):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, columns id, title, parent, mapping. A parent is an id on an earlier "
        'row; mapping lists ISO/IEC 42001 ids separated by ";" (6.1.2; A.6.2.4).',
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class OSCALImportForm(ImportForm):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="Leave empty to use the catalog's own title.",
    )
    file = forms.FileField(
        label="OSCAL catalog (JSON)",
        help_text="An OSCAL 1.2 catalog in JSON: its groups and controls become the "
        "requirements (ids and titles only).",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    max_bytes = MAX_OSCAL_BYTES
