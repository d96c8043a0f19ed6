"""The competence area's share of the route-walking and query-count tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.competence.models import Competence, Course, Requirement, TrainingRecord
from aims.competence.services import record_training, save_competence, save_course
from aims.organizations.models import Access, Role

LIST_PAGES = ["competence_matrix", "competence_list", "course_list", "training_list"]


def make(world, records) -> dict:
    org = world.org
    competence = save_competence(
        Competence(organization=org, name="AI risk assessment"),
        actor=world.owner,
        roles=[Role.MANAGER],
        people=[world.contributor],
    )
    course = save_course(
        Course(organization=org, title="Risk workshop", validity_months=12),
        actor=world.owner,
        competences=[competence],
    )
    training = record_training(
        TrainingRecord(
            organization=org,
            person=world.manager,
            course=course,
            completed_on=timezone.localdate() - dt.timedelta(days=10),
        ),
        actor=world.owner,
    )
    return {
        "competence_id": competence.pk,
        "course_id": course.pk,
        "training_id": training.pk,
        "api": {
            "competence_id": competence.pk,
            "course_id": course.pk,
            "training_id": training.pk,
        },
        "objects": {"competence": competence, "course": course, "training": training},
    }


def seed(world, n: int) -> None:
    """``n`` more competences (each needed by the managers, given by a course of its own) and
    ``n`` more training records."""
    org = world.org
    start = Competence.objects.filter(organization=org).count()
    competences = Competence.objects.bulk_create(
        Competence(organization=org, name=f"Competence {start + i}", description="Seeded.")
        for i in range(n)
    )
    Requirement.objects.bulk_create(
        Requirement(organization=org, competence=c, role=Role.MANAGER) for c in competences
    )
    courses = Course.objects.bulk_create(
        Course(organization=org, title=f"Course {start + i}", validity_months=12) for i in range(n)
    )
    Course.competences.through.objects.bulk_create(
        Course.competences.through(course_id=course.pk, competence_id=c.pk)
        for course, c in zip(courses, competences, strict=True)
    )
    today = timezone.localdate()
    TrainingRecord.objects.bulk_create(
        TrainingRecord(
            organization=org,
            person=world.manager if i % 2 else world.contributor,
            course=course,
            completed_on=today - dt.timedelta(days=i % 400),
            expires_on=today + dt.timedelta(days=365 - i % 400),
        )
        for i, course in enumerate(courses)
    )


API_ACCESS = {
    ("GET", "/competences"): Access.READ,
    ("POST", "/competences"): Access.CONTRIBUTE,
    ("GET", "/competences/{competence_id}"): Access.READ,
    ("PATCH", "/competences/{competence_id}"): Access.CONTRIBUTE,
    ("GET", "/courses"): Access.READ,
    ("POST", "/courses"): Access.CONTRIBUTE,
    ("GET", "/courses/{course_id}"): Access.READ,
    ("PATCH", "/courses/{course_id}"): Access.CONTRIBUTE,
    ("GET", "/training-records"): Access.READ,
    ("POST", "/training-records"): Access.CONTRIBUTE,
    ("POST", "/training-records/import"): Access.CONTRIBUTE,
    ("GET", "/training-records/{training_id}"): Access.READ,
    ("PATCH", "/training-records/{training_id}"): Access.CONTRIBUTE,
    ("GET", "/competence-matrix"): Access.READ,
}
API_BODIES = {
    ("POST", "/competences"): {"name": "Another competence"},
    ("PATCH", "/competences/{competence_id}"): {"name": "Renamed"},
    ("POST", "/courses"): {"title": "Another course"},
    ("PATCH", "/courses/{course_id}"): {"title": "Renamed"},
    ("POST", "/training-records"): {
        "person": "vic.viewer",
        "course": 1,
        "completed_on": "2026-01-01",
    },
    ("POST", "/training-records/import"): {},
    ("PATCH", "/training-records/{training_id}"): {"note": "Renamed"},
}
