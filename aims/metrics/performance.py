"""Model performance per group and overall, from sufficient statistics.

Binary classification: accuracy, precision, recall and F1 come from the confusion counts of the
same single GROUP BY pass as the fairness report. ROC AUC cannot come from confusion counts: it
needs the ranking of the scores. A documented second pass computes it exactly (ties count one
half, as in scikit-learn) and in integers: per group, DuckDB counts positives and negatives at
each distinct score, and a running sum over the scores in order gives twice the Mann-Whitney U
statistic (`RankCounts`); ``AUC = u2 / (2 * positives * negatives)``. Only three integers per
group leave the database. The overall AUC, which does not add up over groups, comes from the same
query (``GROUPING SETS``).

Regression: MAE and RMSE from the count and the (compensated) sums of absolute and squared
errors per group, overall from the same query.

Groups below ``min_group_size`` rows are shown with status ``"insufficient data"`` and left out of
`PerformanceReport.difference` and `PerformanceReport.ratio`, as in the fairness report.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from aims.metrics import spark
from aims.metrics._aggregates import check_method, clean, group_difference, group_ratio
from aims.metrics._binary import (
    as_list,
    binary_pass,
    check_sensitive_cardinality,
    column_kind,
    is_positive_sql,
    positive_value,
)
from aims.metrics._stats import (
    ConfusionCounts,
    ErrorSums,
    PerformanceStatistics,
    RankCounts,
    _divide,
    _json_scalar,
    sort_groups,
)
from aims.metrics.fairness import INSUFFICIENT, SUFFICIENT
from aims.metrics.io import InputError, Source, open_source

__all__ = ["PerformanceReport", "performance_from_statistics", "performance_report"]

CLASSIFICATION_METRICS = ("count", "accuracy", "precision", "recall", "f1", "roc_auc")
REGRESSION_METRICS = ("count", "mae", "rmse")
TASKS = ("classification", "regression")


def classification_metrics(counts: ConfusionCounts, ranks: RankCounts | None) -> dict[str, float]:
    """Accuracy, precision, recall, F1 (NaN where undefined) and ROC AUC (NaN without scores)."""
    tp, fp, tn, fn = counts.tp, counts.fp, counts.tn, counts.fn
    return {
        "count": float(counts.n),
        "accuracy": float(_divide(tp + tn, counts.n)),
        "precision": float(_divide(tp, tp + fp)),
        "recall": float(_divide(tp, tp + fn)),
        "f1": float(_divide(2 * tp, 2 * tp + fp + fn)),
        "roc_auc": ranks.auc() if ranks is not None else math.nan,
    }


@dataclass(frozen=True)
class PerformanceReport:
    """Performance metrics per group and overall.

    Attributes
    ----------
    task : str
        ``"classification"`` (count, accuracy, precision, recall, f1, roc_auc) or
        ``"regression"`` (count, mae, rmse).
    by_group : dict
        Group name to metric name to value (empty without sensitive features).
    overall : dict
        Metric name to value over all rows.
    status : dict
        Group name to ``"ok"`` or ``"insufficient data"``.
    insufficient : tuple of str
        Groups with fewer than ``min_group_size`` rows.
    statistics : PerformanceStatistics
        The sufficient statistics behind every value.
    """

    task: str
    by_group: dict[str, dict[str, float]]
    overall: dict[str, float]
    status: dict[str, str]
    insufficient: tuple[str, ...]
    min_group_size: int
    statistics: PerformanceStatistics

    def _values(self, metric: str) -> tuple[np.ndarray, np.ndarray]:
        if metric not in self.overall:
            close = difflib.get_close_matches(metric, list(self.overall), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"unknown metric {metric!r}{hint}; known: {', '.join(self.overall)}")
        groups = [g for g, s in self.status.items() if s == SUFFICIENT]
        values = np.array([self.by_group[g][metric] for g in groups], dtype=np.float64)
        return values, np.asarray(self.overall[metric], dtype=np.float64)

    def difference(self, metric: str, *, method: str = "between_groups") -> float:
        """Largest difference of ``metric`` between groups (or a group and overall)."""
        check_method(method)
        return float(group_difference(*self._values(metric), method))

    def ratio(self, metric: str, *, method: str = "between_groups") -> float:
        """Smallest ratio of ``metric`` between groups (or a group and overall), at most 1."""
        check_method(method)
        return float(group_ratio(*self._values(metric), method))

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (NaN becomes ``None``)."""
        return clean(
            {
                "kind": "performance",
                "task": self.task,
                "min_group_size": self.min_group_size,
                "by_group": self.by_group,
                "status": self.status,
                "insufficient": list(self.insufficient),
                "overall": self.overall,
                "statistics": self.statistics.to_dict(),
            }
        )


