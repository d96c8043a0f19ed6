"""A fairness check in headless Chromium: the demo's credit-scoring system, the bundled biased
prediction log, a run that fails its threshold, the chart, the evidence and the alert."""

from __future__ import annotations

import re

import pytest
from conftest import ARTIFACTS, BROWSER, PASSWORD, choose

from aims.audit.services import verify_chain
from aims.catalog.loader import load_catalog
from aims.checks.models import Alert, Check, CheckRun, RunStatus
from aims.checks.samples import BIASED
from aims.demo import load_demo
from aims.inventory.models import AISystem

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_a_biased_model_fails_its_fairness_check_with_chart_evidence_and_alert(page, tmp_path):
    load_catalog()
    org, _, _ = load_demo(username="demo", password=PASSWORD)
    system = AISystem.objects.get(organization=org, slug="credit-scoring-model")
    assert system.affects_individuals and system.owner is not None
    base = f"/o/{org.slug}"

    page.goto("/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    # From the AI system's page, define a check; the form offers the bundled sample log.
    page.goto(f"{base}/systems/{system.pk}/")
    page.click("text=Define a check")
    page.wait_for_url(re.compile(rf"{base}/checks/new/\?system={system.pk}$"))
    assert page.input_value("#id_system") == str(system.pk)
    with page.expect_download() as download:
        page.click("text=download it")
    sample = tmp_path / download.value.suggested_filename
    download.value.save_as(sample)
    assert sample.read_bytes() == BIASED.read_bytes()

    page.fill("#id_name", "Approval parity, production log")
    page.select_option("#id_kind", "fairness")
    page.select_option("#id_source_type", "upload")
    page.set_input_files("#id_data_file", str(sample))
    page.fill("#id_label", "repaid")
    page.fill("#id_prediction", "approved")
    page.fill("#id_sensitive", "sex")
    page.fill("#id_reference_group", "sex=Male")
    page.fill("#id_limits", "max dp_difference 0.1\nmin di_ratio 0.8")
    choose(page, "#id_controls", "A.5.4")
    page.click("button:has-text('Save check')")
    page.wait_for_url(re.compile(rf"{base}/checks/\d+/$"))
    check = Check.objects.get(organization=org, name="Approval parity, production log")
    assert check.system == system and check.data_name == sample.name
    assert list(check.controls.values_list("ref", flat=True)) == ["A.5.4"]

    # Run it: the bias fails the limits, and the result page draws it.
    page.click("button:has-text('Run now')")
    page.wait_for_url(re.compile(rf"{base}/checks/runs/\d+/$"))
    run = CheckRun.objects.get(definition=check)
    assert run.status == RunStatus.FAILED and run.fingerprint["rows"] == 20_000
    assert page.locator(".verdict").inner_text() == "FAILED"
    chart = page.locator(".chart-box svg").first
    assert chart.is_visible()
    assert page.locator(".chart-box svg .limit").count() >= 2  # threshold lines drawn
    row = page.locator("tr", has=page.locator("code", has_text="demographic_parity_difference"))
    assert "0.1449" in row.inner_text() and "Fail" in row.inner_text()
    assert page.get_by_text("Alert sent to priya.shah").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "checks-run-failed.png"), full_page=True)

    # The run is evidence, linked to the control and the system.
    page.click("text=Open the evidence record")
    page.wait_for_url(f"**{base}/evidence/{run.evidence_id}/")
    assert page.get_by_role("heading", name=re.compile("FAILED")).is_visible()
    assert page.get_by_text(
        re.compile(r"check-run-credit-scoring-model-.*\.json")
    ).first.is_visible()
    evidence = run.evidence
    assert list(evidence.soa_entries.values_list("control__ref", flat=True)) == ["A.5.4"]
    assert list(evidence.systems.all()) == [system]

    # The alert, addressed to the system's owner, is on the system page and the dashboard.
    alert = Alert.objects.get(run=run)
    assert alert.recipient == system.owner and alert.is_open
    page.goto(f"{base}/systems/{system.pk}/")
    open_alerts = page.locator(".card-alert", has_text="Open alerts")
    assert "Approval parity, production log" in open_alerts.inner_text()
    page.goto(f"{base}/")
    failed = page.locator(".card-alert", has_text="Failed technical checks")
    assert "Approval parity, production log" in failed.inner_text()
    failed.get_by_role("link", name="Credit scoring model").click()
    page.wait_for_url(f"**{base}/checks/runs/{run.pk}/")

    assert verify_chain(org)[1] is None
