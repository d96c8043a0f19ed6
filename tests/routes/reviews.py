"""The management review's share of the route-walking, query-count and API tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.organizations.models import Access
from aims.reviews import services
from aims.reviews.models import (
    ActionStatus,
    DecisionKind,
    ManagementReview,
    ReviewAction,
    ReviewDecision,
    ReviewStatus,
)

LIST_PAGES = ["review_list", "review_action_list"]


def held_review(world, *, title="Management review 2026", attendees=None, chair=None):
    """A review planned and held in ``world.org``, chaired by the owner with top management."""
    org = world.org
    review = services.save_review(
        ManagementReview(
            organization=org,
            title=title,
            planned_on=timezone.localdate(),
            chair=chair or world.owner,
            agenda="Inputs; decisions.",
        ),
        actor=world.owner,
        attendees=attendees if attendees is not None else [world.owner, world.top_manager],
    )
    return services.hold_review(review, actor=world.owner)


def make(world, records) -> dict:
    org = world.org
    today = timezone.localdate()
    review = held_review(world)
    decision = services.save_decision(
        ReviewDecision(
            organization=org,
            review=review,
            kind=DecisionKind.CHANGE,
            text="Add the chatbot to the scope of the AIMS.",
        ),
        actor=world.owner,
    )
    action = services.save_action(
        ReviewAction(
            organization=org,
            review=review,
            title="Update the scope statement",
            owner=world.manager,
            due_date=today + dt.timedelta(days=30),
        ),
        actor=world.owner,
    )
    return {
        "review_id": review.pk,
        "review_decision_id": decision.pk,
        "review_action_id": action.pk,
        "api": {
            "review_id": review.pk,
            "review_decision_id": decision.pk,
            "review_action_id": action.pk,
        },
        "objects": {"review": review, "review_decision": decision, "review_action": action},
    }


def seed(world, n: int) -> None:
    """``n`` more reviews (planned, held and approved), each with attendees, a decision and an
    action, some overdue."""
    org = world.org
    today = timezone.localdate()
    start = ManagementReview.objects.filter(organization=org).count()
    statuses = [ReviewStatus.PLANNED, ReviewStatus.HELD, ReviewStatus.APPROVED]
    reviews = ManagementReview.objects.bulk_create(
        ManagementReview(
            organization=org,
            title=f"Review {start + i}",
            planned_on=today - dt.timedelta(days=i),
            held_on=None if i % 3 == 0 else today - dt.timedelta(days=i),
            status=statuses[i % 3],
            chair=world.owner,
            approved_by=world.owner if i % 3 == 2 else None,
            approved_at=timezone.now() if i % 3 == 2 else None,
        )
        for i in range(n)
    )
    through = ManagementReview.attendees.through
    through.objects.bulk_create(
        through(managementreview_id=review.pk, user_id=user.pk)
        for review in reviews
        for user in (world.owner, world.top_manager if review.pk % 2 else world.manager)
    )
    ReviewDecision.objects.bulk_create(
        ReviewDecision(
            organization=org, review=review, kind=DecisionKind.IMPROVEMENT, text="Improve."
        )
        for review in reviews
    )
    ReviewAction.objects.bulk_create(
        ReviewAction(
            organization=org,
            review=review,
            title=f"Action of {review.title}",
            owner=world.manager if i % 2 else world.contributor,
            due_date=today + dt.timedelta(days=i - n // 2),
            status=ActionStatus.OPEN if i % 4 else ActionStatus.DONE,
            done_on=None if i % 4 else today,
        )
        for i, review in enumerate(reviews)
    )


API_ACCESS = {
    ("GET", "/management-reviews"): Access.READ,
    ("POST", "/management-reviews"): Access.CONTRIBUTE,
    ("GET", "/management-reviews/{review_id}"): Access.READ,
    ("PATCH", "/management-reviews/{review_id}"): Access.CONTRIBUTE,
    ("POST", "/management-reviews/{review_id}/hold"): Access.CONTRIBUTE,
    ("POST", "/management-reviews/{review_id}/approve"): Access.DECIDE,
    ("GET", "/management-reviews/{review_id}/inputs"): Access.READ,
    ("POST", "/management-reviews/{review_id}/decisions"): Access.CONTRIBUTE,
    ("PATCH", "/management-review-decisions/{review_decision_id}"): Access.CONTRIBUTE,
    ("POST", "/management-review-decisions/{review_decision_id}/nonconformity"): (
        Access.CONTRIBUTE
    ),
    ("POST", "/management-review-decisions/{review_decision_id}/improvement"): Access.CONTRIBUTE,
    ("POST", "/management-reviews/{review_id}/actions"): Access.CONTRIBUTE,
    ("GET", "/management-review-actions"): Access.READ,
    ("PATCH", "/management-review-actions/{review_action_id}"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/management-reviews"): {"title": "Review 2027", "planned_on": "2027-03-01"},
    ("PATCH", "/management-reviews/{review_id}"): {"minutes": "We reviewed the inputs."},
    ("POST", "/management-reviews/{review_id}/hold"): {},
    ("POST", "/management-reviews/{review_id}/approve"): {},
    ("POST", "/management-reviews/{review_id}/decisions"): {
        "kind": "improvement",
        "text": "Automate the drift checks.",
    },
    ("PATCH", "/management-review-decisions/{review_decision_id}"): {"text": "Reworded."},
    ("POST", "/management-review-decisions/{review_decision_id}/nonconformity"): {
        "severity": "minor"
    },
    ("POST", "/management-review-decisions/{review_decision_id}/improvement"): {},
    ("POST", "/management-reviews/{review_id}/actions"): {"title": "Brief the board"},
    ("PATCH", "/management-review-actions/{review_action_id}"): {"status": "done"},
}
