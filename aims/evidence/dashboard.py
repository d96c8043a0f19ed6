"""Evidence's part of the dashboard: how much, what expired, what was found damaged."""

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Stat, Step, how_many

from .models import Evidence


def _with_org(records, organization):
    for item in records:
        item.organization = organization  # for get_absolute_url, without a query per row
    return records


def part(organization) -> Part:
    evidence = Evidence.objects.filter(organization=organization)
    total = evidence.count()
    expired = evidence.expired()
    expired_list = _with_org(list(expired.order_by("valid_until", "pk")[:LIST_LIMIT]), organization)
    damaged = evidence.damaged()
    damaged_list = _with_org(
        list(damaged.with_file_damage().order_by("title", "pk")[:LIST_LIMIT]), organization
    )
    figures = {
        "total": total,
        "expired": expired_list,
        "expired_count": expired.count(),
        "damaged": damaged_list,
        "damaged_count": damaged.count(),
    }
    return Part(
        "evidence",
        stats=[Stat(total, "evidence record", "evidence records", "evidence_list", order=40)],
        steps=[
            Step(
                "Attach evidence",
                total > 0,
                f"{total} piece{'s' if total != 1 else ''} of evidence recorded."
                if total
                else "Upload a policy, a model card or a test report, or link to one (7.5).",
                "evidence_list",
                "Add evidence",
                order=50,
                progress=how_many(total, "evidence record"),
            )
        ],
        notices=[
            Notice(
                figures["damaged_count"],
                Section("evidence/_dashboard_damaged.html", {"evidence": damaged_list}, order=20),
                kind="strip",
            ),
            Notice(
                figures["expired_count"],
                Section("evidence/_dashboard_expired.html", {"evidence": expired_list}, order=30),
            ),
        ],
        has_records=total > 0,
        data=figures,
    )
