"""Competence, training and awareness (7.2, 7.3, A.4.6): registered with the ground floor."""

import datetime as dt

from aims.catalog.links import addresses_requirements
from aims.core.areas import (
    Area,
    DueItem,
    Measure,
    NavLink,
    SearchKind,
    hook,
    names_record,
    register,
)
from aims.core.forms import person_label
from aims.organizations.models import Membership, Role

from . import dashboard
from .matrix import competence_matrix
from .models import EXPIRY_WARNING_DAYS, Competence, Course, TrainingRecord

addresses_requirements(Competence, label="Competences", order=60)


@hook("due", order=60)
def training_due(organization, today) -> list[DueItem]:
    """Training expiring within 30 days (each person's latest record of a course), and expired
    training that leaves a gap in a competence the person needs: to the person and the
    managers."""
    records = (
        TrainingRecord.objects.for_org(organization)
        .latest_per_course()
        .filter(expires_on__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
        .select_related("person", "course")
        .prefetch_related("course__competences")
    )
    managers = frozenset(
        Membership.objects.filter(
            organization=organization, role__in=[Role.OWNER, Role.MANAGER]
        ).values_list("user_id", flat=True)
    )
    matrix = competence_matrix(organization, today=today)
    gaps = {
        (row.person.pk, column.competence.pk)
        for row in matrix.rows
        for column, cell in zip(matrix.columns, row.cells, strict=True)
        if cell.is_gap
    }
    items = []
    for record in records:
        record.organization = organization
        expired = record.expires_on < today
        if expired and not any(
            (record.person_id, c.pk) in gaps for c in record.course.competences.all()
        ):
            continue
        verb = "expired" if expired else "expires"
        items.append(
            DueItem(
                title=f"{person_label(record.person)}: “{record.course.title}” {verb}",
                due=record.expires_on,
                url=record.get_absolute_url(),
                kind="Training expired" if expired else "Training expiry",
                people=managers | {record.person_id},
            )
        )
    return items


@hook("measures", order=60)
def training_measures() -> list[Measure]:
    return [
        Measure(
            "training_complete",
            "Share of required training complete",
            "percent",
            lambda organization, today: competence_matrix(organization, today=today).share_held(),
        )
    ]


hook("dashboard")(dashboard.part)

register(
    Area(
        label="competence",
        prefix="competence/",
        urls="aims.competence.urls",
        nav=(
            NavLink(
                "Competence & training",
                "competence_matrix",
                "Plan",
                order=18,
                icon="graduation-cap",
            ),
        ),
        api_router="aims.competence.api.router",
        api_path_records={
            "competence_id": lambda org, v: names_record(Competence.objects.for_org(org), v),
            "course_id": lambda org, v: names_record(Course.objects.for_org(org), v),
            "training_id": lambda org, v: names_record(TrainingRecord.objects.for_org(org), v),
        },
        order=60,
    )
)


@hook("search", order=190)
def search_competences() -> SearchKind:
    return SearchKind(
        "competences",
        "Competences",
        queryset=lambda organization: Competence.objects.filter(organization=organization),
        fields=("name",),
        list_url_name="competence_list",
        order=190,
    )


@hook("search", order=191)
def search_courses() -> SearchKind:
    return SearchKind(
        "courses",
        "Courses",
        queryset=lambda organization: Course.objects.filter(organization=organization),
        fields=("title", "provider"),
        list_url_name="course_list",
        order=191,
    )


@hook("search", order=192)
def search_training_records() -> SearchKind:
    # Found by the person's names and the course: "jane ethics".
    return SearchKind(
        "training_records",
        "Training records",
        queryset=lambda organization: TrainingRecord.objects.filter(
            organization=organization
        ).select_related("person", "course"),
        fields=("course__title", "person__first_name", "person__last_name", "person__username"),
        describe=lambda record: (
            f"{person_label(record.person)}: {record.course.title} ({record.completed_on:%Y-%m-%d})"
        ),
        list_url_name="training_list",
        order=192,
    )
