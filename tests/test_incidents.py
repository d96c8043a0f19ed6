"""AI incidents: the Art. 73 deadline, the state machine and its refusals, opening from a failed
check run or alert, pages, due items, the dashboard and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aims.checks.models import Check, Kind, SourceType
from aims.checks.samples import BIASED
from aims.checks.services import run_check, save_check, store_data_file
from aims.core.areas import due_items
from aims.core.errors import Refused
from aims.incidents import services
from aims.incidents.dashboard import part
from aims.incidents.models import (
    REPORTING_DAYS,
    Communication,
    Incident,
    IncidentStatus,
    SeriousType,
    TimelineEntry,
    reporting_deadline,
)
from tests.helpers import ApiClient

NOW = timezone.now()


def incident_of(world, system, **fields) -> Incident:
    fields.setdefault("title", "Wrong repayment advice")
    fields.setdefault("what_happened", "The assistant told a customer a wrong amount.")
    fields.setdefault("occurred_at", NOW - dt.timedelta(days=2))
    fields.setdefault("became_aware_at", NOW - dt.timedelta(days=1))
    return services.save_incident(
        Incident(organization=world.org, system=system, **fields), actor=world.owner
    )


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


# --- The Art. 73 deadline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,days",
    [(SeriousType.CRITICAL_INFRASTRUCTURE, 2), (SeriousType.DEATH, 10), (SeriousType.OTHER, 15)],
)
def test_the_reporting_deadline_counts_the_days_of_art_73_from_awareness(kind, days):
    aware = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    assert reporting_deadline(kind, aware, now=aware) == dt.datetime(
        2026, 3, 1 + days, 9, 30, tzinfo=dt.UTC
    )
    assert REPORTING_DAYS[kind] == days


def test_a_deadline_from_an_awareness_in_the_future_is_refused():
    with pytest.raises(ValidationError) as refused:
        reporting_deadline(SeriousType.OTHER, NOW + dt.timedelta(hours=1), now=NOW)
    assert "became_aware_at" in refused.value.message_dict


def test_a_serious_incident_stores_its_deadline(world, credit_system):
    incident = incident_of(world, credit_system, is_serious=True, serious_type=SeriousType.DEATH)
    assert incident.report_due_at == incident.became_aware_at + dt.timedelta(days=10)
    incident.is_serious = False
    services.save_incident(incident, actor=world.owner)
    incident.refresh_from_db()
    assert incident.report_due_at is None and incident.serious_type == ""


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"became_aware_at": NOW + dt.timedelta(days=1)}, "became_aware_at"),
        (
            {"occurred_at": NOW - dt.timedelta(days=1), "became_aware_at": NOW - dt.timedelta(2)},
            "became_aware_at",
        ),
        ({"occurred_at": NOW + dt.timedelta(days=1)}, "occurred_at"),
        ({"is_serious": True, "serious_type": ""}, "serious_type"),
    ],
)
def test_impossible_dates_and_a_serious_incident_without_type_are_refused(
    world, credit_system, fields, field
):
    with pytest.raises(ValidationError) as refused:
        incident_of(world, credit_system, **fields)
    assert field in refused.value.message_dict
    assert not Incident.objects.exists()


def test_the_page_refuses_a_future_awareness_beside_the_field(world, credit_system):
    client = world.client(world.contributor)
    later = timezone.localtime() + dt.timedelta(days=2)
    response = client.post(
        url(world, "incident_create"),
        {
            "system": credit_system.pk,
            "title": "Future",
            "what_happened": "x",
            "severity": "high",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "became_aware_at": later.strftime("%Y-%m-%dT%H:%M"),
            "is_serious": "on",
            "serious_type": "other",
        },
    )
    assert response.status_code == 422
    assert "cannot become aware of an incident in the future" in response.content.decode()
    assert not Incident.objects.exists()


def test_the_api_refuses_awareness_before_occurrence_with_the_field(world, credit_system):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        "/api/v1/incidents",
        {
            "system": credit_system.slug,
            "title": "Backwards",
            "what_happened": "x",
            "occurred_at": "2026-01-02T10:00:00Z",
            "became_aware_at": "2026-01-01T10:00:00Z",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "became_aware_at"
    future = (NOW + dt.timedelta(days=3)).isoformat()
    response = api.post(
        "/api/v1/incidents",
        {
            "system": credit_system.slug,
            "title": "Future",
            "what_happened": "x",
            "occurred_at": "2026-01-02T10:00:00Z",
            "became_aware_at": future,
            "is_serious": True,
            "serious_type": "death",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "became_aware_at"
    assert not Incident.objects.exists()


# --- The state machine -----------------------------------------------------------------------


def test_an_incident_moves_open_contained_resolved_closed(world, credit_system):
    incident = incident_of(world, credit_system)
    for to, needs in [
        ("contained", ("containment_actions", "Template disabled.")),
        ("resolved", ("corrective_actions", "Prompt fixed.")),
        ("closed", ("root_cause", "The prompt quoted last year's rates.")),
    ]:
        with pytest.raises(Refused):
            services.transition(incident, to, actor=world.owner)
        incident.refresh_from_db()
        setattr(incident, *needs)
        services.save_incident(incident, actor=world.owner)
        services.transition(incident, to, actor=world.owner)
        incident.refresh_from_db()
        assert incident.status == to
    assert incident.contained_at is not None and incident.resolved_at is not None
    assert TimelineEntry.objects.filter(incident=incident, what__contains="Closed").exists()


def test_closing_without_a_root_cause_is_refused_on_the_page_and_api(world, credit_system):
    incident = incident_of(
        world,
        credit_system,
        containment_actions="x",
        corrective_actions="y",
        status=IncidentStatus.RESOLVED,
    )
    client = world.client(world.contributor)
    response = client.post(
        url(world, "incident_transition", incident_id=incident.pk), {"to": "closed"}, follow=True
    )
    assert "Write the root cause first" in response.content.decode()
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(f"/api/v1/incidents/{incident.pk}/transition", {"to": "closed"})
    assert response.status_code == 409
    assert "root cause" in response.json()["detail"]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED


def test_skipping_a_step_and_moving_a_closed_incident_are_refused(world, credit_system):
    incident = incident_of(world, credit_system, containment_actions="x", root_cause="z")
    with pytest.raises(Refused, match="can only become contained"):
        services.transition(incident, "closed", actor=world.owner)
    Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.CLOSED)
    with pytest.raises(Refused, match="closed"):
        services.transition(incident, "contained", actor=world.owner)
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.CLOSED


def test_a_serious_incident_is_closed_only_once_reported(world, credit_system):
    incident = incident_of(
        world,
        credit_system,
        is_serious=True,
        serious_type="other",
        root_cause="x",
        status=IncidentStatus.RESOLVED,
    )
    with pytest.raises(Refused, match="not been reported"):
        services.transition(incident, "closed", actor=world.owner)
    services.mark_reported(incident, actor=world.owner, reference="MSA-2026-7")
    incident.refresh_from_db()
    assert incident.reported_to_authority_at is not None
    assert Communication.objects.get(incident=incident).audience == "authority"
    services.transition(incident, "closed", actor=world.owner)
    with pytest.raises(Refused, match="Already reported"):
        services.mark_reported(incident, actor=world.owner)


def test_marking_reported_from_the_page_records_the_time(world, credit_system):
    incident = incident_of(world, credit_system, is_serious=True, serious_type="infrastructure")
    client = world.client(world.contributor)
    page = client.get(url(world, "incident_detail", incident_id=incident.pk)).content.decode()
    assert "Report it to the market surveillance authority by" in page
    assert "1 day left" in page
    client.post(url(world, "incident_report", incident_id=incident.pk), {"reference": "A-1"})
    incident.refresh_from_db()
    assert incident.authority_reference == "A-1"
    assert abs((incident.reported_to_authority_at - timezone.now()).total_seconds()) < 60
    page = client.get(url(world, "incident_detail", incident_id=incident.pk)).content.decode()
    assert "reported to the authority" in page


def test_an_overdue_report_shows_on_the_page(world, credit_system):
    incident = incident_of(
        world,
        credit_system,
        occurred_at=NOW - dt.timedelta(days=6),
        became_aware_at=NOW - dt.timedelta(days=5),
        is_serious=True,
        serious_type="infrastructure",
    )
    page = world.client(world.viewer).get(incident.get_absolute_url()).content.decode()
    assert "overdue" in page and "3 days ago" in page


def test_viewers_cannot_write_and_nothing_changes(world, credit_system):
    incident = incident_of(world, credit_system, containment_actions="x")
    client = world.client(world.viewer)
    for name, data in [
        ("incident_transition", {"to": "contained"}),
        ("incident_timeline_add", {"when": "2026-01-01T10:00", "what": "x"}),
        ("incident_report", {}),
        ("incident_edit", {"title": "Renamed"}),
    ]:
        assert client.post(url(world, name, incident_id=incident.pk), data).status_code == 403
    incident.refresh_from_db()
    assert incident.status == "open" and incident.title == "Wrong repayment advice"
    assert not TimelineEntry.objects.exists()


def test_timeline_and_communications_are_logged_from_the_page(world, credit_system):
    incident = incident_of(world, credit_system)
    client = world.client(world.contributor)
    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        url(world, "incident_timeline_add", incident_id=incident.pk),
        {"when": when, "what": "Customer called"},
    )
    client.post(
        url(world, "incident_communication_add", incident_id=incident.pk),
        {"when": when, "audience": "customer", "channel": "Phone", "summary": "Apologized"},
    )
    assert incident.timeline.get().what == "Customer called"
    message = incident.communications.get()
    assert (message.audience, message.who) == ("customer", world.contributor)
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url(world, "incident_timeline_add", incident_id=incident.pk),
        {"when": future, "what": "later"},
    )
    assert response.status_code == 422
    assert incident.timeline.count() == 1


def test_only_an_open_incident_with_nothing_communicated_is_deleted(world, credit_system):
    incident = incident_of(world, credit_system, containment_actions="x")
    client = world.client(world.manager)
    services.transition(incident, "contained", actor=world.owner)
    response = client.post(url(world, "incident_delete", incident_id=incident.pk), follow=True)
    assert "governed history and stays" in response.content.decode()
    assert Incident.objects.filter(pk=incident.pk).exists()
    mistake = incident_of(world, credit_system, title="Recorded twice")
    assert (
        world.client(world.contributor)
        .post(url(world, "incident_delete", incident_id=mistake.pk))
        .status_code
        == 403
    )
    client.post(url(world, "incident_delete", incident_id=mistake.pk))
    assert not Incident.objects.filter(pk=mistake.pk).exists()


# --- From a failed check run or an alert ---------------------------------------------------------


@pytest.fixture
def failed_run(world, credit_system):
    blob, data_name = store_data_file(
        SimpleUploadedFile(BIASED.name, BIASED.read_bytes(), content_type="application/x-parquet")
    )
    check = save_check(
        Check(
            organization=world.org,
            system=credit_system,
            name="Approval parity by sex",
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=data_name,
            options={"label": "repaid", "prediction": "approved", "sensitive": ["sex"]},
            thresholds=[{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}],
        ),
        actor=world.owner,
    )
    run = run_check(check, actor=world.owner)
    assert run.status == "failed"
    return run


def test_a_failed_run_opens_a_prefilled_incident_once(world, failed_run):
    client = world.client(world.contributor)
    page = client.get(url(world, "run_detail", run_id=failed_run.pk)).content.decode()
    assert "Open an incident from this run" in page
    response = client.post(url(world, "incident_from_run", run_id=failed_run.pk))
    incident = Incident.objects.get()
    assert response.url == incident.get_absolute_url()
    assert incident.system == failed_run.definition.system
    assert incident.title == "Check failed: Approval parity by sex"
    assert "demographic_parity_difference" in incident.what_happened
    assert incident.occurred_at == failed_run.started_at
    assert incident.check_run == failed_run and incident.alert == failed_run.alert
    again = client.post(url(world, "incident_from_run", run_id=failed_run.pk), follow=True)
    assert "already opened from this run" in again.content.decode()
    assert Incident.objects.count() == 1
    page = client.get(url(world, "run_detail", run_id=failed_run.pk)).content.decode()
    assert incident.ref in page and "Open an incident from this run" not in page


def test_the_alert_list_offers_open_incident_to_contributors_only(world, failed_run):
    alert = failed_run.alert
    page = world.client(world.contributor).get(url(world, "alert_list")).content.decode()
    assert url(world, "incident_from_alert", alert_id=alert.pk) in page
    page = world.client(world.viewer).get(url(world, "alert_list")).content.decode()
    assert "Open incident" not in page
    response = world.client(world.viewer).post(url(world, "incident_from_alert", alert_id=alert.pk))
    assert response.status_code == 403 and not Incident.objects.exists()
    world.client(world.contributor).post(url(world, "incident_from_alert", alert_id=alert.pk))
    assert Incident.objects.get().alert == alert


def test_a_viewer_sees_no_button_on_a_failed_run(world, failed_run):
    page = world.client(world.viewer).get(url(world, "run_detail", run_id=failed_run.pk))
    assert "Open an incident from this run" not in page.content.decode()


# --- Due items, dashboard, lists ---------------------------------------------------------------


def test_near_and_overdue_reports_are_due_items_for_top_management(world, credit_system):
    near = incident_of(world, credit_system, is_serious=True, serious_type="infrastructure")
    incident_of(world, credit_system, title="Far", is_serious=True, serious_type="other")
    incident_of(world, credit_system, title="Not serious")
    items = [i for i in due_items(world.org, timezone.localdate()) if "Art. 73" in i.kind]
    assert [i.url for i in items] == [near.get_absolute_url()]
    assert items[0].needs_decision
    services.mark_reported(near, actor=world.owner)
    assert not [i for i in due_items(world.org, timezone.localdate()) if "Art. 73" in i.kind]


def test_the_dashboard_warns_of_a_near_deadline(world, credit_system):
    incident_of(world, credit_system, is_serious=True, serious_type="infrastructure")
    assert part(world.org).data["reports_due"] == 1
    page = world.client(world.viewer).get(reverse("dashboard", kwargs={"org": world.org.slug}))
    assert "Serious incidents to report to the authority" in page.content.decode()


def test_the_list_filters_and_exports(world, credit_system):
    incident_of(
        world,
        credit_system,
        title="Overdue one",
        occurred_at=NOW - dt.timedelta(days=9),
        became_aware_at=NOW - dt.timedelta(days=8),
        is_serious=True,
        serious_type="infrastructure",
    )
    incident_of(world, credit_system, title="Minor glitch")
    client = world.client(world.viewer)
    page = client.get(url(world, "incident_list") + "?overdue=on").content.decode()
    assert "Overdue one" in page and "Minor glitch" not in page
    page = client.get(url(world, "incident_list") + "?serious=no").content.decode()
    assert "Minor glitch" in page and "Overdue one" not in page
    csv = client.get(url(world, "incident_export_csv") + "?q=glitch").content.decode()
    assert "Minor glitch" in csv and "Overdue one" not in csv


def test_the_system_page_lists_its_incidents(world, credit_system):
    incident_of(world, credit_system, title="Visible on the system")
    page = world.client(world.viewer).get(credit_system.get_absolute_url()).content.decode()
    assert "Visible on the system" in page


def test_the_api_creates_patches_and_logs(world, credit_system):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        "/api/v1/incidents",
        {
            "system": credit_system.slug,
            "title": "From the API",
            "what_happened": "x",
            "occurred_at": "2026-01-01T10:00:00Z",
            "became_aware_at": "2026-01-01T11:00:00Z",
            "is_serious": True,
            "serious_type": "death",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["report_due_at"].startswith("2026-01-11T11:00")
    assert body["controls"] == ["A.8.4"]
    number = body["id"]
    response = api.patch(f"/api/v1/incidents/{number}", {"severity": "critical"})
    assert response.json()["severity"] == "critical"
    response = api.post(
        f"/api/v1/incidents/{number}/communications",
        {
            "when": "2026-01-02T10:00:00Z",
            "audience": "affected",
            "channel": "Letter",
            "summary": "s",
        },
    )
    assert response.status_code == 201
    response = api.get(f"/api/v1/incidents/{number}/communications")
    assert response.json()["count"] == 1
    assert api.get("/api/v1/incidents", {"serious": "true"}).json()["count"] == 1


def test_the_demo_records_a_resolved_incident_and_an_anonymous_concern(db):
    from aims.demo.loader import load_demo
    from aims.incidents.models import Concern, ConcernIntake

    org, _, _ = load_demo(password="a-demo-password-123")
    incident = Incident.objects.get(organization=org)
    assert incident.status == IncidentStatus.RESOLVED and incident.root_cause
    assert incident.timeline.count() >= 4 and incident.communications.count() == 2
    concern = Concern.objects.get(organization=org)
    assert concern.anonymous and concern.raised_by is None
    assert not ConcernIntake.objects.get(organization=org).enabled
