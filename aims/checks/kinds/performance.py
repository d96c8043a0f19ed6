"""Model performance checks: accuracy, precision, recall, F1 and ROC AUC of a binary classifier,
or the errors (MAE, RMSE) of a regression, overall and group by group. They read the columns a
fairness check reads, and the model's type.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

import aims.metrics as metrics

from ..charts import bar_chart
from ..models import Check, Kind
from .base import Fieldset, Measured, Row
from .labelled import COLUMNS, FORM_FIELDS, OPTIONS, LabelledDefaults, LabelledKind

__all__ = ["DEFAULTS", "KIND", "Performance"]

TASKS = (("classification", "Binary classifier"), ("regression", "Regression"))


@dataclass(frozen=True)
class PerformanceDefaults(LabelledDefaults):
    task: str = "classification"


DEFAULTS = PerformanceDefaults()


class Performance(LabelledKind):
    kind = Kind.PERFORMANCE
    options = (*OPTIONS, "task")
    defaults = DEFAULTS
    form_fields = {
        **FORM_FIELDS,
        "task": forms.ChoiceField(
            required=False,
            label="Model type (performance)",
            choices=TASKS,
            initial=DEFAULTS.task,
            help_text="Regression: the prediction is a number; MAE and RMSE are measured.",
        ),
    }
    fieldsets = (Fieldset(COLUMNS.legend, (*COLUMNS.rows, Row("task"))),)
    group_charts = (
        ("accuracy", "Accuracy by group", "accuracy"),
        ("recall", "Recall by group", "recall"),
        ("roc_auc", "ROC AUC by group", "roc_auc"),
        ("mae", "Mean absolute error by group", "mae"),
    )
    limits_help = "Performance: accuracy, precision, recall, f1, roc_auc, mae, rmse."

    def compute(self, check: Check, data: str, fingerprint: dict) -> Measured:
        options = check.options or {}
        columns = self.columns(options)
        if not columns["sensitive"]:
            del columns["sensitive"]  # measured over all rows only
        report = metrics.performance_report(
            data,
            task=options.get("task") or self.defaults.task,
            min_group_size=self.min_group_size(options),
            **columns,
        )
        measured = report.to_dict()
        statistics = measured.pop("statistics", {}) or {}
        return Measured(
            report=measured,
            fingerprint={**fingerprint, "rows": int(report.overall["count"])},
            statistics=statistics,
        )

    def report_from_pipeline(
        self, check: Check, *, statistics: dict | None, report: dict | None
    ) -> dict:
        """The report recomputed from the counts per group the pipeline posted."""
        posted = metrics.PerformanceStatistics.from_dict(statistics or {})
        return metrics.performance_from_statistics(
            posted, min_group_size=self.min_group_size(check.options or {})
        ).to_dict()

    def options_from_form(self, data: dict) -> dict:
        options = super().options_from_form(data)
        if data.get("task") and data["task"] != self.defaults.task:
            options["task"] = data["task"]
        return options

    def form_initial(self, check: Check) -> dict:
        task = (check.options or {}).get("task", self.defaults.task)
        return {**super().form_initial(check), "task": task}

    def group_chart(self, bars, title, metric, related, limits, result):
        """A metric with a threshold of its own is drawn against that limit."""
        if metric in limits:
            limit = limits[metric]
            return bar_chart(bars, title=title, limit=limit["limit"], op=limit["op"])
        return bar_chart(bars, title=title)


KIND = Performance()
