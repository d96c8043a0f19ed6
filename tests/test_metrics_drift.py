"""Drift: hand-checkable toy cases, agreement with SciPy on UCI Adult and synthetic data, bad input."""

import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SHARED_REFERENCE, require_reference
from scipy import stats
from scipy.spatial.distance import jensenshannon

from aims.metrics import InputError
from aims.metrics._distributions import EmpiricalDistribution, ks_and_wasserstein
from aims.metrics.drift import (
    PSI_EPSILON,
    DriftDetector,
    DriftReport,
    NotFittedError,
    drift_report,
    ks_2samp_pvalue,
)

TOL = 1e-9
ADULT = SHARED_REFERENCE / "adult"
ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
]
NUMERIC = ["age", "fnlwgt", "hours-per-week", "capital-gain"]
CATEGORICAL = ["workclass", "education", "race", "sex"]


def scipy_chi2(ref_counts, cur_counts):
    result = stats.chi2_contingency(np.vstack([ref_counts, cur_counts]))
    return result.statistic, result.pvalue


def counts_over_union(reference, current):
    categories = sorted(set(reference) | set(current))
    ref = np.array([np.sum(reference == c) for c in categories], dtype=float)
    cur = np.array([np.sum(current == c) for c in categories], dtype=float)
    return ref, cur


def assert_numeric_agrees(result, reference, current):
    expected_ks = stats.ks_2samp(reference, current)
    assert abs(result.ks_statistic - expected_ks.statistic) <= TOL
    assert abs(result.ks_p_value - expected_ks.pvalue) <= TOL
    wasserstein = stats.wasserstein_distance(reference, current)
    assert abs(result.wasserstein - wasserstein) <= TOL * max(1.0, wasserstein)
    normalized = wasserstein / np.std(reference)
    assert abs(result.wasserstein_normalized - normalized) <= TOL


def assert_categorical_agrees(result, reference, current):
    ref, cur = counts_over_union(reference, current)
    chi2, p = scipy_chi2(ref, cur)
    assert abs(result.chi2 - chi2) <= TOL * max(1.0, chi2)
    assert abs(result.chi2_p_value - p) <= TOL
    assert abs(result.jensen_shannon - jensenshannon(ref, cur, base=2)) <= TOL


# --- hand-checkable toy cases ---------------------------------------------------------------


def test_psi_equals_a_hand_computation_on_quantile_bins():
    # Reference 1..10 with bins=2: the median 5.5 splits it into (-inf, 5.5] and (5.5, inf),
    # 5 values each. Current: 8 values <= 5.5, 2 above.
    reference = {"x": np.arange(1.0, 11.0)}
    current = {"x": np.array([1, 2, 3, 4, 5, 1, 2, 3, 9, 10], dtype=float)}
    report = drift_report(reference, current, bins=2)
    expected = (0.8 - 0.5) * math.log(0.8 / 0.5) + (0.2 - 0.5) * math.log(0.2 / 0.5)
    assert report["x"].psi == pytest.approx(expected, abs=1e-12)
    detector = DriftDetector(bins=2).fit(reference)
    assert detector.bin_edges_["x"].tolist() == [5.5]
    assert detector.reference_counts_["x"].tolist() == [5.0, 5.0]


def test_psi_replaces_an_empty_bin_by_the_documented_epsilon():
    # Categories: reference a=2, b=2; current a=4, b=0 -> b's current share becomes 1e-4.
    report = drift_report({"c": ["a", "a", "b", "b"]}, {"c": ["a", "a", "a", "a"]})
    expected = (1 - 0.5) * math.log(1 / 0.5) + (PSI_EPSILON - 0.5) * math.log(PSI_EPSILON / 0.5)
    assert report["c"].psi == pytest.approx(expected, abs=1e-12)


def test_quantile_bin_edges_equal_numpy_quantiles():
    rng = np.random.default_rng(5)
    x = np.round(rng.gamma(2.0, 3.0, 997), 1)
    detector = DriftDetector(bins=7).fit({"x": x})
    expected = np.unique(np.quantile(x, np.arange(1, 7) / 7))
    np.testing.assert_array_equal(detector.bin_edges_["x"], expected)


