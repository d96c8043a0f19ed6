"""The context of the organization, 4.2: the interested parties and what they expect."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements

from .base import TITLE, ReviewedQuerySet, Side, owner_field, review_field, text_field


class PartyKind(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    REGULATORS = "regulators", "Regulators and supervisors"
    EMPLOYEES = "employees", "Employees"
    AFFECTED = "affected", "Affected individuals"
    SUPPLIERS = "suppliers", "Suppliers and AI partners"
    SHAREHOLDERS = "shareholders", "Shareholders and investors"
    MANAGEMENT = "management", "Top management and board"
    SOCIETY = "society", "Society and civil society"
    OTHER = "other", "Other"


class Addressed(models.TextChoices):
    ADDRESSED = "addressed", "Addressed"
    PARTLY = "partly", "Partly addressed"
    NOT_ADDRESSED = "not_addressed", "Not addressed"


class PartyQuerySet(ReviewedQuerySet):
    def search(self, text: str):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(needs__icontains=text) | Q(requirements__icontains=text)
        )

    def filtered(self, *, q="", side="", kind="", addressed="", owner=None, overdue=False):
        parties = self.search(q)
        if side:
            parties = parties.filter(side=side)
        if kind:
            parties = parties.filter(kind=kind)
        if addressed:
            parties = parties.filter(addressed=addressed)
        if owner is not None:
            parties = parties.filter(owner=owner)
        if overdue:
            parties = parties.review_overdue()
        return parties

    def for_list(self):
        return self.select_related("owner", "organization")


class InterestedParty(AddressesRequirements):
    """Someone with a stake in the organization's AI: what they need and expect, the
    requirements that follow, and whether the AI management system meets them (4.2)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="interested_parties"
    )
    name = models.CharField(max_length=TITLE)
    side = models.CharField(
        "internal or external", max_length=10, choices=Side.choices, default=Side.EXTERNAL
    )
    kind = models.CharField(max_length=20, choices=PartyKind.choices)
    needs = text_field(
        "needs and expectations",
        help_text="What this party needs from, or expects of, the organization's use of AI.",
    )
    requirements = text_field(
        "relevant requirements",
        help_text="Which of those needs the organization takes on as requirements (laws, "
        "contracts, commitments).",
    )
    addressed = models.CharField(
        "addressed by the AIMS",
        max_length=15,
        choices=Addressed.choices,
        default=Addressed.NOT_ADDRESSED,
        help_text="Whether the AI management system meets these requirements today.",
    )
    how_addressed = text_field(
        "how", help_text="The policies, controls or processes that meet them, or what is missing."
    )
    owner = owner_field()
    review_date = review_field()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = PartyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "interested party"
        verbose_name_plural = "interested parties"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("party_detail", kwargs={"org": self.organization.slug, "party_id": self.pk})

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.review_date is not None and self.review_date < today
