"""AI objectives (ISO/IEC 42001 6.2) and the KPIs that measure them (9.1).

An objective says what will be done, with what, by whom, by when and how its results are
judged. A KPI is a figure followed over time against a target: entered by hand, imported from a
CSV file, fed by the runs of a technical check, or sampled from a figure another area computes
(hook ``measures``). Its status comes from its latest measurement, by one rule:
:meth:`KPI.status_for`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.dates import add_months


def _text(max_length: int, verbose_name: str | None = None, **kwargs) -> models.TextField:
    return models.TextField(
        verbose_name,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        blank=True,
        **kwargs,
    )


# --- Objectives --------------------------------------------------------------------------------


class ObjectiveStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


# The objectives still being worked on: their deadline matters.
OPEN_STATUSES = (ObjectiveStatus.PLANNED, ObjectiveStatus.IN_PROGRESS)


class ObjectiveQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        """Open objectives whose deadline has passed."""
        return self.open().filter(deadline__lt=today or timezone.localdate())

    def due_within(self, days: int, today=None):
        """Open objectives whose deadline is past or within ``days`` days."""
        today = today or timezone.localdate()
        return self.open().filter(deadline__lte=today + dt.timedelta(days=days))

    def counted(self):
        """The objectives the "on track" figure counts: all but the cancelled ones."""
        return self.exclude(status=ObjectiveStatus.CANCELLED)

    def on_track(self, today=None):
        """Achieved objectives, and open ones not past their deadline with no KPI off target."""
        today = today or timezone.localdate()
        off = KPI.objects.filter(objectives=OuterRef("pk"), status=KPIStatus.OFF_TARGET)
        return self.filter(
            Q(status=ObjectiveStatus.ACHIEVED)
            | Q(status__in=OPEN_STATUSES, deadline__gte=today) & ~Exists(off)
        )

    def filtered(self, *, q=None, status=None, owner=None, overdue=None, today=None):
        """The objectives that match the list's filters, for the page, its export and the API."""
        objectives = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            objectives = objectives.filter(
                Q(title__icontains=q) | Q(plan__icontains=q) | Q(evaluation__icontains=q)
            )
        if status:
            objectives = objectives.filter(status=status)
        if owner is not None:
            objectives = objectives.filter(owner=owner)
        if overdue:
            objectives = objectives.overdue(today)
        return objectives


