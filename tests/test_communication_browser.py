"""Communication in headless Chromium: an overdue planned communication is flagged; logging it
moves its next due date on by its frequency."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import BROWSER, PASSWORD, make_user

from aims.catalog.loader import load_catalog
from aims.communication.models import AudienceKind, Channel, Frequency, PlanEntry
from aims.communication.services import save_plan_entry
from aims.organizations.services import create_organization

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_logging_a_planned_communication_moves_its_due_date(page):
    load_catalog()
    manager = make_user("ada.manager")
    org = create_organization(name="Acme Lending", owner=manager)
    today = dt.date.today()
    entry = save_plan_entry(
        PlanEntry(
            organization=org,
            topic="Monthly monitoring digest",
            frequency=Frequency.MONTHLY,
            next_due=today - dt.timedelta(days=3),
            audience_kind=AudienceKind.INTERNAL,
            audience="Risk committee",
            channel=Channel.EMAIL,
            communicator=manager,
        ),
        actor=manager,
    )
    base = f"/o/{org.slug}"
    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    page.click("nav.sidebar >> text=Communication")
    page.wait_for_url(f"**{base}/communication/")
    assert page.locator("text=1 planned communication overdue").is_visible()
    page.click("text=Monthly monitoring digest")
    assert page.locator(".page-head .badge-bad").inner_text() == "Overdue"
    page.click("text=Log this communication")
    page.fill("#id_summary", "Digest of the month sent to the risk committee.")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(rf"{base}/communication/log/\d+/$"))
    entry.refresh_from_db()
    assert entry.next_due > today
    page.goto(entry.get_absolute_url())
    assert page.locator("#next-due").inner_text() == entry.next_due.isoformat()
