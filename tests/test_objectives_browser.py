"""A KPI fed by a fairness check shows its trend, in headless Chromium against a live server.

The AIMS manager sets an objective, defines a KPI that follows the demographic parity
difference of a fairness check, runs the check twice from its page, and sees on the KPI page a
chart with two points, the target line and the status. Screenshots of every page of the area go
to /tmp/shots/objectives/.
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
from aims.checks.services import save_check, store_data_file
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system
from aims.objectives.models import KPI, KPIStatus, Objective
from aims.organizations.services import create_organization

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/objectives")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_kpi_fed_by_a_check_run_shows_its_trend(page, live_server):
    load_catalog()
    manager = make_user("ada.manager")
    org = create_organization(name="Acme Lending", owner=manager)
    base = f"/o/{org.slug}"
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

    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    # The empty list, then an objective.
    page.click("nav.sidebar >> text=Objectives & KPIs")
    page.wait_for_url(f"**{base}/objectives/")
    shot(page, "01-objective-list-empty")
    page.click("text=New objective")
    page.fill("#id_title", "Every high-risk system passes fairness checks before each release")
    page.fill("#id_plan", "Run the parity checks on each release's validation log.")
    page.fill("#id_deadline", (timezone.localdate() + dt.timedelta(days=90)).isoformat())
    choose(page, "#id_owner", "ada.manager")
    page.select_option("#id_annex_objectives", label="C.2.5 Fairness")
    shot(page, "02-objective-form")
    page.click("button:has-text('Set objective')")
    page.wait_for_url(re.compile(rf"{base}/objectives/\d+/$"))
    objective = Objective.objects.get(organization=org)
    assert objective.requirement_refs() == ["6.2"]

    # A KPI following the check, from the objective's page.
    page.click("text=New KPI for this objective")
    page.fill("#id_name", "Approval parity gap by sex")
    page.fill("#id_target", "0.1")
    page.select_option("#id_direction", "lower")
    page.fill("#id_tolerance", "0.02")
    page.select_option("#id_source", "check")
    choose(page, "#id_check_definition", "Approval parity by sex")
    page.select_option("#id_check_metric", "demographic_parity_difference")
    shot(page, "03-kpi-form")
    page.click("button:has-text('Define KPI')")
    page.wait_for_url(re.compile(rf"{base}/objectives/kpis/\d+/$"))
    kpi = KPI.objects.get(organization=org)
    assert list(kpi.objectives.all()) == [objective]
    assert page.locator("#kpi-chart circle.point").count() == 0

    # Run the check twice from its page.
    for _ in range(2):
        page.goto(f"{base}/checks/{check.pk}/")
        page.click("button:has-text('Run now')")
        page.wait_for_load_state()
    assert check.runs.count() == 2

    page.goto(kpi.get_absolute_url())
    assert page.locator("#kpi-chart circle.point").count() == 2
    assert page.locator("#kpi-chart line.target").count() == 1
    assert page.locator("#kpi-status").inner_text() == "Off target"
    assert page.locator("#measurements tbody tr").count() == 2
    kpi.refresh_from_db()
    assert kpi.status == KPIStatus.OFF_TARGET
    assert 0.12 < float(kpi.latest_value) < 0.2
    shot(page, "04-kpi-detail-check")

    # A manual KPI with a few measurements, and the import page refusing a bad file.
    page.goto(f"{base}/objectives/kpis/new/")
    page.fill("#id_name", "Staff trained")
    page.fill("#id_unit", "%")
    page.fill("#id_target", "90")
    page.fill("#id_tolerance", "10")
    page.click("button:has-text('Define KPI')")
    page.wait_for_url(re.compile(rf"{base}/objectives/kpis/\d+/$"))
    today = timezone.localdate()
    for days, value in ((60, "55"), (30, "78"), (0, "86")):
        page.fill("#id_date", (today - dt.timedelta(days=days)).isoformat())
        page.fill("#id_value", value)
        page.click("button:has-text('Record')")
        page.wait_for_load_state()
    assert page.locator("#kpi-status").inner_text() == "At risk"
    shot(page, "05-kpi-detail-manual")
    page.goto(f"{base}/objectives/kpis/import/")
    bad = "kpi,date,value,note\nStaff trained,2020-01-01,lots,\n"
    page.set_input_files(
        "#id_file", files=[{"name": "m.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    page.click("button:has-text('Import')")
    page.wait_for_load_state()
    assert "Give a number" in page.locator("#import-problems").inner_text()
    shot(page, "06-kpi-import-errors")

    page.goto(f"{base}/objectives/kpis/")
    shot(page, "07-kpi-list")
    page.goto(f"{base}/objectives/")
    shot(page, "08-objective-list")
    page.goto(objective.get_absolute_url())
    shot(page, "09-objective-detail")
    page.goto(f"{base}/objectives/kpis/{kpi.pk}/delete/")
    shot(page, "10-kpi-delete-confirm")
    page.goto(f"{base}/")
    shot(page, "11-dashboard")
    assert page.get_by_text("KPIs off target").first.is_visible()
