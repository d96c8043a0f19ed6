"""Competence, training and awareness (ISO/IEC 42001 7.2, 7.3, Annex A.4.6).

The organization names the competences its AI work needs (:class:`Competence`) and says who
needs each (:class:`Requirement`: everyone of a membership role, or one person). Courses give
competences; a training record says a person completed a course. A person *holds* a competence
while a training record of a course giving it is not expired (no expiry date, or one not past).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.dates import add_months
from aims.organizations.models import Role

# Training that expires within this many days is "expiring": it still counts, but is flagged.
EXPIRY_WARNING_DAYS = 30


def _search(queryset, text: str | None, *fields: str):
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)


class CompetenceQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def filtered(self, *, q: str | None = None, role: str | None = None):
        """The competences matching the list's search (name, description) and, with ``role``,
        those that role needs."""
        competences = _search(self, q, "name", "description")
        if role:
            competences = competences.filter(requirements__role=role).distinct()
        return competences


class Competence(AddressesRequirements):
    """Something people must know or be able to do for the organization's AI work."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="competences"
    )
    name = models.CharField(max_length=200, help_text="E.g. “AI risk assessment”.")
    description = models.TextField(
        blank=True,
        max_length=5_000,
        validators=[MaxLengthValidator(5_000)],
        help_text="What holding it means: what the person can do.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    audit_exclude = ("updated_at",)
    objects = CompetenceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_competence_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "competence_detail", kwargs={"org": self.organization.slug, "competence_id": self.pk}
        )


class Requirement(models.Model):
    """One row of "who needs what": a competence needed by every member of a role, or by one
    person (``role`` or ``person``, never both)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.CASCADE, related_name="requirements"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="competence_requirements",
    )

    class Meta:
        ordering = ["competence__name", "role", "person__username"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(person__isnull=False))
                | (~Q(role="") & Q(person__isnull=True)),
                name="requirement_of_role_or_person",
            ),
            models.UniqueConstraint(
                fields=["competence", "role"],
                condition=~Q(role=""),
                name="one_requirement_per_role",
            ),
            models.UniqueConstraint(
                fields=["competence", "person"],
                condition=Q(person__isnull=False),
                name="one_requirement_per_person",
            ),
        ]

    def __str__(self) -> str:
        who = Role(self.role).label if self.role else str(self.person)
        return f"{self.competence} needed by {who}"

    def get_absolute_url(self) -> str:
        return self.competence.get_absolute_url()


class CourseQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def filtered(self, *, q: str | None = None, competence: int | None = None):
        courses = _search(self, q, "title", "provider", "description")
        if competence:
            # By the competence's own key: a number out of the column's range matches nothing
            # (a lookup through the relation would send it to the database and fail).
            courses = courses.filter(competences__pk=competence)
        return courses


class Course(models.Model):
    """A course, workshop or module that gives competences to those who complete it."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="courses"
    )
    title = models.CharField(
        max_length=200, help_text="As your learning system names it: imports match by title."
    )
    provider = models.CharField(max_length=200, blank=True)
    competences = models.ManyToManyField(
        Competence,
        blank=True,
        related_name="courses",
        help_text="What someone who completes it holds.",
    )
    validity_months = models.PositiveSmallIntegerField(
        "validity (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="How long a completion counts. Leave empty when it does not expire.",
    )
    description = models.TextField(
        blank=True, max_length=5_000, validators=[MaxLengthValidator(5_000)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    audit_exclude = ("updated_at",)
    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "title"], name="unique_course_title")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "course_detail", kwargs={"org": self.organization.slug, "course_id": self.pk}
        )

    def expiry_after(self, completed_on: dt.date | None) -> dt.date | None:
        """When a completion on ``completed_on`` stops counting; None when it does not expire."""
        if completed_on is None or not self.validity_months:
            return None
        return add_months(completed_on, self.validity_months)


class TrainingState(models.TextChoices):
    """A training record's state on a given day."""

    CURRENT = "current", "Current"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"


class TrainingRecordQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def current(self, today: dt.date):
        """Records that still count: no expiry, or not past it."""
        return self.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))

    def expired(self, today: dt.date):
        return self.filter(expires_on__lt=today)

    def expiring(self, today: dt.date, days: int = EXPIRY_WARNING_DAYS):
        return self.filter(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=days))

    def latest_per_course(self):
        """Each person's newest record of each course (none later expires, or lasts for good):
        an older completion renewed since is not due any more."""
        newer = TrainingRecord.objects.filter(
            person=models.OuterRef("person"), course=models.OuterRef("course")
        ).filter(
            Q(expires_on__isnull=True)
            | Q(expires_on__gt=models.OuterRef("expires_on"))
            | Q(expires_on=models.OuterRef("expires_on"), pk__gt=models.OuterRef("pk"))
        )
        return self.exclude(models.Exists(newer))

    def filtered(
        self,
        *,
        q: str | None = None,
        person=None,
        course: int | None = None,
        state: str | None = None,
        today: dt.date | None = None,
    ):
        """The records matching the list's filters, for the page, its CSV and the API.

        ``q`` looks in the person's username and names, the course title, the evidence and the
        note; ``state`` is a :class:`TrainingState` on ``today``.
        """
        today = today or timezone.localdate()
        records = _search(
            self,
            q,
            "person__username",
            "person__first_name",
            "person__last_name",
            "course__title",
            "evidence",
            "note",
        )
        if person is not None:
            records = records.filter(person=person)
        if course:
            records = records.filter(course__pk=course)  # out of range: no match, no error
        if state == TrainingState.EXPIRED:
            records = records.expired(today)
        elif state == TrainingState.EXPIRING:
            records = records.expiring(today)
        elif state == TrainingState.CURRENT:
            records = records.current(today)
        return records


class TrainingRecord(models.Model):
    """A person completed a course on a day; it counts until its expiry date (if any)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="training_records"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="training_records")
    completed_on = models.DateField(help_text="Not in the future.")
    expires_on = models.DateField(
        null=True,
        blank=True,
        help_text="Left empty, it is computed from the course's validity (none: no expiry).",
    )
    evidence = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where the proof is: a certificate number, a link to the learning system.",
    )
    note = models.TextField(blank=True, max_length=2_000, validators=[MaxLengthValidator(2_000)])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    audit_exclude = ("updated_at",)
    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.person} completed {self.course} on {self.completed_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse(
            "training_detail", kwargs={"org": self.organization.slug, "training_id": self.pk}
        )

    def state(self, today: dt.date | None = None) -> TrainingState:
        today = today or timezone.localdate()
        if self.expires_on is None:
            return TrainingState.CURRENT
        if self.expires_on < today:
            return TrainingState.EXPIRED
        if self.expires_on <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
            return TrainingState.EXPIRING
        return TrainingState.CURRENT
