"""The incidents' part of the dashboard: serious incidents whose report to the authority is
overdue or near (EU AI Act Art. 73), open incidents and new concerns."""

from django.db.models import Count, Q
from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Stat

from .models import ACTIVE_STATUSES, NEAR_DEADLINE_DAYS, Concern, ConcernStatus, Incident


def part(organization) -> Part:
    now = timezone.now()
    incidents = Incident.objects.for_org(organization)
    counts = incidents.aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES))
    )
    due = incidents.report_due_within(NEAR_DEADLINE_DAYS, now)
    due_count = due.count()
    listed = list(due.select_related("system").order_by("report_due_at", "pk")[:LIST_LIMIT])
    for incident in listed:
        incident.organization = organization
    new_concerns = Concern.objects.for_org(organization).filter(status=ConcernStatus.NEW).count()
    return Part(
        "incidents",
        stats=[
            Stat(counts["active"], "open incident", "open incidents", "incident_list", order=60)
        ],
        notices=[
            Notice(
                due_count,
                Section(
                    "incidents/_dashboard_deadlines.html",
                    {"incidents": listed, "now": now, "near_days": NEAR_DEADLINE_DAYS},
                    order=5,
                ),
                kind="strip",
            ),
            Notice(
                new_concerns,
                Section("incidents/_dashboard_concerns.html", {"count": new_concerns}, order=60),
                show_when_zero=False,
            ),
        ],
        has_records=counts["total"] > 0,
        data={
            "incidents": counts["total"],
            "open_incidents": counts["active"],
            "reports_due": due_count,
            "new_concerns": new_concerns,
        },
    )
