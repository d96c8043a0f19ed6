"""The internal audit programme (9.2): its rules, through the services every page and the API
call. The pages and the API are in tests/test_audits_pages.py."""

from __future__ import annotations

import datetime as dt

import pytest
from audit_helpers import answer_all, applicable, audit, programme
from django.core.exceptions import ValidationError
from django.utils import timezone
from helpers import make_risk, make_system

from aims.audits import independence, services
from aims.audits.area import due
from aims.audits.coverage import coverage, current_programme
from aims.audits.dashboard import part
from aims.audits.models import Audit, AuditStatus, ChecklistItem, Result
from aims.audits.questions import QUESTIONS
from aims.catalog.models import Clause, Control
from aims.core.errors import Refused
from aims.improvement.models import Improvement
from aims.improvement.models import Source as ImprovementSource
from aims.leadership.models import AIMSRole
from aims.leadership.services import save_role
from aims.nonconformities.models import Nonconformity, Severity, Source
from aims.soa.models import SoAEntry
from aims.trail.models import AuditEvent

# --- The questions -------------------------------------------------------------------------------


def test_every_requirement_clause_and_every_control_has_a_question(db):
    leaves = Clause.objects.filter(children__isnull=True).values_list("ref", flat=True)
    controls = Control.objects.values_list("ref", flat=True)
    assert len(leaves) == 32 and len(controls) == 38
    missing = [ref for ref in [*leaves, *controls] if ref not in QUESTIONS]
    assert not missing, missing
    for ref, questions in QUESTIONS.items():
        assert 1 <= len(questions) <= 2, ref
        assert all(q.strip().endswith("?") or q.strip().endswith(".") for q in questions), ref


def test_no_question_is_for_something_the_catalog_does_not_hold(db):
    known = set(Clause.objects.values_list("ref", flat=True)) | set(
        Control.objects.values_list("ref", flat=True)
    )
    assert set(QUESTIONS) <= known


# --- The checklist follows the scope -------------------------------------------------------------


def test_the_checklist_has_one_item_per_clause_and_control_in_scope_with_its_questions(world):
    found = audit(world, programme(world), clauses=("6.1.3", "4.1"), controls=("A.5.2",))
    items = list(found.items.order_by("position"))
    assert [i.ref for i in items] == ["4.1", "6.1.3", "A.5.2"]
    assert items[0].questions.splitlines() == list(QUESTIONS["4.1"])
    assert found.ref == "AUD-001"


def test_a_clause_with_sub_clauses_stands_for_them(world):
    found = audit(world, programme(world), clauses=("9.2",), controls=())
    assert sorted(c.ref for c in found.clauses.all()) == ["9.2.1", "9.2.2"]
    assert found.items.count() == 2


def test_changing_the_scope_adds_and_drops_items_but_keeps_a_recorded_result(world):
    found = audit(world, programme(world), clauses=("6.1.2", "6.1.3"), controls=())
    services.start_audit(found, actor=world.auditor)
    first = found.items.get(clause__ref="6.1.2")
    services.record_result(first, actor=world.auditor, result=Result.CONFORMING)
    found = Audit.objects.get(pk=found.pk)
    services.save_audit(
        found,
        actor=world.auditor,
        clauses=list(Clause.objects.filter(ref__in=["6.1.2", "8.2"])),
    )
    assert sorted(found.items.values_list("clause__ref", flat=True)) == ["6.1.2", "8.2"]
    with pytest.raises(ValidationError) as refused:
        services.save_audit(
            Audit.objects.get(pk=found.pk),
            actor=world.auditor,
            clauses=list(Clause.objects.filter(ref__in=["8.2"])),
        )
    assert "6.1.2" in refused.value.message_dict["clauses"][0]
    assert found.items.filter(clause__ref="6.1.2", result=Result.CONFORMING).exists()


def test_an_audit_is_planned_within_its_programmes_cycle(world):
    cycle = programme(world)
    with pytest.raises(ValidationError) as refused:
        audit(world, cycle, planned_start=cycle.ends_on + dt.timedelta(days=1))
    assert "planned_start" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        audit(world, cycle, planned_end=cycle.starts_on)
    assert "planned_end" in refused.value.message_dict
    assert not Audit.objects.exists()


def test_a_cycle_cannot_shrink_below_the_audits_it_plans(world):
    cycle = programme(world)
    audit(world, cycle)
    cycle.ends_on = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.save_programme(cycle, actor=world.auditor)
    assert "AUD-001" in refused.value.message_dict["starts_on"][0]


