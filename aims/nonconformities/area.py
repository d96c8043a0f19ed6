"""Registered by this area: see aims/core/areas.py.

A nonconformity names the clauses and controls NOT met: it is no evidence that a control works,
so it is not registered with ``control_records`` (the SoA does not count it); the control's and
the clause's pages list the open ones instead (hooks ``control_page`` and ``clause_page``).
"""

import datetime as dt

from aims.core.areas import (
    Area,
    DueItem,
    Measure,
    NavLink,
    SearchKind,
    Section,
    hook,
    names_record,
    naming_it,
    register,
)
from aims.organizations.models import Access

from . import dashboard, runs
from .models import OPEN_STATUSES, CorrectiveAction, Nonconformity, RunNote, Severity

PAGE_LIMIT = 10
DUE_SOON_DAYS = 7  # an action due within a week shows in its owner's reminders


@hook("run_recorded")
def run_recorded(run) -> None:
    """A failed run opens a nonconformity about its check (once); reruns are noted on it."""
    runs.on_run_recorded(run)


@hook("due")
def due(organization, today) -> list[DueItem]:
    """Open corrective actions due within a week or overdue: for their owner."""
    items = []
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    actions = (
        CorrectiveAction.objects.for_org(organization)
        .open()
        .filter(due_date__lte=soon, nonconformity__status__in=OPEN_STATUSES)
        .select_related("nonconformity")
        .order_by("due_date", "pk")
    )
    for action in actions:
        action.nonconformity.organization = organization
        items.append(
            DueItem(
                title=f"Corrective action for {action.nonconformity.ref}: {action.title}",
                due=action.due_date,
                url=action.get_absolute_url(),
                kind="Corrective action",
                people=frozenset({action.owner_id}) if action.owner_id else frozenset(),
                access=Access.CONTRIBUTE,
            )
        )
    return items


@hook("measures", order=80)
def nonconformity_measures() -> list[Measure]:
    def open_count(organization, today):
        return Nonconformity.objects.for_org(organization).open().count()

    def overdue_count(organization, today):
        return CorrectiveAction.objects.for_org(organization).overdue(today).count()

    def major_count(organization, today):
        return (
            Nonconformity.objects.for_org(organization)
            .open()
            .filter(severity=Severity.MAJOR)
            .count()
        )

    return [
        Measure("open_nonconformities", "Open nonconformities", "count", open_count, "down"),
        Measure(
            "open_major_nonconformities", "Open major nonconformities", "count", major_count, "down"
        ),
        Measure(
            "overdue_corrective_actions",
            "Overdue corrective actions",
            "count",
            overdue_count,
            "down",
        ),
    ]


@hook("run_page", order=30)
def run_nonconformity(run, request) -> Section | None:
    """On a check run's page: the nonconformity it raised, added to or was noted on."""
    note = (
        RunNote.objects.filter(run=run, nonconformity__organization=request.org)
        .select_related("nonconformity")
        .order_by("pk")
        .first()
    )
    if note is None:
        return None
    note.nonconformity.organization = request.org
    return Section(
        "nonconformities/_run_nonconformity.html",
        {"note": note, "nonconformity": note.nonconformity},
        column="side",
        order=25,
    )


@hook("incident_page", order=30)
def incident_nonconformities(incident, request) -> Section:
    """On an incident's page: the nonconformities raised from it, and a button to raise one."""
    found = list(
        Nonconformity.objects.filter(incident=incident, organization=request.org).order_by("pk")[
            : PAGE_LIMIT + 1
        ]
    )
    for nc in found:
        nc.organization = request.org
    return Section(
        "nonconformities/_incident_nonconformities.html",
        {
            "incident": incident,
            "nonconformities": found[:PAGE_LIMIT],
            "more": len(found) > PAGE_LIMIT,
        },
        order=30,
    )


def _requirement_page(field: str):
    def section(item, request) -> Section | None:
        found = list(
            Nonconformity.objects.for_org(request.org)
            .open()
            .filter(**{field: item})
            .order_by("pk")[: PAGE_LIMIT + 1]
        )
        if not found:
            return None
        for nc in found:
            nc.organization = request.org
        return Section(
            "nonconformities/_requirement_nonconformities.html",
            {"nonconformities": found[:PAGE_LIMIT], "more": len(found) > PAGE_LIMIT},
            order=150,
        )

    return section


hook("control_page", order=150)(_requirement_page("controls"))
hook("clause_page", order=150)(_requirement_page("clauses"))


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    return naming_it(
        Nonconformity.objects.filter(system=system).count(), "nonconformity", "nonconformities"
    )


hook("dashboard")(dashboard.part)

register(
    Area(
        label="nonconformities",
        prefix="nonconformities/",
        urls="aims.nonconformities.urls",
        nav=(
            NavLink(
                "Nonconformities", "nonconformity_list", "Do & check", order=60, icon="shield-x"
            ),
        ),
        api_router="aims.nonconformities.api.router",
        api_path_records={
            "nonconformity_id": lambda org, v: names_record(Nonconformity.objects.for_org(org), v),
            "corrective_action_id": lambda org, v: names_record(
                CorrectiveAction.objects.for_org(org), v
            ),
        },
        order=140,
    )
)


@hook("search", order=80)
def search_nonconformities() -> SearchKind:
    return SearchKind(
        "nonconformities",
        "Nonconformities",
        queryset=lambda organization: Nonconformity.objects.filter(organization=organization),
        ref="ref",
        list_url_name="nonconformity_list",
        order=80,
    )
