"""Registered by this area: see aims/core/areas.py."""

from __future__ import annotations

from aims.catalog.links import addresses_requirements
from aims.core.areas import (
    Area,
    DueItem,
    Involvement,
    Measure,
    NavLink,
    SearchKind,
    hook,
    names_record,
    register,
)
from aims.organizations.models import Access, Membership

from . import dashboard
from .models import CURRENT, Acknowledgement, Document, DocumentVersion, State, Status

addresses_requirements(Document, label="Documents", current=CURRENT, order=40)

hook("dashboard")(dashboard.part)


@hook("due", order=40)
def document_reviews(organization, today) -> list[DueItem]:
    """Each document's next review, to its owner (or those who manage, when it has none); each
    version waiting in review, to those who may approve it."""
    items = []
    documents = (
        Document.objects.filter(organization=organization, next_review__isnull=False)
        .exclude(status=Status.RETIRED)
        .only("pk", "title", "next_review", "owner_id", "organization_id")
    )
    for document in documents:
        document.organization = organization
        items.append(
            DueItem(
                title=f"Review “{document.title}”",
                due=document.next_review,
                url=document.get_absolute_url(),
                kind="Document review",
                people=frozenset({document.owner_id}) if document.owner_id else frozenset(),
                access=Access.MANAGE,
            )
        )
    waiting = DocumentVersion.objects.filter(
        organization=organization, state=State.IN_REVIEW
    ).select_related("document")
    for version in waiting:
        version.document.organization = organization
        items.append(
            DueItem(
                title=f"Approve or send back “{version.document.title}” v{version.number}",
                due=None,
                url=version.document.get_absolute_url(),
                kind="Document approval",
                access=Access.DECIDE,
                needs_decision=True,
            )
        )
    return items


@hook("involvement", order=40)
def approvals(organization, since) -> list[Involvement]:
    """Versions approved since ``since``, by their approver (5.1: top management approving the
    AI policy, say)."""
    versions = DocumentVersion.objects.filter(
        organization=organization, approved_by__isnull=False, approved_at__gte=since
    ).select_related("document")
    out = []
    for version in versions:
        version.document.organization = organization
        out.append(
            Involvement(
                user_id=version.approved_by_id,
                when=version.approved_at,
                kind="Approval",
                title=f"Approved “{version.document.title}” version {version.number}",
                url=version.document.get_absolute_url(),
            )
        )
    return out


def ai_policy_acknowledged(organization, today) -> float | None:
    """The share of members (of the roles it is for) who acknowledged the AI policy in force."""
    policy = (
        Document.objects.filter(organization=organization, is_ai_policy=True)
        .filter(CURRENT)
        .first()
    )
    if policy is None:
        return None
    members = Membership.objects.filter(organization=organization)
    if policy.audience:
        members = members.filter(role__in=policy.audience)
    total = members.count()
    if not total:
        return None
    read = Acknowledgement.objects.filter(
        version_id=policy.approved_version_id, user__in=members.values("user")
    ).count()
    return round(100 * read / total, 1)


@hook("measures", order=40)
def document_measures() -> list[Measure]:
    return [
        Measure(
            key="documents.ai_policy_acknowledged",
            label="Share of members who acknowledged the current AI policy",
            unit="%",
            compute=ai_policy_acknowledged,
            direction="up",
        )
    ]


def _document_exists(organization, value) -> bool:
    value = str(value)
    return names_record(Document.objects.filter(organization=organization), value)


register(
    Area(
        label="documents",
        prefix="documents/",
        urls="aims.documents.urls",
        nav=(NavLink("Documents & policy", "document_list", "Plan", order=8, icon="file-text"),),
        api_router="aims.documents.api.router",
        api_path_records={"document_id": _document_exists},
        uploads={"document_create": "evidence", "document_write": "evidence"},
        order=40,
    )
)


@hook("search", order=60)
def search_documents() -> SearchKind:
    return SearchKind(
        "documents",
        "Documents",
        queryset=lambda organization: Document.objects.filter(organization=organization),
        list_url_name="document_list",
        order=60,
    )
