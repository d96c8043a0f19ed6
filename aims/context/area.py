"""Registered by this area: see aims/core/areas.py."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from aims.catalog.links import addresses_requirements
from aims.core.areas import (
    Area,
    DueItem,
    Involvement,
    Measure,
    NavLink,
    SearchKind,
    Section,
    hook,
    register,
)
from aims.organizations.models import Access

from . import dashboard
from .api import PATH_RECORDS
from .models import (
    Addressed,
    Compliance,
    InterestedParty,
    Issue,
    IssueStatus,
    Obligation,
    ScopeStatus,
    ScopeVersion,
    SystemRole,
)


@hook("system_page", order=5)
def system_roles(system, request) -> Section:
    """What the organization is for this system, in ISO/IEC 22989 and EU AI Act terms."""
    role = SystemRole.objects.filter(system=system).first()
    if role is not None:
        role.organization = request.org
        role.system = system
    context = {
        "role": role,
        "system": system,
        "can_contribute": request.membership.can(Access.CONTRIBUTE),
    }
    return Section("context/_system_roles.html", context, column="side", order=5)


def _with(records, organization):
    for record in records:
        record.organization = organization
        yield record


def _people(record) -> frozenset[int]:
    return frozenset({record.owner_id}) if getattr(record, "owner_id", None) else frozenset()


@hook("due")
def due(organization, today) -> list[DueItem]:
    items = []
    for kind, records in (
        (
            "Context issue review",
            Issue.objects.for_org(organization).open().filter(review_date__isnull=False),
        ),
        (
            "Interested party review",
            InterestedParty.objects.for_org(organization).filter(review_date__isnull=False),
        ),
        (
            "Obligation review",
            Obligation.objects.for_org(organization).filter(review_date__isnull=False),
        ),
    ):
        items += [
            DueItem(str(r), r.review_date, r.get_absolute_url(), kind, people=_people(r))
            for r in _with(records, organization)
        ]
    current = ScopeVersion.objects.current(organization)
    if current is not None and current.next_review is not None:
        current.organization = organization
        items.append(
            DueItem(
                f"Review the scope (version {current.number})",
                current.next_review,
                current.get_absolute_url(),
                "Scope review",
                needs_decision=True,
            )
        )
    return items


@hook("involvement")
def scope_approvals(organization, since) -> list[Involvement]:
    versions = ScopeVersion.objects.for_org(organization).filter(
        approved_by__isnull=False, approved_at__gte=since
    )
    return [
        Involvement(
            v.approved_by_id,
            v.approved_at,
            "Approval",
            f"Approved version {v.number} of the AIMS scope",
            v.get_absolute_url(),
        )
        for v in _with(versions, organization)
    ]


def _share(queryset, condition: Q) -> float | None:
    counts = queryset.aggregate(total=Count("pk"), met=Count("pk", filter=condition))
    return round(100 * counts["met"] / counts["total"], 1) if counts["total"] else None


@hook("measures")
def measures() -> list[Measure]:
    return [
        Measure(
            "context.obligations_compliant",
            "Obligations assessed compliant",
            "%",
            lambda org, today: _share(
                Obligation.objects.for_org(org), Q(compliance=Compliance.COMPLIANT)
            ),
        ),
        Measure(
            "context.parties_addressed",
            "Interested parties whose requirements the AIMS addresses",
            "%",
            lambda org, today: _share(
                InterestedParty.objects.for_org(org), Q(addressed=Addressed.ADDRESSED)
            ),
        ),
    ]


@hook("template_values")
def template_values(organization) -> dict[str, str]:
    """``{{ scope }}``: the approved scope as plain text, or the organization's scope text;
    ``{{ scope_version }}``: which version that is, approved when and by whom (empty when no
    version is approved)."""
    current = ScopeVersion.objects.current(organization)
    if current is None:
        return {"scope": organization.scope, "scope_version": ""}
    approved = f"version {current.number}, approved"
    if current.approved_at:
        approved += f" {timezone.localtime(current.approved_at):%Y-%m-%d}"
    if current.approved_by:
        approved += (
            f" by {current.approved_by.get_full_name() or current.approved_by.get_username()}"
        )
    return {"scope": current.as_text(), "scope_version": approved}


hook("dashboard")(dashboard.part)

addresses_requirements(
    Issue, label="Context issues", current=~Q(status=IssueStatus.CLOSED), order=40
)
addresses_requirements(InterestedParty, label="Interested parties", order=41)
addresses_requirements(
    ScopeVersion, label="Scope versions", current=Q(status=ScopeStatus.APPROVED), order=42
)
addresses_requirements(
    Obligation, label="Obligations", current=~Q(compliance=Compliance.NOT_ASSESSED), order=43
)

register(
    Area(
        label="context",
        prefix="context/",
        urls="aims.context.urls",
        nav=(NavLink("Context & scope", "context_overview", "Plan", order=5, icon="compass"),),
        api_router="aims.context.api.router",
        api_path_records=PATH_RECORDS,
        order=35,
    )
)


@hook("search", order=170)
def search_context_issues() -> SearchKind:
    return SearchKind(
        "context_issues",
        "Internal and external issues",
        queryset=lambda organization: Issue.objects.filter(organization=organization),
        ref="ref",
        list_url_name="issue_list",
        order=170,
    )


@hook("search", order=171)
def search_interested_parties() -> SearchKind:
    return SearchKind(
        "interested_parties",
        "Interested parties",
        queryset=lambda organization: InterestedParty.objects.filter(organization=organization),
        fields=("name",),
        list_url_name="party_list",
        order=171,
    )


@hook("search", order=172)
def search_obligations() -> SearchKind:
    return SearchKind(
        "obligations",
        "Obligations",
        queryset=lambda organization: Obligation.objects.filter(organization=organization),
        fields=("title", "reference"),
        describe=str,
        list_url_name="obligation_list",
        order=172,
    )
