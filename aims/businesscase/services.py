"""Saving the business case's assumptions: one function, for the page and anything else."""

from __future__ import annotations

from aims.trail.services import save_governed

from .models import Assumptions


def assumptions_of(organization) -> Assumptions:
    """The organization's stored assumptions, or new empty ones (every figure estimated)."""
    found = Assumptions.objects.filter(organization=organization).first()
    return found or Assumptions(organization=organization)


def save_assumptions(assumptions: Assumptions, *, actor) -> Assumptions:
    """Validate the bounds and save, with the change in the trail."""
    assumptions.full_clean()
    return save_governed(assumptions, actor=actor, organization=assumptions.organization)
