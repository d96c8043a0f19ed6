"""Writing and approving a high-risk system's technical documentation opens its deployment gate,
in headless Chromium against a live server.

The contributor writes the documentation (Annex IV sections) for a high-risk system in
validation and submits it; the AIMS manager approves it; the system's page then shows the
technical documentation, human oversight and event logging requirements met. Screenshots of
every page of the area go to /tmp/shots/techdocs/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, make_user

from aims.catalog.loader import load_catalog
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.inventory.services import save_system
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization
from aims.techdocs.models import ANNEX_IV_SECTIONS, Status, TechnicalDocument

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/techdocs")


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


GATED = ("technical_documentation", "human_oversight", "event_logging")


@pytest.mark.django_db(transaction=True)
def test_approved_documentation_meets_the_high_risk_gate(page, live_server):
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
            human_oversight="Underwriters review every referral.",
            owner=manager,
            risk_tier=RiskTier.HIGH,
            version="4.2",
        ),
        actor=manager,
    )
    AISystem.objects.filter(pk=system.pk).update(stage=Stage.VALIDATION)

    log_in(page, "carl.writer", base)
    page.click("nav.sidebar >> text=Technical documentation")
    page.wait_for_url(f"**{base}/techdocs/")
    shot(page, "01-list-empty")

    # The system page says the gate is blocked, and offers to write the documentation.
    page.goto(f"{base}/systems/{system.pk}/")
    gate = page.locator("#gate")
    for label in ("Technical documentation is drawn up", "Events are logged automatically"):
        assert "Blocked" in gate.locator("li", has_text=label).inner_text()
    page.click("#technical-documentation >> text=Write documentation")
    page.wait_for_url(f"**{base}/techdocs/new/?system={system.pk}")
    assert page.input_value("#id_system_version") == "4.2"
    for name, label in ANNEX_IV_SECTIONS:
        page.fill(f"#id_{name}", f"{label}: as built and tested for 4.2.")
    page.fill("#id_logging", "")
    shot(page, "02-form")
    page.click("button:has-text('Save draft')")
    page.wait_for_url(re.compile(rf"{base}/techdocs/\d+/$"))
    document = TechnicalDocument.objects.get(system=system)
    assert document.status == Status.DRAFT
    assert "Logging" in page.locator(".callout-bad").inner_text()
    shot(page, "03-detail-draft")

    # Fill the missing section, then submit.
    page.click("text=Edit draft")
    page.fill("#id_logging", "Every score with its inputs and model version, kept 7 years.")
    shot(page, "04-edit")
    page.click("button:has-text('Save draft')")
    page.wait_for_url(re.compile(rf"{base}/techdocs/\d+/$"))
    page.click("button:has-text('Submit for review')")
    page.wait_for_load_state()
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW
    assert page.locator("button:has-text('Approve')").count() == 0  # not for a contributor
    log_out(page)

    # The manager approves it.
    log_in(page, "ada.manager", base)
    page.goto(document.get_absolute_url())
    shot(page, "05-detail-in-review")
    page.click("button:has-text('Approve version 1')")
    page.wait_for_load_state()
    document.refresh_from_db()
    assert document.status == Status.APPROVED
    assert document.approved_by == manager
    shot(page, "06-detail-approved")

    # The gate requirements are met on the system's page.
    page.goto(f"{base}/systems/{system.pk}/")
    gate = page.locator("#gate")
    for label in (
        "Technical documentation is drawn up",
        "Human oversight measures are in place",
        "Events are logged automatically",
    ):
        assert "Met" in gate.locator("li", has_text=label).inner_text(), label
    shot(page, "07-system-gate-met")
    system.refresh_from_db()
    assert all(r.met for r in system.gate(Stage.DEPLOYMENT) if r.requirement.code in GATED)

    # A new version, the list with filters, the print layout and the delete confirmation.
    page.goto(document.get_absolute_url())
    page.click("button:has-text('Start a new version')")
    page.wait_for_url(re.compile(rf"{base}/techdocs/\d+/edit/$"))
    draft = TechnicalDocument.objects.get(system=system, number=2)
    page.goto(f"{base}/techdocs/")
    assert page.locator("table.table tbody tr").count() == 2
    shot(page, "08-list")
    page.goto(f"{base}/techdocs/?status=approved")
    assert page.locator("table.table tbody tr").count() == 1
    page.goto(document.get_absolute_url())
    page.emulate_media(media="print")
    assert not page.locator("nav.sidebar").is_visible()
    assert page.locator(".print-only").is_visible()
    shot(page, "09-print")
    page.emulate_media(media="screen")
    page.goto(f"{base}/techdocs/{draft.pk}/delete/")
    shot(page, "10-delete-confirm")
    page.click("button:has-text('Delete')")
    page.wait_for_url(f"**{base}/techdocs/")
    assert not TechnicalDocument.objects.filter(pk=draft.pk).exists()

    # Information for users.
    page.goto(f"{base}/techdocs/new/?system={system.pk}&kind=user_info")
    page.select_option("#id_audience", "affected")
    page.fill("#id_user_text", "A model helps decide; a person reviews every decline.")
    page.fill("#id_channel", "Website")
    page.click("button:has-text('Save draft')")
    page.wait_for_url(re.compile(rf"{base}/techdocs/\d+/$"))
    shot(page, "11-user-info")
