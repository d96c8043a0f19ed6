"""Technical documentation of AI systems and the information given to their users
(ISO/IEC 42001 A.6.2.7, A.6.2.8, A.8.2; EU AI Act Art. 11 and Annex IV, Art. 12, 13, 14).

A :class:`TechnicalDocument` is one version of one document of one AI system: its technical
documentation (model card), or the information for its users and the persons it affects. Each
is written for a version of the system. A version moves draft → in review → approved →
superseded; an approved version never changes (a new version is started from it), and approving
one supersedes the version approved before it of the same system and kind.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.errors import Refused
from aims.core.fields import DocumentField, text_field

SECTION_TEXT = 20_000


class Kind(models.TextChoices):
    TECHNICAL = "technical", "Technical documentation / model card"
    USER_INFO = "user_info", "Information for users and affected persons"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class Audience(models.TextChoices):
    USERS = "users", "Users (deployers, operators)"
    AFFECTED = "affected", "Affected persons"
    BOTH = "both", "Users and affected persons"


# The headings of the EU AI Act's Annex IV, in the project's words: each a field of the
# technical documentation, all filled before a high-risk system is deployed.
ANNEX_IV_SECTIONS = (
    ("general_description", "General description and intended purpose"),
    ("architecture", "Architecture and design choices"),
    ("training_data", "Training data"),
    ("evaluation", "Evaluation and performance"),
    ("limitations", "Known limitations and foreseeable misuse"),
    ("oversight", "Human oversight measures"),
    ("logging", "Logging"),
    ("robustness", "Accuracy, robustness and cybersecurity"),
    ("lifecycle_changes", "Changes over the life cycle"),
)

# Fields an approved (or superseded) version keeps as approved.
FIXED_FIELDS = (
    "system_id",
    "system_version",
    "kind",
    "title",
    *(name for name, _ in ANNEX_IV_SECTIONS),
    "audience",
    "user_text",
    "published_url",
    "channel",
    "published_since",
    "evaluation_results",
)
FIXED_STATES = (Status.APPROVED, Status.SUPERSEDED)


class TechnicalDocumentQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def approved(self):
        return self.filter(status=Status.APPROVED)

    def for_list(self):
        return self.select_related("system", "author", "approved_by")

    def filtered(self, *, q=None, system=None, kind=None, status=None):
        """The documents that match the list's filters, for the page, its export and the API."""
        documents = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            documents = documents.filter(
                Q(title__icontains=q)
                | Q(system__name__icontains=q)
                | Q(general_description__icontains=q)
                | Q(user_text__icontains=q)
            )
        if system:
            documents = documents.filter(system__slug=system)
        if kind:
            documents = documents.filter(kind=kind)
        if status:
            documents = documents.filter(status=status)
        return documents


