"""Every change to management reviews, their decisions and actions, in one place.

Web pages, the API and the demo call these functions; each runs in a transaction and is recorded
in the change trail. A review moves planned → held → approved:

* :func:`hold_review` needs a chair with decision authority who attended, and at least one
  attendee; it freezes the review's inputs (:mod:`aims.reviews.inputs`) as they are then;
* :func:`approve_review` is for the chair alone, once the review is held and its minutes
  written; after it nothing of the review changes (its actions' progress is still followed).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from aims.catalog.models import Clause
from aims.core.dates import add_months
from aims.core.errors import Refused
from aims.improvement.models import Source as ImprovementSource
from aims.improvement.services import add_improvement
from aims.leadership.models import ACTION_TRANSITIONS
from aims.nonconformities.models import Source as NonconformitySource
from aims.nonconformities.services import raise_nonconformity
from aims.organizations.models import Membership
from aims.trail.services import delete_governed, save_governed

from .inputs import freeze_inputs
from .models import (
    REVIEW_INTERVAL_MONTHS,
    ActionStatus,
    DecisionKind,
    ManagementReview,
    ReviewAction,
    ReviewDecision,
    ReviewStatus,
)

DEFAULT_CLAUSES = ("9.3",)
APPROVED_NO_CHANGE = (
    "The minutes of this review are approved: an approved review is kept as it was and does "
    "not change."
)


# --- Who may take part --------------------------------------------------------------------------


def _non_members(organization, users) -> list:
    ids = {user.pk for user in users}
    members = set(
        Membership.objects.filter(organization=organization, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    return [user for user in users if user.pk not in members]


def chair_refusal(organization, chair) -> str | None:
    """Why ``chair`` may not chair a review of ``organization``; None when they may."""
    if chair is None:
        return None
    membership = Membership.objects.filter(organization=organization, user=chair).first()
    if membership is None:
        return "The chair must be a member of this organization."
    if not membership.has_authority:
        return (
            "The chair approves the minutes for top management: choose an Owner, an AIMS "
            "Manager or a member of top management."
        )
    return None


def top_management_ids(organization) -> set[int]:
    """The members who count as top management (Membership.is_top_management), the same rule
    the top-management page uses (clause 5.1)."""
    return set(
        Membership.objects.filter(organization=organization, is_top_management=True).values_list(
            "user_id", flat=True
        )
    )


def next_review_due(last_held: ManagementReview | None) -> dt.date | None:
    """When the next review is due: twelve months after the last one held (None: never held,
    so one is due now)."""
    if last_held is None or last_held.held_on is None:
        return None
    return add_months(last_held.held_on, REVIEW_INTERVAL_MONTHS)


# --- Reviews ------------------------------------------------------------------------------------


def _check_people(review: ManagementReview, attendees, errors: dict) -> None:
    reason = chair_refusal(review.organization, review.chair)
    if reason:
        errors["chair"] = reason
    if attendees is not None:
        outside = _non_members(review.organization, list(attendees))
        if outside:
            names = ", ".join(u.get_username() for u in outside)
            errors["attendees"] = f"Not a member of this organization: {names}."


@transaction.atomic
def save_review(
    review: ManagementReview,
    *,
    actor,
    attendees=None,
    clauses=None,
    controls=None,
    today: dt.date | None = None,
) -> ManagementReview:
    """Create or update a review. Its status moves only through :func:`hold_review` and
    :func:`approve_review`; an approved review is refused. A new review addresses 9.3."""
    today = today or timezone.localdate()
    stored = ManagementReview.objects.select_for_update().filter(pk=review.pk).first()
    if stored is not None:
        if stored.status == ReviewStatus.APPROVED:
            raise Refused(APPROVED_NO_CHANGE)
        if stored.status != review.status:
            raise Refused("A review is held and approved with its own buttons, not by editing.")
    elif review.status != ReviewStatus.PLANNED:
        raise Refused("A new review is planned; hold it once it has taken place.")
    errors: dict[str, str] = {}
    review.title = (review.title or "").strip()
    for name in ("guests", "agenda", "minutes"):  # a browser's textarea sends CRLF
        setattr(review, name, (getattr(review, name) or "").replace("\r\n", "\n"))
    if not review.title:
        errors["title"] = "Give the review a title."
    if review.planned_on is None:
        errors["planned_on"] = "Give the date the review is planned for."
    _check_people(review, attendees, errors)
    if review.is_held:
        if review.held_on is None:
            errors["held_on"] = "Give the day the review was held."
        elif review.held_on > today:
            errors["held_on"] = "A review cannot have been held in the future."
        if attendees is not None and not list(attendees):
            errors["attendees"] = "A held review keeps its attendees: name at least one."
    if errors:
        raise ValidationError(errors)
    m2m = {}
    if attendees is not None:
        m2m["attendees"] = list(attendees)
    if clauses is not None:
        m2m["clauses"] = list(clauses)
    elif stored is None:
        m2m["clauses"] = list(Clause.objects.filter(ref__in=DEFAULT_CLAUSES))
    if controls is not None:
        m2m["controls"] = list(controls)
    return save_governed(review, actor=actor, m2m=m2m)


def deletion_refusal(review: ManagementReview) -> str | None:
    if review.is_held:
        return "A review that was held is a record of the AIMS: it is kept."
    return None


@transaction.atomic
def delete_review(review: ManagementReview, *, actor) -> None:
    """Delete a planned review recorded by mistake; a held one is kept."""
    reason = deletion_refusal(review)
    if reason:
        raise Refused(reason)
    delete_governed(review, actor=actor)


def hold_refusal(review: ManagementReview, *, held_on, chair, attendees, today) -> dict:
    """What stops ``review`` being held with these details, by field (empty when nothing)."""
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Give the day the review was held."
    elif held_on > today:
        errors["held_on"] = (
            "A review is marked held once it has taken place: give today's date or earlier."
        )
    if not attendees:
        errors["attendees"] = (
            "Record who attended: a management review cannot be held without attendees."
        )
    if chair is None:
        errors["chair"] = "Name the chair, who approves the minutes."
    else:
        reason = chair_refusal(review.organization, chair)
        if reason:
            errors["chair"] = reason
        elif attendees and chair.pk not in {user.pk for user in attendees}:
            errors["chair"] = "The chair must be among the attendees."
    if attendees:
        outside = _non_members(review.organization, list(attendees))
        if outside:
            names = ", ".join(u.get_username() for u in outside)
            errors["attendees"] = f"Not a member of this organization: {names}."
    return errors


@transaction.atomic
def hold_review(
    review: ManagementReview,
    *,
    actor,
    held_on: dt.date | None = None,
    chair=None,
    attendees=None,
    guests: str | None = None,
    request=None,
    today: dt.date | None = None,
) -> ManagementReview:
    """Mark a planned review held, with who attended (members, and guests by name), and freeze
    its inputs as they are now. Details not given keep the review's own."""
    today = today or timezone.localdate()
    review = ManagementReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.PLANNED:
        raise Refused(
            f"This review is already {review.get_status_display().lower()}: it is held once."
        )
    held_on = held_on or today
    chair = chair if chair is not None else review.chair
    attendees = list(attendees) if attendees is not None else list(review.attendees.all())
    errors = hold_refusal(review, held_on=held_on, chair=chair, attendees=attendees, today=today)
    if errors:
        raise ValidationError(errors)
    review.status = ReviewStatus.HELD
    review.held_on = held_on
    review.chair = chair
    if guests is not None:
        review.guests = guests.strip()
    review.inputs_since, review.inputs = freeze_inputs(review, request=request, actor=actor)
    review.inputs_compiled_at = timezone.now()
    return save_governed(
        review, actor=actor, m2m={"attendees": attendees}, note="Held; its inputs are frozen."
    )


