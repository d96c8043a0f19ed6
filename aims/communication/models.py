"""Communication (ISO/IEC 42001 7.4): what the organization communicates about its AI
management system, when, to whom, how and by whom (the plan), and what it did communicate
(the log). Logging a communication against a planned entry moves the entry's next due date on
by its frequency."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.dates import add_months


class Frequency(models.TextChoices):
    ONCE = "once", "Once"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    YEARLY = "yearly", "Yearly"
    ON_EVENT = "on_event", "On event"

    @property
    def months(self) -> int | None:
        """How far a communication moves the next due date on; None: it does not recur."""
        return {"monthly": 1, "quarterly": 3, "yearly": 12}.get(self.value)


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    INTRANET = "intranet", "Intranet"
    MEETING = "meeting", "Meeting"
    TRAINING = "training", "Training"
    WEBSITE = "website", "Website"
    REPORT = "report", "Report"
    OTHER = "other", "Other"


class AudienceKind(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


def _search(queryset, text: str | None, *fields: str):
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)


class PlanEntryQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def overdue(self, today: dt.date):
        return self.filter(next_due__lt=today)

    def filtered(
        self,
        *,
        q: str | None = None,
        frequency: str | None = None,
        channel: str | None = None,
        audience_kind: str | None = None,
        communicator=None,
        overdue: bool | None = None,
        today: dt.date | None = None,
    ):
        """The entries matching the plan list's filters, for the page, its CSV and the API."""
        today = today or timezone.localdate()
        entries = _search(self, q, "topic", "description", "audience")
        if frequency:
            entries = entries.filter(frequency=frequency)
        if channel:
            entries = entries.filter(channel=channel)
        if audience_kind:
            entries = entries.filter(audience_kind=audience_kind)
        if communicator is not None:
            entries = entries.filter(communicator=communicator)
        if overdue is True:
            entries = entries.overdue(today)
        elif overdue is False:
            entries = entries.exclude(next_due__lt=today)
        return entries


class PlanEntry(AddressesRequirements):
    """One line of the communication plan: what, when, to whom, how and who communicates."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="communication_plan",
    )
    topic = models.CharField(
        "what is communicated",
        max_length=200,
        help_text="E.g. “Quarterly AIMS report to the board”.",
    )
    description = models.TextField(
        blank=True,
        max_length=5_000,
        validators=[MaxLengthValidator(5_000)],
        help_text="What it covers and why these people need it.",
    )
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    next_due = models.DateField(
        "next due",
        null=True,
        blank=True,
        help_text="When it is next due. Logging a communication of this entry moves it on by "
        "the frequency.",
    )
    audience_kind = models.CharField(
        "internal or external", max_length=20, choices=AudienceKind.choices
    )
    audience = models.CharField(
        "with whom", max_length=200, help_text="E.g. “Board of directors”, “Customers”."
    )
    channel = models.CharField("how", max_length=20, choices=Channel.choices)
    communicator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="planned_communications",
        help_text="The member who communicates it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    audit_exclude = ("updated_at",)
    objects = PlanEntryQuerySet.as_manager()

    class Meta:
        ordering = [models.F("next_due").asc(nulls_last=True), "topic", "pk"]
        verbose_name = "communication plan entry"
        verbose_name_plural = "communication plan entries"

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse(
            "communication_plan_detail",
            kwargs={"org": self.organization.slug, "plan_entry_id": self.pk},
        )

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.next_due is not None and self.next_due < (today or timezone.localdate())

    def due_after(self, communicated_on: dt.date) -> dt.date | None:
        """The next due date once communicated on ``communicated_on``: moved on by the
        frequency from the due date (or, without one, from the communication) until it is
        after the communication; None for a one-off or an on-event entry."""
        months = Frequency(self.frequency).months
        if months is None:
            return None
        start = self.next_due or communicated_on
        steps = 1
        while add_months(start, months * steps) <= communicated_on:
            steps += 1
        return add_months(start, months * steps)


class CommunicationQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def filtered(
        self,
        *,
        q: str | None = None,
        channel: str | None = None,
        plan_entry: int | None = None,
        communicated_by=None,
    ):
        found = _search(self, q, "summary", "audience", "plan_entry__topic")
        if channel:
            found = found.filter(channel=channel)
        if plan_entry:
            found = found.filter(plan_entry__pk=plan_entry)  # out of range: no match, no error
        if communicated_by is not None:
            found = found.filter(communicated_by=communicated_by)
        return found


class Communication(models.Model):
    """A communication made: the log of 7.4."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="communications"
    )
    communicated_on = models.DateField("date", help_text="Not in the future.")
    summary = models.TextField(
        max_length=5_000,
        validators=[MaxLengthValidator(5_000)],
        help_text="What was communicated.",
    )
    audience = models.CharField("with whom", max_length=200)
    channel = models.CharField("how", max_length=20, choices=Channel.choices)
    communicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communications_made",
        verbose_name="by whom",
    )
    plan_entry = models.ForeignKey(
        PlanEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communications",
        verbose_name="planned entry",
        help_text="The plan entry this carries out, if any: its next due date moves on.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    audit_exclude = ("updated_at",)
    objects = CommunicationQuerySet.as_manager()

    class Meta:
        ordering = ["-communicated_on", "-pk"]

    def __str__(self) -> str:
        first = self.summary.strip().splitlines()[0] if self.summary.strip() else "Communication"
        return f"{self.communicated_on:%Y-%m-%d} {first[:80]}"

    def get_absolute_url(self) -> str:
        return reverse(
            "communication_detail",
            kwargs={"org": self.organization.slug, "communication_id": self.pk},
        )
