"""Planned changes to AI systems (ISO/IEC 42001 6.3, A.6.2).

A change is proposed (a new version, new or changed data, a new intended use, another change),
approved or rejected by someone with decision authority, and implemented: implementing it
changes the system's record, so the assessments signed for the system as it was no longer count
and their stage-gate requirements open again. A change may be withdrawn until it is implemented.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.fields import DocumentField, text_field


class Kind(models.TextChoices):
    NEW_VERSION = "new_version", "New version"
    DATA = "data", "New or changed data"
    INTENDED_USE = "intended_use", "New intended use"
    OTHER = "other", "Other change"


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    IMPLEMENTED = "implemented", "Implemented"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATUSES = (Status.PROPOSED, Status.APPROVED)


class PlannedChangeQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        """Approved changes whose planned date has passed without implementation."""
        return self.filter(status=Status.APPROVED, planned_date__lt=today or timezone.localdate())

    def filtered(self, *, q=None, system=None, status=None, kind=None):
        changes = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            changes = changes.filter(
                Q(description__icontains=q)
                | Q(reason__icontains=q)
                | Q(new_version__icontains=q)
                | Q(system__name__icontains=q)
            )
        if system:
            changes = changes.filter(system__slug=system)
        if status:
            changes = changes.filter(status=status)
        if kind:
            changes = changes.filter(kind=kind)
        return changes


class PlannedChange(AddressesRequirements):
    """A planned change to an AI system (6.3): what, why, when, decided by whom."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="planned_changes"
    )
    system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.PROTECT,
        related_name="planned_changes",
        verbose_name="AI system",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEW_VERSION)
    description = text_field(10_000, "what changes", blank=False)
    reason = text_field(
        10_000, "why", blank=False, help_text="The purpose of the change and its consequences."
    )
    new_version = models.CharField(
        "new version",
        max_length=50,
        blank=True,
        help_text="For a new version: the system's version once implemented, for example 4.3.",
    )
    new_intended_use = text_field(
        10_000,
        "new intended use",
        help_text="For a new intended use: the system's intended use once implemented.",
    )
    planned_date = models.DateField(
        "planned for", null=True, blank=True, help_text="When it is to be implemented."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who rejected or withdrew it.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = text_field(2_000, "reason it was rejected or withdrawn")
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    implemented_at = models.DateTimeField(null=True, blank=True)
    # What implementing it did: the system's fields before and after, the risks made due for
    # review, and the gate requirements it left unmet, by stage.
    effects = DocumentField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at", "effects")

    objects = PlannedChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "planned change"
        indexes = [models.Index(fields=["organization", "status"], name="change_status")]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.kind == Kind.NEW_VERSION and self.new_version:
            label = f"Version {self.new_version}"
        return f"{label} of {self.system}"

    def get_absolute_url(self) -> str:
        return reverse(
            "change_detail", kwargs={"org": self.organization.slug, "change_id": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def self_approved(self) -> bool:
        return self.approved_by_id is not None and self.approved_by_id == self.proposed_by_id

    def is_overdue(self, today=None) -> bool:
        return (
            self.status == Status.APPROVED
            and self.planned_date is not None
            and self.planned_date < (today or timezone.localdate())
        )
