"""Registered by this area: see aims/core/areas.py."""

from django.db.models import Q
from django.utils import timezone

from aims.catalog.links import addresses_requirements
from aims.core.areas import (
    Area,
    DueItem,
    NavLink,
    SearchKind,
    Section,
    hook,
    names_record,
    naming_it,
    register,
)
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.organizations.models import Access

from . import dashboard
from . import gates as _gates  # noqa: F401  (registers the stage-gate requirement)
from .models import Currency, ImpactAssessment, ImpactFinding, Status, needs_assessment


@hook("due", order=70)
def due(organization, today) -> list[DueItem]:
    """Reassessments due soon, stale or overdue; and systems that need an assessment (they
    affect individuals or are high risk) and have none signed off."""
    items = []
    signed_off = (
        ImpactAssessment.objects.for_org(organization)
        .signed_off()
        .select_related("system", "organization")
    )
    for assessment in signed_off:
        currency = assessment.currency(today)
        if currency not in (Currency.DUE, Currency.OVERDUE):
            continue
        stale = assessment.is_stale
        owner = assessment.system.owner_id
        items.append(
            DueItem(
                title=f"Reassess impacts: {assessment.system.name}"
                + (" (the system changed)" if stale else ""),
                # a system that changed needs its reassessment now
                due=min(assessment.next_reassessment, today)
                if stale
                else assessment.next_reassessment,
                url=assessment.get_absolute_url(),
                kind="Impact reassessment",
                people=frozenset({owner}) if owner else frozenset(),
                access=Access.CONTRIBUTE,
            )
        )
    signed = ImpactAssessment.objects.filter(status=Status.SIGNED_OFF).values("system_id")
    for system in (
        AISystem.objects.for_org(organization)
        .active()
        .filter(Q(affects_individuals=True) | Q(risk_tier=RiskTier.HIGH))
        .exclude(pk__in=signed)
        .select_related("organization")
    ):
        if not needs_assessment(system):
            continue
        items.append(
            DueItem(
                title=f"Assess impacts: {system.name}",
                due=None,
                url=system.get_absolute_url(),
                kind="Impact assessment",
                people=frozenset({system.owner_id}) if system.owner_id else frozenset(),
                access=Access.CONTRIBUTE,
            )
        )
    return items


@hook("system_page", order=30)
def system_assessments(system, request) -> Section:
    today = timezone.localdate()
    assessments = list(
        ImpactAssessment.objects.filter(system=system)
        .select_related("signed_by")
        .order_by("-pk")[:10]
    )
    current = None
    for assessment in assessments:
        assessment.system = system
        assessment.organization = request.org
        assessment.currency_now = assessment.currency(today)
        if assessment.status == Status.SIGNED_OFF:
            current = assessment
    return Section(
        "impact/_system_assessments.html",
        {
            "system": system,
            "assessments": assessments,
            "signed": current,
            "in_force": current is not None and current.is_current(today),
            "open": next((a for a in assessments if a.is_open), None),
            "needed": needs_assessment(system),
            "can_start": system.stage != Stage.RETIRED,
        },
        order=30,
    )


@hook("risk_page", order=30)
def risk_raised_by(risk, request) -> Section | None:
    findings = list(
        ImpactFinding.objects.filter(risks=risk, assessment__organization=request.org)
        .select_related("assessment")
        .order_by("pk")
    )
    if not findings:
        return None
    for finding in findings:
        finding.assessment.organization = request.org
    return Section("impact/_risk_raised_by.html", {"findings": findings}, column="side", order=30)


hook("dashboard")(dashboard.part)

addresses_requirements(
    ImpactAssessment,
    label="Impact assessments",
    current=Q(status=Status.SIGNED_OFF),
    order=45,
)


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    return naming_it(
        ImpactAssessment.objects.filter(system=system).count(),
        "impact assessment",
        "impact assessments",
    )


register(
    Area(
        label="impact",
        prefix="impact/",
        urls="aims.impact.urls",
        nav=(NavLink("Impact assessments", "impact_list", "Plan", order=25, icon="scale"),),
        api_router="aims.impact.api.router",
        api_path_records={
            "assessment_id": lambda org, v: names_record(ImpactAssessment.objects.for_org(org), v),
        },
        order=78,
    )
)


@hook("search", order=140)
def search_impact_assessments() -> SearchKind:
    return SearchKind(
        "impact_assessments",
        "Impact assessments",
        queryset=lambda organization: ImpactAssessment.objects.filter(organization=organization),
        list_url_name="impact_list",
        order=140,
    )
