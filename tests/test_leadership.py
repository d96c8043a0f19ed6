"""AIMS roles, the RACI matrix, committee meetings with decisions and actions, and the
top-management page (ISO/IEC 42001 5.1, 5.3, A.3.2)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from helpers import ApiClient, make_risk, make_system

from aims.core.areas import due_items, measures, template_values
from aims.core.errors import Refused
from aims.dashboard.summary import summarize
from aims.inventory.proposals import TRANSITION
from aims.leadership.involvement import (
    MEETING_ATTENDED,
    RISK_ACCEPTANCE,
    top_management_involvement,
)
from aims.leadership.models import (
    ActionStatus,
    Activity,
    AIMSRole,
    Assignment,
    CommitteeAction,
    Decision,
    Meeting,
    MeetingStatus,
)
from aims.leadership.services import (
    STANDARD_ACTIVITIES,
    delete_meeting,
    save_action,
    save_decision,
    save_meeting,
    save_role,
    set_cell,
)
from aims.proposals.services import propose
from aims.risk.services import accept_risk
from aims.trail.models import AuditEvent

TODAY = timezone.localdate()


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def role(world, name="AI governance lead", holders=()):
    return save_role(
        AIMSRole(organization=world.org, name=name), actor=world.owner, holders=list(holders)
    )


def meeting(world, *, status=MeetingStatus.HELD, days_ago=10, attendees=None, title="Committee"):
    return save_meeting(
        Meeting(
            organization=world.org,
            title=title,
            date=TODAY - dt.timedelta(days=days_ago),
            status=status,
            minutes="Reviewed the register.",
        ),
        actor=world.owner,
        attendees=attendees if attendees is not None else [world.top_manager],
    )


def action(world, at, *, due=None, title="Update the policy", owner=None):
    return save_action(
        CommitteeAction(
            organization=world.org,
            meeting=at,
            title=title,
            owner=owner or world.manager,
            due_date=due if due is not None else TODAY + dt.timedelta(days=14),
        ),
        actor=world.owner,
    )


def first_activity(world) -> Activity:
    return Activity.objects.for_org(world.org).first()


# --- The RACI matrix --------------------------------------------------------------------------


def test_a_new_organization_starts_with_the_standard_activities_all_flagged(world):
    activities = Activity.objects.for_org(world.org)
    assert [a.name for a in activities] == [name for name, _ in STANDARD_ACTIVITIES]
    assert len(STANDARD_ACTIVITIES) == 12
    assert activities.flagged().count() == 12
    assert first_activity(world).flag() == "No one is accountable"


def test_an_activity_with_two_accountable_is_flagged_and_with_one_is_not(world):
    lead, owner = role(world), role(world, "Model owner")
    activity = first_activity(world)
    set_cell(activity, actor=world.owner, letter="A", role=lead)
    assert activity not in Activity.objects.for_org(world.org).flagged()
    assert Activity.objects.with_accountable().get(pk=activity.pk).flag() == ""
    set_cell(activity, actor=world.owner, letter="A", role=owner)
    assert activity in Activity.objects.for_org(world.org).flagged()
    assert "2 are accountable" in Activity.objects.with_accountable().get(pk=activity.pk).flag()
    set_cell(activity, actor=world.owner, letter="R", role=owner)
    assert activity not in Activity.objects.for_org(world.org).flagged()


def test_setting_a_cell_is_recorded_and_an_empty_letter_clears_it(world):
    lead = role(world)
    activity = first_activity(world)
    set_cell(activity, actor=world.owner, letter="a", role=lead)
    assert Assignment.objects.get(activity=activity, role=lead).letter == "A"
    event = AuditEvent.objects.for_record(activity).latest("sequence")
    assert event.changes == {"RACI: AI governance lead": [None, "A"]}
    set_cell(activity, actor=world.owner, letter="", role=lead)
    assert not Assignment.objects.filter(activity=activity).exists()


def test_a_cell_for_someone_outside_the_organization_or_a_bad_letter_is_refused(world):
    activity = first_activity(world)
    with pytest.raises(ValidationError) as refused:
        set_cell(activity, actor=world.owner, letter="A", person=world.outsider)
    assert "person" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        set_cell(activity, actor=world.owner, letter="X", person=world.manager)
    assert "letter" in refused.value.message_dict
    assert not Assignment.objects.filter(activity=activity).exists()


def test_the_matrix_row_form_sets_cells_and_the_flag_goes(world):
    lead = role(world)
    activity = first_activity(world)
    client = world.client(world.manager)
    response = client.post(
        url(world, "leadership_raci_row", raci_activity_id=activity.pk),
        {f"a{activity.pk}-role-{lead.pk}": "A"},
    )
    assert response.status_code == 302
    assert Assignment.objects.get(activity=activity, role=lead).letter == "A"
    page = client.get(url(world, "leadership_raci")).content.decode()
    assert "11 activities are flagged" in page


def test_a_person_column_is_added_through_its_own_form(world):
    activity = first_activity(world)
    client = world.client(world.manager)
    response = client.post(
        url(world, "leadership_raci_person"),
        {"activity": activity.pk, "person": world.top_manager.pk, "letter": "A"},
    )
    assert response.status_code == 302
    assert Assignment.objects.get(activity=activity, person=world.top_manager).letter == "A"
    page = client.get(url(world, "leadership_raci")).content.decode()
    assert f"a{activity.pk}-person-{world.top_manager.pk}" in page


def test_contributors_and_viewers_cannot_change_the_matrix_or_roles(world):
    lead = role(world)
    activity = first_activity(world)
    for user in (world.contributor, world.viewer):
        client = world.client(user)
        response = client.post(
            url(world, "leadership_raci_row", raci_activity_id=activity.pk),
            {f"a{activity.pk}-role-{lead.pk}": "A"},
        )
        assert response.status_code == 403
        assert client.post(url(world, "leadership_role_create"), {"name": "X"}).status_code == 403
    assert not Assignment.objects.exists()
    assert AIMSRole.objects.filter(organization=world.org).count() == 1


def test_the_raci_csv_lists_each_letter_and_the_check_spreadsheet_safe(world):
    lead = role(world)
    formula = role(world, "=HYPERLINK(1)")
    activity = first_activity(world)
    set_cell(activity, actor=world.owner, letter="A", role=lead)
    set_cell(activity, actor=world.owner, letter="C", role=formula)
    set_cell(activity, actor=world.owner, letter="I", person=world.viewer)
    response = world.client(world.auditor).get(url(world, "leadership_raci_export_csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Activity", "'=HYPERLINK(1)", "AI governance lead", "vic.viewer", "Check"]
    assert rows[1] == [activity.name, "C", "A", "I", "OK"]
    assert rows[2][-1] == "No one is accountable"
    assert len(rows) == 13


def test_the_roles_template_value_lists_roles_and_holders(world):
    role(world, holders=[world.manager])
    role(world, "Data protection officer")
    text = template_values(world.org)["roles"]
    assert "- AI governance lead: max.manager" in text
    assert "- Data protection officer: nobody assigned yet" in text


# --- Roles ------------------------------------------------------------------------------------


def test_a_role_holder_must_be_a_member(world):
    with pytest.raises(ValidationError) as refused:
        role(world, holders=[world.outsider])
    assert "holders" in refused.value.message_dict
    assert not AIMSRole.objects.filter(organization=world.org).exists()


def test_a_manager_records_a_role_with_holders_and_controls(world):
    from aims.catalog.models import Clause, Control

    response = world.client(world.manager).post(
        url(world, "leadership_role_create"),
        {
            "name": "Model owner",
            "responsibilities": "Answers for the credit model.",
            "holders": [world.contributor.pk],
            "clauses": [Clause.objects.get(ref="5.3").pk],
            "controls": [Control.objects.get(ref="A.3.2").pk],
        },
    )
    assert response.status_code == 302
    saved = AIMSRole.objects.get(organization=world.org, name="Model owner")
    assert list(saved.holders.all()) == [world.contributor]
    assert saved.requirement_refs() == ["5.3", "A.3.2"]
    duplicate = world.client(world.manager).post(
        url(world, "leadership_role_create"), {"name": "model owner"}
    )
    assert duplicate.status_code == 422
    assert "already has a role of that name" in duplicate.content.decode()


def test_deleting_a_role_asks_for_confirmation_then_removes_its_cells(world):
    lead = role(world)
    set_cell(first_activity(world), actor=world.owner, letter="A", role=lead)
    client = world.client(world.manager)
    confirm = client.get(url(world, "leadership_role_delete", aims_role_id=lead.pk))
    assert confirm.status_code == 200 and "1 cell(s)" in confirm.content.decode()
    assert AIMSRole.objects.filter(pk=lead.pk).exists()
    client.post(url(world, "leadership_role_delete", aims_role_id=lead.pk))
    assert not AIMSRole.objects.filter(pk=lead.pk).exists()
    assert not Assignment.objects.exists()


# --- Meetings, decisions, actions ---------------------------------------------------------------


def test_a_meeting_in_the_future_cannot_be_held_yet(world):
    with pytest.raises(ValidationError) as refused:
        meeting(world, days_ago=-3)
    assert "status" in refused.value.message_dict
    planned = meeting(world, days_ago=-3, status=MeetingStatus.PLANNED)
    assert planned.pk


def test_attendees_must_be_members(world):
    with pytest.raises(ValidationError) as refused:
        meeting(world, attendees=[world.outsider])
    assert "attendees" in refused.value.message_dict


def test_a_decision_needs_a_held_meeting(world):
    planned = meeting(world, status=MeetingStatus.PLANNED, days_ago=-5)
    with pytest.raises(Refused):
        save_decision(
            Decision(organization=world.org, meeting=planned, text="Go ahead."),
            actor=world.owner,
        )
    assert not Decision.objects.exists()


def test_a_decision_links_only_this_organizations_system(world):
    held = meeting(world)
    theirs = make_system(world.other_org, actor=world.outsider, name="Their system")
    with pytest.raises(ValidationError) as refused:
        save_decision(
            Decision(organization=world.org, meeting=held, text="Stop it.", system=theirs),
            actor=world.owner,
        )
    assert "system" in refused.value.message_dict


def test_a_contributor_records_a_decision_and_an_action_on_the_page(world):
    held = meeting(world)
    system = make_system(world.org, actor=world.owner)
    client = world.client(world.contributor)
    response = client.post(
        url(world, "leadership_decision_create", meeting_id=held.pk),
        {"decision-text": "Deploy the credit model.", "decision-system": system.pk},
    )
    assert response.status_code == 302
    decision = Decision.objects.get(meeting=held)
    assert decision.system == system and decision.organization == world.org
    due = TODAY + dt.timedelta(days=10)
    response = client.post(
        url(world, "leadership_action_create", meeting_id=held.pk),
        {
            "action-title": "Brief the call centre",
            "action-owner": world.viewer.pk,
            "action-due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    created = CommitteeAction.objects.get(meeting=held)
    assert (created.owner, created.due_date, created.status) == (world.viewer, due, "open")
    page = client.get(held.get_absolute_url()).content.decode()
    assert "Deploy the credit model." in page and "Brief the call centre" in page


def test_an_action_due_in_the_past_is_refused_on_creation(world):
    held = meeting(world)
    yesterday = TODAY - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        action(world, held, due=yesterday)
    assert "in the past" in refused.value.message_dict["due_date"][0]
    response = world.client(world.contributor).post(
        url(world, "leadership_action_create", meeting_id=held.pk),
        {"action-title": "Too late", "action-due_date": yesterday.isoformat()},
    )
    assert response.status_code == 422
    assert "in the past" in response.content.decode()
    assert not CommitteeAction.objects.exists()


def test_an_unchanged_past_due_date_does_not_block_closing_the_action(world):
    held = meeting(world)
    late = action(world, held)
    CommitteeAction.objects.filter(pk=late.pk).update(due_date=TODAY - dt.timedelta(days=5))
    late.refresh_from_db()
    late.status = ActionStatus.DONE
    save_action(late, actor=world.owner)
    late.refresh_from_db()
    assert late.status == ActionStatus.DONE and late.done_on == TODAY


def test_action_status_moves_and_the_ones_refused(world):
    held = meeting(world)
    todo = action(world, held)
    todo.status = ActionStatus.DONE
    save_action(todo, actor=world.owner)
    assert todo.done_on == TODAY
    todo.status = ActionStatus.CANCELLED
    with pytest.raises(Refused):
        save_action(todo, actor=world.owner)
    todo.refresh_from_db()
    assert todo.status == ActionStatus.DONE
    todo.status = ActionStatus.OPEN
    save_action(todo, actor=world.owner)
    todo.refresh_from_db()
    assert todo.status == ActionStatus.OPEN and todo.done_on is None
    todo.status = ActionStatus.CANCELLED
    save_action(todo, actor=world.owner)
    todo.status = ActionStatus.DONE
    with pytest.raises(Refused):
        save_action(todo, actor=world.owner)


def test_a_done_date_in_the_future_is_refused(world):
    todo = action(world, meeting(world))
    todo.status, todo.done_on = ActionStatus.DONE, TODAY + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        save_action(todo, actor=world.owner)
    assert "done_on" in refused.value.message_dict


def test_the_action_edit_page_closes_an_action(world):
    todo = action(world, meeting(world))
    response = world.client(world.contributor).post(
        url(world, "leadership_action_edit", meeting_action_id=todo.pk),
        {
            "title": todo.title,
            "owner": world.manager.pk,
            "due_date": todo.due_date.isoformat(),
            "status": "done",
            "done_on": "",
        },
    )
    assert response.status_code == 302
    todo.refresh_from_db()
    assert todo.status == "done" and todo.done_on == TODAY


def test_a_meeting_with_decisions_is_not_deleted(world):
    held = meeting(world)
    save_decision(Decision(organization=world.org, meeting=held, text="Yes."), actor=world.owner)
    with pytest.raises(Refused):
        delete_meeting(held, actor=world.owner)
    response = world.client(world.contributor).post(
        url(world, "leadership_meeting_delete", meeting_id=held.pk)
    )
    assert response.status_code == 302
    assert Meeting.objects.filter(pk=held.pk).exists()
    empty = meeting(world, title="Cancelled session")
    world.client(world.contributor).post(
        url(world, "leadership_meeting_delete", meeting_id=empty.pk)
    )
    assert not Meeting.objects.filter(pk=empty.pk).exists()


def test_the_meeting_list_searches_filters_and_exports(world):
    meeting(world, title="Quarterly AI committee")
    planned = meeting(world, title="Annual review", status=MeetingStatus.PLANNED, days_ago=-30)
    action(world, planned, title="Prepare the pack")
    client = world.client(world.viewer)
    page = client.get(url(world, "leadership_meeting_list"), {"q": "quarterly"}).content.decode()
    assert "Quarterly AI committee" in page and "Annual review" not in page
    page = client.get(
        url(world, "leadership_meeting_list"), {"open_actions": "on"}
    ).content.decode()
    assert "Annual review" in page and "Quarterly AI committee" not in page
    response = client.get(url(world, "leadership_meeting_export_csv"), {"status": "planned"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Date", "Title", "Status"]
    assert [r[1] for r in rows[1:]] == ["Annual review"]
    assert rows[1][-1] == "1"


# --- Reminders, dashboard, measures -------------------------------------------------------------


def test_open_actions_fall_due_for_their_owner_and_overdue_ones_show_on_the_dashboard(world):
    held = meeting(world)
    soon = action(world, held, title="Soon")
    late = action(world, held, title="Late")
    CommitteeAction.objects.filter(pk=late.pk).update(due_date=TODAY - dt.timedelta(days=3))
    items = [i for i in due_items(world.org, TODAY) if i.kind == "Committee action"]
    assert {i.title for i in items} == {"Committee action: Soon", "Committee action: Late"}
    assert all(i.people == frozenset({world.manager.pk}) for i in items)
    summary = summarize(world.org)
    assert summary.data("leadership")["overdue_actions"] == 1
    assert summary.data("leadership")["meetings_held"] == 1
    assert measures()["leadership.overdue_actions"].compute(world.org, TODAY) == 1.0
    assert measures()["leadership.overdue_actions"].direction == "down"
    soon.status = ActionStatus.DONE
    save_action(soon, actor=world.owner)
    assert len([i for i in due_items(world.org, TODAY) if i.kind == "Committee action"]) == 1
    page = world.client(world.viewer).get(url(world, "dashboard")).content.decode()
    assert "Overdue committee actions" in page and "Late" in page


def test_the_assign_roles_step_is_done_when_every_activity_has_one_accountable(world):
    def step():
        return next(s for s in summarize(world.org).steps if s.title == "Assign AIMS roles")

    assert not step().done
    lead = role(world)
    for activity in Activity.objects.for_org(world.org):
        set_cell(activity, actor=world.owner, letter="A", role=lead)
    assert step().done


# --- Top management -----------------------------------------------------------------------------


def test_involvement_lists_the_top_managers_risk_acceptance_and_meeting(world):
    risk = make_risk(world.org, actor=world.owner, likelihood=5, impact=5)
    accept_risk(
        risk,
        actor=world.top_manager,
        rationale="Needed for the launch.",
        expires_on=TODAY + dt.timedelta(days=90),
    )
    held = meeting(world, attendees=[world.top_manager, world.manager])
    save_decision(Decision(organization=world.org, meeting=held, text="Launch."), actor=world.owner)
    meeting(world, status=MeetingStatus.PLANNED, days_ago=-3, title="Not yet held")
    meeting(world, days_ago=500, title="Too long ago")
    found = top_management_involvement(world.org, TODAY - dt.timedelta(days=365))
    assert world.top_manager in [entry.user for entry in found]
    assert world.manager not in [entry.user for entry in found]  # attended, not top management
    tina = next(entry for entry in found if entry.user == world.top_manager)
    kinds = dict(tina.counts)
    assert kinds == {"Decision": 1, MEETING_ATTENDED: 1, RISK_ACCEPTANCE: 1}
    page = world.client(world.viewer).get(url(world, "leadership_top_management")).content.decode()
    assert "clause 5.1" in page
    assert "Accepted R-001" in page and "Committee" in page
    assert "Not yet held" not in page and "Too long ago" not in page


def test_involvement_counts_from_the_first_moment_of_the_day_in_local_time(world):
    """Since a date means from its local midnight: an acceptance a minute after counts, one a
    minute before does not (moments are compared with that midnight, not cast to dates)."""
    since = TODAY - dt.timedelta(days=30)
    midnight = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    for minutes, title in ((1, "Just inside"), (-1, "Just outside")):
        risk = make_risk(world.org, actor=world.owner, likelihood=5, impact=5, title=title)
        acceptance = accept_risk(
            risk,
            actor=world.top_manager,
            rationale="Needed.",
            expires_on=TODAY + dt.timedelta(days=90),
        )
        type(acceptance).objects.filter(pk=acceptance.pk).update(
            created_at=midnight + dt.timedelta(minutes=minutes)
        )
    for since_given in (since, midnight):
        found = top_management_involvement(world.org, since_given)
        tina = next(entry for entry in found if entry.user == world.top_manager)
        titles = [item.title for item in tina.items]
        assert len(titles) == 1 and titles[0].startswith("Accepted R-001"), titles


def test_the_top_management_page_shows_an_open_proposal_and_a_risk_waiting(world):
    system = make_system(world.org, actor=world.owner)
    propose(
        world.org,
        actor=world.contributor,
        kind=TRANSITION,
        record_of=system,
        summary="Move Credit scoring to Development",
        payload={"to_stage": "development"},
        reason="Ready",
    )
    make_risk(world.org, actor=world.owner, likelihood=5, impact=5, title="Model drift unseen")
    page = world.client(world.top_manager).get(url(world, "leadership_top_management"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Move Credit scoring to Development" in text
    assert "Model drift unseen" in text


# --- Scoping and the API --------------------------------------------------------------------------


def test_outsiders_find_nothing_of_the_organization(world):
    held = meeting(world)
    lead = role(world)
    client = world.client(world.outsider)
    assert client.get(held.get_absolute_url()).status_code == 404
    assert client.get(lead.get_absolute_url()).status_code == 404
    api = ApiClient.for_member(world.outsider, world.other_org)
    assert api.get(f"/api/v1/meetings/{held.pk}").status_code == 404
    assert api.get(f"/api/v1/aims-roles/{lead.pk}").status_code == 404
    assert api.get("/api/v1/meetings").json()["count"] == 0
    other_activity = Activity.objects.for_org(world.other_org).first()
    response = ApiClient.for_member(world.owner, world.org).post(
        f"/api/v1/raci-activities/{other_activity.pk}/cells", {"role": lead.pk, "letter": "A"}
    )
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_the_api_records_a_meeting_decision_and_action(world):
    api = ApiClient.for_member(world.contributor, world.org)
    system = make_system(world.org, actor=world.owner)
    created = api.post(
        "/api/v1/meetings",
        {
            "title": "AI committee",
            "date": TODAY.isoformat(),
            "status": "held",
            "attendees": ["tina.topmgmt"],
            "minutes": "Agreed.",
        },
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    assert created.json()["attendees"] == ["tina.topmgmt"]
    decision = api.post(
        f"/api/v1/meetings/{meeting_id}/decisions",
        {"text": "Deploy", "system": system.slug, "reference": "Ticket 42"},
    )
    assert decision.status_code == 201, decision.content
    assert decision.json()["system"] == system.slug
    late = api.post(
        f"/api/v1/meetings/{meeting_id}/actions",
        {"title": "Too late", "due_date": (TODAY - dt.timedelta(days=1)).isoformat()},
    )
    assert late.status_code == 422
    assert late.json()["errors"][0]["field"] == "due_date"
    made = api.post(
        f"/api/v1/meetings/{meeting_id}/actions",
        {
            "title": "Brief staff",
            "owner": "max.manager",
            "due_date": (TODAY + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    action_id = made.json()["id"]
    done = api.patch(f"/api/v1/meeting-actions/{action_id}", {"status": "done"})
    assert done.status_code == 200 and done.json()["done_on"] == TODAY.isoformat()
    refused = api.patch(f"/api/v1/meeting-actions/{action_id}", {"status": "cancelled"})
    assert refused.status_code == 409
    read = api.get(f"/api/v1/meetings/{meeting_id}").json()
    assert [d["text"] for d in read["decisions"]] == ["Deploy"]
    assert [a["status"] for a in read["actions"]] == ["done"]
    renamed = api.patch(f"/api/v1/meetings/{meeting_id}", {"title": "AI committee (Q1)"})
    assert renamed.json()["title"] == "AI committee (Q1)"


def test_the_api_refuses_a_decision_on_a_planned_meeting(world):
    planned = meeting(world, status=MeetingStatus.PLANNED, days_ago=-2)
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(f"/api/v1/meetings/{planned.pk}/decisions", {"text": "Go"})
    assert response.status_code == 409
    assert not Decision.objects.exists()


def test_the_api_sets_raci_cells_only_for_managers(world):
    lead = role(world)
    activity = first_activity(world)
    path = f"/api/v1/raci-activities/{activity.pk}/cells"
    contributor = ApiClient.for_member(world.contributor, world.org)
    assert contributor.post(path, {"role": lead.pk, "letter": "A"}).status_code == 403
    manager = ApiClient.for_member(world.manager, world.org)
    response = manager.post(path, {"role": lead.pk, "letter": "A"})
    assert response.status_code == 200, response.content
    assert response.json()["flag"] is None
    assert response.json()["cells"] == [
        {"role_id": lead.pk, "role": "AI governance lead", "person": None, "letter": "A"}
    ]
    both = manager.post(path, {"role": lead.pk, "person": "max.manager", "letter": "A"})
    assert both.status_code == 422
    flagged = manager.get("/api/v1/raci-activities", {"flagged": "true"}).json()
    assert flagged["count"] == 11
    cleared = manager.post(path, {"role": lead.pk, "letter": None})
    assert cleared.json()["flag"] == "No one is accountable"


def test_the_api_manages_roles(world):
    api = ApiClient.for_member(world.manager, world.org)
    created = api.post(
        "/api/v1/aims-roles",
        {"name": "Model owner", "holders": ["carla.contributor"], "controls": ["A.3.2"]},
    )
    assert created.status_code == 201, created.content
    assert created.json()["holders"] == ["carla.contributor"]
    stranger = api.patch(
        f"/api/v1/aims-roles/{created.json()['id']}", {"holders": ["oscar.outsider"]}
    )
    assert stranger.status_code == 422
    assert AIMSRole.objects.get(name="Model owner").holders.get() == world.contributor
    assert (
        ApiClient.for_member(world.contributor, world.org)
        .post("/api/v1/aims-roles", {"name": "X"})
        .status_code
        == 403
    )


def test_the_api_records_a_meeting_without_a_status_as_planned(world):
    # The status left out used to answer 500: its default was the model's choice, not the API's.
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post("/api/v1/meetings", {"title": "AI committee", "date": TODAY.isoformat()})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "planned"
    assert Meeting.objects.get().status == MeetingStatus.PLANNED


def test_the_api_empties_holders_and_attendees_sent_as_null(world):
    # A list sent as null (allowed by the PATCH schema) used to answer 500; it empties the list.
    api = ApiClient.for_member(world.manager, world.org)
    lead = role(world, holders=[world.contributor])
    response = api.patch(f"/api/v1/aims-roles/{lead.pk}", {"holders": None})
    assert response.status_code == 200, response.content
    assert response.json()["holders"] == [] and not lead.holders.exists()
    held = meeting(world)
    response = api.patch(f"/api/v1/meetings/{held.pk}", {"attendees": None})
    assert response.status_code == 200, response.content
    assert response.json()["attendees"] == [] and not held.attendees.exists()


def test_the_api_refuses_true_as_the_id_of_a_raci_role(world):
    # true used to be read as the number 1: the role with id 1, if there is one.
    role(world)
    api = ApiClient.for_member(world.manager, world.org)
    response = api.post(
        f"/api/v1/raci-activities/{first_activity(world).pk}/cells", {"role": True, "letter": "A"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "role", "message": "Enter a whole number."}]
    assert not Assignment.objects.exists()


def test_the_api_top_management_summary(world):
    risk = make_risk(world.org, actor=world.owner, likelihood=5, impact=5)
    accept_risk(
        risk, actor=world.top_manager, rationale="Launch.", expires_on=TODAY + dt.timedelta(days=9)
    )
    make_risk(world.org, actor=world.owner, likelihood=5, impact=4, title="Drift")
    body = ApiClient.for_member(world.viewer, world.org).get("/api/v1/top-management").json()
    assert [r["title"] for r in body["risks"]] == ["Drift"]
    tina = next(m for m in body["members"] if m["username"] == "tina.topmgmt")
    assert tina["counts"] == {RISK_ACCEPTANCE: 1}
    assert tina["items"][0]["kind"] == RISK_ACCEPTANCE


# --- Demo -------------------------------------------------------------------------------------


def test_the_demo_gives_northwind_roles_a_flagged_activity_and_an_overdue_action(db):
    from django.contrib.auth import get_user_model

    from aims.demo import leadership as demo
    from aims.demo.loader import load_demo
    from aims.inventory.models import AISystem
    from aims.risk.models import Risk

    org, owner, _ = load_demo()
    people = {u.username: u for u in get_user_model().objects.all()} | {"demo": owner}
    systems = {s.slug: s for s in AISystem.objects.filter(organization=org)}
    credit = next(s for slug, s in systems.items() if "credit" in slug)
    demo.load(
        org,
        people=people,
        systems={"credit": credit, "chat": None, "cv": None},
        risks=list(Risk.objects.filter(organization=org)),
        today=TODAY,
    )
    holders = {
        r.name: [u.username for u in r.holders.all()]
        for r in AIMSRole.objects.filter(organization=org)
    }
    assert holders["AI governance lead"] == ["priya.shah"]
    assert holders["Accountable executive (CFO)"] == ["daniel.okafor"]
    assert holders["Internal audit"] == ["ines.moreau"]
    assert [a.name for a in Activity.objects.for_org(org).flagged()] == ["Manage AI suppliers"]
    meetings = Meeting.objects.for_org(org).held()
    assert meetings.count() == 3
    assert min(m.date for m in meetings) >= TODAY - dt.timedelta(days=183)
    assert Decision.objects.filter(organization=org, system=credit).exists()
    assert CommitteeAction.objects.for_org(org).overdue(TODAY).count() == 1
