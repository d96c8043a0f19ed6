"""Continual improvement: every change to the improvement register and the lessons-learned log
goes through one function here, in one transaction, on the change trail. Pages, the API, the
other areas (audits, management reviews, nonconformities, incidents) and the demo call these."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.core.errors import Refused
from aims.organizations.models import Membership, Organization
from aims.trail.services import delete_governed, save_governed

from .models import Improvement, Lesson, LessonSource, Status


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def next_ref(organization) -> str:
    refs = Improvement.objects.filter(organization=organization).values_list("ref", flat=True)
    numbers = [int(r[4:]) for r in refs if r.startswith("IMP-") and r[4:].isdigit()]
    return f"IMP-{(max(numbers, default=0) + 1):03d}"


def _check_links(record, *, names=("system", "incident", "nonconformity")) -> dict[str, str]:
    errors: dict[str, str] = {}
    org_id = record.organization_id
    for name in names:
        if getattr(record, f"{name}_id", None) is None:
            continue
        related = getattr(record, name)
        if related.organization_id != org_id:
            errors[name] = f"The {name} must belong to this organization."
    owner_id = getattr(record, "owner_id", None)
    if (
        owner_id is not None
        and not Membership.objects.filter(organization_id=org_id, user_id=owner_id).exists()
    ):
        errors["owner"] = "Choose a member of this organization."
    return errors


def _validated(record, errors: dict[str, str], *, exclude=()) -> None:
    try:
        record.full_clean(exclude=["organization", "ref", *exclude, *errors])
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)


# --- Improvements ------------------------------------------------------------------------------


@transaction.atomic
def add_improvement(
    organization,
    *,
    title: str,
    description: str,
    source: str,
    actor,
    owner=None,
    due_date: dt.date | None = None,
    incident=None,
    nonconformity=None,
    system=None,
    source_reference: str = "",
    today: dt.date | None = None,
) -> Improvement:
    """Record an opportunity for improvement (proposed) with the next id ("IMP-004"). The
    member who records it is its suggester. Refused (ValidationError by field): links to
    another organization's records, an owner who is not a member, a due date in the past."""
    today = today or timezone.localdate()
    Organization.objects.select_for_update().filter(pk=organization.pk).exists()
    improvement = Improvement(
        organization=organization,
        ref=next_ref(organization),
        title=(title or "").strip(),
        description=(description or "").strip(),
        source=source,
        source_reference=(source_reference or "").strip(),
        owner=owner,
        due_date=due_date,
        incident=incident,
        nonconformity=nonconformity,
        system=system,
        suggested_by=_user(actor),
    )
    errors = _check_links(improvement)
    if due_date is not None and due_date < today:
        errors["due_date"] = "Choose a due date from today on."
    _validated(improvement, errors)
    return save_governed(improvement, actor=actor)


EDITABLE = (
    "title",
    "description",
    "source",
    "source_reference",
    "owner",
    "due_date",
    "system",
    "incident",
    "nonconformity",
)


def _locked(improvement: Improvement) -> Improvement:
    return Improvement.objects.select_for_update().get(pk=improvement.pk)


@transaction.atomic
def update_improvement(improvement: Improvement, *, actor) -> Improvement:
    """Save the edited fields of an improvement (its status and outcome move through
    :func:`move`). A done or rejected one does not change any more."""
    stored = _locked(improvement)
    if not stored.is_open:
        raise Refused(
            f"{stored.ref} is {stored.get_status_display().lower()}: it does not change any more."
        )
    for name in (
        "ref",
        "status",
        "outcome",
        "outcome_measure",
        "outcome_measured_on",
        "rejection_reason",
        "suggested_by_id",
    ):
        setattr(improvement, name, getattr(stored, name))
    errors = _check_links(improvement)
    moved = improvement.due_date != stored.due_date
    if moved and improvement.due_date is not None and improvement.due_date < timezone.localdate():
        errors["due_date"] = "Choose a due date from today on."
    _validated(improvement, errors)
    return save_governed(improvement, actor=actor)


class MoveRefused(Refused):
    """A status change refused, about one field (the API's 409 names it)."""

    def __init__(self, message: str, *, field: str | None = "status"):
        super().__init__(message)
        self.field = field

    def api_errors(self) -> list[dict]:
        return [{"field": self.field, "message": message} for message in self.messages]


