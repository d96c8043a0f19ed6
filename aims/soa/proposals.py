"""Decisions on controls that need authority, proposed by a Contributor (aims.proposals)."""

from aims.proposals.kinds import ProposalKind

from .models import SoAEntry
from .services import DECISION, update_entry

__all__ = ["DECISION", "decision_kind"]


def _entry(proposal) -> SoAEntry | None:
    return SoAEntry.objects.filter(
        organization_id=proposal.organization_id, pk=proposal.record_id
    ).first()


def _apply(proposal, actor) -> None:
    entry = SoAEntry.objects.get(organization_id=proposal.organization_id, pk=proposal.record_id)
    entry.applicability = proposal.payload["applicability"]
    entry.justification = proposal.payload["justification"]
    update_entry(entry, actor=actor)


def decision_kind() -> ProposalKind:
    return ProposalKind(DECISION, "SoA decision", apply=_apply, record=_entry)
