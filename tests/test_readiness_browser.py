"""A readiness assessment on the demo organization, in headless Chromium against a live server.

The acceptance journey: the AIMS manager of Northwind Credit starts an assessment, accepts the
proposals the records make, overrides one with a note (refused first without), completes it,
reads the summary for top management (its chart and figures), compares it with the assessment
of six months ago, and looks at the certification-readiness checklist.

Screenshots of every page of the area go to /tmp/shots/readiness/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD

from aims.catalog.loader import load_catalog
from aims.demo.loader import load_demo
from aims.readiness.models import Assessment, Decision, Status
from aims.readiness.results import results

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/readiness")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_manager_runs_a_readiness_assessment_and_reads_its_summary(page):
    load_catalog()
    org, _, _ = load_demo(password=PASSWORD)
    earlier, latest = Assessment.objects.for_org(org).order_by("assessed_on", "pk")
    base = f"/o/{org.slug}"

    page.goto("/login/")
    page.fill("#id_username", "priya.shah")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))
    assert "Readiness for certification" in page.content()  # the dashboard's tile
    shot(page, "01-dashboard")

    # The area, from the navigation: the demo's two completed assessments.
    page.click("nav.sidebar >> text=Gap & readiness")
    page.wait_for_url(f"**{base}/readiness/")
    assert page.locator("#assessments tbody tr").count() == 2
    shot(page, "02-list")

    # Start an assessment: every requirement, each with the records' proposal.
    page.click("main >> text=Start an assessment")
    page.wait_for_url(f"**{base}/readiness/new/")
    page.fill("#id_title", "Readiness check before booking stage 1")
    shot(page, "03-start")
    page.click("button:has-text('Start the assessment')")
    page.wait_for_url(re.compile(rf"{base}/readiness/\d+/$"))
    assessment = Assessment.objects.get(organization=org, status=Status.DRAFT)
    total = assessment.items.count()
    assert total > 40
    assert "not recorded yet" in page.content() or "current evidence" in page.content()
    shot(page, "04-draft")

    # Accept every proposal in one click.
    page.click(f"button:has-text('Accept all {total} proposals')")
    page.wait_for_load_state()
    assert f"{total} proposals confirmed." in page.content()
    assert not assessment.items.filter(decision=Decision.PENDING).exists()

    # Override one: without a note it is refused beside the field, with one it is kept.
    item = assessment.items.select_related("clause").get(clause__ref="7.4")
    other = (item.level + 1) % 6
    page.click(f"#item-{item.pk} >> text=Change")
    page.wait_for_url(re.compile(rf"{base}/readiness/{assessment.pk}/items/{item.pk}/$"))
    page.check(f"input[name=level][value='{other}']")
    page.click("button:has-text('Save the rating')")
    page.wait_for_load_state()
    assert "Say why you rate it" in page.locator("#id_note_error").inner_text()
    shot(page, "05-override-refused")
    page.check(f"input[name=level][value='{other}']")
    page.fill("#id_note", "The board briefing of last month is not in the plan yet.")
    page.click("button:has-text('Save the rating')")
    page.wait_for_url(re.compile(rf"{base}/readiness/{assessment.pk}/"))
    item.refresh_from_db()
    assert item.level == other and item.decision == Decision.OVERRIDDEN
    shot(page, "06-rated")

    # Complete it: the summary for top management.
    page.click("button:has-text('Complete the assessment')")
    page.wait_for_url(re.compile(rf"{base}/readiness/{assessment.pk}/summary/$"))
    assessment.refresh_from_db()
    assert assessment.status == Status.COMPLETED
    found = results(assessment)
    figures = page.locator(".dash-stats").inner_text()
    assert f"{found.percent}" in figures and "overall readiness" in figures
    assert page.locator("svg.chart").count() == 2
    assert page.locator("svg.chart rect.bar").count() == len(found.clauses) + len(found.objectives)
    assert "The gaps that leave most risk open" in page.content()
    shot(page, "07-summary")

    # The print version, with its PDF link.
    page.click("text=Print version")
    page.wait_for_url(re.compile(rf"{base}/readiness/{assessment.pk}/report/$"))
    assert "Northwind Credit" in page.locator(".report-org").inner_text()
    shot(page, "08-report")

    # Compare with the assessment of six months ago: progress per clause and requirement.
    page.goto(f"{base}/readiness/compare/")
    page.select_option("#id_before", str(earlier.pk))
    page.select_option("#id_after", str(assessment.pk))
    page.click("button:has-text('Compare')")
    page.wait_for_load_state()
    body = page.content()
    assert "overall change" in body and "Side by side" in body
    assert page.locator("#up li").count() > 0
    shot(page, "09-compare")

    # The checklist: each item answered from the records; the demo's two ticks by hand.
    page.click("nav.tabs >> text=Certification checklist")
    page.wait_for_url(f"**{base}/readiness/checklist/")
    gap_analysis = page.locator("#item-gap_analysis").inner_text()
    assert "Met" in gap_analysis and "Readiness check before booking stage 1" in gap_analysis
    people = page.locator("#item-people").inner_text()
    assert "By hand" in people and "The records say" in people
    shot(page, "10-checklist")

    # The other pages of the area.
    page.click("nav.tabs >> text=Roadmap")
    page.wait_for_url(f"**{base}/readiness/roadmap/")
    shot(page, "11-roadmap")
    page.locator("#actions a").first.click()
    page.wait_for_url(re.compile(rf"{base}/readiness/roadmap/\d+/$"))
    shot(page, "12-action")
    page.goto(assessment.get_absolute_url())
    shot(page, "13-completed")
    page.goto(latest.get_absolute_url() + "?show=gaps")
    shot(page, "14-gaps")