# --- Independence --------------------------------------------------------------------------------


def test_an_auditor_who_owns_a_sampled_system_is_refused_and_nothing_is_saved(world):
    system = make_system(world.org, actor=world.auditor, name="Credit scoring")
    world.auditor.first_name, world.auditor.last_name = "Priya", "Shah"
    world.auditor.save()
    events = AuditEvent.objects.filter(organization=world.org).count()
    with pytest.raises(ValidationError) as refused:
        audit(world, programme(world), systems=[system])
    assert refused.value.message_dict["lead_auditor"] == [
        "Priya Shah owns the AI system Credit scoring, which this audit samples."
    ]
    assert not Audit.objects.exists() and not ChecklistItem.objects.exists()
    # the programme's creation only
    assert AuditEvent.objects.filter(organization=world.org).count() == events + 1


def test_owning_a_risk_of_a_sampled_system_is_a_conflict(world):
    system = make_system(world.org, actor=world.owner)
    risk = make_risk(world.org, actor=world.owner, systems=[system], owner=world.contributor)
    found = independence.conflicts(
        world.org,
        lead=world.auditor,
        team=[world.contributor],
        clauses=[],
        controls=[],
        systems=[system],
    )
    assert [c.field for c in found] == ["team"]
    assert f"owns the risk {risk.ref} Unfair refusals of Credit scoring" in found[0].message


def test_owning_the_soa_entry_of_a_control_in_scope_is_a_conflict(world):
    SoAEntry.objects.filter(organization=world.org, control__ref="A.6.2.4").update(
        owner=world.auditor
    )
    with pytest.raises(ValidationError) as refused:
        audit(world, programme(world), controls=("A.6.2.4",))
    assert (
        "owns the SoA entry of A.6.2.4 AI system verification and validation"
        in (refused.value.message_dict["lead_auditor"][0])
    )
    # The same auditor may audit another control.
    assert audit(world, programme(world, title="Other"), controls=("A.5.2",)).pk


def test_holding_a_role_that_answers_for_a_clause_in_scope_is_a_conflict(world):
    save_role(
        AIMSRole(organization=world.org, name="Internal audit"),
        actor=world.owner,
        holders=[world.auditor],
        clauses=list(Clause.objects.filter(ref="9.2")),
    )
    cycle = programme(world)
    with pytest.raises(ValidationError) as refused:
        audit(world, cycle, clauses=("9.2.1", "10.2"), controls=())
    message = refused.value.message_dict["lead_auditor"][0]
    assert message.endswith(
        "holds the AIMS role Internal audit, which answers for 9.2.1 in this audit's scope."
    )
    assert audit(world, cycle, clauses=("10.2",), controls=()).pk  # not their area


def test_the_requirements_every_role_addresses_make_no_conflict(world):
    save_role(
        AIMSRole(organization=world.org, name="Model owner"),
        actor=world.owner,
        holders=[world.auditor],
        clauses=list(Clause.objects.filter(ref__in=["5.3", "8.1"])),
        controls=list(Control.objects.filter(ref__in=["A.3.2", "A.6.2.4"])),
    )
    found = independence.conflicts(
        world.org,
        lead=world.auditor,
        team=[],
        clauses=list(Clause.objects.filter(ref__in=["5.3", "8.1"])),
        controls=list(Control.objects.filter(ref__in=["A.3.2", "A.6.2.4"])),
        systems=[],
    )
    assert [c.message.split("answers for ")[1] for c in found] == [
        "8.1, A.6.2.4 in this audit's scope."
    ]


def test_an_aims_manager_is_never_independent(world):
    with pytest.raises(ValidationError) as refused:
        audit(world, programme(world), lead=world.manager)
    assert "is an AIMS Manager of the organization" in refused.value.message_dict["lead_auditor"][0]
    with pytest.raises(ValidationError) as refused:
        audit(world, programme(world, title="B"), team=[world.manager])
    assert "team" in refused.value.message_dict


def test_a_conflict_arising_later_blocks_the_start_and_the_completion(world):
    system = make_system(world.org, actor=world.owner)
    found = audit(world, programme(world), systems=[system])
    system.owner = world.auditor
    system.save()
    with pytest.raises(ValidationError) as refused:
        services.start_audit(found, actor=world.auditor)
    assert "lead_auditor" in refused.value.message_dict
    found.refresh_from_db()
    assert found.status == AuditStatus.PLANNED
    system.owner = world.owner
    system.save()
    services.start_audit(found, actor=world.auditor)
    answer_all(found, world)
    system.owner = world.auditor
    system.save()
    with pytest.raises(ValidationError):
        services.complete_audit(found, actor=world.auditor, conclusion="Fine.")
    found.refresh_from_db()
    assert found.status == AuditStatus.IN_PROGRESS


