"""The objectives' part of the dashboard: objectives on track, KPIs off target, a checklist
step."""

from django.db.models import Count, Q
from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Stat, Step, how_many

from .models import KPI, KPIStatus, Objective


def part(organization) -> Part:
    today = timezone.localdate()
    objectives = Objective.objects.for_org(organization)
    counted = objectives.counted()
    total = counted.count()
    on_track = counted.on_track(today).count()
    kpis = KPI.objects.for_org(organization)
    kpi_counts = kpis.aggregate(
        total=Count("pk"), off=Count("pk", filter=Q(status=KPIStatus.OFF_TARGET))
    )
    off_list = list(kpis.off_target().order_by("latest_date", "name")[:LIST_LIMIT])
    for kpi in off_list:
        kpi.organization = organization
    done = total > 0 and kpi_counts["total"] > 0
    if done:
        detail = (
            f"{total} objective{'s' if total != 1 else ''} and {kpi_counts['total']} "
            f"KPI{'s' if kpi_counts['total'] != 1 else ''}."
        )
    else:
        detail = (
            "Say what the AI management system aims for, and how you will measure it (6.2, 9.1)."
        )
    return Part(
        "objectives",
        stats=[
            Stat(
                on_track,
                "objective on track",
                "objectives on track",
                "objective_list",
                of=total,
                order=40,
            )
        ],
        steps=[
            Step(
                "Set AI objectives and KPIs",
                done,
                detail,
                "objective_list",
                "Set objectives",
                order=45,
                progress=f"{how_many(total, 'objective')}, {how_many(kpi_counts['total'], 'KPI')}",
            )
        ],
        notices=[
            Notice(
                kpi_counts["off"],
                Section(
                    "objectives/_dashboard_off_target.html",
                    {"kpis": off_list, "count": kpi_counts["off"]},
                    order=40,
                ),
            )
        ],
        has_records=total > 0 or kpi_counts["total"] > 0,
        data={
            "objectives": total,
            "on_track": on_track,
            "kpis": kpi_counts["total"],
            "kpis_off_target": kpi_counts["off"],
        },
    )
