"""One rule for the risk register's filters: the register page, its CSV export and the API
narrow the register alike (aims.risk.filters.filtered)."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from helpers import ApiClient

from aims.inventory.models import AISystem
from aims.risk import services
from aims.risk.models import Risk

TODAY = timezone.localdate()


@pytest.fixture
def register(world):
    system = AISystem.objects.create(organization=world.org, name="Credit scoring", slug="credit")
    rows = [
        # title, likelihood, impact, fields
        ("Biased approvals", 4, 4, {"owner": world.manager, "category": "fairness"}),
        ("Slow batch", 1, 2, {"next_review": TODAY - dt.timedelta(days=3)}),
        ("Leak of scores", 3, 4, {"category": "privacy", "status": "in_treatment"}),
        ("Old model", 2, 2, {"status": "closed"}),
        ("Drift", 3, 3, {"residual_likelihood": 2, "residual_impact": 1}),
    ]
    risks = []
    for title, likelihood, impact, fields in rows:
        fields.setdefault("category", "safety")
        risk = services.save_risk(
            Risk(
                organization=world.org,
                title=title,
                inherent_likelihood=likelihood,
                inherent_impact=impact,
                **fields,
            ),
            actor=world.owner,
            systems=[system] if title != "Slow batch" else [],
        )
        risks.append(risk)
    services.accept_risk(
        risks[2],
        actor=world.owner,
        rationale="Contained",
        expires_on=TODAY + dt.timedelta(days=30),
    )
    return risks


def on_page(world, params) -> list[str]:
    response = world.client(world.viewer).get(
        reverse("risk_list", kwargs={"org": world.org.slug}), params
    )
    assert response.status_code == 200
    return [r.ref for r in response.context["risks"]]


def in_export(world, params) -> list[str]:
    response = world.client(world.viewer).get(
        reverse("risk_export_csv", kwargs={"org": world.org.slug}), params
    )
    return [row[0] for row in list(csv.reader(io.StringIO(response.content.decode())))[1:]]


def in_api(world, params) -> list[str]:
    api = ApiClient.for_member(world.viewer, world.org)
    response = api.get("/api/v1/risks", params)
    assert response.status_code == 200, response.content
    return [r["ref"] for r in response.json()["items"]]


CASES = [
    ({}, {}),
    ({"q": "batch"}, {"q": "batch"}),
    ({"category": "privacy"}, {"category": "privacy"}),
    ({"status": "closed"}, {"status": "closed"}),
    ({"level": "critical"}, {"level": "critical"}),
    ({"level": "low"}, {"level": "low"}),
    ({"system": "credit"}, {"system": "credit"}),
    ({"needs_decision": "on"}, {"needs_decision": "true"}),
    ({"overdue": "on"}, {"overdue": "true"}),
    ({"inherent_cell": "4-4"}, {"inherent_cell": "4-4"}),
    ({"residual_cell": "2-1"}, {"residual_cell": "2-1"}),
    ({"level": "high", "needs_decision": "on"}, {"level": "high", "needs_decision": "true"}),
]


@pytest.mark.parametrize("page_params,api_params", CASES)
def test_the_page_the_export_and_the_api_give_the_same_risks(
    world, register, page_params, api_params
):
    shown = on_page(world, page_params)
    assert shown == in_api(world, api_params)
    assert shown == in_export(world, page_params)


def test_each_filter_narrows_the_register(world, register):
    refs = {r.title: r.ref for r in register}
    assert in_api(world, {"needs_decision": "true"}) == [refs["Biased approvals"]]
    assert refs["Leak of scores"] in in_api(world, {"needs_decision": "false"})  # accepted
    assert in_api(world, {"overdue": "true"}) == [refs["Slow batch"]]
    assert in_api(world, {"level": "low"}) == [refs["Slow batch"], refs["Old model"], refs["Drift"]]


def test_the_owner_filter_agrees_by_member(world, register):
    manager_pk = str(world.manager.pk)
    assert on_page(world, {"owner": manager_pk}) == in_api(world, {"owner": "max.manager"})
    assert in_api(world, {"owner": "max.manager"}) == [register[0].ref]
    api = ApiClient.for_member(world.viewer, world.org)
    response = api.get("/api/v1/risks", {"owner": "oscar.outsider"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "owner"


def test_the_api_names_a_malformed_cell(world, register):
    api = ApiClient.for_member(world.viewer, world.org)
    response = api.get("/api/v1/risks", {"inherent_cell": "four-four"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "inherent_cell"
