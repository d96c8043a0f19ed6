"""Planned changes: every transition goes through one function here, inside a transaction,
recorded in the change trail.

Who decides: approving or rejecting a change needs decision authority (an Owner, an AIMS Manager
or top management, :func:`aims.proposals.services.may_decide`). A member with that authority may
approve a change they proposed themselves: the decision is theirs to take alone anyway (they may
move the system into deployment alone); the change's page says so ("approved by its proposer"),
and the trail records who approved. Withdrawing is for the proposer or those who manage the AIMS;
implementing, for any contributor, once approved.

Implementing a change (:func:`implement`) changes the system through the inventory's own
services, so the system's last material change moves: the impact assessment and the risk
assessment signed before no longer count, their gate requirements open again, and the open risks
of the register that name the system are due for review on the day of implementation.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.catalog.models import Clause
from aims.core.errors import NeedsAuthority, Refused
from aims.inventory.models import AISystem, Stage
from aims.inventory.services import mark_changed, save_system
from aims.organizations.models import Access, Membership
from aims.proposals.services import DECIDERS, may_decide
from aims.risk.models import Risk, RiskAssessmentSignOff
from aims.risk.services import save_risk
from aims.trail.models import Action
from aims.trail.services import record, save_governed

from .models import Kind, PlannedChange, Status

# The gates whose requirements an implemented change may open again.
GATED_STAGES = (Stage.DEPLOYMENT, Stage.OPERATION)


def _clean_text(value: str) -> str:
    return (value or "").replace("\x00", "").strip()


def validate_change(change: PlannedChange) -> None:
    """What each kind of change needs, by field."""
    errors = {}
    system = change.system
    if system.organization_id != change.organization_id:
        errors["system"] = "The AI system must belong to this organization."
    elif system.stage == Stage.RETIRED:
        errors["system"] = f"“{system.name}” is retired: it no longer changes."
    if not _clean_text(change.description):
        errors["description"] = "Say what changes."
    if not _clean_text(change.reason):
        errors["reason"] = "Say why, and what it may affect."
    if change.kind == Kind.NEW_VERSION:
        change.new_version = _clean_text(change.new_version)
        if not change.new_version:
            errors["new_version"] = "Give the version the system will have, for example 4.3."
        elif change.new_version == system.version:
            errors["new_version"] = f"The system is at version {system.version} already."
    if change.kind == Kind.INTENDED_USE:
        if not _clean_text(change.new_intended_use):
            errors["new_intended_use"] = "Write the intended use the system will have."
        elif _clean_text(change.new_intended_use) == system.intended_use.strip():
            errors["new_intended_use"] = "This is the system's intended use already."
    if errors:
        raise ValidationError(errors)


# What a new planned change addresses unless said otherwise: planning of changes.
DEFAULT_CLAUSES = ("6.3",)


@transaction.atomic
def save_change(change: PlannedChange, *, actor, clauses=None, controls=None) -> PlannedChange:
    """Record a proposed change, or edit one still proposed; ``clauses`` and ``controls`` (None:
    unchanged, or clause 6.3 for a new change) are what it addresses."""
    if change.pk is not None:
        stored = PlannedChange.objects.select_for_update().get(pk=change.pk)
        if stored.status != Status.PROPOSED:
            raise Refused(
                f"This change is {stored.get_status_display().lower()}: only a proposed change "
                "is edited."
            )
        if stored.system_id != change.system_id:
            raise ValidationError({"system": "A change keeps its AI system."})
    else:
        change.status = Status.PROPOSED
        change.proposed_by = actor if getattr(actor, "pk", None) else None
    validate_change(change)
    if change.kind != Kind.NEW_VERSION:
        change.new_version = ""
    if change.kind != Kind.INTENDED_USE:
        change.new_intended_use = ""
    m2m = {}
    if clauses is not None or change.pk is None:
        m2m["clauses"] = (
            clauses if clauses is not None else list(Clause.objects.filter(ref__in=DEFAULT_CLAUSES))
        )
    if controls is not None:
        m2m["controls"] = controls
    return save_governed(change, actor=actor, m2m=m2m)


def _locked(change: PlannedChange) -> PlannedChange:
    return (
        PlannedChange.objects.select_for_update()
        .select_related("system", "organization")
        .get(pk=change.pk)
    )


def _transition(change: PlannedChange, *, actor, to: str, note: str, action=None) -> None:
    before = change.status
    change.status = to
    change.save()
    record(
        change.organization,
        actor=actor,
        instance=change,
        action=action or Action.TRANSITION,
        changes={"status": [before, str(to)]},
        note=note,
    )


def _expect(change: PlannedChange, *allowed: str, doing: str) -> None:
    if change.status not in allowed:
        names = " or ".join(Status(s).label.lower() for s in allowed)
        raise Refused(
            f"This change is {change.get_status_display().lower()}: only a {names} change is "
            f"{doing}."
        )


@transaction.atomic
def approve(change: PlannedChange, *, actor, note: str = "", at=None) -> PlannedChange:
    change = _locked(change)
    _expect(change, Status.PROPOSED, doing="approved")
    if not may_decide(change.organization, actor):
        raise NeedsAuthority(f"Approving a change to an AI system needs {DECIDERS}.")
    change.approved_by, change.approved_at = actor, at or timezone.now()
    own = " (by its proposer)" if change.self_approved else ""
    _transition(
        change,
        actor=actor,
        to=Status.APPROVED,
        action=Action.DECISION,
        note=_clean_text(note)[:500] or f"Approved{own}.",
    )
    return change


@transaction.atomic
def reject(change: PlannedChange, *, actor, reason: str) -> PlannedChange:
    change = _locked(change)
    _expect(change, Status.PROPOSED, doing="rejected")
    if not may_decide(change.organization, actor):
        raise NeedsAuthority(f"Rejecting a change to an AI system needs {DECIDERS}.")
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": "Say why it is rejected, for the proposer."})
    change.closed_by, change.closed_at, change.close_reason = actor, timezone.now(), reason[:2000]
    _transition(change, actor=actor, to=Status.REJECTED, action=Action.DECISION, note=reason[:500])
    return change


def may_withdraw(change: PlannedChange, user) -> bool:
    if change.proposed_by_id is not None and change.proposed_by_id == getattr(user, "pk", None):
        return True
    membership = Membership.objects.filter(
        organization_id=change.organization_id, user=user
    ).first()
    return membership is not None and membership.can(Access.MANAGE)


@transaction.atomic
def withdraw(change: PlannedChange, *, actor, reason: str = "") -> PlannedChange:
    change = _locked(change)
    _expect(change, Status.PROPOSED, Status.APPROVED, doing="withdrawn")
    if not may_withdraw(change, actor):
        raise NeedsAuthority("Only its proposer, an Owner or an AIMS Manager withdraws a change.")
    reason = _clean_text(reason)[:2000]
    change.closed_by, change.closed_at, change.close_reason = actor, timezone.now(), reason
    _transition(change, actor=actor, to=Status.WITHDRAWN, note=reason[:500] or "Withdrawn.")
    return change


def unmet_requirements(system: AISystem) -> dict[str, list[dict]]:
    """The unmet requirements of the gates from deployment on, by stage value."""
    found = {}
    for stage in GATED_STAGES:
        found[str(stage)] = [
            {"code": r.requirement.code, "label": r.label, "detail": r.detail}
            for r in system.gate(stage)
            if not r.met
        ]
    return found


@transaction.atomic
def implement(change: PlannedChange, *, actor, at: dt.datetime | None = None) -> PlannedChange:
    """Make an approved change: update the system (its version or intended use; else record a
    material change), put the open risks naming it up for review today, and keep on the change
    which gate requirements it opened again."""
    change = _locked(change)
    _expect(change, Status.APPROVED, doing="implemented")
    system = AISystem.objects.select_for_update().get(pk=change.system_id)
    validate_change(change)  # the system may have changed since it was approved
    before_gates = unmet_requirements(system)
    signoff_before = RiskAssessmentSignOff.objects.current_for(system)
    fields = {}
    if change.kind == Kind.NEW_VERSION:
        fields["version"] = [system.version, change.new_version]
        system.version = change.new_version
        save_system(system, actor=actor)
    elif change.kind == Kind.INTENDED_USE:
        fields["intended_use"] = [system.intended_use, change.new_intended_use]
        system.intended_use = change.new_intended_use
        save_system(system, actor=actor)
    else:
        system = mark_changed(system, actor=actor, reason=f"Planned change implemented: {change}.")
    system.refresh_from_db()
    today = timezone.localdate(at) if at else timezone.localdate()
    risks = []
    for risk in Risk.objects.open().filter(systems=system).order_by("ref"):
        risks.append(risk.ref)
        if risk.next_review is not None and risk.next_review <= today:
            continue  # due already: an earlier date stays
        risk.next_review = today
        save_risk(risk, actor=actor)
    after_gates = unmet_requirements(system)
    reopened = [
        {"stage": stage, **item}
        for stage, items in after_gates.items()
        for item in items
        if item["code"] not in {i["code"] for i in before_gates.get(stage, [])}
    ]
    signoff_after = RiskAssessmentSignOff.objects.current_for(system)
    change.effects = {
        "fields": fields,
        "risks_due": risks,
        "review_date": today.isoformat(),
        "risk_signoff_lapsed": signoff_before is not None and signoff_after is None,
        "reopened": reopened,
        "unmet": after_gates,
    }
    change.implemented_by, change.implemented_at = actor, at or timezone.now()
    _transition(
        change,
        actor=actor,
        to=Status.IMPLEMENTED,
        note=(
            f"Implemented. Risks due for review: {', '.join(risks) or 'none'}; gate requirements "
            f"opened again: {', '.join(sorted({r['label'] for r in reopened})) or 'none'}."
        )[:500],
    )
    return change
