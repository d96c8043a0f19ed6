"""Caching of per-organization overviews, versioned by the organization's audit trail.

Every change to a governed record appends an event to its organization's audit chain, so the
sequence number of the last event is a version of the organization's data: a figure cached
under that version (and today's date, for expiry and overdue dates) can never be stale. The
dashboard and the risk register's heat maps are read far more often than records change, and
at 100,000 risks their aggregates cost tens of milliseconds each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

from aims.trail.models import AuditEvent

T = TypeVar("T")
TIMEOUT = 60 * 60


def data_version(organization) -> str:
    last = (
        AuditEvent.objects.filter(organization=organization)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    return f"{organization.pk}:{last or 0}:{timezone.localdate().isoformat()}"


def cached_for(organization, name: str, compute: Callable[[], T]) -> T:
    """``compute()``'s value for the organization's current data, computed once per version."""
    key = f"aims:{name}:{data_version(organization)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