def test_chi2_uses_yates_correction_only_for_two_categories():
    reference = np.array(["F"] * 30 + ["M"] * 70)
    current = np.array(["F"] * 45 + ["M"] * 55)
    result = drift_report({"sex": reference}, {"sex": current})["sex"]
    # By hand: expected 37.5 / 62.5 per row; |O - E| = 7.5 reduced to 7 by Yates.
    by_hand = 2 * (7.0**2 / 37.5 + 7.0**2 / 62.5)
    assert result.chi2 == pytest.approx(by_hand, abs=1e-12)
    assert_categorical_agrees(result, reference, current)
    three = drift_report({"g": ["a", "b", "c"] * 10}, {"g": ["a", "a", "b"] * 10})["g"]
    uncorrected = stats.chi2_contingency([[10, 10, 10], [20, 10, 0]], correction=False)
    assert three.chi2 == pytest.approx(uncorrected.statistic, abs=1e-12)


def test_a_single_category_gives_chi2_zero_and_p_value_one():
    result = drift_report({"c": ["x"] * 5}, {"c": ["x"] * 7})["c"]
    assert (result.chi2, result.chi2_p_value, result.drifted) == (0.0, 1.0, False)


def test_ks_p_value_of_a_tiny_exact_case():
    # n1 = n2 = 3, D = 1: only 2 of the C(6, 3) = 20 orderings give D = 1, so p = 0.1.
    assert ks_2samp_pvalue(1.0, 3, 3) == (1.0, pytest.approx(0.1, abs=1e-15))


# --- agreement with SciPy ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n1", "n2", "shift"),
    [
        (40, 40, 0.5),  # exact, equal sizes
        (800, 300, 0.1),  # exact, unequal sizes
        (5000, 3000, 0.05),  # exact, larger
        (20000, 30000, 0.03),  # asymptotic
        (50, 20000, 0.8),  # asymptotic with a small effective n
        (200000, 150000, 0.02),  # asymptotic, tiny p-value (one-sided Smirnov sum)
    ],
)
def test_numeric_statistics_equal_scipy_on_shifted_normals(n1, n2, shift):
    rng = np.random.default_rng(n1 + n2)
    reference = rng.normal(0.0, 1.0, n1)
    current = rng.normal(shift, 1.3, n2)
    result = drift_report({"x": reference}, {"x": current})["x"]
    assert_numeric_agrees(result, reference, current)


@pytest.fixture(scope="module")
def adult():
    require_reference(ADULT / "adult.data")
    pd = pytest.importorskip("pandas")
    options = {"header": None, "names": ADULT_COLUMNS, "skipinitialspace": True}
    train = pd.read_csv(ADULT / "adult.data", **options)
    test = pd.read_csv(ADULT / "adult.test", skiprows=1, **options)
    test["income"] = test["income"].str.rstrip(".")
    return train, test


def test_ks_and_wasserstein_equal_scipy_on_awkward_small_samples():
    """Single values, all ties, disjoint supports, one sample inside the other, unequal sizes."""
    rng = np.random.default_rng(7)
    cases = [
        ([1.0], [1.0]),
        ([1.0], [2.0]),
        ([1.0, 1.0, 1.0], [1.0, 1.0]),
        ([0.0, 5.0], [5.0, 10.0]),
        ([0.0, 1.0, 2.0], [10.0, 11.0]),
        ([0.0, 10.0], [4.0, 5.0, 6.0]),
    ]
    for _ in range(200):
        n1, n2 = rng.integers(1, 40, size=2)
        spread = rng.integers(1, 6)
        cases.append((rng.integers(0, spread, n1) * 1.0, rng.integers(0, spread + 2, n2) * 0.5))
        cases.append((rng.normal(0, 1, n1), rng.normal(0.5, 2, n2)))
    for reference, current in cases:
        reference, current = np.asarray(reference), np.asarray(current)
        d, w = ks_and_wasserstein(
            EmpiricalDistribution.from_sample(reference), EmpiricalDistribution.from_sample(current)
        )
        assert abs(d - stats.ks_2samp(reference, current).statistic) <= TOL, (reference, current)
        expected = stats.wasserstein_distance(reference, current)
        assert abs(w - expected) <= TOL * max(1.0, expected), (reference, current)


