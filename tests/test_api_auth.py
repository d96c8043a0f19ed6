"""API tokens, roles and organization scoping, checked on every registered operation."""

import re

import pytest
from django.test import override_settings
from helpers import ApiClient

from aims.api.urls import operation_access
from aims.checks.models import Check, Kind, SourceType
from aims.checks.services import record_pipeline_run, save_check
from aims.checks.tasks import enqueue_run
from aims.evidence.models import Evidence
from aims.inventory.models import AISystem
from aims.inventory.proposals import TRANSITION
from aims.organizations.models import Access, Membership, Role
from aims.organizations.tokens import revoke_token
from aims.proposals.services import propose
from aims.risk.models import Risk
from aims.soa.models import SoAEntry
from aims.trail.models import AuditEvent
from tests.routes import add_area_records, api_access, api_bodies

PIPELINE_OPTIONS = {"label": "y", "prediction": "p", "sensitive": ["sex"]}
PIPELINE_STATISTICS = {
    "kind": "fairness",
    "version": 1,
    "sensitive": ["sex"],
    "positive_label": 1,
    "threshold": None,
    "groups": [
        {"values": ["F"], "tp": 30, "fp": 10, "tn": 40, "fn": 20},
        {"values": ["M"], "tp": 35, "fp": 12, "tn": 38, "fn": 15},
    ],
}

EXPECTED_ACCESS = {
    ("GET", "/me"): Access.READ,
    ("GET", "/lessons"): Access.READ,  # the test-only area (tests/fake_area), registered alone
    ("GET", "/systems"): Access.READ,
    ("POST", "/systems"): Access.CONTRIBUTE,
    ("GET", "/systems/{slug}"): Access.READ,
    ("PATCH", "/systems/{slug}"): Access.CONTRIBUTE,
    ("POST", "/systems/{slug}/transition"): Access.CONTRIBUTE,
    ("POST", "/systems/{slug}/transition-proposals"): Access.CONTRIBUTE,
    ("GET", "/systems/{slug}/gate"): Access.READ,
    ("GET", "/systems/{slug}/risk-sign-offs"): Access.READ,
    ("POST", "/systems/{slug}/risk-sign-offs"): Access.DECIDE,
    ("GET", "/risks"): Access.READ,
    ("POST", "/risks"): Access.CONTRIBUTE,
    ("GET", "/risks/{ref}"): Access.READ,
    ("PATCH", "/risks/{ref}"): Access.CONTRIBUTE,
    ("POST", "/risks/{ref}/acceptances"): Access.DECIDE,
    ("POST", "/risks/{ref}/plan-approval"): Access.DECIDE,
    ("GET", "/soa"): Access.READ,
    ("GET", "/soa/{control_ref}"): Access.READ,
    ("PATCH", "/soa/{control_ref}"): Access.CONTRIBUTE,
    ("GET", "/evidence"): Access.READ,
    ("POST", "/evidence"): Access.CONTRIBUTE,
    ("GET", "/evidence/{evidence_id}"): Access.READ,
    ("PATCH", "/evidence/{evidence_id}"): Access.CONTRIBUTE,
    ("GET", "/systems/{slug}/checks"): Access.READ,
    ("POST", "/systems/{slug}/checks"): Access.CONTRIBUTE,
    ("GET", "/checks/{check_id}"): Access.READ,
    ("PATCH", "/checks/{check_id}"): Access.CONTRIBUTE,
    ("GET", "/checks/{check_id}/runs"): Access.READ,
    ("POST", "/checks/{check_id}/runs"): Access.CONTRIBUTE,
    ("GET", "/checks/{check_id}/queued-runs/{task_id}"): Access.READ,
    ("GET", "/check-runs/{run_id}"): Access.READ,
    ("POST", "/systems/{slug}/check-runs"): Access.CONTRIBUTE,
    ("GET", "/proposals"): Access.READ,
    ("GET", "/proposals/{proposal_id}"): Access.READ,
    ("POST", "/proposals/{proposal_id}/approve"): Access.DECIDE,
    ("POST", "/proposals/{proposal_id}/refuse"): Access.DECIDE,
    **api_access(),  # the areas' own (tests/routes/<area>.py)
}


