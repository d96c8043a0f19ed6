"""The AI system inventory pages: list, export, register, edit, detail and delete."""

import csv
import io

import helpers
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from helpers import gate_ready

from aims.evidence.models import Evidence
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.inventory.services import move_to_stage, save_system
from aims.risk.models import Risk
from aims.risk.services import save_risk
from aims.trail.models import Action, AuditEvent


def make_system(world, name="Credit scoring", org=None, **fields):
    org = org or world.org
    fields.setdefault("purpose", f"{name} for the tests.")
    return save_system(AISystem(organization=org, name=name, **fields), actor=world.owner)


def make_risk(world, system, *, likelihood=5, impact=5, title="Unfair refusals"):
    return helpers.make_risk(
        world.org,
        actor=world.owner,
        likelihood=likelihood,
        impact=impact,
        title=title,
        systems=[system],
    )


def url(name, world, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def form_data(**overrides):
    data = {
        "name": "Loan approval assistant",
        "slug": "",
        "purpose": "Suggests whether to approve a consumer loan.",
        "technique": "Gradient-boosted trees",
        "organization_role": "developer",
        "intended_use": "Loan officers use it as advice for applications under 50k.",
        "foreseeable_misuse": "",
        "affected_stakeholders": "Applicants",
        "risk_tier": "high",
        "automation": "advisory",
        "human_oversight": "A loan officer decides every application.",
        "owner": "",
        "datasets": "",
        "models_used": "",
        "third_parties": "",
    }
    data.update(overrides)
    return data


# List


def test_list_shows_the_organizations_systems_with_risk_counts(world):
    system = make_system(world, owner=world.manager, risk_tier=RiskTier.HIGH)
    make_risk(world, system)  # 25: above the default appetite (medium), no acceptance
    make_risk(world, system, likelihood=1, impact=2, title="Slow answers")
    make_system(world, name="Foreign model", org=world.other_org)

    response = world.client(world.viewer).get(url("system_list", world))

    assert response.status_code == 200
    listed = response.context["rows"]
    assert [row["slug"] for row in listed] == [system.slug]
    assert listed[0]["values"]["open_risk_count"] == 2
    assert listed[0]["values"]["needs_decision_count"] == 1
    assert b"Credit scoring" in response.content
    assert b"Foreign model" not in response.content
    assert b"High risk" in response.content


def test_list_counts_ignore_closed_risks(world):
    system = make_system(world)
    risk = make_risk(world, system)
    risk.status = "closed"
    save_risk(risk, actor=world.owner)

    response = world.client(world.owner).get(url("system_list", world))

    values = response.context["rows"][0]["values"]
    assert (values["open_risk_count"], values["needs_decision_count"]) == (0, 0)


def test_list_searches_and_filters(world):
    credit = make_system(world, owner=world.manager, risk_tier=RiskTier.HIGH)
    chat = make_system(world, name="Support chatbot", purpose="Answers customer questions.")
    move_to_stage(chat, to_stage=Stage.RETIRED, actor=world.owner, reason="Replaced.")
    client = world.client(world.viewer)

    def names(**params):
        response = client.get(url("system_list", world), params)
        assert response.status_code == 200
        return [row["name"] for row in response.context["rows"]]

    assert names(q="customer") == [chat.name]
    assert names(q=credit.slug) == [credit.name]
    assert names(stage="retired") == [chat.name]
    assert names(tier="high") == [credit.name]
    assert names(owner=str(world.manager.pk)) == [credit.name]
    assert names(owner="none") == [chat.name]
    make_risk(world, credit)
    assert names(attention="decision") == [credit.name]
    assert names(q="nothing like this") == []


def test_list_empty_state_offers_registration_to_contributors_only(world):
    response = world.client(world.contributor).get(url("system_list", world))
    assert b"No AI systems registered yet" in response.content
    assert url("system_create", world).encode() in response.content

    response = world.client(world.viewer).get(url("system_list", world))
    assert b"No AI systems registered yet" in response.content
    assert url("system_create", world).encode() not in response.content


def test_list_filtered_to_nothing_says_so(world):
    make_system(world)
    response = world.client(world.viewer).get(url("system_list", world), {"q": "zzz"})
    assert b"No AI system matches these filters" in response.content


def list_queries(world, count):
    for n in range(count):
        system = make_system(world, name=f"System {n:02d}", owner=world.manager)
        make_risk(world, system, title=f"Risk {n}")
    client = world.client(world.viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("system_list", world))
    assert response.status_code == 200
    assert len(response.context["rows"]) == count
    return len(queries)


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_systems(world):
    two = list_queries(world, 2)
    AISystem.objects.all().delete()
    Risk.objects.all().delete()
    twenty = list_queries(world, 20)
    assert two == twenty


def test_export_csv_lists_systems_and_neutralizes_formulas(world):
    make_system(world, name="=HYPERLINK(evil)", owner=world.manager)
    make_system(world, name="Other", org=world.other_org)

    response = world.client(world.auditor).get(url("system_export", world))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Short id", "Name"]
    assert len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(evil)"


# Register and edit


def test_contributor_registers_a_system_with_a_generated_slug(world):
    response = world.client(world.contributor).post(
        url("system_create", world), form_data(owner=str(world.manager.pk), stage="operation")
    )

    system = AISystem.objects.get(organization=world.org)
    assert response.status_code == 302
    assert response["Location"] == url("system_detail", world, system_id=system.pk)
    assert system.slug == "loan-approval-assistant"
    assert system.owner == world.manager
    assert system.risk_tier == RiskTier.HIGH
    assert system.stage == Stage.PLANNING  # the stage is never set by the form
    event = AuditEvent.objects.for_record(system).get()
    assert event.action == Action.CREATE
    assert event.actor == world.contributor


def test_register_form_shows_all_fieldsets(world):
    response = world.client(world.contributor).get(url("system_create", world))
    assert response.status_code == 200
    for legend in (b"The system", b"Use and people affected", b"Accountability"):
        assert legend in response.content
    assert b'name="stage"' not in response.content


def test_register_refuses_an_owner_from_outside_the_organization(world):
    response = world.client(world.owner).post(
        url("system_create", world), form_data(owner=str(world.outsider.pk))
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not AISystem.objects.exists()


def test_register_refuses_a_slug_already_used(world):
    make_system(world, slug="credit")
    response = world.client(world.owner).post(url("system_create", world), form_data(slug="credit"))
    assert response.status_code == 200
    assert "already uses" in response.context["form"].errors["slug"][0]
    assert AISystem.objects.count() == 1


def test_register_requires_name_and_purpose(world):
    response = world.client(world.owner).post(
        url("system_create", world), form_data(name="", purpose="")
    )
    form = response.context["form"]
    assert set(form.errors) == {"name", "purpose"}
    assert not AISystem.objects.exists()


def test_edit_saves_changes_and_audits_them(world):
    system = make_system(world)
    response = world.client(world.contributor).post(
        url("system_edit", world, system_id=system.pk),
        form_data(name="Credit scoring v2", slug=system.slug, owner=str(world.owner.pk)),
    )

    assert response.status_code == 302
    system.refresh_from_db()
    assert system.name == "Credit scoring v2"
    assert system.owner == world.owner
    update = AuditEvent.objects.for_record(system).filter(action=Action.UPDATE).get()
    assert update.changes["name"] == ["Credit scoring", "Credit scoring v2"]


def test_edit_form_is_prefilled(world):
    system = make_system(world, intended_use="Scoring loan applications.")
    response = world.client(world.contributor).get(url("system_edit", world, system_id=system.pk))
    assert response.status_code == 200
    assert b"Scoring loan applications." in response.content


# Detail


def test_detail_shows_fields_gate_risks_and_audit(world):
    system = make_system(world, technique="Logistic regression")
    make_risk(world, system)

    response = world.client(world.auditor).get(url("system_detail", world, system_id=system.pk))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Logistic regression" in content
    assert "Stage gate" in content
    assert "No owner is set" in content
    assert "badge-critical" in content  # 25 on the default matrix
    assert "Unfair refusals" in content
    assert "Created" in content  # the audit trail partial
    assert "Record the transition" not in content  # auditors do not move stages
    assert "Delete this system" not in content


def test_detail_offers_transition_to_contributors(world):
    system = make_system(world)
    response = world.client(world.contributor).get(url("system_detail", world, system_id=system.pk))
    assert b"Record the transition" in response.content
    choices = [value for value, _ in response.context["transition_form"].fields["to_stage"].choices]
    assert choices == ["development", "retired"]


def test_detail_lists_linked_evidence(world):
    system = make_system(world)
    evidence = Evidence.objects.create(
        organization=world.org, title="Bias test report", kind="link", effective_from="2025-01-01"
    )
    evidence.systems.add(system)
    response = world.client(world.viewer).get(url("system_detail", world, system_id=system.pk))
    assert b"Bias test report" in response.content


def test_system_of_another_organization_is_not_found(world):
    foreign = make_system(world, name="Foreign", org=world.other_org)
    client = world.client(world.owner)
    for name in ("system_detail", "system_edit"):
        assert client.get(url(name, world, system_id=foreign.pk)).status_code == 404
    for name in ("system_transition", "system_delete"):
        response = client.post(
            url(name, world, system_id=foreign.pk), {"to_stage": "retired", "reason": "x"}
        )
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.stage == Stage.PLANNING


# Access


@pytest.mark.parametrize("role", ["viewer", "auditor", "top_manager"])
def test_read_only_members_cannot_write(world, role):
    system = make_system(world)
    client = world.client(getattr(world, role))
    assert client.get(url("system_create", world)).status_code == 403
    assert client.post(url("system_create", world), form_data()).status_code == 403
    assert client.get(url("system_edit", world, system_id=system.pk)).status_code == 403
    assert (
        client.post(
            url("system_edit", world, system_id=system.pk), form_data(name="Changed")
        ).status_code
        == 403
    )
    response = client.post(
        url("system_transition", world, system_id=system.pk),
        {"to_stage": "retired", "reason": "No."},
    )
    assert response.status_code == 403
    assert client.post(url("system_delete", world, system_id=system.pk)).status_code == 403
    system.refresh_from_db()
    assert (system.name, system.stage) == ("Credit scoring", Stage.PLANNING)
    assert AISystem.objects.count() == 1


def test_outsider_gets_404_everywhere(world):
    system = make_system(world)
    client = world.client(world.outsider)
    for name in ("system_list", "system_create", "system_export"):
        assert client.get(url(name, world)).status_code == 404
    for name in ("system_detail", "system_edit"):
        assert client.get(url(name, world, system_id=system.pk)).status_code == 404
    assert client.post(url("system_delete", world, system_id=system.pk)).status_code == 404
    assert AISystem.objects.filter(pk=system.pk).exists()


def test_anonymous_is_sent_to_login(world):
    response = world.client(None).get(url("system_list", world))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# Delete


def test_manager_deletes_a_system_registered_by_mistake(world):
    system = make_system(world)
    pk = system.pk

    response = world.client(world.manager).post(url("system_delete", world, system_id=pk))

    assert response.status_code == 302
    assert response["Location"] == url("system_list", world)
    assert not AISystem.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.filter(record_id=str(pk), action=Action.DELETE).get()
    assert event.actor == world.manager


def test_delete_needs_post(world):
    system = make_system(world)
    response = world.client(world.owner).get(url("system_delete", world, system_id=system.pk))
    assert response.status_code == 405
    assert AISystem.objects.filter(pk=system.pk).exists()


def test_contributor_cannot_delete(world):
    system = make_system(world)
    response = world.client(world.contributor).post(
        url("system_delete", world, system_id=system.pk)
    )
    assert response.status_code == 403
    assert AISystem.objects.filter(pk=system.pk).exists()


def test_delete_is_refused_past_planning_retire_instead(world):
    system = make_system(world, **gate_ready(owner=world.owner))
    move_to_stage(system, to_stage=Stage.DEVELOPMENT, actor=world.owner, reason="Go.")
    client = world.client(world.owner)

    response = client.post(url("system_delete", world, system_id=system.pk), follow=True)

    assert AISystem.objects.filter(pk=system.pk).exists()
    assert "retire it instead" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.DELETE, record_id=str(system.pk)).exists()


def test_delete_is_refused_when_risks_name_the_system(world):
    system = make_system(world)
    make_risk(world, system)

    response = world.client(world.owner).post(
        url("system_delete", world, system_id=system.pk), follow=True
    )

    assert AISystem.objects.filter(pk=system.pk).exists()
    assert "1 risk of the register name it" in response.content.decode()


def test_delete_of_a_retired_system_is_refused(world):
    system = make_system(world)
    move_to_stage(system, to_stage=Stage.RETIRED, actor=world.owner, reason="Never built.")

    response = world.client(world.owner).post(
        url("system_delete", world, system_id=system.pk), follow=True
    )

    assert AISystem.objects.filter(pk=system.pk).exists()
    assert "it is retired" in response.content.decode()
