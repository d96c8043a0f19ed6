"""Limits on check results: parsing them, evaluating them, and the summary a check prints.

The same code serves the command line (``aims check … --max dp_difference=0.1``) and the server
(a check definition's thresholds), so a limit means the same thing wherever it is applied.

Examples
--------
>>> limits = parse_thresholds(["dp_difference=0.1"], ["di_ratio=0.8"], kind="fairness")
>>> [(t.metric, t.op, t.limit) for t in limits]
[('demographic_parity_difference', 'max', 0.1), ('disparate_impact_ratio', 'min', 0.8)]
>>> report = {"aggregates": {"demographic_parity_difference": 0.15, "disparate_impact_ratio": 0.77}}
>>> [r.passed for r in evaluate("fairness", report, limits)]
[False, False]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .io import InputError

KINDS = ("fairness", "performance", "drift", "quality")

# Short names used on the command line -> the report's own names, per kind of check.
ALIASES: dict[str, dict[str, str]] = {
    "fairness": {
        "dp_difference": "demographic_parity_difference",
        "dp_ratio": "demographic_parity_ratio",
        "eo_difference": "equalized_odds_difference",
        "eo_difference_mean": "equalized_odds_difference_mean",
        "eo_ratio": "equalized_odds_ratio",
        "eo_ratio_mean": "equalized_odds_ratio_mean",
        "eop_difference": "equal_opportunity_difference",
        "eop_ratio": "equal_opportunity_ratio",
        "pp_difference": "predictive_parity_difference",
        "pp_ratio": "predictive_parity_ratio",
        "di_ratio": "disparate_impact_ratio",
    },
    "performance": {
        "accuracy": "accuracy",
        "precision": "precision",
        "recall": "recall",
        "f1": "f1",
        "roc_auc": "roc_auc",
        "auc": "roc_auc",
        "mae": "mae",
        "rmse": "rmse",
    },
    "drift": {"share_drifted": "share_drifted", "drifted_columns": "drifted_columns"},
    "quality": {"failed_checks": "failed_checks"},
}


@dataclass(frozen=True)
class Threshold:
    """A limit on one metric: ``op`` "max" (value must be at most ``limit``) or "min"."""

    metric: str
    op: str
    limit: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ThresholdResult:
    metric: str
    value: float | None
    limit: float
    op: str
    passed: bool
    message: str

    def to_dict(self) -> dict:
        return {**asdict(self), "value": _finite(self.value)}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InputError(f"unknown kind of check {kind!r}; use one of {', '.join(KINDS)}")


def metric_names(kind: str) -> list[str]:
    """Every name accepted for ``kind``: the short names and the report's own names."""
    _check_kind(kind)
    return sorted(set(ALIASES[kind]) | set(ALIASES[kind].values()))


def canonical_metric(kind: str, name: str) -> str:
    """The report's name for ``name`` (a short name or the full one)."""
    _check_kind(kind)
    key = name.strip()
    if key in ALIASES[kind]:
        return ALIASES[kind][key]
    if key in ALIASES[kind].values():
        return key
    raise InputError(f"unknown {kind} metric {name!r}; use one of: {', '.join(metric_names(kind))}")


def parse_thresholds(
    max_items: Iterable[str] = (), min_items: Iterable[str] = (), *, kind: str
) -> list[Threshold]:
    """Parse ``name=value`` items given to ``--max`` and ``--min``."""
    parsed: list[Threshold] = []
    seen: set[tuple[str, str]] = set()
    for op, items in (("max", max_items), ("min", min_items)):
        for item in items:
            name, sep, raw = item.partition("=")
            if not sep or not name.strip() or not raw.strip():
                raise InputError(f"--{op} {item}: write it as name=value, e.g. dp_difference=0.1")
            try:
                limit = float(raw)
            except ValueError:
                raise InputError(f"--{op} {item}: the limit must be a number") from None
            if not math.isfinite(limit):
                raise InputError(f"--{op} {item}: the limit must be a finite number")
            metric = canonical_metric(kind, name)
            if (metric, op) in seen:
                raise InputError(f"--{op} {name.strip()} is given twice")
            seen.add((metric, op))
            parsed.append(Threshold(metric, op, limit))
    return parsed


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def metric_value(kind: str, report: dict, metric: str) -> float | None:
    """Where each kind of report keeps a metric the thresholds can name."""
    if kind == "fairness":
        return _finite((report.get("aggregates") or {}).get(metric))
    if kind == "performance":
        return _finite((report.get("overall") or {}).get(metric))
    if kind == "drift":
        if metric == "drifted_columns":
            drifted = report.get("drifted_columns")
            return float(len(drifted)) if drifted is not None else None
        return _finite(report.get(metric))
    checks = report.get("checks") or []
    return float(sum(1 for c in checks if not c.get("passed")))


def evaluate(kind: str, report: dict, thresholds: Iterable[Threshold]) -> list[ThresholdResult]:
    """Each threshold against the report. A missing or undefined value does not pass."""
    results = []
    for t in thresholds:
        value = metric_value(kind, report, t.metric)
        sign = "≤" if t.op == "max" else "≥"
        if value is None:
            passed = False
            message = (
                f"{t.metric} could not be computed (too few rows in a group, or a "
                "rate with nothing to divide by)"
            )
        else:
            passed = value <= t.limit if t.op == "max" else value >= t.limit
            verdict = "within" if passed else "outside"
            message = f"{t.metric} = {value:.4g}, {verdict} the limit {sign} {t.limit:g}"
        results.append(ThresholdResult(t.metric, value, t.limit, t.op, passed, message))
    return results


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def summary(kind: str, report: dict, results: list[ThresholdResult]) -> dict:
    """The result as the CLI prints it with ``--format json`` and the server stores it.

    ``by_group`` is group -> metric -> value for fairness and performance, column -> statistics
    for drift, check -> observed value for quality. ``passed`` is true when every threshold
    passes and, with no thresholds given, when the data set has not drifted (drift) or every
    quality check passes (quality); fairness and performance need thresholds to fail.
    """
    _check_kind(kind)
    by_group: dict = {}
    overall: dict = {}
    aggregates: dict = {}
    passed = all(r.passed for r in results)
    if kind in ("fairness", "performance"):
        by_group = report.get("by_group") or {}
        overall = report.get("overall") or {}
        aggregates = report.get("aggregates") or {}
    elif kind == "drift":
        columns = report.get("columns") or {}
        by_group = dict(columns) if isinstance(columns, dict) else {c["column"]: c for c in columns}
        aggregates = {
            "share_drifted": report.get("share_drifted"),
            "drifted_columns": len(report.get("drifted_columns") or []),
            "dataset_drifted": report.get("dataset_drifted"),
        }
        if not results:
            passed = not report.get("dataset_drifted", False)
    else:
        checks = report.get("checks") or []
        by_group = {
            f"{c.get('check')}{':' + c['column'] if c.get('column') else ''}": c for c in checks
        }
        aggregates = {"failed_checks": sum(1 for c in checks if not c.get("passed"))}
        passed = passed and all(c.get("passed") for c in checks)
    extra = {
        key: report[key]
        for key in (
            "insufficient",
            "reference_group",
            "meets_four_fifths_rule",
            "n_rows",
            "n_reference",
            "n_current",
            "min_group_size",
        )
        if key in report
    }
    return _clean(
        {
            "kind": kind,
            "by_group": by_group,
            "overall": overall,
            "aggregates": aggregates,
            "thresholds": [r.to_dict() for r in results],
            "passed": passed,
            **extra,
        }
    )