@pytest.fixture
def records(world):
    """One record of each kind in world.org, made through the API by the owner."""
    api = ApiClient.for_member(world.owner, world.org)
    system = api.post("/api/v1/systems", {"name": "Credit scoring", "purpose": "Score loans"})
    assert system.status_code == 201, system.content
    risk = api.post(
        "/api/v1/risks",
        {
            "title": "Unfair refusals",
            "category": "fairness",
            "inherent_likelihood": 5,
            "inherent_impact": 5,
            "systems": ["credit-scoring"],
        },
    )
    assert risk.status_code == 201, risk.content
    evidence = api.post_form(
        "/api/v1/evidence",
        {
            "title": "Model card",
            "kind": "link",
            "url": "https://example.test/card",
            "effective_from": "2025-01-01",
        },
    )
    assert evidence.status_code == 201, evidence.content
    system = AISystem.objects.get(organization=world.org, slug="credit-scoring")
    check = save_check(
        Check(
            organization=world.org,
            system=system,
            name="From CI",
            kind=Kind.FAIRNESS,
            source_type=SourceType.PIPELINE,
            options=PIPELINE_OPTIONS,
            thresholds=[],
        ),
        actor=world.owner,
    )
    run = record_pipeline_run(
        check,
        actor=world.owner,
        kind="fairness",
        statistics=PIPELINE_STATISTICS,
        report=None,
        fingerprint={},
        engine_version="1.0.0",
    )
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        queued = enqueue_run(check, actor=world.owner)
    proposal = propose(
        world.org,
        actor=world.contributor,
        kind=TRANSITION,
        record_of=system,
        summary="Move Credit scoring to Development",
        payload={"to_stage": "development"},
        reason="Ready to build",
    )
    values = {
        "proposal_id": proposal.pk,
        "slug": "credit-scoring",
        "ref": risk.json()["ref"],
        "control_ref": "A.6.2.4",
        "evidence_id": evidence.json()["id"],
        "check_id": check.pk,
        "run_id": run.pk,
        "task_id": queued.id,
    }
    objects = {
        "system": system,
        "risk": Risk.objects.get(organization=world.org, ref=values["ref"]),
        "evidence": Evidence.objects.get(pk=values["evidence_id"]),
        "check": check,
        "run": run,
    }
    return {**add_area_records(world, {"objects": objects})["api"], **values}


def fill(template: str, values: dict) -> str:
    return "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)


WRITE_BODIES = {
    ("POST", "/systems"): {"name": "Another", "purpose": "Something"},
    ("PATCH", "/systems/{slug}"): {"name": "Renamed"},
    ("POST", "/systems/{slug}/transition"): {"to_stage": "retired", "reason": "Done"},
    ("POST", "/systems/{slug}/transition-proposals"): {
        "to_stage": "deployment",
        "reason": "Validated",
    },
    ("POST", "/risks"): {
        "title": "Another",
        "category": "privacy",
        "inherent_likelihood": 1,
        "inherent_impact": 1,
    },
    ("PATCH", "/risks/{ref}"): {"title": "Renamed"},
    ("POST", "/risks/{ref}/plan-approval"): {},
    ("POST", "/systems/{slug}/risk-sign-offs"): {"conclusion": "Assessed; nothing significant."},
    ("POST", "/risks/{ref}/acceptances"): {
        "rationale": "Business need",
        "expires_on": "2099-01-01",
    },
    ("PATCH", "/soa/{control_ref}"): {
        "applicability": "excluded",
        "justification": "We build no AI ourselves.",
    },
    ("POST", "/evidence"): {"title": "New"},
    ("PATCH", "/evidence/{evidence_id}"): {"title": "Renamed"},
    ("POST", "/checks/{check_id}/runs"): {},
    ("POST", "/systems/{slug}/checks"): {
        "name": "Another",
        "kind": "fairness",
        "options": {"label": "y", "prediction": "y_hat", "sensitive": ["sex"]},
    },
    ("PATCH", "/checks/{check_id}"): {"name": "Renamed"},
    ("POST", "/proposals/{proposal_id}/approve"): {},
    ("POST", "/proposals/{proposal_id}/refuse"): {"reason": "No"},
    ("POST", "/systems/{slug}/check-runs"): {"kind": "fairness", "statistics": PIPELINE_STATISTICS},
    **api_bodies(),
}


