"""Stage changes that need decision authority, proposed by a Contributor (aims.proposals)."""

from aims.proposals.kinds import ProposalKind

from .models import AISystem, Stage
from .services import TRANSITION, move_to_stage

__all__ = ["TRANSITION", "transition_kind"]


def _system(proposal) -> AISystem | None:
    return AISystem.objects.filter(
        organization_id=proposal.organization_id, pk=proposal.record_id
    ).first()


def _apply(proposal, actor) -> None:
    system = AISystem.objects.get(organization_id=proposal.organization_id, pk=proposal.record_id)
    proposer = proposal.proposed_by.get_username() if proposal.proposed_by else "a removed user"
    reason = f"{proposal.reason} (proposed by {proposer})"
    if proposal.decision_reason:
        reason += f"; approved: {proposal.decision_reason}"
    move_to_stage(system, to_stage=Stage(proposal.payload["to_stage"]), actor=actor, reason=reason)


def transition_kind() -> ProposalKind:
    return ProposalKind(TRANSITION, "Stage change", apply=_apply, record=_system)
