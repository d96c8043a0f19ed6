"""The risk register's part of the dashboard: open risks, decisions due, overdue reviews and
the heat maps."""

from django.db.models import Count, Q

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Stat, Step, how_many

from .heatmap import heatmap
from .models import Risk, Status


def _with_org(records, organization):
    """Attach the organization already in hand, so ``risk.level()`` needs no query per row."""
    for item in records:
        item.organization = organization
    return records


def part(organization) -> Part:
    matrix = organization.risk_matrix
    risks = Risk.objects.filter(organization=organization)
    counts = risks.aggregate(total=Count("pk"), open=Count("pk", filter=~Q(status=Status.CLOSED)))
    needs = risks.needs_decision(matrix)
    needs_list = _with_org(
        list(needs.order_by("-current_score_db", "ref")[:LIST_LIMIT]), organization
    )
    overdue = risks.review_overdue().select_related("owner")
    overdue_list = _with_org(
        list(overdue.order_by("next_review", "ref")[:LIST_LIMIT]), organization
    )
    open_risks = risks.open()
    maps = {
        "open": counts["open"],
        "inherent_map": heatmap(matrix, open_risks),
        "residual_map": heatmap(matrix, open_risks, residual=True),
    }
    figures = {
        "total": counts["total"],
        "open": counts["open"],
        "needs_decision": needs_list,
        "needs_decision_count": needs.count(),
        "review_overdue": overdue_list,
        "review_overdue_count": overdue.count(),
        **maps,
    }
    total = counts["total"]
    return Part(
        "risk",
        stats=[Stat(counts["open"], "open risk", "open risks", "risk_list", order=20)],
        steps=[
            Step(
                "Assess a risk",
                total > 0,
                f"{total} risk{'s' if total != 1 else ''} in the register."
                if total
                else "Score its likelihood and impact and choose a treatment (6.1.2, 6.1.3).",
                "risk_list",
                "Assess a risk",
                order=30,
                progress=how_many(total, "risk") + " in the register",
            )
        ],
        notices=[
            Notice(
                figures["needs_decision_count"],
                Section("risk/_dashboard_needs_decision.html", {"risks": needs_list}, order=10),
            ),
            Notice(
                figures["review_overdue_count"],
                Section("risk/_dashboard_overdue.html", {"risks": overdue_list}, order=20),
            ),
        ],
        tiles=[Section("risk/_dashboard_heatmaps.html", maps, column="wide", order=30)],
        has_records=total > 0,
        data=figures,
    )