def performance_from_statistics(
    statistics: PerformanceStatistics, *, min_group_size: int = 30
) -> PerformanceReport:
    """Derive every performance metric from `PerformanceStatistics` (for example posted JSON)."""
    if (
        isinstance(min_group_size, bool)
        or not isinstance(min_group_size, int)
        or min_group_size < 1
    ):
        raise InputError(f"min_group_size must be a positive integer, got {min_group_size!r}")
    names = statistics.group_names()
    grouped = bool(statistics.sensitive)
    by_group: dict[str, dict[str, float]] = {}
    if statistics.task == "classification":
        assert statistics.counts is not None
        ranks = statistics.ranks
        for i, name in enumerate(names):
            by_group[name] = classification_metrics(
                statistics.counts[i], ranks[i] if ranks is not None else None
            )
        total = ConfusionCounts(0, 0, 0, 0)
        for counts in statistics.counts:
            total = total + counts
        overall = classification_metrics(total, statistics.overall_ranks)
    else:
        assert statistics.errors is not None
        for i, name in enumerate(names):
            by_group[name] = statistics.errors[i].metrics()
        sums = ErrorSums(0, 0.0, 0.0)
        for errors in statistics.errors:
            sums = sums + errors
        overall = sums.metrics()
    if not grouped:
        overall = next(iter(by_group.values()))
        by_group = {}
    status = {
        name: SUFFICIENT if values["count"] >= min_group_size else INSUFFICIENT
        for name, values in by_group.items()
    }
    return PerformanceReport(
        task=statistics.task,
        by_group=by_group,
        overall=overall,
        status=status,
        insufficient=tuple(n for n, s in status.items() if s == INSUFFICIENT),
        min_group_size=min_group_size,
        statistics=statistics,
    )


def _rank_pass(
    src: Source,
    *,
    label: str,
    score: str,
    sensitive: list[str],
    positive: Any,
) -> tuple[dict[tuple, RankCounts], RankCounts]:
    """Second pass: per group and overall, positives, negatives and 2U of the scores."""
    if column_kind(src.columns[score]) not in ("int", "float"):
        raise InputError(
            f"{src.label}: score column {score!r} has type {src.columns[score]}; expected numbers"
        )
    y_sql = is_positive_sql(src, label, "label_pos", positive)
    params = {"label_pos": positive} if "$label_pos" in y_sql else {}
    s = src.quote(score)
    bad = "s IS NULL" + (" OR isnan(s)" if column_kind(src.columns[score]) == "float" else "")
    keys = [f"g{i}" for i in range(len(sensitive))]
    select_keys = [f"{src.quote(c)} AS g{i}" for i, c in enumerate(sensitive)]
    sets = f"({', '.join([*keys, 's'])}), (s)" if keys else "(s)"
    gid = f"GROUPING({', '.join(keys)})" if keys else "0"
    partition = ", ".join(["gid", *keys])
    key_list = "".join(f"{k}, " for k in keys)
    sql = f"""
        WITH scan AS (
            SELECT {", ".join([*select_keys, f"{y_sql} AS y", f"{s} AS s"])} FROM {src.relation}
        ),
        h AS (
            SELECT {key_list}s, {gid} AS gid,
                   count(*) FILTER (WHERE y) AS pos, count(*) FILTER (WHERE NOT y) AS neg
            FROM scan
            GROUP BY GROUPING SETS ({sets})
        ),
        w AS (
            SELECT *, coalesce(sum(neg) OVER (
                PARTITION BY {partition} ORDER BY s
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS neg_below
            FROM h
        )
        SELECT {key_list}gid, sum(pos) AS pos, sum(neg) AS neg,
               sum(2 * pos * neg_below + pos * neg) AS u2,
               sum(pos + neg) FILTER (WHERE {bad}) AS bad
        FROM w
        GROUP BY {partition}
    """
    if isinstance(src, spark.SparkSource):
        rows = spark.rank_rows(
            src, label=label, score=score, sensitive=sensitive, positive=positive
        )
    else:
        rows = src.fetchall(sql, params)
    k = len(sensitive)
    missing = sum(int(r[k + 4] or 0) for r in rows if r[k] == 0)
    if missing:
        raise InputError(
            f"{src.label}: score column {score!r} has {missing:,} missing values (NULL or NaN); "
            "drop or fill them first"
        )
    per_group: dict[tuple, RankCounts] = {}
    overall = RankCounts(0, 0, 0)
    for r in rows:
        counts = RankCounts(positives=int(r[k + 1]), negatives=int(r[k + 2]), u2=int(r[k + 3]))
        if keys and r[k] == 0:
            per_group[tuple(_json_scalar(v) for v in r[:k])] = counts
        else:
            overall = counts
    return per_group, overall


