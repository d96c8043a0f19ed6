"""The continual improvement area's share of the route-walking, query-count and API tests."""

from __future__ import annotations

from aims.improvement import services
from aims.improvement.models import Improvement, Lesson, LessonSource, Source, Status
from aims.organizations.models import Access

LIST_PAGES = ["improvement_list", "lesson_learned_list"]


def make(world, records) -> dict:
    org = world.org
    incident = records["objects"].get("incident")
    improvement = services.add_improvement(
        org,
        title="Shadow-test model updates for two weeks",
        description="Run each new credit model beside the current one before switching.",
        source=Source.INCIDENT if incident else Source.OTHER,
        actor=world.owner,
        owner=world.manager,
        incident=incident,
    )
    lesson = services.add_lesson(
        org,
        actor=world.owner,
        title="Rollback plans need a rehearsal",
        what_happened="The rollback took four hours because nobody had run it before.",
        lesson="Rehearse the rollback of every high-risk system twice a year.",
        source=LessonSource.INCIDENT if incident else LessonSource.OTHER,
        incident=incident,
        improvement=improvement,
    )
    return {
        "improvement_id": improvement.pk,
        "lesson_id": lesson.pk,
        "api": {"improvement_id": improvement.pk, "lesson_id": lesson.pk},
        "objects": {"improvement": improvement, "lesson": lesson},
    }


def seed(world, n: int) -> None:
    """``n`` more improvements and lessons, with links to follow."""
    org = world.org
    start = Improvement.objects.filter(organization=org).count()
    made = Improvement.objects.bulk_create(
        Improvement(
            organization=org,
            ref=f"IMP-{start + i + 1:04d}",
            title=f"Improvement {start + i}",
            description="x",
            source=Source.SUGGESTION if i % 2 else Source.AUDIT,
            status=Status.PLANNED if i % 2 else Status.PROPOSED,
            owner=world.manager if i % 2 else None,
            suggested_by=world.viewer,
        )
        for i in range(n)
    )
    Lesson.objects.bulk_create(
        Lesson(
            organization=org,
            title=f"Lesson {i}",
            what_happened="x",
            lesson="y",
            improvement=made[i],
            recorded_by=world.manager,
        )
        for i in range(n)
    )


IMP = "/improvements/{improvement_id}"
LESSON = "/lessons-learned/{lesson_id}"

API_ACCESS = {
    ("GET", "/improvements"): Access.READ,
    ("POST", "/improvements"): Access.CONTRIBUTE,
    ("GET", IMP): Access.READ,
    ("PATCH", IMP): Access.CONTRIBUTE,
    ("POST", IMP + "/status"): Access.CONTRIBUTE,
    ("DELETE", IMP): Access.MANAGE,
    ("GET", "/lessons-learned"): Access.READ,
    ("POST", "/lessons-learned"): Access.CONTRIBUTE,
    ("GET", LESSON): Access.READ,
    ("PATCH", LESSON): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/improvements"): {"title": "X", "description": "Y", "source": "suggestion"},
    ("PATCH", IMP): {"title": "Shadow-test every model update"},
    ("POST", IMP + "/status"): {"to": "planned"},
    ("DELETE", IMP): {},
    ("POST", "/lessons-learned"): {"title": "X", "what_happened": "Y", "lesson": "Z"},
    ("PATCH", LESSON): {"lesson": "Rehearse rollbacks."},
}
