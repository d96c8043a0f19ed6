"""Registered by this area: see aims/core/areas.py."""

from django.db.models import Q

from aims.catalog.links import addresses_requirements
from aims.core.areas import (
    Area,
    DueItem,
    NavLink,
    SearchKind,
    Section,
    hook,
    names_record,
    naming_it,
    register,
)
from aims.organizations.models import Access

from . import dashboard
from .models import Status, ThirdParty


@hook("system_page", order=35)
def system_third_parties(system, request) -> Section:
    """The suppliers and customers of an AI system (one query)."""
    found = list(system.external_parties.order_by("status", "name", "pk"))
    for third_party in found:
        third_party.organization = request.org
    return Section(
        "suppliers/_system_third_parties.html",
        {"system": system, "third_parties": found},
        column="side",
        order=35,
    )


@hook("dataset_page", order=20)
def dataset_suppliers(dataset, request) -> Section:
    """The third parties that supply (or receive) a data set (one query)."""
    found = list(dataset.third_parties.order_by("status", "name", "pk"))
    for third_party in found:
        third_party.organization = request.org
    return Section(
        "suppliers/_dataset_suppliers.html",
        {"dataset": dataset, "third_parties": found},
        order=20,
    )


@hook("due")
def due(organization, today) -> list[DueItem]:
    """Supplier assessments due within a month or overdue (A.10.3)."""
    return [
        DueItem(
            title=f"Assess supplier: {third_party.name}",
            due=third_party.next_due,
            url=third_party.get_absolute_url(),
            kind="Supplier assessment",
            people=frozenset({third_party.owner_id}) if third_party.owner_id else frozenset(),
            access=Access.CONTRIBUTE,
        )
        for third_party in ThirdParty.objects.for_org(organization)
        .with_assessment()
        .assessment_due(today=today)
        .select_related("organization")
    ]


hook("dashboard")(dashboard.part)

addresses_requirements(
    ThirdParty, label="Suppliers and customers", current=Q(status=Status.ACTIVE), order=55
)


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    return naming_it(
        ThirdParty.objects.filter(systems=system).count(), "third party", "third parties"
    )


register(
    Area(
        label="suppliers",
        prefix="suppliers/",
        urls="aims.suppliers.urls",
        nav=(
            NavLink(
                "Suppliers & customers", "third_party_list", "Do & check", order=30, icon="truck"
            ),
        ),
        api_router="aims.suppliers.api.router",
        api_path_records={
            "third_party_id": lambda org, v: names_record(ThirdParty.objects.for_org(org), v),
        },
        order=76,
    )
)


@hook("search", order=110)
def search_third_parties() -> SearchKind:
    return SearchKind(
        "third_parties",
        "Suppliers and third parties",
        queryset=lambda organization: ThirdParty.objects.filter(organization=organization),
        fields=("name",),
        list_url_name="third_party_list",
        order=110,
    )
