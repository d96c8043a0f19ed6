"""The inventory's part of the dashboard: how many systems, by stage and by risk tier."""

from django.db.models import Count

from aims.core.areas import Section
from aims.core.dashboard import Part, Stat, Step, how_many, tallies

from .models import AISystem, RiskTier, Stage


def part(organization) -> Part:
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
    total = sum(by_stage.values())
    figures = {
        "total": total,
        "by_stage": tallies(by_stage, Stage.choices),
        "by_tier": tallies(by_tier, RiskTier.choices),
    }
    return Part(
        "inventory",
        stats=[Stat(total, "AI system", "AI systems", "system_list", order=10)],
        steps=[
            Step(
                "Register an AI system",
                total > 0,
                f"{total} AI system{'s' if total != 1 else ''} registered."
                if total
                else "Record what it is for, who it affects and who owns it (A.6, A.9.4).",
                "system_list",
                "Register a system",
                order=20,
                progress=how_many(total, "AI system") + " registered",
            )
        ],
        tiles=[Section("inventory/_dashboard_systems.html", figures, column="half", order=10)],
        has_records=total > 0,
        data=figures,
    )
