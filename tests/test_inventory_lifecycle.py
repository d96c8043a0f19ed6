"""Moving an AI system through its life cycle from its page: gates, history and audit."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from helpers import move_through

from aims.inventory.models import AISystem, LifecycleTransition, RiskTier, Stage
from aims.inventory.services import save_system
from aims.risk.models import Category, Risk
from aims.risk.services import accept_risk, save_risk
from aims.trail.models import Action, AuditEvent


def make_system(world, **fields):
    """A system classified as limited risk, with what else ``fields`` give it."""
    fields.setdefault("purpose", "Scores consumer credit applications.")
    fields.setdefault("risk_tier", RiskTier.LIMITED)
    return save_system(
        AISystem(organization=world.org, name="Credit scoring", **fields), actor=world.owner
    )


def ready_system(world, stage=Stage.PLANNING):
    """A system with an owner, an intended use and a tier, moved forward to ``stage``."""
    system = make_system(world, owner=world.manager, intended_use="Advice to loan officers.")
    return move_through(system, stage, actor=world.owner)


def transition(world, user, system, to_stage, reason="Design review passed."):
    url = reverse("system_transition", kwargs={"org": world.org.slug, "system_id": system.pk})
    return world.client(user).post(url, {"to_stage": to_stage, "reason": reason})


def test_it_moves_forward_and_records_history_and_audit(world):
    system = ready_system(world)

    response = transition(world, world.contributor, system, "development", "Design approved.")

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "system_detail", kwargs={"org": world.org.slug, "system_id": system.pk}
    )
    system.refresh_from_db()
    assert system.stage == Stage.DEVELOPMENT
    moved = LifecycleTransition.objects.get(system=system)
    assert (moved.from_stage, moved.to_stage) == (Stage.PLANNING, Stage.DEVELOPMENT)
    assert moved.actor == world.contributor
    assert moved.reason == "Design approved."
    event = AuditEvent.objects.for_record(system).get(action=Action.TRANSITION)
    assert event.note == "Design approved."
    assert event.changes == {"stage": ["planning", "development"]}

    page = world.client(world.viewer).get(response["Location"], follow=True)
    content = page.content.decode()
    assert "Design approved." in content
    assert "carla.contributor" in content


def test_owner_gate_blocks_without_owner_and_intended_use(world):
    system = make_system(world)  # no owner, no intended use

    response = transition(world, world.contributor, system, "development", "Let us build it.")

    assert response.status_code == 409
    content = response.content.decode()
    assert "Development and training is blocked" in content
    assert "No owner is set" in content
    assert "The intended use is empty" in content
    assert "Let us build it." in content  # the reason typed is kept
    system.refresh_from_db()
    assert system.stage == Stage.PLANNING
    assert not LifecycleTransition.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.TRANSITION).exists()


def test_owner_gate_blocks_with_only_the_owner_missing(world):
    system = make_system(world, intended_use="Advice to loan officers.")

    response = transition(world, world.owner, system, "development")

    assert response.status_code == 409
    blocked = [r.requirement.code for r in response.context["blocked"].results]
    assert blocked == ["owner"]
    system.refresh_from_db()
    assert system.stage == Stage.PLANNING


def test_risk_above_appetite_blocks_deployment_until_accepted(world):
    system = ready_system(world, Stage.VALIDATION)
    risk = save_risk(
        Risk(
            organization=world.org,
            title="Refuses applicants by postcode",
            category=Category.FAIRNESS,
            inherent_likelihood=5,
            inherent_impact=5,
        ),
        actor=world.owner,
        systems=[system],
    )

    response = transition(world, world.manager, system, "deployment", "Validation passed.")

    assert response.status_code == 409
    content = response.content.decode()
    assert "No risk is above appetite without an accepted treatment" in content
    assert f"{risk.ref} Refuses applicants by postcode" in content
    assert "Validation passed." in content
    system.refresh_from_db()
    assert system.stage == Stage.VALIDATION

    accept_risk(
        risk,
        actor=world.owner,
        rationale="Monitored monthly; remediation planned.",
        expires_on=timezone.localdate() + dt.timedelta(days=90),
    )
    response = transition(world, world.manager, system, "deployment", "Validation passed.")

    assert response.status_code == 302
    system.refresh_from_db()
    assert system.stage == Stage.DEPLOYMENT


def test_gate_panel_shows_the_next_stage_requirements(world):
    system = make_system(world, owner=world.manager)
    url = reverse("system_detail", kwargs={"org": world.org.slug, "system_id": system.pk})

    response = world.client(world.viewer).get(url)

    gate = {r.requirement.code: r.met for r in response.context["gate"]}
    assert gate == {"owner": True, "intended_use": False, "risk_tier": True}
    assert response.context["next_stage"] == Stage.DEVELOPMENT
    assert b"Blocked" in response.content


def test_it_refuses_a_transition_without_reason(world):
    system = ready_system(world)

    response = transition(world, world.owner, system, "development", "   ")

    assert response.status_code == 422
    assert "reason" in response.context["transition_form"].errors
    system.refresh_from_db()
    assert system.stage == Stage.PLANNING
    assert not LifecycleTransition.objects.exists()


def test_it_refuses_to_skip_stages(world):
    system = ready_system(world)

    response = transition(world, world.owner, system, "deployment", "Skip ahead.")

    assert response.status_code == 422
    assert "to_stage" in response.context["transition_form"].errors
    assert "Skip ahead." in response.content.decode()
    system.refresh_from_db()
    assert system.stage == Stage.PLANNING


def test_it_moves_back_without_a_gate(world):
    system = ready_system(world, Stage.VALIDATION)
    system.owner = None
    save_system(system, actor=world.owner)

    response = transition(world, world.contributor, system, "development", "Tests failed.")

    assert response.status_code == 302
    system.refresh_from_db()
    assert system.stage == Stage.DEVELOPMENT


def test_retire_and_revive(world):
    system = ready_system(world, Stage.DEVELOPMENT)

    assert transition(world, world.owner, system, "retired", "Project stopped.").status_code == 302
    system.refresh_from_db()
    assert system.stage == Stage.RETIRED

    url = reverse("system_detail", kwargs={"org": world.org.slug, "system_id": system.pk})
    page = world.client(world.owner).get(url)
    states = dict((stage.value, state) for stage, state in page.context["steps"])
    assert states["development"] == "past"
    assert states["validation"] == ""
    assert states["retired"] == "current"

    assert transition(world, world.owner, system, "planning", "Restarted.").status_code == 302
    system.refresh_from_db()
    assert system.stage == Stage.PLANNING
    assert LifecycleTransition.objects.filter(system=system).count() == 3


def test_transition_needs_post(world):
    system = ready_system(world)
    url = reverse("system_transition", kwargs={"org": world.org.slug, "system_id": system.pk})
    assert world.client(world.owner).get(url).status_code == 405


def test_unknown_target_is_a_form_error_not_a_crash(world):
    system = ready_system(world)
    response = transition(world, world.owner, system, "nonsense")
    assert response.status_code == 422
    system.refresh_from_db()
    assert system.stage == Stage.PLANNING
