"""The business case for the AIMS, computed from the organization's numbers.

Five questions a board asks, each answered with figures that state their formula and source:

1. What is in scope? The AI systems not retired, with their EU AI Act tier (from the signed
   classification, or set by hand in the inventory before there was one).
2. What is at stake? The Art. 99 fine cap of each tier (:mod:`aims.euaiact.exposure`: the higher
   of the fixed amount and the turnover share, for an SME the lower).
3. What does it cost? People, tools and certification audits: entered by the AIMS manager
   (:class:`~aims.businesscase.models.Assumptions`) or estimated from the number of systems
   with the defaults of :data:`~aims.businesscase.assumptions.ESTIMATES`, which the page states.
4. What does it bring, and when does it pay back? Risk reduction (the expected fine exposure the
   AIMS removes), faster procurement with customers who ask for certification, trust, fewer
   incidents; the payback period is the one-off cost over the yearly net benefit.
5. How do we get there? The gaps of the latest completed readiness assessment and the open
   roadmap actions, by quarter.

The figures are a model, not a forecast: the page says which figures are estimates so that the
organization replaces them with its own.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, OuterRef, Subquery

from aims.euaiact import exposure as fines
from aims.euaiact.exposure import euros
from aims.euaiact.models import Classification
from aims.euaiact.services import profile_of
from aims.incidents.models import Incident
from aims.inventory.models import AISystem, RiskTier
from aims.readiness.models import ActionStatus, Assessment, RoadmapAction
from aims.readiness.results import results as readiness_results

from .assumptions import (
    ART_99,
    CYCLE_YEARS,
    HUNDRED,
    TENTH,
    UNITS,
    Assumption,
    assumptions_of,
    money,
    number,
    percent,
)
from .models import Assumptions

# --- Figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A computed figure of the case with its formula and its source. ``amount`` is None when
    it cannot be computed (the formula then says what to enter); ``at_least`` when it is a
    floor (a large company whose turnover is not recorded)."""

    key: str
    label: str
    amount: Decimal | None
    formula: str
    source: str
    unit: str = "EUR"
    at_least: bool = False

    @property
    def shown(self) -> str:
        if self.amount is None:
            return "Not known"
        text = euros(self.amount) if self.unit == "EUR" else f"{number(self.amount)} {self.unit}"
        return f"at least {text}" if self.at_least else text


@dataclass(frozen=True)
class SystemRow:
    name: str
    url: str
    tier: str
    tier_label: str
    basis: str  # "Signed classification v2", "Set by hand in the inventory", "Not classified"


@dataclass(frozen=True)
class TierRow:
    tier: str
    label: str
    systems: int
    exposure: fines.Exposure | None
    note: str

    @property
    def amount(self) -> str:
        if self.exposure is None:
            return ""
        amount = self.exposure.amount
        if amount is None:
            return "Not known without the turnover"
        return ("at least " if self.exposure.at_least else "") + euros(amount)


@dataclass(frozen=True)
class Quarter:
    label: str  # "2027 Q1", or "No due date"
    actions: list[RoadmapAction]
    overdue: int


@dataclass
class Roadmap:
    assessment: Assessment | None
    percent: int | None = None
    share_at_target: int | None = None
    gap_count: int = 0
    gaps: list = field(default_factory=list)  # the first ranked gaps
    open_count: int = 0
    done_count: int = 0
    overdue_count: int = 0
    quarters: list[Quarter] = field(default_factory=list)
    draft_waiting: bool = False


@dataclass
class Case:
    systems: list[SystemRow]
    system_count: int
    tiers: list[TierRow]
    headline: fines.Exposure | None
    information: fines.Exposure
    turnover: Decimal | None
    is_sme: bool
    assumptions: dict[str, Assumption]
    costs: list[Figure]
    one_off: Figure
    running: Figure
    benefits: list[Figure]
    benefit_total: Figure
    net: Figure
    payback: Figure
    cycle: Figure
    roadmap: Roadmap
    to_enter: list[str]  # what the organization should enter for a complete case
    incidents_last_year: int = 0

    @property
    def estimated(self) -> list[Assumption]:
        return [a for a in self.assumptions.values() if not a.entered]

    @property
    def cost_totals(self) -> list[Figure]:
        return [self.one_off, self.running]

    @property
    def benefit_totals(self) -> list[Figure]:
        return [self.benefit_total]

    @property
    def payback_figures(self) -> list[Figure]:
        return [self.net, self.payback, self.cycle]

    @property
    def tier_table(self) -> list[TierRow]:
        """The tiers, then the cap every operator faces for misleading the authorities."""
        information = TierRow(
            "information",
            "Any tier: incorrect information to authorities",
            self.system_count,
            self.information,
            self.information.cap.what,
        )
        return [*self.tiers, information]


