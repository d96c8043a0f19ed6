"""The metrics engine on Spark (local mode) gives the local engine's results on the same data.

One local Spark session (``local[2]``, no UI, no network) serves the whole module. The data are
written once to Parquet with pyarrow; Spark reads that file, and the local engine reads the same
file (DuckDB) and the same table in memory (numpy), so every path counts the same rows.

Skipped on the PostgreSQL run (nothing here touches a database) and, on a developer's machine,
when pyspark or Java is missing; under CI (``CI=true``) a missing one fails instead, so the
suite cannot pass there without these tests running.
"""

from __future__ import annotations

import datetime
import decimal
import importlib.util
import math
import os
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aims.metrics import (
    InputError,
    drift_report,
    fairness_report,
    fairness_statistics,
    performance_report,
)
from aims.metrics.cli import main

if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    pytest.skip("no database here: run on SQLite only", allow_module_level=True)

_MISSING = [
    name
    for name, present in (
        ("pyspark", importlib.util.find_spec("pyspark") is not None),
        ("java", shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))),
    )
    if not present
]
if _MISSING and os.environ.get("CI") != "true":
    pytest.skip(
        f"{' and '.join(_MISSING)} not installed (make test installs both)", allow_module_level=True
    )

N = 6000
RNG = np.random.default_rng(13)


def _table() -> pa.Table:
    """A prediction log with every kind of column the engine distinguishes."""
    sex = RNG.choice(np.array(["F", "M", "X"], dtype=object), N, p=[0.45, 0.45, 0.1])
    sex[RNG.random(N) < 0.05] = None  # a NULL group
    race = RNG.choice(["a", "b", "c"], N)
    y = (RNG.random(N) < np.where(race == "a", 0.3, 0.5)).astype(np.int64)
    score = np.clip(0.35 * y + RNG.normal(0.35, 0.2, N), 0, 1).round(3)  # ties, some at 0.5
    band = RNG.integers(1, 4, N).astype(np.int8)
    band_mask = RNG.random(N) < 0.03
    grade = RNG.choice([1.5, 2.0, 2.5], N)
    grade[RNG.random(N) < 0.02] = np.nan
    return pa.table(
        {
            "y": y,
            "y_bool": y.astype(bool),
            "y_text": np.where(y == 1, "good", "bad"),
            "y_float": y.astype(np.float64),
            "pred": (score >= 0.5).astype(np.int64),
            "pred_bool": score >= 0.5,
            "pred_text": np.where(score >= 0.5, "good", "bad"),
            "score": score,
            "score32": score.astype(np.float32),
            "score_int": (score * 10).round().astype(np.int32),
            "sex": pa.array(sex, type=pa.string()),
            "race": race,
            "band": pa.array(band, mask=band_mask),
            "grade": grade,
            "price": pa.array(
                [decimal.Decimal(f"{v:.2f}") for v in RNG.choice([9.5, 12.25], N)],
                type=pa.decimal128(6, 2),
            ),
            "day": pa.array(
                [datetime.date(2026, 10, 1 + int(d)) for d in RNG.integers(0, 3, N)],
                type=pa.date32(),
            ),
            "target": RNG.normal(50, 10, N),
            "estimate": RNG.normal(50, 10, N),
        }
    )


@pytest.fixture(scope="session")
def spark():
    if _MISSING:  # only under CI: the requirements and `make test` install both
        pytest.fail(
            f"{' and '.join(_MISSING)} missing under CI: install requirements/test.txt "
            "and Java (make test installs default-jre-headless)"
        )
    from aims.metrics.spark import local_session

    # Small data: a JVM that compiles little starts and answers sooner.
    fast = {
        "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
        "spark.sql.codegen.wholeStage": "false",
    }
    session = local_session("local[2]", app_name="aims-tests", config=fast)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def log(tmp_path_factory, spark):
    """The same rows three ways: a Parquet file, the Arrow table, and Spark's frame of the file."""
    table = _table()
    path = tmp_path_factory.mktemp("spark") / "log.parquet"
    pq.write_table(table, path)
    return path, table, spark.read.parquet(str(path))


