"""Group aggregates of fairness and performance metrics, and JSON-safe results.

Written over arrays whose last axis is the group, so bootstrap replicates are computed by the
same code as the point estimate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from aims.metrics.io import InputError

METHODS = ("between_groups", "to_overall")


def check_method(method: str) -> None:
    if method not in METHODS:
        raise InputError(f"method must be 'between_groups' or 'to_overall', got {method!r}")


def _nanmax(values: np.ndarray) -> np.ndarray:
    if values.shape[-1] == 0:
        return np.full(values.shape[:-1], np.nan)
    return np.fmax.reduce(values, axis=-1)


def _nanmin(values: np.ndarray) -> np.ndarray:
    if values.shape[-1] == 0:
        return np.full(values.shape[:-1], np.nan)
    return np.fmin.reduce(values, axis=-1)


def group_difference(values: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
    if method == "between_groups":
        return _nanmax(values) - _nanmin(values)
    return _nanmax(np.abs(values - overall[..., None]))


def group_ratio(values: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "between_groups":
            return _nanmin(values) / _nanmax(values)
        ratios = values / overall[..., None]
        ratios = np.where(ratios > 1, 1 / ratios, ratios)
    return _nanmin(ratios)


def _mean2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The mean of two values, skipping a NaN (like pandas ``Series.mean``)."""
    both = (a + b) / 2
    return np.where(np.isnan(a), b, np.where(np.isnan(b), a, both))


def group_aggregates(
    groups: Mapping[str, np.ndarray],
    overall: Mapping[str, np.ndarray],
    method: str,
    reference: int | None,
) -> dict[str, np.ndarray]:
    """Every aggregate; ``groups[m]`` has shape (..., G) over the included groups only."""

    def diff(m: str) -> np.ndarray:
        return group_difference(groups[m], overall[m], method)

    def ratio(m: str) -> np.ndarray:
        return group_ratio(groups[m], overall[m], method)

    tpr_d, fpr_d = diff("true_positive_rate"), diff("false_positive_rate")
    tpr_r, fpr_r = ratio("true_positive_rate"), ratio("false_positive_rate")
    selection = groups["selection_rate"]
    if reference is None:
        impact = np.full(selection.shape[:-1], np.nan)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            impact = _nanmin(selection / selection[..., reference : reference + 1])
    return {
        "demographic_parity_difference": diff("selection_rate"),
        "demographic_parity_ratio": ratio("selection_rate"),
        "equalized_odds_difference": np.fmax(tpr_d, fpr_d),
        "equalized_odds_difference_mean": _mean2(tpr_d, fpr_d),
        "equalized_odds_ratio": np.fmin(tpr_r, fpr_r),
        "equalized_odds_ratio_mean": _mean2(tpr_r, fpr_r),
        "equal_opportunity_difference": tpr_d,
        "equal_opportunity_ratio": tpr_r,
        "predictive_parity_difference": diff("positive_predictive_value"),
        "predictive_parity_ratio": ratio("positive_predictive_value"),
        "disparate_impact_ratio": impact,
    }


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become None, tuples become lists."""
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        return clean(value.item())
    return value
