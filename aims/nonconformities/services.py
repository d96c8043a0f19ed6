"""Nonconformities and corrective actions: every change goes through one function here, in one
transaction, on the change trail. Pages, the API, the other areas (audits, management reviews)
and the demo all call these.

The status moves only here (see the diagram in ``models.py``): adding or reopening an action
puts it in progress; the last open action done (or cancelled, one at least done) makes it await
its effectiveness review; the review makes it effective, or reopens it; closing needs effective.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.catalog.links import resolve_requirements
from aims.core.errors import Refused
from aims.organizations.models import Membership, Organization
from aims.trail.services import delete_governed, save_governed

from .models import (
    MAX_WHYS,
    WHY_MAX_LENGTH,
    ActionStatus,
    CorrectiveAction,
    EffectivenessReview,
    Nonconformity,
    Severity,
    Source,
    Status,
    Verdict,
)


class NotAllowedNow(Refused):
    """A refusal about one field of the request (the API's 409 names it): closing without the
    effectiveness review, say."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field

    def api_errors(self) -> list[dict]:
        return [{"field": self.field, "message": message} for message in self.messages]


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def next_ref(organization) -> str:
    refs = Nonconformity.objects.filter(organization=organization).values_list("ref", flat=True)
    numbers = [int(r[3:]) for r in refs if r.startswith("NC-") and r[3:].isdigit()]
    return f"NC-{(max(numbers, default=0) + 1):03d}"


def is_member(organization, user) -> bool:
    return Membership.objects.filter(organization=organization, user=user).exists()


def clean_whys(steps) -> list[dict]:
    """The five whys as stored: up to five {"why", "because"} steps, empty ones dropped, each
    part bounded. A ValidationError on ``whys`` says what is wrong."""
    if steps in (None, ""):
        return []
    if not isinstance(steps, (list, tuple)):
        raise ValidationError({"whys": "Give the five whys as a list of why/because steps."})
    cleaned = []
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            raise ValidationError({"whys": f"Step {number}: give a why and a because."})
        why = str(step.get("why") or "").strip()
        because = str(step.get("because") or "").strip()
        if "\x00" in why or "\x00" in because:
            raise ValidationError({"whys": "Remove the null character; it cannot be stored."})
        if len(why) > WHY_MAX_LENGTH or len(because) > WHY_MAX_LENGTH:
            raise ValidationError(
                {"whys": f"Step {number}: use at most {WHY_MAX_LENGTH} characters per part."}
            )
        if why or because:
            if not (why and because):
                raise ValidationError(
                    {"whys": f"Step {number}: give both the why and its because."}
                )
            cleaned.append({"why": why, "because": because})
    if len(cleaned) > MAX_WHYS:
        raise ValidationError({"whys": f"Give at most {MAX_WHYS} why/because steps."})
    return cleaned


def _check_links(nc: Nonconformity) -> dict[str, str]:
    errors: dict[str, str] = {}
    org_id = nc.organization_id
    for name in ("system", "check_definition", "incident", "concern"):
        related = getattr(nc, name) if getattr(nc, f"{name}_id") else None
        if related is not None and related.organization_id != org_id:
            errors[name] = (
                f"The {name.replace('_definition', '')} must belong to this organization."
            )
    for name in ("owner",):
        user = getattr(nc, name) if getattr(nc, f"{name}_id") else None
        if user is not None and not is_member(nc.organization, user):
            errors[name] = "Choose a member of this organization."
    if nc.source not in Source.values:
        errors["source"] = f"Choose one of: {', '.join(Source.values)}."
    if nc.severity not in Severity.values:
        errors["severity"] = f"Choose one of: {', '.join(Severity.values)}."
    return errors


def _catalog(clauses, controls) -> dict:
    """The clauses and controls given as records or ids ("8.2", "A.6.2.4"), for the m2m."""
    clauses, controls = list(clauses or ()), list(controls or ())
    refs_of = (
        [c for c in clauses if isinstance(c, str)],
        [c for c in controls if isinstance(c, str)],
    )
    by_ref = resolve_requirements(*refs_of) if any(refs_of) else ([], [])
    return {
        "clauses": [c for c in clauses if not isinstance(c, str)] + by_ref[0],
        "controls": [c for c in controls if not isinstance(c, str)] + by_ref[1],
    }


@transaction.atomic
def raise_nonconformity(
    organization,
    *,
    title: str,
    description: str,
    source: str,
    severity: str,
    actor,
    owner=None,
    system=None,
    check=None,
    incident=None,
    concern=None,
    clauses=(),
    controls=(),
    containment: str = "",
    raised_on: dt.date | None = None,
) -> Nonconformity:
    """Record a nonconformity (status open) with the next id of the organization ("NC-007").

    ``clauses`` and ``controls`` are the requirements not met: catalog records, or their ids
    ("8.2", "A.6.2.4"). Refused (ValidationError by field): links to another organization's
    records, an owner who is not a member, an unknown source or severity, a date to come.
    """
    # Lock the organization's row so two raised at once never take the same id.
    Organization.objects.select_for_update().filter(pk=organization.pk).exists()
    nc = Nonconformity(
        organization=organization,
        ref=next_ref(organization),
        title=(title or "").strip(),
        description=(description or "").strip(),
        source=source,
        severity=severity,
        owner=owner,
        raised_by=_user(actor),
        raised_on=raised_on or timezone.localdate(),
        system=system,
        check_definition=check,
        incident=incident,
        concern=concern,
        containment=(containment or "").strip(),
    )
    errors = _check_links(nc)
    if nc.raised_on > timezone.localdate():
        errors["raised_on"] = "A nonconformity cannot be raised on a date to come."
    try:
        nc.full_clean(exclude=["organization", "ref", *errors])
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return save_governed(nc, actor=actor, m2m=_catalog(clauses, controls))


def _refuse_if_closed(nc: Nonconformity) -> None:
    if nc.status == Status.CLOSED:
        raise NotAllowedNow(
            f"{nc.ref} is closed: its handling is history and does not change. A new "
            "occurrence is a new nonconformity.",
            field="status",
        )


def _locked(nc: Nonconformity) -> Nonconformity:
    return Nonconformity.objects.select_for_update().get(pk=nc.pk)


# Fields a person may edit on an open nonconformity (the rest move through the services).
EDITABLE = (
    "title",
    "description",
    "severity",
    "owner",
    "system",
    "incident",
    "concern",
    "containment",
    "whys",
    "root_cause",
    "similar_elsewhere",
)


@transaction.atomic
def update_nonconformity(
    nc: Nonconformity, *, actor, clauses=None, controls=None, note: str = ""
) -> Nonconformity:
    """Save the edited fields of a nonconformity (its reaction, root cause, links...). Its
    status, id, source and dates are not edited here. Refused once closed."""
    stored = _locked(nc)
    _refuse_if_closed(stored)
    for field in (
        "ref",
        "source",
        "status",
        "raised_by_id",
        "raised_on",
        "closed_on",
        "closed_by_id",
        "check_definition_id",
    ):
        setattr(nc, field, getattr(stored, field))
    nc.whys = clean_whys(nc.whys)
    errors = _check_links(nc)
    try:
        nc.full_clean(exclude=["organization", "ref", "whys", *errors])
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    m2m = {}
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    return save_governed(nc, actor=actor, m2m=m2m, note=note)


def _set_status(nc: Nonconformity, status: str, *, actor, note: str) -> Nonconformity:
    if nc.status != status:
        nc.status = status
        save_governed(nc, actor=actor, note=note or f"Status: {Status(status).label}.")
    return nc


def _settle(nc: Nonconformity, *, actor, note: str = "") -> Nonconformity:
    """After an action changed: in progress while one is open; awaiting its effectiveness
    review once none is open and one at least is done; open when every one is cancelled."""
    actions = CorrectiveAction.objects.filter(nonconformity=nc)
    if actions.open().exists():
        return _set_status(nc, Status.IN_PROGRESS, actor=actor, note=note)
    if actions.done().exists():
        return _set_status(nc, Status.REVIEW, actor=actor, note=note)
    return _set_status(nc, Status.OPEN, actor=actor, note=note)


def _check_action(action: CorrectiveAction, organization) -> None:
    errors = {}
    if action.owner_id and not is_member(organization, action.owner):
        errors["owner"] = "Choose a member of this organization."
    try:
        action.full_clean(exclude=["nonconformity", "organization", "created_by", *errors])
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_action(
    nc: Nonconformity,
    *,
    actor,
    title: str,
    owner,
    due_date: dt.date,
    description: str = "",
    today: dt.date | None = None,
) -> CorrectiveAction:
    """Add a corrective action (open, with its owner and due date); the nonconformity is then in
    progress (an effectiveness review made before no longer counts)."""
    today = today or timezone.localdate()
    nc = _locked(nc)
    _refuse_if_closed(nc)
    action = CorrectiveAction(
        nonconformity=nc,
        organization_id=nc.organization_id,
        title=(title or "").strip(),
        description=(description or "").strip(),
        owner=owner,
        due_date=due_date,
        created_by=_user(actor),
    )
    if owner is None:
        raise ValidationError({"owner": "Name the member who carries the action out."})
    if due_date is not None and due_date < today:
        raise ValidationError({"due_date": "Choose a due date from today on."})
    _check_action(action, nc.organization)
    save_governed(action, actor=actor, organization=nc.organization)
    _settle(nc, actor=actor, note=f"Corrective action added: {action.title}.")
    return action


def _locked_action(action: CorrectiveAction) -> tuple[CorrectiveAction, Nonconformity]:
    nc = _locked(action.nonconformity)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    action.nonconformity = nc
    return action, nc


@transaction.atomic
def update_action(
    action: CorrectiveAction,
    *,
    actor,
    title: str | None = None,
    description: str | None = None,
    owner=None,
    due_date: dt.date | None = None,
) -> CorrectiveAction:
    """Change an open action's title, details, owner or due date (None keeps a value)."""
    action, nc = _locked_action(action)
    _refuse_if_closed(nc)
    if not action.is_open:
        raise NotAllowedNow(
            f"This action is {action.get_status_display().lower()}: reopen it to change it.",
            field="status",
        )
    if title is not None:
        action.title = title.strip()
    if description is not None:
        action.description = description.strip()
    if owner is not None:
        action.owner = owner
    if due_date is not None:
        action.due_date = due_date
    _check_action(action, nc.organization)
    return save_governed(action, actor=actor, organization=nc.organization)


@transaction.atomic
def complete_action(
    action: CorrectiveAction, *, actor, note: str, done_on: dt.date | None = None
) -> CorrectiveAction:
    """Mark an action done, saying what was done. The last one done makes the nonconformity
    await its effectiveness review."""
    action, nc = _locked_action(action)
    _refuse_if_closed(nc)
    done_on = done_on or timezone.localdate()
    if not action.is_open:
        raise NotAllowedNow(
            f"This action is already {action.get_status_display().lower()}.", field="status"
        )
    if not (note or "").strip():
        raise ValidationError({"note": "Say what was done."})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "An action cannot be done on a date to come."})
    action.status = ActionStatus.DONE
    action.done_on = done_on
    action.note = note.strip()
    _check_action(action, nc.organization)
    save_governed(action, actor=actor, organization=nc.organization, note="Done.")
    _settle(nc, actor=actor, note=f"Corrective action done: {action.title}.")
    return action


