"""Readiness assessments, their roadmap and the checklist: every change goes through one
function here, inside a transaction, recorded in the change trail.

The life of an assessment: started as a draft with one item per requirement and the data's
proposal for each (:func:`start_assessment`, one transaction, the items made in bulk); each item
confirmed (:func:`confirm_item`, :func:`accept_proposals`) or rated by the assessor with a note
(:func:`rate_item`); then completed (:func:`complete`) once every item is decided. A completed
assessment no longer changes and is not deleted; only a draft is (:func:`delete_assessment`).
One draft at a time per organization.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from aims.catalog.models import Clause, Control
from aims.core.errors import Refused
from aims.evidence.models import Evidence
from aims.organizations.models import Membership
from aims.soa.models import Applicability, SoAEntry
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from . import signals
from .models import (
    ActionStatus,
    Assessment,
    AssessmentItem,
    ChecklistKey,
    ChecklistTick,
    Decision,
    Kind,
    Maturity,
    RoadmapAction,
    Status,
)

UNCHANGED = object()


def _blank(text) -> bool:
    return not (text or "").replace("\x00", "").strip()


def requirement_clauses():
    """The clauses that carry requirements (4.1 to 10.2): those without sub-clauses."""
    return Clause.objects.filter(children__isnull=True, parent__isnull=False).order_by("position")


def assessed_controls(organization):
    """The Annex A controls an assessment rates: all but those the SoA excludes (applicable
    ones, and those not decided yet, which may well apply)."""
    excluded = SoAEntry.objects.for_org(organization).filter(
        applicability=Applicability.EXCLUDED, control__isnull=False
    )
    return (
        Control.objects.exclude(pk__in=excluded.values("control_id"))
        .select_related("objective__parent")
        .order_by("position")
    )


def _check_member(organization, user, field: str) -> None:
    if (
        user is not None
        and not Membership.objects.filter(organization=organization, user=user).exists()
    ):
        raise ValidationError({field: "Choose a member of this organization."})


def _check_date(assessment: Assessment, today: dt.date) -> None:
    if assessment.assessed_on is None:
        raise ValidationError({"assessed_on": "Give the date of the assessment."})
    if assessment.assessed_on > today:
        raise ValidationError(
            {"assessed_on": "An assessment cannot be dated in the future: today or earlier."}
        )


def _waiting_draft(organization, exclude_pk=None) -> Assessment | None:
    return (
        Assessment.objects.for_org(organization).drafts().exclude(pk=exclude_pk).order_by("pk")
    ).first()


@transaction.atomic
def start_assessment(assessment: Assessment, *, actor, today: dt.date | None = None) -> Assessment:
    """Start a draft assessment with one item per requirement and the data's proposal for
    each: the clauses 4.1 to 10.2 and every Annex A control the SoA does not exclude. The
    items are made in bulk, with the current evidence already linked to their clause or SoA
    entry. One draft at a time per organization."""
    today = today or timezone.localdate()
    organization = assessment.organization
    type(organization).objects.select_for_update().filter(pk=organization.pk).exists()
    waiting = _waiting_draft(organization)
    if waiting is not None:
        raise Refused(
            f"“{waiting.title}” is still a draft: continue it, or complete or delete it, "
            "before starting another assessment."
        )
    if assessment.assessed_on is None:
        assessment.assessed_on = today
    _check_date(assessment, today)
    _check_member(organization, assessment.assessor, "assessor")
    if _blank(assessment.title):
        assessment.title = f"Readiness assessment {assessment.assessed_on:%Y-%m-%d}"
    assessment.title = assessment.title.strip()
    assessment.status = Status.DRAFT
    assessment.created_by = actor if getattr(actor, "pk", None) else None
    clauses = list(requirement_clauses())
    controls = list(assessed_controls(organization))
    try:
        with transaction.atomic():
            save_governed(
                assessment,
                actor=actor,
                note=f"With {len(clauses)} clause requirements and {len(controls)} Annex A "
                "controls to rate, each with the level the records suggest.",
            )
    except IntegrityError:
        raise Refused("Another assessment was started at the same moment: reload.") from None
    by_clause, by_control = signals.propose(
        organization, today=today, clauses=clauses, controls=controls
    )
    items = [
        AssessmentItem(
            assessment=assessment,
            kind=Kind.CLAUSE,
            clause=clause,
            position=position,
            proposed_level=by_clause[clause.pk].level,
            proposal_reason=by_clause[clause.pk].reason[:2_000],
        )
        for position, clause in enumerate(clauses)
    ] + [
        AssessmentItem(
            assessment=assessment,
            kind=Kind.CONTROL,
            control=control,
            position=len(clauses) + position,
            proposed_level=by_control[control.pk].level,
            proposal_reason=by_control[control.pk].reason[:2_000],
        )
        for position, control in enumerate(controls)
    ]
    AssessmentItem.objects.bulk_create(items)
    _link_evidence(assessment, clauses, controls, today)
    return assessment


def _link_evidence(assessment: Assessment, clauses, controls, today) -> None:
    found = signals.evidence_links(
        assessment.organization, clauses=clauses, controls=controls, today=today
    )
    if not found:
        return
    ids = {
        (item["kind"], item["clause_id"] or item["control_id"]): item["pk"]
        for item in assessment.items.values("pk", "kind", "clause_id", "control_id")
    }
    through = AssessmentItem.evidence.through
    through.objects.bulk_create(
        [
            through(assessmentitem_id=ids[key], evidence_id=evidence_id)
            for key, evidence in found.items()
            if key in ids
            for evidence_id in dict.fromkeys(evidence)
        ],
        ignore_conflicts=True,
    )


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def _editable(assessment: Assessment) -> None:
    if assessment.status != Status.DRAFT:
        raise Refused(
            f"“{assessment.title}” is completed: it no longer changes. Start a new assessment "
            "to rate the system again."
        )


@transaction.atomic
def save_assessment(assessment: Assessment, *, actor, today: dt.date | None = None) -> Assessment:
    """Change a draft's title, date, assessor or conclusion."""
    today = today or timezone.localdate()
    stored = _locked(assessment)
    _editable(stored)
    for name in ("status", "completed_at", "completed_by_id", "created_by_id", "organization_id"):
        setattr(assessment, name, getattr(stored, name))
    _check_date(assessment, today)
    _check_member(assessment.organization, assessment.assessor, "assessor")
    if _blank(assessment.title):
        raise ValidationError({"title": "Give the assessment a title."})
    return save_governed(assessment, actor=actor)


