"""Limits on check results: naming, parsing and evaluating them, and the summary of a check.

The same code serves the command line (``aims check fairness … --max dp_difference=0.1``) and
the server (the thresholds of a check definition), so a limit means the same thing wherever it
is applied.

Metric names
    Each kind of check has short names and the report's own names (see `ALIASES`), both
    accepted: ``dp_difference`` and ``demographic_parity_difference`` are the same metric.
    Fairness limits apply to the report's ``aggregates``, performance limits to its ``overall``
    values, drift limits to the data-set figures (``share_drifted``, ``drifted_columns``: a
    count), quality limits to the number of failed quality checks (``failed_checks``).

Evaluation
    ``op="max"`` passes when ``value <= limit``, ``op="min"`` when ``value >= limit``. A value
    that cannot be computed (NaN or missing: too few rows in the groups, a rate with nothing to
    divide by, ROC AUC without scores) never passes, and the message says why.

Summary
    `summary` returns a dict with exactly the keys ``by_group``, ``overall``, ``aggregates``,
    ``thresholds`` and ``passed`` (JSON-safe: NaN becomes ``None``):

    - fairness, performance: ``by_group`` is group name -> metric name -> value, plus the
      group's ``status`` (``"ok"`` or ``"insufficient data"``) and, for fairness, its
      ``disparate_impact`` (selection rate over the reference group's); ``overall`` the same
      metrics over all rows; ``aggregates`` the fairness aggregates (empty for performance).
    - drift: ``by_group`` is column name -> that column's drift statistics
      (`aims.metrics.ColumnDrift` fields); ``overall`` the row counts; ``aggregates``
      ``share_drifted``, ``drifted_columns`` (a count), ``dataset_drifted`` and ``share``.
    - quality: ``by_group`` is check key (``"missing_share:age"``, ``"min_rows"``) -> the
      check (observed, limit, passed, message); ``overall`` the row and column counts;
      ``aggregates`` ``failed_checks`` and ``checks``.

    ``passed`` is true when every threshold passes, and in addition:

    - quality: every quality check passes (a quality check is itself a limit);
    - drift without thresholds: the data set has not drifted (``dataset_drifted`` is false).
      With thresholds, the thresholds alone decide (``--max share_drifted=0.3`` replaces the
      detector's own data-set rule);
    - fairness and performance without thresholds pass: only a limit can fail them.

Examples
--------
>>> limits = parse_thresholds(["dp_difference=0.1"], ["di_ratio=0.8"], kind="fairness")
>>> [(t.metric, t.op, t.limit) for t in limits]
[('demographic_parity_difference', 'max', 0.1), ('disparate_impact_ratio', 'min', 0.8)]
>>> report = {"aggregates": {"demographic_parity_difference": 0.15, "disparate_impact_ratio": 0.8}}
>>> [(r.passed, r.message) for r in evaluate("fairness", report, limits)]
[(False, 'demographic_parity_difference = 0.15, above the maximum 0.1'), (True, 'disparate_impact_ratio = 0.8, at or above the minimum 0.8')]
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aims.metrics._base import InputError

__all__ = [
    "ALIASES",
    "KINDS",
    "OPS",
    "Threshold",
    "ThresholdErrors",
    "ThresholdResult",
    "canonical_metric",
    "drift_sentence",
    "evaluate",
    "metric_names",
    "metric_value",
    "parse_threshold_lines",
    "parse_thresholds",
    "short_name",
    "summary",
    "threshold_lines",
]

KINDS = ("fairness", "performance", "drift", "quality")
OPS = ("max", "min")

# The one table of metric names a threshold can use: per kind of check, the short name (command
# line, check definitions) -> the report's key. The report's key is accepted as well.
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

_REGRESSION = {"mae", "rmse"}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InputError(f"unknown kind of check {kind!r}; use one of: {', '.join(KINDS)}")


def metric_names(kind: str) -> list[str]:
    """Every metric name a threshold of ``kind`` accepts: the short names, then the full ones.

    Examples
    --------
    >>> metric_names("drift")
    ['share_drifted', 'drifted_columns']
    >>> metric_names("performance")[:3]
    ['accuracy', 'precision', 'recall']
    """
    _check_kind(kind)
    names = list(ALIASES[kind])
    names += [full for full in dict.fromkeys(ALIASES[kind].values()) if full not in names]
    return names


def short_name(kind: str, metric: str) -> str:
    """The first short name of a report key (``"demographic_parity_difference"`` ->
    ``"dp_difference"``), or the key itself."""
    _check_kind(kind)
    for short, full in ALIASES[kind].items():
        if full == metric:
            return short
    return metric


def canonical_metric(kind: str, name: str) -> str:
    """The report's key for ``name``, a short name or the full one.

    Raises `InputError` naming the valid names (and the closest one) for an unknown name.

    Examples
    --------
    >>> canonical_metric("fairness", "eop_difference")
    'equal_opportunity_difference'
    >>> canonical_metric("fairness", "disparate_impact_ratio")
    'disparate_impact_ratio'
    """
    _check_kind(kind)
    key = name.strip()
    if key in ALIASES[kind]:
        return ALIASES[kind][key]
    if key in ALIASES[kind].values():
        return key
    valid = metric_names(kind)
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputError(f"unknown {kind} metric {key!r}{hint}; valid names: {', '.join(valid)}")


@dataclass(frozen=True)
class Threshold:
    """A limit on one metric.

    Attributes
    ----------
    metric : str
        The report's key (use `canonical_metric` to turn a short name into it).
    op : {"max", "min"}
        "max": the value must be at most ``limit``; "min": at least ``limit``.
    limit : float
    """

    metric: str
    op: str
    limit: float

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise InputError(f"threshold on {self.metric!r}: op must be 'max' or 'min'")
        try:
            limit = float(self.limit)
        except (TypeError, ValueError):
            raise InputError(f"threshold on {self.metric!r}: the limit must be a number") from None
        if isinstance(self.limit, bool) or not math.isfinite(limit):
            raise InputError(f"threshold on {self.metric!r}: the limit must be a finite number")
        object.__setattr__(self, "limit", limit)

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "op": self.op, "limit": self.limit}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, kind: str) -> Threshold:
        """A threshold from ``{"metric": ..., "op": "max"|"min", "limit": ...}`` (short or
        full metric name), validated for ``kind``."""
        try:
            metric, op, limit = data["metric"], data["op"], data["limit"]
        except (KeyError, TypeError):
            raise InputError("a threshold needs 'metric', 'op' and 'limit'") from None
        return cls(canonical_metric(kind, str(metric)), op, limit)


@dataclass(frozen=True)
class ThresholdResult:
    """One threshold applied to a report.

    ``value`` is None when the metric could not be computed; such a threshold does not pass
    and ``message`` says why.
    """

    metric: str
    value: float | None
    limit: float
    op: str
    passed: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": _finite(self.value),
            "limit": self.limit,
            "op": self.op,
            "passed": self.passed,
            "message": self.message,
        }


class ThresholdErrors(InputError):
    """Every problem found in a set of thresholds, each in ``errors`` (one line each); the
    message joins them with "; "."""

    def __init__(self, errors: Iterable[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


def _parse_item(
    op: str, name: str, raw: str, *, kind: str, seen: dict[tuple[str, str], str], given: str
) -> Threshold:
    """One limit ``op name=raw``; raises `InputError` saying what is wrong with it."""
    try:
        limit = float(raw)
    except ValueError:
        raise InputError("the limit must be a number") from None
    if not math.isfinite(limit):
        raise InputError("the limit must be a finite number")
    metric = canonical_metric(kind, name)
    if (metric, op) in seen:
        raise InputError(f"{metric} already has a limit ({seen[metric, op]})")
    seen[metric, op] = given
    return Threshold(metric, op, limit)


def parse_thresholds(
    max_items: Iterable[str] = (), min_items: Iterable[str] = (), *, kind: str
) -> list[Threshold]:
    """Parse the ``name=value`` items given to ``--max`` and ``--min``.

    Every item is read before anything is refused: `ThresholdErrors` (an `InputError`) lists
    each item without ``=``, limit that is not a finite number, unknown metric name (with the
    valid ones) and metric limited twice the same way, one per line in its ``errors``.

    Examples
    --------
    >>> parse_thresholds(["rmse=2.5"], [], kind="performance")
    [Threshold(metric='rmse', op='max', limit=2.5)]
    >>> try:
    ...     parse_thresholds(["dp_difference=abc"], ["di_ratio"], kind="fairness")
    ... except ThresholdErrors as exc:
    ...     for line in exc.errors:
    ...         print(line)
    --max dp_difference=abc: the limit must be a number
    --min di_ratio: write it as name=value, e.g. dp_difference=0.1
    """
    _check_kind(kind)
    parsed: list[Threshold] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for op, items in (("max", max_items), ("min", min_items)):
        for item in items:
            name, sep, raw = str(item).partition("=")
            name, raw = name.strip(), raw.strip()
            if not sep or not name or not raw:
                example = metric_names(kind)[0]
                errors.append(f"--{op} {item}: write it as name=value, e.g. {example}=0.1")
                continue
            try:
                parsed.append(
                    _parse_item(op, name, raw, kind=kind, seen=seen, given=f"--{op} {item}")
                )
            except InputError as error:
                errors.append(f"--{op} {item}: {error}")
    if errors:
        raise ThresholdErrors(errors)
    return parsed


def parse_threshold_lines(lines: Iterable[str], *, kind: str) -> list[Threshold]:
    """Parse thresholds written a line each, as a check definition takes them:
    ``max dp_difference=0.1`` (the command line's ``metric=value`` after the operator), or
    the older ``max dp_difference 0.1``. Blank lines are skipped.

    Every line is read before anything is refused: `ThresholdErrors` lists the problem of each
    wrong line ("line 2 ...").

    Examples
    --------
    >>> [(t.op, t.metric, t.limit) for t in parse_threshold_lines(
    ...     ["max dp_difference=0.1", "min di_ratio 0.8"], kind="fairness")]
    [('max', 'demographic_parity_difference', 0.1), ('min', 'disparate_impact_ratio', 0.8)]
    >>> try:
    ...     parse_threshold_lines(["max dp_diff=0.1", "top di_ratio=2"], kind="fairness")
    ... except ThresholdErrors as exc:
    ...     print(len(exc.errors))
    2
    """
    _check_kind(kind)
    parsed: list[Threshold] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    example = metric_names(kind)[0]
    for number, line in enumerate(lines, 1):
        text = str(line).strip()
        if not text:
            continue
        op, _, rest = text.partition(" ")
        rest = rest.strip()
        if "=" in rest:
            name, _, raw = rest.partition("=")
        else:
            name, _, raw = rest.partition(" ")
        name, raw = name.strip(), raw.strip()
        if op not in OPS or not name or not raw or " " in name:
            errors.append(
                f"line {number} “{text}”: write max METRIC=LIMIT or min METRIC=LIMIT, "
                f"e.g. max {example}=0.1"
            )
            continue
        try:
            parsed.append(_parse_item(op, name, raw, kind=kind, seen=seen, given=f"line {number}"))
        except InputError as error:
            errors.append(f"line {number} “{text}”: {error}")
    if errors:
        raise ThresholdErrors(errors)
    return parsed


def threshold_lines(thresholds: Iterable[Mapping[str, Any] | Threshold], *, kind: str) -> str:
    """Thresholds written a line each, as `parse_threshold_lines` reads them back:
    ``max dp_difference=0.1``.

    Examples
    --------
    >>> print(threshold_lines([{"metric": "disparate_impact_ratio", "op": "min", "limit": 0.8}],
    ...                       kind="fairness"))
    min di_ratio=0.8
    """
    lines = []
    for t in thresholds:
        item = t.to_dict() if isinstance(t, Threshold) else t
        lines.append(f"{item['op']} {short_name(kind, item['metric'])}={float(item['limit']):g}")
    return "\n".join(lines)


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def metric_value(kind: str, report: Mapping[str, Any], metric: str) -> float | None:
    """The value of ``metric`` in a report dict (``to_dict()`` of the report), or None.

    Fairness: ``aggregates[metric]``; performance: ``overall[metric]``; drift:
    ``share_drifted`` or the number of ``drifted_columns``; quality: the number of failed
    checks.
    """
    _check_kind(kind)
    if kind == "fairness":
        return _finite((report.get("aggregates") or {}).get(metric))
    if kind == "performance":
        return _finite((report.get("overall") or {}).get(metric))
    if kind == "drift":
        if metric == "drifted_columns":
            drifted = report.get("drifted_columns")
            if isinstance(drifted, list | tuple):
                return float(len(drifted))
            return _finite(drifted)  # already a count
        return _finite(report.get(metric))
    checks = report.get("checks")
    if checks is None:
        return None
    return float(sum(1 for check in checks if not check.get("passed")))


def _why_undefined(kind: str, report: Mapping[str, Any], metric: str) -> str:
    """Why ``metric`` has no value in ``report``: one sentence for the person reading it."""
    if kind == "fairness":
        status = report.get("status") or {}
        ok = [group for group, state in status.items() if state == "ok"]
        size = report.get("min_group_size")
        if status and len(ok) < 2:
            return (
                f"{metric} cannot be computed: not enough data in the groups "
                f"({len(ok)} of {len(status)} groups have at least {size} rows; 2 are needed)"
            )
        return (
            f"{metric} cannot be computed: a rate has nothing to divide by in some group "
            "(for example no positive labels, or no positive predictions)"
        )
    if kind == "performance":
        task = report.get("task")
        if metric in _REGRESSION and task == "classification":
            return f"{metric} is a regression metric; this is a classification check"
        if metric not in _REGRESSION and task == "regression":
            return f"{metric} is a classification metric; this is a regression check"
        if metric == "roc_auc":
            return (
                "roc_auc cannot be computed: it needs scores (--score), and both positive "
                "and negative labels"
            )
        return f"{metric} cannot be computed: not enough data (nothing to divide by)"
    return f"{metric} is not in the report"


def evaluate(
    kind: str, report: Mapping[str, Any], thresholds: Iterable[Threshold]
) -> list[ThresholdResult]:
    """Apply each threshold to a report dict (the report's ``to_dict()``).

    ``max`` passes when ``value <= limit``, ``min`` when ``value >= limit``; a value that is
    NaN or missing does not pass.
    """
    _check_kind(kind)
    results = []
    for t in thresholds:
        value = metric_value(kind, report, t.metric)
        if value is None:
            passed, message = False, _why_undefined(kind, report, t.metric)
        elif t.op == "max":
            passed = value <= t.limit
            where = "at or below" if passed else "above"
            message = f"{t.metric} = {value:.4g}, {where} the maximum {t.limit:g}"
        else:
            passed = value >= t.limit
            where = "at or above" if passed else "below"
            message = f"{t.metric} = {value:.4g}, {where} the minimum {t.limit:g}"
        results.append(ThresholdResult(t.metric, value, t.limit, t.op, passed, message))
    return results


# Keys whose values are counts: written as integers (``12``, not ``12.0``).
COUNT_KEYS = frozenset(
    {"count", "n", "n_rows", "n_reference", "n_current", "columns", "drifted_columns"}
    | {"failed_checks", "checks", "tp", "fp", "tn", "fn", "positives", "negatives"}
)


def _count(value: Any) -> Any:
    """A count that came out as a float (``12.0``) as the integer it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item") and not isinstance(value, bool):  # a numpy scalar
        return _count(value.item())
    return value


def _clean(value: Any) -> Any:
    """A JSON-safe copy: NaN and infinities become None, tuples lists, keys strings, counts
    (`COUNT_KEYS`) integers."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {
            str(k): _count(_clean(v)) if k in COUNT_KEYS else _clean(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # a numpy scalar
        return _clean(value.item())
    return value


def _quality_key(check: Mapping[str, Any]) -> str:
    column = check.get("column")
    return f"{check.get('check')}:{column}" if column is not None else str(check.get("check"))


def drift_sentence(summary: Mapping[str, Any]) -> str:
    """What a drift check found, in words, from its summary: ``"drift detected in 1 of 2
    columns (limit 50%)"``; the limit is the share of drifted columns at which the data set
    drifts.

    Examples
    --------
    >>> drift_sentence({"aggregates": {"drifted_columns": 1, "share": 0.5},
    ...                 "overall": {"columns": 2}})
    'drift detected in 1 of 2 columns (limit 50%)'
    """
    aggregates = summary.get("aggregates") or {}
    drifted = aggregates.get("drifted_columns") or 0
    if isinstance(drifted, list | tuple):
        drifted = len(drifted)
    columns = (summary.get("overall") or {}).get("columns")
    if columns is None:
        columns = len(summary.get("by_group") or {})
    share = _finite(aggregates.get("share"))
    limit = f" (limit {share:.0%})" if share is not None else ""
    noun = "column" if columns == 1 else "columns"
    if not drifted:
        return f"no drift detected in {int(columns)} {noun}{limit}"
    return f"drift detected in {int(drifted)} of {int(columns)} {noun}{limit}"


def summary(
    kind: str, report: Mapping[str, Any], results: Iterable[ThresholdResult]
) -> dict[str, Any]:
    """The result of a check as ``aims check --format json`` prints it and the server keeps it.

    Returns a dict with exactly the keys ``by_group``, ``overall``, ``aggregates``,
    ``thresholds`` and ``passed``; see the module docstring for what each holds per kind and
    when ``passed`` is true.

    Examples
    --------
    >>> report = {"columns": {"age": {"column": "age", "drifted": True}},
    ...           "drifted_columns": ["age"], "share_drifted": 1.0, "share": 0.5,
    ...           "dataset_drifted": True, "n_reference": 100, "n_current": 90}
    >>> result = summary("drift", report, [])
    >>> sorted(result), result["aggregates"]["drifted_columns"], result["passed"]
    (['aggregates', 'by_group', 'overall', 'passed', 'thresholds'], 1, False)
    """
    _check_kind(kind)
    results = list(results)
    passed = all(r.passed for r in results)
    by_group: dict[str, Any]
    overall: dict[str, Any]
    aggregates: dict[str, Any]
    if kind in ("fairness", "performance"):
        status = report.get("status") or {}
        impact = report.get("disparate_impact") or {}
        by_group = {}
        for group, values in (report.get("by_group") or {}).items():
            entry = dict(values or {})
            if group in impact:
                entry["disparate_impact"] = impact[group]
            if group in status:
                entry["status"] = status[group]
            by_group[group] = entry
        overall = dict(report.get("overall") or {})
        aggregates = dict(report.get("aggregates") or {}) if kind == "fairness" else {}
    elif kind == "drift":
        columns = report.get("columns") or {}
        if isinstance(columns, Mapping):
            by_group = {str(name): dict(values) for name, values in columns.items()}
        else:
            by_group = {str(c["column"]): dict(c) for c in columns}
        drifted = report.get("drifted_columns") or []
        overall = {
            "n_reference": report.get("n_reference"),
            "n_current": report.get("n_current"),
            "columns": len(by_group),
        }
        aggregates = {
            "share_drifted": report.get("share_drifted"),
            "drifted_columns": drifted if isinstance(drifted, int) else len(drifted),
            "dataset_drifted": bool(report.get("dataset_drifted")),
            "share": report.get("share"),
        }
        if not results:
            passed = not aggregates["dataset_drifted"]
    else:
        checks = list(report.get("checks") or [])
        by_group = {_quality_key(check): dict(check) for check in checks}
        overall = {"n_rows": report.get("n_rows"), "columns": len(report.get("columns") or {})}
        failed = sum(1 for check in checks if not check.get("passed"))
        aggregates = {"failed_checks": failed, "checks": len(checks)}
        passed = passed and failed == 0
    return _clean(
        {
            "by_group": by_group,
            "overall": overall,
            "aggregates": aggregates,
            "thresholds": [r.to_dict() for r in results],
            "passed": bool(passed),
        }
    )
