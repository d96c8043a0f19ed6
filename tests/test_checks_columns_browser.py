"""A check defined by choosing columns from an uploaded file, in headless Chromium: the form
reads the CSV's header as soon as the file is chosen and offers its columns in selects, a
misspelled threshold and everything else wrong are reported at once, and the check page keeps
its Run button and says where the run stands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, make_user

from aims.catalog.loader import load_catalog
from aims.checks.models import Alert, Check, CheckRun, RunStatus
from aims.checks.services import resolve_alert
from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization

pytestmark = BROWSER
SHOTS = Path("/tmp/shots/checks-columns")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def applicants_csv(path: Path) -> Path:
    lines = ["applicant,repaid,approved,score,gender"]
    for i in range(400):
        gender = "F" if i % 2 else "M"
        approved = int(i % 3 != 0) if gender == "M" else int(i % 5 == 0)
        lines.append(f"{i},{int(i % 4 != 0)},{approved},{(i % 10) / 10},{gender}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.django_db(transaction=True)
def test_a_check_is_defined_by_choosing_columns_from_an_uploaded_csv(page, tmp_path):
    load_catalog()
    owner = make_user("olga.owner")
    org = create_organization(name="Acme Lending", owner=owner)
    contributor = make_user("carla.contributor")
    Membership.objects.create(user=contributor, organization=org, role=Role.CONTRIBUTOR)
    save_system(
        AISystem(organization=org, name="Loan approvals", purpose="Approve loans", owner=owner),
        actor=owner,
    )
    data = applicants_csv(tmp_path / "applicants-2026-11.csv")
    base = f"/o/{org.slug}/checks"

    page.goto("/login/")
    page.fill("#id_username", "carla.contributor")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/new/")

    # No file yet: the column fields are plain text, and the form says what will happen.
    assert page.locator("input#id_label").is_visible()
    page.get_by_text("its columns are then offered here").wait_for()  # loaded by htmx
    page.select_option("#id_system", label="Loan approvals")
    page.fill("#id_name", "Approval parity")
    page.select_option("#id_kind", "fairness")
    page.select_option("#id_source_type", "upload")

    # Choosing the file reads its header: the columns come as selects, with their types.
    page.set_input_files("#id_data_file", str(data))
    page.wait_for_selector("select#id_label")
    assert page.get_by_text("The columns of applicants-2026-11.csv (5)").is_visible()
    labels = page.locator("#id_label option").all_inner_texts()
    assert labels == [
        "—",
        "applicant (integer)",
        "repaid (integer)",
        "approved (integer)",
        "score (float)",
        "gender (string)",
    ]
    assert page.locator("select#id_sensitive[multiple]").count() == 1
    page.select_option("#id_label", "repaid")
    page.select_option("#id_prediction", "approved")
    page.select_option("#id_sensitive", ["gender"])
    page.fill("#id_limits", "max dp_diference=0.1\nmin di_ratio=x")
    shot(page, "form-columns-chosen")
    page.click("button:has-text('Save check')")

    # Both threshold lines are wrong: both are said at once, and nothing is saved.
    page.wait_for_selector(".field.has-error")
    errors = page.locator(".field.has-error .error").all_inner_texts()
    assert any("Line 1" in e and "did you mean 'dp_difference'?" in e for e in errors), errors
    assert any("Line 2" in e and "the limit must be a number" in e for e in errors), errors
    assert not Check.objects.exists()
    shot(page, "form-errors")

    # The file is chosen again (a browser never keeps it), the columns come back.
    page.set_input_files("#id_data_file", str(data))
    page.wait_for_selector("select#id_sensitive")
    page.select_option("#id_label", "repaid")
    page.select_option("#id_prediction", "approved")
    page.select_option("#id_sensitive", ["gender"])
    page.fill("#id_limits", "max dp_difference=0.1\nmin di_ratio 0.8")
    page.click("button:has-text('Save check')")
    page.wait_for_url(re.compile(rf"{base}/\d+/$"))
    check = Check.objects.get()
    assert check.data_name == "applicants-2026-11.csv"
    assert check.options["label"] == "repaid" and check.options["sensitive"] == ["gender"]
    assert [t["metric"] for t in check.thresholds] == [
        "demographic_parity_difference",
        "disparate_impact_ratio",
    ]

    # Editing it: its own file's columns are offered again, with the chosen ones selected.
    page.goto(f"{base}/{check.pk}/edit/")
    page.wait_for_selector("select#id_label")
    assert page.locator("#id_label").input_value() == "repaid"
    assert page.locator("#id_limits").input_value() == "max dp_difference=0.1\nmin di_ratio=0.8"
    shot(page, "edit-columns")

    # Run it: the result, then the check page with its latest run and the Run button.
    page.goto(f"{base}/{check.pk}/")
    page.click("button:has-text('Run now')")
    page.wait_for_url(re.compile(rf"{base}/runs/\d+/$"))
    run = CheckRun.objects.get()
    assert run.status == RunStatus.FAILED, run.error
    page.goto(f"{base}/{check.pk}/")
    assert page.locator(".run-latest").inner_text().startswith("Latest run")
    assert page.get_by_role("button", name="Run now").is_visible()
    shot(page, "check-page")

    # The alert resolved while the latest run still failed: the alerts page says so.
    resolve_alert(Alert.objects.get(), actor=owner, resolution="Retraining planned.")
    page.goto(f"{base}/alerts/")
    empty = page.locator(".empty").inner_text()
    assert "No open alert" in empty and "did not pass" in empty
    assert "within its thresholds" not in empty
    shot(page, "alerts-resolved-still-failing")