@transaction.atomic
def delete_assessment(assessment: Assessment, *, actor) -> None:
    """Delete a draft (started by mistake). A completed assessment is kept: it is the record of
    where the system stood."""
    stored = _locked(assessment)
    if stored.status != Status.DRAFT:
        raise Refused(
            f"“{stored.title}” is completed: it is kept as the record of where the AIMS stood "
            "on that date, and is not deleted."
        )
    count = stored.items.count()
    delete_governed(stored, actor=actor, note=f"A draft, with its {count} items.")


def _item_locked(item: AssessmentItem) -> tuple[Assessment, AssessmentItem]:
    assessment = _locked(item.assessment)
    _editable(assessment)
    stored = AssessmentItem.objects.select_related("clause", "control").get(pk=item.pk)
    stored.assessment = assessment
    assessment.organization = item.assessment.organization
    return assessment, stored


def _check_level(level) -> int:
    if isinstance(level, bool) or level not in Maturity.values:
        raise ValidationError({"level": "Choose a level from 0 to 5."})
    return int(level)


@transaction.atomic
def confirm_item(item: AssessmentItem, *, actor) -> AssessmentItem:
    """Take the proposal as the item's level (one click)."""
    _, stored = _item_locked(item)
    if stored.proposed_level is None:
        raise ValidationError({"level": "There is no proposal to confirm: choose a level."})
    stored.level = stored.proposed_level
    stored.decision = Decision.CONFIRMED
    stored.updated_at = timezone.now()
    save_governed(stored, actor=actor, organization=stored.assessment.organization)
    return stored


@transaction.atomic
def rate_item(
    item: AssessmentItem,
    *,
    actor,
    level=UNCHANGED,
    note=UNCHANGED,
    evidence=None,
) -> AssessmentItem:
    """Set an item's level, note or evidence. A level other than the proposal overrides it and
    needs a note saying why; the proposal's own level confirms it."""
    assessment, stored = _item_locked(item)
    if note is not UNCHANGED:
        stored.note = (note or "").strip()
    if level is not UNCHANGED and level is not None:
        stored.level = _check_level(level)
        stored.decision = (
            Decision.CONFIRMED if stored.level == stored.proposed_level else Decision.OVERRIDDEN
        )
    if stored.decision == Decision.OVERRIDDEN and _blank(stored.note):
        proposed = (
            f" (the records suggest {Maturity(stored.proposed_level).label})"
            if stored.proposed_level is not None
            else ""
        )
        raise ValidationError(
            {"note": f"Say why you rate it {Maturity(stored.level).label}{proposed}."}
        )
    m2m = {}
    if evidence is not None:
        evidence = list(evidence)
        if any(e.organization_id != assessment.organization_id for e in evidence):
            raise ValidationError({"evidence": "Evidence must belong to this organization."})
        m2m["evidence"] = evidence
    stored.updated_at = timezone.now()
    save_governed(stored, actor=actor, organization=assessment.organization, m2m=m2m)
    return stored


