"""Every change to roles, the RACI matrix and the committee's records, in one place.

Web pages, the API and the demo call these functions; each runs in a transaction and is recorded
in the change trail.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.core.errors import Refused
from aims.organizations.models import Membership
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from .models import (
    ACTION_TRANSITIONS,
    ActionStatus,
    Activity,
    AIMSRole,
    Assignment,
    CommitteeAction,
    Decision,
    Letter,
    Meeting,
    MeetingStatus,
)

# What a new organization's RACI matrix starts with: the usual activities of an AIMS.
STANDARD_ACTIVITIES = [
    ("Set the AI policy", "Write, approve and review the AI policy and its objectives (5.2)."),
    (
        "Approve AI systems for deployment",
        "Decide whether an AI system may go into use, once its gates are met.",
    ),
    ("Assess AI risks", "Identify, analyse and evaluate AI risks, and plan their treatment."),
    (
        "Run AI system impact assessments",
        "Assess the consequences of AI systems for people and society (6.1.4).",
    ),
    (
        "Validate models",
        "Check that a model does what it is meant to, fairly and reliably, before use.",
    ),
    ("Monitor models in operation", "Follow performance, drift and complaints once deployed."),
    ("Handle AI incidents", "Record, investigate and learn from incidents and near misses."),
    (
        "Manage AI suppliers",
        "Choose and oversee providers of models, data and AI services (A.10).",
    ),
    ("Run internal audits", "Plan and carry out internal audits of the AIMS (9.2)."),
    ("Hold the management review", "Review the AIMS with top management at planned intervals."),
    ("Train and build competence", "Make sure people in AIMS roles have the skills they need."),
    (
        "Communicate about the AIMS",
        "Decide what is said about AI, to whom and when, inside and outside.",
    ),
]


def set_up_activities(organization) -> None:
    """Give a new organization the standard activities (inside its creation's transaction)."""
    if Activity.objects.filter(organization=organization).exists():
        return
    Activity.objects.bulk_create(
        Activity(organization=organization, name=name, description=description, position=n)
        for n, (name, description) in enumerate(STANDARD_ACTIVITIES, start=1)
    )


def _non_members(organization, users) -> list:
    ids = {user.pk for user in users}
    members = set(
        Membership.objects.filter(organization=organization, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    return [user for user in users if user.pk not in members]


def _require_members(organization, users, *, field: str) -> None:
    outside = _non_members(organization, [u for u in users if u is not None])
    if outside:
        names = ", ".join(u.get_username() for u in outside)
        raise ValidationError({field: f"Not a member of this organization: {names}."})


def _unique_name(model, instance, *, field: str = "name", what: str) -> None:
    value = getattr(instance, field).strip()
    if not value:
        raise ValidationError({field: "Give it a name."})
    taken = model.objects.filter(
        organization_id=instance.organization_id, **{f"{field}__iexact": value}
    ).exclude(pk=instance.pk)
    if taken.exists():
        raise ValidationError({field: f"The organization already has {what} of that name."})
    setattr(instance, field, value)


# --- Roles ------------------------------------------------------------------------------------


@transaction.atomic
def save_role(role: AIMSRole, *, actor, holders=None, clauses=None, controls=None) -> AIMSRole:
    """Create or update an AIMS role; its holders must be members of the organization."""
    _unique_name(AIMSRole, role, what="a role")
    m2m = {}
    if holders is not None:
        _require_members(role.organization, list(holders), field="holders")
        m2m["holders"] = list(holders)
    if clauses is not None:
        m2m["clauses"] = list(clauses)
    if controls is not None:
        m2m["controls"] = list(controls)
    return save_governed(role, actor=actor, m2m=m2m)


@transaction.atomic
def delete_role(role: AIMSRole, *, actor) -> None:
    """Delete a role; its cells of the RACI matrix go with it (the trail keeps both)."""
    for cell in role.assignments.select_related("activity"):
        _record_cell(cell.activity, actor, str(role), cell.letter, "")
    delete_governed(role, actor=actor)


# --- The RACI matrix --------------------------------------------------------------------------


@transaction.atomic
def save_activity(activity: Activity, *, actor) -> Activity:
    _unique_name(Activity, activity, what="an activity")
    if activity.pk is None and not activity.position:
        last = (
            Activity.objects.filter(organization_id=activity.organization_id)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        activity.position = (last or 0) + 1
    return save_governed(activity, actor=actor)


@transaction.atomic
def delete_activity(activity: Activity, *, actor) -> None:
    delete_governed(activity, actor=actor)


def _record_cell(activity: Activity, actor, holder: str, old: str, new: str) -> None:
    record(
        activity.organization,
        actor=actor,
        instance=activity,
        action=Action.UPDATE,
        changes={f"RACI: {holder}": [old or None, new or None]},
    )


@transaction.atomic
def set_cell(
    activity: Activity, *, actor, letter: str, role=None, person=None
) -> Assignment | None:
    """Set one cell of the RACI matrix: ``letter`` (R, A, C or I) for ``role`` or ``person``
    on ``activity``; an empty letter clears the cell. Returns the cell, or None when cleared."""
    if (role is None) == (person is None):
        raise ValidationError({"role": "Name either an AIMS role or a person, not both."})
    letter = (letter or "").strip().upper()
    if letter and letter not in Letter.values:
        raise ValidationError({"letter": "Choose R, A, C, I or nothing."})
    if role is not None and role.organization_id != activity.organization_id:
        raise ValidationError({"role": "The role must belong to this organization."})
    if person is not None:
        _require_members(activity.organization, [person], field="person")
    holder = {"role": role} if role is not None else {"person": person}
    cell = Assignment.objects.select_for_update().filter(activity=activity, **holder).first()
    old = cell.letter if cell else ""
    if old == letter:
        return cell
    label = str(role) if role is not None else (person.get_full_name() or person.get_username())
    if not letter:
        cell.delete()
        cell = None
    elif cell is None:
        cell = Assignment.objects.create(activity=activity, letter=letter, **holder)
    else:
        cell.letter = letter
        cell.save(update_fields=["letter"])
    _record_cell(activity, actor, label, old, letter)
    return cell


@transaction.atomic
def set_row(activity: Activity, *, actor, cells) -> None:
    """Set several cells of one activity at once: ``cells`` is ``[(role, person, letter)]``."""
    for role, person, letter in cells:
        set_cell(activity, actor=actor, letter=letter, role=role, person=person)


# --- The governance committee -------------------------------------------------------------------


@transaction.atomic
def save_meeting(
    meeting: Meeting, *, actor, attendees=None, today: dt.date | None = None
) -> Meeting:
    """Create or update a committee meeting. Attendees are members; a meeting is held on or
    before today."""
    today = today or timezone.localdate()
    errors = {}
    if not (meeting.title or "").strip():
        errors["title"] = "Give the meeting a title."
    if meeting.date is None:
        errors["date"] = "Give the meeting's date."
    elif meeting.status == MeetingStatus.HELD and meeting.date > today:
        errors["status"] = "A meeting dated in the future cannot have been held yet."
    if errors:
        raise ValidationError(errors)
    m2m = {}
    if attendees is not None:
        _require_members(meeting.organization, list(attendees), field="attendees")
        m2m["attendees"] = list(attendees)
    return save_governed(meeting, actor=actor, m2m=m2m)


@transaction.atomic
def delete_meeting(meeting: Meeting, *, actor) -> None:
    """Delete a meeting recorded by mistake; refused once it has decisions or actions, which
    are governance records to keep."""
    decisions, actions = meeting.decisions.count(), meeting.actions.count()
    if decisions or actions:
        raise Refused(
            f"This meeting has {decisions} decision(s) and {actions} action(s) recorded: "
            "it is kept as a record of the committee's work."
        )
    delete_governed(meeting, actor=actor)


@transaction.atomic
def save_decision(decision: Decision, *, actor) -> Decision:
    """Record a decision of a held meeting, or change its wording or links."""
    meeting = decision.meeting
    if meeting.organization_id != decision.organization_id:
        raise ValidationError({"meeting": "The meeting must belong to this organization."})
    if not meeting.is_held:
        raise Refused(
            "Decisions are recorded for a meeting that was held: mark the meeting held first."
        )
    if not (decision.text or "").strip():
        raise ValidationError({"text": "Write the decision."})
    for field in ("system", "risk"):
        linked = getattr(decision, field)
        if linked is not None and linked.organization_id != decision.organization_id:
            raise ValidationError({field: "It must belong to this organization."})
    return save_governed(decision, actor=actor)


@transaction.atomic
def save_action(action: CommitteeAction, *, actor, today: dt.date | None = None) -> CommitteeAction:
    """Create or update a committee action.

    A new action's due date may not be in the past; a changed one neither (an unchanged past
    date stays). A status change follows :data:`ACTION_TRANSITIONS`; done needs a done date, on
    or before today, which it gets (today) when none is given.
    """
    today = today or timezone.localdate()
    stored = CommitteeAction.objects.select_for_update().filter(pk=action.pk).first()
    errors = {}
    if action.meeting.organization_id != action.organization_id:
        errors["meeting"] = "The meeting must belong to this organization."
    if not (action.title or "").strip():
        errors["title"] = "Say what is to be done."
    if action.owner is not None and _non_members(action.organization, [action.owner]):
        errors["owner"] = "The owner must be a member of this organization."
    due_changed = stored is None or stored.due_date != action.due_date
    if action.due_date is not None and due_changed and action.due_date < today:
        errors["due_date"] = (
            f"The due date {action.due_date:%Y-%m-%d} is in the past; choose today or later."
        )
    if stored is not None and stored.status != action.status:
        allowed = ACTION_TRANSITIONS[ActionStatus(stored.status)]
        if action.status not in allowed:
            raise Refused(
                f"A {stored.get_status_display().lower()} action cannot become "
                f"{ActionStatus(action.status).label.lower()}; reopen it first."
            )
    elif stored is None and action.status != ActionStatus.OPEN:
        errors["status"] = "A new action is open."
    if action.status == ActionStatus.DONE:
        action.done_on = action.done_on or today
        if action.done_on > today:
            errors["done_on"] = "The done date cannot be in the future."
    else:
        action.done_on = None
    if errors:
        raise ValidationError(errors)
    return save_governed(action, actor=actor)
