"""The context area's part of the dashboard: the getting-started step "Define the scope and
context", and the reviews of issues, parties, obligations and the scope that are overdue."""

from __future__ import annotations

from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Step

from .models import InterestedParty, Issue, Obligation, ScopeVersion


def overdue_reviews(organization, today) -> tuple[int, list[dict]]:
    """How many reviews are overdue, and the first of them (oldest first): a bounded number of
    queries whatever the number of records."""
    kinds = [
        ("Issue", Issue.objects.for_org(organization).review_overdue(today), "review_date"),
        (
            "Interested party",
            InterestedParty.objects.for_org(organization).review_overdue(today),
            "review_date",
        ),
        (
            "Obligation",
            Obligation.objects.for_org(organization).review_overdue(today),
            "review_date",
        ),
        (
            "Scope",
            ScopeVersion.objects.for_org(organization).approved().filter(next_review__lt=today),
            "next_review",
        ),
    ]
    count, found = 0, []
    for kind, records, field in kinds:
        count += records.count()
        for record in records.order_by(field, "pk")[:LIST_LIMIT]:
            record.organization = organization
            found.append(
                {
                    "kind": kind,
                    "title": str(record),
                    "due": getattr(record, field),
                    "url": record.get_absolute_url(),
                }
            )
    found.sort(key=lambda item: item["due"])
    return count, found[:LIST_LIMIT]


def part(organization) -> Part:
    today = timezone.localdate()
    has_scope = ScopeVersion.objects.for_org(organization).approved().exists()
    issues = Issue.objects.for_org(organization).count()
    parties = InterestedParty.objects.for_org(organization).count()
    missing = []
    if not has_scope:
        missing.append("an approved scope")
    if not issues:
        missing.append("an issue")
    if not parties:
        missing.append("an interested party")
    detail = (
        f"Scope approved; {issues} issue{'s' if issues != 1 else ''} and {parties} interested "
        f"part{'ies' if parties != 1 else 'y'} recorded."
        if not missing
        else "Still needed: " + ", ".join(missing) + " (clauses 4.1 to 4.3)."
    )
    count, overdue = overdue_reviews(organization, today)
    return Part(
        "context",
        steps=[
            Step(
                "Define the scope and context",
                not missing,
                detail,
                "context_overview",
                "Define the context",
                order=5,
                progress=f"{3 - len(missing)} of 3 in place",
            )
        ],
        notices=[
            Notice(
                count,
                Section("context/_dashboard_overdue.html", {"reviews": overdue}, order=25),
                show_when_zero=False,
            )
        ],
        has_records=bool(has_scope or issues or parties),
        data={"scope_approved": has_scope, "issues": issues, "parties": parties, "overdue": count},
    )