@transaction.atomic
def accept_proposals(assessment: Assessment, *, actor) -> int:
    """Confirm the proposal of every item still to decide; return how many."""
    stored = _locked(assessment)
    _editable(stored)
    pending = list(stored.items.pending().filter(proposed_level__isnull=False))
    now = timezone.now()
    for item in pending:
        item.level = item.proposed_level
        item.decision = Decision.CONFIRMED
        item.updated_at = now
    AssessmentItem.objects.bulk_update(pending, ["level", "decision", "updated_at"])
    if pending:
        record(
            assessment.organization,
            actor=actor,
            instance=stored,
            action=Action.UPDATE,
            changes={"items confirmed": [0, len(pending)]},
            note="Accepted the proposals of "
            + ", ".join(item.ref for item in _with_refs(pending))[:1_500]
            + ".",
        )
    return len(pending)


def _with_refs(items: list[AssessmentItem]) -> list[AssessmentItem]:
    clauses = dict(Clause.objects.values_list("pk", "ref"))
    controls = dict(Control.objects.values_list("pk", "ref"))
    for item in items:
        item.clause = Clause(pk=item.clause_id, ref=clauses.get(item.clause_id, ""))
        item.control = Control(pk=item.control_id, ref=controls.get(item.control_id, ""))
    return items


@transaction.atomic
def refresh_proposals(assessment: Assessment, *, actor, today: dt.date | None = None) -> int:
    """Read the records again and update every item's proposal; the levels already decided
    stay. Return how many proposals changed."""
    today = today or timezone.localdate()
    stored = _locked(assessment)
    _editable(stored)
    items = list(stored.items.select_related("clause", "control"))
    by_clause, by_control = signals.propose(
        assessment.organization,
        today=today,
        clauses=[i.clause for i in items if i.kind == Kind.CLAUSE],
        controls=[i.control for i in items if i.kind == Kind.CONTROL],
    )
    changed = []
    for item in items:
        found = (
            by_clause[item.clause_id] if item.kind == Kind.CLAUSE else by_control[item.control_id]
        )
        if (item.proposed_level, item.proposal_reason) != (found.level, found.reason[:2_000]):
            item.proposed_level, item.proposal_reason = found.level, found.reason[:2_000]
            changed.append(item)
    AssessmentItem.objects.bulk_update(changed, ["proposed_level", "proposal_reason"])
    if changed:
        record(
            assessment.organization,
            actor=actor,
            instance=stored,
            action=Action.UPDATE,
            changes={"proposals updated": [0, len(changed)]},
            note="The proposals of " + ", ".join(i.ref for i in changed)[:1_500] + " changed.",
        )
    return len(changed)


@transaction.atomic
def complete(assessment: Assessment, *, actor, when=None) -> Assessment:
    """Complete a draft whose every item is decided; it no longer changes."""
    stored = _locked(assessment)
    _editable(stored)
    pending = list(stored.items.pending().select_related("clause", "control")[:6])
    if pending:
        count = stored.items.pending().count()
        refs = ", ".join(item.ref for item in pending[:5]) + (" …" if count > 5 else "")
        raise Refused(
            f"{count} item{'s are' if count != 1 else ' is'} still to decide ({refs}): confirm "
            "the proposals or rate them first."
        )
    stored.status = Status.COMPLETED
    stored.completed_at = when or timezone.now()
    stored.completed_by = actor if getattr(actor, "pk", None) else None
    stored.organization = assessment.organization
    save_governed(stored, actor=actor)
    return stored


# --- The roadmap --------------------------------------------------------------------------------


