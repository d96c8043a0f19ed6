"""The records the EU AI Act adds about one AI system, its explanation and recourse channel, the
register of explanation and recourse requests, and the regulatory watch: their pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.checks.models import Check
from aims.checks.models import Kind as CheckKind
from aims.euaiact import record_views, services
from aims.euaiact.kinds import BY_SLUG, KINDS
from aims.euaiact.models import (
    MIN_DEPLOYER_RETENTION_DAYS,
    ChangeSource,
    ChangeStatus,
    LogRetention,
    MonitoringPlan,
    OversightMeasure,
    RecourseChannel,
    RecourseRequest,
    RegulatoryChange,
    RequestKind,
    RequestStatus,
    TransparencyNotice,
)
from aims.inventory.models import OrganizationRole
from aims.objectives.models import KPI
from aims.trail.models import AuditEvent
from tests.helpers import make_system

TODAY = timezone.localdate()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@pytest.fixture
def system(world):
    return make_system(world.org, actor=world.owner)


@pytest.fixture
def check(world, system):
    return Check.objects.create(
        organization=world.org, system=system, name="Approval-rate parity", kind=CheckKind.FAIRNESS
    )


@pytest.fixture
def kpi(world):
    return KPI.objects.create(organization=world.org, name="Complaints answered in time", target=95)


def url(name, world, **kwargs) -> str:
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def act_page(world, system, anchor: str) -> str:
    return url("act_system", world, system_id=system.pk) + "#" + anchor


def records_html(world, system, user) -> str:
    """The system's records as its EU AI Act page shows them (``euaiact/_records.html``)."""
    request = SimpleNamespace(membership=world.membership(user))
    context = {**record_views.records_context(system, request), "org": world.org}
    return render_to_string("euaiact/_records.html", context)


def section(html: str, anchor: str) -> str:
    """The text of one section of the records."""
    start = html.index(f'<section class="card" id="{anchor}"')
    return html[start : html.index("</section>", start)]


# A valid form per kind, the text it shows in its section, and a field it stores.
def valid_post(slug: str, world, check, kpi) -> tuple[dict, str, dict]:
    return {
        "oversight": (
            {
                "role": "Credit officer on duty",
                "person": world.manager.pk,
                "authority": "Overrules any score; stops the system for a branch.",
                "training": "Two-day course on the score and its limits.",
                "override": "Marks the score disregarded in the loan file.",
            },
            "Credit officer on duty",
            {"person": world.manager},
        ),
        "notice": (
            {
                "duty": "affected_persons",
                "text": "Your application is scored by an AI system; an officer decides.",
                "shown_where": "Application form, step 3",
                "since": day(-30),
                "until": "",
            },
            "Application form, step 3",
            {"since": TODAY - dt.timedelta(days=30)},
        ),
        "logs": (
            {
                "logs": "Scores and their inputs",
                "location": "Audit log store, EU region",
                "retention_days": "400",
                "note": "",
            },
            "Audit log store, EU region",
            {"retention_days": 400},
        ),
        "monitoring": (
            {
                "description": "Monthly parity and complaints review; action below 0.8.",
                "checks": [check.pk],
                "kpis": [kpi.pk],
                "review_every_months": "6",
                "approved_by": world.manager.pk,
                "approved_on": day(-1),
            },
            "Monthly parity and complaints review",
            {"review_every_months": 6},
        ),
        "conformity": (
            {
                "procedure": "internal",
                "notified_body": "",
                "assessed_on": day(-10),
                "outcome": "passed",
                "certificate": "",
                "certificate_expires": "",
                "system_version": "2.1",
                "note": "",
            },
            "Internal control (Annex VI)",
            {"outcome": "passed"},
        ),
        "declaration": (
            {
                "signed_on": day(-5),
                "signatory": "Jane Roe, CEO",
                "provider": "Acme Lending, 1 Main Street, Dublin",
                "system_version": "2.1",
                "reference": "DMS 2024-17",
                "ce_marked_on": day(-4),
                "note": "",
            },
            "Jane Roe, CEO",
            {"signatory": "Jane Roe, CEO"},
        ),
        "registration": (
            {
                "basis": "high_risk",
                "database_id": "EU-DB-0042",
                "registered_on": day(-2),
                "note": "",
            },
            "EU-DB-0042",
            {"database_id": "EU-DB-0042"},
        ),
    }[slug]


