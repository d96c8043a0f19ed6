"""The AIMS manager records a committee meeting with a decision and an action, sees the action
on the top-management page, and fixes a flagged activity of the RACI matrix, in headless
Chromium against a live server."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import BROWSER, PASSWORD, make_user
from django.utils import timezone

from aims.catalog.loader import load_catalog
from aims.leadership.models import Activity, CommitteeAction, Decision, Meeting
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_manager_records_a_meeting_and_fixes_a_flagged_activity(page, live_server):
    load_catalog()
    owner = make_user("olga.owner")
    org = create_organization(name="Acme Lending", owner=owner)
    manager = make_user("ada.manager")
    Membership.objects.create(user=manager, organization=org, role=Role.MANAGER)
    cfo = make_user("carl.cfo")
    cfo.first_name, cfo.last_name = "Carl", "Chief"
    cfo.save()
    Membership.objects.create(user=cfo, organization=org, role=Role.VIEWER, is_top_management=True)
    base = f"/o/{org.slug}"
    today = timezone.localdate()

    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    # Record a held committee meeting with the CFO attending.
    page.click("nav.sidebar >> text=Roles & committee")
    page.click("nav.tabs >> text=Committee meetings")
    page.click("text=Record the first meeting")
    page.fill("#id_title", "AI governance committee")
    page.fill("#id_date", today.isoformat())
    page.select_option("#id_status", "held")
    page.select_option("#id_attendees", [str(cfo.pk), str(manager.pk)])
    page.fill("#id_minutes", "Reviewed the credit model's validation.")
    page.click("button:has-text('Record meeting')")
    page.wait_for_url(re.compile(rf"{base}/leadership/meetings/\d+/$"))
    meeting = Meeting.objects.get(organization=org)
    assert set(meeting.attendees.all()) == {cfo, manager}

    # A decision, then an action due next week.
    page.fill("#id_decision-text", "Deploy the credit model with monthly fairness checks.")
    page.click("button:has-text('Record decision')")
    page.wait_for_selector("text=Decision recorded.")
    assert Decision.objects.get(meeting=meeting).text.startswith("Deploy the credit model")
    page.fill("#id_action-title", "Brief the call centre on the new model")
    page.select_option("#id_action-owner", str(manager.pk))
    page.fill("#id_action-due_date", (today + dt.timedelta(days=7)).isoformat())
    page.click("button:has-text('Add action')")
    page.wait_for_selector("text=Action “Brief the call centre on the new model” saved.")
    assert CommitteeAction.objects.get(meeting=meeting).owner == manager

    # Top management sees the open action and the meeting the CFO attended.
    page.click("nav.sidebar >> text=Top management")
    page.wait_for_url(re.compile(rf"{base}/top-management/$"))
    assert page.get_by_text("Brief the call centre on the new model").is_visible()
    assert page.locator("text=1 × Meeting attended").first.is_visible()

    # A role, then the RACI matrix: the first activity has no one accountable until it is set.
    page.goto(f"{base}/leadership/roles/new/")
    page.fill("#id_name", "AI governance lead")
    page.select_option("#id_holders", [str(manager.pk)])
    page.click("button:has-text('Record role')")
    page.wait_for_selector("text=Role “AI governance lead” saved.")
    page.goto(f"{base}/leadership/raci/")
    activity = Activity.objects.for_org(org).first()
    row = page.locator(f"#activity-{activity.pk}")
    assert "No one is accountable" in row.locator("[data-check]").inner_text()
    row.locator("select").first.select_option("A")
    row.locator("button:has-text('Save')").click()
    page.wait_for_selector(f"text=“{activity.name}” saved.")
    row = page.locator(f"#activity-{activity.pk}")
    assert row.locator("[data-check]").inner_text().strip() == "OK"
    assert activity not in Activity.objects.for_org(org).flagged()
    assert page.get_by_text("11 activities are flagged").is_visible()
