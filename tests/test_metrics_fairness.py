"""Fairness metrics: hand-checked toy cases, agreement with fairlearn on UCI Adult, bad input."""

import functools
import json
import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SHARED_REFERENCE, require_reference

from aims.metrics import (
    ConfusionCounts,
    FairnessStatistics,
    InputError,
    demographic_parity_difference,
    demographic_parity_ratio,
    disparate_impact_ratio,
    equalized_odds_difference,
    fairness_from_statistics,
    fairness_report,
    fairness_statistics,
)

ADULT = SHARED_REFERENCE / "adult"
ADULT_COLUMNS = (
    "age workclass fnlwgt education education-num marital-status occupation relationship "
    "race sex capital-gain capital-loss hours-per-week native-country income"
).split()
TOLERANCE = 1e-9


@functools.cache
def _adult_predictions():
    """Adult test rows with a logistic regression's predictions and scores (trained on adult.data)."""
    require_reference(ADULT / "adult.data")
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    train = pd.read_csv(ADULT / "adult.data", names=ADULT_COLUMNS, skipinitialspace=True)
    test = pd.read_csv(ADULT / "adult.test", names=ADULT_COLUMNS, skipinitialspace=True, skiprows=1)
    numeric = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
    categorical = ["workclass", "marital-status", "occupation", "relationship"]

    def features():
        return make_column_transformer(
            (StandardScaler(), numeric), (OneHotEncoder(handle_unknown="ignore"), categorical)
        )

    model = make_pipeline(features(), LogisticRegression(max_iter=1000))
    y_train = (train["income"] == ">50K").astype(int)
    y_test = (test["income"].str.rstrip(".") == ">50K").astype(int)
    model.fit(train, y_train)
    hours = ["age", "education-num", "capital-gain", "capital-loss"]
    regression = make_pipeline(
        make_column_transformer((StandardScaler(), hours), (OneHotEncoder(), ["sex"])),
        LinearRegression(),
    )
    regression.fit(train, train["hours-per-week"])
    return pd.DataFrame(
        {
            "y": y_test.to_numpy(),
            "y_pred": model.predict(test),
            "score": model.predict_proba(test)[:, 1],
            "sex": test["sex"].to_numpy(),
            "race": test["race"].to_numpy(),
            "hours": test["hours-per-week"].astype(float).to_numpy(),
            "hours_pred": regression.predict(test),
        }
    )


def load_adult_predictions():
    """The cached Adult predictions (a copy, so tests cannot change each other's data)."""
    require_reference(ADULT / "adult.data")
    return _adult_predictions().copy()


@pytest.fixture(scope="module")
def adult():
    return load_adult_predictions()


# --------------------------------------------------------------------------------------------
# Toy inputs, answers by hand
# --------------------------------------------------------------------------------------------

TOY = {
    # group a: y = 1 1 1 0 0 0, y_hat = 1 1 0 1 0 0 -> tp 2, fn 1, fp 1, tn 2
    # group b: y = 1 1 0 0,     y_hat = 1 0 0 0     -> tp 1, fn 1, fp 0, tn 2
    "y": [1, 1, 1, 0, 0, 0, 1, 1, 0, 0],
    "y_hat": [1, 1, 0, 1, 0, 0, 1, 0, 0, 0],
    "g": ["a"] * 6 + ["b"] * 4,
}


def test_it_counts_the_confusion_cells_per_group():
    stats = fairness_statistics(TOY, label="y", prediction="y_hat", sensitive="g")
    assert stats.groups == (("a",), ("b",))
    assert stats.counts == (ConfusionCounts(tp=2, fp=1, tn=2, fn=1), ConfusionCounts(1, 0, 2, 1))


