"""In headless Chromium: the new-risk form's live score preview (htmx, no inline script), the
warning before accepting one's own critical risk, and an additional control in the SoA, added,
shown and removed after a confirmation. Screenshots at 1280 and 390 pixels wide go to
test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import ARTIFACTS, BROWSER, PASSWORD, make_user
from playwright.sync_api import expect

from aims.catalog.loader import load_catalog
from aims.organizations.services import create_organization
from aims.risk.models import Risk, RiskAcceptance
from aims.soa.models import AdditionalControl, SoAEntry

pytestmark = BROWSER

WIDTHS = {"wide": 1280, "phone": 390}


def shots(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways at {width}px by {overflow}px"
    page.set_viewport_size({"width": 1400, "height": 1000})


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/o/"))


@pytest.mark.django_db(transaction=True)
def test_the_score_preview_follows_the_choices_and_a_self_acceptance_is_warned(page):
    load_catalog()
    manager = make_user("ada.manager")
    org = create_organization(name="Acme Lending", owner=manager)
    base = f"/o/{org.slug}"
    log_in(page, "ada.manager")

    page.goto(f"{base}/risks/new/")
    preview = page.locator("#inherent-preview")
    assert "Choose likelihood and impact" in preview.inner_text()
    assert page.locator("#id_inherent_likelihood").input_value() == ""
    page.fill("#id_title", "Model reproduces historic bias against women")
    page.select_option("#id_category", "fairness")
    page.select_option("#id_owner", str(manager.pk))
    page.select_option("#id_inherent_likelihood", "4")
    page.wait_for_timeout(300)
    assert "Choose likelihood and impact" in preview.inner_text()  # one of two chosen
    page.select_option("#id_inherent_impact", "5")
    expect(preview).to_contain_text("Score 20")
    assert "Critical" in preview.inner_text() and "Above appetite" in preview.inner_text()
    page.select_option("#id_inherent_impact", "1")
    expect(preview).to_contain_text("Score 4")
    assert "Low" in preview.inner_text() and "Within appetite" in preview.inner_text()
    page.select_option("#id_inherent_impact", "5")
    expect(preview).to_contain_text("Score 20")
    shots(page, "risk-form-preview")

    page.click("button:has-text('Record risk')")
    page.wait_for_url(re.compile(rf"{base}/risks/\d+/$"))
    risk = Risk.objects.get(organization=org)
    assert (risk.inherent_score, risk.owner) == (20, manager)

    # The owner accepts their own critical risk: warned first, then it is recorded as such.
    page.click("text=Record an acceptance")
    assert page.get_by_text("You own this risk, and it is critical.").is_visible()
    shots(page, "risk-self-acceptance-warning")
    page.fill("#id_rationale", "Human review of every decline until retraining.")
    page.fill("#id_expires_on", (dt.date.today() + dt.timedelta(days=90)).isoformat())
    page.click("button:has-text('Record my own acceptance')")
    page.wait_for_url(f"**{base}/risks/{risk.pk}/")
    assert page.get_by_text("Self-accepted").first.is_visible()
    assert RiskAcceptance.objects.get(risk=risk).authority.endswith("their own critical risk")
    shots(page, "risk-self-accepted")


@pytest.mark.django_db(transaction=True)
def test_an_additional_control_is_added_decided_and_removed_after_a_confirmation(page):
    load_catalog()
    make_user("ada.manager")
    owner = make_user("olivia.owner")
    org = create_organization(name="Acme Lending", owner=owner)
    base = f"/o/{org.slug}"
    log_in(page, "olivia.owner")

    page.goto(f"{base}/soa/")
    page.click("text=Add a control")
    page.fill("#id_ref", "27001-A.5.15")
    page.fill("#id_title", "Access control")
    page.select_option("#id_source", "iso27001")
    page.fill("#id_description", "Rules to control physical and logical access to information.")
    page.click("button:has-text('Add control')")
    page.wait_for_url(re.compile(rf"{base}/soa/\d+/edit/$"))
    page.select_option("#id_applicability", "applicable")
    page.fill("#id_justification", "Our ISMS covers the AI platform; shared with ISO/IEC 27001.")
    page.select_option("#id_status", "implemented")
    page.click("button:has-text('Save decision')")
    entry = SoAEntry.objects.get(organization=org, additional_control__ref="27001-A.5.15")
    page.wait_for_url(f"**{base}/soa/{entry.pk}/")
    assert page.get_by_text("Implemented without current evidence").first.is_visible()
    shots(page, "soa-additional-detail")

    page.goto(f"{base}/soa/?objective=additional")
    assert page.get_by_text("27001-A.5.15").first.is_visible()
    page.goto(f"{base}/soa/")
    page.locator("text=Additional controls, from other sources").scroll_into_view_if_needed()
    shots(page, "soa-list-with-additional")

    page.goto(f"{base}/soa/{entry.pk}/")
    page.click("text=Remove…")
    page.wait_for_url(f"**{base}/soa/{entry.pk}/remove/")
    assert SoAEntry.objects.filter(pk=entry.pk).exists()  # asking removed nothing
    shots(page, "soa-additional-remove")
    page.click("button:has-text('Remove 27001-A.5.15')")
    page.wait_for_url(f"**{base}/soa/")
    assert not AdditionalControl.objects.filter(organization=org).exists()
    assert page.get_by_text("Removed 27001-A.5.15").is_visible()