def _regression_pass(
    src: Source, *, label: str, prediction: str, sensitive: list[str]
) -> tuple[list[tuple], list[ErrorSums], ErrorSums]:
    for column, role in ((label, "label"), (prediction, "prediction")):
        if column_kind(src.columns[column]) not in ("int", "float"):
            raise InputError(
                f"{src.label}: {role} column {column!r} has type {src.columns[column]}; "
                "regression needs numbers"
            )
    y, p = src.quote(label), src.quote(prediction)

    def missing(q: str, column: str) -> str:
        nan = f" OR isnan({q})" if column_kind(src.columns[column]) == "float" else ""
        return f"count(*) FILTER (WHERE {q} IS NULL{nan})"

    keys = [f"g{i}" for i in range(len(sensitive))]
    select_keys = [f"{src.quote(c)} AS g{i}" for i, c in enumerate(sensitive)]
    grouping = f"GROUPING SETS (({', '.join(keys)}), ())" if keys else "()"
    gid = f"GROUPING({', '.join(keys)})" if keys else "1"
    sql = f"""
        WITH scan AS (
            SELECT {", ".join([*select_keys, f"{y} AS y", f"{p} AS p"])} FROM {src.relation}
        )
        SELECT {"".join(f"{k}, " for k in keys)}{gid} AS gid, count(*) AS n,
               fsum(abs(CAST(y AS DOUBLE) - CAST(p AS DOUBLE))) AS sae,
               fsum((CAST(y AS DOUBLE) - CAST(p AS DOUBLE)) ** 2) AS sse,
               {missing("y", label)} AS y_missing, {missing("p", prediction)} AS p_missing
        FROM scan
        GROUP BY {grouping}
    """
    if isinstance(src, spark.SparkSource):
        rows = spark.regression_rows(src, label=label, prediction=prediction, sensitive=sensitive)
    else:
        rows = src.fetchall(sql, {})
    k = len(sensitive)
    overall_rows = [r for r in rows if r[k] != 0]
    if not overall_rows or overall_rows[0][k + 1] == 0:
        raise InputError(f"{src.label}: the data has no rows")
    total = overall_rows[0]
    for offset, role, column in ((4, "label", label), (5, "prediction", prediction)):
        if total[k + offset]:
            raise InputError(
                f"{src.label}: {role} column {column!r} has {total[k + offset]:,} missing "
                "values (NULL or NaN); drop or fill them first"
            )
    overall = ErrorSums(int(total[k + 1]), float(total[k + 2]), float(total[k + 3]))
    if not keys:
        return [()], [overall], overall
    cells = [
        (
            tuple(_json_scalar(v) for v in r[:k]),
            ErrorSums(int(r[k + 1]), float(r[k + 2]), float(r[k + 3])),
        )
        for r in rows
        if r[k] == 0
    ]
    ordered = sort_groups(cells)
    return [g for g, _ in ordered], [e for _, e in ordered], overall


