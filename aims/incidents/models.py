"""AI incidents (ISO/IEC 42001 A.8.4; EU AI Act Art. 73) and concerns (A.3.3).

An incident is something that went wrong with an AI system: what happened, the harm and who was
affected, how it was contained, its root cause and corrective actions, with a timeline and a log
of who was told what. A serious incident (Art. 73) must be reported to the market surveillance
authority by a deadline counted from the day the organization became aware of it:
:meth:`Incident.reporting_deadline`, the one place that counts it.

A concern is what anyone (a member, or the public through the organization's intake link) raises
about an AI system; the AIMS manager triages it into an incident, a risk, or closes it with a
reason. An anonymous concern never records or shows who raised it.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.fields import text_field

# --- Incidents ---------------------------------------------------------------------------------


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONTAINED = "contained", "Contained"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# The one way forward: open -> contained -> resolved -> closed.
NEXT_STATUS = {
    IncidentStatus.OPEN: IncidentStatus.CONTAINED,
    IncidentStatus.CONTAINED: IncidentStatus.RESOLVED,
    IncidentStatus.RESOLVED: IncidentStatus.CLOSED,
}
ACTIVE_STATUSES = (IncidentStatus.OPEN, IncidentStatus.CONTAINED, IncidentStatus.RESOLVED)


class SeriousType(models.TextChoices):
    DEATH = "death", "Death of a person"
    CRITICAL_INFRASTRUCTURE = (
        "infrastructure",
        "Widespread infringement, or serious and irreversible disruption of critical "
        "infrastructure",
    )
    OTHER = (
        "other",
        "Other serious incident (serious harm to health, fundamental rights, property or the "
        "environment)",
    )


# EU AI Act Art. 73: report no later than this many days after becoming aware.
REPORTING_DAYS = {
    SeriousType.DEATH: 10,
    SeriousType.CRITICAL_INFRASTRUCTURE: 2,
    SeriousType.OTHER: 15,
}
NEAR_DEADLINE_DAYS = 3  # a deadline this close shows as near on the dashboard and reminders


def reporting_deadline(kind: str, became_aware_at: dt.datetime, *, now=None) -> dt.datetime:
    """When a serious incident of ``kind`` must be reported: awareness + 2, 10 or 15 days.

    An awareness in the future is refused: a deadline counted from it would be later than the
    law allows.
    """
    now = now or timezone.now()
    if became_aware_at > now:
        raise ValidationError(
            {
                "became_aware_at": "The organization cannot become aware of an incident in the "
                "future: give the date and time it learned of it (today or earlier). The "
                "reporting deadline is counted from it."
            }
        )
    return became_aware_at + dt.timedelta(days=REPORTING_DAYS[SeriousType(kind)])


class IncidentQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def to_report(self):
        """Serious incidents not yet reported to the authority."""
        return self.filter(is_serious=True, reported_to_authority_at__isnull=True)

    def report_overdue(self, now=None):
        return self.to_report().filter(report_due_at__lt=now or timezone.now())

    def report_due_within(self, days: int, now=None):
        """Unreported serious incidents whose deadline is past or within ``days`` days."""
        now = now or timezone.now()
        return self.to_report().filter(report_due_at__lte=now + dt.timedelta(days=days))

    def filtered(
        self, *, q=None, system=None, status=None, severity=None, serious=None, overdue=None
    ):
        """The incidents matching the list's filters, for the page, its export and the API."""
        incidents = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            incidents = incidents.filter(
                Q(title__icontains=q) | Q(what_happened__icontains=q) | Q(root_cause__icontains=q)
            )
        if system is not None:
            incidents = incidents.filter(system=system)
        if status:
            incidents = incidents.filter(status=status)
        if severity:
            incidents = incidents.filter(severity=severity)
        if serious is not None:
            incidents = incidents.filter(is_serious=serious)
        if overdue:
            incidents = incidents.report_overdue()
        return incidents


