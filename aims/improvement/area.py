"""Registered by this area: see aims/core/areas.py."""

import datetime as dt

from aims.core.areas import (
    Area,
    DueItem,
    Measure,
    NavLink,
    SearchKind,
    Section,
    hook,
    names_record,
    naming_it,
    register,
)
from aims.organizations.models import Access

from .models import Improvement, Lesson, Status

PAGE_LIMIT = 10
DUE_SOON_DAYS = 7


@hook("due")
def due(organization, today) -> list[DueItem]:
    """Planned or started improvements due within a week or overdue: for their owner."""
    items = []
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    found = (
        Improvement.objects.for_org(organization)
        .filter(status__in=(Status.PLANNED, Status.IN_PROGRESS), due_date__lte=soon)
        .order_by("due_date", "pk")
    )
    for improvement in found:
        improvement.organization = organization
        items.append(
            DueItem(
                title=f"Improvement {improvement.ref}: {improvement.title}",
                due=improvement.due_date,
                url=improvement.get_absolute_url(),
                kind="Improvement",
                people=frozenset({improvement.owner_id}) if improvement.owner_id else frozenset(),
                access=Access.CONTRIBUTE,
            )
        )
    return items


@hook("measures", order=85)
def improvement_measures() -> list[Measure]:
    def done_last_year(organization, today):
        since = today - dt.timedelta(days=365)
        return (
            Improvement.objects.for_org(organization)
            .filter(status=Status.DONE, outcome_measured_on__gte=since)
            .count()
        )

    def open_count(organization, today):
        return Improvement.objects.for_org(organization).open().count()

    return [
        Measure(
            "improvements_done_12_months",
            "Improvements done with a measured outcome (last 12 months)",
            "count",
            done_last_year,
        ),
        Measure("open_improvements", "Open improvements", "count", open_count, "down"),
    ]


def _linked(field: str, record, request) -> tuple[list, list]:
    improvements = list(
        Improvement.objects.filter(**{field: record}, organization=request.org).order_by("pk")[
            : PAGE_LIMIT + 1
        ]
    )
    lessons = list(
        Lesson.objects.filter(**{field: record}, organization=request.org).order_by("pk")[
            : PAGE_LIMIT + 1
        ]
    )
    for item in (*improvements, *lessons):
        item.organization = request.org
    return improvements, lessons


def _section(field: str, record, request) -> Section:
    improvements, lessons = _linked(field, record, request)
    return Section(
        "improvement/_linked.html",
        {
            "field": field,
            "record": record,
            "improvements": improvements[:PAGE_LIMIT],
            "lessons": lessons[:PAGE_LIMIT],
            "more": len(improvements) > PAGE_LIMIT or len(lessons) > PAGE_LIMIT,
        },
        order=40,
    )


@hook("incident_page", order=40)
def incident_improvements(incident, request) -> Section:
    """On an incident's page: the improvements and lessons it led to, and the buttons."""
    return _section("incident", incident, request)


@hook("nonconformity_page", order=40)
def nonconformity_improvements(nonconformity, request) -> Section:
    return _section("nonconformity", nonconformity, request)


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    return naming_it(
        Improvement.objects.filter(system=system).count(), "improvement", "improvements"
    )


register(
    Area(
        label="improvement",
        prefix="improvement/",
        urls="aims.improvement.urls",
        nav=(NavLink("Improvement", "improvement_list", "Do & check", order=65, icon="lightbulb"),),
        api_router="aims.improvement.api.router",
        api_path_records={
            "improvement_id": lambda org, v: names_record(Improvement.objects.for_org(org), v),
            "lesson_id": lambda org, v: names_record(Lesson.objects.for_org(org), v),
        },
        order=141,
    )
)


@hook("search", order=130)
def search_improvements() -> SearchKind:
    return SearchKind(
        "improvements",
        "Improvements",
        queryset=lambda organization: Improvement.objects.filter(organization=organization),
        ref="ref",
        list_url_name="improvement_list",
        order=130,
    )


@hook("search", order=131)
def search_lessons() -> SearchKind:
    return SearchKind(
        "lessons",
        "Lessons learned",
        queryset=lambda organization: Lesson.objects.filter(organization=organization),
        list_url_name="lesson_learned_list",
        order=131,
    )
