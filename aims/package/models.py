"""Certification evidence packages and the keys that sign them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Status(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    REMOVED = "removed", "File removed"  # cleaned up: the record (and its digest) stays


WAITING = (Status.QUEUED, Status.BUILDING)
NOTES = 20_000
QUEUE_NOTICE = dt.timedelta(seconds=30)


class PackageQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def waiting(self):
        return self.filter(status__in=WAITING)


class SigningKey(models.Model):
    """An organization's Ed25519 key pair for signing packages.

    Only the public key is in the database; the private key is a file under the data folder
    (:mod:`aims.package.signing`), so a copy of the database cannot sign a package."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="package_key"
    )
    public_key = models.CharField(max_length=64, help_text="Base64 of the 32-byte key.")
    fingerprint = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Package signing key {self.fingerprint}"


class Package(models.Model):
    """One build of the evidence package: its progress, then its file, digest and signature."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="packages"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=200, blank=True)  # what the worker is doing now
    done = models.PositiveIntegerField(default=0)  # parts written so far
    total = models.PositiveIntegerField(default=0)  # parts to write (known once counted)
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    files = models.PositiveIntegerField(null=True, blank=True)  # files in the manifest
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    key_fingerprint = models.CharField(max_length=40, blank=True)
    # What was left out and why, and why a build failed: written by the app, cut to the bound.
    notes = models.TextField(blank=True, max_length=NOTES, validators=[MaxLengthValidator(NOTES)])
    error = models.TextField(blank=True, max_length=NOTES, validators=[MaxLengthValidator(NOTES)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Renewed with the progress while the worker builds: a build silent for long has stopped.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = ("step", "done", "total", "heartbeat_at")

    objects = PackageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Evidence package {self.pk} of {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("package_list", kwargs={"org": self.organization.slug}) + f"#p{self.pk}"

    @property
    def waiting(self) -> bool:
        return self.status in WAITING

    @property
    def waiting_for_a_worker(self) -> bool:
        """Queued for more than half a minute: is a worker running at all?"""
        return self.status == Status.QUEUED and timezone.now() - self.created_at > QUEUE_NOTICE

    @property
    def percent(self) -> int:
        if self.status == Status.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
