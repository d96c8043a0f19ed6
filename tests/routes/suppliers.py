"""The suppliers area's share of the route-walking and query-count tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.organizations.models import Access
from aims.suppliers.models import Kind, Outcome, SupplierAssessment, ThirdParty
from aims.suppliers.services import record_assessment, save_third_party

LIST_PAGES = ["third_party_list"]


def make(world, records) -> dict:
    org = world.org
    today = timezone.localdate()
    system = records["objects"]["system"]
    datasets = [records["objects"]["dataset"]] if "dataset" in records["objects"] else []
    supplier = save_third_party(
        ThirdParty(
            organization=org,
            name="Acme Bureau",
            kind=Kind.DATA_PROVIDER,
            responsibilities="Accuracy of the bureau attributes.",
            owner=world.manager,
        ),
        actor=world.owner,
        systems=[system],
        datasets=datasets,
    )
    assessment = record_assessment(
        SupplierAssessment(
            third_party=supplier,
            assessed_on=today - dt.timedelta(days=400),
            assessor=world.manager,
            outcome=Outcome.APPROVED,
            next_due=today - dt.timedelta(days=35),
        ),
        actor=world.owner,
    )
    return {
        "third_party_id": supplier.pk,
        "api": {"third_party_id": supplier.pk},
        "objects": {"supplier": supplier, "assessment": assessment},
    }


def seed(world, n: int) -> None:
    """``n`` more third parties, each with two assessments and a system."""
    from aims.inventory.models import AISystem

    org = world.org
    today = timezone.localdate()
    start = ThirdParty.objects.filter(organization=org).count()
    parties = ThirdParty.objects.bulk_create(
        ThirdParty(organization=org, name=f"Supplier {start + i}", owner=world.owner)
        for i in range(n)
    )
    SupplierAssessment.objects.bulk_create(
        SupplierAssessment(
            third_party=p,
            assessed_on=today - dt.timedelta(days=days),
            outcome=Outcome.APPROVED,
            next_due=today + dt.timedelta(days=30 - days),
        )
        for p in parties
        for days in (10, 400)
    )
    system = AISystem.objects.filter(organization=org).first()
    if system is not None:
        ThirdParty.systems.through.objects.bulk_create(
            ThirdParty.systems.through(thirdparty_id=p.pk, aisystem_id=system.pk) for p in parties
        )


API_ACCESS = {
    ("GET", "/third-parties"): Access.READ,
    ("POST", "/third-parties"): Access.CONTRIBUTE,
    ("GET", "/third-parties/{third_party_id}"): Access.READ,
    ("PATCH", "/third-parties/{third_party_id}"): Access.CONTRIBUTE,
    ("DELETE", "/third-parties/{third_party_id}"): Access.MANAGE,
    ("GET", "/third-parties/{third_party_id}/assessments"): Access.READ,
    ("POST", "/third-parties/{third_party_id}/assessments"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/third-parties"): {"name": "Another supplier"},
    ("PATCH", "/third-parties/{third_party_id}"): {"contact": "someone@example.test"},
    ("DELETE", "/third-parties/{third_party_id}"): {},
    ("POST", "/third-parties/{third_party_id}/assessments"): {
        "assessed_on": "2026-01-01",
        "outcome": "approved",
        "next_due": "2027-01-01",
    },
}
