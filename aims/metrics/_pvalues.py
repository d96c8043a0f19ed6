"""Exact and asymptotic p-values for the two-sample Kolmogorov-Smirnov test, and the
chi-squared survival function, without SciPy at run time.

Two-sample Kolmogorov-Smirnov p-value, ported from SciPy 1.17 (scipy.stats.ks_2samp,
scipy.stats._ksstats, scipy/special/xsf/cephes/kolmogorov.h; BSD-3-Clause,
Copyright (c) 2001-2002 Enthought, Inc. 2003, SciPy Developers).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

_KS_MAX_EXACT_N = 10000


def ks_2samp_pvalue(statistic: float, n1: int, n2: int) -> tuple[float, float]:
    """Two-sided p-value of the two-sample KS statistic, as ``scipy.stats.ks_2samp`` (method="auto").

    Exact when both samples have at most 10,000 values, else asymptotic. Returns the
    statistic (in the exact case rounded to the lattice ``h / lcm(n1, n2)``, as scipy does)
    and the p-value.

    Examples
    --------
    >>> d, p = ks_2samp_pvalue(0.5, 10, 10)
    >>> round(p, 6)
    0.167821
    """
    d = float(statistic)
    g = math.gcd(n1, n2)
    if max(n1, n2) <= _KS_MAX_EXACT_N:
        lcm = (n1 // g) * n2
        h = int(round(d * lcm))
        d = h / lcm
        if h == 0:
            return d, 1.0
        prob = _prob_outside_square(n1, h) if n1 == n2 else _outer_prob_inside(n1, n2, g, h)
        if 0 <= prob <= 1:
            return d, float(min(max(prob, 0.0), 1.0))
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    prob = _kolmogn_sf(int(round(en)), d)
    return d, float(min(max(prob, 0.0), 1.0))


def _prob_outside_square(n: int, h: int) -> float:
    p_total = 0.0
    k = int(math.floor(n / h))
    while k >= 0:
        p1 = 1.0
        for j in range(h):
            p1 = (n - k * h - j) * p1 / (n + k * h + j + 1)
        p_total = p1 * (1.0 - p_total)
        k -= 1
    return 2 * p_total


def _outer_prob_inside(m: int, n: int, g: int, h: int) -> float:
    if m < n:
        m, n = n, m
    mg = m // g
    ng = n // g
    minj, maxj = 0, min(int(math.ceil(h / mg)), n + 1)
    curlen = maxj - minj
    length = min(2 * maxj + 2, n + 1)
    a = [1.0] * length
    a[minj:maxj] = [0.0] * (maxj - minj)
    for i in range(1, m + 1):
        lastminj, lastlen = minj, curlen
        minj = max(int(math.floor((ng * i - h) / mg)) + 1, 0)
        minj = min(minj, n)
        maxj = min(int(math.ceil((ng * i + h) / mg)), n + 1)
        if maxj <= minj:
            return 1.0
        val = 0.0 if minj == 0 else 1.0
        shift = minj - lastminj
        for jj in range(maxj - minj):
            j = jj + minj
            val = (a[jj + shift] * i + val * j) / (i + j)
            a[jj] = val
        curlen = maxj - minj
        if lastlen > curlen:
            end = min(maxj - minj + (lastlen - curlen), length)
            a[maxj - minj : end] = [1.0] * (end - (maxj - minj))
    return a[maxj - minj - 1]


_E128 = 128
_EP128 = 2.0**128
_EM128 = 2.0**-128
_SQRT2PI = math.sqrt(2 * math.pi)
_LOG_2PI = math.log(2 * math.pi)
_MIN_LOG = -708
_PI_SQUARED = math.pi**2
_PI_FOUR = math.pi**4
_PI_SIX = math.pi**6
_STIRLING_COEFFS = [
    -2.955065359477124183e-2,
    6.4102564102564102564e-3,
    -1.9175269175269175269e-3,
    8.4175084175084175084e-4,
    -5.952380952380952381e-4,
    7.9365079365079365079e-4,
    -2.7777777777777777778e-3,
    8.3333333333333333333e-2,
]


def _kolmogn_sf(n: int, x: float) -> float:
    """Pr(D_n > x) for the two-sided one-sample KS statistic (``scipy.stats.kstwo.sf``)."""
    if x >= 1.0:
        return 0.0
    if x <= 0.0:
        return 1.0
    t = n * x
    if t <= 1.0:  # Ruben-Gambino
        if t <= 0.5:
            return 1.0
        if n <= 140:
            prob = float(np.prod(np.arange(1, n + 1) * (1.0 / n) * (2 * t - 1)))
        else:
            rn = 1.0 / n
            log_ratio = (
                math.log(n) / 2 - n + _LOG_2PI / 2 + rn * np.polyval(_STIRLING_COEFFS, rn / n)
            )
            prob = math.exp(log_ratio + n * math.log(2 * t - 1))
        return _clip(1.0 - prob)
    if t >= n - 1:  # Ruben-Gambino
        return _clip(2 * (1.0 - x) ** n)
    if x >= 0.5:
        return _clip(2 * _smirnov_sf(n, x))
    nxsquared = t * x
    if n <= 140:
        if nxsquared <= 0.754693:
            return _clip(1.0 - _kolmogn_dmtw_cdf(n, x))
        if nxsquared <= 4:
            return _clip(1.0 - _kolmogn_pomeranz_cdf(n, x))
        return _clip(2 * _smirnov_sf(n, x))
    if nxsquared >= 370.0:
        return 0.0
    if nxsquared >= 2.2:
        return _clip(2 * _smirnov_sf(n, x))
    if n <= 100000 and n * x**1.5 <= 1.4:
        cdf = _kolmogn_dmtw_cdf(n, x)
    else:
        cdf = _kolmogn_pelz_good_cdf(n, x)
    return _clip(1.0 - cdf)


def _clip(p: float) -> float:
    return float(min(max(p, 0.0), 1.0))


def _kolmogn_dmtw_cdf(n: int, d: float) -> float:
    """Durbin's matrix algorithm, as Marsaglia, Tsang and Wang (2003)."""
    if d >= 1.0:
        return 1.0
    nd = n * d
    if nd <= 0.5:
        return 0.0
    k = int(math.ceil(nd))
    h = k - nd
    m = 2 * k - 1
    H = np.zeros([m, m])
    intm = np.arange(1, m + 1)
    v = 1.0 - h**intm
    w = np.empty(m)
    fac = 1.0
    for j in intm:
        w[j - 1] = fac
        fac /= j
        v[j - 1] *= fac
    tt = max(2 * h - 1.0, 0) ** m - 2 * h**m
    v[-1] = (1.0 + tt) * fac
    for i in range(1, m):
        H[i - 1 :, i] = w[: m - i + 1]
    H[:, 0] = v
    H[-1, :] = np.flip(v, axis=0)
    power = np.eye(m)
    nn = n
    exponent = 0
    h_exponent = 0
    while nn > 0:
        if nn % 2:
            power = np.matmul(power, H)
            exponent += h_exponent
        H = np.matmul(H, H)
        h_exponent *= 2
        if abs(H[k - 1, k - 1]) > _EP128:
            H /= _EP128
            h_exponent += _E128
        nn = nn // 2
    p = float(power[k - 1, k - 1])
    for i in range(1, n + 1):
        p = i * p / n
        if abs(p) < _EM128:
            p *= _EP128
            exponent -= _E128
    if exponent != 0:
        p = math.ldexp(p, exponent)
    return _clip(p)


