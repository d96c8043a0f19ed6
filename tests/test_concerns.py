"""Concerns (A.3.3): raised by any member, triaged by the AIMS manager, anonymity kept
everywhere; the public link and its limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aims.core.areas import control_records
from aims.incidents import services
from aims.incidents.models import (
    CONCERN_MAX_LENGTH,
    Concern,
    ConcernChannel,
    ConcernIntake,
    ConcernStatus,
    Incident,
)
from aims.inventory.models import AISystem, Stage
from aims.risk.models import Risk
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def raise_as(world, user, **fields):
    fields.setdefault("text", "The CV screening seems to reject applicants over 50.")
    return services.raise_concern(world.org, actor=user, **fields)


# --- Raising -------------------------------------------------------------------------------------


def test_a_viewer_may_raise_a_concern_from_the_app(world, credit_system):
    client = world.client(world.viewer)
    assert client.get(url(world, "concern_create")).status_code == 200
    response = client.post(
        url(world, "concern_create"), {"system": credit_system.pk, "text": "Looks unfair."}
    )
    concern = Concern.objects.get()
    assert response.url == concern.get_absolute_url()
    assert (concern.raised_by, concern.channel, concern.status) == (
        world.viewer,
        ConcernChannel.MEMBER,
        ConcernStatus.NEW,
    )


def test_a_concern_raised_counts_for_the_reporting_of_concerns(world, credit_system):
    concern = raise_as(world, world.viewer, system=credit_system, anonymous=True)

    assert concern.requirement_refs() == ["A.3.3"]
    kind = next(k for k in control_records() if k.model is Concern)
    assert list(kind.current_records(world.org)) == [concern]
    page = world.client(world.auditor).get(url(world, "catalog_control", ref="A.3.3"))
    assert concern.get_absolute_url() in page.content.decode()


def test_a_concern_may_name_no_system(world):
    concern = raise_as(world, world.viewer)
    assert concern.system is None


def test_an_over_long_concern_is_refused(world):
    client = world.client(world.viewer)
    response = client.post(url(world, "concern_create"), {"text": "x" * (CONCERN_MAX_LENGTH + 1)})
    assert response.status_code == 422
    assert not Concern.objects.exists()


def test_an_anonymous_reporter_is_never_shown(world, credit_system):
    """The username of the member who raised an anonymous concern appears in no page, CSV, API
    answer or audit event, for viewers and managers alike; it is not even stored."""
    client = world.client(world.viewer)
    client.post(
        url(world, "concern_create"),
        {"system": credit_system.pk, "text": "Secret worry about scoring.", "anonymous": "on"},
    )
    concern = Concern.objects.get()
    assert concern.anonymous and concern.raised_by is None
    name = world.viewer.get_username()
    assert AuditEvent.objects.filter(record_id=str(concern.pk), actor__isnull=True).exists()
    for user in (world.viewer, world.manager, world.owner):
        reader = world.client(user)
        for page in (
            url(world, "concern_list"),
            url(world, "concern_detail", concern_id=concern.pk),
            url(world, "concern_export_csv"),
            url(world, "audit_log"),
            url(world, "catalog_control", ref="A.3.3"),  # where the concern counts
        ):
            body = reader.get(page).content.decode()
            # The top bar names whoever is signed in: look at the page's own content.
            content = body.split("<main", 1)[-1]
            assert name not in content, (user, page)
    for user in (world.viewer, world.manager, world.owner):  # tokens are audited: pages first
        api = ApiClient.for_member(user, world.org)
        for path in ("/api/v1/concerns", f"/api/v1/concerns/{concern.pk}"):
            assert name not in api.get(path).content.decode()
    body = world.client(world.manager).get(url(world, "concern_detail", concern_id=concern.pk))
    assert "Anonymous" in body.content.decode()


def test_an_anonymous_concern_through_the_api_stores_no_user(world):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post("/api/v1/concerns", {"text": "Worry", "anonymous": True})
    assert response.status_code == 201
    assert response.json()["raised_by"] is None
    assert Concern.objects.get().raised_by is None
    viewer = ApiClient.for_member(world.viewer, world.org)
    assert viewer.post("/api/v1/concerns", {"text": "Worry"}).status_code == 403


# --- Triage --------------------------------------------------------------------------------------


def test_the_manager_triages_a_concern_into_an_incident(world, credit_system):
    concern = raise_as(world, world.viewer, system=credit_system)
    response = world.client(world.manager).post(
        url(world, "concern_triage", concern_id=concern.pk),
        {"outcome": "incident", "title": "Age bias in screening", "severity": "high"},
    )
    incident = Incident.objects.get()
    assert response.url == incident.get_absolute_url()
    concern.refresh_from_db()
    assert (concern.status, concern.incident, concern.triaged_by) == (
        ConcernStatus.INCIDENT,
        incident,
        world.manager,
    )
    assert incident.system == credit_system and incident.severity == "high"
    assert sorted(c.ref for c in incident.controls.all()) == ["A.3.3", "A.8.4"]
    again = world.client(world.manager).post(
        url(world, "concern_triage", concern_id=concern.pk), {"outcome": "close", "reason": "x"}
    )
    assert again.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.INCIDENT and Incident.objects.count() == 1


def test_the_manager_triages_a_concern_into_a_risk(world, credit_system):
    concern = raise_as(world, world.viewer, system=credit_system)
    world.client(world.manager).post(
        url(world, "concern_triage", concern_id=concern.pk),
        {
            "outcome": "risk",
            "title": "Age bias",
            "category": "fairness",
            "likelihood": 3,
            "impact": 4,
        },
    )
    concern.refresh_from_db()
    risk = Risk.objects.get(organization=world.org, title="Age bias")
    assert concern.status == ConcernStatus.RISK and concern.risk == risk
    assert list(risk.systems.all()) == [credit_system]


def test_a_risk_is_scored_on_the_organizations_matrix(world, credit_system):
    concern = raise_as(world, world.viewer, system=credit_system)
    client = world.client(world.manager)
    page = client.get(url(world, "concern_detail", concern_id=concern.pk)).content.decode()
    assert "1 to 5, on the risk matrix." in page

    response = client.post(
        url(world, "concern_triage", concern_id=concern.pk),
        {"outcome": "risk", "title": "Age bias", "category": "fairness", "likelihood": 6},
    )

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "5" in errors["likelihood"][0]
    assert errors["impact"] == ["Needed to record a risk."]
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NEW
    assert not Risk.objects.filter(organization=world.org).exists()


def test_closing_needs_a_reason(world):
    concern = raise_as(world, world.viewer)
    client = world.client(world.manager)
    response = client.post(
        url(world, "concern_triage", concern_id=concern.pk), {"outcome": "close"}
    )
    assert response.status_code == 422
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NEW
    client.post(
        url(world, "concern_triage", concern_id=concern.pk),
        {"outcome": "close", "reason": "Explained: working as intended."},
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED and concern.triage_reason


def test_an_incident_needs_a_system(world):
    concern = raise_as(world, world.viewer)
    response = world.client(world.manager).post(
        url(world, "concern_triage", concern_id=concern.pk), {"outcome": "incident"}
    )
    assert response.status_code == 422
    assert not Incident.objects.exists()
    assert Concern.objects.get().status == ConcernStatus.NEW


@pytest.mark.parametrize("who", ["contributor", "viewer", "auditor"])
def test_only_the_aims_manager_triages(world, credit_system, who):
    concern = raise_as(world, world.viewer, system=credit_system)
    response = world.client(getattr(world, who)).post(
        url(world, "concern_triage", concern_id=concern.pk), {"outcome": "close", "reason": "x"}
    )
    assert response.status_code == 403
    api = ApiClient.for_member(getattr(world, who), world.org)
    response = api.post(
        f"/api/v1/concerns/{concern.pk}/triage", {"outcome": "close", "reason": "x"}
    )
    assert response.status_code == 403
    assert Concern.objects.get().status == ConcernStatus.NEW


def test_the_api_triages_into_a_risk(world, credit_system):
    concern = raise_as(world, world.viewer, system=credit_system)
    api = ApiClient.for_member(world.manager, world.org)
    response = api.post(f"/api/v1/concerns/{concern.pk}/triage", {"outcome": "risk"})
    assert response.status_code == 422
    response = api.post(
        f"/api/v1/concerns/{concern.pk}/triage",
        {"outcome": "risk", "category": "fairness", "likelihood": 2, "impact": 2},
    )
    assert response.status_code == 200 and response.json()["risk"].startswith("R-")
    response = api.post(
        f"/api/v1/concerns/{concern.pk}/triage", {"outcome": "close", "reason": "x"}
    )
    assert response.status_code == 409


# --- The public link -------------------------------------------------------------------------


def public_url(intake):
    return reverse("concern_public", kwargs={"token": intake.token})


@pytest.fixture
def intake(world):
    return services.set_intake(world.org, actor=world.manager, enabled=True)


def test_the_link_is_off_by_default_and_a_wrong_token_is_404(world):
    intake = services.intake_of(world.org)
    assert not intake.enabled
    assert Client().get(public_url(intake)).status_code == 404
    assert Client().post(public_url(intake), {"text": "x"}).status_code == 404
    services.set_intake(world.org, actor=world.manager, enabled=True)
    assert Client().get(public_url(intake)).status_code == 200
    assert Client().get(reverse("concern_public", kwargs={"token": "guess"})).status_code == 404
    for odd in ("%00", "a%00b", "%C3%A9t%C3%A9", "x" * 300):  # never a query PostgreSQL refuses
        assert Client().get(f"/public/concerns/{odd}/").status_code == 404
    assert not Concern.objects.exists()


def test_only_the_manager_turns_the_link_on(world):
    for user in (world.contributor, world.viewer):
        assert (
            world.client(user).post(url(world, "concern_intake"), {"action": "on"}).status_code
            == 403
        )
    assert not ConcernIntake.objects.filter(enabled=True).exists()
    world.client(world.manager).post(url(world, "concern_intake"), {"action": "on"})
    assert ConcernIntake.objects.get().enabled


def test_a_new_token_stops_the_old_link(world, intake):
    old = public_url(intake)
    world.client(world.manager).post(url(world, "concern_intake"), {"action": "regenerate"})
    intake.refresh_from_db()
    assert Client().get(old).status_code == 404
    assert Client().get(public_url(intake)).status_code == 200


def test_the_public_page_shows_only_the_name_and_active_systems(world, intake, credit_system):
    AISystem.objects.create(
        organization=world.org, name="Old scorer", slug="old", purpose="x", stage=Stage.RETIRED
    )
    body = Client().get(public_url(intake)).content.decode()
    assert world.org.name in body and "Credit scoring" in body
    assert "Old scorer" not in body and "Score loans" not in body  # no purpose shown
    assert world.manager.get_username() not in body


def test_a_public_report_is_stored_anonymous(world, intake, credit_system):
    client = Client(enforce_csrf_checks=True)
    page = client.get(public_url(intake))
    token = page.cookies["csrftoken"].value
    response = client.post(
        public_url(intake),
        {
            "text": "Wrong advice",
            "system": credit_system.pk,
            "anonymous": "on",
            "name": "Ann",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    concern = Concern.objects.get()
    assert concern.channel == ConcernChannel.PUBLIC and concern.anonymous
    assert concern.reporter_name == "" and concern.raised_by is None


def test_the_public_form_needs_its_csrf_token(world, intake):
    client = Client(enforce_csrf_checks=True)
    assert client.post(public_url(intake), {"text": "x"}).status_code == 403
    assert not Concern.objects.exists()


def test_an_over_size_public_report_is_refused_and_nothing_stored(world, intake):
    response = Client().post(public_url(intake), {"text": "x" * (CONCERN_MAX_LENGTH + 1)})
    assert response.status_code == 422
    assert "at most" in response.content.decode().lower()
    huge = Client().post(public_url(intake), {"text": "x" * 40_000})
    assert huge.status_code == 413
    assert not Concern.objects.exists()


def test_a_system_of_another_organization_is_refused(world, intake):
    other = AISystem.objects.create(
        organization=world.other_org, name="Theirs", slug="t", purpose="x"
    )
    response = Client().post(public_url(intake), {"text": "x", "system": other.pk})
    assert response.status_code == 422
    assert not Concern.objects.exists()


def test_a_flooding_address_is_refused_with_429(world, intake):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(services.PUBLIC_PER_ADDRESS_PER_HOUR):
        assert client.post(public_url(intake), {"text": f"Report {i}"}).status_code == 200
    response = client.post(public_url(intake), {"text": "One too many"})
    assert response.status_code == 429
    assert Concern.objects.count() == services.PUBLIC_PER_ADDRESS_PER_HOUR
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post(public_url(intake), {"text": "Someone else"}).status_code == 200
    # An hour later, the address may report again.
    Concern.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert client.post(public_url(intake), {"text": "Later"}).status_code == 200


def test_the_organization_cap_refuses_everyone(world, intake, monkeypatch):
    monkeypatch.setattr(services, "PUBLIC_PER_ORGANIZATION_PER_HOUR", 3)
    for i in range(3):
        Client(REMOTE_ADDR=f"192.0.2.{i}").post(public_url(intake), {"text": "x"})
    response = Client(REMOTE_ADDR="192.0.2.99").post(public_url(intake), {"text": "x"})
    assert response.status_code == 429
    assert Concern.objects.count() == 3


def test_a_filled_honeypot_stores_nothing(world, intake):
    response = Client().post(public_url(intake), {"text": "spam", "website": "http://spam"})
    assert response.status_code == 200
    assert not Concern.objects.exists()


def test_the_concern_list_filters_and_exports_without_anonymous_reporters(world, credit_system):
    raise_as(world, world.contributor, text="Named worry", system=credit_system)
    raise_as(world, world.viewer, text="Hidden worry", anonymous=True)
    client = world.client(world.manager)
    page = client.get(url(world, "concern_list") + "?system=" + credit_system.slug)
    assert "Named worry" in page.content.decode()
    assert "Hidden worry" not in page.content.decode()
    csv = client.get(url(world, "concern_export_csv")).content.decode()
    assert "carla.contributor" in csv and "Anonymous" in csv
    assert "vic.viewer" not in csv
