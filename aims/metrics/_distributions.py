"""Exact empirical distributions of numeric columns, and the drift statistics between two.

`EmpiricalDistribution` holds a sorted sample as distinct values with counts; PSI,
Kolmogorov-Smirnov, Wasserstein, Jensen-Shannon and chi-squared are computed from it (or from
category counts) here, equal to SciPy's to 1e-9 (``tests/test_metrics_drift.py``).
"""

from __future__ import annotations

import math

import numpy as np

from aims.metrics._pvalues import _chi2_sf

PSI_EPSILON = 1e-4
"""Share used in place of an empty bin or category in PSI (Evidently's choice)."""


class EmpiricalDistribution:
    """A numeric sample as its distinct values (increasing) and how often each occurs.

    Everything drift computes on a numeric column (quantiles, bin counts, the empirical CDF,
    mean and standard deviation) goes through this class, so an approximate quantile sketch
    with the same methods could replace it for inputs too large to sort.

    Examples
    --------
    >>> dist = EmpiricalDistribution.from_sample(np.array([3.0, 1.0, 3.0, 2.0]))
    >>> dist.values.tolist(), dist.counts.tolist(), dist.n
    ([1.0, 2.0, 3.0], [1, 1, 2], 4)
    >>> dist.count_at_most(np.array([0.5, 2.0, 9.0])).tolist()
    [0, 2, 4]
    """

    __slots__ = ("values", "_counts", "_cumulative", "_n")

    def __init__(self, values: np.ndarray, counts: np.ndarray | None) -> None:
        self.values = values
        # counts=None means every value occurs once (the common case for real-valued data),
        # which saves building and scanning the count arrays.
        self._counts = counts
        self._cumulative: np.ndarray | None = None
        self._n = int(values.size if counts is None else counts.sum())

    @classmethod
    def from_sample(cls, sample: np.ndarray) -> EmpiricalDistribution:
        """Build from a one-dimensional sample without NaN."""
        x = np.sort(np.asarray(sample, dtype=np.float64))
        if x.size < 2:
            return cls(x, None)
        distinct = x[1:] != x[:-1]
        if distinct.all():
            return cls(x, None)
        starts = np.flatnonzero(np.concatenate(([True], distinct)))
        counts = np.diff(np.append(starts, x.size))
        return cls(x[starts], counts)

    @property
    def n(self) -> int:
        """Number of values in the sample."""
        return self._n

    @property
    def counts(self) -> np.ndarray:
        """Occurrences of each distinct value."""
        if self._counts is None:
            return np.ones(self.values.size, dtype=np.int64)
        return self._counts

    @property
    def cumulative(self) -> np.ndarray:
        """``cumulative[i]``: how many sample values are below ``values[i]`` (length k + 1)."""
        if self._cumulative is None:
            if self._counts is None:
                self._cumulative = np.arange(self.values.size + 1, dtype=np.int64)
            else:
                self._cumulative = np.concatenate(([0], np.cumsum(self._counts)))
        return self._cumulative

    def cumulative_at(self, distinct: np.ndarray) -> np.ndarray:
        """How many sample values are among the first ``distinct`` distinct values."""
        return distinct if self._counts is None else self.cumulative[distinct]

    def count_at_most(self, points: np.ndarray) -> np.ndarray:
        """How many sample values are ``<=`` each point."""
        return self.cumulative_at(np.searchsorted(self.values, points, side="right"))

    def cdf(self, points: np.ndarray) -> np.ndarray:
        """The empirical CDF (right-continuous) at each point."""
        return self.count_at_most(points) / self.n

    def order_statistic(self, ranks: np.ndarray) -> np.ndarray:
        """The values at 0-based positions ``ranks`` of the sorted sample."""
        if self._counts is None:
            return self.values[ranks]
        return self.values[np.searchsorted(self.cumulative[1:], ranks, side="right")]

    def quantiles(self, q: np.ndarray) -> np.ndarray:
        """Quantiles by linear interpolation, equal to ``numpy.quantile(sample, q)``."""
        position = (self.n - 1) * np.asarray(q, dtype=np.float64)
        below = np.floor(position)
        t = position - below
        low = self.order_statistic(below.astype(np.int64))
        high = self.order_statistic(np.minimum(below + 1, self.n - 1).astype(np.int64))
        diff = high - low
        # numpy's _lerp: interpolate from the nearer end, for monotonicity.
        return np.where(t >= 0.5, high - diff * (1 - t), low + diff * t)

    def mean(self) -> float:
        if self._counts is None:
            return float(np.mean(self.values))
        return float(np.dot(self.values, self._counts) / self.n)

    def std(self) -> float:
        """Population standard deviation (``ddof=0``)."""
        deviation = self.values - self.mean()
        if self._counts is None:
            return float(math.sqrt(np.dot(deviation, deviation) / self.n))
        return float(math.sqrt(np.dot(deviation * deviation, self._counts) / self.n))


def population_stability_index(reference_counts: np.ndarray, current_counts: np.ndarray) -> float:
    r = reference_counts / reference_counts.sum()
    c = current_counts / current_counts.sum()
    r = np.where(r == 0, PSI_EPSILON, r)
    c = np.where(c == 0, PSI_EPSILON, c)
    return float(np.sum((c - r) * np.log(c / r)))


