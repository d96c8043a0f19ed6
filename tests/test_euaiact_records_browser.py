"""A manager describes how people affected by a system ask for an explanation, records a request
from one of them, finds it in the register and answers it; records an oversight measure and a
regulatory change. In headless Chromium against a live server.

Screenshots go to /tmp/shots/records/ (each also at 390 px wide).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, choose
from django.utils import timezone

from aims.catalog.loader import load_catalog
from aims.euaiact.models import (
    ChangeSource,
    OversightMeasure,
    RecourseChannel,
    RecourseRequest,
    RegulatoryChange,
    RequestStatus,
)
from aims.euaiact.services import receive_request, save_change
from aims.inventory.models import OrganizationRole
from tests.helpers import make_system

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/records")
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1400, "height": 1000}


def shot(page, name: str) -> None:
    """A screenshot of the page as it is, and of the same page on a phone."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(WIDE)
    assert width <= PHONE["width"], f"{name} is {width} px wide on a phone"


def test_a_manager_records_a_channel_and_answers_a_request(page, live_server, world):
    load_catalog()
    today = timezone.localdate()
    base = f"/o/{world.org.slug}"
    system = make_system(
        world.org,
        actor=world.owner,
        name="Credit scoring",
        organization_role=OrganizationRole.DEPLOYER,
    )
    # An older request, past its due date, and a change in the watch.
    old = receive_request(
        RecourseRequest(
            organization=world.org,
            system=system,
            kind="contest",
            received_on=today - dt.timedelta(days=45),
            requester="Case 2024-077",
            summary="Contests the refusal of a car loan.",
        ),
        actor=world.owner,
    )

    page.goto("/login/")
    page.fill("#id_username", world.manager.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    # The system's EU AI Act page: no channel yet.
    page.goto(f"{base}/eu-ai-act/systems/{system.pk}/")
    recourse = page.locator("#recourse")
    assert recourse.get_by_text("Not described yet").is_visible()
    assert recourse.get_by_text("1 request open").is_visible()
    recourse.get_by_role("link", name="Describe the channel").click()
    page.fill("#id_how_to_ask", "Reply to the decision letter or call us with the case number.")
    page.fill("#id_contact", "decisions@acme.example, +353 1 555 0100")
    page.fill("#id_published_where", "Decision letter, website FAQ")
    page.fill("#id_response_days", "14")
    shot(page, "01-channel-form")
    page.click("button:has-text('Record')")
    page.wait_for_url(re.compile(rf"/systems/{system.pk}/#recourse$"))
    channel = RecourseChannel.objects.get(system=system)
    assert channel.response_days == 14
    assert page.locator("#recourse").get_by_text("14 days").is_visible()

    # A new request from the system's section: the system is chosen already.
    page.locator("#recourse").get_by_role("link", name="record a request").click()
    assert page.get_by_text("No personal data here beyond a case number").is_visible()
    assert page.locator("#id_system").input_value() == str(system.pk)
    page.select_option("#id_kind", "explanation")
    page.fill("#id_received_on", (today - dt.timedelta(days=2)).isoformat())
    page.fill("#id_requester", "Case 2025-118")
    page.fill("#id_summary", "Asks which factors led to the refusal of a personal loan.")
    shot(page, "02-request-form")
    page.click("button:has-text('Record the request')")
    page.wait_for_url(re.compile(rf"{base}/eu-ai-act/requests/\d+/$"))
    created = RecourseRequest.objects.get(requester="Case 2025-118")
    assert created.ref == f"R-{today.year}-002"
    assert created.due_on == today + dt.timedelta(days=12)
    assert page.get_by_text(f"{created.ref}: explanation of a decision").is_visible()

    # The register: both requests, the old one overdue.
    page.goto(f"{base}/eu-ai-act/requests/")
    assert page.get_by_role("link", name=created.ref).is_visible()
    assert page.get_by_text(f"Overdue since {old.due_on.isoformat()}").is_visible()
    shot(page, "03-register")
    page.check("#id_overdue")
    page.click("form.filters button:has-text('Filter')")
    page.wait_for_url(re.compile(r"overdue=on"))
    assert page.get_by_role("link", name=old.ref).is_visible()
    assert page.get_by_role("link", name=created.ref).count() == 0
    page.goto(f"{base}/eu-ai-act/requests/")

    # Answered: the outcome is needed, then the request is closed.
    page.get_by_role("link", name=created.ref).click()
    shot(page, "04-request")
    page.click("text=Record the answer")
    page.select_option("#id_status", "answered")
    page.click("button:has-text('Save')")
    page.wait_for_load_state()
    assert page.locator("#id_outcome_error").is_visible()
    assert page.locator("#id_answered_on_error").is_visible()
    shot(page, "05-answer-refused")
    page.fill("#id_answered_on", today.isoformat())
    page.fill("#id_outcome", "Explained the three main factors and how to ask for a review.")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(rf"{base}/eu-ai-act/requests/{created.pk}/$"))
    created.refresh_from_db()
    assert created.status == RequestStatus.ANSWERED and created.answered_on == today
    assert page.locator("dd").get_by_text("Explained the three main factors").is_visible()
    shot(page, "06-request-answered")

    # A record form: an oversight measure.
    page.goto(f"{base}/eu-ai-act/systems/{system.pk}/")
    page.locator("#oversight").get_by_role("link", name="Add human oversight measure").click()
    page.fill("#id_role", "Credit officer on duty")
    choose(page, "#id_person", "max.manager")
    page.fill("#id_authority", "Overrules the score; stops scoring for a branch.")
    page.fill("#id_training", "Two-day course on the score and its limits.")
    page.fill("#id_override", "Marks the score disregarded in the loan file.")
    shot(page, "07-record-form")
    page.click("button:has-text('Record')")
    page.wait_for_url(re.compile(rf"/systems/{system.pk}/#oversight$"))
    assert OversightMeasure.objects.get(system=system).person == world.manager
    assert page.locator("#oversight").get_by_text("Credit officer on duty").is_visible()
    page.locator("#oversight").screenshot(path=str(SHOTS / "08-system-oversight-section.png"))
    page.screenshot(path=str(SHOTS / "08-system-page.png"), full_page=True)
    page.locator("#recourse").screenshot(path=str(SHOTS / "09-system-recourse-section.png"))

    # The regulatory watch.
    save_change(
        RegulatoryChange(
            organization=world.org,
            title="Harmonised standard on logging",
            source=ChangeSource.STANDARD,
            summary="Sets what high-risk systems log.",
            articles="Art. 12",
        ),
        actor=world.owner,
    )
    page.goto(f"{base}/eu-ai-act/watch/")
    page.click("text=Record a change")
    page.fill("#id_title", "Guidelines on high-risk classification")
    page.select_option("#id_source", "guidance")
    page.fill("#id_summary", "Examples of Annex III uses that are and are not high-risk.")
    page.fill("#id_effect", "Confirms credit scoring is high-risk.")
    page.fill("#id_articles", "Art. 6")
    choose(page, "#id_systems", "Credit scoring")
    page.click("button:has-text('Record')")
    page.wait_for_url(re.compile(rf"{base}/eu-ai-act/watch/\d+/$"))
    change = RegulatoryChange.objects.get(title="Guidelines on high-risk classification")
    assert list(change.systems.all()) == [system]
    assert page.get_by_role("link", name="Credit scoring").first.is_visible()
    shot(page, "10-change")
    page.goto(f"{base}/eu-ai-act/watch/")
    assert page.get_by_text("Guidelines on high-risk classification").is_visible()
    shot(page, "11-watch-list")

    # The other kinds' forms, as a manager sees them.
    for number, slug in enumerate(("monitoring", "conformity", "declaration"), start=12):
        page.goto(f"{base}/eu-ai-act/systems/{system.pk}/{slug}/new/")
        shot(page, f"{number}-{slug}-form")
