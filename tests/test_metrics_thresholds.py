"""Thresholds: names, parsing, evaluation and the summary shared by the CLI and the server."""

import json
import math

import pytest

from aims.metrics import InputError, fairness_report, quality_report
from aims.metrics.thresholds import (
    ALIASES,
    KINDS,
    Threshold,
    ThresholdResult,
    canonical_metric,
    evaluate,
    metric_names,
    parse_thresholds,
    short_name,
    summary,
)

SUMMARY_KEYS = {"by_group", "overall", "aggregates", "thresholds", "passed"}


# --- Names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("dp_difference", "demographic_parity_difference"),
        ("dp_ratio", "demographic_parity_ratio"),
        ("eo_difference", "equalized_odds_difference"),
        ("eo_difference_mean", "equalized_odds_difference_mean"),
        ("eo_ratio", "equalized_odds_ratio"),
        ("eop_difference", "equal_opportunity_difference"),
        ("eop_ratio", "equal_opportunity_ratio"),
        ("pp_difference", "predictive_parity_difference"),
        ("pp_ratio", "predictive_parity_ratio"),
        ("di_ratio", "disparate_impact_ratio"),
    ],
)
def test_fairness_short_and_full_names_are_the_same_metric(short, full):
    assert canonical_metric("fairness", short) == full
    assert canonical_metric("fairness", full) == full
    assert short_name("fairness", full) == short


def test_every_full_name_is_an_aggregate_of_the_fairness_report():
    from aims.metrics.fairness import AGGREGATES

    assert set(ALIASES["fairness"].values()) <= set(AGGREGATES)


def test_metric_names_per_kind():
    assert metric_names("performance") == [
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "auc",
        "mae",
        "rmse",
    ]
    assert metric_names("drift") == ["share_drifted", "drifted_columns"]
    assert metric_names("quality") == ["failed_checks"]
    fairness = metric_names("fairness")
    assert fairness[0] == "dp_difference"
    assert "disparate_impact_ratio" in fairness
    assert len(fairness) == len(set(fairness))
    assert canonical_metric("performance", "auc") == "roc_auc"
    for kind in KINDS:
        for name in metric_names(kind):
            canonical_metric(kind, name)  # every listed name is accepted


def test_unknown_kind_and_unknown_metric():
    with pytest.raises(InputError, match="unknown kind of check 'bias'"):
        metric_names("bias")
    with pytest.raises(InputError) as raised:
        canonical_metric("fairness", "dp_diference")
    message = str(raised.value)
    assert "unknown fairness metric 'dp_diference'" in message
    assert "did you mean 'dp_difference'" in message
    assert "di_ratio" in message and "equalized_odds_difference" in message
    with pytest.raises(InputError, match="unknown drift metric 'accuracy'"):
        canonical_metric("drift", "accuracy")


# --- Parsing ------------------------------------------------------------------------------------


def test_parse_max_and_min_items():
    parsed = parse_thresholds(
        ["dp_difference=0.1", " eo_difference = 0.2 "], ["di_ratio=0.8"], kind="fairness"
    )
    assert parsed == [
        Threshold("demographic_parity_difference", "max", 0.1),
        Threshold("equalized_odds_difference", "max", 0.2),
        Threshold("disparate_impact_ratio", "min", 0.8),
    ]
    assert parse_thresholds([], [], kind="drift") == []
    # a metric may have both a maximum and a minimum
    both = parse_thresholds(["accuracy=0.99"], ["accuracy=0.7"], kind="performance")
    assert [(t.op, t.limit) for t in both] == [("max", 0.99), ("min", 0.7)]
    assert parse_thresholds(["rmse=1e-3"], [], kind="performance")[0].limit == 0.001


@pytest.mark.parametrize(
    ("max_items", "min_items", "message"),
    [
        (["dp_difference=abc"], [], "--max dp_difference=abc: the limit must be a number"),
        ([], ["di_ratio=nan"], "--min di_ratio=nan: the limit must be a finite number"),
        (["dp_difference=inf"], [], "the limit must be a finite number"),
        (["dp_difference"], [], "--max dp_difference: write it as name=value"),
        (["=0.1"], [], "write it as name=value"),
        (["dp_difference="], [], "write it as name=value"),
        (["dp_diff=0.1"], [], "--max dp_diff=0.1: unknown fairness metric 'dp_diff'"),
        (
            ["dp_difference=0.1", "demographic_parity_difference=0.2"],
            [],
            "demographic_parity_difference already has a limit (--max dp_difference=0.1)",
        ),
        (
            [],
            ["di_ratio=0.8", "di_ratio=0.9"],
            "--min di_ratio=0.9: disparate_impact_ratio already",
        ),
    ],
)
def test_parse_errors_name_the_item(max_items, min_items, message):
    with pytest.raises(InputError) as raised:
        parse_thresholds(max_items, min_items, kind="fairness")
    assert message in str(raised.value)


