"""The context of the organization: issues, parties, obligations, the scope's versions and the
roles per AI system, through their services (clauses 4.1 to 4.3, A.8.5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aims.context import catalogue
from aims.context.dashboard import part
from aims.context.models import (
    AIRole,
    Compliance,
    InterestedParty,
    Issue,
    IssueCategory,
    Obligation,
    ObligationKind,
    OperatorRole,
    PartyKind,
    ScopeStatus,
    ScopeVersion,
    Side,
    SystemRole,
)
from aims.context.services import (
    add_catalogue_obligations,
    approve_scope,
    draft_from_current,
    raise_risk,
    save_issue,
    save_obligation,
    save_party,
    save_scope_draft,
    save_system_role,
)
from aims.core.areas import control_records, due_items, template_values
from aims.core.errors import NeedsAuthority, Refused
from aims.demo.context import load
from aims.risk.models import Risk
from aims.trail.models import Action, AuditEvent
from tests.helpers import make_risk, make_system

TODAY = timezone.localdate()


def issue(world, **fields) -> Issue:
    fields.setdefault("title", "Consumer Duty outcomes")
    fields.setdefault("side", Side.EXTERNAL)
    fields.setdefault("category", IssueCategory.LEGAL)
    return save_issue(Issue(organization=world.org, **fields), actor=world.contributor)


def draft(world, actor=None, **fields) -> ScopeVersion:
    fields.setdefault("statement", "Consumer lending AI at the Leeds head office.")
    return save_scope_draft(
        ScopeVersion(organization=world.org, **fields), actor=actor or world.contributor
    )


# --- Issues and raising a risk -------------------------------------------------------------


def test_an_issue_gets_the_next_id_addresses_clause_4_1_and_is_in_the_trail(world):
    first, second = issue(world), issue(world, title="Skills shortage", side=Side.INTERNAL)
    assert (first.ref, second.ref) == ("ISS-001", "ISS-002")
    assert first.requirement_refs() == ["4.1"]
    event = AuditEvent.objects.for_record(first).get()
    assert event.action == Action.CREATE and event.changes["title"] == [None, first.title]


def test_an_issue_refuses_a_review_date_set_in_the_past_but_keeps_one_that_passed(world):
    with pytest.raises(ValidationError) as error:
        issue(world, review_date=TODAY - dt.timedelta(days=1))
    assert "review_date" in error.value.message_dict
    assert not Issue.objects.exists()
    kept = issue(world, review_date=TODAY + dt.timedelta(days=3))
    Issue.objects.filter(pk=kept.pk).update(review_date=TODAY - dt.timedelta(days=3))
    kept.refresh_from_db()
    kept.title = "Renamed"
    save_issue(kept, actor=world.owner)  # the date did not change: saved
    assert Issue.objects.get(pk=kept.pk).title == "Renamed"
    assert list(Issue.objects.review_overdue()) == [kept]


def test_an_issue_refuses_an_owner_from_outside_the_organization(world):
    with pytest.raises(ValidationError) as error:
        issue(world, owner=world.outsider)
    assert "owner" in error.value.message_dict


def test_raising_a_risk_from_an_issue_creates_it_linked_both_ways_and_in_the_trail(world):
    found = issue(
        world,
        description="FCA expects evidence of fair value.",
        effect="Outcome monitoring per group.",
        owner=world.manager,
    )
    risk = raise_risk(found, actor=world.contributor, likelihood=4, impact=3)
    risk.refresh_from_db()
    assert risk.title == found.title
    assert risk.inherent_score == 12 and risk.owner == world.manager
    assert risk.category == "legal"  # the register's category that fits a legal issue
    assert found.ref in risk.description and "Outcome monitoring" in risk.description
    assert list(found.risks.all()) == [risk]
    assert list(risk.context_issues.all()) == [found]
    issue_events = AuditEvent.objects.for_record(found).order_by("sequence")
    assert issue_events.last().changes["risks"] == [[], [str(risk)]]
    assert risk.ref in issue_events.last().note
    assert AuditEvent.objects.for_record(risk).get().action == Action.CREATE


def test_raising_a_risk_refuses_scores_off_the_matrix_and_creates_nothing(world):
    found = issue(world)
    with pytest.raises(ValidationError) as error:
        raise_risk(found, actor=world.contributor, likelihood=9, impact=3)
    assert "inherent_likelihood" in error.value.message_dict
    assert not Risk.objects.exists() and not found.risks.exists()


def test_raising_a_risk_from_a_closed_issue_is_refused(world):
    found = issue(world, status="closed")
    with pytest.raises(Refused):
        raise_risk(found, actor=world.contributor, likelihood=2, impact=2)
    assert not Risk.objects.exists()


# --- Interested parties and obligations ----------------------------------------------------


def test_a_party_addresses_clause_4_2_by_default(world):
    party = save_party(
        InterestedParty(organization=world.org, name="FCA", kind=PartyKind.REGULATORS),
        actor=world.owner,
    )
    assert party.requirement_refs() == ["4.2"]


def test_an_obligation_addresses_a_8_5_and_counts_for_the_soa_once_assessed(world):
    system = make_system(world.org, actor=world.owner)
    obligation = save_obligation(
        Obligation(organization=world.org, kind=ObligationKind.LAW, title="Equality Act"),
        actor=world.owner,
        systems=[system],
    )
    assert obligation.requirement_refs() == ["A.8.5"]
    kind = next(k for k in control_records() if k.model is Obligation)
    assert not kind.current_records(world.org).exists()
    obligation.compliance = Compliance.PARTLY
    save_obligation(obligation, actor=world.owner)
    assert list(kind.current_records(world.org)) == [obligation]


def test_an_obligation_refuses_another_organizations_system(world):
    foreign = make_system(world.other_org, actor=world.outsider)
    with pytest.raises(ValidationError) as error:
        save_obligation(
            Obligation(organization=world.org, kind=ObligationKind.LAW, title="X"),
            actor=world.owner,
            systems=[foreign],
        )
    assert "systems" in error.value.message_dict
    assert not Obligation.objects.exists()


def test_adding_eu_ai_act_articles_creates_them_at_once_and_skips_those_present(world):
    articles = catalogue.eu_ai_act_articles()
    assert len(articles) == 12 and articles[0].reference == "EU AI Act Art. 9"
    keys = [a.key for a in articles[:3]]
    created, skipped = add_catalogue_obligations(world.org, actor=world.owner, keys=keys)
    assert [o.reference for o in created] == [a.reference for a in articles[:3]]
    assert skipped == []
    again, skipped = add_catalogue_obligations(
        world.org, actor=world.owner, keys=[*keys, "gdpr-art-22"]
    )
    assert [o.reference for o in again] == ["GDPR Art. 22"]
    assert skipped == [a.reference for a in articles[:3]]
    assert Obligation.objects.filter(organization=world.org).count() == 4
    assert all(o.compliance == Compliance.NOT_ASSESSED for o in Obligation.objects.all())


def test_adding_from_the_catalogue_is_all_or_nothing(world):
    keys = [catalogue.eu_ai_act_articles()[0].key, "no-such-article"]
    with pytest.raises(ValidationError):
        add_catalogue_obligations(world.org, actor=world.owner, keys=keys)
    foreign = make_system(world.other_org, actor=world.outsider)
    with pytest.raises(ValidationError):
        add_catalogue_obligations(world.org, actor=world.owner, keys=keys[:1], systems=[foreign])
    assert not Obligation.objects.exists()
    assert not AuditEvent.objects.filter(record_type="context.obligation").exists()


# --- The scope's versions ------------------------------------------------------------------


def test_a_new_draft_starts_from_the_organizations_scope_text_then_from_the_approved_one(world):
    world.org.scope = "Everything at Leeds."
    assert draft_from_current(world.org).statement == "Everything at Leeds."
    first = draft(world, statement="Approved text.")
    approve_scope(first, actor=world.manager)
    assert draft_from_current(world.org).statement == "Approved text."


def test_approving_a_draft_supersedes_the_approved_version_and_sets_an_annual_review(world):
    first = draft(world)
    approve_scope(first, actor=world.manager, today=TODAY)
    second = draft(world, statement="Leeds and Glasgow.")
    assert second.number == 2 and second.author == world.contributor
    approve_scope(second, actor=world.owner, today=TODAY)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ScopeStatus.SUPERSEDED
    assert second.status == ScopeStatus.APPROVED and second.approved_by == world.owner
    assert second.next_review == TODAY + dt.timedelta(days=365)
    assert ScopeVersion.objects.current(world.org) == second
    decision = AuditEvent.objects.for_record(second).get(action=Action.DECISION)
    assert decision.changes["status"] == ["draft", "approved"]
    assert AuditEvent.objects.for_record(first).filter(note__contains="Superseded").exists()
    assert second.requirement_refs() == ["4.3"]


def test_the_author_of_a_draft_cannot_approve_it(world):
    mine = draft(world, actor=world.manager)
    with pytest.raises(Refused):
        approve_scope(mine, actor=world.manager)
    assert ScopeVersion.objects.get(pk=mine.pk).status == ScopeStatus.DRAFT


def test_whoever_last_changed_a_draft_cannot_approve_it_either(world):
    theirs = draft(world)
    theirs.statement = "Changed by the manager."
    save_scope_draft(theirs, actor=world.manager)
    with pytest.raises(Refused):
        approve_scope(theirs, actor=world.manager)
    approve_scope(theirs, actor=world.owner)
    assert ScopeVersion.objects.get(pk=theirs.pk).status == ScopeStatus.APPROVED


def test_approving_needs_decision_authority(world):
    theirs = draft(world, actor=world.manager)
    with pytest.raises(NeedsAuthority):
        approve_scope(theirs, actor=world.contributor)
    assert ScopeVersion.objects.get(pk=theirs.pk).status == ScopeStatus.DRAFT
    approve_scope(theirs, actor=world.top_manager)  # top management decides too
    assert ScopeVersion.objects.get(pk=theirs.pk).status == ScopeStatus.APPROVED


def test_an_approved_version_never_changes(world):
    version = draft(world)
    approve_scope(version, actor=world.manager)
    version.statement = "Quietly rewritten."
    with pytest.raises(Refused):
        save_scope_draft(version, actor=world.manager)
    assert ScopeVersion.objects.get(pk=version.pk).statement != "Quietly rewritten."


def test_an_approved_version_cannot_be_approved_again(world):
    version = draft(world)
    approve_scope(version, actor=world.manager)
    with pytest.raises(Refused):
        approve_scope(version, actor=world.owner)


def test_a_superseded_version_can_be_neither_approved_nor_changed(world):
    old = draft(world)
    approve_scope(old, actor=world.manager)
    approve_scope(draft(world, statement="Newer."), actor=world.manager)
    old.refresh_from_db()
    assert old.status == ScopeStatus.SUPERSEDED
    with pytest.raises(Refused):
        approve_scope(old, actor=world.owner)
    old.statement = "Back from the dead."
    with pytest.raises(Refused):
        save_scope_draft(old, actor=world.owner)
    assert ScopeVersion.objects.get(pk=old.pk).status == ScopeStatus.SUPERSEDED


def test_only_one_draft_at_a_time(world):
    draft(world)
    with pytest.raises(Refused):
        draft(world, statement="A second draft.")
    assert ScopeVersion.objects.count() == 1


def test_a_draft_without_a_statement_cannot_be_approved(world):
    empty = draft(world, statement="")
    with pytest.raises(ValidationError) as error:
        approve_scope(empty, actor=world.manager)
    assert "statement" in error.value.message_dict


def test_the_scope_template_value_is_the_approved_scope_or_the_organizations_text(world):
    world.org.scope = "Scope from the settings."
    assert template_values(world.org)["scope"] == "Scope from the settings."
    system = make_system(world.org, actor=world.owner, name="Credit scoring")
    version = save_scope_draft(
        ScopeVersion(organization=world.org, statement="Approved scope.", sites="Leeds"),
        actor=world.contributor,
        systems=[system],
    )
    approve_scope(version, actor=world.manager)
    text = template_values(world.org)["scope"]
    assert text.startswith("Approved scope.")
    assert "AI systems in scope: Credit scoring" in text and "Sites: Leeds" in text


# --- Roles per AI system -------------------------------------------------------------------


def test_roles_of_a_system_keep_iso_and_eu_terms_apart_and_one_record_per_system(world):
    system = make_system(world.org, actor=world.owner)
    role = save_system_role(
        SystemRole(
            organization=world.org,
            system=system,
            iso_roles=[AIRole.PROVIDER, AIRole.PRODUCER],
            eu_roles=[OperatorRole.PROVIDER],
        ),
        actor=world.owner,
    )
    assert role.iso_role_labels() == ["AI provider", "AI producer / developer"]
    assert role.eu_role_labels() == ["Provider"]
    with pytest.raises(ValidationError) as error:
        save_system_role(
            SystemRole(organization=world.org, system=system, iso_roles=[AIRole.USER]),
            actor=world.owner,
        )
    assert "system" in error.value.message_dict
    assert SystemRole.objects.filter(system=system).count() == 1
    assert list(SystemRole.objects.filtered(eu_role="provider")) == [role]
    assert not SystemRole.objects.filtered(eu_role="deployer").exists()


def test_roles_refuse_unknown_values_and_another_organizations_system(world):
    system = make_system(world.org, actor=world.owner)
    with pytest.raises(ValidationError) as error:
        save_system_role(
            SystemRole(organization=world.org, system=system, iso_roles=["overlord"]),
            actor=world.owner,
        )
    assert "iso_roles" in error.value.message_dict
    foreign = make_system(world.other_org, actor=world.outsider)
    with pytest.raises(ValidationError):
        save_system_role(
            SystemRole(organization=world.org, system=foreign, iso_roles=[AIRole.USER]),
            actor=world.owner,
        )
    assert not SystemRole.objects.exists()


# --- Hooks ---------------------------------------------------------------------------------


def test_review_dates_fall_due_for_their_owners(world):
    found = issue(world, owner=world.manager, review_date=TODAY + dt.timedelta(days=10))
    closed = issue(world, status="closed", review_date=TODAY + dt.timedelta(days=5))
    version = draft(world)
    approve_scope(version, actor=world.manager, today=TODAY)
    items = {item.title: item for item in due_items(world.org, TODAY)}
    assert items[str(found)].people == frozenset({world.manager.pk})
    assert items[str(found)].kind == "Context issue review"
    assert str(closed) not in items
    scope = items["Review the scope (version 1)"]
    assert scope.due == TODAY + dt.timedelta(days=365) and scope.needs_decision


def test_other_organizations_records_stay_out_of_queries_and_hooks(world):
    issue(world)
    save_issue(
        Issue(organization=world.other_org, title="Theirs", side=Side.INTERNAL, category="social"),
        actor=world.outsider,
    )
    assert [i.title for i in Issue.objects.for_org(world.org)] == ["Consumer Duty outcomes"]
    assert Issue.objects.get(organization=world.other_org).ref == "ISS-001"


def test_the_dashboard_step_is_done_with_an_approved_scope_an_issue_and_a_party(world):
    assert not part(world.org).steps[0].done
    issue(world)
    save_party(
        InterestedParty(organization=world.org, name="Applicants", kind=PartyKind.CUSTOMERS),
        actor=world.owner,
    )
    assert not part(world.org).steps[0].done
    approve_scope(draft(world), actor=world.manager)
    assert part(world.org).steps[0].done


def test_the_dashboard_counts_overdue_reviews(world):
    found = issue(world, review_date=TODAY)
    Issue.objects.filter(pk=found.pk).update(review_date=TODAY - dt.timedelta(days=2))
    notice = part(world.org).notices[0]
    assert notice.count == 1
    assert notice.section.context["reviews"][0]["title"] == str(found)


def test_the_demo_context_loads_through_the_services(world):
    world.org.scope = "Consumer lending AI at Leeds and Glasgow."
    world.org.save()
    people = {
        "demo": world.owner,
        "priya.shah": world.manager,
        "tom.becker": world.contributor,
        "ines.moreau": world.auditor,
        "daniel.okafor": world.top_manager,
    }
    systems = {
        key: make_system(world.org, actor=world.owner, name=name)
        for key, name in (("credit", "Credit"), ("cv", "CV screening"), ("chat", "Assistant"))
    }
    risks = [make_risk(world.org, actor=world.owner)]
    load(world.org, people=people, systems=systems, risks=risks, today=TODAY)
    assert Issue.objects.filter(organization=world.org).count() == 6
    assert InterestedParty.objects.filter(organization=world.org).count() == 6
    current = ScopeVersion.objects.current(world.org)
    assert current.statement == world.org.scope and current.systems.count() == 3
    chat = SystemRole.objects.get(system=systems["chat"])
    assert chat.eu_roles == [OperatorRole.DEPLOYER]
    assert Obligation.objects.filter(organization=world.org).count() == 9
    assert Obligation.objects.get(reference="GDPR Art. 22").systems.count() == 2
    assert part(world.org).steps[0].done
