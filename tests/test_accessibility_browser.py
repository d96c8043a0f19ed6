"""Accessibility in headless Chromium (issue 12): every page passes axe-core with no serious or
critical violation, the header's controls are reached by keyboard in order, and every control
shows where the focus is.

axe-core is the copy bundled in axe-playwright-python (axe_playwright_python/axe.min.js): it is
put into each page by Playwright, nothing is downloaded. The sweep visits every HTML page a member
can open (tests/test_layout_browser.py's walk of the URL configuration, with a record of each
kind) at 1,400 px, then the states that only exist after an interaction: the phone menu, the
account menu, the bell's list, a form's error summary, the search box's dropdown. No axe rule is
switched off. Screenshots go to /tmp/shots/axe/.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from conftest import BROWSER, MARKUP_SWEEP
from test_layout_browser import PHONE, WIDE, every_page, sign_in
from test_reminders import registered
from test_security_routes import records  # noqa: F401  (a fixture)

from aims.catalog.loader import load_catalog
from aims.core.areas import DueItem

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/axe")
BLOCKING = ["serious", "critical"]  # the bar; moderate and minor ones are not counted
# axe.run over the whole page, every rule; only the blocking violations come back to Python
# (the full results are large, and sending them is a third of the time).
RUN_AXE = """async (blocking) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.filter((v) => blocking.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""

# The element that has the focus, as "tag[type] name", and whether its focus can be seen: an
# outline at least 2 px wide whose colour stands out 3:1 against the background around it (WCAG
# 1.4.11), or a box shadow.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  // A searchable picker (Tom Select) draws the ring on the box around its text field.
  const ring = el.closest(".ts-control") || el;
  const style = getComputedStyle(ring);
  const rgba = (colour) => {
    const [r, g, b, a] = (colour.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number);
    return {r, g, b, a: a === undefined ? 1 : a};
  };
  const luminance = ({r, g, b}) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let around = {r: 255, g: 255, b: 255, a: 1};  // the outline is drawn outside the element
  for (let up = ring.parentElement; up; up = up.parentElement) {
    const colour = rgba(getComputedStyle(up).backgroundColor);
    if (colour.a >= 0.5) { around = colour; break; }
  }
  const line = rgba(style.outlineColor);
  const [light, dark] = [luminance(line), luminance(around)].sort((a, b) => b - a);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 &&
    line.a > 0 && (light + 0.05) / (dark + 0.05) >= 3;
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || el.placeholder ||
    "").trim().replace(/\\s+/g, " ");
  const box = el.getBoundingClientRect();
  return {
    what: el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "") + " " + name.slice(0, 40),
    name: name,
    picker: el.closest(".ts-wrapper") !== null,
    visible: outline || style.boxShadow !== "none",
    inside: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0,
  };
}"""


def violations(page, where: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now: the rule, its
    impact, how many elements and the first few of them."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    found = [
        f"{where}: {v['id']} ({v['impact']}, {len(v['targets'])}) {v['targets'][:3]}"
        for v in page.evaluate(RUN_AXE, BLOCKING)
    ]
    if found:
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = where.strip("/").replace("/", "_").replace(" ", "-") or "home"
        page.screenshot(path=str(SHOTS / f"violation-{name}.png"), full_page=True)
    return found


@MARKUP_SWEEP
def test_every_page_has_no_serious_or_critical_violation(page, live_server, world, records):  # noqa: F811
    load_catalog()
    pages = every_page(world, records)
    assert len(pages) > 100, pages  # the walk found the pages
    sign_in(page, live_server, world.owner)
    page.set_viewport_size(WIDE)
    found = []
    started = time.monotonic()
    for url in pages:
        page.goto(url)
        found += violations(page, url)
    elapsed = time.monotonic() - started
    version = page.evaluate("axe.version")
    print(f"axe-core {version} swept {len(pages)} pages in {elapsed:.0f} s")
    assert not found, "\n".join(found)


def test_menus_lists_errors_and_dropdowns_have_no_serious_or_critical_violation(
    page, live_server, world, credit_system
):
    load_catalog()
    org = world.org
    today = dt.date.today()

    def due(organization, day):
        if organization.pk != org.pk:
            return []
        return [
            DueItem("Policy review", today - dt.timedelta(days=2), f"/o/{org.slug}/risks/", "Doc"),
            DueItem("Fairness check", today + dt.timedelta(days=3), "/", "Check"),
        ]

    sign_in(page, live_server, world.owner)
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = []

    # The phone layout: the sidebar open over the page, then the account menu.
    page.set_viewport_size(PHONE)
    page.goto(f"/o/{org.slug}/")
    page.get_by_role("button", name="Menu", exact=True).click()
    assert page.locator("nav.sidebar").is_visible()
    page.screenshot(path=str(SHOTS / "phone-menu.png"))
    found += violations(page, "phone menu open")
    page.locator("button[aria-controls=account-menu]").click()
    assert page.get_by_role("button", name="Log out").is_visible()
    page.screenshot(path=str(SHOTS / "phone-account-menu.png"))
    found += violations(page, "phone account menu open")

    # The bell's list, with something due.
    with registered("due", due):
        page.set_viewport_size(WIDE)
        page.goto(f"/o/{org.slug}/")
        page.get_by_role("button", name="Due for me").click()
        page.locator("#notices").get_by_role("link", name="Policy review").wait_for()
        page.screenshot(path=str(SHOTS / "bell-open.png"))
        found += violations(page, "bell list open")

    # A form sent empty: the error summary and the fields marked.
    page.goto(f"/o/{org.slug}/systems/new/")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.locator("[aria-invalid=true]").count() >= 1
    page.screenshot(path=str(SHOTS / "form-errors.png"), full_page=True)
    found += violations(page, "new AI system with errors")

    # The search box's dropdown with a hit.
    box = page.locator("#global-search")
    box.press_sequentially("Credit", delay=20)
    page.locator("#global-search-results.is-open").get_by_role(
        "link", name=credit_system.name
    ).first.wait_for()
    page.screenshot(path=str(SHOTS / "search-dropdown.png"))
    found += violations(page, "search dropdown open")

    assert not found, "\n".join(found)
    # The sweep sees what it looks for: a button without a name is reported.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<button>')")
    assert "button-name (critical, 1)" in " ".join(violations(page, "nameless button"))


def tab_through(page, presses: int) -> list[dict]:
    """Press Tab ``presses`` times from the top of the page; what had the focus each time."""
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        seen.append(focused)
    return seen


@pytest.mark.parametrize(
    "size, header",
    [
        (WIDE, ["Skip to content", "OpenAIMS", "Acme Lending", "Search", "Due for me",
                "olivia.owner", "Account security", "Log out", "Dashboard"]),
        (PHONE, ["Skip to content", "Menu", "OpenAIMS", "Acme Lending", "Search",
                 "Due for me", "Account menu of olivia.owner"]),
    ],
    ids=["wide", "phone"],
)  # fmt: skip
def test_the_keyboard_reaches_the_header_in_order_and_every_focus_shows(
    page, live_server, world, credit_system, size, header
):
    load_catalog()
    sign_in(page, live_server, world.owner)
    page.set_viewport_size(size)
    # A page with links, buttons, a search field and selects (the register's filters).
    page.goto(f"/o/{world.org.slug}/risks/")
    seen = tab_through(page, len(header))
    page.screenshot(path=str(SHOTS / f"keyboard-{size['width']}.png"))  # the last, focused
    seen += tab_through(page, 150)
    names = [focused["name"] or focused["what"] for focused in seen]
    for position, (expected, focused) in enumerate(zip(header, seen, strict=False)):
        assert focused["name"].startswith(expected) or expected in focused["what"], (
            position,
            expected,
            names[: len(header)],
        )
    assert seen[0]["inside"], "the skip link shows when it has the focus"
    kinds = {focused["what"].split(" ")[0] for focused in seen}
    assert {"a", "button[button]", "button[submit]", "input[search]"} <= kinds, kinds
    assert any(kind.startswith("select") for kind in kinds), kinds
    unseen = [focused["what"] for focused in seen if not focused["visible"]]
    assert not unseen, unseen

    # And on forms: text fields, selects, text areas, check boxes, searchable pickers, buttons.
    page.goto(f"/o/{world.org.slug}/systems/new/")
    seen = tab_through(page, 200)
    page.goto(f"/o/{world.org.slug}/risks/new/")
    seen += tab_through(page, 200)
    kinds = {focused["what"].split(" ")[0] for focused in seen}
    assert {"input[text]", "textarea[textarea]", "input[checkbox]"} <= kinds, kinds
    assert any(focused["picker"] for focused in seen), "a searchable picker (Tom Select)"
    unseen = [focused["what"] for focused in seen if not focused["visible"]]
    assert not unseen, unseen


def test_the_focus_shows_inside_the_open_menus(page, live_server, world):
    load_catalog()
    org = world.org
    today = dt.date.today()

    def due(organization, day):
        if organization.pk != org.pk:
            return []
        return [DueItem("Policy review", today, f"/o/{org.slug}/risks/", "Doc")]

    sign_in(page, live_server, world.owner)
    unseen = []

    def focus_shows(where: str) -> None:
        focused = page.evaluate(FOCUSED)
        if not focused["visible"]:
            unseen.append(f"{where}: {focused['what']}")

    with registered("due", due):
        for size in (WIDE, PHONE):
            page.set_viewport_size(size)
            page.goto(f"/o/{org.slug}/")
            # The bell's list, a white panel in the dark header.
            page.get_by_role("button", name="Due for me").focus()
            page.keyboard.press("Enter")
            page.locator("#notices").get_by_role("link", name="Policy review").wait_for()
            focus_shows(f"{size['width']} px bell button")
            page.keyboard.press("Tab")
            assert page.evaluate(FOCUSED)["name"].startswith("Policy review")
            focus_shows(f"{size['width']} px bell list")
            page.keyboard.press("Escape")
    # On a phone: the account menu's panel and the sidebar over the page.
    page.locator("button[aria-controls=account-menu]").focus()
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Tab")
        focus_shows("390 px account menu")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Menu", exact=True).focus()
    page.keyboard.press("Enter")
    # Opened from the keyboard, the sidebar takes the focus, on the current page's link.
    assert page.evaluate("document.activeElement.closest('#sidebar') !== null")
    assert page.evaluate(FOCUSED)["name"] == "Dashboard"
    focus_shows("390 px sidebar")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "My reminders"
    focus_shows("390 px sidebar")
    page.screenshot(path=str(SHOTS / "phone-menu-focus.png"))
    assert not unseen, unseen