@transaction.atomic
def cancel_action(action: CorrectiveAction, *, actor, reason: str) -> CorrectiveAction:
    """Drop an action that is no longer needed, with the reason."""
    action, nc = _locked_action(action)
    _refuse_if_closed(nc)
    if not action.is_open:
        raise NotAllowedNow(
            f"This action is already {action.get_status_display().lower()}.", field="status"
        )
    if not (reason or "").strip():
        raise ValidationError({"note": "Say why the action is cancelled."})
    action.status = ActionStatus.CANCELLED
    action.note = reason.strip()
    _check_action(action, nc.organization)
    save_governed(action, actor=actor, organization=nc.organization, note="Cancelled.")
    _settle(nc, actor=actor, note=f"Corrective action cancelled: {action.title}.")
    return action


@transaction.atomic
def reopen_action(action: CorrectiveAction, *, actor, reason: str = "") -> CorrectiveAction:
    """Reopen a done or cancelled action (it was not finished after all); the nonconformity is
    back in progress."""
    action, nc = _locked_action(action)
    _refuse_if_closed(nc)
    if action.is_open:
        raise NotAllowedNow("This action is open already.", field="status")
    action.status = ActionStatus.OPEN
    action.done_on = None
    if reason.strip():
        action.note = reason.strip()
    _check_action(action, nc.organization)
    save_governed(action, actor=actor, organization=nc.organization, note="Reopened.")
    _settle(nc, actor=actor, note=f"Corrective action reopened: {action.title}.")
    return action