def test_ks_and_wasserstein_equal_scipy_on_large_samples_in_every_storage():
    """The branch-and-bound KS and the quantile-function Wasserstein on samples large enough
    for several block levels: whole sorted samples of equal and unequal sizes, distinct values
    with counts (many ties), and one of each."""
    rng = np.random.default_rng(11)
    continuous = rng.normal(0.0, 1.0, 60_000)
    cases = [
        (continuous, rng.normal(0.0, 1.0, 60_000)),  # equal sizes, no drift: many near-ties
        (continuous, rng.normal(0.05, 1.1, 47_123)),  # unequal sizes
        (rng.integers(0, 90, 50_000) * 1.0, rng.integers(5, 95, 31_000) * 1.0),  # counts
        (rng.integers(0, 90, 50_000) * 1.0, rng.normal(45, 20, 20_000)),  # counts and whole
        (np.round(continuous, 1), np.round(rng.normal(0.1, 1, 70_000), 2)),  # partial ties
    ]
    for reference, current in cases:
        ref = EmpiricalDistribution.from_sample(reference)
        cur = EmpiricalDistribution.from_sample(current)
        for left, right in ((ref, cur), (ref, EmpiricalDistribution(np.sort(current), None))):
            d, w = ks_and_wasserstein(left, right)
            assert abs(d - stats.ks_2samp(reference, current).statistic) <= TOL
            expected = stats.wasserstein_distance(reference, current)
            assert abs(w - expected) <= TOL * max(1.0, expected)
            assert (left.approximate, left.rank_error) == (False, 0.0)


def test_a_kept_sample_is_stored_as_counts_only_when_half_its_values_repeat():
    ties = EmpiricalDistribution.from_sorted(np.array([1.0, 1.0, 1.0, 2.0, 2.0, 3.0]))
    assert (ties.values.tolist(), ties.counts.tolist(), ties.n) == ([1.0, 2.0, 3.0], [3, 2, 1], 6)
    mostly_distinct = np.array([1.0, 2.0, 2.0, 3.0, 4.0])
    kept = EmpiricalDistribution.from_sorted(mostly_distinct)
    assert kept.values is mostly_distinct and kept.n == 5
    assert EmpiricalDistribution.from_sorted(ties.values, compress=False).values.size == 3
    assert kept.quantiles(np.array([0.5])).tolist() == [2.0]
    assert ties.count_at_most(np.array([1.0, 2.5])).tolist() == [3, 5]


def test_missing_and_infinite_values_are_found_after_sorting(tmp_path):
    # NaN sorts last and -inf first: the exact path finds both without a pass over the values.
    values = [3.0, float("nan"), 1.0, None, 2.0, float("nan")]
    pq.write_table(pa.table({"x": values}), tmp_path / "ref.parquet")
    report = drift_report(tmp_path / "ref.parquet", {"x": [1.0, 2.0, 3.0]})
    assert report["x"].n_reference == 3 and report["x"].ks_statistic == 0.0
    with pytest.raises(InputError, match=r"column 'x' contains infinite values"):
        drift_report({"x": [1.0, float("-inf"), float("nan")]}, {"x": [1.0]})
    with pytest.raises(InputError, match=r"current: column 'x' contains infinite values"):
        drift_report({"x": [1.0, 2.0]}, {"x": [1.0, float("inf"), float("nan")]})


def test_drift_statistics_equal_scipy_on_adult_train_vs_test(adult):
    train, test = adult
    report = drift_report(train, test, columns=NUMERIC + CATEGORICAL)
    assert [r.column for r in report.columns] == NUMERIC + CATEGORICAL
    for column in NUMERIC:
        result = report[column]
        assert result.kind == "numeric"
        reference = train[column].to_numpy(dtype=float)
        current = test[column].to_numpy(dtype=float)
        assert_numeric_agrees(result, reference, current)
    for column in CATEGORICAL:
        result = report[column]
        assert result.kind == "categorical"
        assert_categorical_agrees(result, train[column].to_numpy(), test[column].to_numpy())


