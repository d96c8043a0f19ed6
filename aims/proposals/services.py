"""Proposing a change that needs decision authority, and deciding on it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from aims.core.errors import Refused
from aims.organizations.models import Access, Membership
from aims.trail.models import Action
from aims.trail.services import record

from .kinds import kind_of
from .models import Proposal, ProposalStatus

DECIDERS = "an Owner, an AIMS Manager or top management"


def may_decide(organization, user) -> bool:
    membership = Membership.objects.filter(organization=organization, user=user).first()
    return membership is not None and membership.can(Access.DECIDE)


@transaction.atomic
def propose(organization, *, actor, kind: str, record_of, summary: str, payload: dict, reason: str):
    """Record a request for a change ``actor`` may not make alone; those who may decide see it.

    One open proposal of a kind per record: a second is refused, naming the first.
    """
    kind_of(kind)  # a registered kind, or ValueError
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why, for whoever decides."})
    waiting = Proposal.objects.open().filter(
        organization=organization,
        kind=kind,
        record_type=record_of._meta.label_lower,
        record_id=str(record_of.pk),
    )
    if waiting.exists():
        raise Refused(f"A proposal is already waiting for a decision: {waiting.first().summary}.")
    proposal = Proposal.objects.create(
        organization=organization,
        kind=kind,
        record_type=record_of._meta.label_lower,
        record_id=str(record_of.pk),
        record_label=str(record_of)[:300],
        summary=summary[:500],
        payload=payload,
        reason=reason.strip(),
        proposed_by=actor,
    )
    record(
        organization,
        actor=actor,
        instance=proposal,
        action=Action.CREATE,
        changes={"summary": [None, proposal.summary], "status": [None, proposal.status]},
        note=proposal.reason,
    )
    return proposal


def _decide(proposal: Proposal, *, actor, status: str, reason: str) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.is_open:
        raise Refused(f"This proposal is {locked.get_status_display().lower()} already.")
    if not may_decide(locked.organization, actor):
        raise PermissionDenied(f"Only {DECIDERS} decides on a proposal.")
    locked.status, locked.decided_by, locked.decided_at = status, actor, timezone.now()
    locked.decision_reason = (reason or "").strip()
    locked.save()
    record(
        locked.organization,
        actor=actor,
        instance=locked,
        action=Action.DECISION,
        changes={"status": [ProposalStatus.OPEN, status]},
        note=locked.decision_reason,
    )
    return locked


@transaction.atomic
def approve(proposal: Proposal, *, actor, reason: str = "") -> Proposal:
    """Make the proposed change, as ``actor`` (who must have decision authority), and record
    the decision. If the change is refused now (a gate not met, say), nothing is saved and the
    proposal stays open."""
    decided = _decide(proposal, actor=actor, status=ProposalStatus.APPROVED, reason=reason)
    kind_of(decided.kind).apply(decided, actor)
    return decided


@transaction.atomic
def refuse(proposal: Proposal, *, actor, reason: str) -> Proposal:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the proposal is refused."})
    return _decide(proposal, actor=actor, status=ProposalStatus.REFUSED, reason=reason)


@transaction.atomic
def withdraw(proposal: Proposal, *, actor) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.proposed_by_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only whoever proposed it withdraws a proposal.")
    if not locked.is_open:
        raise Refused(f"This proposal is {locked.get_status_display().lower()} already.")
    locked.status = ProposalStatus.WITHDRAWN
    locked.save()
    record(
        locked.organization,
        actor=actor,
        instance=locked,
        action=Action.UPDATE,
        changes={"status": [ProposalStatus.OPEN, ProposalStatus.WITHDRAWN]},
    )
    return locked