def test_it_computes_every_group_metric_by_hand():
    report = fairness_report(TOY, label="y", prediction="y_hat", sensitive="g", min_group_size=1)
    a, b, overall = report.by_group["g=a"], report.by_group["g=b"], report.overall
    # a: selection 3/6, base rate 3/6, TPR 2/3, FPR 1/3, TNR 2/3, FNR 1/3, PPV 2/3, NPV 2/3, acc 4/6
    assert a["count"] == 6
    assert a["selection_rate"] == pytest.approx(0.5)
    assert a["base_rate"] == pytest.approx(0.5)
    assert a["true_positive_rate"] == pytest.approx(2 / 3)
    assert a["false_positive_rate"] == pytest.approx(1 / 3)
    assert a["true_negative_rate"] == pytest.approx(2 / 3)
    assert a["false_negative_rate"] == pytest.approx(1 / 3)
    assert a["positive_predictive_value"] == pytest.approx(2 / 3)
    assert a["negative_predictive_value"] == pytest.approx(2 / 3)
    assert a["accuracy"] == pytest.approx(4 / 6)
    # b: selection 1/4, TPR 1/2, FPR 0/2 = 0, PPV 1/1, NPV 2/3, accuracy 3/4
    assert b["selection_rate"] == pytest.approx(0.25)
    assert b["true_positive_rate"] == pytest.approx(0.5)
    assert b["false_positive_rate"] == 0
    assert b["positive_predictive_value"] == 1
    assert b["accuracy"] == pytest.approx(0.75)
    # overall: tp 3, fp 1, tn 4, fn 2 -> selection 4/10, TPR 3/5, FPR 1/5
    assert overall["selection_rate"] == pytest.approx(0.4)
    assert overall["true_positive_rate"] == pytest.approx(0.6)
    assert overall["false_positive_rate"] == pytest.approx(0.2)


def test_it_aggregates_by_hand_both_ways():
    report = fairness_report(TOY, label="y", prediction="y_hat", sensitive="g", min_group_size=1)
    agg = report.aggregates
    # selection rates 0.5 and 0.25 (overall 0.4): difference 0.25, ratio 0.5
    assert agg["demographic_parity_difference"] == pytest.approx(0.25)
    assert agg["demographic_parity_ratio"] == pytest.approx(0.5)
    # TPR 2/3 vs 1/2 -> 1/6; FPR 1/3 vs 0 -> 1/3; worst case 1/3, mean 1/4
    assert agg["equal_opportunity_difference"] == pytest.approx(1 / 6)
    assert agg["equalized_odds_difference"] == pytest.approx(1 / 3)
    assert agg["equalized_odds_difference_mean"] == pytest.approx(0.25)
    # TPR ratio (1/2)/(2/3) = 3/4, FPR ratio 0 -> worst 0, mean 3/8
    assert agg["equalized_odds_ratio"] == pytest.approx(0)
    assert agg["equalized_odds_ratio_mean"] == pytest.approx(3 / 8)
    # PPV 2/3 vs 1 -> difference 1/3, ratio 2/3
    assert agg["predictive_parity_difference"] == pytest.approx(1 / 3)
    assert agg["predictive_parity_ratio"] == pytest.approx(2 / 3)
    # reference = highest selection rate (a): b/a = 0.25/0.5 = 0.5 < 0.8
    assert report.reference_group == "g=a"
    assert agg["disparate_impact_ratio"] == pytest.approx(0.5)
    assert report.meets_four_fifths_rule is False
    # to overall: |0.5-0.4| = 0.1, |0.25-0.4| = 0.15 -> 0.15; ratios 0.4/0.5 = 0.8, 0.25/0.4 = 0.625
    assert report.difference("selection_rate", method="to_overall") == pytest.approx(0.15)
    assert report.ratio("selection_rate", method="to_overall") == pytest.approx(0.625)
    to_overall = fairness_report(
        TOY, label="y", prediction="y_hat", sensitive="g", min_group_size=1, method="to_overall"
    )
    assert to_overall.aggregates["demographic_parity_difference"] == pytest.approx(0.15)
    assert to_overall.aggregates["demographic_parity_ratio"] == pytest.approx(0.625)