# --- The records of a system ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=[k.slug for k in KINDS])
def test_each_kind_is_recorded_through_its_page_and_shown_in_its_section(
    kind, world, system, check, kpi
):
    client = world.client(world.contributor)
    create = url(kind.url_name("create"), world, system_id=system.pk)
    assert client.get(create).status_code == 200
    html = section(records_html(world, system, world.contributor), kind.anchor)
    assert "None recorded yet" in html and create in html

    data, shown, stored = valid_post(kind.slug, world, check, kpi)
    response = client.post(create, data)

    assert response.status_code == 302
    assert response["Location"] == act_page(world, system, kind.anchor)
    record = kind.model.objects.get()
    assert (record.organization, record.system) == (world.org, system)
    for name, value in stored.items():
        assert getattr(record, name) == value
    assert AuditEvent.objects.for_record(record).get().actor == world.contributor
    for html in (
        section(records_html(world, system, world.contributor), kind.anchor),
        section(client.get(url("act_system", world, system_id=system.pk)).text, kind.anchor),
    ):
        assert shown in html and record.get_absolute_url() in html
        assert "None recorded yet" not in html
    edit = client.get(record.get_absolute_url())
    assert edit.status_code == 200
    assert "Change trail" in edit.text and "carla.contributor" in edit.text


def test_a_monitoring_plan_links_the_systems_checks_and_the_organizations_kpis(
    world, system, check, kpi
):
    client = world.client(world.contributor)
    data, _, _ = valid_post("monitoring", world, check, kpi)
    client.post(url("act_monitoring_create", world, system_id=system.pk), data)
    plan = MonitoringPlan.objects.get()
    assert list(plan.checks.all()) == [check] and list(plan.kpis.all()) == [kpi]
    html = section(records_html(world, system, world.contributor), "monitoring")
    assert '<td class="small num">1</td>' in html

    other = make_system(world.org, actor=world.owner, name="CV screening")
    theirs = Check.objects.create(
        organization=world.org, system=other, name="Other check", kind=CheckKind.DRIFT
    )
    form = client.get(plan.get_absolute_url()).text
    assert "Approval-rate parity" in form and "Other check" not in form
    response = client.post(plan.get_absolute_url(), {**data, "checks": [theirs.pk]})
    assert response.status_code == 422
    assert list(plan.checks.all()) == [check]


@pytest.mark.parametrize(
    ("slug", "change", "field", "message"),
    [
        ("notice", {"since": day(-5), "until": day(-10)}, "until", "shown until a date after"),
        ("declaration", {"signed_on": day(3), "ce_marked_on": ""}, "signed_on", "today or earlier"),
        (
            "conformity",
            {"procedure": "notified_body", "notified_body": ""},
            "notified_body",
            "Name the notified body",
        ),
    ],
)
def test_a_rule_of_the_record_refuses_the_form_and_nothing_is_saved(
    slug, change, field, message, world, system, check, kpi
):
    kind = BY_SLUG[slug]
    data, _, _ = valid_post(slug, world, check, kpi)
    response = world.client(world.contributor).post(
        url(kind.url_name("create"), world, system_id=system.pk), {**data, **change}
    )
    assert response.status_code == 422
    assert message in response.text
    assert field in response.context["form"].errors
    assert not kind.model.objects.exists()
    assert not AuditEvent.objects.filter(record_type=kind.model._meta.label_lower).exists()


def test_a_person_of_another_organization_is_not_offered_nor_accepted(world, system, check, kpi):
    client = world.client(world.contributor)
    create = url("act_oversight_create", world, system_id=system.pk)
    assert "oscar.outsider" not in client.get(create).text
    data, _, _ = valid_post("oversight", world, check, kpi)
    response = client.post(create, {**data, "person": world.outsider.pk})
    assert response.status_code == 422
    assert "person" in response.context["form"].errors
    assert not OversightMeasure.objects.exists()


