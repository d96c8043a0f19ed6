"""Planned changes: proposing, deciding, implementing (and what it reopens), pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from aims.catalog.loader import load_catalog
from aims.catalog.models import Clause, Control
from aims.changes import services
from aims.changes.area import overdue_changes
from aims.changes.models import Kind, PlannedChange, Status
from aims.core.areas import control_records
from aims.core.errors import Refused
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.inventory.services import save_system
from aims.risk.models import Risk, RiskAssessmentSignOff
from aims.risk.models import Status as RiskStatus
from aims.risk.services import save_risk, sign_no_significant_risks
from tests.helpers import ApiClient


@pytest.fixture(autouse=True)
def catalog(db):
    load_catalog()


@pytest.fixture
def system(world):
    """A limited-risk system in operation at version 4.2, its risk assessment signed."""
    system = save_system(
        AISystem(
            organization=world.org,
            name="Credit scoring",
            purpose="Score loans",
            intended_use="Underwriters decide",
            owner=world.manager,
            risk_tier=RiskTier.LIMITED,
            version="4.2",
        ),
        actor=world.owner,
    )
    AISystem.objects.filter(pk=system.pk).update(stage=Stage.OPERATION)
    system.refresh_from_db()
    return system


@pytest.fixture
def signed(world, system):
    signoff = sign_no_significant_risks(
        system, actor=world.owner, conclusion="Assessed with the credit risk committee."
    )
    assert RiskAssessmentSignOff.objects.current_for(system) == signoff
    return signoff


@pytest.fixture
def risk(world, system):
    return save_risk(
        Risk(
            organization=world.org,
            title="Thin files",
            category="fairness",
            inherent_likelihood=2,
            inherent_impact=2,
            next_review=timezone.localdate() + dt.timedelta(days=200),
        ),
        actor=world.owner,
        systems=[system],
    )


def propose(world, system, *, actor=None, **fields) -> PlannedChange:
    values = {
        "kind": Kind.NEW_VERSION,
        "description": "Retrain on 2025 data",
        "reason": "Drift",
        "new_version": "4.3",
        **fields,
    }
    return services.save_change(
        PlannedChange(organization=world.org, system=system, **values),
        actor=actor or world.contributor,
    )


def approved(world, system, **fields) -> PlannedChange:
    return services.approve(propose(world, system, **fields), actor=world.manager)


def reload(change):
    return PlannedChange.objects.get(pk=change.pk)


# --- Proposing ---------------------------------------------------------------------------------


def test_a_change_is_proposed_by_its_author(world, system):
    change = propose(world, system)
    assert change.status == Status.PROPOSED
    assert change.proposed_by == world.contributor
    assert str(change) == "Version 4.3 of Credit scoring"


def test_a_new_version_needs_its_version_label(world, system):
    with pytest.raises(ValidationError) as error:
        propose(world, system, new_version="")
    assert "new_version" in error.value.message_dict
    with pytest.raises(ValidationError, match="already"):
        propose(world, system, new_version="4.2")
    assert not PlannedChange.objects.exists()


def test_a_new_intended_use_needs_its_text(world, system):
    with pytest.raises(ValidationError) as error:
        propose(world, system, kind=Kind.INTENDED_USE, new_version="")
    assert "new_intended_use" in error.value.message_dict
    assert not PlannedChange.objects.exists()


def test_a_retired_system_takes_no_change(world, system):
    AISystem.objects.filter(pk=system.pk).update(stage=Stage.RETIRED)
    system.refresh_from_db()
    with pytest.raises(ValidationError, match="retired"):
        propose(world, system)


def test_only_a_proposed_change_is_edited(world, system):
    change = approved(world, system)
    change.description = "Changed after approval"
    with pytest.raises(Refused):
        services.save_change(change, actor=world.contributor)
    assert reload(change).description == "Retrain on 2025 data"


# --- Deciding ----------------------------------------------------------------------------------


def test_a_member_without_authority_may_not_approve(world, system):
    change = propose(world, system)
    with pytest.raises(PermissionDenied):
        services.approve(change, actor=world.contributor)
    assert reload(change).status == Status.PROPOSED


def test_an_authority_approves_and_is_recorded(world, system):
    change = approved(world, system)
    change = reload(change)
    assert change.status == Status.APPROVED
    assert change.approved_by == world.manager
    assert change.approved_at is not None
    assert not change.self_approved


def test_a_proposer_with_authority_may_approve_their_own_change_and_it_shows(world, system):
    change = propose(world, system, actor=world.manager)
    services.approve(change, actor=world.manager)
    change = reload(change)
    assert change.status == Status.APPROVED
    assert change.self_approved
    page = world.client(world.viewer).get(change.get_absolute_url()).content.decode()
    assert "approved by its proposer" in page


def test_rejecting_needs_authority_and_a_reason(world, system):
    change = propose(world, system)
    with pytest.raises(PermissionDenied):
        services.reject(change, actor=world.contributor, reason="No")
    with pytest.raises(ValidationError):
        services.reject(change, actor=world.manager, reason=" ")
    assert reload(change).status == Status.PROPOSED
    services.reject(change, actor=world.manager, reason="Not this quarter")
    change = reload(change)
    assert change.status == Status.REJECTED
    assert change.close_reason == "Not this quarter"
    with pytest.raises(Refused):
        services.approve(change, actor=world.manager)
    assert reload(change).status == Status.REJECTED


def test_withdrawing_is_for_the_proposer_or_a_manager(world, system):
    change = propose(world, system, actor=world.manager)
    with pytest.raises(PermissionDenied):
        services.withdraw(change, actor=world.contributor)
    assert reload(change).status == Status.PROPOSED
    services.withdraw(change, actor=world.manager, reason="Superseded by another plan")
    assert reload(change).status == Status.WITHDRAWN
    mine = propose(world, system)
    services.withdraw(mine, actor=world.contributor)
    assert reload(mine).status == Status.WITHDRAWN


def test_an_implemented_change_is_not_withdrawn(world, system):
    change = approved(world, system)
    services.implement(change, actor=world.contributor)
    with pytest.raises(Refused):
        services.withdraw(change, actor=world.manager)
    assert reload(change).status == Status.IMPLEMENTED


# --- Implementing ------------------------------------------------------------------------------


def test_an_unapproved_change_is_not_implemented(world, system):
    change = propose(world, system)
    with pytest.raises(Refused, match="only a approved change"):
        services.implement(change, actor=world.contributor)
    system.refresh_from_db()
    assert system.version == "4.2"
    assert reload(change).status == Status.PROPOSED


def test_implementing_a_new_version_reopens_the_risk_signoff_and_makes_risks_due(
    world, system, signed, risk
):
    closed = save_risk(
        Risk(
            organization=world.org,
            title="Closed one",
            category="fairness",
            inherent_likelihood=1,
            inherent_impact=1,
            status=RiskStatus.CLOSED,
            next_review=None,
        ),
        actor=world.owner,
        systems=[system],
    )
    change = approved(world, system)
    services.implement(change, actor=world.contributor)
    system.refresh_from_db()
    assert system.version == "4.3"
    assert RiskAssessmentSignOff.objects.current_for(system) is None
    risk.refresh_from_db()
    closed.refresh_from_db()
    assert risk.next_review == timezone.localdate()
    assert closed.next_review is None
    change = reload(change)
    assert change.status == Status.IMPLEMENTED
    assert change.implemented_by == world.contributor
    assert change.effects["risks_due"] == [risk.ref]
    assert change.effects["fields"] == {"version": ["4.2", "4.3"]}
    assert change.effects["risk_signoff_lapsed"] is True


def test_implementing_reopens_the_risk_gate_and_the_page_lists_it(world, system, signed):
    gate_before = {r.requirement.code: r.met for r in system.gate(Stage.DEPLOYMENT)}
    assert gate_before["risks_assessed"]
    change = approved(world, system)
    services.implement(change, actor=world.contributor)
    system.refresh_from_db()
    gate_after = {r.requirement.code: r.met for r in system.gate(Stage.DEPLOYMENT)}
    assert not gate_after["risks_assessed"]
    change = reload(change)
    reopened = {item["code"] for item in change.effects["reopened"]}
    assert "risks_assessed" in reopened
    page = world.client(world.viewer).get(change.get_absolute_url()).content.decode()
    assert "What implementing it reopened" in page
    assert (
        "The system&#x27;s risks are assessed" in page or "The system's risks are assessed" in page
    )


def test_implementing_reopens_the_impact_gate_when_it_counts_signoffs(world, system):
    """The impact assessment counts only when signed since the last material change: the
    implementation moves that change, whatever the impact area records."""
    before = system.basis_changed_at
    change = approved(world, system)
    services.implement(change, actor=world.contributor)
    system.refresh_from_db()
    assert system.basis_changed_at > before
    assert not system.assessed_since_change(before)


@pytest.mark.parametrize("kind", [Kind.DATA, Kind.OTHER])
def test_a_data_or_other_change_marks_the_system_changed(world, system, signed, kind):
    before = system.basis_changed_at
    change = approved(world, system, kind=kind, new_version="")
    services.implement(change, actor=world.contributor)
    system.refresh_from_db()
    assert system.version == "4.2"
    assert system.basis_changed_at > before
    assert RiskAssessmentSignOff.objects.current_for(system) is None


def test_a_new_intended_use_replaces_the_systems(world, system, signed):
    change = approved(
        world, system, kind=Kind.INTENDED_USE, new_version="", new_intended_use="Also cards"
    )
    services.implement(change, actor=world.contributor)
    system.refresh_from_db()
    assert system.intended_use == "Also cards"
    assert RiskAssessmentSignOff.objects.current_for(system) is None


def test_a_version_reached_otherwise_is_refused_at_implementation(world, system):
    change = approved(world, system)
    system.version = "4.3"
    save_system(system, actor=world.owner)
    with pytest.raises(ValidationError, match="already"):
        services.implement(change, actor=world.contributor)
    assert reload(change).status == Status.APPROVED


# --- Due ---------------------------------------------------------------------------------------


def test_an_approved_change_past_its_date_falls_due(world, system):
    today = timezone.localdate()
    late = approved(world, system, planned_date=today - dt.timedelta(days=1))
    propose(world, system, new_version="5.0", planned_date=today - dt.timedelta(days=3))
    items = overdue_changes(world.org, today)
    assert [i.url for i in items] == [late.get_absolute_url()]
    services.implement(late, actor=world.contributor)
    assert overdue_changes(world.org, today) == []


# --- Pages -------------------------------------------------------------------------------------


def test_the_pages_walk_a_change_through(world, system, signed):
    org = world.org.slug
    contributor = world.client(world.contributor)
    response = contributor.post(
        reverse("change_create", kwargs={"org": org}),
        {
            "system": system.pk,
            "kind": "new_version",
            "description": "Retrain",
            "reason": "Drift",
            "new_version": "4.3",
        },
    )
    change = PlannedChange.objects.get()
    assert response.status_code == 302
    url = lambda name: reverse(name, kwargs={"org": org, "change_id": change.pk})  # noqa: E731
    assert contributor.post(url("change_approve")).status_code == 403
    world.client(world.manager).post(url("change_approve"))
    assert reload(change).status == Status.APPROVED
    assert "Implement this change?" in contributor.get(url("change_implement")).content.decode()
    contributor.post(url("change_implement"))
    system.refresh_from_db()
    assert system.version == "4.3"
    assert reload(change).status == Status.IMPLEMENTED
    page = contributor.get(system.get_absolute_url()).content.decode()
    assert 'id="planned-changes"' in page


def test_the_page_refuses_to_implement_an_unapproved_change(world, system):
    change = propose(world, system)
    url = reverse("change_implement", kwargs={"org": world.org.slug, "change_id": change.pk})
    response = world.client(world.contributor).post(url, follow=True)
    assert "only a approved change" in response.content.decode()
    system.refresh_from_db()
    assert system.version == "4.2"


def test_the_page_rejects_with_a_reason(world, system):
    change = propose(world, system)
    url = reverse("change_reject", kwargs={"org": world.org.slug, "change_id": change.pk})
    manager = world.client(world.manager)
    assert manager.post(url, {"reason": ""}).status_code == 422
    assert reload(change).status == Status.PROPOSED
    manager.post(url, {"reason": "Too soon"})
    assert reload(change).status == Status.REJECTED


def test_the_list_filters_and_exports(world, system):
    propose(world, system)
    approved(world, system, kind=Kind.OTHER, new_version="", description="New monitoring")
    client = world.client(world.viewer)
    body = client.get(
        reverse("change_list", kwargs={"org": world.org.slug}), {"status": "approved"}
    ).content.decode()
    assert "Other change of Credit scoring" in body and "Version 4.3" not in body
    text = client.get(
        reverse("change_export_csv", kwargs={"org": world.org.slug}), {"kind": "new_version"}
    ).content.decode()
    assert text.count("\n") == 2 and "4.3" in text
    other = save_system(
        AISystem(organization=world.org, name="Chat assistant", purpose="p"), actor=world.owner
    )
    propose(world, other, description="Another model")
    url = reverse("change_list", kwargs={"org": world.org.slug})
    # an unknown short id is not a choice: ignored, as the other lists ignore it
    for slug, count in ((system.slug, 2), (other.slug, 1), ("no-such-system", 3)):
        assert client.get(url, {"system": slug}).context["page_obj"].paginator.count == count


# --- API ---------------------------------------------------------------------------------------


def test_the_api_walks_a_change_through(world, system, signed, risk):
    writer = ApiClient.for_member(world.contributor, world.org)
    response = writer.post(
        "/api/v1/planned-changes",
        {"system": system.slug, "description": "Retrain", "reason": "Drift"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "new_version"
    response = writer.post(
        "/api/v1/planned-changes",
        {"system": system.slug, "description": "Retrain", "reason": "Drift", "new_version": "4.3"},
    )
    assert response.status_code == 201, response.content
    change_id = response.json()["id"]
    assert writer.post(f"/api/v1/planned-changes/{change_id}/implement", {}).status_code == 409
    assert writer.post(f"/api/v1/planned-changes/{change_id}/approve", {}).status_code == 403
    manager = ApiClient.for_member(world.manager, world.org)
    assert manager.post(f"/api/v1/planned-changes/{change_id}/approve", {}).status_code == 200
    response = writer.post(f"/api/v1/planned-changes/{change_id}/implement", {})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "implemented"
    assert body["risks_due"] == [risk.ref]
    system.refresh_from_db()
    assert RiskAssessmentSignOff.objects.current_for(system) is None
    assert system.version == "4.3"
    assert writer.patch(f"/api/v1/planned-changes/{change_id}", {"reason": "x"}).status_code == 409


def test_an_overdue_risk_review_keeps_its_earlier_date(world, system, risk):
    earlier = timezone.localdate() - dt.timedelta(days=10)
    Risk.objects.filter(pk=risk.pk).update(next_review=earlier)
    services.implement(approved(world, system), actor=world.contributor)
    risk.refresh_from_db()
    assert risk.next_review == earlier


def test_the_api_refuses_the_forbidden_paths_and_changes_nothing(world, system):
    change = propose(world, system, actor=world.manager)
    path = f"/api/v1/planned-changes/{change.pk}"
    writer = ApiClient.for_member(world.contributor, world.org)
    manager = ApiClient.for_member(world.manager, world.org)
    # a contributor who did not propose it may not withdraw it
    assert writer.post(f"{path}/withdraw", {}).status_code == 403
    # rejecting needs a reason
    response = manager.post(f"{path}/reject", {"reason": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    # implementing needs an approval
    assert manager.post(f"{path}/implement", {}).status_code == 409
    # a new version without its label
    response = writer.patch(path, {"new_version": ""})
    assert response.status_code == 422
    change = reload(change)
    assert change.status == Status.PROPOSED and change.new_version == "4.3"
    system.refresh_from_db()
    assert system.version == "4.2"
    # a system of another organization is unknown
    response = writer.post(
        "/api/v1/planned-changes",
        {"system": "nope", "description": "x", "reason": "y", "new_version": "9"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "system"
    assert PlannedChange.objects.count() == 1


def test_the_pages_refuse_a_withdrawal_by_someone_else_and_an_edit_once_approved(world, system):
    change = propose(world, system, actor=world.manager)
    org = world.org.slug
    url = reverse("change_withdraw", kwargs={"org": org, "change_id": change.pk})
    response = world.client(world.contributor).post(url, {"reason": "mine now"}, follow=True)
    assert "Only its proposer" in response.content.decode()
    assert reload(change).status == Status.PROPOSED
    services.approve(change, actor=world.owner)
    edit = reverse("change_edit", kwargs={"org": org, "change_id": change.pk})
    world.client(world.contributor).post(
        edit, {"kind": "new_version", "description": "Other", "reason": "x", "new_version": "9"}
    )
    change = reload(change)
    assert change.description == "Retrain on 2025 data" and change.new_version == "4.3"


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_system_page_and_the_change_page_cost_the_same_with_more_records(world, system):
    from aims.techdocs.models import TechnicalDocument

    client = world.client(world.owner)
    first = approved(world, system)
    services.implement(first, actor=world.contributor)
    TechnicalDocument.objects.create(organization=world.org, system=system)
    client.get(system.get_absolute_url())
    small = count_queries(client, system.get_absolute_url())
    small_change = count_queries(client, first.get_absolute_url())
    for n in range(5):
        propose(world, system, new_version=f"5.{n}", actor=world.manager)
        TechnicalDocument.objects.create(
            organization=world.org, system=system, kind="user_info", number=n + 2
        )
    assert count_queries(client, system.get_absolute_url()) == small
    assert count_queries(client, first.get_absolute_url()) == small_change


def test_a_planned_change_addresses_clause_6_3_and_counts_once_decided(world, system):
    change = services.save_change(
        PlannedChange(
            organization=world.org,
            system=system,
            kind=Kind.OTHER,
            description="Move scoring to the new cluster.",
            reason="The old one is retired.",
        ),
        actor=world.contributor,
    )
    assert change.requirement_refs() == ["6.3"]
    kind = next(k for k in control_records() if k.model is PlannedChange)
    assert not kind.current_records(world.org).exists()

    change = services.save_change(
        change,
        actor=world.contributor,
        clauses=list(Clause.objects.filter(ref="6.3")),
        controls=list(Control.objects.filter(ref="A.6.2.6")),
    )
    services.approve(change, actor=world.manager)

    assert change.requirement_refs() == ["6.3", "A.6.2.6"]
    assert list(kind.current_records(world.org)) == [change]
    page = world.client(world.viewer).get(change.get_absolute_url()).content.decode()
    assert "What it addresses" in page and "A.6.2.6" in page


def test_the_api_names_what_a_change_addresses_and_refuses_unknown_ids(world, system):
    api = ApiClient.for_member(world.contributor, world.org)
    body = {
        "system": system.slug,
        "kind": "other",
        "description": "New cluster.",
        "reason": "Old one retired.",
        "controls": ["A.6.2.6", "A.99"],
    }

    refused = api.post("/api/v1/planned-changes", body)
    created = api.post("/api/v1/planned-changes", {**body, "controls": ["A.6.2.6"]})

    assert refused.status_code == 422
    assert "A.99" in refused.json()["errors"][0]["message"]
    assert created.status_code == 201, created.content
    assert created.json()["clauses"] == ["6.3"]
    assert created.json()["controls"] == ["A.6.2.6"]
    assert PlannedChange.objects.count() == 1
