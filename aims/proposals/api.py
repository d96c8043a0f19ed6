"""Proposals: changes that need decision authority, and the decisions on them."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from aims.api.auth import DECIDE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, api_choices, text_of, username_of

from . import services
from .kinds import proposal_kinds
from .models import Proposal
from .models import ProposalStatus as _ProposalStatus

ProposalStatus = api_choices("ProposalStatus", _ProposalStatus)

router = Router(tags=["Proposals"])


class ProposalOut(Schema):
    id: int
    kind: str = Field(description="What kind of change: inventory.transition, soa.decision, …")
    kind_label: str
    summary: str
    record_type: str
    record_label: str
    payload: dict
    reason: str
    proposed_by: str | None
    proposed_at: dt.datetime
    status: ProposalStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        kind = proposal_kinds().get(obj.kind)
        return kind.label if kind else obj.kind

    @staticmethod
    def resolve_proposed_by(obj) -> str | None:
        return username_of(obj.proposed_by)

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return username_of(obj.decided_by)


class ProposalFilters(Schema):
    status: ProposalStatus | None = Field(None, description="Only proposals in this status.")


class ProposalDecisionIn(InputSchema):
    reason: text_of(Proposal, "decision_reason") = Field("", description="Why; required to refuse.")


def get_proposal(request, proposal_id: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.for_org(request.org).select_related("proposed_by", "decided_by"),
        pk=proposal_id,
    )


@router.get(
    "/proposals",
    auth=READ,
    response=responses(200, list[ProposalOut], 422),
    summary="List proposals",
    description="Newest first; `status=open` lists those waiting for a decision.",
)
@paginate(Page)
def list_proposals(request, filters: Query[ProposalFilters]):
    proposals = Proposal.objects.for_org(request.org).select_related("proposed_by", "decided_by")
    if filters.status:
        proposals = proposals.filter(status=filters.status)
    return proposals


@router.get(
    "/proposals/{proposal_id}",
    auth=READ,
    response=responses(200, ProposalOut, 404),
    summary="Read a proposal",
)
def read_proposal(request, proposal_id: int):
    return get_proposal(request, proposal_id)


@router.post(
    "/proposals/{proposal_id}/approve",
    auth=DECIDE,
    response=responses(200, ProposalOut, 403, 404, 409, *BODY_ERRORS),
    summary="Approve a proposal",
    description="Makes the proposed change in your name, with every rule that applies to it; "
    "409 when the proposal was decided already or a rule refuses the change now (the "
    "proposal then stays open). Needs authority: an Owner, an AIMS Manager or top management.",
)
def approve_proposal(request, proposal_id: int, payload: ProposalDecisionIn):
    proposal = get_proposal(request, proposal_id)
    return services.approve(proposal, actor=request.user, reason=payload.reason)


@router.post(
    "/proposals/{proposal_id}/refuse",
    auth=DECIDE,
    response=responses(200, ProposalOut, 403, 404, 409, *BODY_ERRORS),
    summary="Refuse a proposal",
    description="Records the refusal with its reason (required); nothing else changes.",
)
def refuse_proposal(request, proposal_id: int, payload: ProposalDecisionIn):
    proposal = get_proposal(request, proposal_id)
    return services.refuse(proposal, actor=request.user, reason=payload.reason)
