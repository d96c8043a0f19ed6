"""Every change to the communication plan and log: one function each, in a transaction,
recorded in the change trail. Pages, the API and the demo call these."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.organizations.models import Membership
from aims.trail.services import delete_governed, save_governed

from .models import Communication, PlanEntry


def _is_member(organization, user) -> bool:
    return Membership.objects.filter(organization=organization, user=user).exists()


@transaction.atomic
def save_plan_entry(entry: PlanEntry, *, actor, clauses=None, controls=None) -> PlanEntry:
    """Save a communication plan entry (new or changed)."""
    entry.topic = entry.topic.strip()
    entry.audience = entry.audience.strip()
    errors = {}
    if not entry.topic:
        errors["topic"] = "Say what is communicated."
    if not entry.audience:
        errors["audience"] = "Say with whom it is communicated."
    if entry.communicator_id and not _is_member(entry.organization, entry.communicator_id):
        errors["communicator"] = "Choose a member of this organization."
    if errors:
        raise ValidationError(errors)
    m2m = {}
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    entry.updated_at = timezone.now()
    return save_governed(entry, actor=actor, m2m=m2m)


@transaction.atomic
def delete_plan_entry(entry: PlanEntry, *, actor) -> None:
    """Remove a plan entry; communications logged against it stay, unlinked."""
    delete_governed(entry, actor=actor)


@transaction.atomic
def log_communication(
    communication: Communication, *, actor, today: dt.date | None = None
) -> Communication:
    """Record a communication made (new or changed). The date may not be in the future.

    A new communication logged against a plan entry moves the entry's next due date on by its
    frequency (:meth:`PlanEntry.due_after`); a one-off or on-event entry has nothing due after
    it. Changing a logged communication leaves the plan as it is.
    """
    today = today or timezone.localdate()
    org = communication.organization
    communication.audience = communication.audience.strip()
    errors = {}
    if communication.communicated_on is None:
        errors["communicated_on"] = "Say when it was communicated."
    elif communication.communicated_on > today:
        errors["communicated_on"] = (
            f"{communication.communicated_on:%Y-%m-%d} is in the future: log a communication "
            "once it is made. Planned ones belong in the plan."
        )
    if not communication.summary.strip():
        errors["summary"] = "Say what was communicated."
    if not communication.audience:
        errors["audience"] = "Say with whom."
    if communication.communicated_by_id and not _is_member(org, communication.communicated_by_id):
        errors["communicated_by"] = "Choose a member of this organization."
    if communication.plan_entry_id and communication.plan_entry.organization_id != org.pk:
        errors["plan_entry"] = "Choose an entry of this organization's plan."
    if errors:
        raise ValidationError(errors)
    is_new = communication.pk is None
    communication.updated_at = timezone.now()
    save_governed(communication, actor=actor)
    if is_new and communication.plan_entry_id:
        entry = PlanEntry.objects.select_for_update().get(pk=communication.plan_entry_id)
        entry.next_due = entry.due_after(communication.communicated_on)
        entry.updated_at = timezone.now()
        save_governed(
            entry,
            actor=actor,
            note=f"Communicated on {communication.communicated_on:%Y-%m-%d}.",
        )
        communication.plan_entry = entry
    return communication


@transaction.atomic
def delete_communication(communication: Communication, *, actor) -> None:
    """Remove a logged communication (its plan entry's due date is not moved back)."""
    delete_governed(communication, actor=actor)
