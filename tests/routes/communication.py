"""The communication area's share of the route-walking and query-count tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.communication.models import (
    AudienceKind,
    Channel,
    Communication,
    Frequency,
    PlanEntry,
)
from aims.communication.services import log_communication, save_plan_entry
from aims.organizations.models import Access

LIST_PAGES = ["communication_plan_list", "communication_log_list"]


def make(world, records) -> dict:
    org = world.org
    today = timezone.localdate()
    entry = save_plan_entry(
        PlanEntry(
            organization=org,
            topic="Quarterly AIMS report to the board",
            frequency=Frequency.QUARTERLY,
            next_due=today + dt.timedelta(days=20),
            audience_kind=AudienceKind.INTERNAL,
            audience="Board of directors",
            channel=Channel.REPORT,
            communicator=world.manager,
        ),
        actor=world.owner,
    )
    communication = log_communication(
        Communication(
            organization=org,
            communicated_on=today,
            summary="AIMS report for the last quarter",
            audience="Board of directors",
            channel=Channel.REPORT,
            communicated_by=world.manager,
            plan_entry=entry,
        ),
        actor=world.owner,
    )
    return {
        "plan_entry_id": entry.pk,
        "communication_id": communication.pk,
        "api": {"plan_entry_id": entry.pk, "communication_id": communication.pk},
        "objects": {"plan_entry": entry, "communication": communication},
    }


def seed(world, n: int) -> None:
    """``n`` more plan entries (some overdue) and ``n`` logged communications of them."""
    org = world.org
    today = timezone.localdate()
    entries = PlanEntry.objects.bulk_create(
        PlanEntry(
            organization=org,
            topic=f"Planned communication {i}",
            frequency=Frequency.MONTHLY,
            next_due=today + dt.timedelta(days=(i % 60) - 30),
            audience_kind=AudienceKind.INTERNAL,
            audience="Everyone",
            channel=Channel.EMAIL,
            communicator=world.manager if i % 2 else None,
        )
        for i in range(n)
    )
    Communication.objects.bulk_create(
        Communication(
            organization=org,
            communicated_on=today - dt.timedelta(days=i % 90),
            summary=f"Sent communication {i}",
            audience="Everyone",
            channel=Channel.EMAIL,
            communicated_by=world.manager if i % 2 else None,
            plan_entry=entry,
        )
        for i, entry in enumerate(entries)
    )


API_ACCESS = {
    ("GET", "/communication-plan"): Access.READ,
    ("POST", "/communication-plan"): Access.CONTRIBUTE,
    ("GET", "/communication-plan/{plan_entry_id}"): Access.READ,
    ("PATCH", "/communication-plan/{plan_entry_id}"): Access.CONTRIBUTE,
    ("GET", "/communications"): Access.READ,
    ("POST", "/communications"): Access.CONTRIBUTE,
    ("GET", "/communications/{communication_id}"): Access.READ,
    ("PATCH", "/communications/{communication_id}"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/communication-plan"): {
        "topic": "Another",
        "frequency": "yearly",
        "audience_kind": "internal",
        "audience": "Staff",
        "channel": "email",
    },
    ("PATCH", "/communication-plan/{plan_entry_id}"): {"topic": "Renamed"},
    ("POST", "/communications"): {
        "communicated_on": "2026-01-01",
        "summary": "Another",
        "audience": "Staff",
        "channel": "email",
    },
    ("PATCH", "/communications/{communication_id}"): {"summary": "Renamed"},
}
