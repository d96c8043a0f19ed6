"""Registered by this area: see aims/core/areas.py.

New check runs reach the KPIs that follow their check through a ``post_save`` receiver on
:class:`aims.checks.models.CheckRun` (the checks app is not edited, and knows nothing of KPIs);
:func:`services.import_check_runs` also runs on the KPI's page and in the worker's round, to
catch up on any run the receiver missed.
"""

import datetime as dt

from django.db.models import Q
from django.db.models.signals import post_save

from aims.catalog.links import addresses_requirements
from aims.checks.models import CheckRun
from aims.core.areas import Area, DueItem, NavLink, SearchKind, hook, names_record, register
from aims.organizations.models import Access

from . import dashboard, services
from .models import KPI, Objective, ObjectiveStatus

DEADLINE_NOTICE_DAYS = 30  # an objective's deadline shows as due this long before
MEASUREMENT_NOTICE_DAYS = 7  # a KPI's next measurement shows as due this long before


@hook("due")
def due(organization, today) -> list[DueItem]:
    """Objectives whose deadline is near or past while not achieved; KPIs measured by people
    whose next measurement is due."""
    items = []
    for objective in (
        Objective.objects.for_org(organization)
        .due_within(DEADLINE_NOTICE_DAYS, today)
        .select_related("organization")
    ):
        items.append(
            DueItem(
                title=f"Objective: {objective.title}",
                due=objective.deadline,
                url=objective.get_absolute_url(),
                kind="Objective deadline",
                people=frozenset({objective.owner_id}) if objective.owner_id else frozenset(),
                access=Access.MANAGE,
            )
        )
    horizon = today + dt.timedelta(days=MEASUREMENT_NOTICE_DAYS)
    for kpi in KPI.objects.for_org(organization).fed_by_people().select_related("organization"):
        following = kpi.next_due()
        if following <= horizon:
            items.append(
                DueItem(
                    title=f"Measure KPI: {kpi.name}",
                    due=following,
                    url=kpi.get_absolute_url(),
                    kind="KPI measurement",
                    people=frozenset({kpi.owner_id}) if kpi.owner_id else frozenset(),
                    access=Access.CONTRIBUTE,
                )
            )
    return items


@hook("periodic")
def periodic(now) -> list[str]:
    return services.periodic_round(now)


def on_check_run(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        services.record_new_run(instance)


post_save.connect(on_check_run, sender=CheckRun, dispatch_uid="objectives.on_check_run")

hook("dashboard")(dashboard.part)

addresses_requirements(
    Objective,
    label="AI objectives",
    current=~Q(status=ObjectiveStatus.CANCELLED),
    order=40,
)

register(
    Area(
        label="objectives",
        prefix="objectives/",
        urls="aims.objectives.urls",
        nav=(NavLink("Objectives & KPIs", "objective_list", "Plan", order=15, icon="target"),),
        api_router="aims.objectives.api.router",
        api_path_records={
            "objective_id": lambda org, v: names_record(Objective.objects.for_org(org), v),
            "kpi_id": lambda org, v: names_record(KPI.objects.for_org(org), v),
        },
        order=70,
    )
)


@hook("search", order=120)
def search_objectives() -> SearchKind:
    return SearchKind(
        "objectives",
        "AI objectives",
        queryset=lambda organization: Objective.objects.filter(organization=organization),
        list_url_name="objective_list",
        order=120,
    )


@hook("search", order=121)
def search_kpis() -> SearchKind:
    return SearchKind(
        "kpis",
        "KPIs",
        queryset=lambda organization: KPI.objects.filter(organization=organization),
        fields=("name",),
        list_url_name="kpi_list",
        order=121,
    )