def test_every_operation_declares_the_expected_access():
    assert operation_access() == EXPECTED_ACCESS


def test_it_refuses_a_request_without_a_token(world):
    response = ApiClient(None).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Send a valid API token")
    assert response.json()["errors"] == []
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer aims_not-a-real-token", "Bearer ", "Basic abc", "x"])
def test_it_refuses_a_bad_token(world, header):
    response = ApiClient(None).client.get("/api/v1/systems", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_it_refuses_a_revoked_token(world):
    api = ApiClient.for_member(world.contributor, world.org)
    assert api.get("/api/v1/me").status_code == 200
    token = world.contributor.api_tokens.get()
    revoke_token(token, actor=world.owner)
    assert api.get("/api/v1/me").status_code == 401


def test_it_refuses_the_token_of_someone_no_longer_a_member(world):
    api = ApiClient.for_member(world.contributor, world.org)
    Membership.objects.filter(user=world.contributor, organization=world.org).delete()
    assert api.get("/api/v1/me").status_code == 401


def test_a_session_cookie_is_not_enough(world):
    client = world.client(world.owner)
    assert client.get("/api/v1/me").status_code == 401


def test_me_says_who_the_token_speaks_for(world):
    response = ApiClient.for_member(world.top_manager, world.org, name="CI").get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == world.top_manager.username
    assert body["organization"] == {"slug": world.org.slug, "name": world.org.name}
    assert body["role"] == "viewer"
    assert body["is_top_management"] is True
    assert body["token_name"] == "CI"
    assert body["can"] == ["read", "decide"]


def test_a_token_acts_with_the_users_current_role(world):
    api = ApiClient.for_member(world.contributor, world.org)
    body = {"name": "Chatbot", "purpose": "Answer questions"}
    Membership.objects.filter(user=world.contributor, organization=world.org).update(
        role=Role.VIEWER
    )
    response = api.post("/api/v1/systems", body)
    assert response.status_code == 403
    assert "Viewer" in response.json()["detail"]
    assert not AISystem.objects.filter(name="Chatbot").exists()


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_read_only_roles_get_403_on_every_write(world, records, role):
    api = ApiClient.for_member(getattr(world, role), world.org)
    events = AuditEvent.objects.filter(organization=world.org).count()
    allowed = {Access.READ, Access.AUDIT} if role == "auditor" else {Access.READ}
    writes = [key for key, access in operation_access().items() if access not in allowed]
    assert set(writes) <= set(WRITE_BODIES)  # a body for every write (and READ actions)
    for method, template in writes:
        path = fill(template, records)
        if template == "/evidence":
            response = api.post_form(path, WRITE_BODIES[(method, template)])
        else:
            response = api.call(method, path, WRITE_BODIES[(method, template)])
        assert response.status_code == 403, (method, path, response.content)
        assert set(response.json()) == {"detail", "errors"}
    assert AuditEvent.objects.filter(organization=world.org).count() == events
    assert AISystem.objects.get(slug="credit-scoring").name == "Credit scoring"
    assert AISystem.objects.filter(organization=world.org).count() == 1
    assert Risk.objects.filter(organization=world.org).count() == 1
    assert (
        Evidence.objects.filter(organization=world.org).count() == 2
    )  # the model card and the recorded check run
    assert not Check.objects.filter(name__in=["Another", "Renamed"]).exists()


def test_a_contributor_cannot_accept_a_risk(world, records):
    api = ApiClient.for_member(world.contributor, world.org)
    path = f"/api/v1/risks/{records['ref']}/acceptances"
    response = api.post(path, WRITE_BODIES[("POST", "/risks/{ref}/acceptances")])
    assert response.status_code == 403
    assert not Risk.objects.get(ref=records["ref"], organization=world.org).acceptances.exists()


def test_every_read_answers_a_viewer(world, records):
    api = ApiClient.for_member(world.viewer, world.org)
    for (method, template), access in operation_access().items():
        if access == Access.READ:
            # a few reads are actions every member may take on their own behalf (acknowledging
            # a document they read, their reminder settings)
            body = WRITE_BODIES.get((method, template), {})
            response = api.call(method, fill(template, records), body)
            assert response.status_code == 200, (method, template, response.content)


def test_another_organizations_records_are_not_found(world, records):
    api = ApiClient.for_member(world.outsider, world.other_org)
    events = AuditEvent.objects.filter(organization=world.org).count()
    for (method, template), _access in operation_access().items():
        if "{" not in template or "{control_ref}" in template:
            continue  # lists answer the caller's own organization; every org has its own SoA
        path = fill(template, records)
        if method == "GET":
            response = api.get(path)
        else:
            response = api.call(method, path, WRITE_BODIES[(method, template)])
        assert response.status_code == 404, (method, path, response.content)
        assert response.json() == {"detail": "Not found in your organization.", "errors": []}
    assert AuditEvent.objects.filter(organization=world.org).count() == events
    assert api.get("/api/v1/systems").json()["count"] == 0
    assert api.get("/api/v1/risks").json()["count"] == 0
    assert api.get("/api/v1/evidence").json()["count"] == 0


def test_the_soa_of_a_token_is_its_own_organizations(world, records):
    api = ApiClient.for_member(world.outsider, world.other_org)
    response = api.patch(
        "/api/v1/soa/A.6.2.4",
        {"applicability": "excluded", "justification": "We build no AI ourselves."},
    )
    assert response.status_code == 200
    mine = SoAEntry.objects.get(organization=world.org, control__ref="A.6.2.4")
    theirs = SoAEntry.objects.get(organization=world.other_org, control__ref="A.6.2.4")
    assert mine.applicability == "undecided"
    assert theirs.applicability == "excluded"


def test_the_openapi_document_lists_every_operation_with_bearer_security(world):
    response = world.client(None).get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    for method, path in operation_access():
        operation = document["paths"]["/api/v1" + path][method.lower()]
        assert operation["security"], path
        assert operation["summary"], path
        assert operation["tags"], path
        assert "401" in operation["responses"], path
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) == len(EXPECTED_ACCESS)
    assert "accept_risk" in ids


