import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone


class Kind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class State(models.TextChoices):
    """Where a piece of evidence stands today, from its effective and expiry dates."""

    CURRENT = "current", "Current"
    EXPIRED = "expired", "Expired"
    NOT_YET_EFFECTIVE = "not_yet_effective", "Not yet effective"


class Integrity(models.TextChoices):
    """What the last re-hash of a stored file found (``aims evidence verify``)."""

    UNCHECKED = "unchecked", "Not checked yet"
    INTACT = "intact", "Intact"
    ALTERED = "altered", "Altered: content no longer matches its hash"
    MISSING = "missing", "Missing from storage"


DAMAGED = (Integrity.ALTERED, Integrity.MISSING)


def worst_integrity(states) -> Integrity:
    """The worst of the states of several stored files: missing, altered, unchecked, intact.
    No stored file at all has not been checked."""
    found = set(states)
    for state in (Integrity.MISSING, Integrity.ALTERED, Integrity.UNCHECKED):
        if state in found:
            return state
    return Integrity.INTACT if found else Integrity.UNCHECKED


class EvidenceQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def _with_damaged_files(self):
        return EvidenceFile.objects.filter(blob__integrity__in=DAMAGED).values("revision__evidence")

    def damaged(self):
        """Evidence with a stored file (of any revision) found altered or missing."""
        return self.filter(pk__in=self._with_damaged_files())

    def undamaged(self):
        """Evidence with no stored file found altered or missing: links, and files found intact
        or not checked yet."""
        return self.exclude(pk__in=self._with_damaged_files())

    def filtered(
        self,
        *,
        q: str = "",
        state: str = "",
        kind: str = "",
        damaged: bool | None = None,
        expired: bool | None = None,
        linked: dict | None = None,
        today: dt.date | None = None,
    ):
        """The evidence list's filters, one rule for the page and the API: a search word in
        the title or description, a :class:`State`, a :class:`Kind`, damaged or not, expired
        or not, and records it supports (``{"systems__slug": "credit"}``, by subquery so the
        links prefetched for the list are not narrowed)."""
        items = self
        text = (q or "").replace("\x00", "").strip()
        if text:
            items = items.filter(Q(title__icontains=text) | Q(description__icontains=text))
        if state in State.values:
            items = items.in_state(state, today)
        if kind in Kind.values:
            items = items.filter(kind=kind)
        if damaged is True:
            items = items.damaged()
        elif damaged is False:
            items = items.undamaged()
        if expired is True:
            items = items.expired(today)
        elif expired is False:
            items = items.exclude(pk__in=Evidence.objects.expired(today).values("pk"))
        for lookup, value in (linked or {}).items():
            items = items.filter(pk__in=Evidence.objects.filter(**{lookup: value}).values("pk"))
        return items

    def with_latest_revision_number(self):
        """Annotate ``latest_revision_number`` (None without a revision). A subquery per row,
        not a grouped join: a page of the list reads it for its rows alone, and counting the
        list reads no revision."""
        latest = Revision.objects.filter(evidence=OuterRef("pk")).order_by("-number")
        return self.annotate(latest_revision_number=Subquery(latest.values("number")[:1]))

    def with_file_damage(self):
        """Annotate ``files_altered`` and ``files_missing``: whether a stored file of any
        revision was found so by the last re-hash (one query for a whole list)."""
        files = EvidenceFile.objects.filter(revision__evidence=OuterRef("pk"))
        return self.annotate(
            files_altered=Exists(files.filter(blob__integrity=Integrity.ALTERED)),
            files_missing=Exists(files.filter(blob__integrity=Integrity.MISSING)),
        )

    def not_yet_effective(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(effective_from__gt=today)

    def in_state(self, state: str, today: dt.date | None = None):
        """Filter by a :class:`State` value; an unknown value filters nothing."""
        if state == State.CURRENT:
            return self.current(today)
        if state == State.EXPIRED:
            return self.expired(today)
        if state == State.NOT_YET_EFFECTIVE:
            return self.not_yet_effective(today)
        return self

    def expired(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(valid_until__lt=today)

    def current(self, today: dt.date | None = None):
        """Evidence in force today: effective already and not expired."""
        today = today or timezone.localdate()
        return self.filter(effective_from__lte=today).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )


class Evidence(models.Model):
    """A piece of evidence: one or more files (with revisions) or a link, and what it supports."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(
        blank=True, max_length=20_000, validators=[MaxLengthValidator(20_000)]
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FILE)
    url = models.URLField("link", max_length=1000, blank=True)
    effective_from = models.DateField(
        help_text="The date the evidence speaks for, which may differ from the upload date."
    )
    valid_until = models.DateField(
        null=True, blank=True, help_text="Leave empty if the evidence does not expire."
    )
    soa_entries = models.ManyToManyField(
        "soa.SoAEntry", blank=True, related_name="evidence", verbose_name="SoA entries"
    )
    clauses = models.ManyToManyField("catalog.Clause", blank=True, related_name="evidence")
    risks = models.ManyToManyField("risk.Risk", blank=True, related_name="evidence")
    systems = models.ManyToManyField(
        "inventory.AISystem", blank=True, related_name="evidence", verbose_name="AI systems"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-pk"]
        verbose_name_plural = "evidence"
        indexes = [
            models.Index(fields=["organization", "valid_until"], name="evidence_validity"),
            # The list's order: a page reads its rows from the index, never sorts them all.
            models.Index(fields=["organization", "effective_from", "id"], name="evidence_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "evidence_detail", kwargs={"org": self.organization.slug, "evidence_id": self.pk}
        )

    def is_expired(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.valid_until is not None and self.valid_until < today

    def state(self, today: dt.date | None = None) -> State:
        today = today or timezone.localdate()
        if self.is_expired(today):
            return State.EXPIRED
        if self.effective_from > today:
            return State.NOT_YET_EFFECTIVE
        return State.CURRENT

    def latest_revision(self):
        return self.revisions.order_by("-number").first()

    def stored_files(self) -> list:
        """The files of all its revisions, newest revision first. Reads
        ``revisions__files__blob`` when prefetched."""
        return [file for revision in self.revisions.all() for file in revision.files.all()]

    def integrity(self) -> Integrity:
        """The worst state found among the stored files of all its revisions; a link stores no
        file and is intact."""
        if self.kind != Kind.FILE:
            return Integrity.INTACT
        return worst_integrity(file.blob.integrity for file in self.stored_files())

    def damaged_files(self) -> list:
        """Its stored files, in any revision, found altered or missing."""
        return [file for file in self.stored_files() if file.blob.damaged]


class Blob(models.Model):
    """A stored file, named by the SHA-256 of its content; stored once however often uploaded."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    integrity = models.CharField(
        max_length=10, choices=Integrity.choices, default=Integrity.UNCHECKED
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.sha256

    @property
    def damaged(self) -> bool:
        return self.integrity in DAMAGED


class Revision(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    note = models.TextField(blank=True, max_length=10_000, validators=[MaxLengthValidator(10_000)])
    effective_from = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.evidence} r{self.number}"

    @property
    def organization(self):
        return self.evidence.organization


class EvidenceFile(models.Model):
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="files")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="files")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["original_name"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def size(self) -> int:
        return self.blob.size
