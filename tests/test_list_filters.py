"""The inventory's and the evidence register's list filters are one rule each, shared by the
page and the API: the same filter gives the same records in both."""

import datetime as dt

from helpers import ApiClient, make_system

from aims.evidence.models import Evidence
from aims.evidence.services import create_evidence
from aims.inventory.models import RiskTier


def page_systems(world, **params) -> set[str]:
    response = world.client(world.viewer).get(f"/o/{world.org.slug}/systems/", params)
    return {system.slug for system in response.context["page_obj"]}


def api_systems(world, **params) -> set[str]:
    api = ApiClient.for_member(world.viewer, world.org)
    return {s["slug"] for s in api.get("/api/v1/systems", params).json()["items"]}


def test_the_inventory_page_and_api_filter_alike(world):
    for name, purpose, tier in [
        ("Credit scoring", "Scores loan applications", RiskTier.HIGH),
        ("Chat assistant", "Answers customers", RiskTier.LIMITED),
        ("CV screening", "Ranks job applications", RiskTier.HIGH),
    ]:
        make_system(world.org, actor=world.owner, name=name, purpose=purpose, risk_tier=tier)
    for page_params, api_params, expected in [
        ({"q": "credit"}, {"q": "credit"}, {"credit-scoring"}),
        ({"q": "customers"}, {"q": "customers"}, {"chat-assistant"}),
        ({"tier": "high"}, {"risk_tier": "high"}, {"credit-scoring", "cv-screening"}),
        ({"q": "cv", "tier": "high"}, {"q": "cv", "risk_tier": "high"}, {"cv-screening"}),
    ]:
        assert page_systems(world, **page_params) == expected
        assert api_systems(world, **api_params) == expected


def evidence(world, title, **fields):
    return create_evidence(
        Evidence(
            organization=world.org,
            title=title,
            kind="link",
            url="https://example.test/doc",
            effective_from=dt.date(2025, 1, 1),
            **fields,
        ),
        actor=world.owner,
    )


def test_the_evidence_page_and_api_filter_alike(world):
    evidence(world, "Bias test report", description="Parity by age band")
    evidence(world, "AI policy", valid_until=dt.date(2025, 6, 1))
    evidence(world, "Model card")
    client = world.client(world.viewer)
    api = ApiClient.for_member(world.viewer, world.org)
    for page_params, api_params, expected in [
        ({"q": "age band"}, {"q": "age band"}, {"Bias test report"}),
        ({"state": "expired"}, {"expired": "true"}, {"AI policy"}),
        ({"q": "card", "kind": "link"}, {"q": "card", "kind": "link"}, {"Model card"}),
    ]:
        page = client.get(f"/o/{world.org.slug}/evidence/", page_params)
        assert {e.title for e in page.context["page_obj"].object_list} == expected
        listed = api.get("/api/v1/evidence", api_params).json()["items"]
        assert {e["title"] for e in listed} == expected
