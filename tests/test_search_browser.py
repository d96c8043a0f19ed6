"""The global search finding a risk by a word of its title: type in the box, see the hit in its
dropdown, follow it. In headless Chromium against a live server (no console error, no CSP
violation).

Screenshots go to /tmp/shots/search/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BROWSER, PASSWORD, make_user

from aims.catalog.loader import load_catalog
from aims.competence.models import Competence
from aims.organizations.services import create_organization
from aims.risk.models import Risk
from aims.risk.services import save_risk

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/search")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def risk(org, actor, title: str) -> Risk:
    return save_risk(
        Risk(
            organization=org,
            title=title,
            category="fairness",
            inherent_likelihood=3,
            inherent_impact=3,
        ),
        actor=actor,
    )


@pytest.mark.django_db(transaction=True)
def test_the_global_search_finds_a_risk_by_a_word_of_its_title(page, live_server):
    load_catalog()
    manager = make_user("ada.manager")
    org = create_organization(name="Acme Lending", owner=manager)
    wanted = risk(org, manager, "Gender bias in credit decisions")
    risk(org, manager, "Model drift after retraining")
    other = create_organization(name="Other Corp", owner=make_user("oscar.outsider"))
    risk(other, other.memberships.first().user, "Bias of another organization")

    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/o/{org.slug}/**")

    page.goto(f"/o/{org.slug}/search/")
    shot(page, "search-empty")
    # "/" outside a text field focuses the box
    page.locator("body").press("/")
    box = page.locator("[data-search-input]").first
    assert box.evaluate("element => element === document.activeElement")
    box.press_sequentially("bias", delay=30)
    dropdown = page.locator(".search-results.is-open").first
    hit = dropdown.get_by_role("link", name=f"{wanted.ref} {wanted.title}")
    hit.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert "another organization" not in dropdown.inner_text()
    assert "Model drift" not in dropdown.inner_text()
    shot(page, "search-dropdown")

    # Escape closes the dropdown; typing opens it again
    box.press("Escape")
    assert page.locator(".search-results.is-open").count() == 0
    assert box.get_attribute("aria-expanded") == "false"
    box.press_sequentially(" gender", delay=30)
    hit.wait_for()

    # the arrow key reaches the hit; Enter follows it to the risk's page
    box.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/o/{org.slug}/risks/{wanted.pk}/")
    assert wanted.title in page.locator("h1").inner_text()

    # the search page itself, grouped by kind, with the exact ref first
    page.goto(f"/o/{org.slug}/search/?q={wanted.ref}")
    group = page.locator("section.search-group", has=page.get_by_role("heading", name="Risks"))
    assert group.locator("li").first.inner_text().startswith(wanted.ref)
    assert "Exact id" in group.locator("li").first.inner_text()
    shot(page, "search-page")
    # the other areas' records too, each kind bounded, with a way to the list's own search
    for n in range(11):
        Competence.objects.create(organization=org, name=f"Bias awareness, level {n}")
    page.goto(f"/o/{org.slug}/search/?q=bias")
    group = page.locator(
        "section.search-group", has=page.get_by_role("heading", name="Competences")
    )
    assert group.locator("li").count() == 10
    assert group.locator("li").first.inner_text() == "Bias awareness, level 10"  # the newest
    shot(page, "search-page-kinds")
    group.get_by_role("link", name="see them all in Competences").click()
    page.wait_for_url(f"**/o/{org.slug}/competence/competences/?q=bias")
    assert page.get_by_text("Bias awareness, level 0").count() == 1

    page.goto(f"/o/{org.slug}/search/?q=" + "x" * 101)
    assert "at most 100 characters" in page.get_by_role("alert").first.inner_text()
    shot(page, "search-error")
