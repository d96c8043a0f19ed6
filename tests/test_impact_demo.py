"""The impact area's demo content: Northwind's three systems, assessed as a real organization
would (signed off before deployment, brought current after go-live, one due soon)."""

from __future__ import annotations

from django.utils import timezone

from aims.core.areas import due_items
from aims.demo.loader import load_demo
from aims.impact.models import Currency, ImpactAssessment, Status
from aims.inventory.models import Stage


def test_the_demo_assesses_the_three_systems(db):
    org, _owner, created = load_demo()
    assert created
    today = timezone.localdate()
    systems = {s.slug: s for s in org.ai_systems.all()}
    credit, cv, chat = (
        systems["credit-scoring-model"],
        systems["cv-screening-model"],
        systems["customer-service-assistant"],
    )

    in_force = ImpactAssessment.objects.filter(system=credit, status=Status.SIGNED_OFF).get()
    assert in_force.is_current(today) and in_force.signed_stage == Stage.OPERATION
    # signed before deployment, before operation, and after go-live
    assert ImpactAssessment.objects.filter(system=credit, status=Status.SUPERSEDED).count() == 2
    assert in_force.findings.get(dimension="environmental").not_relevant

    waiting = ImpactAssessment.objects.get(system=cv)
    assert waiting.status == Status.SUBMITTED
    detail = {r.requirement.code: r for r in cv.gate(Stage.DEPLOYMENT)}["impact_assessment"]
    assert not detail.met and "submitted for review but not signed off" in detail.detail

    chat_assessment = ImpactAssessment.objects.get(system=chat)
    assert chat_assessment.currency(today) == Currency.DUE
    for assessment in ImpactAssessment.objects.filter(organization=org).exclude(
        status=Status.SUBMITTED
    ):
        assert assessment.signed_by_id != assessment.author_id
    kinds = {item.kind for item in due_items(org, today)}
    assert "Impact reassessment" in kinds
