from __future__ import annotations

from django import forms
from django.utils.html import format_html

from aims.catalog.models import Control
from aims.core.forms import LIST_MAX_LENGTH, NAME_MAX_LENGTH, length_of
from aims.inventory.models import AISystem
from aims.metrics import InputError
from aims.metrics import thresholds as th
from aims.metrics.quality import TYPE_FAMILIES, parse_allowed, parse_expected, parse_ranges
from aims.risk.models import Risk

from .models import COLUMN_RULES, OPTIONS_OF_KIND, Alert, Check, Kind, Schedule, SourceType

DEFAULT_THRESHOLDS = "max dp_difference 0.1\nmin di_ratio 0.8"
DEFAULT_CONTROLS = ["A.5.4", "A.6.2.4", "A.7.4"]


def _bound(value) -> str:
    return "" if value is None else f"{value:g}"


def rule_lines(check: Check, name: str) -> list[str]:
    """A data-quality rule of the check, a column a line, as the form and the CLI write it:
    ``repaid=integer``, ``score=0:1``, ``sex=Female,Male``."""
    lines = []
    for column, rule in check.column_rule(name).items():
        if name == "ranges":
            low, high = rule
            rule = f"{_bound(low)}:{_bound(high)}"
        elif name == "allowed":
            rule = ",".join(rule)
        lines.append(f"{column}={rule}")
    return lines


