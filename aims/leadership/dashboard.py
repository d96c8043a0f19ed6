"""The leadership area's part of the dashboard: meetings held, overdue committee actions and the
"Assign AIMS roles" step."""

from __future__ import annotations

from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Stat, Step

from .involvement import YEAR
from .models import Activity, CommitteeAction, Meeting


def part(organization) -> Part:
    today = timezone.localdate()
    held = Meeting.objects.for_org(organization).held_since(today - YEAR).count()
    overdue = CommitteeAction.objects.for_org(organization).overdue(today)
    overdue_list = list(
        overdue.select_related("owner", "meeting").order_by("due_date", "pk")[:LIST_LIMIT]
    )
    for action in overdue_list:
        action.organization = action.meeting.organization = organization
    overdue_count = overdue.count()
    activities = Activity.objects.for_org(organization)
    total, flagged = activities.count(), activities.flagged().count()
    done = total > 0 and flagged == 0
    if not total:
        detail = "Add the activities of your AIMS and say who is accountable for each (5.3)."
    elif done:
        detail = f"Each of the {total} activities has exactly one accountable role or person."
    else:
        detail = f"{flagged} of {total} activities have no one accountable, or more than one (5.3)."
    return Part(
        "leadership",
        stats=[
            Stat(
                held,
                "committee meeting in 12 months",
                "committee meetings in 12 months",
                "leadership_meeting_list",
                order=60,
            )
        ],
        steps=[
            Step(
                "Assign AIMS roles",
                done,
                detail,
                "leadership_raci",
                "Assign AIMS roles",
                order=15,
                needs_manage=True,
                without_access="An Owner or AIMS Manager assigns the roles.",
                progress=f"{total - flagged} of {total} activities assigned"
                if total
                else "0 activities",
            )
        ],
        notices=[
            Notice(
                overdue_count,
                Section(
                    "leadership/_dashboard_overdue.html",
                    {"actions": overdue_list, "today": today},
                    order=40,
                ),
                show_when_zero=False,
            )
        ],
        has_records=held > 0,
        data={
            "meetings_held": held,
            "overdue_actions": overdue_count,
            "flagged_activities": flagged,
        },
    )