def ks_and_wasserstein(
    reference: EmpiricalDistribution, current: EmpiricalDistribution
) -> tuple[float, float]:
    """KS statistic (as ``ks_2samp`` picks it) and Wasserstein-1 distance of two samples.

    Both are functionals of ``F_ref - F_cur`` on the merged support. One stable merge of the
    two sorted supports tells, for each value, how many distinct values of the other sample
    lie below it; the rest is linear. The CDF difference is known at every support point; the
    Wasserstein integral adds, for each point, that difference times the gap to the next
    support point (the nearer of the next reference and the next current value), each current
    value equal to a reference value counted once.
    """
    a, b = reference.values, current.values
    n1, n2 = reference.n, current.n
    # numpy's stable sort merges two sorted runs in linear time. Current values come first,
    # so a current value equal to a reference value sorts before it.
    order = np.argsort(np.concatenate((b, a)), kind="stable")
    from_reference = order >= b.size
    del order
    # A value's place in the merge minus its place in its own sample: how many values of the
    # other sample come before it.
    b_at_most_a = np.flatnonzero(from_reference)
    b_at_most_a -= np.arange(a.size)  # distinct current values <= a[i]
    slot = np.flatnonzero(~from_reference)
    del from_reference
    slot -= np.arange(b.size)  # distinct reference values < b[j]
    tied = a.take(slot, mode="clip") == b
    below_or_equal = slot
    below_or_equal += tied  # distinct reference values <= b[j]
    # CDFs as scipy computes them (count / n), at the current values and at the reference ones.
    ref_at_b = reference.cumulative_at(below_or_equal) / n1
    diff_b = np.subtract(ref_at_b, current.cumulative[1:] / n2, out=ref_at_b)
    cur_at_a = current.cumulative_at(b_at_most_a) / n2
    diff_a = np.subtract(reference.cumulative[1:] / n1, cur_at_a, out=cur_at_a)
    max_s = max(float(diff_a.max()), float(diff_b.max()))
    min_s = min(max(-min(float(diff_a.min()), float(diff_b.min())), 0.0), 1.0)
    d = min_s if min_s > max_s else max_s
    # The next support point after a[i] is min(a[i+1], first b > a[i]) and after b[j] it is
    # min(b[j+1], first a > b[j]); past the largest value there is none (gap 0). Written in
    # place: at a million values a fresh array costs more than the arithmetic on it.
    gap_a = _gaps(a, b, b_at_most_a)
    gap_b = _gaps(b, a, below_or_equal)
    gap_b[tied] = 0.0  # a current value equal to a reference value: counted at a[i]
    np.abs(diff_a, out=diff_a)
    np.abs(diff_b, out=diff_b)
    wasserstein = float(np.dot(diff_a, gap_a) + np.dot(diff_b, gap_b))
    return d, wasserstein


def _gaps(x: np.ndarray, other: np.ndarray, other_at_most: np.ndarray) -> np.ndarray:
    """For each ``x[i]``, the distance to the next point of the merged support: the nearer of
    ``x[i+1]`` and ``other[other_at_most[i]]`` (the first ``other`` value above ``x[i]``);
    0 past the largest value."""
    beyond = int(np.searchsorted(other_at_most, other.size))  # no other value above from here
    gap = other.take(other_at_most, mode="wrap")
    gap[beyond:] = np.inf
    np.minimum(gap[:-1], x[1:], out=gap[:-1])
    gap -= x
    if gap[-1] == np.inf:
        gap[-1] = 0.0
    return gap


def jensen_shannon_distance(p_counts: np.ndarray, q_counts: np.ndarray) -> float:
    p = p_counts / p_counts.sum()
    q = q_counts / q_counts.sum()
    m = (p + q) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(p > 0, p * np.log(p / m), 0.0)
        right = np.where(q > 0, q * np.log(q / m), 0.0)
    js = (np.sum(left) + np.sum(right)) / np.log(2.0)
    return float(np.sqrt(max(js, 0.0) / 2.0))


def chi2_contingency(
    reference_counts: np.ndarray, current_counts: np.ndarray
) -> tuple[float, float]:
    """Pearson chi-squared of the 2 x k table, as ``scipy.stats.chi2_contingency``."""
    observed = np.vstack((reference_counts, current_counts)).astype(np.float64)
    expected = np.multiply(observed.sum(axis=1, keepdims=True), observed.sum(axis=0, keepdims=True))
    expected = expected / observed.sum()
    dof = observed.shape[1] - 1
    if dof == 0:
        return 0.0, 1.0
    if dof == 1:  # Yates' continuity correction, 2 x 2 tables only (as scipy).
        diff = expected - observed
        observed = observed + np.minimum(0.5, np.abs(diff)) * np.sign(diff)
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    return statistic, _chi2_sf(statistic, dof)


def bin_counts(dist: EmpiricalDistribution, edges: np.ndarray) -> np.ndarray:
    """Counts in the bins (-inf, e1], (e1, e2], ..., (ek, inf)."""
    at_most = dist.count_at_most(edges)
    return np.diff(np.concatenate(([0], at_most, [dist.n]))).astype(np.float64)
