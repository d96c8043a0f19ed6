"""The context of the organization, 4.2 and A.8.5: legal, contractual and voluntary obligations."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements

from .base import TITLE, ReviewedQuerySet, owner_field, review_field, text_field


class ObligationKind(models.TextChoices):
    LAW = "law", "Law"
    REGULATION = "regulation", "Regulation"
    CONTRACT = "contract", "Contract"
    VOLUNTARY = "voluntary", "Voluntary commitment"


class Compliance(models.TextChoices):
    COMPLIANT = "compliant", "Compliant"
    PARTLY = "partly", "Partly compliant"
    NOT_COMPLIANT = "not_compliant", "Not compliant"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class ObligationQuerySet(ReviewedQuerySet):
    def assessed(self):
        return self.exclude(compliance=Compliance.NOT_ASSESSED)

    def search(self, text: str):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text) | Q(reference__icontains=text) | Q(description__icontains=text)
        )

    def filtered(self, *, q="", kind="", compliance="", system="", owner=None, overdue=False):
        obligations = self.search(q)
        if kind:
            obligations = obligations.filter(kind=kind)
        if compliance:
            obligations = obligations.filter(compliance=compliance)
        if system:
            obligations = obligations.filter(systems__slug=system)
        if owner is not None:
            obligations = obligations.filter(owner=owner)
        if overdue:
            obligations = obligations.review_overdue()
        return obligations

    def for_list(self):
        return self.select_related("owner", "organization").prefetch_related("systems")

    def named(self, reference: str):
        return self.filter(reference__iexact=reference.strip())


class Obligation(AddressesRequirements):
    """A legal, regulatory, contractual or voluntary requirement the organization has taken on
    about its AI (4.2 c, A.8.5), with the systems it applies to and how compliance is shown."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="obligations"
    )
    kind = models.CharField(max_length=12, choices=ObligationKind.choices)
    title = models.CharField(max_length=TITLE)
    reference = models.CharField(
        max_length=TITLE, blank=True, help_text='Where it is written, e.g. "EU AI Act Art. 9".'
    )
    description = text_field(help_text="What the obligation asks of the organization.")
    systems = models.ManyToManyField(
        "inventory.AISystem",
        blank=True,
        related_name="obligations",
        verbose_name="AI systems it applies to",
    )
    owner = owner_field()
    how_shown = text_field(
        "how compliance is shown",
        help_text="The records, evidence or reports that show the obligation is met.",
    )
    compliance = models.CharField(
        "compliance status",
        max_length=15,
        choices=Compliance.choices,
        default=Compliance.NOT_ASSESSED,
    )
    review_date = review_field()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["reference", "title", "pk"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}" if self.reference else self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "obligation_detail", kwargs={"org": self.organization.slug, "obligation_id": self.pk}
        )

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.review_date is not None and self.review_date < today
