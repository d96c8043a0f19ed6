"""Approvals of treatment plans, asked for by a Contributor (aims.proposals)."""

from aims.core.errors import Refused
from aims.proposals.kinds import ProposalKind

from .models import Risk
from .services import PLAN_APPROVAL, approve_treatment_plan

__all__ = ["PLAN_APPROVAL", "plan_approval_kind"]


def _risk(proposal) -> Risk | None:
    return Risk.objects.filter(
        organization_id=proposal.organization_id, pk=proposal.record_id
    ).first()


def _apply(proposal, actor) -> None:
    risk = Risk.objects.get(organization_id=proposal.organization_id, pk=proposal.record_id)
    if (risk.treatment, risk.treatment_plan) != (
        proposal.payload.get("treatment"),
        proposal.payload.get("treatment_plan"),
    ):
        raise Refused(
            f"The treatment plan of {risk.ref} changed since the approval was asked for: "
            "refuse this proposal and ask again for the plan as it is now."
        )
    approve_treatment_plan(risk, actor=actor, note=f"Treatment plan approved: {proposal.summary}.")


def plan_approval_kind() -> ProposalKind:
    return ProposalKind(PLAN_APPROVAL, "Treatment plan approval", apply=_apply, record=_risk)
