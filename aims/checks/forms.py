from __future__ import annotations

import copy

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from aims.catalog.models import Control
from aims.core.forms import LIST_MAX_LENGTH, length_of
from aims.inventory.models import AISystem
from aims.metrics import thresholds as th
from aims.risk.models import Risk

from .kinds import KINDS, kind_of
from .models import Alert, Check, Kind, Schedule, SourceType

DEFAULT_THRESHOLDS = "max dp_difference=0.1\nmin di_ratio=0.8"
DEFAULT_CONTROLS = ["A.5.4", "A.6.2.4", "A.7.4"]


def option_fields() -> dict[str, forms.Field]:
    """The fields of every kind's options (kinds that read the same option share its field)."""
    fields: dict[str, forms.Field] = {}
    for kind in KINDS.values():
        fields.update(kind.form_fields)
    return fields


def option_fieldsets() -> list[dict]:
    """The fieldsets of the kinds' options, each shown for the kinds (values separated by
    spaces) that have it; a row that only some of them read is shown for those only."""
    merged: dict[str, dict] = {}
    for kind in KINDS.values():
        for fieldset in kind.fieldsets:
            part = merged.setdefault(fieldset.legend, {"kinds": [], "rows": {}})
            part["kinds"].append(kind.kind.value)
            for row in fieldset.rows:
                part["rows"].setdefault(row, []).append(kind.kind.value)
    return [
        {
            "legend": legend,
            "kinds": " ".join(part["kinds"]),
            "rows": [
                {
                    "fields": row.fields,
                    "grid": row.grid,
                    "kinds": "" if kinds == part["kinds"] else " ".join(kinds),
                }
                for row, kinds in part["rows"].items()
            ],
        }
        for legend, part in merged.items()
    ]


def column_fields() -> dict[str, bool]:
    """The form fields that name columns of the data file, each with whether it takes several
    (a comma list): once the file is known, the form offers its columns in selects."""
    fields: dict[str, bool] = {}
    for kind in KINDS.values():
        fields.update(kind.column_fields)
    return fields


class ColumnsInput(forms.TextInput):
    """A text field for column names that a select of the file's columns may replace: the
    values a multiple select sends are read as the comma list the text field takes."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v not in (None, "")]
        return ", ".join(values) if len(values) > 1 else (values[0] if values else "")


class ControlChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.ref} {obj.title}"


class CheckForm(forms.ModelForm):
    """A check definition in the words of an AIMS manager; options and limits are built here."""

    data_file = forms.FileField(
        required=False,
        label="Prediction log (.parquet or .csv)",
        help_text="Leave empty to keep the current file.",
    )
    reference_file = forms.FileField(
        required=False,
        label="Reference data (.parquet or .csv)",
        help_text="Drift checks only: the data the model was validated on.",
    )
    limits = forms.CharField(
        required=False,
        max_length=LIST_MAX_LENGTH,
        label="Thresholds",
        initial=DEFAULT_THRESHOLDS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_html(
            "One per line: <code>{}</code> or <code>{}</code>, e.g. <code>{}</code>.",
            "max METRIC=LIMIT",
            "min METRIC=LIMIT",
            "max dp_difference=0.1",
        ),
    )
    controls = ControlChoiceField(
        queryset=Control.objects.none(),
        required=False,
        label="Annex A controls it gives evidence for",
    )

    class Meta:
        model = Check
        fields = [
            "system",
            "name",
            "kind",
            "source_type",
            "data_path",
            "reference_path",
            "schedule",
            "risks",
            "is_active",
        ]
        labels = {"is_active": "Active", "risks": "Risks it monitors"}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["system"].queryset = AISystem.objects.for_org(organization)
        self.fields["risks"].queryset = Risk.objects.for_org(organization)
        self.fields["risks"].required = False
        self.fields["controls"].queryset = Control.objects.order_by("position")
        self.fields["kind"].choices = Kind.choices
        self.fields["source_type"].choices = SourceType.choices
        self.fields["schedule"].choices = Schedule.choices
        for name, field in option_fields().items():
            self.fields[name] = copy.deepcopy(field)
        for name, several in column_fields().items():
            field = self.fields[name]
            field.widget = ColumnsInput(
                attrs={**field.widget.attrs, "data-column-field": "several" if several else "one"}
            )
        check = self.instance
        if check.pk:
            for kind in KINDS.values():
                self.initial.update(kind.form_initial(check))
            self.initial.update(
                {
                    "limits": th.threshold_lines(check.thresholds or [], kind=check.kind),
                    "controls": list(check.controls.all()),
                }
            )
            # The file name is the uploader's text: escaped, never markup.
            self.fields["data_file"].help_text = (
                format_html("Now: {}. Upload another to replace it.", check.data_name)
                if check.data_name
                else "Upload a file, or give a path."
            )
        else:
            self.fields["data_file"].help_text = "Upload a file here, or give a path below."
            self.initial.setdefault(
                "controls", list(Control.objects.filter(ref__in=DEFAULT_CONTROLS))
            )

    # What the template shows of the kinds: their options, the reference data for the kinds
    # that compare with it, and the metrics a threshold can name.
    def option_fieldsets(self) -> list[dict]:
        return option_fieldsets()

    def reference_kinds(self) -> str:
        return " ".join(kind.kind.value for kind in KINDS.values() if kind.reads_reference)

    def limits_help(self) -> SafeString:
        return format_html_join(" ", "{}", ((kind.limits_help,) for kind in KINDS.values()))

    def clean_limits(self) -> list[dict]:
        """Thresholds a line each, ``max dp_difference=0.1`` (the older ``max dp_difference
        0.1`` is read too); every wrong line is reported at once."""
        # Without a kind (its field has the error), read the limits as the first kind's.
        kind = self.cleaned_data.get("kind") or next(iter(KINDS))
        lines = (self.cleaned_data.get("limits") or "").splitlines()
        try:
            parsed = th.parse_threshold_lines(lines, kind=kind)
        except th.ThresholdErrors as exc:
            raise forms.ValidationError(
                [forms.ValidationError(f"{e[0].upper()}{e[1:]}.") for e in exc.errors]
            ) from None
        return [t.to_dict() for t in parsed]

    def build(self) -> Check:
        """The check with its options and thresholds, ready for services.save_check."""
        check: Check = self.instance
        check.organization = self.organization
        data = self.cleaned_data
        check.options = kind_of(check).options_from_form(data)
        check.thresholds = data.get("limits") or []
        return check


class ResolveAlertForm(forms.Form):
    resolution = forms.CharField(
        max_length=length_of(Alert, "resolution"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What was done",
        help_text="For example: model retrained with reweighing; new run passed.",
    )
