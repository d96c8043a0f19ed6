"""A person's reminder settings, and the record of each day's digest.

Reminders themselves are not stored: they are what the other areas say falls due (hook ``due``),
worked out again on each page and each digest (see :mod:`aims.reminders.rules`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReminderPreference(models.Model):
    """One person's reminder settings, for every organization they belong to. A person without
    one gets the defaults (the daily digest on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    digest = models.BooleanField(
        "send me the daily digest",
        default=True,
        help_text="One e-mail a day, only when something of yours is overdue or due within a "
        "week, across all your organizations.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        state = "on" if self.digest else "off"
        return f"Reminder settings of {self.user.get_username()} (daily digest {state})"


class Outcome(models.TextChoices):
    SENT = "sent", "Sent"
    NOTHING_DUE = "nothing_due", "Nothing due: not sent"
    FAILED = "failed", "Could not be sent"


class DigestQuerySet(models.QuerySet):
    def on(self, day):
        return self.filter(date=day)


class Digest(models.Model):
    """A person's digest of one day: claimed once (the unique constraint), so two workers never
    send it twice, and a person with nothing due is not looked at again that day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    date = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    items = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DigestQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="one_digest_per_user_per_day")
        ]
        ordering = ["-date", "user_id"]

    def __str__(self) -> str:
        return f"Digest of {self.user_id} on {self.date:%Y-%m-%d}: {self.get_outcome_display()}"
