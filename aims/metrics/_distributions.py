"""Empirical distributions of numeric columns, and the drift statistics between two.

`EmpiricalDistribution` holds a sorted sample (or its distinct values with counts); PSI,
Kolmogorov-Smirnov and Wasserstein are computed from it, Jensen-Shannon and chi-squared from
category counts, here, equal to SciPy's to 1e-9 (``tests/test_metrics_drift.py``).

Nothing here merges the two samples element by element. The KS statistic is the largest gap
between the two empirical CDFs, and a gap can only peak where the CDF it is measured from
jumps: a branch-and-bound over blocks of the sorted sample evaluates it at the block starts by
binary search, bounds it inside each block (both CDFs only increase), and only descends into
the few blocks whose bound beats the best gap found, so a million values cost a few thousand
searches. The Wasserstein distance is computed as the integral of ``|Q_ref(t) - Q_cur(t)|``
over quantile levels ``t`` (equal to the integral of ``|F_ref(x) - F_cur(x)|`` over values, as
SciPy computes it): the quantile functions step at known levels ``i/n``, so it is arithmetic on
the two sorted arrays, done in cache-sized chunks.
"""

from __future__ import annotations

import math

import numpy as np

from aims.metrics._pvalues import _chi2_sf

PSI_EPSILON = 1e-4
"""Share used in place of an empty bin or category in PSI (Evidently's choice)."""

# Vectorised passes run over chunks of this many values: the temporaries stay in the CPU cache
# and come from the allocator's free list instead of fresh pages (at a million values a new
# array costs more in page faults than the arithmetic on it). Sums of products are
# ``multiply`` then ``sum``, never ``np.dot``: that calls BLAS, whose worker threads cost far
# more than the product when the machine is busy.
_CHUNK = 1 << 16


def _sum_of_products(x: np.ndarray, y: np.ndarray) -> float:
    """``sum(x * y)``, overwriting ``x``."""
    np.multiply(x, y, out=x)
    return float(x.sum())


class EmpiricalDistribution:
    """A numeric sample, sorted: either every value (``counts`` None) or its distinct values
    with how often each occurs.

    Everything drift computes on a numeric column (quantiles, bin counts, the empirical CDF,
    mean and standard deviation, KS and Wasserstein) goes through this class, so an
    approximate quantile sketch (`aims.metrics._sketch`) produces one too: then ``values``
    and ``counts`` are the sketch's weighted items and ``rank_error`` bounds how far its CDF
    may be from the sample's, at every point.

    Examples
    --------
    >>> dist = EmpiricalDistribution.from_sample(np.array([3.0, 1.0, 3.0, 3.0, 2.0, 3.0]))
    >>> dist.values.tolist(), dist.counts.tolist(), dist.n
    ([1.0, 2.0, 3.0], [1, 1, 4], 6)
    >>> dist.count_at_most(np.array([0.5, 2.0, 9.0])).tolist()
    [0, 2, 6]
    >>> EmpiricalDistribution.from_sample(np.array([2.0, 1.0, 2.0])).values.tolist()
    [1.0, 2.0, 2.0]
    """

    __slots__ = ("values", "_counts", "_cumulative", "_n", "rank_error", "approximate", "_moments")

    def __init__(
        self,
        values: np.ndarray,
        counts: np.ndarray | None,
        *,
        approximate: bool = False,
        rank_error: float = 0.0,
        moments: tuple[float, float] | None = None,
    ) -> None:
        self.values = values
        # counts=None: ``values`` is the whole sorted sample (repeats allowed). That is the
        # common case for real-valued data, and the fast one: ranks are positions.
        self._counts = counts
        self._cumulative: np.ndarray | None = None
        self._n = int(values.size if counts is None else counts.sum())
        # A sketch's distribution: ``rank_error`` bounds |F_approx(x) - F_sample(x)| at every x.
        self.approximate = approximate
        self.rank_error = float(rank_error)
        self._moments = moments  # (mean, population std) of the whole sample, when not in values

    @classmethod
    def from_sample(cls, sample: np.ndarray) -> EmpiricalDistribution:
        """Build from a one-dimensional sample without NaN."""
        return cls.from_sorted(np.sort(np.asarray(sample, dtype=np.float64)))

    @classmethod
    def from_sorted(cls, x: np.ndarray, *, compress: bool = True) -> EmpiricalDistribution:
        """Build from a sorted float64 sample without NaN, which it keeps (no copy).

        With ``compress`` (for a distribution that is kept, like a fitted reference), a sample
        where at most half the values are distinct is stored as distinct values and counts,
        which take less memory and make every later step faster; otherwise the sorted sample
        is kept as is.
        """
        if not compress or x.size < 2:
            return cls(x, None)
        starts = _distinct_starts(x)
        if starts is None:
            return cls(x, None)
        counts = np.diff(np.append(starts, x.size))
        return cls(x[starts], counts)

    @property
    def n(self) -> int:
        """Number of values in the sample."""
        return self._n

    @property
    def counts(self) -> np.ndarray:
        """Occurrences of each entry of ``values``."""
        if self._counts is None:
            return np.ones(self.values.size, dtype=np.int64)
        return self._counts

    @property
    def cumulative(self) -> np.ndarray:
        """``cumulative[i]``: how many sample values come before ``values[i]`` (length k + 1)."""
        if self._cumulative is None:
            if self._counts is None:
                self._cumulative = np.arange(self.values.size + 1, dtype=np.int64)
            else:
                self._cumulative = np.concatenate(([0], np.cumsum(self._counts)))
        return self._cumulative

    def cumulative_at(self, positions: np.ndarray) -> np.ndarray:
        """How many sample values are among the first ``positions`` entries of ``values``."""
        return positions if self._counts is None else self.cumulative[positions]

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
        if self._moments is not None:
            return self._moments[0]
        if self._counts is None:
            return float(np.mean(self.values))
        return _sum_of_products(self.values.copy(), self._counts) / self.n

    def std(self) -> float:
        """Population standard deviation (``ddof=0``)."""
        if self._moments is not None:
            return self._moments[1]
        mean = self.mean()
        total = 0.0
        for start in range(0, self.values.size, _CHUNK):
            deviation = self.values[start : start + _CHUNK] - mean
            deviation *= deviation
            if self._counts is None:
                total += float(deviation.sum())
            else:
                total += _sum_of_products(deviation, self._counts[start : start + _CHUNK])
        return math.sqrt(total / self.n)


