"""Communication's part of the dashboard: planned communications past their due date."""

from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Step, how_many

from .models import Communication, PlanEntry


def part(organization) -> Part:
    today = timezone.localdate()
    entries = PlanEntry.objects.for_org(organization)
    overdue = entries.overdue(today).order_by("next_due", "pk")
    overdue_list = list(overdue[:LIST_LIMIT])
    for entry in overdue_list:
        entry.organization = organization
    planned = entries.count()
    logged = Communication.objects.for_org(organization).count()
    figures = {
        "planned": planned,
        "logged": logged,
        "overdue": overdue_list,
        "overdue_count": overdue.count(),
    }
    return Part(
        "communication",
        steps=[
            Step(
                "Plan communication",
                planned > 0,
                f"{planned} planned communication{'s' if planned != 1 else ''}, {logged} logged."
                if planned
                else "Say what you communicate about the AIMS, when, to whom, how and by whom "
                "(7.4).",
                "communication_plan_list",
                "Plan communication",
                order=47,
                progress=how_many(planned, "planned communication"),
            )
        ],
        notices=[
            Notice(
                figures["overdue_count"],
                Section(
                    "communication/_dashboard_overdue.html", {"entries": overdue_list}, order=65
                ),
            )
        ],
        has_records=planned > 0 or logged > 0,
        data=figures,
    )