def test_an_edit_changes_the_record_and_the_trail_says_so(world, system, check, kpi):
    client = world.client(world.contributor)
    data, _, _ = valid_post("logs", world, check, kpi)
    client.post(url("act_logs_create", world, system_id=system.pk), data)
    retention = LogRetention.objects.get()
    response = client.post(retention.get_absolute_url(), {**data, "retention_days": "730"})
    assert response.status_code == 302
    retention.refresh_from_db()
    assert retention.retention_days == 730
    actions = [e.action for e in AuditEvent.objects.for_record(retention).order_by("sequence")]
    assert actions == ["create", "update"]


def test_a_deployers_logs_kept_less_than_six_months_are_flagged(world):
    system = make_system(world.org, actor=world.owner, organization_role=OrganizationRole.DEPLOYER)
    for days in (MIN_DEPLOYER_RETENTION_DAYS - 1, MIN_DEPLOYER_RETENTION_DAYS):
        services.save_record(
            LogRetention(
                organization=world.org,
                system=system,
                logs=f"Logs kept {days} days",
                location="Store",
                retention_days=days,
            ),
            actor=world.owner,
        )
    html = section(records_html(world, system, world.viewer), "logs")
    rows = html.split("<tr>")[2:]
    assert "182 days" in rows[0] and "Below six months" in rows[0]
    assert "183 days" in rows[1] and "Below six months" not in rows[1]
    provider = make_system(world.org, actor=world.owner, name="Provided")
    services.save_record(
        LogRetention(
            organization=world.org, system=provider, logs="Short", location="S", retention_days=30
        ),
        actor=world.owner,
    )
    assert "Below six months" not in section(records_html(world, provider, world.viewer), "logs")


def test_a_reader_sees_the_records_without_the_add_links(world, system):
    html = records_html(world, system, world.viewer)
    for kind in KINDS:
        assert url(kind.url_name("create"), world, system_id=system.pk) not in html
    assert (
        world.client(world.viewer)
        .get(url("act_oversight_create", world, system_id=system.pk))
        .status_code
        == 403
    )


def test_the_records_section_costs_the_same_queries_for_many_records(world, system, check, kpi):
    def add_one_of_each(n: int):
        for slug in ("oversight", "notice", "monitoring"):
            data, _, _ = valid_post(slug, world, check, kpi)
            response = world.client(world.owner).post(
                url(f"act_{slug}_create", world, system_id=system.pk),
                {**data, "role": f"Role {n}"} if slug == "oversight" else data,
            )
            assert response.status_code == 302

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            records_html(world, system, world.viewer)
        return len(captured)

    add_one_of_each(1)
    few = queries()
    for n in range(2, 6):
        add_one_of_each(n)
    assert queries() == few


def test_a_contributor_cannot_delete_a_record_and_a_manager_can(world, system):
    notice = services.save_record(
        TransparencyNotice(
            organization=world.org,
            system=system,
            duty="interaction",
            text="You are chatting with an AI assistant.",
            shown_where="Chat window",
            since=TODAY,
        ),
        actor=world.owner,
    )
    delete = url("act_notice_delete", world, system_id=system.pk, notice_id=notice.pk)
    contributor = world.client(world.contributor)
    assert contributor.get(delete).status_code == 403
    assert contributor.post(delete).status_code == 403
    assert TransparencyNotice.objects.filter(pk=notice.pk).exists()
    manager = world.client(world.manager)
    confirm = manager.get(delete)
    assert confirm.status_code == 200 and "Delete this transparency notice?" in confirm.text
    response = manager.post(delete)
    assert response["Location"] == act_page(world, system, "notice")
    assert not TransparencyNotice.objects.filter(pk=notice.pk).exists()
    assert AuditEvent.objects.for_record(notice).filter(action="delete").exists()