def review_refusal(nc: Nonconformity, reviewer) -> str | None:
    """Why ``reviewer`` may not review the effectiveness of ``nc`` now; None when they may."""
    if nc.status == Status.CLOSED:
        return f"{nc.ref} is closed."
    if nc.status == Status.EFFECTIVE:
        return "Its effectiveness was confirmed already: it can be closed."
    if nc.status != Status.REVIEW:
        actions = nc.actions.all()
        if not actions.exists():
            return "Add corrective actions first: effectiveness is reviewed once they are done."
        if actions.open().exists():
            return (
                "Effectiveness is reviewed after the corrective actions are done: mark each "
                "open action done or cancelled first."
            )
        return (
            "The last effectiveness review found the actions not effective: add new corrective "
            "actions, and review again once they are done."
        )
    owners = set(nc.actions.exclude(owner=None).values_list("owner_id", flat=True))
    if getattr(reviewer, "pk", None) in owners:
        return (
            "You own one of its corrective actions: the effectiveness review must be done by "
            "someone who owns none of them."
        )
    if getattr(reviewer, "pk", None) is None:
        return "An effectiveness review is made by a member."
    return None


@transaction.atomic
def review_effectiveness(
    nc: Nonconformity,
    *,
    actor,
    verdict: str,
    evidence: str,
    reviewed_on: dt.date | None = None,
) -> EffectivenessReview:
    """Record whether the corrective actions worked, with the evidence of why. Effective makes
    the nonconformity ready to close; not effective reopens it (it needs new actions)."""
    nc = _locked(nc)
    reason = review_refusal(nc, actor)
    if reason:
        field = "reviewer" if nc.status == Status.REVIEW else "status"
        raise NotAllowedNow(reason, field=field)
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "Choose effective or not effective."})
    if not (evidence or "").strip():
        raise ValidationError({"evidence": "Give the evidence of why: what was looked at."})
    reviewed_on = reviewed_on or timezone.localdate()
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": "A review cannot be dated in the future."})
    review = EffectivenessReview(
        nonconformity=nc,
        organization_id=nc.organization_id,
        verdict=verdict,
        evidence=evidence.strip(),
        reviewer=actor,
        reviewed_on=reviewed_on,
    )
    review.full_clean(exclude=["nonconformity", "organization", "reviewer"])
    save_governed(review, actor=actor, organization=nc.organization)
    if verdict == Verdict.EFFECTIVE:
        _set_status(nc, Status.EFFECTIVE, actor=actor, note="Effectiveness confirmed.")
    else:
        _set_status(
            nc,
            Status.OPEN,
            actor=actor,
            note="Reopened: the corrective actions were not effective; new ones are needed.",
        )
    return review


