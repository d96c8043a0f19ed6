"""The data sets area's share of the route-walking and query-count tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.checks.models import Check, CheckRun, RunStatus
from aims.datasets.models import (
    Acquisition,
    DataSet,
    DataSetUse,
    LegalBasis,
    Purpose,
    Resource,
    ResourceKind,
)
from aims.datasets.services import add_use, save_dataset, save_resource
from aims.organizations.models import Access

LIST_PAGES = ["dataset_list", "resource_list"]


def make(world, records) -> dict:
    org = world.org
    system = records["objects"]["system"]
    checks = [records["objects"]["check"]] if "check" in records["objects"] else []
    dataset = save_dataset(
        DataSet(
            organization=org,
            name="Loan applications 2019-2024",
            description="1.2 M applications with outcomes.",
            acquisition=Acquisition.COLLECTED,
            legal_basis=LegalBasis.CONTRACT,
            owner=world.manager,
            retain_until=timezone.localdate() + dt.timedelta(days=10),
        ),
        actor=world.owner,
        quality_checks=checks,
    )
    use = add_use(
        dataset, system=system, purpose=Purpose.TRAINING, system_version="4.2", actor=world.owner
    )
    resource = save_resource(
        Resource(
            organization=org,
            system=system,
            kind=ResourceKind.COMPUTING,
            name="Training cluster",
            owner=world.manager,
        ),
        actor=world.owner,
    )
    return {
        "dataset_id": dataset.pk,
        "use_id": use.pk,
        "resource_id": resource.pk,
        "api": {"dataset_id": dataset.pk, "use_id": use.pk, "resource_id": resource.pk},
        "objects": {"dataset": dataset, "use": use, "resource": resource},
    }


def seed(world, n: int) -> None:
    """``n`` more data sets, each used by a system and tested by a check with a run, and ``n``
    more resources."""
    from aims.inventory.models import AISystem

    org = world.org
    start = DataSet.objects.filter(organization=org).count()
    system = AISystem.objects.filter(organization=org).first()
    if system is None:
        system = AISystem.objects.create(organization=org, name="Seed system", slug="seed-system")
    datasets = DataSet.objects.bulk_create(
        DataSet(organization=org, name=f"Data set {start + i}", owner=world.owner) for i in range(n)
    )
    DataSetUse.objects.bulk_create(
        DataSetUse(dataset=d, system=system, purpose=Purpose.TRAINING) for d in datasets
    )
    checks = Check.objects.bulk_create(
        Check(organization=org, system=system, name=f"Quality {start + i}", kind="quality")
        for i in range(n)
    )
    CheckRun.objects.bulk_create(
        CheckRun(definition=c, organization=org, status=RunStatus.PASSED) for c in checks
    )
    DataSet.quality_checks.through.objects.bulk_create(
        DataSet.quality_checks.through(dataset_id=d.pk, check_id=c.pk)
        for d, c in zip(datasets, checks, strict=True)
    )
    Resource.objects.bulk_create(
        Resource(organization=org, system=system, name=f"Resource {start + i}", owner=world.owner)
        for i in range(n)
    )


API_ACCESS = {
    ("GET", "/datasets"): Access.READ,
    ("POST", "/datasets"): Access.CONTRIBUTE,
    ("GET", "/datasets/{dataset_id}"): Access.READ,
    ("PATCH", "/datasets/{dataset_id}"): Access.CONTRIBUTE,
    ("DELETE", "/datasets/{dataset_id}"): Access.MANAGE,
    ("PUT", "/datasets/{dataset_id}/quality-checks"): Access.CONTRIBUTE,
    ("POST", "/datasets/{dataset_id}/uses"): Access.CONTRIBUTE,
    ("DELETE", "/datasets/{dataset_id}/uses/{use_id}"): Access.CONTRIBUTE,
    ("GET", "/resources"): Access.READ,
    ("POST", "/resources"): Access.CONTRIBUTE,
    ("GET", "/resources/{resource_id}"): Access.READ,
    ("PATCH", "/resources/{resource_id}"): Access.CONTRIBUTE,
    ("DELETE", "/resources/{resource_id}"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/datasets"): {"name": "Another data set"},
    ("PATCH", "/datasets/{dataset_id}"): {"licence": "CC-BY 4.0"},
    ("DELETE", "/datasets/{dataset_id}"): {},
    ("PUT", "/datasets/{dataset_id}/quality-checks"): {"checks": []},
    ("POST", "/datasets/{dataset_id}/uses"): {"system": "credit-scoring", "purpose": "testing"},
    ("DELETE", "/datasets/{dataset_id}/uses/{use_id}"): {},
    ("POST", "/resources"): {"system": "credit-scoring", "name": "GPU node"},
    ("PATCH", "/resources/{resource_id}"): {"kind": "tooling"},
    ("DELETE", "/resources/{resource_id}"): {},
}