# --- The life of an audit ------------------------------------------------------------------------


def test_an_audit_starts_only_with_a_lead_auditor_and_a_scope(world):
    cycle = programme(world)
    no_scope = audit(world, cycle, clauses=(), controls=())
    with pytest.raises(Refused, match="scope"):
        services.start_audit(no_scope, actor=world.auditor)
    no_lead = services.save_audit(
        Audit(
            organization=world.org,
            programme=cycle,
            title="Unstaffed",
            planned_start=timezone.localdate(),
            planned_end=timezone.localdate(),
        ),
        actor=world.auditor,
        clauses=list(Clause.objects.filter(ref="4.1")),
    )
    with pytest.raises(Refused, match="lead auditor"):
        services.start_audit(no_lead, actor=world.auditor)
    assert set(Audit.objects.values_list("status", flat=True)) == {AuditStatus.PLANNED}


def test_results_are_recorded_only_while_the_audit_is_in_progress(world):
    found = audit(world, programme(world))
    item = found.items.first()
    with pytest.raises(Refused, match="Start"):
        services.record_result(item, actor=world.auditor, result=Result.CONFORMING)
    item.refresh_from_db()
    assert item.result == ""


def test_completion_needs_every_item_answered_and_a_conclusion(world):
    found = audit(world, programme(world))
    services.start_audit(found, actor=world.auditor)
    first = found.items.order_by("position").first()
    services.record_result(first, actor=world.auditor, result=Result.CONFORMING)
    with pytest.raises(Refused, match="1 checklist item has no result yet"):
        services.complete_audit(found, actor=world.auditor, conclusion="Fine.")
    answer_all(found, world)
    with pytest.raises(ValidationError) as refused:
        services.complete_audit(found, actor=world.auditor, conclusion="  ")
    assert "conclusion" in refused.value.message_dict
    found.refresh_from_db()
    assert found.status == AuditStatus.IN_PROGRESS and found.completed_on is None
    services.complete_audit(found, actor=world.auditor, conclusion="The scope conforms.")
    found.refresh_from_db()
    assert found.status == AuditStatus.COMPLETED
    assert found.completed_on == timezone.localdate()
    assert "checked by OpenAIMS" in found.independence_statement
    with pytest.raises(Refused, match="completed"):
        services.record_result(found.items.first(), actor=world.auditor, result=Result.MINOR)
    with pytest.raises(Refused, match="does not change"):
        services.save_audit(found, actor=world.auditor)
    with pytest.raises(Refused):
        services.cancel_audit(found, actor=world.auditor, reason="Oops")


def test_cancelling_needs_a_reason_and_a_cancelled_audit_plans_nothing(world):
    applicable(world, "A.6.2.4")
    cycle = programme(world)
    found = audit(world, cycle)
    with pytest.raises(ValidationError):
        services.cancel_audit(found, actor=world.auditor, reason=" ")
    assert coverage(cycle).planned_count == 2
    services.cancel_audit(found, actor=world.auditor, reason="Merged into the next audit.")
    found.refresh_from_db()
    assert found.status == AuditStatus.CANCELLED
    assert coverage(cycle).planned_count == 0


# --- Findings and their follow-up ----------------------------------------------------------------


def test_a_major_finding_opens_one_nonconformity_linked_both_ways(world):
    found = audit(world, programme(world), clauses=(), controls=("A.6.2.4",))
    SoAEntry.objects.filter(organization=world.org, control__ref="A.6.2.4").update(
        owner=world.contributor
    )
    services.start_audit(found, actor=world.auditor)
    item = found.items.get()
    services.record_result(
        item,
        actor=world.auditor,
        result=Result.MAJOR,
        notes="No validation record for v4.2.",
        evidence_sampled="Release notes of v4.2.",
    )
    item.refresh_from_db()
    nc = item.nonconformity
    assert nc is not None and nc.audit_findings.get() == item
    assert (nc.source, nc.severity) == (Source.AUDIT, Severity.MAJOR)
    assert nc.owner == world.contributor  # who answers for the control
    assert "No validation record for v4.2." in nc.description
    assert [c.ref for c in nc.controls.all()] == ["A.6.2.4"]
    # Saved again, or changed to minor and back: still the one nonconformity.
    services.record_result(item, actor=world.auditor, result=Result.MAJOR, notes="Again.")
    services.record_result(item, actor=world.auditor, result=Result.MINOR)
    services.record_result(item, actor=world.auditor, result=Result.MAJOR)
    services.complete_audit(found, actor=world.auditor, conclusion="One major finding.")
    assert Nonconformity.objects.filter(organization=world.org).count() == 1


