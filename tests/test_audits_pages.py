"""The internal audit programme's pages, its report and its API: who may do what, the
independence rule and the state machine refused alike on a page and through the API, with the
database unchanged."""

from __future__ import annotations

import datetime as dt
import json

from audit_helpers import answer_all, applicable, audit, programme
from django.urls import reverse
from django.utils import timezone
from helpers import ApiClient, make_system
from test_reports import pdf_text

from aims.audits import services
from aims.audits.models import Audit, AuditProgramme, AuditStatus, ChecklistItem, Result
from aims.catalog.models import Clause, Control
from aims.nonconformities.models import Nonconformity
from aims.trail.models import AuditEvent


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def plan_form(world, cycle, **fields) -> dict:
    today = timezone.localdate()
    data = {
        "programme": cycle.pk,
        "title": "Model validation",
        "planned_start": today.isoformat(),
        "planned_end": (today + dt.timedelta(days=2)).isoformat(),
        "lead_auditor": world.auditor.pk,
        "scope": "Validation of the credit model.",
        "controls": [Control.objects.get(ref="A.6.2.4").pk],
        "clauses": [Clause.objects.get(ref="8.1").pk],
    }
    data.update(fields)
    return data


# --- Who may write ---------------------------------------------------------------------------


def test_an_auditor_plans_a_programme_and_a_contributor_may_not(world):
    today = timezone.localdate()
    body = {
        "title": "2026",
        "starts_on": today.replace(month=1, day=1).isoformat(),
        "ends_on": today.replace(month=12, day=31).isoformat(),
        "criteria": "ISO/IEC 42001",
    }
    refused = world.client(world.contributor).post(url(world, "audit_programme_create"), body)
    assert refused.status_code == 403
    assert not AuditProgramme.objects.exists()
    response = world.client(world.auditor).post(url(world, "audit_programme_create"), body)
    assert response.status_code == 302
    cycle = AuditProgramme.objects.get()
    assert response.url == cycle.get_absolute_url()
    assert cycle.created_by == world.auditor


def test_a_cycle_that_ends_before_it_starts_is_a_field_error(world):
    response = world.client(world.auditor).post(
        url(world, "audit_programme_create"),
        {"title": "Odd", "starts_on": "2026-06-01", "ends_on": "2026-01-01"},
    )
    assert response.status_code == 422
    assert "The cycle cannot end before it starts." in response.content.decode()
    assert not AuditProgramme.objects.exists()


# --- Independence, on the page and through the API ------------------------------------------


def test_the_page_refuses_an_auditor_who_owns_a_sampled_system_then_accepts_a_valid_team(world):
    system = make_system(world.org, actor=world.owner, owner=world.contributor)
    world.contributor.first_name, world.contributor.last_name = "Priya", "Shah"
    world.contributor.save()
    cycle = programme(world)
    events = AuditEvent.objects.filter(organization=world.org).count()
    client = world.client(world.auditor)
    data = plan_form(world, cycle, systems=[system.pk], team=[world.contributor.pk])
    response = client.post(url(world, "audit_create"), data)
    assert response.status_code == 422
    text = response.content.decode()
    assert "Priya Shah owns the AI system Credit scoring, which this audit samples." in text
    assert 'id="id_team_error"' in text
    assert not Audit.objects.exists() and not ChecklistItem.objects.exists()
    assert AuditEvent.objects.filter(organization=world.org).count() == events

    data["team"] = [world.viewer.pk]
    response = client.post(url(world, "audit_create"), data)
    assert response.status_code == 302
    found = Audit.objects.get()
    assert list(found.team.all()) == [world.viewer]
    assert set(found.items.values_list("control__ref", "clause__ref")) == {
        ("A.6.2.4", None),
        (None, "8.1"),
    }
    page = client.get(found.get_absolute_url()).content.decode()
    assert "No conflict found." in page


