"""The management review in headless Chromium, against a live server: the acceptance journey.

On the demo organization, the AIMS manager opens the review planned for next month and sees
every input section filled from the demo's records (the actions of the first review, issues,
interested parties, nonconformities, KPIs and check runs, the audit cycle, improvements, risks,
incidents and readiness). Holding it without attendees is refused beside the field; held with
them, its decision and action are recorded and the minutes written; the chair, top management,
approves them; the report's PDF downloads and names the organization.

Screenshots of every page of the area go to /tmp/shots/reviews/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, choose
from test_reports import pdf_text

from aims.catalog.loader import load_catalog
from aims.demo.loader import load_demo
from aims.reviews.models import ManagementReview, ReviewAction, ReviewDecision, ReviewStatus

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/reviews")

# Each input section of the review page, and a record of the demo it must list.
INPUTS = {
    "a": ("Status of actions from previous management reviews", "Write the EU AI Act technical"),
    "b": ("Changes in external and internal issues relevant to the AIMS", "ISS-"),
    "c": ("Changes in needs and expectations of interested parties", "Language model supplier"),
    "d1": ("Nonconformities and corrective actions", "NC-"),
    "d2": ("Monitoring and measurement results", "KPI:"),
    "d3": ("Audit results", "AUD-"),
    "e": ("Opportunities for continual improvement", "IMP-"),
    "risk": ("Risk treatment status", "R-"),
    "incidents": ("AI incidents", "INC-"),
    "readiness": ("Readiness for certification", "Certification checklist"),
}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/o/"))


@pytest.mark.django_db(transaction=True)
def test_hold_a_management_review_on_the_demo_and_download_its_pdf(page, tmp_path):
    load_catalog()
    org, _, _ = load_demo(username="demo", password=PASSWORD)
    review = ManagementReview.objects.get(organization=org, status=ReviewStatus.PLANNED)
    approved = ManagementReview.objects.get(organization=org, status=ReviewStatus.APPROVED)
    base = f"/o/{org.slug}/reviews"

    # The AIMS manager finds the reviews from the navigation.
    log_in(page, "priya.shah")
    page.locator("nav.sidebar").get_by_role("link", name="Management review").click()
    page.wait_for_url(f"**{base}/")
    assert page.locator("tr", has_text=review.title).count() == 1
    assert "Minutes approved" in page.locator("tr", has_text=approved.title).inner_text()
    shot(page, "01-review-list")

    # The first review: held and approved, with Daniel (top management) attending.
    page.get_by_role("link", name=approved.title).click()
    page.wait_for_url(f"**{base}/{approved.pk}/")
    assert page.locator("#top-management").count() == 0
    assert "Minutes approved by" in page.inner_text("main")
    assert "Overdue" in page.locator("#actions").inner_text()
    shot(page, "02-approved-review")

    # The review planned for next month: every input filled from the demo's records.
    page.goto(f"{base}/{review.pk}/")
    for key, (heading, record) in INPUTS.items():
        section = page.locator(f"#input-{key}")
        assert section.count() == 1, key
        text = section.inner_text()
        assert heading in text, (key, text[:200])
        assert record in text, (key, text[:400])
        assert "Not recorded yet" not in text, (key, text[:400])
        assert section.locator("a").count() >= 1, key
    assert "Compiled live from your records" in page.inner_text("#inputs")
    shot(page, "03-planned-review-inputs")

    # Holding it with nobody recorded as attending is refused beside the field.
    page.get_by_role("link", name="Mark held").click()
    page.wait_for_url(f"**{base}/{review.pk}/hold/")
    shot(page, "04-hold-form")
    page.select_option("#id_attendees", [])
    page.get_by_role("button", name="Mark held").click()
    assert "cannot be held without attendees" in page.inner_text("#id_attendees_error")
    shot(page, "05-hold-refused")
    review.refresh_from_db()
    assert review.status == ReviewStatus.PLANNED

    # Held with its attendees: the inputs are frozen.
    page.select_option(
        "#id_attendees",
        label=[
            o
            for o in page.locator("#id_attendees option").all_inner_texts()
            if "Daniel" in o or "Priya" in o
        ],
    )
    page.get_by_role("button", name="Mark held").click()
    page.wait_for_url(f"**{base}/{review.pk}/")
    assert "Review held" in page.inner_text(".messages")
    assert "As they were when the review was held" in page.inner_text("#inputs")
    assert page.locator("#input-d3").count() == 1
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD and review.inputs

    # A decision and an action.
    page.select_option("#id_decision-kind", "change")
    page.fill(
        "#id_decision-text", "Bring the customer service chatbot under the high-risk controls."
    )
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(re.compile(rf"{base}/{review.pk}/#decision-\d+"))
    assert "Bring the customer service chatbot" in page.inner_text("#decisions")
    page.fill("#id_action-title", "Extend the chatbot's monitoring to weekly checks")
    choose(page, "#id_action-owner", "Tom")
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(re.compile(rf"{base}/{review.pk}/#action-\d+"))
    assert "Extend the chatbot" in page.inner_text("#actions")
    decision = ReviewDecision.objects.get(review=review)
    assert ReviewAction.objects.get(review=review).owner.username == "tom.becker"

    # The decision's follow-up page, then the minutes.
    page.goto(f"{base}/decisions/{decision.pk}/improvement/")
    shot(page, "06-decision-follow-up")
    page.goto(f"{base}/{review.pk}/edit/")
    page.fill("#id_minutes", "Daniel chaired. The inputs were reviewed one by one; decided below.")
    shot(page, "07-review-edit")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**{base}/{review.pk}/")
    assert "Approve the minutes" not in page.inner_text("main")  # Priya is not the chair
    shot(page, "08-held-review")

    # The chair approves the minutes.
    log_in(page, "daniel.okafor")
    page.goto(f"{base}/{review.pk}/")
    page.get_by_role("button", name="Approve the minutes").click()
    page.wait_for_url(f"**{base}/{review.pk}/")
    assert "Minutes approved" in page.inner_text(".messages")
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert review.approved_by.username == "daniel.okafor"
    shot(page, "09-approved")

    # The actions of every review.
    page.goto(f"{base}/actions/")
    assert "Extend the chatbot" in page.inner_text("main")
    shot(page, "10-action-list")

    # The report, and its PDF.
    page.goto(f"{base}/{review.pk}/report/")
    assert "Northwind Credit" in page.inner_text("body")
    shot(page, "11-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    text, pages = pdf_text(data)
    flat = " ".join(text.split())
    assert "Northwind Credit" in flat
    assert "Audit results" in flat and "Bring the customer service chatbot" in flat
    assert pages >= 2
