"""The business case for management: the Art. 99 fine caps per tier for a large company and an
SME (on the page, in the API and in the PDF), the cost estimates and their overrides, the
payback arithmetic, the assumptions' validation, empty states, the roadmap, roles and scoping."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from test_reports import pdf_text

from aims.businesscase.case import business_case
from aims.businesscase.models import Assumptions
from aims.euaiact import services as act
from aims.euaiact.models import ActProfile
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.readiness.models import ActionStatus, RoadmapAction
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient, make_system

CREDIT_ANSWERS = {"roles": ["provider", "deployer"], "annex_iii": ["5b"]}
TIERS = ("prohibited", "high", "limited")
BILLION = 1_000_000_000
HUNDRED_MILLION = 100_000_000

# Art. 99(3) to (6): the fixed amount or the share of the turnover, whichever is higher; for an
# SME whichever is lower. Worked out by hand for each case (tier -> cap, and the information
# cap of Art. 99(5)).
CASES = {
    # 7 % of 1bn is 70M > 35M; 3 % is 30M > 15M; 1 % is 10M > 7.5M: the share is higher.
    "large, share higher": (
        BILLION,
        False,
        {"prohibited": 70_000_000, "high": 30_000_000, "limited": 30_000_000},
        10_000_000,
    ),
    # 7 % of 100M is 7M < 35M: the fixed amount is higher.
    "large, fixed higher": (
        HUNDRED_MILLION,
        False,
        {"prohibited": 35_000_000, "high": 15_000_000, "limited": 15_000_000},
        7_500_000,
    ),
    # An SME takes the lower: the share.
    "SME, share lower": (
        HUNDRED_MILLION,
        True,
        {"prohibited": 7_000_000, "high": 3_000_000, "limited": 3_000_000},
        1_000_000,
    ),
    # An SME takes the lower: here the fixed amount.
    "SME, fixed lower": (
        BILLION,
        True,
        {"prohibited": 35_000_000, "high": 15_000_000, "limited": 15_000_000},
        7_500_000,
    ),
}
FIXED = {"prohibited": 35_000_000, "high": 15_000_000, "limited": 15_000_000}
PERCENT = {"prohibited": 7, "high": 3, "limited": 3}


def url(world, name: str) -> str:
    return reverse(name, kwargs={"org": world.org.slug})


def eur(amount: int) -> str:
    return f"EUR {amount:,}"


def set_profile(world, turnover: int | None, is_sme: bool) -> None:
    profile = act.profile_of(world.org)
    profile.annual_turnover = Decimal(turnover) if turnover is not None else None
    profile.is_sme = is_sme
    act.save_profile(profile, actor=world.manager)


def one_per_tier(world) -> dict[str, AISystem]:
    """A system in each capped tier (the high-risk one through a signed classification), a
    minimal one, and a retired high-risk one that is out of scope."""
    found = {
        tier: make_system(world.org, actor=world.owner, name=f"{tier} system", risk_tier=tier)
        for tier in ("prohibited", "limited", "minimal")
    }
    credit = make_system(world.org, actor=world.owner, name="high system")
    act.sign(act.save_draft(credit, CREDIT_ANSWERS, actor=world.manager), actor=world.manager)
    credit.refresh_from_db()
    assert credit.risk_tier == RiskTier.HIGH
    found["high"] = credit
    retired = make_system(world.org, actor=world.owner, name="Old scorer", risk_tier="high")
    AISystem.objects.filter(pk=retired.pk).update(stage=Stage.RETIRED)
    return found


def row(html: str, row_id: str) -> str:
    """The text of the table row ``<tr id="row_id">``, tags removed."""
    found = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert found, f"no row {row_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def formula(tier: str, turnover: int, is_sme: bool, cap: int) -> str:
    """What aims.euaiact.exposure writes for the cap, e.g. "max(EUR 15,000,000; 3 % × EUR
    1,000,000,000 = EUR 30,000,000) = EUR 30,000,000"."""
    share = turnover * PERCENT[tier] // 100
    pick = "min" if is_sme else "max"
    return (
        f"{pick}({eur(FIXED[tier])}; {PERCENT[tier]} % × {eur(turnover)} = {eur(share)}) = "
        f"{eur(cap)}"
    )


