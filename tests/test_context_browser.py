"""In a browser: record a context issue, raise a risk from it in one step, and find the risk in
the register, linked back to the issue."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, choose, make_user

from aims.catalog.loader import load_catalog
from aims.context.models import Issue
from aims.organizations.services import create_organization
from aims.risk.models import Risk

pytestmark = BROWSER
SHOTS = Path(os.environ.get("CONTEXT_SHOTS", "/tmp/shots/context"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_issue_raises_a_risk_that_the_register_links_back(page, live_server):
    load_catalog()
    manager = make_user("ada.manager")
    org = create_organization(name="Acme Lending", owner=manager)
    base = f"/o/{org.slug}"

    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    # From the sidebar to the issues, and a new one.
    page.click("nav.sidebar >> text=Context & scope")
    page.wait_for_url(re.compile(rf"{base}/context/$"))
    shot(page, "overview-empty")
    page.click("nav.tabs >> text=Issues")
    page.click("text=New issue")
    page.fill("#id_title", "FCA Consumer Duty")
    page.fill("#id_description", "The regulator expects evidence of good outcomes.")
    page.select_option("#id_side", "external")
    choose(page, "#id_category", "Legal")
    page.fill("#id_effect", "Outcome monitoring per customer group becomes part of the AIMS.")
    shot(page, "issue-form")
    page.click("button:has-text('Record issue')")
    page.wait_for_url(re.compile(rf"{base}/context/issues/\d+/$"))
    issue = Issue.objects.get(organization=org)
    assert issue.ref == "ISS-001"

    # Raise a risk in one step from the issue's page.
    choose(page, "#id_inherent_likelihood", "Likely")
    choose(page, "#id_inherent_impact", "Major")
    page.click("button:has-text('Raise a risk')")
    page.wait_for_url(re.compile(rf"{base}/context/issues/{issue.pk}/$"))
    risk = Risk.objects.get(organization=org)
    assert list(issue.risks.all()) == [risk]
    assert page.get_by_text(f"Risk {risk.ref} added").is_visible()
    shot(page, "issue-detail")

    # The risk is in the register, and its page names the issue.
    page.click(f"#risks >> text={risk.title}")
    page.wait_for_url(re.compile(rf"{base}/risks/{risk.pk}/$"))
    assert page.locator("dd", has_text=f"Raised from context issue {issue.ref}").is_visible()
    page.goto(f"{base}/risks/")
    assert page.get_by_role("link", name=risk.ref).is_visible()
    assert page.get_by_role("link", name="FCA Consumer Duty").is_visible()