class Incident(AddressesRequirements):
    """An AI incident (A.8.4): what happened, to whom, how it was handled and what was learnt."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="incidents"
    )
    system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name="AI system",
    )
    title = models.CharField(max_length=200)
    what_happened = text_field(10_000, "what happened", blank=False)
    harm = text_field(
        5_000, "harm and persons affected", help_text="What harm was done, and to whom."
    )
    persons_affected = models.PositiveIntegerField(
        "number of persons affected", null=True, blank=True, help_text="If known."
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    occurred_at = models.DateTimeField("occurred at", help_text="When it happened (or began).")
    became_aware_at = models.DateTimeField(
        "became aware at",
        help_text="When the organization learned of it: deadlines are counted from here.",
    )
    contained_at = models.DateTimeField("contained at", null=True, blank=True)
    resolved_at = models.DateTimeField("resolved at", null=True, blank=True)
    containment_actions = text_field(5_000, "containment actions")
    root_cause = text_field(5_000, "root cause")
    corrective_actions = text_field(5_000, "corrective actions")
    status = models.CharField(
        max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_incidents",
        help_text="The member who handles it.",
    )
    check_run = models.ForeignKey(
        "checks.CheckRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
        verbose_name="check run",
    )
    alert = models.ForeignKey(
        "checks.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    risks = models.ManyToManyField("risk.Risk", blank=True, related_name="incidents")
    # EU AI Act Art. 73
    is_serious = models.BooleanField(
        "serious incident (EU AI Act Art. 73)",
        default=False,
        help_text="A serious incident must be reported to the market surveillance authority.",
    )
    serious_type = models.CharField(
        "type of serious incident", max_length=20, choices=SeriousType.choices, blank=True
    )
    report_due_at = models.DateTimeField("report due by", null=True, blank=True)
    reported_to_authority_at = models.DateTimeField(
        "reported to the authority at", null=True, blank=True
    )
    authority_reference = models.CharField(
        "authority's reference", max_length=200, blank=True, help_text="Their case number."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-became_aware_at", "-pk"]

    def __str__(self) -> str:
        return f"INC-{self.pk}: {self.title}" if self.pk else self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "incident_detail", kwargs={"org": self.organization.slug, "incident_id": self.pk}
        )

    @property
    def ref(self) -> str:
        return f"INC-{self.pk}"

    def reporting_deadline(self, *, now=None) -> dt.datetime | None:
        """When this incident must be reported to the authority; None when not serious."""
        if not self.is_serious or not self.serious_type or self.became_aware_at is None:
            return None
        return reporting_deadline(self.serious_type, self.became_aware_at, now=now)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def next_status(self) -> IncidentStatus | None:
        return NEXT_STATUS.get(IncidentStatus(self.status))

    @property
    def awaits_report(self) -> bool:
        return self.is_serious and self.reported_to_authority_at is None

    def report_overdue(self, now=None) -> bool:
        return (
            self.awaits_report
            and self.report_due_at is not None
            and self.report_due_at < (now or timezone.now())
        )

    def report_near(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.awaits_report
            and self.report_due_at is not None
            and now <= self.report_due_at <= now + dt.timedelta(days=NEAR_DEADLINE_DAYS)
        )

    def days_left(self, now=None) -> int | None:
        """Whole days until the deadline (negative once past), counted in local dates."""
        if self.report_due_at is None:
            return None
        today = timezone.localtime(now or timezone.now()).date()
        return (timezone.localtime(self.report_due_at).date() - today).days


class Audience(models.TextChoices):
    AUTHORITY = "authority", "Authority"
    AFFECTED = "affected", "Affected persons"
    CUSTOMER = "customer", "Customer"
    INTERNAL = "internal", "Internal"
    SUPPLIER = "supplier", "Supplier"


class TimelineEntry(models.Model):
    """One dated step of an incident's handling."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    when = models.DateTimeField()
    what = text_field(2_000, blank=False)
    who = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["when", "pk"]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.incident.ref} {self.when:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return self.incident.get_absolute_url()


class Communication(models.Model):
    """Who was told what about an incident, when and how."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="communications")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    when = models.DateTimeField()
    audience = models.CharField("to whom", max_length=12, choices=Audience.choices)
    channel = models.CharField(max_length=100, help_text="E-mail, phone, letter, portal …")
    summary = text_field(2_000, blank=False)
    who = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["when", "pk"]

    def __str__(self) -> str:
        return f"{self.incident.ref} to {self.get_audience_display()} {self.when:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.incident.get_absolute_url()


# --- Concerns ----------------------------------------------------------------------------------


class ConcernStatus(models.TextChoices):
    NEW = "new", "New"
    INCIDENT = "incident", "Triaged into an incident"
    RISK = "risk", "Triaged into a risk"
    CLOSED = "closed", "Closed"


class ConcernChannel(models.TextChoices):
    MEMBER = "member", "A member, in the app"
    PUBLIC = "public", "The public link"


CONCERN_MAX_LENGTH = 5_000


class ConcernQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def new(self):
        return self.filter(status=ConcernStatus.NEW)

    def filtered(self, *, q=None, status=None, system=None, channel=None):
        concerns = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            concerns = concerns.filter(Q(text__icontains=q) | Q(triage_reason__icontains=q))
        if status:
            concerns = concerns.filter(status=status)
        if system is not None:
            concerns = concerns.filter(system=system)
        if channel:
            concerns = concerns.filter(channel=channel)
        return concerns


class Concern(AddressesRequirements):
    """A concern about an AI system (A.3.3). When ``anonymous``, nothing says who raised it."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="ai_concerns"
    )
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns",
        verbose_name="AI system",
        help_text="Leave empty when not sure which system.",
    )
    text = text_field(CONCERN_MAX_LENGTH, "what is the concern", blank=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="raised by",
    )
    reporter_name = models.CharField("name", max_length=200, blank=True)
    reporter_contact = models.CharField(
        "contact", max_length=200, blank=True, help_text="An e-mail address or phone number."
    )
    anonymous = models.BooleanField(default=False)
    channel = models.CharField(
        max_length=10, choices=ConcernChannel.choices, default=ConcernChannel.MEMBER
    )
    status = models.CharField(
        max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.NEW
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    risk = models.ForeignKey(
        "risk.Risk", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    triage_reason = text_field(2_000, "triage reason")
    # A keyed hash of the public reporter's address, for the rate limit; never shown.
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    audit_exclude = ("client_hash",)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Concern {self.pk}" if self.pk else "Concern"

    def get_absolute_url(self) -> str:
        return reverse(
            "concern_detail", kwargs={"org": self.organization.slug, "concern_id": self.pk}
        )

    def reporter_label(self) -> str:
        """Who raised it, as pages may show it: "Anonymous" for an anonymous concern."""
        if self.anonymous:
            return "Anonymous"
        if self.raised_by is not None:
            full = self.raised_by.get_full_name()
            return (
                f"{full} ({self.raised_by.get_username()})"
                if full
                else (self.raised_by.get_username())
            )
        parts = [p for p in (self.reporter_name, self.reporter_contact) if p]
        return ", ".join(parts) or "Not given"

    def summary(self, length: int = 80) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= length else text[: length - 1] + "…"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class ConcernIntake(models.Model):
    """The organization's public link for concerns: off until the AIMS manager turns it on."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="concern_intake"
    )
    enabled = models.BooleanField(default=False)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("token",)  # the trail says it changed, never what it is

    def __str__(self) -> str:
        return "Public link for concerns"

    def get_absolute_url(self) -> str:
        return reverse("concern_list", kwargs={"org": self.organization.slug})

    def public_url(self) -> str:
        return reverse("concern_public", kwargs={"token": self.token})
