"""Registered by this area: see aims/core/areas.py."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import addresses_requirements
from aims.core.areas import (
    Area,
    DueItem,
    Involvement,
    Measure,
    NavLink,
    SearchKind,
    Section,
    hook,
    names_record,
    register,
)
from aims.core.dates import add_months
from aims.organizations.models import Access

from . import dashboard
from .models import (
    CURRENT,
    REVIEW_INTERVAL_MONTHS,
    ManagementReview,
    ReviewAction,
    ReviewDecision,
    ReviewStatus,
)
from .services import next_review_due

REVIEW_NOTICE_DAYS = 30  # the next review shows as due this long before a year has passed
ATTENDED = "Management review attended"
APPROVAL = "Approval"


def first_review_due(organization) -> dt.date:
    """When an organization that never held a review is due to: within its AIMS's first
    twelve months (counted from its creation in the app)."""
    return add_months(timezone.localdate(organization.created_at), REVIEW_INTERVAL_MONTHS)


@hook("due", order=90)
def due(organization, today) -> list[DueItem]:
    """Open review actions, to their owner; minutes waiting for the chair's approval; and a
    review to hold when none was held in the last twelve months (or, for a new AIMS, in its
    first twelve months): a decision for top management."""
    items = []
    actions = (
        ReviewAction.objects.for_org(organization)
        .open()
        .filter(due_date__isnull=False)
        .select_related("review")
    )
    for action in actions:
        action.organization = action.review.organization = organization
        items.append(
            DueItem(
                title=f"Management review action: {action.title}",
                due=action.due_date,
                url=action.get_absolute_url(),
                kind="Management review action",
                people=frozenset({action.owner_id}) if action.owner_id else frozenset(),
                access=Access.CONTRIBUTE,
            )
        )
    reviews = ManagementReview.objects.for_org(organization)
    for review in reviews.filter(status=ReviewStatus.HELD):
        review.organization = organization
        items.append(
            DueItem(
                title=f"Approve the minutes of “{review.title}”",
                due=review.held_on,
                url=review.get_absolute_url(),
                kind="Management review minutes",
                people=frozenset({review.chair_id}) if review.chair_id else frozenset(),
                access=Access.DECIDE,
                needs_decision=True,
            )
        )
    last = reviews.held().order_by("-held_on", "-pk").first()
    next_due = next_review_due(last) or first_review_due(organization)
    if next_due <= today + dt.timedelta(days=REVIEW_NOTICE_DAYS):
        if last is None:
            title = "Hold a management review: none has been held yet (9.3)"
        else:
            title = f"Hold a management review: the last was held on {last.held_on:%Y-%m-%d} (9.3)"
        items.append(
            DueItem(
                title=title,
                due=next_due,
                url=reverse("review_list", kwargs={"org": organization.slug}),
                kind="Management review",
                access=Access.MANAGE,
                needs_decision=True,
            )
        )
    return items


@hook("involvement")
def involvement(organization, since) -> list[Involvement]:
    """Top management's part in management reviews (5.1): each review attended, and the
    minutes approved."""
    day = timezone.localdate(since) if isinstance(since, dt.datetime) else since
    found = []
    reviews = ManagementReview.objects.for_org(organization).held_since(day)
    for review in reviews.prefetch_related("attendees"):
        review.organization = organization
        url = review.get_absolute_url()
        for person in review.attendees.all():
            found.append(Involvement(person.pk, review.held_on, ATTENDED, review.title, url))
    approved = ManagementReview.objects.for_org(organization).filter(
        status=ReviewStatus.APPROVED, approved_by__isnull=False, approved_at__gte=since
    )
    for review in approved:
        review.organization = organization
        found.append(
            Involvement(
                review.approved_by_id,
                review.approved_at,
                APPROVAL,
                f"Approved the minutes of the management review “{review.title}”",
                review.get_absolute_url(),
            )
        )
    return found


@hook("nonconformity_page", order=30)
def nonconformity_review(nonconformity, request) -> Section | None:
    """On a nonconformity raised by a management review: the review and its decision."""
    decisions = list(
        ReviewDecision.objects.filter(
            nonconformity=nonconformity, organization=request.org
        ).select_related("review")
    )
    if not decisions:
        return None
    for decision in decisions:
        decision.organization = decision.review.organization = request.org
    return Section(
        "reviews/_nonconformity_review.html", {"decisions": decisions}, column="side", order=30
    )


def overdue_actions(organization, today) -> float:
    return float(ReviewAction.objects.for_org(organization).overdue(today).count())


@hook("measures")
def review_measures() -> list[Measure]:
    return [
        Measure(
            "reviews.overdue_actions",
            "Overdue management review actions",
            "actions",
            overdue_actions,
            direction="down",
        )
    ]


hook("dashboard")(dashboard.part)

# An approved review counts for what it addresses (9.3) for twelve months after it was held.
addresses_requirements(ManagementReview, label="Management reviews", current=CURRENT, order=90)


def _exists(model, org, value) -> bool:
    return names_record(model.objects.filter(organization=org), value)


register(
    Area(
        label="reviews",
        prefix="reviews/",
        urls="aims.reviews.urls",
        nav=(
            NavLink(
                "Management review", "review_list", "Do & check", order=75, icon="presentation"
            ),
        ),
        api_router="aims.reviews.api.router",
        api_path_records={
            "review_id": lambda org, v: _exists(ManagementReview, org, v),
            "review_decision_id": lambda org, v: _exists(ReviewDecision, org, v),
            "review_action_id": lambda org, v: _exists(ReviewAction, org, v),
        },
        order=170,
    )
)


@hook("search", order=150)
def search_reviews() -> SearchKind:
    return SearchKind(
        "reviews",
        "Management reviews",
        queryset=lambda organization: ManagementReview.objects.filter(organization=organization),
        list_url_name="review_list",
        order=150,
    )
