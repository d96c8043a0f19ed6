"""Searchable pickers (aims/static/aims/pickers.js over the vendored Tom Select) in headless
Chromium against a live server.

On the risk form the AI-systems and Annex A controls selects become pickers: typing narrows the
options, options are chosen with the keyboard and the mouse and removed again, and the risk saves
exactly what the pickers show. A form re-rendered with errors keeps the choices; a select set by
other code shows it; an audit checklist card saved by htmx comes back with one picker; a long
filter select is searched, submits and empties again; an open picker passes axe. With 5,000 AI
systems the picker opens and narrows to the one typed within a second, and a phone page stays
390 px wide. Screenshots go to /tmp/shots/picker/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from audit_helpers import audit, programme
from conftest import BROWSER, choose
from playwright.sync_api import expect
from test_api_evidence import make_evidence
from test_layout_browser import OVERFLOW, sign_in

from aims.audits.services import start_audit
from aims.catalog.loader import load_catalog
from aims.catalog.models import Control
from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.risk.models import Risk
from aims.soa.models import SoAEntry
from bench.scale import seed

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/picker")
PHONE = {"width": 390, "height": 844}
SYSTEMS_LABEL = "Affected AI systems"

# What the picker shows and what the hidden <select> would post, for the select with this id.
STATE = """(id) => {
  const select = document.getElementById(id);
  return {
    shown: select.tomselect ? [...select.tomselect.items] : null,
    posted: [...select.selectedOptions].map((option) => option.value),
  };
}"""


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def register(world, *names: str) -> list[AISystem]:
    return [
        save_system(
            AISystem(organization=world.org, name=name, purpose="Decides", intended_use="Staff"),
            actor=world.owner,
        )
        for name in names
    ]


def state(page, select_id: str) -> dict:
    return page.evaluate(STATE, select_id)


def enhanced(page, select_id: str) -> None:
    """Wait for pickers.js (a deferred script, or htmx's settling) to have made the picker."""
    page.wait_for_function("(id) => !!document.getElementById(id).tomselect", arg=select_id)


def pks(*records) -> list[str]:
    return [str(record.pk) for record in records]


def open_risk_form(page, live_server, world) -> None:
    sign_in(page, live_server, world.owner)
    page.goto(f"/o/{world.org.slug}/risks/new/")
    page.fill("#id_title", "Applicants are scored on biased data")
    page.select_option("#id_category", "fairness")


def save(page, world) -> Risk:
    page.click("button:has-text('Record risk')")
    page.wait_for_url(re.compile(rf"/o/{world.org.slug}/risks/\d+/$"))
    return Risk.objects.get(organization=world.org)


def test_a_risk_saves_exactly_the_systems_and_controls_left_in_the_pickers(
    page, live_server, world
):
    load_catalog()
    credit, chatbot, _cv = register(world, "Credit scoring", "Customer chatbot", "CV screening")
    open_risk_form(page, live_server, world)
    page.select_option("#id_inherent_likelihood", "3")
    page.select_option("#id_inherent_impact", "3")

    # The label names the picker and clicking it puts the cursor in it.
    picker = page.get_by_role("combobox", name=SYSTEMS_LABEL)
    page.locator("label", has_text=SYSTEMS_LABEL).click()
    expect(picker).to_be_focused()
    expect(picker).to_have_attribute("placeholder", "Type to search…")

    # Typing narrows the options; Enter takes the first.
    picker.press_sequentially("cr")
    options = page.locator("#id_systems-ts-dropdown .option")
    expect(options).to_have_text(["Credit scoring", "CV screening"])
    picker.press("Enter")
    # The mouse takes another.
    picker.press_sequentially("chat")
    expect(options).to_have_text(["Customer chatbot"])
    options.first.click()
    assert state(page, "id_systems") == {
        "shown": pks(credit, chatbot),
        "posted": pks(credit, chatbot),
    }
    shot(page, "risk-form-two-systems")
    # Its remove button takes one away again, from the picker and from what is posted.
    page.locator(".ts-control .item", has_text="Credit scoring").get_by_title("Remove").click()
    assert state(page, "id_systems") == {"shown": pks(chatbot), "posted": pks(chatbot)}

    # The controls picker by the keyboard alone: two chosen, the last taken back by Backspace.
    controls = page.get_by_role("combobox", name="Annex A controls")
    controls.focus()
    controls.press_sequentially("A.6.2.4")
    controls.press("Enter")
    controls.press_sequentially("A.7.4")
    controls.press("Enter")
    first, second = (Control.objects.get(ref=ref) for ref in ("A.6.2.4", "A.7.4"))
    assert state(page, "id_controls")["posted"] == pks(first, second)
    controls.press("Backspace")
    assert state(page, "id_controls") == {"shown": pks(first), "posted": pks(first)}

    risk = save(page, world)
    assert list(risk.systems.all()) == [chatbot]
    assert list(risk.controls.all()) == [first]


def test_a_form_rerendered_with_errors_keeps_the_chosen_options(page, live_server, world):
    load_catalog()
    credit, chatbot, _cv = register(world, "Credit scoring", "Customer chatbot", "CV screening")
    open_risk_form(page, live_server, world)
    picker = page.get_by_role("combobox", name=SYSTEMS_LABEL)
    for word in ("credit", "chatbot"):
        picker.press_sequentially(word)
        picker.press("Enter")
    # The inherent likelihood is required: nothing is saved, the form comes back.
    page.click("button:has-text('Record risk')")
    expect(page.locator(".error-summary")).to_be_visible()
    assert not Risk.objects.exists()
    enhanced(page, "id_systems")
    assert state(page, "id_systems") == {
        "shown": pks(credit, chatbot),
        "posted": pks(credit, chatbot),
    }
    chosen = page.locator("#id_systems + .ts-wrapper .ts-control .item")
    expect(chosen).to_have_count(2)
    expect(chosen.last).to_contain_text("Customer chatbot")
    shot(page, "risk-form-errors")

    page.select_option("#id_inherent_likelihood", "2")
    page.select_option("#id_inherent_impact", "4")
    risk = save(page, world)
    assert set(risk.systems.all()) == {credit, chatbot}


def test_a_select_changed_by_a_script_shows_the_change_in_its_picker(page, live_server, world):
    """Other code (the other browser tests' ``choose`` among them) sets the hidden select."""
    load_catalog()
    credit, _chatbot = register(world, "Credit scoring", "Customer chatbot")
    open_risk_form(page, live_server, world)
    enhanced(page, "id_systems")
    choose(page, "#id_systems", "Credit scoring")
    assert state(page, "id_systems") == {"shown": pks(credit), "posted": pks(credit)}
    expect(page.locator("#id_systems + .ts-wrapper .item")).to_have_text(["Credit scoring×"])


def test_five_thousand_systems_open_and_filter_within_a_second_on_a_phone(page, live_server, world):
    load_catalog()
    seed(world.org, systems=5000, risks_per_system=0)
    wanted = AISystem.objects.get(organization=world.org, name="Synthetic system 04217")
    page.set_viewport_size(PHONE)
    open_risk_form(page, live_server, world)
    assert page.locator("#id_systems option").count() == 5000
    # Deferred scripts (the pickers among them) run between these two moments.
    scripts_ms = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.domContentLoadedEventStart - n.domInteractive; }"
    )

    picker = page.get_by_role("combobox", name=SYSTEMS_LABEL)
    options = page.locator("#id_systems-ts-dropdown .option")
    start = time.perf_counter()
    picker.click()
    expect(options).to_have_count(100)
    opened = time.perf_counter() - start
    expect(page.locator(".picker-more")).to_have_text("and 4,900 more: type to narrow")
    shot(page, "phone-5000-open")

    start = time.perf_counter()
    picker.press_sequentially("04217")
    expect(options).to_have_text(["Synthetic system 04217"])
    filtered = time.perf_counter() - start
    expect(page.locator(".picker-more")).to_be_hidden()
    print(  # shown with pytest -s: the numbers of the report
        f"5,000 options: scripts {scripts_ms:.0f} ms, open {opened * 1000:.0f} ms, "
        f"type and filter {filtered * 1000:.0f} ms"
    )
    assert opened < 1 and filtered < 1, (opened, filtered)

    picker.press("Enter")
    assert state(page, "id_systems") == {"shown": pks(wanted), "posted": pks(wanted)}
    assert page.evaluate(OVERFLOW) is None  # the document is no wider than the phone
    shot(page, "phone-5000-chosen")


