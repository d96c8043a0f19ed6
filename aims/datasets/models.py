"""Data sets and other resources of AI systems (ISO/IEC 42001 A.4, A.7).

A data set is recorded once and linked to each AI system (and version) that uses it, for what:
training, validation, testing or operation (:class:`DataSetUse`). Its record says where the data
came from and on what terms (A.7.3, A.7.5), what personal data it holds, its known quality issues
and the data-quality checks that test it (A.7.4), how it was prepared (A.7.6) and how long it is
kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
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


class DataSetQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)


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