def _pomeranz_j1j2(i: int, n: int, ll: int, ceilf: int, roundf: int) -> tuple[int, int]:
    if i == 0:
        j1, j2 = -ll - ceilf - 1, ll + ceilf - 1
    else:
        ip1div2, ip1mod2 = divmod(i + 1, 2)
        if ip1mod2 == 0:
            if ip1div2 == n + 1:
                j1, j2 = n - ll - ceilf - 1, n + ll + ceilf - 1
            else:
                j1, j2 = ip1div2 - 1 - ll - roundf - 1, ip1div2 + ll - 1 + ceilf - 1
        else:
            j1, j2 = ip1div2 - 1 - ll - 1, ip1div2 + ll + roundf - 1
    return max(j1 + 2, 0), min(j2, n)


def _kolmogn_pomeranz_cdf(n: int, x: float) -> float:
    """Pomeranz's recursion (1974)."""
    t = n * x
    ll = int(math.floor(t))
    f = 1.0 * (t - ll)
    g = min(f, 1.0 - f)
    ceilf = 1 if f > 0 else 0
    roundf = 1 if f > 0.5 else 0
    npwrs = 2 * (ll + 1)
    gpower = np.empty(npwrs)
    twogpower = np.empty(npwrs)
    onem2gpower = np.empty(npwrs)
    gpower[0] = twogpower[0] = onem2gpower[0] = 1.0
    exponent = 0
    g_over_n, two_g_over_n, one_minus_two_g_over_n = g / n, 2 * g / n, (1 - 2 * g) / n
    for m in range(1, npwrs):
        gpower[m] = gpower[m - 1] * g_over_n / m
        twogpower[m] = twogpower[m - 1] * two_g_over_n / m
        onem2gpower[m] = onem2gpower[m - 1] * one_minus_two_g_over_n / m
    V0 = np.zeros([npwrs])
    V1 = np.zeros([npwrs])
    V1[0] = 1
    V0s, V1s = 0, 0
    j1, j2 = _pomeranz_j1j2(0, n, ll, ceilf, roundf)
    for i in range(1, 2 * n + 2):
        k1 = j1
        V0, V1 = V1, V0
        V0s, V1s = V1s, V0s
        V1.fill(0.0)
        j1, j2 = _pomeranz_j1j2(i, n, ll, ceilf, roundf)
        edge_row = i == 1 or i == 2 * n + 1
        pwrs = gpower if edge_row else (twogpower if i % 2 else onem2gpower)
        ln2 = j2 - k1 + 1
        if ln2 > 0:
            conv = np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2])
            conv_start = j1 - k1
            conv_len = j2 - j1 + 1
            V1[:conv_len] = conv[conv_start : conv_start + conv_len]
            if 0 < np.max(V1) < _EM128:
                V1 *= _EP128
                exponent -= _E128
            V1s = V0s + j1 - k1
    ans = float(V1[n - V1s])
    for m in range(1, n + 1):
        if abs(ans) > _EP128:
            ans *= _EM128
            exponent += _E128
        ans *= m
    if exponent != 0:
        ans = math.ldexp(ans, exponent)
    return _clip(ans)


