"""The context area's share of the route-walking and query-count tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.context.models import (
    AIRole,
    InterestedParty,
    Issue,
    IssueCategory,
    Obligation,
    ObligationKind,
    PartyKind,
    ScopeStatus,
    ScopeVersion,
    Side,
    SystemRole,
)
from aims.context.services import (
    approve_scope,
    save_issue,
    save_obligation,
    save_party,
    save_scope_draft,
    save_system_role,
)
from aims.inventory.models import AISystem
from aims.organizations.models import Access
from aims.risk.models import Risk

LIST_PAGES = ["issue_list", "party_list", "obligation_list", "scope_list", "role_list"]


def make(world, records) -> dict:
    org = world.org
    system = records["objects"]["system"]
    risk = records["objects"]["risk"]
    issue = save_issue(
        Issue(
            organization=org,
            title="New consumer-protection rules",
            description="The regulator expects fair outcomes.",
            side=Side.EXTERNAL,
            category=IssueCategory.LEGAL,
            effect="Monitoring of outcomes per customer group.",
            owner=world.manager,
            review_date=timezone.localdate() + dt.timedelta(days=30),
        ),
        actor=world.owner,
        risks=[risk],
    )
    party = save_party(
        InterestedParty(
            organization=org,
            name="Loan applicants",
            kind=PartyKind.CUSTOMERS,
            needs="Fair and explainable decisions.",
        ),
        actor=world.owner,
    )
    obligation = save_obligation(
        Obligation(
            organization=org,
            kind=ObligationKind.REGULATION,
            title="Human oversight",
            reference="EU AI Act Art. 14",
        ),
        actor=world.owner,
        systems=[system],
    )
    approved = save_scope_draft(
        ScopeVersion(organization=org, statement="Credit scoring in Leeds."),
        actor=world.owner,
        systems=[system],
    )
    approve_scope(approved, actor=world.manager)
    draft = save_scope_draft(
        ScopeVersion(organization=org, statement="Credit scoring in Leeds and Glasgow."),
        actor=world.contributor,
        systems=[system],
    )
    role = save_system_role(
        SystemRole(organization=org, system=system, iso_roles=[AIRole.PRODUCER]),
        actor=world.owner,
    )
    ids = {
        "issue_id": issue.pk,
        "party_id": party.pk,
        "obligation_id": obligation.pk,
        "scope_version_id": draft.pk,
        "system_role_id": role.pk,
    }
    return {
        **ids,
        "api": dict(ids),
        "objects": {
            "issue": issue,
            "party": party,
            "obligation": obligation,
            "scope_approved": approved,
            "scope_draft": draft,
            "system_role": role,
        },
    }


def seed(world, n: int) -> None:
    """``n`` more of each record, with their links, in a few queries."""
    org = world.org
    start = Issue.objects.filter(organization=org).count()
    today = timezone.localdate()
    systems = AISystem.objects.bulk_create(
        AISystem(
            organization=org,
            name=f"Context system {start + i}",
            slug=f"context-system-{start + i}",
            purpose="Seeded.",
        )
        for i in range(n)
    )
    risks = Risk.objects.bulk_create(
        Risk(
            organization=org,
            ref=f"CX-{start + i}",
            title=f"Risk {start + i}",
            category="legal",
            inherent_likelihood=2,
            inherent_impact=3,
        )
        for i in range(n)
    )
    issues = Issue.objects.bulk_create(
        Issue(
            organization=org,
            ref=f"ISS-{start + i + 100:04d}",
            title=f"Issue {start + i}",
            side=Side.EXTERNAL if i % 2 else Side.INTERNAL,
            category=IssueCategory.values[i % len(IssueCategory.values)],
            owner=world.manager,
            review_date=today - dt.timedelta(days=i % 5),
        )
        for i in range(n)
    )
    Issue.risks.through.objects.bulk_create(
        Issue.risks.through(issue_id=issue.pk, risk_id=risk.pk)
        for issue, risk in zip(issues, risks, strict=True)
    )
    InterestedParty.objects.bulk_create(
        InterestedParty(
            organization=org,
            name=f"Party {start + i}",
            kind=PartyKind.values[i % len(PartyKind.values)],
            owner=world.manager,
            review_date=today - dt.timedelta(days=i % 5),
        )
        for i in range(n)
    )
    obligations = Obligation.objects.bulk_create(
        Obligation(
            organization=org,
            kind=ObligationKind.CONTRACT,
            title=f"Obligation {start + i}",
            reference=f"Contract {start + i}",
            owner=world.owner,
            review_date=today - dt.timedelta(days=i % 5),
        )
        for i in range(n)
    )
    Obligation.systems.through.objects.bulk_create(
        Obligation.systems.through(obligation_id=o.pk, aisystem_id=s.pk)
        for o, s in zip(obligations, systems, strict=True)
    )
    top = ScopeVersion.objects.filter(organization=org).order_by("-number").first()
    number = top.number if top else 0
    versions = ScopeVersion.objects.bulk_create(
        ScopeVersion(
            organization=org,
            number=number + i + 1,
            status=ScopeStatus.SUPERSEDED,
            statement=f"Scope {number + i + 1}",
            author=world.owner,
            approved_by=world.manager,
            approved_at=timezone.now(),
        )
        for i in range(n)
    )
    ScopeVersion.systems.through.objects.bulk_create(
        ScopeVersion.systems.through(scopeversion_id=v.pk, aisystem_id=s.pk)
        for v, s in zip(versions, systems, strict=True)
    )
    SystemRole.objects.bulk_create(
        SystemRole(organization=org, system=s, iso_roles=[AIRole.PROVIDER], eu_roles=["provider"])
        for s in systems
    )


API_ACCESS = {
    ("GET", "/context/issues"): Access.READ,
    ("POST", "/context/issues"): Access.CONTRIBUTE,
    ("GET", "/context/issues/{issue_id}"): Access.READ,
    ("PATCH", "/context/issues/{issue_id}"): Access.CONTRIBUTE,
    ("POST", "/context/issues/{issue_id}/risks"): Access.CONTRIBUTE,
    ("GET", "/context/obligations"): Access.READ,
    ("POST", "/context/obligations"): Access.CONTRIBUTE,
    ("GET", "/context/obligations/catalogue"): Access.READ,
    ("POST", "/context/obligations/catalogue"): Access.CONTRIBUTE,
    ("GET", "/context/obligations/{obligation_id}"): Access.READ,
    ("PATCH", "/context/obligations/{obligation_id}"): Access.CONTRIBUTE,
    ("GET", "/context/parties"): Access.READ,
    ("POST", "/context/parties"): Access.CONTRIBUTE,
    ("GET", "/context/parties/{party_id}"): Access.READ,
    ("PATCH", "/context/parties/{party_id}"): Access.CONTRIBUTE,
    ("GET", "/context/scope-versions"): Access.READ,
    ("POST", "/context/scope-versions"): Access.CONTRIBUTE,
    ("GET", "/context/scope-versions/{scope_version_id}"): Access.READ,
    ("PATCH", "/context/scope-versions/{scope_version_id}"): Access.CONTRIBUTE,
    ("POST", "/context/scope-versions/{scope_version_id}/approve"): Access.DECIDE,
    ("GET", "/context/system-roles"): Access.READ,
    ("POST", "/context/system-roles"): Access.CONTRIBUTE,
    ("GET", "/context/system-roles/{system_role_id}"): Access.READ,
    ("PATCH", "/context/system-roles/{system_role_id}"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/context/issues"): {"title": "Another", "side": "external", "category": "legal"},
    ("PATCH", "/context/issues/{issue_id}"): {"title": "Renamed"},
    ("POST", "/context/issues/{issue_id}/risks"): {"inherent_likelihood": 2, "inherent_impact": 2},
    ("POST", "/context/obligations"): {"kind": "law", "title": "Another"},
    ("POST", "/context/obligations/catalogue"): {"keys": ["eu-ai-act-art-9"]},
    ("PATCH", "/context/obligations/{obligation_id}"): {"title": "Renamed"},
    ("POST", "/context/parties"): {"name": "Another", "kind": "customers"},
    ("PATCH", "/context/parties/{party_id}"): {"name": "Renamed"},
    ("POST", "/context/scope-versions"): {"statement": "Another"},
    ("PATCH", "/context/scope-versions/{scope_version_id}"): {"statement": "Renamed"},
    ("POST", "/context/scope-versions/{scope_version_id}/approve"): {},
    ("POST", "/context/system-roles"): {"system": "credit-scoring"},
    ("PATCH", "/context/system-roles/{system_role_id}"): {"note": "Renamed"},
}
