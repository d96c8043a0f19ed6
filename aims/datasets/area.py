"""Registered by this area: see aims/core/areas.py."""

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
from .models import RETENTION_NOTICE_DAYS, DataSet, DataSetUse, Resource


@hook("system_page", order=30)
def system_resources(system, request) -> Section:
    """The data sets the system uses, by purpose and version, and its other resources (two
    queries)."""
    uses = list(
        DataSetUse.objects.filter(system=system)
        .select_related("dataset")
        .order_by("purpose", "dataset__name", "system_version", "pk")
    )
    for use in uses:
        use.dataset.organization = request.org
    resources = list(system.resources.select_related("owner").order_by("kind", "name", "pk"))
    for resource in resources:
        resource.organization = request.org
    return Section(
        "datasets/_system_resources.html",
        {"system": system, "uses": uses, "resources": resources},
        order=30,
    )


@hook("run_page", order=30)
def run_datasets(run, request) -> Section | None:
    """The data sets a run's check tests (a data-quality run shows where it belongs)."""
    datasets = list(DataSet.objects.filter(quality_checks=run.definition_id).order_by("name"))
    if not datasets:
        return None
    for dataset in datasets:
        dataset.organization = request.org
    return Section("datasets/_run_datasets.html", {"datasets": datasets}, column="side", order=30)


@hook("due")
def due(organization, today) -> list[DueItem]:
    """Data sets whose "kept until" date is near or past: delete them or extend the date."""
    return [
        DueItem(
            title=f"Retention of data set: {dataset.name}",
            due=dataset.retain_until,
            url=dataset.get_absolute_url(),
            kind="Data retention",
            people=frozenset({dataset.owner_id}) if dataset.owner_id else frozenset(),
            access=Access.MANAGE,
        )
        for dataset in DataSet.objects.for_org(organization)
        .retention_due(RETENTION_NOTICE_DAYS, today)
        .select_related("organization")
    ]


hook("dashboard")(dashboard.part)

addresses_requirements(DataSet, label="Data sets", order=50)


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    return [
        *naming_it(
            DataSetUse.objects.filter(system=system).count(), "data set use", "data set uses"
        ),
        *naming_it(Resource.objects.filter(system=system).count(), "resource", "resources"),
    ]


register(
    Area(
        label="datasets",
        prefix="datasets/",
        urls="aims.datasets.urls",
        nav=(NavLink("Data sets", "dataset_list", "Do & check", order=15, icon="database"),),
        api_router="aims.datasets.api.router",
        api_path_records={
            "dataset_id": lambda org, v: names_record(DataSet.objects.for_org(org), v),
            "resource_id": lambda org, v: names_record(Resource.objects.for_org(org), v),
            "use_id": lambda org, v: names_record(
                DataSetUse.objects.filter(dataset__organization=org), v
            ),
        },
        order=75,
    )
)


@hook("search", order=100)
def search_datasets() -> SearchKind:
    return SearchKind(
        "datasets",
        "Data sets",
        queryset=lambda organization: DataSet.objects.filter(organization=organization),
        fields=("name",),
        list_url_name="dataset_list",
        order=100,
    )
