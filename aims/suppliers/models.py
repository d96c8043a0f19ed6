"""Suppliers and customers of the AI systems (ISO/IEC 42001 A.10.2 to A.10.4).

A third party is recorded once: what it provides (or, for a customer, receives), for which AI
systems and data sets, and who is responsible for what between it and us (A.10.2). A supplier is
assessed from time to time (:class:`SupplierAssessment`, A.10.3): each assessment says when, by
whom, with what outcome and findings, and when the next one is due. What a customer was told
and contracted is kept on its record (A.10.4).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.fields import text_field

TEXT = 10_000
ASSESSMENT_NOTICE_DAYS = 30  # an assessment shows as due this long before its date


class Kind(models.TextChoices):
    MODEL_PROVIDER = "model_provider", "Model provider"
    DATA_PROVIDER = "data_provider", "Data provider"
    PLATFORM = "platform", "Platform or cloud provider"
    SERVICE = "service", "Service provider"
    CUSTOMER = "customer", "Customer"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Relationship ended"


class Outcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    CONDITIONS = "conditions", "Approved with conditions"
    NOT_APPROVED = "not_approved", "Not approved"


class ThirdPartyQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def active(self):
        return self.filter(status=Status.ACTIVE)

    def suppliers(self):
        return self.exclude(kind=Kind.CUSTOMER)

    def with_assessment(self):
        """Each with ``next_due`` (the next assessment's date, from its latest assessment),
        ``last_assessed`` and ``last_outcome``: subqueries, no query per row."""
        latest = SupplierAssessment.objects.filter(third_party=OuterRef("pk")).order_by(
            "-assessed_on", "-pk"
        )
        return self.annotate(
            next_due=Subquery(latest.values("next_due")[:1]),
            last_assessed=Subquery(latest.values("assessed_on")[:1]),
            last_outcome=Subquery(latest.values("outcome")[:1]),
        )

    def assessment_due(self, days: int = ASSESSMENT_NOTICE_DAYS, today=None):
        """Active third parties whose next assessment is past or within ``days`` days (from
        :meth:`with_assessment`)."""
        today = today or timezone.localdate()
        return self.active().filter(next_due__lte=today + dt.timedelta(days=days))

    def filtered(self, *, q=None, kind=None, status=None, due=None, system=None, today=None):
        found = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            found = found.filter(
                Q(name__icontains=q)
                | Q(description__icontains=q)
                | Q(contact__icontains=q)
                | Q(responsibilities__icontains=q)
            )
        if kind:
            found = found.filter(kind=kind)
        if status:
            found = found.filter(status=status)
        if due:
            found = found.assessment_due(today=today)
        if system:
            found = found.filter(systems__slug=system).distinct()
        return found


class ThirdParty(AddressesRequirements):
    """A supplier (of a model, data, a platform, a service) or a customer of the AI systems."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="third_parties"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SERVICE)
    contact = models.CharField(
        max_length=300, blank=True, help_text="Who to contact there: name, e-mail, phone."
    )
    description = text_field(TEXT, help_text="What they provide, or receive from us.")
    systems = models.ManyToManyField(
        "inventory.AISystem", blank=True, related_name="external_parties", verbose_name="AI systems"
    )
    datasets = models.ManyToManyField(
        "datasets.DataSet",
        blank=True,
        related_name="third_parties",
        verbose_name="data sets",
        help_text="The data sets they supply (or receive).",
    )
    responsibilities = text_field(
        TEXT,
        "their responsibilities",
        help_text="What they are responsible for in the AI system's life cycle (A.10.2).",
    )
    our_responsibilities = text_field(
        TEXT,
        "our responsibilities",
        help_text="What stays our responsibility towards them and the people affected.",
    )
    commitments = text_field(
        TEXT,
        "what was told or contracted",
        help_text="For a customer: what they were told about the AI system and what was agreed "
        "(intended use, limits, their obligations, our commitments) (A.10.4).",
    )
    contract_reference = models.CharField(
        "contract or document", max_length=300, blank=True, help_text="Its reference or link."
    )
    contract_date = models.DateField("agreed on", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_third_parties",
        help_text="The member who manages the relationship.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ThirdPartyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "third party"
        verbose_name_plural = "third parties"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_third_party")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "third_party_detail", kwargs={"org": self.organization.slug, "third_party_id": self.pk}
        )

    @property
    def is_customer(self) -> bool:
        return self.kind == Kind.CUSTOMER

    def latest_assessment(self):
        return self.assessments.select_related("assessor").order_by("-assessed_on", "-pk").first()


class SupplierAssessment(models.Model):
    """An assessment of a third party (A.10.3): do its services meet what we need and agreed?"""

    third_party = models.ForeignKey(
        ThirdParty, on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_on = models.DateField(help_text="Today or earlier.")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who assessed it.",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    findings = text_field(TEXT, help_text="What was found; the conditions, if any.")
    next_due = models.DateField(
        "next assessment due", help_text="When it is assessed again: after the assessment."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = "supplier assessment"

    def __str__(self) -> str:
        return f"Assessment of {self.third_party} on {self.assessed_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.third_party.get_absolute_url() + "#assessments"

    @property
    def organization(self):
        return self.third_party.organization