def _assert_same_fairness(spark_stats, local_stats) -> None:
    assert spark_stats.groups == local_stats.groups
    assert spark_stats.counts == local_stats.counts
    assert spark_stats.positive_label == local_stats.positive_label
    assert spark_stats.to_dict() == local_stats.to_dict()


CASES = [
    {"label": "y", "prediction": "pred", "sensitive": "sex"},
    {"label": "y_bool", "prediction": "pred_bool", "sensitive": ["sex", "race"]},
    {"label": "y_text", "prediction": "pred_text", "sensitive": "race", "positive_label": "good"},
    {"label": "y_float", "prediction": "pred", "sensitive": "band"},
    {"label": "y", "score": "score", "threshold": 0.5, "sensitive": ["race", "sex"]},
    {"label": "y", "score": "score32", "threshold": 0.45, "sensitive": "grade"},
    {"label": "y", "score": "score_int", "threshold": 5, "sensitive": ["price", "day"]},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['label']}-{c['sensitive']}")
def test_fairness_statistics_on_spark_equal_the_local_engines(log, case):
    path, table, frame = log
    on_spark = fairness_statistics(frame, **case)
    _assert_same_fairness(on_spark, fairness_statistics(path, **case))
    _assert_same_fairness(on_spark, fairness_statistics(table, **case))
    assert len(on_spark.groups) >= 3


def test_fairness_report_on_spark_equals_the_local_report_to_1e_12(log):
    path, _, frame = log
    options = {"label": "y", "score": "score", "threshold": 0.5, "sensitive": ["sex", "race"]}
    on_spark = fairness_report(frame, **options)
    local = fairness_report(path, **options)
    assert on_spark.by_group.keys() == local.by_group.keys()
    assert "sex=(missing), race=a" in on_spark.by_group  # the NULL group is a group
    for group, values in local.by_group.items():
        assert on_spark.by_group[group] == pytest.approx(values, rel=1e-12, abs=1e-12, nan_ok=True)
    assert on_spark.aggregates == pytest.approx(local.aggregates, rel=1e-12, nan_ok=True)
    assert on_spark.reference_group == local.reference_group


def test_a_table_name_in_the_session_is_read_by_spark(log, spark):
    from aims.metrics.spark import SparkTable

    path, _, frame = log
    frame.createOrReplaceTempView("predictions_2026")
    options = {"label": "y", "prediction": "pred", "sensitive": ["race"]}
    on_spark = fairness_statistics(SparkTable(spark, "predictions_2026"), **options)
    _assert_same_fairness(on_spark, fairness_statistics(path, **options))


@pytest.mark.parametrize(
    "options",
    [
        {"label": "y", "score": "score", "sensitive": ["sex", "race"]},
        {"label": "y_bool", "prediction": "pred_bool", "score": "score32", "sensitive": "band"},
        {"label": "y_text", "score": "score_int", "positive_label": "good", "sensitive": None},
    ],
)
def test_classification_performance_and_auc_on_spark_equal_the_local_engines(log, options):
    path, _, frame = log
    on_spark = performance_report(frame, **options)
    local = performance_report(path, **options)
    assert on_spark.statistics.to_dict() == local.statistics.to_dict()  # integers: exact
    assert on_spark.overall == pytest.approx(local.overall, rel=1e-12, nan_ok=True)
    assert 0.6 < on_spark.overall["roc_auc"] < 1
    for group, values in local.by_group.items():
        assert on_spark.by_group[group] == pytest.approx(values, rel=1e-12, nan_ok=True)


