"""What a drift comparison reports: per column (`ColumnDrift`) and for the data set
(`DriftReport`). Stable, JSON-serializable result objects; `aims.metrics.drift` computes them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Kind = Literal["numeric", "categorical"]


@dataclass(frozen=True)
class ColumnDrift:
    """Drift of one column.

    Attributes
    ----------
    column : str
    kind : {"numeric", "categorical"}
    method : str
        The statistic that decided: ``"ks"``, ``"wasserstein"``, ``"psi"``, ``"chi2"`` or
        ``"jensenshannon"``.
    statistic : float
        That statistic's value (the normalized distance for ``"wasserstein"``).
    p_value : float or None
        The p-value when ``method`` is a test, else None.
    threshold : float
        The limit applied: the p-value limit for a test (drift when ``p_value < threshold``),
        the distance limit otherwise (drift when ``statistic >= threshold``).
    drifted : bool
    n_reference, n_current : int
        Non-missing values compared on each side.
    psi : float
    wasserstein, wasserstein_normalized, ks_statistic, ks_p_value : float or None
        Numeric columns only (``wasserstein`` is the raw distance, in the column's unit).
    jensen_shannon, chi2, chi2_p_value : float or None
        Categorical columns only.
    approximate : bool
        True when a numeric column was summarized by a quantile sketch (a sample larger than
        the detector's ``exact_limit``) rather than compared exactly.
    rank_error : float
        With ``approximate``: the proven bound on how far each approximate CDF may be from
        the exact one, added over both samples, so ``|ks_statistic - exact| <= rank_error``.
        0 for an exact result.
    """

    column: str
    kind: Kind
    method: str
    statistic: float
    p_value: float | None
    threshold: float
    drifted: bool
    n_reference: int
    n_current: int
    psi: float
    wasserstein: float | None = None
    wasserstein_normalized: float | None = None
    ks_statistic: float | None = None
    ks_p_value: float | None = None
    jensen_shannon: float | None = None
    chi2: float | None = None
    chi2_p_value: float | None = None
    approximate: bool = False
    rank_error: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class DriftReport:
    """Drift of every compared column, and of the data set.

    Attributes
    ----------
    columns : tuple of ColumnDrift
        One result per compared column, in the detector's column order.
    share : float
        The data set drifts when at least this share of its columns drift.
    n_reference, n_current : int
        Rows in each sample.
    skipped : tuple of (str, str)
        Columns left out (only when ``columns`` was not given), with the reason.
    """

    columns: tuple[ColumnDrift, ...]
    share: float
    n_reference: int
    n_current: int
    skipped: tuple[tuple[str, str], ...] = ()

    def __getitem__(self, column: str) -> ColumnDrift:
        for result in self.columns:
            if result.column == column:
                return result
        raise KeyError(column)

    @property
    def by_column(self) -> dict[str, ColumnDrift]:
        """Column name to its result."""
        return {result.column: result for result in self.columns}

    @property
    def drifted_columns(self) -> tuple[str, ...]:
        """Names of the columns that drifted."""
        return tuple(result.column for result in self.columns if result.drifted)

    @property
    def share_drifted(self) -> float:
        """Drifted columns divided by compared columns."""
        return len(self.drifted_columns) / len(self.columns) if self.columns else 0.0

    @property
    def dataset_drifted(self) -> bool:
        """True when ``share_drifted >= share``."""
        return bool(self.columns) and self.share_drifted >= self.share

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: per-column results, the drifted columns and the data-set verdict."""
        return {
            "columns": {result.column: result.to_dict() for result in self.columns},
            "drifted_columns": list(self.drifted_columns),
            "share_drifted": self.share_drifted,
            "share": self.share,
            "dataset_drifted": self.dataset_drifted,
            "n_reference": self.n_reference,
            "n_current": self.n_current,
            "skipped": dict(self.skipped),
        }
