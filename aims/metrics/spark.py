"""The metrics engine on Apache Spark: the group-by runs where the data lives.

Every metric of the engine is derived from small sufficient statistics: confusion counts per
group (fairness, classification performance), rank counts per group (ROC AUC), error sums per
group (regression), category counts and a quantile summary per column (drift). On Spark those
statistics are computed by Spark, on the cluster or in local mode, and only they come back to
the driver: a few rows per group, or a few thousand numbers per column. Everything after the
count (checking the labels, naming the groups, every metric, the thresholds) is the engine's
own code, shared with the DuckDB path, so the results are the same.

The same calls accept Spark data::

    from aims.metrics import fairness_report, drift_report
    from aims.metrics.spark import SparkTable

    fairness_report(spark.read.parquet("s3a://lake/preds/"), label="y", prediction="y_hat",
                    sensitive=["sex", "race"])
    fairness_report(SparkTable(spark, "risk.predictions"), label="y", score="p",
                    threshold=0.7, sensitive="sex")
    drift_report(SparkTable(spark, "risk.train"), SparkTable(spark, "risk.scored_2026_10"))

A PySpark ``DataFrame`` (classic or Spark Connect) or a `SparkTable` (a table or view name in
a session's catalog) goes through `open_spark`, which `aims.metrics.io.open_source` calls for
them; pyspark is imported only then, so the rest of the engine never loads it.

Counts are integers and come back exactly; the error sums of a regression are Spark's
floating-point sums (not compensated as DuckDB's ``fsum``: equal to the local engine's to about
1e-15 relative, not bit for bit).

Drift on Spark is approximate: each numeric column is summarized by Spark's
``percentile_approx`` (the Greenwald-Khanna summary behind ``DataFrame.approxQuantile``) at
`LEVELS` (2,000) evenly spaced quantile levels, with ``relative_error`` (default 1e-4; more
levels cost Spark markedly more time: 10,000 took four times as long as 1,000). Spark
documents that the value returned for level ``p`` over ``N`` values has a rank between
``floor((p - e) * N)`` and ``ceil((p + e) * N)``. The summary becomes an
`EmpiricalDistribution` that gives each returned quantile an equal share of the ``N`` values,
whose CDF is then within ``e + 1 / (2 * levels) + 1.5 / N`` of the column's at every point:
about 3.5e-4 with the defaults. That is the ``rank_error`` the drift result reports with
``approximate=True`` (summed over the two samples), exactly as the local quantile sketch
reports its own bound (see `aims.metrics.drift`), so ``|KS - KS_exact| <= rank_error``. The count, mean and
standard deviation are exact aggregates.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from aims.metrics._base import InputError
from aims.metrics.io import Source

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aims.metrics._distributions import EmpiricalDistribution

__all__ = [
    "LEVELS",
    "RELATIVE_ERROR",
    "SparkSource",
    "SparkTable",
    "category_counts",
    "cli_session",
    "confusion_rows",
    "is_spark",
    "local_session",
    "numeric_distribution",
    "open_spark",
    "rank_error_bound",
    "rank_rows",
    "read_input",
    "regression_rows",
]

RELATIVE_ERROR = 1e-4
"""Default relative error of Spark's quantile summary for drift (``accuracy = 1 / e``)."""
LEVELS = 2_000
"""Default number of quantile levels a numeric column is summarized by for drift."""

_view_numbers = itertools.count(1)

# Spark's type names (``DataType.simpleString``) as DuckDB names them, so that the engine's
# checks of column kinds (`aims.metrics._binary.column_kind`, drift's numeric and
# categorical types) read a Spark column as they read the same column of a Parquet file.
_DUCKDB_NAMES = {
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "string": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "timestamp_ntz": "TIMESTAMP",
    "binary": "BLOB",
}


@dataclass(frozen=True)
class SparkTable:
    """A table or view in a Spark session's catalog, as input to any metric.

    Parameters
    ----------
    session : pyspark.sql.SparkSession
        The session whose catalog holds the table (on a cluster, or ``local[*]``).
    name : str
        The table name as Spark reads it: ``"predictions"``, ``"risk.predictions"``,
        ``"catalog.schema.table"``.
    relative_error : float, default 1e-4
        Drift only: the relative error of the quantile summary of numeric columns.
    """

    session: Any
    name: str
    relative_error: float = RELATIVE_ERROR