def test_it_reports_small_groups_as_insufficient_and_leaves_them_out():
    data = {
        # a: 40 rows, 20 selected (0.5); b: 40 rows, 30 selected (0.75); c: 5 rows, 0 selected
        "y": [1] * 85,
        "y_hat": [1] * 20 + [0] * 20 + [1] * 30 + [0] * 10 + [0] * 5,
        "g": ["a"] * 40 + ["b"] * 40 + ["c"] * 5,
    }
    report = fairness_report(data, label="y", prediction="y_hat", sensitive="g")
    assert report.insufficient == ("g=c",)
    assert report.status == {"g=a": "ok", "g=b": "ok", "g=c": "insufficient data"}
    assert report.by_group["g=c"]["selection_rate"] == 0  # shown, not dropped
    assert report.aggregates["demographic_parity_difference"] == pytest.approx(0.25)
    assert report.aggregates["disparate_impact_ratio"] == pytest.approx(0.5 / 0.75)
    everything = fairness_report(
        data, label="y", prediction="y_hat", sensitive="g", min_group_size=5
    )
    assert everything.aggregates["demographic_parity_difference"] == pytest.approx(0.75)


def test_undefined_rates_are_nan_and_skipped():
    # group b has no positive labels: its TPR is undefined (fairlearn would report 0)
    data = {"y": [1, 0, 0, 0], "y_hat": [1, 0, 1, 0], "g": ["a", "a", "b", "b"]}
    report = fairness_report(data, label="y", prediction="y_hat", sensitive="g", min_group_size=1)
    assert math.isnan(report.by_group["g=b"]["true_positive_rate"])
    assert report.aggregates["equal_opportunity_difference"] == 0  # only a's TPR is defined
    assert report.to_dict()["by_group"]["g=b"]["true_positive_rate"] is None


def test_a_chosen_reference_group_sets_the_disparate_impact_ratio():
    # selection rates: a 0.5, b 0.25 -> against b: a/b = 2, b/b = 1 -> minimum 1
    kwargs = dict(label="y", prediction="y_hat", sensitive="g", min_group_size=1)
    assert fairness_report(TOY, reference_group="g=b", **kwargs).disparate_impact == {
        "g=a": 2.0,
        "g=b": 1.0,
    }
    for reference in ("g=b", "b", ("b",), {"g": "b"}):
        assert disparate_impact_ratio(TOY, reference_group=reference, **kwargs) == 1.0
    assert disparate_impact_ratio(TOY, reference_group="a", **kwargs) == 0.5


def test_scores_are_thresholded_with_greater_or_equal():
    data = {"y": [1, 1, 0, 0], "p": [0.5, 0.4, 0.5, 0.1], "g": ["a", "a", "b", "b"]}
    stats = fairness_statistics(data, label="y", score="p", threshold=0.5, sensitive="g")
    # a: 0.5 >= 0.5 is positive (tp), 0.4 is not (fn); b: 0.5 -> fp, 0.1 -> tn
    assert stats.counts == (ConfusionCounts(1, 0, 0, 1), ConfusionCounts(0, 1, 1, 0))
    assert stats.threshold == 0.5


def test_intersections_are_named_by_every_feature():
    data = {
        "y": [1, 0, 1, 0],
        "y_hat": [1, 0, 0, 0],
        "sex": ["F", "F", "M", "M"],
        "race": ["x", "y", "x", "x"],
    }
    report = fairness_report(
        data, label="y", prediction="y_hat", sensitive=["sex", "race"], min_group_size=1
    )
    assert list(report.by_group) == ["sex=F, race=x", "sex=F, race=y", "sex=M, race=x"]
    assert report.by_group["sex=M, race=x"]["count"] == 2