@transaction.atomic
def approve_review(review: ManagementReview, *, actor, now=None) -> ManagementReview:
    """The chair approves the minutes of a held review; it counts for clause 9.3 for twelve
    months after it was held, and changes no more."""
    now = now or timezone.now()
    review = ManagementReview.objects.select_for_update().get(pk=review.pk)
    if review.status == ReviewStatus.APPROVED:
        raise Refused("The minutes of this review are already approved.")
    if review.status != ReviewStatus.HELD:
        raise Refused("Only the minutes of a review that was held can be approved: hold it first.")
    if review.chair_id is None:
        raise Refused("This review has no chair: name its chair before approving the minutes.")
    if getattr(actor, "pk", None) != review.chair_id:
        raise PermissionDenied("Only the chair of the review approves its minutes.")
    if not review.minutes.strip():
        raise Refused("Write the minutes before approving them.")
    review.status = ReviewStatus.APPROVED
    review.approved_by = actor
    review.approved_at = now
    review.current_until = add_months(review.held_on, REVIEW_INTERVAL_MONTHS)
    return save_governed(review, actor=actor, note="Minutes approved by the chair.")


# --- Outputs: decisions and actions -------------------------------------------------------------


def _outputs_refusal(review: ManagementReview, what: str) -> str | None:
    if review.status == ReviewStatus.APPROVED:
        return APPROVED_NO_CHANGE
    if review.status != ReviewStatus.HELD:
        return f"{what} are recorded once the review was held: hold it first."
    return None


