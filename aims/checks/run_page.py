"""What a check run's page shows, drawn from the run's stored result: charts and tables.

Server-side SVG (`aims.checks.charts`), so the same pictures can go into reports.
"""

from __future__ import annotations

import math

from .charts import Bar, bar_chart
from .models import CheckRun, Kind

# Per-group metrics drawn as bars, per kind of check, and the threshold metric they relate to.
GROUP_CHARTS = {
    Kind.FAIRNESS: [
        ("selection_rate", "Selection rate by group", "demographic_parity_difference"),
        ("true_positive_rate", "True positive rate by group", "equal_opportunity_difference"),
        ("false_positive_rate", "False positive rate by group", "equalized_odds_difference"),
    ],
    Kind.PERFORMANCE: [
        ("accuracy", "Accuracy by group", "accuracy"),
        ("recall", "Recall by group", "recall"),
        ("roc_auc", "ROC AUC by group", "roc_auc"),
        ("mae", "Mean absolute error by group", "mae"),
    ],
}


def _fairness_line(metric, related, bars, limits, result) -> tuple[float, str] | None:
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


def charts_for(run: CheckRun) -> list:
    """The run's charts: per-group bars with the line a threshold draws, drift statistics by
    column, and each threshold against its limit."""
    result = run.result or {}
    kind = Kind(run.definition.kind)
    by_group = result.get("by_group") or {}
    limits = {t["metric"]: t for t in result.get("thresholds", [])}
    charts = []
    if kind in GROUP_CHARTS:
        for metric, title, related in GROUP_CHARTS[kind]:
            bars = [Bar(group, (values or {}).get(metric)) for group, values in by_group.items()]
            if not any(b.value is not None for b in bars):
                continue
            if kind == Kind.PERFORMANCE and metric in limits:
                limit = limits[metric]
                charts.append(bar_chart(bars, title=title, limit=limit["limit"], op=limit["op"]))
                continue
            line = _fairness_line(metric, related, bars, limits, result)
            if line is None:
                charts.append(bar_chart(bars, title=title))
            else:
                charts.append(
                    bar_chart(bars, title=title, limit=line[0], op="min", limit_label=line[1])
                )
    elif kind == Kind.DRIFT:
        charts.extend(_drift_charts(by_group))
    for metric, limit in limits.items():
        if kind == Kind.QUALITY:
            break  # a count of failed rules: the table of rules says more than a bar
        value = limit.get("value")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        charts.append(
            bar_chart(
                [Bar("this run", value)],
                title=f"{metric} against its limit",
                limit=limit["limit"],
                op=limit["op"],
            )
        )
    return charts


def _drift_charts(by_group: dict) -> list:
    """Columns judged by a distance (drift at or above the threshold) and columns judged by a
    test (drift when the p-value is below the limit) cannot share a line: one chart each."""
    charts = []
    columns = [values for values in by_group.values() if isinstance(values, dict)]
    by_distance = [c for c in columns if c.get("p_value") is None]
    by_test = [c for c in columns if c.get("p_value") is not None]
    for chosen, value, title, op, label in (
        (by_distance, "statistic", "Drift distance by column", "max", "drift threshold"),
        (by_test, "p_value", "Test p-value by column", "min", "p-value limit"),
    ):
        if not chosen:
            continue
        methods = sorted({METHOD_NAMES.get(c["method"], c["method"]) for c in chosen})
        title = f"{title} ({', '.join(methods)})"
        bars = [Bar(c["column"], c.get(value)) for c in chosen]
        limits = {c.get("threshold") for c in chosen}
        limit = limits.pop() if len(limits) == 1 else None
        charts.append(bar_chart(bars, title=title, limit=limit, op=op, limit_label=label))
    return charts


METHOD_NAMES = {
    "wasserstein": "Wasserstein / std",
    "jensenshannon": "Jensen-Shannon",
    "psi": "PSI",
    "ks": "Kolmogorov-Smirnov",
    "chi2": "chi-squared",
}

# The run page's table of drift results: what decided each column first, then every statistic
# (key, header, numeric).
DRIFT_COLUMNS = (
    ("kind", "Kind", False),
    ("method", "Decided by", False),
    ("statistic", "Statistic", True),
    ("p_value", "p-value", True),
    ("threshold", "Limit", True),
    ("drifted", "Drifted", False),
    ("psi", "PSI", True),
    ("wasserstein_normalized", "Wasserstein / std", True),
    ("ks_statistic", "KS statistic", True),
    ("ks_p_value", "KS p-value", True),
    ("jensen_shannon", "Jensen-Shannon", True),
    ("chi2", "Chi-squared", True),
    ("chi2_p_value", "Chi-squared p-value", True),
    ("n_reference", "Reference rows", True),
    ("n_current", "Current rows", True),
)
QUALITY_COLUMNS = (("passed", "Passed", False), ("message", "What was found", False))
# Aggregates whose name alone does not say what they are.
AGGREGATE_LABELS = {
    "share": "share of drifted columns at which the data set drifts",
    "dataset_drifted": "data set drifted",
    "checks": "rules checked",
    "failed_checks": "rules failed",
}


def metric_table(kind: Kind, result: dict) -> dict:
    """The run page's "All metrics" table: for fairness and performance a metric a line with a
    column per group and one for overall; for drift a column a line with every statistic; for
    quality a rule a line with what was found."""
    groups = {
        name: values
        for name, values in (result.get("by_group") or {}).items()
        if isinstance(values, dict)
    }
    aggregates = [
        (AGGREGATE_LABELS.get(name, name.replace("_", " ")), value)
        for name, value in (result.get("aggregates") or {}).items()
    ]
    if kind in (Kind.DRIFT, Kind.QUALITY):
        columns = DRIFT_COLUMNS if kind == Kind.DRIFT else QUALITY_COLUMNS
        return {
            "first": "Column" if kind == Kind.DRIFT else "Rule",
            "header": [(label, numeric) for _, label, numeric in columns],
            "rows": [
                (name, [(values.get(key), numeric) for key, _, numeric in columns])
                for name, values in groups.items()
            ],
            "aggregates": aggregates,
        }
    metrics = list(dict.fromkeys(m for values in groups.values() for m in values))
    if all(values.get("status", "ok") == "ok" for values in groups.values()):
        metrics = [m for m in metrics if m != "status"]  # said only when a group is too small
    overall = result.get("overall") or {}
    columns = [*groups.values(), overall] if overall else list(groups.values())
    return {
        "first": "Metric",
        "header": [(name, True) for name in groups] + ([("overall", True)] if overall else []),
        "rows": [
            (metric.replace("_", " "), [(values.get(metric), True) for values in columns])
            for metric in metrics
        ],
        "aggregates": aggregates,
    }
