"""The AIMS manager's first journey, in headless Chromium against a live server.

Log in, register an AI system, add a risk above appetite, see the deployment gate blocked,
record an acceptance, move the system on, approve a Contributor's proposal to put it into
operation, decide an SoA control with a justification, upload evidence, and see the dashboard
reflect all of it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import BROWSER, PASSWORD, choose, make_user

from aims.catalog.loader import load_catalog
from aims.evidence.models import Evidence
from aims.inventory.models import AISystem, Stage
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization
from aims.proposals.models import Proposal
from aims.risk.models import Risk
from aims.soa.models import Applicability, SoAEntry
from aims.trail.services import verify_chain

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_manager_journey_from_registration_to_dashboard(page, browser, live_server, tmp_path):
    load_catalog()
    manager = make_user("ada.manager")
    org = create_organization(name="Acme Lending", owner=manager)
    base = f"/o/{org.slug}"

    # Log in.
    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))
    assert page.get_by_text("Getting started").first.is_visible()

    # Register an AI system.
    page.goto(f"{base}/systems/")
    page.click("text=Register an AI system")
    page.fill("#id_name", "Credit scoring")
    page.fill("#id_purpose", "Scores consumer loan applications for default risk.")
    page.fill("#id_intended_use", "Credit officers use the score as one input to decisions.")
    page.select_option("#id_risk_tier", "limited")  # a high-risk one has more to meet
    # Not marked as affecting individuals: the fairness-check gate has its own journey
    # (tests/test_checks_browser.py).
    page.select_option("#id_owner", str(manager.pk))
    page.click("button:has-text('Register the system')")
    page.wait_for_url(re.compile(rf"{base}/systems/\d+/$"))
    system = AISystem.objects.get(organization=org, name="Credit scoring")
    assert system.owner == manager and system.stage == Stage.PLANNING
    system_url = f"{base}/systems/{system.pk}/"

    # Move it through development and validation (owner and intended use are set).
    for stage, reason in [("development", "Design approved"), ("validation", "Model trained")]:
        page.select_option("#id_to_stage", stage)
        page.fill("#id_reason", reason)
        page.click("button:has-text('Record the transition')")
        page.wait_for_url(system_url)
    system.refresh_from_db()
    assert system.stage == Stage.VALIDATION

    # Add a risk above appetite (5 × 5) to the system.
    page.goto(f"{base}/risks/new/")
    page.fill("#id_title", "Model reproduces historic bias against women")
    choose(page, "#id_systems", "Credit scoring")
    page.select_option("#id_category", "fairness")
    page.select_option("#id_inherent_likelihood", "5")
    page.select_option("#id_inherent_impact", "5")
    page.click("button:has-text('Record risk')")
    page.wait_for_url(re.compile(rf"{base}/risks/\d+/$"))
    risk = Risk.objects.get(organization=org)
    assert risk.needs_decision()

    # The deployment gate is blocked, and says why.
    page.goto(system_url)
    page.select_option("#id_to_stage", "deployment")
    page.fill("#id_reason", "Validation signed off")
    page.click("button:has-text('Record the transition')")
    assert page.get_by_text(risk.ref).first.is_visible()
    assert page.locator("text=Blocked").first.is_visible()
    system.refresh_from_db()
    assert system.stage == Stage.VALIDATION

    # Record an acceptance of the risk, with authority.
    page.goto(f"{base}/risks/{risk.pk}/")
    page.click("text=Record an acceptance")
    page.fill("#id_rationale", "Compensating human review of every decline until retraining.")
    page.fill("#id_expires_on", (dt.date.today() + dt.timedelta(days=180)).isoformat())
    page.click("button:has-text('Record acceptance')")
    page.wait_for_url(f"**{base}/risks/{risk.pk}/")
    assert risk.acceptances.count() == 1
    assert not Risk.objects.get(pk=risk.pk).needs_decision()

    # Now the system moves on to deployment.
    page.goto(system_url)
    page.select_option("#id_to_stage", "deployment")
    page.fill("#id_reason", "Risk accepted by the AIMS manager")
    page.click("button:has-text('Record the transition')")
    page.wait_for_url(system_url)
    system.refresh_from_db()
    assert system.stage == Stage.DEPLOYMENT

    # A Contributor asks to move it into operation: without decision authority, that is a
    # proposal, which the AIMS manager approves; the move is then made, in the manager's name.
    contributor = make_user("carl.contributor")
    Membership.objects.create(user=contributor, organization=org, role=Role.CONTRIBUTOR)
    context = browser.new_context(base_url=live_server.url)
    carl = context.new_page()
    try:
        carl.goto("/login/")
        carl.fill("#id_username", "carl.contributor")
        carl.fill("#id_password", PASSWORD)
        carl.click("button[type=submit]")
        carl.wait_for_url(re.compile(rf"{base}/$"))
        carl.goto(system_url)
        carl.select_option("#id_to_stage", "operation")
        carl.fill("#id_reason", "Pilot branch live since Monday")
        carl.click("button:has-text('Record the transition')")
        carl.wait_for_url(system_url)
        assert carl.get_by_text("Proposed: Move “Credit scoring” to Operation").is_visible()
    finally:
        context.close()
    system.refresh_from_db()
    assert system.stage == Stage.DEPLOYMENT
    proposal = Proposal.objects.get(organization=org)
    page.goto(f"{base}/")
    assert page.get_by_text("Proposals waiting for a decision").is_visible()
    page.click(f"text={proposal.summary}")
    page.wait_for_url(f"**{base}/proposals/{proposal.pk}/")
    page.fill("#id_reason", "Pilot results reviewed")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Approve and make the change')")
    page.wait_for_url(f"**{base}/proposals/{proposal.pk}/")
    assert page.get_by_text("Approved", exact=True).first.is_visible()
    system.refresh_from_db()
    assert system.stage == Stage.OPERATION
    assert system.transitions.latest("created_at").actor == manager

    # Mark an SoA control applicable, with its justification.
    entry = SoAEntry.objects.get(organization=org, control__ref="A.6.2.4")
    page.goto(f"{base}/soa/{entry.pk}/edit/")
    page.select_option("#id_applicability", "applicable")
    page.fill("#id_justification", "High-risk credit model: validation before each release.")
    page.select_option("#id_status", "implemented")
    page.click("button:has-text('Save decision')")
    page.wait_for_url(f"**{base}/soa/{entry.pk}/")
    entry.refresh_from_db()
    assert entry.applicability == Applicability.APPLICABLE
    assert entry.flags() == ["Implemented without current evidence"]

    # Upload evidence for that control.
    report = tmp_path / "validation-report.md"
    report.write_text("# Validation report\n\nAUC 0.81; demographic parity difference 0.04.\n")
    page.goto(f"{base}/evidence/new/")
    page.fill("#id_title", "Validation report credit-pd v4")
    page.set_input_files("#id_files", str(report))
    choose(page, "#id_soa_entries", "A.6.2.4")
    page.click("button:has-text('Record evidence')")
    page.wait_for_url(re.compile(rf"{base}/evidence/\d+/$"))
    evidence = Evidence.objects.get(organization=org)
    assert list(evidence.soa_entries.all()) == [entry]
    assert page.get_by_text(evidence.revisions.get().files.get().blob.sha256).is_visible()
    entry.refresh_from_db()
    assert entry.flags() == []

    # The dashboard reflects all of it.
    page.goto(f"{base}/")
    text = page.locator("main").inner_text()
    # systems, risks and evidence done; the SoA (1 of 38 decided), the plan-and-support steps
    # (context, policy, roles, objectives, communication, competence) and readiness are left
    assert "3 of 11 done" in text
    assert "1 of 38 Annex A controls decided" in text
    assert re.search(r"Operation and monitoring\s+1\b", text)
    assert re.search(r"Limited risk:\s*1", text)
    assert re.search(r"Implemented\s+1\b", text)
    assert "Every risk above appetite has a current decision." in text  # the accepted risk
    assert "37 of 38 controls have no applicability decision yet" in text  # still waiting
    heat = page.locator("table.heatmap").first
    assert heat.locator("a", has_text="1").count() == 1  # the 5 × 5 risk on the inherent map
    activity = page.locator("main").get_by_text("Recent activity").locator("..").locator("..")
    for line in (
        "Decision recorded",
        "Status changed",  # the system moved stage
        "Validation report credit-pd v4",
        "SoA A.6.2.4",
    ):
        assert line in activity.inner_text(), line
    assert verify_chain(org)[1] is None