def test_drift_statistics_equal_scipy_on_small_adult_samples_with_ties(adult):
    # Below 10,000 values scipy's KS p-value is exact; integer columns have many ties.
    train, test = adult
    reference = train.iloc[:3000]
    current = test.iloc[:700]
    report = drift_report(reference, current, columns=NUMERIC + CATEGORICAL)
    for column in NUMERIC:
        result = report[column]
        assert result.method == "ks"  # 700 current rows: the p-value test decides
        assert_numeric_agrees(
            result, reference[column].to_numpy(dtype=float), current[column].to_numpy(dtype=float)
        )
    for column in CATEGORICAL:
        result = report[column]
        assert result.method == "chi2"
        assert_categorical_agrees(result, reference[column].to_numpy(), current[column].to_numpy())


def test_adult_sex_shift_is_detected_between_filtered_samples(adult):
    train, _ = adult
    married = train[train["relationship"] == "Husband"]
    others = train[train["relationship"] != "Husband"]
    report = drift_report(married, others, columns=["sex", "age"])
    assert report["sex"].method == "jensenshannon"
    assert report["sex"].drifted
    assert report["sex"].jensen_shannon > 0.5


# --- the detector's contract and decisions ---------------------------------------------------


def test_fit_returns_the_detector_with_learned_attributes():
    detector = DriftDetector(categorical=["code"])
    data = {"x": np.arange(100.0), "code": np.arange(100) % 3, "name": ["a", "b"] * 50}
    assert detector.fit(data) is detector
    assert detector.columns_ == ("x", "code", "name")
    assert detector.kinds_ == {"x": "numeric", "code": "categorical", "name": "categorical"}
    assert detector.n_reference_ == 100
    assert detector.reference_counts_["code"] == {"0": 34, "1": 33, "2": 33}
    assert detector.reference_std_["x"] == pytest.approx(np.std(np.arange(100.0)))
    assert len(detector.bin_edges_["x"]) == 9


def test_init_only_stores_parameters_and_score_before_fit_raises():
    detector = DriftDetector(bins=1)  # invalid, but __init__ does not validate
    assert detector.bins == 1
    with pytest.raises(NotFittedError, match="not fitted"):
        DriftDetector().score({"x": [1.0]})
    with pytest.raises(ValueError, match="bins"):
        detector.fit({"x": [1.0, 2.0]})


def test_small_samples_use_the_test_and_large_ones_the_distance():
    rng = np.random.default_rng(0)
    reference = {"x": rng.normal(0, 1, 5000), "c": rng.choice(["a", "b", "c"], 5000)}
    small = {"x": rng.normal(0, 1, 1000), "c": rng.choice(["a", "b", "c"], 1000)}
    large = {"x": rng.normal(0, 1, 1001), "c": rng.choice(["a", "b", "c"], 1001)}
    detector = DriftDetector().fit(reference)
    at_limit = detector.score(small)
    assert (at_limit["x"].method, at_limit["c"].method) == ("ks", "chi2")
    assert at_limit["x"].p_value == at_limit["x"].ks_p_value
    assert at_limit["x"].threshold == 0.05
    above = detector.score(large)
    assert (above["x"].method, above["c"].method) == ("wasserstein", "jensenshannon")
    assert above["x"].p_value is None
    assert above["x"].statistic == above["x"].wasserstein_normalized
    assert above["x"].threshold == 0.1


def test_method_and_thresholds_are_configurable_per_column():
    rng = np.random.default_rng(1)
    reference = {"x": rng.normal(0, 1, 3000), "y": rng.normal(0, 1, 3000)}
    current = {"x": rng.normal(0.15, 1, 3000), "y": rng.normal(0.15, 1, 3000)}
    report = drift_report(reference, current, method={"x": "psi"}, threshold=0.5)
    assert report["x"].method == "psi"
    assert report["x"].statistic == report["x"].psi
    assert not report["x"].drifted  # PSI far below 0.5
    assert report["y"].method == "wasserstein"
    strict = drift_report(reference, current, method="ks", p_value=0.01)
    assert strict["y"].method == "ks" and strict["y"].drifted
    with pytest.raises(InputError, match="'chi2' does not apply to numeric column 'x'"):
        drift_report(reference, current, method={"x": "chi2"})


