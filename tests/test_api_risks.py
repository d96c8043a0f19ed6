"""The risk register through the API: recording, scoring, filtering and accepting risks."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from helpers import ApiClient

from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.risk.models import Risk, RiskAcceptance
from aims.risk.services import save_risk
from aims.trail.models import Action, AuditEvent


@pytest.fixture
def api(world):
    return ApiClient.for_member(world.contributor, world.org)


@pytest.fixture
def system(world):
    return save_system(
        AISystem(organization=world.org, name="Credit scoring", purpose="Score loans"),
        actor=world.owner,
    )


def errors_of(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


BIAS = {
    "title": "Unfair refusals for young applicants",
    "category": "fairness",
    "inherent_likelihood": 4,
    "inherent_impact": 5,
    "systems": ["credit-scoring"],
    "controls": ["A.6.2.4", "A.7.4"],
    "source": "C.3.4",
    "owner": "max.manager",
    "treatment": "modify",
    "treatment_due": "2030-06-30",
}


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_a_contributor_records_a_risk_with_its_links(world, api, system):
    response = api.post("/api/v1/risks", BIAS)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ref"] == "R-001"
    assert body["inherent_score"] == 20
    assert body["inherent_level"] == "critical"
    assert body["level"] == "critical"
    assert body["residual_score"] is None
    assert body["above_appetite"] is True
    assert body["needs_decision"] is True
    assert body["systems"] == ["credit-scoring"]
    assert sorted(body["controls"]) == ["A.6.2.4", "A.7.4"]
    risk = Risk.objects.get(organization=world.org, ref="R-001")
    assert risk.owner == world.manager
    assert risk.source.ref == "C.3.4"
    assert list(risk.systems.all()) == [system]
    assert risk.treatment_due == dt.date(2030, 6, 30)
    event = AuditEvent.objects.for_record(risk).get()
    assert (event.action, event.actor) == (Action.CREATE, world.contributor)


def test_unknown_or_foreign_links_are_named_and_nothing_is_saved(world, api, system):
    foreign = save_system(
        AISystem(organization=world.other_org, name="Their system", purpose="p"),
        actor=world.outsider,
    )
    response = api.post(
        "/api/v1/risks",
        {
            **BIAS,
            "systems": ["credit-scoring", "no-such-system", foreign.slug],
            "controls": ["A.99.1"],
            "source": "C.9.9",
            "owner": world.outsider.username,
        },
    )
    assert response.status_code == 422
    errors = errors_of(response)
    assert errors["systems"] == f"Unknown AI system: no-such-system, {foreign.slug}."
    assert errors["controls"] == "Unknown Annex A control: A.99.1."
    assert "C.9.9" in errors["source"]
    assert "owner" in errors
    assert not Risk.objects.exists()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"title": None}, "title", None),
        ({"category": "weather"}, "category", "Choose one of: fairness"),
        ({"treatment_due": "30/06/2030"}, "treatment_due", "Enter a date as YYYY-MM-DD."),
        ({"next_review": "2030-02-30"}, "next_review", "Enter a date as YYYY-MM-DD."),
        ({"inherent_impact": 9}, "inherent_impact", "Choose a value from 1 to 5."),
        ({"inherent_impact": 10**30}, "inherent_impact", "Choose a value from 1 to 5."),
        ({"inherent_likelihood": "high"}, "inherent_likelihood", "Enter a whole number."),
        ({"residual_likelihood": 2}, "residual_impact", "Give both residual"),
        ({"systems": "credit-scoring"}, "systems", "Give a list."),
    ],
)
def test_bad_input_is_named_field_by_field(world, api, system, change, field, message):
    response = api.post("/api/v1/risks", {**BIAS, **change})
    assert response.status_code == 422, response.content
    errors = errors_of(response)
    assert field in errors
    if message:
        assert errors[field].startswith(message)
    assert not Risk.objects.exists()


def test_patch_assesses_the_residual_risk(world, api, system):
    api.post("/api/v1/risks", BIAS)
    response = api.patch(
        "/api/v1/risks/R-001",
        {"residual_likelihood": 2, "residual_impact": 2, "status": "treated", "controls": []},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["residual_score"] == 4
    assert body["residual_level"] == "low"
    assert body["level"] == "low"
    assert body["above_appetite"] is False
    assert body["controls"] == []
    risk = Risk.objects.get(organization=world.org, ref="R-001")
    assert (risk.residual_likelihood, risk.residual_impact, risk.status) == (2, 2, "treated")
    assert not risk.controls.exists()
    assert list(risk.systems.all()) == [system]  # not sent, not changed


def test_risks_are_filtered(world, api, system):
    api.post("/api/v1/risks", BIAS)
    api.post(
        "/api/v1/risks",
        {"title": "Leak", "category": "privacy", "inherent_likelihood": 1, "inherent_impact": 2},
    )

    def refs(params):
        return [r["ref"] for r in api.get("/api/v1/risks", params).json()["items"]]

    assert refs({}) == ["R-001", "R-002"]
    assert refs({"needs_decision": "true"}) == ["R-001"]
    assert refs({"needs_decision": "false"}) == ["R-002"]
    assert refs({"category": "privacy"}) == ["R-002"]
    assert refs({"system": "credit-scoring"}) == ["R-001"]
    assert refs({"status": "closed"}) == []
    assert refs({"q": "leak"}) == ["R-002"]
    assert api.get("/api/v1/risks", {"status": "open-ish"}).status_code == 422
    assert api.get("/api/v1/risks", {"needs_decision": "maybe"}).status_code == 422


def test_someone_with_authority_accepts_a_risk_above_appetite(world, system):
    ApiClient.for_member(world.contributor, world.org).post("/api/v1/risks", BIAS)
    api = ApiClient.for_member(world.top_manager, world.org)
    response = api.post(
        "/api/v1/risks/R-001/acceptances",
        {"rationale": "Needed for launch; monitored weekly", "expires_on": in_days(90)},
    )
    assert response.status_code == 201, response.content
    assert response.json()["accepted_score"] == 20
    assert response.json()["authority"] == "Top management"
    risk = Risk.objects.get(organization=world.org, ref="R-001")
    acceptance = risk.acceptances.get()
    assert acceptance.decided_by == world.top_manager
    assert AuditEvent.objects.for_record(risk).filter(action=Action.DECISION).exists()
    body = api.get("/api/v1/risks/R-001").json()
    assert body["needs_decision"] is False
    assert len(body["acceptances"]) == 1


def test_an_acceptance_needs_a_future_date_and_a_rationale(world, system):
    ApiClient.for_member(world.contributor, world.org).post("/api/v1/risks", BIAS)
    api = ApiClient.for_member(world.manager, world.org)
    path = "/api/v1/risks/R-001/acceptances"
    response = api.post(path, {"rationale": "", "expires_on": in_days(-1)})
    assert response.status_code == 422
    assert set(errors_of(response)) == {"rationale", "expires_on"}
    response = api.post(path, {"rationale": "ok", "expires_on": "next year"})
    assert errors_of(response) == {"expires_on": "Enter a date as YYYY-MM-DD."}
    assert not RiskAcceptance.objects.exists()


def test_a_risk_within_appetite_needs_no_acceptance(world, system):
    api = ApiClient.for_member(world.manager, world.org)
    api.post(
        "/api/v1/risks",
        {"title": "Minor", "category": "privacy", "inherent_likelihood": 1, "inherent_impact": 1},
    )
    response = api.post(
        "/api/v1/risks/R-001/acceptances", {"rationale": "ok", "expires_on": in_days(30)}
    )
    assert response.status_code == 422
    assert "within appetite" in response.json()["errors"][0]["message"]
    assert not RiskAcceptance.objects.exists()


def test_the_list_does_not_query_per_row(world, api, system):
    from aims.catalog.models import Control

    controls = list(Control.objects.all()[:3])

    def add(n):
        risk = Risk(
            organization=world.org,
            title=f"Risk {n}",
            category="safety",
            inherent_likelihood=5,
            inherent_impact=5,
            owner=world.owner,
        )
        save_risk(risk, actor=world.owner, systems=[system], controls=controls)

    def count() -> int:
        api.get("/api/v1/risks")
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/risks").status_code == 200
        return len(queries)

    add(0)
    one = count()
    for n in range(1, 6):
        add(n)
    assert count() == one
