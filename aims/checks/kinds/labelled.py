"""What fairness and performance checks share: both read a prediction log with the true
outcome (the label) beside the model's decision or score, split into groups by sensitive
features, and show a table and bar charts group by group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms

from ..charts import Bar
from ..models import Check
from .base import (
    CheckKind,
    Defaults,
    Fieldset,
    Row,
    csv,
    limit_charts,
    limits_of,
    name_field,
    names_field,
)


@dataclass(frozen=True)
class LabelledDefaults(Defaults):
    # Smaller groups are reported as too few rows and left out of the aggregates.
    min_group_size: int = 30
    # A score at or above it counts as the positive decision.
    threshold: float = 0.5


DEFAULTS = LabelledDefaults()

OPTIONS = (
    "label",
    "prediction",
    "score",
    "threshold",
    "positive_label",
    "sensitive",
    "reference_group",
    "min_group_size",
)

FORM_FIELDS = {
    "label": name_field("Outcome column", "The true outcome, e.g. repaid."),
    "prediction": name_field("Prediction column", "The model's decision (0/1), e.g. approved."),
    "score": name_field("Score column", "Instead of a prediction: a score, with a threshold."),
    "threshold": forms.FloatField(
        required=False, label="Decision threshold", initial=DEFAULTS.threshold
    ),
    "positive_label": name_field("Positive outcome value", "Only when the outcome is not 0/1."),
    "sensitive": names_field(
        "Sensitive features", "Columns, separated by commas, e.g. sex, age_band."
    ),
    "reference_group": name_field(
        "Reference group",
        "For the disparate impact ratio, e.g. sex=Male. Empty: the group selected most often.",
    ),
    "min_group_size": forms.IntegerField(
        required=False, min_value=1, initial=DEFAULTS.min_group_size, label="Minimum group size"
    ),
}

COLUMNS = Fieldset(
    "Columns (fairness and performance)",
    (
        Row(
            "label prediction score threshold sensitive reference_group positive_label min_group_size"
        ),
    ),
)


class LabelledKind(CheckKind):
    """A kind computed on a prediction log with the true outcome, group by group."""

    options = OPTIONS
    defaults: ClassVar[LabelledDefaults] = DEFAULTS
    form_fields = FORM_FIELDS
    fieldsets = (COLUMNS,)
    # Per-group metrics drawn as bars: (metric, title, the threshold metric they relate to).
    group_charts: ClassVar[tuple[tuple[str, str, str], ...]] = ()

    def min_group_size(self, options: dict) -> int:
        return int(options.get("min_group_size") or self.defaults.min_group_size)

    def columns(self, options: dict) -> dict:
        """The column mapping, as ``fairness_statistics`` and ``performance_report`` take it."""
        chosen = {
            "label": options.get("label"),
            "sensitive": options.get("sensitive") or [],
        }
        if options.get("score"):
            chosen["score"] = options["score"]
            threshold = options.get("threshold")
            chosen["threshold"] = self.defaults.threshold if threshold is None else float(threshold)
        else:
            chosen["prediction"] = options.get("prediction")
        if options.get("positive_label") not in (None, ""):
            chosen["positive_label"] = options["positive_label"]
        return chosen

    # --- Definition ---------------------------------------------------------------------

    column_fields = {"label": False, "prediction": False, "score": False, "sensitive": True}

    def named_columns(self, check: Check) -> dict[str, list[str]]:
        options = check.options or {}
        named = {
            key: [options[key]] for key in ("label", "prediction", "score") if options.get(key)
        }
        named["sensitive"] = list(options.get("sensitive") or [])
        return named

    def problems(self, check: Check) -> dict[str, str]:
        options = check.options or {}
        problems = {}
        if not options.get("label"):
            problems["label"] = "Name the column that holds the true outcome."
        if not (options.get("prediction") or options.get("score")):
            problems["prediction"] = (
                "Name the prediction column, or a score column and a threshold."
            )
        return problems

    def options_from_api(self, options: dict) -> dict:
        kept = super().options_from_api(options)
        kept.setdefault("sensitive", [])
        kept.setdefault("min_group_size", self.defaults.min_group_size)
        if kept.get("score"):
            kept.setdefault("threshold", self.defaults.threshold)
        return kept

    def options_from_form(self, data: dict) -> dict:
        options: dict[str, Any] = {}
        for key in ("label", "prediction", "score", "reference_group"):
            if data.get(key):
                options[key] = data[key].strip()
        if data.get("score"):
            threshold = data.get("threshold")
            options["threshold"] = self.defaults.threshold if threshold is None else threshold
        if data.get("positive_label"):
            options["positive_label"] = data["positive_label"].strip()
        options["sensitive"] = csv(data.get("sensitive", ""))
        options["min_group_size"] = data.get("min_group_size") or self.defaults.min_group_size
        return options

    def form_initial(self, check: Check) -> dict:
        options = check.options or {}
        return {
            "label": options.get("label", ""),
            "prediction": options.get("prediction", ""),
            "score": options.get("score", ""),
            "threshold": options.get("threshold", self.defaults.threshold),
            "positive_label": options.get("positive_label", ""),
            "sensitive": ", ".join(options.get("sensitive", [])),
            "reference_group": options.get("reference_group", ""),
            "min_group_size": options.get("min_group_size", self.defaults.min_group_size),
        }

    # --- Run page -----------------------------------------------------------------------

    def charts(self, result: dict) -> list:
        """Per-group bars, each with the line a threshold draws, then each threshold against
        its limit."""
        by_group = result.get("by_group") or {}
        limits = limits_of(result)
        charts = []
        for metric, title, related in self.group_charts:
            bars = [Bar(group, (values or {}).get(metric)) for group, values in by_group.items()]
            if any(b.value is not None for b in bars):
                charts.append(self.group_chart(bars, title, metric, related, limits, result))
        return [*charts, *limit_charts(result)]

    def group_chart(self, bars, title, metric, related, limits, result):
        raise NotImplementedError

    def metric_table(self, result: dict) -> dict:
        """A metric a line, with a column per group and one for overall; and which groups
        were too small to count."""
        groups = {
            name: values
            for name, values in (result.get("by_group") or {}).items()
            if isinstance(values, dict)
        }
        metrics = list(dict.fromkeys(m for values in groups.values() for m in values))
        if all(values.get("status", "ok") == "ok" for values in groups.values()):
            metrics = [m for m in metrics if m != "status"]  # said only when a group is too small
        overall = result.get("overall") or {}
        columns = [*groups.values(), overall] if overall else list(groups.values())
        table = {
            "first": "Metric",
            "header": [(name, True) for name in groups] + ([("overall", True)] if overall else []),
            "rows": [
                (metric.replace("_", " "), [(values.get(metric), True) for values in columns])
                for metric in metrics
            ],
            "aggregates": self.aggregates(result),
        }
        if result.get("insufficient"):
            table["too_small"] = {
                "groups": result["insufficient"],
                "min_group_size": result.get("min_group_size", self.defaults.min_group_size),
            }
        return table
