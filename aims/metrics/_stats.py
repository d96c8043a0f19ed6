"""Sufficient statistics: the small, anonymous counts from which every metric is derived.

One pass over the prediction log produces, per group of the sensitive features, a handful of
integers (the confusion counts, and for ROC AUC the rank-sum counts; for regression the error
sums). They hold no personal data, serialize to plain JSON, and a server can recompute every
metric from them without seeing a single row.

The metric formulas live here too, written once over numpy arrays so that the same code
computes a report and each of its bootstrap replicates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from aims.metrics.io import InputError

__all__ = [
    "ConfusionCounts",
    "ErrorSums",
    "FairnessStatistics",
    "PerformanceStatistics",
    "RankCounts",
    "group_name",
]

JSONScalar = str | int | float | bool | None

#: Metric names computed from confusion counts, in report order.
CONFUSION_METRICS = (
    "count",
    "base_rate",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "positive_predictive_value",
    "negative_predictive_value",
    "accuracy",
)

MISSING_VALUE_NAME = "(missing)"


def group_name(features: Sequence[str], values: Sequence[JSONScalar]) -> str:
    """The display name of a group: ``"sex=Male, race=White"``; the whole data is ``"overall"``.

    Examples
    --------
    >>> group_name(["sex", "race"], ["Male", "White"])
    'sex=Male, race=White'
    >>> group_name(["sex"], [None])
    'sex=(missing)'
    """
    if not features:
        return "overall"
    parts = []
    for feature, value in zip(features, values, strict=True):
        shown = MISSING_VALUE_NAME if value is None else str(value)
        parts.append(f"{feature}={shown}")
    return ", ".join(parts)


def _divide(numerator: Any, denominator: Any) -> np.ndarray:
    """``numerator / denominator`` as float64, NaN where the denominator is zero."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def confusion_metrics(tp: Any, fp: Any, tn: Any, fn: Any) -> dict[str, np.ndarray]:
    """Every confusion-count metric, element-wise over arrays of counts.

    A rate whose denominator is zero (for example the true positive rate of a group without
    positives) is NaN, not 0: it is undefined, and aggregates skip it.
    """
    tp, fp, tn, fn = (np.asarray(a, dtype=np.float64) for a in (tp, fp, tn, fn))
    n = tp + fp + tn + fn
    positives = tp + fn
    negatives = fp + tn
    return {
        "count": n,
        "base_rate": _divide(positives, n),
        "selection_rate": _divide(tp + fp, n),
        "true_positive_rate": _divide(tp, positives),
        "false_positive_rate": _divide(fp, negatives),
        "true_negative_rate": _divide(tn, negatives),
        "false_negative_rate": _divide(fn, positives),
        "positive_predictive_value": _divide(tp, tp + fp),
        "negative_predictive_value": _divide(tn, tn + fn),
        "accuracy": _divide(tp + tn, n),
    }


def _nonnegative_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InputError(f"statistics: {what} must be a non-negative integer, got {value!r}")
    if value < 0 or int(value) != value:
        raise InputError(f"statistics: {what} must be a non-negative integer, got {value!r}")
    return int(value)


def _finite_float(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"statistics: {what} must be a finite number, got {value!r}")
    return float(value)


def _json_scalar(value: Any) -> JSONScalar:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, np.generic):
        return _json_scalar(value.item())
    return str(value)