def _system_rows(organization, limit: int) -> tuple[list[SystemRow], dict[str, int], int]:
    """The systems in scope (not retired), at most ``limit`` of them for the page, the count per
    tier and the total (two queries)."""
    signed = Classification.objects.signed().filter(system=OuterRef("pk"))
    in_scope = (
        AISystem.objects.for_org(organization)
        .active()
        .annotate(signed_number=Subquery(signed.values("number")[:1]))
        .order_by("name", "pk")
    )
    counts: dict[str, int] = {}
    for tier in in_scope.values_list("risk_tier", flat=True):
        counts[tier] = counts.get(tier, 0) + 1
    rows = []
    for system in in_scope[:limit]:
        system.organization = organization
        if system.signed_number is not None:
            basis = f"Signed classification, version {system.signed_number}"
        elif system.risk_tier == RiskTier.UNCLASSIFIED:
            basis = "Not classified yet"
        else:
            basis = "Set by hand in the inventory (no signed classification)"
        rows.append(
            SystemRow(
                system.name,
                system.get_absolute_url(),
                system.risk_tier,
                system.get_risk_tier_display(),
                basis,
            )
        )
    return rows, counts, sum(counts.values())


TIER_NOTES = {
    RiskTier.MINIMAL: "No cap of its own; misleading the authorities is still capped (Art. 99(5)).",
    RiskTier.UNCLASSIFIED: "Classify these systems: the cap depends on the tier.",
}


def tier_rows(counts: dict[str, int], profile) -> list[TierRow]:
    rows = []
    for tier, label in RiskTier.choices:
        found = fines.exposure(tier, profile)
        note = TIER_NOTES.get(tier, found.cap.what if found else "")
        rows.append(TierRow(tier, label, counts.get(tier, 0), found, note))
    return rows


def _times(a: Assumption, b: Assumption) -> Decimal:
    return money(a.value * b.value)


def costs_of(a: dict[str, Assumption]) -> tuple[list[Figure], Figure, Figure]:
    """The cost lines, the one-off total and the yearly running total."""
    people = _times(a["implementation_days"], a["day_rate"])
    running_people = _times(a["running_days"], a["day_rate"])
    lines = [
        Figure(
            "implementation_people",
            "People to implement (once)",
            people,
            f"{euros(people)} = {number(a['implementation_days'].value)} person-days × "
            f"{euros(a['day_rate'].value)}",
            "Assumptions: person-days to implement, cost of a person-day",
        ),
        Figure(
            "certification_audit",
            "Certification audit (once)",
            a["certification_audit"].value,
            f"{euros(a['certification_audit'].value)}: the certification audit",
            a["certification_audit"].source,
        ),
        Figure(
            "running_people",
            "People to run it (a year)",
            running_people,
            f"{euros(running_people)} = {number(a['running_days'].value)} person-days × "
            f"{euros(a['day_rate'].value)}",
            "Assumptions: person-days a year, cost of a person-day",
        ),
        Figure(
            "tools",
            "Tools (a year)",
            a["tools_per_year"].value,
            f"{euros(a['tools_per_year'].value)}: tools a year",
            a["tools_per_year"].source,
        ),
        Figure(
            "surveillance_audit",
            "Surveillance audit (a year)",
            a["surveillance_audit"].value,
            f"{euros(a['surveillance_audit'].value)}: the yearly surveillance audit",
            a["surveillance_audit"].source,
        ),
    ]
    certification = a["certification_audit"].value
    one_off = money(people + certification)
    running = money(running_people + a["tools_per_year"].value + a["surveillance_audit"].value)
    return (
        lines,
        Figure(
            "one_off",
            "One-off cost",
            one_off,
            f"{euros(one_off)} = people {euros(people)} + certification audit "
            f"{euros(certification)}",
            "Sum of the one-off lines",
        ),
        Figure(
            "running",
            "Running cost a year",
            running,
            f"{euros(running)} = people {euros(running_people)} + tools "
            f"{euros(a['tools_per_year'].value)} + surveillance audit "
            f"{euros(a['surveillance_audit'].value)}",
            "Sum of the yearly lines",
        ),
    )


