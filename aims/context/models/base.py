"""What the context records share: field makers, sides, the reviewed-by-date queryset."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

TITLE = 200
TEXT = 20_000


def text_field(verbose_name=None, *, blank=True, help_text="", max_length=TEXT):
    """A long text with its length enforced by validation too (tests/test_input_bounds.py)."""
    return models.TextField(
        verbose_name,
        blank=blank,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        help_text=help_text,
    )


def owner_field():
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A member of the organization who keeps this record up to date.",
    )


def review_field(help_text="When this record is next looked at again."):
    return models.DateField("review date", null=True, blank=True, help_text=help_text)


class Side(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class ReviewedQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def review_overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(review_date__lt=today)