@dataclass(frozen=True)
class ConfusionCounts:
    """True positives, false positives, true negatives and false negatives of one group.

    Examples
    --------
    >>> c = ConfusionCounts(tp=3, fp=1, tn=4, fn=2)
    >>> c.n, c.metrics()["true_positive_rate"]
    (10, 0.6)
    """

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    def __add__(self, other: ConfusionCounts) -> ConfusionCounts:
        return ConfusionCounts(
            self.tp + other.tp, self.fp + other.fp, self.tn + other.tn, self.fn + other.fn
        )

    def metrics(self) -> dict[str, float]:
        """The confusion-count metrics of this group (NaN where undefined)."""
        values = confusion_metrics(self.tp, self.fp, self.tn, self.fn)
        return {name: float(values[name]) for name in CONFUSION_METRICS}

    def to_dict(self) -> dict[str, int]:
        return {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConfusionCounts:
        if not isinstance(data, Mapping):
            raise InputError(f"statistics: confusion counts must be an object, got {data!r}")
        values = {}
        for key in ("tp", "fp", "tn", "fn"):
            if key not in data:
                raise InputError(f"statistics: confusion counts lack {key!r}")
            values[key] = _nonnegative_int(data[key], key)
        return cls(**values)


@dataclass(frozen=True)
class RankCounts:
    """What ROC AUC needs from one group: positives, negatives and twice the Mann-Whitney U.

    ``u2`` counts, over every (positive, negative) pair, 2 when the positive scores higher and
    1 when they tie; so ``AUC = u2 / (2 * positives * negatives)`` exactly.
    """

    positives: int
    negatives: int
    u2: int

    def auc(self) -> float:
        pairs = 2 * self.positives * self.negatives
        return self.u2 / pairs if pairs else math.nan

    def to_dict(self) -> dict[str, int]:
        return {"positives": self.positives, "negatives": self.negatives, "u2": self.u2}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RankCounts:
        if not isinstance(data, Mapping):
            raise InputError(f"statistics: rank counts must be an object, got {data!r}")
        try:
            values = {k: _nonnegative_int(data[k], k) for k in ("positives", "negatives", "u2")}
        except KeyError as missing:
            raise InputError(f"statistics: rank counts lack {missing.args[0]!r}") from None
        if values["u2"] > 2 * values["positives"] * values["negatives"]:
            raise InputError("statistics: rank counts: u2 exceeds 2 * positives * negatives")
        return cls(**values)


@dataclass(frozen=True)
class ErrorSums:
    """What MAE and RMSE need from one group: the count and the sums of |error| and error²."""

    n: int
    sum_abs_error: float
    sum_squared_error: float

    def __add__(self, other: ErrorSums) -> ErrorSums:
        return ErrorSums(
            self.n + other.n,
            self.sum_abs_error + other.sum_abs_error,
            self.sum_squared_error + other.sum_squared_error,
        )

    def metrics(self) -> dict[str, float]:
        if not self.n:
            return {"count": 0.0, "mae": math.nan, "rmse": math.nan}
        return {
            "count": float(self.n),
            "mae": self.sum_abs_error / self.n,
            "rmse": math.sqrt(self.sum_squared_error / self.n),
        }

    def to_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "sum_abs_error": self.sum_abs_error,
            "sum_squared_error": self.sum_squared_error,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ErrorSums:
        if not isinstance(data, Mapping):
            raise InputError(f"statistics: error sums must be an object, got {data!r}")
        try:
            return cls(
                n=_nonnegative_int(data["n"], "n"),
                sum_abs_error=_finite_float(data["sum_abs_error"], "sum_abs_error"),
                sum_squared_error=_finite_float(data["sum_squared_error"], "sum_squared_error"),
            )
        except KeyError as missing:
            raise InputError(f"statistics: error sums lack {missing.args[0]!r}") from None


def _parse_groups(
    data: Mapping[str, Any], kind: str
) -> tuple[tuple[str, ...], list[tuple[tuple[JSONScalar, ...], Mapping[str, Any]]]]:
    if not isinstance(data, Mapping):
        raise InputError(f"statistics: expected a JSON object, got {type(data).__name__}")
    if data.get("kind") != kind:
        raise InputError(f"statistics: expected kind {kind!r}, got {data.get('kind')!r}")
    sensitive = data.get("sensitive", [])
    if not isinstance(sensitive, list | tuple) or not all(isinstance(s, str) for s in sensitive):
        raise InputError("statistics: 'sensitive' must be a list of column names")
    groups = data.get("groups")
    if not isinstance(groups, list | tuple) or not groups:
        raise InputError("statistics: 'groups' must be a non-empty list")
    parsed = []
    seen = set()
    for entry in groups:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("values"), list | tuple):
            raise InputError("statistics: each group needs a 'values' list")
        values = tuple(entry["values"])
        if len(values) != len(sensitive):
            raise InputError(
                f"statistics: group {list(values)!r} has {len(values)} values "
                f"for {len(sensitive)} sensitive features"
            )
        if not all(v is None or isinstance(v, str | int | float | bool) for v in values):
            raise InputError(f"statistics: group values must be JSON scalars, got {values!r}")
        if values in seen:
            raise InputError(f"statistics: group {list(values)!r} appears twice")
        seen.add(values)
        parsed.append((values, entry))
    return tuple(sensitive), parsed


