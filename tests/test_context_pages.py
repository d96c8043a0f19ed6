"""The pages of the context area: lists with filters and exports, forms, raising a risk from an
issue, the scope's approval and the EU AI Act import, with who may do what."""

from __future__ import annotations

import csv
import io
import re

from django.urls import reverse

from aims.context import catalogue
from aims.context.models import (
    AIRole,
    InterestedParty,
    Issue,
    Obligation,
    ScopeStatus,
    ScopeVersion,
    SystemRole,
)
from aims.context.services import approve_scope, save_issue, save_scope_draft, save_system_role
from aims.risk.models import Risk
from tests.helpers import make_system


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def an_issue(world, **fields) -> Issue:
    fields.setdefault("title", "EU AI Act for EU customers")
    return save_issue(
        Issue(organization=world.org, side="external", category="legal", **fields),
        actor=world.owner,
    )


def test_the_overview_links_the_four_lists(world):
    page = world.client(world.viewer).get(url(world, "context_overview"))
    assert page.status_code == 200
    content = page.content.decode()
    for name in ("issue_list", "party_list", "scope_list", "role_list", "obligation_list"):
        assert url(world, name) in content
    assert re.search(
        r'aria-current="page">(<span class="icon[^>]*></span>)?Context &amp; scope</a>', content
    )


def test_a_contributor_records_an_issue_from_the_form(world):
    client = world.client(world.contributor)
    response = client.post(
        url(world, "issue_create"),
        {
            "title": "Model drift after rate rises",
            "description": "Applicant mix changed.",
            "side": "external",
            "category": "economic",
            "effect": "Scores less accurate.",
            "raises": "risk",
            "status": "open",
            "clauses": [],
        },
    )
    found = Issue.objects.get()
    assert response.status_code == 302 and response.url == found.get_absolute_url()
    assert found.title == "Model drift after rate rises" and found.category == "economic"
    assert found.ref == "ISS-001"


def test_the_issue_form_shows_pestle_and_swot_as_two_groups(world):
    content = world.client(world.contributor).get(url(world, "issue_create")).content.decode()
    assert '<optgroup label="PESTLE' in content and '<optgroup label="SWOT' in content


def test_a_viewer_cannot_record_an_issue(world):
    response = world.client(world.viewer).post(
        url(world, "issue_create"), {"title": "X", "side": "internal", "category": "social"}
    )
    assert response.status_code == 403 and not Issue.objects.exists()


def test_raising_a_risk_from_the_issue_page(world):
    found = an_issue(world)
    client = world.client(world.contributor)
    page = client.get(found.get_absolute_url()).content.decode()
    assert "Raise a risk" in page
    response = client.post(
        url(world, "issue_raise_risk", issue_id=found.pk),
        {"inherent_likelihood": "3", "inherent_impact": "4", "category": "legal"},
    )
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert list(found.risks.all()) == [risk] and risk.inherent_score == 12
    page = client.get(found.get_absolute_url()).content.decode()
    assert risk.ref in page and risk.get_absolute_url() in page


def test_raising_a_risk_without_likelihood_shows_the_error_beside_the_field(world):
    found = an_issue(world)
    response = world.client(world.contributor).post(
        url(world, "issue_raise_risk", issue_id=found.pk),
        {"inherent_impact": "4", "category": "legal"},
    )
    assert response.status_code == 422
    assert "the risk register needs it" in response.content.decode()
    assert not Risk.objects.exists()


def test_a_viewer_cannot_raise_a_risk(world):
    found = an_issue(world)
    response = world.client(world.viewer).post(
        url(world, "issue_raise_risk", issue_id=found.pk),
        {"inherent_likelihood": "3", "inherent_impact": "4", "category": "legal"},
    )
    assert response.status_code == 403 and not Risk.objects.exists()


def test_deleting_an_issue_asks_first_and_needs_manage(world):
    found = an_issue(world)
    delete = url(world, "issue_delete", issue_id=found.pk)
    assert world.client(world.contributor).post(delete).status_code == 403
    manager = world.client(world.manager)
    confirm = manager.get(delete)
    assert confirm.status_code == 200 and "Delete issue" in confirm.content.decode()
    assert Issue.objects.exists()
    assert manager.post(delete).status_code == 302
    assert not Issue.objects.exists()


