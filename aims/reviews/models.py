"""Management review (ISO/IEC 42001 clause 9.3): top management reviews the AI management system
at planned intervals, from inputs the app compiles out of its own records (9.3.2), and decides
on improvements and changes, with actions that the next review follows up (9.3.3).

A review is planned, then held (with its attendees; its inputs are frozen then, so the minutes
show what was reviewed), then its minutes are approved by its chair. An approved review is a
record of the system and does not change any more.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.fields import text_field
from aims.leadership.models import (  # a review's actions move like the committee's
    ActionStatus,
    CommitteeActionQuerySet,
)
from aims.organizations.models import Membership

TITLE_LENGTH = 200


class Today(models.Func):
    """The database's current date, for conditions evaluated in SQL (the SoA's "current")."""

    template = "CURRENT_DATE"
    output_field = models.DateField()


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    APPROVED = "approved", "Minutes approved"


# A review that took place: its inputs are frozen, its outputs can be recorded.
HELD_STATUSES = (ReviewStatus.HELD, ReviewStatus.APPROVED)

# How long an approved review counts as evidence of clause 9.3 (and before another is due).
REVIEW_INTERVAL_MONTHS = 12


class ManagementReviewQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def held(self):
        """Reviews that took place: held, or held with their minutes approved."""
        return self.filter(status__in=HELD_STATUSES)

    def planned(self):
        return self.filter(status=ReviewStatus.PLANNED)

    def approved(self):
        return self.filter(status=ReviewStatus.APPROVED)

    def held_since(self, day: dt.date):
        return self.held().filter(held_on__gte=day)

    def search(self, text: str | None):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text)
            | Q(agenda__icontains=text)
            | Q(minutes__icontains=text)
            | Q(guests__icontains=text)
        )

    def filtered(
        self,
        *,
        q: str | None = None,
        status: str | None = None,
        chair=None,
        attendee=None,
        open_actions: bool | None = None,
    ):
        """The list's filters, one rule for the page, its CSV export and the API."""
        reviews = self.search(q)
        if status:
            reviews = reviews.filter(status=status)
        if chair is not None:
            reviews = reviews.filter(chair=chair)
        if attendee is not None:
            reviews = reviews.filter(attendees=attendee)
        if open_actions:
            reviews = reviews.filter(pk__in=ReviewAction.objects.open().values("review_id"))
        return reviews

    def with_top_management(self):
        """Each review with ``top_attended``: whether a member of top management
        (Membership.is_top_management, the rule of the top-management page) attended."""
        top = Membership.objects.filter(
            organization=OuterRef(OuterRef("organization_id")), is_top_management=True
        ).values("user_id")
        attended = ManagementReview.attendees.through.objects.filter(
            managementreview_id=OuterRef("pk"), user_id__in=top
        )
        return self.annotate(top_attended=Exists(attended))

    def for_list(self):
        """What the list and its export read: counts annotated, people fetched with them."""
        return (
            self.with_top_management()
            .select_related("chair", "approved_by")
            .prefetch_related("attendees")
            .annotate(
                decision_count=Count("decisions", distinct=True),
                action_count=Count("actions", distinct=True),
                open_action_count=Count(
                    "actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True
                ),
            )
            .order_by("-planned_on", "-pk")
        )