# --- The fine caps, on the page, in the API and in the PDF --------------------------------------


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_fine_caps_follow_article_99_on_the_page_in_the_api_and_in_the_pdf(world, case):
    turnover, is_sme, caps, information = CASES[case]
    pick = "min" if is_sme else "max"  # the lower for an SME, else the higher
    one_per_tier(world)
    set_profile(world, turnover, is_sme)
    client = world.client(world.viewer)

    html = client.get(url(world, "business_case")).content.decode()
    for tier in TIERS:
        text = row(html, f"tier-{tier}")
        # The tier and its systems, the formula and source, then the cap per system.
        assert text.startswith(f"{RiskTier(tier).label} · 1 system in scope {pick}("), text
        assert text.endswith(f" {eur(caps[tier])}"), text
        assert formula(tier, turnover, is_sme, caps[tier]) in text
        assert f"Source: Art. 99({3 if tier == 'prohibited' else 4})" in text
    assert eur(information) in row(html, "tier-information")
    assert "no cap of its own" in row(html, "tier-minimal").lower()
    headline = max(caps.values())
    assert f'Highest fine cap</p><p class="stat">EUR {headline:,}' in html

    body = ApiClient.for_member(world.viewer, world.org).get("/api/v1/business-case").json()
    by_tier = {t["tier"]: t for t in body["tiers"]}
    for tier in TIERS:
        assert by_tier[tier]["systems"] == 1  # the retired high-risk system is out of scope
        assert by_tier[tier]["exposure"]["amount"] == caps[tier]
        assert formula(tier, turnover, is_sme, caps[tier]) in by_tier[tier]["exposure"]["formula"]
    assert by_tier["minimal"]["exposure"] is None
    assert body["highest_exposure"]["amount"] == headline
    assert body["information_exposure"]["amount"] == information
    assert body["systems_in_scope"] == 4 and body["is_sme"] is is_sme

    response = client.get(url(world, "business_case_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "business-case-acme-lending-" in response["Content-Disposition"]
    text, pages = pdf_text(response.content)
    flat = " ".join(text.split())
    assert pages >= 2
    for tier in TIERS:
        assert formula(tier, turnover, is_sme, caps[tier]) in flat, tier
    assert eur(information) in flat
    assert "Acme Lending" in flat and "Payback period" in flat


def test_without_the_turnover_a_large_company_sees_floors_and_an_sme_is_told_to_enter_it(world):
    one_per_tier(world)
    set_profile(world, None, False)
    html = world.client(world.viewer).get(url(world, "business_case")).content.decode()
    assert "at least EUR 15,000,000" in row(html, "tier-high")
    assert "the turnover is not recorded" in row(html, "tier-high")
    assert "Enter the worldwide annual turnover" in html
    case = business_case(world.org, today=timezone.localdate())
    assert case.benefits[0].at_least and case.benefits[0].amount == Decimal(350_000)

    set_profile(world, None, True)
    html = world.client(world.viewer).get(url(world, "business_case")).content.decode()
    assert "Not known without the turnover" in row(html, "tier-high")
    case = business_case(world.org, today=timezone.localdate())
    assert case.benefits[0].amount is None
    assert "enter the worldwide annual turnover" in case.benefits[0].formula
    # The totals go on without it, and say so.
    assert "without risk reduction: expected fine exposure avoided: not known" in (
        case.benefit_total.formula
    )


# --- Costs, benefits and payback ----------------------------------------------------------------

ENTERED = {
    "implementation_days": "100",
    "running_days": "20",
    "day_rate": "500",
    "tools_per_year": "2000",
    "certification_audit": "20000",
    "surveillance_audit": "8000",
    "enforcement_likelihood": "2",
    "exposure_reduction": "50",
    "questionnaires_per_year": "10",
    "days_per_questionnaire": "2",
    "trust_value": "5000",
    "incidents_per_year": "2",
    "cost_per_incident": "10000",
    "incident_reduction": "50",
}


def test_the_payback_is_the_one_off_cost_over_the_yearly_net_benefit(world):
    make_system(world.org, actor=world.owner, name="Scorer", risk_tier="high")
    set_profile(world, HUNDRED_MILLION, False)  # high risk: max(15M, 3M) = 15M
    response = world.client(world.manager).post(url(world, "business_case_assumptions"), ENTERED)
    assert response.status_code == 302

    case = business_case(world.org, today=timezone.localdate())
    # one-off: 100 days × 500 + 20,000 audit; running: 20 × 500 + 2,000 + 8,000
    assert case.one_off.amount == 70_000 and case.running.amount == 20_000
    # risk 15M × 2 % × 50 % = 150,000; procurement 10 × 2 × 500 = 10,000; trust 5,000;
    # incidents 2 × 10,000 × 50 % = 10,000
    assert [b.amount for b in case.benefits] == [150_000, 10_000, 5_000, 10_000]
    assert case.benefit_total.amount == 175_000
    assert case.net.amount == 155_000
    assert case.payback.amount == Decimal("5.4")  # 70,000 / 155,000 × 12 = 5.42 months
    assert case.payback.formula == (
        "5.4 months = one-off cost EUR 70,000 ÷ net benefit EUR 155,000 a year × 12"
    )
    assert case.cycle.amount == 3 * 155_000 - 70_000
    assert case.benefits[0].formula == (
        "EUR 150,000 a year = highest cap EUR 15,000,000 × 2 % likelihood a year × 50 % reduction"
    )
    assert all(a.entered for a in case.assumptions.values())

    body = ApiClient.for_member(world.viewer, world.org).get("/api/v1/business-case").json()
    assert body["payback"]["amount"] == 5.4 and body["payback"]["unit"] == "months"
    assert body["one_off_cost"]["amount"] == 70_000 and body["net_benefit"]["amount"] == 155_000
    assert body["benefits_total"]["formula"].startswith("EUR 175,000 = EUR 150,000 + ")
    html = world.client(world.viewer).get(url(world, "business_case")).content.decode()
    assert "5.4 months" in row(html, "figure-payback")
    assert "Entered by the organization" in row(html, "assumption-day_rate")


def test_benefits_below_the_running_cost_never_pay_back(world):
    make_system(world.org, actor=world.owner, name="Chatbot", risk_tier="minimal")
    world.client(world.manager).post(
        url(world, "business_case_assumptions"), {"tools_per_year": "1000000"}
    )
    case = business_case(world.org, today=timezone.localdate())
    assert case.net.amount < 0
    assert case.payback.amount is None
    assert case.payback.formula.startswith("No payback on these figures")
    html = world.client(world.viewer).get(url(world, "business_case")).content.decode()
    assert '<p class="stat" id="payback">None</p>' in html


def test_the_costs_are_estimated_from_the_number_of_systems_until_entered(world):
    for name in ("A", "B", "C"):
        make_system(world.org, actor=world.owner, name=name, risk_tier="limited")
    case = business_case(world.org, today=timezone.localdate())
    a = case.assumptions
    assert a["implementation_days"].value == 40 + 15 * 3
    assert a["implementation_days"].source.startswith("Estimate: 40 + 15 × 3 systems in scope")
    assert a["certification_audit"].value == 12_000 + 2_000 * 3
    assert a["surveillance_audit"].value == 9_000  # half the certification audit
    assert a["incidents_per_year"].value == Decimal("1.5")  # 0.5 per system, register empty
    assert not any(x.entered for x in a.values())
    assert case.costs[0].formula == "EUR 51,000 = 85 person-days × EUR 600"

    world.client(world.manager).post(
        url(world, "business_case_assumptions"), {"certification_audit": "30000"}
    )
    a = business_case(world.org, today=timezone.localdate()).assumptions
    assert a["certification_audit"].value == 30_000 and a["certification_audit"].entered
    assert a["surveillance_audit"].value == 15_000  # follows the entered audit
    assert not a["surveillance_audit"].entered
    assert a["implementation_days"].value == 85


# --- Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day_rate", "-5", "Zero or more: a figure cannot be negative."),
        ("enforcement_likelihood", "150", "At most 100 %: a share cannot be more than the whole."),
        ("certification_audit", "99999999999999", "At most 10,000,000,000 EUR"),
        ("certification_audit", "1200.50", "In whole euros, without cents."),
        ("implementation_days", "12.25", "At most 1 decimal places."),
        ("incidents_per_year", "many", "Enter a number, with a dot for decimals (12.5)."),
        ("running_days", "1e400", "At most 100,000 person-days"),
    ],
)
def test_an_out_of_bounds_assumption_is_refused_beside_its_field(world, field, value, message):
    response = world.client(world.manager).post(
        url(world, "business_case_assumptions"), {**ENTERED, field: value}
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert any(message in error for error in errors[field]), errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Assumptions.objects.filter(organization=world.org).exists()


def test_saving_assumptions_is_audited_and_an_emptied_field_returns_to_its_estimate(world):
    client = world.client(world.manager)
    client.post(url(world, "business_case_assumptions"), {"day_rate": "800"})
    stored = Assumptions.objects.get(organization=world.org)
    assert stored.day_rate == 800
    assert AuditEvent.objects.for_record(stored).exists()
    page = client.get(url(world, "business_case_assumptions")).content.decode()
    assert 'value="800"' in page
    assert "Leave empty to use the estimate: EUR 600." in page

    client.post(url(world, "business_case_assumptions"), {"day_rate": ""})
    stored.refresh_from_db()
    assert stored.day_rate is None
    a = business_case(world.org, today=timezone.localdate()).assumptions["day_rate"]
    assert a.value == 600 and not a.entered
    page = client.get(url(world, "business_case_assumptions")).content.decode()
    assert 'placeholder="EUR 600"' in page


# --- Empty states and the roadmap ---------------------------------------------------------------


def test_an_empty_organization_is_told_what_to_enter(world):
    html = world.client(world.manager).get(url(world, "business_case")).content.decode()
    assert "No AI system in scope yet" in html
    assert reverse("system_list", kwargs={"org": world.org.slug}) in html
    assert "Enter the worldwide annual turnover" in html
    assert reverse("act_profile", kwargs={"org": world.org.slug}) in html
    assert "Replace the estimates with the organization" in html
    assert 'id="roadmap-empty"' in html and "No completed readiness assessment yet" in html
    case = business_case(world.org, today=timezone.localdate())
    assert case.benefits[0].amount == 0
    assert "no AI system in scope is in a tier with a fine cap" in case.benefits[0].formula
    # A viewer is told who enters it, and gets no link to a page they cannot open.
    html = world.client(world.viewer).get(url(world, "business_case")).content.decode()
    assert reverse("act_profile", kwargs={"org": world.org.slug}) not in html
    assert reverse("business_case_assumptions", kwargs={"org": world.org.slug}) not in html
    assert "The AIMS manager enters it on the EU AI Act page." in html


def test_unclassified_systems_are_asked_to_be_classified(world):
    make_system(world.org, actor=world.owner, name="New model", risk_tier="unclassified")
    case = business_case(world.org, today=timezone.localdate())
    assert any("Classify the 1 system not yet classified" in line for line in case.to_enter)


def test_the_roadmap_groups_open_actions_by_the_quarter_they_fall_due(world):
    today = dt.date(2026, 12, 5)
    for title, due, status in [
        ("Write the AI policy", dt.date(2026, 11, 20), ActionStatus.OPEN),
        ("Train the owners", dt.date(2027, 2, 1), ActionStatus.OPEN),
        ("Run the internal audit", dt.date(2027, 3, 30), ActionStatus.OPEN),
        ("Set the scope", dt.date(2026, 10, 1), ActionStatus.DONE),
        ("Decide the objectives", None, ActionStatus.OPEN),
    ]:
        RoadmapAction.objects.create(
            organization=world.org, title=title, due_date=due, status=status
        )
    roadmap = business_case(world.org, today=today).roadmap
    assert [(q.label, [a.title for a in q.actions], q.overdue) for q in roadmap.quarters] == [
        ("2026 Q4", ["Write the AI policy"], 1),
        ("2027 Q1", ["Train the owners", "Run the internal audit"], 0),
        ("No due date", ["Decide the objectives"], 0),
    ]
    assert (roadmap.open_count, roadmap.done_count, roadmap.overdue_count) == (4, 1, 1)


def test_incidents_of_the_last_year_come_from_the_register(world):
    from aims.incidents.models import Incident

    system = make_system(world.org, actor=world.owner, name="Scorer", risk_tier="high")
    now = timezone.now()
    for days in (30, 200, 500):
        Incident.objects.create(
            organization=world.org,
            system=system,
            title=f"Incident {days}",
            what_happened="Wrong scores.",
            occurred_at=now - dt.timedelta(days=days),
            became_aware_at=now - dt.timedelta(days=days),
        )
    a = business_case(world.org, today=timezone.localdate()).assumptions["incidents_per_year"]
    assert a.value == 2 and not a.entered
    assert a.source == "Incident register: 2 incidents in the last 12 months"


# --- Roles and scoping --------------------------------------------------------------------------


def test_viewers_read_and_only_the_aims_manager_changes_the_assumptions(world):
    for user in (world.viewer, world.auditor, world.contributor, world.manager, world.owner):
        assert world.client(user).get(url(world, "business_case")).status_code == 200
        assert world.client(user).get(url(world, "business_case_report")).status_code == 200
    for user in (world.viewer, world.auditor, world.contributor):
        client = world.client(user)
        assert client.get(url(world, "business_case_assumptions")).status_code == 403
        assert client.post(url(world, "business_case_assumptions"), ENTERED).status_code == 403
    assert not Assumptions.objects.exists()
    assert world.client(world.outsider).get(url(world, "business_case")).status_code == 404
    assert world.client(world.manager).get(url(world, "business_case_assumptions")).status_code == (
        200
    )


def test_another_organizations_systems_and_figures_stay_out_of_the_case(world):
    make_system(world.org, actor=world.owner, name="Our scorer", risk_tier="limited")
    make_system(world.other_org, actor=world.outsider, name="Their secret", risk_tier="prohibited")
    Assumptions.objects.create(organization=world.other_org, day_rate=Decimal(9_999))
    ActProfile.objects.create(
        organization=world.other_org, annual_turnover=Decimal(BILLION), is_sme=True
    )
    html = world.client(world.viewer).get(url(world, "business_case")).content.decode()
    assert "Our scorer" in html and "Their secret" not in html
    body = ApiClient.for_member(world.viewer, world.org).get("/api/v1/business-case").json()
    assert body["systems_in_scope"] == 1 and body["annual_turnover"] is None
    assert body["highest_exposure"]["amount"] == 15_000_000  # limited, not their prohibited
    day_rate = next(a for a in body["assumptions"] if a["key"] == "day_rate")
    assert day_rate["value"] == 600 and not day_rate["entered"]
    theirs = ApiClient.for_member(world.outsider, world.other_org).get("/api/v1/business-case")
    assert theirs.json()["systems"] == [
        {
            "name": "Their secret",
            "tier": "prohibited",
            "basis": theirs.json()["systems"][0]["basis"],
        }
    ]