def _distinct_starts(x: np.ndarray) -> np.ndarray | None:
    """Positions where a new value starts in sorted ``x``, or None when more than half the
    values are distinct (then the sample is cheaper kept whole)."""
    distinct = 1
    for start in range(0, x.size - 1, _CHUNK):
        stop = min(start + _CHUNK, x.size - 1)
        distinct += int(np.count_nonzero(x[start + 1 : stop + 1] != x[start:stop]))
    if 2 * distinct > x.size:
        return None
    return np.flatnonzero(np.concatenate(([True], x[1:] != x[:-1])))


def population_stability_index(reference_counts: np.ndarray, current_counts: np.ndarray) -> float:
    r = reference_counts / reference_counts.sum()
    c = current_counts / current_counts.sum()
    r = np.where(r == 0, PSI_EPSILON, r)
    c = np.where(c == 0, PSI_EPSILON, c)
    return float(np.sum((c - r) * np.log(c / r)))


def ks_and_wasserstein(
    reference: EmpiricalDistribution, current: EmpiricalDistribution
) -> tuple[float, float]:
    """KS statistic (as ``ks_2samp`` picks it) and Wasserstein-1 distance of two samples."""
    return ks_statistic(reference, current), wasserstein_distance(reference, current)


def ks_statistic(reference: EmpiricalDistribution, current: EmpiricalDistribution) -> float:
    """The two-sample KS statistic, equal to ``scipy.stats.ks_2samp(...).statistic``.

    SciPy evaluates ``F_ref - F_cur`` at every value of both samples and takes the larger of
    its maximum and minus its minimum. ``F_ref - F_cur`` rises only where ``F_ref`` jumps, so
    its maximum is at a reference value, and its minimum at a current value: each is one
    `_largest_gap` over one sample, with the same floating-point expressions as SciPy. Only
    the larger of the two matters, so the second search only looks for gaps above the first.
    """
    max_s = _largest_gap(reference, current, above=-math.inf)
    return min(_largest_gap(current, reference, above=max_s), 1.0)


# Branch-and-bound block sizes: 2048 values, then 512, 128, ... and 1.
_BLOCK = 2048
_FAN = 4