def risk_reduction(headline: fines.Exposure | None, a: dict[str, Assumption]) -> Figure:
    """The expected fine exposure the AIMS removes each year: the highest cap among the systems'
    tiers × the likelihood of a fine in a year × the reduction the AIMS brings."""
    likelihood, reduction = a["enforcement_likelihood"].value, a["exposure_reduction"].value
    label = "Risk reduction: expected fine exposure avoided"
    source = (
        f"{headline.cap.article}, {ART_99}; likelihood and reduction: "
        f"{a['enforcement_likelihood'].source.lower()}; {a['exposure_reduction'].source.lower()}"
        if headline is not None
        else "EU AI Act tiers of the systems in scope"
    )
    if headline is None:
        return Figure(
            "risk_reduction",
            label,
            Decimal(0),
            "EUR 0: no AI system in scope is in a tier with a fine cap of its own "
            "(prohibited, high or limited risk).",
            source,
        )
    cap = headline.amount
    if cap is None:
        return Figure(
            "risk_reduction",
            label,
            None,
            "Not known: for an SME the cap is the lower of the fixed amount and the turnover "
            "share, so enter the worldwide annual turnover.",
            source,
        )
    amount = money(cap * likelihood / HUNDRED * reduction / HUNDRED)
    floor = "at least " if headline.at_least else ""
    return Figure(
        "risk_reduction",
        label,
        amount,
        f"{floor}{euros(amount)} a year = highest cap {floor}{euros(cap)} × "
        f"{percent(likelihood)} likelihood a year × {percent(reduction)} reduction",
        source,
        at_least=headline.at_least,
    )


def benefits_of(headline: fines.Exposure | None, a: dict[str, Assumption]) -> list[Figure]:
    questionnaires = a["questionnaires_per_year"].value
    saved_days = a["days_per_questionnaire"].value
    procurement = money(questionnaires * saved_days * a["day_rate"].value)
    incidents = a["incidents_per_year"].value
    incident_cost = a["cost_per_incident"].value
    avoided = a["incident_reduction"].value
    fewer = money(incidents * incident_cost * avoided / HUNDRED)
    return [
        risk_reduction(headline, a),
        Figure(
            "procurement",
            "Faster procurement with certified customers",
            procurement,
            f"{euros(procurement)} a year = {number(questionnaires)} questionnaires × "
            f"{number(saved_days)} person-days saved × {euros(a['day_rate'].value)}",
            f"{a['questionnaires_per_year'].source}; {a['days_per_questionnaire'].source}",
        ),
        Figure(
            "trust",
            "Trust of customers and the public",
            a["trust_value"].value,
            f"{euros(a['trust_value'].value)} a year: the value of trust",
            a["trust_value"].source,
        ),
        Figure(
            "incidents",
            "Fewer incidents",
            fewer,
            f"{euros(fewer)} a year = {number(incidents)} incidents a year × "
            f"{euros(incident_cost)} each × {percent(avoided)} avoided",
            f"{a['incidents_per_year'].source}; {a['cost_per_incident'].source}; "
            f"{a['incident_reduction'].source}",
        ),
    ]


def payback_of(one_off: Figure, running: Figure, benefits: list[Figure]):
    """The yearly benefit, the yearly net benefit, the payback period in months and the net
    over a certificate's three-year cycle. A benefit not known (the risk reduction of an SME
    whose turnover is not recorded) is left out, and the totals say so."""
    amounts = [b.amount for b in benefits if b.amount is not None]
    left_out = [b.label for b in benefits if b.amount is None]
    total = money(sum(amounts, Decimal(0)))
    floor = any(b.at_least for b in benefits if b.amount is not None)
    without = f" (without {', '.join(left_out).lower()}: not known)" if left_out else ""
    benefit_total = Figure(
        "benefits",
        "Benefits a year",
        total,
        f"{euros(total)} = " + " + ".join(euros(amount) for amount in amounts) + without,
        "Sum of the benefit lines",
        at_least=floor,
    )
    # The costs are always known: every input has an estimate.
    assert one_off.amount is not None and running.amount is not None
    net_amount = money(total - running.amount)
    net = Figure(
        "net",
        "Net benefit a year",
        net_amount,
        f"{euros(net_amount)} = benefits {euros(total)} − running cost {euros(running.amount)}",
        "Benefits a year less running cost a year",
        at_least=floor,
    )
    if net_amount <= 0:
        payback = Figure(
            "payback",
            "Payback period",
            None,
            f"No payback on these figures: the benefits ({euros(total)} a year) do not exceed "
            f"the running cost ({euros(running.amount)} a year){without}.",
            "One-off cost ÷ net benefit a year",
            unit="months",
        )
    else:
        months = (one_off.amount / net_amount * 12).quantize(TENTH, rounding=ROUND_HALF_UP)
        payback = Figure(
            "payback",
            "Payback period",
            months,
            f"{number(months)} months = one-off cost {euros(one_off.amount)} ÷ net benefit "
            f"{euros(net_amount)} a year × 12",
            "One-off cost ÷ net benefit a year",
            unit="months",
            # A floor of the benefit makes the payback an upper bound, shown as it is.
        )
    cycle_amount = money(net_amount * CYCLE_YEARS - one_off.amount)
    cycle = Figure(
        "cycle",
        f"Net over a {CYCLE_YEARS}-year certificate cycle",
        cycle_amount,
        f"{euros(cycle_amount)} = {CYCLE_YEARS} × {euros(net_amount)} − one-off cost "
        f"{euros(one_off.amount)}",
        "A certificate is valid three years, with yearly surveillance audits",
        at_least=floor,
    )
    return benefit_total, net, payback, cycle


