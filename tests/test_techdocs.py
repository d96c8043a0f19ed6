"""Technical documentation: versions, approval, the high-risk gates, pages and API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from aims.catalog.loader import load_catalog
from aims.checks.models import Check, CheckRun, RunStatus
from aims.checks.models import Kind as CheckKind
from aims.core.errors import Refused
from aims.datasets.models import DataSet
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.inventory.services import save_system
from aims.techdocs import services
from aims.techdocs.models import ANNEX_IV_SECTIONS, Kind, Status, TechnicalDocument
from tests.helpers import ApiClient

FULL = {name: f"{label}: written." for name, label in ANNEX_IV_SECTIONS}


@pytest.fixture(autouse=True)
def catalog(db):
    load_catalog()


@pytest.fixture
def system(world):
    """A high-risk system at version 4.2, in validation: the deployment gate is next."""
    system = save_system(
        AISystem(
            organization=world.org,
            name="Credit scoring",
            purpose="Score loans",
            intended_use="Underwriters decide",
            human_oversight="Underwriters review every referral.",
            owner=world.manager,
            risk_tier=RiskTier.HIGH,
            version="4.2",
        ),
        actor=world.owner,
    )
    AISystem.objects.filter(pk=system.pk).update(stage=Stage.VALIDATION)
    system.refresh_from_db()
    return system


def draft(world, system, *, actor=None, **fields) -> TechnicalDocument:
    return services.save_draft(
        TechnicalDocument(organization=world.org, system=system, **fields),
        actor=actor or world.contributor,
    )


def approved(world, system, **fields) -> TechnicalDocument:
    document = draft(world, system, **{**FULL, **fields})
    services.submit_for_review(document, actor=world.contributor)
    return services.approve(document, actor=world.manager)


def gate(system, code):
    system.refresh_from_db()
    return next(r for r in system.gate(Stage.DEPLOYMENT) if r.requirement.code == code)


# --- Versions and approval ---------------------------------------------------------------------


def test_a_draft_takes_the_systems_version_and_the_default_control(world, system):
    document = draft(world, system, general_description="Scores loans")
    assert document.number == 1
    assert document.status == Status.DRAFT
    assert document.system_version == "4.2"
    assert document.author == world.contributor
    assert [c.ref for c in document.controls.all()] == ["A.6.2.7"]
    info = draft(world, system, kind=Kind.USER_INFO)
    assert [c.ref for c in info.controls.all()] == ["A.8.2"]


def test_a_version_goes_from_draft_to_review_to_approved(world, system):
    document = draft(world, system, **FULL)
    services.submit_for_review(document, actor=world.contributor)
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW
    assert document.submitted_by == world.contributor
    services.approve(document, actor=world.manager)
    document.refresh_from_db()
    assert document.status == Status.APPROVED
    assert document.approved_by == world.manager
    assert document.approved_at is not None


def test_submitting_needs_the_general_description(world, system):
    document = draft(world, system)
    with pytest.raises(ValidationError) as error:
        services.submit_for_review(document, actor=world.contributor)
    assert "general_description" in error.value.message_dict
    document.refresh_from_db()
    assert document.status == Status.DRAFT


def test_information_for_users_needs_audience_text_and_channel(world, system):
    document = draft(world, system, kind=Kind.USER_INFO)
    with pytest.raises(ValidationError) as error:
        services.submit_for_review(document, actor=world.contributor)
    assert set(error.value.message_dict) == {"audience", "user_text", "channel"}
    document.audience, document.channel = "affected", "Website"
    document.published_url = "https://example.test/ai"
    services.save_draft(document, actor=world.contributor)
    services.submit_for_review(document, actor=world.contributor)
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW


def test_the_author_may_not_approve_their_own_version(world, system):
    document = draft(world, system, actor=world.manager, **FULL)
    services.submit_for_review(document, actor=world.manager)
    with pytest.raises(PermissionDenied, match="no one approves their own"):
        services.approve(document, actor=world.manager)
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW
    assert document.approved_by is None


def test_a_member_without_authority_may_not_approve(world, system):
    document = draft(world, system, actor=world.manager, **FULL)
    services.submit_for_review(document, actor=world.manager)
    with pytest.raises(PermissionDenied):
        services.approve(document, actor=world.contributor)
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW


def test_only_a_version_in_review_is_approved(world, system):
    document = draft(world, system, **FULL)
    with pytest.raises(Refused, match="submit it for review first"):
        services.approve(document, actor=world.manager)
    document.refresh_from_db()
    assert document.status == Status.DRAFT


def test_an_approved_version_is_never_edited(world, system):
    document = approved(world, system)
    document.architecture = "Changed after approval"
    with pytest.raises(Refused, match="Start a new version"):
        services.save_draft(document, actor=world.contributor)
    with pytest.raises(Refused):
        document.save()  # the model's own guard, whatever code saves it
    document.refresh_from_db()
    assert document.architecture == FULL["architecture"]


def test_a_version_in_review_is_not_edited_nor_deleted(world, system):
    document = draft(world, system, **FULL)
    services.submit_for_review(document, actor=world.contributor)
    document.limitations = "Changed in review"
    with pytest.raises(Refused):
        services.save_draft(document, actor=world.contributor)
    with pytest.raises(Refused):
        services.delete_draft(document, actor=world.contributor)
    assert TechnicalDocument.objects.get(pk=document.pk).limitations == FULL["limitations"]


def test_a_new_version_copies_the_text_and_approving_it_supersedes_the_old(world, system):
    dataset = DataSet.objects.create(organization=world.org, name="Applications 2019-2024")
    first = approved(world, system)
    first.training_datasets.add(dataset)
    system.version = "4.3"
    save_system(system, actor=world.owner)
    second = services.new_version(first, actor=world.contributor, change_note="Retrained")
    assert second.number == 2
    assert second.status == Status.DRAFT
    assert second.system_version == "4.3"
    assert second.architecture == FULL["architecture"]
    assert list(second.training_datasets.all()) == [dataset]
    with pytest.raises(Refused, match="still draft"):
        services.new_version(first, actor=world.contributor)
    services.submit_for_review(second, actor=world.contributor)
    services.approve(second, actor=world.manager)
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    assert first.superseded_at is not None


def test_a_new_version_is_not_started_from_a_draft(world, system):
    document = draft(world, system)
    with pytest.raises(Refused):
        services.new_version(document, actor=world.contributor)
    assert TechnicalDocument.objects.count() == 1


def test_a_second_draft_of_the_same_kind_is_refused(world, system):
    draft(world, system)
    with pytest.raises(Refused, match="finish it"):
        draft(world, system)
    assert TechnicalDocument.objects.count() == 1


def test_data_sets_of_another_organization_are_refused(world, system):
    foreign = DataSet.objects.create(organization=world.other_org, name="Theirs")
    with pytest.raises(ValidationError) as error:
        services.save_draft(
            TechnicalDocument(organization=world.org, system=system),
            actor=world.contributor,
            datasets=[foreign],
        )
    assert "training_datasets" in error.value.message_dict
    assert not TechnicalDocument.objects.exists()


def test_approval_fixes_the_latest_check_results_into_the_version(world, system):
    check = Check.objects.create(
        organization=world.org, system=system, name="Approval parity", kind=CheckKind.FAIRNESS
    )
    thresholds = [
        {
            "metric": "demographic_parity_difference",
            "value": 0.04,
            "limit": 0.1,
            "op": "max",
            "passed": True,
            "message": "",
        }
    ]
    CheckRun.objects.create(
        definition=check, organization=world.org, status=RunStatus.FAILED, result={}
    )
    latest = CheckRun.objects.create(
        definition=check,
        organization=world.org,
        status=RunStatus.PASSED,
        result={"thresholds": thresholds},
    )
    document = approved(world, system)
    document.refresh_from_db()
    [result] = document.evaluation_results
    assert result["run_id"] == latest.pk
    assert result["status"] == "Passed"
    assert result["metrics"][0]["metric"] == "demographic_parity_difference"
    assert result["metrics"][0]["value"] == 0.04
    # a later run does not change the approved version, on the record or on its page
    CheckRun.objects.create(definition=check, organization=world.org, status=RunStatus.FAILED)
    document.refresh_from_db()
    assert document.evaluation_results[0]["run_id"] == latest.pk
    page = world.client(world.viewer).get(document.get_absolute_url()).content.decode()
    assert "demographic_parity_difference" in page and "0.040" in page
    assert f"/runs/{latest.pk}/" in page


def test_deleting_a_draft_and_only_a_draft(world, system):
    document = draft(world, system)
    services.delete_draft(document, actor=world.contributor)
    assert not TechnicalDocument.objects.exists()
    kept = approved(world, system)
    with pytest.raises(Refused):
        services.delete_draft(kept, actor=world.owner)
    assert TechnicalDocument.objects.filter(pk=kept.pk).exists()


# --- Gates -------------------------------------------------------------------------------------


def test_the_gates_are_unmet_without_documentation(world, system):
    result = gate(system, "technical_documentation")
    assert not result.met
    assert "No approved technical documentation for version 4.2" in result.detail
    assert "Art. 11" in result.label
    oversight = gate(system, "human_oversight")
    assert not oversight.met and "no approved technical documentation" in oversight.detail
    logging = gate(system, "event_logging")
    assert not logging.met and "logging section" in logging.detail
    assert not system.can_enter(Stage.DEPLOYMENT)


def test_approved_complete_documentation_meets_the_three_gates(world, system):
    document = approved(world, system)
    for code in ("technical_documentation", "human_oversight", "event_logging"):
        result = gate(system, code)
        assert result.met, (code, result.detail)
    assert f"Version {document.number}" in gate(system, "technical_documentation").detail


def test_a_draft_does_not_meet_the_gate_and_the_detail_says_so(world, system):
    draft(world, system, **FULL)
    result = gate(system, "technical_documentation")
    assert not result.met
    assert "Version 1 is draft" in result.detail


def test_the_gate_names_the_empty_annex_iv_sections(world, system):
    approved(world, system, architecture="", robustness="")
    result = gate(system, "technical_documentation")
    assert not result.met
    assert "Architecture and design choices" in result.detail
    assert "Accuracy, robustness and cybersecurity" in result.detail
    assert "Logging" not in result.detail


def test_documentation_of_an_older_version_does_not_count(world, system):
    approved(world, system)
    system.version = "4.3"
    save_system(system, actor=world.owner)
    result = gate(system, "technical_documentation")
    assert not result.met
    assert "version 4.3" in result.detail and "is for version 4.2" in result.detail


def test_human_oversight_needs_the_system_field_and_the_section(world, system):
    approved(world, system, oversight="")
    result = gate(system, "human_oversight")
    assert not result.met and "human oversight section" in result.detail
    system.human_oversight = ""
    save_system(system, actor=world.owner)
    result = gate(system, "human_oversight")
    assert "system's human oversight field is empty" in result.detail


def test_event_logging_needs_the_logging_section(world, system):
    approved(world, system, logging="")
    result = gate(system, "event_logging")
    assert not result.met and "logging section" in result.detail
    assert gate(system, "human_oversight").met


def test_the_gates_do_not_apply_to_a_limited_risk_system(world, system):
    system.risk_tier = RiskTier.LIMITED
    save_system(system, actor=world.owner)
    codes = {r.requirement.code for r in system.gate(Stage.DEPLOYMENT)}
    assert not codes & {"technical_documentation", "human_oversight", "event_logging"}


# --- Pages -------------------------------------------------------------------------------------


def test_the_pages_render_for_a_reader(world, system):
    document = approved(world, system)
    draft(world, system, kind=Kind.USER_INFO, user_text="<script>alert(1)</script>")
    client = world.client(world.viewer)
    org = world.org.slug
    listing = client.get(reverse("techdoc_list", kwargs={"org": org}))
    assert listing.status_code == 200
    assert "Credit scoring" in listing.content.decode()
    detail = client.get(document.get_absolute_url())
    body = detail.content.decode()
    assert detail.status_code == 200
    assert "Version history" in body and "Human oversight measures" in body
    info = TechnicalDocument.objects.get(kind=Kind.USER_INFO)
    info.organization = world.org
    body = client.get(info.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    system_page = client.get(system.get_absolute_url()).content.decode()
    assert 'id="technical-documentation"' in system_page


def test_the_list_filters_and_exports(world, system):
    approved(world, system)
    draft(world, system, kind=Kind.USER_INFO)
    client = world.client(world.viewer)
    url = reverse("techdoc_list", kwargs={"org": world.org.slug})
    body = client.get(url, {"kind": "user_info"}).content.decode()
    assert (
        "Information for users" in body and "Technical documentation / model card</td>" not in body
    )
    response = client.get(
        reverse("techdoc_export_csv", kwargs={"org": world.org.slug}), {"status": "approved"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count("\n") == 2  # header and the approved version
    assert "Approved" in text
    other = save_system(
        AISystem(organization=world.org, name="Chat assistant", purpose="p"), actor=world.owner
    )
    draft(world, other)
    url = reverse("techdoc_list", kwargs={"org": world.org.slug})
    # an unknown short id is not a choice: ignored, as the other lists ignore it
    for slug, count in ((system.slug, 2), (other.slug, 1), ("no-such-system", 3)):
        assert client.get(url, {"system": slug}).context["page_obj"].paginator.count == count


def test_creating_editing_submitting_and_approving_through_the_pages(world, system):
    org = world.org.slug
    client = world.client(world.contributor)
    response = client.post(
        reverse("techdoc_create", kwargs={"org": org}),
        {"system": system.pk, "kind": "technical", **FULL},
    )
    document = TechnicalDocument.objects.get()
    assert response.status_code == 302
    assert document.author == world.contributor
    client.post(
        reverse("techdoc_edit", kwargs={"org": org, "doc_id": document.pk}),
        {"system_version": "4.2", **FULL, "logging": "Scores kept 7 years."},
    )
    document.refresh_from_db()
    assert document.logging == "Scores kept 7 years."
    client.post(reverse("techdoc_submit", kwargs={"org": org, "doc_id": document.pk}))
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW
    # a contributor cannot approve; the manager can
    assert (
        client.post(
            reverse("techdoc_approve", kwargs={"org": org, "doc_id": document.pk})
        ).status_code
        == 403
    )
    world.client(world.manager).post(
        reverse("techdoc_approve", kwargs={"org": org, "doc_id": document.pk})
    )
    document.refresh_from_db()
    assert document.status == Status.APPROVED


def test_the_author_approving_through_the_page_is_refused(world, system):
    document = draft(world, system, actor=world.manager, **FULL)
    services.submit_for_review(document, actor=world.manager)
    client = world.client(world.manager)
    url = reverse("techdoc_approve", kwargs={"org": world.org.slug, "doc_id": document.pk})
    response = client.post(url, follow=True)
    assert "no one approves their own" in response.content.decode()
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW


def test_editing_an_approved_version_through_the_page_is_refused(world, system):
    document = approved(world, system)
    url = reverse("techdoc_edit", kwargs={"org": world.org.slug, "doc_id": document.pk})
    response = world.client(world.contributor).post(url, {**FULL, "architecture": "Changed"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.architecture == FULL["architecture"]


def test_a_draft_is_deleted_after_confirmation(world, system):
    document = draft(world, system)
    url = reverse("techdoc_delete", kwargs={"org": world.org.slug, "doc_id": document.pk})
    client = world.client(world.contributor)
    assert "Delete" in client.get(url).content.decode()
    assert TechnicalDocument.objects.exists()
    client.post(url)
    assert not TechnicalDocument.objects.exists()


def test_new_version_through_the_page_opens_the_draft(world, system):
    document = approved(world, system)
    url = reverse("techdoc_new_version", kwargs={"org": world.org.slug, "doc_id": document.pk})
    response = world.client(world.contributor).post(url)
    second = TechnicalDocument.objects.get(number=2)
    assert response.status_code == 302 and response.url.endswith(f"/{second.pk}/edit/")


# --- API ---------------------------------------------------------------------------------------


def test_the_api_writes_submits_and_approves(world, system):
    writer = ApiClient.for_member(world.contributor, world.org)
    response = writer.post("/api/v1/techdocs", {"system": system.slug, **FULL})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["system_version"] == "4.2"
    assert body["missing_sections"] == []
    doc_id = body["id"]
    assert writer.post(f"/api/v1/techdocs/{doc_id}/submit", {}).status_code == 200
    # the author (or anyone without authority) cannot approve
    assert writer.post(f"/api/v1/techdocs/{doc_id}/approve", {}).status_code == 403
    approver = ApiClient.for_member(world.manager, world.org)
    response = approver.post(f"/api/v1/techdocs/{doc_id}/approve", {})
    assert response.status_code == 200
    assert response.json()["approved_by"] == world.manager.username
    response = writer.patch(f"/api/v1/techdocs/{doc_id}", {"architecture": "Changed"})
    assert response.status_code == 409
    assert TechnicalDocument.objects.get(pk=doc_id).architecture == FULL["architecture"]
    response = writer.post(f"/api/v1/techdocs/{doc_id}/new-version", {})
    assert response.status_code == 201 and response.json()["number"] == 2
    new_id = response.json()["id"]
    assert writer.call("DELETE", f"/api/v1/techdocs/{doc_id}", {}).status_code == 409
    assert writer.call("DELETE", f"/api/v1/techdocs/{new_id}", {}).status_code == 204
    assert not TechnicalDocument.objects.filter(pk=new_id).exists()


def test_the_api_names_the_bad_fields(world, system):
    writer = ApiClient.for_member(world.contributor, world.org)
    response = writer.post(
        "/api/v1/techdocs",
        {"system": "nope", "training_datasets": [999], "published_url": "not a url"},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"system", "training_datasets"} <= fields
    assert not TechnicalDocument.objects.exists()


def test_the_api_self_approval_is_refused(world, system):
    manager = ApiClient.for_member(world.manager, world.org)
    doc_id = manager.post("/api/v1/techdocs", {"system": system.slug, **FULL}).json()["id"]
    manager.post(f"/api/v1/techdocs/{doc_id}/submit", {})
    response = manager.post(f"/api/v1/techdocs/{doc_id}/approve", {})
    assert response.status_code == 403
    assert TechnicalDocument.objects.get(pk=doc_id).status == Status.IN_REVIEW


# --- Demo --------------------------------------------------------------------------------------


def test_the_demo_credit_system_meets_the_documentation_gates(db):
    from aims.changes.models import PlannedChange
    from aims.changes.models import Status as ChangeStatus
    from aims.demo.loader import load_demo

    org, _owner, created = load_demo()
    assert created
    credit = AISystem.objects.get(organization=org, name="Credit scoring model")
    assert credit.risk_tier == RiskTier.HIGH
    results = {r.requirement.code: r for r in credit.gate(Stage.OPERATION)}
    for code in ("technical_documentation", "human_oversight", "event_logging"):
        assert results[code].met, (code, results[code].detail)
    documents = TechnicalDocument.objects.filter(system=credit, status=Status.APPROVED)
    assert {d.kind for d in documents} == {Kind.TECHNICAL, Kind.USER_INFO}
    technical = documents.get(kind=Kind.TECHNICAL)
    assert technical.evaluation_results  # the fairness check's run, fixed at approval
    assert TechnicalDocument.objects.filter(
        system__name="CV screening model", status=Status.IN_REVIEW
    ).exists()
    retrain = PlannedChange.objects.get(system=credit)
    assert retrain.status == ChangeStatus.APPROVED and retrain.new_version == "4.3"


def test_the_api_refuses_the_forbidden_paths_and_changes_nothing(world, system):
    writer = ApiClient.for_member(world.contributor, world.org)
    doc_id = writer.post("/api/v1/techdocs", {"system": system.slug}).json()["id"]
    path = f"/api/v1/techdocs/{doc_id}"
    response = writer.post(f"{path}/submit", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "general_description"
    assert writer.post(f"{path}/new-version", {}).status_code == 409
    manager = ApiClient.for_member(world.manager, world.org)
    assert manager.post(f"{path}/approve", {}).status_code == 409  # a draft, not in review
    assert writer.post("/api/v1/techdocs", {"system": system.slug}).status_code == 409
    response = writer.patch(path, {"kind": "user_info"})
    assert response.status_code == 422
    document = TechnicalDocument.objects.get()
    assert document.status == Status.DRAFT and document.kind == Kind.TECHNICAL


def test_the_delete_page_of_an_approved_version_sends_back_to_it(world, system):
    document = approved(world, system)
    url = reverse("techdoc_delete", kwargs={"org": world.org.slug, "doc_id": document.pk})
    client = world.client(world.owner)
    assert client.get(url).status_code == 302
    client.post(url)
    assert TechnicalDocument.objects.filter(pk=document.pk).exists()