def test_threshold_validates_itself_and_reads_a_check_definition():
    assert Threshold("accuracy", "min", 1).limit == 1.0
    with pytest.raises(InputError, match="op must be 'max' or 'min'"):
        Threshold("accuracy", "at_least", 0.8)
    with pytest.raises(InputError, match="finite number"):
        Threshold("accuracy", "min", float("nan"))
    with pytest.raises(InputError, match="finite number"):
        Threshold("accuracy", "min", True)
    with pytest.raises(InputError, match="must be a number"):
        Threshold("accuracy", "min", "high")
    t = Threshold.from_dict(
        {"metric": "dp_difference", "op": "max", "limit": "0.1"}, kind="fairness"
    )
    assert t == Threshold("demographic_parity_difference", "max", 0.1)
    assert t.to_dict() == {"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}
    with pytest.raises(InputError, match="needs 'metric', 'op' and 'limit'"):
        Threshold.from_dict({"metric": "dp_difference"}, kind="fairness")


# --- Evaluation ---------------------------------------------------------------------------------


def test_max_passes_at_or_below_the_limit_and_min_at_or_above():
    report = {"aggregates": {"demographic_parity_difference": 0.1, "disparate_impact_ratio": 0.75}}
    limits = [
        Threshold("demographic_parity_difference", "max", 0.1),  # equal: passes
        Threshold("demographic_parity_difference", "max", 0.09),
        Threshold("disparate_impact_ratio", "min", 0.75),  # equal: passes
        Threshold("disparate_impact_ratio", "min", 0.8),
    ]
    results = evaluate("fairness", report, limits)
    assert [r.passed for r in results] == [True, False, True, False]
    assert results[1] == ThresholdResult(
        "demographic_parity_difference",
        0.1,
        0.09,
        "max",
        False,
        "demographic_parity_difference = 0.1, above the maximum 0.09",
    )
    assert results[3].message == "disparate_impact_ratio = 0.75, below the minimum 0.8"
    assert results[0].message == "demographic_parity_difference = 0.1, at or below the maximum 0.1"


def test_an_undefined_value_never_passes_and_says_why():
    # one group of two has enough rows: no aggregate can be computed
    report = {
        "aggregates": {"demographic_parity_difference": None},
        "status": {"sex=F": "ok", "sex=M": "insufficient data"},
        "min_group_size": 30,
    }
    for op, limit in (("max", 1.0), ("min", 0.0)):
        (result,) = evaluate(
            "fairness", report, [Threshold("demographic_parity_difference", op, limit)]
        )
        assert result.passed is False
        assert result.value is None
        assert "not enough data in the groups" in result.message
        assert "1 of 2 groups have at least 30 rows" in result.message
    # enough groups, but a rate with nothing to divide by (NaN)
    report = {
        "aggregates": {"predictive_parity_difference": math.nan},
        "status": {"a": "ok", "b": "ok"},
    }
    (result,) = evaluate("fairness", report, [Threshold("predictive_parity_difference", "max", 1)])
    assert not result.passed and "nothing to divide by" in result.message
    assert result.to_dict()["value"] is None
    # performance: no scores, no ROC AUC
    report = {"task": "classification", "overall": {"accuracy": 0.9, "roc_auc": None}}
    (result,) = evaluate("performance", report, [Threshold("roc_auc", "min", 0.5)])
    assert not result.passed and "needs scores (--score)" in result.message
    (result,) = evaluate("performance", report, [Threshold("rmse", "max", 1)])
    assert not result.passed and "rmse is a regression metric" in result.message


def test_drift_and_quality_values():
    drift = {"share_drifted": 0.25, "drifted_columns": ["age"], "dataset_drifted": False}
    results = evaluate(
        "drift",
        drift,
        [Threshold("share_drifted", "max", 0.2), Threshold("drifted_columns", "max", 1)],
    )
    assert [(r.value, r.passed) for r in results] == [(0.25, False), (1.0, True)]
    quality = {"checks": [{"passed": True}, {"passed": False}, {"passed": False}]}
    (result,) = evaluate("quality", quality, [Threshold("failed_checks", "max", 1)])
    assert (result.value, result.passed) == (2.0, False)


# --- Summary ------------------------------------------------------------------------------------


def _toy_fairness_report(**options):
    # group a: 3 of 4 predicted positive; group b: 1 of 4
    data = {
        "y": [1, 1, 0, 0, 1, 1, 0, 0],
        "y_hat": [1, 1, 1, 0, 1, 0, 0, 0],
        "g": ["a"] * 4 + ["b"] * 4,
    }
    return fairness_report(data, label="y", prediction="y_hat", sensitive="g", **options)


def test_fairness_summary_shape_and_values():
    report = _toy_fairness_report(min_group_size=1).to_dict()
    limits = parse_thresholds(["dp_difference=0.4"], ["di_ratio=0.8"], kind="fairness")
    result = summary("fairness", report, evaluate("fairness", report, limits))
    assert set(result) == SUMMARY_KEYS
    assert result["by_group"]["g=a"]["selection_rate"] == 0.75
    assert result["by_group"]["g=b"]["selection_rate"] == 0.25
    assert result["by_group"]["g=b"]["disparate_impact"] == pytest.approx(1 / 3)
    assert result["by_group"]["g=a"]["status"] == "ok"
    assert result["overall"]["selection_rate"] == 0.5
    assert result["aggregates"]["demographic_parity_difference"] == 0.5  # 0.75 - 0.25
    assert result["thresholds"] == [
        {
            "metric": "demographic_parity_difference",
            "value": 0.5,
            "limit": 0.4,
            "op": "max",
            "passed": False,
            "message": "demographic_parity_difference = 0.5, above the maximum 0.4",
        },
        {
            "metric": "disparate_impact_ratio",
            "value": pytest.approx(1 / 3),
            "limit": 0.8,
            "op": "min",
            "passed": False,
            "message": "disparate_impact_ratio = 0.3333, below the minimum 0.8",
        },
    ]
    assert result["passed"] is False
    assert summary("fairness", report, [])["passed"] is True  # no limit, nothing fails
    json.dumps(result, allow_nan=False)


def test_summary_is_json_safe_when_groups_are_too_small():
    report = _toy_fairness_report(min_group_size=30).to_dict()  # both groups too small
    limits = parse_thresholds(["dp_difference=0.1"], [], kind="fairness")
    result = summary("fairness", report, evaluate("fairness", report, limits))
    assert result["aggregates"]["demographic_parity_difference"] is None
    assert result["by_group"]["g=a"]["status"] == "insufficient data"
    assert result["thresholds"][0]["value"] is None
    assert "not enough data in the groups" in result["thresholds"][0]["message"]
    assert result["passed"] is False
    text = json.dumps(result, allow_nan=False)  # no NaN anywhere
    assert "NaN" not in text


def test_summary_replaces_nan_and_infinity_by_null():
    report = {
        "task": "classification",
        "by_group": {"g=a": {"count": 3.0, "precision": math.nan}},
        "overall": {"count": 3.0, "precision": math.inf},
    }
    result = summary("performance", report, [])
    assert result["by_group"]["g=a"]["precision"] is None
    assert result["overall"]["precision"] is None
    assert result["aggregates"] == {}
    json.dumps(result, allow_nan=False)


def _drift_report(drifted):
    return {
        "columns": {
            "age": {"column": "age", "statistic": 0.3, "drifted": drifted},
            "income": {"column": "income", "statistic": 0.01, "drifted": False},
        },
        "drifted_columns": ["age"] if drifted else [],
        "share_drifted": 0.5 if drifted else 0.0,
        "share": 0.5,
        "dataset_drifted": drifted,
        "n_reference": 100,
        "n_current": 80,
    }


def test_drift_summary_without_thresholds_follows_the_data_set_verdict():
    drifted = summary("drift", _drift_report(True), [])
    assert set(drifted) == SUMMARY_KEYS
    assert drifted["by_group"]["age"]["statistic"] == 0.3
    assert drifted["overall"] == {"n_reference": 100, "n_current": 80, "columns": 2}
    assert drifted["aggregates"] == {
        "share_drifted": 0.5,
        "drifted_columns": 1,
        "dataset_drifted": True,
        "share": 0.5,
    }
    assert drifted["passed"] is False
    assert summary("drift", _drift_report(False), [])["passed"] is True


def test_drift_summary_with_thresholds_follows_the_thresholds_alone():
    report = _drift_report(True)  # the detector says drifted...
    limits = parse_thresholds(["share_drifted=0.6"], [], kind="drift")
    result = summary("drift", report, evaluate("drift", report, limits))
    assert result["passed"] is True  # ...but the limit allows 60 % of the columns
    limits = parse_thresholds(["drifted_columns=0"], [], kind="drift")
    assert summary("drift", report, evaluate("drift", report, limits))["passed"] is False


def test_quality_summary_fails_with_a_failed_check_even_when_thresholds_pass():
    report = quality_report(
        {"age": [25, 41, None, 130]}, max_missing=0.5, ranges={"age": (0, 120)}, min_rows=2
    ).to_dict()
    limits = parse_thresholds(["failed_checks=1"], [], kind="quality")
    results = evaluate("quality", report, limits)
    assert results[0].value == 1.0 and results[0].passed
    result = summary("quality", report, results)
    assert set(result) == SUMMARY_KEYS
    assert list(result["by_group"]) == ["min_rows", "missing_share:age", "range:age"]
    assert result["by_group"]["range:age"]["passed"] is False
    assert result["overall"] == {"n_rows": 4, "columns": 1}
    assert result["aggregates"] == {"failed_checks": 1, "checks": 3}
    assert result["passed"] is False
    passing = quality_report({"age": [25, 41]}, ranges={"age": (0, 120)}).to_dict()
    assert summary("quality", passing, [])["passed"] is True


def test_the_docstring_examples_run():
    import doctest

    import aims.metrics.thresholds

    result = doctest.testmod(aims.metrics.thresholds, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
