"""The management review's part of the dashboard: the overdue actions of reviews (the yearly
review itself is a reminder, and an item of the certification-readiness checklist)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part

from .models import ManagementReview, ReviewAction, ReviewStatus


def part(organization) -> Part:
    today = timezone.localdate()
    reviews = ManagementReview.objects.for_org(organization)
    counts = reviews.aggregate(
        total=Count("pk"), approved=Count("pk", filter=Q(status=ReviewStatus.APPROVED))
    )
    last = reviews.held().order_by("-held_on", "-pk").first()
    overdue = ReviewAction.objects.for_org(organization).overdue(today)
    overdue_list = list(
        overdue.select_related("owner", "review").order_by("due_date", "pk")[:LIST_LIMIT]
    )
    for action in overdue_list:
        action.organization = action.review.organization = organization
    overdue_count = overdue.count()
    return Part(
        "reviews",
        notices=[
            Notice(
                overdue_count,
                Section(
                    "reviews/_dashboard_overdue.html",
                    {"actions": overdue_list, "count": overdue_count},
                    order=45,
                ),
                show_when_zero=False,
            )
        ],
        has_records=counts["total"] > 0,
        data={
            "reviews": counts["total"],
            "reviews_approved": counts["approved"],
            "last_review_held_on": last.held_on.isoformat() if last else None,
            "review_actions_overdue": overdue_count,
        },
    )
