"""The data sets' part of the dashboard: data sets whose retention ends soon or has ended."""

from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part

from .models import RETENTION_NOTICE_DAYS, DataSet


def part(organization) -> Part:
    due = (
        DataSet.objects.for_org(organization)
        .retention_due(RETENTION_NOTICE_DAYS, timezone.localdate())
        .order_by("retain_until", "name")
    )
    count = due.count()
    shown = list(due[:LIST_LIMIT])
    for dataset in shown:
        dataset.organization = organization
    return Part(
        "datasets",
        notices=[
            Notice(
                count,
                Section(
                    "datasets/_dashboard_retention.html",
                    {"datasets": shown, "count": count},
                    order=65,
                ),
                show_when_zero=False,
            )
        ],
        has_records=DataSet.objects.for_org(organization).exists(),
        data={"datasets_retention_due": count},
    )