def move_refusal(improvement: Improvement, to: str) -> str | None:
    if to not in Status.values:
        return f"“{to}” is not a status of an improvement."
    if to == improvement.status:
        return f"{improvement.ref} is {improvement.get_status_display().lower()} already."
    if not improvement.is_open:
        return (
            f"{improvement.ref} is {improvement.get_status_display().lower()}: "
            "it does not move any more."
        )
    if to not in improvement.next_statuses():
        allowed = ", ".join(Status(s).label.lower() for s in improvement.next_statuses())
        return (
            f"From {improvement.get_status_display().lower()} an improvement can become: {allowed}."
        )
    if to in (Status.PLANNED, Status.IN_PROGRESS) and improvement.owner_id is None:
        return "Name its owner first: someone must carry it out."
    return None


@transaction.atomic
def move(
    improvement: Improvement,
    to: str,
    *,
    actor,
    reason: str = "",
    outcome: str = "",
    outcome_measure: str = "",
    outcome_measured_on: dt.date | None = None,
) -> Improvement:
    """Move an improvement: proposed → planned → in progress → done, or rejected (with the
    reason) from any open status. Done needs the outcome measured: what changed, measured how
    and on which date (not to come)."""
    improvement = _locked(improvement)
    refusal = move_refusal(improvement, to)
    if refusal:
        raise MoveRefused(refusal)
    errors: dict[str, str] = {}
    if to == Status.REJECTED:
        if not (reason or "").strip():
            errors["rejection_reason"] = "Say why it is rejected."
        improvement.rejection_reason = (reason or "").strip()
    if to == Status.DONE:
        if not (outcome or "").strip():
            errors["outcome"] = "Say what changed: done needs the outcome."
        if not (outcome_measure or "").strip():
            errors["outcome_measure"] = "Say how the outcome was measured."
        if outcome_measured_on is None:
            errors["outcome_measured_on"] = "Give the date it was measured."
        elif outcome_measured_on > timezone.localdate():
            errors["outcome_measured_on"] = "The outcome cannot be measured on a date to come."
        improvement.outcome = (outcome or "").strip()
        improvement.outcome_measure = (outcome_measure or "").strip()
        improvement.outcome_measured_on = outcome_measured_on
    improvement.status = to
    _validated(improvement, errors)
    return save_governed(improvement, actor=actor, note=f"Status: {Status(to).label}.")


def deletion_refusal(improvement: Improvement) -> str | None:
    if improvement.status != Status.PROPOSED:
        return (
            f"{improvement.ref} is {improvement.get_status_display().lower()}: it is part of the "
            "register's history and stays. Reject it, with the reason, instead."
        )
    if improvement.lessons.exists():
        return f"A lesson learned names {improvement.ref} as what it led to: it stays."
    return None


@transaction.atomic
def delete_improvement(improvement: Improvement, *, actor) -> None:
    """Delete a proposed improvement recorded by mistake."""
    improvement = _locked(improvement)
    reason = deletion_refusal(improvement)
    if reason:
        raise Refused(reason)
    delete_governed(improvement, actor=actor, note="Recorded by mistake.")


# --- Lessons learned ---------------------------------------------------------------------------


@transaction.atomic
def save_lesson(lesson: Lesson, *, actor) -> Lesson:
    """Record or edit a lesson learned. The member who records it is named; links must be
    records of the organization."""
    if lesson.pk is None:
        lesson.recorded_by = lesson.recorded_by or _user(actor)
    else:
        stored = Lesson.objects.select_for_update().get(pk=lesson.pk)
        lesson.recorded_by_id = stored.recorded_by_id
    errors = _check_links(lesson, names=("incident", "nonconformity", "improvement"))
    if lesson.source not in LessonSource.values:
        errors["source"] = f"Choose one of: {', '.join(LessonSource.values)}."
    if lesson.recorded_on and lesson.recorded_on > timezone.localdate():
        errors["recorded_on"] = "A lesson cannot be recorded on a date to come."
    _validated(lesson, errors, exclude=["recorded_by"])
    return save_governed(lesson, actor=actor)


@transaction.atomic
def add_lesson(
    organization,
    *,
    actor,
    title: str,
    what_happened: str,
    lesson: str,
    source: str = LessonSource.OTHER,
    source_reference: str = "",
    incident=None,
    nonconformity=None,
    improvement=None,
    recorded_on: dt.date | None = None,
) -> Lesson:
    return save_lesson(
        Lesson(
            organization=organization,
            title=(title or "").strip(),
            what_happened=(what_happened or "").strip(),
            lesson=(lesson or "").strip(),
            source=source,
            source_reference=(source_reference or "").strip(),
            incident=incident,
            nonconformity=nonconformity,
            improvement=improvement,
            recorded_on=recorded_on or timezone.localdate(),
        ),
        actor=actor,
    )


@transaction.atomic
def delete_lesson(lesson: Lesson, *, actor) -> None:
    delete_governed(lesson, actor=actor)