@transaction.atomic
def save_decision(decision: ReviewDecision, *, actor) -> ReviewDecision:
    """Record a decision of a held review, or change its wording, until the minutes are
    approved."""
    review = ManagementReview.objects.select_for_update().get(pk=decision.review_id)
    if review.organization_id != decision.organization_id:
        raise ValidationError({"review": "The review must belong to this organization."})
    reason = _outputs_refusal(review, "Decisions")
    if reason:
        raise Refused(reason)
    errors = {}
    decision.text = (decision.text or "").strip()
    if not decision.text:
        errors["text"] = "Write the decision."
    if decision.kind not in DecisionKind.values:
        errors["kind"] = "Say what the decision is about."
    if errors:
        raise ValidationError(errors)
    return save_governed(decision, actor=actor)


@transaction.atomic
def save_action(action: ReviewAction, *, actor, today: dt.date | None = None) -> ReviewAction:
    """Create or update an action of a review.

    New actions are given while the review is held (before its minutes are approved). After
    approval the action is still followed up (its owner, due date, status and outcome change)
    but what was asked stays. A new (or changed) due date may not be in the past; a status
    change follows :data:`ACTION_TRANSITIONS`; done gets a done date, today unless given.
    """
    today = today or timezone.localdate()
    review = ManagementReview.objects.get(pk=action.review_id)
    stored = ReviewAction.objects.select_for_update().filter(pk=action.pk).first()
    if review.organization_id != action.organization_id:
        raise ValidationError({"review": "The review must belong to this organization."})
    if stored is None:
        reason = _outputs_refusal(review, "Actions")
        if reason:
            raise Refused(reason)
    elif review.is_approved and stored.title != action.title:
        raise Refused(
            "The review's minutes are approved: what the action asks stays as decided. Its "
            "owner, due date, status and outcome can still change."
        )
    errors = {}
    action.title = (action.title or "").strip()
    if not action.title:
        errors["title"] = "Say what is to be done."
    if action.owner is not None and _non_members(action.organization, [action.owner]):
        errors["owner"] = "The owner must be a member of this organization."
    due_changed = stored is None or stored.due_date != action.due_date
    if action.due_date is not None and due_changed and action.due_date < today:
        errors["due_date"] = (
            f"The due date {action.due_date:%Y-%m-%d} is in the past; choose today or later."
        )
    if stored is not None and stored.status != action.status:
        if action.status not in ACTION_TRANSITIONS[ActionStatus(stored.status)]:
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


def _follow_up_refusal(decision: ReviewDecision, linked: str) -> str | None:
    review = decision.review
    if review.status == ReviewStatus.APPROVED:
        return (
            "The minutes of this review are approved: raise it from its register, naming the "
            "review."
        )
    if review.status != ReviewStatus.HELD:
        return "Hold the review first."
    if getattr(decision, f"{linked}_id"):
        return f"This decision already has its {linked.replace('_', ' ')}."
    return None


def _summary(text: str, length: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


@transaction.atomic
def raise_nonconformity_from(
    decision: ReviewDecision, *, actor, severity: str, owner=None, title: str = ""
):
    """A decision of a held review finds a requirement not met: raise a nonconformity (source
    "review") and link the two (the nonconformity's page names the review)."""
    decision = (
        ReviewDecision.objects.select_for_update().select_related("review").get(pk=decision.pk)
    )
    reason = _follow_up_refusal(decision, "nonconformity")
    if reason:
        raise Refused(reason)
    review = decision.review
    nonconformity = raise_nonconformity(
        review.organization,
        title=(title or "").strip() or _summary(decision.text, 200),
        description=f"{decision.text}\n\nRaised by the management review “{review.title}” "
        f"held on {review.held_on:%Y-%m-%d}.",
        source=NonconformitySource.REVIEW,
        severity=severity,
        actor=actor,
        owner=owner,
    )
    decision.nonconformity = nonconformity
    save_governed(decision, actor=actor, note=f"Raised {nonconformity.ref}.")
    return nonconformity


@transaction.atomic
def add_improvement_from(
    decision: ReviewDecision, *, actor, owner=None, due_date=None, title: str = ""
):
    """A decision of a held review on an improvement opportunity: add it to the improvement
    register (source "review") and link the two."""
    decision = (
        ReviewDecision.objects.select_for_update().select_related("review").get(pk=decision.pk)
    )
    reason = _follow_up_refusal(decision, "improvement")
    if reason:
        raise Refused(reason)
    review = decision.review
    improvement = add_improvement(
        review.organization,
        title=(title or "").strip() or _summary(decision.text, 200),
        description=decision.text,
        source=ImprovementSource.REVIEW,
        source_reference=f"Management review “{_summary(review.title, 120)}” "
        f"({review.held_on:%Y-%m-%d})",
        actor=actor,
        owner=owner,
        due_date=due_date,
    )
    decision.improvement = improvement
    save_governed(decision, actor=actor, note=f"Added {improvement.ref}.")
    return improvement
