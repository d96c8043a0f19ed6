"""The regulatory watch as a management review input (9.3.2 b): the changes recorded or updated
in the review's period only, their details, an empty state, the text kept when the review is
held, a fixed number of queries; and what the EU AI Act area says falls due: requests to answer,
changes to assess before they apply, classifications the system has outgrown."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.core.areas import due_items
from aims.euaiact import services
from aims.euaiact.due import due
from aims.euaiact.models import (
    ChangeSource,
    ChangeStatus,
    RecourseRequest,
    RegulatoryChange,
    RequestKind,
    RequestStatus,
)
from aims.euaiact.reviews import TITLE, watch_input
from aims.inventory.models import Stage
from aims.inventory.services import save_system
from aims.organizations.models import Access
from aims.reviews import services as reviews
from aims.reviews.models import ManagementReview
from tests.helpers import make_system

TODAY = timezone.localdate()


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def change(world, title, *, recorded=1, updated=None, org=None, systems=(), **fields):
    """A change recorded ``recorded`` days ago and last updated ``updated`` days ago (when it
    was saved, unless given)."""
    fields.setdefault("source", ChangeSource.GUIDANCE)
    fields.setdefault("summary", "What changes.")
    saved = services.save_change(
        RegulatoryChange(
            organization=org or world.org, title=title, recorded_at=days_ago(recorded), **fields
        ),
        actor=world.owner,
        systems=list(systems),
    )
    if updated is not None:  # the stored date, as if saved then (auto_now sets it on save)
        RegulatoryChange.objects.filter(pk=saved.pk).update(updated_at=days_ago(updated))
    return saved


def review(world, *, held_days_ago=None, title="Annual review") -> ManagementReview:
    """A review planned for next month, or held ``held_days_ago``."""
    day = TODAY - dt.timedelta(days=held_days_ago) if held_days_ago is not None else None
    planned = reviews.save_review(
        ManagementReview(
            organization=world.org,
            title=title,
            planned_on=day or TODAY + dt.timedelta(days=30),
            chair=world.owner,
        ),
        actor=world.owner,
        attendees=[world.owner, world.top_manager],
    )
    if day is None:
        return planned
    return reviews.hold_review(planned, actor=world.owner, held_on=day)


def page(world, found: ManagementReview) -> str:
    response = world.client(world.viewer).get(found.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def frozen_watch(found: ManagementReview) -> dict:
    found.refresh_from_db()
    return next(s for s in found.inputs if TITLE in s["title"])


# --- The review input ---------------------------------------------------------------------------


def test_it_lists_the_changes_of_the_period_only_with_what_they_touch(world):
    review(world, held_days_ago=100)  # the period of the next review starts then
    credit = make_system(world.org, actor=world.owner, name="Credit scoring")
    chat = make_system(world.org, actor=world.owner, name="Chat assistant")
    change(world, "Old guidance", recorded=200, updated=150, status=ChangeStatus.DONE)
    change(
        world,
        "Guidelines on <b>high-risk</b> classification",
        recorded=50,
        systems=[chat, credit],
        reference="C(2026) 1234",
        effective_on=TODAY + dt.timedelta(days=40),
        articles="Art. 6, Annex III",
        effect="Credit scoring stays high-risk; check the CV model's exception.",
    )
    change(world, "Code of practice", recorded=200, updated=10, status=ChangeStatus.NO_EFFECT)
    change(world, "Guidance of another organization", org=world.other_org, recorded=5)
    upcoming = review(world)

    content = page(world, upcoming)

    assert f"9.3.2 b)</span> {TITLE}" in content
    # the title is text, never markup
    assert "Guidelines on &lt;b&gt;high-risk&lt;/b&gt; classification" in content
    assert "Code of practice" in content
    assert "Old guidance" not in content and "another organization" not in content
    assert "New: <strong>1</strong>" in content and "Updated: <strong>1</strong>" in content
    assert "Open: <strong>1</strong>" in content  # only the guidelines are still assessed
    section = watch_input(upcoming, None)
    first, second = section.context["items"]
    assert (first.title, first.new) == ("Guidelines on <b>high-risk</b> classification", True)
    assert (second.title, second.new) == ("Code of practice", False)
    assert first.systems == ("Chat assistant", "Credit scoring")
    assert (first.reference, first.articles) == ("C(2026) 1234", "Art. 6, Annex III")
    assert first.applies_from == TODAY + dt.timedelta(days=40)
    assert (first.source, first.status) == ("Guidance or guidelines", "Effect being assessed")
    assert first.effect.startswith("Credit scoring stays high-risk")
    assert first.url == RegulatoryChange.objects.get(title=first.title).get_absolute_url()
    assert "Touches: Chat assistant, Credit scoring; Art. 6, Annex III." in content
    assert "applies from " + (TODAY + dt.timedelta(days=40)).isoformat() in content


def test_it_says_when_nothing_is_recorded_or_nothing_changed_in_the_period(world):
    previous = review(world, held_days_ago=100)
    upcoming = review(world)

    section = watch_input(upcoming, None)
    assert section.template == "euaiact/_review_watch.html"
    assert section.context["items"] == [] and section.context["figures"] == []
    assert "Not recorded yet: the regulatory watch holds no change" in page(world, upcoming)

    change(world, "Old guidance", recorded=200, updated=150)
    content = page(world, upcoming)
    assert (
        "No change in laws, regulations or guidance was recorded or updated since the previous "
        f"review on {previous.held_on:%Y-%m-%d}." in content
    )
    assert "Open: <strong>1</strong>" in content  # still open, though not changed lately
    assert "Old guidance" not in content


def test_a_held_review_keeps_what_was_on_the_watch_by_its_day_as_text_and_links(world):
    guidelines = change(world, "Guidelines on classification", recorded=50, articles="Art. 6")
    change(world, "Code of practice", recorded=400, updated=10)  # before the period, and after
    change(world, "Draft standard", recorded=5)  # recorded after the review

    held = review(world, held_days_ago=20)  # recorded today, of a meeting 20 days ago

    watch = frozen_watch(held)
    assert watch["key"].startswith("hook-") and watch["title"].startswith("9.3.2 b)")
    labels = [item["label"] for item in watch["items"]]
    assert any(label.startswith("Guidelines on classification New") for label in labels)
    assert not any("Code of practice" in label or "Draft standard" in label for label in labels)
    linked = [item for item in watch["items"] if item["url"]]
    assert linked[0]["url"] == guidelines.get_absolute_url()
    assert "Touches: no AI system named; Art. 6." in labels
    content = page(world, held)  # the frozen text, shown as the review's input
    assert "Guidelines on classification" in content and "Draft standard" not in content


def test_the_input_costs_the_same_number_of_queries_however_many_changes(world):
    upcoming = review(world)
    system = make_system(world.org, actor=world.owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            section = watch_input(upcoming, None)
        assert section.context["items"]
        return len(captured.captured_queries)

    change(world, "Change 0", systems=[system])
    few = queries()
    for n in range(1, 15):
        change(world, f"Change {n}", systems=[system])
    many = queries()
    assert few == many
    section = watch_input(upcoming, None)
    assert len(section.context["items"]) == 10 and section.context["more"] == 5


# --- What falls due -----------------------------------------------------------------------------


def received(system, *, days: int, actor, status=RequestStatus.OPEN) -> RecourseRequest:
    """A request received ``days`` ago, due 30 days after (the default), answered if ``status``
    says so; recorded by ``actor``."""
    request = services.receive_request(
        RecourseRequest(
            organization=system.organization,
            system=system,
            kind=RequestKind.EXPLANATION,
            received_on=TODAY - dt.timedelta(days=days),
            requester=f"Case {days}",
            summary="Why was my loan declined?",
        ),
        actor=actor,
    )
    if status != RequestStatus.OPEN:
        request.status, request.answered_on = status, TODAY
        request.outcome = "The three main reasons were explained."
        services.save_record(request, actor=actor)
    return request


def test_open_requests_fall_due_for_the_system_owner_a_week_ahead_and_when_overdue(world):
    system = make_system(world.org, actor=world.owner, owner=world.contributor)
    overdue = received(system, days=40, actor=world.owner)  # due 10 days ago
    soon = received(system, days=25, actor=world.owner)  # due in 5 days
    received(system, days=10, actor=world.owner)  # due in 20 days: not yet
    received(system, days=45, actor=world.owner, status=RequestStatus.ANSWERED)  # answered
    other = make_system(world.other_org, actor=world.outsider, name="Elsewhere")
    received(other, days=40, actor=world.outsider)

    items = due(world.org, TODAY)

    assert [(item.title, item.due) for item in items] == [
        (f"Answer {overdue.ref}: explanation of a decision (Credit scoring)", overdue.due_on),
        (f"Answer {soon.ref}: explanation of a decision (Credit scoring)", soon.due_on),
    ]
    assert items[0].overdue(TODAY) and not items[1].overdue(TODAY)
    assert {item.people for item in items} == {frozenset({world.contributor.pk})}
    assert {item.access for item in items} == {Access.CONTRIBUTE}
    assert items[0].url == reverse(
        "act_request_detail", kwargs={"org": world.org.slug, "recourse_request_id": overdue.pk}
    )


def test_a_change_still_assessed_falls_due_a_month_before_it_applies(world):
    soon = change(
        world,
        "Standard cited",
        effective_on=TODAY + dt.timedelta(days=20),
        owner=world.manager,
    )
    late = change(world, "Guidelines", effective_on=TODAY - dt.timedelta(days=10))
    change(world, "Far ahead", effective_on=TODAY + dt.timedelta(days=40))
    change(
        world,
        "Being acted on",
        effective_on=TODAY + dt.timedelta(days=5),
        status=ChangeStatus.ACTING,
    )
    change(world, "No date", effective_on=None)

    items = due(world.org, TODAY)

    assert [(item.kind, item.due) for item in items] == [
        ("Regulatory change", late.effective_on),
        ("Regulatory change", soon.effective_on),
    ]
    assert "“Guidelines”" in items[0].title and items[0].overdue(TODAY)
    assert items[0].people == frozenset() and items[0].access == Access.MANAGE
    assert items[1].people == frozenset({world.manager.pk})
    assert items[1].url == soon.get_absolute_url()


def test_a_classification_the_system_outgrew_falls_due_today_for_its_owner(world):
    system = make_system(world.org, actor=world.manager, name="Hiring assistant")
    draft = services.save_draft(
        system, {"roles": ["deployer"], "transparency": ["interaction"]}, actor=world.manager
    )
    services.sign(draft, actor=world.manager)
    assert due(world.org, TODAY) == []

    system.refresh_from_db()
    system.intended_use = "Now also shortlists applicants on its own."
    save_system(system, actor=world.manager)

    [item] = due(world.org, TODAY)
    assert item.title == (
        "Classify Hiring assistant again under the EU AI Act (its intended use changed)"
    )
    assert item.due == TODAY and item.people == frozenset({world.manager.pk})
    assert item.url == (
        reverse("act_system", kwargs={"org": world.org.slug, "system_id": system.pk})
        + "#classification"
    )
    assert item in due_items(world.org, TODAY)  # the area's hook is registered

    again = services.save_draft(
        system, {"roles": ["deployer"], "transparency": ["interaction"]}, actor=world.manager
    )
    services.sign(again, actor=world.manager)
    assert due(world.org, TODAY) == []


def test_a_retired_system_needs_no_new_classification(world):
    system = make_system(world.org, actor=world.manager, name="Old scorer")
    services.sign(
        services.save_draft(system, {"roles": ["deployer"]}, actor=world.manager),
        actor=world.manager,
    )
    system.refresh_from_db()
    system.purpose = "Retired: scored loans."
    save_system(system, actor=world.manager)
    assert len(due(world.org, TODAY)) == 1
    from aims.inventory.services import move_to_stage

    move_to_stage(system, to_stage=Stage.RETIRED, actor=world.manager, reason="Replaced.")
    assert due(world.org, TODAY) == []
