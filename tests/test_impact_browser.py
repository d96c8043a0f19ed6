"""In headless Chromium: the owner writes an impact assessment of a system that affects
individuals, raises a risk from a finding and submits it; deployment stays blocked; the owner
may not sign off what they wrote; the AIMS manager signs it off and the system passes the gate
into deployment. Screenshots of every page of the area go to /tmp/shots/impact/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from helpers import move_through

from aims.catalog.loader import load_catalog
from aims.checks.models import Check, Kind, SourceType
from aims.checks.samples import FAIR
from aims.checks.services import run_check, save_check, store_data_file
from aims.impact.models import ImpactAssessment, Status
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.inventory.services import save_system
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization
from aims.risk.models import Risk

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/impact")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str, org) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/o/{org.slug}/$"))


FINDINGS = {
    "consequences": "Applicants with thin credit files could be refused more often.",
    "severity": "2",
    "likelihood": "2",
    "existing_mitigations": "Referral to an underwriter below the cut-off.",
    "planned_mitigations": "Quarterly approval-parity checks by age band.",
    "residual": "low",
}


@pytest.mark.django_db(transaction=True)
def test_an_assessment_signed_by_someone_else_opens_the_deployment_gate(page):
    load_catalog()
    ada = make_user("ada.owner")
    org = create_organization(name="Acme Lending", owner=ada)
    ben = make_user("ben.manager")
    Membership.objects.create(user=ben, organization=org, role=Role.MANAGER)
    system = save_system(
        AISystem(
            organization=org,
            name="Credit scoring",
            purpose="Scores loan applications",
            intended_use="Loan officers decide; the score supports them.",
            foreseeable_misuse="Using the score for marketing.",
            owner=ada,
            affects_individuals=True,
            risk_tier=RiskTier.LIMITED,
            version="4.2",
        ),
        actor=ada,
    )
    system = move_through(system, Stage.VALIDATION, actor=ada)
    blob, data_name = store_data_file(
        SimpleUploadedFile(FAIR.name, FAIR.read_bytes(), content_type="application/x-parquet")
    )
    run_check(
        save_check(
            Check(
                organization=org,
                system=system,
                name="Approval parity by sex",
                kind=Kind.FAIRNESS,
                source_type=SourceType.UPLOAD,
                data_blob=blob,
                data_name=data_name,
                options={"label": "repaid", "prediction": "approved", "sensitive": ["sex"]},
                thresholds=[{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}],
            ),
            actor=ada,
        ),
        actor=ada,
    )
    system_url = f"/o/{org.slug}/systems/{system.pk}/"

    # The owner starts an assessment from the system's page.
    log_in(page, "ada.owner", org)
    page.goto(system_url)
    page.locator("#impact-assessments").get_by_text("Start an impact assessment").click()
    assert page.locator("#id_system").input_value() == str(system.pk)
    assert "Loan officers decide" in page.locator("#id_intended_use").input_value()
    page.fill("#id_affected_individuals", "Applicants for personal loans.")
    page.fill("#id_affected_groups", "Younger applicants; applicants new to the UK.")
    shot(page, "02-form")
    page.click("button:has-text('Start assessment')")
    assessment = ImpactAssessment.objects.get()
    page.wait_for_url(re.compile(rf"/impact/{assessment.pk}/$"))
    assert assessment.intended_use == "Loan officers decide; the score supports them."

    # Every dimension on one page; a dimension marked not relevant needs a reason.
    page.click("a:has-text('Edit findings') >> nth=0")
    for index in range(8):
        for name, value in FINDINGS.items():
            field = f"#id_form-{index}-{name}"
            if name in ("severity", "likelihood", "residual"):
                page.select_option(field, value)
            else:
                page.fill(field, value)
    page.check("#id_form-5-not_relevant")  # environmental
    page.click("button:has-text('Save findings')")
    assert (
        "Say why this dimension is not relevant."
        in page.locator("#finding-environmental").inner_text()
    )
    shot(page, "03-findings-error")
    page.fill("#id_form-5-not_relevant_reason", "Scoring runs on existing servers.")
    page.click("button:has-text('Save findings')")
    page.wait_for_url(re.compile(rf"/impact/{assessment.pk}/$"))

    # A risk raised from the fairness row, in one step.
    page.locator("#finding-fairness").get_by_role("button", name="Raise risk").click()
    assert "Risk R-001 raised" in page.locator(".messages").inner_text()
    risk = Risk.objects.get()
    assert list(risk.systems.all()) == [system]
    page.click("button:has-text('Submit for review')")
    assert "Submitted for review" in page.locator(".messages").inner_text()

    # Deployment is blocked: the assessment is not signed off.
    page.goto(system_url)
    page.select_option("#id_to_stage", "deployment")
    page.fill("#id_reason", "Validation passed")
    page.click("button:has-text('Record the transition')")
    blocked = page.locator("#blocked")
    assert "A current impact assessment is signed off" in blocked.inner_text()
    assert "submitted for review but not signed off" in blocked.inner_text()
    shot(page, "05-gate-blocked")
    system.refresh_from_db()
    assert system.stage == Stage.VALIDATION

    # The owner wrote it: no sign-off button, the reason instead; a post is refused too.
    page.goto(f"/o/{org.slug}/impact/{assessment.pk}/")
    assert "You wrote this assessment" in page.locator("#sign-off").inner_text()
    assert page.locator("#sign-off button:has-text('Sign off')").count() == 0
    page.evaluate(
        """([action, token]) => {
            const form = document.createElement('form');
            form.method = 'post'; form.action = action;
            const input = document.createElement('input');
            input.name = 'csrfmiddlewaretoken'; input.value = token; form.appendChild(input);
            document.body.appendChild(form); form.submit();
        }""",
        [
            f"/o/{org.slug}/impact/{assessment.pk}/sign-off/",
            page.locator("input[name=csrfmiddlewaretoken]").first.input_value(),
        ],
    )
    page.wait_for_url(re.compile(rf"/impact/{assessment.pk}/$"))
    assert "You wrote this assessment" in page.locator(".messages").inner_text()
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED

    # The AIMS manager signs it off.
    page.click("button:has-text('Log out')")
    log_in(page, "ben.manager", org)
    page.goto(f"/o/{org.slug}/impact/{assessment.pk}/")
    page.fill("#id_note", "Reviewed with the model owner.")
    page.click("#sign-off button:has-text('Sign off')")
    assert "Signed off" in page.locator(".messages").inner_text()
    assessment.refresh_from_db()
    assert assessment.status == Status.SIGNED_OFF and assessment.signed_by == ben
    assert "AIMS Manager" in page.locator("#sign-off").inner_text()
    shot(page, "04-detail")

    page.goto(f"/o/{org.slug}/impact/{assessment.pk}/fria/")
    assert "Fundamental rights impact assessment" in page.locator("h1").inner_text()
    shot(page, "06-fria")
    page.emulate_media(media="print")
    assert not page.locator(".sidebar").is_visible()  # the print stylesheet drops the frame
    shot(page, "06-fria-print")
    page.emulate_media(media="screen")
    page.goto(f"/o/{org.slug}/impact/")
    assert "Current" in page.locator("table").inner_text()
    shot(page, "01-list")

    # The risk's page names the assessment that raised it.
    page.goto(f"/o/{org.slug}/risks/{risk.pk}/")
    assert assessment.title in page.locator("#impact-findings").inner_text()

    # And the system passes the gate into deployment.
    page.goto(system_url)
    page.select_option("#id_to_stage", "deployment")
    page.fill("#id_reason", "Validation passed; impacts assessed and signed off")
    page.click("button:has-text('Record the transition')")
    page.wait_for_url(system_url)
    system.refresh_from_db()
    assert system.stage == Stage.DEPLOYMENT
    shot(page, "07-system-deployed")
