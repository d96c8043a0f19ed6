"""The data sets API: data sets, their uses and quality checks, and other resources."""

from __future__ import annotations

import pytest

from aims.datasets.models import DataSet, DataSetUse, Resource
from aims.inventory.models import Stage
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient, make_system, move_through
from tests.test_datasets import quality_check, run_of

BASE = "/api/v1"


@pytest.fixture
def system(world):
    return make_system(world.org, actor=world.owner)


@pytest.fixture
def api(world):
    return ApiClient.for_member(world.manager, world.org)


def test_a_data_set_is_recorded_read_changed_and_listed(world, system, api):
    check = quality_check(world.org, system, world.owner)
    response = api.post(
        f"{BASE}/datasets",
        {
            "name": "Loan applications",
            "acquisition": "collected",
            "legal_basis": "contract",
            "owner": world.contributor.username,
            "quality_checks": [check.pk],
            "retain_until": "2031-06-30",
            "controls": ["A.7.4"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    dataset = DataSet.objects.get(pk=body["id"])
    assert body["quality_checks"] == [check.pk]
    assert body["controls"] == ["A.7.4"]
    assert body["owner"] == world.contributor.username
    assert list(dataset.quality_checks.all()) == [check]
    response = api.patch(f"{BASE}/datasets/{dataset.pk}", {"licence": "Internal", "clauses": []})
    assert response.status_code == 200
    dataset.refresh_from_db()
    assert dataset.licence == "Internal"
    assert list(dataset.quality_checks.all()) == [check]  # not sent: unchanged
    listed = api.get(f"{BASE}/datasets", {"personal": "true"}).json()
    assert [d["id"] for d in listed["items"]] == [dataset.pk]
    assert api.get(f"{BASE}/datasets", {"personal": "false"}).json()["count"] == 0


def test_another_organizations_check_is_refused_by_name(world, system, api):
    theirs_system = make_system(world.other_org, actor=world.outsider, name="Theirs")
    theirs = quality_check(world.other_org, theirs_system, world.outsider)
    response = api.post(f"{BASE}/datasets", {"name": "Loans", "quality_checks": [theirs.pk]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "quality_checks"
    assert not DataSet.objects.exists()
    dataset = DataSet.objects.create(organization=world.org, name="Loans")
    response = api.call(
        "PUT", f"{BASE}/datasets/{dataset.pk}/quality-checks", {"checks": [theirs.pk]}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "checks"
    assert not dataset.quality_checks.exists()


def test_quality_checks_are_set_and_replaced(world, system, api):
    one = quality_check(world.org, system, world.owner, "One")
    two = quality_check(world.org, system, world.owner, "Two")
    run_of(two)
    dataset = DataSet.objects.create(organization=world.org, name="Loans")
    path = f"{BASE}/datasets/{dataset.pk}/quality-checks"
    assert api.call("PUT", path, {"checks": [one.pk, two.pk]}).json()["quality_checks"] == [
        one.pk,
        two.pk,
    ]
    assert api.call("PUT", path, {"checks": [two.pk]}).status_code == 200
    assert list(dataset.quality_checks.all()) == [two]


def test_uses_are_added_and_removed(world, system, api):
    dataset = DataSet.objects.create(organization=world.org, name="Loans")
    path = f"{BASE}/datasets/{dataset.pk}/uses"
    response = api.post(
        path, {"system": system.slug, "purpose": "training", "system_version": "4.2"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["system"] == system.slug
    use = DataSetUse.objects.get(pk=response.json()["id"])
    again = api.post(path, {"system": system.slug, "purpose": "training", "system_version": "4.2"})
    assert again.status_code == 422
    unknown = api.post(path, {"system": "nope", "purpose": "training"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "system"
    assert api.get(f"{BASE}/datasets/{dataset.pk}").json()["uses"][0]["system_version"] == "4.2"
    assert api.call("DELETE", f"{path}/{use.pk}").status_code == 204
    assert not dataset.uses.exists()


def test_another_organizations_system_is_unknown(world, api):
    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    dataset = DataSet.objects.create(organization=world.org, name="Loans")
    response = api.post(
        f"{BASE}/datasets/{dataset.pk}/uses", {"system": theirs.slug, "purpose": "training"}
    )
    assert response.status_code == 422
    assert not DataSetUse.objects.exists()


def test_deleting_a_data_set_in_live_use_is_a_conflict(world, system, api):
    dataset = DataSet.objects.create(organization=world.org, name="Loans")
    DataSetUse.objects.create(dataset=dataset, system=system, purpose="operation")
    move_through(system, Stage.OPERATION, actor=world.owner)
    events = AuditEvent.objects.filter(organization=world.org).count()
    response = api.call("DELETE", f"{BASE}/datasets/{dataset.pk}")
    assert response.status_code == 409
    assert "Credit scoring" in response.json()["detail"]
    assert DataSet.objects.filter(pk=dataset.pk).exists()
    assert AuditEvent.objects.filter(organization=world.org).count() == events
    unused = DataSet.objects.create(organization=world.org, name="Unused")
    assert api.call("DELETE", f"{BASE}/datasets/{unused.pk}").status_code == 204
    assert not DataSet.objects.filter(pk=unused.pk).exists()


def test_a_contributor_may_not_delete_a_data_set(world):
    dataset = DataSet.objects.create(organization=world.org, name="Loans")
    api = ApiClient.for_member(world.contributor, world.org)
    assert api.call("DELETE", f"{BASE}/datasets/{dataset.pk}").status_code == 403
    assert DataSet.objects.filter(pk=dataset.pk).exists()


def test_a_name_already_taken_and_a_null_character_are_refused(world, api):
    DataSet.objects.create(organization=world.org, name="Loans")
    response = api.post(f"{BASE}/datasets", {"name": "Loans"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    response = api.post(f"{BASE}/datasets", {"name": "Bad\x00"})
    assert response.status_code == 422
    assert api.post(f"{BASE}/datasets", {"name": "X", "licence": "y" * 201}).status_code == 422
    assert DataSet.objects.count() == 1


def test_resources_are_recorded_changed_and_deleted(world, system, api):
    response = api.post(
        f"{BASE}/resources",
        {"system": system.slug, "kind": "computing", "name": "GPU node", "owner": "max.manager"},
    )
    assert response.status_code == 201, response.content
    resource = Resource.objects.get(pk=response.json()["id"])
    assert (resource.system, resource.kind, resource.owner) == (system, "computing", world.manager)
    response = api.patch(f"{BASE}/resources/{resource.pk}", {"description": "Two A100"})
    assert response.status_code == 200
    assert api.get(f"{BASE}/resources", {"system": system.slug}).json()["count"] == 1
    assert api.get(f"{BASE}/resources", {"kind": "people"}).json()["count"] == 0
    assert api.call("DELETE", f"{BASE}/resources/{resource.pk}").status_code == 204
    assert not Resource.objects.exists()


def test_a_resource_of_another_organizations_system_is_refused(world, api):
    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    response = api.post(f"{BASE}/resources", {"system": theirs.slug, "name": "GPU"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "system"
    assert not Resource.objects.exists()


def test_a_viewer_cannot_write(world, system):
    dataset = DataSet.objects.create(organization=world.org, name="Loans")
    api = ApiClient.for_member(world.viewer, world.org)
    assert api.post(f"{BASE}/datasets", {"name": "X"}).status_code == 403
    assert api.patch(f"{BASE}/datasets/{dataset.pk}", {"name": "Y"}).status_code == 403
    assert (
        api.post(
            f"{BASE}/datasets/{dataset.pk}/uses", {"system": system.slug, "purpose": "training"}
        ).status_code
        == 403
    )
    assert api.post(f"{BASE}/resources", {"system": system.slug, "name": "X"}).status_code == 403
    dataset.refresh_from_db()
    assert dataset.name == "Loans"
    assert DataSet.objects.count() == 1 and not DataSetUse.objects.exists()
    assert api.get(f"{BASE}/datasets/{dataset.pk}").status_code == 200
