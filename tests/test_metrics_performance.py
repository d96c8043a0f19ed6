"""Performance metrics: hand-checked toy cases, agreement with scikit-learn on UCI Adult."""

import json
import math

import numpy as np
import pytest
from test_metrics_fairness import load_adult_predictions

from aims.metrics import InputError, PerformanceStatistics, performance_report
from aims.metrics.performance import performance_from_statistics

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def adult():
    return load_adult_predictions()


def test_auc_counts_ties_as_one_half_by_hand():
    # positives score 0.8, 0.5; negatives 0.5, 0.2. Pairs (pos, neg): (0.8,0.5) 1, (0.8,0.2) 1,
    # (0.5,0.5) tie 1/2, (0.5,0.2) 1 -> AUC = 3.5 / 4
    data = {"y": [1, 1, 0, 0], "s": [0.8, 0.5, 0.5, 0.2]}
    report = performance_report(data, label="y", score="s")
    assert report.overall["roc_auc"] == 0.875
    assert report.statistics.overall_ranks.u2 == 7
    # at threshold 0.5: predictions 1 1 1 0 -> tp 2, fp 1, tn 1, fn 0
    assert report.overall["accuracy"] == 0.75
    assert report.overall["precision"] == pytest.approx(2 / 3)
    assert report.overall["recall"] == 1
    assert report.overall["f1"] == pytest.approx(0.8)  # 2*2 / (2*2 + 1 + 0)


def test_per_group_metrics_by_hand():
    data = {
        "y": [1, 0, 1, 0, 1, 1],
        "s": [0.9, 0.1, 0.2, 0.3, 0.7, 0.6],
        "g": ["a", "a", "b", "b", "b", "b"],
    }
    report = performance_report(data, label="y", score="s", sensitive="g", min_group_size=1)
    # a: perfect ranking -> AUC 1; b: positives 0.2, 0.7, 0.6 vs negative 0.3 -> 2 of 3 -> 2/3
    assert report.by_group["g=a"]["roc_auc"] == 1
    assert report.by_group["g=b"]["roc_auc"] == pytest.approx(2 / 3)
    # overall: positives .9 .2 .7 .6 vs negatives .1 .3: 4 + 3 = 7 of 8 wins
    assert report.overall["roc_auc"] == pytest.approx(7 / 8)
    assert report.difference("roc_auc") == pytest.approx(1 / 3)


def test_regression_errors_by_hand():
    data = {"y": [1.0, 2.0, 3.0, 4.0], "p": [2.0, 2.0, 1.0, 4.0], "g": ["a", "a", "b", "b"]}
    report = performance_report(
        data, label="y", prediction="p", task="regression", sensitive="g", min_group_size=1
    )
    # errors: 1, 0 | 2, 0 -> MAE a 0.5, b 1; RMSE a sqrt(1/2), b sqrt(4/2); overall MAE 3/4
    assert report.by_group["g=a"]["mae"] == 0.5
    assert report.by_group["g=b"]["rmse"] == pytest.approx(math.sqrt(2))
    assert report.overall["mae"] == 0.75
    assert report.overall["rmse"] == pytest.approx(math.sqrt(5 / 4))


def test_hard_predictions_without_scores_have_no_auc():
    report = performance_report({"y": [1, 0], "y_hat": [1, 1]}, label="y", prediction="y_hat")
    assert math.isnan(report.overall["roc_auc"])
    assert report.overall["precision"] == 0.5


def test_performance_statistics_round_trip_through_json():
    data = {"y": [1, 0, 1, 0], "s": [0.9, 0.1, 0.2, 0.3], "g": ["a", "a", "b", "b"]}
    report = performance_report(data, label="y", score="s", sensitive="g", min_group_size=1)
    posted = json.loads(json.dumps(report.statistics.to_dict()))
    again = performance_from_statistics(PerformanceStatistics.from_dict(posted), min_group_size=1)
    assert again.to_dict() == report.to_dict()


@pytest.mark.parametrize("features", [None, ["sex"], ["sex", "race"]])
def test_classification_metrics_equal_scikit_learn_on_adult(adult, features):
    from sklearn.metrics import (
        accuracy_score,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    report = performance_report(
        adult, label="y", prediction="y_pred", score="score", sensitive=features, min_group_size=1
    )

    def expected(frame):
        y, p = frame["y"], frame["y_pred"]
        return {
            "count": len(frame),
            "accuracy": accuracy_score(y, p),
            "precision": precision_score(y, p),
            "recall": recall_score(y, p),
            "f1": f1_score(y, p),
            "roc_auc": roc_auc_score(y, frame["score"]),
        }

    worst = max(abs(report.overall[m] - v) for m, v in expected(adult).items())
    if features:
        for values, frame in adult.groupby(features):
            name = ", ".join(f"{f}={v}" for f, v in zip(features, values, strict=True))
            ours = report.by_group[name]
            worst = max(worst, *(abs(ours[m] - v) for m, v in expected(frame).items()))
        assert len(report.by_group) == adult.groupby(features).ngroups
    assert worst <= TOLERANCE


def test_regression_metrics_equal_scikit_learn_on_adult(adult):
    from sklearn.metrics import mean_absolute_error, root_mean_squared_error

    report = performance_report(
        adult, label="hours", prediction="hours_pred", task="regression", sensitive="race"
    )
    assert (
        abs(report.overall["mae"] - mean_absolute_error(adult["hours"], adult["hours_pred"]))
        <= TOLERANCE
    )
    assert (
        abs(report.overall["rmse"] - root_mean_squared_error(adult["hours"], adult["hours_pred"]))
        <= TOLERANCE
    )
    for race, frame in adult.groupby("race"):
        ours = report.by_group[f"race={race}"]
        assert abs(ours["mae"] - mean_absolute_error(frame["hours"], frame["hours_pred"])) <= (
            TOLERANCE
        )
        assert (
            abs(ours["rmse"] - root_mean_squared_error(frame["hours"], frame["hours_pred"]))
            <= TOLERANCE
        )


def test_bad_performance_input_is_named():
    with pytest.raises(InputError, match="score column 's' has 1 missing values"):
        performance_report(
            {"y": [1, 0], "p": [1, 0], "s": [0.5, np.nan]}, label="y", prediction="p", score="s"
        )
    with pytest.raises(InputError, match="label column 'y' has type VARCHAR; regression needs"):
        performance_report({"y": ["a"], "p": [1.0]}, label="y", prediction="p", task="regression")
    with pytest.raises(InputError, match="prediction column 'p' has 1 missing values"):
        performance_report(
            {"y": [1.0, 2.0], "p": [1.0, np.nan]}, label="y", prediction="p", task="regression"
        )
    with pytest.raises(InputError, match="task must be"):
        performance_report({"y": [1]}, label="y", prediction="y", task="ranking")
    with pytest.raises(InputError, match="column 'scroe' not found"):
        performance_report({"y": [1], "score": [0.2]}, label="y", score="scroe")
