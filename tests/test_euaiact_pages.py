"""The EU AI Act pages: the overview and its export, the profile for the fine exposure, a
system's page, the questionnaire, a classification's page with its signature and deletion, and
the section on the inventory's system page."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.context.models import SystemRole
from aims.euaiact import services
from aims.euaiact.models import ActProfile, Classification, ClassificationStatus
from aims.euaiact.views import system_section_context
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system
from tests.helpers import make_system

CREDIT = {"roles": ["provider", "deployer"], "annex_iii": ["5b"], "profiling": True}
# The questionnaire as the page posts it: a credit-scoring system we build and use.
CREDIT_FORM = {
    "roles": ["provider", "deployer"],
    "practices": [],
    "annex_i": "no",
    "annex_iii": ["5b"],
    "exception": "none",
    "profiling": "yes",
    "exception_reasoning": "",
    "public_service": "no",
    "transparency": [],
    "gpai": "none",
    "note": "Scores every consumer loan application.",
}


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


@pytest.fixture
def system(world):
    return make_system(
        world.org,
        actor=world.owner,
        name="Credit scoring",
        intended_use="Scores consumer loan applications; loan officers decide.",
    )


def classified(world, system, answers=CREDIT, *, signer=None) -> Classification:
    """A classification of ``system`` prepared by the contributor, signed by the manager (or
    left a draft with ``signer=False``)."""
    draft = services.save_draft(system, answers, actor=world.contributor)
    if signer is False:
        return draft
    return services.sign(draft, actor=signer or world.manager)


def detail_url(world, classification, action=""):
    name = f"act_classification_{action}" if action else "act_classification_detail"
    return url(world, name, system_id=classification.system_id, classification_id=classification.pk)


# --- The questionnaire --------------------------------------------------------------------------


def test_classifying_a_credit_scoring_system_saves_draft_one_high_risk_under_annex_iii(
    world, system
):
    response = world.client(world.contributor).post(
        url(world, "act_classify", system_id=system.pk), CREDIT_FORM
    )
    draft = Classification.objects.get(system=system)
    assert response.status_code == 302
    assert response["Location"] == detail_url(world, draft)
    assert (draft.number, draft.status, draft.tier) == (1, ClassificationStatus.DRAFT, "high")
    assert draft.roles == ["provider", "deployer"]
    assert "Annex III point 5(b)" in [reason["article"] for reason in draft.reasons]
    assert draft.prepared_by == world.contributor
    assert draft.note == "Scores every consumer loan application."
    system.refresh_from_db()
    assert system.risk_tier == RiskTier.LIMITED  # a draft sets nothing


@pytest.mark.parametrize(
    "change,field,message",
    [
        (
            {"annex_iii": [], "exception": "narrow_task"},
            "exception",
            "The Art. 6(3) exceptions only concern Annex III uses",
        ),
        ({"roles": []}, "roles", "Say whether the organization is the provider"),
        (
            {"exception": "preparatory", "profiling": "no"},
            "exception_reasoning",
            "Write why the system poses no significant risk of harm",
        ),
    ],
)
def test_answers_that_do_not_fit_together_are_refused_beside_the_question(
    world, system, change, field, message
):
    response = world.client(world.contributor).post(
        url(world, "act_classify", system_id=system.pk), {**CREDIT_FORM, **change}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    error = html.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0]
    assert message in error
    assert "error-summary" in html  # the page's summary lists it too
    assert not Classification.objects.filter(system=system).exists()


def test_the_preview_shows_the_tier_and_reasons_and_saves_nothing(world, system):
    response = world.client(world.contributor).post(
        url(world, "act_classify", system_id=system.pk), {**CREDIT_FORM, "preview": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # only the preview's region
    assert "High risk" in html and "Annex III point 5(b)" in html
    assert not Classification.objects.filter(system=system).exists()

    response = world.client(world.contributor).post(
        url(world, "act_classify", system_id=system.pk),
        {**CREDIT_FORM, "roles": [], "preview": "1"},
    )
    assert "Not classifiable yet" in response.content.decode()
    assert "Say whether the organization is the provider" in response.content.decode()


def test_the_questionnaire_quotes_the_intended_use_and_groups_annex_iii_by_area(world, system):
    response = world.client(world.contributor).get(url(world, "act_classify", system_id=system.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Scores consumer loan applications; loan officers decide." in html
    assert "5. Access to essential private and public services" in html
    assert html.index("5. Access to essential") < html.index('value="5b"')
    assert 'maxlength="10000"' in html  # the Art. 6(4) reasoning's bound
    # The roles start from the inventory: a system we develop makes us its provider.
    assert _checked(html, "roles", "provider")
    assert not _checked(html, "roles", "deployer")


def _checked(html: str, name: str, value: str) -> bool:
    """Whether the option ``value`` of ``name`` is checked in the page."""
    for tag in html.split("<input")[1:]:
        tag = tag.split(">", 1)[0]
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return "checked" in tag
    raise AssertionError(f"no option {value} of {name}")


def test_the_first_roles_come_from_the_inventory_and_the_context(world):
    system = make_system(
        world.org, actor=world.owner, name="Vendor chatbot", organization_role="deployer"
    )
    client = world.client(world.contributor)
    html = client.get(url(world, "act_classify", system_id=system.pk)).content.decode()
    assert _checked(html, "roles", "deployer") and not _checked(html, "roles", "provider")

    SystemRole.objects.create(
        organization=world.org, system=system, eu_roles=["provider", "importer"]
    )
    html = client.get(url(world, "act_classify", system_id=system.pk)).content.decode()
    assert _checked(html, "roles", "deployer") and _checked(html, "roles", "provider")


def test_the_questionnaire_continues_the_draft_then_starts_from_the_signed_answers(world, system):
    draft = classified(
        world, system, {"roles": ["deployer"], "transparency": ["interaction"]}, signer=False
    )
    client = world.client(world.contributor)
    html = client.get(url(world, "act_classify", system_id=system.pk)).content.decode()
    assert _checked(html, "transparency", "interaction")
    assert _checked(html, "roles", "deployer") and not _checked(html, "roles", "provider")
    services.sign(draft, actor=world.manager)
    response = client.post(
        url(world, "act_classify", system_id=system.pk), {**CREDIT_FORM, "roles": ["deployer"]}
    )
    assert response.status_code == 302
    assert list(Classification.objects.filter(system=system).values_list("number", "status")) == [
        (2, "draft"),
        (1, "signed"),
    ]


def test_a_viewer_may_not_open_the_questionnaire(world, system):
    assert (
        world.client(world.viewer).get(url(world, "act_classify", system_id=system.pk)).status_code
        == 403
    )
    response = world.client(world.viewer).post(
        url(world, "act_classify", system_id=system.pk), CREDIT_FORM
    )
    assert response.status_code == 403
    assert not Classification.objects.exists()


def test_another_organizations_system_is_not_found(world):
    other = save_system(
        AISystem(organization=world.other_org, name="Theirs", purpose="Theirs"),
        actor=world.outsider,
    )
    theirs = services.save_draft(other, CREDIT, actor=world.outsider)
    client = world.client(world.owner)
    for name in ("act_system", "act_classify"):
        assert client.get(url(world, name, system_id=other.pk)).status_code == 404
    assert client.get(detail_url(world, theirs)).status_code == 404
    assert client.post(detail_url(world, theirs, "sign")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ClassificationStatus.DRAFT


# --- Signing and deleting -----------------------------------------------------------------------


def test_a_manager_signs_the_system_takes_its_tier_and_the_earlier_one_is_superseded(world, system):
    first = classified(world, system, {"roles": ["provider"], "transparency": ["interaction"]})
    assert first.tier == "limited"
    draft = classified(world, system, signer=False)
    client = world.client(world.manager)
    page = client.get(detail_url(world, draft)).content.decode()
    assert detail_url(world, draft, "sign") in page  # the button is offered

    response = client.post(detail_url(world, draft, "sign"))
    assert response.status_code == 302
    assert response["Location"] == url(world, "act_system", system_id=system.pk) + "#classification"
    draft.refresh_from_db()
    first.refresh_from_db()
    system.refresh_from_db()
    assert draft.status == ClassificationStatus.SIGNED and draft.signed_by == world.manager
    assert draft.signer_authority == "AIMS Manager"
    assert first.status == ClassificationStatus.SUPERSEDED
    assert system.risk_tier == RiskTier.HIGH
    html = client.get(response["Location"]).content.decode()
    assert "Classification 2 signed" in html


def test_a_contributors_signature_is_refused_with_the_reason(world, system):
    draft = classified(world, system, signer=False)
    client = world.client(world.contributor)
    page = client.get(detail_url(world, draft)).content.decode()
    assert detail_url(world, draft, "sign") not in page  # the reason instead of the button
    assert "Signing a classification needs decision authority" in page

    assert client.post(detail_url(world, draft, "sign")).status_code == 403
    draft.refresh_from_db()
    system.refresh_from_db()
    assert draft.status == ClassificationStatus.DRAFT and draft.signed_by is None
    assert system.risk_tier == RiskTier.LIMITED


def test_top_management_signs_without_another_role(world, system):
    """A member of top management holds decision authority even with the Viewer role."""
    draft = classified(world, system, signer=False)
    client = world.client(world.top_manager)
    assert detail_url(world, draft, "sign") in client.get(detail_url(world, draft)).content.decode()
    client.post(detail_url(world, draft, "sign"))
    draft.refresh_from_db()
    assert draft.status == ClassificationStatus.SIGNED
    assert draft.signer_authority == "Top management"


def test_a_draft_is_deleted_after_confirmation(world, system):
    draft = classified(world, system, signer=False)
    client = world.client(world.contributor)
    confirm = client.get(detail_url(world, draft, "delete"))
    assert confirm.status_code == 200
    assert "Delete this draft classification?" in confirm.content.decode()
    assert Classification.objects.filter(pk=draft.pk).exists()
    response = client.post(detail_url(world, draft, "delete"))
    assert response["Location"] == url(world, "act_system", system_id=system.pk) + "#classification"
    assert not Classification.objects.filter(pk=draft.pk).exists()


def test_a_signed_classification_is_not_deletable(world, system):
    signed = classified(world, system)
    client = world.client(world.owner)
    for method in (client.get, client.post):
        response = method(detail_url(world, signed, "delete"), follow=True)
        assert "a signed classification is kept as the record the Act asks for" in (
            response.content.decode()
        )
    signed.refresh_from_db()
    assert signed.status == ClassificationStatus.SIGNED
    page = client.get(detail_url(world, signed)).content.decode()
    assert detail_url(world, signed, "delete") not in page


def test_the_classification_page_shows_each_answer_and_the_outcome(world, system):
    signed = classified(world, system)
    html = world.client(world.viewer).get(detail_url(world, signed)).content.decode()
    assert "Is it intended for any of these uses?" in html
    assert "Assessing the creditworthiness of people" in html
    assert "Annex III point 5(b)" in html
    assert "Provider, Deployer" in html
    assert "max.manager" in html and "AIMS Manager" in html  # signer and authority
    assert "Signed" in html


# --- The system's page --------------------------------------------------------------------------


def test_the_system_page_lists_the_obligations_of_a_high_risk_provider_and_deployer(world, system):
    classified(world, system)
    response = world.client(world.contributor).get(url(world, "act_system", system_id=system.pk))
    html = response.content.decode()
    assert response.status_code == 200
    for anchor in ("classification", "obligations", "records", "exposure"):
        assert f'id="{anchor}"' in html
    for article in ("Art. 9", "Art. 10", "Art. 17", "Art. 43", "Art. 72", "Art. 73"):
        assert f'<span class="obligation-article">{article}</span>' in html
    for article in ("Art. 26", "Art. 27", "Art. 86"):  # credit scoring: Art. 27 applies
        assert f'<span class="obligation-article">{article}</span>' in html
    assert "Risk management system" in html
    assert "Open</span>" in html  # states in words
    assert url(world, "act_oversight_create", system_id=system.pk) in html
    assert "Add human oversight measure" in html
    assert "at least EUR 15,000,000" in html  # no turnover recorded: a floor
    # A viewer sees the obligations, without the links to add records.
    html = world.client(world.viewer).get(url(world, "act_system", system_id=system.pk)).content
    assert b"Add human oversight measure" not in html


def test_a_stale_classification_says_what_changed(world, system):
    classified(world, system)
    system.refresh_from_db()
    system.intended_use = "Now also sets the interest rate."
    save_system(system, actor=world.owner)
    html = world.client(world.viewer).get(url(world, "act_system", system_id=system.pk)).content
    assert b"Reclassify: intended use changed" in html


def test_the_art_6_4_record_keeps_the_reasoning_escaped(world, system):
    classified(
        world,
        system,
        {
            "roles": ["provider"],
            "annex_iii": ["4a"],
            "exception": "preparatory",
            "exception_reasoning": "It only <b>sorts</b> CVs by date for a recruiter.",
        },
    )
    html = world.client(world.viewer).get(url(world, "act_system", system_id=system.pk)).content
    html = html.decode()
    assert "Art. 6(4) record" in html
    assert "It only &lt;b&gt;sorts&lt;/b&gt; CVs by date for a recruiter." in html
    assert "<b>sorts</b>" not in html
    assert "Art. 6(3)(d)" in html


def test_an_unclassified_system_offers_the_questionnaire_and_a_minimal_one_has_no_cap(world):
    system = make_system(world.org, actor=world.owner, name="Spam filter", risk_tier="unclassified")
    html = world.client(world.contributor).get(url(world, "act_system", system_id=system.pk))
    html = html.content.decode()
    assert "Not classified through the questionnaire." in html
    assert "Answer the questionnaire" in html
    classified(world, system, {"roles": ["provider"]})
    html = world.client(world.contributor).get(url(world, "act_system", system_id=system.pk))
    html = html.content.decode()
    assert "Minimal risk" in html
    assert "No fine cap tied to this tier" in html


# --- The overview, its export and the profile ---------------------------------------------------


@pytest.fixture
def four_states(world, system):
    """Credit scoring signed; CV screening a draft only; a chatbot with its tier set by hand;
    a fraud model signed, then its intended use changed."""
    classified(world, system)
    cv = make_system(world.org, actor=world.owner, name="CV screening")
    classified(world, cv, {"roles": ["deployer"], "annex_iii": ["4a"]}, signer=False)
    make_system(world.org, actor=world.owner, name="Support chatbot")
    fraud = make_system(world.org, actor=world.owner, name="Fraud alerts")
    classified(world, fraud, {"roles": ["provider"]})
    fraud.refresh_from_db()
    fraud.intended_use = "Blocks cards by itself."
    save_system(fraud, actor=world.owner)
    return {"credit": system, "cv": cv, "fraud": fraud}


def names_in(response) -> list[str]:
    html = response.content.decode()
    return [
        n
        for n in ("Credit scoring", "CV screening", "Support chatbot", "Fraud alerts")
        if n in html
    ]


def test_the_overview_lists_the_systems_and_filters_by_classification_state(world, four_states):
    client = world.client(world.viewer)
    overview = url(world, "act_overview")
    response = client.get(overview)
    html = response.content.decode()
    assert response.status_code == 200
    assert names_in(response) == [
        "Credit scoring",
        "CV screening",
        "Support chatbot",
        "Fraud alerts",
    ]
    assert "Not classified — tier set by hand" in html
    assert "Reclassify: intended use changed" in html
    assert "Draft 1" in html
    assert url(world, "act_system", system_id=four_states["credit"].pk) in html
    assert url(world, "act_request_list") in html and url(world, "act_change_list") in html
    assert "High risk: 1" in html and "Limited risk: 2" in html and "Minimal risk: 1" in html
    assert "at least" in html and "EUR 15,000,000" in html  # the worst case: high risk

    states = {
        "signed": ["Credit scoring", "Fraud alerts"],
        "stale": ["Fraud alerts"],
        "draft": ["CV screening"],
        "none": ["Support chatbot"],
    }
    for state, expected in states.items():
        assert names_in(client.get(overview, {"state": state})) == expected, state
    assert names_in(client.get(overview, {"tier": "high"})) == ["Credit scoring"]
    assert names_in(client.get(overview, {"q": "fraud"})) == ["Fraud alerts"]


def test_the_overview_runs_the_same_queries_for_few_and_many_systems(world, four_states):
    client = world.client(world.viewer)
    overview = url(world, "act_overview")
    client.get(overview)
    with CaptureQueriesContext(connection) as small:
        client.get(overview)
    for n in range(6):
        extra = make_system(world.org, actor=world.owner, name=f"Extra {n}")
        classified(world, extra, {"roles": ["provider"]}, signer=None if n % 2 else False)
    with CaptureQueriesContext(connection) as large:
        assert client.get(overview).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_csv_export_has_a_row_per_system_with_its_reasons(world, four_states):
    response = world.client(world.viewer).get(url(world, "act_overview_export_csv"))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_name = {row["AI system"]: row for row in rows}
    assert set(by_name) == {"Credit scoring", "CV screening", "Support chatbot", "Fraud alerts"}
    credit = by_name["Credit scoring"]
    assert credit["Risk tier"] == "High risk"
    assert credit["Roles"] == "Provider; Deployer"
    assert "Annex III point 5(b): High-risk use" in credit["Reasons"]
    assert credit["Signed by"] == "max.manager" and credit["Signed on"]
    assert credit["Stale: changed since signed"] == ""
    assert by_name["Fraud alerts"]["Stale: changed since signed"] == "intended use"
    assert by_name["CV screening"]["Classification"] == "Draft only"
    assert by_name["CV screening"]["Draft in progress"] == "1"
    assert by_name["Support chatbot"]["Classification"] == "Not classified: tier set by hand"
    filtered = world.client(world.viewer).get(
        url(world, "act_overview_export_csv"), {"state": "stale"}
    )
    assert [r["AI system"] for r in csv.DictReader(io.StringIO(filtered.content.decode()))] == [
        "Fraud alerts"
    ]


@pytest.mark.parametrize(
    "turnover,message",
    [
        ("-5", "A turnover is zero or more."),
        ("100000000000000", "no company turns over more"),
        ("1000.50", "In whole euros, without cents."),
        ("12 000", "digits only"),
    ],
)
def test_the_profile_refuses_a_turnover_that_cannot_be(world, turnover, message):
    response = world.client(world.manager).post(
        url(world, "act_profile"), {"annual_turnover": turnover}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ActProfile.objects.filter(organization=world.org).exists()


def test_the_profile_is_saved_and_the_exposure_uses_it(world, system):
    classified(world, system)
    assert world.client(world.contributor).get(url(world, "act_profile")).status_code == 403
    client = world.client(world.manager)
    response = client.post(url(world, "act_profile"), {"annual_turnover": "1000000000"})
    assert response["Location"] == url(world, "act_overview")
    profile = ActProfile.objects.get(organization=world.org)
    assert (profile.annual_turnover, profile.is_sme) == (1_000_000_000, False)
    html = client.get(url(world, "act_overview")).content.decode()
    assert "EUR 30,000,000" in html and "3 % × EUR 1,000,000,000" in html
    assert "saved" in html
    client.post(url(world, "act_profile"), {"annual_turnover": "1000000000", "is_sme": "on"})
    html = client.get(url(world, "act_system", system_id=system.pk)).content.decode()
    assert "EUR 15,000,000" in html and "whichever is lower" in html


# --- The inventory -------------------------------------------------------------------------------


def test_the_inventory_form_locks_the_tier_once_a_classification_is_signed(world, system):
    client = world.client(world.owner)
    edit = url(world, "system_edit", system_id=system.pk)
    assert "disabled" not in _select(client.get(edit).content.decode(), "risk_tier")
    classified(world, system)
    html = client.get(edit).content.decode()
    assert "disabled" in _select(html, "risk_tier")
    assert "Set by EU AI Act classification 1" in html


def _select(html: str, name: str) -> str:
    return (
        html.split(f'name="{name}"', 1)[0].rsplit("<select", 1)[1]
        + html.split(f'name="{name}"', 1)[1].split(">", 1)[0]
    )


def test_the_inventory_system_page_says_how_the_system_is_classified(world, system):
    client = world.client(world.viewer)
    page = url(world, "system_detail", system_id=system.pk)
    html = client.get(page).content.decode()
    assert "Not classified through the questionnaire: the tier was set by hand." in html
    classified(world, system)
    html = client.get(page).content.decode()
    assert "Classified through the questionnaire:" in html and "version 1</a> signed on" in html
    assert "Obligations: <strong>" in html
    assert "EU AI Act: classification and obligations" in html
    assert url(world, "act_system", system_id=system.pk) in html


def test_the_inventory_section_costs_one_query_for_a_minimal_system(world, rf):
    system = make_system(world.org, actor=world.owner, name="Spam filter", risk_tier="minimal")
    classified(world, system, {"roles": ["provider"]})
    request = rf.get("/")
    request.org, request.membership = world.org, world.membership(world.owner)
    system = AISystem.objects.get(pk=system.pk)
    with CaptureQueriesContext(connection) as queries:
        context = system_section_context(system, request)
    assert len(queries.captured_queries) == 1
    assert context["signed"].number == 1 and context["total"] == 0
