"""The documents' part of the dashboard: approved documents, overdue reviews, the AI policy."""

from django.db.models import Count, Q
from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Stat, Step

from .models import CURRENT, Document


def part(organization) -> Part:
    today = timezone.localdate()
    documents = Document.objects.filter(organization=organization)
    counts = documents.aggregate(
        total=Count("pk"),
        approved=Count("pk", filter=CURRENT),
        ai_policy=Count("pk", filter=CURRENT & Q(is_ai_policy=True)),
    )
    overdue = documents.review_overdue(today).select_related("owner")
    overdue_list = list(overdue.order_by("next_review", "title")[:LIST_LIMIT])
    for document in overdue_list:
        document.organization = organization
    overdue_count = overdue.count()
    return Part(
        "documents",
        stats=[
            Stat(
                counts["approved"],
                "approved document",
                "approved documents",
                "document_list",
                order=40,
            )
        ],
        steps=[
            Step(
                "Approve the AI policy",
                counts["ai_policy"] > 0,
                "The AI policy is approved by top management."
                if counts["ai_policy"]
                else "Write the AI policy (a template is ready), send it to review and have top "
                "management approve it (5.2).",
                "document_from_template",
                "Start from the template",
                order=8,
                progress="AI policy approved"
                if counts["ai_policy"]
                else "AI policy not approved yet",
            )
        ],
        notices=[
            Notice(
                overdue_count,
                Section("documents/_dashboard_overdue.html", {"documents": overdue_list}, order=40),
            )
        ],
        has_records=counts["total"] > 0,
        data={
            "total": counts["total"],
            "approved": counts["approved"],
            "review_overdue": overdue_list,
            "review_overdue_count": overdue_count,
            "ai_policy_approved": counts["ai_policy"] > 0,
        },
    )