def test_boolean_and_text_labels():
    booleans = {"y": [True, False, True], "y_hat": [True, True, False], "g": ["a", "a", "a"]}
    assert fairness_statistics(booleans, label="y", prediction="y_hat", sensitive="g").counts == (
        ConfusionCounts(tp=1, fp=1, tn=0, fn=1),
    )
    text = {"y": ["yes", "no", "yes"], "y_hat": ["yes", "yes", "no"], "g": ["a", "a", "a"]}
    stats = fairness_statistics(
        text, label="y", prediction="y_hat", sensitive="g", positive_label="yes"
    )
    assert stats.counts == (ConfusionCounts(tp=1, fp=1, tn=0, fn=1),)
    assert stats.positive_label == "yes"
    twos = {"y": [2, 1, 2], "y_hat": [2, 2, 1], "g": ["a", "a", "a"]}
    stats = fairness_statistics(
        twos, label="y", prediction="y_hat", sensitive="g", positive_label=2
    )
    assert stats.counts == (ConfusionCounts(tp=1, fp=1, tn=0, fn=1),)


def test_missing_sensitive_values_form_their_own_group():
    data = {"y": [1, 0, 1], "y_hat": [1, 0, 0], "g": ["a", None, None]}
    report = fairness_report(data, label="y", prediction="y_hat", sensitive="g", min_group_size=1)
    assert list(report.by_group) == ["g=a", "g=(missing)"]


def test_the_statistics_round_trip_through_json_and_give_the_same_report():
    stats = fairness_statistics(TOY, label="y", prediction="y_hat", sensitive="g")
    posted = json.loads(json.dumps(stats.to_dict()))
    assert "y" not in json.dumps(posted["groups"])  # counts only, no rows
    again = FairnessStatistics.from_dict(posted)
    assert again == stats
    kwargs = dict(min_group_size=1, n_boot=50, seed=3)
    assert (
        fairness_from_statistics(again, **kwargs).to_dict()
        == fairness_report(TOY, label="y", prediction="y_hat", sensitive="g", **kwargs).to_dict()
    )


@pytest.mark.parametrize(
    "broken, message",
    [
        ({"kind": "drift"}, "expected kind 'fairness'"),
        ({"kind": "fairness", "sensitive": ["g"], "groups": []}, "non-empty list"),
        (
            {"kind": "fairness", "sensitive": ["g"], "groups": [{"values": ["a"], "tp": -1}]},
            "tp must be a non-negative integer",
        ),
        (
            {
                "kind": "fairness",
                "sensitive": ["g"],
                "groups": [{"values": ["a", "b"], "tp": 1, "fp": 1, "tn": 1, "fn": 1}],
            },
            "has 2 values for 1 sensitive features",
        ),
    ],
)
def test_malformed_statistics_are_refused(broken, message):
    with pytest.raises(InputError, match=message):
        FairnessStatistics.from_dict(broken)


def test_bootstrap_intervals_are_reproducible_and_cover_the_estimate():
    rng = np.random.default_rng(1)
    n = 20_000
    g = rng.choice(["a", "b", "c"], n)
    y = rng.integers(0, 2, n)
    y_hat = (rng.random(n) < np.where(g == "a", 0.6, 0.4)).astype(int)
    data = {"y": y, "y_hat": y_hat, "g": g}
    kwargs = dict(label="y", prediction="y_hat", sensitive="g", n_boot=400, seed=7)
    first = fairness_report(data, **kwargs)
    assert first.intervals == fairness_report(data, **kwargs).intervals
    low, high = first.intervals["demographic_parity_difference"]
    point = first.aggregates["demographic_parity_difference"]
    assert low < point < high
    # selection rate of ~6,700 rows has sd ~0.006: a 95 % interval of the difference is ~0.03 wide
    assert 0.01 < high - low < 0.06
    assert fairness_report(data, label="y", prediction="y_hat", sensitive="g").intervals == {}


