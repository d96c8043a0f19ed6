"""Incidents and concerns in headless Chromium against a live server.

1. The AIMS manager logs a serious incident, sees its reporting deadline on the incident's page
   and the warning on the dashboard, adds to its timeline and logs a communication.
2. The manager turns the public link on; someone without an account raises a concern
   anonymously through it; the manager triages it into an incident.
3. A failed check run becomes an incident in one step.

Screenshots of every page of the area go to /tmp/shots/incidents/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, choose, make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.catalog.loader import load_catalog
from aims.checks.models import Check, Kind, SourceType
from aims.checks.samples import BIASED
from aims.checks.services import run_check, save_check, store_data_file
from aims.incidents.models import Concern, ConcernStatus, Incident
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system
from aims.organizations.services import create_organization

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/incidents")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def set_up():
    load_catalog()
    manager = make_user("ada.manager")
    org = create_organization(name="Acme Lending", owner=manager)
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
    return org, manager, system


def sign_in(page, base):
    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db(transaction=True)
def test_a_serious_incident_shows_its_deadline_and_the_dashboard_warns(page, live_server):
    org, _, system = set_up()
    base = f"/o/{org.slug}"
    sign_in(page, base)

    page.click("nav.sidebar >> text=Incidents & concerns")
    page.wait_for_url(f"**{base}/incidents/")
    shot(page, "01-incident-list-empty")
    page.click("a:has-text('Record an incident') >> nth=0")
    now = timezone.now()
    choose(page, "#id_system", "Credit scoring")
    page.select_option("#id_severity", "critical")
    page.fill("#id_title", "Scoring outage blocked every loan decision")
    page.fill("#id_what_happened", "The scoring service returned errors for six hours.")
    page.fill("#id_harm", "About 1,200 applicants could not get a decision.")
    page.fill("#id_persons_affected", "1200")
    page.fill("#id_occurred_at", local(now - dt.timedelta(hours=6)))
    page.fill("#id_became_aware_at", local(now - dt.timedelta(hours=5)))
    page.check("#id_is_serious")
    page.select_option("#id_serious_type", "infrastructure")
    shot(page, "02-incident-form")
    page.click("button:has-text('Record incident')")
    page.wait_for_url(re.compile(rf"{base}/incidents/\d+/$"))
    incident = Incident.objects.get(organization=org)
    assert incident.report_due_at == incident.became_aware_at + dt.timedelta(days=2)
    banner = page.locator("#deadline").inner_text()
    assert "Report it to the market surveillance authority by" in banner
    assert "2 days left" in banner or "1 day left" in banner

    when = local(timezone.now() - dt.timedelta(minutes=5))
    page.fill("#timeline_when", when)
    page.fill("#timeline_what", "Failover to the previous model version.")
    page.click("button:has-text('Add to the timeline')")
    page.wait_for_load_state()
    page.fill("#communication_when", when)
    page.select_option("#communication_audience", "authority")
    page.fill("#communication_channel", "E-mail to the regulator")
    page.fill("#communication_summary", "Advance notice sent.")
    page.click("button:has-text('Log the communication')")
    page.wait_for_load_state()
    assert incident.timeline.count() == 1 and incident.communications.count() == 1
    shot(page, "03-incident-detail-serious")

    page.click("nav.sidebar >> text=Dashboard")
    page.wait_for_load_state()
    warning = page.locator("text=Serious incidents to report to the authority")
    assert warning.count() == 1
    assert "Scoring outage" in page.content()
    shot(page, "04-dashboard-warning")

    page.goto(f"{base}/incidents/")
    shot(page, "05-incident-list")
    page.goto(f"{base}/incidents/{incident.pk}/edit/")
    shot(page, "06-incident-edit")
    page.goto(incident.get_absolute_url())
    page.fill("#report_reference", "MSA-2026-0042")
    page.click("button:has-text('Mark as reported')")
    page.wait_for_load_state()
    incident.refresh_from_db()
    assert incident.reported_to_authority_at is not None
    assert "reported to the authority" in page.locator("#deadline").inner_text()
    page.goto(system.get_absolute_url())
    assert page.locator("#incidents").inner_text().count("Scoring outage") == 1
    shot(page, "07-system-page-incidents")


@pytest.mark.django_db(transaction=True)
def test_a_public_anonymous_concern_is_triaged_into_an_incident(page, live_server):
    org, _, system = set_up()
    base = f"/o/{org.slug}"
    sign_in(page, base)
    page.goto(f"{base}/incidents/concerns/")
    shot(page, "08-concern-list-empty")
    page.click("button:has-text('Turn the public link on')")
    page.wait_for_load_state()
    link = page.locator("#public-link").inner_text()
    assert "/public/concerns/" in link
    page.goto(f"{base}/incidents/concerns/new/")
    shot(page, "09-concern-form")

    page.click("button:has-text('Log out')")
    page.wait_for_load_state()
    page.goto(link)
    assert page.locator("h1").inner_text() == "Raise a concern about Acme Lending's AI systems"
    page.fill("#id_text", "I was refused a loan and told the computer decided. Nobody explained.")
    page.select_option("#id_system", label="Credit scoring")
    shot(page, "10-public-concern-form")
    page.click("button:has-text('Send the concern')")
    page.wait_for_selector("text=Thank you.")
    shot(page, "11-public-concern-sent")
    concern = Concern.objects.get(organization=org)
    assert concern.anonymous and concern.system == system

    sign_in(page, base)
    page.goto(f"{base}/incidents/concerns/")
    assert "Anonymous" in page.locator("table").inner_text()
    shot(page, "12-concern-list")
    page.click("a:has-text('I was refused a loan')")
    shot(page, "13-concern-detail")
    page.check("input[name=outcome][value=incident]")
    page.fill("#id_title", "Unexplained loan refusal")
    page.select_option("#id_severity", "high")
    page.click("button:has-text('Triage')")
    page.wait_for_url(re.compile(rf"{base}/incidents/\d+/$"))
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.INCIDENT
    assert concern.incident.title == "Unexplained loan refusal"
    assert "Concern" in page.content()
    shot(page, "14-incident-from-concern")


@pytest.mark.django_db(transaction=True)
def test_a_failed_check_run_becomes_an_incident_in_one_step(page, live_server):
    org, manager, system = set_up()
    blob, data_name = store_data_file(
        SimpleUploadedFile(BIASED.name, BIASED.read_bytes(), content_type="application/x-parquet")
    )
    check = save_check(
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
        actor=manager,
    )
    run = run_check(check, actor=manager)
    base = f"/o/{org.slug}"
    sign_in(page, base)
    page.goto(f"{base}/checks/alerts/")
    assert page.locator("button:has-text('Open incident')").count() == 1
    shot(page, "15-alert-list-action")
    page.goto(f"{base}/checks/runs/{run.pk}/")
    shot(page, "16-run-page-open-incident")
    page.click("button:has-text('Open an incident from this run')")
    page.wait_for_url(re.compile(rf"{base}/incidents/\d+/$"))
    incident = Incident.objects.get(organization=org)
    assert incident.check_run == run and incident.system == system
    assert "demographic_parity_difference" in page.locator("dd.prewrap").first.inner_text()
    shot(page, "17-incident-from-run")
    page.goto(f"{base}/checks/runs/{run.pk}/")
    assert incident.ref in page.locator("#incident").inner_text()
