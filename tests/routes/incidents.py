"""The incidents area's share of the route-walking, query-count and API tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.incidents import services
from aims.incidents.models import Concern, ConcernChannel, Incident, Severity
from aims.inventory.models import AISystem
from aims.organizations.models import Access

LIST_PAGES = ["incident_list", "concern_list"]


def make(world, records) -> dict:
    org = world.org
    system = records["objects"]["system"]
    now = timezone.now()
    incident = services.save_incident(
        Incident(
            organization=org,
            system=system,
            title="Wrong repayment advice",
            what_happened="The assistant gave a wrong repayment schedule.",
            occurred_at=now - dt.timedelta(days=2),
            became_aware_at=now - dt.timedelta(days=1),
            containment_actions="Answer template disabled.",
            corrective_actions="Prompt fixed and tested.",
            is_serious=True,
            serious_type="other",
            owner=world.manager,
        ),
        actor=world.owner,
    )
    services.add_timeline_entry(incident, actor=world.owner, when=now, what="Customer called.")
    concern = services.raise_concern(
        org, actor=world.contributor, text="Scores look unfair to older applicants.", system=system
    )
    services.set_intake(org, actor=world.owner, enabled=True)
    return {
        "incident_id": incident.pk,
        "concern_id": concern.pk,
        "token": services.intake_of(org).token,
        "api": {"incident_id": incident.pk, "concern_id": concern.pk},
        "objects": {"incident": incident, "concern": concern},
    }


def seed(world, n: int) -> None:
    """``n`` more incidents and concerns (some serious, some anonymous)."""
    org = world.org
    system = AISystem.objects.filter(organization=org).first()
    if system is None:
        system = AISystem.objects.create(
            organization=org, name="Seeded", slug="seeded", purpose="x"
        )
    now = timezone.now()
    start = Incident.objects.filter(organization=org).count()
    Incident.objects.bulk_create(
        Incident(
            organization=org,
            system=system,
            title=f"Incident {start + i}",
            what_happened="x",
            severity=Severity.HIGH,
            occurred_at=now - dt.timedelta(days=5),
            became_aware_at=now - dt.timedelta(days=4),
            is_serious=i % 2 == 0,
            serious_type="infrastructure" if i % 2 == 0 else "",
            report_due_at=now - dt.timedelta(days=2) if i % 2 == 0 else None,
            owner=world.owner,
        )
        for i in range(n)
    )
    Concern.objects.bulk_create(
        Concern(
            organization=org,
            system=system if i % 3 else None,
            text=f"Concern {i}",
            anonymous=i % 2 == 0,
            raised_by=None if i % 2 == 0 else world.viewer,
            channel=ConcernChannel.PUBLIC if i % 4 == 0 else ConcernChannel.MEMBER,
        )
        for i in range(n)
    )


API_ACCESS = {
    ("GET", "/incidents"): Access.READ,
    ("POST", "/incidents"): Access.CONTRIBUTE,
    ("GET", "/incidents/{incident_id}"): Access.READ,
    ("PATCH", "/incidents/{incident_id}"): Access.CONTRIBUTE,
    ("POST", "/incidents/{incident_id}/transition"): Access.CONTRIBUTE,
    ("POST", "/incidents/{incident_id}/report"): Access.CONTRIBUTE,
    ("GET", "/incidents/{incident_id}/timeline"): Access.READ,
    ("POST", "/incidents/{incident_id}/timeline"): Access.CONTRIBUTE,
    ("GET", "/incidents/{incident_id}/communications"): Access.READ,
    ("POST", "/incidents/{incident_id}/communications"): Access.CONTRIBUTE,
    ("GET", "/concerns"): Access.READ,
    ("POST", "/concerns"): Access.CONTRIBUTE,
    ("GET", "/concerns/{concern_id}"): Access.READ,
    ("POST", "/concerns/{concern_id}/triage"): Access.MANAGE,
}
API_BODIES = {
    ("POST", "/incidents"): {
        "system": "credit-scoring",
        "title": "X",
        "what_happened": "Y",
        "occurred_at": "2026-01-01T10:00:00Z",
        "became_aware_at": "2026-01-01T11:00:00Z",
    },
    ("PATCH", "/incidents/{incident_id}"): {"severity": "high"},
    ("POST", "/incidents/{incident_id}/transition"): {"to": "contained"},
    ("POST", "/incidents/{incident_id}/report"): {"reference": "MSA-1"},
    ("POST", "/incidents/{incident_id}/timeline"): {
        "when": "2026-01-01T12:00:00Z",
        "what": "Called back",
    },
    ("POST", "/incidents/{incident_id}/communications"): {
        "when": "2026-01-01T12:00:00Z",
        "audience": "customer",
        "channel": "Phone",
        "summary": "Explained",
    },
    ("POST", "/concerns"): {"text": "Worried"},
    ("POST", "/concerns/{concern_id}/triage"): {"outcome": "close", "reason": "Duplicate"},
}
