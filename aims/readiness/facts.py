"""The facts readiness proposals are made from (see :mod:`aims.readiness.signals`).

:func:`gather` reads the other areas once, with a fixed number of queries whatever the number of
records or items (aggregates and bounded lists, never a query per item), into :class:`Facts`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, OuterRef, Q, Subquery

from aims.changes.models import PlannedChange
from aims.changes.models import Status as ChangeStatus
from aims.checks.models import Alert, Check, CheckRun, RunStatus
from aims.communication.models import Communication as Message
from aims.communication.models import PlanEntry
from aims.context.models import Addressed, InterestedParty, Issue, ScopeStatus, ScopeVersion
from aims.core.areas import measures
from aims.core.dates import add_months
from aims.datasets.models import DataSet, Resource
from aims.documents.models import CURRENT as DOCUMENT_CURRENT
from aims.documents.models import Document
from aims.impact.models import ImpactAssessment, needs_assessment
from aims.inventory.models import AISystem, RiskTier
from aims.leadership.models import Activity, AIMSRole, Meeting
from aims.objectives.models import KPI, KPIStatus, Objective
from aims.organizations.models import Membership
from aims.risk.models import Risk, RiskMatrix, Treatment
from aims.soa.models import Applicability, SoAEntry

from . import below

NOT_RECORDED = "not recorded yet"
RECENT_DAYS = 90  # a KPI measurement or check run this recent counts as "followed"
YEAR_MONTHS = 12


@dataclass(frozen=True)
class Proposal:
    level: int
    reason: str


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _past(count: int) -> str:
    return f"{count} past {'its' if count == 1 else 'their'} review date"


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} %"


@dataclass
class Facts:
    """The figures the proposals read, gathered once per assessment."""

    today: dt.date
    year_ago: dt.date
    # 4 Context
    issues: int = 0
    issues_overdue: int = 0
    issues_with_risks: int = 0
    parties: int = 0
    parties_overdue: int = 0
    parties_addressed: int = 0
    scope_approved: bool = False
    scope_overdue: bool = False
    scope_draft: bool = False
    # 5 Leadership
    top_managers: int = 0
    meetings_held: int = 0
    policy_status: str | None = None  # the AI policy document's status, if any
    policy_current: bool = False
    policy_overdue: bool = False
    policy_acknowledged: float | None = None
    roles: int = 0
    roles_unassigned: int = 0
    activities: int = 0
    activities_flagged: int = 0
    # 6 Planning
    risks_open: int = 0
    risks_total: int = 0
    risks_review_overdue: int = 0
    risks_without_residual: int = 0
    risks_without_treatment: int = 0
    risks_plan_unapproved: int = 0
    risks_treatment_overdue: int = 0
    risks_needing_decision: int = 0
    risks_treated: int = 0
    soa_total: int = 0
    soa_undecided: int = 0
    soa_flagged: int = 0
    systems_active: int = 0
    systems_needing_impact: int = 0
    systems_with_current_impact: int = 0
    impact_assessments: int = 0
    impact_due: int = 0
    objectives: int = 0
    objectives_on_track: int = 0
    kpis: int = 0
    kpis_measured_recently: int = 0
    kpis_on_target: int = 0
    changes: int = 0
    changes_overdue: int = 0
    changes_implemented: int = 0
    # 7 Support
    resources: int = 0
    datasets: int = 0
    training_share: float | None = None
    plan_entries: int = 0
    plan_overdue: int = 0
    messages_recent: int = 0
    documents_live: int = 0
    documents_approved: int = 0
    documents_overdue: int = 0
    # 8 Operation, 9.1
    checks_active: int = 0
    checks_run_recently: int = 0
    open_alerts: int = 0
    # Per control: SoA entry, checks, audits
    entries: dict = field(default_factory=dict)  # control id -> dict of the SoA entry
    passing_checks: dict = field(default_factory=dict)  # control id -> names of checks
    # 9.2, 9.3, 10 (the areas below; None: the area has no record yet)
    audits: below.AuditFacts | None = None
    reviews: below.ReviewFacts | None = None
    nonconformities: below.NonconformityFacts | None = None
    improvements: below.ImprovementFacts | None = None


def gather(organization, *, today: dt.date) -> Facts:
    """Everything the proposals read, in a fixed number of queries."""
    facts = Facts(today=today, year_ago=add_months(today, -YEAR_MONTHS))
    recent = today - dt.timedelta(days=RECENT_DAYS)
    _context(facts, organization, today)
    _leadership(facts, organization, today)
    _risks(facts, organization, today)
    _soa(facts, organization)
    _impact(facts, organization, today)
    _objectives(facts, organization, today, recent)
    _support(facts, organization, today, recent)
    _operation(facts, organization, recent)
    facts.audits = below.audit_facts(organization, today)
    facts.reviews = below.review_facts(organization, today)
    facts.nonconformities = below.nonconformity_facts(organization, today)
    facts.improvements = below.improvement_facts(organization, today)
    return facts


def _context(facts: Facts, organization, today) -> None:
    issues = Issue.objects.for_org(organization).open()
    counts = issues.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(review_date__lt=today)),
        with_risks=Count("pk", filter=Q(risks__isnull=False), distinct=True),
    )
    facts.issues, facts.issues_overdue = counts["total"], counts["overdue"]
    facts.issues_with_risks = counts["with_risks"]
    counts = InterestedParty.objects.for_org(organization).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(review_date__lt=today)),
        addressed=Count("pk", filter=Q(addressed=Addressed.ADDRESSED)),
    )
    facts.parties, facts.parties_overdue = counts["total"], counts["overdue"]
    facts.parties_addressed = counts["addressed"]
    versions = ScopeVersion.objects.for_org(organization).values("status", "next_review")
    for version in versions:
        if version["status"] == ScopeStatus.APPROVED:
            facts.scope_approved = True
            facts.scope_overdue = bool(version["next_review"] and version["next_review"] < today)
        elif version["status"] == ScopeStatus.DRAFT:
            facts.scope_draft = True


def _leadership(facts: Facts, organization, today) -> None:
    facts.top_managers = Membership.objects.filter(
        organization=organization, is_top_management=True
    ).count()
    facts.meetings_held = Meeting.objects.for_org(organization).held_since(facts.year_ago).count()
    policy = (
        Document.objects.for_org(organization)
        .filter(is_ai_policy=True)
        .live()
        .order_by("-pk")
        .values("status", "next_review", "approved_version")
        .first()
    )
    if policy is not None:
        facts.policy_status = policy["status"]
        facts.policy_current = policy["approved_version"] is not None
        facts.policy_overdue = bool(policy["next_review"] and policy["next_review"] < today)
        facts.policy_acknowledged = _measure(
            "documents.ai_policy_acknowledged", organization, today
        )
    counts = AIMSRole.objects.for_org(organization).aggregate(
        total=Count("pk", distinct=True),
        unassigned=Count("pk", filter=Q(holders__isnull=True), distinct=True),
    )
    facts.roles, facts.roles_unassigned = counts["total"], counts["unassigned"]
    activities = Activity.objects.for_org(organization)
    facts.activities = activities.count()
    facts.activities_flagged = activities.flagged().count() if facts.activities else 0


def _measure(key: str, organization, today) -> float | None:
    measure = measures().get(key)
    return measure.compute(organization, today) if measure is not None else None


def _risks(facts: Facts, organization, today) -> None:
    matrix = RiskMatrix.objects.filter(organization=organization).first()
    risks = Risk.objects.for_org(organization)
    counts = risks.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status="closed")),
        overdue=Count("pk", filter=~Q(status="closed") & Q(next_review__lt=today)),
        no_residual=Count(
            "pk",
            filter=~Q(status="closed")
            & (Q(residual_likelihood__isnull=True) | Q(residual_impact__isnull=True)),
        ),
        no_treatment=Count("pk", filter=~Q(status="closed") & Q(treatment="")),
        unapproved=Count(
            "pk",
            filter=~Q(status="closed")
            & Q(treatment=Treatment.MODIFY, plan_approved_at__isnull=True),
        ),
        late=Count("pk", filter=~Q(status="closed") & Q(treatment_due__lt=today)),
        treated=Count("pk", filter=Q(status__in=["treated", "closed"])),
    )
    facts.risks_total, facts.risks_open = counts["total"], counts["open"]
    facts.risks_review_overdue = counts["overdue"]
    facts.risks_without_residual = counts["no_residual"]
    facts.risks_without_treatment = counts["no_treatment"]
    facts.risks_plan_unapproved = counts["unapproved"]
    facts.risks_treatment_overdue = counts["late"]
    facts.risks_treated = counts["treated"]
    if matrix is not None and facts.risks_open:
        facts.risks_needing_decision = risks.needs_decision(matrix).count()


def _soa(facts: Facts, organization) -> None:
    rows = (
        SoAEntry.objects.for_org(organization)
        .annex_a()
        .with_flags()
        .values(
            "control_id",
            "applicability",
            "status",
            "has_current_evidence",
            "missing_justification",
            "implemented_without_evidence",
        )
    )
    for row in rows:
        facts.entries[row["control_id"]] = row
        facts.soa_total += 1
        facts.soa_undecided += row["applicability"] == Applicability.UNDECIDED
        facts.soa_flagged += bool(
            row["missing_justification"] or row["implemented_without_evidence"]
        )


def _impact(facts: Facts, organization, today) -> None:
    systems = list(
        AISystem.objects.for_org(organization)
        .active()
        .filter(Q(affects_individuals=True) | Q(risk_tier=RiskTier.HIGH))
        .values("pk", "affects_individuals", "risk_tier")
    )
    facts.systems_active = AISystem.objects.for_org(organization).active().count()
    needing = {
        s["pk"]
        for s in systems
        if needs_assessment(
            AISystem(affects_individuals=s["affects_individuals"], risk_tier=s["risk_tier"])
        )
    }
    assessments = ImpactAssessment.objects.for_org(organization)
    facts.impact_assessments = assessments.count()
    current = set(assessments.current(today).values_list("system_id", flat=True))
    facts.systems_needing_impact = len(needing)
    facts.systems_with_current_impact = len(needing & current)
    facts.impact_due = assessments.due(today).count() + assessments.overdue(today).count()


def _objectives(facts: Facts, organization, today, recent) -> None:
    objectives = Objective.objects.for_org(organization).counted()
    facts.objectives = objectives.count()
    facts.objectives_on_track = objectives.on_track(today).count() if facts.objectives else 0
    counts = KPI.objects.for_org(organization).aggregate(
        total=Count("pk"),
        recent=Count("pk", filter=Q(latest_date__gte=recent)),
        on_target=Count("pk", filter=Q(status=KPIStatus.ON_TARGET)),
    )
    facts.kpis, facts.kpis_measured_recently = counts["total"], counts["recent"]
    facts.kpis_on_target = counts["on_target"]
    counts = PlannedChange.objects.for_org(organization).aggregate(
        total=Count("pk"),
        implemented=Count("pk", filter=Q(status=ChangeStatus.IMPLEMENTED)),
    )
    facts.changes, facts.changes_implemented = counts["total"], counts["implemented"]
    facts.changes_overdue = PlannedChange.objects.for_org(organization).overdue(today).count()


def _support(facts: Facts, organization, today, recent) -> None:
    facts.resources = Resource.objects.for_org(organization).count()
    facts.datasets = DataSet.objects.for_org(organization).count()
    facts.training_share = _measure("training_complete", organization, today)
    entries = PlanEntry.objects.for_org(organization)
    facts.plan_entries = entries.count()
    facts.plan_overdue = entries.overdue(today).count() if facts.plan_entries else 0
    facts.messages_recent = (
        Message.objects.for_org(organization).filter(communicated_on__gte=add_months(today, -6))
    ).count()
    counts = (
        Document.objects.for_org(organization)
        .live()
        .aggregate(
            total=Count("pk"),
            approved=Count("pk", filter=DOCUMENT_CURRENT),
            overdue=Count("pk", filter=Q(next_review__lt=today)),
        )
    )
    facts.documents_live = counts["total"]
    facts.documents_approved, facts.documents_overdue = counts["approved"], counts["overdue"]


def _operation(facts: Facts, organization, recent) -> None:
    checks = Check.objects.for_org(organization).active()
    facts.checks_active = checks.count()
    facts.checks_run_recently = (
        checks.annotate(latest=Max("runs__started_at")).filter(latest__date__gte=recent).count()
    )
    facts.open_alerts = Alert.objects.filter(organization=organization).open().count()
    # The controls a check follows whose latest run passed (a run that could not run aside).
    latest = (
        CheckRun.objects.filter(definition=OuterRef("pk"))
        .exclude(status=RunStatus.ERROR)
        .order_by("-started_at", "-pk")
        .values("status")[:1]
    )
    passing = checks.annotate(latest_status=Subquery(latest)).filter(latest_status=RunStatus.PASSED)
    for control_id, name in Check.controls.through.objects.filter(check__in=passing).values_list(
        "control_id", "check__name"
    ):
        facts.passing_checks.setdefault(control_id, []).append(name)