class Objective(AddressesRequirements):
    """An AI objective of the organization (6.2): measurable where practicable, monitored,
    communicated and updated."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="ai_objectives"
    )
    title = models.CharField(max_length=200)
    plan = _text(
        10_000, "what will be done", help_text="The actions that achieve the objective (6.2 f)."
    )
    resources = _text(
        5_000, "resources needed", help_text="People, budget, tools and data it needs (6.2 g)."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_ai_objectives",
        help_text="Who is responsible for it (6.2 h).",
    )
    deadline = models.DateField(help_text="When it will be completed (6.2 i).")
    evaluation = _text(
        5_000,
        "how results are evaluated",
        help_text="How the organization will judge whether it was achieved (6.2 j).",
    )
    status = models.CharField(
        max_length=20, choices=ObjectiveStatus.choices, default=ObjectiveStatus.PLANNED
    )
    annex_objectives = models.ManyToManyField(
        "catalog.AIObjective",
        blank=True,
        related_name="+",
        verbose_name="Annex C objectives",
        help_text="The potential AI objectives of Annex C.2 this serves.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "title", "pk"]
        verbose_name = "AI objective"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "objective_detail", kwargs={"org": self.organization.slug, "objective_id": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.deadline < (today or timezone.localdate())


# --- KPIs --------------------------------------------------------------------------------------


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    BAND = "band", "Within a band around the target"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    YEARLY = "yearly", "Yearly"


MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


def next_after(day: dt.date, frequency: str) -> dt.date:
    if frequency == Frequency.WEEKLY:
        return day + dt.timedelta(days=7)
    return add_months(day, MONTHS[Frequency(frequency)])


class KPISource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    IMPORT = "import", "CSV import"
    CHECK = "check", "Runs of a technical check"
    MEASURE = "measure", "A figure the app computes"


# KPIs whose measurements people enter or import (and which therefore fall due).
PEOPLE_FED = (KPISource.MANUAL, KPISource.IMPORT)


class KPIStatus(models.TextChoices):
    ON_TARGET = "on_target", "On target"
    AT_RISK = "at_risk", "At risk"
    OFF_TARGET = "off_target", "Off target"
    NO_DATA = "no_data", "No data"


# The measurement a check run gives when the KPI follows whether the check passed.
PASSED = "passed"

VALUE_DIGITS, VALUE_PLACES = 20, 6


class KPIQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def off_target(self):
        return self.filter(status=KPIStatus.OFF_TARGET)

    def fed_by_people(self):
        return self.filter(source__in=PEOPLE_FED)

    def filtered(self, *, q=None, status=None, source=None, objective=None):
        kpis = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            kpis = kpis.filter(Q(name__icontains=q) | Q(description__icontains=q))
        if status:
            kpis = kpis.filter(status=status)
        if source:
            kpis = kpis.filter(source=source)
        if objective is not None:
            kpis = kpis.filter(objectives=objective)
        return kpis


class KPI(models.Model):
    """A key performance indicator (9.1): a figure followed against a target."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="kpis"
    )
    name = models.CharField(max_length=200, help_text="Unique in the organization.")
    description = _text(5_000, help_text="What is measured, and how.")
    unit = models.CharField(max_length=40, blank=True, help_text="%, days, hours, count …")
    target = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    band = models.DecimalField(
        "band half-width",
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        default=Decimal(0),
        help_text="For “within a band”: how far from the target, either way, is still on target.",
    )
    tolerance = models.DecimalField(
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        default=Decimal(0),
        help_text="How far past the target (or the band) still counts as at risk rather than "
        "off target.",
    )
    frequency = models.CharField(
        "measurement frequency", max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_kpis",
    )
    objectives = models.ManyToManyField(
        Objective, blank=True, related_name="kpis", help_text="The objectives it measures."
    )
    source = models.CharField(max_length=10, choices=KPISource.choices, default=KPISource.MANUAL)
    check_definition = models.ForeignKey(
        "checks.Check",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="check",
        help_text="For a KPI fed by a check: each new run of this check adds a measurement.",
    )
    check_metric = models.CharField(
        "metric of the check",
        max_length=60,
        blank=True,
        help_text="Which figure of the run: a metric (demographic_parity_difference, accuracy …) "
        "or “passed” (1 when the run passed, 0 when it failed).",
    )
    measure_key = models.CharField(
        "app measure", max_length=100, blank=True, help_text="For a KPI that follows an app figure."
    )
    # Derived from the latest measurement by refresh_status() (services); not audited.
    status = models.CharField(max_length=12, choices=KPIStatus.choices, default=KPIStatus.NO_DATA)
    latest_value = models.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    latest_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("status", "latest_value", "latest_date")

    objects = KPIQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_kpi_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kpi_detail", kwargs={"org": self.organization.slug, "kpi_id": self.pk})

    def status_for(self, value: Decimal | None) -> KPIStatus:
        """The status a measured ``value`` gives, against the target, direction and tolerance.

        Higher is better: on target at or above the target, at risk down to target − tolerance,
        off target below. Lower is better: the mirror image. Within a band: on target within
        band of the target either way, at risk within band + tolerance, off target further.
        """
        if value is None:
            return KPIStatus.NO_DATA
        value, target = Decimal(value), Decimal(self.target)
        tolerance, band = Decimal(self.tolerance or 0), Decimal(self.band or 0)
        if self.direction == Direction.HIGHER:
            miss = target - value
        elif self.direction == Direction.LOWER:
            miss = value - target
        else:
            miss = abs(value - target) - band
        if miss <= 0:
            return KPIStatus.ON_TARGET
        if miss <= tolerance:
            return KPIStatus.AT_RISK
        return KPIStatus.OFF_TARGET

    @property
    def is_fed_by_people(self) -> bool:
        return self.source in PEOPLE_FED

    def next_due(self) -> dt.date:
        """When the next measurement is due: a period after the latest (or the KPI's start)."""
        start = self.latest_date or timezone.localtime(self.created_at).date()
        return next_after(start, self.frequency)

    def target_text(self) -> str:
        target = f"{format_value(self.target)}{(' ' + self.unit) if self.unit else ''}"
        if self.direction == Direction.HIGHER:
            return f"≥ {target}"
        if self.direction == Direction.LOWER:
            return f"≤ {target}"
        return f"{target} ± {format_value(self.band)}"


def format_value(value) -> str:
    """A decimal without trailing zeros: 0.150000 -> 0.15, 12.000000 -> 12."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class MeasurementSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    IMPORT = "import", "CSV import"
    CHECK = "check", "Check run"
    MEASURE = "measure", "App measure"


class MeasurementQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def latest_first(self):
        return self.order_by("-date", "-pk")


class Measurement(models.Model):
    """One value of a KPI on a date."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="kpi_measurements"
    )
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField()
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(
        max_length=10, choices=MeasurementSource.choices, default=MeasurementSource.MANUAL
    )
    check_run = models.ForeignKey(
        "checks.CheckRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    run_ref = models.PositiveIntegerField(
        "check run id", null=True, blank=True, help_text="Kept when the run is deleted."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "run_ref"], name="one_measurement_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.date:%Y-%m-%d}: {format_value(self.value)}"

    def get_absolute_url(self) -> str:
        return self.kpi.get_absolute_url()
