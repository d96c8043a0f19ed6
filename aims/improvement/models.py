"""Continual improvement (ISO/IEC 42001 clause 10.1): the improvement register and the
lessons-learned log.

An improvement is an opportunity to make the AIMS or an AI system better, from wherever it came:
an internal audit's "opportunity for improvement", an incident, a management review, a
retrospective, a member's suggestion or a nonconformity. Its status::

    proposed ──▶ planned ──▶ in progress ──▶ done
        └──────────┴────────────┴──▶ rejected (with the reason)

Done needs the outcome measured: what changed, measured how, and on which date. A lesson learned
records what happened, the lesson, where it came from and the improvement it led to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.core.fields import text_field


class Source(models.TextChoices):
    AUDIT = "audit", "Internal audit"
    INCIDENT = "incident", "Incident"
    REVIEW = "review", "Management review"
    RETROSPECTIVE = "retrospective", "Retrospective"
    SUGGESTION = "suggestion", "Staff suggestion"
    NONCONFORMITY = "nonconformity", "Nonconformity"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    REJECTED = "rejected", "Rejected"


OPEN_STATUSES = (Status.PROPOSED, Status.PLANNED, Status.IN_PROGRESS)

# Where each status may go (services.move refuses anything else).
NEXT_STATUSES = {
    Status.PROPOSED: (Status.PLANNED, Status.IN_PROGRESS, Status.REJECTED),
    Status.PLANNED: (Status.IN_PROGRESS, Status.REJECTED),
    Status.IN_PROGRESS: (Status.DONE, Status.REJECTED),
    Status.DONE: (),
    Status.REJECTED: (),
}


def _search(queryset, q, fields):
    q = (q or "").replace("\x00", "").strip()
    if not q:
        return queryset
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": q})
    return queryset.filter(condition)


class ImprovementQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def done(self):
        return self.filter(status=Status.DONE)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)

    def filtered(self, *, q=None, status=None, source=None, owner=None, overdue_on=None):
        found = _search(self, q, ("ref", "title", "description", "outcome"))
        if status == "not_closed":
            found = found.open()
        elif status:
            found = found.filter(status=status)
        if source:
            found = found.filter(source=source)
        if owner is not None:
            found = found.filter(owner=owner)
        if overdue_on is not None:
            found = found.overdue(overdue_on)
        return found


class Improvement(models.Model):
    """An opportunity for improvement (10.1), its owner, plan and the outcome measured."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="improvements"
    )
    ref = models.CharField("id", max_length=20, editable=False)
    title = models.CharField(max_length=200)
    description = text_field(10_000, "what could be better, and how", blank=False)
    source = models.CharField(max_length=15, choices=Source.choices, default=Source.OTHER)
    source_reference = models.CharField(
        "source reference",
        max_length=200,
        blank=True,
        help_text="Where it came from when there is no linked record: an audit's or a "
        "review's id, a retrospective's date.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_improvements",
    )
    due_date = models.DateField("due date", null=True, blank=True)
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvements",
        verbose_name="AI system",
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvements",
    )
    nonconformity = models.ForeignKey(
        "nonconformities.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvements",
    )
    # The outcome measured (done needs all three).
    outcome = text_field(5_000, "what changed")
    outcome_measure = text_field(2_000, "measured how")
    outcome_measured_on = models.DateField("measured on", null=True, blank=True)
    rejection_reason = text_field(2_000, "why rejected")
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="suggested by",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImprovementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ref"], name="improvement_ref_unique_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref}: {self.title}" if self.ref else self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "improvement_detail",
            kwargs={"org": self.organization.slug, "improvement_id": self.pk},
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def next_statuses(self) -> tuple[str, ...]:
        return NEXT_STATUSES.get(Status(self.status), ())

    def is_overdue(self, today=None) -> bool:
        return (
            self.is_open
            and self.due_date is not None
            and self.due_date < (today or timezone.localdate())
        )


class LessonSource(models.TextChoices):
    INCIDENT = "incident", "Incident"
    NONCONFORMITY = "nonconformity", "Nonconformity"
    AUDIT = "audit", "Internal audit"
    REVIEW = "review", "Management review"
    RETROSPECTIVE = "retrospective", "Retrospective"
    OTHER = "other", "Other"


class LessonQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def filtered(self, *, q=None, source=None):
        found = _search(self, q, ("title", "what_happened", "lesson", "source_reference"))
        if source:
            found = found.filter(source=source)
        return found


class Lesson(models.Model):
    """A lesson learned: what happened, what it taught, where it came from, who recorded it and
    the improvement it led to."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="lessons"
    )
    title = models.CharField(max_length=200)
    what_happened = text_field(5_000, "what happened", blank=False)
    lesson = text_field(5_000, "the lesson", blank=False)
    source = models.CharField(
        "where it came from", max_length=15, choices=LessonSource.choices, default="other"
    )
    source_reference = models.CharField(
        "source reference",
        max_length=200,
        blank=True,
        help_text="An audit's or a review's id, a retrospective's date, when there is no "
        "linked record.",
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
    )
    nonconformity = models.ForeignKey(
        "nonconformities.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
    )
    improvement = models.ForeignKey(
        Improvement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        help_text="The improvement it led to, if any.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="recorded by",
    )
    recorded_on = models.DateField("recorded on", default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "lesson_learned_detail", kwargs={"org": self.organization.slug, "lesson_id": self.pk}
        )
