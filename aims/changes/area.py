"""Registered by this area: see aims/core/areas.py."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from aims.catalog.links import addresses_requirements
from aims.core.areas import (
    Area,
    DueItem,
    NavLink,
    SearchKind,
    Section,
    hook,
    names_record,
    naming_it,
    register,
)
from aims.organizations.models import Access

from .models import PlannedChange, Status


@hook("due", order=60)
def overdue_changes(organization, today) -> list[DueItem]:
    """Approved changes whose planned date passed without implementation, to their proposer
    (or those who manage, when nobody proposed it any more)."""
    items = []
    for change in (
        PlannedChange.objects.for_org(organization).overdue(today).select_related("system")
    ):
        change.organization = organization
        items.append(
            DueItem(
                title=f"Implement or withdraw: {change}",
                due=change.planned_date,
                url=change.get_absolute_url(),
                kind="Planned change",
                people=frozenset({change.proposed_by_id}) if change.proposed_by_id else frozenset(),
                access=Access.MANAGE,
            )
        )
    return items


@hook("system_page", order=35)
def system_changes(system, request) -> Section:
    """The system's planned changes, newest first (one query)."""
    changes = list(PlannedChange.objects.filter(system=system).order_by("-created_at", "-pk")[:10])
    for change in changes:
        change.organization = request.org
        change.system = system
    return Section(
        "changes/_system_changes.html",
        {"system": system, "changes": changes, "today": timezone.localdate()},
        order=35,
    )


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    return naming_it(
        PlannedChange.objects.filter(system=system).count(), "planned change", "planned changes"
    )


# A change decided (approved, or approved and made) shows that changes are planned (6.3).
addresses_requirements(
    PlannedChange,
    label="Planned changes",
    current=Q(status__in=(Status.APPROVED, Status.IMPLEMENTED)),
    order=75,
)

register(
    Area(
        label="changes",
        prefix="changes/",
        urls="aims.changes.urls",
        nav=(
            NavLink(
                "Planned changes",
                "change_list",
                "Do & check",
                order=28,
                icon="git-pull-request-arrow",
            ),
        ),
        api_router="aims.changes.api.router",
        api_path_records={
            "change_id": lambda org, v: names_record(PlannedChange.objects.for_org(org), v),
        },
        order=85,
    )
)


@hook("search", order=160)
def search_changes() -> SearchKind:
    # A change has no title: it is found by its system's name, its new version or what changes.
    return SearchKind(
        "changes",
        "Planned changes",
        queryset=lambda organization: PlannedChange.objects.filter(
            organization=organization
        ).select_related("system"),
        fields=("description", "system__name", "new_version"),
        describe=lambda change: f"{change}: {Truncator(change.description).chars(80)}",
        list_url_name="change_list",
        order=160,
    )
