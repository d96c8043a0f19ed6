"""The documents API: documents, versions, the approval rules, acknowledgements and templates."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.documents.models import Acknowledgement, Document, DocumentReview, State, Status
from tests.helpers import ApiClient

API = "/api/v1"


def create(api, **fields):
    body = {"title": "AI policy", "kind": "policy", "content": "# Policy\n\nWe commit.\n"}
    body.update(fields)
    return api.post(f"{API}/documents", body)


def test_the_ai_policy_journey_through_the_api(world):
    manager = ApiClient.for_member(world.manager, world.org)
    response = create(manager, is_ai_policy=True, clauses=["5.2"], controls=["A.2.2"])
    assert response.status_code == 201, response.content
    document = response.json()
    assert document["status"] == "draft" and document["latest_version"] == 1
    assert document["clauses"] == ["5.2"] and document["controls"] == ["A.2.2"]
    base = f"{API}/documents/{document['id']}"

    response = manager.post(f"{base}/versions/1/approve")
    assert response.status_code == 409  # a draft is not in review
    assert manager.post(f"{base}/versions/1/submit").status_code == 200
    assert manager.patch(f"{base}/versions/1", {"content": "x"}).status_code == 409

    response = manager.post(f"{base}/versions/1/approve")  # its author
    assert response.status_code == 403 and "You wrote version 1" in response.json()["detail"]
    owner = ApiClient.for_member(world.owner, world.org)  # top management, not the author
    top = ApiClient.for_member(world.top_manager, world.org)
    response = top.post(f"{base}/versions/1/approve", {"note": "Board approval."})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved"
    assert response.json()["approved_by"] == "tina.topmgmt"
    assert owner.post(f"{base}/versions/1/approve").status_code == 409  # approved already

    viewer = ApiClient.for_member(world.viewer, world.org)
    response = viewer.post(f"{base}/acknowledge")
    assert response.status_code == 200 and response.json()["version"] == 1
    assert Acknowledgement.objects.filter(user=world.viewer, version__number=1).count() == 1

    response = manager.post(f"{base}/versions", {"content": "# Policy v2\n", "change_note": "v2"})
    assert response.status_code == 201 and response.json()["number"] == 2
    response = manager.patch(f"{base}/versions/2", {"content": "# Policy v2, better\n"})
    assert response.status_code == 200 and response.json()["content"] == "# Policy v2, better\n"
    assert manager.patch(f"{base}/versions/1", {"content": "rewrite"}).status_code == 409
    assert manager.post(f"{base}/versions/2/submit").status_code == 200
    response = manager.post(f"{base}/versions/2/refuse", {"reason": ""})
    assert response.status_code == 422
    response = manager.post(f"{base}/versions/2/refuse", {"reason": "Add the scope."})
    assert response.status_code == 200 and response.json()["state"] == "draft"
    assert response.json()["refusal_reason"] == "Add the scope."

    versions = viewer.get(f"{base}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert versions["items"][1]["state"] == State.APPROVED


def test_a_contributor_cannot_approve_and_a_manager_cannot_approve_the_ai_policy(world):
    contributor = ApiClient.for_member(world.contributor, world.org)
    document = create(contributor, is_ai_policy=True).json()
    base = f"{API}/documents/{document['id']}"
    assert contributor.post(f"{base}/versions/1/submit").status_code == 200
    assert contributor.post(f"{base}/versions/1/approve").status_code == 403
    manager = ApiClient.for_member(world.manager, world.org)
    response = manager.post(f"{base}/versions/1/approve")
    assert response.status_code == 403 and "top management" in response.json()["detail"]
    assert Document.objects.get(pk=document["id"]).status == Status.IN_REVIEW


def test_acknowledging_a_document_without_an_approved_version_is_refused(world):
    manager = ApiClient.for_member(world.manager, world.org)
    document = create(manager, title="Draft", kind="procedure").json()
    viewer = ApiClient.for_member(world.viewer, world.org)
    response = viewer.post(f"{API}/documents/{document['id']}/acknowledge")
    assert response.status_code == 409
    assert not Acknowledgement.objects.exists()


def test_a_second_ai_policy_and_a_past_review_date_are_refused_by_field(world):
    manager = ApiClient.for_member(world.manager, world.org)
    assert create(manager, is_ai_policy=True).status_code == 201
    response = create(manager, title="Another", is_ai_policy=True)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "is_ai_policy"
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = create(manager, title="Late", kind="procedure", next_review=yesterday)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["next_review"]
    document = Document.objects.get(title="AI policy")
    response = manager.patch(f"{API}/documents/{document.pk}", {"next_review": yesterday})
    assert response.status_code == 422
    response = manager.patch(
        f"{API}/documents/{document.pk}", {"audience_roles": ["manager"], "owner": "nobody"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "owner"


def test_reviews_filters_templates_and_retirement(world):
    manager = ApiClient.for_member(world.manager, world.org)
    response = manager.post(f"{API}/documents/from-template", {"template": "ai-risk-management"})
    assert response.status_code == 201, response.content
    document = response.json()
    assert document["kind"] == "procedure" and "6.1.2" in document["clauses"]
    templates = manager.get(f"{API}/document-templates").json()
    assert {t["key"] for t in templates} >= {"ai-policy", "communication-plan"}
    assert manager.post(f"{API}/documents/from-template", {"template": "x"}).status_code == 422

    base = f"{API}/documents/{document['id']}"
    response = manager.post(f"{base}/reviews", {"note": "Still fit.", "next_review": "2000-01-01"})
    assert response.status_code == 422 and not DocumentReview.objects.exists()
    response = manager.post(f"{base}/reviews", {"note": "Still fit."})
    assert response.status_code == 201

    listed = manager.get(f"{API}/documents", {"kind": "procedure", "q": "risk"}).json()
    assert listed["count"] == 1
    assert manager.get(f"{API}/documents", {"kind": "policy"}).json()["count"] == 0
    assert manager.get(f"{API}/documents", {"overdue": "true"}).json()["count"] == 0

    contributor = ApiClient.for_member(world.contributor, world.org)
    assert contributor.post(f"{base}/retire", {"reason": "Old"}).status_code == 403
    response = manager.post(f"{base}/retire", {"reason": "Replaced."})
    assert response.status_code == 200 and response.json()["status"] == "retired"
    assert manager.post(f"{base}/retire", {"reason": "Again"}).status_code == 409
    assert manager.post(f"{base}/versions", {"content": "x"}).status_code == 409


def test_numbers_for_yes_or_no_and_true_for_a_number_are_refused(world):
    # 1 used to be read as true (the AI policy), true as a review cycle of one month.
    manager = ApiClient.for_member(world.manager, world.org)
    response = create(manager, is_ai_policy=1)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "is_ai_policy", "message": "Enter true or false."}
    ]
    response = create(manager, review_months=True)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "review_months", "message": "Enter a whole number."}
    ]
    assert not Document.objects.exists()


def test_another_organizations_document_is_not_found(world):
    manager = ApiClient.for_member(world.manager, world.org)
    document = create(manager).json()
    outsider = ApiClient.for_member(world.outsider, world.other_org)
    assert outsider.get(f"{API}/documents/{document['id']}").status_code == 404
    assert outsider.post(f"{API}/documents/{document['id']}/acknowledge").status_code == 404
    assert outsider.get(f"{API}/documents").json()["count"] == 0
