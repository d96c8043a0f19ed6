from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.html import format_html

from aims.core.areas import Area, Column, NavLink, RecordLink, SearchKind, Section, hook, register
from aims.inventory.models import Stage
from aims.organizations.models import Access

from . import dashboard
from .gates import ASSESSMENT_ENTERING  # and registers the risk area's gate requirements
from .models import Risk, RiskAssessmentSignOff
from .proposals import plan_approval_kind
from .signoff.views import form_for


def set_up_organization(organization) -> None:
    from .models import RiskMatrix

    RiskMatrix.default_for(organization).save()


def _count_per_system(risks):
    counted = (
        risks.filter(systems=OuterRef("pk"))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def needs_decision_cell(count) -> str:
    if not count:
        return format_html('<td class="num"><span class="muted">{}</span></td>', 0)
    return format_html(
        '<td class="num"><span class="badge badge-bad" title="{}">{}</span></td>',
        "Open risks above appetite without a current acceptance",
        count,
    )


@hook("system_list", order=10)
def system_risk_counts(systems, organization):
    """Each system's open risks and those above appetite without a current acceptance: two
    subqueries of the list's own query, whatever the number of systems."""
    systems = systems.annotate(
        open_risk_count=_count_per_system(Risk.objects.open()),
        needs_decision_count=_count_per_system(
            Risk.objects.needs_decision(organization.risk_matrix)
        ),
    )
    return systems, [
        Column("Open risks", "open_risk_count"),
        Column(
            "Risks needing a decision",
            "needs_decision_count",
            cell=needs_decision_cell,
            title="Need a decision",
        ),
    ]


@hook("control_page", order=10)
def control_risks(control, request) -> Section:
    risks = list(
        Risk.objects.filter(organization=request.org, controls=control)
        .with_scores()
        .select_related("owner")
        .order_by("ref")
    )
    for risk in risks:
        risk.organization = request.org  # level() reads the matrix already loaded
    return Section("risk/_control_risks.html", {"risks": risks}, order=10)


@hook("system_page", order=10)
def system_risks(system, request) -> Section:
    risks = (
        Risk.objects.filter(systems=system)
        .with_acceptance()
        .select_related("organization__risk_matrix", "owner")
    )
    return Section("risk/_system_risks.html", {"risks": risks}, order=10)


@hook("system_page", order=11)
def system_risk_assessment(system, request) -> Section:
    """Whether the system's risk assessment is done for the deployment gate: assessed risks
    of the register, or a signed "no significant risks identified" in its present stage; the
    form to sign one for those with authority."""
    signoffs = list(
        RiskAssessmentSignOff.objects.filter(system=system).select_related("signed_by")[:6]
    )
    current = RiskAssessmentSignOff.objects.current_for(system)
    following = system.next_stage()
    context = {
        "system": system,
        "assessed": Risk.objects.assessed_for(system).count(),
        "current": current,
        "stale": signoffs[0] if signoffs and current is None else None,
        "earlier": [s for s in signoffs if current is None or s.pk != current.pk][:5],
        "can_decide": request.membership.can(Access.DECIDE),
        "retired": system.stage == Stage.RETIRED,
        # whether the next gate asks for it: the form opens by itself then
        "asked": following is not None and following in ASSESSMENT_ENTERING,
    }
    if context["can_decide"] and not context["retired"]:
        context["form"] = form_for(system, request.membership)
    return Section("risk/_system_assessment.html", context, order=11)


@hook("evidence_links", order=30)
def evidence_risks() -> RecordLink:
    return RecordLink(
        "risks",
        "Risks",
        "",
        queryset=lambda: Risk.objects.order_by("ref"),
        describe=lambda risk: f"{risk.ref} {risk.title}",
        short=lambda risk: risk.ref,
        key="ref",
        what="risk",
        order=30,
    )


hook("dashboard")(dashboard.part)

hook("proposal_kinds")(plan_approval_kind)

register(
    Area(
        label="risk",
        prefix="risks/",
        urls="aims.risk.urls",
        nav=(NavLink("Risk register", "risk_list", "Plan", order=20, icon="shield-alert"),),
        api_router="aims.risk.api.router",
        api_path_records={"ref": lambda org, v: Risk.objects.for_org(org).filter(ref=v).exists()},
        set_up_organization=set_up_organization,
        order=20,
    )
)


@hook("search", order=20)
def search_risks() -> SearchKind:
    return SearchKind(
        "risks",
        "Risks",
        queryset=lambda organization: Risk.objects.filter(organization=organization),
        ref="ref",
        list_url_name="risk_list",
        order=20,
    )
