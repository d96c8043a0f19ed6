"""The Statement of Applicability (6.1.3 d): the organization's decision on each Annex A control
of ISO/IEC 42001, and on each additional control it takes from another source (6.1.3 c)."""

import operator
import re
from functools import reduce

from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from aims.core.areas import control_records
from aims.evidence.models import Evidence

from .justification import (
    LONG_ENOUGH,
    MIN_CHARACTERS,
    MIN_WORDS,
    THREE_WORDS,
    is_meaningful,
    placeholder_warning,
)


class Implementation(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PLANNED = "planned", "Planned"
    PARTIAL = "partial", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"


class Applicability(models.TextChoices):
    UNDECIDED = "undecided", "Not decided"
    APPLICABLE = "applicable", "Applicable"
    EXCLUDED = "excluded", "Not applicable"


class ControlSource(models.TextChoices):
    """Where an additional control comes from (6.1.3 c: controls from other sources)."""

    ISO_27001 = "iso27001", "ISO/IEC 27001 Annex A"
    OWN = "own", "The organization's own"
    OTHER = "other", "Another source"


ANNEX_A = "ISO/IEC 42001 Annex A"  # the source of the controls every SoA starts with

# The objective filter's value for the additional controls (they have no Annex A objective).
ADDITIONAL = "additional"

# Text that is only white space, spelled out so SQLite (Python's re) and PostgreSQL read the
# pattern alike. A justification like this is missing, in the database as in Python.
BLANK_TEXT = "^[ \t\n\r\f\v\u00a0]*$"


def is_blank(text: str) -> bool:
    return re.search(BLANK_TEXT, text or "") is not None


JUSTIFICATION_MISSING = "Justification missing"
JUSTIFICATION_TOO_SHORT = (
    f"Justification too short (under {MIN_CHARACTERS} characters or {MIN_WORDS} words)"
)
NO_CURRENT_EVIDENCE = "Implemented without current evidence"

# The annotations of SoAEntryQuerySet.for_list that read the evidence and other areas' records.
FIGURES = (
    "has_evidence",
    "has_current_evidence",
    "missing_justification",
    "short_justification",
    "implemented_without_evidence",
    "evidence_count",
)


class SoAEntryQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def annex_a(self):
        return self.filter(control__isnull=False)

    def additional(self):
        return self.filter(additional_control__isnull=False)

    def named(self, ref: str):
        """The entry whose control has the id ``ref`` (A.6.2.4, or an additional control's)."""
        return self.filter(Q(control__ref=ref) | Q(additional_control__ref=ref))

    def with_control_ref(self):
        """Each entry with ``control_ref``: its control's id, whichever kind of control."""
        return self.annotate(control_ref=Coalesce("control__ref", "additional_control__ref"))

    def with_evidence_flags(self):
        """Each entry with ``has_evidence`` (evidence is linked) and ``has_current_evidence``
        (current evidence is linked, or a current record of another area addresses the
        control: an approved document, say; hook ``control_records``)."""
        linked = Evidence.objects.filter(soa_entries=OuterRef("pk"))
        records = [
            Exists(
                kind.model.objects.filter(
                    kind.current,
                    organization=OuterRef("organization"),
                    controls=OuterRef("control"),
                )
            )
            for kind in control_records()
        ]
        return self.annotate(
            has_evidence=ExpressionWrapper(
                reduce(operator.or_, [Exists(linked), *records]), output_field=BooleanField()
            ),
            has_current_evidence=ExpressionWrapper(
                reduce(operator.or_, [Exists(linked.current()), *records]),
                output_field=BooleanField(),
            ),
        )

    def with_flags(self):
        """Each entry with ``has_evidence``, ``has_current_evidence`` and its three flags:
        ``missing_justification`` (decided, with no justification or only spaces),
        ``short_justification`` (decided, with a justification shorter than the rule of
        :mod:`aims.soa.justification`: decided before the rule, or imported) and
        ``implemented_without_evidence`` (applicable and implemented, with no current
        evidence). The one rule of what an auditor would query: pages, the dashboard, the
        exports and the API read these."""
        decided = ~Q(applicability=Applicability.UNDECIDED)
        return self.with_evidence_flags().annotate(
            missing_justification=ExpressionWrapper(
                decided & Q(justification__regex=BLANK_TEXT),
                output_field=BooleanField(),
            ),
            short_justification=ExpressionWrapper(
                decided
                & ~Q(justification__regex=BLANK_TEXT)
                & ~(Q(justification__regex=THREE_WORDS) & Q(justification__regex=LONG_ENOUGH)),
                output_field=BooleanField(),
            ),
            implemented_without_evidence=ExpressionWrapper(
                Q(
                    applicability=Applicability.APPLICABLE,
                    status=Implementation.IMPLEMENTED,
                    has_current_evidence=False,
                ),
                output_field=BooleanField(),
            ),
        )

    def flagged(self):
        return self.with_flags().filter(
            Q(missing_justification=True)
            | Q(short_justification=True)
            | Q(implemented_without_evidence=True)
        )

    def not_flagged(self):
        return self.with_flags().filter(
            missing_justification=False,
            short_justification=False,
            implemented_without_evidence=False,
        )

    def with_evidence_count(self):
        links = (
            Evidence.soa_entries.through.objects.filter(soaentry_id=OuterRef("pk"))
            .order_by()
            .values("soaentry_id")
            .annotate(n=Count("evidence_id"))
            .values("n")
        )
        return self.annotate(
            evidence_count=Coalesce(Subquery(links, output_field=IntegerField()), Value(0))
        )

    def filtered(
        self,
        *,
        objective: str | None = None,
        applicability: str | None = None,
        status: str | None = None,
        flagged: bool | None = None,
        q: str | None = None,
    ):
        """The entries that match the list's filters, for the SoA page and the API alike.

        ``objective`` is a control objective's id (A.6 includes A.6.1 and A.6.2) or
        :data:`ADDITIONAL`; ``flagged`` True keeps what an auditor would query, False the
        rest; ``q`` looks in the control's id and title.
        """
        entries = self
        if objective == ADDITIONAL:
            entries = entries.additional()
        elif objective:
            entries = entries.filter(
                Q(control__objective__ref=objective) | Q(control__objective__parent__ref=objective)
            )
        if applicability:
            entries = entries.filter(applicability=applicability)
        if status:
            entries = entries.filter(status=status)
        if flagged is True:
            entries = entries.flagged()
        elif flagged is False:
            entries = entries.not_flagged()
        q = (q or "").replace("\x00", "").strip()
        if q:
            entries = entries.filter(
                Q(control__ref__icontains=q)
                | Q(control__title__icontains=q)
                | Q(additional_control__ref__icontains=q)
                | Q(additional_control__title__icontains=q)
            )
        return entries

    def tally(self) -> dict:
        """How many entries there are, decided, applicable, excluded, flagged, additional, and
        the applicable ones by implementation status: one query."""
        flagged = (
            Q(missing_justification=True)
            | Q(short_justification=True)
            | Q(implemented_without_evidence=True)
        )
        applicable = Q(applicability=Applicability.APPLICABLE)
        counts = (
            self.with_flags()
            .order_by()
            .aggregate(
                total=Count("pk"),
                undecided=Count("pk", filter=Q(applicability=Applicability.UNDECIDED)),
                applicable=Count("pk", filter=applicable),
                excluded=Count("pk", filter=Q(applicability=Applicability.EXCLUDED)),
                flagged=Count("pk", filter=flagged),
                additional=Count("pk", filter=Q(additional_control__isnull=False)),
                **{
                    f"status_{status.value}": Count("pk", filter=applicable & Q(status=status))
                    for status in Implementation
                },
            )
        )
        counts["decided"] = counts["total"] - counts["undecided"]
        counts["by_status"] = [
            (status, counts.pop(f"status_{status.value}")) for status in Implementation
        ]
        return counts

    def for_list(self):
        """What the list pages and the API read of each entry, in one query."""
        return self.for_page().select_related("organization").with_flags().with_evidence_count()

    def for_page(self):
        """Each entry with its control, objective and owner: the list's columns without the
        figures of :meth:`figures` (the SoA page sets them, and the organization in hand)."""
        return self.select_related("control__objective__parent", "additional_control", "owner")

    def figures(self) -> dict[int, dict]:
        """Each entry's evidence figures and flags, the annotations of :meth:`for_list`
        (:data:`FIGURES`), by entry id. They read every piece of evidence linked, so they grow
        with the evidence: the SoA page caches them (aims.trail.cache) and sets them on the
        entries of :meth:`for_page` (:meth:`SoAEntry.set_figures`)."""
        rows = self.with_flags().with_evidence_count().order_by().values("pk", *FIGURES)
        return {row.pop("pk"): row for row in rows}


class AdditionalControl(models.Model):
    """A control the organization adds to its SoA from another source than Annex A of
    ISO/IEC 42001: ISO/IEC 27001 Annex A, its own, or another (6.1.3 c)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="additional_controls",
    )
    ref = models.CharField(
        "id",
        max_length=30,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z",
                "Use letters, digits, dots, dashes or underscores, without spaces: "
                "27001-A.5.15 or ORG-07, say.",
            )
        ],
        help_text="How the SoA names it, unique in it: 27001-A.5.15, ORG-07.",
    )
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=20, choices=ControlSource.choices)
    description = models.TextField(
        "what the control requires",
        blank=True,
        max_length=10_000,
        validators=[MaxLengthValidator(10_000)],
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ref"], name="unique_additional_control_ref"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        """The page of its SoA entry (made and removed with it)."""
        try:
            entry_id = self.entry.pk
        except AdditionalControl.entry.RelatedObjectDoesNotExist:
            return ""
        return reverse("soa_detail", kwargs={"org": self.organization.slug, "entry_id": entry_id})


class SoAEntry(models.Model):
    """The organization's decision on one control (6.1.3 d): an Annex A control of
    ISO/IEC 42001, or one of its additional controls."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="soa_entries"
    )
    control = models.ForeignKey(
        "catalog.Control",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="soa_entries",
    )
    additional_control = models.OneToOneField(
        AdditionalControl,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="entry",
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
        # Annex A in the order of the standard, then the additional controls by id.
        ordering = [F("control__position").asc(nulls_last=True), "additional_control__ref"]
        verbose_name = "SoA entry"
        verbose_name_plural = "SoA entries"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "control"], name="one_entry_per_control"
            ),
            models.CheckConstraint(
                condition=Q(control__isnull=False, additional_control__isnull=True)
                | Q(control__isnull=True, additional_control__isnull=False),
                name="soa_entry_of_one_control",
            ),
        ]

    def __str__(self) -> str:
        return f"SoA {self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("soa_detail", kwargs={"org": self.organization.slug, "entry_id": self.pk})

    @property
    def is_additional(self) -> bool:
        return self.additional_control_id is not None

    @property
    def ref(self) -> str:
        return self.additional_control.ref if self.is_additional else self.control.ref

    @property
    def title(self) -> str:
        return self.additional_control.title if self.is_additional else self.control.title

    @property
    def objective(self):
        """The Annex A control objective; None for an additional control."""
        return None if self.is_additional else self.control.objective

    @property
    def source(self) -> str | None:
        """Where an additional control comes from (a :class:`ControlSource`); None for Annex A."""
        return self.additional_control.source if self.is_additional else None

    @property
    def source_label(self) -> str:
        if self.is_additional:
            return self.additional_control.get_source_display()
        return ANNEX_A

    @property
    def is_applicable(self) -> bool:
        return self.applicability == Applicability.APPLICABLE

    @property
    def justification_warning(self) -> str | None:
        """A warning when the justification reads like a placeholder ("n/a", "see above")."""
        if self.applicability == Applicability.UNDECIDED or not is_meaningful(self.justification):
            return None  # too short: flagged as such (JUSTIFICATION_TOO_SHORT)
        return placeholder_warning(self.justification)

    def set_figures(self, figures: dict) -> "SoAEntry":
        """Set the annotations of :meth:`SoAEntryQuerySet.for_list` from a row of
        :meth:`SoAEntryQuerySet.figures`, as if read with them."""
        for name in FIGURES:
            setattr(self, name, figures[name])
        return self

    def flags(self) -> list[str]:
        """What an auditor would query about this entry, as stored; empty when nothing is.

        Reads the annotations of :meth:`SoAEntryQuerySet.with_flags` (one query otherwise).
        """
        names = ("missing_justification", "short_justification", "implemented_without_evidence")
        if all(hasattr(self, name) for name in names):
            row = {name: getattr(self, name) for name in names}
        else:
            row = SoAEntry.objects.with_flags().filter(pk=self.pk).values(*names).first() or {}
        found = []
        if row.get("missing_justification"):
            found.append(JUSTIFICATION_MISSING)
        if row.get("short_justification"):
            found.append(JUSTIFICATION_TOO_SHORT)
        if row.get("implemented_without_evidence"):
            found.append(NO_CURRENT_EVIDENCE)
        return found
