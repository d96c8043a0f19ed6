"""Data sets and other resources of AI systems (ISO/IEC 42001 A.4, A.7).

A data set is recorded once and linked to each AI system (and version) that uses it, for what:
training, validation, testing or operation (:class:`DataSetUse`). Its record says where the data
came from and on what terms (A.7.3, A.7.5), what personal data it holds, its known quality issues
and the data-quality checks that test it (A.7.4), how it was prepared (A.7.6) and how long it is
kept.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.fields import text_field

TEXT = 10_000


class Acquisition(models.TextChoices):
    COLLECTED = "collected", "Collected by us"
    LICENSED = "licensed", "Bought or licensed from a supplier"
    CUSTOMER = "customer", "Provided by a customer"
    PUBLIC = "public", "Public or open data"
    SYNTHETIC = "synthetic", "Generated (synthetic)"
    OTHER = "other", "Other"


class LegalBasis(models.TextChoices):
    """The basis on which personal data in the set is processed (GDPR Art. 6), or none."""

    NOT_PERSONAL = "not_personal", "No personal data"
    CONSENT = "consent", "Consent"
    CONTRACT = "contract", "Performance of a contract"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"
    VITAL_INTERESTS = "vital_interests", "Vital interests"
    PUBLIC_TASK = "public_task", "Public task"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests"
    UNKNOWN = "unknown", "Not established yet"


class Purpose(models.TextChoices):
    TRAINING = "training", "Training"
    VALIDATION = "validation", "Validation"
    TESTING = "testing", "Testing"
    OPERATION = "operation", "Operation (inputs in production)"


RETENTION_NOTICE_DAYS = 30  # "kept until" shows as due this long before

# The stages in which a system's data sets are governed history: a data set they use is not
# deleted (the use is removed first, or the system retired).
LIVE_STAGES = ("deployment", "operation")


class DataSetQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def retention_due(self, days: int, today=None):
        """Data sets whose "kept until" date is past or within ``days`` days."""
        today = today or timezone.localdate()
        return self.filter(retain_until__lte=today + dt.timedelta(days=days))

    def filtered(
        self,
        *,
        q=None,
        system=None,
        purpose=None,
        acquisition=None,
        legal_basis=None,
        personal=None,
    ):
        """The data sets that match the list's filters, for the page, its export and the API.
        ``system`` is an AI system's slug; ``personal`` "yes" or "no"."""
        found = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            found = found.filter(
                Q(name__icontains=q)
                | Q(description__icontains=q)
                | Q(source__icontains=q)
                | Q(provenance__icontains=q)
            )
        if system:
            found = found.filter(uses__system__slug=system)
        if purpose:
            found = found.filter(uses__purpose=purpose)
        if acquisition:
            found = found.filter(acquisition=acquisition)
        if legal_basis:
            found = found.filter(legal_basis=legal_basis)
        if personal == "yes":
            found = found.exclude(legal_basis=LegalBasis.NOT_PERSONAL)
        elif personal == "no":
            found = found.filter(legal_basis=LegalBasis.NOT_PERSONAL)
        if system or purpose:
            found = found.distinct()
        return found


