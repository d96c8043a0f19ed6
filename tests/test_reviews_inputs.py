"""The inputs of a management review (9.3.2), compiled from every area's records: one section
per input, each linking its records or saying "Not recorded yet"; the period since the previous
review; the actions of earlier reviews; a fixed number of queries however much is recorded; and
a contributed section kept as text and links when the review is frozen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims.audits.models import Audit, AuditProgramme, AuditStatus, ChecklistItem, Result
from aims.catalog.models import Clause
from aims.checks.models import Check, CheckRun, Kind, RunStatus
from aims.context.models import Compliance, InterestedParty, Issue, Obligation
from aims.core.areas import Section
from aims.core.dates import add_months
from aims.improvement.models import Improvement, Lesson
from aims.incidents.models import Incident
from aims.inventory.models import AISystem
from aims.nonconformities.models import CorrectiveAction, Nonconformity, Severity
from aims.objectives.models import KPI, KPIStatus
from aims.reviews import inputs, services
from aims.reviews.models import DecisionKind, ManagementReview, ReviewAction, ReviewDecision
from aims.risk.models import Risk, RiskAcceptance
from tests.routes.reviews import held_review

TODAY = timezone.localdate()
SOURCES = ["a", "b", "c", "d1", "d2", "d3", "e", "risk", "incidents"]


def planned(world, **fields):
    return services.save_review(
        ManagementReview(
            organization=world.org,
            title=fields.pop("title", "Next review"),
            planned_on=TODAY + dt.timedelta(days=30),
            chair=world.owner,
            **fields,
        ),
        actor=world.owner,
        attendees=[world.owner, world.top_manager],
    )


def fill(world, n: int, *, start: int = 0) -> None:
    """``n`` records of every source the inputs read, recent enough to fall in the period."""
    org, now = world.org, timezone.now()
    numbers = range(start, start + n)
    system = AISystem.objects.filter(organization=org).first() or AISystem.objects.create(
        organization=org, name="Seeded", slug="seeded", purpose="x"
    )
    Issue.objects.bulk_create(
        Issue(
            organization=org,
            ref=f"ISS-{i}",
            title=f"Issue {i}",
            side="external",
            category="legal",
        )
        for i in numbers
    )
    InterestedParty.objects.bulk_create(
        InterestedParty(organization=org, name=f"Party {i}", kind="customers") for i in numbers
    )
    Obligation.objects.bulk_create(
        Obligation(organization=org, kind="law", title=f"Law {i}", compliance=Compliance.PARTLY)
        for i in numbers
    )
    KPI.objects.bulk_create(
        KPI(organization=org, name=f"KPI {i}", target=1, status=KPIStatus.OFF_TARGET)
        for i in numbers
    )
    check = Check.objects.create(
        organization=org, system=system, name=f"Check {start}", kind=Kind.FAIRNESS
    )
    CheckRun.objects.bulk_create(
        CheckRun(organization=org, definition=check, status=RunStatus.FAILED) for _ in numbers
    )
    risks = Risk.objects.bulk_create(
        Risk(
            organization=org,
            ref=f"R-{i}",
            title=f"Risk {i}",
            category="fairness",
            inherent_likelihood=5,
            inherent_impact=5,
            treatment_due=TODAY - dt.timedelta(days=1),
        )
        for i in numbers
    )
    RiskAcceptance.objects.bulk_create(
        RiskAcceptance(
            risk=risk,
            decided_by=world.owner,
            authority="Owner",
            rationale="Funded plan.",
            accepted_score=25,
            expires_on=TODAY + dt.timedelta(days=10),
        )
        for risk in risks
    )
    Incident.objects.bulk_create(
        Incident(
            organization=org,
            system=system,
            title=f"Incident {i}",
            what_happened="x",
            occurred_at=now,
            became_aware_at=now,
            is_serious=i % 2 == 0,
        )
        for i in numbers
    )
    ncs = Nonconformity.objects.bulk_create(
        Nonconformity(
            organization=org,
            ref=f"NC-{i:03}",
            title=f"Nonconformity {i}",
            description="x",
            severity=Severity.MAJOR if i % 2 else Severity.MINOR,
        )
        for i in numbers
    )
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            nonconformity=nc,
            organization=org,
            title="Fix",
            due_date=TODAY - dt.timedelta(days=1),
        )
        for nc in ncs
    )
    Improvement.objects.bulk_create(
        Improvement(organization=org, ref=f"IMP-{i:03}", title=f"Improvement {i}", description="x")
        for i in numbers
    )
    Lesson.objects.bulk_create(
        Lesson(organization=org, title=f"Lesson {i}", what_happened="x", lesson="y")
        for i in numbers
    )
    programme = AuditProgramme.objects.create(
        organization=org,
        title=f"Cycle {start}",
        starts_on=TODAY - dt.timedelta(days=100),
        ends_on=TODAY + dt.timedelta(days=100),
    )
    audits = Audit.objects.bulk_create(
        Audit(
            organization=org,
            programme=programme,
            ref=f"AUD-{i:03}",
            title=f"Audit {i}",
            planned_start=TODAY - dt.timedelta(days=20),
            planned_end=TODAY - dt.timedelta(days=10),
            status=AuditStatus.COMPLETED,
            completed_on=TODAY - dt.timedelta(days=5),
        )
        for i in numbers
    )
    clauses = list(Clause.objects.filter(ref__in=["9.2.1", "9.2.2"]).order_by("ref"))
    ChecklistItem.objects.bulk_create(
        ChecklistItem(audit=audit, clause=clause, result=result)
        for audit in audits
        for clause, result in zip(clauses, (Result.MAJOR, Result.CONFORMING), strict=True)
    )
    earlier = ManagementReview.objects.create(
        organization=org,
        title=f"Earlier review {start}",
        planned_on=TODAY - dt.timedelta(days=400 + start),
        held_on=TODAY - dt.timedelta(days=400 + start),
        status="approved",
    )
    ReviewAction.objects.bulk_create(
        ReviewAction(
            organization=org,
            review=earlier,
            title=f"Earlier action {i}",
            owner=world.manager,
            due_date=TODAY - dt.timedelta(days=3),
        )
        for i in numbers
    )


def sections_of(page) -> dict:
    return {s.key: s for s in page.context["sections"]}


def test_an_empty_organization_says_not_recorded_yet_for_every_input(world):
    review = planned(world)
    page = world.client(world.viewer).get(review.get_absolute_url())
    found = sections_of(page)
    assert list(found)[: len(SOURCES)] == SOURCES
    assert all(not found[key].recorded for key in SOURCES), {
        k: s.recorded for k, s in found.items()
    }
    assert page.content.count(b"Not recorded yet") >= len(SOURCES)
    assert found["a"].empty == "Not recorded yet: no earlier review gave actions."


def test_every_input_lists_records_of_its_source(world):
    fill(world, 3)
    review = planned(world)
    page = world.client(world.viewer).get(review.get_absolute_url())
    found = sections_of(page)
    expected = {
        "a": "Earlier action 0",
        "b": "ISS-0 Issue 0",
        "c": "Party 0",
        "d1": "NC-001: Nonconformity 1",
        "d2": "KPI: KPI 0",
        "d3": "AUD-000 Audit 0",
        "e": "IMP-000: Improvement 0",
        "risk": "R-0 Risk 0",
        "incidents": "Incident 0",
    }
    for key, label in expected.items():
        section = found[key]
        assert section.recorded, key
        labels = [item.label for item in section.items]
        assert any(label in text for text in labels), (key, labels)
        assert all(
            item.url.startswith(f"/o/{world.org.slug}/") for item in section.items if item.url
        )
    assert found["d3"].figures[0].value == 3  # audits completed in the period
    major = next(f for f in found["d3"].figures if f.label == "Major nonconformity")
    assert major.value == 3
    assert "Obligation" in " ".join(i.note for i in found["c"].items)
    content = page.content.decode()
    for label in expected.values():
        assert label in content


def test_the_period_starts_at_the_previous_held_review(world):
    first = held_review(world, title="First review")
    ManagementReview.objects.filter(pk=first.pk).update(held_on=TODAY - dt.timedelta(days=90))
    review = planned(world)
    period = inputs.period_of(review)
    assert period.previous == first and period.since == TODAY - dt.timedelta(days=90)
    alone = ManagementReview.objects.create(
        organization=world.other_org, title="x", planned_on=TODAY
    )
    assert inputs.period_of(alone).since == add_months(TODAY, -12)


def test_the_actions_of_a_review_are_an_input_of_the_next(world):
    first = held_review(world, title="First review")
    services.save_action(
        ReviewAction(
            organization=world.org,
            review=first,
            title="Brief the board on the AI Act",
            owner=world.manager,
            due_date=TODAY - dt.timedelta(days=2),
        ),
        actor=world.owner,
        today=TODAY - dt.timedelta(days=10),
    )
    own = planned(world)
    found = {s.key: s for s in inputs.compile_inputs(own)}
    assert [i.label for i in found["a"].items] == ["Brief the board on the AI Act"]
    assert found["a"].items[0].tone == "bad"  # overdue
    overdue = next(f for f in found["a"].figures if f.label == "Overdue")
    assert overdue.value == 1
    # the review's own actions are not an input of itself
    found = {s.key: s for s in inputs.compile_inputs(first)}
    assert not found["a"].recorded


def test_the_review_page_costs_the_same_queries_with_more_records(world):
    review = planned(world)
    held = held_review(world, title="Held")
    decision = services.save_decision(
        ReviewDecision(organization=world.org, review=held, kind=DecisionKind.CHANGE, text="x"),
        actor=world.owner,
    )
    fill(world, 2)
    client = world.client(world.owner)
    client.get(review.get_absolute_url())

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    small = count(review.get_absolute_url()), count(held.get_absolute_url())
    fill(world, 30, start=100)
    for i in range(5):
        services.save_decision(
            ReviewDecision(organization=world.org, review=held, kind="other", text=f"d{i}"),
            actor=world.owner,
        )
    decision.refresh_from_db()
    large = count(review.get_absolute_url()), count(held.get_absolute_url())
    assert small == large, f"{small} queries with a few records, {large} with many"


def test_a_contributed_section_is_frozen_as_text_and_links(world):
    review = held_review(world)
    decision = services.save_decision(
        ReviewDecision(
            organization=world.org,
            review=review,
            kind=DecisionKind.OTHER,
            text='<script>alert("x")</script> Keep <b>this</b>',
        ),
        actor=world.owner,
    )
    decision.organization = review.organization = world.org
    section = Section("reviews/_nonconformity_review.html", {"decisions": [decision]})
    frozen = inputs.section_as_data(section, review=review, index=0)
    assert frozen.title == "Raised by a management review"
    assert frozen.items[0].url == decision.get_absolute_url()
    assert '<script>alert("x")</script> Keep <b>this</b>' in frozen.items[1].label
    stored = inputs.InputSection.from_dict(frozen.as_dict())
    assert stored == frozen


def test_a_stored_link_that_leaves_the_app_is_dropped(world):
    data = inputs.InputSection("x", "X", items=[inputs.Item("a", "javascript:alert(1)")]).as_dict()
    data["items"].append({"label": "b", "url": "//evil.example/", "note": "", "tone": ""})
    data["items"].append({"label": "c", "url": "/o/acme/reviews/1/", "note": "", "tone": ""})
    section = inputs.InputSection.from_dict(data)
    assert [i.url for i in section.items] == ["", "", "/o/acme/reviews/1/"]


@pytest.mark.parametrize("key", SOURCES)
def test_each_input_is_frozen_with_the_review(world, key):
    fill(world, 1)
    review = held_review(world)
    stored = {s["key"]: s for s in review.inputs}
    assert stored[key]["recorded"] is True
    assert stored[key]["items"], key
