"""The impact assessment API: strict input, field-named errors, the life cycle and every
forbidden path refused with the database unchanged."""

from __future__ import annotations

from helpers import ApiClient
from impact_helpers import COMPLETE, make_system, signed, start, submitted

from aims.impact.models import Dimension, ImpactAssessment, Status
from aims.risk.models import Risk

BASE = "/api/v1/impact-assessments"


def errors_of(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def all_findings() -> dict:
    body = {d.value: dict(COMPLETE) for d in Dimension}
    body["environmental"] = {"not_relevant": True, "not_relevant_reason": "Negligible."}
    return body


def test_the_whole_life_cycle_through_the_api(world):
    make_system(world)
    author = ApiClient.for_member(world.contributor, world.org)
    signer = ApiClient.for_member(world.manager, world.org)

    created = author.post(BASE, {"system": "credit-scoring", "affected_individuals": "Applicants"})
    assert created.status_code == 201, created.content
    body = created.json()
    number = body["id"]
    assert body["status"] == "draft" and body["system_version"] == "4.2"
    assert [f["dimension"] for f in body["findings"]] == [d.value for d in Dimension]

    findings = author.patch(f"{BASE}/{number}/findings", all_findings())
    assert findings.status_code == 200, findings.content
    submitted_ = author.post(f"{BASE}/{number}/submit")
    assert submitted_.status_code == 200 and submitted_.json()["status"] == "submitted"
    signed_ = signer.post(f"{BASE}/{number}/sign-off", {"note": "Reviewed."})
    assert signed_.status_code == 200, signed_.content
    assert signed_.json()["status"] == "signed_off"
    assert signed_.json()["signed_by"] == "max.manager"
    assert signed_.json()["signer_authority"] == "AIMS Manager"
    assert signed_.json()["is_current"] and signed_.json()["currency"] == "current"

    risk = author.post(f"{BASE}/{number}/findings/fairness/raise-risk")
    assert risk.status_code == 201, risk.content
    assert risk.json()["ref"] == "R-001" and risk.json()["category"] == "fairness"
    assert author.get(f"{BASE}/{number}").json()["findings"][0]["risks"] == ["R-001"]

    again = author.post(f"{BASE}/{number}/reassess")
    assert again.status_code == 201 and again.json()["previous"] == number
    listed = author.get(BASE, {"status": "signed_off"}).json()
    assert [a["id"] for a in listed["items"]] == [number]
    assert (
        author.get(BASE, {"currency": "current", "system": "credit-scoring"}).json()["count"] == 1
    )


def test_input_is_strict_and_errors_name_the_field(world):
    assessment = start(world, make_system(world))
    api = ApiClient.for_member(world.contributor, world.org)

    unknown = api.post(BASE, {"system": "nope", "colour": "red"})
    bad_findings = api.patch(
        f"{BASE}/{assessment.pk}/findings",
        {"fairness": {"severity": 7, "residual": "tiny"}, "moon": {}},
    )
    no_reason = api.patch(f"{BASE}/{assessment.pk}/findings", {"safety": {"not_relevant": True}})
    incomplete = api.post(f"{BASE}/{assessment.pk}/submit")

    assert unknown.status_code == 422 and "colour" in errors_of(unknown)
    assert bad_findings.status_code == 422
    fields = errors_of(bad_findings)
    assert "fairness.severity" in fields and "fairness.residual" in fields and "moon" in fields
    assert no_reason.status_code == 422
    assert "safety.not_relevant_reason" in errors_of(no_reason)
    assert incomplete.status_code == 422 and "privacy.consequences" in errors_of(incomplete)
    unknown_system = api.post(BASE, {"system": "nope"})
    assert unknown_system.status_code == 422
    assert errors_of(unknown_system)["system"] == "Unknown AI system: nope."
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT
    assert not assessment.findings.exclude(severity=None).exists()


def test_the_author_and_non_authority_are_refused_sign_off(world):
    assessment = submitted(world, make_system(world), author=world.manager)

    own = ApiClient.for_member(world.manager, world.org).post(f"{BASE}/{assessment.pk}/sign-off")
    contributor = ApiClient.for_member(world.contributor, world.org).post(
        f"{BASE}/{assessment.pk}/sign-off"
    )

    assert own.status_code == 403 and "You wrote this assessment" in own.json()["detail"]
    assert contributor.status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED and assessment.signed_by is None


def test_a_signed_off_assessment_is_not_changed_nor_deleted(world):
    assessment = signed(world, make_system(world))
    api = ApiClient.for_member(world.owner, world.org)

    patch = api.patch(f"{BASE}/{assessment.pk}", {"title": "Changed"})
    findings = api.patch(f"{BASE}/{assessment.pk}/findings", {"fairness": {"severity": 1}})
    delete = api.call("DELETE", f"{BASE}/{assessment.pk}")
    again = api.post(f"{BASE}/{assessment.pk}/sign-off")
    submit = api.post(f"{BASE}/{assessment.pk}/submit")

    assert patch.status_code == findings.status_code == delete.status_code == 409
    assert "Reassess it" in patch.json()["detail"]
    assert again.status_code == 409 and "signed off already" in again.json()["detail"]
    assert submit.status_code == 409
    assessment.refresh_from_db()
    assert assessment.title != "Changed" and assessment.status == Status.SIGNED_OFF
    assert assessment.findings.get(dimension="fairness").severity == 4


def test_a_draft_is_deleted_and_another_organizations_is_not_found(world):
    assessment = start(world, make_system(world))
    outsider = ApiClient.for_member(world.outsider, world.other_org)
    api = ApiClient.for_member(world.contributor, world.org)

    hidden = outsider.call("DELETE", f"{BASE}/{assessment.pk}")
    deleted = api.call("DELETE", f"{BASE}/{assessment.pk}")

    assert hidden.status_code == 404
    assert deleted.status_code == 204
    assert not ImpactAssessment.objects.filter(pk=assessment.pk).exists()


def test_raise_risk_refusals(world):
    assessment = start(world, make_system(world))
    api = ApiClient.for_member(world.contributor, world.org)
    api.patch(
        f"{BASE}/{assessment.pk}/findings",
        {"safety": {"not_relevant": True, "not_relevant_reason": "No physical effect."}},
    )

    unscored = api.post(f"{BASE}/{assessment.pk}/findings/fairness/raise-risk")
    irrelevant = api.post(f"{BASE}/{assessment.pk}/findings/safety/raise-risk")
    unknown = api.post(f"{BASE}/{assessment.pk}/findings/weather/raise-risk")

    assert unscored.status_code == 422 and "fairness.severity" in errors_of(unscored)
    assert irrelevant.status_code == 409
    assert unknown.status_code == 422
    assert not Risk.objects.exists()
