"""Everything the dashboard shows about one organization, in a fixed number of queries.

:func:`summarize` is the one place that computes the dashboard; the view only renders it. Each
figure comes from an aggregate or a bounded list, so the number of SQL queries does not grow
with the number of AI systems, risks, SoA entries, evidence records or audit events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from aims.audit.models import AuditEvent
from aims.catalog.models import Control
from aims.checks.models import Alert
from aims.evidence.models import Evidence
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.risk.heatmap import HeatMap, heatmap
from aims.risk.models import Risk, RiskMatrix, Status
from aims.soa.models import Applicability, Implementation, SoAEntry

LIST_LIMIT = 10
ACTIVITY_LIMIT = 10


@dataclass(frozen=True)
class Tally:
    """One bar of a breakdown: a value of a choice field, its label and how many records."""

    value: str
    label: str
    count: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0


@dataclass(frozen=True)
class Step:
    """One step of the getting-started checklist; ``done`` is read from the data."""

    number: int
    title: str
    done: bool
    detail: str
    url_name: str
    action: str


@dataclass
class Summary:
    organization: object
    matrix: RiskMatrix
    systems_total: int
    systems_by_stage: list[Tally]
    systems_by_tier: list[Tally]
    controls_total: int
    soa_decided: int
    soa_undecided: int
    soa_applicable: int
    soa_excluded: int
    soa_by_status: list[Tally]
    soa_flagged: int
    risks_total: int
    risks_open: int
    inherent_map: HeatMap
    residual_map: HeatMap
    needs_decision: list = field(default_factory=list)
    needs_decision_count: int = 0
    review_overdue: list = field(default_factory=list)
    review_overdue_count: int = 0
    expired_evidence: list = field(default_factory=list)
    expired_evidence_count: int = 0
    damaged_evidence: list = field(default_factory=list)
    damaged_evidence_count: int = 0
    open_alerts: list = field(default_factory=list)
    open_alerts_count: int = 0
    evidence_total: int = 0
    recent_events: list = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def steps_done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def getting_started_complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def is_empty(self) -> bool:
        """Nothing recorded yet beyond the organization itself: show a welcome, not zeros."""
        return not (
            self.systems_total or self.risks_total or self.soa_decided or self.evidence_total
        )

    @property
    def attention_count(self) -> int:
        return (
            self.needs_decision_count
            + self.review_overdue_count
            + self.expired_evidence_count
            + self.damaged_evidence_count
            + self.soa_flagged
            + self.open_alerts_count
        )


def _tallies(counts: dict[str, int], choices) -> list[Tally]:
    total = sum(counts.values())
    return [Tally(value, label, counts.get(value, 0), total) for value, label in choices]


def _systems(organization) -> tuple[int, list[Tally], list[Tally]]:
    by_stage: dict[str, int] = {}
    by_tier: dict[str, int] = {}
    rows = (
        AISystem.objects.filter(organization=organization)
        .order_by()
        .values("stage", "risk_tier")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        by_stage[row["stage"]] = by_stage.get(row["stage"], 0) + row["n"]
        by_tier[row["risk_tier"]] = by_tier.get(row["risk_tier"], 0) + row["n"]
    return (
        sum(by_stage.values()),
        _tallies(by_stage, Stage.choices),
        _tallies(by_tier, RiskTier.choices),
    )


def _soa(organization) -> dict:
    rows = (
        SoAEntry.objects.filter(organization=organization)
        .order_by()
        .values("applicability", "status")
        .annotate(n=Count("pk"))
    )
    by_applicability: dict[str, int] = {}
    applicable_by_status: dict[str, int] = {}
    for row in rows:
        by_applicability[row["applicability"]] = (
            by_applicability.get(row["applicability"], 0) + row["n"]
        )
        if row["applicability"] == Applicability.APPLICABLE:
            applicable_by_status[row["status"]] = (
                applicable_by_status.get(row["status"], 0) + row["n"]
            )
    undecided = by_applicability.get(Applicability.UNDECIDED, 0)
    applicable = by_applicability.get(Applicability.APPLICABLE, 0)
    excluded = by_applicability.get(Applicability.EXCLUDED, 0)
    return {
        "soa_decided": applicable + excluded,
        "soa_undecided": undecided,
        "soa_applicable": applicable,
        "soa_excluded": excluded,
        "soa_by_status": _tallies(applicable_by_status, Implementation.choices),
        "soa_flagged": SoAEntry.objects.filter(organization=organization).flagged().count(),
    }


def _with_org(records, organization):
    """Attach the organization already in hand, so ``risk.level()`` needs no query per row."""
    for item in records:
        item.organization = organization
    return records


def summarize(organization, *, matrix: RiskMatrix | None = None) -> Summary:
    """The dashboard figures of ``organization`` in a constant number of queries."""
    matrix = matrix or organization.risk_matrix
    systems_total, by_stage, by_tier = _systems(organization)
    soa = _soa(organization)
    controls_total = Control.objects.count()

    risks = Risk.objects.filter(organization=organization)
    risk_counts = risks.aggregate(
        total=Count("pk"), open=Count("pk", filter=~Q(status=Status.CLOSED))
    )
    open_risks = risks.open()

    needs = risks.needs_decision(matrix)
    needs_list = _with_org(
        list(needs.order_by("-current_score_db", "ref")[:LIST_LIMIT]), organization
    )
    needs_count = needs.count()

    overdue = risks.review_overdue().select_related("owner")
    overdue_list = _with_org(
        list(overdue.order_by("next_review", "ref")[:LIST_LIMIT]), organization
    )
    overdue_count = overdue.count()

    evidence = Evidence.objects.filter(organization=organization)
    evidence_total = evidence.count()
    expired = evidence.expired()
    expired_list = list(expired.order_by("valid_until", "pk")[:LIST_LIMIT])
    expired_count = expired.count()
    damaged = evidence.damaged()
    damaged_list = list(damaged.with_file_damage().order_by("title", "pk")[:LIST_LIMIT])
    damaged_count = damaged.count()

    events = list(
        AuditEvent.objects.filter(organization=organization).order_by("-sequence")[:ACTIVITY_LIMIT]
    )
    alerts = Alert.objects.filter(organization=organization).open()
    alerts_list = list(alerts.select_related("system", "recipient")[:LIST_LIMIT])
    alerts_count = alerts.count()

    summary = Summary(
        organization=organization,
        matrix=matrix,
        systems_total=systems_total,
        systems_by_stage=by_stage,
        systems_by_tier=by_tier,
        controls_total=controls_total,
        risks_total=risk_counts["total"],
        risks_open=risk_counts["open"],
        inherent_map=heatmap(matrix, open_risks),
        residual_map=heatmap(matrix, open_risks, residual=True),
        needs_decision=needs_list,
        needs_decision_count=needs_count,
        review_overdue=overdue_list,
        review_overdue_count=overdue_count,
        expired_evidence=expired_list,
        expired_evidence_count=expired_count,
        damaged_evidence=damaged_list,
        damaged_evidence_count=damaged_count,
        open_alerts=alerts_list,
        open_alerts_count=alerts_count,
        evidence_total=evidence_total,
        recent_events=events,
        **soa,
    )
    summary.steps = getting_started(summary)
    return summary


def getting_started(summary: Summary) -> list[Step]:
    """The five first steps of an AIMS, each ticked when the data shows it is done."""
    scope = summary.organization.scope.strip()
    return [
        Step(
            1,
            "Define the scope of your AI management system",
            bool(scope),
            "Scope written."
            if scope
            else "Say which units, sites and AI systems the AIMS covers (clause 4.3).",
            "settings_scope",
            "Write the scope",
        ),
        Step(
            2,
            "Register an AI system",
            summary.systems_total > 0,
            f"{summary.systems_total} AI system{'s' if summary.systems_total != 1 else ''} registered."
            if summary.systems_total
            else "Record what it is for, who it affects and who owns it (A.6, A.9.4).",
            "system_list",
            "Register a system",
        ),
        Step(
            3,
            "Assess a risk",
            summary.risks_total > 0,
            f"{summary.risks_total} risk{'s' if summary.risks_total != 1 else ''} in the register."
            if summary.risks_total
            else "Score its likelihood and impact and choose a treatment (6.1.2, 6.1.3).",
            "risk_list",
            "Assess a risk",
        ),
        Step(
            4,
            "Decide the Statement of Applicability",
            summary.soa_decided > 0,
            f"{summary.soa_decided} of {summary.controls_total} controls decided.",
            "soa_list",
            "Decide controls",
        ),
        Step(
            5,
            "Attach evidence",
            summary.evidence_total > 0,
            f"{summary.evidence_total} piece{'s' if summary.evidence_total != 1 else ''} of evidence recorded."
            if summary.evidence_total
            else "Upload a policy, a model card or a test report, or link to one (7.5).",
            "evidence_list",
            "Add evidence",
        ),
    ]
