"""Nonconformities and continual improvement in headless Chromium against a live server.

The AIMS manager raises a nonconformity by hand, records the containment and five whys, adds a
corrective action, tries to close it (refused, the reason shown), the action is marked done;
another member reviews its effectiveness; the manager closes it. Then an improvement and a
lesson learned from it, a member's suggestion, and the register report.

Screenshots of every page of the two areas go to /tmp/shots/nonconformities/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, choose, make_user
from django.utils import timezone

from aims.catalog.loader import load_catalog
from aims.improvement.models import Improvement, Lesson
from aims.improvement.models import Status as ImprovementStatus
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system
from aims.nonconformities.models import Nonconformity, Status
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/nonconformities")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def set_up():
    load_catalog()
    manager = make_user("ada.manager")
    manager.first_name, manager.last_name = "Ada", "Manager"
    manager.save()
    org = create_organization(name="Acme Lending", owner=manager)
    for username, first, role in (
        ("carl.engineer", "Carl", Role.CONTRIBUTOR),
        ("rita.reviewer", "Rita", Role.MANAGER),
    ):
        user = make_user(username)
        user.first_name, user.last_name = first, "Example"
        user.save()
        Membership.objects.create(user=user, organization=org, role=role)
    system = save_system(
        AISystem(
            organization=org,
            name="Credit scoring",
            purpose="Scores loans",
            intended_use="Officers decide",
            owner=manager,
            affects_individuals=True,
            risk_tier=RiskTier.LIMITED,
        ),
        actor=manager,
    )
    return org, system


def sign_in(page, base, username="ada.manager"):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))


@pytest.mark.django_db(transaction=True)
def test_a_nonconformity_is_closed_only_after_an_effective_review(page, live_server):
    org, system = set_up()
    base = f"/o/{org.slug}"
    today = timezone.localdate()
    sign_in(page, base)

    page.click("nav.sidebar >> text=Nonconformities")
    page.wait_for_url(f"**{base}/nonconformities/")
    assert "No nonconformity recorded" in page.content()
    shot(page, "01-list-empty")

    page.click("a:has-text('Raise a nonconformity') >> nth=0")
    page.fill("#id_title", "Model releases without a validation sign-off")
    page.fill(
        "#id_description",
        "Two releases of the credit model went live with no recorded validation.",
    )
    page.select_option("#id_severity", "major")
    choose(page, "#id_owner", "Ada Manager")
    choose(page, "#id_system", "Credit scoring")
    choose(page, "#id_controls", "A.6.2.4")
    shot(page, "02-raise-form")
    page.click("button:has-text('Raise nonconformity')")
    page.wait_for_url(re.compile(rf"{base}/nonconformities/\d+/$"))
    nc = Nonconformity.objects.get(organization=org)
    assert nc.ref == "NC-001" and nc.status == Status.OPEN
    assert nc.requirement_refs() == ["A.6.2.4"]

    page.click(".page-head a:has-text('Reaction and root cause')")
    page.fill("#id_containment", "Releases frozen until each one has a sign-off.")
    page.fill("#id_why_1", "Why was there no sign-off?")
    page.fill("#id_because_1", "The release script does not ask for one.")
    page.fill("#id_why_2", "Why does the script not ask?")
    page.fill("#id_because_2", "Sign-off lives in a spreadsheet the script cannot read.")
    page.fill("#id_root_cause", "No technical gate between validation and release.")
    shot(page, "03-analysis-form")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(rf"{base}/nonconformities/\d+/$"))
    nc.refresh_from_db()
    assert len(nc.whys) == 2 and nc.containment.startswith("Releases frozen")

    page.fill("#action_title", "Make the release pipeline require a recorded sign-off")
    choose(page, "#action_owner", "Carl Example")
    page.fill("#action_due_date", (today + dt.timedelta(days=14)).isoformat())
    page.click("button:has-text('Add the action')")
    page.wait_for_load_state()
    nc.refresh_from_db()
    assert nc.status == Status.IN_PROGRESS
    action = nc.actions.get()
    page.click(f"#action-{action.pk} a:has-text('Edit')")
    page.wait_for_url(re.compile(rf"{base}/nonconformities/\d+/actions/\d+/edit/$"))
    shot(page, "04a-action-edit-form")
    page.click("form a:has-text('Cancel')")
    page.wait_for_url(re.compile(rf"{base}/nonconformities/\d+/#actions$"))

    page.click("button:has-text('Close the nonconformity')")
    page.wait_for_load_state()
    flash = page.locator(".flash").inner_text()
    assert "still open" in flash and "effectiveness review" in flash
    nc.refresh_from_db()
    assert nc.status == Status.IN_PROGRESS and nc.closed_on is None
    shot(page, "04-close-refused")

    page.click(f"#action-{action.pk} summary:has-text('Mark done')")
    page.fill(f"#done-note-{action.pk}", "Pipeline now stops without a sign-off record.")
    page.click(f"#action-{action.pk} button:has-text('Mark done')")
    page.wait_for_load_state()
    nc.refresh_from_db()
    assert nc.status == Status.REVIEW
    page.click("button:has-text('Close the nonconformity')")
    page.wait_for_load_state()
    assert "Its effectiveness has not been reviewed" in page.locator(".flash").inner_text()
    shot(page, "05-awaiting-review")

    page.click("button:has-text('Log out')")
    page.wait_for_load_state()
    sign_in(page, base, "rita.reviewer")
    page.goto(nc.get_absolute_url())
    page.check("input[name=verdict][value=effective]")
    page.fill("#review_evidence", "Three releases since: each stopped until its sign-off was in.")
    shot(page, "06-effectiveness-form")
    page.click("button:has-text('Record the review')")
    page.wait_for_load_state()
    nc.refresh_from_db()
    assert nc.status == Status.EFFECTIVE
    review = nc.reviews.get()
    assert review.reviewer.username == "rita.reviewer"

    page.click("button:has-text('Close the nonconformity')")
    page.wait_for_load_state()
    nc.refresh_from_db()
    assert nc.status == Status.CLOSED and nc.closed_by.username == "rita.reviewer"
    assert "Closed on" in page.locator("#status").inner_text()
    shot(page, "07-detail-closed")

    page.goto(f"{base}/nonconformities/")
    assert "NC-001" in page.locator("table").inner_text()
    shot(page, "08-list")
    page.goto(f"{base}/nonconformities/report/")
    assert "Nonconformity register" in page.content()
    shot(page, "09-register-report")
    page.goto(f"{base}/nonconformities/{nc.pk}/edit/")  # closed: back to its page
    page.wait_for_url(re.compile(rf"{base}/nonconformities/\d+/$"))

    # An improvement and a lesson learned from it
    page.goto(nc.get_absolute_url())
    page.click("a:has-text('Propose an improvement')")
    page.fill("#id_title", "Gate every model release on its validation record")
    page.fill("#id_description", "Extend the sign-off gate to the CV and chat models.")
    choose(page, "#id_owner", "Carl Example")
    shot(page, "10-improvement-form")
    page.click("button:has-text('Record improvement')")
    page.wait_for_url(re.compile(rf"{base}/improvement/\d+/$"))
    improvement = Improvement.objects.get(organization=org)
    assert improvement.nonconformity == nc and improvement.source == "nonconformity"
    page.click("button:has-text('Mark in progress')")
    page.wait_for_load_state()
    page.click("summary:has-text('Mark done')")
    page.click("#status button:has-text('Mark done')")
    page.wait_for_load_state()
    assert "Say what changed" in page.content()  # done needs the outcome
    page.fill("#move_outcome", "All three models now release through the gate.")
    page.fill("#move_outcome_measure", "Releases without a sign-off record, from the pipeline log.")
    page.fill("#move_outcome_measured_on", today.isoformat())
    page.click("#status button:has-text('Mark done')")
    page.wait_for_load_state()
    improvement.refresh_from_db()
    assert improvement.status == ImprovementStatus.DONE
    shot(page, "11-improvement-detail-done")

    page.click("a:has-text('Record a lesson learned')")
    page.fill("#id_title", "A rule without a gate is skipped under pressure")
    page.fill("#id_what_happened", "Two urgent releases skipped the sign-off spreadsheet.")
    page.fill("#id_lesson", "Put each release rule into the pipeline itself.")
    page.select_option("#id_source", "nonconformity")
    choose(page, "#id_nonconformity", "NC-001")
    shot(page, "12-lesson-form")
    page.click("button:has-text('Record the lesson')")
    page.wait_for_url(re.compile(rf"{base}/improvement/lessons/\d+/$"))
    lesson = Lesson.objects.get(organization=org)
    assert lesson.improvement == improvement and lesson.nonconformity == nc
    shot(page, "13-lesson-detail")
    page.click("nav.sidebar >> text=Improvement")
    page.wait_for_url(f"**{base}/improvement/")
    shot(page, "14-improvement-list")
    page.click("main a:has-text('Lessons learned')")
    page.wait_for_url(f"**{base}/improvement/lessons/")
    assert "A rule without a gate" in page.content()
    shot(page, "15-lesson-list")
    page.click("main a:has-text('Improvement register')")
    page.click("a:has-text('Suggest an improvement') >> nth=0")
    page.fill("#id_title", "Explain declines in plain words")
    page.fill("#id_description", "A letter naming the main factors would save calls.")
    shot(page, "16-suggest-form")
    page.click("button:has-text('Send the suggestion')")
    page.wait_for_url(re.compile(rf"{base}/improvement/\d+/$"))
    assert Improvement.objects.filter(organization=org, source="suggestion").count() == 1
    shot(page, "17-suggestion-detail")
    page.goto(nc.get_absolute_url())
    assert improvement.ref in page.locator("#improvements").inner_text()
    shot(page, "18-detail-with-improvement")
