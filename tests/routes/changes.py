"""The planned changes area's share of the route-walking and query-count tests."""

from __future__ import annotations

from aims.changes.models import Kind, PlannedChange
from aims.changes.services import save_change
from aims.inventory.models import AISystem
from aims.organizations.models import Access

LIST_PAGES = ["change_list"]


def make(world, records) -> dict:
    system = records["objects"]["system"]
    change = save_change(
        PlannedChange(
            organization=world.org,
            system=system,
            kind=Kind.NEW_VERSION,
            description="Retrain on 2025 applications.",
            reason="Drift in the applicant population.",
            new_version="2.0",
        ),
        actor=world.contributor,
    )
    return {
        "change_id": change.pk,
        "api": {"change_id": change.pk},
        "objects": {"planned_change": change},
    }


def seed(world, n: int) -> None:
    """``n`` more changes, of the organization's first system."""
    system = AISystem.objects.filter(organization=world.org).order_by("pk").first()
    if system is None:
        system = AISystem.objects.create(organization=world.org, name="Changed", slug="changed")
    PlannedChange.objects.bulk_create(
        PlannedChange(
            organization=world.org,
            system=system,
            kind=Kind.OTHER,
            description=f"Seeded change {i}",
            reason="Seeded",
            proposed_by=world.contributor,
            approved_by=world.owner,
        )
        for i in range(n)
    )


API_ACCESS = {
    ("GET", "/planned-changes"): Access.READ,
    ("POST", "/planned-changes"): Access.CONTRIBUTE,
    ("GET", "/planned-changes/{change_id}"): Access.READ,
    ("PATCH", "/planned-changes/{change_id}"): Access.CONTRIBUTE,
    ("POST", "/planned-changes/{change_id}/approve"): Access.DECIDE,
    ("POST", "/planned-changes/{change_id}/reject"): Access.DECIDE,
    ("POST", "/planned-changes/{change_id}/withdraw"): Access.CONTRIBUTE,
    ("POST", "/planned-changes/{change_id}/implement"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/planned-changes"): {
        "system": "credit-scoring",
        "kind": "other",
        "description": "New monitoring",
        "reason": "Audit finding",
    },
    ("PATCH", "/planned-changes/{change_id}"): {"planned_date": "2099-01-01"},
    ("POST", "/planned-changes/{change_id}/approve"): {},
    ("POST", "/planned-changes/{change_id}/reject"): {"reason": "Not now"},
    ("POST", "/planned-changes/{change_id}/withdraw"): {},
    ("POST", "/planned-changes/{change_id}/implement"): {},
}