@pytest.mark.parametrize("sensitive", [None, "race", ["sex", "band"]])
def test_regression_performance_on_spark_equals_the_local_engines(log, sensitive):
    path, _, frame = log
    options = {"label": "target", "prediction": "estimate", "task": "regression"}
    on_spark = performance_report(frame, sensitive=sensitive, **options)
    local = performance_report(path, sensitive=sensitive, **options)
    assert on_spark.statistics.groups == local.statistics.groups
    assert on_spark.overall == pytest.approx(local.overall, rel=1e-12)
    assert on_spark.by_group.keys() == local.by_group.keys()
    for group, values in local.by_group.items():
        assert on_spark.by_group[group] == pytest.approx(values, rel=1e-12)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"label": "y", "prediction": "pred", "sensitive": "sexx"}, "did you mean 'sex'"),
        ({"label": "y_text", "prediction": "pred_text", "sensitive": "race"}, "positive_label="),
        ({"label": "y", "prediction": "score", "sensitive": "race"}, "for scores, pass score="),
        ({"label": "y", "prediction": "pred", "sensitive": "race", "max_categories": 2}, "limit 2"),
    ],
)
def test_bad_input_on_spark_gets_the_local_message(log, options, message):
    path, _, frame = log
    with pytest.raises(InputError, match=message) as on_spark:
        fairness_statistics(frame, **options)
    with pytest.raises(InputError) as local:
        fairness_statistics(path, **options)
    assert str(on_spark.value).split(": ", 1)[1] == str(local.value).split(": ", 1)[1]


def test_a_missing_table_is_bad_input(spark):
    from aims.metrics.spark import SparkTable

    with pytest.raises(InputError, match="no_such_table"):
        fairness_statistics(
            SparkTable(spark, "no_such_table"), label="y", sensitive="g", prediction="p"
        )


@pytest.fixture(scope="module")
def samples(tmp_path_factory, spark):
    rng = np.random.default_rng(7)
    n = 20_000

    def sample(shift: float) -> pa.Table:
        income = rng.lognormal(10 + shift, 0.5, n)
        income[rng.random(n) < 0.01] = np.nan  # missing, left out
        return pa.table(
            {
                "income": income,
                "age": rng.integers(18, 80 + int(10 * shift), n),
                "ratio": rng.normal(shift, 1, n).astype(np.float32),
                "grade": rng.choice(["a", "b", "c"], n, p=[0.5 - shift / 2, 0.3, 0.2 + shift / 2]),
                "active": rng.random(n) < 0.5 + shift / 4,
            }
        )

    folder = tmp_path_factory.mktemp("drift")
    paths = []
    for name, shift in (("reference", 0.0), ("current", 0.3)):
        pq.write_table(sample(shift), folder / f"{name}.parquet")
        paths.append(folder / f"{name}.parquet")
    return paths, [spark.read.parquet(str(p)) for p in paths]


def test_drift_on_spark_is_approximate_within_its_stated_bound(samples):
    from aims.metrics.spark import LEVELS, RELATIVE_ERROR, rank_error_bound

    (ref_path, cur_path), (ref_frame, cur_frame) = samples
    on_spark = drift_report(ref_frame, cur_frame)
    exact = drift_report(ref_path, cur_path, exact_limit=None)
    assert on_spark.drifted_columns == exact.drifted_columns
    for column in ("income", "age", "ratio"):
        approx, truth = on_spark[column], exact[column]
        assert approx.approximate and not truth.approximate
        bound = rank_error_bound(RELATIVE_ERROR, LEVELS, truth.n_reference) + rank_error_bound(
            RELATIVE_ERROR, LEVELS, truth.n_current
        )
        assert approx.rank_error == pytest.approx(bound, rel=1e-12)
        assert approx.n_reference == truth.n_reference and approx.n_current == truth.n_current
        assert abs(approx.ks_statistic - truth.ks_statistic) <= approx.rank_error
        assert abs(approx.psi - truth.psi) <= 0.05 * truth.psi + 1e-3
        assert approx.wasserstein_normalized == pytest.approx(
            truth.wasserstein_normalized, rel=0.02
        )
    for column in ("grade", "active"):  # categories are counted exactly
        approx, truth = on_spark[column], exact[column]
        assert not approx.approximate and approx.rank_error == 0
        assert approx.chi2 == pytest.approx(truth.chi2, rel=1e-12)
        assert approx.jensen_shannon == pytest.approx(truth.jensen_shannon, rel=1e-12)
    assert on_spark.to_dict()["columns"]["income"]["approximate"] is True


