"""The suppliers' part of the dashboard: supplier assessments overdue."""

from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part

from .models import ThirdParty


def part(organization) -> Part:
    today = timezone.localdate()
    overdue = (
        ThirdParty.objects.for_org(organization)
        .with_assessment()
        .active()
        .filter(next_due__lt=today)
        .order_by("next_due", "name")
    )
    count = overdue.count()
    shown = list(overdue[:LIST_LIMIT])
    for third_party in shown:
        third_party.organization = organization
    return Part(
        "suppliers",
        notices=[
            Notice(
                count,
                Section(
                    "suppliers/_dashboard_overdue.html",
                    {"third_parties": shown, "count": count},
                    order=60,
                ),
                show_when_zero=False,
            )
        ],
        has_records=ThirdParty.objects.for_org(organization).exists(),
        data={"supplier_assessments_overdue": count},
    )
