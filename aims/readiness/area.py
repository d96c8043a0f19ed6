"""Registered by this area: see aims/core/areas.py."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from aims.core.areas import (
    Area,
    DueItem,
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
from .checklist import checklist
from .models import Assessment, AssessmentItem, RoadmapAction
from .results import results

REASSESS_MONTHS = 12  # a readiness assessment is made again at least yearly
NOTICE_DAYS = 30  # the reassessment shows as due this long before
ACTION_NOTICE_DAYS = 14  # a roadmap action shows as due this long before its date


@hook("due", order=150)
def due(organization, today) -> list[DueItem]:
    """The yearly reassessment (once an assessment was completed and no draft is under way),
    and the open roadmap actions near or past their date."""
    items = []
    latest = Assessment.objects.latest_completed(organization)
    if latest is not None and not Assessment.objects.for_org(organization).drafts().exists():
        next_due = add_months(latest.assessed_on, REASSESS_MONTHS)
        if next_due <= today + dt.timedelta(days=NOTICE_DAYS):
            items.append(
                DueItem(
                    title="Reassess readiness for certification",
                    due=next_due,
                    url=reverse("readiness_list", kwargs={"org": organization.slug}),
                    kind="Readiness reassessment",
                    access=Access.MANAGE,
                )
            )
    horizon = today + dt.timedelta(days=ACTION_NOTICE_DAYS)
    for action in (
        RoadmapAction.objects.for_org(organization)
        .open()
        .filter(due_date__lte=horizon)
        .order_by("due_date", "pk")
    ):
        action.organization = organization
        items.append(
            DueItem(
                title=f"Readiness roadmap: {action.title}",
                due=action.due_date,
                url=action.get_absolute_url(),
                kind="Readiness action",
                people=frozenset({action.owner_id}) if action.owner_id else frozenset(),
                access=Access.CONTRIBUTE,
            )
        )
    return items


@hook("review_inputs", order=90)
def review_input(review, request) -> Section:
    """The management review's readiness input: the latest assessment completed by the review's
    date, its figures per clause, and the checklist as it stands."""
    organization = request.org
    day = review.held_on or review.planned_on or timezone.localdate()
    latest = (
        Assessment.objects.for_org(organization)
        .completed()
        .filter(assessed_on__lte=day)
        .order_by("-assessed_on", "-pk")
        .first()
    )
    found = None
    if latest is not None:
        latest.organization = organization
        found = results(latest)
    slug = organization.slug
    return Section(
        "readiness/_review_input.html",
        {
            "assessment": latest,
            "results": found,
            "checklist": checklist(organization, today=timezone.localdate()),
            "list_url": reverse("readiness_list", kwargs={"org": slug}),
            "checklist_url": reverse("readiness_checklist", kwargs={"org": slug}),
            "summary_url": reverse(
                "readiness_summary", kwargs={"org": slug, "assessment_id": latest.pk}
            )
            if latest
            else "",
        },
        order=90,
    )


hook("dashboard")(dashboard.part)

register(
    Area(
        label="readiness",
        prefix="readiness/",
        urls="aims.readiness.urls",
        nav=(NavLink("Gap & readiness", "readiness_list", "Do & check", order=80, icon="gauge"),),
        api_router="aims.readiness.api.router",
        api_path_records={
            "readiness_assessment_id": lambda org, v: names_record(
                Assessment.objects.for_org(org), v
            ),
            "readiness_item_id": lambda org, v: names_record(
                AssessmentItem.objects.filter(assessment__organization=org), v
            ),
            "roadmap_action_id": lambda org, v: names_record(RoadmapAction.objects.for_org(org), v),
        },
        order=180,
    )
)


@hook("search", order=210)
def search_readiness_assessments() -> SearchKind:
    return SearchKind(
        "readiness_assessments",
        "Readiness assessments",
        queryset=lambda organization: Assessment.objects.filter(organization=organization),
        list_url_name="readiness_list",
        order=210,
    )


@hook("search", order=211)
def search_roadmap_actions() -> SearchKind:
    return SearchKind(
        "roadmap_actions",
        "Roadmap actions",
        queryset=lambda organization: RoadmapAction.objects.filter(organization=organization),
        list_url_name="readiness_roadmap",
        order=211,
    )