@dataclass(frozen=True)
class FairnessStatistics:
    """Confusion counts per group of the sensitive features: all that fairness metrics need.

    Attributes
    ----------
    sensitive : tuple of str
        The sensitive feature names.
    groups : tuple of tuple
        Per group, its value of each sensitive feature (JSON scalars; ``None`` = missing).
    counts : tuple of ConfusionCounts
        Per group, in the same order.
    positive_label : str, int, float, bool or None
        The label value counted as positive (for the record).
    threshold : float or None
        The decision threshold applied to scores (``score >= threshold`` is positive), or
        ``None`` for hard predictions.

    Examples
    --------
    >>> stats = FairnessStatistics(
    ...     sensitive=("sex",),
    ...     groups=(("F",), ("M",)),
    ...     counts=(ConfusionCounts(1, 2, 3, 4), ConfusionCounts(5, 6, 7, 8)),
    ... )
    >>> FairnessStatistics.from_dict(stats.to_dict()) == stats
    True
    """

    sensitive: tuple[str, ...]
    groups: tuple[tuple[JSONScalar, ...], ...]
    counts: tuple[ConfusionCounts, ...]
    positive_label: JSONScalar = 1
    threshold: float | None = None

    KIND = "fairness"

    def group_names(self) -> tuple[str, ...]:
        return tuple(group_name(self.sensitive, values) for values in self.groups)

    def overall(self) -> ConfusionCounts:
        total = ConfusionCounts(0, 0, 0, 0)
        for counts in self.counts:
            total = total + counts
        return total

    def arrays(self) -> np.ndarray:
        """The counts as an int64 array of shape (groups, 4): tp, fp, tn, fn."""
        return np.array([(c.tp, c.fp, c.tn, c.fn) for c in self.counts], dtype=np.int64).reshape(
            -1, 4
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "version": 1,
            "sensitive": list(self.sensitive),
            "positive_label": _json_scalar(self.positive_label),
            "threshold": self.threshold,
            "groups": [
                {"values": [_json_scalar(v) for v in values], **counts.to_dict()}
                for values, counts in zip(self.groups, self.counts, strict=True)
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FairnessStatistics:
        """Rebuild statistics from `to_dict` output (for example JSON posted to a server).

        Raises `InputError` on anything malformed: wrong kind, negative or fractional counts,
        duplicate groups, values that are not JSON scalars.
        """
        sensitive, parsed = _parse_groups(data, cls.KIND)
        threshold = data.get("threshold")
        if threshold is not None:
            threshold = _finite_float(threshold, "threshold")
        positive_label = data.get("positive_label", 1)
        if not (positive_label is None or isinstance(positive_label, str | int | float | bool)):
            raise InputError("statistics: 'positive_label' must be a JSON scalar")
        return cls(
            sensitive=sensitive,
            groups=tuple(values for values, _ in parsed),
            counts=tuple(ConfusionCounts.from_dict(entry) for _, entry in parsed),
            positive_label=positive_label,
            threshold=threshold,
        )


@dataclass(frozen=True)
class PerformanceStatistics:
    """Sufficient statistics for model performance, per group and for the whole data.

    For classification: confusion counts per group, and rank counts (for ROC AUC) per group
    and overall when scores were given. For regression: error sums per group.
    ``overall_ranks`` is stored separately because AUC does not add up over groups.
    """

    task: str
    sensitive: tuple[str, ...]
    groups: tuple[tuple[JSONScalar, ...], ...]
    counts: tuple[ConfusionCounts, ...] | None = None
    ranks: tuple[RankCounts, ...] | None = None
    overall_ranks: RankCounts | None = None
    errors: tuple[ErrorSums, ...] | None = None
    positive_label: JSONScalar = 1
    threshold: float | None = None

    KIND = "performance"

    def group_names(self) -> tuple[str, ...]:
        return tuple(group_name(self.sensitive, values) for values in self.groups)

    def to_dict(self) -> dict[str, Any]:
        groups = []
        for i, values in enumerate(self.groups):
            entry: dict[str, Any] = {"values": [_json_scalar(v) for v in values]}
            if self.counts is not None:
                entry["counts"] = self.counts[i].to_dict()
            if self.ranks is not None:
                entry["ranks"] = self.ranks[i].to_dict()
            if self.errors is not None:
                entry["errors"] = self.errors[i].to_dict()
            groups.append(entry)
        return {
            "kind": self.KIND,
            "version": 1,
            "task": self.task,
            "sensitive": list(self.sensitive),
            "positive_label": _json_scalar(self.positive_label),
            "threshold": self.threshold,
            "overall_ranks": self.overall_ranks.to_dict() if self.overall_ranks else None,
            "groups": groups,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PerformanceStatistics:
        sensitive, parsed = _parse_groups(data, cls.KIND)
        task = data.get("task")
        if task not in ("classification", "regression"):
            raise InputError(f"statistics: unknown task {task!r}")

        def collect(key: str, parse: Any) -> tuple | None:
            present = [key in entry for _, entry in parsed]
            if not any(present):
                return None
            if not all(present):
                raise InputError(f"statistics: some groups lack {key!r}")
            return tuple(parse(entry[key]) for _, entry in parsed)

        counts = collect("counts", ConfusionCounts.from_dict)
        ranks = collect("ranks", RankCounts.from_dict)
        errors = collect("errors", ErrorSums.from_dict)
        if task == "classification" and counts is None:
            raise InputError("statistics: classification statistics need 'counts' per group")
        if task == "regression" and errors is None:
            raise InputError("statistics: regression statistics need 'errors' per group")
        overall_ranks = data.get("overall_ranks")
        threshold = data.get("threshold")
        return cls(
            task=task,
            sensitive=sensitive,
            groups=tuple(values for values, _ in parsed),
            counts=counts,
            ranks=ranks,
            overall_ranks=RankCounts.from_dict(overall_ranks) if overall_ranks else None,
            errors=errors,
            positive_label=data.get("positive_label", 1),
            threshold=None if threshold is None else _finite_float(threshold, "threshold"),
        )


def sort_groups(rows: Iterable[tuple[tuple[Any, ...], Any]]) -> list[tuple[tuple[Any, ...], Any]]:
    """Order groups by their values (missing values last), like a pandas group-by."""

    def key(item: tuple[tuple[Any, ...], Any]) -> tuple:
        return tuple((v is None, type(v).__name__, v if v is not None else 0) for v in item[0])

    return sorted(rows, key=key)
