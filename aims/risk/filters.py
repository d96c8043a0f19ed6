"""The risk register's filters: one rule for the register page, its CSV export and the API.

(It belongs on ``RiskQuerySet`` as ``filtered``; it lives here while another change to
``aims/risk/models.py`` is under way.)
"""

from __future__ import annotations

from .models import Risk, RiskMatrix


def filtered(
    risks,
    matrix: RiskMatrix,
    *,
    q: str | None = None,
    category: str | None = None,
    level: str | None = None,
    status: str | None = None,
    system: str | None = None,
    owner=None,
    needs_decision: bool | None = None,
    overdue: bool | None = None,
    inherent_cell: tuple[int, int] | None = None,
    residual_cell: tuple[int, int] | None = None,
):
    """``risks`` narrowed by the register's filters; a filter left None is not applied.

    ``level`` is the current level (residual once assessed) under ``matrix``; ``system`` an AI
    system's slug; ``owner`` a user; ``needs_decision`` True keeps the open risks above appetite
    without a current acceptance, False the others; ``overdue`` True the open risks whose review
    date has passed; a cell ``(likelihood, impact)`` the open risks in that heat map cell.
    """
    risks = risks.search((q or "").replace("\x00", ""))
    if category:
        risks = risks.filter(category=category)
    if level:
        risks = risks.at_level(matrix, level)
    if status:
        risks = risks.filter(status=status)
    if system:
        risks = risks.filter(systems__slug=system)
    if owner is not None:
        risks = risks.filter(owner=owner)
    if needs_decision is not None:
        pending = Risk.objects.for_org(matrix.organization_id).needs_decision(matrix)
        pending = pending.values("pk")
        risks = risks.filter(pk__in=pending) if needs_decision else risks.exclude(pk__in=pending)
    if overdue:
        risks = risks.review_overdue()
    if inherent_cell:
        risks = risks.in_cell(*inherent_cell)
    if residual_cell:
        risks = risks.in_cell(*residual_cell, residual=True)
    return risks
