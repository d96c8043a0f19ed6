"""Data sets, their uses and other resources: every change goes through one function here,
recorded in the change trail.

Rules:

* a data set's quality checks, and the systems that use it, belong to its organization;
* a data set in use by a system in deployment or operation is not deleted: its record is the
  provenance of a system people rely on (remove the use first, or retire the system);
* a resource belongs to a system of its organization.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from aims.core.errors import Refused
from aims.trail.services import delete_governed, save_governed

from .models import DataSet, DataSetUse, Resource


def _same_org(records, organization, *, field: str, what: str) -> None:
    foreign = [str(r) for r in records if r.organization_id != organization.pk]
    if foreign:
        raise ValidationError({field: f"Choose {what} of this organization."})


@transaction.atomic
def save_dataset(
    dataset: DataSet, *, actor, quality_checks=None, clauses=None, controls=None
) -> DataSet:
    """Create or update a data set with its links (the lists given replace the links)."""
    taken = DataSet.objects.filter(organization=dataset.organization, name=dataset.name)
    if taken.exclude(pk=dataset.pk).exists():
        raise ValidationError({"name": "Another data set has this name already."})
    m2m = {}
    if quality_checks is not None:
        _same_org(quality_checks, dataset.organization, field="quality_checks", what="checks")
        m2m["quality_checks"] = quality_checks
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    return save_governed(dataset, actor=actor, m2m=m2m)


@transaction.atomic
def set_quality_checks(dataset: DataSet, checks, *, actor) -> DataSet:
    """Replace the checks that test the data set's quality."""
    return save_dataset(dataset, actor=actor, quality_checks=list(checks))


def in_live_use(dataset: DataSet) -> list[DataSetUse]:
    return list(dataset.live_uses().select_related("system"))


@transaction.atomic
def delete_dataset(dataset: DataSet, *, actor) -> None:
    """Delete a data set and its uses; refused while a system in deployment or operation uses
    it."""
    live = in_live_use(dataset)
    if live:
        names = ", ".join(sorted({use.system.name for use in live}))
        raise Refused(
            f"“{dataset.name}” is used by {names}, in deployment or operation: its record is "
            "the provenance of a system in use (A.7.5). Remove those uses first, or retire the "
            "system."
        )
    for use in dataset.uses.select_related("system"):
        use.dataset = dataset
        delete_governed(use, actor=actor, note=f"With data set {dataset.name}")
    delete_governed(dataset, actor=actor)


@transaction.atomic
def add_use(dataset: DataSet, *, system, purpose: str, system_version: str = "", actor):
    """Record that ``system`` (from ``system_version`` on) uses the data set for ``purpose``."""
    if system.organization_id != dataset.organization_id:
        raise ValidationError({"system": "Choose an AI system of this organization."})
    system_version = (system_version or "").strip()
    if DataSetUse.objects.filter(
        dataset=dataset, system=system, purpose=purpose, system_version=system_version
    ).exists():
        raise ValidationError(
            {"purpose": "This use is recorded already (same system, purpose and version)."}
        )
    use = DataSetUse(dataset=dataset, system=system, purpose=purpose, system_version=system_version)
    use.full_clean(exclude=["dataset", "system"], validate_constraints=False)
    return save_governed(use, actor=actor, organization=dataset.organization)


@transaction.atomic
def remove_use(use: DataSetUse, *, actor) -> None:
    delete_governed(use, actor=actor)


@transaction.atomic
def save_resource(resource: Resource, *, actor) -> Resource:
    """Create or update a resource of an AI system."""
    if resource.system.organization_id != resource.organization_id:
        raise ValidationError({"system": "Choose an AI system of this organization."})
    duplicate = (
        Resource.objects.filter(system=resource.system, name=resource.name)
        .exclude(pk=resource.pk)
        .exists()
    )
    if duplicate:
        raise ValidationError({"name": "This system has a resource of this name already."})
    return save_governed(resource, actor=actor)


@transaction.atomic
def delete_resource(resource: Resource, *, actor) -> None:
    delete_governed(resource, actor=actor)
