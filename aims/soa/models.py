from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone


class Implementation(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PLANNED = "planned", "Planned"
    PARTIAL = "partial", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"


class Applicability(models.TextChoices):
    UNDECIDED = "undecided", "Not decided"
    APPLICABLE = "applicable", "Applicable"
    EXCLUDED = "excluded", "Not applicable"


class SoAEntryQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def with_evidence_flags(self):
        from aims.evidence.models import Evidence

        linked = Evidence.objects.filter(soa_entries=OuterRef("pk"))
        return self.annotate(
            has_evidence=Exists(linked),
            has_current_evidence=Exists(linked.current()),
        )

    def with_evidence_stats(self) -> list["SoAEntry"]:
        """The entries as a list, each with ``evidence_count``, ``has_evidence`` and
        ``has_current_evidence``, in two queries whatever the amount of evidence.

        For bounded lists (one entry per control): flags and filters then work in Python.
        """
        import datetime as dt

        from django.db.models import Count
        from django.utils import timezone

        from aims.evidence.models import Evidence

        entries = list(self)
        today: dt.date = timezone.localdate()
        current = Q(evidence__effective_from__lte=today) & (
            Q(evidence__valid_until__isnull=True) | Q(evidence__valid_until__gte=today)
        )
        stats = {
            row["soaentry_id"]: row
            for row in Evidence.soa_entries.through.objects.filter(
                soaentry_id__in=[e.pk for e in entries]
            )
            .values("soaentry_id")
            .annotate(n=Count("evidence_id"), current=Count("evidence_id", filter=current))
        }
        for entry in entries:
            row = stats.get(entry.pk, {"n": 0, "current": 0})
            entry.evidence_count = row["n"]
            entry.has_evidence = row["n"] > 0
            entry.has_current_evidence = row["current"] > 0
        return entries

    def missing_justification(self):
        return self.exclude(applicability=Applicability.UNDECIDED).filter(justification="")

    def implemented_without_evidence(self):
        return (
            self.with_evidence_flags()
            .filter(applicability=Applicability.APPLICABLE, status=Implementation.IMPLEMENTED)
            .filter(has_current_evidence=False)
        )

    def flagged(self):
        return self.with_evidence_flags().filter(
            (~Q(applicability=Applicability.UNDECIDED) & Q(justification=""))
            | Q(
                applicability=Applicability.APPLICABLE,
                status=Implementation.IMPLEMENTED,
                has_current_evidence=False,
            )
        )


class SoAEntry(models.Model):
    """The organization's decision on one Annex A control (6.1.3 d)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="soa_entries"
    )
    control = models.ForeignKey(
        "catalog.Control", on_delete=models.PROTECT, related_name="soa_entries"
    )
    applicability = models.CharField(
        max_length=20, choices=Applicability.choices, default=Applicability.UNDECIDED
    )
    justification = models.TextField(
        max_length=10_000,
        validators=[MaxLengthValidator(10_000)],
        blank=True,
        help_text="Why the control is included or excluded. Required either way.",
    )
    status = models.CharField(
        "implementation status",
        max_length=20,
        choices=Implementation.choices,
        default=Implementation.NOT_STARTED,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_soa_entries",
    )
    implementation = models.TextField(
        "how it is implemented",
        blank=True,
        max_length=20_000,
        validators=[MaxLengthValidator(20_000)],
    )
    risks = models.ManyToManyField("risk.Risk", blank=True, related_name="soa_entries")
    updated_at = models.DateTimeField(default=timezone.now)

    audit_exclude = ("updated_at",)

    objects = SoAEntryQuerySet.as_manager()

    class Meta:
        ordering = ["control__position"]
        verbose_name = "SoA entry"
        verbose_name_plural = "SoA entries"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "control"], name="one_entry_per_control"
            )
        ]

    def __str__(self) -> str:
        return f"SoA {self.control.ref} {self.control.title}"

    def get_absolute_url(self) -> str:
        return reverse("soa_detail", kwargs={"org": self.organization.slug, "entry_id": self.pk})

    @property
    def is_applicable(self) -> bool:
        return self.applicability == Applicability.APPLICABLE

    def flags(self) -> list[str]:
        """What an auditor would query about this entry; empty when nothing is missing."""
        found = []
        if self.applicability != Applicability.UNDECIDED and not self.justification.strip():
            found.append("Justification missing")
        has_current = getattr(self, "has_current_evidence", None)
        if has_current is None:
            has_current = self.evidence.current().exists()
        if (
            self.applicability == Applicability.APPLICABLE
            and self.status == Implementation.IMPLEMENTED
            and not has_current
        ):
            found.append("Implemented without current evidence")
        return found
