"""AI systems through the API: registering, changing, life-cycle transitions and gates."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from helpers import ApiClient

from aims.inventory.models import AISystem, LifecycleTransition, Stage
from aims.inventory.services import save_system
from aims.trail.models import Action, AuditEvent

CREDIT = {
    "name": "Credit scoring",
    "purpose": "Score consumer loan applications",
    "risk_tier": "high",
    "owner": "carla.contributor",
}


@pytest.fixture
def api(world):
    return ApiClient.for_member(world.contributor, world.org)


def errors_of(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_a_contributor_registers_a_system(world, api):
    response = api.post("/api/v1/systems", CREDIT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "credit-scoring"
    assert body["stage"] == "planning"
    assert body["owner"] == "carla.contributor"
    system = AISystem.objects.get(organization=world.org, slug="credit-scoring")
    assert system.risk_tier == "high"
    assert system.owner == world.contributor
    event = AuditEvent.objects.for_record(system).get()
    assert event.action == Action.CREATE
    assert event.actor == world.contributor


def test_it_names_each_missing_or_wrong_field_and_saves_nothing(world, api):
    response = api.post(
        "/api/v1/systems", {"risk_tier": "extreme", "affects_individuals": "perhaps"}
    )
    assert response.status_code == 422
    errors = errors_of(response)
    assert errors["name"] == "This field is required."
    assert errors["purpose"] == "This field is required."
    assert errors["risk_tier"].startswith("Choose one of: prohibited, high")
    assert errors["affects_individuals"] == "Enter true or false."
    assert not AISystem.objects.filter(organization=world.org).exists()


def test_it_refuses_an_owner_who_is_not_a_member(world, api):
    response = api.post("/api/v1/systems", {**CREDIT, "owner": world.outsider.username})
    assert response.status_code == 422
    assert "No member of this organization" in errors_of(response)["owner"]
    assert not AISystem.objects.filter(organization=world.org).exists()


def test_it_refuses_blank_text_and_a_bad_slug(world, api):
    response = api.post("/api/v1/systems", {"name": "X", "purpose": "", "slug": "not a slug!"})
    assert response.status_code == 422
    errors = errors_of(response)
    assert "purpose" in errors
    assert "slug" in errors
    assert not AISystem.objects.filter(organization=world.org).exists()


def test_it_refuses_a_slug_already_used(world, api):
    assert api.post("/api/v1/systems", CREDIT).status_code == 201
    response = api.post("/api/v1/systems", {**CREDIT, "slug": "credit-scoring"})
    assert response.status_code == 422
    assert "already uses" in errors_of(response)["slug"]
    assert AISystem.objects.filter(organization=world.org).count() == 1


@pytest.mark.parametrize(
    "body",
    ["{not json", "[1, 2]", '"text"', "null", '{"name": 5, "purpose": ["a"]}'],
)
def test_malformed_bodies_get_422_never_500(world, api, body):
    response = api.raw("POST", "/api/v1/systems", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]
    assert not AISystem.objects.filter(organization=world.org).exists()


def test_unknown_fields_are_reported(world, api):
    response = api.post("/api/v1/systems", {**CREDIT, "stage": "operation"})
    assert response.status_code == 422
    assert "stage" in errors_of(response)
    assert not AISystem.objects.filter(organization=world.org).exists()


def test_patch_changes_only_the_fields_sent(world, api):
    api.post("/api/v1/systems", CREDIT)
    response = api.patch(
        "/api/v1/systems/credit-scoring", {"intended_use": "Loan officers", "owner": None}
    )
    assert response.status_code == 200, response.content
    system = AISystem.objects.get(organization=world.org, slug="credit-scoring")
    assert system.intended_use == "Loan officers"
    assert system.owner is None
    assert system.name == "Credit scoring"
    assert system.risk_tier == "high"
    event = AuditEvent.objects.for_record(system).filter(action=Action.UPDATE).get()
    assert set(event.changes) == {"intended_use", "owner"}


def test_patch_cannot_change_the_stage_or_null_a_required_field(world, api):
    api.post("/api/v1/systems", CREDIT)
    response = api.patch("/api/v1/systems/credit-scoring", {"stage": "operation"})
    assert response.status_code == 422
    response = api.patch("/api/v1/systems/credit-scoring", {"name": None})
    assert response.status_code == 422
    assert "name" in errors_of(response)
    system = AISystem.objects.get(organization=world.org, slug="credit-scoring")
    assert (system.stage, system.name) == (Stage.PLANNING, "Credit scoring")


def test_a_blocked_transition_answers_409_with_the_unmet_requirements(world, api):
    api.post("/api/v1/systems", {**CREDIT, "owner": None})
    response = api.post(
        "/api/v1/systems/credit-scoring/transition",
        {"to_stage": "development", "reason": "Start building"},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["stage"] == "development"
    assert {r["code"] for r in body["requirements"]} == {"owner", "intended_use"}
    assert all(e["field"] == "to_stage" for e in body["errors"])
    system = AISystem.objects.get(organization=world.org, slug="credit-scoring")
    assert system.stage == Stage.PLANNING
    assert not LifecycleTransition.objects.filter(system=system).exists()


def test_a_transition_whose_gate_is_met_moves_the_system(world, api):
    api.post("/api/v1/systems", {**CREDIT, "intended_use": "Loan officers decide"})
    gate = api.get("/api/v1/systems/credit-scoring/gate").json()
    assert gate["stage"] == "development"
    assert gate["allowed"] is True
    response = api.post(
        "/api/v1/systems/credit-scoring/transition",
        {"to_stage": "development", "reason": "Design approved"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["from_stage"] == "planning"
    system = AISystem.objects.get(organization=world.org, slug="credit-scoring")
    assert system.stage == Stage.DEVELOPMENT
    event = AuditEvent.objects.for_record(system).get(action=Action.TRANSITION)
    assert event.note == "Design approved"
    assert event.actor == world.contributor


def test_a_transition_needs_a_reason_and_a_known_stage(world, api):
    api.post("/api/v1/systems", CREDIT)
    path = "/api/v1/systems/credit-scoring/transition"
    response = api.post(path, {"to_stage": "validation", "reason": " "})
    assert response.status_code == 422
    assert "reason" in errors_of(response)
    response = api.post(path, {"to_stage": "launched", "reason": "Go"})
    assert response.status_code == 422
    assert "to_stage" in errors_of(response)
    assert not LifecycleTransition.objects.exists()


def test_the_gate_lists_each_requirement(world, api):
    api.post("/api/v1/systems", CREDIT)
    response = api.get("/api/v1/systems/credit-scoring/gate", {"stage": "deployment"})
    assert response.status_code == 200
    body = response.json()
    assert body["can_enter"] is False
    met = {r["code"]: r["met"] for r in body["requirements"]}
    assert met == {
        "owner": True,
        "intended_use": False,
        "risk_tier": True,  # classified: high risk
        "risks_assessed": False,
        "risks_within_appetite": True,
        "fairness_check_passed": True,  # not marked as affecting individuals
        # what a high-risk system needs as well, unmet until the areas that record them exist
        "impact_assessment": False,
        "human_oversight": False,
        "technical_documentation": False,
        "event_logging": False,
        "act_obligations": False,  # the EU AI Act's obligations of a high-risk provider
    }
    assert api.get("/api/v1/systems/credit-scoring/gate", {"stage": "x"}).status_code == 422


def test_the_list_is_paginated_and_filtered(world, api):
    for n in range(5):
        tier = "high" if n % 2 else "minimal"
        system = AISystem(organization=world.org, name=f"System {n}", purpose="p", risk_tier=tier)
        save_system(system, actor=world.owner)
    response = api.get("/api/v1/systems", {"limit": 2, "offset": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert (body["limit"], body["offset"]) == (2, 2)
    assert [s["name"] for s in body["items"]] == ["System 2", "System 3"]
    high = api.get("/api/v1/systems", {"risk_tier": "high"}).json()
    assert {s["name"] for s in high["items"]} == {"System 1", "System 3"}
    assert api.get("/api/v1/systems", {"q": "system 4"}).json()["count"] == 1
    assert api.get("/api/v1/systems", {"stage": "operation"}).json()["count"] == 0
    assert api.get("/api/v1/systems", {"limit": 1000}).status_code == 422


def count_queries(api, path) -> int:
    api.get(path)  # the token's last-used time is written at most once a minute
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return len(queries)


def test_the_list_does_not_query_per_row(world, api):
    def add(n):
        system = AISystem(organization=world.org, name=f"S{n}", purpose="p", owner=world.owner)
        save_system(system, actor=world.owner)

    add(0)
    one = count_queries(api, "/api/v1/systems")
    for n in range(1, 6):
        add(n)
    assert count_queries(api, "/api/v1/systems") == one


def test_edge_inputs_get_422_never_500(world, api):
    assert api.get("/api/v1/systems", {"offset": 10**30}).status_code == 422
    response = api.post("/api/v1/systems", {"name": "a\x00b", "purpose": "p"})
    assert response.status_code == 422
    assert "null character" in errors_of(response)["name"]
    response = api.raw("POST", "/api/v1/evidence", "garbage", content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "The multipart form could not be read."
    assert not AISystem.objects.filter(organization=world.org).exists()


def test_a_new_version_through_the_api_is_a_material_change(world, api):
    api.post("/api/v1/systems", {**CREDIT, "version": "4.2"})
    system = AISystem.objects.get(organization=world.org, slug="credit-scoring")
    before = system.basis_changed_at

    renamed = api.patch("/api/v1/systems/credit-scoring", {"name": "Credit scoring PD"})
    assert AISystem.objects.get(pk=system.pk).basis_changed_at == before
    response = api.patch("/api/v1/systems/credit-scoring", {"version": "4.3"})

    assert renamed.status_code == response.status_code == 200, response.content
    assert response.json()["version"] == "4.3"
    system.refresh_from_db()
    assert system.version == "4.3"
    assert system.basis_changed_at > before
    assert response.json()["basis_changed_at"].startswith(
        system.basis_changed_at.date().isoformat()
    )
    event = AuditEvent.objects.for_record(system).filter(action=Action.UPDATE).order_by("pk").last()
    assert set(event.changes) == {"version"}  # the change trail records the version, not the time