def _check_action(action: RoadmapAction, today: dt.date) -> None:
    errors = {}
    if _blank(action.title):
        errors["title"] = "Say what will be done."
    if action.item_id is not None:
        item = (
            AssessmentItem.objects.filter(
                pk=action.item_id, assessment__organization_id=action.organization_id
            )
            .values("assessment_id")
            .first()
        )
        if item is None:
            errors["item"] = "Choose a gap of one of this organization's assessments."
        else:
            action.assessment_id = item["assessment_id"]
    elif (
        action.assessment_id is not None
        and not Assessment.objects.filter(
            pk=action.assessment_id, organization_id=action.organization_id
        ).exists()
    ):
        errors["assessment"] = "Choose an assessment of this organization."
    if (
        action.owner_id is not None
        and not Membership.objects.filter(
            organization_id=action.organization_id, user_id=action.owner_id
        ).exists()
    ):
        errors["owner"] = "Choose a member of this organization."
    stored = RoadmapAction.objects.filter(pk=action.pk).values("due_date").first()
    changed = stored is None or stored["due_date"] != action.due_date
    if action.due_date is not None and changed and action.due_date < today:
        errors["due_date"] = "Choose a due date from today on: this one has already passed."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_action(action: RoadmapAction, *, actor, today: dt.date | None = None) -> RoadmapAction:
    """Add or change a roadmap action; its status moves by :func:`mark_done` and
    :func:`reopen_action`."""
    today = today or timezone.localdate()
    if action.pk is not None:
        stored = RoadmapAction.objects.select_for_update().get(pk=action.pk)
        action.status, action.done_on = stored.status, stored.done_on
    else:
        action.status, action.done_on = ActionStatus.OPEN, None
    _check_action(action, today)
    action.title = action.title.strip()
    return save_governed(action, actor=actor)


@transaction.atomic
def mark_done(action: RoadmapAction, *, actor, today: dt.date | None = None) -> RoadmapAction:
    stored = RoadmapAction.objects.select_for_update().get(pk=action.pk)
    if stored.status == ActionStatus.DONE:
        raise Refused(f"“{stored.title}” is already done (on {stored.done_on:%Y-%m-%d}).")
    stored.status = ActionStatus.DONE
    stored.done_on = today or timezone.localdate()
    stored.organization = action.organization
    return save_governed(stored, actor=actor)


@transaction.atomic
def reopen_action(action: RoadmapAction, *, actor) -> RoadmapAction:
    stored = RoadmapAction.objects.select_for_update().get(pk=action.pk)
    if stored.status != ActionStatus.DONE:
        raise Refused(f"“{stored.title}” is open already.")
    stored.status, stored.done_on = ActionStatus.OPEN, None
    stored.organization = action.organization
    return save_governed(stored, actor=actor)


@transaction.atomic
def delete_action(action: RoadmapAction, *, actor) -> None:
    """Delete an open action added by mistake; a done one is kept as the record of the work."""
    stored = RoadmapAction.objects.select_for_update().get(pk=action.pk)
    if stored.status == ActionStatus.DONE:
        raise Refused(f"“{stored.title}” is done: it is kept as the record of the work.")
    stored.organization = action.organization
    delete_governed(stored, actor=actor)


# --- The checklist ------------------------------------------------------------------------------


@transaction.atomic
def tick(organization, key: str, *, actor, ticked: bool = True, note: str) -> ChecklistTick:
    """Tick an item of the checklist by hand (or, ``ticked=False``, mark it not met whatever
    the data says), with a note saying why."""
    if key not in ChecklistKey.values:
        raise ValidationError({"key": f"Unknown checklist item: {key}."})
    if _blank(note):
        raise ValidationError(
            {"note": "Say why you tick it by hand: what shows it is met."}
            if ticked
            else {"note": "Say why it is not met, whatever the records say."}
        )
    found = (
        ChecklistTick.objects.select_for_update().filter(organization=organization, key=key).first()
    )
    found = found or ChecklistTick(organization=organization, key=key)
    found.ticked = bool(ticked)
    found.note = note.strip()
    found.ticked_by = actor if getattr(actor, "pk", None) else None
    found.ticked_at = timezone.now()
    return save_governed(found, actor=actor)


@transaction.atomic
def clear_tick(organization, key: str, *, actor) -> bool:
    """Remove a tick by hand: the item follows the data again. Whether there was one."""
    found = (
        ChecklistTick.objects.select_for_update().filter(organization=organization, key=key).first()
    )
    if found is None:
        return False
    found.organization = organization
    delete_governed(found, actor=actor, note="The item follows the records again.")
    return True


def evidence_choices(organization):
    return Evidence.objects.for_org(organization).order_by("title", "pk")
