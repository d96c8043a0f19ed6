"""Risk heat map: how many open risks sit in each likelihood × impact cell, in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from .models import Level, RiskMatrix


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    score: int
    level: Level
    count: int
    above_appetite: bool
    residual: bool = False

    # What the heat map's template shows of a cell, in Python: the register draws 50 cells.
    @property
    def css(self) -> str:
        edge = " appetite-edge" if self.above_appetite else ""
        return f"cell-{self.level}{edge}{'' if self.count else ' zero'}"

    @property
    def title(self) -> str:
        return (
            f"Likelihood {self.likelihood} × impact {self.impact} = {self.score} "
            f"({self.level.label})"
        )

    @property
    def query(self) -> str:
        """The register's filter on this cell (``aims.risk.forms.RiskFilterForm``)."""
        kind = "residual" if self.residual else "inherent"
        return f"{kind}_cell={self.likelihood}-{self.impact}"


@dataclass(frozen=True)
class HeatMap:
    matrix: RiskMatrix
    residual: bool
    rows: list[tuple[str, list[Cell]]]  # highest likelihood first, each with its label
    impact_labels: list[str]
    total: int

    @property
    def title(self) -> str:
        return "Residual risk" if self.residual else "Inherent risk"


def heatmap(matrix: RiskMatrix, risks, *, residual: bool = False) -> HeatMap:
    """Count ``risks`` (a Risk queryset) per cell; residual maps only count assessed risks."""
    l_field, i_field = (
        ("residual_likelihood", "residual_impact")
        if residual
        else ("inherent_likelihood", "inherent_impact")
    )
    counts = {
        (row[l_field], row[i_field]): row["n"]
        for row in risks.filter(**{f"{l_field}__isnull": False, f"{i_field}__isnull": False})
        .order_by()
        .values(l_field, i_field)
        .annotate(n=Count("pk"))
    }
    rows = []
    for likelihood in range(matrix.likelihood_levels, 0, -1):
        cells = []
        for impact in range(1, matrix.impact_levels + 1):
            score = likelihood * impact
            cells.append(
                Cell(
                    likelihood,
                    impact,
                    score,
                    matrix.level_for(score),
                    counts.get((likelihood, impact), 0),
                    matrix.is_above_appetite(score),
                    residual,
                )
            )
        rows.append((matrix.likelihood_labels[likelihood - 1], cells))
    return HeatMap(matrix, residual, rows, list(matrix.impact_labels), sum(counts.values()))
