"""The one pass over a binary classifier's prediction log that fairness and performance share.

It resolves the label and prediction columns (hard predictions, or scores with a threshold),
finds the positive value, refuses what cannot be right (non-binary labels, missing values, a
sensitive feature with too many distinct values), and counts per group in one DuckDB
``GROUP BY``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from aims.metrics._stats import (
    ConfusionCounts,
    JSONScalar,
    _json_scalar,
    sort_groups,
)
from aims.metrics.io import INTEGER_TYPES, InputError, Source

_BOOL_TYPES = ("BOOLEAN",)
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL", "FLOAT4", "FLOAT8")
_INT_PREFIXES = (*sorted(INTEGER_TYPES), "DECIMAL")


def column_kind(duck_type: str) -> str:
    t = duck_type.upper()
    if t in _BOOL_TYPES:
        return "bool"
    if t in _FLOAT_TYPES:
        return "float"
    if t.startswith(_INT_PREFIXES):
        return "int"
    if t == "VARCHAR" or t.startswith("ENUM"):
        return "text"
    return "other"


def as_list(sensitive: str | Sequence[str] | None) -> list[str]:
    if sensitive is None:
        return []
    if isinstance(sensitive, str):
        return [sensitive]
    names = [str(s) for s in sensitive]
    duplicated = sorted({s for s in names if names.count(s) > 1})
    if duplicated:
        raise InputError(f"sensitive features listed twice: {', '.join(map(repr, duplicated))}")
    return names


def _distinct_values(src: Source, column: str, limit: int = 10) -> list[Any]:
    q = src.quote(column)
    rows = src.fetchall(
        f"SELECT DISTINCT {q} AS v FROM {src.relation} WHERE {q} IS NOT NULL "
        f"ORDER BY v LIMIT {limit + 1}"
    )
    return [r[0] for r in rows]


def _describe_values(values: list[Any], limit: int = 10) -> str:
    shown = ", ".join(repr(_json_scalar(v)) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")


def positive_value(src: Source, column: str, role: str, positive_label: Any) -> Any:
    """The value of ``column`` that counts as positive, typed to match the column."""
    kind = column_kind(src.columns[column])
    if kind == "other":
        raise InputError(
            f"{src.label}: {role} column {column!r} has type {src.columns[column]}; "
            "expected booleans, numbers or text"
        )
    if positive_label is None:
        if kind == "bool":
            return True
        if kind in ("int", "float"):
            return 1
        values = _distinct_values(src, column)
        raise InputError(
            f"{src.label}: {role} column {column!r} holds text values "
            f"({_describe_values(values)}); say which one is positive with positive_label="
        )
    if kind == "text":
        return str(positive_label)
    if kind == "bool":
        if isinstance(positive_label, bool | np.bool_) or positive_label in (0, 1):
            return bool(positive_label)
        raise InputError(
            f"{src.label}: {role} column {column!r} is boolean but positive_label is "
            f"{positive_label!r}"
        )
    if isinstance(positive_label, numbers.Number) and not isinstance(positive_label, complex):
        return positive_label
    raise InputError(
        f"{src.label}: {role} column {column!r} is numeric but positive_label is {positive_label!r}"
    )


def is_positive_sql(src: Source, column: str, param: str, positive: Any) -> str:
    """SQL that is TRUE for the positive value, FALSE otherwise, NULL for NULL or NaN."""
    q = src.quote(column)
    kind = column_kind(src.columns[column])
    if kind == "bool":
        return q if positive else f"(NOT {q})"
    if kind == "float":
        return f"(CASE WHEN isnan({q}) THEN NULL ELSE {q} = ${param} END)"
    return f"({q} = ${param})"


@dataclass(frozen=True)
class _BinaryPass:
    """What one group-by pass over (sensitive..., label, prediction) returns."""

    groups: list[tuple[JSONScalar, ...]]
    counts: list[ConfusionCounts]
    positive_label: JSONScalar


def _validate_options(prediction: str | None, score: str | None, threshold: float) -> None:
    if (prediction is None) == (score is None):
        raise InputError("give exactly one of prediction= (hard 0/1 predictions) or score=")
    if score is not None and (
        not isinstance(threshold, numbers.Real) or not math.isfinite(float(threshold))
    ):
        raise InputError(f"threshold must be a finite number, got {threshold!r}")


def check_sensitive_cardinality(
    src: Source, sensitive: list[str], groups: list[tuple], max_categories: int
) -> None:
    for i, feature in enumerate(sensitive):
        distinct = {g[i] for g in groups}
        if len(distinct) > max_categories:
            raise InputError(
                f"{src.label}: sensitive feature {feature!r} has {len(distinct):,} distinct "
                f"values (limit {max_categories:,}); is it an identifier? Raise "
                "max_categories= to allow it"
            )


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def binary_pass(
    src: Source,
    *,
    label: str,
    prediction: str | None,
    score: str | None,
    threshold: float,
    sensitive: list[str],
    positive_label: Any,
    max_categories: int,
    counter: Callable[..., list[tuple] | None] | None = None,
) -> _BinaryPass:
    """Confusion counts per group, in one GROUP BY over the source.

    The query groups by the sensitive features and the raw label and prediction values (or,
    for scores, ``score >= threshold``) and counts rows. For a binary label that is at most
    four rows per group; the label values are checked and mapped to positive/negative on that
    small result, so the scan itself does no more than count.

    ``counter(src, sensitive, label, prediction, score, threshold)``, when given, returns the
    same rows counted another way (`aims.metrics._groups.group_rows`, for data in memory),
    or None to let the query run.
    """
    _validate_options(prediction, score, threshold)
    used = [label, *(c for c in (prediction, score) if c is not None), *sensitive]
    src.require(*dict.fromkeys(used))
    for feature in sensitive:
        if feature in (label, prediction, score):
            raise InputError(f"{src.label}: column {feature!r} is both sensitive and a target")

    positive = positive_value(src, label, "label", positive_label)
    params: dict[str, Any] = {}
    if score is not None:
        kind = column_kind(src.columns[score])
        if kind not in ("int", "float"):
            raise InputError(
                f"{src.label}: score column {score!r} has type {src.columns[score]}; "
                "expected numbers"
            )
        s = src.quote(score)
        nan = f" OR isnan({s})" if kind == "float" else ""
        p_sql = f"(CASE WHEN {s} IS NULL{nan} THEN NULL ELSE {s} >= $threshold END)"
        params["threshold"] = float(threshold)
        p_positive: Any = True
    else:
        assert prediction is not None
        p_positive = positive_value(src, prediction, "prediction", positive_label)
        p_sql = src.quote(prediction)

    keys = [f"{src.quote(c)} AS g{i}" for i, c in enumerate(sensitive)]
    sql = f"""
        SELECT {", ".join([*keys, f"{src.quote(label)} AS y", f"{p_sql} AS p"])}, count(*) AS n
        FROM {src.relation}
        GROUP BY ALL
    """
    rows = None
    if counter is not None:
        rows = counter(src, sensitive, label, prediction, score, float(threshold))
    if rows is None:
        rows = src.fetchall(sql, params)
    if not rows:
        raise InputError(f"{src.label}: the data has no rows")
    k = len(sensitive)

    # Missing labels or predictions.
    for position, role, column in ((k, "label", label), (k + 1, "prediction", prediction or score)):
        missing = sum(r[k + 2] for r in rows if _is_missing(r[position]))
        if missing:
            raise InputError(
                f"{src.label}: {role} column {column!r} has {missing:,} missing values "
                "(NULL or NaN); drop or fill them first"
            )

    if positive_label is not None and not any(r[k] == positive for r in rows):
        values = _distinct_values(src, label)
        raise InputError(
            f"{src.label}: positive_label {positive_label!r} does not occur in label column "
            f"{label!r} (values: {_describe_values(values)})"
        )

    # The label takes at most two values: the positive one and one other (0 by default).
    label_others = {r[k] for r in rows if r[k] != positive}
    if len(label_others) > 1 or (
        positive_label is None and label_others and not all(v == 0 for v in label_others)
    ):
        values = _distinct_values(src, label)
        count = src.fetchone(f"SELECT count(DISTINCT {src.quote(label)}) FROM {src.relation}")[0]
        hint = (
            "; for two values other than 0 and 1, say which is positive with positive_label="
            if count == 2
            else ""
        )
        raise InputError(
            f"{src.label}: label column {label!r} has {count:,} distinct values "
            f"({_describe_values(values)}); expected two (0 and 1, booleans, or two values "
            f"with positive_label=){hint}"
        )

    if prediction is not None:
        prediction_others = {r[k + 1] for r in rows if r[k + 1] != p_positive}
        if label_others:
            expected = label_others
        elif positive_label is None:
            expected = {0}  # also matches False
        else:
            expected = prediction_others
        consistent = len(prediction_others) <= 1 and all(
            any(p == e for e in expected) for p in prediction_others
        )
        if not consistent:
            values = _distinct_values(src, prediction)
            q = src.quote(prediction)
            count = src.fetchone(f"SELECT count(DISTINCT {q}) FROM {src.relation}")[0]
            raise InputError(
                f"{src.label}: prediction column {prediction!r} has {count:,} distinct values "
                f"({_describe_values(values)}); expected the same two values as the label "
                f"{label!r}; for scores, pass score={prediction!r} and threshold="
            )

    cells: dict[tuple, dict[str, int]] = {}
    for r in rows:
        key = tuple(_json_scalar(v) for v in r[:k])
        cell = cells.setdefault(key, {"tp": 0, "fp": 0, "tn": 0, "fn": 0})
        y, p, n = r[k] == positive, r[k + 1] == p_positive, int(r[k + 2])
        cell["tp" if y and p else "fn" if y else "fp" if p else "tn"] += n
    ordered = sort_groups(cells.items())
    groups = [key for key, _ in ordered]
    check_sensitive_cardinality(src, sensitive, groups, max_categories)
    return _BinaryPass(
        groups=groups,
        counts=[ConfusionCounts(**cell) for _, cell in ordered],
        positive_label=_json_scalar(positive),
    )
