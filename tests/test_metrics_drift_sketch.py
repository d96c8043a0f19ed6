"""Drift through the quantile sketch: its rank-error bound holds, and results that come from it
say they are approximate, with the bound; exact results stay exact and say so."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats

from aims.metrics import InputError
from aims.metrics._distributions import EmpiricalDistribution, ks_statistic
from aims.metrics._sketch import QuantileSketch
from aims.metrics.drift import DriftDetector, drift_report


def sketch_of(values, *, capacity, batch):
    sketch = QuantileSketch(capacity)
    for start in range(0, values.size, batch):
        sketch.update(values[start : start + batch])
    return sketch


def largest_cdf_error(sketch, values):
    """The largest |F_sketch(x) - F(x)| over every x where either CDF steps."""
    exact = EmpiricalDistribution.from_sample(values)
    approx = sketch.distribution()
    points = np.union1d(exact.values, approx.values)
    return float(np.max(np.abs(approx.cdf(points) - exact.cdf(points))))


# --- the sketch -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    ["random", "ascending", "descending", "ties"],
)
def test_the_sketch_cdf_stays_within_its_reported_bound_everywhere(order):
    rng = np.random.default_rng(0)
    values = rng.normal(0.0, 1.0, 300_000)
    if order == "ascending":  # sorted streams are the classic hard case for sketches
        values = np.sort(values)
    elif order == "descending":
        values = np.sort(values)[::-1].copy()
    elif order == "ties":
        values = rng.integers(0, 50, 300_000).astype(float)
    sketch = sketch_of(values, capacity=512, batch=7_919)
    dist = sketch.distribution()
    assert dist.n == values.size and int(dist.counts.sum()) == values.size
    assert dist.approximate and dist.rank_error == sketch.rank_error > 0
    assert largest_cdf_error(sketch, values) <= sketch.rank_error
    # The summary is small: a few levels of at most `capacity` values.
    assert dist.values.size <= 512 * 12


def test_the_sketch_keeps_the_exact_mean_and_standard_deviation():
    values = np.random.default_rng(1).gamma(2.0, 3.0, 100_000)
    dist = sketch_of(values, capacity=256, batch=10_000).distribution()
    assert dist.mean() == pytest.approx(values.mean(), rel=1e-12)
    assert dist.std() == pytest.approx(values.std(), rel=1e-10)


def test_a_sketch_that_never_compacted_is_the_sample_with_no_error():
    values = np.array([3.0, 1.0, 2.0, 2.0])
    sketch = sketch_of(values, capacity=100, batch=3)
    dist = sketch.distribution()
    assert sketch.rank_error == 0.0
    assert (dist.values.tolist(), dist.counts.tolist()) == ([1.0, 2.0, 3.0], [1, 2, 1])
    with pytest.raises(ValueError, match="empty"):
        QuantileSketch().distribution()


# --- drift through the sketch ------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples():
    rng = np.random.default_rng(2)
    n = 120_000
    reference = {"x": rng.normal(0.0, 1.0, n), "y": rng.exponential(2.0, n)}
    current = {"x": rng.normal(0.1, 1.0, n + 5_000), "y": rng.exponential(2.0, n + 5_000)}
    return reference, current


def test_above_exact_limit_the_ks_statistic_is_within_the_reported_bound(samples):
    reference, current = samples
    exact = drift_report(reference, current)
    approx = drift_report(reference, current, exact_limit=10_000)
    for column in ("x", "y"):
        e, a = exact[column], approx[column]
        assert (e.approximate, e.rank_error) == (False, 0.0)
        assert a.approximate and 0 < a.rank_error < 0.01
        truth = stats.ks_2samp(reference[column], current[column]).statistic
        assert abs(e.ks_statistic - truth) <= 1e-9
        assert abs(a.ks_statistic - truth) <= a.rank_error
        # The sizes and the standard deviation are exact; the rest is close.
        assert (a.n_reference, a.n_current) == (e.n_reference, e.n_current)
        assert a.wasserstein == pytest.approx(e.wasserstein, abs=0.01)
        assert a.psi == pytest.approx(e.psi, abs=0.01)
        assert a.drifted == e.drifted
    as_dict = approx.to_dict()["columns"]["x"]
    assert as_dict["approximate"] is True and as_dict["rank_error"] == approx["x"].rank_error


def test_only_the_sample_above_the_limit_is_sketched(samples):
    reference, current = samples
    small = {column: values[:5_000] for column, values in reference.items()}
    detector = DriftDetector(exact_limit=50_000).fit(small)
    assert not detector.reference_distributions_["x"].approximate
    result = detector.score(current)["x"]
    assert result.approximate
    # The bound is the current sketch's alone: the reference is exact.
    assert result.rank_error > 0
    truth = stats.ks_2samp(small["x"], current["x"]).statistic
    assert abs(result.ks_statistic - truth) <= result.rank_error


def test_exact_limit_none_or_at_the_row_count_stays_exact(samples):
    reference, current = samples
    for limit in (None, len(current["x"])):
        result = DriftDetector(exact_limit=limit).fit(reference).score(current)["x"]
        assert (result.approximate, result.rank_error) == (False, 0.0)
        truth = stats.ks_2samp(reference["x"], current["x"])
        assert abs(result.ks_statistic - truth.statistic) <= 1e-9
        assert abs(result.ks_p_value - truth.pvalue) <= 1e-9


def test_parquet_files_and_in_memory_data_are_sketched_batch_by_batch(samples, tmp_path):
    reference, current = samples
    pq.write_table(pa.table(reference), tmp_path / "ref.parquet", row_group_size=30_000)
    pq.write_table(pa.table(current), tmp_path / "cur.parquet", row_group_size=30_000)
    from_files = drift_report(tmp_path / "ref.parquet", tmp_path / "cur.parquet", exact_limit=0)
    from_memory = drift_report(reference, current, exact_limit=0)  # through DuckDB
    for report in (from_files, from_memory):
        result = report["y"]
        assert result.approximate
        truth = stats.ks_2samp(reference["y"], current["y"]).statistic
        assert abs(result.ks_statistic - truth) <= result.rank_error
        assert result.n_current == len(current["y"])


def test_missing_and_infinite_values_through_the_sketch():
    reference = {"x": [1.0, None, 2.0, float("nan"), 3.0]}
    report = drift_report(reference, {"x": [1.0, 2.0, 3.0]}, exact_limit=0)
    assert report["x"].approximate and report["x"].n_reference == 3
    assert report["x"].ks_statistic == 0.0 and report["x"].rank_error == 0.0
    with pytest.raises(InputError, match=r"column 'x' contains infinite values"):
        drift_report({"x": [1.0, float("inf")]}, {"x": [1.0]}, exact_limit=0)
    with pytest.raises(InputError, match=r"column 'x' has no values \(all missing\)"):
        drift_report({"x": [None, float("nan")]}, {"x": [1.0]}, exact_limit=0)


def test_a_column_missing_from_one_parquet_file_is_reported(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    pq.write_table(pa.table({"x": [1.0, 2.0], "y": [1.0, 2.0]}), folder / "a.parquet")
    pq.write_table(pa.table({"x": [3.0]}), folder / "b.parquet")
    with pytest.raises(InputError, match=r"cannot read column 'y'"):
        DriftDetector(columns=["y"], exact_limit=0).fit(folder)


@pytest.mark.parametrize("limit", [-1, 2.5, True, "10"])
def test_exact_limit_must_be_a_non_negative_integer_or_none(limit):
    with pytest.raises(ValueError, match="exact_limit"):
        DriftDetector(exact_limit=limit).fit({"x": [1.0, 2.0]})


def test_ks_from_two_sketches_is_within_the_sum_of_their_bounds():
    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 1, 200_000), rng.standard_t(5, 150_000)
    sa, sb = sketch_of(a, capacity=300, batch=20_000), sketch_of(b, capacity=300, batch=20_000)
    approx = ks_statistic(sa.distribution(), sb.distribution())
    assert abs(approx - stats.ks_2samp(a, b).statistic) <= sa.rank_error + sb.rank_error
