"""The technical documentation area's share of the route-walking and query-count tests."""

from __future__ import annotations

from aims.inventory.models import AISystem
from aims.organizations.models import Access
from aims.techdocs.models import Kind, Status, TechnicalDocument
from aims.techdocs.services import save_draft

LIST_PAGES = ["techdoc_list"]


def make(world, records) -> dict:
    system = records["objects"]["system"]
    document = save_draft(
        TechnicalDocument(
            organization=world.org,
            system=system,
            kind=Kind.TECHNICAL,
            general_description="Scores personal loan applications.",
            logging="Every score, with its inputs, kept seven years.",
        ),
        actor=world.contributor,
    )
    return {
        "doc_id": document.pk,
        "api": {"doc_id": document.pk},
        "objects": {"techdoc": document},
    }


def seed(world, n: int) -> None:
    """``n`` more documents, each for a system of its own (one open draft per system and kind)."""
    org = world.org
    start = AISystem.objects.filter(organization=org).count()
    systems = AISystem.objects.bulk_create(
        AISystem(organization=org, name=f"Seeded system {start + i}", slug=f"seeded-td-{start + i}")
        for i in range(n)
    )
    TechnicalDocument.objects.bulk_create(
        TechnicalDocument(
            organization=org,
            system=system,
            kind=Kind.TECHNICAL,
            status=Status.APPROVED,
            author=world.contributor,
            approved_by=world.owner,
            general_description="Seeded",
        )
        for system in systems
    )


API_ACCESS = {
    ("GET", "/techdocs"): Access.READ,
    ("POST", "/techdocs"): Access.CONTRIBUTE,
    ("GET", "/techdocs/{doc_id}"): Access.READ,
    ("PATCH", "/techdocs/{doc_id}"): Access.CONTRIBUTE,
    ("DELETE", "/techdocs/{doc_id}"): Access.CONTRIBUTE,
    ("POST", "/techdocs/{doc_id}/submit"): Access.CONTRIBUTE,
    ("POST", "/techdocs/{doc_id}/approve"): Access.DECIDE,
    ("POST", "/techdocs/{doc_id}/send-back"): Access.DECIDE,
    ("POST", "/techdocs/{doc_id}/new-version"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/techdocs"): {"system": "credit-scoring", "kind": "user_info"},
    ("PATCH", "/techdocs/{doc_id}"): {"architecture": "LightGBM"},
    ("DELETE", "/techdocs/{doc_id}"): {},
    ("POST", "/techdocs/{doc_id}/submit"): {},
    ("POST", "/techdocs/{doc_id}/approve"): {},
    ("POST", "/techdocs/{doc_id}/send-back"): {"reason": "More detail"},
    ("POST", "/techdocs/{doc_id}/new-version"): {},
}
