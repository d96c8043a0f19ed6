"""Communication (7.4): the plan, the log, due dates moving on when a communication is logged,
overdue entries, the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aims.catalog.models import Clause, Control
from aims.communication.area import communication_due
from aims.communication.dashboard import part
from aims.communication.models import (
    AudienceKind,
    Channel,
    Communication,
    Frequency,
    PlanEntry,
)
from aims.communication.services import log_communication, save_plan_entry
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient

TODAY = dt.date(2026, 6, 15)


def plan(world, *, frequency=Frequency.QUARTERLY, next_due=TODAY, communicator=None, **fields):
    fields.setdefault("topic", "Quarterly AIMS report to the board")
    return save_plan_entry(
        PlanEntry(
            organization=world.org,
            frequency=frequency,
            next_due=next_due,
            audience_kind=AudienceKind.INTERNAL,
            audience="Board of directors",
            channel=Channel.REPORT,
            communicator=communicator,
            **fields,
        ),
        actor=world.owner,
    )


def log(world, on, entry=None, *, today=TODAY, **fields):
    fields.setdefault("summary", "The report")
    return log_communication(
        Communication(
            organization=world.org,
            communicated_on=on,
            audience="Board",
            channel=Channel.REPORT,
            plan_entry=entry,
            **fields,
        ),
        actor=world.owner,
        today=today,
    )


# --- Due dates move on ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "frequency,due,on,expected",
    [
        (Frequency.MONTHLY, dt.date(2026, 6, 15), dt.date(2026, 6, 10), dt.date(2026, 7, 15)),
        (Frequency.QUARTERLY, dt.date(2026, 6, 15), dt.date(2026, 6, 15), dt.date(2026, 9, 15)),
        (Frequency.YEARLY, dt.date(2026, 3, 1), dt.date(2026, 6, 1), dt.date(2027, 3, 1)),
        # Far overdue: moved on until it is after the communication.
        (Frequency.MONTHLY, dt.date(2026, 1, 31), dt.date(2026, 6, 5), dt.date(2026, 6, 30)),
        # No due date yet: counted from the communication.
        (Frequency.QUARTERLY, None, dt.date(2026, 5, 31), dt.date(2026, 8, 31)),
        (Frequency.ONCE, dt.date(2026, 6, 1), dt.date(2026, 6, 1), None),
        (Frequency.ON_EVENT, dt.date(2026, 6, 1), dt.date(2026, 6, 1), None),
    ],
)
def test_logging_against_an_entry_moves_its_due_date_on(world, frequency, due, on, expected):
    entry = plan(world, frequency=frequency, next_due=due)
    log(world, on, entry)
    entry.refresh_from_db()
    assert entry.next_due == expected


def test_the_move_is_in_the_change_trail(world):
    entry = plan(world, next_due=dt.date(2026, 6, 1))
    log(world, dt.date(2026, 6, 2), entry)
    event = AuditEvent.objects.filter(record_type="communication.planentry", action="update").get()
    assert event.changes["next_due"] == ["2026-06-01", "2026-09-01"]
    assert "Communicated on 2026-06-02" in event.note


def test_changing_a_logged_communication_does_not_move_the_plan_again(world):
    entry = plan(world, next_due=dt.date(2026, 6, 1))
    communication = log(world, dt.date(2026, 6, 2), entry)
    communication.summary = "Corrected summary"
    log_communication(communication, actor=world.owner, today=TODAY)
    entry.refresh_from_db()
    assert entry.next_due == dt.date(2026, 9, 1)


def test_a_communication_in_the_future_is_refused(world):
    entry = plan(world)
    with pytest.raises(ValidationError) as caught:
        log(world, TODAY + dt.timedelta(days=1), entry)
    assert "communicated_on" in caught.value.message_dict
    entry.refresh_from_db()
    assert entry.next_due == TODAY
    assert not Communication.objects.exists()


def test_another_organizations_plan_entry_is_refused(world):
    theirs = save_plan_entry(
        PlanEntry(
            organization=world.other_org,
            topic="Theirs",
            frequency=Frequency.MONTHLY,
            audience_kind=AudienceKind.INTERNAL,
            audience="All",
            channel=Channel.EMAIL,
        ),
        actor=world.outsider,
    )
    with pytest.raises(ValidationError) as caught:
        log(world, TODAY, theirs)
    assert "plan_entry" in caught.value.message_dict


def test_the_communicator_is_a_member(world):
    with pytest.raises(ValidationError) as caught:
        plan(world, communicator=world.outsider)
    assert "communicator" in caught.value.message_dict


# --- Overdue --------------------------------------------------------------------------------


def test_overdue_entries_are_flagged_and_due_to_the_communicator(world):
    late = plan(
        world, topic="Late", next_due=TODAY - dt.timedelta(days=3), communicator=world.contributor
    )
    plan(world, topic="On time", next_due=TODAY + dt.timedelta(days=3))
    plan(world, topic="Undated", frequency=Frequency.ON_EVENT, next_due=None)
    overdue = PlanEntry.objects.for_org(world.org).filtered(overdue=True, today=TODAY)
    assert list(overdue) == [late]
    items = communication_due(world.org, TODAY)
    assert [(i.title, i.overdue(TODAY)) for i in items] == [
        ("Communicate: Late", True),
        ("Communicate: On time", False),
    ]
    assert items[0].people == {world.contributor.pk}
    assert items[1].people == frozenset()  # to those who manage


def test_the_dashboard_notices_overdue_entries(world):
    plan(world, topic="Late", next_due=timezone.localdate() - dt.timedelta(days=1))
    found = part(world.org)
    assert found.data["overdue_count"] == 1
    assert found.notices[0].count == 1
    assert found.steps[0].done


# --- Pages ----------------------------------------------------------------------------------


def test_logging_on_the_page_moves_the_entry_on(world):
    today = timezone.localdate()
    entry = plan(world, frequency=Frequency.MONTHLY, next_due=today - dt.timedelta(days=2))
    client = world.client(world.contributor)
    url = reverse("communication_log_create", kwargs={"org": world.org.slug})
    form = client.get(url, {"plan": entry.pk})
    assert form.context["form"].initial["plan_entry"] == entry.pk
    response = client.post(
        url,
        {
            "communicated_on": today.isoformat(),
            "plan_entry": entry.pk,
            "summary": "Monthly report sent",
            "audience": "Board",
            "channel": Channel.EMAIL,
            "communicated_by": world.contributor.pk,
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.next_due > today
    assert Communication.objects.get().communicated_by == world.contributor


def test_a_future_date_is_refused_beside_the_field(world):
    client = world.client(world.contributor)
    response = client.post(
        reverse("communication_log_create", kwargs={"org": world.org.slug}),
        {
            "communicated_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "summary": "Too early",
            "audience": "Board",
            "channel": Channel.EMAIL,
        },
    )
    assert response.status_code == 422
    assert "in the future" in response.context["form"].errors["communicated_on"][0]
    assert not Communication.objects.exists()


def test_the_plan_form_saves_requirements(world):
    client = world.client(world.contributor)
    response = client.post(
        reverse("communication_plan_create", kwargs={"org": world.org.slug}),
        {
            "topic": "Transparency notice",
            "frequency": Frequency.YEARLY,
            "next_due": "2027-01-01",
            "audience_kind": AudienceKind.EXTERNAL,
            "audience": "Customers",
            "channel": Channel.WEBSITE,
            "clauses": [Clause.objects.get(ref="7.4").pk],
            "controls": [Control.objects.get(ref="A.8.3").pk],
        },
    )
    assert response.status_code == 302
    entry = PlanEntry.objects.get()
    assert entry.requirement_refs() == ["7.4", "A.8.3"]


def test_the_plan_list_filters_overdue_and_exports(world):
    plan(world, topic="Late", next_due=timezone.localdate() - dt.timedelta(days=1))
    plan(world, topic="Later", next_due=timezone.localdate() + dt.timedelta(days=30))
    client = world.client(world.auditor)
    url = reverse("communication_plan_list", kwargs={"org": world.org.slug})
    response = client.get(url, {"overdue": "on"})
    assert [e.topic for e in response.context["entries"]] == ["Late"]
    assert response.context["overdue_count"] == 1
    csv = client.get(reverse("communication_plan_export_csv", kwargs={"org": world.org.slug}))
    lines = csv.content.decode().splitlines()
    assert len(lines) == 3 and lines[1].startswith("Late,")


def test_deleting_a_plan_entry_asks_first_and_keeps_the_log(world):
    entry = plan(world)
    communication = log(world, TODAY, entry)
    client = world.client(world.manager)
    url = reverse(
        "communication_plan_delete", kwargs={"org": world.org.slug, "plan_entry_id": entry.pk}
    )
    assert client.get(url).status_code == 200
    assert PlanEntry.objects.filter(pk=entry.pk).exists()
    assert client.post(url).status_code == 302
    assert not PlanEntry.objects.filter(pk=entry.pk).exists()
    communication.refresh_from_db()
    assert communication.plan_entry is None


def test_a_contributor_cannot_delete_and_a_viewer_cannot_log(world):
    entry = plan(world)
    url = reverse(
        "communication_plan_delete", kwargs={"org": world.org.slug, "plan_entry_id": entry.pk}
    )
    assert world.client(world.contributor).post(url).status_code == 403
    response = world.client(world.viewer).post(
        reverse("communication_log_create", kwargs={"org": world.org.slug}),
        {"communicated_on": "2026-01-01", "summary": "x", "audience": "y", "channel": "email"},
    )
    assert response.status_code == 403
    assert PlanEntry.objects.filter(pk=entry.pk).exists()
    assert not Communication.objects.exists()


def test_an_outsider_does_not_find_the_plan(world):
    entry = plan(world)
    client = world.client(world.outsider)
    url = reverse(
        "communication_plan_detail", kwargs={"org": world.org.slug, "plan_entry_id": entry.pk}
    )
    assert client.get(url).status_code == 404


# --- API ------------------------------------------------------------------------------------


def test_api_plan_and_log(world):
    api = ApiClient.for_member(world.contributor, world.org)
    created = api.post(
        "/api/v1/communication-plan",
        {
            "topic": "Monthly digest",
            "frequency": "monthly",
            "next_due": "2026-01-31",
            "audience_kind": "internal",
            "audience": "Risk committee",
            "channel": "email",
            "communicator": "max.manager",
            "clauses": ["7.4"],
        },
    )
    assert created.status_code == 201, created.content
    entry = created.json()
    assert entry["communicator"] == "max.manager" and entry["clauses"] == ["7.4"]
    assert entry["overdue"] is True
    on = "2026-02-10"
    logged = api.post(
        "/api/v1/communications",
        {
            "communicated_on": on,
            "summary": "Digest sent",
            "audience": "Risk committee",
            "channel": "email",
            "plan_entry": entry["id"],
        },
    )
    assert logged.status_code == 201, logged.content
    assert logged.json()["plan_entry_next_due"] == "2026-02-28"
    read = api.get(f"/api/v1/communication-plan/{entry['id']}").json()
    assert read["next_due"] == "2026-02-28"
    changed = api.patch(f"/api/v1/communication-plan/{entry['id']}", {"channel": "intranet"})
    assert changed.json()["channel"] == "intranet"
    listed = api.get("/api/v1/communications", {"plan_entry": entry["id"]}).json()
    assert listed["count"] == 1


def test_api_refuses_a_future_communication(world):
    api = ApiClient.for_member(world.contributor, world.org)
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api.post(
        "/api/v1/communications",
        {"communicated_on": future, "summary": "x", "audience": "y", "channel": "email"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "communicated_on"
    assert not Communication.objects.exists()


def test_api_viewer_cannot_write_and_outsider_cannot_read(world):
    entry = plan(world)
    viewer = ApiClient.for_member(world.viewer, world.org)
    assert viewer.patch(f"/api/v1/communication-plan/{entry.pk}", {"topic": "x"}).status_code == 403
    assert viewer.get(f"/api/v1/communication-plan/{entry.pk}").status_code == 200
    outsider = ApiClient.for_member(world.outsider, world.other_org)
    assert outsider.get(f"/api/v1/communication-plan/{entry.pk}").status_code == 404
    assert outsider.get("/api/v1/communication-plan").json()["count"] == 0
    entry.refresh_from_db()
    assert entry.topic == "Quarterly AIMS report to the board"


def test_api_log_filtered_by_a_plan_entry_too_large_for_the_column_is_empty(world):
    # The number used to reach the database, which refused it: 500.
    api = ApiClient.for_member(world.viewer, world.org)
    response = api.get("/api/v1/communications", {"plan_entry": 2**70})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_api_refuses_true_as_a_plan_entry(world):
    # true used to be read as the plan entry with id 1.
    plan(world)
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        "/api/v1/communications",
        {
            "communicated_on": "2026-01-01",
            "summary": "x",
            "audience": "y",
            "channel": "email",
            "plan_entry": True,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "plan_entry", "message": "Enter a whole number."}
    ]
    assert not Communication.objects.exists()


def test_api_unknown_plan_entry_is_an_error(world):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        "/api/v1/communications",
        {
            "communicated_on": "2026-01-01",
            "summary": "x",
            "audience": "y",
            "channel": "email",
            "plan_entry": 999999,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "plan_entry"