def test_a_record_of_another_system_or_organization_is_not_found(world, system):
    other = make_system(world.org, actor=world.owner, name="CV screening")
    measure = services.save_record(
        OversightMeasure(
            organization=world.org,
            system=other,
            role="Recruiter",
            authority="Rejects the ranking.",
            training="Briefing.",
            override="Ignores the score.",
        ),
        actor=world.owner,
    )
    manager = world.client(world.manager)
    assert manager.get(measure.get_absolute_url()).status_code == 200
    wrong_system = url("act_oversight_edit", world, system_id=system.pk, measure_id=measure.pk)
    assert manager.get(wrong_system).status_code == 404
    assert manager.post(wrong_system.replace("/edit", "") + "delete/").status_code == 404
    wrong_kind = url("act_notice_edit", world, system_id=other.pk, notice_id=measure.pk)
    assert manager.get(wrong_kind).status_code == 404

    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    their_measure = services.save_record(
        OversightMeasure(
            organization=world.other_org,
            system=theirs,
            role="Theirs",
            authority="a",
            training="b",
            override="c",
        ),
        actor=world.outsider,
    )
    for path in (
        url("act_oversight_edit", world, system_id=theirs.pk, measure_id=their_measure.pk),
        url("act_oversight_create", world, system_id=theirs.pk),
        url("act_recourse_channel", world, system_id=theirs.pk),
    ):
        assert manager.get(path).status_code == 404
    assert world.client(world.outsider).get(measure.get_absolute_url()).status_code == 404
    OversightMeasure.objects.get(pk=measure.pk)
    with pytest.raises(Http404):
        record_views.kind_of("fine")


# --- The explanation and recourse channel --------------------------------------------------------


def test_the_recourse_channel_is_recorded_once_and_shown_to_readers(world, system):
    page = url("act_recourse_channel", world, system_id=system.pk)
    viewer = world.client(world.viewer)
    assert "Not described yet" in viewer.get(page).text
    assert viewer.post(page, {"how_to_ask": "x"}).status_code == 403
    contributor = world.client(world.contributor)
    data = {
        "how_to_ask": "Write to us with your case number; an officer reviews the decision.",
        "contact": "decisions@acme.example",
        "published_where": "Decision letter and website",
        "response_days": "14",
    }
    response = contributor.post(page, data)
    assert response["Location"] == act_page(world, system, "recourse")
    contributor.post(page, {**data, "response_days": "21"})
    channel = RecourseChannel.objects.get()
    assert (channel.system, channel.response_days) == (system, 21)
    shown = viewer.get(page)
    assert "decisions@acme.example" in shown.text and "id_how_to_ask" not in shown.text
    html = section(records_html(world, system, world.viewer), "recourse")
    assert "21 days" in html and "decisions@acme.example" in html
    refused = contributor.post(page, {**data, "response_days": "0"})
    assert refused.status_code == 422
    channel.refresh_from_db()
    assert channel.response_days == 21


# --- The register of explanation and recourse requests -------------------------------------------


def request_data(system, **fields) -> dict:
    data = {
        "system": system.pk,
        "kind": RequestKind.EXPLANATION,
        "received_on": TODAY.isoformat(),
        "requester": "Case 2024-118",
        "summary": "Why was my loan refused?",
        "due_on": "",
    }
    return {**data, **fields}


def test_requests_get_the_next_reference_and_a_due_date_from_the_channel(world, system):
    contributor = world.client(world.contributor)
    create = url("act_request_create", world)
    form = contributor.get(create + f"?system={system.slug}")
    assert f'<option value="{system.pk}" selected>' in form.text
    assert "No personal data here beyond a case number" in form.text

    response = contributor.post(create, request_data(system, received_on=day(-3)))
    first = RecourseRequest.objects.get()
    assert response["Location"] == first.get_absolute_url()
    assert first.ref == f"R-{TODAY.year}-001"
    assert first.due_on == TODAY + dt.timedelta(days=27)  # 30 days by default
    assert first.status == RequestStatus.OPEN

    services.save_record(
        RecourseChannel(
            organization=world.org,
            system=system,
            how_to_ask="Write to us.",
            contact="decisions@acme.example",
            published_where="Letters",
            response_days=14,
        ),
        actor=world.owner,
    )
    contributor.post(create, request_data(system, received_on=day(-1)))
    second = RecourseRequest.objects.exclude(pk=first.pk).get()
    assert second.ref == f"R-{TODAY.year}-002"
    assert second.due_on == TODAY + dt.timedelta(days=13)
    contributor.post(create, request_data(system, due_on=day(5), requester="Case 7"))
    given = RecourseRequest.objects.get(requester="Case 7")
    assert (given.ref, given.due_on) == (f"R-{TODAY.year}-003", TODAY + dt.timedelta(days=5))

    detail = world.client(world.viewer).get(second.get_absolute_url())
    assert detail.status_code == 200 and second.ref in detail.text
    assert "decisions@acme.example" in detail.text and "Change trail" in detail.text


