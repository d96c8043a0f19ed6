"""Writing and verifying the audit trail, and saving governed records through it.

Every create, update, delete and state change of a governed record goes through
:func:`save_governed`, :func:`delete_governed` or :func:`record`, always inside the caller's
transaction, so the record and its audit event are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from .models import GENESIS_HASH, Action, AuditEvent, Checkpoint, TrailHead, record_type_of


def _plain(value):
    """A JSON-friendly form of a field value, stable across save and reload."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


# Said by the event itself (its record id, organization and time), so not repeated in changes.
ALWAYS_EXCLUDED = ("organization", "created_at", "updated_at")


def snapshot(instance: models.Model) -> dict:
    """Field values of a record, with many-to-many fields as sorted lists of names."""
    data = {}
    skip = {*ALWAYS_EXCLUDED, *getattr(instance, "audit_exclude", ())}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in skip:
            continue
        value = field.value_from_object(instance)
        if field.is_relation and value is not None:
            # A name an auditor can read ("max.manager"), not a database id.
            related = getattr(instance, field.name)
            value = related.get_username() if hasattr(related, "get_username") else str(related)
        data[field.name] = _plain(value)
    if instance.pk:
        for field in instance._meta.many_to_many:
            # Names, not ids: an auditor reads "A.6.2.4 AI system verification and validation".
            data[field.name] = sorted(str(obj) for obj in getattr(instance, field.name).all())
    return data


def diff(before: dict | None, after: dict | None) -> dict:
    before, after = before or {}, after or {}
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = [old, new]
    return changes


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


def record(
    organization: models.Model,
    *,
    actor,
    instance: models.Model,
    action: str,
    changes: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one event to the organization's chain.

    The organization row is locked for the rest of the transaction (on PostgreSQL), so two
    writers never take the same place in the chain; on SQLite writes are serialized anyway and
    the unique (organization, sequence) constraint is the last line of defence.
    """
    with transaction.atomic():
        type(organization).objects.select_for_update().filter(pk=organization.pk).exists()
        last = (
            AuditEvent.objects.filter(organization=organization)
            .order_by("-sequence")
            .values("sequence", "hash")
            .first()
        )
        event = AuditEvent(
            organization=organization,
            sequence=(last["sequence"] + 1) if last else 1,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=_actor_label(actor),
            record_type=record_type_of(instance),
            record_id=str(instance.pk),
            record_label=str(instance)[:300],
            action=action,
            changes=changes or {},
            note=note,
            created_at=timezone.now(),
            previous_hash=last["hash"] if last else GENESIS_HASH,
        )
        event.hash = event.compute_hash()
        event.save()
        TrailHead.objects.update_or_create(
            organization=organization,
            defaults={"sequence": event.sequence, "hash": event.hash, "updated_at": timezone.now()},
        )
        return event


def save_governed(
    instance: models.Model,
    *,
    actor,
    organization: models.Model | None = None,
    m2m: dict | None = None,
    note: str = "",
) -> models.Model:
    """Save a governed record and its many-to-many links, and audit what changed."""
    organization = organization or instance.organization
    with transaction.atomic():
        before = None
        if instance.pk is not None:
            stored = type(instance)._default_manager.filter(pk=instance.pk).first()
            before = snapshot(stored) if stored is not None else None
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        changes = diff(before, snapshot(instance))
        if before is None:
            record(
                organization,
                actor=actor,
                instance=instance,
                action=Action.CREATE,
                changes=changes,
                note=note,
            )
        elif changes:
            record(
                organization,
                actor=actor,
                instance=instance,
                action=Action.UPDATE,
                changes=changes,
                note=note,
            )
    return instance


def delete_governed(instance: models.Model, *, actor, note: str = "") -> None:
    organization = instance.organization
    with transaction.atomic():
        before = snapshot(instance)
        record(
            organization,
            actor=actor,
            instance=instance,
            action=Action.DELETE,
            changes=diff(before, None),
            note=note,
        )
        instance.delete()


@dataclass(frozen=True)
class ChainBreak:
    """Where an organization's chain stops verifying: at ``event``, or (``event`` None) after
    its last event, when newer ones recorded by the head or a checkpoint are missing."""

    organization: models.Model
    event: AuditEvent | None
    reason: str

    def __str__(self) -> str:
        if self.event is None:
            return f"{self.organization.slug}: {self.reason}"
        return (
            f"{self.organization.slug}: event #{self.event.sequence} (id {self.event.pk}, "
            f"{self.event.action} {self.event.record_label!r}) {self.reason}"
        )


def verify_chain(
    organization: models.Model, *, checkpoint_by=None, checkpoint: bool = False
) -> tuple[int, ChainBreak | None]:
    """Recompute an organization's chain; return the events checked and the first break.

    Besides each event's hash and link, the end of the chain is checked against the head
    recorded with the newest event and against the checkpoints of earlier verifications, so
    removing the newest events is named too. With ``checkpoint``, an intact chain's head is
    recorded as a new checkpoint (by ``checkpoint_by``).
    """
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    events = AuditEvent.objects.filter(organization=organization).order_by("sequence")
    for event in events.iterator(chunk_size=2000):
        checked += 1
        if event.sequence != expected_sequence:
            return checked, ChainBreak(
                organization,
                event,
                f"has sequence {event.sequence}, expected {expected_sequence}"
                " (an event is missing)",
            )
        if event.previous_hash != expected_previous:
            return checked, ChainBreak(
                organization, event, "does not point to the hash of the event before it"
            )
        if event.compute_hash() != event.hash:
            return checked, ChainBreak(
                organization, event, "does not match its stored hash (it was altered)"
            )
        expected_previous = event.hash
        expected_sequence += 1
    last = expected_sequence - 1
    chain_break = _end_break(organization, last, expected_previous)
    if chain_break is None and checkpoint and last:
        Checkpoint.objects.create(
            organization=organization,
            sequence=last,
            hash=expected_previous,
            verified_by=checkpoint_by if getattr(checkpoint_by, "pk", None) else None,
        )
    return checked, chain_break


def _end_break(organization, last: int, last_hash: str) -> ChainBreak | None:
    """Whether the chain ends where its head and its checkpoints say it must."""
    ends = f"The chain ends at event #{last}" if last else "The chain has no event"
    head = TrailHead.objects.filter(organization=organization).first()
    if head is not None and head.sequence > last:
        missing = head.sequence - last
        return ChainBreak(
            organization,
            None,
            f"{ends}, but its head records event #{head.sequence} "
            f"({head.updated_at:%Y-%m-%d %H:%M}): the newest {missing} event(s), "
            f"#{last + 1} to #{head.sequence}, are missing",
        )
    if head is not None and head.sequence == last and head.hash != last_hash:
        return ChainBreak(
            organization, None, f"Event #{last} is not the one its head records (it was replaced)"
        )
    point = Checkpoint.objects.filter(organization=organization, sequence__gt=last).first()
    if point is not None:
        return ChainBreak(
            organization,
            None,
            f"{ends}, but it was verified up to event #{point.sequence} on "
            f"{point.verified_at:%Y-%m-%d %H:%M}: events #{last + 1} to #{point.sequence} "
            "are missing",
        )
    at = (
        Checkpoint.objects.filter(organization=organization, sequence__lte=last)
        .exclude(hash__in=AuditEvent.objects.filter(organization=organization).values("hash"))
        .first()
    )
    if at is not None:
        return ChainBreak(
            organization,
            None,
            f"Event #{at.sequence} is not the one verified on {at.verified_at:%Y-%m-%d %H:%M} "
            "(the chain was rewritten from there)",
        )
    return None
