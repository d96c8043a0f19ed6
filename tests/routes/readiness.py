"""The readiness area's share of the route-walking, query-count and API tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.organizations.models import Access
from aims.readiness import services
from aims.readiness.models import (
    ActionStatus,
    Assessment,
    AssessmentItem,
    ChecklistKey,
    Decision,
    RoadmapAction,
)

LIST_PAGES = ["readiness_list", "readiness_roadmap"]


def make(world, records) -> dict:
    org = world.org
    evidence = records["objects"].get("evidence")
    assessment = services.start_assessment(
        Assessment(organization=org, title="Gap assessment", assessor=world.manager),
        actor=world.owner,
    )
    item = assessment.items.order_by("position").first()
    item.assessment = assessment
    services.rate_item(
        item,
        actor=world.owner,
        level=(item.proposed_level + 1) % 6,
        note="Seen in the workshop.",
        evidence=[evidence] if evidence is not None else None,
    )
    action = services.save_action(
        RoadmapAction(
            organization=org,
            item=item,
            title="Write the context analysis",
            owner=world.contributor,
            due_date=timezone.localdate() + dt.timedelta(days=30),
        ),
        actor=world.owner,
    )
    services.tick(org, ChecklistKey.SCOPE, actor=world.owner, note="Confirmed by the board.")
    return {
        # impact's pages name their assessment assessment_id too
        "routes": {
            "/readiness/": {
                "assessment_id": assessment.pk,
                "item_id": item.pk,
                "action_id": action.pk,
            }
        },
        "item_key": ChecklistKey.SCOPE.value,
        "api": {
            "readiness_assessment_id": assessment.pk,
            "readiness_item_id": item.pk,
            "roadmap_action_id": action.pk,
        },
        "objects": {"assessment": assessment, "readiness_item": item, "action": action},
    }


def seed(world, n: int) -> None:
    """``n`` more completed assessments (each with a few items) and roadmap actions."""
    org = world.org
    today = timezone.localdate()
    start = Assessment.objects.filter(organization=org).count()
    made = Assessment.objects.bulk_create(
        Assessment(
            organization=org,
            title=f"Assessment {start + i}",
            assessed_on=today - dt.timedelta(days=i),
            assessor=world.manager if i % 2 else None,
            status="completed",
        )
        for i in range(n)
    )
    from aims.catalog.models import Clause

    clauses = list(Clause.objects.filter(children__isnull=True, parent__isnull=False)[:3])
    AssessmentItem.objects.bulk_create(
        AssessmentItem(
            assessment=assessment,
            kind="clause",
            clause=clause,
            position=p,
            proposed_level=p,
            level=p,
            decision=Decision.CONFIRMED,
        )
        for assessment in made
        for p, clause in enumerate(clauses)
    )
    RoadmapAction.objects.bulk_create(
        RoadmapAction(
            organization=org,
            assessment=made[i % len(made)] if made else None,
            title=f"Action {i}",
            owner=world.contributor if i % 2 else None,
            due_date=today + dt.timedelta(days=i - n // 2),
            status=ActionStatus.DONE if i % 3 == 0 else ActionStatus.OPEN,
        )
        for i in range(n)
    )


API_ACCESS = {
    ("GET", "/readiness/assessments"): Access.READ,
    ("POST", "/readiness/assessments"): Access.MANAGE,
    ("GET", "/readiness/assessments/{readiness_assessment_id}"): Access.READ,
    ("PATCH", "/readiness/assessments/{readiness_assessment_id}"): Access.MANAGE,
    ("POST", "/readiness/assessments/{readiness_assessment_id}/accept-proposals"): Access.MANAGE,
    ("POST", "/readiness/assessments/{readiness_assessment_id}/refresh-proposals"): Access.MANAGE,
    ("POST", "/readiness/assessments/{readiness_assessment_id}/complete"): Access.MANAGE,
    ("GET", "/readiness/assessments/{readiness_assessment_id}/items"): Access.READ,
    (
        "PATCH",
        "/readiness/assessments/{readiness_assessment_id}/items/{readiness_item_id}",
    ): Access.MANAGE,
    ("GET", "/readiness/assessments/{readiness_assessment_id}/results"): Access.READ,
    ("GET", "/readiness/checklist"): Access.READ,
    ("POST", "/readiness/checklist"): Access.MANAGE,
    ("GET", "/readiness/roadmap"): Access.READ,
    ("POST", "/readiness/roadmap"): Access.CONTRIBUTE,
    ("GET", "/readiness/roadmap/{roadmap_action_id}"): Access.READ,
    ("PATCH", "/readiness/roadmap/{roadmap_action_id}"): Access.CONTRIBUTE,
    ("POST", "/readiness/roadmap/{roadmap_action_id}/done"): Access.CONTRIBUTE,
    ("POST", "/readiness/roadmap/{roadmap_action_id}/reopen"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/readiness/assessments"): {"title": "Another"},
    ("PATCH", "/readiness/assessments/{readiness_assessment_id}"): {"title": "Renamed"},
    ("POST", "/readiness/assessments/{readiness_assessment_id}/accept-proposals"): {},
    ("POST", "/readiness/assessments/{readiness_assessment_id}/refresh-proposals"): {},
    ("POST", "/readiness/assessments/{readiness_assessment_id}/complete"): {},
    ("PATCH", "/readiness/assessments/{readiness_assessment_id}/items/{readiness_item_id}"): {
        "confirm": True
    },
    ("POST", "/readiness/checklist"): {"key": "scope", "note": "Seen"},
    ("POST", "/readiness/roadmap"): {"title": "Another action"},
    ("PATCH", "/readiness/roadmap/{roadmap_action_id}"): {"title": "Renamed"},
    ("POST", "/readiness/roadmap/{roadmap_action_id}/done"): {},
    ("POST", "/readiness/roadmap/{roadmap_action_id}/reopen"): {},
}
