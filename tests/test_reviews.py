"""Management review (ISO/IEC 42001 9.3): planned → held → approved by the chair, the
top-management rule, outputs (decisions, actions, a nonconformity or an improvement raised from a
decision), reminders, involvement, the SoA, the report and its PDF, the pages and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from helpers import ApiClient
from test_reports import pdf_text

from aims.core.areas import control_records, due_items
from aims.core.dates import add_months
from aims.core.errors import Refused
from aims.dashboard.summary import summarize
from aims.improvement.models import Improvement
from aims.leadership.involvement import top_management_involvement
from aims.nonconformities.models import Nonconformity, Source
from aims.reviews import services
from aims.reviews.area import APPROVAL, ATTENDED
from aims.reviews.models import (
    ActionStatus,
    DecisionKind,
    ManagementReview,
    ReviewAction,
    ReviewDecision,
    ReviewStatus,
)
from aims.trail.models import AuditEvent
from tests.routes.reviews import held_review

TODAY = timezone.localdate()


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def planned(world, *, title="Management review Q4", chair=None, attendees=None, **fields):
    fields.setdefault("planned_on", TODAY + dt.timedelta(days=20))
    return services.save_review(
        ManagementReview(organization=world.org, title=title, chair=chair or world.owner, **fields),
        actor=world.owner,
        attendees=attendees if attendees is not None else [world.owner, world.top_manager],
    )


def decide(world, review, text="Automate the drift checks.", kind=DecisionKind.IMPROVEMENT):
    return services.save_decision(
        ReviewDecision(organization=world.org, review=review, kind=kind, text=text),
        actor=world.owner,
    )


def give_action(world, review, *, title="Brief the board", owner=None, due=None, today=None):
    return services.save_action(
        ReviewAction(
            organization=world.org,
            review=review,
            title=title,
            owner=owner or world.manager,
            due_date=due if due is not None else TODAY + dt.timedelta(days=30),
        ),
        actor=world.owner,
        today=today,
    )


def with_minutes(world, review, text="We reviewed every input and decided as below."):
    review.refresh_from_db()
    review.minutes = text
    return services.save_review(review, actor=world.owner)


# --- Planning ----------------------------------------------------------------------------------


def test_a_new_review_is_planned_and_addresses_clause_9_3(world):
    review = planned(world)
    assert review.status == ReviewStatus.PLANNED
    assert [c.ref for c in review.clauses.all()] == ["9.3"]
    assert AuditEvent.objects.for_record(review).count() == 1


def test_the_chair_needs_decision_authority(world):
    with pytest.raises(ValidationError) as refused:
        planned(world, chair=world.contributor)
    assert "chair" in refused.value.message_dict
    assert not ManagementReview.objects.exists()
    planned(world, chair=world.top_manager)  # a Viewer who is top management may chair


def test_the_page_plans_a_review_and_refuses_a_contributor_as_chair(world):
    client = world.client(world.manager)
    data = {
        "title": "Annual review",
        "planned_on": (TODAY + dt.timedelta(days=10)).isoformat(),
        "chair": world.contributor.pk,
        "attendees": [world.top_manager.pk],
        "clauses": [],
    }
    response = client.post(url(world, "review_create"), data)
    assert response.status_code == 422  # the contributor is no choice of chair
    assert "chair" in response.context["form"].errors
    data["chair"] = world.top_manager.pk
    response = client.post(url(world, "review_create"), data)
    review = ManagementReview.objects.get()
    assert response.status_code == 302 and response.url == review.get_absolute_url()
    assert review.chair == world.top_manager
    assert list(review.attendees.all()) == [world.top_manager]


# --- Holding -------------------------------------------------------------------------------------


def test_holding_without_attendees_is_refused_by_field(world):
    review = planned(world, attendees=[])
    with pytest.raises(ValidationError) as refused:
        services.hold_review(review, actor=world.owner)
    assert "attendees" in refused.value.message_dict
    review.refresh_from_db()
    assert review.status == ReviewStatus.PLANNED and review.inputs is None


def test_the_hold_page_refuses_no_attendees_beside_the_field(world):
    review = planned(world, attendees=[])
    client = world.client(world.manager)
    response = client.post(
        url(world, "review_hold", review_id=review.pk),
        {"held_on": TODAY.isoformat(), "chair": world.owner.pk},
    )
    assert response.status_code == 422
    assert "cannot be held without attendees" in response.context["form"].errors["attendees"][0]
    assert b'id="id_attendees_error"' in response.content
    review.refresh_from_db()
    assert review.status == ReviewStatus.PLANNED


def test_the_api_refuses_holding_without_attendees_naming_the_field(world):
    review = planned(world, attendees=[])
    api = ApiClient.for_member(world.manager, world.org)
    response = api.post(f"/api/v1/management-reviews/{review.pk}/hold", {"attendees": []})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["attendees"]
    review.refresh_from_db()
    assert review.status == ReviewStatus.PLANNED


@pytest.mark.parametrize(
    "change, field",
    [
        ({"held_on": TODAY + dt.timedelta(days=1)}, "held_on"),
        ({"chair": "contributor"}, "chair"),
        ({"attendees": ["top_manager"]}, "chair"),  # the chair (owner) did not attend
    ],
)
def test_holding_is_refused_in_the_future_or_with_a_chair_who_may_not_chair(world, change, field):
    review = planned(world)
    kwargs = dict(change)
    if "chair" in kwargs:
        kwargs["chair"] = getattr(world, kwargs["chair"])
    if "attendees" in kwargs:
        kwargs["attendees"] = [getattr(world, name) for name in kwargs["attendees"]]
    with pytest.raises(ValidationError) as refused:
        services.hold_review(review, actor=world.owner, **kwargs)
    assert field in refused.value.message_dict
    review.refresh_from_db()
    assert review.status == ReviewStatus.PLANNED


def test_holding_freezes_the_inputs_and_a_second_hold_is_refused(world):
    review = planned(world)
    held = services.hold_review(review, actor=world.owner, held_on=TODAY)
    assert held.status == ReviewStatus.HELD and held.held_on == TODAY
    keys = [section["key"] for section in held.inputs]
    assert keys[:9] == ["a", "b", "c", "d1", "d2", "d3", "e", "risk", "incidents"]
    assert held.inputs_since == add_months(TODAY, -12)  # no earlier review: a year back
    with pytest.raises(Refused):
        services.hold_review(held, actor=world.owner)


def test_the_frozen_inputs_do_not_change_with_later_records(world):
    from aims.context.models import Issue
    from aims.context.services import save_issue

    review = held_review(world)
    client = world.client(world.viewer)
    before = client.get(review.get_absolute_url())
    assert before.context["frozen"] is True
    save_issue(
        Issue(
            organization=world.org,
            ref="ISS-1",
            title="A new AI regulation in force",
            side="external",
            category="legal",
        ),
        actor=world.owner,
    )
    after = client.get(review.get_absolute_url())
    assert b"A new AI regulation in force" not in after.content
    live = planned(world, title="Next review")
    page = client.get(live.get_absolute_url())
    assert page.context["frozen"] is False
    assert b"A new AI regulation in force" in page.content


# --- Top management ----------------------------------------------------------------------------


def test_the_review_says_so_when_no_top_management_attended(world):
    without = held_review(
        world, title="Without", chair=world.manager, attendees=[world.manager, world.contributor]
    )
    with_top = held_review(world, title="With")
    client = world.client(world.viewer)
    page = client.get(without.get_absolute_url())
    assert b"No member of top management attended this review" in page.content
    page = client.get(with_top.get_absolute_url())
    assert b"No member of top management attended" not in page.content
    listed = client.get(url(world, "review_list"))
    rows = {r.title: r.top_attended for r in listed.context["reviews"]}
    assert rows == {"Without": False, "With": True}
    assert listed.content.count(b"No top management") == 1


def test_top_management_is_the_membership_flag_not_the_role(world):
    """An AIMS Manager has decision authority but is not top management unless the membership
    says so: the rule of the top-management page (5.1)."""
    review = held_review(world, chair=world.manager, attendees=[world.manager])
    client = world.client(world.viewer)
    assert client.get(review.get_absolute_url()).context["top_attendees"] == []
    membership = world.membership(world.manager)
    membership.is_top_management = True
    membership.save()
    assert client.get(review.get_absolute_url()).context["top_attendees"] == [world.manager]


# --- Approval ----------------------------------------------------------------------------------


def test_only_the_chair_approves_and_only_a_held_review_with_minutes(world):
    review = planned(world, chair=world.top_manager)
    with pytest.raises(Refused, match="hold it first"):
        services.approve_review(review, actor=world.top_manager)
    held = services.hold_review(review, actor=world.owner)
    with pytest.raises(Refused, match="Write the minutes"):
        services.approve_review(held, actor=world.top_manager)
    with_minutes(world, held)
    with pytest.raises(PermissionDenied):
        services.approve_review(held, actor=world.owner)  # the owner is not the chair
    held.refresh_from_db()
    assert held.status == ReviewStatus.HELD
    approved = services.approve_review(held, actor=world.top_manager)
    assert approved.status == ReviewStatus.APPROVED
    assert approved.approved_by == world.top_manager
    assert approved.current_until == approved.held_on.replace(year=approved.held_on.year + 1)
    with pytest.raises(Refused, match="already approved"):
        services.approve_review(approved, actor=world.top_manager)


def test_the_page_lets_the_chair_alone_approve(world):
    review = with_minutes(world, held_review(world, chair=world.top_manager))
    other = world.client(world.manager)
    response = other.post(url(world, "review_approve", review_id=review.pk), follow=True)
    assert b"Only the chair of the review approves its minutes" in response.content
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD
    assert b"Approve the minutes" not in other.get(review.get_absolute_url()).content
    chair = world.client(world.top_manager)
    assert b"Approve the minutes" in chair.get(review.get_absolute_url()).content
    chair.post(url(world, "review_approve", review_id=review.pk))
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED


def test_the_api_answers_403_to_anyone_but_the_chair_and_409_before_holding(world):
    review = planned(world, chair=world.top_manager, minutes="Notes")
    chair = ApiClient.for_member(world.top_manager, world.org)
    response = chair.post(f"/api/v1/management-reviews/{review.pk}/approve")
    assert response.status_code == 409
    services.hold_review(review, actor=world.owner)
    manager = ApiClient.for_member(world.manager, world.org)
    response = manager.post(f"/api/v1/management-reviews/{review.pk}/approve")
    assert response.status_code == 403
    assert "chair" in response.json()["detail"]
    response = chair.post(f"/api/v1/management-reviews/{review.pk}/approve")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["approved_by"] == world.top_manager.username


def test_an_approved_review_never_changes(world):
    review = with_minutes(world, held_review(world))
    action = give_action(world, review)
    services.approve_review(review, actor=world.owner)
    review.refresh_from_db()
    review.title = "Renamed"
    with pytest.raises(Refused, match="approved"):
        services.save_review(review, actor=world.owner)
    with pytest.raises(Refused, match="approved"):
        decide(world, review)
    with pytest.raises(Refused, match="approved"):
        give_action(world, review, title="Another")
    action.refresh_from_db()
    action.title = "Something else"
    with pytest.raises(Refused, match="stays"):
        services.save_action(action, actor=world.owner)
    review.refresh_from_db()
    assert review.title == "Management review 2026" and review.decisions.count() == 0
    # its actions are still followed up
    action.refresh_from_db()
    action.status = ActionStatus.DONE
    action.outcome = "Briefed on 3 March."
    services.save_action(action, actor=world.manager)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_on == TODAY
    api = ApiClient.for_member(world.owner, world.org)
    response = api.patch(f"/api/v1/management-reviews/{review.pk}", {"title": "Renamed"})
    assert response.status_code == 409
    page = world.client(world.owner).get(url(world, "review_edit", review_id=review.pk))
    assert page.status_code == 302
    review.refresh_from_db()
    assert review.title == "Management review 2026"


def test_only_a_planned_review_is_deleted(world):
    review = held_review(world)
    client = world.client(world.manager)
    response = client.post(url(world, "review_delete", review_id=review.pk), follow=True)
    assert b"it is kept" in response.content
    assert ManagementReview.objects.filter(pk=review.pk).exists()
    other = planned(world, title="By mistake")
    client.post(url(world, "review_delete", review_id=other.pk))
    assert not ManagementReview.objects.filter(pk=other.pk).exists()


# --- Outputs -----------------------------------------------------------------------------------


def test_decisions_and_actions_wait_for_the_review_to_be_held(world):
    review = planned(world)
    with pytest.raises(Refused, match="hold it first"):
        decide(world, review)
    with pytest.raises(Refused, match="hold it first"):
        give_action(world, review)
    response = world.client(world.manager).post(
        url(world, "review_decision_create", review_id=review.pk),
        {"decision-kind": "change", "decision-text": "x"},
    )
    assert response.status_code == 422
    assert not ReviewDecision.objects.exists()


def test_the_page_records_a_decision_and_an_action(world):
    review = held_review(world)
    client = world.client(world.contributor)
    response = client.post(
        url(world, "review_decision_create", review_id=review.pk),
        {"decision-kind": "change", "decision-text": "Bring the chatbot into scope."},
    )
    decision = ReviewDecision.objects.get()
    assert response.status_code == 302 and response.url == decision.get_absolute_url()
    assert decision.kind == DecisionKind.CHANGE
    response = client.post(
        url(world, "review_action_create", review_id=review.pk),
        {
            "action-title": "Update the scope statement",
            "action-owner": world.manager.pk,
            "action-due_date": (TODAY - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422  # a due date in the past
    assert "due_date" in response.context["action_form"].errors
    client.post(
        url(world, "review_action_create", review_id=review.pk),
        {
            "action-title": "Update the scope statement",
            "action-owner": world.manager.pk,
            "action-due_date": (TODAY + dt.timedelta(days=14)).isoformat(),
        },
    )
    action = ReviewAction.objects.get()
    assert action.owner == world.manager and action.status == ActionStatus.OPEN


def test_a_done_action_cannot_become_cancelled_without_reopening(world):
    action = give_action(world, held_review(world))
    action.status = ActionStatus.DONE
    services.save_action(action, actor=world.owner)
    action.status = ActionStatus.CANCELLED
    with pytest.raises(Refused, match="reopen it first"):
        services.save_action(action, actor=world.owner)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_a_decision_raises_a_nonconformity_linked_both_ways(world):
    review = held_review(world)
    decision = decide(world, review, "The AI policy was not communicated to staff.")
    client = world.client(world.manager)
    response = client.post(
        url(world, "review_decision_nonconformity", review_decision_id=decision.pk),
        {"severity": "minor", "owner": world.manager.pk},
    )
    nc = Nonconformity.objects.get()
    assert response.status_code == 302 and response.url == nc.get_absolute_url()
    assert nc.source == Source.REVIEW and nc.owner == world.manager
    decision.refresh_from_db()
    assert decision.nonconformity == nc
    page = client.get(nc.get_absolute_url())
    assert b"Raised by a management review" in page.content
    assert review.get_absolute_url().encode() in page.content
    with pytest.raises(Refused, match="already"):
        services.raise_nonconformity_from(decision, actor=world.owner, severity="minor")
    assert Nonconformity.objects.count() == 1


def test_a_decision_adds_to_the_improvement_register(world):
    review = held_review(world)
    decision = decide(world, review)
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        f"/api/v1/management-review-decisions/{decision.pk}/improvement",
        {"owner": world.manager.username},
    )
    assert response.status_code == 201, response.content
    improvement = Improvement.objects.get()
    assert response.json()["improvement"] == improvement.ref
    assert improvement.source == "review" and improvement.owner == world.manager
    page = world.client(world.viewer).get(review.get_absolute_url())
    assert improvement.ref.encode() in page.content


# --- Reminders, dashboard, involvement, SoA ----------------------------------------------------


def test_due_items_for_actions_minutes_and_the_yearly_review(world):
    assert not [i for i in due_items(world.org, TODAY) if i.kind == "Management review"]
    # an AIMS set up over a year ago that never held a review
    world.org.created_at = timezone.now() - dt.timedelta(days=400)
    world.org.save()
    yearly = [i for i in due_items(world.org, TODAY) if i.kind == "Management review"]
    assert len(yearly) == 1 and yearly[0].needs_decision and yearly[0].overdue(TODAY)
    assert "none has been held yet" in yearly[0].title
    review = held_review(world, chair=world.top_manager)
    give_action(world, review, due=TODAY - dt.timedelta(days=3), today=TODAY - dt.timedelta(days=5))
    items = due_items(world.org, TODAY)
    kinds = {i.kind: i for i in items}
    assert "Management review" not in kinds  # held today: next due in a year
    assert kinds["Management review action"].people == frozenset({world.manager.pk})
    assert kinds["Management review action"].overdue(TODAY)
    assert kinds["Management review minutes"].people == frozenset({world.top_manager.pk})
    ManagementReview.objects.filter(pk=review.pk).update(held_on=TODAY - dt.timedelta(days=400))
    yearly = [i for i in due_items(world.org, TODAY) if i.kind == "Management review"]
    assert yearly and yearly[0].overdue(TODAY)


def test_the_dashboard_lists_overdue_review_actions(world):
    review = held_review(world)
    give_action(world, review, due=TODAY - dt.timedelta(days=2), today=TODAY - dt.timedelta(days=9))
    assert summarize(world.org).parts["reviews"].data["review_actions_overdue"] == 1
    page = world.client(world.viewer).get(url(world, "dashboard"))
    assert b"Overdue management review actions" in page.content
    assert b"Brief the board" in page.content


def test_attending_and_approving_show_as_leadership(world):
    review = with_minutes(world, held_review(world, chair=world.top_manager))
    services.approve_review(review, actor=world.top_manager)
    members = top_management_involvement(world.org, TODAY - dt.timedelta(days=365))
    tina = next(m for m in members if m.user == world.top_manager)
    kinds = {item.kind for item in tina.items}
    assert {ATTENDED, APPROVAL} <= kinds


def test_an_approved_review_counts_for_9_3_for_twelve_months(world):
    kind = next(k for k in control_records() if k.model is ManagementReview)
    review = with_minutes(world, held_review(world))
    assert not kind.current_records(world.org).exists()  # held, not approved
    services.approve_review(review, actor=world.owner)
    assert list(kind.current_records(world.org)) == [review]
    ManagementReview.objects.filter(pk=review.pk).update(current_until=TODAY - dt.timedelta(days=1))
    assert not kind.current_records(world.org).exists()


# --- Lists, exports, report --------------------------------------------------------------------


def test_the_lists_filter_and_export(world):
    held = held_review(world, title="Spring review")
    planned(world, title="Autumn review")
    give_action(world, held, title="Brief the board")
    client = world.client(world.viewer)
    page = client.get(url(world, "review_list"), {"status": "held"})
    assert [r.title for r in page.context["reviews"]] == ["Spring review"]
    page = client.get(url(world, "review_list"), {"q": "Autumn"})
    assert [r.title for r in page.context["reviews"]] == ["Autumn review"]
    export = client.get(url(world, "review_export_csv"))
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:5] == ["Number", "Title", "Planned date", "Held on", "Status"]
    assert {row[1] for row in rows[1:]} == {"Spring review", "Autumn review"}
    actions = client.get(url(world, "review_action_list"), {"owner": world.manager.username})
    assert [a.title for a in actions.context["actions"]] == ["Brief the board"]
    export = client.get(url(world, "review_action_export_csv"))
    assert "Brief the board" in export.content.decode()


def test_the_report_and_its_pdf_name_the_organization(world):
    review = with_minutes(world, held_review(world, title="Annual management review"))
    decide(world, review, "Fund a second validator.", kind=DecisionKind.RESOURCES)
    give_action(world, review, title="Hire the validator")
    client = world.client(world.viewer)
    page = client.get(url(world, "review_report", review_id=review.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme Lending" in html and "Download PDF" in html
    response = client.get(url(world, "review_report_pdf", review_id=review.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text, pages = pdf_text(response.content)
    assert "Acme Lending" in text
    assert "Management review: Annual management review" in text
    for heading in (
        "Status of actions from previous management reviews",
        "Changes in external and internal issues",
        "Audit results",
        "Opportunities for continual improvement",
        "Risk treatment status",
        "Fund a second validator.",
        "Hire the validator",
        "Waiting for the chair",
    ):
        assert heading in " ".join(text.split()), heading
    assert pages >= 2


# --- The API -----------------------------------------------------------------------------------


def test_the_api_plans_holds_records_outputs_and_approves(world):
    api = ApiClient.for_member(world.owner, world.org)
    response = api.post(
        "/api/v1/management-reviews",
        {
            "title": "API review",
            "planned_on": TODAY.isoformat(),
            "chair": world.owner.username,
            "attendees": [world.owner.username, world.top_manager.username],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "planned" and body["clauses"] == ["9.3"]
    assert body["top_management_attended"] is True
    review_id = body["id"]
    response = api.get(f"/api/v1/management-reviews/{review_id}/inputs")
    assert response.status_code == 200 and response.json()["frozen"] is False
    keys = [s["key"] for s in response.json()["sections"]]
    assert keys[:3] == ["a", "b", "c"]
    response = api.post(f"/api/v1/management-reviews/{review_id}/hold", {})
    assert response.status_code == 200 and response.json()["inputs_frozen"] is True
    assert api.post(f"/api/v1/management-reviews/{review_id}/hold", {}).status_code == 409
    response = api.post(
        f"/api/v1/management-reviews/{review_id}/decisions",
        {"kind": "change", "text": "Extend the scope."},
    )
    assert response.status_code == 201
    response = api.post(
        f"/api/v1/management-reviews/{review_id}/actions",
        {"title": "Rewrite the scope", "owner": world.manager.username, "due_date": "2001-01-01"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["due_date"]
    response = api.post(
        f"/api/v1/management-reviews/{review_id}/actions",
        {"title": "Rewrite the scope", "owner": world.manager.username},
    )
    assert response.status_code == 201
    action_id = response.json()["id"]
    response = api.patch(
        f"/api/v1/management-reviews/{review_id}", {"minutes": "Scope to be extended."}
    )
    assert response.status_code == 200
    response = api.post(f"/api/v1/management-reviews/{review_id}/approve")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert [d["text"] for d in body["decisions"]] == ["Extend the scope."]
    response = api.patch(f"/api/v1/management-review-actions/{action_id}", {"status": "done"})
    assert response.status_code == 200 and response.json()["status"] == "done"
    listed = api.get("/api/v1/management-review-actions", {"status": "done"}).json()
    assert [a["id"] for a in listed["items"]] == [action_id]
    listed = api.get("/api/v1/management-reviews", {"status": "approved"}).json()
    assert listed["count"] == 1


def test_the_api_names_unknown_people_and_bad_values(world):
    api = ApiClient.for_member(world.owner, world.org)
    response = api.post(
        "/api/v1/management-reviews",
        {"title": "x" * 201, "planned_on": "soon", "chair": "nobody", "attendees": ["ghost"]},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"title", "planned_on"} <= fields
    response = api.post(
        "/api/v1/management-reviews",
        {"title": "Fine", "planned_on": TODAY.isoformat(), "chair": "nobody"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["chair"]
    response = api.post(
        "/api/v1/management-reviews",
        {"title": "Nul\x00", "planned_on": TODAY.isoformat()},
    )
    assert response.status_code == 422
    assert not ManagementReview.objects.exists()


def test_forbidden_moves_are_refused_on_the_page_and_api_leaving_the_review_as_it_was(world):
    review = planned(world, chair=world.owner, minutes="Notes")
    client = world.client(world.owner)
    api = ApiClient.for_member(world.owner, world.org)
    # approving a review not held yet
    response = client.post(url(world, "review_approve", review_id=review.pk), follow=True)
    assert b"hold it first" in response.content
    # a decision or an action before the review is held
    response = api.post(
        f"/api/v1/management-reviews/{review.pk}/decisions", {"kind": "other", "text": "x"}
    )
    assert response.status_code == 409 and "hold it first" in response.json()["detail"]
    response = api.post(f"/api/v1/management-reviews/{review.pk}/actions", {"title": "x"})
    assert response.status_code == 409
    review.refresh_from_db()
    assert review.status == ReviewStatus.PLANNED
    assert not review.decisions.exists() and not review.actions.exists()
    # holding twice
    services.hold_review(review, actor=world.owner)
    response = client.get(url(world, "review_hold", review_id=review.pk), follow=True)
    assert b"This review is already held" in response.content
    response = client.post(
        url(world, "review_hold", review_id=review.pk),
        {"held_on": TODAY.isoformat(), "attendees": [world.owner.pk], "chair": world.owner.pk},
        follow=True,
    )
    assert b"This review is already held" in response.content
    events = AuditEvent.objects.for_record(review).count()
    assert api.post(f"/api/v1/management-reviews/{review.pk}/hold", {}).status_code == 409
    assert AuditEvent.objects.for_record(review).count() == events
