"""The business case in headless Chromium: the AIMS manager opens the page, changes an
assumption (the day rate), sees the figures follow, and downloads the PDF, which carries the new
figure and the Art. 99 caps. Screenshots (desktop and a 390px phone) go to
/tmp/shots/businesscase/."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import BROWSER
from test_accessibility_browser import violations
from test_layout_browser import sign_in
from test_reports import pdf_text

from aims.businesscase.models import Assumptions
from aims.euaiact import services as act
from tests.helpers import make_system

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/businesscase")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_change_an_assumption_and_download_the_pdf(page, live_server, world, tmp_path):
    for name, tier in [("Credit scoring", "high"), ("Support chatbot", "limited")]:
        make_system(world.org, actor=world.owner, name=name, risk_tier=tier)
    profile = act.profile_of(world.org)
    profile.annual_turnover = Decimal(1_000_000_000)
    act.save_profile(profile, actor=world.manager)
    sign_in(page, live_server, world.manager)

    page.goto(f"/o/{world.org.slug}/business-case/")
    assert page.get_by_role("heading", name="The business case for the AIMS").is_visible()
    tier = page.locator("#tier-high").inner_text()
    assert "EUR 30,000,000" in tier and "max(EUR 15,000,000; 3 %" in tier
    people = page.locator("#figure-implementation_people").inner_text()
    assert "70 person-days × EUR 600" in people  # 40 + 15 × 2 systems, estimated
    shot(page, "case-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "case-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.set_viewport_size({"width": 1400, "height": 1000})
    assert not violations(page, "business case")

    page.get_by_role("link", name="Change assumptions").first.click()
    page.wait_for_url("**/business-case/assumptions/")
    assert page.get_attribute("#id_day_rate", "placeholder") == "EUR 600"
    page.fill("#id_day_rate", "-1")
    page.get_by_role("button", name="Save").click()
    assert "Zero or more" in page.locator("#id_day_rate_error").inner_text()
    shot(page, "assumptions-error")
    assert not violations(page, "business case assumptions with an error")
    page.fill("#id_day_rate", "800")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/o/{world.org.slug}/business-case/")
    assert Assumptions.objects.get(organization=world.org).day_rate == 800
    people = page.locator("#figure-implementation_people").inner_text()
    assert "EUR 56,000" in people and "70 person-days × EUR 800" in people
    assert "Entered" in page.locator("#assumption-day_rate").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("business-case-acme-lending-") and path.suffix == ".pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    text, pages = pdf_text(data)
    flat = " ".join(text.split())
    assert pages >= 2
    assert "EUR 56,000 = 70 person-days × EUR 800" in flat
    assert "max(EUR 15,000,000; 3 % × EUR 1,000,000,000 = EUR 30,000,000) = EUR 30,000,000" in flat

    page.goto(f"/o/{world.org.slug}/business-case/report/")
    shot(page, "report-desktop")
    assert not violations(page, "business case report")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "report-phone")
    page.goto(f"/o/{world.org.slug}/business-case/assumptions/")
    shot(page, "assumptions-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def test_the_demo_organizations_case_shows_its_tiers_and_its_roadmap(page, live_server):
    from aims.catalog.loader import load_catalog
    from aims.demo.loader import load_demo
    from aims.readiness.models import Assessment

    load_catalog()
    org, owner, _ = load_demo()
    assessment = Assessment.objects.latest_completed(org)
    assert assessment is not None
    sign_in(page, live_server, owner)
    page.goto(f"/o/{org.slug}/business-case/")
    roadmap = page.locator("#roadmap").inner_text()
    assert assessment.title in roadmap and "gap" in roadmap
    assert "Signed classification, version" in page.locator("#scope").inner_text()
    assert "max(EUR 15,000,000; 3 %" in page.locator("#tier-high").inner_text()
    shot(page, "demo-desktop")