def _kolmogn_pelz_good_cdf(n: int, x: float) -> float:
    """Pelz and Good's approximation (1976)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    z = math.sqrt(n) * x
    zsquared, zthree, zfour, zsix = z**2, z**3, z**4, z**6
    qlog = -_PI_SQUARED / 8 / zsquared
    if qlog < _MIN_LOG:
        return 0.0
    q = math.exp(qlog)
    k1a = -zsquared
    k1b = _PI_SQUARED / 4
    k2a = 6 * zsix + 2 * zfour
    k2b = (2 * zfour - 5 * zsquared) * _PI_SQUARED / 4
    k2c = _PI_FOUR * (1 - 2 * zsquared) / 16
    k3d = _PI_SIX * (5 - 30 * zsquared) / 64
    k3c = _PI_FOUR * (-60 * zsquared + 212 * zfour) / 16
    k3b = _PI_SQUARED * (135 * zfour - 96 * zsix) / 4
    k3a = -30 * zsix - 90 * z**8
    K = np.zeros(4)
    maxk = int(math.ceil(16 * z / math.pi))
    for k in range(maxk, 0, -1):
        m = 2 * k - 1
        msquared, mfour, msix = m**2, m**4, m**6
        qpower = np.power(q, 8 * k)
        coeffs = np.array(
            [
                1.0,
                k1a + k1b * msquared,
                k2a + k2b * msquared + k2c * mfour,
                k3a + k3b * msquared + k3c * mfour + k3d * msix,
            ]
        )
        K *= qpower
        K += coeffs
    K *= q
    K *= _SQRT2PI
    K /= np.array([z, 6 * zfour, 72 * z**7, 6480 * z**10])
    q = math.exp(-_PI_SQUARED / 2 / zsquared)
    ks = np.arange(maxk, 0, -1)
    ksquared = ks**2
    sqrt3z = math.sqrt(3) * z
    kspi = np.pi * ks
    qpwers = q**ksquared
    k2extra = np.sum(ksquared * qpwers) * _PI_SQUARED * _SQRT2PI / (-36 * zthree)
    K[2] += k2extra
    k3extra = np.sum((sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpwers)
    K[3] += k3extra * _PI_SQUARED * _SQRT2PI / (216 * zsix)
    K /= np.power(n * 1.0, np.arange(4) / 2.0)
    return float(sum(K))


_SMIRNOV_MAX_COMPUTE_N = 1_000_000
_MINLOG = -7.451332191019412076235e2  # cephes MINLOG = log(2**-1075)


def _smirnov_sf(n: int, x: float) -> float:
    """Pr(D_n^+ >= x), the one-sided KS statistic (``scipy.special.smirnov``).

    The Birnbaum-Tingey sum, evaluated term by term in logarithms (SciPy uses double-double
    arithmetic; the two agree to about 1e-12 relative).
    """
    if not (n > 0 and 0.0 <= x <= 1.0):
        return math.nan
    if n == 1:
        return 1.0 - x
    if x == 0.0:
        return 1.0
    if x == 1.0:
        return 0.0
    exact_nx = Fraction(x) * n
    nxfl = math.floor(exact_nx)
    alpha = float(exact_nx - nxfl)
    if nxfl == 0 or (nxfl == 1 and alpha == 0):
        return _clip(1.0 - x * (1.0 + x) ** (n - 1))
    if -2 * n * x * x < _MINLOG:
        return 0.0
    if nxfl >= n - 1:
        return _clip((1.0 - x) ** n)
    if n > _SMIRNOV_MAX_COMPUTE_N:
        logp = -((6.0 * n * x + 1) ** 2) / 18.0 / n
        if logp < -math.log(2):
            return _clip(math.exp(logp))
        return _clip(1.0 + math.expm1(logp))
    last = n - nxfl - 1  # terms v = 0 .. floor(n (1 - x)), the last one nonzero
    log_factorial = _log_factorials(n)
    v = np.arange(last + 1)
    log_binomial = log_factorial[n] - log_factorial[v] - log_factorial[n - v]
    upper = x + v / n
    lower = (n - v) / n - x  # may round to 0 for the last term, whose value is then 0
    with np.errstate(divide="ignore"):
        log_terms = log_binomial + (v - 1) * np.log(upper) + (n - v) * np.log(lower)
    terms = np.exp(log_terms[log_terms > _MINLOG])
    return _clip(x * float(np.sum(terms)))


def _log_factorials(n: int) -> np.ndarray:
    """``log(k!)`` for k = 0..n: math.lgamma below 30, Stirling's series above (error < 1e-15)."""
    out = np.empty(n + 1)
    small = min(n + 1, 30)
    out[:small] = [math.lgamma(k + 1.0) for k in range(small)]
    z = np.arange(small + 1, n + 2, dtype=np.float64)
    r = 1.0 / z
    r2 = r * r
    series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680))))
    out[small:] = (z - 0.5) * np.log(z) - z + 0.5 * _LOG_2PI + series
    return out


def _chi2_sf(statistic: float, dof: int) -> float:
    """Survival function of the chi-squared distribution (``scipy.stats.chi2.sf``)."""
    if statistic <= 0:
        return 1.0
    return _clip(_gammaincc(dof / 2.0, statistic / 2.0))


def _gammaincc(a: float, x: float) -> float:
    """Regularized upper incomplete gamma Q(a, x): series below a + 1, continued fraction above."""
    log_prefactor = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        ap = a
        for _ in range(100_000):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return 1.0 - total * math.exp(log_prefactor)
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < tiny:
            d = tiny
        c = b + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return math.exp(log_prefactor) * h
