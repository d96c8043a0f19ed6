"""The layout on a phone and on a wide screen, in headless Chromium against a live server.

Every page a member can open (found by walking the URL configuration, as
tests/test_security_routes.py does, on one world with a record of each kind) is visited at 390 px
and at 1,400 px: none may be wider than the window. On a phone the menu button opens the sidebar
and the account menu holds "Log out"; the header's bell lists what is due for the member.
Screenshots go to /tmp/shots/layout/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import BROWSER, MARKUP_SWEEP
from test_reminders import registered
from test_security_routes import fill, records, site_routes  # noqa: F401  (records: a fixture)

from aims.catalog.loader import load_catalog
from aims.core.areas import DueItem

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/layout")
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1400, "height": 1000}
# Pages outside any organization a signed-in person may open.
ACCOUNT_PAGES = ["organizations/", "organizations/new/", "account/password/", "account/security/"]

# What sticks out past the right edge of the window (not inside a box that scrolls or clips
# it), to name it in the failure.
OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) { return null; }
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { return true; }
    }
    return false;
  };
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && !clipped(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.classList.length ? "." + [...el.classList].join(".") : "");
      found.push(name + " to " + Math.round(box.right) + " px");
      if (found.length >= 4) { break; }
    }
  }
  return document.documentElement.scrollWidth + " px wide: " + found.join(", ");
}"""


def sign_in(page, live_server, user):
    """Give the browser the session of ``user`` (Django's test client logs in)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def html_pages(client, urls):
    """The URLs that answer a GET with an HTML page (not a download, a form-only POST route or
    an htmx fragment), following redirects."""
    pages = []
    for url in urls:
        response = client.get(url, follow=True)
        response.close()
        kind = response.get("Content-Type", "")
        if response.status_code != 200 or not kind.startswith("text/html"):
            continue
        if b"<html" not in response.content[:400]:
            continue  # an htmx fragment
        pages.append(url)
    return pages


def every_page(world, records):  # noqa: F811
    org_pages = [
        fill(route, records) for route, _ in site_routes() if route.startswith("o/<slug:org>/")
    ]
    return html_pages(world.client(world.owner), ["/" + p for p in ACCOUNT_PAGES] + org_pages)


@MARKUP_SWEEP
def test_no_page_is_wider_than_a_phone_or_a_wide_screen(page, live_server, world, records):  # noqa: F811
    load_catalog()
    pages = every_page(world, records)
    assert len(pages) > 100, pages  # the walk found the pages
    sign_in(page, live_server, world.owner)
    SHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = []
    for url in pages:
        page.set_viewport_size(PHONE)
        page.goto(url)  # "load": the page with its stylesheets
        for size in (PHONE, WIDE):  # the same page, the window resized
            page.set_viewport_size(size)
            found = page.evaluate(OVERFLOW)
            if found:
                too_wide.append(f"{size['width']} px {url}: {found}")
                name = url.strip("/").replace("/", "_") or "home"
                page.screenshot(
                    path=str(SHOTS / f"wide-{size['width']}-{name}.png"), full_page=True
                )
    assert not too_wide, "\n".join(too_wide)


def test_on_a_phone_the_menu_button_opens_the_sidebar_and_the_account_menu(
    page, live_server, world
):
    load_catalog()
    sign_in(page, live_server, world.owner)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    page.goto(f"/o/{world.org.slug}/")
    sidebar = page.locator("nav.sidebar")
    menu = page.get_by_role("button", name="Menu", exact=True)
    assert not sidebar.is_visible()
    assert menu.get_attribute("aria-controls") == "sidebar"
    assert menu.get_attribute("aria-expanded") == "false"
    page.screenshot(path=str(SHOTS / "dashboard-390.png"), full_page=True)

    # By keyboard: the skip link, then the menu button; Enter opens, Escape closes.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "sidebar"
    page.keyboard.press("Enter")
    assert sidebar.is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    box = sidebar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "dashboard-390-menu.png"))
    # The focus moved into the sidebar, on the current page's link: Tab goes on from there.
    assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "page"
    assert page.evaluate("document.activeElement.closest('nav') !== null")
    page.keyboard.press("Escape")
    assert not sidebar.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "sidebar"

    # By pointer: open it and follow a link.
    menu.click()
    sidebar.get_by_role("link", name="Risk register").click()
    page.wait_for_url(f"**/o/{world.org.slug}/risks/")
    assert not sidebar.is_visible()

    # The account menu: the user, account security and log out, all inside the window.
    account = page.locator("button[aria-controls=account-menu]")
    log_out = page.get_by_role("button", name="Log out")
    assert not log_out.is_visible()
    account.click()
    assert account.get_attribute("aria-expanded") == "true"
    for control in (
        page.get_by_role("link", name=world.owner.username),
        page.get_by_role("link", name="Account security"),
        log_out,
    ):
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "risks-390-account.png"))
    # A click elsewhere closes it.
    page.locator("main h1").click()
    assert not log_out.is_visible()
    account.click()
    log_out.click()
    page.wait_for_url("**/login/**")


def test_the_bell_lists_what_is_due_for_me_and_links_to_my_reminders(page, live_server, world):
    load_catalog()
    org = world.org
    today = dt.date.today()

    def due(organization, day):
        if organization.pk != org.pk:
            return []
        return [
            DueItem("Policy review", today - dt.timedelta(days=2), f"/o/{org.slug}/risks/", "Doc"),
            DueItem("Fairness check", today + dt.timedelta(days=3), "/", "Check"),
            DueItem("Someone else's", today, "/", "Doc", people=frozenset({world.viewer.pk})),
            DueItem("Far ahead", today + dt.timedelta(days=60), "/", "Doc"),
            DueItem("Auditor's own", today, "/", "Audit", people=frozenset({world.auditor.pk})),
        ]

    sign_in(page, live_server, world.owner)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with registered("due", due):
        for size in (WIDE, PHONE):
            page.set_viewport_size(size)
            page.goto(f"/o/{org.slug}/")
            bell = page.get_by_role("button", name="Due for me")
            assert bell.locator(".count").inner_text().startswith("2")
            assert page.locator("#notices").is_hidden()
            bell.click()
            panel = page.locator("#notices")
            panel.get_by_role("link", name="Policy review").wait_for()
            assert panel.get_by_text("overdue by 2 days").is_visible()
            assert panel.get_by_role("link", name="Fairness check").is_visible()
            for absent in ("Someone else's", "Far ahead", "Auditor's own"):
                assert panel.get_by_text(absent).count() == 0
            box = panel.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
            page.screenshot(path=str(SHOTS / f"bell-{size['width']}.png"))
        panel.get_by_role("link", name="My reminders").click()
        page.wait_for_url(f"**/o/{org.slug}/reminders/")


def test_account_pages_have_the_header_and_the_account_menu(page, live_server, world):
    load_catalog()
    sign_in(page, live_server, world.owner)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        for url in ACCOUNT_PAGES:
            page.goto("/" + url)
            assert page.locator("header.topbar").is_visible()
            if size is PHONE:
                page.locator("button[aria-controls=account-menu]").click()
            assert page.get_by_role("button", name="Log out").is_visible()
            assert page.get_by_role("link", name="Account security").is_visible()
            name = url.strip("/").replace("/", "_")
            page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)
