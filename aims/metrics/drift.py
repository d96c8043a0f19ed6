"""Drift between a reference sample and a current sample, column by column.

`DriftDetector` follows scikit-learn: ``__init__`` stores the options, ``fit(reference)``
learns what each column needs from the reference and returns the detector, and
``score(current)`` compares a current sample with it and returns a `DriftReport`.
`drift_report` does both in one call.

Statistics
----------
Numeric columns (every DuckDB integer, decimal and floating type):

* **PSI** (population stability index) over ``bins`` quantile bins of the reference:
  ``sum((c - r) * ln(c / r))`` over bins, ``r`` and ``c`` the reference and current shares.
  The interior bin edges are the reference quantiles ``1/bins, ..., (bins-1)/bins`` (numpy's
  default linear interpolation, equal to ``numpy.quantile``), duplicates removed, so a column
  with many ties gets fewer bins. Bins are closed on the right, ``(e[i-1], e[i]]``, and the
  outer bins are open, so current values outside the reference range land in the end bins.
* **Wasserstein distance** (earth mover's distance, equal to
  ``scipy.stats.wasserstein_distance``) divided by the reference's population standard
  deviation (``ddof=0``, as Evidently does), so 0.1 means "the distribution moved by a tenth of
  a standard deviation". A constant reference column gives 0 when the current one is the same
  constant and ``inf`` otherwise.
* **Two-sample Kolmogorov-Smirnov test**, statistic and two-sided p-value equal to
  ``scipy.stats.ks_2samp`` with its default ``method="auto"``: the exact distribution when
  both samples have at most 10,000 values, otherwise the asymptotic one (the one-sample
  Kolmogorov distribution for ``n = round(n1 * n2 / (n1 + n2))``). The algorithms are ported
  from SciPy (BSD licence), so scipy is not needed at run time.

Categorical columns (text, boolean and enum columns, and any column named in
``categorical``), over the union of the categories seen in either sample:

* **PSI** over categories.
* **Jensen-Shannon distance** with base-2 logarithms, equal to
  ``scipy.spatial.distance.jensenshannon(p, q, base=2)``; it lies between 0 and 1.
  (Evidently uses natural logarithms: its value is this one times ``sqrt(ln 2)``.)
* **Chi-squared test** of the 2 x k contingency table (reference and current counts per
  category), equal to ``scipy.stats.chi2_contingency`` with its default
  ``correction=True``: Yates' continuity correction is applied only when the table is 2 x 2
  (a column with exactly two categories), never otherwise. A single category gives
  statistic 0 and p-value 1.

PSI replaces an empty share (a bin or category with no value on one side) by
``PSI_EPSILON = 1e-4`` before taking the logarithm, without renormalising the others, as
Evidently does; the shares are otherwise exact.

Missing values (NULL, and NaN in floating columns) are left out of every statistic; their
share is a data-quality question (see `aims.metrics.quality`). An infinite value in a numeric
column is an error.

Decision
--------
With ``method="auto"`` (the default), a column with at most ``small_sample`` (1,000)
non-missing current values is judged by its p-value test (KS for numeric, chi-squared for
categorical), and drifts when ``p < p_value`` (0.05); a larger column is judged by a distance
(normalized Wasserstein for numeric, Jensen-Shannon for categorical), and drifts when
``distance >= threshold`` (0.1). A named method (``"ks"``, ``"wasserstein"``, ``"psi"``,
``"chi2"``, ``"jensenshannon"``) may be given for all columns or per column. The data set
drifts when the share of drifted columns is at least ``share`` (0.5). Every statistic is
computed and reported for every column whatever the method.

Scale
-----
The data goes through `aims.metrics.io.open_source`: files are scanned by DuckDB, never
loaded whole. Category counts are a ``GROUP BY`` in DuckDB. Numeric columns are processed one
at a time (on up to four threads, one column each), and a column's data is freed as soon as
what the comparison needs is kept: the fitted detector keeps each reference column's
distribution (that is its model); a current column is dropped once compared.

Up to ``exact_limit`` rows (10 million by default) a numeric column is compared exactly: it
is read alone (8 bytes per value; from Parquet files directly with pyarrow, otherwise by one
DuckDB query) and sorted with numpy, and every statistic is read from the two sorted samples
(`EmpiricalDistribution`, in ``aims.metrics._distributions``) without merging them: PSI bin
counts by binary search, the KS statistic by a branch-and-bound over blocks of each sample
that only searches near where the CDF gap can peak, the Wasserstein distance as the integral
of the difference of the quantile functions, which step at known levels. On 1,000,000 rows x
10 columns the whole report takes about 1.3 times as long as reading and sorting the columns
alone (``bench/metrics_drift.py`` measures both).

Larger than memory: a numeric column of a sample with more than ``exact_limit`` rows is read
in record batches into a quantile sketch (``aims.metrics._sketch.QuantileSketch``, a
deterministic KLL-style compactor, a few MB per column whatever the length) instead of
being sorted whole. Its distribution has the same interface, and every statistic is computed
from it the same way, but approximately: the sketch's CDF is within a proven, worst-case
(not probabilistic) bound of the column's at every point, ``rank_error`` (about 1e-4 at 100
million values). The result then says ``approximate=True``, and its ``rank_error`` is the sum
of the two samples' bounds, which also bounds the error of the KS statistic:
``|KS_approx - KS_exact| <= rank_error``. PSI shares move by at most twice the bound; the
Wasserstein distance by at most ``rank_error`` times the range of the values (it is an
integral of CDF differences); the standard deviation used to normalize it is exact, and the
KS p-value is computed from the approximate statistic and the true sizes. An exact result
says ``approximate=False`` and ``rank_error=0``. ``exact_limit=None`` always compares
exactly (the columns must then fit in memory). DuckDB's own ``approx_quantile`` (a T-Digest)
and ``reservoir_quantile`` (a random sample) give no worst-case bound, so they are not used.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb
import numpy as np

from aims.metrics import spark
from aims.metrics._distributions import (
    PSI_EPSILON,
    EmpiricalDistribution,
    bin_counts,
    chi2_contingency,
    jensen_shannon_distance,
    ks_and_wasserstein,
    population_stability_index,
)
from aims.metrics._drift_report import ColumnDrift, DriftReport, Kind
from aims.metrics._pvalues import ks_2samp_pvalue
from aims.metrics._sketch import QuantileSketch
from aims.metrics.io import INTEGER_TYPES, InputError, Source, open_source

__all__ = [
    "PSI_EPSILON",
    "ColumnDrift",
    "DriftDetector",
    "DriftReport",
    "EmpiricalDistribution",
    "NotFittedError",
    "drift_report",
]


NUMERIC_METHODS = ("ks", "wasserstein", "psi")
CATEGORICAL_METHODS = ("chi2", "jensenshannon", "psi")
_TESTS = ("ks", "chi2")
_METHODS = ("auto", "ks", "wasserstein", "psi", "chi2", "jensenshannon")

_NUMERIC_TYPES = (*sorted(INTEGER_TYPES), "FLOAT", "DOUBLE", "DECIMAL")
EXACT_LIMIT = 10_000_000
"""Default ``exact_limit``: above this many rows a numeric column goes through a sketch."""
_BATCH_ROWS = 1 << 20  # rows per record batch when a column is streamed into a sketch
_READ_BUFFER = 1 << 22  # bytes pyarrow reads at a time from a Parquet file when streaming
_CATEGORICAL_TYPES = ("VARCHAR", "BOOLEAN", "ENUM")


class NotFittedError(ValueError, AttributeError):
    """`DriftDetector.score` was called before `DriftDetector.fit`."""


# --------------------------------------------------------------------------------------------
# The detector


class DriftDetector:
    """Compare a current sample with a reference sample, column by column.

    Parameters
    ----------
    columns : list of str, optional
        Columns to compare. By default every column of the reference whose type drift can
        compare (numbers, text, booleans, enums); other columns are reported in
        ``DriftReport.skipped``.
    categorical : list of str, optional
        Columns to treat as categorical even though they hold numbers (codes, ratings).
    method : str or dict of str to str, default "auto"
        ``"auto"``, ``"ks"``, ``"wasserstein"`` or ``"psi"`` for numeric columns; ``"auto"``,
        ``"chi2"``, ``"jensenshannon"`` or ``"psi"`` for categorical ones. A dict gives a
        method per column (columns not in it use ``"auto"``).
    threshold : float, default 0.1
        Drift when a distance (Wasserstein normalized, Jensen-Shannon, PSI) is at least this.
    p_value : float, default 0.05
        Drift when a test's (KS, chi-squared) p-value is below this.
    bins : int, default 10
        Number of quantile bins for the PSI of numeric columns.
    small_sample : int, default 1000
        With ``method="auto"``, a column with at most this many non-missing current values is
        judged by its test, a larger one by its distance.
    share : float, default 0.5
        The data set drifts when at least this share of the columns drift.
    exact_limit : int or None, default 10,000,000
        A sample with more rows than this has its numeric columns summarized by a quantile
        sketch, read in batches, instead of sorted whole in memory; its results say
        ``approximate=True`` with their ``rank_error`` bound (see the module docstring).
        None: always exact.

    Attributes
    ----------
    columns_ : tuple of str
        The compared columns.
    kinds_ : dict of str to {"numeric", "categorical"}
    n_reference_ : int
        Rows in the reference.
    reference_distributions_ : dict of str to EmpiricalDistribution
        Numeric columns: the reference's sorted sample (or its distinct values and counts,
        or its sketch when the reference has more than ``exact_limit`` rows).
    bin_edges_ : dict of str to numpy.ndarray
        Numeric columns: the interior PSI bin edges (reference quantiles).
    reference_counts_ : dict of str to numpy.ndarray or dict
        Numeric columns: reference counts per PSI bin; categorical columns: category to count.
    reference_std_ : dict of str to float
        Numeric columns: reference standard deviation (``ddof=0``).
    skipped_ : dict of str to str
        Columns left out, with the reason.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 5000), "sex": rng.choice(["F", "M"], 5000)}
    >>> current = {"age": rng.normal(45, 10, 5000), "sex": rng.choice(["F", "M"], 5000)}
    >>> detector = DriftDetector().fit(reference)
    >>> report = detector.score(current)
    >>> report.drifted_columns
    ('age',)
    >>> report["age"].method, round(report["age"].statistic, 2)
    ('wasserstein', 0.52)
    >>> report.dataset_drifted
    True
    """

    def __init__(
        self,
        *,
        columns: Iterable[str] | None = None,
        categorical: Iterable[str] | None = None,
        method: str | Mapping[str, str] = "auto",
        threshold: float = 0.1,
        p_value: float = 0.05,
        bins: int = 10,
        small_sample: int = 1000,
        share: float = 0.5,
        exact_limit: int | None = EXACT_LIMIT,
    ) -> None:
        self.columns = columns
        self.categorical = categorical
        self.method = method
        self.threshold = threshold
        self.p_value = p_value
        self.bins = bins
        self.small_sample = small_sample
        self.share = share
        self.exact_limit = exact_limit

    def __repr__(self) -> str:
        return (
            f"DriftDetector(columns={self.columns!r}, categorical={self.categorical!r}, "
            f"method={self.method!r}, threshold={self.threshold!r}, p_value={self.p_value!r}, "
            f"bins={self.bins!r}, small_sample={self.small_sample!r}, share={self.share!r}, "
            f"exact_limit={self.exact_limit!r})"
        )

    # -- validation ---------------------------------------------------------------------------

    def _check_options(self) -> None:
        if (
            isinstance(self.bins, bool)
            or not isinstance(self.bins, int | np.integer)
            or self.bins < 2
        ):
            raise ValueError(f"bins must be an integer of at least 2, got {self.bins!r}")
        if not (isinstance(self.threshold, int | float) and self.threshold > 0):
            raise ValueError(f"threshold must be a positive number, got {self.threshold!r}")
        if not (isinstance(self.p_value, int | float) and 0 < self.p_value < 1):
            raise ValueError(f"p_value must be between 0 and 1, got {self.p_value!r}")
        if not (isinstance(self.share, int | float) and 0 < self.share <= 1):
            raise ValueError(f"share must be in (0, 1], got {self.share!r}")
        if not (isinstance(self.small_sample, int | np.integer) and self.small_sample >= 0):
            raise ValueError(
                f"small_sample must be a non-negative integer, got {self.small_sample!r}"
            )
        limit = self.exact_limit
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 0
        ):
            raise ValueError(
                f"exact_limit must be a non-negative integer or None, got {self.exact_limit!r}"
            )
        methods = self.method.values() if isinstance(self.method, Mapping) else [self.method]
        for method in methods:
            if method not in _METHODS:
                raise ValueError(
                    f"unknown method {method!r}; expected one of {', '.join(_METHODS)}"
                )

    def _method_for(self, column: str) -> str:
        if isinstance(self.method, Mapping):
            return self.method.get(column, "auto")
        return self.method

    # -- fit ----------------------------------------------------------------------------------

    def fit(self, reference: Any, *, name: str = "reference") -> DriftDetector:
        """Learn each column's reference distribution.

        Parameters
        ----------
        reference : path, Arrow table, pandas or polars DataFrame, or dict of arrays
            Anything `aims.metrics.io.open_source` accepts.
        name : str, default "reference"
            How error messages name in-memory data.

        Returns
        -------
        DriftDetector
            ``self``, fitted.
        """
        self._check_options()
        source = open_source(reference, name=name)
        categorical = list(self.categorical or [])
        if self.columns is not None:
            columns = list(self.columns)
            if not columns:
                raise InputError(f"{source.label}: no columns to compare (columns is empty)")
            source.require(*columns)
        else:
            columns = list(source.columns)
        source.require(*categorical)
        if isinstance(self.method, Mapping):
            source.require(*self.method)

        kinds: dict[str, Kind] = {}
        skipped: dict[str, str] = {}
        for column in columns:
            kind = _kind_of(source.columns[column], forced=column in categorical)
            if kind is None:
                reason = f"type {source.columns[column]} is neither numeric nor categorical"
                if self.columns is not None:
                    raise InputError(
                        f"{source.label}: column {column!r} cannot be compared for drift: {reason}; "
                        "list it in `categorical` or leave it out of `columns`"
                    )
                skipped[column] = reason
                continue
            allowed = NUMERIC_METHODS if kind == "numeric" else CATEGORICAL_METHODS
            method = self._method_for(column)
            if method != "auto" and method not in allowed:
                raise InputError(
                    f"method {method!r} does not apply to {kind} column {column!r}; "
                    f"use one of auto, {', '.join(allowed)}"
                )
            kinds[column] = kind
        if not kinds:
            raise InputError(f"{source.label}: no column can be compared for drift")

        n_rows = source.row_count()
        if n_rows == 0:
            raise InputError(f"{source.label}: the data has no rows")

        distributions: dict[str, EmpiricalDistribution] = {}
        edges: dict[str, np.ndarray] = {}
        counts: dict[str, Any] = {}
        stds: dict[str, float] = {}
        quantile_levels = np.arange(1, self.bins) / self.bins

        sketch = self._sketches(n_rows)

        def learn(column: str) -> None:
            if kinds[column] == "numeric":
                dist = _numeric_distribution(source, column, sketch=sketch, keep=True)
                distributions[column] = dist
                edges[column] = np.unique(dist.quantiles(quantile_levels))
                counts[column] = bin_counts(dist, edges[column])
                stds[column] = dist.std()
            else:
                with source.lock:
                    counts[column] = _category_counts(source, column)

        _for_each_column(learn, list(kinds))

        self.columns_ = tuple(kinds)
        self.kinds_ = kinds
        self.n_reference_ = n_rows
        self.reference_distributions_ = distributions
        self.bin_edges_ = edges
        self.reference_counts_ = counts
        self.reference_std_ = stds
        self.skipped_ = skipped
        return self

    # -- score --------------------------------------------------------------------------------

    def score(self, current: Any, *, name: str = "current") -> DriftReport:
        """Compare ``current`` with the fitted reference.

        Parameters
        ----------
        current : path, Arrow table, pandas or polars DataFrame, or dict of arrays
            Anything `aims.metrics.io.open_source` accepts, with the fitted columns.
        name : str, default "current"
            How error messages name in-memory data.

        Returns
        -------
        DriftReport

        Raises
        ------
        NotFittedError
            When `fit` has not been called.
        InputError
            A missing column, a numeric reference column that is not numeric here, no rows,
            or a column with no values.
        """
        if not hasattr(self, "columns_"):
            raise NotFittedError(
                "This DriftDetector is not fitted yet: call fit(reference) before score(current)"
            )
        self._check_options()
        source = open_source(current, name=name)
        source.require(*self.columns_)
        for column, kind in self.kinds_.items():
            if kind == "numeric" and _kind_of(source.columns[column], forced=False) != "numeric":
                raise InputError(
                    f"{source.label}: column {column!r} is numeric in the reference but "
                    f"{source.columns[column]} here"
                )
        n_rows = source.row_count()
        if n_rows == 0:
            raise InputError(f"{source.label}: the data has no rows")
        sketch = self._sketches(n_rows)

        def compare(column: str) -> ColumnDrift:
            if self.kinds_[column] == "numeric":
                return self._score_numeric(source, column, sketch=sketch)
            return self._score_categorical(source, column)

        results = _for_each_column(compare, list(self.columns_))
        return DriftReport(
            columns=tuple(results),
            share=float(self.share),
            n_reference=self.n_reference_,
            n_current=n_rows,
            skipped=tuple(self.skipped_.items()),
        )

    def _decide(
        self, column: str, kind: Kind, n_current: int, values: dict[str, float | None]
    ) -> tuple[str, float, float | None, float, bool]:
        method = self._method_for(column)
        if method == "auto":
            small = n_current <= self.small_sample
            if kind == "numeric":
                method = "ks" if small else "wasserstein"
            else:
                method = "chi2" if small else "jensenshannon"
        if method in _TESTS:
            p = values[f"{method}_p_value"]
            statistic = values["ks_statistic" if method == "ks" else "chi2"]
            assert p is not None and statistic is not None
            return method, statistic, p, float(self.p_value), p < self.p_value
        key = {"wasserstein": "wasserstein_normalized", "jensenshannon": "jensen_shannon"}
        statistic = values[key.get(method, method)]
        assert statistic is not None
        return method, statistic, None, float(self.threshold), statistic >= self.threshold

    def _sketches(self, n_rows: int) -> bool:
        """Whether a sample of ``n_rows`` rows goes through the quantile sketch."""
        return self.exact_limit is not None and n_rows > self.exact_limit

    def _score_numeric(self, source: Source, column: str, *, sketch: bool) -> ColumnDrift:
        reference = self.reference_distributions_[column]
        current = _numeric_distribution(source, column, sketch=sketch, keep=False)
        ks_statistic, wasserstein = ks_and_wasserstein(reference, current)
        ks_statistic, ks_p_value = ks_2samp_pvalue(ks_statistic, reference.n, current.n)
        std = self.reference_std_[column]
        # A constant reference: no drift if the current is the same constant, else infinite.
        normalized = wasserstein / std if std > 0 else (0.0 if wasserstein == 0 else math.inf)
        values: dict[str, float | None] = {
            "psi": population_stability_index(
                self.reference_counts_[column], bin_counts(current, self.bin_edges_[column])
            ),
            "wasserstein": wasserstein,
            "wasserstein_normalized": normalized,
            "ks_statistic": ks_statistic,
            "ks_p_value": ks_p_value,
        }
        method, statistic, p, limit, drifted = self._decide(column, "numeric", current.n, values)
        return ColumnDrift(
            column=column,
            kind="numeric",
            method=method,
            statistic=statistic,
            p_value=p,
            threshold=limit,
            drifted=bool(drifted),
            n_reference=reference.n,
            n_current=current.n,
            approximate=reference.approximate or current.approximate,
            rank_error=reference.rank_error + current.rank_error,
            **values,  # type: ignore[arg-type]
        )

    def _score_categorical(self, source: Source, column: str) -> ColumnDrift:
        reference_counts: dict[str, int] = self.reference_counts_[column]
        with source.lock:
            current_counts = _category_counts(source, column)
        categories = list(reference_counts) + sorted(set(current_counts) - set(reference_counts))
        ref = np.array([reference_counts.get(c, 0) for c in categories], dtype=np.float64)
        cur = np.array([current_counts.get(c, 0) for c in categories], dtype=np.float64)
        chi2, chi2_p_value = chi2_contingency(ref, cur)
        values: dict[str, float | None] = {
            "psi": population_stability_index(ref, cur),
            "jensen_shannon": jensen_shannon_distance(ref, cur),
            "chi2": chi2,
            "chi2_p_value": chi2_p_value,
        }
        n_current = int(cur.sum())
        method, statistic, p, limit, drifted = self._decide(
            column, "categorical", n_current, values
        )
        return ColumnDrift(
            column=column,
            kind="categorical",
            method=method,
            statistic=statistic,
            p_value=p,
            threshold=limit,
            drifted=bool(drifted),
            n_reference=int(ref.sum()),
            n_current=n_current,
            **values,  # type: ignore[arg-type]
        )


def drift_report(
    reference: Any,
    current: Any,
    *,
    columns: Iterable[str] | None = None,
    categorical: Iterable[str] | None = None,
    method: str | Mapping[str, str] = "auto",
    threshold: float = 0.1,
    p_value: float = 0.05,
    bins: int = 10,
    small_sample: int = 1000,
    share: float = 0.5,
    exact_limit: int | None = EXACT_LIMIT,
) -> DriftReport:
    """Drift of ``current`` against ``reference``: ``DriftDetector(...).fit(reference).score(current)``.

    See `DriftDetector` for the options and this module's docstring for the statistics.

    Examples
    --------
    >>> report = drift_report(
    ...     {"grade": ["a", "b", "b", "c"] * 50}, {"grade": ["a", "c", "c", "c"] * 50}
    ... )
    >>> r = report["grade"]
    >>> r.method, r.drifted, round(r.chi2, 3), round(r.jensen_shannon, 3)
    ('chi2', True, 150.0, 0.587)
    """
    detector = DriftDetector(
        columns=columns,
        categorical=categorical,
        method=method,
        threshold=threshold,
        p_value=p_value,
        bins=bins,
        small_sample=small_sample,
        share=share,
        exact_limit=exact_limit,
    )
    return detector.fit(reference).score(current)


# --------------------------------------------------------------------------------------------
# Reading columns


def _kind_of(duckdb_type: str, *, forced: bool) -> Kind | None:
    if forced:
        return "categorical"
    base = duckdb_type.upper().split("(")[0].strip()
    if base in _NUMERIC_TYPES:
        return "numeric"
    if base in _CATEGORICAL_TYPES:
        return "categorical"
    return None


_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _for_each_column(function: Callable[[str], Any], columns: list[str]) -> list[Any]:
    """``function`` over the columns, on up to 4 threads (numpy and DuckDB release the GIL).

    Queries on one source are serialised by its lock (one connection); Parquet columns are
    read without it. Each thread holds at most one column while it sorts and compares it.
    """
    if _WORKERS == 1 or len(columns) < 2:
        return [function(column) for column in columns]
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        return list(pool.map(function, columns))


def _numeric_distribution(
    source: Source, column: str, *, sketch: bool, keep: bool
) -> EmpiricalDistribution:
    """The column's distribution: its sorted values, or with ``sketch`` a quantile sketch of
    them read batch by batch. ``keep``: the distribution is kept (a fitted reference), so
    it is worth storing a column with many ties as distinct values and counts. Spark data
    is always summarized in Spark, approximately (`aims.metrics.spark`)."""
    if isinstance(source, spark.SparkSource):
        return spark.numeric_distribution(source, column)
    if sketch:
        return _sketched_distribution(source, column)
    values = np.sort(source.numeric_column(column))  # the read buffer is freed on return
    # Sorting puts NaN (missing) last, after +inf, and -inf first: no pass over the values.
    end = int(np.searchsorted(values, np.nan)) if values.size and np.isnan(values[-1]) else None
    values = values[:end]
    if values.size == 0:
        raise InputError(f"{source.label}: column {column!r} has no values (all missing)")
    if np.isinf(values[0]) or np.isinf(values[-1]):
        raise InputError(f"{source.label}: column {column!r} contains infinite values")
    return EmpiricalDistribution.from_sorted(values, compress=keep)


def _sketched_distribution(source: Source, column: str) -> EmpiricalDistribution:
    sketch = QuantileSketch()
    for values in _numeric_batches(source, column):
        finite = np.isfinite(values)
        if not finite.all():
            if np.isinf(values).any():
                raise InputError(f"{source.label}: column {column!r} contains infinite values")
            values = values[finite]  # NaN is missing
        sketch.update(values)
    if sketch.n == 0:
        raise InputError(f"{source.label}: column {column!r} has no values (all missing)")
    return sketch.distribution()


def _numeric_batches(source: Source, column: str) -> Iterator[np.ndarray]:
    """The column's non-null values as float64, a record batch at a time (NaN kept).

    Parquet files are read with pyarrow without the source's lock, as
    `Source.numeric_column` does; anything else is one streamed DuckDB query, under the lock
    while it lasts.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if source.parquet_files:
            for path in source.parquet_files:
                # Page by page: pyarrow's default pre-buffering reads whole column chunks ahead.
                reader = pq.ParquetFile(path, pre_buffer=False, buffer_size=_READ_BUFFER)
                if column not in reader.schema_arrow.names:
                    raise ValueError(f"{path.name} has no such column")
                for batch in reader.iter_batches(batch_size=_BATCH_ROWS, columns=[column]):
                    yield _float_values(batch.column(0))
            return
        q = source.quote(column)
        sql = f"SELECT CAST({q} AS DOUBLE) AS v FROM {source.relation} WHERE {q} IS NOT NULL"
        with source.lock:
            for batch in source.con.sql(sql).to_arrow_reader(_BATCH_ROWS):
                yield _float_values(batch.column(0))
    except (pa.ArrowException, duckdb.Error, OSError, KeyError, ValueError) as error:
        first = str(error).strip().splitlines()
        reason = first[0] if first else type(error).__name__
        raise InputError(f"{source.label}: cannot read column {column!r}: {reason}") from None


def _float_values(array: Any) -> np.ndarray:
    import pyarrow as pa

    if array.null_count:
        array = array.drop_null()
    return array.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)


def _category_counts(source: Source, column: str) -> dict[str, int]:
    if isinstance(source, spark.SparkSource):
        return spark.category_counts(source, column)
    q = source.quote(column)
    rows = source.fetchall(
        f"SELECT CAST({q} AS VARCHAR) AS v, count(*) AS n FROM {source.relation} "
        f"WHERE {q} IS NOT NULL GROUP BY ALL ORDER BY n DESC, v"
    )
    if not rows:
        raise InputError(f"{source.label}: column {column!r} has no values (all missing)")
    return {str(value): int(n) for value, n in rows}
