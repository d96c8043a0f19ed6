"""The frame of every page: the sidebar's icons and figures, the header's notification list and
account menu, on organization pages and on account pages alike."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_reminders import registered

import aims
from aims.checks.models import Check, Kind, SourceType
from aims.checks.runs import resolve_alert, run_check
from aims.checks.samples import BIASED
from aims.checks.services import save_check, store_data_file
from aims.core.areas import DueItem, NavLink, areas
from aims.organizations.models import Membership

STATIC = Path(aims.__file__).parent / "static" / "aims"
CSS = (STATIC / "app.css").read_text()
BASE = (Path(aims.__file__).parent / "templates" / "base.html").read_text()


def nav_links() -> list[NavLink]:
    """The links of OpenAIMS's own areas (not of a test's made-up area)."""
    return [link for area in areas() if (area.urls or "").startswith("aims.") for link in area.nav]


def icon_is_served(icon: str) -> bool:
    rule = f'.icon-{icon} {{ -webkit-mask-image: url("icons/{icon}.svg"); mask-image: url("icons/{icon}.svg"); }}'
    return (STATIC / "icons" / f"{icon}.svg").is_file() and rule in CSS


def test_every_navigation_link_has_a_vendored_icon():
    links = nav_links()
    assert len(links) > 20
    missing = [link.label for link in links if not link.icon or not icon_is_served(link.icon)]
    assert not missing, f"links without a served icon: {missing}"
    assert "ISC License" in (STATIC / "icons" / "LICENSE").read_text()


def test_every_icon_of_the_header_is_served():
    used = set(re.findall(r"icon icon-([a-z0-9-]+)", BASE))
    assert {"menu", "bell", "user", "log-out"} <= used
    assert [icon for icon in used if not icon_is_served(icon)] == []


def test_a_navigation_link_refuses_an_icon_that_is_no_name():
    with pytest.raises(ValueError, match="not a Lucide icon name"):
        NavLink("X", "dashboard", "Overview", icon='x"); background: url(//evil')


def failing_check(world, system, name):
    blob, data_name = store_data_file(
        SimpleUploadedFile(BIASED.name, BIASED.read_bytes(), content_type="application/x-parquet")
    )
    check = save_check(
        Check(
            organization=world.org,
            system=system,
            name=name,
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=data_name,
            options={"label": "repaid", "prediction": "approved", "sensitive": ["sex"]},
            thresholds=[{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}],
        ),
        actor=world.owner,
    )
    return run_check(check, actor=world.owner)  # fails: raises an alert


def alerts_link() -> NavLink:
    return next(link for link in nav_links() if link.url_name == "alert_list")


def sidebar_entry(response, label):
    sidebar = dict(response.context["sidebar"])
    return next(e for links in sidebar.values() for e in links if e["label"] == label)


def test_the_alerts_entry_counts_open_alerts_in_one_query(world, credit_system):
    runs = [failing_check(world, credit_system, name) for name in ("Parity", "Parity 2", "P3")]
    resolve_alert(runs[0].alert, actor=world.owner, resolution="Retrained and checked again.")
    request = RequestFactory().get("/")
    request.org = world.org
    with CaptureQueriesContext(connection) as queries:
        assert alerts_link().count(request) == 2
    assert len(queries) == 1

    client = world.client(world.viewer)
    response = client.get(reverse("dashboard", kwargs={"org": world.org.slug}))
    entry = sidebar_entry(response, "Alerts")
    assert entry["count"] == 2
    assert entry["url"] == reverse("alert_list", kwargs={"org": world.org.slug})
    assert '<span class="count">2<span class="sr-only"> open alerts</span></span>' in (
        response.content.decode()
    )


def test_the_alerts_page_marks_alerts_current_not_technical_checks(world):
    client = world.client(world.owner)
    response = client.get(reverse("alert_list", kwargs={"org": world.org.slug}))
    assert sidebar_entry(response, "Alerts")["current"]
    assert not sidebar_entry(response, "Technical checks")["current"]
    response = client.get(reverse("check_list", kwargs={"org": world.org.slug}))
    assert sidebar_entry(response, "Technical checks")["current"]
    assert not sidebar_entry(response, "Alerts")["current"]
    assert not sidebar_entry(response, "Dashboard")["current"]


def due_hook(world):
    today = dt.date.today()

    def due(organization, day):
        if organization.pk != world.org.pk:
            return []
        risks = f"/o/{world.org.slug}/risks/"
        return [
            DueItem("Policy review", today - dt.timedelta(days=3), risks, "Document review"),
            DueItem("Fairness check", today + dt.timedelta(days=5), "javascript:alert(1)", "C"),
            DueItem(
                "Viewer's training", today, "/", "Training", people=frozenset({world.viewer.pk})
            ),
            DueItem("Audit plan", today + dt.timedelta(days=40), "/", "Audit"),
            DueItem("Auditor's own", today, "/", "Audit", people=frozenset({world.auditor.pk})),
        ]

    return due


def test_the_bell_counts_what_is_due_for_me_this_week(world):
    """The page asks no area what falls due: the bell loads its count after the page."""
    count_url = reverse("notice_count", kwargs={"org": world.org.slug})
    with registered("due", due_hook(world)):
        html = world.client(world.owner).get(f"/o/{world.org.slug}/").content.decode()
        assert f'hx-get="{count_url}" hx-trigger="load"' in html
        assert "Policy review" not in html and 'class="count count-urgent"' not in html
        assert f'hx-get="/o/{world.org.slug}/settings/notices/"' in html

        badge = world.client(world.owner).get(count_url).content.decode()
        assert re.search(r'class="count count-urgent">2<span class="sr-only">', badge)
        assert "<html" not in badge
        badge = world.client(world.viewer).get(count_url).content.decode()
        assert re.search(r'class="count">1<span', badge)  # only the viewer's own, due today
    with registered("due", lambda organization, today: []):
        badge = world.client(world.owner).get(count_url).content.decode()
        assert 'class="count' not in badge and 'id="notice-count"' in badge
    assert world.client(world.outsider).get(count_url).status_code == 404


def test_the_notification_list_links_each_item_and_my_reminders(world):
    url = reverse("notices", kwargs={"org": world.org.slug})
    with registered("due", due_hook(world)):
        response = world.client(world.owner).get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment
    assert f'<a href="/o/{world.org.slug}/risks/">Policy review</a>' in html
    assert "overdue by 3 days" in html
    assert "javascript:" not in html and "Fairness check" in html  # shown, not linked
    for absent in ("Viewer&#x27;s training", "Auditor&#x27;s own", "Audit plan"):
        assert absent not in html
    assert f'href="/o/{world.org.slug}/reminders/">My reminders →</a>' in html


def test_the_notification_list_says_when_nothing_is_due(world):
    url = reverse("notices", kwargs={"org": world.org.slug})
    with registered("due", lambda organization, today: []):
        response = world.client(world.owner).get(url)
    assert "Nothing is overdue or due this week." in response.content.decode()
    assert world.client(world.outsider).get(url).status_code == 404


def test_a_page_computes_no_bell_and_a_fragment_no_sidebar(world, credit_system):
    failing_check(world, credit_system, "Parity")
    client = world.client(world.owner)
    url = reverse("notices", kwargs={"org": world.org.slug})
    calls = []

    def due(organization, today):
        calls.append(organization)
        return []

    with registered("due", due):
        client.get(reverse("alert_list", kwargs={"org": world.org.slug}))
        assert calls == []  # a full page: the bell's count comes later, by htmx
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        assert len(calls) == 1  # the list: once, and no alert count
    assert not [q for q in queries if "checks_alert" in q["sql"]]
    assert 'id="notice-count" hx-swap-oob="true"' in html  # opening the list refreshes the count


ACCOUNT_PAGES = [
    "/organizations/",
    "/organizations/new/",
    "/account/password/",
    "/account/security/",
]


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_account_pages_have_the_header_and_the_account_menu(world, url):
    response = world.client(world.owner).get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<header class="topbar">' in html
    assert 'aria-controls="account-menu"' in html
    assert 'href="/account/security/"' in html
    assert f'action="{reverse("logout")}"' in html
    assert world.owner.username in html


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_account_pages_keep_the_navigation_of_the_organization_last_opened(world, url):
    client = world.client(world.owner)
    before = client.get(url).content.decode()
    assert 'id="sidebar"' not in before  # no organization opened yet: nothing to show
    client.get(f"/o/{world.org.slug}/risks/")
    html = client.get(url).content.decode()
    assert 'id="sidebar"' in html
    assert f'href="/o/{world.org.slug}/risks/"' in html  # the sidebar's links
    assert 'aria-controls="sidebar"' in html  # and the menu button that opens it on a phone
    assert world.org.name in html


def test_account_pages_show_no_navigation_of_an_organization_left_or_not_confirmed(world):
    client = world.client(world.owner)
    client.get(f"/o/{world.org.slug}/")
    world.org.require_mfa = True
    world.org.save(update_fields=["require_mfa"])
    html = client.get("/account/password/").content.decode()
    assert 'id="sidebar"' not in html  # the session has not passed two-factor sign-in
    world.org.require_mfa = False
    world.org.save(update_fields=["require_mfa"])
    assert 'id="sidebar"' in client.get("/account/password/").content.decode()
    Membership.objects.filter(user=world.owner, organization=world.org).delete()
    assert 'id="sidebar"' not in client.get("/account/password/").content.decode()
