"""Documented information (7.5) and the AI policy (5.2, A.2): documents, their versions, reviews
and acknowledgements.

A document is a title, an owner and its metadata; what it says lives in its versions. A version
moves draft → in review → approved → superseded (or is retired with its document). An approved
version never changes: editing an approved document starts a new draft. The document mirrors the
state of its latest version in ``status`` and points to its current approved version, so lists and
the SoA read one row per document.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.errors import Refused
from aims.organizations.models import Role

CONTENT_MAX_LENGTH = 200_000
NOTE_MAX_LENGTH = 5_000


class Kind(models.TextChoices):
    POLICY = "policy", "Policy"
    PROCEDURE = "procedure", "Procedure"
    CHARTER = "charter", "Charter"
    PLAN = "plan", "Plan"
    TEMPLATE = "template", "Template"
    RECORD = "record", "Record"


class Classification(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"


class State(models.TextChoices):
    """Where one version stands."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"
    RETIRED = "retired", "Retired"


class Status(models.TextChoices):
    """Where a document stands: the state of its latest version, or retired."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


# A version in one of these states is fixed: its text and file never change again.
FIXED_STATES = (State.APPROVED, State.SUPERSEDED, State.RETIRED)
# What a fixed version may not change.
FIXED_FIELDS = ("number", "content", "file_sha256", "file_name", "file_size", "author_id")


class DocumentQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def current(self):
        """Documents with an approved version in force (not retired): what counts for the SoA."""
        return self.filter(CURRENT)

    def live(self):
        return self.exclude(status=Status.RETIRED)

    def review_overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.live().filter(next_review__lt=today)

    def review_due_within(self, days: int, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.live().filter(next_review__lte=today + dt.timedelta(days=days))

    def for_role(self, role: str):
        """Documents meant for members of ``role``: those naming it, and those for everyone."""
        return self.filter(Q(audience_roles="") | Q(audience_roles__regex=rf"(^|,){role}(,|$)"))

    def search(self, text: str):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(Q(title__icontains=text) | Q(summary__icontains=text))

    def for_list(self):
        return self.select_related("owner", "approved_version", "latest_version")

    def filtered(
        self,
        *,
        q: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        owner=None,
        overdue: bool | None = None,
        classification: str | None = None,
        today: dt.date | None = None,
    ):
        """The list's filters, for the page, its CSV export and the API; None is not applied."""
        documents = self.search(q or "")
        if kind:
            documents = documents.filter(kind=kind)
        if status:
            documents = documents.filter(status=status)
        if classification:
            documents = documents.filter(classification=classification)
        if owner is not None:
            documents = documents.filter(owner=owner)
        if overdue:
            documents = documents.review_overdue(today)
        return documents


# The condition under which a document counts as evidence of the controls it addresses.
CURRENT = Q(approved_version__isnull=False) & ~Q(status=Status.RETIRED)


class Document(AddressesRequirements):
    """A policy, procedure, charter, plan, template or record of the management system."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PROCEDURE)
    summary = models.CharField(
        max_length=500, blank=True, help_text="One or two sentences: what the document is for."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_documents",
        help_text="Who keeps the document up to date and reviews it.",
    )
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.INTERNAL
    )
    is_ai_policy = models.BooleanField(
        "the AI policy",
        default=False,
        help_text="The organization's AI policy (5.2): one per organization, approved by top "
        "management.",
    )
    # Role values separated by commas ("manager,contributor"); empty means everyone.
    audience_roles = models.CharField(
        "for roles",
        max_length=100,
        blank=True,
        help_text="The roles whose members must read and acknowledge it; none means everyone.",
    )
    review_months = models.PositiveSmallIntegerField(
        "review cycle (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How often the document is reviewed (A.2.4), from 1 to 60 months.",
    )
    next_review = models.DateField("next review", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    approved_version = models.ForeignKey(
        "DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The version in force.",
    )
    latest_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at", "latest_version")

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_ai_policy=True) & ~Q(status="retired"),
                name="one_ai_policy_per_organization",
            ),
            models.CheckConstraint(
                condition=Q(is_ai_policy=False) | Q(kind="policy"),
                name="ai_policy_is_a_policy",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="document_status"),
            models.Index(fields=["organization", "next_review"], name="document_next_review"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "document_detail", kwargs={"org": self.organization.slug, "document_id": self.pk}
        )

    @property
    def is_retired(self) -> bool:
        return self.status == Status.RETIRED

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_retired and self.next_review is not None and self.next_review < today

    @property
    def audience(self) -> list[str]:
        """The role values it is for; empty: everyone."""
        return [role for role in (self.audience_roles or "").split(",") if role]

    def audience_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [labels.get(role, role) for role in self.audience]

    def is_for(self, role: str) -> bool:
        """Whether members of ``role`` are among those the document is for."""
        return not self.audience or role in self.audience


class DocumentVersion(models.Model):
    """One version of a document: its text in Markdown (or an uploaded file) and its state."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    content = models.TextField(
        "text (Markdown)",
        blank=True,
        max_length=CONTENT_MAX_LENGTH,
        validators=[MaxLengthValidator(CONTENT_MAX_LENGTH)],
    )
    # The text's SHA-256: what the change trail records of each edit, instead of the whole text.
    content_sha256 = models.CharField(max_length=64, blank=True)
    change_note = models.CharField(
        "what changed", max_length=500, blank=True, help_text="For reviewers and readers."
    )
    # An uploaded file instead of (or beside) the text: stored by content, name kept as metadata.
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_name = models.CharField("file name", max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    file_content_type = models.CharField(max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approver_authority = models.CharField(max_length=100, blank=True)
    refusal_reason = models.TextField(
        "reason sent back",
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = ("updated_at", "organization", "content")

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.document.title} v{self.number}"

    def save(self, *args, **kwargs):
        """The model's own guard: a fixed (approved, superseded, retired) version keeps its text,
        whatever code saves it; only its state and dates may move."""
        if self.pk is not None:
            stored = (
                DocumentVersion.objects.filter(pk=self.pk)
                .values("state", *(f for f in FIXED_FIELDS))
                .first()
            )
            if stored is not None and stored["state"] in FIXED_STATES:
                changed = [f for f in FIXED_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise Refused(
                        f"Version {stored['number']} is {State(stored['state']).label.lower()}: "
                        "its text never changes. Edit the document to start a new draft."
                    )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "document_version",
            kwargs={
                "org": self.document.organization.slug,
                "document_id": self.document_id,
                "version_number": self.number,
            },
        )

    @property
    def is_fixed(self) -> bool:
        return self.state in FIXED_STATES

    @property
    def has_file(self) -> bool:
        return bool(self.file_sha256)


class Acknowledgement(models.Model):
    """A member's confirmation that they read one approved version (7.3)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_acknowledgements"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="one_acknowledgement")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.version}"

    def get_absolute_url(self) -> str:
        return self.version.document.get_absolute_url()


class DocumentReview(models.Model):
    """A periodic review of a document (A.2.4, 7.5.2): who looked, what they found, and when the
    next one is due."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_on = models.DateField()
    note = models.TextField(
        blank=True, max_length=NOTE_MAX_LENGTH, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    next_review = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.document} on {self.reviewed_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.document.get_absolute_url()
