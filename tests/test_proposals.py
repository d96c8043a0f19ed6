"""Proposals: a change that needs decision authority, asked for by someone without it, approved
(and then made, by the approver) or refused, each with a reason, all in the change trail."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from helpers import ApiClient

from aims.core.errors import Refused
from aims.dashboard.summary import summarize
from aims.inventory.models import AISystem, LifecycleTransition, RiskTier, Stage
from aims.inventory.proposals import TRANSITION
from aims.inventory.services import save_system
from aims.proposals.models import Proposal, ProposalStatus
from aims.proposals.services import approve, propose, refuse, withdraw
from aims.trail.models import Action, AuditEvent


@pytest.fixture
def system(world):
    return save_system(
        AISystem(
            organization=world.org,
            name="Credit scoring",
            slug="credit-scoring",
            purpose="Score loans",
            intended_use="Loan officers see a score",
            risk_tier=RiskTier.LIMITED,
            owner=world.manager,
        ),
        actor=world.owner,
    )


def ask(world, system, to_stage=Stage.DEVELOPMENT, reason="Ready to build"):
    return propose(
        world.org,
        actor=world.contributor,
        kind=TRANSITION,
        record_of=system,
        summary=f"Move {system.name} to {to_stage.label}",
        payload={"to_stage": str(to_stage)},
        reason=reason,
    )


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def test_a_proposal_is_recorded_and_shown_to_those_who_decide(world, system):
    proposal = ask(world, system)
    assert proposal.status == ProposalStatus.OPEN and proposal.proposed_by == world.contributor
    assert AuditEvent.objects.for_record(proposal).get().action == Action.CREATE
    assert summarize(world.org).data("proposals")["open"] == 1
    page = world.client(world.manager).get(url(world, "proposal_list")).content.decode()
    assert "Move Credit scoring to Development and training" in page
    detail = world.client(world.manager).get(proposal.get_absolute_url()).content.decode()
    assert "Approve and make the change" in detail
    # Those without authority see it waiting, not the decision buttons.
    other = world.client(world.viewer).get(proposal.get_absolute_url()).content.decode()
    assert "Waiting for a decision" in other and "Approve and make the change" not in other


def test_approval_makes_the_change_as_the_approver(world, system):
    proposal = ask(world, system)
    decided = approve(proposal, actor=world.manager, reason="Scope agreed")
    assert decided.status == ProposalStatus.APPROVED and decided.decided_by == world.manager
    system.refresh_from_db()
    assert system.stage == Stage.DEVELOPMENT
    transition = LifecycleTransition.objects.get(system=system)
    assert transition.actor == world.manager
    assert (
        transition.reason
        == "Ready to build (proposed by carla.contributor); approved: Scope agreed"
    )
    assert AuditEvent.objects.for_record(decided).filter(action=Action.DECISION).count() == 1


def test_a_rule_that_refuses_the_change_at_approval_leaves_the_proposal_open(world, system):
    AISystem.objects.filter(pk=system.pk).update(intended_use="")  # the development gate
    proposal = ask(world, system)
    with pytest.raises(ValidationError):
        approve(proposal, actor=world.manager)
    proposal.refresh_from_db()
    system.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN and proposal.decided_by is None
    assert system.stage == Stage.PLANNING
    assert not AuditEvent.objects.for_record(proposal).filter(action=Action.DECISION).exists()


def test_only_those_with_authority_decide(world, system):
    proposal = ask(world, system)
    for person in (world.contributor, world.auditor, world.viewer):
        with pytest.raises(PermissionDenied, match="Only an Owner, an AIMS Manager or top"):
            approve(proposal, actor=person)
    approve(proposal, actor=world.top_manager)  # a Viewer who is top management decides
    assert Proposal.objects.get().decided_by == world.top_manager


def test_a_refusal_needs_a_reason_and_changes_nothing_else(world, system):
    proposal = ask(world, system)
    with pytest.raises(ValidationError, match="Say why"):
        refuse(proposal, actor=world.manager, reason="  ")
    refuse(proposal, actor=world.manager, reason="Not before the risk review")
    proposal.refresh_from_db()
    system.refresh_from_db()
    assert proposal.status == ProposalStatus.REFUSED
    assert proposal.decision_reason == "Not before the risk review"
    assert system.stage == Stage.PLANNING
    with pytest.raises(Refused, match="refused already"):
        approve(proposal, actor=world.owner)


def test_one_open_proposal_per_change_and_record(world, system):
    ask(world, system)
    with pytest.raises(Refused, match="already waiting"):
        ask(world, system)
    with pytest.raises(ValidationError, match="Say why"):
        propose(
            world.org,
            actor=world.contributor,
            kind=TRANSITION,
            record_of=system,
            summary="x",
            payload={"to_stage": "development"},
            reason="",
        )
    assert Proposal.objects.count() == 1


def test_only_the_proposer_withdraws(world, system):
    proposal = ask(world, system)
    with pytest.raises(PermissionDenied):
        withdraw(proposal, actor=world.manager)
    withdraw(proposal, actor=world.contributor)
    assert Proposal.objects.get().status == ProposalStatus.WITHDRAWN


def test_the_decision_page_approves_and_refuses_with_its_access(world, system):
    proposal = ask(world, system)
    decide = url(world, "proposal_decide", proposal_id=proposal.pk)
    viewer = world.client(world.contributor).post(decide, {"decision": "approve"})
    assert viewer.status_code == 403
    refused = world.client(world.manager).post(decide, {"decision": "refuse", "reason": ""})
    assert (
        refused.status_code == 422 and "Say why the proposal is refused" in refused.content.decode()
    )
    assert Proposal.objects.get().is_open
    approved = world.client(world.manager).post(decide, {"decision": "approve", "reason": "Go"})
    assert approved.status_code == 302
    system.refresh_from_db()
    assert system.stage == Stage.DEVELOPMENT
    outsider = world.client(world.outsider).get(proposal.get_absolute_url())
    assert outsider.status_code == 404


def test_the_api_lists_approves_and_refuses(world, system):
    proposal = ask(world, system)
    reader = ApiClient.for_member(world.viewer, world.org)
    listed = reader.get("/api/v1/proposals?status=open").json()
    assert [p["id"] for p in listed["items"]] == [proposal.pk]
    assert listed["items"][0]["kind_label"] == "Stage change"
    assert reader.post(f"/api/v1/proposals/{proposal.pk}/approve", {}).status_code == 403
    decider = ApiClient.for_member(world.manager, world.org)
    no_reason = decider.post(f"/api/v1/proposals/{proposal.pk}/refuse", {"reason": ""})
    assert no_reason.status_code == 422
    done = decider.post(f"/api/v1/proposals/{proposal.pk}/approve", {"reason": "Go"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    again = decider.post(f"/api/v1/proposals/{proposal.pk}/approve", {})
    assert again.status_code == 409 and "approved already" in again.json()["detail"]
    other = ApiClient.for_member(world.outsider, world.other_org)
    assert other.get(f"/api/v1/proposals/{proposal.pk}").status_code == 404


# --- SoA decisions need authority; a Contributor proposes them ------------------------------


def soa_entry(world, ref="A.6.2.4"):
    from aims.soa.models import SoAEntry

    return SoAEntry.objects.get(organization=world.org, control__ref=ref)


def test_a_contributor_cannot_change_an_soa_decision_directly(world):
    from aims.core.errors import NeedsAuthority
    from aims.soa.services import update_entry

    entry = soa_entry(world)
    entry.applicability, entry.justification = "excluded", "We build no AI ourselves."
    with pytest.raises(NeedsAuthority, match="needs an Owner, an AIMS Manager or top management"):
        update_entry(entry, actor=world.contributor)
    entry.refresh_from_db()
    assert entry.applicability == "undecided"
    # The rest of an entry stays theirs to change.
    entry.implementation = "Validation plan v2"
    update_entry(entry, actor=world.contributor)
    entry.refresh_from_db()
    assert entry.implementation == "Validation plan v2"


def test_a_contributors_soa_decision_becomes_a_proposal_the_manager_approves(world):
    entry = soa_entry(world)
    client = world.client(world.contributor)
    response = client.post(
        reverse("soa_edit", kwargs={"org": world.org.slug, "entry_id": entry.pk}),
        {
            "applicability": "applicable",
            "justification": "Every model is validated before release.",
            "status": "planned",
            "implementation": "Validation plan v2",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.applicability == "undecided"  # the decision waits
    assert entry.implementation == "Validation plan v2"  # the rest is saved
    proposal = Proposal.objects.get()
    assert proposal.kind == "soa.decision" and proposal.summary == "Decide A.6.2.4: Applicable"
    assert proposal.payload == {
        "applicability": "applicable",
        "justification": "Every model is validated before release.",
    }
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Proposals waiting for a decision" in page and "Decide A.6.2.4: Applicable" in page
    approve(proposal, actor=world.manager)
    entry.refresh_from_db()
    assert entry.applicability == "applicable"
    assert entry.justification == "Every model is validated before release."
    event = AuditEvent.objects.for_record(entry).order_by("-sequence").first()
    assert event.actor == world.manager and event.changes["applicability"] == [
        "undecided",
        "applicable",
    ]


def test_the_api_refuses_a_contributors_soa_decision_with_the_rule(world):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.patch(
        "/api/v1/soa/A.6.2.4",
        {"applicability": "excluded", "justification": "We build no AI ourselves."},
    )
    assert response.status_code == 403
    assert "needs an Owner, an AIMS Manager or top management" in response.json()["detail"]
    assert soa_entry(world).applicability == "undecided"
    manager = ApiClient.for_member(world.manager, world.org)
    assert (
        manager.patch(
            "/api/v1/soa/A.6.2.4",
            {"applicability": "excluded", "justification": "We build no AI ourselves."},
        ).status_code
        == 200
    )


# --- Stage changes into deployment and operation need authority ----------------------------


def ready_for_deployment(world):
    from helpers import make_system, move_through, sign_off

    system = move_through(
        make_system(world.org, actor=world.owner, name="Loan pricing"),
        Stage.VALIDATION,
        actor=world.owner,
    )
    sign_off(system, actor=world.owner)
    return system


def test_a_contributor_cannot_move_a_system_into_deployment(world):
    from aims.core.errors import NeedsAuthority
    from aims.inventory.services import move_to_stage

    system = ready_for_deployment(world)
    with pytest.raises(NeedsAuthority, match="into Deployment needs an Owner, an AIMS Manager"):
        move_to_stage(system, to_stage=Stage.DEPLOYMENT, actor=world.contributor, reason="Go")
    system.refresh_from_db()
    assert system.stage == Stage.VALIDATION
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        f"/api/v1/systems/{system.slug}/transition", {"to_stage": "deployment", "reason": "Go"}
    )
    assert response.status_code == 403 and "Propose it instead" in response.json()["detail"]
    system.refresh_from_db()
    assert system.stage == Stage.VALIDATION
    # Moving back stays theirs to do, with its reason.
    move_to_stage(system, to_stage=Stage.DEVELOPMENT, actor=world.contributor, reason="Retrain")


def test_a_contributors_move_into_deployment_is_proposed_and_a_manager_approves_it(world):
    system = ready_for_deployment(world)
    response = world.client(world.contributor).post(
        reverse("system_transition", kwargs={"org": world.org.slug, "system_id": system.pk}),
        {"to_stage": "deployment", "reason": "Validation signed off"},
        follow=True,
    )
    assert "Proposed: Move “Loan pricing” to Deployment" in response.content.decode()
    system.refresh_from_db()
    assert system.stage == Stage.VALIDATION
    proposal = Proposal.objects.get(kind=TRANSITION)
    assert proposal.payload == {"to_stage": "deployment"}
    assert "Proposals waiting for a decision" in response.content.decode()
    decided = world.client(world.manager).post(
        reverse("proposal_decide", kwargs={"org": world.org.slug, "proposal_id": proposal.pk}),
        {"decision": "approve", "reason": "Go live on Monday"},
    )
    assert decided.status_code == 302
    system.refresh_from_db()
    assert system.stage == Stage.DEPLOYMENT
    assert LifecycleTransition.objects.filter(system=system).latest("pk").actor == world.manager


def test_a_proposal_for_a_blocked_move_is_refused_with_the_gate(world):
    from helpers import make_system, move_through

    from aims.inventory.services import GateBlocked, propose_transition

    system = move_through(
        make_system(world.org, actor=world.owner, name="No risks yet"),
        Stage.VALIDATION,
        actor=world.owner,
    )
    with pytest.raises(GateBlocked):
        propose_transition(
            system, to_stage=Stage.DEPLOYMENT, actor=world.contributor, reason="Please"
        )
    assert not Proposal.objects.exists()


def test_the_api_proposes_a_move_into_deployment(world):
    system = ready_for_deployment(world)
    api = ApiClient.for_member(world.contributor, world.org)
    url = f"/api/v1/systems/{system.slug}/transition-proposals"
    response = api.post(url, {"to_stage": "deployment", "reason": "Validated"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "open" and response.json()["kind"] == TRANSITION
    again = api.post(url, {"to_stage": "deployment", "reason": "Validated"})
    assert again.status_code == 409 and "already waiting" in again.json()["detail"]
    back = api.post(url, {"to_stage": "development", "reason": "Retrain"})
    assert back.status_code == 422 and "needs no decision" in back.content.decode()


# --- Treatment plans are approved by someone with authority ---------------------------------


def planned_risk(world):
    from aims.risk.models import Category, Risk
    from aims.risk.services import save_risk

    return save_risk(
        Risk(
            organization=world.org,
            title="Unfair refusals",
            category=Category.FAIRNESS,
            inherent_likelihood=4,
            inherent_impact=4,
            treatment="modify",
            treatment_plan="Reweigh the training data; add an age-band fairness check.",
        ),
        actor=world.owner,
    )


def test_a_treatment_plan_is_approved_by_authority_and_a_change_clears_it(world):
    from aims.core.errors import NeedsAuthority
    from aims.risk.services import approve_treatment_plan, save_risk

    risk = planned_risk(world)
    with pytest.raises(NeedsAuthority, match="needs an Owner, an AIMS Manager"):
        approve_treatment_plan(risk, actor=world.contributor)
    approve_treatment_plan(risk, actor=world.manager)
    risk.refresh_from_db()
    assert risk.plan_approved_by == world.manager and risk.plan_approved_at is not None
    event = AuditEvent.objects.for_record(risk).order_by("-sequence").first()
    assert event.action == Action.DECISION
    with pytest.raises(Refused, match="approved already"):
        approve_treatment_plan(risk, actor=world.owner)
    # A change to anything else keeps the approval; a change to the plan clears it.
    risk.description = "Seen in the 2026 review"
    save_risk(risk, actor=world.contributor)
    risk.refresh_from_db()
    assert risk.plan_approved_by == world.manager
    risk.treatment_plan += " And monitor monthly."
    save_risk(risk, actor=world.contributor)
    risk.refresh_from_db()
    assert risk.plan_approved_by is None and risk.plan_approved_at is None


def test_a_contributor_asks_for_the_plans_approval_and_the_owner_gives_it(world):
    risk = planned_risk(world)
    client = world.client(world.contributor)
    page = client.get(risk.get_absolute_url()).content.decode()
    assert "Ask for approval" in page and "Approve the plan" not in page
    client.post(
        reverse("risk_plan_propose", kwargs={"org": world.org.slug, "risk_id": risk.pk}),
        {"reason": "Ready to start in Q1"},
    )
    proposal = Proposal.objects.get(kind="risk.treatment_plan")
    approve(proposal, actor=world.owner)
    risk.refresh_from_db()
    assert risk.plan_approved_by == world.owner


def test_a_plan_changed_after_the_request_is_not_approved_unseen(world):
    from aims.risk.services import propose_plan_approval, save_risk

    risk = planned_risk(world)
    proposal = propose_plan_approval(risk, actor=world.contributor, reason="Please")
    risk.treatment_plan = "Something else entirely."
    save_risk(risk, actor=world.contributor)
    with pytest.raises(Refused, match="changed since the approval was asked for"):
        approve(proposal, actor=world.manager)
    risk.refresh_from_db()
    assert risk.plan_approved_at is None and Proposal.objects.get().is_open


def test_the_api_approves_a_plan_with_authority_only(world):
    risk = planned_risk(world)
    contributor = ApiClient.for_member(world.contributor, world.org)
    assert contributor.post(f"/api/v1/risks/{risk.ref}/plan-approval", {}).status_code == 403
    manager = ApiClient.for_member(world.manager, world.org)
    done = manager.post(f"/api/v1/risks/{risk.ref}/plan-approval", {})
    assert done.status_code == 200 and done.json()["plan_approved_by"] == "max.manager"
    again = manager.post(f"/api/v1/risks/{risk.ref}/plan-approval", {})
    assert again.status_code == 409