def test_the_scalar_helpers_agree_with_the_report():
    kwargs = dict(label="y", prediction="y_hat", sensitive="g", min_group_size=1)
    report = fairness_report(TOY, **kwargs)
    assert (
        demographic_parity_difference(TOY, **kwargs)
        == report.aggregates["demographic_parity_difference"]
    )
    assert demographic_parity_ratio(TOY, **kwargs) == 0.5
    assert equalized_odds_difference(TOY, **kwargs) == pytest.approx(1 / 3)
    assert equalized_odds_difference(TOY, agg="mean", **kwargs) == pytest.approx(0.25)


def test_every_input_kind_gives_the_same_counts(tmp_path):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    table = pa.table(TOY)
    pq.write_table(table, tmp_path / "log.parquet")
    pd.DataFrame(TOY).to_csv(tmp_path / "log.csv", index=False)
    expected = fairness_statistics(TOY, label="y", prediction="y_hat", sensitive="g")
    for data in (
        table,
        table.to_reader(),
        pd.DataFrame(TOY),
        pl.DataFrame(TOY),
        {k: np.asarray(v) for k, v in TOY.items()},
        str(tmp_path / "log.parquet"),
        tmp_path / "log.csv",
    ):
        assert fairness_statistics(data, label="y", prediction="y_hat", sensitive="g") == expected


# --------------------------------------------------------------------------------------------
# Agreement with fairlearn on UCI Adult
# --------------------------------------------------------------------------------------------


def _fairlearn_frame(adult, features, y_pred):
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    def negative_predictive_value(y_true, y_pred):
        return precision_score(1 - np.asarray(y_true), 1 - np.asarray(y_pred), zero_division=np.nan)

    metrics = {
        "count": count,
        "base_rate": lambda y_true, y_pred: float(np.mean(y_true)),
        "selection_rate": selection_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "true_negative_rate": true_negative_rate,
        "false_negative_rate": false_negative_rate,
        "positive_predictive_value": lambda t, p: precision_score(t, p, zero_division=np.nan),
        "negative_predictive_value": negative_predictive_value,
        "accuracy": accuracy_score,
    }
    return MetricFrame(
        metrics=metrics, y_true=adult["y"], y_pred=y_pred, sensitive_features=adult[features]
    )


def _name(features, index):
    values = index if isinstance(index, tuple) else (index,)
    return ", ".join(f"{f}={v}" for f, v in zip(features, values, strict=True))


FEATURE_SETS = [["sex"], ["race"], ["sex", "race"]]


@pytest.mark.parametrize("features", FEATURE_SETS, ids=lambda f: "x".join(f))
def test_group_metrics_equal_fairlearn_on_adult(adult, features):
    report = fairness_report(
        adult, label="y", prediction="y_pred", sensitive=features, min_group_size=1
    )
    frame = _fairlearn_frame(adult, features, adult["y_pred"])
    assert len(report.by_group) == len(frame.by_group) >= 2
    worst = 0.0
    for index, row in frame.by_group.iterrows():
        ours = report.by_group[_name(features, index)]
        for metric, value in row.items():
            worst = max(worst, abs(ours[metric] - value))
    for metric, value in frame.overall.items():
        worst = max(worst, abs(report.overall[metric] - value))
    assert worst <= TOLERANCE


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
@pytest.mark.parametrize("features", FEATURE_SETS, ids=lambda f: "x".join(f))
def test_aggregates_equal_fairlearn_on_adult(adult, features, method):
    import fairlearn.metrics as flm

    report = fairness_report(
        adult, label="y", prediction="y_pred", sensitive=features, min_group_size=1, method=method
    )
    args = (adult["y"], adult["y_pred"])
    kwargs = dict(sensitive_features=adult[features], method=method)
    expected = {
        "demographic_parity_difference": flm.demographic_parity_difference(*args, **kwargs),
        "demographic_parity_ratio": flm.demographic_parity_ratio(*args, **kwargs),
        "equalized_odds_difference": flm.equalized_odds_difference(*args, **kwargs),
        "equalized_odds_difference_mean": flm.equalized_odds_difference(
            *args, agg="mean", **kwargs
        ),
        "equalized_odds_ratio": flm.equalized_odds_ratio(*args, **kwargs),
        "equalized_odds_ratio_mean": flm.equalized_odds_ratio(*args, agg="mean", **kwargs),
        "equal_opportunity_difference": flm.equal_opportunity_difference(*args, **kwargs),
        "equal_opportunity_ratio": flm.equal_opportunity_ratio(*args, **kwargs),
    }
    frame = _fairlearn_frame(adult, features, adult["y_pred"])
    expected["predictive_parity_difference"] = frame.difference(method=method)[
        "positive_predictive_value"
    ]
    expected["predictive_parity_ratio"] = frame.ratio(method=method)["positive_predictive_value"]
    for name, value in expected.items():
        assert abs(report.aggregates[name] - value) <= TOLERANCE, name
    # every metric's difference and ratio, through the report's methods
    differences, ratios = frame.difference(method=method), frame.ratio(method=method)
    for metric in frame.overall.index:
        if metric == "count":
            continue
        assert abs(report.difference(metric, method=method) - differences[metric]) <= TOLERANCE
        assert abs(report.ratio(metric, method=method) - ratios[metric]) <= TOLERANCE
    # disparate impact against the most selected group = demographic parity ratio between groups
    selection = frame.by_group["selection_rate"]
    assert abs(report.aggregates["disparate_impact_ratio"] - selection.min() / selection.max()) <= (
        TOLERANCE
    )