def quarter_of(day: dt.date | None) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}" if day else "No due date"


def roadmap_of(organization, today: dt.date, *, gaps: int = 5, actions: int = 12) -> Roadmap:
    """The latest completed readiness assessment's gaps and the open roadmap actions, by the
    quarter they fall due in (overdue ones first)."""
    assessment = Assessment.objects.latest_completed(organization)
    every = RoadmapAction.objects.for_org(organization)
    found = Roadmap(
        assessment=assessment,
        open_count=every.open().count(),
        done_count=every.filter(status=ActionStatus.DONE).count(),
        overdue_count=every.overdue(today).count(),
        draft_waiting=Assessment.objects.for_org(organization).drafts().exists(),
    )
    if assessment is not None:
        assessment.organization = organization
        result = readiness_results(assessment)
        found.percent = result.percent
        found.share_at_target = result.share_at_target
        found.gap_count = len(result.gaps)
        found.gaps = result.gaps[:gaps]
    upcoming = list(
        every.open()
        .select_related("owner", "item__clause", "item__control")
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:actions]
    )
    by_quarter: dict[str, list[RoadmapAction]] = {}
    for action in upcoming:
        action.organization = organization
        by_quarter.setdefault(quarter_of(action.due_date), []).append(action)
    found.quarters = [
        Quarter(
            label,
            items,
            sum(1 for x in items if x.due_date is not None and x.due_date < today),
        )
        for label, items in by_quarter.items()
    ]
    return found


def business_case(organization, *, today: dt.date, system_limit: int = 50) -> Case:
    """The organization's business case, from its records and its entered assumptions."""
    profile = profile_of(organization)
    rows, counts, total = _system_rows(organization, system_limit)
    stored = Assumptions.objects.filter(organization=organization).first()
    year_ago = today - dt.timedelta(days=365)
    incidents = (
        Incident.objects.for_org(organization).filter(occurred_at__date__gt=year_ago).count()
    )
    a = assumptions_of(stored, systems=total, incidents_last_year=incidents)
    headline = fines.worst([t for t, n in counts.items() if n], profile)
    costs, one_off, running = costs_of(a)
    benefits = benefits_of(headline, a)
    benefit_total, net, payback, cycle = payback_of(one_off, running, benefits)
    to_enter = []
    if not total:
        to_enter.append(
            "Register the AI systems in scope in the inventory: the exposure and the estimates "
            "are computed from them."
        )
    elif counts.get(RiskTier.UNCLASSIFIED):
        to_enter.append(
            f"Classify the {counts[RiskTier.UNCLASSIFIED]} system"
            f"{'s' if counts[RiskTier.UNCLASSIFIED] != 1 else ''} not yet classified under the "
            "EU AI Act: their fine cap depends on the tier."
        )
    if profile.annual_turnover is None:
        to_enter.append(
            "Enter the worldwide annual turnover (and whether the organization is an SME): "
            + (
                "for an SME the cap is the lower amount, which cannot be known without it."
                if profile.is_sme
                else "without it the caps are floors, the fixed amounts."
            )
        )
    if stored is None or not any(getattr(stored, key) is not None for key in UNITS):
        to_enter.append(
            "Replace the estimates with the organization's own figures (day rate, effort, audit "
            "quotes): every figure below is estimated until then."
        )
    return Case(
        systems=rows,
        system_count=total,
        tiers=tier_rows(counts, profile),
        headline=headline,
        information=fines.information_exposure(profile),
        turnover=profile.annual_turnover,
        is_sme=profile.is_sme,
        assumptions=a,
        costs=costs,
        one_off=one_off,
        running=running,
        benefits=benefits,
        benefit_total=benefit_total,
        net=net,
        payback=payback,
        cycle=cycle,
        roadmap=roadmap_of(organization, today),
        to_enter=to_enter,
        incidents_last_year=incidents,
    )


def estimates_if_emptied(case: Case, stored: Assumptions) -> dict[str, Assumption]:
    """What each field would give if the AIMS manager emptied it: its estimate, with the other
    fields as they are (the surveillance audit's estimate follows the certification audit)."""
    found = {}
    for key, current in case.assumptions.items():
        if not current.entered:
            found[key] = current
            continue
        emptied = copy.copy(stored)
        setattr(emptied, key, None)
        found[key] = assumptions_of(
            emptied, systems=case.system_count, incidents_last_year=case.incidents_last_year
        )[key]
    return found