def test_a_request_received_in_the_future_is_refused(world, system):
    response = world.client(world.contributor).post(
        url("act_request_create", world), request_data(system, received_on=day(1))
    )
    assert response.status_code == 422 and "today or earlier" in response.text
    assert not RecourseRequest.objects.exists()


def receive(world, system, *, received: int, due: int | None = None, **fields):
    return services.receive_request(
        RecourseRequest(
            organization=world.org,
            system=system,
            kind=fields.pop("kind", RequestKind.EXPLANATION),
            received_on=TODAY + dt.timedelta(days=received),
            due_on=TODAY + dt.timedelta(days=due) if due is not None else None,
            requester=fields.pop("requester", "Case 1"),
            summary=fields.pop("summary", "Why?"),
            **fields,
        ),
        actor=world.owner,
    )


def test_the_overdue_filter_lists_only_open_requests_past_their_due_date(world, system):
    overdue = receive(world, system, received=-40, requester="Case overdue")
    soon = receive(world, system, received=-27, requester="Case soon")
    later = receive(world, system, received=0, requester="Case later")
    answered = receive(world, system, received=-60, requester="Case answered")
    answered.status, answered.answered_on, answered.outcome = (
        RequestStatus.ANSWERED,
        TODAY - dt.timedelta(days=40),
        "Explained the two main factors.",
    )
    services.save_record(answered, actor=world.owner)

    viewer = world.client(world.viewer)
    listing = viewer.get(url("act_request_list", world))
    assert [r.ref for r in listing.context["requests"]] == [
        later.ref,
        soon.ref,
        overdue.ref,
        answered.ref,
    ]
    assert (listing.context["open_count"], listing.context["overdue_count"]) == (3, 1)
    assert f"Overdue since {overdue.due_on.isoformat()}" in listing.text
    assert f"Due {soon.due_on.isoformat()}" in listing.text
    only = viewer.get(url("act_request_list", world) + "?overdue=on")
    assert [r.ref for r in only.context["requests"]] == [overdue.ref]
    found = viewer.get(url("act_request_list", world) + "?q=soon")
    assert [r.ref for r in found.context["requests"]] == [soon.ref]
    closed = viewer.get(url("act_request_list", world) + "?status=answered")
    assert [r.ref for r in closed.context["requests"]] == [answered.ref]

    other = make_system(world.org, actor=world.owner, name="CV screening")
    contest = receive(world, other, received=0, kind=RequestKind.CONTEST)
    by_system = viewer.get(url("act_request_list", world) + f"?system={other.slug}")
    assert [r.ref for r in by_system.context["requests"]] == [contest.ref]
    by_kind = viewer.get(url("act_request_list", world) + "?kind=contest")
    assert [r.ref for r in by_kind.context["requests"]] == [contest.ref]
    html = section(records_html(world, system, world.viewer), "recourse")
    assert "3 requests open" in html and "1 overdue" in html


