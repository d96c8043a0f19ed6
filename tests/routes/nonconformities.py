"""The nonconformities area's share of the route-walking, query-count and API tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.nonconformities import services
from aims.nonconformities.models import CorrectiveAction, Nonconformity, Severity, Source
from aims.organizations.models import Access

LIST_PAGES = ["nonconformity_list"]


def make(world, records) -> dict:
    org = world.org
    system = records["objects"]["system"]
    today = timezone.localdate()
    nc = services.raise_nonconformity(
        org,
        title="Releases without validation sign-off",
        description="Two model releases went live without a recorded validation (A.6.2.4).",
        source=Source.OTHER,
        severity=Severity.MAJOR,
        actor=world.owner,
        owner=world.manager,
        system=system,
        controls=["A.6.2.4"],
    )
    action = services.add_action(
        nc,
        actor=world.owner,
        title="Add a release gate",
        owner=world.contributor,
        due_date=today + dt.timedelta(days=14),
    )
    return {
        "nonconformity_id": nc.pk,
        "corrective_action_id": action.pk,
        "api": {"nonconformity_id": nc.pk, "corrective_action_id": action.pk},
        "objects": {"nonconformity": nc, "corrective_action": action},
    }


def seed(world, n: int) -> None:
    """``n`` more nonconformities, each with an overdue corrective action."""
    org = world.org
    start = Nonconformity.objects.filter(organization=org).count()
    today = timezone.localdate()
    made = Nonconformity.objects.bulk_create(
        Nonconformity(
            organization=org,
            ref=f"NC-{start + i + 1:04d}",
            title=f"Nonconformity {start + i}",
            description="x",
            source=Source.AUDIT if i % 2 else Source.CHECK,
            severity=Severity.MAJOR if i % 3 == 0 else Severity.MINOR,
            owner=world.manager if i % 2 else None,
        )
        for i in range(n)
    )
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            nonconformity=nc,
            organization=org,
            title="Fix",
            owner=world.contributor,
            due_date=today - dt.timedelta(days=1),
        )
        for nc in made
    )


NC = "/nonconformities/{nonconformity_id}"
ACTION = NC + "/actions/{corrective_action_id}"

API_ACCESS = {
    ("GET", "/nonconformities"): Access.READ,
    ("POST", "/nonconformities"): Access.CONTRIBUTE,
    ("GET", NC): Access.READ,
    ("PATCH", NC): Access.CONTRIBUTE,
    ("DELETE", NC): Access.MANAGE,
    ("GET", NC + "/actions"): Access.READ,
    ("POST", NC + "/actions"): Access.CONTRIBUTE,
    ("PATCH", ACTION): Access.CONTRIBUTE,
    ("POST", ACTION + "/status"): Access.CONTRIBUTE,
    ("POST", NC + "/effectiveness-review"): Access.CONTRIBUTE,
    ("POST", NC + "/close"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/nonconformities"): {"title": "X", "description": "Y", "severity": "minor"},
    ("PATCH", NC): {"containment": "Stopped releases."},
    ("DELETE", NC): {},
    ("POST", NC + "/actions"): {
        "title": "Train the team",
        "owner": "max.manager",
        "due_date": "2099-01-01",
    },
    ("PATCH", ACTION): {"title": "Add a release gate in CI"},
    ("POST", ACTION + "/status"): {"to": "done", "note": "Gate live."},
    ("POST", NC + "/effectiveness-review"): {"verdict": "effective", "evidence": "Ten releases."},
    ("POST", NC + "/close"): {},
}
