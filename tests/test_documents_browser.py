"""The AI policy's journey, in headless Chromium: written from the template by the AIMS manager,
sent to review, approval refused to its author and given by top management, then read and
acknowledged by a member while the page shows who has not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, make_user

from aims.catalog.loader import load_catalog
from aims.documents.models import Acknowledgement, Document, State, Status
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization

pytestmark = BROWSER
SHOTS = Path("/tmp/shots/documents")


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def log_out(page) -> None:
    page.click("header button:has-text('Log out')")
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_ai_policy_from_template_to_acknowledgement(page, live_server):
    load_catalog()
    owner = make_user("olga.owner")
    org = create_organization(name="Acme Lending", owner=owner, scope="Consumer lending in Ireland")
    people = {}
    for username, role, top in [
        ("ada.manager", Role.MANAGER, False),
        ("tina.top", Role.VIEWER, True),
        ("vic.viewer", Role.VIEWER, False),
    ]:
        people[username] = make_user(username)
        Membership.objects.create(
            user=people[username], organization=org, role=role, is_top_management=top
        )
    base = f"/o/{org.slug}/documents"
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations

    # The AIMS manager writes the AI policy from the template and sends it to review.
    log_in(page, "ada.manager")
    page.goto(f"{base}/")
    shot(page, "01-empty-list")
    page.click("text=Write the AI policy from the template")
    shot(page, "02-templates")
    page.click("button:has-text('Create the draft')")
    page.wait_for_url(re.compile(rf"{base}/\d+/$"))
    policy = Document.objects.get(organization=org)
    assert policy.is_ai_policy and policy.status == Status.DRAFT
    assert "Acme Lending" in page.inner_text(".document-body")
    shot(page, "03-draft")
    page.click("text=Edit the draft")
    page.fill("#id_content", "# AI policy of Acme Lending\n\nWe use AI **carefully**.\n")
    page.wait_for_selector("#preview strong")  # the live preview
    shot(page, "04-write")
    page.click("button:has-text('Save the draft')")
    page.click("button:has-text('Submit version 1 for review')")
    page.wait_for_selector("text=Version 1 is in review")

    # Its author cannot approve it: no button, and the page says why.
    assert page.locator("button:has-text('Approve version 1')").count() == 0
    assert "You wrote version 1" in page.inner_text("#approval-refusal")
    shot(page, "05-in-review-author")
    log_out(page)

    # Top management approves it.
    log_in(page, "tina.top")
    page.goto(f"{base}/{policy.pk}/")
    page.click("button:has-text('Approve version 1')")
    page.wait_for_selector("text=Version 1 approved")
    policy.refresh_from_db()
    assert policy.status == Status.APPROVED
    assert policy.approved_version.approved_by == people["tina.top"]
    assert policy.approved_version.state == State.APPROVED
    log_out(page)

    # A member reads it and acknowledges it from their list of documents to read.
    log_in(page, "vic.viewer")
    page.goto(f"{base}/to-read/")
    shot(page, "06-to-read")
    page.click("button:has-text('I have read it')")
    page.wait_for_selector("text=Nothing to read")
    assert Acknowledgement.objects.filter(user=people["vic.viewer"]).count() == 1
    log_out(page)

    # The manager sees who has read it and who has not.
    log_in(page, "ada.manager")
    page.goto(f"{base}/{policy.pk}/")
    have = page.inner_text("#acknowledged")
    have_not = page.inner_text("#not-acknowledged")
    assert "vic.viewer" in have
    assert "tina.top" in have_not and "ada.manager" in have_not and "vic.viewer" not in have_not
    shot(page, "07-approved-acknowledgements")
    page.goto(f"{base}/")
    shot(page, "08-list")
