"""A supplier is recorded with its responsibilities and assessed; an overdue assessment is
flagged on the list and the dashboard; a customer records what it was told. In headless
Chromium against a live server.

Screenshots of every page of the area go to /tmp/shots/suppliers/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, choose, make_user
from django.utils import timezone

from aims.catalog.loader import load_catalog
from aims.datasets.models import DataSet
from aims.datasets.services import save_dataset
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system
from aims.organizations.services import create_organization
from aims.suppliers.models import Kind, Outcome, Status, SupplierAssessment, ThirdParty
from aims.suppliers.services import record_assessment, save_third_party

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/suppliers")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_supplier_is_recorded_and_assessed(page, live_server):
    load_catalog()
    today = timezone.localdate()
    manager = make_user("ada.manager")
    org = create_organization(name="Acme Lending", owner=manager)
    base = f"/o/{org.slug}"
    system = save_system(
        AISystem(
            organization=org,
            name="Customer service assistant",
            purpose="Answers questions",
            intended_use="Account questions",
            owner=manager,
            risk_tier=RiskTier.LIMITED,
        ),
        actor=manager,
    )
    articles = save_dataset(DataSet(organization=org, name="Help-centre articles"), actor=manager)

    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    page.click("nav.sidebar >> text=Suppliers & customers")
    page.wait_for_url(f"**{base}/suppliers/")
    assert page.get_by_text("No suppliers or customers yet").is_visible()
    shot(page, "01-list-empty")

    # The model provider of the assistant.
    page.click("text=New supplier or customer")
    page.fill("#id_name", "Lumenware Models Ltd")
    page.select_option("#id_kind", "model_provider")
    page.fill("#id_contact", "enterprise@lumenware.example")
    page.fill("#id_description", "Hosted language model behind the assistant.")
    choose(page, "#id_systems", "Customer service assistant")
    choose(page, "#id_datasets", "Help-centre articles")
    page.fill("#id_responsibilities", "Hosting, availability, no training on our data.")
    page.fill("#id_our_responsibilities", "Prompts, retrieval content, guardrails, monitoring.")
    page.fill("#id_contract_reference", "Enterprise API agreement LW-2024-031")
    choose(page, "#id_owner", "ada.manager")
    shot(page, "02-form")
    page.click("button:has-text('Record')")
    page.wait_for_url(re.compile(rf"{base}/suppliers/\d+/$"))
    supplier = ThirdParty.objects.get(organization=org)
    assert list(supplier.systems.all()) == [system]
    assert supplier.requirement_refs() == ["A.10.2", "A.10.3"]
    assert page.get_by_text("Not assessed yet.").is_visible()

    # An assessment: the future is refused, then today's is recorded.
    page.click("text=Record an assessment")
    page.fill("#id_assessed_on", (today + dt.timedelta(days=3)).isoformat())
    page.select_option("#id_outcome", "conditions")
    page.fill("#id_findings", "SOC 2 report reviewed; red-team results not shared yet.")
    page.fill("#id_next_due", (today + dt.timedelta(days=20)).isoformat())
    page.click("button:has-text('Record assessment')")
    page.wait_for_load_state()
    assert page.locator("#id_assessed_on_error").get_by_text("choose today or earlier").is_visible()
    assert not supplier.assessments.exists()
    shot(page, "03-assessment-form-refused")
    page.fill("#id_assessed_on", today.isoformat())
    page.click("button:has-text('Record assessment')")
    page.wait_for_url(re.compile(rf"{base}/suppliers/\d+/#assessments$"))
    assert supplier.assessments.get().outcome == Outcome.CONDITIONS
    assert page.get_by_text("Assessment due soon").is_visible()
    shot(page, "04-detail")

    # A cloud host whose assessment is overdue, and a customer.
    cloud = save_third_party(
        ThirdParty(organization=org, name="Stratus Cloud Services", kind=Kind.PLATFORM),
        actor=manager,
        systems=[system],
    )
    record_assessment(
        SupplierAssessment(
            third_party=cloud,
            assessed_on=today - dt.timedelta(days=430),
            outcome=Outcome.APPROVED,
            next_due=today - dt.timedelta(days=65),
        ),
        actor=manager,
    )
    page.goto(f"{base}/suppliers/new/")
    page.fill("#id_name", "Brightway Brokers")
    page.select_option("#id_kind", "customer")
    choose(page, "#id_systems", "Customer service assistant")
    page.fill(
        "#id_commitments",
        "Told that the assistant is an AI system and hands over to an agent on request.",
    )
    page.fill("#id_contract_date", (today - dt.timedelta(days=200)).isoformat())
    page.click("button:has-text('Record')")
    page.wait_for_url(re.compile(rf"{base}/suppliers/\d+/$"))
    assert page.get_by_text("Customers are not assessed").is_visible()
    customer = ThirdParty.objects.get(organization=org, name="Brightway Brokers")
    assert customer.requirement_refs() == ["A.10.2", "A.10.4"]
    shot(page, "05-customer-detail")

    page.goto(f"{base}/suppliers/")
    assert page.get_by_text("1 supplier assessment overdue").is_visible()
    assert page.get_by_text("Assessment overdue since").is_visible()
    shot(page, "06-list")
    page.goto(f"{base}/suppliers/?due=on")
    shot(page, "07-list-due")
    page.goto(articles.get_absolute_url())
    assert page.locator("#suppliers").get_by_text("Lumenware Models Ltd").is_visible()
    page.locator("#suppliers").screenshot(path=str(SHOTS / "08-dataset-page-section.png"))
    page.goto(system.get_absolute_url())
    assert page.locator("#third-parties").get_by_text("Stratus Cloud Services").is_visible()
    page.locator("#third-parties").screenshot(path=str(SHOTS / "09-system-page-section.png"))
    page.goto(f"{base}/")
    assert page.get_by_text("Supplier assessments overdue").is_visible()
    shot(page, "10-dashboard")
    page.goto(f"{base}/reminders/")
    shot(page, "11-reminders")

    # The cloud host was assessed: it is not deleted, the relationship is ended.
    page.goto(cloud.get_absolute_url())
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('End the relationship')")
    page.wait_for_load_state()
    cloud.refresh_from_db()
    assert cloud.status == Status.ENDED
    page.goto(f"{base}/suppliers/{cloud.pk}/edit/")
    shot(page, "12-edit")
    page.goto(f"{base}/suppliers/{customer.pk}/delete/")
    shot(page, "13-delete-confirm")
