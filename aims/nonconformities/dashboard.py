"""The nonconformities' part of the dashboard: open nonconformities and open majors as figures,
and the corrective actions past their due date."""

from django.db.models import Count, Q
from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Stat

from .models import OPEN_STATUSES, CorrectiveAction, Nonconformity, Severity


def part(organization) -> Part:
    today = timezone.localdate()
    counts = Nonconformity.objects.for_org(organization).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        majors=Count("pk", filter=Q(status__in=OPEN_STATUSES, severity=Severity.MAJOR)),
    )
    overdue = CorrectiveAction.objects.for_org(organization).overdue(today)
    overdue_count = overdue.count()
    listed = list(
        overdue.select_related("nonconformity", "owner").order_by("due_date", "pk")[:LIST_LIMIT]
    )
    for action in listed:
        action.nonconformity.organization = organization
    return Part(
        "nonconformities",
        stats=[
            Stat(
                counts["open"],
                "open nonconformity",
                "open nonconformities",
                "nonconformity_list",
                order=70,
            ),
            Stat(
                counts["majors"],
                "open major nonconformity",
                "open major nonconformities",
                "nonconformity_list",
                order=71,
            ),
        ],
        notices=[
            Notice(
                overdue_count,
                Section(
                    "nonconformities/_dashboard_overdue.html",
                    {"actions": listed, "count": overdue_count, "today": today},
                    order=45,
                ),
            )
        ],
        has_records=counts["total"] > 0,
        data={
            "nonconformities": counts["total"],
            "open_nonconformities": counts["open"],
            "open_major_nonconformities": counts["majors"],
            "overdue_corrective_actions": overdue_count,
        },
    )
