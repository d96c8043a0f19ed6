"""Frameworks beside ISO/IEC 42001: their requirements, and how each maps to the standard.

A framework is either shipped as data (NIST AI RMF 1.0, the EU AI Act obligations, the
harmonized structure of ISO 9001, ISO/IEC 27001 and 27701) and shared by every organization, or
imported by one organization (a CSV, an OSCAL catalog) and seen by it alone. A requirement maps
to ISO/IEC 42001 clauses and Annex A controls; the records an organization keeps against those
(aims.catalog.links) then evidence the requirement too. Each mapping row says who made it: a
published crosswalk is not the same as the project's reading or an organization's own.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from aims.catalog.models import Clause, Control

DESCRIPTION = 5_000


class Kind(models.TextChoices):
    AI = "ai", "AI framework or regulation"
    HARMONIZED = "harmonized", "Management system standard"
    OWN = "own", "Organization's own control set"


class Origin(models.TextChoices):
    SHIPPED = "shipped", "Shipped with OpenAIMS"
    CSV = "csv", "Imported from a CSV file"
    OSCAL = "oscal", "Imported from an OSCAL catalog"


class MappingSource(models.TextChoices):
    NIST = "nist", "NIST published crosswalk"
    PROJECT = "project", "OpenAIMS project"
    ORGANIZATION = "organization", "The organization"


class FrameworkQuerySet(models.QuerySet):
    def visible_to(self, organization) -> FrameworkQuerySet:
        """The shipped frameworks and the organization's own: never another organization's."""
        return self.filter(Q(organization__isnull=True) | Q(organization=organization))

    def shipped(self) -> FrameworkQuerySet:
        return self.filter(organization__isnull=True)


class Framework(models.Model):
    slug = models.SlugField(max_length=80)
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="frameworks",
        help_text="The organization that imported it; empty for a framework shipped as data.",
    )
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=300, blank=True)
    version = models.CharField(max_length=40, blank=True)
    publisher = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OWN)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.CSV)
    description = models.TextField(
        blank=True, max_length=DESCRIPTION, validators=[MaxLengthValidator(DESCRIPTION)]
    )
    # The SHA-256 of the shipped data it was loaded from: loading again skips it when unchanged.
    data_digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FrameworkQuerySet.as_manager()
    audit_exclude = ("data_digest",)

    class Meta:
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(organization__isnull=True),
                name="unique_shipped_framework",
            ),
            models.UniqueConstraint(fields=["organization", "slug"], name="unique_org_framework"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()

    def get_absolute_url(self) -> str:
        """The page of an organization's own framework."""
        return self.url_for(self.organization)

    @property
    def shipped(self) -> bool:
        return self.organization_id is None

    def url_for(self, organization) -> str:
        """Its coverage page in ``organization`` (a shipped framework has one in each)."""
        return reverse(
            "framework_coverage", kwargs={"org": organization.slug, "framework_slug": self.slug}
        )


class Requirement(models.Model):
    """A function, category, article, clause or control of a framework: its id and title."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    ref = models.CharField("id", max_length=100)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=40, blank=True)  # "Subcategory", "Article", "Control"
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"], name="unique_requirement")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class RequirementMapping(models.Model):
    """One requirement to one ISO/IEC 42001 clause or Annex A control, and who said so."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings")
    clause = models.ForeignKey(
        Clause, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    control = models.ForeignKey(
        Control, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    cited_ref = models.CharField(max_length=20, help_text='The id as the source cites it: "B.2.2".')
    source = models.CharField(max_length=20, choices=MappingSource.choices)
    made_by = models.CharField(max_length=200)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(clause__isnull=False, control__isnull=True)
                | Q(clause__isnull=True, control__isnull=False),
                name="mapping_names_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement.ref} → {self.target_ref}"

    @property
    def target(self):
        return self.clause or self.control

    @property
    def target_ref(self) -> str:
        return self.target.ref

    @property
    def official(self) -> bool:
        """Only a crosswalk its publisher put out is more than someone's reading."""
        return self.source == MappingSource.NIST

    def provenance(self) -> str:
        if self.source == MappingSource.NIST:
            return "From NIST's published crosswalk"
        return f"Made by {self.made_by}; not an official mapping"


class StandardInUse(models.Model):
    """A management system standard the organization runs beside its AIMS."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "framework"], name="unique_standard")
        ]

    def __str__(self) -> str:
        return f"Runs {self.framework}"


class ServedRecord(models.Model):
    """A document or record of the organization that serves a standard it runs (a policy that
    is the AI policy and the information security policy at once, say)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="served")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "content_type", "object_id"], name="unique_served_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} serves {self.framework}"
