"""Registered by this area: see aims/core/areas.py."""

from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from aims.catalog.links import addresses_requirements
from aims.checks.models import RunStatus
from aims.core.areas import (
    Area,
    DueItem,
    NavLink,
    RecordAction,
    SearchKind,
    Section,
    hook,
    names_record,
    naming_it,
    register,
)
from aims.organizations.models import Access

from . import dashboard
from .models import NEAR_DEADLINE_DAYS, Concern, Incident, IncidentStatus

SYSTEM_PAGE_LIMIT = 10


@hook("due")
def due(organization, today) -> list[DueItem]:
    """Serious incidents whose report to the authority is due within a few days or overdue:
    for their owner (or the AIMS managers), and on the top-management page."""
    items = []
    incidents = Incident.objects.for_org(organization).report_due_within(NEAR_DEADLINE_DAYS)
    for incident in incidents.select_related("organization", "system"):
        items.append(
            DueItem(
                title=f"Report serious incident {incident.ref} to the authority: {incident.title}",
                due=timezone.localtime(incident.report_due_at).date(),
                url=incident.get_absolute_url(),
                kind="Serious incident report (EU AI Act Art. 73)",
                people=frozenset({incident.owner_id}) if incident.owner_id else frozenset(),
                access=Access.MANAGE,
                needs_decision=True,
            )
        )
    return items


@hook("system_page", order=40)
def system_incidents(system, request) -> Section:
    """The system's incidents, newest first (one query, bounded)."""
    incidents = list(system.incidents.order_by("-became_aware_at", "-pk")[: SYSTEM_PAGE_LIMIT + 1])
    for incident in incidents:
        incident.organization = request.org
        incident.system = system
    return Section(
        "incidents/_system_incidents.html",
        {
            "system": system,
            "incidents": incidents[:SYSTEM_PAGE_LIMIT],
            "more": len(incidents) > SYSTEM_PAGE_LIMIT,
            "now": timezone.now(),
        },
        column="main",
        order=40,
    )


@hook("run_page")
def run_incident(run, request) -> Section | None:
    """On a failed (or erroring) run: open an incident in one step, or go to the one opened."""
    if run.status not in (RunStatus.FAILED, RunStatus.ERROR):
        return None
    existing = Incident.objects.filter(check_run=run).order_by("pk").first()
    if existing is None and not request.membership.can(Access.CONTRIBUTE):
        return None
    if existing is not None:
        existing.organization = request.org
    return Section(
        "incidents/_run_incident.html",
        {"run": run, "incident": existing},
        column="side",
        order=20,
    )


@hook("alert_actions")
def alert_action() -> RecordAction:
    return RecordAction(
        "Open incident", "incident_from_alert", method="post", access=Access.CONTRIBUTE
    )


hook("dashboard")(dashboard.part)

addresses_requirements(
    Incident,
    label="AI incidents",
    current=~Q(status=IncidentStatus.OPEN),
    order=70,
)
# Every concern raised shows that the way to report concerns is used (A.3.3).
addresses_requirements(Concern, label="Concerns raised", order=71)


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    return [
        *naming_it(Incident.objects.filter(system=system).count(), "incident", "incidents"),
        *naming_it(Concern.objects.filter(system=system).count(), "concern", "concerns"),
    ]


register(
    Area(
        label="incidents",
        prefix="incidents/",
        urls="aims.incidents.urls",
        nav=(
            NavLink(
                "Incidents & concerns", "incident_list", "Do & check", order=40, icon="circle-alert"
            ),
        ),
        api_router="aims.incidents.api.router",
        api_path_records={
            "incident_id": lambda org, v: names_record(Incident.objects.for_org(org), v),
            "concern_id": lambda org, v: names_record(Concern.objects.for_org(org), v),
        },
        public_prefix="concerns/",
        public_urls="aims.incidents.public_urls",
        order=130,
    )
)


@hook("search", order=70)
def search_incidents() -> SearchKind:
    return SearchKind(
        "incidents",
        "Incidents",
        queryset=lambda organization: Incident.objects.filter(organization=organization),
        describe=lambda incident: f"{incident.ref} {incident.title}",
        list_url_name="incident_list",
        order=70,
    )


@hook("search", order=71)
def search_concerns() -> SearchKind:
    # Found by what was raised, never by who raised it (a concern may be anonymous).
    return SearchKind(
        "concerns",
        "Concerns",
        queryset=lambda organization: Concern.objects.filter(organization=organization),
        fields=("text",),
        describe=lambda concern: (
            f"{concern}: {Truncator(' '.join(concern.text.split())).chars(80)}"
        ),
        list_url_name="concern_list",
        order=71,
    )
