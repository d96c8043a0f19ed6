"""In headless Chromium: a system with no risk assessed is stopped at the deployment gate, an
Owner signs "no significant risks identified" on its page, and it moves on."""

from __future__ import annotations

import re

import pytest
from conftest import BROWSER, PASSWORD, make_user
from helpers import make_system, move_through

from aims.catalog.loader import load_catalog
from aims.inventory.models import Stage
from aims.organizations.services import create_organization
from aims.risk.models import RiskAssessmentSignOff

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_an_owner_signs_the_risk_assessment_and_the_system_moves_on(page):
    load_catalog()
    owner = make_user("ada.owner")
    org = create_organization(name="Acme Lending", owner=owner)
    system = move_through(
        make_system(org, actor=owner, name="Claims triage"), Stage.VALIDATION, actor=owner
    )
    system_url = f"/o/{org.slug}/systems/{system.pk}/"

    page.goto("/login/")
    page.fill("#id_username", "ada.owner")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/o/{org.slug}/$"))

    # The deployment gate is blocked: no risk is assessed.
    page.goto(system_url)
    page.select_option("#id_to_stage", "deployment")
    page.fill("#id_reason", "Validation passed")
    page.click("button:has-text('Record the transition')")
    blocked = page.locator("#blocked")
    assert "The system's risks are assessed" in blocked.inner_text()
    assert "No risk is assessed for this system" in blocked.inner_text()
    system.refresh_from_db()
    assert system.stage == Stage.VALIDATION

    # Sign, with the confirmation, in the risk assessment section.
    section = page.locator("#risk-assessment")
    section.locator("#id_conclusion").fill(
        "Claims data, triage model and use by handlers assessed; no significant risk."
    )
    section.locator("#id_confirm").check()
    section.locator("button:has-text('Sign the assessment')").click()
    page.wait_for_url(re.compile(rf"{system_url}#risk-assessment$"))
    assert "No significant risks identified" in page.locator("#risk-assessment").inner_text()
    assert RiskAssessmentSignOff.objects.get(system=system).signed_by == owner

    # Now the system moves on to deployment.
    page.select_option("#id_to_stage", "deployment")
    page.fill("#id_reason", "Validation passed; risks assessed")
    page.click("button:has-text('Record the transition')")
    page.wait_for_url(system_url)
    system.refresh_from_db()
    assert system.stage == Stage.DEPLOYMENT
    # In deployment the signed assessment no longer counts for the next gate.
    assert "The signed assessment no longer counts" in page.locator("#risk-assessment").inner_text()