def test_the_data_set_drifts_when_the_share_of_drifted_columns_reaches_share():
    rng = np.random.default_rng(2)
    reference = {f"x{i}": rng.normal(0, 1, 2000) for i in range(4)}
    current = {f"x{i}": rng.normal(1.0 if i < 2 else 0.0, 1, 2000) for i in range(4)}
    report = drift_report(reference, current)
    assert report.drifted_columns == ("x0", "x1")
    assert report.share_drifted == 0.5
    assert report.dataset_drifted
    assert not drift_report(reference, current, share=0.75).dataset_drifted
    data = report.to_dict()
    assert data["drifted_columns"] == ["x0", "x1"]
    assert data["columns"]["x0"]["kind"] == "numeric"
    assert isinstance(report, DriftReport)
    # Exact comparisons say so.
    assert (data["columns"]["x0"]["approximate"], data["columns"]["x0"]["rank_error"]) == (
        False,
        0.0,
    )


def test_missing_values_are_left_out_and_constant_references_are_handled():
    reference = {"x": [1.0, 1.0, None, float("nan"), 1.0], "c": ["a", None, "a", "a", "a"]}
    report = drift_report(reference, {"x": [1.0, 1.0, 1.0], "c": ["a", "a", None]})
    assert report["x"].n_reference == 3
    assert report["x"].wasserstein_normalized == 0.0
    assert report["c"].n_reference == 4 and report["c"].n_current == 2
    shifted = drift_report(reference, {"x": [2.0, 2.0, 2.0], "c": ["a", "a", "a"]})
    assert shifted["x"].wasserstein_normalized == math.inf


def test_polars_and_parquet_inputs_give_the_same_report(tmp_path):
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(3)
    reference = {"x": rng.normal(0, 1, 500), "c": rng.choice(["a", "b"], 500)}
    current = {"x": rng.normal(0.3, 1, 400), "c": rng.choice(["a", "b"], 400)}
    pq.write_table(pa.table(reference), tmp_path / "ref.parquet")
    pq.write_table(pa.table(current), tmp_path / "cur.parquet")
    from_files = drift_report(tmp_path / "ref.parquet", tmp_path / "cur.parquet")
    from_polars = drift_report(pl.DataFrame(reference), pl.DataFrame(current))
    assert from_files.to_dict() == from_polars.to_dict()


# --- bad input --------------------------------------------------------------------------------


def test_a_missing_column_is_named_with_close_matches():
    reference = {"hours_per_week": [1.0, 2.0], "age": [3.0, 4.0]}
    with pytest.raises(
        InputError, match=r"column 'hours_per_wek' not found \(did you mean 'hours_per_week'"
    ):
        drift_report(reference, reference, columns=["hours_per_wek"])
    detector = DriftDetector().fit(reference)
    with pytest.raises(InputError, match=r"current: column 'age' not found"):
        detector.score({"hours_per_week": [1.0]})


def test_a_numeric_column_that_became_text_is_reported():
    with pytest.raises(
        InputError, match=r"column 'x' is numeric in the reference but VARCHAR here"
    ):
        drift_report({"x": [1.0, 2.0]}, {"x": ["1", "2"]})


def test_an_all_missing_column_and_infinite_values_are_reported():
    with pytest.raises(InputError, match=r"column 'x' has no values \(all missing\)"):
        drift_report({"x": [None, float("nan")], "y": [1.0, 2.0]}, {"x": [1.0], "y": [1.0]})
    with pytest.raises(InputError, match=r"column 'x' contains infinite values"):
        drift_report({"x": [1.0, float("inf")]}, {"x": [1.0]})


def test_an_empty_file_and_a_file_without_rows_are_reported(tmp_path):
    empty = tmp_path / "empty.parquet"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.parquet: the file is empty"):
        drift_report(empty, {"x": [1.0]})
    no_rows = tmp_path / "no_rows.parquet"
    pq.write_table(pa.table({"x": pa.array([], pa.float64())}), no_rows)
    with pytest.raises(InputError, match=r"no_rows\.parquet: the data has no rows"):
        drift_report({"x": [1.0]}, no_rows)


def test_a_corrupt_parquet_file_is_reported_by_name(tmp_path):
    corrupt = tmp_path / "x.parquet"
    corrupt.write_bytes(b"this is not a parquet file at all" * 10)
    with pytest.raises(InputError, match=r"x\.parquet: not a readable Parquet file"):
        drift_report(corrupt, {"x": [1.0]})
