from django.db.models import Prefetch
from django.urls import reverse

from aims.core.areas import Area, NavLink, SearchKind, Section, hook, names_record, register

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
        nav=(
            NavLink("Technical checks", "check_list", "Do & check", order=20, icon="flask-conical"),
            NavLink(
                "Alerts",
                "alert_list",
                "Do & check",
                order=21,
                icon="siren",
                count=lambda request: request.org.alerts.open().count(),
                count_label="open alerts",
            ),
        ),
        api_router="aims.checks.api.router",
        api_path_records={
            "check_id": lambda org, v: names_record(Check.objects.for_org(org), v),
            "run_id": lambda org, v: names_record(CheckRun.objects.for_org(org), v),
        },
        uploads={
            "check_create": "check data",
            "check_edit": "check data",
            "check_columns": "check data",
        },
        order=50,
    )
)


@hook("search", order=50)
def search_checks() -> SearchKind:
    return SearchKind(
        "checks",
        "Checks",
        queryset=lambda organization: Check.objects.filter(organization=organization),
        fields=("name",),
        url=lambda check, organization: reverse(
            "check_detail", kwargs={"org": organization.slug, "check_id": check.pk}
        ),
        list_url_name="check_list",
        order=50,
    )