class TechnicalDocument(AddressesRequirements):
    """One version of an AI system's technical documentation or information for users."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="technical_documents"
    )
    system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.PROTECT,
        related_name="technical_documents",
        verbose_name="AI system",
    )
    system_version = models.CharField(
        "system version",
        max_length=50,
        blank=True,
        help_text="The version of the system it documents; the system's version when left empty.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TECHNICAL)
    title = models.CharField(max_length=200, blank=True, help_text="A title of its own, if any.")
    number = models.PositiveIntegerField("version number", default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    change_note = models.CharField(
        "what changed", max_length=500, blank=True, help_text="For reviewers and readers."
    )
    # Technical documentation (Annex IV)
    general_description = text_field(
        SECTION_TEXT,
        "general description and intended purpose",
        help_text="What the system is, its intended purpose, who provides and uses it, its "
        "versions, the hardware and software it runs on (Annex IV 1).",
    )
    architecture = text_field(
        SECTION_TEXT,
        "architecture and design choices",
        help_text="How it is built: the model, the main design choices and why, what it "
        "optimises, the trade-offs made (Annex IV 2 b, c).",
    )
    training_data = text_field(
        SECTION_TEXT,
        "training data",
        help_text="Where the training, validation and test data come from, how they were "
        "selected, labelled and cleaned (Annex IV 2 d). Link the data sets below.",
    )
    training_datasets = models.ManyToManyField(
        "datasets.DataSet",
        blank=True,
        related_name="technical_documents",
        verbose_name="data sets",
        help_text="The data sets of the organization it was trained, validated or tested with.",
    )
    evaluation = text_field(
        SECTION_TEXT,
        "evaluation and performance",
        help_text="How it was tested, with which metrics, against what limits, and the results "
        "(Annex IV 2 g). The latest results of the system's checks are added below.",
    )
    limitations = text_field(
        SECTION_TEXT,
        "known limitations and foreseeable misuse",
        help_text="Where it performs worse, for whom, and the misuse that can be foreseen "
        "(Annex IV 3).",
    )
    oversight = text_field(
        SECTION_TEXT,
        "human oversight measures",
        help_text="How people oversee it, can interpret its output and stop or override it "
        "(Art. 14; Annex IV 2 e).",
    )
    logging = text_field(
        SECTION_TEXT,
        "logging",
        help_text="What events the system logs automatically, where the logs are kept and for "
        "how long (Art. 12).",
    )
    robustness = text_field(
        SECTION_TEXT,
        "accuracy, robustness and cybersecurity",
        help_text="The accuracy declared, how it resists errors, faults and attacks (Art. 15).",
    )
    lifecycle_changes = text_field(
        SECTION_TEXT,
        "changes over the life cycle",
        help_text="What changed since the previous version and which changes were planned in "
        "advance (Annex IV 6).",
    )
    # The latest result of each of the system's checks, as approved (empty until approval: the
    # page shows the live results of a draft).
    evaluation_results = DocumentField(default=list, blank=True)
    # Information for users and affected persons (Art. 13; A.8.2)
    audience = models.CharField(
        "who it is for", max_length=20, choices=Audience.choices, blank=True
    )
    user_text = text_field(
        SECTION_TEXT,
        "the information",
        help_text="What users and affected persons are told: what the system does, its limits, "
        "how to contest a decision, whom to contact.",
    )
    published_url = models.URLField(
        "where it is published", max_length=500, blank=True, help_text="A web address, if any."
    )
    channel = models.CharField(
        max_length=200, blank=True, help_text="Website, app, letter, the user manual …"
    )
    published_since = models.DateField("published since", null=True, blank=True)
    # Who wrote and approved it
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
    superseded_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = ("updated_at", "evaluation_results")

    objects = TechnicalDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["system__name", "kind", "-number"]
        verbose_name = "technical document"
        constraints = [
            models.UniqueConstraint(
                fields=["system", "kind", "number"], name="one_techdoc_version_number"
            )
        ]
        indexes = [models.Index(fields=["organization", "status"], name="techdoc_status")]

    def __str__(self) -> str:
        name = self.title or f"{self.get_kind_display()}: {self.system}"
        return f"{name} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("techdoc_detail", kwargs={"org": self.organization.slug, "doc_id": self.pk})

    def save(self, *args, **kwargs):
        """The model's own guard: an approved or superseded version keeps its text, whatever
        code saves it; only its status and dates move."""
        if self.pk is not None:
            stored = (
                TechnicalDocument.objects.filter(pk=self.pk).values("status", *FIXED_FIELDS).first()
            )
            fixed = stored is not None and stored["status"] in FIXED_STATES
            if fixed and any(stored[name] != getattr(self, name) for name in FIXED_FIELDS):
                raise Refused(
                    f"Version {self.number} is {Status(stored['status']).label.lower()}: its "
                    "text never changes. Start a new version from it."
                )
        super().save(*args, **kwargs)

    @property
    def is_technical(self) -> bool:
        return self.kind == Kind.TECHNICAL

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_fixed(self) -> bool:
        return self.status in FIXED_STATES

    def section_filled(self, name: str) -> bool:
        if name == "training_data":
            # the text, or at least one linked data set
            return bool(self.training_data.strip()) or (
                self.pk is not None and self.training_datasets.exists()
            )
        return bool(getattr(self, name).strip())

    def missing_sections(self) -> list[str]:
        """The Annex IV headings still empty (technical documentation only)."""
        if not self.is_technical:
            return []
        return [label for name, label in ANNEX_IV_SECTIONS if not self.section_filled(name)]

    def sections(self) -> list[tuple[str, str, str]]:
        """(field, heading, text) of each Annex IV section, for the page."""
        return [(name, label, getattr(self, name)) for name, label in ANNEX_IV_SECTIONS]
