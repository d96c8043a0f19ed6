"""The internal audit journey in headless Chromium against a live server (the issue's acceptance
journey, up to the nonconformity's closure).

The auditor plans a programme, then an audit: a colleague who owns the sampled AI system is
refused on the team, another is accepted. She starts the audit, fills the checklist (saved in
place) with a major finding, and completes it. The nonconformity it raised is open; the AIMS
owner adds a corrective action, tries to close it (refused: no effectiveness review), marks the
action done; another manager reviews its effectiveness and closes it. Then the audit report and
its PDF.

Screenshots of every page go to /tmp/shots/audits/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, choose, make_user
from django.utils import timezone
from test_reports import pdf_text

from aims.audits.models import Audit, AuditProgramme, AuditStatus, Result
from aims.catalog.loader import load_catalog
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system
from aims.nonconformities.models import Nonconformity, Status
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization
from aims.soa.models import Applicability, SoAEntry

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/audits")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def person(username, first, last, org=None, role=None):
    user = make_user(username)
    user.first_name, user.last_name = first, last
    user.save()
    if org is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


def set_up():
    load_catalog()
    ada = person("ada.owner", "Ada", "Owner")
    org = create_organization(name="Acme Lending", owner=ada)
    people = {
        "ines": person("ines.moreau", "Inès", "Moreau", org, Role.AUDITOR),
        "priya": person("priya.shah", "Priya", "Shah", org, Role.CONTRIBUTOR),
        "carl": person("carl.engineer", "Carl", "Engineer", org, Role.CONTRIBUTOR),
        "rita": person("rita.reviewer", "Rita", "Reviewer", org, Role.MANAGER),
        "ada": ada,
    }
    system = save_system(
        AISystem(
            organization=org,
            name="Credit scoring",
            purpose="Scores loans",
            intended_use="Officers decide",
            owner=people["priya"],
            affects_individuals=True,
            risk_tier=RiskTier.LIMITED,
        ),
        actor=ada,
    )
    SoAEntry.objects.filter(organization=org, control__ref__in=["A.6.2.4", "A.6.2.6"]).update(
        applicability=Applicability.APPLICABLE, justification="We build models in house."
    )
    return org, people, system


def sign_in(page, base, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))


def sign_out(page):
    page.click("button:has-text('Log out')")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_an_audit_with_a_major_finding_opens_a_nonconformity_closed_after_review(page, live_server):
    org, people, system = set_up()
    base = f"/o/{org.slug}"
    today = timezone.localdate()
    sign_in(page, base, "ines.moreau")

    # The programme
    page.click("nav.sidebar >> text=Internal audits")
    page.wait_for_url(f"**{base}/audits/")
    assert "No internal audit yet" in page.content()
    shot(page, "01-audits-empty")
    page.click("a:has-text('Programmes')")
    shot(page, "02-programmes-empty")
    page.click(".page-head a:has-text('Plan a programme')")
    page.fill("#id_title", f"Cycle {today.year}")
    page.fill("#id_starts_on", (today - dt.timedelta(days=30)).isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=330)).isoformat())
    page.fill("#id_objectives", "Show the AIMS conforms and works, every requirement once.")
    choose(page, "#id_owner", "Inès Moreau")
    shot(page, "03-programme-form")
    page.click("button:has-text('Plan the programme')")
    page.wait_for_url(re.compile(rf"{base}/audits/programmes/\d+/$"))
    programme = AuditProgramme.objects.get(organization=org)
    assert "0% of the cycle audited" in page.content()
    shot(page, "04-programme-detail")

    # The audit: a team member who owns the sampled system is refused
    page.click(".page-head a:has-text('Plan an audit')")
    page.wait_for_url(f"**{base}/audits/new/?programme={programme.pk}")
    page.fill("#id_title", "Model validation and monitoring")
    page.fill("#id_scope", "Validation and monitoring of the credit scoring model.")
    page.select_option("#id_team", value=[str(people["priya"].pk)])
    page.select_option("#id_systems", value=[str(system.pk)])
    choose(page, "#id_clauses", "8.1 Operational planning")
    page.select_option(
        "#id_controls",
        label=[
            "A.6.2.4 AI system verification and validation",
            "A.6.2.6 AI system operation and monitoring",
        ],
    )
    page.click("button:has-text('Plan the audit')")
    page.wait_for_load_state()
    error = page.locator("#id_team_error").inner_text()
    assert error == "Priya Shah owns the AI system Credit scoring, which this audit samples."
    assert not Audit.objects.exists()
    shot(page, "05-audit-form-conflict")
    page.select_option("#id_team", value=[str(people["carl"].pk)])
    shot(page, "06-audit-form-valid")
    page.click("button:has-text('Plan the audit')")
    page.wait_for_url(re.compile(rf"{base}/audits/\d+/$"))
    audit = Audit.objects.get(organization=org)
    assert audit.lead_auditor == people["ines"] and list(audit.team.all()) == [people["carl"]]
    assert "No conflict found." in page.locator("#independence").inner_text()
    shot(page, "07-audit-planned")

    # Start it, fill the checklist in place, with a major finding
    page.click("button:has-text('Start the audit')")
    page.wait_for_url(f"**{audit.checklist_url()}")
    shot(page, "08-checklist-started")
    items = {i.ref: i for i in audit.items.all()}
    assert set(items) == {"8.1", "A.6.2.4", "A.6.2.6"}
    for ref, result, notes in (
        ("8.1", "conforming", "Release checklist followed for v4.2."),
        ("A.6.2.6", "observation", "Drift runs monthly; thresholds not reviewed this year."),
        ("A.6.2.4", "major", "No validation record for the v4.2 release."),
    ):
        card = f"#item-{items[ref].pk}"
        page.select_option(f"{card} select[name=result]", result)
        page.fill(f"{card} textarea[name=notes]", notes)
        page.fill(f"{card} textarea[name=evidence_sampled]", "Release folder of v4.2")
        page.click(f"{card} button:has-text('Save the result')")
        page.wait_for_selector(f"{card} >> text=Saved.")
    assert "3 of 3" in page.locator("#checklist-progress").inner_text()
    assert "Every item has a result" in page.locator("#completion-hint").inner_text()
    nc = Nonconformity.objects.get(organization=org)
    assert nc.ref == "NC-001" and nc.status == Status.OPEN and nc.source == "audit"
    assert f"Raised {nc.ref}" in page.locator(f"#item-{items['A.6.2.4'].pk}").inner_text()
    shot(page, "09-checklist-filled")

    page.fill("#complete_conclusion", "Validation before release is not evidenced: one major.")
    page.click("button:has-text('Complete the audit')")
    page.wait_for_url(f"**{audit.get_absolute_url()}")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED
    assert audit.items.get(control__ref="A.6.2.4").result == Result.MAJOR
    shot(page, "10-audit-completed")

    page.goto(programme.coverage_url())
    assert "of the cycle audited" in page.content()
    shot(page, "11-coverage-matrix")
    page.goto(f"{base}/audits/")
    assert "Model validation and monitoring" in page.locator("table").inner_text()
    shot(page, "12-audit-list")
    page.goto(f"{base}/audits/programmes/")
    shot(page, "13-programme-list")

    # The nonconformity is open, on H1's page, showing the finding that raised it
    page.goto(audit.get_absolute_url())
    page.click(f"#findings a:has-text('{nc.ref}')")
    page.wait_for_url(f"**{nc.get_absolute_url()}")
    assert "Raised by an internal audit" in page.content()
    shot(page, "14-nonconformity-open")
    sign_out(page)

    # The owner adds a corrective action and tries to close it too early
    sign_in(page, base, "ada.owner")
    page.goto(nc.get_absolute_url())
    page.fill("#action_title", "Require a validation record before any release")
    choose(page, "#action_owner", "Carl Engineer")
    page.fill("#action_due_date", (today + dt.timedelta(days=14)).isoformat())
    page.click("button:has-text('Add the action')")
    page.wait_for_load_state()
    action = nc.actions.get()
    page.click("button:has-text('Close the nonconformity')")
    page.wait_for_load_state()
    assert "still open" in page.locator(".flash").inner_text()
    nc.refresh_from_db()
    assert nc.status == Status.IN_PROGRESS and nc.closed_on is None
    shot(page, "15-close-refused")

    page.click(f"#action-{action.pk} summary:has-text('Mark done')")
    page.fill(f"#done-note-{action.pk}", "Release pipeline stops without a validation record.")
    page.click(f"#action-{action.pk} button:has-text('Mark done')")
    page.wait_for_load_state()
    page.click("button:has-text('Close the nonconformity')")
    page.wait_for_load_state()
    assert "Its effectiveness has not been reviewed" in page.locator(".flash").inner_text()
    nc.refresh_from_db()
    assert nc.status == Status.REVIEW
    shot(page, "16-awaiting-review")
    sign_out(page)

    # Another manager reviews the effectiveness, and closes it
    sign_in(page, base, "rita.reviewer")
    page.goto(nc.get_absolute_url())
    page.check("input[name=verdict][value=effective]")
    page.fill("#review_evidence", "Two releases since, each with its validation record.")
    page.click("button:has-text('Record the review')")
    page.wait_for_load_state()
    page.click("button:has-text('Close the nonconformity')")
    page.wait_for_load_state()
    nc.refresh_from_db()
    assert nc.status == Status.CLOSED
    shot(page, "17-nonconformity-closed")

    # The audit report and its PDF
    page.goto(audit.get_absolute_url())
    page.click(".page-head a:has-text('Report')")
    page.wait_for_url(f"**{audit.report_url()}")
    text = page.content()
    assert "Internal audit report AUD-001" in text and "No validation record" in text
    shot(page, "18-audit-report")
    pdf_link = page.locator("a:has-text('Download the PDF')").get_attribute("href")
    response = page.request.get(pdf_link)
    assert response.headers["content-type"] == "application/pdf"
    pdf, pages = pdf_text(response.body())
    assert "Acme Lending" in pdf and "AUD-001" in pdf and pages >= 1
