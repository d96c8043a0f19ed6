"""The impact assessments' part of the dashboard: current assessments, and the reassessments
due or overdue."""

from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Stat

from .models import ImpactAssessment


def part(organization) -> Part:
    today = timezone.localdate()
    assessments = ImpactAssessment.objects.for_org(organization)
    current = assessments.current(today).count()
    signed = assessments.signed_off().count()
    overdue = assessments.overdue(today)
    due = assessments.due(today)
    overdue_count, due_count = overdue.count(), due.count()
    shown = list(
        (overdue | due).select_related("system").order_by("next_reassessment", "pk")[:LIST_LIMIT]
    )
    for assessment in shown:
        assessment.organization = organization
        assessment.currency_now = assessment.currency(today)
    count = overdue_count + due_count
    return Part(
        "impact",
        stats=[
            Stat(
                current,
                "current impact assessment",
                "current impact assessments",
                "impact_list",
                of=signed,
                order=55,
            )
        ],
        notices=[
            Notice(
                count,
                Section(
                    "impact/_dashboard_due.html",
                    {"assessments": shown, "count": count, "overdue": overdue_count},
                    order=55,
                ),
            )
        ],
        has_records=assessments.exists(),
        data={
            "impact_assessments_current": current,
            "impact_reassessments_due": due_count,
            "impact_reassessments_overdue": overdue_count,
        },
    )