def test_a_finding_that_raised_a_nonconformity_stays_a_nonconformity(world):
    found = audit(world, programme(world), clauses=(), controls=("A.6.2.4",))
    services.start_audit(found, actor=world.auditor)
    item = found.items.get()
    services.record_result(item, actor=world.auditor, result=Result.MAJOR)
    with pytest.raises(ValidationError) as refused:
        services.record_result(item, actor=world.auditor, result=Result.CONFORMING)
    assert "stays a major or minor nonconformity" in refused.value.message_dict["result"][0]
    item.refresh_from_db()
    assert item.result == Result.MAJOR


def test_a_minor_finding_raises_a_nonconformity_on_request_once(world):
    found = audit(world, programme(world), controls=())
    services.start_audit(found, actor=world.auditor)
    item = found.items.get()
    services.record_result(item, actor=world.auditor, result=Result.MINOR, notes="Partial.")
    assert not Nonconformity.objects.exists()
    nc, created = services.raise_from_item(item, actor=world.auditor)
    again, created_again = services.raise_from_item(item, actor=world.auditor)
    assert created and not created_again and nc == again
    assert nc.severity == Severity.MINOR and nc.source == Source.AUDIT
    assert Nonconformity.objects.count() == 1


def test_only_a_nonconformity_finding_raises_one(world):
    found = audit(world, programme(world), controls=())
    services.start_audit(found, actor=world.auditor)
    item = found.items.get()
    services.record_result(item, actor=world.auditor, result=Result.OBSERVATION)
    with pytest.raises(Refused):
        services.raise_from_item(item, actor=world.auditor)
    with pytest.raises(Refused):
        services.improvement_from_item(item, actor=world.auditor)
    assert not Nonconformity.objects.exists() and not Improvement.objects.exists()


def test_an_opportunity_for_improvement_goes_to_the_register_once(world):
    found = audit(world, programme(world), controls=())
    services.start_audit(found, actor=world.auditor)
    item = found.items.get()
    services.record_result(
        item, actor=world.auditor, result=Result.IMPROVEMENT, notes="Automate the review."
    )
    improvement, created = services.improvement_from_item(item, actor=world.auditor)
    again, created_again = services.improvement_from_item(item, actor=world.auditor)
    assert created and not created_again and improvement == again
    assert improvement.source == ImprovementSource.AUDIT
    assert improvement.source_reference == found.ref
    assert "Automate the review." in improvement.description
    item.refresh_from_db()
    assert item.improvement == improvement


# --- Deletion ------------------------------------------------------------------------------------


def test_an_audit_carried_out_and_its_programme_are_not_deleted(world):
    cycle = programme(world)
    found = audit(world, cycle)
    services.start_audit(found, actor=world.auditor)
    with pytest.raises(Refused, match="in progress"):
        services.delete_audit(found, actor=world.auditor)
    services.cancel_audit(found, actor=world.auditor, reason="Postponed.")
    found.refresh_from_db()
    with pytest.raises(Refused, match="was started"):  # cancelled, but it had started
        services.delete_audit(found, actor=world.auditor)
    with pytest.raises(Refused):
        services.delete_programme(cycle, actor=world.auditor)
    assert Audit.objects.count() == 1


def test_an_audit_with_results_is_not_deleted(world):
    found = audit(world, programme(world))
    services.start_audit(found, actor=world.auditor)
    services.record_result(found.items.first(), actor=world.auditor, result=Result.MINOR)
    Audit.objects.filter(pk=found.pk).update(status=AuditStatus.PLANNED, started_on=None)
    found.refresh_from_db()
    with pytest.raises(Refused, match="Results were recorded"):
        services.delete_audit(found, actor=world.auditor)
    with pytest.raises(Refused, match="Results were recorded"):
        services.delete_programme(found.programme, actor=world.auditor)
    assert Audit.objects.count() == 1 and ChecklistItem.objects.count() == 2


