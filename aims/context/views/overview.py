"""The overview of the context of the organization: where each of the four records stands."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from aims.core.dashboard import tallies
from aims.inventory.models import AISystem
from aims.organizations.access import org_view

from ..models import (
    Addressed,
    Compliance,
    InterestedParty,
    Issue,
    IssueStatus,
    Obligation,
    ScopeVersion,
    SystemRole,
)
from .common import tabs
from .scope import current_scope


def _by(queryset, field: str) -> dict[str, int]:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))


@org_view()
def context_overview(request):
    org = request.org
    today = timezone.localdate()
    issues = Issue.objects.for_org(org)
    parties = InterestedParty.objects.for_org(org)
    obligations = Obligation.objects.for_org(org)
    issue_counts = issues.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status=IssueStatus.CLOSED)),
        internal=Count("pk", filter=Q(side="internal")),
        overdue=Count("pk", filter=Q(review_date__lt=today) & ~Q(status=IssueStatus.CLOSED)),
    )
    party_counts = parties.aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(review_date__lt=today))
    )
    obligation_counts = obligations.aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(review_date__lt=today))
    )
    context = {
        "tabs": tabs(request, "overview"),
        "current": current_scope(org),
        "draft": ScopeVersion.objects.for_org(org).drafts().first(),
        "issues": issue_counts,
        "parties": party_counts,
        "party_addressed": tallies(_by(parties, "addressed"), Addressed.choices),
        "obligations": obligation_counts,
        "compliance": tallies(_by(obligations, "compliance"), Compliance.choices),
        "roles": SystemRole.objects.for_org(org).count(),
        "systems_without_roles": AISystem.objects.for_org(org)
        .filter(context_role__isnull=True)
        .count(),
        "today": today,
    }
    return render(request, "context/overview.html", context)
