import hashlib
import json

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    TRANSITION = "transition", "Status changed"  # a life-cycle stage, a record's status
    DECISION = "decision", "Decision recorded"
    ACCESS = "access", "Access changed"


GENESIS_HASH = "0" * 64


class AuditEventQuerySet(models.QuerySet):
    def for_record(self, instance):
        return self.filter(record_type=record_type_of(instance), record_id=str(instance.pk))


class AuditEvent(models.Model):
    """One entry of an organization's append-only, hash-chained audit trail.

    Each event stores the hash of the one before it in the same organization, so altering,
    removing or reordering a stored event breaks the chain from that point on.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="audit_events"
    )
    sequence = models.PositiveBigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=150)
    record_type = models.CharField(max_length=100, db_index=True)
    record_id = models.CharField(max_length=64, db_index=True)
    record_label = models.CharField(max_length=300)
    action = models.CharField(max_length=20, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True, max_length=10_000, validators=[MaxLengthValidator(10_000)])
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sequence"], name="one_event_per_sequence"
            )
        ]
        indexes = [models.Index(fields=["organization", "-sequence"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.record_label}"

    def payload(self) -> dict:
        """The fields the hash covers, in a canonical form."""
        return {
            "organization": self.organization_id,
            "sequence": self.sequence,
            "actor": self.actor_label,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "record_label": self.record_label,
            "action": self.action,
            "changes": self.changes,
            "note": self.note,
            "created_at": self.created_at.isoformat(),
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def record_type_label(self) -> str:
        return record_type_label(self.record_type)


def record_type_of(instance) -> str:
    return instance._meta.label_lower


def record_type_label(record_type: str) -> str:
    """The model's own name for a record type: "inventory.aisystem" reads "AI system"."""
    try:
        name = str(apps.get_model(record_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return record_type.split(".")[-1].capitalize()
    return name[0].upper() + name[1:]


class TrailHead(models.Model):
    """The newest event of an organization's chain, written in the same transaction as that event.

    The chain itself shows an event altered, removed or reordered in the middle; the head shows
    the newest events removed: the chain then ends before the sequence its head records.
    """

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="trail_head"
    )
    sequence = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"head #{self.sequence}"


class Checkpoint(models.Model):
    """A head the chain was verified at (``aims audit verify``, the verify page).

    Kept apart from the head, so a verification later finds events missing below a checkpoint
    even if the head was rewritten too.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="trail_checkpoints"
    )
    sequence = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    verified_at = models.DateTimeField(default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sequence", "-verified_at"]
        indexes = [models.Index(fields=["organization", "-sequence"])]

    def __str__(self) -> str:
        return f"verified at #{self.sequence}"
