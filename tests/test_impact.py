"""Impact assessments: the life cycle, who may sign off, currency, the gate, the due items and
raising a risk from a finding (services and models)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from impact_helpers import COMPLETE, complete, make_system, signed, start, submitted

from aims.core.areas import due_items
from aims.core.errors import NeedsAuthority, Refused
from aims.impact import services
from aims.impact.models import (
    Currency,
    Dimension,
    ImpactAssessment,
    ImpactFinding,
    Status,
)
from aims.inventory.models import RiskTier, Stage
from aims.inventory.services import GateBlocked, move_to_stage, save_system
from aims.risk.models import Category, Risk, RiskMatrix
from aims.risk.services import update_matrix
from aims.soa.models import SoAEntry
from aims.trail.models import Action, AuditEvent


def gate_detail(system, stage=Stage.DEPLOYMENT):
    system.refresh_from_db()
    return {r.requirement.code: r for r in system.gate(stage)}.get("impact_assessment")


# --- Creation ------------------------------------------------------------------------------


def test_a_new_assessment_is_prefilled_from_the_system_with_one_finding_per_dimension(world):
    system = make_system(world)

    assessment = start(world, system)

    assert assessment.status == Status.DRAFT
    assert assessment.system_version == "4.2"
    assert assessment.intended_use == "Officers decide"
    assert assessment.foreseeable_misuse == "Marketing"
    assert assessment.title == "Impact assessment: Credit scoring v4.2"
    assert assessment.author == world.contributor
    assert sorted(assessment.findings.values_list("dimension", flat=True)) == sorted(Dimension)
    assert [c.ref for c in assessment.controls.all()] == ["A.5.2", "A.5.3", "A.5.4", "A.5.5"]
    assert AuditEvent.objects.for_record(assessment).get().action == Action.CREATE


def test_one_assessment_of_a_system_is_written_at_a_time(world):
    system = make_system(world)
    start(world, system)

    with pytest.raises(ValidationError) as refused:
        start(world, system)

    assert "already being written" in refused.value.message_dict["system"][0]
    assert ImpactAssessment.objects.count() == 1


def test_a_not_relevant_dimension_needs_a_reason(world):
    assessment = start(world, make_system(world))

    with pytest.raises(ValidationError) as refused:
        services.save_findings(
            assessment, {Dimension.SAFETY: {"not_relevant": True}}, actor=world.contributor
        )

    assert "fairness" not in refused.value.message_dict
    assert refused.value.message_dict["safety.not_relevant_reason"]
    assert not assessment.findings.get(dimension=Dimension.SAFETY).not_relevant


# --- Submission and sign-off ----------------------------------------------------------------


def test_an_incomplete_draft_is_not_submitted_and_each_gap_is_named(world):
    assessment = start(world, make_system(world))
    services.save_findings(assessment, {"fairness": COMPLETE}, actor=world.contributor)

    with pytest.raises(ValidationError) as refused:
        services.submit(assessment, actor=world.contributor)

    problems = refused.value.message_dict
    assert "fairness.consequences" not in problems
    assert "privacy.consequences" in problems and "privacy.severity" in problems
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_signing_off_records_who_with_what_authority_and_the_systems_version_and_stage(world):
    system = make_system(world)
    assessment = submitted(world, system)

    services.sign_off(assessment, actor=world.manager, note="Reviewed in committee.")

    assessment.refresh_from_db()
    assert assessment.status == Status.SIGNED_OFF
    assert assessment.signed_by == world.manager
    assert assessment.signer_authority == "AIMS Manager"
    assert assessment.signed_version == "4.2"
    assert assessment.signed_stage == Stage.PLANNING
    today = timezone.localdate()
    assert dt.date(today.year + 1, today.month, 1) <= assessment.next_reassessment
    assert (assessment.next_reassessment - today).days in range(365, 367)
    decision = AuditEvent.objects.for_record(assessment).get(action=Action.DECISION)
    assert decision.note == "Reviewed in committee."
    assert assessment.is_current()


def test_the_author_cannot_sign_off_their_own_assessment(world):
    assessment = submitted(world, make_system(world), author=world.manager)

    with pytest.raises(NeedsAuthority, match="You wrote this assessment"):
        services.sign_off(assessment, actor=world.manager)

    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED and assessment.signed_by is None


def test_the_last_editor_cannot_sign_off(world):
    assessment = submitted(world, make_system(world))
    assessment.title = "Credit scoring, corrected"
    services.save_assessment(assessment, actor=world.owner)

    with pytest.raises(NeedsAuthority, match="You edited this assessment last"):
        services.sign_off(assessment, actor=world.owner)

    services.sign_off(assessment, actor=world.manager)
    assessment.refresh_from_db()
    assert assessment.status == Status.SIGNED_OFF


def test_a_member_without_authority_cannot_sign_off(world):
    assessment = submitted(world, make_system(world), author=world.manager)

    for user in (world.contributor, world.viewer, world.auditor):
        with pytest.raises(PermissionDenied, match="needs decision authority"):
            services.sign_off(assessment, actor=user)

    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED


def test_top_management_may_sign_off(world):
    assessment = signed(world, make_system(world), signer=world.top_manager)
    assert assessment.signer_authority == "Top management"


def test_a_draft_is_not_signed_off(world):
    assessment = complete(start(world, make_system(world)), actor=world.contributor)

    with pytest.raises(Refused, match="submit it for review first"):
        services.sign_off(assessment, actor=world.manager)

    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_a_signed_off_assessment_is_not_edited(world):
    assessment = signed(world, make_system(world))
    assessment.title = "Changed afterwards"

    with pytest.raises(Refused, match="no longer changes"):
        services.save_assessment(assessment, actor=world.contributor)
    with pytest.raises(Refused, match="no longer changes"):
        services.save_findings(
            assessment, {"fairness": {"consequences": "Rewritten"}}, actor=world.contributor
        )

    assessment.refresh_from_db()
    assert assessment.title != "Changed afterwards"
    assert assessment.findings.get(dimension="fairness").consequences == COMPLETE["consequences"]


def test_only_a_draft_is_deleted(world):
    system = make_system(world)
    assessment = signed(world, system)

    with pytest.raises(Refused, match="only a draft is deleted"):
        services.delete_assessment(assessment, actor=world.owner)
    assert ImpactAssessment.objects.filter(pk=assessment.pk).exists()

    draft = services.reassess(assessment, actor=world.contributor)
    services.delete_assessment(draft, actor=world.contributor)
    assert not ImpactAssessment.objects.filter(pk=draft.pk).exists()
    assert not ImpactFinding.objects.filter(assessment_id=draft.pk).exists()


# --- Reassessment ----------------------------------------------------------------------------


def test_a_reassessment_copies_the_assessment_and_supersedes_it_when_signed(world):
    system = make_system(world)
    first = signed(world, system)
    system.version = "4.3"
    save_system(system, actor=world.owner)

    second = services.reassess(first, actor=world.contributor)

    assert second.status == Status.DRAFT and second.previous == first
    assert second.system_version == "4.3"
    assert second.affected_individuals == first.affected_individuals
    fairness = second.findings.get(dimension="fairness")
    assert fairness.consequences == COMPLETE["consequences"] and fairness.severity == 4
    first.refresh_from_db()
    assert first.status == Status.SIGNED_OFF  # in force until the new one is signed

    services.submit(second, actor=world.contributor)
    services.sign_off(second, actor=world.manager)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.SUPERSEDED and first.superseded_at is not None
    assert second.status == Status.SIGNED_OFF and second.signed_version == "4.3"
    third = services.reassess(second, actor=world.contributor)
    with pytest.raises(Refused, match="edit it instead"):
        services.reassess(third, actor=world.contributor)
    with pytest.raises(Refused, match="already being written"):
        services.reassess(second, actor=world.contributor)


# --- Currency --------------------------------------------------------------------------------


def test_a_new_version_of_the_system_makes_the_sign_off_stale(world):
    system = make_system(world)
    assessment = signed(world, system)
    assert assessment.currency() == Currency.CURRENT

    system.version = "5.0"
    save_system(system, actor=world.owner)
    assessment.refresh_from_db()

    assert assessment.is_stale and not assessment.is_current()
    assert assessment.currency() == Currency.DUE
    assert list(ImpactAssessment.objects.due()) == [assessment]
    assert not ImpactAssessment.objects.current().exists()


def test_a_stage_move_makes_the_sign_off_stale(world):
    system = make_system(world)
    assessment = signed(world, system)

    move_to_stage(system, to_stage=Stage.DEVELOPMENT, actor=world.owner, reason="Build it.")
    assessment.refresh_from_db()

    assert assessment.is_stale and not assessment.is_current()


def test_a_passed_reassessment_date_makes_it_overdue(world):
    assessment = signed(world, make_system(world))
    later = assessment.next_reassessment + dt.timedelta(days=1)

    assert not assessment.is_current(later)
    assert assessment.currency(later) == Currency.OVERDUE
    assert list(ImpactAssessment.objects.overdue(later)) == [assessment]
    soon = assessment.next_reassessment - dt.timedelta(days=10)
    assert assessment.is_current(soon) and assessment.currency(soon) == Currency.DUE


def test_the_reassessment_date_can_be_moved_by_authority_only_and_not_into_the_past(world):
    assessment = signed(world, make_system(world))
    when = timezone.localdate() + dt.timedelta(days=40)

    with pytest.raises(NeedsAuthority):
        services.set_next_reassessment(assessment, actor=world.contributor, when=when)
    with pytest.raises(ValidationError) as refused:
        services.set_next_reassessment(
            assessment, actor=world.owner, when=timezone.localdate() - dt.timedelta(days=1)
        )
    assert "next_reassessment" in refused.value.message_dict
    services.set_next_reassessment(assessment, actor=world.owner, when=when)
    assessment.refresh_from_db()
    assert assessment.next_reassessment == when


# --- The stage gate --------------------------------------------------------------------------


def test_the_gate_applies_to_systems_that_affect_individuals_or_are_high_risk(world):
    neither = make_system(world, name="Forecast", affects_individuals=False)
    individuals = make_system(world, name="Scoring")
    high = make_system(world, name="Hiring", affects_individuals=False, risk_tier=RiskTier.HIGH)

    assert gate_detail(neither) is None
    assert gate_detail(individuals) is not None and not gate_detail(individuals).met
    assert gate_detail(high) is not None and not gate_detail(high).met
    assert gate_detail(individuals, Stage.VALIDATION) is None
    assert gate_detail(individuals, Stage.OPERATION) is not None


def test_the_gate_says_exactly_what_is_missing(world):
    system = make_system(world)
    assert "No impact assessment of this system exists" in gate_detail(system).detail

    assessment = start(world, system)
    assert "is a draft, not signed off" in gate_detail(system).detail

    complete(assessment, actor=world.contributor)
    services.submit(assessment, actor=world.contributor)
    assert "submitted for review but not signed off" in gate_detail(system).detail

    services.sign_off(assessment, actor=world.manager)
    result = gate_detail(system)
    assert result.met and "signed off by max.manager, AIMS Manager" in result.detail

    system.intended_use = "Now also for mortgages"
    save_system(system, actor=world.owner)
    result = gate_detail(system)
    assert not result.met
    changed = system.basis_changed_at.date().isoformat()
    assert f"the system changed on {changed}" in result.detail

    second = services.reassess(assessment, actor=world.contributor)
    services.submit(second, actor=world.contributor)
    services.sign_off(second, actor=world.manager)
    ImpactAssessment.objects.filter(pk=second.pk).update(
        next_reassessment=timezone.localdate() - dt.timedelta(days=1)
    )
    result = gate_detail(system)
    assert not result.met and "reassessment is overdue" in result.detail


def test_deployment_waits_for_a_sign_off_by_someone_else(world):
    from helpers import move_through, sign_off

    system = make_system(world)
    move_through(system, Stage.VALIDATION, actor=world.owner)
    sign_off(system, actor=world.owner)  # the risk assessment
    system.refresh_from_db()
    assessment = submitted(world, system, author=world.manager)

    with pytest.raises(GateBlocked) as blocked:
        move_to_stage(system, to_stage=Stage.DEPLOYMENT, actor=world.manager, reason="Go")
    assert "impact_assessment" in [r.requirement.code for r in blocked.value.results]
    with pytest.raises(NeedsAuthority):
        services.sign_off(assessment, actor=world.manager)
    services.sign_off(assessment, actor=world.owner)

    assert gate_detail(system).met


# --- Due items -------------------------------------------------------------------------------


def test_due_items_list_systems_without_assessment_and_reassessments(world):
    today = timezone.localdate()
    bare = make_system(world, name="Hiring")
    make_system(world, name="Forecast", affects_individuals=False)
    changed = make_system(world, name="Scoring")
    stale = signed(world, changed)
    changed.version = "9"
    save_system(changed, actor=world.owner)
    fine = make_system(world, name="Chat")
    current = signed(world, fine)
    late = make_system(world, name="Fraud")
    overdue = signed(world, late)
    ImpactAssessment.objects.filter(pk=overdue.pk).update(
        next_reassessment=today - dt.timedelta(days=3)
    )

    items = {i.title: i for i in due_items(world.org, today) if "mpacts" in i.title}

    assert set(items) == {
        "Assess impacts: Hiring",
        "Reassess impacts: Scoring (the system changed)",
        "Reassess impacts: Fraud",
    }
    assert items["Reassess impacts: Fraud"].overdue(today)
    assert items["Reassess impacts: Scoring (the system changed)"].due == today
    assert items["Assess impacts: Hiring"].url == bare.get_absolute_url()
    assert items["Reassess impacts: Fraud"].people == frozenset({world.manager.pk})
    assert stale.pk and current.pk


# --- Raising a risk --------------------------------------------------------------------------


def test_a_finding_raises_a_risk_linked_both_ways(world):
    system = make_system(world)
    assessment = complete(start(world, system), actor=world.contributor)
    finding = assessment.findings.get(dimension=Dimension.FAIRNESS)

    risk = services.raise_risk(finding, actor=world.contributor)

    assert risk.ref == "R-001"
    assert risk.category == Category.FAIRNESS
    assert (risk.inherent_likelihood, risk.inherent_impact) == (3, 4)
    assert list(risk.systems.all()) == [system]
    assert risk.owner == world.manager
    assert "Raised from the impact assessment" in risk.description
    assert risk.treatment_plan == COMPLETE["planned_mitigations"]
    assert list(finding.risks.all()) == [risk]
    assert list(risk.impact_findings.all()) == [finding]
    assert AuditEvent.objects.for_record(assessment).filter(note__contains="Raised R-001").exists()


def test_a_risk_is_scored_on_the_organizations_matrix(world):
    matrix = RiskMatrix.objects.get(organization=world.org)
    matrix.likelihood_labels = ["Low", "Medium", "High"]
    matrix.impact_labels = [
        "Minor",
        "Moderate",
        "Major",
        "Severe",
        "Extreme",
        "Catastrophic",
        "Ruin",
    ]
    update_matrix(matrix, actor=world.owner)
    assessment = complete(start(world, make_system(world)), actor=world.contributor)
    services.save_findings(
        assessment, {"safety": {**COMPLETE, "severity": 5, "likelihood": 1}}, actor=world.owner
    )

    risk = services.raise_risk(assessment.findings.get(dimension="safety"), actor=world.contributor)

    assert (risk.inherent_likelihood, risk.inherent_impact) == (1, 7)
    assert risk.category == Category.SAFETY
    assert [services.on_scale(v, 3) for v in range(1, 6)] == [1, 2, 2, 3, 3]
    assert [services.on_scale(v, 5) for v in range(1, 6)] == [1, 2, 3, 4, 5]


def test_raising_a_risk_is_refused_when_not_relevant_unscored_or_already_raised(world):
    assessment = complete(start(world, make_system(world)), actor=world.contributor)
    environmental = assessment.findings.get(dimension=Dimension.ENVIRONMENTAL)
    with pytest.raises(Refused, match="not relevant"):
        services.raise_risk(environmental, actor=world.contributor)
    services.save_findings(assessment, {"privacy": {"severity": None}}, actor=world.contributor)
    with pytest.raises(ValidationError, match="choose a severity and a likelihood"):
        services.raise_risk(assessment.findings.get(dimension="privacy"), actor=world.contributor)
    fairness = assessment.findings.get(dimension="fairness")
    services.raise_risk(fairness, actor=world.contributor)
    with pytest.raises(Refused, match="already raised R-001"):
        services.raise_risk(fairness, actor=world.contributor)

    assert Risk.objects.filter(organization=world.org).count() == 1


def test_raising_a_risk_is_allowed_after_sign_off(world):
    assessment = signed(world, make_system(world))

    risk = services.raise_risk(
        assessment.findings.get(dimension="privacy"), actor=world.contributor
    )

    assert risk.category == Category.PRIVACY
    assessment.refresh_from_db()
    assert assessment.status == Status.SIGNED_OFF


def test_a_risk_raised_from_a_finding_is_not_deleted(world):
    from aims.risk.services import deletion_blockers

    assessment = complete(start(world, make_system(world)), actor=world.contributor)
    risk = services.raise_risk(assessment.findings.get(dimension="fairness"), actor=world.owner)

    assert any("impact assessment finding" in reason for reason in deletion_blockers(risk))


# --- The SoA ---------------------------------------------------------------------------------


def test_a_signed_off_assessment_evidences_its_controls_in_the_soa(world):
    from aims.core.areas import control_records

    system = make_system(world)
    draft = start(world, system)
    kind = next(k for k in control_records() if k.model is ImpactAssessment)
    assert not kind.current_records(world.org).exists()

    services.submit(complete(draft, actor=world.contributor), actor=world.contributor)
    services.sign_off(draft, actor=world.manager)

    assert list(kind.current_records(world.org).filter(controls__ref="A.5.2")) == [draft]
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.5.2")
    assert entry.pk