def closure_refusal(nc: Nonconformity) -> str | None:
    """Why ``nc`` may not be closed now; None when it may. It may once every action is done or
    cancelled (one at least done) and an effectiveness review since confirmed it worked."""
    if nc.status == Status.CLOSED:
        return f"{nc.ref} is closed already."
    actions = nc.actions.all()
    open_count = actions.open().count()
    if open_count:
        return (
            f"{open_count} corrective action{'s are' if open_count > 1 else ' is'} still open: "
            "every action must be done or cancelled, and the effectiveness review must confirm "
            "they worked, before it can be closed."
        )
    if not actions.done().exists():
        return (
            "No corrective action is done: a nonconformity is closed only once actions removed "
            "its cause and an effectiveness review confirmed it."
        )
    if nc.status == Status.REVIEW:
        return (
            "Its effectiveness has not been reviewed: someone who owns none of its actions "
            "must confirm they worked before it can be closed."
        )
    if nc.status != Status.EFFECTIVE:
        return (
            "The last effectiveness review found the actions not effective: add new corrective "
            "actions; it can be closed once they are done and found effective."
        )
    return None


@transaction.atomic
def close_nonconformity(nc: Nonconformity, *, actor, today: dt.date | None = None):
    """Close a nonconformity whose effectiveness was confirmed (:func:`closure_refusal`)."""
    nc = _locked(nc)
    reason = closure_refusal(nc)
    if reason:
        field = "actions" if nc.actions.open().exists() else "effectiveness_review"
        if nc.status == Status.CLOSED:
            field = "status"
        raise NotAllowedNow(reason, field=field)
    nc.status = Status.CLOSED
    nc.closed_on = today or timezone.localdate()
    nc.closed_by = _user(actor)
    return save_governed(nc, actor=actor, note="Closed.")


def deletion_refusal(nc: Nonconformity) -> str | None:
    if nc.status != Status.OPEN or nc.actions.exists() or nc.reviews.exists():
        return (
            f"{nc.ref} has corrective actions or reviews: its handling is governed history and "
            "stays. Only an open nonconformity raised by mistake, with no action, may be deleted."
        )
    if nc.run_notes.exists():
        return f"{nc.ref} was raised by a failed check run: it stays, as the record of it."
    return None


@transaction.atomic
def delete_nonconformity(nc: Nonconformity, *, actor) -> None:
    """Delete a nonconformity raised by mistake (open, no action, no review, not from a run)."""
    nc = _locked(nc)
    reason = deletion_refusal(nc)
    if reason:
        raise Refused(reason)
    delete_governed(nc, actor=actor, note="Raised by mistake.")
