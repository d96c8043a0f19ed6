"""The EU AI Act area's share of the route-walking and query-count tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.euaiact import services
from aims.euaiact.models import (
    AssessmentOutcome,
    ChangeSource,
    Classification,
    ClassificationStatus,
    ConformityAssessment,
    Declaration,
    LogRetention,
    MonitoringPlan,
    NoticeDuty,
    OversightMeasure,
    Procedure,
    RecourseChannel,
    RecourseRequest,
    Registration,
    RegistrationBasis,
    RegulatoryChange,
    RequestKind,
    TransparencyNotice,
    basis_of,
)
from aims.organizations.models import Access

LIST_PAGES = ["act_overview", "act_request_list", "act_change_list"]

# Credit scoring, provided and used by the organization: high-risk under Annex III point 5(b).
CREDIT_ANSWERS = {"roles": ["provider", "deployer"], "annex_iii": ["5b"]}


def make(world, records) -> dict:
    org = world.org
    today = timezone.localdate()
    system = records["objects"]["system"]
    draft = services.save_draft(system, CREDIT_ANSWERS, actor=world.contributor)
    classification = services.sign(draft, actor=world.manager)
    system.refresh_from_db()

    def save(record, **m2m):
        return services.save_record(record, actor=world.owner, m2m=m2m or None)

    on = {"organization": org, "system": system}
    measure = save(
        OversightMeasure(
            **on,
            person=world.manager,
            role="Credit officer on duty",
            authority="Overrules any score.",
            training="Model limits course.",
            override="Decides the application by hand.",
        )
    )
    notice = save(
        TransparencyNotice(
            **on,
            duty=NoticeDuty.AFFECTED,
            text="A model helps decide your application.",
            shown_where="Application form",
            since=today - dt.timedelta(days=30),
        )
    )
    retention = save(
        LogRetention(**on, logs="Scores and inputs", location="Audit store", retention_days=365)
    )
    checks = [records["objects"]["check"]] if "check" in records["objects"] else []
    plan = save(
        MonitoringPlan(**on, description="Weekly drift and fairness review."), checks=checks
    )
    conformity = save(
        ConformityAssessment(
            **on,
            procedure=Procedure.INTERNAL,
            assessed_on=today - dt.timedelta(days=10),
            outcome=AssessmentOutcome.PASSED,
        )
    )
    declaration = save(
        Declaration(
            **on,
            signed_on=today - dt.timedelta(days=5),
            signatory="Olivia Owner, CEO",
            provider="Acme Lending, 1 Main Street",
        )
    )
    registration = save(
        Registration(
            **on,
            basis=RegistrationBasis.HIGH_RISK,
            database_id="EU-DB-0001",
            registered_on=today - dt.timedelta(days=2),
        )
    )
    save(
        RecourseChannel(
            **on,
            how_to_ask="Write to us quoting your application number.",
            contact="appeals@example.test",
            published_where="Decision letter",
        )
    )
    request = services.receive_request(
        RecourseRequest(
            **on,
            kind=RequestKind.EXPLANATION,
            received_on=today - dt.timedelta(days=3),
            requester="Case 4711",
            summary="Why was my loan refused?",
        ),
        actor=world.owner,
    )
    change = services.save_change(
        RegulatoryChange(
            organization=org,
            title="Guidelines on high-risk classification",
            source=ChangeSource.GUIDANCE,
            summary="Examples of Annex III uses.",
            owner=world.manager,
        ),
        actor=world.owner,
        systems=[system],
    )
    ids = {
        "measure_id": measure.pk,
        "notice_id": notice.pk,
        "retention_id": retention.pk,
        "monitoring_plan_id": plan.pk,
        "conformity_id": conformity.pk,
        "declaration_id": declaration.pk,
        "registration_id": registration.pk,
        "recourse_request_id": request.pk,
        "regulatory_change_id": change.pk,
    }
    return {
        "classification_id": classification.pk,
        **ids,
        "api": {"classification_number": classification.number, **ids},
        "objects": {
            "act_classification": classification,
            "recourse_request": request,
            "regulatory_change": change,
        },
    }


def seed(world, n: int) -> None:
    """``n`` more systems, each with a signed classification (one in two also with a draft of
    its next version), a recourse request and a regulatory change touching it."""
    from aims.inventory.models import AISystem, RiskTier

    org = world.org
    today = timezone.localdate()
    now = timezone.now()
    start = AISystem.objects.filter(organization=org).count()
    systems = AISystem.objects.bulk_create(
        AISystem(
            organization=org,
            name=f"Act system {start + i:05d}",
            slug=f"act-system-{start + i:05d}",
            purpose="Scores applications.",
            risk_tier=RiskTier.HIGH,
            owner=world.owner,
        )
        for i in range(n)
    )
    outcome = services.outcome_fields(CREDIT_ANSWERS)
    Classification.objects.bulk_create(
        Classification(
            organization=org,
            system=s,
            number=number,
            status=status,
            basis=basis_of(s),
            prepared_by=world.contributor,
            signed_by=world.manager if status == ClassificationStatus.SIGNED else None,
            signed_at=now if status == ClassificationStatus.SIGNED else None,
            **outcome,
        )
        for i, s in enumerate(systems)
        for number, status in ((1, ClassificationStatus.SIGNED), (2, ClassificationStatus.DRAFT))
        if number == 1 or i % 2
    )
    first = RecourseRequest.objects.filter(organization=org).count()
    RecourseRequest.objects.bulk_create(
        RecourseRequest(
            organization=org,
            system=s,
            ref=f"S-{first + i:06d}",
            kind=RequestKind.CONTEST,
            received_on=today - dt.timedelta(days=40),
            requester=f"Case {i}",
            summary="Contests the refusal.",
            due_on=today - dt.timedelta(days=10),  # overdue
            handled_by=world.manager,
        )
        for i, s in enumerate(systems)
    )
    changes = RegulatoryChange.objects.bulk_create(
        RegulatoryChange(
            organization=org,
            title=f"Change {start + i}",
            source=ChangeSource.LAW,
            summary="Something changes.",
            owner=world.manager,
        )
        for i in range(n)
    )
    RegulatoryChange.systems.through.objects.bulk_create(
        RegulatoryChange.systems.through(regulatorychange_id=c.pk, aisystem_id=s.pk)
        for c, s in zip(changes, systems, strict=True)
    )


SYSTEM = "/systems/{slug}/act"
KIND_PATHS = {
    "oversight-measures": "measure_id",
    "notices": "notice_id",
    "log-retentions": "retention_id",
    "monitoring-plans": "monitoring_plan_id",
    "conformity-assessments": "conformity_id",
    "declarations": "declaration_id",
    "registrations": "registration_id",
}

API_ACCESS = {
    ("GET", "/act/questionnaire"): Access.READ,
    ("GET", "/act/systems"): Access.READ,
    ("GET", SYSTEM): Access.READ,
    ("GET", f"{SYSTEM}/classifications"): Access.READ,
    ("POST", f"{SYSTEM}/classifications"): Access.CONTRIBUTE,
    ("GET", f"{SYSTEM}/classifications/{{classification_number}}"): Access.READ,
    ("DELETE", f"{SYSTEM}/classifications/{{classification_number}}"): Access.CONTRIBUTE,
    ("POST", f"{SYSTEM}/classifications/{{classification_number}}/sign"): Access.DECIDE,
    ("GET", f"{SYSTEM}/recourse"): Access.READ,
    ("PUT", f"{SYSTEM}/recourse"): Access.CONTRIBUTE,
    ("GET", "/act/requests"): Access.READ,
    ("POST", "/act/requests"): Access.CONTRIBUTE,
    ("GET", "/act/requests/{recourse_request_id}"): Access.READ,
    ("PATCH", "/act/requests/{recourse_request_id}"): Access.CONTRIBUTE,
    ("DELETE", "/act/requests/{recourse_request_id}"): Access.MANAGE,
    ("GET", "/act/regulatory-changes"): Access.READ,
    ("POST", "/act/regulatory-changes"): Access.CONTRIBUTE,
    ("GET", "/act/regulatory-changes/{regulatory_change_id}"): Access.READ,
    ("PATCH", "/act/regulatory-changes/{regulatory_change_id}"): Access.CONTRIBUTE,
    ("DELETE", "/act/regulatory-changes/{regulatory_change_id}"): Access.MANAGE,
    ("GET", "/act/profile"): Access.READ,
    ("PUT", "/act/profile"): Access.MANAGE,
}
for _path, _param in KIND_PATHS.items():
    API_ACCESS.update(
        {
            ("GET", f"{SYSTEM}/{_path}"): Access.READ,
            ("POST", f"{SYSTEM}/{_path}"): Access.CONTRIBUTE,
            ("GET", f"{SYSTEM}/{_path}/{{{_param}}}"): Access.READ,
            ("PATCH", f"{SYSTEM}/{_path}/{{{_param}}}"): Access.CONTRIBUTE,
            ("DELETE", f"{SYSTEM}/{_path}/{{{_param}}}"): Access.MANAGE,
        }
    )

# A valid body for each write: what a member with the access would send.
KIND_BODIES = {
    "oversight-measures": {
        "role": "Credit officer",
        "authority": "Overrules.",
        "training": "Course.",
        "override": "By hand.",
    },
    "notices": {
        "duty": "affected_persons",
        "text": "A model helps decide.",
        "shown_where": "Letter",
        "since": "2026-01-01",
    },
    "log-retentions": {"logs": "Scores", "location": "Store", "retention_days": 200},
    "monitoring-plans": {"description": "Monthly review."},
    "conformity-assessments": {"procedure": "internal"},
    "declarations": {"signed_on": "2026-01-02", "signatory": "CEO", "provider": "Acme, Main St"},
    "registrations": {
        "basis": "high_risk",
        "database_id": "EU-DB-0002",
        "registered_on": "2026-01-03",
    },
}
API_BODIES = {
    ("POST", f"{SYSTEM}/classifications"): {"answers": {"roles": ["deployer"]}},
    ("DELETE", f"{SYSTEM}/classifications/{{classification_number}}"): {},
    ("POST", f"{SYSTEM}/classifications/{{classification_number}}/sign"): {},
    ("PUT", f"{SYSTEM}/recourse"): {
        "how_to_ask": "Write to us.",
        "contact": "appeals@example.test",
        "published_where": "Website",
    },
    ("POST", "/act/requests"): {
        "system": "credit-scoring",
        "kind": "explanation",
        "requester": "Case 1",
        "summary": "Why?",
    },
    ("PATCH", "/act/requests/{recourse_request_id}"): {"summary": "Why, exactly?"},
    ("DELETE", "/act/requests/{recourse_request_id}"): {},
    ("POST", "/act/regulatory-changes"): {"title": "A", "source": "law", "summary": "B"},
    ("PATCH", "/act/regulatory-changes/{regulatory_change_id}"): {"status": "acting"},
    ("DELETE", "/act/regulatory-changes/{regulatory_change_id}"): {},
    ("PUT", "/act/profile"): {"annual_turnover": 50_000_000, "is_sme": False},
}
for _path, _param in KIND_PATHS.items():
    API_BODIES.update(
        {
            ("POST", f"{SYSTEM}/{_path}"): KIND_BODIES[_path],
            ("PATCH", f"{SYSTEM}/{_path}/{{{_param}}}"): {},
            ("DELETE", f"{SYSTEM}/{_path}/{{{_param}}}"): {},
        }
    )