def test_scores_with_a_threshold_equal_fairlearn_on_thresholded_predictions(adult):
    report = fairness_report(
        adult, label="y", score="score", threshold=0.3, sensitive=["sex", "race"], min_group_size=1
    )
    thresholded = (adult["score"] >= 0.3).astype(int)
    frame = _fairlearn_frame(adult, ["sex", "race"], thresholded)
    for index, row in frame.by_group.iterrows():
        ours = report.by_group[_name(["sex", "race"], index)]
        for metric, value in row.items():
            assert abs(ours[metric] - value) <= TOLERANCE
    import fairlearn.metrics as flm

    expected = flm.equalized_odds_difference(
        adult["y"], thresholded, sensitive_features=adult[["sex", "race"]]
    )
    assert abs(report.aggregates["equalized_odds_difference"] - expected) <= TOLERANCE


def test_excluded_groups_leave_fairlearns_aggregate_over_the_rest(adult):
    features = ["sex", "race"]
    report = fairness_report(
        adult, label="y", prediction="y_pred", sensitive=features, min_group_size=100
    )
    # Adult test: female and male Amer-Indian-Eskimo (66, 93) and Other (46, 89) are below 100
    assert set(report.insufficient) == {
        "sex=Female, race=Amer-Indian-Eskimo",
        "sex=Female, race=Other",
        "sex=Male, race=Amer-Indian-Eskimo",
        "sex=Male, race=Other",
    }
    frame = _fairlearn_frame(adult, features, adult["y_pred"])
    kept = frame.by_group[frame.by_group["count"] >= 100]
    for metric in ("selection_rate", "true_positive_rate", "positive_predictive_value"):
        between = kept[metric].max() - kept[metric].min()
        to_overall = (kept[metric] - frame.overall[metric]).abs().max()
        assert abs(report.difference(metric) - between) <= TOLERANCE
        assert abs(report.difference(metric, method="to_overall") - to_overall) <= TOLERANCE


# --------------------------------------------------------------------------------------------
# Bad input: each message names the column or file and the problem
# --------------------------------------------------------------------------------------------


def _report(data, **overrides):
    kwargs = dict(label="y", prediction="y_hat", sensitive="g")
    kwargs.update(overrides)
    return fairness_report(data, **kwargs)


def test_a_misspelled_column_is_named_with_close_matches():
    with pytest.raises(InputError, match=r"column 'y_hta' not found \(did you mean 'y_hat'\?\)"):
        _report(TOY, prediction="y_hta")


