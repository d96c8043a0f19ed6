"""Group fairness of a binary classifier, from one DuckDB pass over the prediction log.

The API takes the data first and names its columns with keyword-only options::

    report = fairness_report("preds.parquet", label="y", prediction="y_hat", sensitive=["sex", "race"])
    report.by_group["sex=Female, race=Black"]["selection_rate"]
    report.aggregates["demographic_parity_difference"]
    report.difference("true_positive_rate", method="to_overall")

How it works: one ``GROUP BY`` over the sensitive features, the label and the prediction counts
true and false positives and negatives per group (`FairnessStatistics`). Every metric, every
aggregate and the bootstrap intervals are derived from those counts alone
(`fairness_from_statistics`), so a server can recompute them from posted statistics. Files are
counted by DuckDB, which streams them; data already in memory (Arrow, pandas, polars, numpy)
are counted with numpy, each column encoded once and the combined codes counted by
``np.bincount`` (`aims.metrics._groups`), into the same counts.

Definitions (they follow fairlearn's ``MetricFrame`` exactly):

- per group: count; base rate (share of positive labels); selection rate (share of positive
  predictions); true/false positive and true/false negative rates; positive predictive value
  (precision) and negative predictive value; accuracy. A rate whose denominator is zero is NaN
  (fairlearn reports 0 there), and aggregates skip NaN values.
- ``difference(metric, method="between_groups")`` is the largest minus the smallest group value;
  ``method="to_overall"`` is the largest absolute difference between a group and the overall value.
- ``ratio(metric, method="between_groups")`` is the smallest over the largest group value;
  ``method="to_overall"`` is the smallest of ``group / overall``, each turned below 1 by taking its
  reciprocal when it exceeds 1.
- equalized odds difference: the larger ("worst case") or the mean of the true positive rate
  difference and the false positive rate difference (fairlearn's ``agg="worst_case"`` / ``"mean"``);
  equalized odds ratio likewise with ratios and the smaller (worst case) or mean.
- equal opportunity difference/ratio: of the true positive rate; predictive parity
  difference/ratio: of the positive predictive value.
- disparate impact ratio: the smallest over the groups of ``selection_rate(group) /
  selection_rate(reference group)``; the four-fifths rule holds when it is at least 0.8. The
  reference group defaults to the group with the highest selection rate.

Groups with fewer rows than ``min_group_size`` (default 30) are reported with status
``"insufficient data"`` and left out of every aggregate; `FairnessReport.insufficient` names them.
The overall values always cover all rows.

Predictions are either hard (a column holding the same two values as the label, or 0/1, or
booleans) or scores with a decision threshold: a row is predicted positive when
``score >= threshold``.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aims.metrics import _groups, spark
from aims.metrics._aggregates import (
    check_method,
    clean,
    group_aggregates,
    group_difference,
    group_ratio,
)
from aims.metrics._binary import as_list, binary_pass
from aims.metrics._stats import (
    CONFUSION_METRICS,
    FairnessStatistics,
    confusion_metrics,
    group_name,
)
from aims.metrics.io import InputError, Source, open_source

__all__ = [
    "AGGREGATES",
    "FairnessReport",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "disparate_impact_ratio",
    "equalized_odds_difference",
    "fairness_from_statistics",
    "fairness_report",
    "fairness_statistics",
]

INSUFFICIENT = "insufficient data"
SUFFICIENT = "ok"
FOUR_FIFTHS = 0.8

#: Names of the aggregates in `FairnessReport.aggregates`, in order.
AGGREGATES = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_difference_mean",
    "equalized_odds_ratio",
    "equalized_odds_ratio_mean",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "predictive_parity_difference",
    "predictive_parity_ratio",
    "disparate_impact_ratio",
)


def fairness_statistics(
    data: Any,
    *,
    label: str,
    sensitive: str | Sequence[str],
    prediction: str | None = None,
    score: str | None = None,
    threshold: float = 0.5,
    positive_label: Any = None,
    max_categories: int = 1000,
) -> FairnessStatistics:
    """Count true/false positives/negatives per group, in one pass over ``data``.

    Parameters
    ----------
    data : path, Arrow table, pandas/polars DataFrame or dict of arrays
        Anything `aims.metrics.open_source` accepts, or an open `Source`.
    label : str
        The column of true labels: 0/1, booleans, or two values with ``positive_label``.
    sensitive : str or list of str
        The sensitive feature column(s); groups are the combinations of their values.
    prediction : str, optional
        The column of hard predictions, in the same two values as the label.
    score : str, optional
        Instead of ``prediction``: a numeric score; ``score >= threshold`` predicts positive.
    threshold : float, default 0.5
        The decision threshold for ``score``.
    positive_label : optional
        The label value that counts as positive; by default 1 (or True).
    max_categories : int, default 1000
        Refuse a sensitive feature with more distinct values than this.

    Returns
    -------
    FairnessStatistics

    Examples
    --------
    >>> stats = fairness_statistics(
    ...     {"y": [1, 0, 1, 1], "y_hat": [1, 1, 0, 1], "sex": ["F", "F", "M", "M"]},
    ...     label="y", prediction="y_hat", sensitive="sex",
    ... )
    >>> stats.counts[0]
    ConfusionCounts(tp=1, fp=1, tn=0, fn=0)
    """
    src = data if isinstance(data, Source) else open_source(data)
    features = as_list(sensitive)
    if not features:
        raise InputError("give at least one sensitive feature column with sensitive=")
    if not isinstance(max_categories, int) or max_categories < 1:
        raise InputError(f"max_categories must be a positive integer, got {max_categories!r}")
    result = binary_pass(
        src,
        label=label,
        prediction=prediction,
        score=score,
        threshold=threshold,
        sensitive=features,
        positive_label=positive_label,
        max_categories=max_categories,
        counter=spark.confusion_rows if isinstance(src, spark.SparkSource) else _groups.group_rows,
    )
    return FairnessStatistics(
        sensitive=tuple(features),
        groups=tuple(result.groups),
        counts=tuple(result.counts),
        positive_label=result.positive_label,
        threshold=float(threshold) if score is not None else None,
    )


@dataclass(frozen=True)
class FairnessReport:
    """Fairness metrics per group and overall, their aggregates, and the counts behind them.

    Attributes
    ----------
    by_group : dict
        Group name (``"sex=Female, race=Black"``) to metric name to value, for every group,
        including those with insufficient data.
    overall : dict
        Metric name to value over all rows.
    status : dict
        Group name to ``"ok"`` or ``"insufficient data"``.
    insufficient : tuple of str
        The groups left out of the aggregates because they have fewer than ``min_group_size`` rows.
    aggregates : dict
        Aggregate name (see `AGGREGATES`) to value, computed with ``method``.
    method : str
        ``"between_groups"`` or ``"to_overall"``.
    intervals : dict
        Aggregate name to a (low, high) bootstrap confidence interval; empty without bootstrap.
    reference_group : str or None
        The reference of the disparate impact ratio.
    disparate_impact : dict
        Group name to ``selection_rate(group) / selection_rate(reference_group)``.
    meets_four_fifths_rule : bool or None
        Whether the disparate impact ratio is at least 0.8 (None when it is undefined).
    statistics : FairnessStatistics
        The confusion counts every value above is derived from.
    """

    by_group: dict[str, dict[str, float]]
    overall: dict[str, float]
    status: dict[str, str]
    insufficient: tuple[str, ...]
    aggregates: dict[str, float]
    method: str
    min_group_size: int
    reference_group: str | None
    disparate_impact: dict[str, float]
    meets_four_fifths_rule: bool | None
    statistics: FairnessStatistics
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    confidence_level: float | None = None
    n_boot: int = 0

    @property
    def included(self) -> tuple[str, ...]:
        """The groups that enter the aggregates."""
        return tuple(g for g, s in self.status.items() if s == SUFFICIENT)

    def _values(self, metric: str) -> tuple[np.ndarray, np.ndarray]:
        if metric not in self.overall:
            close = difflib.get_close_matches(metric, list(self.overall), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"unknown metric {metric!r}{hint}; known: {', '.join(self.overall)}")
        values = np.array([self.by_group[g][metric] for g in self.included], dtype=np.float64)
        return values, np.asarray(self.overall[metric], dtype=np.float64)

    def difference(self, metric: str, *, method: str = "between_groups") -> float:
        """The largest difference of ``metric`` between groups, or between a group and overall.

        Examples
        --------
        >>> report = fairness_report(
        ...     {"y": [1, 0, 1, 0], "y_hat": [1, 0, 0, 0], "g": ["a", "a", "b", "b"]},
        ...     label="y", prediction="y_hat", sensitive="g", min_group_size=1,
        ... )
        >>> report.difference("selection_rate")
        0.5
        >>> report.difference("selection_rate", method="to_overall")
        0.25
        """
        check_method(method)
        values, overall = self._values(metric)
        return float(group_difference(values, overall, method))

    def ratio(self, metric: str, *, method: str = "between_groups") -> float:
        """The smallest ratio of ``metric`` between groups, or of a group to overall (≤ 1)."""
        check_method(method)
        values, overall = self._values(metric)
        return float(group_ratio(values, overall, method))

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (NaN becomes ``None``)."""
        return clean(
            {
                "kind": "fairness",
                "method": self.method,
                "min_group_size": self.min_group_size,
                "by_group": self.by_group,
                "status": self.status,
                "insufficient": list(self.insufficient),
                "overall": self.overall,
                "aggregates": self.aggregates,
                "reference_group": self.reference_group,
                "disparate_impact": self.disparate_impact,
                "meets_four_fifths_rule": self.meets_four_fifths_rule,
                "intervals": {k: list(v) for k, v in self.intervals.items()},
                "confidence_level": self.confidence_level,
                "n_boot": self.n_boot,
                "statistics": self.statistics.to_dict(),
            }
        )


