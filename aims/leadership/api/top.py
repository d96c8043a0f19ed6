"""Leadership in the API: top management."""

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema

from aims.api.auth import READ
from aims.api.errors import responses
from aims.api.schemas import username_of

from ..involvement import YEAR, day_of, needs_decision, top_management_involvement
from ..models import (
    CommitteeAction,
)

router = Router()


class DueDecisionOut(Schema):
    title: str
    due: dt.date | None
    kind: str
    url: str


class TopProposalOut(Schema):
    id: int
    summary: str
    proposed_by: str | None
    proposed_at: dt.datetime

    @staticmethod
    def resolve_proposed_by(obj) -> str | None:
        return username_of(obj.proposed_by)


class RiskWaitingOut(Schema):
    ref: str
    title: str
    score: int

    @staticmethod
    def resolve_score(obj) -> int:
        return obj.current_score


class InvolvementOut(Schema):
    when: dt.date
    kind: str
    title: str
    url: str


class MemberInvolvementOut(Schema):
    username: str
    full_name: str
    counts: dict[str, int]
    items: list[InvolvementOut]


class TopManagementOut(Schema):
    since: dt.date
    due_decisions: list[DueDecisionOut]
    proposals: list[TopProposalOut]
    risks: list[RiskWaitingOut]
    overdue_actions: int
    members: list[MemberInvolvementOut]


@router.get(
    "/top-management",
    auth=READ,
    response=responses(200, TopManagementOut),
    summary="What waits for top management, and their involvement over 12 months",
    description="The evidence of leadership and commitment (5.1): decisions waiting, and per "
    "top-management member what they approved, accepted, attended and decided.",
)
def top_management(request):
    today = timezone.localdate()
    since = today - YEAR
    waiting = needs_decision(request.org, today)
    members = [
        {
            "username": entry.user.get_username(),
            "full_name": entry.user.get_full_name(),
            "counts": dict(entry.counts),
            "items": [
                {
                    "when": day_of(item.when),
                    "kind": item.kind,
                    "title": item.title,
                    "url": item.url,
                }
                for item in entry.items
            ],
        }
        for entry in top_management_involvement(request.org, since)
    ]
    return {
        "since": since,
        "due_decisions": waiting["due_decisions"],
        "proposals": waiting["proposals"],
        "risks": waiting["risks"],
        "overdue_actions": CommitteeAction.objects.for_org(request.org).overdue(today).count(),
        "members": members,
    }
