"""Data sets, their uses and quality checks, and other resources: services, pages, hooks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.catalog.models import Control
from aims.checks.models import Check, CheckRun, Kind, RunStatus, SourceType
from aims.checks.services import save_check
from aims.core.areas import due_items
from aims.core.errors import Refused
from aims.datasets import services
from aims.datasets.models import (
    Acquisition,
    DataSet,
    DataSetUse,
    LegalBasis,
    Purpose,
    Resource,
    ResourceKind,
)
from aims.inventory.models import Stage
from aims.trail.models import AuditEvent
from tests.helpers import make_system, move_through


def quality_check(org, system, owner, name="Application data quality") -> Check:
    return save_check(
        Check(
            organization=org,
            system=system,
            name=name,
            kind=Kind.QUALITY,
            source_type=SourceType.PIPELINE,
            options={},
        ),
        actor=owner,
    )


def run_of(check, status=RunStatus.PASSED, *, days_ago=0) -> CheckRun:
    return CheckRun.objects.create(
        definition=check,
        organization=check.organization,
        status=status,
        started_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def dataset_of(world, **fields) -> DataSet:
    fields.setdefault("name", "Loan applications")
    return services.save_dataset(DataSet(organization=world.org, **fields), actor=world.owner)


@pytest.fixture
def system(world):
    return make_system(world.org, actor=world.owner)


def url(name, world, **kwargs) -> str:
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


# --- Services ----------------------------------------------------------------------------------


def test_it_records_a_data_set_with_its_quality_checks_in_the_trail(world, system):
    check = quality_check(world.org, system, world.owner)
    dataset = services.save_dataset(
        DataSet(organization=world.org, name="Loan applications", legal_basis=LegalBasis.CONTRACT),
        actor=world.owner,
        quality_checks=[check],
    )
    assert list(dataset.quality_checks.all()) == [check]
    event = AuditEvent.objects.for_record(dataset).get()
    assert event.action == "create"
    assert event.changes["quality_checks"] == [None, [str(check)]]


def test_it_refuses_another_organizations_check(world, system):
    other_system = make_system(world.other_org, actor=world.outsider, name="Theirs")
    theirs = quality_check(world.other_org, other_system, world.outsider)
    dataset = dataset_of(world)
    with pytest.raises(ValidationError) as refused:
        services.set_quality_checks(dataset, [theirs], actor=world.owner)
    assert "quality_checks" in refused.value.message_dict
    assert not dataset.quality_checks.exists()


def test_it_refuses_a_use_by_another_organizations_system(world):
    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    dataset = dataset_of(world)
    with pytest.raises(ValidationError) as refused:
        services.add_use(dataset, system=theirs, purpose=Purpose.TRAINING, actor=world.owner)
    assert "system" in refused.value.message_dict
    assert not DataSetUse.objects.exists()


def test_it_refuses_the_same_use_twice(world, system):
    dataset = dataset_of(world)
    services.add_use(dataset, system=system, purpose="training", system_version="1", actor=None)
    with pytest.raises(ValidationError):
        services.add_use(dataset, system=system, purpose="training", system_version="1", actor=None)
    # another version, or another purpose, is another use
    services.add_use(dataset, system=system, purpose="training", system_version="2", actor=None)
    services.add_use(dataset, system=system, purpose="testing", system_version="1", actor=None)
    assert dataset.uses.count() == 3


def test_it_refuses_a_name_already_taken(world):
    dataset_of(world, name="Bureau data")
    with pytest.raises(ValidationError) as refused:
        dataset_of(world, name="Bureau data")
    assert "name" in refused.value.message_dict
    assert DataSet.objects.filter(organization=world.org).count() == 1


def test_a_data_set_in_use_by_a_system_in_operation_is_not_deleted(world, system):
    dataset = dataset_of(world)
    services.add_use(dataset, system=system, purpose=Purpose.OPERATION, actor=world.owner)
    move_through(system, Stage.OPERATION, actor=world.owner)
    with pytest.raises(Refused) as refused:
        services.delete_dataset(dataset, actor=world.owner)
    assert "Credit scoring" in str(refused.value)
    assert DataSet.objects.filter(pk=dataset.pk).exists()
    assert dataset.uses.count() == 1


def test_a_data_set_used_in_development_is_deleted_with_its_uses(world, system):
    dataset = dataset_of(world)
    use = services.add_use(dataset, system=system, purpose=Purpose.TRAINING, actor=world.owner)
    services.delete_dataset(dataset, actor=world.owner)
    assert not DataSet.objects.filter(pk=dataset.pk).exists()
    assert not DataSetUse.objects.filter(pk=use.pk).exists()
    deleted = AuditEvent.objects.filter(organization=world.org, action="delete")
    assert {e.record_type for e in deleted} == {"datasets.dataset", "datasets.datasetuse"}


def test_the_list_filters(world, system):
    loans = dataset_of(world, name="Loans", legal_basis=LegalBasis.CONTRACT)
    articles = dataset_of(
        world, name="Articles", legal_basis=LegalBasis.NOT_PERSONAL, source="CMS export"
    )
    bought = dataset_of(world, name="Bureau", acquisition=Acquisition.LICENSED)
    services.add_use(loans, system=system, purpose=Purpose.TRAINING, actor=None)
    services.add_use(loans, system=system, purpose=Purpose.VALIDATION, actor=None)
    everything = DataSet.objects.for_org(world.org)
    assert list(everything.filtered(system=system.slug)) == [loans]
    assert list(everything.filtered(purpose="validation")) == [loans]
    assert set(everything.filtered(personal="yes")) == {loans, bought}
    assert list(everything.filtered(personal="no")) == [articles]
    assert list(everything.filtered(acquisition="licensed")) == [bought]
    assert list(everything.filtered(q="cms")) == [articles]
    assert list(everything.filtered(q="\x00cms")) == [articles]


def test_a_resource_belongs_to_a_system_of_its_organization(world, system):
    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    with pytest.raises(ValidationError):
        services.save_resource(
            Resource(organization=world.org, system=theirs, name="GPU"), actor=world.owner
        )
    assert not Resource.objects.exists()
    services.save_resource(
        Resource(organization=world.org, system=system, name="GPU", kind=ResourceKind.COMPUTING),
        actor=world.owner,
    )
    with pytest.raises(ValidationError):
        services.save_resource(
            Resource(organization=world.org, system=system, name="GPU"), actor=world.owner
        )
    assert Resource.objects.count() == 1


# --- Hooks -------------------------------------------------------------------------------------


def test_a_retention_date_near_or_past_falls_due(world):
    today = timezone.localdate()
    dataset_of(world, name="Soon", retain_until=today + dt.timedelta(days=10), owner=world.manager)
    dataset_of(world, name="Past", retain_until=today - dt.timedelta(days=1))
    dataset_of(world, name="Later", retain_until=today + dt.timedelta(days=90))
    dataset_of(world, name="Forever")
    items = [i for i in due_items(world.org, today) if i.kind == "Data retention"]
    assert [i.title for i in items] == [
        "Retention of data set: Past",
        "Retention of data set: Soon",
    ]
    assert items[0].overdue(today)
    assert items[1].people == frozenset({world.manager.pk})


def test_a_data_set_addressing_a_control_shows_on_its_page(world):
    dataset = dataset_of(world, name="Loan applications")
    services.save_dataset(
        dataset, actor=world.owner, controls=list(Control.objects.filter(ref="A.7.4"))
    )
    response = world.client(world.viewer).get(url("catalog_control", world, ref="A.7.4"))
    assert response.status_code == 200
    assert "Data sets" in response.text
    assert dataset.get_absolute_url() in response.text


def test_the_system_page_lists_its_data_sets_by_purpose_and_its_resources(world, system):
    loans = dataset_of(world, name="Loan applications")
    services.add_use(loans, system=system, purpose="training", system_version="4.2", actor=None)
    services.save_resource(
        Resource(organization=world.org, system=system, name="Training cluster", kind="computing"),
        actor=world.owner,
    )
    response = world.client(world.viewer).get(url("system_detail", world, system_id=system.pk))
    assert response.status_code == 200
    text = response.text
    assert "Data sets and resources" in text
    assert loans.get_absolute_url() in text
    assert "Training" in text and "4.2" in text
    assert "Training cluster" in text


def test_the_run_page_names_the_data_sets_its_check_tests(world, system):
    check = quality_check(world.org, system, world.owner)
    run = run_of(check)
    dataset = dataset_of(world, name="Loan applications")
    services.set_quality_checks(dataset, [check], actor=world.owner)
    response = world.client(world.viewer).get(url("run_detail", world, run_id=run.pk))
    assert response.status_code == 200
    assert "Data sets it tests" in response.text
    assert dataset.get_absolute_url() in response.text


# --- Pages -------------------------------------------------------------------------------------


def test_a_contributor_records_a_data_set_with_a_quality_check(world, system):
    check = quality_check(world.org, system, world.owner)
    client = world.client(world.contributor)
    assert client.get(url("dataset_create", world)).status_code == 200
    response = client.post(
        url("dataset_create", world),
        {
            "name": "Loan applications",
            "acquisition": "collected",
            "legal_basis": "contract",
            "quality_checks": [check.pk],
            "retain_until": "2031-06-30",
            "controls": [Control.objects.get(ref="A.7.4").pk],
        },
    )
    dataset = DataSet.objects.get(organization=world.org)
    assert response.status_code == 302
    assert response["Location"] == dataset.get_absolute_url()
    assert list(dataset.quality_checks.all()) == [check]
    assert dataset.retain_until == dt.date(2031, 6, 30)
    assert dataset.requirement_refs() == ["A.7.4"]


def test_the_form_refuses_another_organizations_check(world, system):
    other_system = make_system(world.other_org, actor=world.outsider, name="Theirs")
    theirs = quality_check(world.other_org, other_system, world.outsider)
    response = world.client(world.owner).post(
        url("dataset_create", world), {"name": "Loans", "quality_checks": [theirs.pk]}
    )
    assert response.status_code == 422
    assert not DataSet.objects.exists()
    dataset = dataset_of(world)
    response = world.client(world.owner).post(
        url("dataset_quality_checks", world, dataset_id=dataset.pk), {"quality_checks": [theirs.pk]}
    )
    assert response.status_code == 302
    assert not dataset.quality_checks.exists()


def test_the_page_shows_the_latest_runs_of_each_quality_check(world, system):
    check = quality_check(world.org, system, world.owner)
    old = run_of(check, RunStatus.FAILED, days_ago=3)
    new = run_of(check, RunStatus.PASSED)
    dataset = dataset_of(world)
    services.set_quality_checks(dataset, [check], actor=world.owner)
    response = world.client(world.viewer).get(dataset.get_absolute_url())
    text = response.text
    assert response.status_code == 200
    for run in (old, new):
        assert reverse("run_detail", kwargs={"org": world.org.slug, "run_id": run.pk}) in text
    assert text.index(f"Run {new.pk}") < text.index(f"Run {old.pk}")
    assert "Failed" in text and "Passed" in text


def test_the_page_runs_as_many_queries_for_many_checks_and_runs(world, system):
    dataset = dataset_of(world)
    client = world.client(world.owner)
    page = dataset.get_absolute_url()

    def add(n):
        checks = [quality_check(world.org, system, world.owner, f"Q{Check.objects.count()}")]
        for check in checks:
            for _ in range(n):
                run_of(check)
        dataset.quality_checks.add(*checks)
        other = make_system(world.org, actor=world.owner, name=f"S{Check.objects.count()}")
        services.add_use(dataset, system=other, purpose="testing", actor=None)

    add(1)
    client.get(page)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200
    for _ in range(3):
        add(8)
    with CaptureQueriesContext(connection) as large:
        assert client.get(page).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_uses_are_added_and_removed_on_the_data_set_page(world, system):
    dataset = dataset_of(world)
    client = world.client(world.contributor)
    response = client.post(
        url("dataset_use_add", world, dataset_id=dataset.pk),
        {"system": system.pk, "purpose": "validation", "system_version": "2.0"},
    )
    assert response.status_code == 302
    use = dataset.uses.get()
    assert (use.system, use.purpose, use.system_version) == (system, "validation", "2.0")
    response = client.post(
        url("dataset_use_add", world, dataset_id=dataset.pk),
        {"system": system.pk, "purpose": "validation", "system_version": "2.0"},
    )
    assert response.status_code == 422
    assert "recorded already" in response.text
    remove = url("dataset_use_remove", world, dataset_id=dataset.pk, use_id=use.pk)
    assert client.get(remove).status_code == 200
    assert client.post(remove).status_code == 302
    assert not dataset.uses.exists()


def test_a_use_by_another_organizations_system_is_refused_on_the_page(world):
    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    dataset = dataset_of(world)
    response = world.client(world.owner).post(
        url("dataset_use_add", world, dataset_id=dataset.pk),
        {"system": theirs.pk, "purpose": "training"},
    )
    assert response.status_code == 422
    assert not dataset.uses.exists()


def test_deleting_a_data_set_in_live_use_is_refused_and_explained(world, system):
    dataset = dataset_of(world)
    services.add_use(dataset, system=system, purpose=Purpose.OPERATION, actor=world.owner)
    move_through(system, Stage.DEPLOYMENT, actor=world.owner)
    client = world.client(world.manager)
    delete = url("dataset_delete", world, dataset_id=dataset.pk)
    response = client.get(delete, follow=True)
    assert "cannot be deleted" in response.text
    assert "Credit scoring" in response.text
    response = client.post(delete, follow=True)
    assert "Remove those uses first" in response.text
    assert DataSet.objects.filter(pk=dataset.pk).exists()


def test_a_manager_deletes_an_unused_data_set_after_confirming(world):
    dataset = dataset_of(world)
    client = world.client(world.manager)
    delete = url("dataset_delete", world, dataset_id=dataset.pk)
    assert "Delete this data set?" in client.get(delete).text
    assert client.post(delete).status_code == 302
    assert not DataSet.objects.filter(pk=dataset.pk).exists()
    # a contributor may not delete
    other = dataset_of(world, name="Other")
    response = world.client(world.contributor).post(
        url("dataset_delete", world, dataset_id=other.pk)
    )
    assert response.status_code == 403
    assert DataSet.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("who", ["viewer", "auditor"])
def test_read_only_members_cannot_change_data_sets(world, system, who):
    dataset = dataset_of(world)
    client = world.client(getattr(world, who))
    events = AuditEvent.objects.filter(organization=world.org).count()
    for name, body in [
        ("dataset_edit", {"name": "Renamed"}),
        ("dataset_use_add", {"system": system.pk, "purpose": "training"}),
        ("dataset_quality_checks", {"quality_checks": []}),
        ("dataset_delete", {}),
    ]:
        assert client.post(url(name, world, dataset_id=dataset.pk), body).status_code == 403
    assert client.post(url("resource_create", world), {"name": "X"}).status_code == 403
    dataset.refresh_from_db()
    assert dataset.name == "Loan applications"
    assert not dataset.uses.exists()
    assert AuditEvent.objects.filter(organization=world.org).count() == events


def test_the_list_searches_filters_exports_and_says_when_empty(world, system):
    client = world.client(world.viewer)
    response = client.get(url("dataset_list", world))
    assert "No data sets yet" in response.text
    loans = dataset_of(world, name="Loan applications", legal_basis=LegalBasis.CONTRACT)
    dataset_of(world, name="Help articles", legal_basis=LegalBasis.NOT_PERSONAL)
    services.add_use(loans, system=system, purpose="training", system_version="4.2", actor=None)
    response = client.get(url("dataset_list", world), {"system": system.slug})
    assert "Loan applications" in response.text and "Help articles" not in response.text
    response = client.get(url("dataset_list", world), {"personal": "no"})
    assert "Help articles" in response.text and "Loan applications" not in response.text
    response = client.get(url("dataset_list", world), {"q": "nothing like it"})
    assert "No data set matches these filters" in response.text
    response = client.get(url("dataset_export_csv", world), {"purpose": "training"})
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert len(lines) == 2 and lines[1].startswith(f"{loans.pk},Loan applications,")
    assert "Credit scoring 4.2: Training" in lines[1]


def test_resources_are_recorded_from_the_system_page(world, system):
    client = world.client(world.contributor)
    create = url("resource_create", world) + f"?system={system.pk}"
    response = client.get(create)
    assert response.status_code == 200
    assert f'<option value="{system.pk}" selected>' in response.text
    response = client.post(
        create,
        {"system": system.pk, "kind": "tooling", "name": "LightGBM 4", "owner": world.manager.pk},
    )
    resource = Resource.objects.get(organization=world.org)
    assert response.status_code == 302
    assert (resource.system, resource.kind, resource.owner) == (system, "tooling", world.manager)
    response = client.post(
        url("resource_edit", world, resource_id=resource.pk),
        {"system": system.pk, "kind": "tooling", "name": "LightGBM 4.3"},
    )
    resource.refresh_from_db()
    assert resource.name == "LightGBM 4.3"
    assert "LightGBM 4.3" in client.get(url("resource_list", world)).text
    delete = url("resource_delete", world, resource_id=resource.pk)
    assert client.post(delete).status_code == 302
    assert not Resource.objects.exists()


def test_a_resource_cannot_name_another_organizations_system(world, system):
    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    response = world.client(world.owner).post(
        url("resource_create", world), {"system": theirs.pk, "kind": "other", "name": "X"}
    )
    assert response.status_code == 422
    assert not Resource.objects.exists()


# --- Demo --------------------------------------------------------------------------------------


def test_the_demo_records_data_sets_resources_and_suppliers(db):
    from aims.demo.loader import load_demo
    from aims.suppliers.models import ThirdParty

    org, owner, _ = load_demo()
    loans = DataSet.objects.get(organization=org, name__startswith="Loan application history")
    assert {(u.system.name, u.purpose) for u in loans.uses.select_related("system")} == {
        ("Credit scoring model", "training"),
        ("Credit scoring model", "validation"),
        ("Credit scoring model", "testing"),
    }
    check = loans.quality_checks.get()
    assert check.kind == Kind.QUALITY and check.runs.get().status == RunStatus.PASSED
    page = world_client(owner).get(loans.get_absolute_url()).text
    assert "Passed" in page
    assert set(
        Resource.objects.filter(organization=org).values_list("system__name", flat=True)
    ) == {
        "Credit scoring model",
        "CV screening model",
        "Customer service assistant",
    }
    today = timezone.localdate()
    found = ThirdParty.objects.for_org(org).with_assessment()
    provider = found.get(kind="model_provider")
    assert provider.last_outcome == "conditions" and provider in found.assessment_due(today=today)
    bureau = found.get(kind="data_provider")
    assert bureau.datasets.get().name.startswith("Credit bureau")
    assert found.filter(kind="customer").get().commitments
    kinds = {item.kind for item in due_items(org, today)}
    assert {"Data retention", "Supplier assessment"} <= kinds


def world_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_lists_data_sets_whose_retention_ends(world):
    from aims.datasets.dashboard import part

    today = timezone.localdate()
    soon = dataset_of(world, name="Soon", retain_until=today + dt.timedelta(days=5))
    dataset_of(world, name="Later", retain_until=today + dt.timedelta(days=200))
    found = part(world.org)
    assert found.data == {"datasets_retention_due": 1}
    assert found.notices[0].section.context["datasets"] == [soon]
    page = world.client(world.viewer).get(reverse("dashboard", kwargs={"org": world.org.slug}))
    assert "Data retention due" in page.text and soon.get_absolute_url() in page.text
