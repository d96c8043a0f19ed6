"""The Statement of Applicability through the API."""

import helpers
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from helpers import ApiClient

from aims.risk.models import Risk
from aims.soa.models import SoAEntry
from aims.trail.models import Action, AuditEvent


@pytest.fixture
def api(world):
    """An AIMS Manager: deciding on a control needs authority (tests/test_proposals.py shows a
    Contributor refused and proposing instead)."""
    return ApiClient.for_member(world.manager, world.org)


def make_risk(org, actor, title="Bias") -> Risk:
    return helpers.make_risk(org, actor=actor, title=title)


def entry(world, ref="A.6.2.4") -> SoAEntry:
    return SoAEntry.objects.get(organization=world.org, control__ref=ref)


def test_a_manager_decides_on_a_control(world, api):
    risk = make_risk(world.org, world.owner)
    response = api.patch(
        "/api/v1/soa/A.6.2.4",
        {
            "applicability": "applicable",
            "justification": "We develop models in house",
            "status": "implemented",
            "owner": "max.manager",
            "risks": [risk.ref],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["control"] == "A.6.2.4"
    assert body["objective"] == "A.6.2"
    assert body["risks"] == [risk.ref]
    assert body["flags"] == ["Implemented without current evidence"]
    saved = entry(world)
    assert (saved.applicability, saved.status) == ("applicable", "implemented")
    assert saved.owner == world.manager
    assert list(saved.risks.all()) == [risk]
    event = AuditEvent.objects.for_record(saved).get()
    assert (event.action, event.actor) == (Action.UPDATE, world.manager)


def test_a_decision_needs_a_justification(world, api):
    response = api.patch("/api/v1/soa/A.6.2.4", {"applicability": "excluded"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "justification",
            "message": "Say why this control is excluded; auditors ask for it either way.",
        }
    ]
    assert entry(world).applicability == "undecided"


def test_risks_of_another_organization_are_unknown(world, api):
    theirs = make_risk(world.other_org, world.outsider, title="Theirs")
    response = api.patch("/api/v1/soa/A.6.2.4", {"risks": [theirs.ref, "R-404"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "risks"
    assert "R-404" in response.json()["errors"][0]["message"]
    assert not entry(world).risks.exists()


def test_bad_values_are_named(world, api):
    response = api.patch("/api/v1/soa/A.6.2.4", {"applicability": "maybe", "status": 3})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"applicability", "status"}
    assert api.get("/api/v1/soa/A.99.9").status_code == 404


def test_the_list_is_filtered(world, api):
    api.patch(
        "/api/v1/soa/A.6.2.4",
        {"applicability": "applicable", "justification": "Every model is validated."},
    )
    api.patch(
        "/api/v1/soa/A.2.2",
        {
            "applicability": "applicable",
            "justification": "Every model is validated.",
            "status": "implemented",
        },
    )
    body = api.get("/api/v1/soa").json()
    assert body["count"] == SoAEntry.objects.filter(organization=world.org).count() > 30
    assert len(body["items"]) == min(50, body["count"])
    applicable = api.get("/api/v1/soa", {"applicability": "applicable"}).json()
    assert [e["control"] for e in applicable["items"]] == ["A.2.2", "A.6.2.4"]
    objective = api.get("/api/v1/soa", {"objective": "A.6.2"}).json()
    assert objective["count"] > 1
    assert {e["control"][:6] for e in objective["items"]} == {"A.6.2."}
    flagged = api.get("/api/v1/soa", {"flagged": "true"}).json()
    assert [e["control"] for e in flagged["items"]] == ["A.2.2"]
    assert api.get("/api/v1/soa", {"status": "done"}).status_code == 422


def test_the_list_does_not_query_per_row(world, api):
    risk = make_risk(world.org, world.owner)

    def count(limit) -> int:
        api.get("/api/v1/soa", {"limit": limit})
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/soa", {"limit": limit}).status_code == 200
        return len(queries)

    for e in SoAEntry.objects.filter(organization=world.org)[:10]:
        e.owner = world.owner
        e.save()
        e.risks.set([risk])
    assert count(1) == count(30)