def _find_reference(reference_group: Any, stats: FairnessStatistics, names: tuple[str, ...]) -> int:
    if isinstance(reference_group, Mapping):
        try:
            values = tuple(reference_group[f] for f in stats.sensitive)
        except KeyError as missing:
            raise InputError(
                f"reference group {dict(reference_group)!r} lacks sensitive feature "
                f"{missing.args[0]!r}"
            ) from None
        wanted = group_name(stats.sensitive, values)
    elif isinstance(reference_group, tuple | list):
        wanted = group_name(stats.sensitive, tuple(reference_group))
    else:
        wanted = str(reference_group)
        if "=" not in wanted and len(stats.sensitive) == 1:
            wanted = group_name(stats.sensitive, (wanted,))
    if wanted in names:
        return names.index(wanted)
    close = difflib.get_close_matches(wanted, list(names), n=3)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    raise InputError(f"reference group {wanted!r} does not exist{hint}; groups: {', '.join(names)}")


def fairness_from_statistics(
    statistics: FairnessStatistics,
    *,
    method: str = "between_groups",
    min_group_size: int = 30,
    reference_group: Any = None,
    n_boot: int = 0,
    confidence_level: float = 0.95,
    seed: int | None = 0,
) -> FairnessReport:
    """Derive every fairness metric and aggregate from the confusion counts per group.

    Parameters
    ----------
    statistics : FairnessStatistics
        From `fairness_statistics`, or `FairnessStatistics.from_dict` of posted JSON.
    method : {"between_groups", "to_overall"}, default "between_groups"
        How `FairnessReport.aggregates` compares groups (see the module docstring).
    min_group_size : int, default 30
        Groups with fewer rows are reported as insufficient data and left out of aggregates.
    reference_group : str, tuple or dict, optional
        The reference of the disparate impact ratio: a group name (``"sex=Male"``, or just
        ``"Male"`` for one feature), a tuple of values, or a dict feature -> value. Default:
        the group with the highest selection rate.
    n_boot : int, default 0
        Bootstrap replicates for confidence intervals of the aggregates (0: none). Each
        replicate redraws every group's confusion counts from a multinomial distribution with
        the group's size and observed cell shares (a bootstrap stratified by group, done on
        the counts: no second pass over the rows). The reference group stays fixed.
    confidence_level : float, default 0.95
        Coverage of the percentile intervals.
    seed : int or None, default 0
        Seed of the bootstrap, so that a recorded run can be reproduced.

    Returns
    -------
    FairnessReport

    Examples
    --------
    >>> from aims.metrics._stats import ConfusionCounts
    >>> stats = FairnessStatistics(
    ...     sensitive=("sex",), groups=(("F",), ("M",)),
    ...     counts=(ConfusionCounts(tp=20, fp=10, tn=50, fn=20), ConfusionCounts(40, 20, 30, 10)),
    ... )
    >>> report = fairness_from_statistics(stats)
    >>> report.by_group["sex=F"]["selection_rate"], report.by_group["sex=M"]["selection_rate"]
    (0.3, 0.6)
    >>> round(report.aggregates["demographic_parity_difference"], 12)
    0.3
    >>> report.aggregates["disparate_impact_ratio"], report.meets_four_fifths_rule
    (0.5, False)
    """
    check_method(method)
    if (
        isinstance(min_group_size, bool)
        or not isinstance(min_group_size, int)
        or min_group_size < 1
    ):
        raise InputError(f"min_group_size must be a positive integer, got {min_group_size!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 0:
        raise InputError(f"n_boot must be a non-negative integer, got {n_boot!r}")
    if not (isinstance(confidence_level, numbers.Real) and 0 < confidence_level < 1):
        raise InputError(f"confidence_level must be between 0 and 1, got {confidence_level!r}")

    names = statistics.group_names()
    counts = statistics.arrays()
    per_group = confusion_metrics(*counts.T)
    total = counts.sum(axis=0)
    overall_arrays = confusion_metrics(*total)
    sizes = counts.sum(axis=1)
    keep = sizes >= min_group_size
    kept = np.flatnonzero(keep)

    by_group = {
        name: {m: float(per_group[m][i]) for m in CONFUSION_METRICS} for i, name in enumerate(names)
    }
    overall = {m: float(overall_arrays[m]) for m in CONFUSION_METRICS}
    status = {name: SUFFICIENT if keep[i] else INSUFFICIENT for i, name in enumerate(names)}
    insufficient = tuple(name for i, name in enumerate(names) if not keep[i])

    selection = per_group["selection_rate"]
    if reference_group is not None:
        ref = _find_reference(reference_group, statistics, names)
        if not keep[ref]:
            raise InputError(
                f"reference group {names[ref]!r} has {int(sizes[ref]):,} rows, fewer than "
                f"min_group_size={min_group_size}; choose another reference group"
            )
    elif kept.size:
        ref = int(kept[np.argmax(selection[kept])])
    else:
        ref = None
    ref_in_kept = None if ref is None else int(np.flatnonzero(kept == ref)[0])

    point = group_aggregates(
        {m: per_group[m][kept] for m in CONFUSION_METRICS}, overall_arrays, method, ref_in_kept
    )
    aggregates = {name: float(point[name]) for name in AGGREGATES}
    with np.errstate(divide="ignore", invalid="ignore"):
        impact = selection / selection[ref] if ref is not None else selection * np.nan
    disparate_impact = {name: float(impact[i]) for i, name in enumerate(names)}
    di = aggregates["disparate_impact_ratio"]
    meets = None if math.isnan(di) else bool(di >= FOUR_FIFTHS)

    intervals: dict[str, tuple[float, float]] = {}
    if n_boot:
        intervals = _bootstrap(
            counts, kept, method, ref_in_kept, n_boot, float(confidence_level), seed
        )
    return FairnessReport(
        by_group=by_group,
        overall=overall,
        status=status,
        insufficient=insufficient,
        aggregates=aggregates,
        method=method,
        min_group_size=min_group_size,
        reference_group=None if ref is None else names[ref],
        disparate_impact=disparate_impact,
        meets_four_fifths_rule=meets,
        statistics=statistics,
        intervals=intervals,
        confidence_level=float(confidence_level) if n_boot else None,
        n_boot=n_boot,
    )


def _bootstrap(
    counts: np.ndarray,
    kept: np.ndarray,
    method: str,
    reference: int | None,
    n_boot: int,
    confidence_level: float,
    seed: int | None,
) -> dict[str, tuple[float, float]]:
    rng = np.random.default_rng(seed)
    sizes = counts.sum(axis=1)
    shares = counts / np.maximum(sizes, 1)[:, None]
    # (n_boot, groups, 4): each group's cells redrawn with the group's size.
    draws = rng.multinomial(sizes, shares, size=(n_boot, len(sizes)))
    per_group = confusion_metrics(*np.moveaxis(draws, -1, 0))
    overall = confusion_metrics(*np.moveaxis(draws.sum(axis=1), -1, 0))
    replicates = group_aggregates(
        {m: per_group[m][:, kept] for m in CONFUSION_METRICS}, overall, method, reference
    )
    alpha = (1 - confidence_level) / 2
    intervals = {}
    for name in AGGREGATES:
        values = replicates[name]
        values = values[np.isfinite(values)]
        if values.size == 0:
            intervals[name] = (math.nan, math.nan)
        else:
            low, high = np.quantile(values, [alpha, 1 - alpha])
            intervals[name] = (float(low), float(high))
    return intervals


def fairness_report(
    data: Any,
    *,
    label: str,
    sensitive: str | Sequence[str],
    prediction: str | None = None,
    score: str | None = None,
    threshold: float = 0.5,
    positive_label: Any = None,
    method: str = "between_groups",
    min_group_size: int = 30,
    reference_group: Any = None,
    n_boot: int = 0,
    confidence_level: float = 0.95,
    seed: int | None = 0,
    max_categories: int = 1000,
) -> FairnessReport:
    """Fairness of a binary classifier per group of the sensitive features.

    One pass over ``data`` counts true/false positives/negatives per group
    (`fairness_statistics`); everything else is derived from those counts
    (`fairness_from_statistics`). Parameters are those of the two functions.

    Returns
    -------
    FairnessReport

    Raises
    ------
    InputError
        A missing column, a label that is not binary, missing labels or predictions, empty
        data, a sensitive feature with too many values, an unknown reference group, or a file
        that cannot be read.

    Examples
    --------
    >>> data = {
    ...     "y":     [1, 1, 0, 0, 1, 1, 0, 0],
    ...     "y_hat": [1, 1, 1, 0, 1, 0, 0, 0],
    ...     "sex":   ["F", "F", "F", "F", "M", "M", "M", "M"],
    ... }
    >>> report = fairness_report(data, label="y", prediction="y_hat", sensitive="sex",
    ...                          min_group_size=1)
    >>> report.by_group["sex=F"]["selection_rate"], report.by_group["sex=M"]["selection_rate"]
    (0.75, 0.25)
    >>> report.aggregates["demographic_parity_difference"]
    0.5
    >>> report.aggregates["equalized_odds_difference"]  # TPR 1 vs 0.5, FPR 0.5 vs 0
    0.5
    """
    statistics = fairness_statistics(
        data,
        label=label,
        sensitive=sensitive,
        prediction=prediction,
        score=score,
        threshold=threshold,
        positive_label=positive_label,
        max_categories=max_categories,
    )
    return fairness_from_statistics(
        statistics,
        method=method,
        min_group_size=min_group_size,
        reference_group=reference_group,
        n_boot=n_boot,
        confidence_level=confidence_level,
        seed=seed,
    )


def demographic_parity_difference(
    data: Any,
    *,
    label: str,
    sensitive: str | Sequence[str],
    method: str = "between_groups",
    **options: Any,
) -> float:
    """The selection-rate difference (see `fairness_report` for the options).

    Examples
    --------
    >>> demographic_parity_difference(
    ...     {"y": [1, 0, 1, 0], "y_hat": [1, 1, 0, 0], "g": ["a", "a", "b", "b"]},
    ...     label="y", prediction="y_hat", sensitive="g", min_group_size=1,
    ... )
    1.0
    """
    report = fairness_report(data, label=label, sensitive=sensitive, method=method, **options)
    return report.aggregates["demographic_parity_difference"]


def demographic_parity_ratio(
    data: Any,
    *,
    label: str,
    sensitive: str | Sequence[str],
    method: str = "between_groups",
    **options: Any,
) -> float:
    """The selection-rate ratio (see `fairness_report` for the options)."""
    report = fairness_report(data, label=label, sensitive=sensitive, method=method, **options)
    return report.aggregates["demographic_parity_ratio"]


def equalized_odds_difference(
    data: Any,
    *,
    label: str,
    sensitive: str | Sequence[str],
    method: str = "between_groups",
    agg: str = "worst_case",
    **options: Any,
) -> float:
    """The larger (``agg="worst_case"``) or mean (``agg="mean"``) of the TPR and FPR differences."""
    if agg not in ("worst_case", "mean"):
        raise InputError(f"agg must be 'worst_case' or 'mean', got {agg!r}")
    report = fairness_report(data, label=label, sensitive=sensitive, method=method, **options)
    key = "equalized_odds_difference" + ("" if agg == "worst_case" else "_mean")
    return report.aggregates[key]


def disparate_impact_ratio(
    data: Any,
    *,
    label: str,
    sensitive: str | Sequence[str],
    reference_group: Any = None,
    **options: Any,
) -> float:
    """The smallest selection rate of a group over that of the reference group."""
    report = fairness_report(
        data, label=label, sensitive=sensitive, reference_group=reference_group, **options
    )
    return report.aggregates["disparate_impact_ratio"]
