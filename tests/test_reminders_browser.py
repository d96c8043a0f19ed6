"""A member's reminders, in headless Chromium against a live server.

Log in, open "My reminders" from the sidebar, see what is overdue and what comes next, narrow
the list to one kind, follow a reminder to its record, and turn the daily digest off in the
reminder settings. Screenshots of both pages go to /tmp/shots/reminders/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, make_user
from test_reminders import registered

from aims.catalog.loader import load_catalog
from aims.core.areas import DueItem
from aims.organizations.models import Access, Membership, Role
from aims.organizations.services import create_organization
from aims.reminders.models import ReminderPreference

pytestmark = BROWSER
SHOTS = Path("/tmp/shots/reminders")


def realistic(org, member):
    """A due hook with what the areas of a working AIMS would say falls due."""
    risks = f"/o/{org.slug}/risks/"
    specs = [
        ("Responsible AI policy: annual review", -12, "Document review", Access.MANAGE),
        ("Credit scoring: quarterly fairness check", -1, "Check schedule", Access.MANAGE),
        ("AI literacy training for credit officers expires", 3, "Training expiry", None),
        ("Management review of the AIMS (clause 9.3)", 9, "Management review", Access.MANAGE),
        ("Objective: halve unexplained model overrides — progress", 24, "Objective", None),
        ("Supplier assessment of the LLM provider", 52, "Supplier review", Access.MANAGE),
        ("Internal audit of Annex A.6 controls", 81, "Internal audit", Access.MANAGE),
        ("Data retention schedule review", 140, "Document review", Access.MANAGE),
    ]

    def due(organization, today):
        if organization.pk != org.pk:
            return []
        return [
            DueItem(
                title=title,
                due=today + dt.timedelta(days=days),
                url=risks,
                kind=kind,
                people=frozenset() if access else frozenset({member.pk}),
                access=access or Access.MANAGE,
                needs_decision=kind == "Management review",
            )
            for title, days, kind, access in specs
        ]

    return due


@pytest.mark.django_db(transaction=True)
def test_a_manager_follows_their_reminders_and_turns_the_digest_off(page, live_server):
    load_catalog()
    owner = make_user("olivia.owner")
    org = create_organization(name="Northwind Credit", owner=owner)
    manager = make_user("priya.shah")
    manager.first_name, manager.last_name = "Priya", "Shah"
    manager.save()
    Membership.objects.create(user=manager, organization=org, role=Role.MANAGER)
    base = f"/o/{org.slug}"
    SHOTS.mkdir(parents=True, exist_ok=True)

    with registered("due", realistic(org, manager)):
        page.goto("/login/")
        page.fill("#id_username", "priya.shah")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(rf"{base}/$"))

        page.click("nav.sidebar >> text=My reminders")
        page.wait_for_url(f"**{base}/reminders/")
        assert page.locator("h1").inner_text() == "My reminders"
        assert page.get_by_text("7 reminders, 2 overdue").is_visible()
        assert page.get_by_text("overdue by 12 days").is_visible()
        assert page.get_by_text("1 more falls due later than 90 days").is_visible()
        page.screenshot(path=str(SHOTS / "reminder_list.png"), full_page=True)

        page.select_option("#id_kind", "Training expiry")  # the form submits itself
        page.wait_for_url(re.compile(r"kind=Training"))
        assert page.locator("tbody tr").count() == 1
        page.screenshot(path=str(SHOTS / "reminder_list_filtered.png"), full_page=True)

        page.click("text=AI literacy training for credit officers expires")
        page.wait_for_url(f"**{base}/risks/")

        page.goto(f"{base}/reminders/")
        page.click("text=Reminder settings")
        page.wait_for_url(f"**{base}/reminders/settings/")
        assert page.is_checked("#id_digest")
        page.screenshot(path=str(SHOTS / "reminder_settings.png"), full_page=True)
        page.uncheck("#id_digest")
        page.click("button:has-text('Save')")
        page.wait_for_url(f"**{base}/reminders/settings/")
        assert page.get_by_text("The daily digest is off.").is_visible()
        assert not page.is_checked("#id_digest")
        assert ReminderPreference.objects.get(user=manager).digest is False

    with registered("due", lambda organization, today: []):
        page.goto(f"{base}/reminders/")
        assert page.get_by_text("Nothing is due for you.").is_visible()
        page.screenshot(path=str(SHOTS / "reminder_list_empty.png"), full_page=True)
