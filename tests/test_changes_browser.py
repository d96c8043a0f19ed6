"""Recording and implementing a planned change moves the system's version and reopens its
gate, in headless Chromium against a live server.

The AIMS manager signs the risk assessment of a system in validation (the deployment gate's risk
requirement is met), a contributor proposes retraining it as version 4.3, the manager approves
it, the contributor implements it: the system page shows version 4.3 and the risk requirement
blocked again, and the change's page lists what it reopened. Screenshots of every page of the
area go to /tmp/shots/changes/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, choose, make_user
from django.utils import timezone

from aims.catalog.loader import load_catalog
from aims.changes.models import PlannedChange, Status
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.inventory.services import save_system
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization
from aims.risk.models import RiskAssessmentSignOff
from aims.risk.services import sign_no_significant_risks

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/changes")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str, base: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))


def log_out(page) -> None:
    page.click("button:has-text('Log out')")
    page.wait_for_load_state()


RISKS_LABEL = "The system's risks are assessed"


@pytest.mark.django_db(transaction=True)
def test_implementing_a_change_moves_the_version_and_reopens_the_gate(page, live_server):
    load_catalog()
    manager = make_user("ada.manager")
    writer = make_user("carl.writer")
    org = create_organization(name="Acme Lending", owner=manager)
    Membership.objects.create(user=writer, organization=org, role=Role.CONTRIBUTOR)
    base = f"/o/{org.slug}"
    system = save_system(
        AISystem(
            organization=org,
            name="Credit scoring",
            purpose="Scores loans",
            intended_use="Underwriters decide",
            owner=manager,
            risk_tier=RiskTier.LIMITED,
            version="4.2",
        ),
        actor=manager,
    )
    AISystem.objects.filter(pk=system.pk).update(stage=Stage.VALIDATION)
    system.refresh_from_db()
    sign_no_significant_risks(system, actor=manager, conclusion="Assessed in validation.")

    log_in(page, "carl.writer", base)
    page.goto(f"{base}/systems/{system.pk}/")
    assert "Met" in page.locator("#gate li", has_text=RISKS_LABEL).inner_text()
    page.click("nav.sidebar >> text=Planned changes")
    page.wait_for_url(f"**{base}/changes/")
    shot(page, "01-list-empty")

    # Propose: the form refuses a new version without its label.
    page.goto(f"{base}/systems/{system.pk}/")
    page.click("#planned-changes >> text=Plan a change")
    page.wait_for_url(f"**{base}/changes/new/?system={system.pk}")
    page.select_option("#id_kind", "new_version")
    page.fill("#id_description", "Retrain on applications up to June 2025.")
    page.fill("#id_reason", "Population stability index above 0.2 for two quarters.")
    page.click("button:has-text('Propose the change')")
    assert "Give the version the system will have" in page.locator(".has-error").inner_text()
    assert not PlannedChange.objects.exists()
    page.fill("#id_new_version", "4.3")
    page.fill("#id_planned_date", timezone.localdate().isoformat())
    shot(page, "02-form")
    page.click("button:has-text('Propose the change')")
    page.wait_for_url(re.compile(rf"{base}/changes/\d+/$"))
    change = PlannedChange.objects.get()
    assert change.status == Status.PROPOSED and change.proposed_by == writer
    assert page.locator("button:has-text('Approve')").count() == 0
    shot(page, "03-detail-proposed")
    page.click("text=Edit")
    shot(page, "04-edit")
    page.goto(change.get_absolute_url())
    log_out(page)

    # The manager approves it.
    log_in(page, "ada.manager", base)
    page.goto(change.get_absolute_url())
    page.click("button:has-text('Approve')")
    page.wait_for_load_state()
    change.refresh_from_db()
    assert change.status == Status.APPROVED and change.approved_by == manager
    shot(page, "05-detail-approved")
    log_out(page)

    # The contributor implements it, after the confirmation page.
    log_in(page, "carl.writer", base)
    page.goto(change.get_absolute_url())
    page.click("a:has-text('Implement')")
    page.wait_for_url(f"**/changes/{change.pk}/implement/")
    assert "from 4.2 to 4.3" in page.locator("main").inner_text()
    shot(page, "06-implement-confirm")
    page.click("button:has-text('Implement the change')")
    page.wait_for_url(re.compile(rf"{base}/changes/{change.pk}/$"))
    change.refresh_from_db()
    assert change.status == Status.IMPLEMENTED
    effects = page.locator("#effects").inner_text()
    assert "4.2 → 4.3" in effects
    assert RISKS_LABEL in effects
    shot(page, "07-detail-implemented")

    # The system's page: the new version, the risk requirement blocked again.
    page.goto(f"{base}/systems/{system.pk}/")
    assert "4.3" in page.locator("dd", has_text="4.3").first.inner_text()
    assert "Blocked" in page.locator("#gate li", has_text=RISKS_LABEL).inner_text()
    shot(page, "08-system-gate-reopened")
    system.refresh_from_db()
    assert system.version == "4.3"
    assert RiskAssessmentSignOff.objects.current_for(system) is None

    # A second change, withdrawn; a third, rejected; the list with its filters.
    page.goto(f"{base}/changes/new/")
    choose(page, "#id_system", "Credit scoring")
    page.select_option("#id_kind", "data")
    page.fill("#id_description", "Add bureau attributes from a third agency.")
    page.fill("#id_reason", "Better coverage of thin files.")
    page.click("button:has-text('Propose the change')")
    page.wait_for_url(re.compile(rf"{base}/changes/\d+/$"))
    page.click("a:has-text('Withdraw')")
    shot(page, "09-withdraw")
    page.click("button:has-text('Withdraw the change')")
    page.wait_for_url(re.compile(rf"{base}/changes/\d+/$"))
    assert PlannedChange.objects.filter(status=Status.WITHDRAWN).count() == 1
    log_out(page)
    log_in(page, "ada.manager", base)
    proposed = PlannedChange.objects.create(
        organization=org,
        system=system,
        kind="other",
        description="Switch off automated approvals at night",
        reason="Fraud pattern",
        proposed_by=writer,
    )
    page.goto(f"{base}/changes/{proposed.pk}/reject/")
    page.fill("#id_reason", "Handled by the fraud team.")
    shot(page, "10-reject")
    page.click("button:has-text('Reject the change')")
    page.wait_for_url(re.compile(rf"{base}/changes/\d+/$"))
    proposed.refresh_from_db()
    assert proposed.status == Status.REJECTED
    page.goto(f"{base}/changes/")
    assert page.locator("table.table tbody tr").count() == 3
    shot(page, "11-list")
    page.goto(f"{base}/changes/?status=implemented")
    assert page.locator("table.table tbody tr").count() == 1
