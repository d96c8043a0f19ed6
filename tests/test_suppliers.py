"""Suppliers and customers and their assessments: services, pages, hooks and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aims.catalog.models import Control
from aims.core.areas import due_items
from aims.core.errors import Refused
from aims.datasets.models import DataSet
from aims.suppliers import services
from aims.suppliers.dashboard import part
from aims.suppliers.models import Kind, Outcome, Status, SupplierAssessment, ThirdParty
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient, make_system

BASE = "/api/v1"
TODAY = timezone.localdate()


@pytest.fixture
def system(world):
    return make_system(world.org, actor=world.owner)


def party_of(world, **fields) -> ThirdParty:
    fields.setdefault("name", "Lumenware Models")
    fields.setdefault("kind", Kind.MODEL_PROVIDER)
    links = {k: fields.pop(k) for k in ("systems", "datasets") if k in fields}
    return services.save_third_party(
        ThirdParty(organization=world.org, **fields), actor=world.owner, **links
    )


def assess(party, *, days_ago=30, next_in=335, outcome=Outcome.APPROVED, actor=None):
    return services.record_assessment(
        SupplierAssessment(
            third_party=party,
            assessed_on=TODAY - dt.timedelta(days=days_ago),
            outcome=outcome,
            next_due=TODAY + dt.timedelta(days=next_in),
        ),
        actor=actor,
    )


def url(name, world, **kwargs) -> str:
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


# --- Services ----------------------------------------------------------------------------------


def test_it_records_a_supplier_with_its_systems_and_data_sets(world, system):
    data = DataSet.objects.create(organization=world.org, name="Bureau attributes")
    party = party_of(world, systems=[system], datasets=[data], responsibilities="Hosting")
    assert list(party.systems.all()) == [system]
    assert list(party.datasets.all()) == [data]
    assert AuditEvent.objects.for_record(party).get().action == "create"


def test_it_refuses_another_organizations_system_or_data_set(world):
    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    with pytest.raises(ValidationError) as refused:
        party_of(world, systems=[theirs])
    assert "systems" in refused.value.message_dict
    their_data = DataSet.objects.create(organization=world.other_org, name="Theirs")
    with pytest.raises(ValidationError):
        party_of(world, datasets=[their_data])
    assert not ThirdParty.objects.exists()


def test_an_assessment_in_the_future_is_refused(world):
    party = party_of(world)
    with pytest.raises(ValidationError) as refused:
        assess(party, days_ago=-1)
    assert "assessed_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        assess(party, days_ago=10, next_in=-10)
    assert "next_due" in refused.value.message_dict
    assert not party.assessments.exists()


def test_an_assessor_from_another_organization_is_refused(world):
    party = party_of(world)
    with pytest.raises(ValidationError):
        services.record_assessment(
            SupplierAssessment(
                third_party=party,
                assessed_on=TODAY,
                assessor=world.outsider,
                outcome=Outcome.APPROVED,
                next_due=TODAY + dt.timedelta(days=365),
            ),
            actor=world.owner,
        )
    assert not party.assessments.exists()


def test_the_latest_assessment_gives_the_next_due_date(world):
    party = party_of(world)
    assess(party, days_ago=400, next_in=-35)
    latest = assess(party, days_ago=5, next_in=360, outcome=Outcome.CONDITIONS)
    annotated = ThirdParty.objects.with_assessment().get(pk=party.pk)
    assert annotated.next_due == latest.next_due
    assert annotated.last_outcome == Outcome.CONDITIONS
    assert party.latest_assessment() == latest


def test_a_supplier_with_assessments_is_not_deleted_but_ended(world):
    party = party_of(world)
    assess(party)
    with pytest.raises(Refused):
        services.delete_third_party(party, actor=world.owner)
    assert ThirdParty.objects.filter(pk=party.pk).exists()
    services.end_relationship(party, actor=world.owner)
    party.refresh_from_db()
    assert party.status == Status.ENDED and party.ended_on == TODAY
    with pytest.raises(Refused):
        services.end_relationship(party, actor=world.owner)
    unassessed = party_of(world, name="Typo Ltd")
    services.delete_third_party(unassessed, actor=world.owner)
    assert not ThirdParty.objects.filter(pk=unassessed.pk).exists()


def test_due_and_overdue_assessments_fall_due_and_ended_ones_do_not(world):
    overdue = party_of(world, name="Stratus Cloud", owner=world.manager)
    assess(overdue, days_ago=400, next_in=-10)
    soon = party_of(world, name="Lumenware")
    assess(soon, days_ago=340, next_in=20)
    later = party_of(world, name="Meridian")
    assess(later, days_ago=10, next_in=200)
    ended = party_of(world, name="Old vendor")
    assess(ended, days_ago=500, next_in=-100)
    services.end_relationship(ended, actor=world.owner)
    items = [i for i in due_items(world.org, TODAY) if i.kind == "Supplier assessment"]
    assert [i.title for i in items] == [
        "Assess supplier: Stratus Cloud",
        "Assess supplier: Lumenware",
    ]
    assert items[0].overdue(TODAY) and not items[1].overdue(TODAY)
    assert items[0].people == frozenset({world.manager.pk})
    dashboard = part(world.org)
    assert dashboard.data == {"supplier_assessments_overdue": 1}
    assert dashboard.notices[0].section.context["third_parties"] == [overdue]


def test_the_filters(world, system):
    cloud = party_of(world, name="Stratus Cloud", kind=Kind.PLATFORM, systems=[system])
    assess(cloud, days_ago=400, next_in=-10)
    customer = party_of(world, name="Brightway Brokers", kind=Kind.CUSTOMER, contact="partners@")
    found = ThirdParty.objects.for_org(world.org).with_assessment()
    assert list(found.filtered(kind="customer")) == [customer]
    assert list(found.filtered(due=True)) == [cloud]
    assert list(found.filtered(system=system.slug)) == [cloud]
    assert list(found.filtered(q="partners")) == [customer]
    services.end_relationship(cloud, actor=world.owner)
    assert list(found.filtered(status="ended")) == [cloud]
    assert not found.filtered(due=True).exists()


# --- Pages -------------------------------------------------------------------------------------


def test_a_contributor_records_a_supplier_and_an_assessment(world, system):
    client = world.client(world.contributor)
    form = client.get(url("third_party_create", world))
    a_10_2 = Control.objects.get(ref="A.10.2")
    assert f'<option value="{a_10_2.pk}" selected>' in form.text  # offered by default
    response = client.post(
        url("third_party_create", world),
        {
            "name": "Lumenware Models",
            "kind": "model_provider",
            "status": "active",
            "systems": [system.pk],
            "responsibilities": "Hosting and availability of the model.",
            "controls": [a_10_2.pk],
        },
    )
    party = ThirdParty.objects.get(organization=world.org)
    assert response.status_code == 302 and response["Location"] == party.get_absolute_url()
    assert list(party.systems.all()) == [system]
    assert party.requirement_refs() == ["A.10.2"]
    create = url("assessment_create", world, third_party_id=party.pk)
    assert client.get(create).status_code == 200
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client.post(
        create,
        {"assessed_on": future, "outcome": "approved", "next_due": "2099-01-01"},
    )
    assert response.status_code == 422
    assert "choose today or earlier" in response.text
    assert not party.assessments.exists()
    response = client.post(
        create,
        {
            "assessed_on": TODAY.isoformat(),
            "assessor": world.contributor.pk,
            "outcome": "conditions",
            "findings": "Red-team results not shared.",
            "next_due": (TODAY + dt.timedelta(days=180)).isoformat(),
        },
    )
    assert response.status_code == 302
    assessment = party.assessments.get()
    assert (assessment.outcome, assessment.assessor) == ("conditions", world.contributor)
    response = client.get(party.get_absolute_url())
    page = response.text
    assert "Approved with conditions" in page
    trail = [(e.record_type, e.action) for e in response.context["events"]]
    assert trail == [("suppliers.supplierassessment", "create"), ("suppliers.thirdparty", "create")]
    assert (TODAY + dt.timedelta(days=180)).isoformat() in page


def test_the_list_flags_an_overdue_assessment_and_exports(world):
    client = world.client(world.viewer)
    assert "No suppliers or customers yet" in client.get(url("third_party_list", world)).text
    cloud = party_of(world, name="Stratus Cloud", kind=Kind.PLATFORM)
    assess(cloud, days_ago=400, next_in=-10)
    party_of(world, name="Talentflow ATS", kind=Kind.SERVICE)
    text = client.get(url("third_party_list", world)).text
    assert "1 supplier assessment overdue" in text
    assert "Assessment overdue since" in text
    assert "Not assessed yet" in text
    text = client.get(url("third_party_list", world), {"due": "on"}).text
    assert "Stratus Cloud" in text and "Talentflow" not in text
    response = client.get(url("third_party_export_csv", world), {"kind": "platform"})
    lines = response.content.decode().splitlines()
    assert len(lines) == 2 and "Stratus Cloud" in lines[1]
    assert (TODAY - dt.timedelta(days=10)).isoformat() in lines[1]
    assert "Assessment overdue" in client.get(cloud.get_absolute_url()).text


def test_deleting_an_assessed_supplier_is_refused_with_the_reason(world):
    party = party_of(world)
    assess(party)
    client = world.client(world.manager)
    delete = url("third_party_delete", world, third_party_id=party.pk)
    assert "End the relationship instead" in client.get(delete, follow=True).text
    assert "End the relationship instead" in client.post(delete, follow=True).text
    assert ThirdParty.objects.filter(pk=party.pk).exists()
    response = client.post(url("third_party_end", world, third_party_id=party.pk))
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.status == Status.ENDED


def test_an_unassessed_record_made_by_mistake_is_deleted(world):
    party = party_of(world)
    client = world.client(world.manager)
    delete = url("third_party_delete", world, third_party_id=party.pk)
    assert "Delete this supplier or customer?" in client.get(delete).text
    assert client.post(delete).status_code == 302
    assert not ThirdParty.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "auditor"])
def test_read_only_members_cannot_write(world, who):
    party = party_of(world)
    client = world.client(getattr(world, who))
    events = AuditEvent.objects.filter(organization=world.org).count()
    assert client.post(url("third_party_create", world), {"name": "X"}).status_code == 403
    for name in ("third_party_edit", "third_party_end", "third_party_delete", "assessment_create"):
        response = client.post(url(name, world, third_party_id=party.pk), {"name": "Renamed"})
        assert response.status_code == 403, name
    party.refresh_from_db()
    assert party.name == "Lumenware Models" and party.status == Status.ACTIVE
    assert AuditEvent.objects.filter(organization=world.org).count() == events


def test_the_system_and_data_set_pages_list_their_third_parties(world, system):
    data = DataSet.objects.create(organization=world.org, name="Bureau attributes")
    party = party_of(world, name="Meridian CRA", kind=Kind.DATA_PROVIDER, systems=[system])
    services.save_third_party(party, actor=world.owner, datasets=[data])
    client = world.client(world.viewer)
    page = client.get(
        reverse("system_detail", kwargs={"org": world.org.slug, "system_id": system.pk})
    )
    assert "Suppliers and customers" in page.text and party.get_absolute_url() in page.text
    data.organization = world.org
    page = client.get(data.get_absolute_url())
    assert "Suppliers" in page.text and party.get_absolute_url() in page.text


def test_a_third_party_addressing_a_control_shows_on_its_page(world):
    party = party_of(world)
    services.save_third_party(
        party, actor=world.owner, controls=list(Control.objects.filter(ref="A.10.3"))
    )
    page = world.client(world.viewer).get(url("catalog_control", world, ref="A.10.3"))
    assert "Suppliers and customers" in page.text and party.get_absolute_url() in page.text


# --- API ---------------------------------------------------------------------------------------


def test_the_api_records_a_supplier_and_its_assessments(world, system):
    api = ApiClient.for_member(world.contributor, world.org)
    data = DataSet.objects.create(organization=world.org, name="Bureau attributes")
    response = api.post(
        f"{BASE}/third-parties",
        {
            "name": "Meridian CRA",
            "kind": "data_provider",
            "systems": [system.slug],
            "datasets": [data.pk],
            "controls": ["A.10.2"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["systems"] == [system.slug] and body["datasets"] == [data.pk]
    assert body["next_assessment_due"] is None and body["assessment_overdue"] is False
    path = f"{BASE}/third-parties/{body['id']}/assessments"
    assessed = (TODAY - dt.timedelta(days=400)).isoformat()
    due = (TODAY - dt.timedelta(days=5)).isoformat()
    response = api.post(
        path,
        {
            "assessed_on": assessed,
            "outcome": "approved",
            "next_due": due,
            "assessor": "max.manager",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["assessor"] == "max.manager"
    body = api.get(f"{BASE}/third-parties/{body['id']}").json()
    assert body["next_assessment_due"] == due and body["assessment_overdue"] is True
    assert body["last_outcome"] == "approved"
    assert api.get(f"{BASE}/third-parties", {"due": "true"}).json()["count"] == 1
    assert api.get(path).json()["count"] == 1


def test_the_api_refuses_a_future_assessment_and_foreign_links(world, system):
    api = ApiClient.for_member(world.contributor, world.org)
    party = party_of(world)
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    response = api.post(
        f"{BASE}/third-parties/{party.pk}/assessments",
        {"assessed_on": future, "outcome": "approved", "next_due": "2099-01-01"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "assessed_on"
    assert not party.assessments.exists()
    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    response = api.patch(f"{BASE}/third-parties/{party.pk}", {"systems": [theirs.slug]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "systems"
    assert not party.systems.exists()


def test_the_api_deletes_only_an_unassessed_record(world):
    api = ApiClient.for_member(world.manager, world.org)
    party = party_of(world)
    assess(party)
    response = api.call("DELETE", f"{BASE}/third-parties/{party.pk}")
    assert response.status_code == 409
    assert ThirdParty.objects.filter(pk=party.pk).exists()
    response = api.patch(f"{BASE}/third-parties/{party.pk}", {"status": "ended"})
    assert response.status_code == 200 and response.json()["ended_on"] == TODAY.isoformat()
    other = party_of(world, name="Mistake")
    assert api.call("DELETE", f"{BASE}/third-parties/{other.pk}").status_code == 204
    contributor = ApiClient.for_member(world.contributor, world.org)
    assert contributor.call("DELETE", f"{BASE}/third-parties/{party.pk}").status_code == 403