def save_by_htmx(page, card, select_id: str) -> None:
    """Save the card and wait for the card htmx puts in its place to have its picker."""
    page.evaluate("(id) => { window.beforeSave = document.getElementById(id); }", select_id)
    card.get_by_role("button", name="Save the result").click()
    page.wait_for_function(
        "(id) => { const select = document.getElementById(id);"
        " return select !== window.beforeSave && !!select.tomselect; }",
        arg=select_id,
    )


def test_a_checklist_item_saved_by_htmx_keeps_one_picker_with_its_evidence(
    page, live_server, world
):
    """The item's card is posted by htmx and swapped for the saved one: its picker comes back
    once, showing the evidence saved, and a second save sends what it shows."""
    load_catalog()
    item_audit = audit(world, programme(world))
    start_audit(item_audit, actor=world.auditor)
    policy, model_card = make_evidence(world, "AI policy"), make_evidence(world, "Model card")
    item = item_audit.items.order_by("position").first()
    sign_in(page, live_server, world.auditor)
    page.goto(item_audit.checklist_url())
    card = page.locator(f"#item-{item.pk}")
    picker = card.get_by_role("combobox", name="Evidence records")
    card.locator("select[name=result]").select_option("conforming")
    for word in ("policy", "card"):
        picker.press_sequentially(word)
        picker.press("Enter")
    select_id = f"item{item.pk}_evidence"
    save_by_htmx(page, card, select_id)
    expect(card.get_by_text("Saved.")).to_be_visible()
    item.refresh_from_db()
    assert set(item.evidence.all()) == {policy, model_card}
    assert state(page, select_id) == {
        "shown": pks(policy, model_card),
        "posted": pks(policy, model_card),
    }
    expect(card.locator(".ts-wrapper")).to_have_count(1)
    shot(page, "checklist-saved-by-htmx")

    card.locator(".ts-control .item", has_text="AI policy").get_by_title("Remove").click()
    save_by_htmx(page, card, select_id)
    assert state(page, select_id) == {"shown": pks(model_card), "posted": pks(model_card)}
    item.refresh_from_db()
    assert list(item.evidence.all()) == [model_card]