def test_a_label_with_three_values_is_refused():
    data = dict(TOY, y=[0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    with pytest.raises(InputError, match=r"label column 'y' has 3 distinct values \(0, 1, 2\)"):
        _report(data)


def test_a_label_with_two_values_other_than_zero_and_one_needs_positive_label():
    data = dict(TOY, y=[1, 2] * 5, y_hat=[1, 2] * 5)
    with pytest.raises(InputError, match="label column 'y' has 2 distinct.*positive_label="):
        _report(data)


def test_text_labels_without_positive_label_are_refused():
    data = dict(TOY, y=["yes", "no"] * 5)
    with pytest.raises(InputError, match=r"label column 'y' holds text values \('no', 'yes'\)"):
        _report(data)


def test_a_positive_label_that_never_occurs_is_refused():
    data = dict(TOY, y=["yes", "no"] * 5, y_hat=["yes", "no"] * 5)
    with pytest.raises(InputError, match="positive_label 'Yes' does not occur in label column"):
        _report(data, positive_label="Yes")


def test_nan_in_labels_is_refused():
    data = dict(TOY, y=[1.0, np.nan, 0, 0, 1, 1, 0, 0, 1, 0])
    with pytest.raises(InputError, match="label column 'y' has 1 missing values"):
        _report(data)


def test_missing_predictions_are_refused():
    data = dict(TOY, y_hat=[1, None, 0, 1, 0, 0, 1, 0, 0, 0])
    with pytest.raises(InputError, match="prediction column 'y_hat' has 1 missing values"):
        _report(data)


def test_nan_scores_are_refused():
    data = dict(TOY, p=[0.1, np.nan] * 5)
    with pytest.raises(InputError, match="prediction column 'p' has 5 missing values"):
        _report(data, prediction=None, score="p")


def test_scores_passed_as_predictions_are_refused_with_a_hint():
    data = dict(TOY, y_hat=np.linspace(0, 1, 10))
    with pytest.raises(InputError, match="prediction column 'y_hat' has 10 distinct.*score="):
        _report(data)


def test_empty_data_is_refused():
    data = {"y": np.array([], dtype=int), "y_hat": np.array([], dtype=int), "g": []}
    data["g"] = np.array([], dtype=str)
    with pytest.raises(InputError, match="data: the data has no rows"):
        _report(data)


def test_a_sensitive_feature_with_too_many_values_is_refused():
    n = 3000
    data = {"y": np.zeros(n, int), "y_hat": np.zeros(n, int), "g": np.arange(n)}
    with pytest.raises(InputError, match="sensitive feature 'g' has 3,000 distinct values"):
        _report(data)
    assert _report(data, max_categories=5000, min_group_size=1).by_group["g=7"]["count"] == 1


def test_an_unknown_reference_group_is_refused_with_close_matches():
    with pytest.raises(InputError, match=r"reference group 'g=c' does not exist.*groups: g=a, g=b"):
        _report(TOY, reference_group="c", min_group_size=1)
    with pytest.raises(InputError, match="reference group 'g=b' has 4 rows, fewer than"):
        _report(TOY, reference_group="b")


def test_a_corrupt_parquet_file_is_refused_by_name(tmp_path):
    path = tmp_path / "predictions.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(InputError, match="predictions.parquet: not a readable Parquet file"):
        _report(str(path))


def test_prediction_and_score_together_are_refused():
    with pytest.raises(InputError, match="exactly one of prediction="):
        _report(dict(TOY, p=[0.5] * 10), score="p")


def test_the_docstring_examples_run():
    import doctest

    import aims.metrics._distributions
    import aims.metrics._stats
    import aims.metrics.fairness
    import aims.metrics.io
    import aims.metrics.performance

    for module in (
        aims.metrics._distributions,
        aims.metrics._stats,
        aims.metrics.fairness,
        aims.metrics.io,
        aims.metrics.performance,
    ):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0, module.__name__
        assert result.failed == 0, module.__name__
