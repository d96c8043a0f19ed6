"""The stage gates are as strict as the app tells its users (issue 8): a risk assessment before
deployment, the EU AI Act tier (unclassified, prohibited, high risk, and for a high-risk system
every obligation the Act puts on it) and every fairness check.

Each forbidden path is tried from the system's page and through the API; the system stays
where it was, with no transition recorded.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from euaiact_helpers import meet_act_obligations
from helpers import ApiClient, make_system, move_through, sign_off
from impact_helpers import assessed

from aims.checks.models import Check, Kind, SourceType
from aims.checks.samples import BIASED, FAIR
from aims.checks.services import run_check, save_check, store_data_file
from aims.inventory.forms import SystemForm
from aims.inventory.gates import HIGH_RISK_REQUIREMENTS, pending, requirement, stages_from
from aims.inventory.models import AISystem, LifecycleTransition, RiskTier, Stage
from aims.inventory.services import GateBlocked, move_to_stage, save_system
from aims.risk.models import Category, Risk
from aims.risk.services import save_risk
from aims.trail.models import Action, AuditEvent

# What a high-risk system needs to enter deployment besides what every system needs: the records
# the inventory lists (their areas check them), and every EU AI Act obligation met.
ACT_OBLIGATIONS = "act_obligations"
HIGH_RISK_CODES = [*(code for code, _label, _area in HIGH_RISK_REQUIREMENTS), ACT_OBLIGATIONS]


def transition(world, user, system, to_stage, reason="Ready for the next stage."):
    url = reverse("system_transition", kwargs={"org": world.org.slug, "system_id": system.pk})
    return world.client(user).post(url, {"to_stage": str(to_stage), "reason": reason})


def api_transition(world, user, system, to_stage, reason="Ready for the next stage."):
    api = ApiClient.for_member(user, world.org)
    path = f"/api/v1/systems/{system.slug}/transition"
    return api.post(path, {"to_stage": str(to_stage), "reason": reason})


def unmet(results) -> dict[str, str]:
    return {r.requirement.code: r.detail for r in results if not r.met}


def assert_stays(system, stage: Stage, transitions: int = 0) -> None:
    system.refresh_from_db()
    assert system.stage == stage
    assert LifecycleTransition.objects.filter(system=system).count() == transitions


def add_risk(world, system, *, likelihood=2, impact=2):
    return save_risk(
        Risk(
            organization=world.org,
            title="Stale features after a rate change",
            category=Category.OPERATIONAL,
            inherent_likelihood=likelihood,
            inherent_impact=impact,
        ),
        actor=world.owner,
        systems=[system],
    )


# --- A risk assessment before deployment --------------------------------------------------


def test_a_system_with_no_risk_assessed_cannot_enter_deployment(world):
    system = move_through(
        make_system(world.org, actor=world.owner), Stage.VALIDATION, actor=world.owner
    )
    moved = LifecycleTransition.objects.filter(system=system).count()

    page = transition(world, world.manager, system, Stage.DEPLOYMENT)
    api = api_transition(world, world.manager, system, Stage.DEPLOYMENT)

    assert page.status_code == 409
    content = page.content.decode()
    assert "The system&#x27;s risks are assessed" in content
    assert "No risk is assessed for this system" in content
    assert api.status_code == 409
    body = api.json()
    assert [r["code"] for r in body["requirements"]] == ["risks_assessed"]
    assert "nobody with authority has signed" in body["requirements"][0]["detail"]
    assert_stays(system, Stage.VALIDATION, moved)
    assert not AuditEvent.objects.filter(action=Action.TRANSITION, note__contains="Ready").exists()


def test_an_assessed_risk_of_the_register_is_a_risk_assessment(world):
    system = move_through(
        make_system(world.org, actor=world.owner), Stage.VALIDATION, actor=world.owner
    )
    risk = add_risk(world, system)

    results = {r.requirement.code: r for r in system.gate(Stage.DEPLOYMENT)}

    assert results["risks_assessed"].met
    assert risk.ref in results["risks_assessed"].detail
    assert transition(world, world.manager, system, Stage.DEPLOYMENT).status_code == 302
    assert_stays(system, Stage.DEPLOYMENT, 3)


def test_a_signed_no_significant_risks_lets_it_pass_until_the_stage_changes(world):
    system = move_through(
        make_system(world.org, actor=world.owner), Stage.VALIDATION, actor=world.owner
    )
    sign_off(system, actor=world.top_manager)

    detail = {r.requirement.code: r for r in system.gate(Stage.DEPLOYMENT)}["risks_assessed"]
    assert detail.met
    assert "signed by tina.topmgmt, Top management" in detail.detail
    assert "in Verification and validation" in detail.detail
    assert transition(world, world.manager, system, Stage.DEPLOYMENT).status_code == 302
    assert_stays(system, Stage.DEPLOYMENT, 3)

    # In deployment, that assessment no longer counts: operation needs a new one.
    page = transition(world, world.contributor, system, Stage.OPERATION)
    api = api_transition(world, world.contributor, system, Stage.OPERATION)

    assert page.status_code == 409
    assert "no longer counts" in page.content.decode()
    assert api.status_code == 409
    assert [r["code"] for r in api.json()["requirements"]] == ["risks_assessed"]
    assert "changed since" in api.json()["requirements"][0]["detail"]
    assert_stays(system, Stage.DEPLOYMENT, 3)

    sign_off(system, actor=world.manager)
    assert transition(world, world.manager, system, Stage.OPERATION).status_code == 302
    assert_stays(system, Stage.OPERATION, 4)


def test_moving_back_and_forward_again_asks_for_a_new_assessment(world):
    system = move_through(
        make_system(world.org, actor=world.owner), Stage.VALIDATION, actor=world.owner
    )
    sign_off(system, actor=world.owner)
    move_to_stage(system, to_stage=Stage.DEVELOPMENT, actor=world.owner, reason="Retrain.")
    move_to_stage(system, to_stage=Stage.VALIDATION, actor=world.owner, reason="Retrained.")
    system.refresh_from_db()

    with pytest.raises(GateBlocked) as blocked:
        move_to_stage(system, to_stage=Stage.DEPLOYMENT, actor=world.owner, reason="Go.")

    assert "no longer counts" in unmet(blocked.value.results)["risks_assessed"]
    assert_stays(system, Stage.VALIDATION, 4)


# --- The EU AI Act tier -------------------------------------------------------------------


def test_new_systems_are_not_yet_classified(world):
    system = save_system(
        AISystem(organization=world.org, name="Chat", purpose="Answers questions"),
        actor=world.owner,
    )
    api = ApiClient.for_member(world.contributor, world.org)
    created = api.post("/api/v1/systems", {"name": "Triage", "purpose": "Sorts tickets"})
    form = SystemForm(instance=AISystem(organization=world.org), organization=world.org)

    assert system.risk_tier == RiskTier.UNCLASSIFIED
    assert created.status_code == 201
    assert created.json()["risk_tier"] == "unclassified"
    assert created.json()["risk_tier_label"] == "Not yet classified"
    assert form["risk_tier"].value() == "unclassified"


def test_an_unclassified_system_cannot_leave_planning(world):
    system = make_system(world.org, actor=world.owner, risk_tier=RiskTier.UNCLASSIFIED)

    page = transition(world, world.contributor, system, Stage.DEVELOPMENT)
    api = api_transition(world, world.contributor, system, Stage.DEVELOPMENT)

    assert page.status_code == 409
    assert "Classify it first" in page.content.decode()
    assert api.status_code == 409
    assert [r["code"] for r in api.json()["requirements"]] == ["risk_tier"]
    assert "not yet classified" in api.json()["requirements"][0]["detail"]
    assert_stays(system, Stage.PLANNING)

    system.risk_tier = RiskTier.MINIMAL
    save_system(system, actor=world.owner)
    assert transition(world, world.contributor, system, Stage.DEVELOPMENT).status_code == 302
    assert_stays(system, Stage.DEVELOPMENT, 1)


def test_a_prohibited_system_cannot_move_past_planning(world):
    system = make_system(world.org, actor=world.owner, risk_tier=RiskTier.PROHIBITED)

    page = transition(world, world.owner, system, Stage.DEVELOPMENT)
    api = api_transition(world, world.owner, system, Stage.DEVELOPMENT)

    assert page.status_code == 409
    assert "EU AI Act (Art. 5)" in page.content.decode()
    assert api.status_code == 409
    detail = api.json()["requirements"][0]["detail"]
    assert "prohibited AI practice" in detail and "Art. 5" in detail
    assert_stays(system, Stage.PLANNING)


def test_a_system_reclassified_prohibited_is_stopped_at_every_later_gate(world):
    system = move_through(
        make_system(world.org, actor=world.owner), Stage.VALIDATION, actor=world.owner
    )
    add_risk(world, system)
    system.risk_tier = RiskTier.PROHIBITED
    save_system(system, actor=world.owner)

    for stage in (Stage.DEPLOYMENT, Stage.OPERATION):
        assert "Art. 5" in unmet(system.gate(stage))["risk_tier"]
    response = api_transition(world, world.owner, system, Stage.DEPLOYMENT)

    assert response.status_code == 409
    assert [r["code"] for r in response.json()["requirements"]] == ["risk_tier"]
    assert_stays(system, Stage.VALIDATION, 2)
    # Moving back, or retiring it, stays possible.
    assert transition(world, world.owner, system, Stage.RETIRED).status_code == 302
    assert_stays(system, Stage.RETIRED, 3)


def test_a_high_risk_system_has_five_more_deployment_requirements_unmet_until_met(world):
    system = make_system(world.org, actor=world.owner, risk_tier=RiskTier.HIGH)
    system = move_through(system, Stage.VALIDATION, actor=world.owner)
    add_risk(world, system)

    gate = ApiClient.for_member(world.viewer, world.org).get(
        f"/api/v1/systems/{system.slug}/gate", {"stage": "deployment"}
    )
    page = world.client(world.viewer).get(system.get_absolute_url())
    blocked = api_transition(world, world.owner, system, Stage.DEPLOYMENT)

    requirements = {r["code"]: r for r in gate.json()["requirements"]}
    unmet_codes = ["impact_assessment", *HIGH_RISK_CODES]  # the impact area has arrived
    assert [code for code, r in requirements.items() if not r["met"]] == unmet_codes
    assert "No impact assessment" in requirements["impact_assessment"]["detail"]
    # a provider's 17 obligations: its risk assessed, no corrective action or incident report
    # overdue; the rest waits for their records
    assert requirements[ACT_OBLIGATIONS]["detail"].startswith(
        "14 of 17 obligations not met: Art. 10 Data and data governance (open);"
    )
    content = page.content.decode()
    for _code, label, _area in HIGH_RISK_REQUIREMENTS:
        assert label in content
    assert "The EU AI Act obligations are met (high risk)" in content
    from aims.inventory import gates

    still_pending = [r for r in gates.REQUIREMENTS if r.code in HIGH_RISK_CODES and r.pending]
    assert content.count("Arrives with") == len(still_pending)
    assert blocked.status_code == 409
    assert [r["code"] for r in blocked.json()["requirements"]] == unmet_codes
    assert_stays(system, Stage.VALIDATION, 2)


def test_a_high_risk_system_enters_deployment_once_its_act_obligations_are_met(world):
    system = make_system(
        world.org,
        actor=world.manager,
        risk_tier=RiskTier.HIGH,
        human_oversight="Underwriters review every referral.",
    )
    system = move_through(system, Stage.VALIDATION, actor=world.manager)
    add_risk(world, system)
    assessed(system, author=world.contributor, signer=world.owner)
    blocked = api_transition(world, world.manager, system, Stage.DEPLOYMENT)
    assert blocked.status_code == 409
    assert ACT_OBLIGATIONS in [r["code"] for r in blocked.json()["requirements"]]
    assert_stays(system, Stage.VALIDATION, 2)

    met = meet_act_obligations(system, world.manager, approver=world.owner)

    assert [o.spec.article for o in met][:3] == ["Art. 9", "Art. 10", "Art. 11"]
    response = api_transition(world, world.manager, system, Stage.DEPLOYMENT)
    assert response.status_code == 201, response.content
    assert_stays(system, Stage.DEPLOYMENT, 3)


def test_the_high_risk_requirements_apply_to_high_risk_systems_only(world):
    limited = make_system(world.org, actor=world.owner, name="Chat", risk_tier=RiskTier.LIMITED)
    high = make_system(world.org, actor=world.owner, name="Credit", risk_tier=RiskTier.HIGH)

    def codes(system, stage):
        return {r.requirement.code for r in system.gate(stage)} & set(HIGH_RISK_CODES)

    assert codes(limited, Stage.DEPLOYMENT) == codes(limited, Stage.OPERATION) == set()
    assert codes(high, Stage.DEPLOYMENT) == codes(high, Stage.OPERATION) == set(HIGH_RISK_CODES)
    assert codes(high, Stage.VALIDATION) == set()


def test_an_area_that_arrives_takes_the_place_of_a_pending_requirement(monkeypatch):
    from aims.inventory import gates

    monkeypatch.setattr(gates, "REQUIREMENTS", [])
    pending(
        "impact_assessment",
        "An impact assessment is completed",
        entering=stages_from(Stage.DEPLOYMENT),
        arrives_with="the impact assessment area",
    )
    system = AISystem(name="x", risk_tier=RiskTier.HIGH, stage=Stage.VALIDATION)
    assert [r.met for r in gates.evaluate(system, Stage.DEPLOYMENT)] == [False]

    @requirement(
        "impact_assessment",
        "An impact assessment is completed",
        entering=stages_from(Stage.DEPLOYMENT),
    )
    def assessed(system):
        return True, "Assessed on 2026-01-01."

    [result] = gates.evaluate(system, Stage.DEPLOYMENT)
    assert result.met and result.detail == "Assessed on 2026-01-01."
    with pytest.raises(ValueError, match="registered twice"):
        requirement("impact_assessment", "Again", entering=stages_from(Stage.DEPLOYMENT))(
            lambda system: (True, "")
        )


def test_the_dashboard_counts_unclassified_systems_apart_from_minimal_risk(world):
    make_system(world.org, actor=world.owner, name="A", risk_tier=RiskTier.UNCLASSIFIED)
    make_system(world.org, actor=world.owner, name="B", risk_tier=RiskTier.UNCLASSIFIED)
    make_system(world.org, actor=world.owner, name="C", risk_tier=RiskTier.MINIMAL)

    response = world.client(world.viewer).get(reverse("dashboard", kwargs={"org": world.org.slug}))

    content = response.content.decode()
    assert "Not yet classified: 2" in content
    assert "Minimal risk: 1" in content


def test_the_tier_badge_of_an_unclassified_system_is_neutral():
    from aims.inventory.templatetags.inventory_tags import tier_badge

    assert tier_badge("unclassified") == ""
    assert tier_badge("minimal") == "badge-ok"
    assert tier_badge("prohibited") == "badge-prohibited"


# --- Every fairness check -----------------------------------------------------------------


def fairness_check(world, system, sample, name):
    blob, data_name = store_data_file(SimpleUploadedFile(sample.name, sample.read_bytes()))
    return save_check(
        Check(
            organization=world.org,
            system=system,
            name=name,
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=data_name,
            options={
                "label": "repaid",
                "prediction": "approved",
                "sensitive": ["sex"],
                "reference_group": "sex=Male",
            },
            thresholds=[{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}],
        ),
        actor=world.owner,
    )


@pytest.fixture
def fair_system(world, credit_system):
    """In validation, its risks assessed: only its fairness checks stand before deployment."""
    system = move_through(credit_system, Stage.VALIDATION, actor=world.owner)
    add_risk(world, system)
    assessed(system, author=world.contributor, signer=world.owner)  # it affects individuals
    return system


def test_one_failing_fairness_check_among_passing_ones_blocks_and_is_named(world, fair_system):
    run_check(fairness_check(world, fair_system, FAIR, "Parity by sex"), actor=world.owner)
    run_check(fairness_check(world, fair_system, BIASED, "Parity by age band"), actor=world.owner)
    run_check(fairness_check(world, fair_system, FAIR, "Parity by region"), actor=world.owner)

    page = transition(world, world.manager, fair_system, Stage.DEPLOYMENT)
    api = api_transition(world, world.manager, fair_system, Stage.DEPLOYMENT)

    assert page.status_code == 409
    assert "“Parity by age band” (failed on" in page.content.decode()
    assert api.status_code == 409
    [blocked] = api.json()["requirements"]
    assert blocked["code"] == "fairness_check_passed"
    assert "“Parity by age band”" in blocked["detail"]
    assert "Parity by sex" not in blocked["detail"] and "Parity by region" not in blocked["detail"]
    assert_stays(fair_system, Stage.VALIDATION, 2)


def test_a_fairness_check_never_run_blocks_and_is_named(world, fair_system):
    run_check(fairness_check(world, fair_system, FAIR, "Parity by sex"), actor=world.owner)
    fairness_check(world, fair_system, FAIR, "Parity by age band")

    detail = unmet(fair_system.gate(Stage.DEPLOYMENT))["fairness_check_passed"]

    assert detail == "Never run: “Parity by age band”."


def test_every_fairness_check_passing_opens_the_gate(world, fair_system):
    for name in ("Parity by sex", "Parity by region"):
        run_check(fairness_check(world, fair_system, FAIR, name), actor=world.owner)
    failing = fairness_check(world, fair_system, BIASED, "Parity by age band")
    run_check(failing, actor=world.owner)
    failing.is_active = False  # withdrawn: an inactive check does not count
    save_check(failing, actor=world.owner)

    met = {r.requirement.code: r for r in fair_system.gate(Stage.DEPLOYMENT)}

    assert met["fairness_check_passed"].met
    assert met["fairness_check_passed"].detail == (
        "The latest run of each of the 2 fairness checks passed."
    )
    assert transition(world, world.manager, fair_system, Stage.DEPLOYMENT).status_code == 302
    assert_stays(fair_system, Stage.DEPLOYMENT, 3)


def test_the_latest_run_of_a_check_counts_not_an_earlier_pass(world, fair_system):
    check = fairness_check(world, fair_system, FAIR, "Parity by sex")
    run_check(check, actor=world.owner)
    assert "fairness_check_passed" not in unmet(fair_system.gate(Stage.DEPLOYMENT))
    blob, name = store_data_file(SimpleUploadedFile(BIASED.name, BIASED.read_bytes()))
    Check.objects.filter(pk=check.pk).update(data_blob=blob, data_name=name)  # a newer log
    check.refresh_from_db()
    run_check(check, actor=world.owner)

    detail = unmet(fair_system.gate(Stage.DEPLOYMENT))["fairness_check_passed"]

    assert detail.startswith("The latest run did not pass: “Parity by sex” (failed on")
