"""In a browser: the demo organization's NIST AI RMF coverage, and importing a control set from
CSV (a bad file first, refused row by row, then a good one). Screenshots go to
/tmp/shots/frameworks/."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BROWSER
from test_layout_browser import OVERFLOW, PHONE, sign_in

from aims.demo.loader import load_demo
from aims.frameworks.models import Framework

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/frameworks")

BAD = (
    b"id,title,parent,mapping\nGOV,Governance,,\nGOV-1,Model inventory,GOVX,A.4.2\nGOV-2,,GOV,Z.1\n"
)
GOOD = b"id,title,parent,mapping\nGOV,Governance,,\nGOV-1,Model inventory,GOV,A.4.2;A.6.2.7\n"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_coverage_view_and_the_csv_import_journey(page, live_server):
    org, owner, _ = load_demo(password="a-demo-password-123")
    sign_in(page, live_server, owner)
    page.goto(f"/o/{org.slug}/")
    page.get_by_role("link", name="Frameworks & crosswalks").first.click()
    page.wait_for_url("**/frameworks/")
    shot(page, "list")
    page.get_by_role("link", name="NIST AI Risk Management Framework").click()
    page.wait_for_url("**/frameworks/nist-ai-rmf-1.0/")
    covered = int(page.locator("#covered").inner_text().split()[0])
    assert covered >= 20
    row = page.locator("tr", has_text="GOVERN 1.2")
    assert "Evidenced" in row.inner_text() and "AI policy" in row.inner_text()
    shot(page, "nist-coverage")
    page.set_viewport_size(PHONE)
    assert page.evaluate(OVERFLOW) is None
    shot(page, "nist-coverage-phone")
    page.set_viewport_size({"width": 1400, "height": 1000})

    page.select_option("#id_status", "gap")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**status=gap**")
    assert page.locator("tr", has_text="GOVERN 1.2").count() == 0
    assert page.locator("tbody .badge-warn").count() == int(
        page.locator("#not-covered").inner_text()
    )

    page.goto(f"/o/{org.slug}/frameworks/iso-iec-27001-2022/")
    assert page.locator("tr", has_text="Policy").locator(".badge-ok").count() == 1
    shot(page, "iso27001-coverage")
    page.get_by_role("link", name="Records serving it").click()
    shot(page, "iso27001-records")

    # The CSV import: a bad file is refused with each row's problem, and nothing is saved.
    page.goto(f"/o/{org.slug}/frameworks/")
    page.get_by_role("link", name="Import from CSV").click()
    page.fill("#id_name", "Customer AI controls")
    page.set_input_files(
        "#id_file", {"name": "controls.csv", "mimeType": "text/csv", "buffer": BAD}
    )
    page.get_by_role("button", name="Import").click()
    problems = page.locator("#import-problems")
    problems.wait_for()
    text = problems.inner_text()
    assert "Nothing was saved" in text
    assert "Row 3, column parent: unknown parent GOVX" in text
    assert "Row 4, column title: is empty." in text
    assert "Row 4, column mapping: unknown ISO/IEC 42001 id Z.1" in text
    assert not Framework.objects.filter(organization=org).exists()
    shot(page, "import-errors")

    page.set_input_files(
        "#id_file", {"name": "controls.csv", "mimeType": "text/csv", "buffer": GOOD}
    )
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/frameworks/customer-ai-controls/")
    assert "imported: 2 requirements" in page.locator("body").inner_text()
    row = page.locator("tr", has_text="GOV-1")
    assert "A.4.2, A.6.2.7" in row.inner_text()
    assert "not an official mapping" in row.inner_text()
    shot(page, "imported")
    framework = Framework.objects.get(organization=org)
    assert framework.requirements.count() == 2