def _largest_gap(x: EmpiricalDistribution, y: EmpiricalDistribution, *, above: float) -> float:
    """``max_i F_x(x_i) - F_y(x_i)`` over the entries ``x_i`` of ``x.values``, exactly, or
    ``above`` when no gap is larger.

    Over a block of consecutive entries ``[s, e]`` both CDFs increase, so every gap in it is
    at most ``F_x(x_e) - F_y(x_s)`` (``F_x(x_e)`` is a position, known without searching),
    and floating-point division and subtraction keep that order. The gaps at the block starts
    are computed by binary search; blocks whose bound does not beat the best gap so far are
    dropped, the others are split in four and the step repeats down to single entries.
    """
    k = x.values.size
    n_x, n_y = x.n, y.n
    size = _BLOCK
    starts = np.arange(0, k, size, dtype=np.int64)
    best = above
    while True:
        below = y.count_at_most(x.values[starts]) / n_y
        gaps = x.cumulative_at(starts + 1) / n_x - below
        best = max(best, float(gaps.max()))
        if size == 1:
            return best
        ends = np.minimum(starts + size, k)
        bound = x.cumulative_at(ends) / n_x - below
        open_blocks = (bound > best) & (ends - starts > 1)
        if not open_blocks.any():
            return best
        split = max(size // _FAN, 1)
        starts = (starts[open_blocks, None] + np.arange(0, size, split)).ravel()
        starts = starts[starts < k]
        size = split


def wasserstein_distance(reference: EmpiricalDistribution, current: EmpiricalDistribution) -> float:
    """The Wasserstein-1 distance, equal to ``scipy.stats.wasserstein_distance``.

    In one dimension it is the integral over ``t`` in (0, 1] of ``|Q_ref(t) - Q_cur(t)|``,
    ``Q`` the quantile functions (step functions of ``t``). With the whole sorted samples the
    steps of ``Q`` are at ``i/n``: two samples of the same size give the mean of
    ``|ref_i - cur_i|``, otherwise each step of the larger sample overlaps at most two steps
    of the other, at positions found by integer arithmetic. Distinct values with counts, or
    a sketch, step at their cumulative counts: `_wasserstein_by_counts`.
    """
    a, b = reference, current
    if a._counts is not None or b._counts is not None:
        return _wasserstein_by_counts(a, b)
    if a.n < b.n:
        a, b = b, a
    n1, n2 = a.n, b.n
    x, y = a.values, b.values
    total = 0.0
    if n1 == n2:
        for start in range(0, n1, _CHUNK):
            part = np.subtract(x[start : start + _CHUNK], y[start : start + _CHUNK])
            np.abs(part, out=part)
            total += float(part.sum())
        return total / n1
    if n1 * n2 >= 2**62:  # the positions below would overflow int64
        return _wasserstein_by_counts(a, b)
    # Unit of t: 1 / (n1 * n2). Step i of x covers (i * n2, (i + 1) * n2]; step j of y covers
    # (j * n1, (j + 1) * n1]. As n2 < n1, step i of x meets step j0 = floor(i * n2 / n1) of y
    # and, past (j0 + 1) * n1, step j0 + 1.
    for start in range(0, n1, _CHUNK):
        stop = min(start + _CHUNK, n1)
        left = np.arange(start, stop, dtype=np.int64)
        left *= n2
        j0 = left // n1
        second = left
        second += n2
        second -= (j0 + 1) * n1  # overlap with step j0 + 1
        np.maximum(second, 0, out=second)
        piece = x[start:stop]
        near = y.take(j0)
        near -= piece
        np.abs(near, out=near)
        np.minimum(j0 + 1, n2 - 1, out=j0)
        far = y.take(j0)
        far -= piece
        np.abs(far, out=far)
        weight = second.astype(np.float64)
        total += _sum_of_products(far, weight)
        np.subtract(n2, weight, out=weight)
        total += _sum_of_products(near, weight)
    return total / n1 / n2


def _wasserstein_by_counts(a: EmpiricalDistribution, b: EmpiricalDistribution) -> float:
    """Wasserstein-1 when either side has counts: the quantile steps of ``a`` end at
    ``P_k = Ca[k+1] * n2`` and those of ``b`` at ``Q_j = Cb[j+1] * n1`` (unit 1/(n1 n2)); each
    step end closes the segment back to the previous end of either sample, where the two
    quantile functions are constant."""
    n1, n2 = a.n, b.n
    exact = n1 * n2 < 2**62
    dtype = np.int64 if exact else np.float64
    ca = a.cumulative.astype(dtype) * n2  # step ends of a, with 0 first
    cb = b.cumulative.astype(dtype) * n1
    ka, kb = a.values.size, b.values.size
    total = 0.0
    for start in range(0, ka, _CHUNK):
        stop = min(start + _CHUNK, ka)
        end = ca[start + 1 : stop + 1]
        j = np.searchsorted(cb[1:], end, side="left")  # b's step at the segment's end
        length = end - np.maximum(ca[start:stop], cb[j])
        gap = np.abs(a.values[start:stop] - b.values[j])
        total += _sum_of_products(gap, length)
    for start in range(0, kb, _CHUNK):
        stop = min(start + _CHUNK, kb)
        end = cb[start + 1 : stop + 1]
        i = np.searchsorted(ca[1:], end, side="right")  # a's steps ending at or before
        length = end - np.maximum(cb[start:stop], ca[i])  # 0 when an a step ends there too
        np.minimum(i, ka - 1, out=i)
        gap = np.abs(a.values[i] - b.values[start:stop])
        total += _sum_of_products(gap, length)
    return total / n1 / n2


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
