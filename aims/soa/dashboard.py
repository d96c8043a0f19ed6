"""The Statement of Applicability's part of the dashboard: decisions, implementation, flags."""

from django.db.models import Count

from aims.catalog.models import Control
from aims.core.areas import Section
from aims.core.dashboard import Notice, Part, Stat, Step, tallies

from .models import Applicability, Implementation, SoAEntry


def part(organization) -> Part:
    entries = SoAEntry.objects.filter(organization=organization)
    rows = entries.order_by().values("applicability", "status").annotate(n=Count("pk"))
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
    applicable = by_applicability.get(Applicability.APPLICABLE, 0)
    excluded = by_applicability.get(Applicability.EXCLUDED, 0)
    figures = {
        "controls_total": Control.objects.count(),
        "decided": applicable + excluded,
        "undecided": by_applicability.get(Applicability.UNDECIDED, 0),
        "applicable": applicable,
        "excluded": excluded,
        "by_status": tallies(applicable_by_status, Implementation.choices),
        "flagged": entries.flagged().count(),
    }
    decided, total = figures["decided"], figures["controls_total"]
    return Part(
        "soa",
        stats=[
            Stat(decided, "control decided", "controls decided", "soa_list", of=total, order=30)
        ],
        steps=[
            Step(
                "Decide the Statement of Applicability",
                decided > 0,
                f"{decided} of {total} controls decided.",
                "soa_list",
                "Decide controls",
                order=40,
            )
        ],
        notices=[
            Notice(
                figures["flagged"],
                Section("soa/_dashboard_flagged.html", {}, order=40),
                show_when_zero=False,
            )
        ],
        tiles=[Section("soa/_dashboard_soa.html", figures, column="half", order=20)],
        has_records=decided > 0,
        data=figures,
    )