def _csv(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


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
    label = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Outcome column",
        help_text="The true outcome, e.g. repaid.",
    )
    prediction = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Prediction column",
        help_text="The model's decision (0/1), e.g. approved.",
    )
    score = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Score column",
        help_text="Instead of a prediction: a score, with a threshold.",
    )
    threshold = forms.FloatField(required=False, label="Decision threshold", initial=0.5)
    positive_label = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Positive outcome value",
        help_text="Only when the outcome is not 0/1.",
    )
    sensitive = forms.CharField(
        required=False,
        max_length=LIST_MAX_LENGTH,
        label="Sensitive features",
        help_text="Columns, separated by commas, e.g. sex, age_band.",
    )
    reference_group = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        label="Reference group",
        help_text="For the disparate impact ratio, e.g. sex=Male. Empty: the group selected "
        "most often.",
    )
    min_group_size = forms.IntegerField(
        required=False, min_value=1, initial=30, label="Minimum group size"
    )
    drift_columns = forms.CharField(
        required=False,
        max_length=LIST_MAX_LENGTH,
        label="Columns to compare (drift)",
        help_text="Separated by commas; empty: every column.",
    )
    categorical = forms.CharField(
        required=False, max_length=LIST_MAX_LENGTH, label="Categorical columns (drift)"
    )
    task = forms.ChoiceField(
        required=False,
        label="Model type (performance)",
        choices=[("classification", "Binary classifier"), ("regression", "Regression")],
        initial="classification",
        help_text="Regression: the prediction is a number; MAE and RMSE are measured.",
    )
    min_rows = forms.IntegerField(required=False, min_value=0, label="Minimum rows")
    max_rows = forms.IntegerField(required=False, min_value=0, label="Maximum rows")
    max_missing = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        label="Largest share of missing values",
        help_text="In every column, e.g. 0.01 for 1%.",
    )
    max_duplicate_share = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        label="Largest share of duplicate rows",
    )
    expected_columns = forms.CharField(
        required=False,
        max_length=LIST_MAX_LENGTH,
        label="Expected columns and types",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_html(
            "One per line: <code>{}</code>. Types: {}.", "repaid=integer", ", ".join(TYPE_FAMILIES)
        ),
    )
    ranges = forms.CharField(
        required=False,
        max_length=LIST_MAX_LENGTH,
        label="Value ranges",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=format_html(
            "One per line: <code>{}</code>; leave a side empty to leave it open (<code>{}</code>).",
            "score=0:1",
            "age=18:",
        ),
    )
    allowed = forms.CharField(
        required=False,
        max_length=LIST_MAX_LENGTH,
        label="Allowed values",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=format_html("One per line: <code>{}</code>.", "sex=Female,Male"),
    )
    limits = forms.CharField(
        required=False,
        max_length=LIST_MAX_LENGTH,
        label="Thresholds",
        initial=DEFAULT_THRESHOLDS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_html(
            "One per line: <code>{}</code> or <code>{}</code>, e.g. <code>{}</code>.",
            "max METRIC LIMIT",
            "min METRIC LIMIT",
            "max dp_difference 0.1",
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
        check = self.instance
        options = check.options or {}
        if check.pk:
            self.initial.update(
                {
                    "label": options.get("label", ""),
                    "prediction": options.get("prediction", ""),
                    "score": options.get("score", ""),
                    "threshold": options.get("threshold", 0.5),
                    "positive_label": options.get("positive_label", ""),
                    "sensitive": ", ".join(options.get("sensitive", [])),
                    "reference_group": options.get("reference_group", ""),
                    "min_group_size": options.get("min_group_size", 30),
                    "drift_columns": ", ".join(options.get("columns", [])),
                    "categorical": ", ".join(options.get("categorical", [])),
                    "task": options.get("task", "classification"),
                    "min_rows": options.get("min_rows"),
                    "max_rows": options.get("max_rows"),
                    "max_missing": options.get("max_missing"),
                    "max_duplicate_share": options.get("max_duplicate_share"),
                    **{name: "\n".join(rule_lines(check, name)) for name in COLUMN_RULES},
                    "limits": "\n".join(
                        f"{t['op']} {t['metric']} {t['limit']:g}" for t in check.thresholds or []
                    ),
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
            self.initial.setdefault("min_group_size", 30)
            self.initial.setdefault("threshold", 0.5)

    def _rules(self, name: str, parse) -> dict:
        lines = [line for line in (self.cleaned_data.get(name) or "").splitlines() if line.strip()]
        try:
            return parse(lines, what="")
        except InputError as exc:
            raise forms.ValidationError(f"{exc}.") from None

    def clean_expected_columns(self) -> dict:
        return self._rules("expected_columns", parse_expected)

    def clean_ranges(self) -> dict:
        return {
            column: list(bounds) for column, bounds in self._rules("ranges", parse_ranges).items()
        }

    def clean_allowed(self) -> dict:
        return self._rules("allowed", parse_allowed)

    def clean_limits(self) -> list[dict]:
        kind = self.cleaned_data.get("kind") or Kind.FAIRNESS
        out = []
        for number, line in enumerate((self.cleaned_data.get("limits") or "").splitlines(), 1):
            parts = line.replace("=", " ").split()
            if not parts:
                continue
            if len(parts) != 3 or parts[0] not in ("max", "min"):
                raise forms.ValidationError(
                    f"Line {number} “{line.strip()}”: write max METRIC LIMIT or min METRIC LIMIT."
                )
            op, name, raw = parts
            try:
                metric = th.canonical_metric(kind, name)
                limit = float(raw)
            except InputError as exc:
                raise forms.ValidationError(f"Line {number}: {exc}.") from exc
            except ValueError:
                raise forms.ValidationError(
                    f"Line {number}: the limit {raw!r} is not a number."
                ) from None
            out.append({"metric": metric, "op": op, "limit": limit})
        return out

    def build(self) -> Check:
        """The check with its options and thresholds, ready for services.save_check."""
        check: Check = self.instance
        check.organization = self.organization
        data = self.cleaned_data
        options: dict = {}
        if check.kind in (Kind.FAIRNESS, Kind.PERFORMANCE):
            for key in ("label", "prediction", "score", "reference_group"):
                if data.get(key):
                    options[key] = data[key].strip()
            if data.get("score"):
                options["threshold"] = (
                    data.get("threshold") if data.get("threshold") is not None else 0.5
                )
            if data.get("positive_label"):
                options["positive_label"] = data["positive_label"].strip()
            options["sensitive"] = _csv(data.get("sensitive", ""))
            options["min_group_size"] = data.get("min_group_size") or 30
            if check.kind == Kind.PERFORMANCE and data.get("task") == "regression":
                options["task"] = "regression"
        elif check.kind == Kind.DRIFT:
            options["columns"] = _csv(data.get("drift_columns", ""))
            options["categorical"] = _csv(data.get("categorical", ""))
        else:
            for key in OPTIONS_OF_KIND[Kind.QUALITY]:
                if data.get(key) not in (None, {}, ""):
                    options[key] = data[key]
        check.options = options
        check.thresholds = data.get("limits") or []
        return check


class ResolveAlertForm(forms.Form):
    resolution = forms.CharField(
        max_length=length_of(Alert, "resolution"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What was done",
        help_text="For example: model retrained with reweighing; new run passed.",
    )