def test_the_interactive_documentation_is_served_by_the_app(world):
    response = world.client(None).get("/api/v1/docs")
    assert response.status_code == 200
    assert b"cdn" not in response.content.lower()


def test_an_operation_that_declares_no_access_is_refused(world, rf):
    from django.core.exceptions import PermissionDenied

    from aims.api.auth import UNDECLARED
    from aims.organizations.tokens import issue_token

    _, secret = issue_token(user=world.owner, organization=world.org, name="t")
    request = rf.get("/api/v1/anything", HTTP_AUTHORIZATION=f"Bearer {secret}")
    with pytest.raises(PermissionDenied):
        UNDECLARED(request)


def test_invalid_input_to_another_organizations_record_is_still_not_found(world, records):
    api = ApiClient.for_member(world.outsider, world.other_org)
    for path in [
        f"/api/v1/systems/{records['slug']}/transition",
        f"/api/v1/risks/{records['ref']}/acceptances",
    ]:
        assert api.post(path, {}).status_code == 404
        assert api.raw("POST", path, "{not json").status_code == 404
    response = api.patch(f"/api/v1/evidence/{records['evidence_id']}", {"title": 5})
    assert response.status_code == 404
    # while in one's own organization the same input is named field by field
    own = ApiClient.for_member(world.owner, world.org)
    response = own.post(f"/api/v1/systems/{records['slug']}/transition", {})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"to_stage", "reason"}


def test_a_path_id_that_is_no_number_names_no_record(world, records):
    """An id of "²" (a digit to Python but no number) or of 30 digits (too large for the column)
    is a 404, never a server error, on every operation that names a record by id."""
    api = ApiClient.for_member(world.owner, world.org)
    for (method, template), _access in operation_access().items():
        ids = [n for n in re.findall(r"\{(\w+_id)\}", template) if n != "task_id"]  # a UUID
        if method != "GET" or not ids:
            continue
        for odd in ("%C2%B2", "9" * 30):
            path = fill(template, {**records, ids[-1]: odd})
            response = api.get(path)
            assert response.status_code == 404, (path, response.status_code)
