"""Acts of leadership (clause 5.1) this area knows of, for the top-management page: meetings
attended and decisions taken by the committee, and the decisions recorded by the risk register
and by proposals (lower apps, read here), all through the ``involvement`` hook."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from aims.core.areas import Involvement, hooks
from aims.organizations.models import Membership
from aims.proposals.models import Proposal, ProposalStatus
from aims.reminders.rules import organization_items
from aims.risk.models import Risk, RiskAcceptance

from .models import Decision, Meeting

YEAR = dt.timedelta(days=365)  # how far back the top-management page looks
MEETING_ATTENDED = "Meeting attended"
DECISION = "Decision"
RISK_ACCEPTANCE = "Risk acceptance"
APPROVAL = "Approval"
REFUSAL = "Refusal"


def day_of(moment) -> dt.date:
    return timezone.localdate(moment) if isinstance(moment, dt.datetime) else moment


def committee_involvement(organization, since) -> list[Involvement]:
    """Each attendee of a held meeting since ``since``: the meeting, and each decision taken."""
    since = day_of(since)
    meetings = list(
        Meeting.objects.for_org(organization).held_since(since).prefetch_related("attendees")
    )
    decisions = defaultdict(list)
    for decision in Decision.objects.filter(meeting__in=[m.pk for m in meetings]):
        decisions[decision.meeting_id].append(decision)
    found = []
    for meeting in meetings:
        meeting.organization = organization
        url = meeting.get_absolute_url()
        for person in meeting.attendees.all():
            found.append(Involvement(person.pk, meeting.date, MEETING_ATTENDED, meeting.title, url))
            for decision in decisions[meeting.pk]:
                found.append(Involvement(person.pk, meeting.date, DECISION, str(decision), url))
    return found


def risk_involvement(organization, since) -> list[Involvement]:
    """Risk acceptances and treatment plan approvals since ``since``. Moments are compared
    with the start of that day, not as dates: SQLite would convert each row's date-time."""
    since = start_of(day_of(since))
    found = []
    acceptances = RiskAcceptance.objects.filter(
        risk__organization=organization, decided_by__isnull=False, created_at__gte=since
    ).select_related("risk")
    for acceptance in acceptances:
        acceptance.risk.organization = organization
        found.append(
            Involvement(
                acceptance.decided_by_id,
                day_of(acceptance.created_at),
                RISK_ACCEPTANCE,
                f"Accepted {acceptance.risk} until {acceptance.expires_on:%Y-%m-%d}",
                acceptance.risk.get_absolute_url(),
            )
        )
    approved = Risk.objects.for_org(organization).filter(
        plan_approved_by__isnull=False, plan_approved_at__gte=since
    )
    for risk in approved:
        risk.organization = organization
        found.append(
            Involvement(
                risk.plan_approved_by_id,
                day_of(risk.plan_approved_at),
                APPROVAL,
                f"Approved the treatment plan of {risk}",
                risk.get_absolute_url(),
            )
        )
    return found


def proposal_involvement(organization, since) -> list[Involvement]:
    """Proposals approved or refused since ``since`` (from the start of that day)."""
    since = start_of(day_of(since))
    decided = Proposal.objects.for_org(organization).filter(
        status__in=[ProposalStatus.APPROVED, ProposalStatus.REFUSED],
        decided_by__isnull=False,
        decided_at__gte=since,
    )
    found = []
    for proposal in decided:
        proposal.organization = organization
        approved = proposal.status == ProposalStatus.APPROVED
        found.append(
            Involvement(
                proposal.decided_by_id,
                day_of(proposal.decided_at),
                APPROVAL if approved else REFUSAL,
                f"{'Approved' if approved else 'Refused'}: {proposal.summary}",
                proposal.get_absolute_url(),
            )
        )
    return found


@dataclass
class MemberInvolvement:
    """One top-management member's acts over the period: counts by kind, and the dated list."""

    user: object
    items: list[Involvement] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[str, int]]:
        tally: dict[str, int] = defaultdict(int)
        for item in self.items:
            tally[item.kind] += 1
        return sorted(tally.items())


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in the current time zone: hooks compare it with dates and
    with date-times alike."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def top_management_involvement(organization, since: dt.date) -> list[MemberInvolvement]:
    """Every top-management member with what the areas say they did since ``since``.

    Hook functions receive ``since`` as an aware date-time at the start of that day."""
    since = start_of(day_of(since))
    members = Membership.objects.filter(
        organization=organization, is_top_management=True
    ).select_related("user")
    found = {m.user_id: MemberInvolvement(m.user) for m in members}
    for fn in hooks("involvement"):
        for item in fn(organization, since):
            if item.user_id in found:
                found[item.user_id].items.append(item)
    for entry in found.values():
        entry.items.sort(key=lambda item: (day_of(item.when), item.kind, item.title), reverse=True)
    return sorted(
        found.values(), key=lambda e: (e.user.get_full_name() or e.user.get_username()).lower()
    )


def needs_decision(organization, today):
    """What waits for a decision with authority: due items that say so, open proposals and
    risks above appetite without a current acceptance."""
    items = [item for item in organization_items(organization, today) if item.needs_decision]
    proposals = list(
        Proposal.objects.for_org(organization).open().select_related("proposed_by")[:50]
    )
    for proposal in proposals:
        proposal.organization = organization
    matrix = organization.risk_matrix
    risks = list(
        Risk.objects.for_org(organization)
        .needs_decision(matrix)
        .order_by("-current_score_db", "ref")[:50]
    )
    for risk in risks:
        risk.organization = organization
    return {"due_decisions": items, "proposals": proposals, "risks": risks}
