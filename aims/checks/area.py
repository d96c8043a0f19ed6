from django.db.models import Prefetch

from aims.core.areas import Area, NavLink, Section, hook, names_record, register

from . import (
    dashboard,
    gates,  # noqa: F401  (registers its stage-gate requirement)
)
from .models import Check, CheckRun


@hook("system_page", order=10)
def system_checks(system, request) -> Section:
    """The checks of a system with their latest run, and its open alerts (three queries)."""
    checks = list(
        system.checks.prefetch_related(
            Prefetch("runs", queryset=CheckRun.objects.order_by("-started_at", "-pk"))
        )
    )
    alerts = list(system.alerts.open().select_related("run", "recipient")[:10])
    return Section(
        "checks/_system_checks.html",
        {"system": system, "checks": checks, "open_alerts": alerts},
        column="side",
        order=10,
    )


hook("dashboard")(dashboard.part)

register(
    Area(
        label="checks",
        prefix="checks/",
        urls="aims.checks.urls",
        nav=(NavLink("Technical checks", "check_list", "Do & check", order=20),),
        api_router="aims.checks.api.router",
        api_path_records={
            "check_id": lambda org, v: names_record(Check.objects.for_org(org), v),
            "run_id": lambda org, v: names_record(CheckRun.objects.for_org(org), v),
        },
        uploads={"check_create": "check data", "check_edit": "check data"},
        order=50,
    )
)
