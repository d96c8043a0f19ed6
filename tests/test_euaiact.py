"""The EU AI Act classification and obligations: each questionnaire path gives its tier and
reasons, the obligations of a high-risk provider and of a deployer are the Act's articles, a
signed classification sets the tier and is done again when the intended use changes, and the
deployment gate of a high-risk system waits for its obligations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from euaiact_helpers import CREDIT_ANSWERS as CREDIT
from euaiact_helpers import PROVIDER_HIGH

from aims.core.errors import NeedsAuthority, Refused
from aims.euaiact import exposure as fines
from aims.euaiact import questionnaire as q
from aims.euaiact import services
from aims.euaiact.gates import _obligations_met
from aims.euaiact.models import (
    ActProfile,
    Classification,
    ClassificationStatus,
    LogRetention,
    NoticeDuty,
    OversightMeasure,
    Registration,
    RegistrationBasis,
    TransparencyNotice,
)
from aims.euaiact.obligations import State, applicable, basis_of, obligations_of
from aims.inventory.models import AISystem, OrganizationRole, RiskTier, Stage
from aims.inventory.services import move_to_stage, save_system
from aims.trail.models import AuditEvent
from tests.helpers import make_system, move_through


def articles(outcome: q.Outcome) -> list[str]:
    return [reason.article for reason in outcome.reasons]


# --- Each path of the questionnaire ---------------------------------------------------------------


def test_a_prohibited_practice_makes_the_system_prohibited_whatever_else_applies():
    outcome = q.classify(
        {"roles": ["provider"], "practices": ["social_scoring"], "annex_iii": ["5b"]}
    )
    assert outcome.tier == q.PROHIBITED
    assert "Art. 5(1)(c)" in articles(outcome)
    assert "Prohibited practice" in outcome.reasons[0].text
    assert outcome.notes  # it says it would be high-risk as well


def test_an_annex_iii_credit_scoring_use_is_high_risk_with_its_point_named():
    outcome = q.classify(CREDIT)
    assert outcome.tier == q.HIGH
    assert articles(outcome) == ["Annex III point 5(b)"]
    assert "creditworthiness" in outcome.reasons[0].text
    assert "access to essential private and public services" in outcome.reasons[0].text
    assert outcome.fria  # a deployer of credit scoring assesses fundamental rights (Art. 27)
    assert outcome.duties == ()


def test_an_annex_i_product_is_high_risk_under_article_6_1():
    outcome = q.classify({"roles": ["provider"], "annex_i": True})
    assert outcome.tier == q.HIGH
    assert articles(outcome) == ["Art. 6(1)"]
    assert not outcome.fria  # no deployer role, no Annex III use


def test_the_6_3_exception_makes_an_annex_iii_system_not_high_risk_and_says_what_follows():
    outcome = q.classify(
        {
            "roles": ["provider"],
            "annex_iii": ["4a"],
            "exception": "preparatory",
            "exception_reasoning": "It only sorts CVs by the language they are written in.",
        }
    )
    assert outcome.tier == q.MINIMAL
    assert outcome.not_high_risk_by_exception
    assert articles(outcome)[0] == "Art. 6(3)(d)"
    reason = outcome.reasons[0].text
    assert "Not high-risk" in reason and "Art. 6(4)" in reason and "Art. 49(2)" in reason


def test_profiling_overrides_the_6_3_exception():
    outcome = q.classify(
        {"roles": ["deployer"], "annex_iii": ["4a"], "exception": "preparatory", "profiling": True}
    )
    assert outcome.tier == q.HIGH
    assert outcome.exception == q.NO_EXCEPTION  # no "not high-risk" record
    assert articles(outcome) == ["Art. 6(3), last subparagraph"]
    assert "profiles natural persons" in outcome.reasons[0].text


def test_a_chatbot_has_a_limited_tier_and_the_article_50_duty():
    outcome = q.classify({"roles": ["deployer"], "transparency": ["interaction"]})
    assert outcome.tier == q.LIMITED
    assert outcome.duties == ("interaction",)
    assert articles(outcome) == ["Art. 50(1)"]
    assert "dealing with an AI system" in outcome.reasons[0].text


def test_a_high_risk_system_keeps_its_transparency_duties():
    outcome = q.classify({**CREDIT, "transparency": ["interaction"]})
    assert outcome.tier == q.HIGH
    assert outcome.duties == ("interaction",)


def test_a_system_that_meets_no_case_is_minimal():
    outcome = q.classify({"roles": ["provider"]})
    assert outcome.tier == q.MINIMAL
    assert articles(outcome) == ["Art. 95"]
    assert outcome.duties == () and not outcome.fria


def test_a_general_purpose_model_with_systemic_risk_adds_its_articles():
    outcome = q.classify({"roles": ["provider"], "gpai": "systemic"})
    assert articles(outcome) == ["Art. 95", "Art. 53", "Art. 51, 55"]


@pytest.mark.parametrize(
    ("answers", "question", "words"),
    [
        ({"roles": []}, "roles", "provider, the deployer or both"),
        ({"roles": ["provider"], "exception": "narrow_task"}, "exception", "Annex III uses"),
        (
            {"roles": ["provider"], "annex_iii": ["5b"], "exception": "narrow_task"},
            "exception_reasoning",
            "Art. 6(4)",
        ),
        ({"roles": ["provider"], "annex_iii": ["9z"]}, "annex_iii", "Not a choice: 9z"),
        ({"roles": ["provider"], "annex_i": "yes"}, "annex_i", "yes or no"),
        ({"roles": ["provider"], "gpai": "huge"}, "gpai", "Not a choice"),
        ({"roles": ["provider"], "exception_reasoning": "a\x00b"}, "exception_reasoning", "NUL"),
        (
            {"roles": ["provider"], "exception_reasoning": "x" * 10_001},
            "exception_reasoning",
            "At most",
        ),
        ({"roles": ["provider"], "colour": "red"}, "answers", "Unknown questions: colour"),
    ],
)
def test_answers_that_cannot_be_classified_say_what_is_wrong_with_which_question(
    answers, question, words
):
    with pytest.raises(q.AnswerError) as caught:
        q.classify(answers)
    assert words in caught.value.errors[question]


def test_every_annex_iii_use_belongs_to_an_area_and_names_its_point():
    for use in q.ANNEX_III:
        assert use.group in q.ANNEX_III_AREAS
        assert use.article.startswith(f"Annex III point {use.group}")


# --- Obligations from tier and role ------------------------------------------------------------------


def basis(answers) -> object:
    outcome = q.classify(answers)
    from aims.euaiact.obligations import Basis

    return Basis(
        tier=outcome.tier,
        roles=outcome.roles,
        duties=outcome.duties,
        exception=outcome.exception,
        fria=outcome.fria,
        gpai=outcome.gpai,
    )


def test_a_high_risk_provider_owes_articles_9_to_17_19_20_43_47_to_49_72_and_73():
    found = [
        spec.article for spec in applicable(basis({"roles": ["provider"], "annex_iii": ["5b"]}))
    ]
    assert found == PROVIDER_HIGH


def test_a_high_risk_deployer_owes_articles_26_27_and_86():
    found = [
        spec.article for spec in applicable(basis({"roles": ["deployer"], "annex_iii": ["5b"]}))
    ]
    assert found == ["Art. 26", "Art. 27", "Art. 86"]


def test_article_27_applies_to_deployers_only_for_its_uses_or_public_services():
    employment = [
        s.article for s in applicable(basis({"roles": ["deployer"], "annex_iii": ["4a"]}))
    ]
    assert employment == ["Art. 26", "Art. 86"]
    public = basis({"roles": ["deployer"], "annex_iii": ["4a"], "public_service": True})
    assert [s.article for s in applicable(public)] == ["Art. 26", "Art. 27", "Art. 86"]


def test_a_provider_that_also_deploys_owes_both_lists_and_everyone_owes_article_50():
    both = basis({**CREDIT, "transparency": ["interaction"]})
    found = [spec.article for spec in applicable(both)]
    assert found == [*PROVIDER_HIGH, "Art. 26", "Art. 27", "Art. 86", "Art. 50(1)"]


def test_a_limited_chatbot_owes_only_its_transparency_duty_and_a_minimal_system_nothing():
    chatbot = basis({"roles": ["deployer"], "transparency": ["interaction"]})
    assert [spec.code for spec in applicable(chatbot)] == ["art50_interaction"]
    assert applicable(basis({"roles": ["provider"]})) == []


def test_the_6_3_decision_owes_its_documentation_and_registration():
    found = basis(
        {
            "roles": ["provider"],
            "annex_iii": ["4a"],
            "exception": "narrow_task",
            "exception_reasoning": "Sorts files.",
        }
    )
    assert [spec.article for spec in applicable(found)] == ["Art. 6(4)", "Art. 49(2)"]


def test_a_prohibited_system_owes_only_to_stop():
    found = basis(
        {"roles": ["provider"], "practices": ["manipulation"], "transparency": ["interaction"]}
    )
    assert [spec.article for spec in applicable(found)] == ["Art. 5"]


# --- Signed classifications --------------------------------------------------------------------------


@pytest.fixture
def credit(world) -> AISystem:
    return make_system(
        world.org,
        actor=world.manager,
        name="Credit scoring",
        risk_tier=RiskTier.UNCLASSIFIED,
        intended_use="Scores applications for consumer loans; officers decide.",
    )


def classify(system, answers, *, by, signer=None) -> Classification:
    draft = services.save_draft(system, answers, actor=by)
    return services.sign(draft, actor=signer or by)


def test_signing_sets_the_tier_supersedes_the_last_one_and_records_both(world, credit):
    first = classify(
        credit, {"roles": ["provider"], "transparency": ["interaction"]}, by=world.manager
    )
    credit.refresh_from_db()
    assert credit.risk_tier == RiskTier.LIMITED
    assert first.signer_authority == "AIMS Manager"
    assert first.basis["intended_use"] == credit.intended_use

    second = classify(credit, CREDIT, by=world.contributor, signer=world.owner)
    first.refresh_from_db()
    credit.refresh_from_db()
    assert (first.status, second.status) == (
        ClassificationStatus.SUPERSEDED,
        ClassificationStatus.SIGNED,
    )
    assert second.number == 2 and second.prepared_by == world.contributor
    assert credit.risk_tier == RiskTier.HIGH
    tier_events = AuditEvent.objects.filter(
        record_type="inventory.aisystem", record_id=str(credit.pk)
    )
    assert any("classification 2" in event.note for event in tier_events)


def test_someone_without_authority_cannot_sign_and_nothing_changes(world, credit):
    draft = services.save_draft(credit, CREDIT, actor=world.contributor)
    with pytest.raises(NeedsAuthority, match="decision authority"):
        services.sign(draft, actor=world.contributor)
    draft.refresh_from_db()
    credit.refresh_from_db()
    assert draft.status == ClassificationStatus.DRAFT
    assert credit.risk_tier == RiskTier.UNCLASSIFIED


def test_a_draft_is_rewritten_in_place_and_a_signed_one_is_kept(world, credit):
    draft = services.save_draft(credit, {"roles": ["provider"]}, actor=world.contributor)
    again = services.save_draft(credit, CREDIT, actor=world.contributor)
    assert again.pk == draft.pk and again.tier == RiskTier.HIGH
    services.sign(again, actor=world.manager)
    with pytest.raises(Refused):
        services.delete_draft(again, actor=world.manager)
    with pytest.raises(Refused):
        services.sign(again, actor=world.manager)
    assert Classification.objects.filter(system=credit).count() == 1


def test_invalid_answers_save_nothing(world, credit):
    with pytest.raises(ValidationError) as caught:
        services.save_draft(credit, {"roles": [], "annex_iii": ["5b"]}, actor=world.manager)
    assert "roles" in caught.value.message_dict
    assert not Classification.objects.exists()


def test_once_classified_the_tier_is_not_set_by_hand(world, credit):
    classify(credit, CREDIT, by=world.manager)
    credit.refresh_from_db()
    credit.risk_tier = RiskTier.MINIMAL
    with pytest.raises(ValidationError) as caught:
        save_system(credit, actor=world.manager)
    assert "classify the system again" in caught.value.message_dict["risk_tier"][0]
    credit.refresh_from_db()
    assert credit.risk_tier == RiskTier.HIGH


def test_a_new_intended_use_makes_the_classification_stale_and_closes_the_gate(world, credit):
    signed = classify(
        credit, {"roles": ["deployer"], "transparency": ["interaction"]}, by=world.manager
    )
    credit.refresh_from_db()
    assert not signed.is_stale(credit)
    assert all(r.met for r in credit.gate(Stage.DEVELOPMENT))
    credit.intended_use = "Now also decides on its own for small loans."
    save_system(credit, actor=world.manager)
    signed.refresh_from_db()
    assert signed.is_stale(credit)
    assert signed.changed_basis(credit) == ["intended use"]
    result = next(
        r for r in credit.gate(Stage.DEVELOPMENT) if r.requirement.code == "act_classification"
    )
    assert not result.met and "classify it again" in result.detail
    with pytest.raises(Refused):
        move_to_stage(credit, to_stage=Stage.DEVELOPMENT, actor=world.manager, reason="Build")


def test_a_move_to_another_stage_does_not_make_the_classification_stale(world, credit):
    signed = classify(
        credit, {"roles": ["deployer"], "transparency": ["interaction"]}, by=world.manager
    )
    move_through(credit, Stage.VALIDATION, actor=world.manager)
    credit.refresh_from_db()
    assert not signed.is_stale(credit)


# --- The gate and the obligations' states --------------------------------------------------------------


def state_of(system, code: str) -> State:
    return next(o for o in obligations_of(system) if o.spec.code == code).state


def test_the_gate_blocks_a_high_risk_system_with_open_obligations(world, credit):
    classify(credit, {"roles": ["deployer"], "annex_iii": ["4a"]}, by=world.manager)
    move_through(credit, Stage.VALIDATION, actor=world.manager)
    credit.refresh_from_db()
    met, detail = _obligations_met(credit)
    assert not met
    assert detail.startswith("2 of 2 obligations not met")
    assert "Art. 26 Deployer's duties (open)" in detail and "Art. 86" in detail
    result = next(
        r for r in credit.gate(Stage.DEPLOYMENT) if r.requirement.code == "act_obligations"
    )
    assert not result.met
    with pytest.raises(Refused):
        move_to_stage(credit, to_stage=Stage.DEPLOYMENT, actor=world.manager, reason="Go live")


def test_the_deployer_obligations_are_met_by_their_records(world, credit):
    classify(credit, {"roles": ["deployer"], "annex_iii": ["4a"]}, by=world.manager)
    today = timezone.localdate()
    assert state_of(credit, "art26") == State.OPEN
    services.save_record(
        OversightMeasure(
            organization=world.org,
            system=credit,
            person=world.manager,
            role="Recruiter on duty",
            authority="May reject any ranking.",
            training="Course on automation bias.",
            override="Ignore the score and screen by hand.",
        ),
        actor=world.manager,
    )
    services.save_record(
        LogRetention(
            organization=world.org,
            system=credit,
            logs="Every ranking",
            location="Log archive",
            retention_days=90,
        ),
        actor=world.manager,
    )
    assert state_of(credit, "art26") == State.PARTLY  # logs too short, no notice
    LogRetention.objects.update(retention_days=200)
    services.save_record(
        TransparencyNotice(
            organization=world.org,
            system=credit,
            duty=NoticeDuty.AFFECTED,
            text="An AI system helps us rank applications.",
            shown_where="Application form",
            since=today - dt.timedelta(days=3),
        ),
        actor=world.manager,
    )
    assert state_of(credit, "art26") == State.MET
    from aims.euaiact.models import RecourseChannel

    services.save_record(
        RecourseChannel(
            organization=world.org,
            system=credit,
            how_to_ask="Write to us.",
            contact="appeals@example.test",
            published_where="Careers site",
        ),
        actor=world.manager,
    )
    assert state_of(credit, "art86") == State.MET
    assert _obligations_met(credit) == (True, "All 2 obligations met.")


def test_a_registration_meets_article_49_and_only_with_its_basis(world, credit):
    classify(credit, {"roles": ["provider"], "annex_iii": ["5b"]}, by=world.manager)
    assert state_of(credit, "art49") == State.OPEN
    registration = Registration(
        organization=world.org,
        system=credit,
        basis=RegistrationBasis.NOT_HIGH_RISK,
        database_id="EU-1",
        registered_on=timezone.localdate(),
    )
    services.save_record(registration, actor=world.manager)
    assert state_of(credit, "art49") == State.OPEN  # registered as something else
    registration.basis = RegistrationBasis.HIGH_RISK
    services.save_record(registration, actor=world.manager)
    assert state_of(credit, "art49") == State.MET


def test_a_system_classified_by_hand_gets_its_obligations_from_its_tier_and_role(world):
    system = make_system(
        world.org,
        actor=world.manager,
        risk_tier=RiskTier.HIGH,
        organization_role=OrganizationRole.DEPLOYER,
    )
    found = basis_of(system)
    assert (found.tier, found.roles, found.classification) == (RiskTier.HIGH, ("deployer",), None)
    assert [o.spec.article for o in obligations_of(system)] == ["Art. 26", "Art. 86"]


def test_records_name_people_and_systems_of_their_own_organization_only(world, credit):
    with pytest.raises(ValidationError) as caught:
        services.save_record(
            OversightMeasure(
                organization=world.org,
                system=credit,
                person=world.outsider,
                role="Outsider",
                authority="x",
                training="x",
                override="x",
            ),
            actor=world.manager,
        )
    assert "person" in caught.value.message_dict
    assert not OversightMeasure.objects.exists()


# --- Exposure ------------------------------------------------------------------------------------------


def test_the_fine_cap_is_the_higher_figure_and_for_an_sme_the_lower():
    profile = ActProfile(annual_turnover=Decimal(1_000_000_000))
    high = fines.exposure(RiskTier.HIGH, profile)
    assert high.amount == Decimal(30_000_000)  # 3 % of 1 bn beats 15 m
    assert "max(EUR 15,000,000; 3 % × EUR 1,000,000,000 = EUR 30,000,000)" in high.formula
    banned = fines.exposure(RiskTier.PROHIBITED, profile)
    assert banned.amount == Decimal(70_000_000)
    small = fines.exposure(
        RiskTier.HIGH, ActProfile(annual_turnover=Decimal(20_000_000), is_sme=True)
    )
    assert small.amount == Decimal(600_000)  # the lower of 15 m and 3 % of 20 m
    assert "Art. 99(6)" in small.formula
    assert fines.information_exposure(profile).amount == Decimal(10_000_000)


def test_without_a_turnover_the_cap_is_a_floor_and_minimal_has_none():
    unknown = fines.exposure(RiskTier.HIGH, None)
    assert (unknown.amount, unknown.at_least) == (Decimal(15_000_000), True)
    assert "not recorded" in unknown.formula
    assert fines.exposure(RiskTier.MINIMAL, None) is None
    assert (
        fines.worst([RiskTier.MINIMAL, RiskTier.LIMITED, RiskTier.PROHIBITED]).cap.fixed
        == 35_000_000
    )
    assert fines.worst([RiskTier.MINIMAL]) is None


# --- The dashboard --------------------------------------------------------------------------------


def test_the_dashboard_lists_systems_to_classify_and_the_highest_exposure(world, credit):
    from aims.euaiact.dashboard import part

    other = make_system(world.org, actor=world.manager, name="Chatbot", risk_tier=RiskTier.LIMITED)
    found = part(world.org)
    section = found.notices[0].section.context
    assert [s.name for s in section["systems"]] == ["Credit scoring"]  # the chatbot is classified
    assert section["exposure"].cap.fixed == 15_000_000
    signed = classify(
        other, {"roles": ["deployer"], "transparency": ["interaction"]}, by=world.manager
    )
    other.intended_use = "Also answers questions about fees."
    save_system(other, actor=world.manager)
    section = part(world.org).notices[0].section.context
    assert [(s.name, s.stale) for s in section["systems"]] == [
        ("Chatbot", True),
        ("Credit scoring", False),
    ]
    assert signed.is_stale(other)


def test_a_general_purpose_model_is_open_until_its_documentation_is_written(world, credit):
    classify(credit, {"roles": ["provider"], "gpai": "gpai"}, by=world.manager)
    found = next(o for o in obligations_of(credit) if o.spec.code == "art53")
    assert found.state == State.OPEN
    assert "Neither the model's documentation" in found.status.detail
