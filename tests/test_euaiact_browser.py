"""In headless Chromium: the AIMS manager classifies a new AI system through the EU AI Act
questionnaire, watches the outcome follow the answers, signs it, and sees the system's tier and
its obligations. Every page of the journey is looked at on a wide screen and on a phone (none
wider than the window, no serious accessibility violation). Screenshots go to
/tmp/shots/clspages/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BROWSER
from euaiact_helpers import DEPLOYER_HIGH as DEPLOYER_OBLIGATIONS
from euaiact_helpers import PROVIDER_HIGH as PROVIDER_OBLIGATIONS
from helpers import make_system
from playwright.sync_api import expect
from test_accessibility_browser import violations
from test_layout_browser import OVERFLOW, PHONE, WIDE, sign_in

from aims.catalog.loader import load_catalog
from aims.euaiact.models import Classification, ClassificationStatus
from aims.inventory.models import RiskTier

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/clspages")


def look_at(page, name: str) -> None:
    """Screenshots of the page at 1,400 and 390 px; neither may be wider than the window, and
    the page has no serious or critical accessibility violation."""
    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        assert page.evaluate(OVERFLOW) is None, f"{name} at {size['width']} px"
        page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)
    page.set_viewport_size(WIDE)
    assert violations(page, name) == []


def test_the_manager_classifies_a_new_system_signs_it_and_sees_its_obligations(
    page, live_server, world
):
    load_catalog()
    SHOTS.mkdir(parents=True, exist_ok=True)
    system = make_system(
        world.org,
        actor=world.manager,
        name="Loan scoring 2",
        intended_use="Scores consumer loan applications; a loan officer decides on each.",
        risk_tier=RiskTier.UNCLASSIFIED,
    )
    sign_in(page, live_server, world.manager)
    page.on("dialog", lambda dialog: dialog.accept())  # the signature's confirmation

    # The overview lists the new system, not classified yet.
    page.goto(f"/o/{world.org.slug}/eu-ai-act/")
    row = page.locator("tr", has_text="Loan scoring 2")
    expect(row).to_contain_text("Not classified")
    look_at(page, "overview-before")
    row.get_by_role("link", name="Loan scoring 2").click()
    expect(page.locator("#classification")).to_contain_text(
        "Not classified through the questionnaire."
    )
    page.locator(".page-head").get_by_role("link", name="Classify").click()

    # The questionnaire quotes the intended use; the outcome follows the answers.
    expect(page.locator("h1")).to_have_text("Classify Loan scoring 2")
    expect(page.locator("main")).to_contain_text("a loan officer decides on each")
    preview = page.locator("#cls-preview")
    expect(preview).to_contain_text("Minimal risk")  # a provider, nothing else ticked yet
    page.check("input[name=roles][value=deployer]")
    page.check("input[name=annex_iii][value='5b']")
    expect(preview).to_contain_text("High risk")
    expect(preview).to_contain_text("Annex III point 5(b)")
    page.check("input[name=exception][value=none]")
    page.check("input[name=profiling][value=yes]")
    assert page.is_checked("input[name=roles][value=provider]")  # from the inventory
    page.wait_for_load_state("networkidle")  # the last preview is in
    look_at(page, "classify")
    assert not Classification.objects.filter(system=system).exists()  # the preview saves nothing
    page.get_by_role("button", name="Save the draft").click()

    # The draft's page: each answer, the outcome, and the button to sign.
    page.wait_for_url(re.compile(r"/classifications/\d+/$"))
    expect(page.locator(".flash")).to_contain_text("Draft classification 1 saved: High risk")
    expect(page.locator("#outcome")).to_contain_text("Annex III point 5(b)")
    expect(page.locator("#answers")).to_contain_text("Assessing the creditworthiness of people")
    look_at(page, "classification-draft")
    page.get_by_role("button", name="Sign").click()

    # Signed: the system is high-risk, with the obligations of a provider and a deployer.
    page.wait_for_url(re.compile(r"/eu-ai-act/systems/\d+/#classification$"))
    expect(page.locator(".flash")).to_contain_text("Classification 1 signed")
    expect(page.locator("main > .page-head .badge")).to_have_text("High risk")
    obligations = page.locator("#obligations tbody tr[id]")
    articles = [row.locator(".obligation-article").inner_text() for row in obligations.all()]
    assert articles == PROVIDER_OBLIGATIONS + DEPLOYER_OBLIGATIONS
    states = {row.locator(".badge").inner_text() for row in obligations.all()}
    assert states <= {"Met", "Partly met", "Open"} and "Open" in states
    groups = page.locator("#obligations th[scope=colgroup]").all_text_contents()
    assert groups == ["As provider", "As deployer"]
    expect(page.locator("#exposure")).to_contain_text("at least EUR 15,000,000")
    look_at(page, "system")

    signed = Classification.objects.get(system=system)
    system.refresh_from_db()
    assert signed.status == ClassificationStatus.SIGNED and signed.signed_by == world.manager
    assert system.risk_tier == RiskTier.HIGH

    page.goto(signed.get_absolute_url())
    expect(page.locator("#status")).to_contain_text("AIMS Manager")
    look_at(page, "classification-signed")
    page.goto(f"/o/{world.org.slug}/eu-ai-act/profile/")
    page.fill("#id_annual_turnover", "2000000000")
    look_at(page, "profile")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#exposure")).to_contain_text("EUR 60,000,000")
    expect(page.locator("tr", has_text="Loan scoring 2")).to_contain_text("No. 1 signed on")
    look_at(page, "overview")

    # The inventory's system page says it too, and leads here.
    page.goto(system.get_absolute_url())
    section = page.locator("#eu-ai-act")
    expect(section).to_contain_text("Classified through the questionnaire: version 1 signed on")
    expect(section).to_contain_text("Obligations: 2 met, 0 partly met, 18 open, of 20.")
    section.screenshot(path=str(SHOTS / "inventory-section.png"))
    section.get_by_role("link", name="EU AI Act: classification and obligations").click()
    expect(page.locator("h1")).to_have_text("Loan scoring 2")


def test_a_refused_answer_shows_beside_its_question_on_a_phone(page, live_server, world):
    load_catalog()
    SHOTS.mkdir(parents=True, exist_ok=True)
    system = make_system(world.org, actor=world.contributor, name="Chat assistant")
    sign_in(page, live_server, world.contributor)
    page.set_viewport_size(PHONE)
    page.goto(f"/o/{world.org.slug}/eu-ai-act/systems/{system.pk}/classify/")
    page.uncheck("input[name=roles][value=provider]")
    page.check("input[name=exception][value=narrow_task]")
    expect(page.locator("#cls-preview")).to_contain_text("only concern Annex III uses")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#id_roles_error")).to_contain_text("Say whether the organization")
    expect(page.locator("[data-error-summary]")).to_contain_text("There are 2 problems to fix")
    expect(page.locator("#id_exception_error")).to_contain_text("only concern Annex III uses")
    assert page.evaluate(OVERFLOW) is None
    page.screenshot(path=str(SHOTS / "classify-errors-390.png"), full_page=True)
    assert not Classification.objects.filter(system=system).exists()
