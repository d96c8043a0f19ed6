"""Nonconformities and corrective actions (10.2): raising, the handling and its state machine,
the closure rule (page and API, database unchanged), the effectiveness review by someone who
owns no action, one nonconformity per failing check, and the register's pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import aims.metrics as metrics
from aims.catalog.models import Control
from aims.checks.models import Check, Kind, RunStatus, SourceType
from aims.checks.samples import BIASED, FAIR
from aims.checks.services import record_pipeline_run, save_check
from aims.core.areas import due_items, measures
from aims.core.errors import Refused
from aims.incidents.models import Incident
from aims.incidents.services import save_incident
from aims.nonconformities import services
from aims.nonconformities.dashboard import part
from aims.nonconformities.models import (
    ActionStatus,
    CorrectiveAction,
    EffectivenessReview,
    Nonconformity,
    RunNote,
    Severity,
    Source,
    Status,
)
from aims.organizations.models import Membership
from aims.trail.models import AuditEvent
from aims.trail.services import verify_chain
from tests.helpers import ApiClient

TODAY = timezone.localdate()
OPTIONS = {
    "label": "repaid",
    "prediction": "approved",
    "sensitive": ["sex"],
    "reference_group": "sex=Male",
}
LIMITS = [{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}]


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def raise_one(world, **fields) -> Nonconformity:
    fields.setdefault("title", "Model changes deployed without a validation record")
    fields.setdefault("description", "Two releases went live with no sign-off (A.6.2.4).")
    fields.setdefault("source", Source.OTHER)
    fields.setdefault("severity", Severity.MAJOR)
    fields.setdefault("owner", world.manager)
    return services.raise_nonconformity(world.org, actor=world.manager, **fields)


def with_done_action(world, nc, owner=None) -> CorrectiveAction:
    action = services.add_action(
        nc,
        actor=world.manager,
        title="Add a release gate",
        owner=owner or world.contributor,
        due_date=TODAY + dt.timedelta(days=10),
    )
    services.complete_action(action, actor=world.contributor, note="Gate live in the pipeline.")
    return action


def snapshot(nc) -> tuple:
    nc.refresh_from_db()
    return (
        nc.status,
        nc.closed_on,
        EffectivenessReview.objects.filter(nonconformity=nc).count(),
        AuditEvent.objects.filter(organization=nc.organization).count(),
    )


# --- Raising ---------------------------------------------------------------------------------


def test_raising_numbers_each_organization_apart_and_records_the_trail(world, credit_system):
    first = raise_one(world, system=credit_system, controls=["A.6.2.4"], clauses=["8.1"])
    second = raise_one(world)
    other = services.raise_nonconformity(
        world.other_org,
        title="x",
        description="y",
        source=Source.OTHER,
        severity=Severity.MINOR,
        actor=world.outsider,
    )
    assert (first.ref, second.ref, other.ref) == ("NC-001", "NC-002", "NC-001")
    assert first.status == Status.OPEN and first.is_open
    assert first.raised_by == world.manager and first.raised_on == TODAY
    assert first.requirement_refs() == ["8.1", "A.6.2.4"]
    assert AuditEvent.objects.for_record(first).get().action == "create"
    assert verify_chain(world.org)[1] is None


def test_raising_refuses_other_organizations_records_and_outsiders(world, credit_system):
    from aims.inventory.models import AISystem

    foreign = AISystem.objects.create(
        organization=world.other_org, name="Theirs", slug="theirs", purpose="x"
    )
    with pytest.raises(ValidationError) as error:
        raise_one(world, system=foreign, owner=world.outsider)
    assert set(error.value.message_dict) == {"system", "owner"}
    with pytest.raises(ValidationError) as error:
        raise_one(world, raised_on=TODAY + dt.timedelta(days=1))
    assert "raised_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        raise_one(world, controls=["A.99"])
    assert "controls" in error.value.message_dict
    assert not Nonconformity.objects.exists()


def test_five_whys_are_bounded_and_paired(world):
    nc = raise_one(world)
    nc.whys = [{"why": "No sign-off", "because": "No gate"}] * 6
    with pytest.raises(ValidationError, match="at most 5"):
        services.update_nonconformity(nc, actor=world.manager)
    nc.whys = [{"why": "No sign-off", "because": ""}]
    with pytest.raises(ValidationError, match="both the why and its because"):
        services.update_nonconformity(nc, actor=world.manager)
    nc.whys = [{"why": "No sign-off", "because": "No gate"}, {"why": "", "because": ""}]
    nc.containment = "Releases frozen."
    services.update_nonconformity(nc, actor=world.manager)
    nc.refresh_from_db()
    assert nc.whys == [{"why": "No sign-off", "because": "No gate"}]
    assert nc.containment == "Releases frozen."


# --- The handling and its states -----------------------------------------------------------------


def test_the_status_follows_the_handling(world):
    nc = raise_one(world)
    action = services.add_action(
        nc,
        actor=world.manager,
        title="Add a release gate",
        owner=world.contributor,
        due_date=TODAY + dt.timedelta(days=10),
    )
    nc.refresh_from_db()
    assert nc.status == Status.IN_PROGRESS
    other = services.add_action(
        nc, actor=world.manager, title="Train", owner=world.manager, due_date=TODAY
    )
    services.complete_action(action, actor=world.contributor, note="Gate live.")
    nc.refresh_from_db()
    assert nc.status == Status.IN_PROGRESS  # one still open
    services.cancel_action(other, actor=world.manager, reason="Covered by the gate.")
    nc.refresh_from_db()
    assert nc.status == Status.REVIEW
    services.reopen_action(action, actor=world.manager, reason="Gate skipped once.")
    nc.refresh_from_db()
    assert nc.status == Status.IN_PROGRESS
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and action.done_on is None


def test_all_actions_cancelled_leave_it_open(world):
    nc = raise_one(world)
    action = services.add_action(
        nc, actor=world.manager, title="x", owner=world.manager, due_date=TODAY
    )
    services.cancel_action(action, actor=world.manager, reason="Wrong idea.")
    nc.refresh_from_db()
    assert nc.status == Status.OPEN


def test_an_action_needs_an_owner_a_due_date_to_come_and_a_note_when_done(world):
    nc = raise_one(world)
    with pytest.raises(ValidationError) as error:
        services.add_action(nc, actor=world.manager, title="x", owner=None, due_date=TODAY)
    assert "owner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_action(
            nc,
            actor=world.manager,
            title="x",
            owner=world.manager,
            due_date=TODAY - dt.timedelta(days=1),
        )
    assert "due_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_action(
            nc, actor=world.manager, title="x", owner=world.outsider, due_date=TODAY
        )
    assert "owner" in error.value.message_dict
    action = services.add_action(
        nc, actor=world.manager, title="x", owner=world.manager, due_date=TODAY
    )
    with pytest.raises(ValidationError) as error:
        services.complete_action(action, actor=world.manager, note=" ")
    assert "note" in error.value.message_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


# --- Effectiveness and the closure rule -----------------------------------------------------------


def test_an_action_owner_may_not_review_effectiveness(world):
    nc = raise_one(world)
    with_done_action(world, nc, owner=world.contributor)
    before = snapshot(nc)
    with pytest.raises(Refused, match="owns none of them"):
        services.review_effectiveness(
            nc, actor=world.contributor, verdict="effective", evidence="Looks fine."
        )
    assert snapshot(nc) == before


def test_effectiveness_is_reviewed_only_after_the_actions(world):
    nc = raise_one(world)
    with pytest.raises(Refused, match="Add corrective actions first"):
        services.review_effectiveness(nc, actor=world.owner, verdict="effective", evidence="x")
    services.add_action(nc, actor=world.manager, title="x", owner=world.manager, due_date=TODAY)
    with pytest.raises(Refused, match="after the corrective actions are done"):
        services.review_effectiveness(nc, actor=world.owner, verdict="effective", evidence="x")
    assert not EffectivenessReview.objects.exists()


def test_not_effective_reopens_it_and_it_needs_new_actions(world):
    nc = raise_one(world)
    with_done_action(world, nc)
    services.review_effectiveness(
        nc, actor=world.owner, verdict="not_effective", evidence="Two releases skipped it."
    )
    nc.refresh_from_db()
    assert nc.status == Status.OPEN
    with pytest.raises(Refused, match="not effective"):
        services.close_nonconformity(nc, actor=world.owner)
    with pytest.raises(Refused, match="not effective"):
        services.review_effectiveness(nc, actor=world.owner, verdict="effective", evidence="x")
    with_done_action(world, nc)
    services.review_effectiveness(
        nc, actor=world.owner, verdict="effective", evidence="Ten releases, all gated."
    )
    services.close_nonconformity(nc, actor=world.owner)
    nc.refresh_from_db()
    assert nc.status == Status.CLOSED and nc.closed_on == TODAY and nc.closed_by == world.owner
    assert [r.verdict for r in nc.reviews.all()] == ["not_effective", "effective"]


@pytest.mark.parametrize("stage", ["no_action", "open_action", "only_cancelled", "no_review"])
def test_closing_is_refused_until_actions_are_done_and_effectiveness_confirmed(world, stage):
    nc = raise_one(world)
    if stage == "open_action":
        services.add_action(nc, actor=world.manager, title="x", owner=world.manager, due_date=TODAY)
    if stage == "only_cancelled":
        action = services.add_action(
            nc, actor=world.manager, title="x", owner=world.manager, due_date=TODAY
        )
        services.cancel_action(action, actor=world.manager, reason="Not needed.")
    if stage == "no_review":
        with_done_action(world, nc)
    before = snapshot(nc)
    with pytest.raises(services.NotAllowedNow) as error:
        services.close_nonconformity(nc, actor=world.owner)
    expected = "actions" if stage == "open_action" else "effectiveness_review"
    assert error.value.field == expected
    assert snapshot(nc) == before


def test_adding_an_action_after_an_effective_review_voids_it(world):
    nc = raise_one(world)
    with_done_action(world, nc)
    services.review_effectiveness(nc, actor=world.owner, verdict="effective", evidence="Fine.")
    services.add_action(nc, actor=world.manager, title="More", owner=world.manager, due_date=TODAY)
    nc.refresh_from_db()
    assert nc.status == Status.IN_PROGRESS
    with pytest.raises(Refused):
        services.close_nonconformity(nc, actor=world.owner)


def test_a_closed_nonconformity_does_not_change(world):
    nc = raise_one(world)
    action = with_done_action(world, nc)
    services.review_effectiveness(nc, actor=world.owner, verdict="effective", evidence="Fine.")
    services.close_nonconformity(nc, actor=world.owner)
    events = AuditEvent.objects.filter(organization=world.org).count()
    with pytest.raises(Refused, match="closed"):
        services.add_action(nc, actor=world.manager, title="x", owner=world.manager, due_date=TODAY)
    with pytest.raises(Refused, match="closed"):
        services.reopen_action(action, actor=world.manager)
    nc.title = "Changed"
    with pytest.raises(Refused, match="closed"):
        services.update_nonconformity(nc, actor=world.manager)
    with pytest.raises(Refused, match="closed already"):
        services.close_nonconformity(nc, actor=world.owner)
    assert AuditEvent.objects.filter(organization=world.org).count() == events
    nc.refresh_from_db()
    assert nc.title != "Changed"


def test_closing_on_the_page_is_refused_with_the_reason_and_nothing_changes(world):
    nc = raise_one(world)
    with_done_action(world, nc)
    before = snapshot(nc)
    client = world.client(world.manager)
    response = client.post(url(world, "nonconformity_close", nonconformity_id=nc.pk), follow=True)
    assert response.status_code == 200
    assert "Its effectiveness has not been reviewed" in response.content.decode()
    assert snapshot(nc) == before


def test_closing_through_the_api_is_refused_with_the_field_and_nothing_changes(world):
    nc = raise_one(world)
    services.add_action(nc, actor=world.manager, title="x", owner=world.manager, due_date=TODAY)
    before = snapshot(nc)
    api = ApiClient.for_member(world.manager, world.org)
    before = (*before[:3], before[3])
    response = api.post(f"/api/v1/nonconformities/{nc.pk}/close")
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["field"] == "actions"
    assert "still open" in body["detail"]
    after = snapshot(nc)
    assert after[:3] == before[:3]
    # the token's use is not a trail event; nothing about the nonconformity was recorded
    assert not AuditEvent.objects.for_record(nc).filter(note="Closed.").exists()


def test_the_whole_handling_through_the_pages(world):
    client = world.client(world.manager)
    response = client.post(
        url(world, "nonconformity_create"),
        {
            "title": "Drift checks not run since March",
            "description": "The weekly drift check stopped (A.6.2.6).",
            "severity": "minor",
            "owner": world.manager.pk,
            "raised_on": TODAY.isoformat(),
            "controls": [Control.objects.get(ref="A.6.2.6").pk],
        },
    )
    nc = Nonconformity.objects.get()
    assert response.status_code == 302 and response["Location"] == nc.get_absolute_url()
    assert nc.source == Source.OTHER and nc.requirement_refs() == ["A.6.2.6"]
    response = client.post(
        url(world, "nonconformity_analysis", nonconformity_id=nc.pk),
        {
            "containment": "Ran the check by hand.",
            "why_1": "The check did not run",
            "because_1": "The scheduler was off",
            "why_2": "Why was it off",
            "because_2": "A migration disabled it",
            "root_cause": "No alert when a schedule is disabled.",
        },
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert len(nc.whys) == 2 and nc.containment == "Ran the check by hand."
    response = client.post(
        url(world, "nonconformity_action_add", nonconformity_id=nc.pk),
        {
            "title": "Alert on disabled schedules",
            "owner": world.contributor.pk,
            "due_date": (TODAY + dt.timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 302
    action = nc.actions.get()
    response = client.post(
        url(
            world,
            "nonconformity_action_done",
            nonconformity_id=nc.pk,
            corrective_action_id=action.pk,
        ),
        {"note": "Alert added.", "done_on": TODAY.isoformat()},
    )
    nc.refresh_from_db()
    assert nc.status == Status.REVIEW
    response = client.post(
        url(world, "nonconformity_effectiveness", nonconformity_id=nc.pk),
        {"verdict": "effective", "evidence": "Six weekly runs since.", "reviewed_on": TODAY},
    )
    assert response.status_code == 302
    response = client.post(url(world, "nonconformity_close", nonconformity_id=nc.pk))
    nc.refresh_from_db()
    assert nc.status == Status.CLOSED
    page = client.get(nc.get_absolute_url()).content.decode()
    assert "Closed on" in page and "Six weekly runs since." in page


def test_the_review_form_refuses_an_action_owner_beside_the_form(world):
    nc = raise_one(world)
    with_done_action(world, nc, owner=world.manager)
    client = world.client(world.manager)
    page = client.get(nc.get_absolute_url()).content.decode()
    assert "owns none of them" in page
    response = client.post(
        url(world, "nonconformity_effectiveness", nonconformity_id=nc.pk),
        {"verdict": "effective", "evidence": "Fine.", "reviewed_on": TODAY},
    )
    assert response.status_code == 422
    assert "owns none of them" in response.content.decode()
    nc.refresh_from_db()
    assert nc.status == Status.REVIEW and not nc.reviews.exists()


def test_viewers_and_auditors_cannot_write(world):
    nc = raise_one(world)
    for user in (world.viewer, world.auditor):
        client = world.client(user)
        assert (
            client.post(url(world, "nonconformity_close", nonconformity_id=nc.pk)).status_code
            == 403
        )
        assert (
            client.post(
                url(world, "nonconformity_action_add", nonconformity_id=nc.pk),
                {"title": "x", "owner": world.manager.pk, "due_date": TODAY},
            ).status_code
            == 403
        )
    assert not nc.actions.exists()


def test_only_a_nonconformity_raised_by_mistake_is_deleted(world):
    nc = raise_one(world)
    with_done_action(world, nc)
    client = world.client(world.owner)
    client.post(url(world, "nonconformity_delete", nonconformity_id=nc.pk))
    assert Nonconformity.objects.filter(pk=nc.pk).exists()
    mistake = raise_one(world, title="Typo")
    response = client.post(url(world, "nonconformity_delete", nonconformity_id=mistake.pk))
    assert response.status_code == 302
    assert not Nonconformity.objects.filter(pk=mistake.pk).exists()


# --- One nonconformity per failing check ----------------------------------------------------------


@pytest.fixture(scope="module")
def statistics():
    def of(sample):
        return metrics.fairness_statistics(
            str(sample), label="repaid", prediction="approved", sensitive=["sex"]
        ).to_dict()

    return {"fail": of(BIASED), "pass": of(FAIR)}


@pytest.fixture
def pipeline_check(world, credit_system):
    return save_check(
        Check(
            organization=world.org,
            system=credit_system,
            name="Parity from CI",
            kind=Kind.FAIRNESS,
            source_type=SourceType.PIPELINE,
            options=OPTIONS,
            thresholds=LIMITS,
        ),
        actor=world.owner,
        controls=list(Control.objects.filter(ref__in=["A.6.2.4"])),
    )


def post_run(world, check, statistics, outcome):
    return record_pipeline_run(
        check,
        actor=world.owner,
        kind="fairness",
        statistics=statistics[outcome],
        report=None,
        fingerprint={},
        engine_version="1.0.0",
    )


def test_a_failing_check_opens_one_nonconformity_that_reruns_add_to(
    world, pipeline_check, statistics
):
    passed = post_run(world, pipeline_check, statistics, "pass")
    assert passed.status == RunStatus.PASSED and not Nonconformity.objects.exists()
    first = post_run(world, pipeline_check, statistics, "fail")
    assert first.status == RunStatus.FAILED
    nc = Nonconformity.objects.get()
    assert nc.source == Source.CHECK and nc.check_definition == pipeline_check
    assert nc.system == pipeline_check.system and nc.owner == world.manager
    assert nc.raised_by is None and nc.requirement_refs() == ["A.6.2.4"]
    assert "demographic_parity_difference" in nc.description
    again = post_run(world, pipeline_check, statistics, "fail")
    rerun_passed = post_run(world, pipeline_check, statistics, "pass")
    assert Nonconformity.objects.count() == 1
    nc.refresh_from_db()
    assert nc.status == Status.OPEN  # a passing rerun does not close it
    kinds = dict(RunNote.objects.filter(nonconformity=nc).values_list("run_id", "kind"))
    assert kinds == {first.pk: "raised", again.pk: "failed_again", rerun_passed.pk: "passed"}
    assert verify_chain(world.org)[1] is None
    page = world.client(world.viewer).get(nc.get_absolute_url()).content.decode()
    assert "Failed again" in page and "Passed (noted" in page
    run_page = world.client(world.viewer).get(url(world, "run_detail", run_id=again.pk))
    assert nc.ref in run_page.content.decode()


def test_after_closing_a_new_failure_opens_a_new_nonconformity(world, pipeline_check, statistics):
    post_run(world, pipeline_check, statistics, "fail")
    nc = Nonconformity.objects.get()
    with_done_action(world, nc)
    services.review_effectiveness(nc, actor=world.owner, verdict="effective", evidence="Fine.")
    services.close_nonconformity(nc, actor=world.owner)
    post_run(world, pipeline_check, statistics, "pass")  # nothing open: nothing noted
    post_run(world, pipeline_check, statistics, "fail")
    assert Nonconformity.objects.count() == 2
    newest = Nonconformity.objects.order_by("-pk").first()
    assert newest.ref == "NC-002" and newest.is_open
    assert nc.run_notes.count() == 1


def test_a_failure_is_recorded_even_when_the_system_owner_left(world, pipeline_check, statistics):
    Membership.objects.filter(user=world.manager, organization=world.org).delete()
    run = post_run(world, pipeline_check, statistics, "fail")
    nc = Nonconformity.objects.get()
    assert nc.owner is None and nc.run_notes.get().run == run


def test_another_checks_failure_opens_its_own(world, pipeline_check, statistics, credit_system):
    post_run(world, pipeline_check, statistics, "fail")
    other = save_check(
        Check(
            organization=world.org,
            system=credit_system,
            name="Second parity",
            kind=Kind.FAIRNESS,
            source_type=SourceType.PIPELINE,
            options=OPTIONS,
            thresholds=LIMITS,
        ),
        actor=world.owner,
    )
    post_run(world, other, statistics, "fail")
    assert Nonconformity.objects.count() == 2
    assert set(Nonconformity.objects.values_list("check_definition", flat=True)) == {
        pipeline_check.pk,
        other.pk,
    }


# --- Incidents, dashboard, reminders, measures ---------------------------------------------------


def test_the_incident_page_lists_and_offers_to_raise_one(world, credit_system):
    incident = save_incident(
        Incident(
            organization=world.org,
            system=credit_system,
            title="Wrong advice",
            what_happened="x",
            occurred_at=timezone.now() - dt.timedelta(days=1),
            became_aware_at=timezone.now(),
        ),
        actor=world.owner,
    )
    client = world.client(world.contributor)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Raise a nonconformity" in page
    form = client.get(url(world, "nonconformity_create") + f"?incident={incident.pk}")
    assert "Raised from incident" in form.content.decode()
    nc = raise_one(world, incident=incident, source=Source.INCIDENT)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert nc.ref in page


def test_overdue_actions_are_on_the_dashboard_and_in_the_owners_reminders(world):
    nc = raise_one(world)
    action = services.add_action(
        nc, actor=world.manager, title="Fix the gate", owner=world.contributor, due_date=TODAY
    )
    CorrectiveAction.objects.filter(pk=action.pk).update(due_date=TODAY - dt.timedelta(days=3))
    data = part(world.org).data
    assert data["overdue_corrective_actions"] == 1
    assert data["open_major_nonconformities"] == 1
    items = [i for i in due_items(world.org, TODAY) if i.kind == "Corrective action"]
    assert len(items) == 1 and items[0].people == frozenset({world.contributor.pk})
    assert items[0].overdue(TODAY)
    figures = measures()
    assert figures["overdue_corrective_actions"].compute(world.org, TODAY) == 1
    assert figures["open_nonconformities"].compute(world.org, TODAY) == 1
    dashboard = world.client(world.viewer).get(url(world, "dashboard")).content.decode()
    assert "Overdue corrective actions" in dashboard and "Fix the gate" in dashboard


# --- The register: list, filters, export, report -----------------------------------------------


def test_the_register_filters_searches_and_exports(world, credit_system):
    major = raise_one(world, title="Gate missing", system=credit_system)
    minor = raise_one(world, title="Training late", severity=Severity.MINOR)
    action = services.add_action(
        minor, actor=world.manager, title="Remind", owner=world.manager, due_date=TODAY
    )
    CorrectiveAction.objects.filter(pk=action.pk).update(due_date=TODAY - dt.timedelta(days=1))
    client = world.client(world.viewer)
    list_url = url(world, "nonconformity_list")

    def refs(params):
        page = client.get(list_url, params).content.decode()
        return {nc.ref for nc in (major, minor) if f"{nc.ref} {nc.title}" in page}

    assert refs({}) == {"NC-001", "NC-002"}
    assert refs({"severity": "major"}) == {"NC-001"}
    assert refs({"q": "training"}) == {"NC-002"}
    assert refs({"system": credit_system.slug}) == {"NC-001"}
    assert refs({"overdue": "on"}) == {"NC-002"}
    assert refs({"status": "in_progress"}) == {"NC-002"}
    assert refs({"source": "audit"}) == set()
    assert "No nonconformity matches" in client.get(list_url, {"source": "audit"}).content.decode()
    export = client.get(url(world, "nonconformity_export_csv"), {"severity": "minor"})
    text = export.content.decode()
    assert export["Content-Type"].startswith("text/csv")
    assert "NC-002" in text and "NC-001" not in text and "Remind" in text


def test_the_register_report_and_its_pdf(world):
    from tests.test_reports import pdf_text

    raise_one(world, title="Gate missing")
    closed = raise_one(world, title="Old finding", severity=Severity.MINOR)
    with_done_action(world, closed)
    services.review_effectiveness(closed, actor=world.owner, verdict="effective", evidence="Ok")
    services.close_nonconformity(closed, actor=world.owner)
    client = world.client(world.viewer)
    page = client.get(url(world, "nonconformity_report"))
    html = page.content.decode()
    assert page.status_code == 200 and "Nonconformity register" in html
    assert "Gate missing" in html and "Old finding" in html and "<svg" in html
    pdf = client.get(url(world, "nonconformity_report_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text, pages = pdf_text(pdf.content)
    assert "Acme Lending" in text and "Nonconformity register" in text
    assert "NC-001" in text and "NC-002" in text
    assert pages >= 1


# --- API ---------------------------------------------------------------------------------------


def test_the_api_raises_handles_and_closes(world, credit_system):
    api = ApiClient.for_member(world.manager, world.org)
    response = api.post(
        "/api/v1/nonconformities",
        {
            "title": "No impact assessment for the chatbot",
            "description": "Deployed without one (6.1.4).",
            "severity": "major",
            "owner": "max.manager",
            "system": credit_system.slug,
            "clauses": ["6.1.4"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    nc_id = body["id"]
    assert body["ref"] == "NC-001" and body["status"] == "open" and body["clauses"] == ["6.1.4"]
    response = api.patch(
        f"/api/v1/nonconformities/{nc_id}",
        {
            "containment": "Chatbot limited to staff.",
            "whys": [{"why": "No assessment", "because": "Not in the release checklist"}],
            "root_cause": "Checklist gap.",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["whys"][0]["because"] == "Not in the release checklist"
    response = api.post(
        f"/api/v1/nonconformities/{nc_id}/actions",
        {
            "title": "Add the assessment to the checklist",
            "owner": "carla.contributor",
            "due_date": (TODAY + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    action_id = response.json()["id"]
    response = api.post(
        f"/api/v1/nonconformities/{nc_id}/actions/{action_id}/status",
        {"to": "done", "note": "Checklist updated."},
    )
    assert response.status_code == 200 and response.json()["status"] == "done"
    review_url = f"/api/v1/nonconformities/{nc_id}/effectiveness-review"
    carla = ApiClient.for_member(world.contributor, world.org)
    response = carla.post(review_url, {"verdict": "effective", "evidence": "x"})
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "reviewer"
    response = api.post(review_url, {"verdict": "effective", "evidence": "Three releases."})
    assert response.status_code == 201, response.content
    response = api.post(f"/api/v1/nonconformities/{nc_id}/close")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    response = api.patch(f"/api/v1/nonconformities/{nc_id}", {"title": "Changed"})
    assert response.status_code == 409
    listed = api.get("/api/v1/nonconformities", {"status": "closed"}).json()
    assert [item["ref"] for item in listed["items"]] == ["NC-001"]


def test_the_api_names_bad_fields(world):
    api = ApiClient.for_member(world.manager, world.org)
    response = api.post(
        "/api/v1/nonconformities",
        {
            "title": "x",
            "description": "y",
            "owner": "oscar.outsider",
            "incident": 999999,
            "controls": ["A.99"],
        },
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"owner", "incident", "controls"}
    nc = raise_one(world)
    response = api.patch(
        f"/api/v1/nonconformities/{nc.pk}",
        {"whys": [{"why": "a", "because": ""}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "whys"
    response = api.post(
        f"/api/v1/nonconformities/{nc.pk}/actions",
        {"title": "x", "owner": "max.manager", "due_date": "2001-01-01"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "due_date"
    assert not Nonconformity.objects.exclude(pk=nc.pk).exists()
