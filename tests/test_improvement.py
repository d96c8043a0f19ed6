"""Continual improvement (10.1): the improvement register's states and their refusals (page and
API, database unchanged), members' suggestions, the lessons-learned log, the links from
incidents and nonconformities, the lists and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aims.core.areas import due_items
from aims.core.errors import Refused
from aims.improvement import services
from aims.improvement.models import Improvement, Lesson, LessonSource, Source, Status
from aims.incidents.models import Incident
from aims.incidents.services import save_incident
from aims.inventory.models import AISystem
from aims.nonconformities.services import raise_nonconformity
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient

TODAY = timezone.localdate()


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def propose(world, **fields) -> Improvement:
    fields.setdefault("title", "Shadow-run model updates")
    fields.setdefault("description", "Run each new model beside the current one first.")
    fields.setdefault("source", Source.RETROSPECTIVE)
    return services.add_improvement(world.org, actor=world.manager, **fields)


def state(item) -> tuple:
    item.refresh_from_db()
    return (
        item.status,
        item.outcome,
        item.rejection_reason,
        AuditEvent.objects.filter(organization=item.organization).count(),
    )


def test_improvements_are_numbered_per_organization(world):
    first, second = propose(world), propose(world)
    other = services.add_improvement(
        world.other_org, title="x", description="y", source="other", actor=world.outsider
    )
    assert (first.ref, second.ref, other.ref) == ("IMP-001", "IMP-002", "IMP-001")
    assert first.status == Status.PROPOSED and first.suggested_by == world.manager
    assert AuditEvent.objects.for_record(first).count() == 1


def test_adding_refuses_outsiders_foreign_records_and_past_due_dates(world):
    foreign = save_incident(
        Incident(
            organization=world.other_org,
            system=AISystem.objects.create(
                organization=world.other_org, name="Theirs", slug="theirs", purpose="x"
            ),
            title="x",
            what_happened="y",
            occurred_at=timezone.now() - dt.timedelta(days=1),
            became_aware_at=timezone.now(),
        ),
        actor=world.outsider,
    )
    with pytest.raises(ValidationError) as error:
        propose(
            world,
            owner=world.outsider,
            incident=foreign,
            due_date=TODAY - dt.timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"owner", "incident", "due_date"}
    assert not Improvement.objects.filter(organization=world.org).exists()


def test_it_moves_proposed_planned_in_progress_done_with_the_outcome(world):
    item = propose(world, owner=world.contributor)
    services.move(item, Status.PLANNED, actor=world.manager)
    services.move(item, Status.IN_PROGRESS, actor=world.contributor)
    with pytest.raises(ValidationError) as error:
        services.move(item, Status.DONE, actor=world.contributor, outcome="Faster releases.")
    assert set(error.value.message_dict) == {"outcome_measure", "outcome_measured_on"}
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS and item.outcome == ""
    services.move(
        item,
        Status.DONE,
        actor=world.contributor,
        outcome="Two regressions caught before release.",
        outcome_measure="Regressions found in shadow runs, from the release log.",
        outcome_measured_on=TODAY,
    )
    item.refresh_from_db()
    assert item.status == Status.DONE and item.outcome_measured_on == TODAY


@pytest.mark.parametrize(
    "start,to,message",
    [
        (Status.PROPOSED, Status.DONE, "can become"),
        (Status.PLANNED, Status.PROPOSED, "can become"),
        (Status.DONE, Status.REJECTED, "does not move"),
        (Status.REJECTED, Status.PLANNED, "does not move"),
        (Status.PROPOSED, "finished", "not a status"),
    ],
)
def test_forbidden_moves_are_refused_and_nothing_changes(world, start, to, message):
    item = propose(world, owner=world.manager)
    if start != Status.PROPOSED:
        Improvement.objects.filter(pk=item.pk).update(status=start)
    before = state(item)
    with pytest.raises(Refused, match=message):
        services.move(item, to, actor=world.manager)
    assert state(item) == before


def test_planning_needs_an_owner_and_rejecting_a_reason(world):
    item = propose(world)
    before = state(item)
    with pytest.raises(Refused, match="owner"):
        services.move(item, Status.PLANNED, actor=world.manager)
    with pytest.raises(ValidationError) as error:
        services.move(item, Status.REJECTED, actor=world.manager, reason=" ")
    assert "rejection_reason" in error.value.message_dict
    assert state(item) == before
    services.move(item, Status.REJECTED, actor=world.manager, reason="Not worth it.")
    assert state(item)[0] == Status.REJECTED
    item.title = "Changed"
    with pytest.raises(Refused, match="does not change"):
        services.update_improvement(item, actor=world.manager)


def test_done_without_the_outcome_is_refused_on_the_page_beside_the_fields(world):
    item = propose(world, owner=world.manager)
    services.move(item, Status.IN_PROGRESS, actor=world.manager)
    before = state(item)
    client = world.client(world.contributor)
    response = client.post(url(world, "improvement_move", improvement_id=item.pk), {"to": "done"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Say what changed" in page and "Give the date it was measured" in page
    assert state(item) == before
    response = client.post(
        url(world, "improvement_move", improvement_id=item.pk), {"to": "proposed"}
    )
    assert response.status_code == 302
    assert state(item) == before


def test_the_api_refuses_a_forbidden_move_and_done_without_outcome(world):
    item = propose(world, owner=world.manager)
    api = ApiClient.for_member(world.contributor, world.org)
    before = state(item)
    response = api.post(f"/api/v1/improvements/{item.pk}/status", {"to": "done"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "status"
    services.move(item, Status.IN_PROGRESS, actor=world.manager)
    before = state(item)
    response = api.post(f"/api/v1/improvements/{item.pk}/status", {"to": "done"})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"outcome", "outcome_measure", "outcome_measured_on"}
    assert state(item) == before
    response = api.post(
        f"/api/v1/improvements/{item.pk}/status",
        {
            "to": "done",
            "outcome": "x",
            "outcome_measure": "y",
            "outcome_measured_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200 and response.json()["status"] == "done"


def test_any_member_may_suggest_and_only_contributors_record_and_move(world):
    viewer = world.client(world.viewer)
    response = viewer.post(
        url(world, "improvement_suggest"),
        {"title": "Explain declines in plain words", "description": "A clearer letter."},
    )
    item = Improvement.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.source == Source.SUGGESTION and item.suggested_by == world.viewer
    assert item.status == Status.PROPOSED and item.owner is None
    assert viewer.post(url(world, "improvement_create"), {"title": "x"}).status_code == 403
    response = viewer.post(
        url(world, "improvement_move", improvement_id=item.pk), {"to": "rejected"}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == Status.PROPOSED


def test_the_whole_register_through_the_pages(world, credit_system):
    client = world.client(world.manager)
    response = client.post(
        url(world, "improvement_create"),
        {
            "title": "Monthly parity review",
            "description": "Review parity figures with the credit officers.",
            "source": "audit",
            "source_reference": "AUD-2026-01",
            "owner": world.contributor.pk,
            "due_date": (TODAY + dt.timedelta(days=30)).isoformat(),
            "system": credit_system.pk,
        },
    )
    item = Improvement.objects.get()
    assert response.status_code == 302 and item.owner == world.contributor
    for to in ("planned", "in_progress"):
        client.post(url(world, "improvement_move", improvement_id=item.pk), {"to": to})
    response = client.post(
        url(world, "improvement_move", improvement_id=item.pk),
        {
            "to": "done",
            "outcome": "Two shifts found early.",
            "outcome_measure": "Shifts found by the review before the monthly check.",
            "outcome_measured_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Two shifts found early." in page and "AUD-2026-01" in page


def test_lessons_link_their_source_and_the_improvement_they_led_to(world):
    item = propose(world)
    client = world.client(world.contributor)
    response = client.post(
        url(world, "lesson_learned_create"),
        {
            "title": "Rehearse rollbacks",
            "what_happened": "The rollback took four hours.",
            "lesson": "Rehearse it twice a year.",
            "source": "retrospective",
            "source_reference": "Release retro",
            "improvement": item.pk,
            "recorded_on": TODAY.isoformat(),
        },
    )
    lesson = Lesson.objects.get()
    assert response.status_code == 302
    assert lesson.recorded_by == world.contributor and lesson.improvement == item
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Rehearse rollbacks" in page
    listing = client.get(url(world, "lesson_learned_list"), {"q": "rollback"}).content.decode()
    assert "Rehearse rollbacks" in listing and item.ref in listing
    assert (
        "No lesson matches"
        in client.get(
            url(world, "lesson_learned_list"), {"q": "nothing-like-this"}
        ).content.decode()
    )
    with pytest.raises(ValidationError) as error:
        services.add_lesson(
            world.org,
            actor=world.manager,
            title="x",
            what_happened="y",
            lesson="z",
            recorded_on=TODAY + dt.timedelta(days=1),
        )
    assert "recorded_on" in error.value.message_dict


def test_a_deletion_keeps_the_registers_history(world):
    planned = propose(world, owner=world.manager)
    services.move(planned, Status.PLANNED, actor=world.manager)
    mistake = propose(world, title="Typo")
    client = world.client(world.owner)
    client.post(url(world, "improvement_delete", improvement_id=planned.pk))
    assert Improvement.objects.filter(pk=planned.pk).exists()
    client.post(url(world, "improvement_delete", improvement_id=mistake.pk))
    assert not Improvement.objects.filter(pk=mistake.pk).exists()


def test_incident_and_nonconformity_pages_offer_an_improvement_and_a_lesson(world, credit_system):
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
    nc = raise_nonconformity(
        world.org,
        title="Gate missing",
        description="x",
        source="other",
        severity="minor",
        actor=world.manager,
    )
    client = world.client(world.contributor)
    for record, field in ((incident, "incident"), (nc, "nonconformity")):
        page = client.get(record.get_absolute_url()).content.decode()
        assert f"?{field}={record.pk}" in page and "Propose an improvement" in page
        form = client.get(url(world, "improvement_create") + f"?{field}={record.pk}")
        assert f'<option value="{record.pk}" selected' in form.content.decode()
    item = propose(world, incident=incident, source=Source.INCIDENT)
    services.add_lesson(
        world.org,
        actor=world.manager,
        title="Lesson from the gate",
        what_happened="x",
        lesson="y",
        source=LessonSource.NONCONFORMITY,
        nonconformity=nc,
    )
    assert item.ref in client.get(incident.get_absolute_url()).content.decode()
    assert "Lesson from the gate" in client.get(nc.get_absolute_url()).content.decode()


def test_the_register_filters_and_exports(world):
    done = propose(world, title="Shadow runs", owner=world.manager)
    services.move(done, Status.IN_PROGRESS, actor=world.manager)
    services.move(
        done,
        Status.DONE,
        actor=world.manager,
        outcome="x",
        outcome_measure="y",
        outcome_measured_on=TODAY,
    )
    late = propose(world, title="Letters", source=Source.SUGGESTION, owner=world.manager)
    services.move(late, Status.PLANNED, actor=world.manager)
    Improvement.objects.filter(pk=late.pk).update(due_date=TODAY - dt.timedelta(days=2))
    client = world.client(world.viewer)
    list_url = url(world, "improvement_list")

    def titles(params):
        page = client.get(list_url, params).content.decode()
        return {i.title for i in (done, late) if f"{i.ref} {i.title}" in page}

    assert titles({}) == {"Shadow runs", "Letters"}
    assert titles({"status": "done"}) == {"Shadow runs"}
    assert titles({"status": "not_closed"}) == {"Letters"}
    assert titles({"source": "suggestion"}) == {"Letters"}
    assert titles({"overdue": "on"}) == {"Letters"}
    assert titles({"q": "shadow"}) == {"Shadow runs"}
    text = client.get(url(world, "improvement_export_csv"), {"status": "done"}).content.decode()
    assert "Shadow runs" in text and "Letters" not in text
    items = [i for i in due_items(world.org, TODAY) if i.kind == "Improvement"]
    assert [i.title for i in items] == [f"Improvement {late.ref}: Letters"]


def test_the_api_records_lessons_and_improvements(world):
    api = ApiClient.for_member(world.contributor, world.org)
    nc = raise_nonconformity(
        world.org,
        title="Gate",
        description="x",
        source="other",
        severity="minor",
        actor=world.manager,
    )
    response = api.post(
        "/api/v1/improvements",
        {
            "title": "Release gate",
            "description": "Gate every release.",
            "source": "nonconformity",
            "nonconformity": nc.ref,
            "owner": "carla.contributor",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ref"] == "IMP-001" and body["nonconformity"] == nc.ref
    response = api.post(
        "/api/v1/lessons-learned",
        {
            "title": "Gate releases",
            "what_happened": "x",
            "lesson": "y",
            "improvement": "IMP-001",
            "nonconformity": "NC-404",
        },
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["nonconformity"]
    assert not Lesson.objects.exists()
    response = api.post(
        "/api/v1/lessons-learned",
        {"title": "Gate releases", "what_happened": "x", "lesson": "y", "improvement": "IMP-001"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == "carla.contributor"
    listed = api.get("/api/v1/lessons-learned", {"q": "gate"}).json()
    assert listed["count"] == 1
    response = api.patch(f"/api/v1/improvements/{body['id']}", {"due_date": "2001-01-01"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "due_date"
