"""The context area's API: issues, parties, obligations, scope versions and system roles."""

from __future__ import annotations

from aims.context.models import Issue, Obligation, ScopeStatus, ScopeVersion, SystemRole
from aims.risk.models import Risk
from tests.helpers import ApiClient, make_system

ISSUE = {"title": "Consumer Duty", "side": "external", "category": "legal"}


def test_an_issue_is_created_read_changed_and_listed(world):
    api = ApiClient.for_member(world.contributor, world.org)
    created = api.post("/api/v1/context/issues", {**ISSUE, "owner": "max.manager"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["ref"] == "ISS-001" and body["owner"] == "max.manager"
    assert body["clauses"] == ["4.1"]
    changed = api.patch(f"/api/v1/context/issues/{body['id']}", {"status": "addressed"})
    assert changed.status_code == 200 and changed.json()["status"] == "addressed"
    assert Issue.objects.get().status == "addressed"
    listed = api.get("/api/v1/context/issues", {"status": "addressed"}).json()
    assert listed["count"] == 1
    assert api.get("/api/v1/context/issues", {"status": "open"}).json()["count"] == 0


def test_invalid_issue_input_names_the_field(world):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post("/api/v1/context/issues", {**ISSUE, "category": "vibes"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "category"
    response = api.post("/api/v1/context/issues", {**ISSUE, "review_date": "2001-01-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "review_date"
    assert not Issue.objects.exists()


def test_a_risk_is_raised_from_an_issue(world):
    api = ApiClient.for_member(world.contributor, world.org)
    issue_id = api.post("/api/v1/context/issues", ISSUE).json()["id"]
    response = api.post(
        f"/api/v1/context/issues/{issue_id}/risks",
        {"inherent_likelihood": 2, "inherent_impact": 5},
    )
    assert response.status_code == 201, response.json()
    risk = Risk.objects.get()
    assert response.json()["ref"] == risk.ref and response.json()["issue"] == issue_id
    assert api.get(f"/api/v1/context/issues/{issue_id}").json()["risks"] == [risk.ref]


def test_a_risk_is_not_raised_with_true_as_its_likelihood(world):
    # true used to be read as the likelihood 1.
    api = ApiClient.for_member(world.contributor, world.org)
    issue_id = api.post("/api/v1/context/issues", ISSUE).json()["id"]
    response = api.post(
        f"/api/v1/context/issues/{issue_id}/risks",
        {"inherent_likelihood": True, "inherent_impact": 5},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "inherent_likelihood", "message": "Enter a whole number."}
    ]
    assert not Risk.objects.exists()


def test_an_id_int_cannot_read_is_not_found(world):
    # "²" is a digit to str.isdigit() but not to int(): checking the record used to answer 500.
    api = ApiClient.for_member(world.contributor, world.org)
    issue_id = api.post("/api/v1/context/issues", ISSUE).json()["id"]
    assert api.get("/api/v1/context/issues/%C2%B2").status_code == 404
    response = api.patch("/api/v1/context/issues/%C2%B2", {"title": "Changed"})
    assert response.status_code == 404
    assert Issue.objects.get(pk=issue_id).title == ISSUE["title"]


def test_a_viewer_cannot_write(world):
    api = ApiClient.for_member(world.viewer, world.org)
    assert api.post("/api/v1/context/issues", ISSUE).status_code == 403
    assert api.post("/api/v1/context/obligations/catalogue", {"keys": []}).status_code == 403
    assert not Issue.objects.exists()


def test_scope_versions_follow_their_rules_through_the_api(world):
    author = ApiClient.for_member(world.manager, world.org)
    created = author.post("/api/v1/context/scope-versions", {"statement": "Lending AI."})
    assert created.status_code == 201
    version_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["clauses"] == ["4.3"]
    second = author.post("/api/v1/context/scope-versions", {"statement": "Another."})
    assert second.status_code == 409
    refused = author.post(f"/api/v1/context/scope-versions/{version_id}/approve")
    assert refused.status_code == 409  # the author does not approve their own draft
    contributor = ApiClient.for_member(world.contributor, world.org)
    assert (
        contributor.post(f"/api/v1/context/scope-versions/{version_id}/approve").status_code == 403
    )
    approver = ApiClient.for_member(world.owner, world.org)
    approved = approver.post(f"/api/v1/context/scope-versions/{version_id}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "olivia.owner"
    frozen = author.patch(f"/api/v1/context/scope-versions/{version_id}", {"statement": "X"})
    assert frozen.status_code == 409
    again = approver.post(f"/api/v1/context/scope-versions/{version_id}/approve")
    assert again.status_code == 409
    assert ScopeVersion.objects.get().status == ScopeStatus.APPROVED
    assert ScopeVersion.objects.get().statement == "Lending AI."


def test_obligations_from_the_catalogue_are_added_once(world):
    system = make_system(world.org, actor=world.owner)
    api = ApiClient.for_member(world.contributor, world.org)
    listed = api.get("/api/v1/context/obligations/catalogue").json()
    assert listed[0]["key"] == "eu-ai-act-art-9" and not listed[0]["in_register"]
    body = {"keys": ["eu-ai-act-art-9", "gdpr-art-22"], "systems": [system.slug]}
    first = api.post("/api/v1/context/obligations/catalogue", body)
    assert first.status_code == 201
    assert [o["systems"] for o in first.json()["created"]] == [[system.slug], [system.slug]]
    second = api.post("/api/v1/context/obligations/catalogue", body)
    assert second.json() == {"created": [], "skipped": ["EU AI Act Art. 9", "GDPR Art. 22"]}
    bad = api.post("/api/v1/context/obligations/catalogue", {"keys": ["eu-ai-act-art-10", "x"]})
    # The field the request names: the service says articles, the form's field.
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "keys"
    assert Obligation.objects.count() == 2
    filtered = api.get("/api/v1/context/obligations", {"system": system.slug}).json()
    assert filtered["count"] == 2


def test_system_roles_through_the_api(world):
    system = make_system(world.org, actor=world.owner)
    api = ApiClient.for_member(world.contributor, world.org)
    created = api.post(
        "/api/v1/context/system-roles",
        {"system": system.slug, "iso_roles": ["customer", "user"], "eu_roles": ["deployer"]},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["iso_roles"] == ["customer", "user"]
    duplicate = api.post(
        "/api/v1/context/system-roles", {"system": system.slug, "iso_roles": ["user"]}
    )
    assert duplicate.status_code == 422
    wrong = api.patch(
        f"/api/v1/context/system-roles/{created.json()['id']}", {"eu_roles": ["emperor"]}
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "eu_roles"
    assert SystemRole.objects.get().eu_roles == ["deployer"]
    listed = api.get("/api/v1/context/system-roles", {"eu_role": "deployer"}).json()
    assert listed["count"] == 1


def test_another_organizations_records_are_not_found_through_the_api(world):
    mine = ApiClient.for_member(world.contributor, world.org)
    issue_id = mine.post("/api/v1/context/issues", ISSUE).json()["id"]
    theirs = ApiClient.for_member(world.outsider, world.other_org)
    assert theirs.get(f"/api/v1/context/issues/{issue_id}").status_code == 404
    assert theirs.patch(f"/api/v1/context/issues/{issue_id}", {"title": "X"}).status_code == 404
    assert theirs.get("/api/v1/context/issues").json()["count"] == 0
    assert Issue.objects.get().title == "Consumer Duty"
