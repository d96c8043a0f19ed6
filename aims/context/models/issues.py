"""The context of the organization, 4.1: the issues."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements

from .base import TITLE, ReviewedQuerySet, Side, owner_field, review_field, text_field


class IssueCategory(models.TextChoices):
    """One list with two groups: the PESTLE headings for the environment the organization works
    in, and the SWOT headings for its own position. The form shows them as two groups."""

    POLITICAL = "political", "Political"
    ECONOMIC = "economic", "Economic"
    SOCIAL = "social", "Social"
    TECHNOLOGICAL = "technological", "Technological"
    LEGAL = "legal", "Legal"
    ENVIRONMENTAL = "environmental", "Environmental"
    STRENGTH = "strength", "Strength"
    WEAKNESS = "weakness", "Weakness"
    OPPORTUNITY = "opportunity", "Opportunity"
    THREAT = "threat", "Threat"

    @classmethod
    def grouped(cls) -> list[tuple[str, list[tuple[str, str]]]]:
        pestle = [(c.value, c.label) for c in list(cls)[:6]]
        swot = [(c.value, c.label) for c in list(cls)[6:]]
        return [
            ("PESTLE: the environment around the organization", pestle),
            ("SWOT: the organization's own position", swot),
        ]

    @property
    def scheme(self) -> str:
        return "PESTLE" if list(IssueCategory).index(self) < 6 else "SWOT"


class Raises(models.TextChoices):
    RISK = "risk", "A risk"
    OPPORTUNITY = "opportunity", "An opportunity"
    BOTH = "both", "Both a risk and an opportunity"
    NEITHER = "neither", "Neither, for now"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    ADDRESSED = "addressed", "Addressed"
    CLOSED = "closed", "Closed"


class IssueQuerySet(ReviewedQuerySet):
    def open(self):
        return self.exclude(status=IssueStatus.CLOSED)

    def review_overdue(self, today: dt.date | None = None):
        return super().review_overdue(today).open()

    def search(self, text: str):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(ref__icontains=text)
            | Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(effect__icontains=text)
        )

    def filtered(
        self, *, q="", side="", category="", raises="", status="", owner=None, overdue=False
    ):
        """The list's filters, one rule for the page, its export and the API."""
        issues = self.search(q)
        if side:
            issues = issues.filter(side=side)
        if category:
            issues = issues.filter(category=category)
        if raises:
            issues = issues.filter(raises=raises)
        if status:
            issues = issues.filter(status=status)
        if owner is not None:
            issues = issues.filter(owner=owner)
        if overdue:
            issues = issues.review_overdue()
        return issues

    def for_list(self):
        return self.select_related("owner", "organization").prefetch_related("risks")


class Issue(AddressesRequirements):
    """An internal or external issue that bears on what the AI management system must achieve
    (clause 4.1)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="context_issues"
    )
    ref = models.CharField("id", max_length=20)
    title = models.CharField(max_length=TITLE)
    description = text_field(help_text="What the issue is, and where it comes from.")
    side = models.CharField(
        "internal or external",
        max_length=10,
        choices=Side.choices,
        help_text="Internal: culture, skills, systems, strategy. External: markets, law, "
        "technology, society.",
    )
    category = models.CharField(
        max_length=20,
        choices=IssueCategory.choices,
        help_text="A PESTLE heading for the environment, or a SWOT heading for the "
        "organization's own position.",
    )
    effect = text_field(
        "effect on the AIMS",
        help_text="How the issue affects what the AI management system can achieve.",
    )
    raises = models.CharField(
        "raises",
        max_length=12,
        choices=Raises.choices,
        default=Raises.RISK,
        help_text="Whether the issue raises a risk or an opportunity to plan for (6.1).",
    )
    owner = owner_field()
    review_date = review_field()
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    risks = models.ManyToManyField(
        "risk.Risk", blank=True, related_name="context_issues", verbose_name="linked risks"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        verbose_name = "context issue"
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="unique_issue_ref")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("issue_detail", kwargs={"org": self.organization.slug, "issue_id": self.pk})

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status != IssueStatus.CLOSED
            and self.review_date is not None
            and self.review_date < today
        )

    @property
    def scheme(self) -> str:
        return IssueCategory(self.category).scheme if self.category else ""
