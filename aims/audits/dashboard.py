"""The internal audit's part of the dashboard: how much of the current cycle is audited, and the
audits that are late."""

from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part

from .coverage import coverage, current_programme
from .models import Audit, AuditProgramme


def part(organization) -> Part:
    today = timezone.localdate()
    programme = current_programme(organization, today)
    found = coverage(programme) if programme is not None else None
    if programme is not None:
        programme.organization = organization
    overdue = Audit.objects.for_org(organization).overdue(today)
    overdue_count = overdue.count()
    listed = list(
        overdue.select_related("lead_auditor").order_by("planned_start", "pk")[:LIST_LIMIT]
    )
    for audit in listed:
        audit.organization = organization
    last = (
        AuditProgramme.objects.for_org(organization)
        .filter(ends_on__lt=programme.starts_on if programme is not None else today)
        .order_by("-ends_on", "-pk")
        .first()
    )
    if last is not None:
        last.organization = organization
    has_records = found is not None or last is not None
    tiles = []
    if has_records:
        tiles.append(
            Section(
                "audits/_dashboard_coverage.html",
                {
                    "programme": programme,
                    "coverage": found,
                    "last": last,
                    "last_coverage": coverage(last) if last is not None else None,
                },
                column="half",
                order=60,
            )
        )
    return Part(
        "audits",
        notices=[
            Notice(
                overdue_count,
                Section(
                    "audits/_dashboard_overdue.html",
                    {"audits": listed, "today": today},
                    order=55,
                ),
                show_when_zero=False,
            )
        ],
        tiles=tiles,
        has_records=has_records,
        data={
            "audit_cycle_percent": found.percent_audited if found is not None else None,
            "audits_overdue": overdue_count,
        },
    )