class ManagementReview(AddressesRequirements):
    """A management review meeting (9.3): who took part, what it reviewed, what it decided."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="management_reviews"
    )
    title = models.CharField(max_length=TITLE_LENGTH)
    planned_on = models.DateField("planned date", help_text="When the review is to take place.")
    held_on = models.DateField("held on", null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_reviews",
        help_text="The member who chairs the review and approves its minutes: an Owner, an AIMS "
        "Manager or a member of top management.",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="management_reviews",
        help_text="Members of the organization who took part.",
    )
    guests = text_field(
        2_000,
        "other attendees",
        help_text="People who took part but are not members here (an external adviser, say): "
        "names and roles.",
    )
    agenda = text_field(10_000)
    minutes = text_field(50_000, help_text="What was discussed and concluded, in your own words.")
    inputs = models.JSONField(
        "inputs as reviewed",
        null=True,
        blank=True,
        editable=False,
        help_text="The inputs compiled when the review was held, kept as they were then.",
    )
    inputs_since = models.DateField("inputs cover from", null=True, blank=True, editable=False)
    inputs_compiled_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField("minutes approved at", null=True, blank=True)
    current_until = models.DateField(
        "counts for 9.3 until",
        null=True,
        blank=True,
        editable=False,
        help_text="An approved review shows clause 9.3 is met for twelve months after it was held.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at", "inputs", "inputs_compiled_at")
    objects = ManagementReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = "management review"
        indexes = [models.Index(fields=["organization", "status", "held_on"])]

    def __str__(self) -> str:
        day = self.held_on or self.planned_on
        return f"{self.title} ({day:%Y-%m-%d})" if day else self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "review_detail", kwargs={"org": self.organization.slug, "review_id": self.pk}
        )

    @property
    def is_held(self) -> bool:
        """Whether it took place (held, or held with its minutes approved)."""
        return self.status in HELD_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.status == ReviewStatus.APPROVED

    @property
    def date(self) -> dt.date:
        """The day it took place, or is planned for."""
        return self.held_on or self.planned_on


# An approved review counts for clause 9.3 (the SoA, the catalog) until twelve months after it
# was held: ``current_until`` is set when the minutes are approved.
CURRENT = Q(status=ReviewStatus.APPROVED) & Q(current_until__gte=Today())


class DecisionKind(models.TextChoices):
    IMPROVEMENT = "improvement", "Continual improvement opportunity"
    CHANGE = "change", "Change to the AIMS"
    RESOURCES = "resources", "Resources needed"
    OTHER = "other", "Other decision"


class ReviewDecision(models.Model):
    """An output of a review (9.3.3): a decision on an improvement opportunity or on a change
    to the AI management system."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="review_decisions"
    )
    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=12, choices=DecisionKind.choices)
    text = text_field(5_000, "decision", blank=False)
    nonconformity = models.ForeignKey(
        "nonconformities.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_decisions",
        help_text="The nonconformity the decision raised, if any.",
    )
    improvement = models.ForeignKey(
        "improvement.Improvement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_decisions",
        help_text="The entry of the improvement register the decision added, if any.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "pk"]
        verbose_name = "management review decision"

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 120 else text[:119] + "…"

    def get_absolute_url(self) -> str:
        """The review's page, where it is listed."""
        self.review.organization = self.organization
        return f"{self.review.get_absolute_url()}#decision-{self.pk}"


class ReviewActionQuerySet(CommitteeActionQuerySet):
    """A review's actions are followed like the committee's: open, overdue, and searched."""

    def search(self, text: str | None):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(Q(title__icontains=text) | Q(outcome__icontains=text))

    def filtered(
        self,
        *,
        q: str | None = None,
        status: str | None = None,
        owner=None,
        overdue: bool | None = None,
        review=None,
        today: dt.date | None = None,
    ):
        actions = self.search(q)
        if status:
            actions = actions.filter(status=status)
        if owner is not None:
            actions = actions.filter(owner=owner)
        if overdue:
            actions = actions.overdue(today)
        if review is not None:
            actions = actions.filter(review=review)
        return actions


class ReviewAction(models.Model):
    """An action a review gave someone, by a date (9.3.3); the next review reads its status."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="review_actions"
    )
    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=TITLE_LENGTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_actions",
    )
    due_date = models.DateField("due date", null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField("done on", null=True, blank=True)
    outcome = text_field(2_000, help_text="What was done, or why it was cancelled.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)
    objects = ReviewActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = "management review action"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The review's page, where it is listed."""
        self.review.organization = self.organization
        return f"{self.review.get_absolute_url()}#action-{self.pk}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == ActionStatus.OPEN and self.due_date is not None and self.due_date < today
        )
