"""A data set is registered, used by a system and tested by a data-quality check whose run shows
on its page, in headless Chromium against a live server.

Screenshots of every page of the area go to /tmp/shots/datasets/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, choose, make_user
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.catalog.loader import load_catalog
from aims.checks.models import Check, Kind, SourceType
from aims.checks.samples import FAIR
from aims.checks.services import save_check, store_data_file
from aims.datasets.models import DataSet, Resource
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system
from aims.organizations.services import create_organization

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/datasets")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_data_quality_run_shows_on_the_data_set_page(page, live_server):
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
            risk_tier=RiskTier.LIMITED,
            version="4.2",
        ),
        actor=manager,
    )
    blob, data_name = store_data_file(
        SimpleUploadedFile(FAIR.name, FAIR.read_bytes(), content_type="application/x-parquet")
    )
    check = save_check(
        Check(
            organization=org,
            system=system,
            name="Loan applications: data quality",
            kind=Kind.QUALITY,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=data_name,
            options={"min_rows": 1000, "ranges": {"score": [0, 1]}},
            thresholds=[],
        ),
        actor=manager,
    )

    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    # The empty list, then a new data set.
    page.click("nav.sidebar >> text=Data sets")
    page.wait_for_url(f"**{base}/datasets/")
    assert page.get_by_text("No data sets yet").is_visible()
    shot(page, "01-dataset-list-empty")
    page.click("text=New data set")
    page.fill("#id_name", "Loan application history 2019–2024")
    page.fill("#id_description", "1.2 million applications with decisions and outcomes.")
    page.select_option("#id_acquisition", "collected")
    page.fill("#id_source", "Loan origination system")
    page.select_option("#id_legal_basis", "contract")
    page.fill("#id_personal_data_categories", "Income, employment, age band, sex")
    page.fill("#id_known_quality_issues", "Employment length missing before 2021.")
    page.fill("#id_retain_until", "2031-06-30")
    choose(page, "#id_controls", "A.7.4")
    shot(page, "02-dataset-form")
    page.click("button:has-text('Record data set')")
    page.wait_for_url(re.compile(rf"{base}/datasets/\d+/$"))
    dataset = DataSet.objects.get(organization=org)
    assert dataset.requirement_refs() == ["A.7.4"]

    # Its use by the credit system, and its data-quality check.
    choose(page, "#id_system", "Credit scoring")
    page.select_option("#id_purpose", "training")
    page.fill("#id_system_version", "4.2")
    page.click("button:has-text('Add use')")
    page.wait_for_load_state()
    assert dataset.uses.get().system_version == "4.2"
    choose(page, "#id_quality_checks", "Loan applications: data quality")
    page.click("button:has-text('Save quality checks')")
    page.wait_for_load_state()
    assert list(dataset.quality_checks.all()) == [check]
    assert page.get_by_text("Never run yet.").is_visible()

    # The check runs from its page; the run shows on the data set's page.
    page.goto(f"{base}/checks/{check.pk}/")
    page.click("button:has-text('Run now')")
    page.wait_for_load_state()
    run = check.runs.get()
    page.goto(dataset.get_absolute_url())
    quality = page.locator("#quality")
    assert quality.get_by_text("Passed").is_visible()
    assert quality.locator(f"a[href='{base}/checks/runs/{run.pk}/']").is_visible()
    shot(page, "03-dataset-detail")
    quality.locator(f"a[href='{base}/checks/runs/{run.pk}/']").click()
    page.wait_for_url(f"**/checks/runs/{run.pk}/")
    assert page.locator("#datasets").get_by_text("Loan application history").is_visible()
    shot(page, "04-run-page-with-dataset")

    # Other resources, from the system's page.
    page.goto(system.get_absolute_url())
    section = page.locator("#resources")
    assert section.get_by_text("Loan application history 2019–2024").is_visible()
    section.get_by_text("Add a resource").click()
    page.select_option("#id_kind", "computing")
    page.fill("#id_name", "Model training workspace")
    page.fill("#id_description", "16-core training nodes, the feature store, the registry.")
    shot(page, "05-resource-form")
    page.click("button:has-text('Record resource')")
    page.wait_for_url(re.compile(rf"{base}/datasets/resources/\d+/$"))
    resource = Resource.objects.get(organization=org)
    assert resource.system == system
    shot(page, "06-resource-detail")
    page.goto(system.get_absolute_url())
    assert page.locator("#resources").get_by_text("Model training workspace").is_visible()
    page.locator("#resources").screenshot(path=str(SHOTS / "07-system-page-section.png"))

    page.goto(f"{base}/datasets/resources/")
    shot(page, "08-resource-list")
    page.goto(f"{base}/datasets/")
    assert page.get_by_text("Loan application history 2019–2024").is_visible()
    shot(page, "09-dataset-list")
    page.goto(f"{base}/datasets/{dataset.pk}/edit/")
    shot(page, "10-dataset-edit")
    use = dataset.uses.get()
    page.goto(f"{base}/datasets/{dataset.pk}/uses/{use.pk}/remove/")
    shot(page, "11-use-remove-confirm")
    page.goto(f"{base}/datasets/{dataset.pk}/delete/")
    shot(page, "12-dataset-delete-confirm")
    page.click("button:has-text('Delete the data set')")
    page.wait_for_url(f"**{base}/datasets/")
    assert not DataSet.objects.filter(pk=dataset.pk).exists()
