"""The internal audit area's share of the route-walking, query-count and API tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.audits import services
from aims.audits.models import Audit, AuditProgramme, AuditStatus, ChecklistItem, Result
from aims.catalog.models import Clause, Control
from aims.organizations.models import Access

LIST_PAGES = ["audit_list", "audit_programme_list"]


def make(world, records) -> dict:
    """A programme of this year, and an audit in progress led by the auditor: its first item
    a minor nonconformity (no nonconformity raised yet), its second an opportunity for
    improvement."""
    org = world.org
    system = records["objects"]["system"]
    today = timezone.localdate()
    programme = services.save_programme(
        AuditProgramme(
            organization=org,
            title="Cycle of this year",
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=300),
            criteria="ISO/IEC 42001",
        ),
        actor=world.owner,
    )
    audit = services.save_audit(
        Audit(
            organization=org,
            programme=programme,
            title="Risk management",
            planned_start=today,
            planned_end=today + dt.timedelta(days=5),
            lead_auditor=world.auditor,
        ),
        actor=world.auditor,
        clauses=list(Clause.objects.filter(ref__in=["6.1.2", "6.1.3"])),
        controls=list(Control.objects.filter(ref__in=["A.5.2"])),
        systems=[system] if system.owner_id != world.auditor.pk else [],
    )
    services.start_audit(audit, actor=world.auditor)
    items = list(audit.items.order_by("position"))
    services.record_result(items[0], actor=world.auditor, result=Result.MINOR, notes="Partial.")
    services.record_result(
        items[1], actor=world.auditor, result=Result.IMPROVEMENT, notes="Could be simpler."
    )
    return {
        "programme_id": programme.pk,
        "audit_id": audit.pk,
        "audit_item_id": items[0].pk,
        "api": {
            "programme_id": programme.pk,
            "audit_id": audit.pk,
            "audit_item_id": items[0].pk,
        },
        "objects": {"programme": programme, "audit": audit, "audit_item": items[0]},
    }


def seed(world, n: int) -> None:
    """``n`` more programmes, and ``n`` audits each with a finding."""
    org = world.org
    today = timezone.localdate()
    start = AuditProgramme.objects.filter(organization=org).count()
    AuditProgramme.objects.bulk_create(
        AuditProgramme(
            organization=org,
            title=f"Cycle {start + i}",
            starts_on=today - dt.timedelta(days=400 + i),
            ends_on=today - dt.timedelta(days=40),
            owner=world.manager,
        )
        for i in range(n)
    )
    programme = AuditProgramme.objects.filter(organization=org).first()
    first = Audit.objects.filter(organization=org).count()
    audits = Audit.objects.bulk_create(
        Audit(
            organization=org,
            programme=programme,
            ref=f"AUD-{first + i + 100:04d}",
            title=f"Audit {first + i}",
            planned_start=today - dt.timedelta(days=10),
            planned_end=today - dt.timedelta(days=5),
            status=AuditStatus.IN_PROGRESS if i % 2 else AuditStatus.PLANNED,
            lead_auditor=world.auditor,
        )
        for i in range(n)
    )
    control = Control.objects.first()
    ChecklistItem.objects.bulk_create(
        ChecklistItem(audit=audit, control=control, result=Result.MAJOR if i % 2 else "")
        for i, audit in enumerate(audits)
    )


API_ACCESS = {
    ("GET", "/audit-programmes"): Access.READ,
    ("POST", "/audit-programmes"): Access.AUDIT,
    ("GET", "/audit-programmes/{programme_id}"): Access.READ,
    ("PATCH", "/audit-programmes/{programme_id}"): Access.AUDIT,
    ("GET", "/audit-programmes/{programme_id}/coverage"): Access.READ,
    ("GET", "/audits"): Access.READ,
    ("POST", "/audits"): Access.AUDIT,
    ("GET", "/audits/{audit_id}"): Access.READ,
    ("PATCH", "/audits/{audit_id}"): Access.AUDIT,
    ("POST", "/audits/{audit_id}/start"): Access.AUDIT,
    ("POST", "/audits/{audit_id}/complete"): Access.AUDIT,
    ("POST", "/audits/{audit_id}/cancel"): Access.AUDIT,
    ("GET", "/audits/{audit_id}/items"): Access.READ,
    ("GET", "/audits/{audit_id}/items/{audit_item_id}"): Access.READ,
    ("PATCH", "/audits/{audit_id}/items/{audit_item_id}"): Access.AUDIT,
    ("POST", "/audits/{audit_id}/items/{audit_item_id}/nonconformity"): Access.AUDIT,
    ("POST", "/audits/{audit_id}/items/{audit_item_id}/improvement"): Access.AUDIT,
}
API_BODIES = {
    ("POST", "/audit-programmes"): {
        "title": "Next cycle",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
    },
    ("PATCH", "/audit-programmes/{programme_id}"): {"title": "Renamed"},
    ("POST", "/audits"): {
        "programme": 1,
        "title": "Another audit",
        "planned_start": "2027-02-01",
        "planned_end": "2027-02-03",
    },
    ("PATCH", "/audits/{audit_id}"): {"title": "Renamed"},
    ("POST", "/audits/{audit_id}/start"): {},
    ("POST", "/audits/{audit_id}/complete"): {"conclusion": "Conforms."},
    ("POST", "/audits/{audit_id}/cancel"): {"reason": "No longer needed"},
    ("PATCH", "/audits/{audit_id}/items/{audit_item_id}"): {"result": "conforming"},
    ("POST", "/audits/{audit_id}/items/{audit_item_id}/nonconformity"): {},
    ("POST", "/audits/{audit_id}/items/{audit_item_id}/improvement"): {},
}
