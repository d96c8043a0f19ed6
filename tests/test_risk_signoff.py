"""Signing that a system's risk assessment found no significant risks: only with authority, on
the system's page or through the API, kept in the change trail, and valid in its stage only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from helpers import CONCLUSION, ApiClient, make_system, move_through, sign_off

from aims.core.errors import Refused
from aims.inventory.models import Stage
from aims.inventory.services import move_to_stage, save_system
from aims.risk.models import RiskAssessmentSignOff
from aims.risk.services import sign_no_significant_risks
from aims.trail.models import Action, AuditEvent
from aims.trail.services import verify_chain


@pytest.fixture
def system(world):
    return move_through(
        make_system(world.org, actor=world.owner), Stage.VALIDATION, actor=world.owner
    )


def signoff_url(world, system):
    return reverse("risk_signoff", kwargs={"org": world.org.slug, "system_id": system.pk})


def decisions(system):
    return AuditEvent.objects.for_record(system).filter(action=Action.DECISION)


def api_path(system):
    return f"/api/v1/systems/{system.slug}/risk-sign-offs"


def test_an_owner_signs_on_the_system_page(world, system):
    client = world.client(world.owner)

    response = client.post(
        signoff_url(world, system), {"conclusion": f"  {CONCLUSION}  ", "confirm": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == system.get_absolute_url() + "#risk-assessment"
    signoff = RiskAssessmentSignOff.objects.get(system=system)
    assert signoff.signed_by == world.owner
    assert signoff.authority == "Owner and Top management"
    assert signoff.conclusion == CONCLUSION
    assert signoff.stage_at_signing == Stage.VALIDATION
    assert RiskAssessmentSignOff.objects.current_for(system) == signoff
    event = decisions(system).get()
    assert event.actor == world.owner
    assert event.note == CONCLUSION
    assert event.changes["risk_assessment"][1]["stage"] == "validation"
    assert verify_chain(world.org)[1] is None

    page = client.get(response["Location"]).content.decode()
    assert "No significant risks identified" in page
    assert "Signed:" in page  # the confirmation message
    assert CONCLUSION in page


def test_signing_needs_the_confirmation_and_a_conclusion(world, system):
    client = world.client(world.manager)

    unconfirmed = client.post(signoff_url(world, system), {"conclusion": CONCLUSION})
    blank = client.post(signoff_url(world, system), {"conclusion": "   ", "confirm": "on"})

    assert unconfirmed.status_code == 422
    assert "Tick the box to sign" in unconfirmed.content.decode()
    assert CONCLUSION in unconfirmed.content.decode()  # what was typed is kept
    assert blank.status_code == 422
    assert "Say what was assessed" in blank.content.decode()
    assert not RiskAssessmentSignOff.objects.exists()
    assert not decisions(system).exists()


def test_a_contributor_cannot_sign(world, system):
    page = world.client(world.contributor).post(
        signoff_url(world, system), {"conclusion": CONCLUSION, "confirm": "on"}
    )
    api = ApiClient.for_member(world.contributor, world.org).post(
        api_path(system), {"conclusion": CONCLUSION}
    )
    with pytest.raises(PermissionDenied, match="Only an Owner, an AIMS Manager or top management"):
        sign_no_significant_risks(system, actor=world.contributor, conclusion=CONCLUSION)

    assert page.status_code == 403
    assert api.status_code == 403
    assert "Contributor" in api.json()["detail"]
    assert not RiskAssessmentSignOff.objects.exists()
    assert not decisions(system).exists()


def test_someone_outside_the_organization_cannot_sign_by_the_service(world, system):
    with pytest.raises(PermissionDenied):
        sign_no_significant_risks(system, actor=world.outsider, conclusion=CONCLUSION)
    assert not RiskAssessmentSignOff.objects.exists()


def test_the_form_is_offered_to_those_with_authority_only(world, system):
    for user in (world.owner, world.manager, world.top_manager):
        page = world.client(user).get(system.get_absolute_url()).content.decode()
        assert "Sign the assessment" in page, user
        assert signoff_url(world, system) in page
    for user in (world.contributor, world.viewer):
        page = world.client(user).get(system.get_absolute_url()).content.decode()
        assert "Sign the assessment" not in page, user
        assert "Only an Owner, an AIMS Manager or top management can sign it." in page


def test_the_page_says_when_a_signed_assessment_no_longer_counts(world, system):
    sign_off(system, actor=world.manager)
    move_to_stage(system, to_stage=Stage.DEPLOYMENT, actor=world.owner, reason="Live.")

    page = world.client(world.viewer).get(system.get_absolute_url()).content.decode()

    assert "The signed assessment no longer counts" in page
    assert "Assess it again in Deployment" in page
    assert "Earlier sign-offs" in page


def test_the_api_signs_and_lists_with_what_counts_now(world, system):
    api = ApiClient.for_member(world.top_manager, world.org)

    response = api.post(api_path(system), {"conclusion": CONCLUSION})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["system"] == system.slug
    assert body["signed_by"] == "tina.topmgmt"
    assert body["authority"] == "Top management"
    assert body["stage_at_signing"] == "validation"
    assert body["current"] is True
    assert RiskAssessmentSignOff.objects.get(system=system).signed_by == world.top_manager

    move_to_stage(system, to_stage=Stage.DEPLOYMENT, actor=world.owner, reason="Live.")
    listed = ApiClient.for_member(world.viewer, world.org).get(api_path(system)).json()
    assert listed["count"] == 1
    assert listed["items"][0]["current"] is False


def test_the_api_refuses_a_blank_or_long_conclusion_and_a_retired_system(world, system):
    api = ApiClient.for_member(world.owner, world.org)

    blank = api.post(api_path(system), {"conclusion": "  "})
    long = api.post(api_path(system), {"conclusion": "x" * 10_001})
    move_to_stage(system, to_stage=Stage.RETIRED, actor=world.owner, reason="Withdrawn.")
    retired = api.post(api_path(system), {"conclusion": CONCLUSION})

    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "conclusion"
    assert long.status_code == 422
    assert retired.status_code == 409
    assert "retired" in retired.json()["detail"]
    assert not RiskAssessmentSignOff.objects.exists()
    assert not decisions(system).exists()


def test_the_service_refuses_a_blank_conclusion_and_a_retired_system(world, system):
    with pytest.raises(ValidationError) as blank:
        sign_no_significant_risks(system, actor=world.owner, conclusion=" \n ")
    assert "conclusion" in blank.value.message_dict
    move_to_stage(system, to_stage=Stage.RETIRED, actor=world.owner, reason="Withdrawn.")
    with pytest.raises(Refused, match="retired"):
        sign_no_significant_risks(system, actor=world.owner, conclusion=CONCLUSION)
    assert not RiskAssessmentSignOff.objects.exists()


def test_the_signoff_page_renders_for_those_with_authority(world, system):
    response = world.client(world.manager).get(signoff_url(world, system))
    assert response.status_code == 200
    assert "I sign, as AIMS Manager, that the risks of “Credit scoring” were assessed in " in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("version", "5.0"),
        ("intended_use", "Now also for small-business loans."),
        ("foreseeable_misuse", "Used to rank existing customers for marketing."),
    ],
)
def test_a_new_version_or_intended_use_asks_for_a_new_signoff(world, system, field, value):
    signoff = sign_off(system, actor=world.owner)
    assert RiskAssessmentSignOff.objects.current_for(system) == signoff
    before = system.basis_changed_at

    system.refresh_from_db()
    setattr(system, field, value)
    save_system(system, actor=world.owner)

    system.refresh_from_db()
    assert system.basis_changed_at > before
    assert not system.assessed_since_change(signoff.signed_at)
    assert RiskAssessmentSignOff.objects.current_for(system) is None
    detail = next(
        r for r in system.gate(Stage.DEPLOYMENT) if r.requirement.code == "risks_assessed"
    )
    assert not detail.met
    assert "version or intended use" in detail.detail


def test_editing_what_is_not_material_keeps_the_signoff(world, system):
    signoff = sign_off(system, actor=world.owner)
    before = system.basis_changed_at

    system.refresh_from_db()
    system.purpose = "Scores consumer loan applications, reworded."
    system.technique = "Gradient-boosted trees"
    save_system(system, actor=world.owner)

    system.refresh_from_db()
    assert system.basis_changed_at == before
    assert RiskAssessmentSignOff.objects.current_for(system) == signoff