def test_a_spark_summary_stays_within_its_bound_of_the_true_cdf(samples):
    from aims.metrics.spark import numeric_distribution, open_spark

    (ref_path, _), (ref_frame, _) = samples
    values = pq.read_table(ref_path, columns=["income"]).column(0).to_numpy()
    values = np.sort(values[~np.isnan(values)])
    dist = numeric_distribution(open_spark(ref_frame), "income")
    assert dist.n == values.size
    points = np.concatenate([values[::37], np.quantile(values, np.linspace(0, 1, 101))])
    true_cdf = np.searchsorted(values, points, side="right") / values.size
    assert np.max(np.abs(dist.cdf(points) - true_cdf)) <= dist.rank_error
    assert dist.std() == pytest.approx(values.std(), rel=1e-12)


def test_drift_refuses_infinite_values_on_spark(spark, tmp_path):
    path = tmp_path / "inf.parquet"
    pq.write_table(pa.table({"x": [1.0, math.inf, 2.0]}), path)
    frame = spark.read.parquet(str(path))
    with pytest.raises(InputError, match="infinite"):
        drift_report(frame, frame)


def test_the_cli_runs_a_check_in_spark(log, capsys):
    import json

    path, _, _ = log
    common = ["--data", str(path), "--label", "y", "--prediction", "pred", "--sensitive", "race"]
    code = main(["check", "fairness", *common, "--spark", "--format", "json"])
    on_spark = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert main(["check", "fairness", *common, "--format", "json"]) == code
    local = json.loads(capsys.readouterr().out)
    assert on_spark == local
    assert on_spark["by_group"]


def test_the_cli_reads_a_table_name_with_spark(log, capsys):
    import json

    _, _, frame = log
    frame.createOrReplaceTempView("scored")
    code = main(
        [
            "check",
            "performance",
            "--spark",
            "--data",
            "scored",
            "--label",
            "y",
            "--score",
            "score",
            "--min",
            "accuracy=0.99",
            "--format",
            "json",
        ]
    )
    output = json.loads(capsys.readouterr().out)
    assert code == 1 and output["passed"] is False
    code = main(
        [
            "check",
            "fairness",
            "--spark",
            "--data",
            "nowhere",
            "--label",
            "y",
            "--prediction",
            "pred",
            "--sensitive",
            "race",
        ]
    )
    assert code == 2
    assert "nowhere" in capsys.readouterr().err


def test_local_checks_never_import_pyspark(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "log.parquet"
    pq.write_table(pa.table({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0], "g": list("abab")}), path)
    code = (
        "import sys\n"
        "from aims.metrics import fairness_statistics, performance_report, drift_report\n"
        f"fairness_statistics({str(path)!r}, label='y', prediction='p', sensitive='g')\n"
        f"performance_report({str(path)!r}, label='y', prediction='p', sensitive='g')\n"
        f"drift_report({str(path)!r}, {str(path)!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_pipeline_posts_the_same_statistics_from_spark(log, capsys):
    import json

    from tests.test_metrics_cli import StubServer, _verdict, server_args

    path, _, frame = log
    frame.createOrReplaceTempView("posted_predictions")
    options = ["--label", "y", "--score", "score", "--threshold", "0.5", "--sensitive", "sex,race"]
    with StubServer(201, _verdict(True)) as server:
        code = main(
            [
                "check",
                "fairness",
                "--spark",
                "--data",
                "posted_predictions",
                *options,
                *server_args(server.url),
            ]
        )
    capsys.readouterr()
    assert code == 0
    payload = server.payload()
    expected = fairness_statistics(
        path, label="y", score="score", threshold=0.5, sensitive=["sex", "race"]
    )
    assert payload["statistics"] == json.loads(json.dumps(expected.to_dict()))
    # a table of a data lake is named and counted, not hashed
    assert payload["fingerprint"] == {"rows": N, "file": "posted_predictions"}


def test_the_docstring_examples_run():
    import doctest

    import aims.metrics.spark

    result = doctest.testmod(aims.metrics.spark, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
