"""The demo's dashboard in headless Chromium tells the truth: the checklist stays while controls
are undecided, each step with its count, and "Needs attention" lists the undecided controls and
a check whose latest run failed although its alert was resolved."""

from __future__ import annotations

import re

import pytest
from conftest import ARTIFACTS, BROWSER, PASSWORD

from aims.catalog.loader import load_catalog
from aims.catalog.models import Control
from aims.checks.models import Alert, Check, Kind, RunStatus, SourceType
from aims.checks.samples import BIASED
from aims.checks.services import resolve_alert, run_check, save_check, store_data_file
from aims.dashboard.summary import summarize
from aims.demo.loader import load_demo
from aims.inventory.models import AISystem
from aims.soa.models import Applicability, SoAEntry

pytestmark = BROWSER

CHECK_NAME = "Parity on the March log"


def failing_check(org, system, actor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    blob, name = store_data_file(SimpleUploadedFile(BIASED.name, BIASED.read_bytes()))
    check = save_check(
        Check(
            organization=org,
            system=system,
            name=CHECK_NAME,
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=name,
            options={"label": "repaid", "prediction": "approved", "sensitive": ["sex"]},
            thresholds=[{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}],
        ),
        actor=actor,
        controls=list(Control.objects.filter(ref="A.5.4")),
    )
    run = run_check(check, actor=actor)
    assert run.status == RunStatus.FAILED
    return run


@pytest.mark.django_db(transaction=True)
def test_the_demo_dashboard_shows_what_is_undecided_and_failing(page):
    load_catalog()
    org, user, _ = load_demo(username="demo", password=PASSWORD)
    system = AISystem.objects.get(organization=org, slug="credit-scoring-model")
    run = failing_check(org, system, user)
    resolve_alert(Alert.objects.get(run=run), actor=user, resolution="Retraining is planned.")
    entries = SoAEntry.objects.filter(organization=org)
    total = entries.count()
    undecided = entries.filter(applicability=Applicability.UNDECIDED).count()
    assert 0 < undecided < total
    summary = summarize(org)
    base = f"/o/{org.slug}"

    page.goto("/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    # The checklist stays: the Statement of Applicability is not decided yet.
    checklist = page.locator("#getting-started")
    assert checklist.is_visible()
    soa = checklist.locator("li", has_text="Decide the Statement of Applicability")
    assert f"{total - undecided} of {total} controls decided" in soa.inner_text()
    assert "done" not in (soa.get_attribute("class") or "")
    assert soa.get_by_role("link", name="Decide controls").is_visible()
    assert checklist.locator("li .badge").count() == len(summary.steps)  # every step's count

    # Needs attention: its count, the undecided controls, the failing check; no false calm.
    attention = page.locator("#attention")
    badge = attention.locator("h2 .badge")
    assert badge.inner_text() == str(summary.attention_count)
    assert summary.attention_count >= undecided + 1
    assert f"{undecided} of {total} controls have no applicability decision yet" in (
        attention.inner_text()
    )
    failing = attention.locator(".card-alert", has_text="Failed technical checks")
    assert CHECK_NAME in failing.inner_text()
    assert "Nothing is waiting" not in attention.inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-truth-1400.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "dashboard-truth-390.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})

    # The undecided controls' link lists just them; the failing check's link opens its run.
    attention.get_by_role("link", name="Decide them in the SoA →").click()
    page.wait_for_url(f"**{base}/soa/?applicability=undecided")
    assert page.locator("main").get_by_text("Not decided").count() >= 1
    page.go_back()
    page.locator("#attention .card-alert", has_text="Failed technical checks").get_by_role(
        "link", name=system.name
    ).click()
    page.wait_for_url(f"**{base}/checks/runs/{run.pk}/")