def is_spark(data: Any) -> bool:
    """Whether ``data`` is Spark input (a PySpark DataFrame or a `SparkTable`), without
    importing pyspark."""
    if isinstance(data, SparkTable | SparkSource):
        return True
    module = type(data).__module__ or ""
    return module.startswith("pyspark.") and type(data).__name__ == "DataFrame"


@dataclass
class SparkSource(Source):
    """A `Source` over a Spark DataFrame: the same columns and messages, Spark's engine.

    The frame is registered as a temporary view (``relation``), so the engine's small
    portable queries (the distinct values an error message quotes) run as Spark SQL; the
    passes that count (`confusion_rows`, `rank_rows`, `regression_rows`,
    `numeric_distribution`, `category_counts`) are written against the DataFrame API.
    """

    frame: Any = field(default=None, repr=False, compare=False)
    relative_error: float = RELATIVE_ERROR
    levels: int = LEVELS

    def quote(self, column: str) -> str:
        return quote_spark(column)

    def row_count(self) -> int:
        return int(_spark_call(self.label, self.frame.count))

    def execute(self, sql: str, parameters: Any = None) -> Any:
        raise NotImplementedError("a Spark source runs Spark SQL through fetchall")

    def fetchall(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> list[tuple]:
        """The rows of a Spark SQL query (the engine's portable queries only: no parameters)."""
        if parameters:
            raise NotImplementedError("Spark SQL is run without DuckDB-style parameters")
        session = self.frame.sparkSession
        return [tuple(row) for row in _spark_call(self.label, session.sql(sql).collect)]

    def fetchone(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> tuple:
        rows = self.fetchall(sql, parameters)
        assert rows
        return rows[0]

    def numeric_column(self, column: str) -> np.ndarray:
        raise NotImplementedError("Spark columns are summarized in Spark, never collected")

    def memory_column(self, column: str) -> None:
        return None

    def fetch_arrow(self, sql: str, parameters: Any = None) -> Any:
        raise NotImplementedError("Spark results are collected as rows of statistics")


def quote_spark(name: str) -> str:
    """``name`` as a Spark SQL identifier (backticks), so any column name is safe."""
    return "`" + str(name).replace("`", "``") + "`"


def open_spark(data: Any, *, name: str = "data") -> SparkSource:
    """A `SparkSource` over a PySpark DataFrame or a `SparkTable` (a `SparkSource` as is).

    Raises `InputError` when the table does not exist or the frame has no columns.
    """
    if isinstance(data, SparkSource):
        return data
    if not is_spark(data):
        raise InputError(
            f"{name}: unsupported input of type {type(data).__name__}; expected a PySpark "
            "DataFrame or a SparkTable"
        )
    relative_error = RELATIVE_ERROR
    if isinstance(data, SparkTable):
        label = data.name
        relative_error = data.relative_error
        frame = _spark_call(label, data.session.table, data.name)
    else:
        label = name
        frame = data
    if not (isinstance(relative_error, int | float) and 0 < relative_error < 1):
        raise InputError(f"{label}: relative_error must be between 0 and 1, got {relative_error!r}")
    fields = _spark_call(label, lambda: frame.schema.fields)
    if not fields:
        raise InputError(f"{label}: the data has no columns")
    columns = {f.name: duckdb_name(f.dataType.simpleString()) for f in fields}
    view = f"aims_source_{os.getpid()}_{next(_view_numbers)}"
    _spark_call(label, frame.createOrReplaceTempView, view)
    return SparkSource(
        con=None,  # type: ignore[arg-type]  # no DuckDB: every query goes to Spark
        relation=quote_spark(view),
        columns=columns,
        label=label,
        frame=frame,
        relative_error=float(relative_error),
        levels=LEVELS,
    )


def duckdb_name(spark_type: str) -> str:
    """The DuckDB name of a Spark type (``decimal(10,2)`` is ``DECIMAL(10,2)``).

    Examples
    --------
    >>> duckdb_name("bigint"), duckdb_name("decimal(10,2)"), duckdb_name("varchar(20)")
    ('BIGINT', 'DECIMAL(10,2)', 'VARCHAR')
    """
    lowered = spark_type.lower()
    if lowered in _DUCKDB_NAMES:
        return _DUCKDB_NAMES[lowered]
    if lowered.startswith(("varchar", "char")):
        return "VARCHAR"
    return spark_type.upper()


def _spark_call(label: str, function: Any, *args: Any) -> Any:
    """``function(*args)``, a data error raised by Spark as `InputError` naming the data."""
    from pyspark.errors import PySparkException

    try:
        return function(*args)
    except PySparkException as error:
        lines = str(error).strip().splitlines()
        raise InputError(
            f"{label}: Spark cannot read the data: {lines[0] if lines else error}"
        ) from None
    except Exception as error:  # py4j's Java errors, without importing py4j's types here
        if type(error).__module__.startswith("py4j"):
            lines = str(error).strip().splitlines()
            raise InputError(f"{label}: Spark failed: {lines[0] if lines else error}") from None
        raise


# --- Sufficient statistics, computed by Spark ----------------------------------------------


def _col(src: SparkSource, column: str) -> Any:
    from pyspark.sql import functions as F

    return F.col(quote_spark(column))


def _is_float(src: SparkSource, column: str) -> bool:
    return src.columns[column] in ("FLOAT", "DOUBLE")


def _missing(src: SparkSource, column: str, value: Any) -> Any:
    """TRUE where ``value`` (of ``column``) is NULL or NaN."""
    from pyspark.sql import functions as F

    return value.isNull() | F.isnan(value) if _is_float(src, column) else value.isNull()


def confusion_rows(
    src: Source,
    sensitive: Sequence[str],
    label: str,
    prediction: str | None,
    score: str | None,
    threshold: float,
) -> list[tuple]:
    """The rows of `aims.metrics._binary.binary_pass`'s ``GROUP BY``, counted by Spark.

    ``(*sensitive values, label value, prediction, count)``, the prediction the raw value or,
    for a score, ``score >= threshold`` (None for a NULL or NaN score: Spark orders NaN above
    every number, so it is tested first).
    """
    from pyspark.sql import functions as F

    assert isinstance(src, SparkSource)
    keys = [_col(src, c).alias(f"g{i}") for i, c in enumerate(sensitive)]
    if score is not None:
        s = _col(src, score)
        p = F.when(_missing(src, score, s), F.lit(None)).otherwise(s >= F.lit(float(threshold)))
    else:
        assert prediction is not None
        p = _col(src, prediction)
    names = [f"g{i}" for i in range(len(sensitive))]
    counted = (
        src.frame.select(*keys, _col(src, label).alias("y"), p.alias("p"))
        .groupBy(*names, "y", "p")
        .count()
    )
    return [tuple(r) for r in _spark_call(src.label, counted.collect)]


def _positive(src: SparkSource, column: str, positive: Any) -> Any:
    """TRUE for the positive value, FALSE otherwise, NULL for NULL or NaN (as
    `aims.metrics._binary.is_positive_sql`)."""
    from pyspark.sql import functions as F

    y = _col(src, column)
    kind = src.columns[column]
    if kind == "BOOLEAN":
        return y if positive else ~y
    equal = y == F.lit(positive)
    return F.when(F.isnan(y), F.lit(None)).otherwise(equal) if _is_float(src, column) else equal


def rank_rows(
    src: Source, *, label: str, score: str, sensitive: Sequence[str], positive: Any
) -> list[tuple]:
    """The rows of `aims.metrics.performance._rank_pass`'s query, computed by Spark.

    Per group (``gid`` 0) and overall (``gid`` 1; without groups, one row with ``gid`` 0):
    positives, negatives, twice the Mann-Whitney U statistic of the scores, and the count of
    missing scores. Positives and negatives are counted at each distinct score, and a running
    sum of the negatives below each score (a window ordered by score) gives U, in integers.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    assert isinstance(src, SparkSource)
    names = [f"g{i}" for i in range(len(sensitive))]
    s = _col(src, score)
    scan = src.frame.select(
        *(_col(src, c).alias(n) for c, n in zip(sensitive, names, strict=True)),
        _positive(src, label, positive).alias("y"),
        s.alias("s"),
        _missing(src, score, s).alias("bad"),
    )
    counted = scan.groupBy(*names, "s", "bad").agg(
        F.count_if(F.col("y")).alias("pos"), F.count_if(~F.col("y")).alias("neg")
    )

    def u_statistics(h: Any, keys: list[str], gid: int) -> list[tuple]:
        below = Window.partitionBy(*keys).orderBy("s").rowsBetween(Window.unboundedPreceding, -1)
        w = h.withColumn("neg_below", F.coalesce(F.sum("neg").over(below), F.lit(0)))
        result = w.groupBy(*keys).agg(
            F.lit(gid).alias("gid"),
            F.sum("pos").alias("pos"),
            F.sum("neg").alias("neg"),
            F.sum(2 * F.col("pos") * F.col("neg_below") + F.col("pos") * F.col("neg")),
            F.sum(F.when(F.col("bad"), F.col("pos") + F.col("neg"))),
        )
        return [tuple(r) for r in _spark_call(src.label, result.collect)]

    if not names:
        return u_statistics(counted, [], 0)
    overall = counted.groupBy("s", "bad").agg(F.sum("pos").alias("pos"), F.sum("neg").alias("neg"))
    no_keys = (None,) * len(names)  # the overall row of GROUPING SETS has NULL keys
    return u_statistics(counted, names, 0) + [(*no_keys, *r) for r in u_statistics(overall, [], 1)]


def regression_rows(
    src: Source, *, label: str, prediction: str, sensitive: Sequence[str]
) -> list[tuple]:
    """The rows of `aims.metrics.performance._regression_pass`'s query, computed by Spark.

    Per group (``gid`` 0) and overall (``gid`` 1): rows, sums of absolute and squared errors,
    and missing labels and predictions. One ``ROLLUP`` gives both; its partial levels (with
    two or more sensitive features) are left out.
    """
    from pyspark.sql import functions as F

    assert isinstance(src, SparkSource)
    names = [f"g{i}" for i in range(len(sensitive))]
    y, p = _col(src, label), _col(src, prediction)
    scan = src.frame.select(
        *(_col(src, c).alias(n) for c, n in zip(sensitive, names, strict=True)),
        y.cast("double").alias("y"),
        p.cast("double").alias("p"),
        _missing(src, label, y).alias("y_missing"),
        _missing(src, prediction, p).alias("p_missing"),
    )
    error = F.col("y") - F.col("p")
    sums = [
        F.count(F.lit(1)).alias("n"),
        F.sum(F.abs(error)).alias("sae"),
        F.sum(error * error).alias("sse"),
        F.count_if(F.col("y_missing")).alias("y_missing"),
        F.count_if(F.col("p_missing")).alias("p_missing"),
    ]
    if not names:
        rows = _spark_call(src.label, scan.agg(F.lit(1).alias("gid"), *sums).collect)
        return [tuple(r) for r in rows]
    everything = (1 << len(names)) - 1
    rolled = (
        scan.rollup(*names)
        .agg(F.grouping_id().alias("gid"), *sums)
        .where(F.col("gid").isin(0, everything))
    )
    return [tuple(r) for r in _spark_call(src.label, rolled.collect)]


def category_counts(src: Source, column: str) -> dict[str, int]:
    """Drift: each value of ``column`` as text, and how often it occurs, most frequent first
    (as `aims.metrics.drift._category_counts`)."""

    assert isinstance(src, SparkSource)
    values = src.frame.select(_col(src, column).cast("string").alias("v")).where("v IS NOT NULL")
    rows = _spark_call(src.label, values.groupBy("v").count().collect)
    if not rows:
        raise InputError(f"{src.label}: column {column!r} has no values (all missing)")
    return {str(v): int(n) for v, n in sorted(rows, key=lambda r: (-r[1], r[0]))}


def rank_error_bound(relative_error: float, levels: int, n: int) -> float:
    """Bound on ``|F_summary(x) - F(x)|`` of `numeric_distribution`'s result, at every ``x``.

    Spark's rank guarantee ``relative_error`` (ranks off by up to ``e * n``, plus one for the
    rounding of ``floor`` and ``ceil``), half a level's share (each returned quantile stands
    for the values halfway to its neighbours), and half a value for rounding the shares to
    whole counts.

    Examples
    --------
    >>> round(rank_error_bound(1e-4, 2_000, 1_000_000), 7)
    0.0003515
    """
    return relative_error + 0.5 / levels + 1.5 / n


def numeric_distribution(src: Source, column: str) -> EmpiricalDistribution:
    """Drift: the approximate distribution of a numeric column, from one Spark aggregate.

    The count, mean, standard deviation (exact) and Spark's ``percentile_approx`` at the
    levels ``(j - 1/2) / levels``; each quantile gets an equal share of the ``n`` values
    (rounded to whole counts that add up to ``n``). NULL and NaN are missing, as locally;
    an infinite value is an error.
    """
    from pyspark.sql import functions as F

    from aims.metrics._distributions import EmpiricalDistribution

    assert isinstance(src, SparkSource)
    v = _col(src, column).cast("double")
    if _is_float(src, column):
        v = F.when(F.isnan(v), F.lit(None)).otherwise(v)
    levels = src.levels
    probabilities = ((np.arange(levels) + 0.5) / levels).tolist()
    summary = src.frame.select(v.alias("v")).agg(
        F.count("v"),
        F.avg("v"),
        F.stddev_pop("v"),
        F.count_if(F.col("v").isin(math.inf, -math.inf)),
        F.percentile_approx("v", probabilities, round(1 / src.relative_error)),
    )
    n, mean, std, infinite, quantiles = _spark_call(src.label, summary.first)
    if infinite:
        raise InputError(f"{src.label}: column {column!r} contains infinite values")
    if not n:
        raise InputError(f"{src.label}: column {column!r} has no values (all missing)")
    values = np.sort(np.asarray(quantiles, dtype=np.float64))
    shares = np.round(np.arange(levels + 1) * (n / levels)).astype(np.int64)
    counts = np.diff(shares)
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    counts = np.add.reduceat(counts, starts)
    values = values[starts]
    kept = counts > 0
    return EmpiricalDistribution(
        values[kept],
        counts[kept],
        approximate=True,
        rank_error=rank_error_bound(src.relative_error, levels, n),
        moments=(float(mean), float(std)),
    )


# --- Sessions and command-line input ---------------------------------------------------------


def local_session(
    master: str = "local[2]", *, app_name: str = "aims", config: Mapping[str, str] | None = None
) -> Any:
    """A quiet Spark session: no web UI, no progress bar on standard output, a few shuffle
    partitions, errors only in the log, bound to this machine (no network) in local mode.

    ``config`` adds Spark settings. On a cluster, create the session as the platform says (or
    let ``spark-submit`` do it) and pass its data in; nothing here is needed.
    """
    from pyspark.sql import SparkSession

    local = master.startswith("local")
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.showConsoleProgress", "false")
    )
    if local:
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
        )
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    try:
        with warnings.catch_warnings():  # that pyspark does not yet support the installed
            warnings.simplefilter("ignore", FutureWarning)  # pandas: the engine uses none of it
            session = builder.getOrCreate()
    except Exception as error:  # no Java, or the JVM did not start
        lines = str(error).strip().splitlines()
        raise InputError(
            f"Spark did not start ({lines[0] if lines else type(error).__name__}); is Java "
            "installed (java on the PATH or JAVA_HOME)?"
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # its INFO lines outlive the streams
    return session


def cli_session(master: str | None) -> Any:
    """The session ``aims check --spark`` counts in: the active one (a notebook, a test, or
    the one ``spark-submit`` configured, whose master it keeps), else a quiet local one, or
    one on ``master``."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    if master is None and os.environ.get("PYSPARK_GATEWAY_PORT"):  # under spark-submit
        session = SparkSession.builder.appName("aims check").getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session
    return local_session(master or "local[*]", app_name="aims check")


_FILE_SUFFIXES = (".parquet", ".pq", ".parq", ".csv", ".tsv")


def read_input(text: str, session: Any) -> SparkTable | SparkSource:
    """What ``aims check --spark --data TEXT`` names: a path or URL of Parquet (or CSV) data
    that Spark reads (anything with a ``/`` or a file suffix: ``s3a://lake/preds/``,
    ``logs/2026-10.parquet``), otherwise a table in the session's catalog (``risk.preds``)."""
    lowered = text.lower()
    if "/" not in text and not lowered.endswith(_FILE_SUFFIXES):
        return SparkTable(session, text)
    label = text.rstrip("/").rsplit("/", 1)[-1] or text
    if lowered.endswith((".csv", ".tsv")):
        reader = session.read.options(header="true", inferSchema="true")
        if lowered.endswith(".tsv"):
            reader = reader.option("sep", "\t")
        return open_spark(_spark_call(label, reader.csv, text), name=label)
    return open_spark(_spark_call(label, session.read.parquet, text), name=label)
