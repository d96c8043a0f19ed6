"""The context of the organization, 4.3: the scope statement."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements

from .base import text_field


class ScopeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class ScopeQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def approved(self):
        return self.filter(status=ScopeStatus.APPROVED)

    def drafts(self):
        return self.filter(status=ScopeStatus.DRAFT)

    def current(self, organization):
        """The approved version of an organization's scope, or None."""
        return self.for_org(organization).approved().order_by("-number").first()

    def search(self, text: str):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(statement__icontains=text)
            | Q(units__icontains=text)
            | Q(sites__icontains=text)
            | Q(activities__icontains=text)
            | Q(exclusions__icontains=text)
            | Q(change_note__icontains=text)
        )

    def filtered(self, *, q="", status="", system=""):
        versions = self.search(q)
        if status:
            versions = versions.filter(status=status)
        if system:
            versions = versions.filter(systems__slug=system)
        return versions

    def for_list(self):
        return self.select_related("author", "approved_by", "organization").prefetch_related(
            "systems"
        )


class ScopeVersion(AddressesRequirements):
    """One version of the scope statement (4.3). A draft may change; an approved version never
    does; approving a draft supersedes the version approved before it."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="scope_versions"
    )
    number = models.PositiveIntegerField("version")
    status = models.CharField(max_length=12, choices=ScopeStatus.choices, default=ScopeStatus.DRAFT)
    statement = text_field(
        "scope statement",
        help_text="The boundaries of the AI management system in a few sentences.",
    )
    systems = models.ManyToManyField(
        "inventory.AISystem",
        blank=True,
        related_name="scope_versions",
        verbose_name="AI systems in scope",
    )
    units = text_field("organizational units", help_text="Business units and functions covered.")
    sites = text_field(help_text="Locations covered: offices, data centres, contact centres.")
    activities = text_field(
        help_text="AI activities covered: design, development, procurement, operation, ..."
    )
    exclusions = text_field(
        "exclusions and reasons",
        help_text="What is left out, and why leaving it out does not weaken the AIMS.",
    )
    interfaces = text_field(
        "interfaces and dependencies",
        help_text="Where the scope meets activities outside it: suppliers, group functions, "
        "outsourced services.",
    )
    change_note = text_field(
        "what changed", max_length=2_000, help_text="What this version changes, and why."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    next_review = models.DateField(
        "next review",
        null=True,
        blank=True,
        help_text="Set a year after approval: the scope is looked at again at least yearly.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = ScopeQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = "scope version"
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="unique_scope_number"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="approved"),
                name="one_approved_scope",
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(status="draft"), name="one_scope_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"Scope v{self.number} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse(
            "scope_detail", kwargs={"org": self.organization.slug, "scope_version_id": self.pk}
        )

    @property
    def is_draft(self) -> bool:
        return self.status == ScopeStatus.DRAFT

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == ScopeStatus.APPROVED
            and self.next_review is not None
            and self.next_review < today
        )

    def as_text(self, system_names: list[str] | None = None) -> str:
        """The version as plain text, for document templates (``{{ scope }}``)."""
        if system_names is None:
            system_names = [s.name for s in self.systems.all()]
        parts = [self.statement.strip()]
        for label, value in (
            ("AI systems in scope", ", ".join(system_names)),
            ("Organizational units", self.units),
            ("Sites", self.sites),
            ("Activities", self.activities),
            ("Exclusions", self.exclusions),
            ("Interfaces and dependencies", self.interfaces),
        ):
            if value.strip():
                parts.append(f"{label}: {value.strip()}")
        return "\n\n".join(p for p in parts if p)
