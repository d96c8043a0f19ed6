"""Fairness checks: the model's decisions compared across the groups of sensitive features
(demographic parity, equalized odds, disparate impact, ...), computed from a prediction log or
from the confusion counts per group that the ML pipeline posts.
"""

from __future__ import annotations

import math

from django.utils.html import format_html

import aims.metrics as metrics

from ..charts import bar_chart
from ..models import Check, Kind
from .base import Measured
from .labelled import DEFAULTS, LabelledKind

__all__ = ["DEFAULTS", "KIND", "Fairness"]


class Fairness(LabelledKind):
    kind = Kind.FAIRNESS
    group_charts = (
        ("selection_rate", "Selection rate by group", "demographic_parity_difference"),
        ("true_positive_rate", "True positive rate by group", "equal_opportunity_difference"),
        ("false_positive_rate", "False positive rate by group", "equalized_odds_difference"),
    )
    chart_note = (
        "In the per-group charts, a group whose bar ends left of the line is the one that "
        "makes the check fail."
    )
    limits_help = format_html(
        "Fairness metrics: dp_difference, dp_ratio, eo_difference, eop_difference, "
        "pp_difference, di_ratio (four-fifths rule: <code>{}</code>).",
        "min di_ratio 0.8",
    )

    def problems(self, check: Check) -> dict[str, str]:
        problems = super().problems(check)
        if not (check.options or {}).get("sensitive"):
            problems["sensitive"] = "Name at least one sensitive feature column."
        return problems

    def compute(self, check: Check, data: str, fingerprint: dict) -> Measured:
        options = check.options or {}
        statistics = metrics.fairness_statistics(data, **self.columns(options))
        return Measured(
            report=self._report(statistics, options),
            fingerprint={**fingerprint, "rows": statistics.overall().n},
            statistics=statistics.to_dict(),
        )

    def report_from_pipeline(
        self, check: Check, *, statistics: dict | None, report: dict | None
    ) -> dict:
        """The report recomputed from the confusion counts per group the pipeline posted."""
        posted = metrics.FairnessStatistics.from_dict(statistics or {})
        return self._report(posted, check.options or {})

    def _report(self, statistics: metrics.FairnessStatistics, options: dict) -> dict:
        return metrics.fairness_from_statistics(
            statistics,
            min_group_size=self.min_group_size(options),
            reference_group=options.get("reference_group") or None,
        ).to_dict()

    def group_chart(self, bars, title, metric, related, limits, result):
        line = _line(metric, related, bars, limits, result)
        if line is None:
            return bar_chart(bars, title=title)
        return bar_chart(bars, title=title, limit=line[0], op="min", limit_label=line[1])


def _line(metric, related, bars, limits, result) -> tuple[float, str] | None:
    """Where a fairness threshold puts the line on a per-group chart: a group whose bar ends
    left of it is what makes the check fail."""
    values = [b.value for b in bars if b.value is not None and math.isfinite(b.value)]
    if not values:
        return None
    if metric == "selection_rate" and "disparate_impact_ratio" in limits:
        ratio = limits["disparate_impact_ratio"]["limit"]
        reference = result.get("reference_group")
        ref_rate = next((b.value for b in bars if b.label == reference), max(values))
        return ref_rate * ratio, f"{ratio:g} × {reference or 'highest'} rate"
    if related in limits and limits[related]["op"] == "max":
        allowed = limits[related]["limit"]
        return max(values) - allowed, f"highest − {allowed:g}"
    return None


KIND = Fairness()