def performance_report(
    data: Any,
    *,
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float = 0.5,
    sensitive: str | Sequence[str] | None = None,
    task: str = "classification",
    positive_label: Any = None,
    min_group_size: int = 30,
    max_categories: int = 1000,
) -> PerformanceReport:
    """Accuracy, precision, recall, F1 and ROC AUC (classification) or MAE and RMSE (regression).

    Parameters
    ----------
    data : path, Arrow table, pandas/polars DataFrame or dict of arrays
        Anything `aims.metrics.open_source` accepts, or an open `Source`.
    label : str
        The column of true values.
    prediction : str, optional
        Hard predictions (classification) or predicted values (regression).
    score : str, optional
        Classification scores: they give ROC AUC, and the hard predictions
        (``score >= threshold``) when ``prediction`` is not given.
    threshold : float, default 0.5
        Decision threshold for ``score``.
    sensitive : str or list of str, optional
        Group the metrics by these columns; without them only ``overall`` is filled.
    task : {"classification", "regression"}, default "classification"
    positive_label : optional
        The positive label value (default 1 or True).
    min_group_size : int, default 30
        Smaller groups are shown as insufficient data and left out of differences and ratios.
    max_categories : int, default 1000
        Refuse a sensitive feature with more distinct values than this.

    Returns
    -------
    PerformanceReport

    Examples
    --------
    >>> data = {"y": [0, 0, 1, 1], "p": [0.1, 0.6, 0.4, 0.9]}
    >>> report = performance_report(data, label="y", score="p")
    >>> report.overall["accuracy"], report.overall["roc_auc"]  # 3 of 4 pairs ranked right
    (0.5, 0.75)
    >>> performance_report({"y": [1.0, 2.0], "yhat": [1.5, 2.5]}, label="y", prediction="yhat",
    ...                    task="regression").overall["mae"]
    0.5
    """
    if task not in TASKS:
        raise InputError(f"task must be 'classification' or 'regression', got {task!r}")
    src = data if isinstance(data, Source) else open_source(data)
    features = as_list(sensitive)
    if task == "regression":
        if prediction is None:
            raise InputError("regression needs prediction= (the predicted values)")
        src.require(label, prediction, *features)
        groups, errors, overall_errors = _regression_pass(
            src, label=label, prediction=prediction, sensitive=features
        )
        check_sensitive_cardinality(src, features, groups, max_categories)
        stats = PerformanceStatistics(
            task=task,
            sensitive=tuple(features),
            groups=tuple(groups),
            errors=tuple(errors),
            positive_label=None,
        )
        return performance_from_statistics(stats, min_group_size=min_group_size)

    if prediction is None and score is None:
        raise InputError("give prediction= (hard predictions), score=, or both")
    counted = binary_pass(
        src,
        label=label,
        prediction=prediction,
        score=None if prediction is not None else score,
        threshold=threshold,
        sensitive=features,
        positive_label=positive_label,
        max_categories=max_categories,
        counter=spark.confusion_rows if isinstance(src, spark.SparkSource) else None,
    )
    ranks = overall_ranks = None
    if score is not None:
        src.require(score)
        positive = positive_value(src, label, "label", positive_label)
        per_group, overall_ranks = _rank_pass(
            src, label=label, score=score, sensitive=features, positive=positive
        )
        ranks = tuple(per_group.get(g, overall_ranks) for g in counted.groups)
    stats = PerformanceStatistics(
        task=task,
        sensitive=tuple(features),
        groups=tuple(counted.groups),
        counts=tuple(counted.counts),
        ranks=ranks,
        overall_ranks=overall_ranks,
        positive_label=counted.positive_label,
        threshold=float(threshold) if score is not None and prediction is None else None,
    )
    return performance_from_statistics(stats, min_group_size=min_group_size)