class DataSet(AddressesRequirements):
    """A data set an AI system is trained, validated, tested or operated with."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="datasets"
    )
    name = models.CharField(max_length=200)
    description = text_field(TEXT, help_text="What the data describe, how many records, when.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_datasets",
    )
    # Source and acquisition (A.7.3, A.7.5)
    acquisition = models.CharField(
        "how it was acquired", max_length=20, choices=Acquisition.choices, default=Acquisition.OTHER
    )
    source = text_field(TEXT, help_text="Where the data come from: system, supplier, survey.")
    licence = models.CharField(
        max_length=200, blank=True, help_text="The licence or contract the data are used under."
    )
    legal_basis = models.CharField(
        "legal basis for personal data",
        max_length=30,
        choices=LegalBasis.choices,
        default=LegalBasis.UNKNOWN,
    )
    provenance = text_field(
        TEXT, help_text="How the data came to be as they are: origin, transformations, lineage."
    )
    # Content (A.7.4)
    personal_data_categories = text_field(
        TEXT, help_text="Categories of personal data it holds: identity, income, health, ..."
    )
    special_categories = models.BooleanField(
        "holds special categories of personal data",
        default=False,
        help_text="Data revealing health, ethnic origin, religion, sexual orientation, etc.",
    )
    known_quality_issues = text_field(TEXT, help_text="Gaps, biases, errors known so far.")
    quality_checks = models.ManyToManyField(
        "checks.Check",
        blank=True,
        related_name="datasets",
        help_text="The technical checks that test this data set's quality.",
    )
    # Preparation and retention (A.7.6)
    preparation = text_field(TEXT, help_text="Cleaning, labelling, sampling, feature steps.")
    retention = text_field(TEXT, help_text="How long it is kept, where, and how it is deleted.")
    retain_until = models.DateField("kept until", null=True, blank=True)
    systems = models.ManyToManyField(
        "inventory.AISystem", through="DataSetUse", blank=True, related_name="datasets_used"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = DataSetQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "data set"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_dataset_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "dataset_detail", kwargs={"org": self.organization.slug, "dataset_id": self.pk}
        )

    @property
    def holds_personal_data(self) -> bool:
        return self.legal_basis != LegalBasis.NOT_PERSONAL

    def retention_due(self, days: int, today=None) -> bool:
        today = today or timezone.localdate()
        return self.retain_until is not None and self.retain_until <= today + dt.timedelta(
            days=days
        )

    def live_uses(self):
        """Its uses by systems in deployment or operation."""
        return self.uses.filter(system__stage__in=LIVE_STAGES)


class DataSetUse(models.Model):
    """A data set used by an AI system (from a version on, if given) for a purpose."""

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="uses")
    system = models.ForeignKey(
        "inventory.AISystem", on_delete=models.CASCADE, related_name="dataset_uses"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    system_version = models.CharField(
        "system version", max_length=50, blank=True, help_text="The version that uses it."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["system__name", "purpose", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "system", "purpose", "system_version"],
                name="unique_dataset_use",
            )
        ]

    def __str__(self) -> str:
        version = f" {self.system_version}" if self.system_version else ""
        return f"{self.dataset} → {self.system}{version} ({self.get_purpose_display()})"

    @property
    def organization(self):
        return self.dataset.organization


# --- Other resources (A.4.2 to A.4.5) ---------------------------------------------------------


class ResourceKind(models.TextChoices):
    TOOLING = "tooling", "Tooling (A.4.4)"
    COMPUTING = "computing", "System and computing resources (A.4.5)"
    PEOPLE = "people", "Human resources (A.4.6)"
    DATA = "data", "Data (other than recorded data sets)"
    OTHER = "other", "Other"


class ResourceQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def filtered(self, *, q=None, system=None, kind=None):
        found = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            found = found.filter(Q(name__icontains=q) | Q(description__icontains=q))
        if system:
            found = found.filter(system__slug=system)
        if kind:
            found = found.filter(kind=kind)
        return found


class Resource(models.Model):
    """A resource an AI system relies on besides its data sets (A.4.2): a tool, computing
    capacity, the people and skills it needs, other data."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="ai_resources"
    )
    system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name="resources",
        verbose_name="AI system",
    )
    kind = models.CharField(max_length=20, choices=ResourceKind.choices, default=ResourceKind.OTHER)
    name = models.CharField(max_length=200)
    description = text_field(
        5_000, help_text="What it is, what it provides, versions, capacity, where it runs."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_ai_resources",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["system__name", "kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["system", "name"], name="unique_resource_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "resource_detail", kwargs={"org": self.organization.slug, "resource_id": self.pk}
        )