def test_a_long_filter_select_is_searched_submits_and_empties_again(page, live_server, world):
    """The evidence list's SoA-control filter (38 options, a single select in a filter form
    that submits on change) becomes a picker; its empty choice stays a choice."""
    load_catalog()
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.6.2.4")
    linked = make_evidence(world, "Validation report", soa_entries=[entry])
    make_evidence(world, "AI policy")
    sign_in(page, live_server, world.owner)
    page.goto(f"/o/{world.org.slug}/evidence/")
    picker = page.get_by_role("combobox", name="SoA controls")
    picker.focus()
    picker.press_sequentially("6.2.4")
    expect(page.locator(".ts-dropdown .option")).to_have_text([re.compile(r"^A\.6\.2\.4 ")])
    with page.expect_navigation():
        picker.press("Enter")
    assert f"control={entry.pk}" in page.url
    expect(page.locator("main table tbody tr")).to_have_text([re.compile(linked.title)])
    shot(page, "evidence-filtered-by-control")

    picker = page.get_by_role("combobox", name="SoA controls")
    picker.focus()
    picker.press_sequentially("any")
    with page.expect_navigation():
        picker.press("Enter")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def test_an_open_picker_with_choices_passes_axe(page, live_server, world):
    """No serious or critical axe-core violation with a picker open, its choices shown, and the
    hidden select beside it (bundled axe-core, as tests/test_accessibility_browser.py)."""
    from axe_playwright_python.base import AXE_SCRIPT

    load_catalog()
    register(world, "Credit scoring", "Customer chatbot", "CV screening")
    open_risk_form(page, live_server, world)
    picker = page.get_by_role("combobox", name=SYSTEMS_LABEL)
    picker.press_sequentially("credit")
    picker.press("Enter")
    picker.press_sequentially("c")
    expect(page.locator("#id_systems-ts-dropdown .option")).to_have_count(2)
    page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
          .filter((v) => ["serious", "critical"].includes(v.impact))
          .map((v) => v.id + ": " + v.nodes.map((node) => node.target.join(" ")).join(", "))"""
    )
    assert violations == []
