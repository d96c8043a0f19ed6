"""The EU AI Act API: classifying a system from the questionnaire's answers, signing with
authority, the obligations and exposure that follow, the records that meet them, explanation
and recourse requests, the regulatory watch and the profile, each scoped to the token's
organization."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from euaiact_helpers import CREDIT_ANSWERS as CREDIT
from euaiact_helpers import PROVIDER_HIGH

from aims.checks.models import Check, Kind, SourceType
from aims.checks.services import save_check
from aims.euaiact.models import (
    ActProfile,
    Classification,
    ClassificationStatus,
    LogRetention,
    MonitoringPlan,
    RecourseRequest,
    RegulatoryChange,
)
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient

API = "/api/v1"


def new_system(org, *, actor, name="Credit scoring", **fields) -> AISystem:
    fields.setdefault("purpose", "Scores consumer credit applications.")
    return save_system(AISystem(organization=org, name=name, **fields), actor=actor)


@pytest.fixture
def system(world):
    return new_system(world.org, actor=world.owner)


@pytest.fixture
def contributor(world):
    return ApiClient.for_member(world.contributor, world.org)


@pytest.fixture
def manager(world):
    return ApiClient.for_member(world.manager, world.org)


def act(slug: str, rest: str = "") -> str:
    return f"{API}/systems/{slug}/act{rest}"


def classify(api, slug, answers, **body):
    response = api.post(act(slug, "/classifications"), {"answers": answers, **body})
    assert response.status_code in (200, 201), response.content
    return response.json()


def classified(contributor, manager, system, answers) -> dict:
    """``system`` classified from ``answers`` by the contributor, signed by the manager."""
    draft = classify(contributor, system.slug, answers)
    signed = manager.post(act(system.slug, f"/classifications/{draft['number']}/sign"))
    assert signed.status_code == 200, signed.content
    return signed.json()


def obligations(api, slug) -> dict[str, dict]:
    response = api.get(act(slug))
    assert response.status_code == 200, response.content
    return {o["code"]: o for o in response.json()["obligations"]}


def put(api, path: str, body: dict):
    return api.raw("PUT", path, json.dumps(body))


def fields_of(response) -> set:
    return {e["field"] for e in response.json()["errors"]}


# --- The questionnaire and classifying ----------------------------------------------------------


def test_the_questionnaire_lists_every_question_with_its_choices(world, contributor):
    response = contributor.get(f"{API}/act/questionnaire")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    questions = {question["key"]: question for question in body["questions"]}
    assert list(questions)[:2] == ["roles", "practices"]
    assert questions["roles"]["kind"] == "choices"
    assert questions["annex_i"]["kind"] == "yes-no"
    assert questions["exception"]["kind"] == "choice"
    assert questions["exception_reasoning"]["kind"] == "text"
    credit = next(o for o in questions["annex_iii"]["options"] if o["code"] == "5b")
    assert credit["article"] == "Annex III point 5(b)"
    assert credit["group"] == "5"
    assert credit["group_label"] == "Access to essential private and public services"
    assert questions["gpai"]["default"] == "none"


def test_classifying_a_credit_scoring_system_drafts_it_high_risk_with_its_reasons(
    world, system, contributor
):
    response = contributor.post(
        act(system.slug, "/classifications"), {"answers": CREDIT, "note": "From the workshop."}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1
    assert body["status"] == "draft"
    assert body["tier"] == "high"
    assert body["roles"] == ["provider", "deployer"]
    assert body["fria"] is True  # a deployer of credit scoring (Art. 27)
    assert [r["article"] for r in body["reasons"]] == ["Annex III point 5(b)"]
    assert "creditworthiness" in body["reasons"][0]["text"]
    assert body["answers"]["annex_i"] is False  # every answer, defaults filled in
    assert body["prepared_by"] == world.contributor.username
    draft = Classification.objects.get(system=system)
    assert (draft.status, draft.tier, draft.note) == ("draft", "high", "From the workshop.")
    system.refresh_from_db()
    assert system.risk_tier == RiskTier.UNCLASSIFIED  # a draft does not count yet
    # classifying again rewrites the draft: one version
    again = contributor.post(
        act(system.slug, "/classifications"),
        {"answers": {"roles": ["deployer"], "transparency": ["interaction"]}},
    )
    assert again.status_code == 200
    assert (again.json()["number"], again.json()["tier"]) == (1, "limited")
    assert Classification.objects.filter(system=system).count() == 1


@pytest.mark.parametrize(
    "answers,field,words",
    [
        ({"roles": ["provider"], "annex_iii": ["9z"]}, "answers.annex_iii", "Not a choice: 9z"),
        ({"annex_iii": ["5b"]}, "answers.roles", "provider, the deployer"),
        ({"roles": ["provider"], "exception": "narrow_task"}, "answers.exception", "Annex III"),
        (
            {"roles": ["provider"], "annex_iii": ["4a"], "exception": "preparatory"},
            "answers.exception_reasoning",
            "Art. 6(4)",
        ),
        ({"roles": ["provider"], "gpai": "huge"}, "answers.gpai", "Not a choice"),
        ({"roles": ["provider"], "annex_i": "yes"}, "answers.annex_i", "true or false"),
        ({"roles": ["provider"], "colour": "red"}, "answers.colour", "Unknown field"),
        (
            {"roles": ["provider"], "exception_reasoning": "a\x00b"},
            "answers.exception_reasoning",
            "null character",
        ),
        (
            {"roles": ["provider"], "exception_reasoning": "x" * 10_001},
            "answers.exception_reasoning",
            "at most",
        ),
    ],
)
def test_answers_that_cannot_be_classified_are_refused_naming_the_question(
    world, system, contributor, answers, field, words
):
    response = contributor.post(act(system.slug, "/classifications"), {"answers": answers})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert words in errors[0]["message"]
    assert not Classification.objects.filter(system=system).exists()


def test_signing_needs_decision_authority_and_sets_the_tier(world, system, contributor, manager):
    draft = classify(contributor, system.slug, CREDIT)
    sign = act(system.slug, f"/classifications/{draft['number']}/sign")
    events = AuditEvent.objects.filter(organization=world.org).count()

    refused = contributor.post(sign)
    assert refused.status_code == 403
    assert "Contributor" in refused.json()["detail"]
    assert Classification.objects.get(system=system).status == ClassificationStatus.DRAFT
    system.refresh_from_db()
    assert system.risk_tier == RiskTier.UNCLASSIFIED
    assert AuditEvent.objects.filter(organization=world.org).count() == events

    signed = manager.post(sign)
    assert signed.status_code == 200, signed.content
    body = signed.json()
    assert body["status"] == "signed"
    assert body["signed_by"] == world.manager.username
    assert body["signer_authority"] == "AIMS Manager"
    assert body["stale"] is False
    system.refresh_from_db()
    assert system.risk_tier == RiskTier.HIGH
    assert manager.post(sign).status_code == 409  # signed already

    # top management signs too, whatever their role
    draft = classify(contributor, system.slug, {"roles": ["deployer"], "annex_iii": ["5b"]})
    top = ApiClient.for_member(world.top_manager, world.org)
    response = top.post(act(system.slug, f"/classifications/{draft['number']}/sign"))
    assert response.status_code == 200, response.content
    assert Classification.objects.get(system=system, number=1).status == "superseded"


def test_only_a_draft_is_deleted(world, system, contributor, manager):
    signed = classified(contributor, manager, system, CREDIT)
    response = contributor.raw(
        "DELETE", act(system.slug, f"/classifications/{signed['number']}"), ""
    )
    assert response.status_code == 409
    assert "kept" in response.json()["detail"]
    draft = classify(contributor, system.slug, {"roles": ["deployer"]})
    response = contributor.raw(
        "DELETE", act(system.slug, f"/classifications/{draft['number']}"), ""
    )
    assert response.status_code == 204
    assert list(Classification.objects.filter(system=system).values_list("number", "status")) == [
        (1, "signed")
    ]


def test_the_classifications_of_a_system_are_listed_newest_first(
    world, system, contributor, manager
):
    classified(contributor, manager, system, CREDIT)
    classify(contributor, system.slug, {"roles": ["deployer"], "annex_iii": ["5b"]})
    body = contributor.get(act(system.slug, "/classifications")).json()
    assert body["count"] == 2
    assert [(c["number"], c["status"]) for c in body["items"]] == [(2, "draft"), (1, "signed")]
    one = contributor.get(act(system.slug, "/classifications/1"))
    assert one.json()["system"] == system.slug
    assert contributor.get(act(system.slug, "/classifications/3")).status_code == 404
    assert contributor.get(act(system.slug, "/classifications/x")).status_code == 404


# --- Obligations and exposure -------------------------------------------------------------------


def test_a_high_risk_provider_owes_the_providers_articles(world, system, contributor, manager):
    classified(contributor, manager, system, {"roles": ["provider"], "annex_iii": ["5b"]})
    body = contributor.get(act(system.slug)).json()
    assert body["tier"] == "high"
    assert body["roles"] == ["provider"]
    assert body["classification"]["number"] == 1
    assert body["draft"] is None
    assert [o["article"] for o in body["obligations"]] == PROVIDER_HIGH
    assert sum(body["counts"].values()) == len(PROVIDER_HIGH)
    registration = next(o for o in body["obligations"] if o["code"] == "art49")
    assert (registration["state"], registration["record_kind"]) == ("open", "registration")
    assert registration["links"][0]["url"].startswith(f"/o/{world.org.slug}/eu-ai-act/")
    exposure = body["exposure"]
    assert (exposure["amount"], exposure["at_least"], exposure["article"]) == (
        15_000_000,
        True,
        "Art. 99(4)",
    )


def test_a_deployer_of_credit_scoring_owes_the_deployers_articles(
    world, system, contributor, manager
):
    classified(contributor, manager, system, {"roles": ["deployer"], "annex_iii": ["5b"]})
    articles = [o["article"] for o in contributor.get(act(system.slug)).json()["obligations"]]
    assert articles == ["Art. 26", "Art. 27", "Art. 86"]


def test_an_unclassified_system_has_no_obligations_and_no_exposure(world, system, contributor):
    body = contributor.get(act(system.slug)).json()
    assert (body["tier"], body["classification"], body["obligations"], body["exposure"]) == (
        "unclassified",
        None,
        [],
        None,
    )


@pytest.fixture
def high_risk(world, system, contributor, manager):
    """Credit scoring, provided and used by the organization, with a chatbot-like duty."""
    classified(contributor, manager, system, {**CREDIT, "transparency": ["interaction"]})
    return system


def pipeline_check(world, system, name="Parity") -> Check:
    return save_check(
        Check(
            organization=world.org,
            system=system,
            name=name,
            kind=Kind.FAIRNESS,
            source_type=SourceType.PIPELINE,
            options={"label": "y", "prediction": "p", "sensitive": ["sex"]},
            thresholds=[],
        ),
        actor=world.owner,
    )


def record_body(kind: str, world, system) -> dict:
    today = timezone.localdate()
    return {
        "oversight-measures": {
            "person": world.manager.username,
            "role": "Credit officer on duty",
            "authority": "Overrules any score.",
            "training": "Course on the model's limits.",
            "override": "Decides the application by hand.",
        },
        "notices": {
            "duty": "interaction",
            "text": "You are chatting with an AI assistant.",
            "shown_where": "Chat window",
            "since": (today - dt.timedelta(days=1)).isoformat(),
        },
        "log-retentions": {"logs": "Scores", "location": "Audit store", "retention_days": 200},
        "monitoring-plans": {
            "description": "Weekly fairness review.",
            "checks": [pipeline_check(world, system).pk],
            "approved_by": world.manager.username,
            "approved_on": today.isoformat(),
        },
        "conformity-assessments": {
            "procedure": "internal",
            "outcome": "passed",
            "assessed_on": (today - dt.timedelta(days=3)).isoformat(),
        },
        "declarations": {
            "signed_on": today.isoformat(),
            "signatory": "Olivia Owner, CEO",
            "provider": "Acme Lending, 1 Main Street",
        },
        "registrations": {
            "basis": "high_risk",
            "database_id": "EU-DB-0042",
            "registered_on": today.isoformat(),
        },
    }[kind]


@pytest.mark.parametrize(
    "kind,code",
    [
        ("oversight-measures", "art14"),
        ("notices", "art50_interaction"),
        ("log-retentions", "art19"),
        ("monitoring-plans", "art72"),
        ("conformity-assessments", "art43"),
        ("declarations", "art47"),
        ("registrations", "art49"),
    ],
)
def test_each_record_meets_its_obligation(world, high_risk, contributor, manager, kind, code):
    slug = high_risk.slug
    assert obligations(contributor, slug)[code]["state"] == "open"
    body = record_body(kind, world, high_risk)
    created = contributor.post(act(slug, f"/{kind}"), body)
    assert created.status_code == 201, created.content
    record = created.json()
    assert record["system"] == slug
    assert obligations(contributor, slug)[code]["state"] == "met"

    one = act(slug, f"/{kind}/{record['id']}")
    assert contributor.get(one).json() == record
    listed = contributor.get(act(slug, f"/{kind}")).json()
    assert [r["id"] for r in listed["items"]] == [record["id"]]
    assert contributor.raw("DELETE", one, "").status_code == 403  # deleting needs MANAGE
    assert manager.raw("DELETE", one, "").status_code == 204
    assert contributor.get(one).status_code == 404
    assert obligations(contributor, slug)[code]["state"] == "open"


def test_a_change_to_a_record_is_kept_and_judged_again(world, high_risk, contributor):
    slug = high_risk.slug
    created = contributor.post(
        act(slug, "/log-retentions"), record_body("log-retentions", world, high_risk)
    ).json()
    response = contributor.patch(
        act(slug, f"/log-retentions/{created['id']}"), {"retention_days": 90}
    )
    assert response.status_code == 200, response.content
    assert response.json()["retention_days"] == 90
    assert response.json()["location"] == "Audit store"  # fields not sent stay
    assert LogRetention.objects.get(pk=created["id"]).retention_days == 90
    art19 = obligations(contributor, slug)["art19"]
    assert art19["state"] == "partly"
    assert "90 days" in art19["detail"]


def test_a_monitoring_plan_follows_only_its_systems_checks(world, high_risk, contributor):
    other = new_system(world.org, actor=world.owner, name="CV screening")
    theirs = pipeline_check(world, other, name="Theirs")
    ours = pipeline_check(world, high_risk, name="Ours")
    path = act(high_risk.slug, "/monitoring-plans")
    response = contributor.post(path, {"description": "Review.", "checks": [theirs.pk]})
    assert response.status_code == 422
    assert fields_of(response) == {"checks"}
    response = contributor.post(path, {"description": "Review.", "checks": [ours.pk, 10**9]})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "checks", "message": "Unknown check: 1000000000."}
    ]
    assert not MonitoringPlan.objects.exists()
    # approved on a day without saying by whom: the model's rule, by field
    response = contributor.post(
        path, {"description": "Review.", "approved_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 422
    assert fields_of(response) == {"approved_by"}
    made = contributor.post(path, {"description": "Review.", "checks": [ours.pk]})
    assert made.status_code == 201
    assert made.json()["checks"] == [ours.pk]
    assert obligations(contributor, high_risk.slug)["art72"]["state"] == "partly"  # not approved


@pytest.mark.parametrize(
    "body,field",
    [
        ({"logs": "Scores", "location": "Store", "retention_days": 0}, "retention_days"),
        ({"logs": "Scores", "location": "Store", "retention_days": 36_501}, "retention_days"),
        ({"logs": "Sco\x00res", "location": "Store", "retention_days": 200}, "logs"),
        ({"logs": "S" * 201, "location": "Store", "retention_days": 200}, "logs"),
        ({"logs": "", "location": "Store", "retention_days": 200}, "logs"),
        ({"location": "Store", "retention_days": 200}, "logs"),
        ({"logs": "Scores", "location": "Store", "retention_days": "200"}, "retention_days"),
    ],
)
def test_a_record_with_bad_input_is_refused_by_field(world, high_risk, contributor, body, field):
    response = contributor.post(act(high_risk.slug, "/log-retentions"), body)
    assert response.status_code == 422, response.content
    assert fields_of(response) == {field}
    assert not LogRetention.objects.exists()


def test_a_record_of_another_system_is_not_found_under_this_one(world, high_risk, contributor):
    other = new_system(world.org, actor=world.owner, name="CV screening")
    created = contributor.post(
        act(other.slug, "/log-retentions"), record_body("log-retentions", world, other)
    ).json()
    assert (
        contributor.get(act(high_risk.slug, f"/log-retentions/{created['id']}")).status_code == 404
    )
    patched = contributor.patch(
        act(high_risk.slug, f"/log-retentions/{created['id']}"), {"retention_days": 1}
    )
    assert patched.status_code == 404
    assert LogRetention.objects.get(pk=created["id"]).retention_days == 200


# --- Explanation and recourse -------------------------------------------------------------------


def test_a_request_gets_a_reference_and_the_channels_due_date(world, system, contributor):
    assert contributor.get(act(system.slug, "/recourse")).status_code == 404
    channel = put(
        contributor,
        act(system.slug, "/recourse"),
        {
            "how_to_ask": "Write to us quoting your case number.",
            "contact": "appeals@example.test",
            "published_where": "Decision letter",
            "response_days": 10,
        },
    )
    assert channel.status_code == 200, channel.content
    assert contributor.get(act(system.slug, "/recourse")).json()["response_days"] == 10

    received = timezone.localdate() - dt.timedelta(days=2)
    body = {
        "system": system.slug,
        "kind": "explanation",
        "received_on": received.isoformat(),
        "requester": "Case 4711",
        "summary": "Why was my loan refused?",
    }
    first = contributor.post(f"{API}/act/requests", body)
    assert first.status_code == 201, first.content
    second = contributor.post(f"{API}/act/requests", {**body, "kind": "contest"})
    year = received.year
    assert first.json()["ref"] == f"R-{year}-001"
    assert second.json()["ref"] == f"R-{year}-002"
    assert first.json()["due_on"] == (received + dt.timedelta(days=10)).isoformat()
    assert first.json()["status"] == "open"
    assert RecourseRequest.objects.get(ref=f"R-{year}-001").due_on == received + dt.timedelta(
        days=10
    )


def test_requests_are_answered_with_a_date_and_an_outcome(world, system, contributor):
    long_ago = timezone.localdate() - dt.timedelta(days=60)
    created = contributor.post(
        f"{API}/act/requests",
        {
            "system": system.slug,
            "kind": "contest",
            "received_on": long_ago.isoformat(),
            "requester": "Case 9",
            "summary": "Contests the refusal.",
        },
    ).json()
    assert created["due_on"] == (long_ago + dt.timedelta(days=30)).isoformat()  # the default
    assert created["overdue"] is True
    listed = contributor.get(f"{API}/act/requests", {"overdue": "true"}).json()
    assert [r["ref"] for r in listed["items"]] == [created["ref"]]
    assert contributor.get(f"{API}/act/requests", {"overdue": "false"}).json()["count"] == 0

    path = f"{API}/act/requests/{created['id']}"
    refused = contributor.patch(path, {"status": "upheld"})
    assert refused.status_code == 422
    assert fields_of(refused) == {"answered_on", "outcome"}
    answered = contributor.patch(
        path,
        {
            "status": "upheld",
            "answered_on": timezone.localdate().isoformat(),
            "outcome": "The income data was checked by a person; the refusal stands.",
            "handled_by": world.manager.username,
        },
    )
    assert answered.status_code == 200, answered.content
    assert (answered.json()["overdue"], answered.json()["handled_by"]) == (
        False,
        world.manager.username,
    )
    assert RecourseRequest.objects.get(pk=created["id"]).status == "upheld"
    assert contributor.get(f"{API}/act/requests", {"status": "upheld"}).json()["count"] == 1
    assert contributor.get(f"{API}/act/requests", {"system": "nope"}).json()["count"] == 0


def test_a_request_names_a_system_of_the_organization(world, contributor):
    theirs = new_system(world.other_org, actor=world.outsider, name="Their scoring")
    response = contributor.post(
        f"{API}/act/requests",
        {"system": theirs.slug, "kind": "explanation", "requester": "Case 1", "summary": "Why?"},
    )
    assert response.status_code == 422
    assert fields_of(response) == {"system"}
    assert not RecourseRequest.objects.exists()


# --- The regulatory watch -----------------------------------------------------------------------


def test_a_regulatory_change_touches_systems_of_the_organization_only(
    world, system, contributor, manager
):
    theirs = new_system(world.other_org, actor=world.outsider, name="Their scoring")
    body = {"title": "Guidelines on Art. 6", "source": "guidance", "summary": "Examples."}
    refused = contributor.post(
        f"{API}/act/regulatory-changes", {**body, "systems": [system.slug, theirs.slug]}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "systems", "message": f"Unknown AI system: {theirs.slug}."}
    ]
    assert not RegulatoryChange.objects.exists()

    made = contributor.post(f"{API}/act/regulatory-changes", {**body, "systems": [system.slug]})
    assert made.status_code == 201, made.content
    change = made.json()
    assert (change["systems"], change["status"]) == ([system.slug], "assessing")
    path = f"{API}/act/regulatory-changes/{change['id']}"
    patched = contributor.patch(path, {"status": "no_effect", "systems": []})
    assert patched.status_code == 200
    assert RegulatoryChange.objects.get(pk=change["id"]).systems.count() == 0
    listed = contributor.get(f"{API}/act/regulatory-changes", {"status": "no_effect"}).json()
    assert [c["id"] for c in listed["items"]] == [change["id"]]
    assert contributor.raw("DELETE", path, "").status_code == 403
    assert manager.raw("DELETE", path, "").status_code == 204
    assert not RegulatoryChange.objects.exists()


# --- The overview and the profile ---------------------------------------------------------------


def test_the_overview_says_where_each_system_stands(world, system, contributor, manager):
    classified(contributor, manager, system, CREDIT)
    drafted = new_system(world.org, actor=world.owner, name="Chatbot")
    classify(contributor, drafted.slug, {"roles": ["deployer"], "transparency": ["interaction"]})
    stale = new_system(world.org, actor=world.owner, name="Hiring screening")
    classified(contributor, manager, stale, {"roles": ["deployer"], "annex_iii": ["4a"]})
    stale.refresh_from_db()
    stale.intended_use = "Now also ranks internal candidates for promotion."
    save_system(stale, actor=world.owner)
    new_system(world.org, actor=world.owner, name="Forecasting")

    body = contributor.get(f"{API}/act/systems").json()
    assert body["count"] == 4
    rows = {row["name"]: row for row in body["items"]}
    assert list(rows) == ["Chatbot", "Credit scoring", "Forecasting", "Hiring screening"]
    assert rows["Credit scoring"] | {"signed_on": None} == {
        "slug": system.slug,
        "name": "Credit scoring",
        "tier": "high",
        "state": "signed",
        "roles": ["provider", "deployer"],
        "classification": 1,
        "signed_on": None,
        "stale": False,
        "draft": None,
    }
    assert rows["Credit scoring"]["signed_on"] == timezone.localdate().isoformat()
    assert (rows["Chatbot"]["state"], rows["Chatbot"]["draft"]) == ("draft", 1)
    assert (rows["Hiring screening"]["state"], rows["Hiring screening"]["stale"]) == ("stale", True)
    assert rows["Forecasting"]["state"] == "unclassified"

    def names(**filters):
        return [
            row["name"] for row in contributor.get(f"{API}/act/systems", filters).json()["items"]
        ]

    assert names(state="stale") == ["Hiring screening"]
    assert names(state="signed") == ["Credit scoring"]
    assert names(state="draft") == ["Chatbot"]
    assert names(state="unclassified") == ["Forecasting"]
    assert names(tier="high") == ["Credit scoring", "Hiring screening"]
    assert contributor.get(f"{API}/act/systems", {"state": "odd"}).status_code == 422


def test_the_profile_sets_the_fine_exposure(world, system, contributor, manager):
    classified(contributor, manager, system, CREDIT)
    body = {"annual_turnover": 1_000_000_000, "is_sme": False}
    assert put(contributor, f"{API}/act/profile", body).status_code == 403
    assert not ActProfile.objects.exists()
    response = put(manager, f"{API}/act/profile", body)
    assert response.status_code == 200, response.content
    caps = {cap["tier"]: cap for cap in response.json()["exposure"]}
    assert caps["prohibited"]["amount"] == 70_000_000  # 7 % of the turnover
    assert caps[None]["amount"] == 10_000_000  # misleading the authorities: 1 %
    assert ActProfile.objects.get(organization=world.org).annual_turnover == 1_000_000_000
    exposure = contributor.get(act(system.slug)).json()["exposure"]
    assert (exposure["amount"], exposure["at_least"]) == (30_000_000, False)
    assert "EUR 30,000,000" in exposure["formula"]
    sme = put(manager, f"{API}/act/profile", {"annual_turnover": 1_000_000_000, "is_sme": True})
    assert {c["tier"]: c for c in sme.json()["exposure"]}["high"]["amount"] == 15_000_000
    for bad in (-1, 10**15, "1000"):
        assert put(manager, f"{API}/act/profile", {"annual_turnover": bad}).status_code == 422


# --- Organization scoping and the schema ------------------------------------------------------


def test_another_organizations_system_is_not_found(world, system, contributor, manager):
    classified(contributor, manager, system, CREDIT)
    outsider = ApiClient.for_member(world.outsider, world.other_org)
    for path in [
        act(system.slug),
        act(system.slug, "/classifications"),
        act(system.slug, "/classifications/1"),
        act(system.slug, "/registrations"),
        act(system.slug, "/recourse"),
    ]:
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found in your organization.", "errors": []}
    assert (
        outsider.post(act(system.slug, "/classifications"), {"answers": CREDIT}).status_code == 404
    )
    # invalid answers to it are not found either: nothing tells that it exists
    assert outsider.post(act(system.slug, "/classifications"), {"answers": 5}).status_code == 404
    assert outsider.post(act(system.slug, "/classifications/1/sign")).status_code == 404
    assert outsider.get(f"{API}/act/systems").json()["count"] == 0
    assert Classification.objects.filter(system=system).count() == 1


def test_the_openapi_document_describes_the_area(world):
    document = world.client(None).get(f"{API}/openapi.json").json()
    paths = document["paths"]
    assert "post" in paths[f"{API}/systems/{{slug}}/act/classifications"]
    assert "patch" in paths[f"{API}/systems/{{slug}}/act/registrations/{{registration_id}}"]
    schemas = document["components"]["schemas"]
    answers = schemas["ClassificationAnswersIn"]["properties"]
    assert "5b" in answers["annex_iii"]["items"]["enum"]
    assert "MonitoringPlanIn" in schemas and "SystemActOut" in schemas
    operation = paths[f"{API}/systems/{{slug}}/act/notices/{{notice_id}}"]["get"]
    assert operation["operationId"] == "read_act_notice"
    assert {p["name"]: p["schema"]["type"] for p in operation["parameters"]}["notice_id"] == (
        "integer"
    )


def test_lists_run_the_same_queries_for_few_records_and_many(world, contributor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.routes import euaiact as area

    def queries(path, params=None):
        with CaptureQueriesContext(connection) as ctx:
            response = contributor.get(path, params)
        assert response.status_code == 200, (path, response.content)
        return len(ctx.captured_queries), response.json()["count"]

    lists = [
        (f"{API}/act/systems", None),
        (f"{API}/act/systems", {"state": "signed"}),
        (f"{API}/act/requests", None),
        (f"{API}/act/regulatory-changes", None),
    ]
    area.seed(world, 2)
    contributor.get(lists[0][0])  # warm up: the token's first use is written down
    few = [queries(path, params) for path, params in lists]
    area.seed(world, 30)
    many = [queries(path, params) for path, params in lists]
    assert [count for _, count in few] == [2, 2, 2, 2]
    assert [count for _, count in many] == [32, 32, 32, 32]
    assert [n for n, _ in few] == [n for n, _ in many]