def test_answering_a_request_needs_the_date_and_the_outcome(world, system):
    found = receive(world, system, received=-3)
    edit = url("act_request_edit", world, recourse_request_id=found.pk)
    contributor = world.client(world.contributor)
    form = contributor.get(edit)
    assert form.status_code == 200
    assert f'<option value="{world.contributor.pk}" selected>' in form.text  # who answers
    data = {
        **request_data(system, received_on=found.received_on.isoformat()),
        "due_on": found.due_on.isoformat(),
        "status": RequestStatus.CHANGED,
        "handled_by": world.contributor.pk,
        "answered_on": "",
        "outcome": "",
    }
    refused = contributor.post(edit, data)
    assert refused.status_code == 422
    assert set(refused.context["form"].errors) == {"answered_on", "outcome"}
    found.refresh_from_db()
    assert found.status == RequestStatus.OPEN
    answered = contributor.post(
        edit, {**data, "answered_on": TODAY.isoformat(), "outcome": "Score recomputed; approved."}
    )
    assert answered["Location"] == found.get_absolute_url()
    found.refresh_from_db()
    assert (found.status, found.answered_on, found.handled_by) == (
        RequestStatus.CHANGED,
        TODAY,
        world.contributor,
    )
    assert found.ref == f"R-{TODAY.year}-001"  # kept
    withdrawn = receive(world, system, received=-1)
    response = contributor.post(
        url("act_request_edit", world, recourse_request_id=withdrawn.pk),
        {
            **request_data(system),
            "due_on": withdrawn.due_on.isoformat(),
            "status": RequestStatus.WITHDRAWN,
            "answered_on": "",
            "outcome": "",
        },
    )
    assert response.status_code == 302


def test_requests_are_deleted_by_managers_only_and_stay_in_their_organization(world, system):
    found = receive(world, system, received=0)
    delete = url("act_request_delete", world, recourse_request_id=found.pk)
    assert world.client(world.contributor).post(delete).status_code == 403
    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    their_request = services.receive_request(
        RecourseRequest(
            organization=world.other_org,
            system=theirs,
            kind=RequestKind.CONTEST,
            received_on=TODAY,
            requester="Case X",
            summary="?",
        ),
        actor=world.outsider,
    )
    manager = world.client(world.manager)
    for name in ("act_request_detail", "act_request_edit", "act_request_delete"):
        assert (
            manager.get(url(name, world, recourse_request_id=their_request.pk)).status_code == 404
        )
    their_system = manager.post(url("act_request_create", world), request_data(theirs))
    assert their_system.status_code == 422
    assert RecourseRequest.objects.filter(organization=world.org).count() == 1
    assert manager.get(delete).status_code == 200
    assert manager.post(delete)["Location"] == url("act_request_list", world)
    assert not RecourseRequest.objects.filter(pk=found.pk).exists()
    assert RecourseRequest.objects.filter(pk=their_request.pk).exists()


def test_the_requests_export_follows_the_filters(world, system):
    receive(world, system, received=-40, requester="=HYPERLINK(1)")
    receive(world, system, received=0, requester="Case 2")
    response = world.client(world.auditor).get(url("act_request_export_csv", world) + "?overdue=on")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Reference", "AI system", "Kind"]
    assert len(rows) == 2
    assert rows[1][0] == f"R-{TODAY.year}-001" and rows[1][8] == "yes"
    assert rows[1][4] == "'=HYPERLINK(1)"  # not a formula in a spreadsheet