def test_the_issue_list_filters_and_exports_the_same_records(world):
    an_issue(world, title="Regulation ahead")
    save_issue(
        Issue(organization=world.org, title="Talent gap", side="internal", category="weakness"),
        actor=world.owner,
    )
    client = world.client(world.viewer)
    page = client.get(url(world, "issue_list"), {"side": "internal"}).content.decode()
    assert "Talent gap" in page and "Regulation ahead" not in page
    export = client.get(url(world, "issue_export_csv"), {"q": "regulation"})
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "ID" and [r[1] for r in rows[1:]] == ["Regulation ahead"]


def test_a_party_from_the_form_addresses_4_2(world):
    response = world.client(world.contributor).post(
        url(world, "party_create"),
        {
            "name": "Financial Conduct Authority",
            "side": "external",
            "kind": "regulators",
            "needs": "Good outcomes for consumers.",
            "addressed": "partly",
            "clauses": [c.pk for c in []],
        },
    )
    assert response.status_code == 302
    party = InterestedParty.objects.get()
    assert party.addressed == "partly"


def test_approving_the_scope_from_its_page(world):
    version = save_scope_draft(
        ScopeVersion(organization=world.org, statement="Lending AI."), actor=world.contributor
    )
    approve = url(world, "scope_approve", scope_version_id=version.pk)
    assert world.client(world.contributor).post(approve).status_code == 403
    page = world.client(world.manager).get(version.get_absolute_url()).content.decode()
    assert "Approve this version" in page
    response = world.client(world.manager).post(approve)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == ScopeStatus.APPROVED


def test_the_author_sees_no_approve_button_and_a_post_is_refused(world):
    version = save_scope_draft(
        ScopeVersion(organization=world.org, statement="Lending AI."), actor=world.manager
    )
    client = world.client(world.manager)
    assert "Approve this version" not in client.get(version.get_absolute_url()).content.decode()
    client.post(url(world, "scope_approve", scope_version_id=version.pk))
    version.refresh_from_db()
    assert version.status == ScopeStatus.DRAFT


def test_editing_an_approved_version_sends_back_to_its_page(world):
    version = save_scope_draft(
        ScopeVersion(organization=world.org, statement="Lending AI."), actor=world.contributor
    )
    approve_scope(version, actor=world.manager)
    client = world.client(world.manager)
    edit = url(world, "scope_edit", scope_version_id=version.pk)
    assert client.post(edit, {"statement": "Changed"}).status_code == 302
    version.refresh_from_db()
    assert version.statement == "Lending AI."


def test_a_new_scope_draft_starts_from_the_approved_one(world):
    version = save_scope_draft(
        ScopeVersion(organization=world.org, statement="The approved scope text."),
        actor=world.contributor,
    )
    approve_scope(version, actor=world.manager)
    client = world.client(world.contributor)
    assert "The approved scope text." in client.get(url(world, "scope_create")).content.decode()
    response = client.post(url(world, "scope_create"), {"statement": "Wider scope."})
    assert response.status_code == 302
    new = ScopeVersion.objects.get(number=2)
    assert new.status == ScopeStatus.DRAFT and new.author == world.contributor


def test_the_eu_ai_act_import_page_adds_the_chosen_articles(world):
    articles = catalogue.eu_ai_act_articles()
    client = world.client(world.contributor)
    assert "Art. 27" in client.get(url(world, "obligation_catalogue")).content.decode()
    response = client.post(
        url(world, "obligation_catalogue"),
        {"articles": [articles[0].key, articles[1].key], "others": ["gdpr-art-35"]},
    )
    assert response.status_code == 302
    assert sorted(Obligation.objects.values_list("reference", flat=True)) == [
        "EU AI Act Art. 10",
        "EU AI Act Art. 9",
        "GDPR Art. 35",
    ]
    page = client.get(url(world, "obligation_catalogue")).content.decode()
    assert "in the register already" in page


def test_the_system_page_shows_the_organizations_roles(world):
    system = make_system(world.org, actor=world.owner)
    client = world.client(world.viewer)
    assert "Our roles" in client.get(system.get_absolute_url()).content.decode()
    save_system_role(
        SystemRole(
            organization=world.org,
            system=system,
            iso_roles=[AIRole.CUSTOMER],
            eu_roles=["deployer"],
        ),
        actor=world.owner,
    )
    content = client.get(system.get_absolute_url()).content.decode()
    assert "AI customer / deployer" in content and "Deployer" in content


def test_another_organizations_records_are_not_found(world):
    theirs = save_issue(
        Issue(organization=world.other_org, title="Theirs", side="internal", category="social"),
        actor=world.outsider,
    )
    client = world.client(world.owner)
    assert client.get(url(world, "issue_detail", issue_id=theirs.pk)).status_code == 404
    assert "Theirs" not in client.get(url(world, "issue_list")).content.decode()
