"""Registered by this area: see aims/core/areas.py."""

from __future__ import annotations

from django.db.models import Q

from aims.catalog.links import addresses_requirements
from aims.core.areas import (
    Area,
    NavLink,
    SearchKind,
    Section,
    hook,
    names_record,
    naming_it,
    register,
)

from . import gates  # noqa: F401  (replaces the pending high-risk gate requirements)
from .models import Status, TechnicalDocument

addresses_requirements(
    TechnicalDocument,
    label="Technical documentation",
    current=Q(status=Status.APPROVED),
    order=45,
)


@hook("system_page", order=30)
def system_documents(system, request) -> Section:
    """The system's technical documentation and information for users, newest first (one
    query)."""
    documents = list(
        TechnicalDocument.objects.filter(system=system)
        .exclude(status=Status.SUPERSEDED)
        .order_by("kind", "-number")
    )
    for document in documents:
        document.organization = request.org
        document.system = system
    return Section(
        "techdocs/_system_documents.html",
        {"system": system, "documents": documents},
        order=30,
    )


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    return naming_it(
        TechnicalDocument.objects.filter(system=system).count(),
        "technical document",
        "technical documents",
    )


register(
    Area(
        label="techdocs",
        prefix="techdocs/",
        urls="aims.techdocs.urls",
        nav=(
            NavLink(
                "Technical documentation", "techdoc_list", "Do & check", order=25, icon="file-code"
            ),
        ),
        api_router="aims.techdocs.api.router",
        api_path_records={
            "doc_id": lambda org, v: names_record(TechnicalDocument.objects.for_org(org), v),
        },
        order=80,
    )
)


@hook("search", order=61)
def search_technical_documents() -> SearchKind:
    # Most versions have no title of their own: the system's name finds them.
    return SearchKind(
        "technical_documents",
        "Technical documentation",
        queryset=lambda organization: TechnicalDocument.objects.filter(
            organization=organization
        ).select_related("system"),
        fields=("title", "system__name"),
        describe=str,
        list_url_name="techdoc_list",
        order=61,
    )