def test_a_planned_audit_recorded_by_mistake_is_deleted_with_its_checklist(world):
    cycle = programme(world)
    found = audit(world, cycle)
    services.delete_audit(found, actor=world.auditor)
    assert not Audit.objects.exists() and not ChecklistItem.objects.exists()
    audit(world, cycle, title="Another")
    services.delete_programme(cycle, actor=world.auditor)
    assert not Audit.objects.exists()


# --- Coverage ------------------------------------------------------------------------------------


def test_coverage_counts_requirement_clauses_and_applicable_controls(world):
    applicable(world, "A.2.2", "A.6.2.4")
    cycle = programme(world)
    found = coverage(cycle)
    assert found.required == 32 + 2
    assert found.percent_audited == 0 and found.audited_count == 0
    assert {r.ref for r in found.unplanned} >= {"4.1", "10.2", "A.2.2", "A.6.2.4"}

    planned = audit(world, cycle, clauses=("4.1",), controls=("A.6.2.4", "A.5.2"))
    found = coverage(cycle)
    assert found.planned_clauses == {"4.1"}
    assert found.planned_controls == {"A.6.2.4"}  # A.5.2 is not applicable: not required
    assert found.audited_count == 0

    services.start_audit(planned, actor=world.auditor)
    answer_all(planned, world)
    services.complete_audit(planned, actor=world.auditor, conclusion="Conforms.")
    found = coverage(cycle)
    assert found.audited_clauses == {"4.1"} and found.audited_controls == {"A.6.2.4"}
    assert found.audited_count == 2 and found.percent_audited == 5  # 2 of 34, rounded down
    assert "4.1" not in found.unaudited_clauses
    row = next(r for r in found.rows if r.ref == "4.1")
    assert [a.pk for a in row.audited_in] == [planned.pk]


def test_a_cycle_is_complete_when_every_requirement_was_audited(world):
    applicable(world, "A.2.2")
    cycle = programme(world)
    leaves = tuple(Clause.objects.filter(children__isnull=True).values_list("ref", flat=True))
    found = audit(world, cycle, clauses=leaves, controls=("A.2.2",))
    services.start_audit(found, actor=world.auditor)
    answer_all(found, world)
    services.complete_audit(found, actor=world.auditor, conclusion="All conforms.")
    result = coverage(cycle)
    assert result.complete and result.percent_audited == 100 and not result.unaudited


def test_the_current_programme_is_the_one_whose_cycle_holds_today(world):
    today = timezone.localdate()
    programme(
        world,
        title="Last year",
        starts_on=today - dt.timedelta(days=400),
        ends_on=today - dt.timedelta(days=35),
    )
    assert current_programme(world.org, today) is None
    now = programme(world, title="This year")
    assert current_programme(world.org, today) == now
    assert current_programme(world.other_org, today) is None


# --- Reminders and the dashboard -----------------------------------------------------------------


def test_due_lists_audits_about_to_start_and_late_ones_for_their_team(world):
    today = timezone.localdate()
    cycle = programme(world)
    soon = audit(
        world,
        cycle,
        title="Soon",
        planned_start=today + dt.timedelta(days=10),
        planned_end=today + dt.timedelta(days=12),
        team=[world.contributor],
    )
    audit(
        world,
        cycle,
        title="Later",
        planned_start=today + dt.timedelta(days=40),
        planned_end=today + dt.timedelta(days=41),
    )
    running = audit(
        world,
        cycle,
        title="Running",
        planned_start=today - dt.timedelta(days=5),
        planned_end=today - dt.timedelta(days=5) + dt.timedelta(days=1),
    )
    services.start_audit(running, actor=world.auditor)
    items = {item.title: item for item in due(world.org, today)}
    assert set(items) == {
        f"Start internal audit {soon.ref}: Soon",
        f"Complete internal audit {running.ref}: Running",
    }
    start = items[f"Start internal audit {soon.ref}: Soon"]
    assert start.people == {world.auditor.pk, world.contributor.pk}
    assert start.access == "audit" and start.due == soon.planned_start
    assert items[f"Complete internal audit {running.ref}: Running"].overdue(today)


def test_the_dashboard_shows_the_cycle_audited_and_overdue_audits(world):
    today = timezone.localdate()
    cycle = programme(world)
    late = audit(
        world,
        cycle,
        planned_start=today - dt.timedelta(days=3),
        planned_end=today + dt.timedelta(days=1),
    )
    shown = part(world.org)
    assert shown.data["audits_overdue"] == 1
    assert shown.data["audit_cycle_percent"] == 0
    assert shown.notices[0].section.context["audits"] == [late]
    assert part(world.other_org).has_records is False
