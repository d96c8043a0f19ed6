"""The business case's figures as JSON: what the page and the PDF show, each with its formula
and source, for a board pack or a spreadsheet built elsewhere."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from ninja import Field, Router, Schema

from aims.api.auth import READ
from aims.api.errors import responses
from aims.euaiact.api.common import ExposureOut, exposure_out

from .assumptions import Assumption
from .case import Case, Figure, business_case

router = Router(tags=["Business case"])


def _amount(value: Decimal | None, unit: str) -> int | float | None:
    if value is None:
        return None
    return int(value) if unit == "EUR" else float(value)


class CaseSystemOut(Schema):
    name: str
    tier: str = Field(description="EU AI Act risk tier.")
    basis: str = Field(description="Where the tier comes from (a signed classification, ...).")


class TierOut(Schema):
    tier: str
    label: str
    systems: int = Field(description="AI systems in scope (not retired) in this tier.")
    exposure: ExposureOut | None = Field(
        description="The Art. 99 fine cap for one system of the tier; null for a tier without "
        "a cap of its own."
    )
    note: str


class AssumptionOut(Schema):
    key: str
    label: str
    unit: str
    value: float
    entered: bool = Field(description="Entered by the organization; else estimated.")
    source: str = Field(description="Who entered it, or how it is estimated.")


class CaseFigureOut(Schema):
    key: str
    label: str
    amount: int | float | None = Field(
        description="Whole euros, or months for the payback; null when it cannot be computed "
        "(the formula says what to enter)."
    )
    unit: str
    at_least: bool = Field(description="A floor: the turnover is not recorded.")
    formula: str
    source: str


class RoadmapOut(Schema):
    assessment: str | None = Field(description="The latest completed readiness assessment.")
    readiness_percent: int | None
    share_at_level_3_or_above: int | None
    gaps: int = Field(description="Items of that assessment below level 3.")
    top_gaps: list[str] = Field(description="The gaps that leave the most risk open, first.")
    open_actions: int
    overdue_actions: int
    done_actions: int


class BusinessCaseOut(Schema):
    systems_in_scope: int
    systems: list[CaseSystemOut] = Field(description="The first 50 systems in scope, by name.")
    annual_turnover: int | None
    is_sme: bool
    tiers: list[TierOut]
    highest_exposure: ExposureOut | None = Field(
        description="The highest cap among the tiers of the systems in scope."
    )
    information_exposure: ExposureOut = Field(
        description="The cap for misleading the authorities, which every operator faces."
    )
    assumptions: list[AssumptionOut]
    costs: list[CaseFigureOut]
    one_off_cost: CaseFigureOut
    running_cost: CaseFigureOut
    benefits: list[CaseFigureOut]
    benefits_total: CaseFigureOut
    net_benefit: CaseFigureOut
    payback: CaseFigureOut
    cycle: CaseFigureOut = Field(description="The net over a certificate's three-year cycle.")
    roadmap: RoadmapOut
    to_enter: list[str] = Field(description="What to enter for a complete case.")


def assumption_out(a: Assumption) -> dict:
    return {
        "key": a.key,
        "label": a.label,
        "unit": a.unit,
        "value": float(a.value),
        "entered": a.entered,
        "source": a.source,
    }


def figure_out(f: Figure) -> dict:
    return {
        "key": f.key,
        "label": f.label,
        "amount": _amount(f.amount, f.unit),
        "unit": f.unit,
        "at_least": f.at_least,
        "formula": f.formula,
        "source": f.source,
    }


def case_out(case: Case) -> dict:
    roadmap = case.roadmap
    return {
        "systems_in_scope": case.system_count,
        "systems": [{"name": s.name, "tier": s.tier, "basis": s.basis} for s in case.systems],
        "annual_turnover": int(case.turnover) if case.turnover is not None else None,
        "is_sme": case.is_sme,
        "tiers": [
            {
                "tier": t.tier,
                "label": t.label,
                "systems": t.systems,
                "exposure": exposure_out(t.exposure),
                "note": t.note,
            }
            for t in case.tiers
        ],
        "highest_exposure": exposure_out(case.headline),
        "information_exposure": exposure_out(case.information),
        "assumptions": [assumption_out(a) for a in case.assumptions.values()],
        "costs": [figure_out(f) for f in case.costs],
        "one_off_cost": figure_out(case.one_off),
        "running_cost": figure_out(case.running),
        "benefits": [figure_out(f) for f in case.benefits],
        "benefits_total": figure_out(case.benefit_total),
        "net_benefit": figure_out(case.net),
        "payback": figure_out(case.payback),
        "cycle": figure_out(case.cycle),
        "roadmap": {
            "assessment": roadmap.assessment.title if roadmap.assessment else None,
            "readiness_percent": roadmap.percent,
            "share_at_level_3_or_above": roadmap.share_at_target,
            "gaps": roadmap.gap_count,
            "top_gaps": [f"{gap.item.ref} {gap.item.title}" for gap in roadmap.gaps],
            "open_actions": roadmap.open_count,
            "overdue_actions": roadmap.overdue_count,
            "done_actions": roadmap.done_count,
        },
        "to_enter": case.to_enter,
    }


@router.get(
    "/business-case",
    auth=READ,
    response=responses(200, BusinessCaseOut),
    summary="The business case for the AIMS",
    description="AI systems in scope and their EU AI Act tiers, the Art. 99 fine cap of each "
    "tier, the cost of implementation, the benefits, the payback period and the roadmap: each "
    "figure with its formula and source. Figures the organization has not entered are "
    "estimated, and say so.",
)
def business_case_get(request):
    return case_out(business_case(request.org, today=timezone.localdate()))