def test_the_api_refuses_a_conflicted_auditor_with_the_field_named(world):
    SoAEntry_owner(world, "A.6.2.4", world.auditor)
    cycle = programme(world)
    api = ApiClient.for_member(world.auditor, world.org)
    today = timezone.localdate()
    body = {
        "programme": cycle.pk,
        "title": "Validation",
        "planned_start": today.isoformat(),
        "planned_end": today.isoformat(),
        "lead_auditor": world.auditor.username,
        "controls": ["A.6.2.4"],
    }
    response = api.post("/api/v1/audits", body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors[0]["field"] == "lead_auditor"
    assert "owns the SoA entry of A.6.2.4" in errors[0]["message"]
    assert not Audit.objects.exists()
    body["controls"] = ["A.5.2"]
    response = api.post("/api/v1/audits", body)
    assert response.status_code == 201, response.content
    assert response.json()["independence_conflicts"] == []
    assert response.json()["items"] == 1


def SoAEntry_owner(world, ref, user):  # noqa: N802
    from aims.soa.models import SoAEntry

    SoAEntry.objects.filter(organization=world.org, control__ref=ref).update(owner=user)


def test_the_audit_page_shows_a_conflict_that_arose_after_planning(world):
    system = make_system(world.org, actor=world.owner)
    found = audit(world, programme(world), systems=[system])
    system.owner = world.auditor
    system.save()
    response = world.client(world.viewer).get(found.get_absolute_url())
    text = response.content.decode()
    assert "The audit team is not independent of this scope." in text
    assert "owns the AI system Credit scoring, which this audit samples." in text
    start = world.client(world.auditor).post(url(world, "audit_start", audit_id=found.pk))
    assert start.status_code == 422
    found.refresh_from_db()
    assert found.status == AuditStatus.PLANNED


# --- The state machine, on the page and through the API -------------------------------------


def test_completion_with_unanswered_items_is_refused_on_the_page_and_the_api(world):
    found = audit(world, programme(world))
    services.start_audit(found, actor=world.auditor)
    client = world.client(world.auditor)
    response = client.post(url(world, "audit_complete", audit_id=found.pk), {"conclusion": "Ok."})
    assert response.status_code == 422
    assert "2 checklist items have no result yet" in response.content.decode()
    api = ApiClient.for_member(world.auditor, world.org)
    response = api.post(f"/api/v1/audits/{found.pk}/complete", {"conclusion": "Ok."})
    assert response.status_code == 409
    assert "no result yet" in response.json()["detail"]
    found.refresh_from_db()
    assert found.status == AuditStatus.IN_PROGRESS and found.conclusion == ""


def test_completion_without_a_conclusion_is_a_field_error(world):
    found = audit(world, programme(world))
    services.start_audit(found, actor=world.auditor)
    answer_all(found, world)
    api = ApiClient.for_member(world.auditor, world.org)
    response = api.post(f"/api/v1/audits/{found.pk}/complete", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "conclusion"
    response = world.client(world.auditor).post(
        url(world, "audit_complete", audit_id=found.pk), {"conclusion": ""}
    )
    assert response.status_code == 422
    found.refresh_from_db()
    assert found.status == AuditStatus.IN_PROGRESS


def test_a_completed_audit_does_not_change_through_the_api(world):
    found = audit(world, programme(world))
    services.start_audit(found, actor=world.auditor)
    answer_all(found, world)
    services.complete_audit(found, actor=world.auditor, conclusion="Conforms.")
    api = ApiClient.for_member(world.auditor, world.org)
    assert api.patch(f"/api/v1/audits/{found.pk}", {"title": "Changed"}).status_code == 409
    item = found.items.first()
    response = api.patch(f"/api/v1/audits/{found.pk}/items/{item.pk}", {"result": "major"})
    assert response.status_code == 409
    assert api.post(f"/api/v1/audits/{found.pk}/start", {}).status_code == 409
    found.refresh_from_db()
    item.refresh_from_db()
    assert found.title == "Risk and validation" and item.result == Result.CONFORMING
    assert not Nonconformity.objects.exists()
    edit = world.client(world.auditor).get(url(world, "audit_edit", audit_id=found.pk))
    assert edit.status_code == 302


def test_the_api_plans_starts_records_and_completes_an_audit(world):
    applicable(world, "A.6.2.4")
    cycle = programme(world)
    api = ApiClient.for_member(world.auditor, world.org)
    today = timezone.localdate()
    created = api.post(
        "/api/v1/audits",
        {
            "programme": cycle.pk,
            "title": "Validation",
            "planned_start": today.isoformat(),
            "planned_end": today.isoformat(),
            "lead_auditor": world.auditor.username,
            "clauses": ["9.2"],
            "controls": ["A.6.2.4"],
        },
    ).json()
    assert created["clauses"] == ["9.2.1", "9.2.2"] and created["items"] == 3
    audit_id = created["id"]
    assert api.post(f"/api/v1/audits/{audit_id}/start", {}).json()["status"] == "in_progress"
    items = api.get(f"/api/v1/audits/{audit_id}/items").json()["items"]
    assert [i["ref"] for i in items] == ["9.2.1", "9.2.2", "A.6.2.4"]
    for item in items:
        result = "major" if item["ref"] == "A.6.2.4" else "conforming"
        response = api.patch(
            f"/api/v1/audits/{audit_id}/items/{item['id']}", {"result": result, "notes": "Seen"}
        )
        assert response.status_code == 200, response.content
    major = api.get(f"/api/v1/audits/{audit_id}/items/{items[2]['id']}").json()
    assert major["nonconformity"] == "NC-001"
    done = api.post(f"/api/v1/audits/{audit_id}/complete", {"conclusion": "One major finding."})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    cover = api.get(f"/api/v1/audit-programmes/{cycle.pk}/coverage").json()
    assert cover["audited"] == 3 and cover["required"] == 33
    assert "9.2.1" not in cover["not_audited"] and "4.1" in cover["not_audited"]


def test_an_unknown_result_or_evidence_is_a_field_error(world):
    found = audit(world, programme(world))
    services.start_audit(found, actor=world.auditor)
    item = found.items.first()
    api = ApiClient.for_member(world.auditor, world.org)
    path = f"/api/v1/audits/{found.pk}/items/{item.pk}"
    assert api.patch(path, {"result": "great"}).status_code == 422
    response = api.patch(path, {"result": "conforming", "evidence": [999999]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "evidence"
    response = api.patch(path, {"result": "conforming", "notes": "a\x00b"})
    assert response.status_code == 422
    item.refresh_from_db()
    assert item.result == ""


# --- The checklist page ---------------------------------------------------------------------


def test_an_htmx_save_answers_the_item_and_a_major_result_raises_a_nonconformity(world):
    found = audit(world, programme(world), clauses=(), controls=("A.6.2.4",))
    services.start_audit(found, actor=world.auditor)
    item = found.items.get()
    client = world.client(world.auditor)
    target = url(world, "audit_item_save", audit_id=found.pk, audit_item_id=item.pk)
    response = client.post(
        target,
        {"result": "major", "notes": "No validation record.", "evidence_sampled": "Release v4.2"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert f'id="item-{item.pk}"' in text and "<html" not in text
    assert "Raised" in text and "NC-001" in text
    assert 'hx-swap-oob="true"' in text and "1 of 1" in text
    item.refresh_from_db()
    assert item.result == Result.MAJOR and item.nonconformity.ref == "NC-001"
    # Without a choice, the form comes back with its error, in place.
    response = client.post(target, {"result": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    # A plain POST goes back to the item on the checklist.
    response = client.post(target, {"result": "minor", "notes": "Downgraded."})
    assert response.status_code == 302 and response.url.endswith(f"#item-{item.pk}")
    assert Nonconformity.objects.count() == 1


def test_the_nonconformity_page_shows_the_finding_that_raised_it(world):
    found = audit(world, programme(world), clauses=(), controls=("A.6.2.4",))
    services.start_audit(found, actor=world.auditor)
    item = found.items.get()
    services.record_result(item, actor=world.auditor, result=Result.MINOR, notes="Partial.")
    client = world.client(world.auditor)
    response = client.post(url(world, "audit_item_raise", audit_id=found.pk, audit_item_id=item.pk))
    nc = Nonconformity.objects.get()
    assert response.status_code == 302 and response.url == nc.get_absolute_url()
    again = client.post(url(world, "audit_item_raise", audit_id=found.pk, audit_item_id=item.pk))
    assert again.url == nc.get_absolute_url() and Nonconformity.objects.count() == 1
    page = world.client(world.viewer).get(nc.get_absolute_url()).content.decode()
    assert "Raised by an internal audit" in page
    assert f"{found.ref} Risk and validation, finding on A.6.2.4" in page


def test_a_viewer_sees_the_checklist_without_forms(world):
    found = audit(world, programme(world))
    services.start_audit(found, actor=world.auditor)
    page = world.client(world.viewer).get(found.checklist_url()).content.decode()
    assert "Are verification and validation of the sampled system planned" not in page
    assert "Were verification and validation of the sampled system planned" in page
    assert "Save the result" not in page
    mine = world.client(world.auditor).get(found.checklist_url()).content.decode()
    assert mine.count("Save the result") == 2
    first = found.items.order_by("position").first()
    services.record_result(first, actor=world.auditor, result=Result.OBSERVATION, notes="Hm.")
    only = world.client(world.viewer).get(found.checklist_url(), {"findings": "1"})
    text = only.content.decode()
    assert f'id="item-{first.pk}"' in text and text.count('class="card checklist-item') == 1


# --- Lists, coverage, report ------------------------------------------------------------------


def test_the_audit_list_filters_searches_and_exports(world):
    cycle = programme(world)
    first = audit(world, cycle, title="Governance")
    second = audit(world, cycle, title="Life cycle", lead=world.viewer)
    services.start_audit(second, actor=world.auditor)
    client = world.client(world.viewer)
    page = client.get(url(world, "audit_list"), {"status": "in_progress"}).content.decode()
    assert "Life cycle" in page and "Governance" not in page
    page = client.get(url(world, "audit_list"), {"lead": world.auditor.pk}).content.decode()
    assert "Governance" in page and "Life cycle" not in page
    page = client.get(url(world, "audit_list"), {"q": "govern"}).content.decode()
    assert first.ref in page and second.ref not in page
    page = client.get(url(world, "audit_list"), {"programme": 999999}).content.decode()
    assert "No audit matches these filters" in page
    csv = client.get(
        url(world, "internal_audit_export_csv"), {"status": "planned"}
    ).content.decode()
    assert "Governance" in csv and "Life cycle" not in csv and "6.1.2" in csv


def test_the_coverage_matrix_shows_what_is_not_audited(world):
    applicable(world, "A.6.2.4", "A.2.2")
    cycle = programme(world)
    found = audit(world, cycle)
    services.start_audit(found, actor=world.auditor)
    answer_all(found, world)
    services.complete_audit(found, actor=world.auditor, conclusion="Fine.")
    client = world.client(world.viewer)
    page = client.get(cycle.coverage_url()).content.decode()
    assert "5% of the cycle audited" in page  # 2 of 34
    assert "32 not planned in any audit" in page
    assert 'id="req-6.1.2"' in page and 'id="req-A.2.2"' in page
    missing = client.get(cycle.coverage_url(), {"missing": "1"}).content.decode()
    assert 'id="req-6.1.2"' not in missing and 'id="req-A.2.2"' in missing


def test_the_catalog_pages_list_the_audits_of_a_requirement(world):
    found = audit(world, programme(world))
    services.start_audit(found, actor=world.auditor)
    answer_all(found, world)
    services.complete_audit(found, actor=world.auditor, conclusion="Fine.")
    client = world.client(world.viewer)
    control = client.get(url(world, "catalog_control", ref="A.6.2.4")).content.decode()
    assert "Internal audits of Acme Lending" in control and found.ref in control
    clause = client.get(url(world, "catalog_clause", ref="9.2.1")).content.decode()
    assert "Internal audits carried out by Acme Lending" in clause and found.ref in clause
    other = client.get(url(world, "catalog_clause", ref="4.1")).content.decode()
    assert "No internal audit has examined this yet." in other


def test_the_report_and_its_pdf_state_scope_team_independence_and_findings(world):
    found = audit(world, programme(world), team=[world.viewer])
    services.start_audit(found, actor=world.auditor)
    first, second = found.items.order_by("position")
    services.record_result(first, actor=world.auditor, result=Result.CONFORMING)
    services.record_result(
        second, actor=world.auditor, result=Result.MAJOR, notes="Validation not documented."
    )
    services.complete_audit(found, actor=world.auditor, conclusion="One major finding to fix.")
    client = world.client(world.viewer)
    page = client.get(found.report_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Internal audit report AUD-001" in text and "Download the PDF" in text
    assert "Validation not documented." in text and "NC-001" in text
    response = client.get(url(world, "audit_report_pdf", audit_id=found.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-AUD-001-')
    pdf, pages = pdf_text(response.content)
    pdf = " ".join(pdf.split())  # lines wrap where the page ends them
    assert "Acme Lending" in pdf
    for words in (
        "Internal audit report AUD-001",
        "Scope and criteria",
        "Risk management and model validation.",
        "Independence",
        "checked by OpenAIMS",
        "Validation not documented.",
        "NC-001",
        "One major finding to fix.",
        "vic.viewer",
    ):
        assert words in pdf, words
    assert 1 <= pages <= 3


def test_deleting_an_audit_with_results_is_refused_on_the_page(world):
    found = audit(world, programme(world))
    services.start_audit(found, actor=world.auditor)
    response = world.client(world.auditor).post(url(world, "audit_delete", audit_id=found.pk))
    assert response.status_code == 302 and response.url == found.get_absolute_url()
    assert Audit.objects.filter(pk=found.pk).exists()


def test_the_dashboard_shows_the_cycle_audited(world):
    programme(world)
    page = world.client(world.viewer).get(reverse("dashboard", kwargs={"org": world.org.slug}))
    assert "0% of the cycle audited" in page.content.decode()


def test_the_api_lists_filter_by_programme_status_and_lead(world):
    cycle = programme(world)
    audit(world, cycle, title="A")
    other = programme(world, title="Other")
    audit(world, other, title="B", lead=world.viewer)
    api = ApiClient.for_member(world.viewer, world.org)
    body = api.get("/api/v1/audits", {"programme": cycle.pk}).json()
    assert [a["title"] for a in body["items"]] == ["A"]
    body = api.get("/api/v1/audits", {"lead": world.viewer.username}).json()
    assert [a["title"] for a in body["items"]] == ["B"]
    assert api.get("/api/v1/audits", {"lead": "nobody"}).status_code == 422
    assert api.get("/api/v1/audit-programmes").json()["count"] == 2
    assert json.loads(api.get("/api/v1/audits", {"status": "completed"}).content)["count"] == 0