def test_user_text_is_escaped(world, system):
    found = receive(world, system, received=0, requester="<script>alert(1)</script>")
    page = world.client(world.viewer).get(found.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    listing = world.client(world.viewer).get(url("act_request_list", world)).text
    assert "<script>alert(1)</script>" not in listing


# --- The regulatory watch ------------------------------------------------------------------------


def change_data(*systems, **fields) -> dict:
    data = {
        "title": "Guidelines on high-risk classification",
        "source": ChangeSource.GUIDANCE,
        "reference": "Commission guidelines on Art. 6",
        "jurisdiction": "EU",
        "published_on": day(-20),
        "effective_on": "",
        "summary": "Examples of Annex III uses that are and are not high-risk.",
        "effect": "Confirms credit scoring is high-risk; no change for the chatbot.",
        "articles": "Art. 6",
        "systems": [s.pk for s in systems],
        "status": ChangeStatus.ASSESSING,
        "owner": "",
    }
    return {**data, **fields}


def test_a_regulatory_change_is_recorded_edited_and_deleted(world, system):
    contributor = world.client(world.contributor)
    response = contributor.post(url("act_change_create", world), change_data(system))
    change = RegulatoryChange.objects.get()
    assert response["Location"] == change.get_absolute_url()
    assert list(change.systems.all()) == [system]
    detail = world.client(world.viewer).get(change.get_absolute_url())
    assert url("act_system", world, system_id=system.pk) in detail.text
    assert "Change trail" in detail.text

    other = make_system(world.org, actor=world.owner, name="CV screening")
    edit = url("act_change_edit", world, regulatory_change_id=change.pk)
    contributor.post(edit, change_data(other, status=ChangeStatus.ACTING, owner=world.manager.pk))
    change.refresh_from_db()
    assert list(change.systems.all()) == [other]
    assert (change.status, change.owner) == (ChangeStatus.ACTING, world.manager)

    theirs = make_system(world.other_org, actor=world.outsider, name="Theirs")
    refused = contributor.post(edit, change_data(theirs))
    assert refused.status_code == 422 and "systems" in refused.context["form"].errors
    assert list(change.systems.all()) == [other]

    delete = url("act_change_delete", world, regulatory_change_id=change.pk)
    assert contributor.post(delete).status_code == 403
    assert world.client(world.manager).post(delete)["Location"] == url("act_change_list", world)
    assert not RegulatoryChange.objects.exists()


def test_the_watch_filters_and_export(world, system):
    def record(title, *systems, **fields):
        return services.save_change(
            RegulatoryChange(
                organization=world.org, title=title, summary="What changes.", **fields
            ),
            actor=world.owner,
            systems=list(systems),
        )

    guidance = record("Guidelines on Art. 6", system, source=ChangeSource.GUIDANCE)
    standard = record(
        "Harmonised standard on logging", source=ChangeSource.STANDARD, status=ChangeStatus.DONE
    )
    law = record("Omnibus amendment", source=ChangeSource.LAW, reference="COM(2025) 836")
    viewer = world.client(world.viewer)
    listing = viewer.get(url("act_change_list", world))
    assert {c.pk for c in listing.context["changes"]} == {guidance.pk, standard.pk, law.pk}
    assert listing.context["open_count"] == 2
    for query, expected in [
        ("source=standard", [standard]),
        ("status=done", [standard]),
        (f"system={system.slug}", [guidance]),
        ("q=COM(2025)", [law]),
    ]:
        found = viewer.get(url("act_change_list", world) + "?" + query).context["changes"]
        assert [c.pk for c in found] == [c.pk for c in expected], query
    export = viewer.get(url("act_change_export_csv", world) + f"?system={system.slug}")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][1] == "Title" and [r[1] for r in rows[1:]] == ["Guidelines on Art. 6"]
    assert rows[1][10] == system.name


def test_the_lists_cost_the_same_queries_for_many_rows(world, system):
    def queries(name: str) -> int:
        client = world.client(world.viewer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(name, world)).status_code == 200
        return len(captured)

    def add(n: int):
        for i in range(n):
            receive(world, system, received=-i, handled_by=world.manager)
            services.save_change(
                RegulatoryChange(
                    organization=world.org,
                    title=f"Change {i}",
                    source=ChangeSource.LAW,
                    summary="x",
                    owner=world.manager,
                ),
                actor=world.owner,
                systems=[system],
            )

    add(2)
    few = {name: queries(name) for name in ("act_request_list", "act_change_list")}
    add(10)
    assert {name: queries(name) for name in few} == few


def test_the_records_render_from_the_plain_context_of_the_system_page_too(
    world, system, check, kpi
):
    """The system's page may give each kind's records as ``kind.records(system)`` and no request
    counts: the section still shows the counts of checks and KPIs and the open requests."""
    data, _, _ = valid_post("monitoring", world, check, kpi)
    world.client(world.owner).post(url("act_monitoring_create", world, system_id=system.pk), data)
    receive(world, system, received=0)
    context = {
        "org": world.org,
        "system": system,
        "record_groups": [(kind, kind.records(system)) for kind in KINDS],
        "recourse_channel": None,
        "can_edit": False,
    }
    html = render_to_string("euaiact/_records.html", context)
    assert '<td class="small num">1</td>' in section(html, "monitoring")
    assert "1 request open" in section(html, "recourse")
    assert "Not described yet" in section(html, "recourse")
