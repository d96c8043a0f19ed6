"""Reminders: who gets which due item, the "My reminders" page, the daily digest sent by the
worker, the digest setting, and the API.

Due items come from the other areas through the hook ``due``; these tests register their own
hook function (:func:`registered`), removed again after each test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from helpers import ApiClient

from aims.core.areas import DueItem, _hooks, hook
from aims.organizations.models import Access, Membership, Role
from aims.reminders import rules, services
from aims.reminders.models import Digest, Outcome, ReminderPreference
from aims.trail.models import AuditEvent

DAY = dt.date(2026, 3, 2)
MORNING = timezone.make_aware(dt.datetime(2026, 3, 2, 8, 0))  # after the default 7:00
NIGHT = timezone.make_aware(dt.datetime(2026, 3, 2, 6, 59))


@contextmanager
def registered(name: str, fn):
    """``fn`` in the hook ``name`` for the block only."""
    hook(name)(fn)
    try:
        yield fn
    finally:
        _hooks[name] = [(order, f) for order, f in _hooks.get(name, []) if f is not fn]


class Due:
    """A ``due`` hook function whose items are added per organization, due ``days`` after the
    day the hook is asked about; counts how often it is asked."""

    def __init__(self):
        self.specs: dict[int, list[tuple]] = {}
        self.calls = 0

    def add(self, org, title, days, *, kind="Document review", people=(), access="manage", **kw):
        self.specs.setdefault(org.pk, []).append((title, days, kind, people, access, kw))

    def __call__(self, organization, today):
        self.calls += 1
        return [
            DueItem(
                title=title,
                due=None if days is None else today + dt.timedelta(days=days),
                url=kw.get("url", f"/o/{organization.slug}/things/{abs(hash(title)) % 1000}/"),
                kind=kind,
                people=frozenset(u.pk for u in people),
                access=access,
                needs_decision=kw.get("needs_decision", False),
            )
            for title, days, kind, people, access, kw in self.specs.get(organization.pk, [])
        ]


@pytest.fixture
def due():
    items = Due()
    with registered("due", items):
        yield items


def page_of(world, user, org=None, **params):
    org = org or world.org
    response = world.client(user).get(reverse("reminder_list", kwargs={"org": org.slug}), params)
    assert response.status_code == 200
    return response.content.decode()


def item(**fields) -> DueItem:
    values = {"title": "Review", "due": DAY, "url": "/x/", "kind": "Document review"}
    return DueItem(**(values | fields))


# --- Who gets what ------------------------------------------------------------------------------


def test_an_item_naming_people_is_for_them_only_whatever_their_role(world):
    named = item(people=frozenset({world.contributor.pk, world.viewer.pk}), access=Access.READ)
    assert rules.is_for(named, world.membership(world.contributor))
    assert rules.is_for(named, world.membership(world.viewer))
    assert not rules.is_for(named, world.membership(world.owner))
    assert not rules.is_for(named, world.membership(world.manager))


def test_an_item_naming_nobody_is_for_every_member_whose_role_has_its_access(world):
    managed = item(access=Access.MANAGE)
    decided = item(access=Access.DECIDE)
    read = item(access=Access.READ)
    who = {
        name: world.membership(getattr(world, name))
        for name in ("owner", "manager", "contributor", "auditor", "viewer", "top_manager")
    }
    assert {n for n, m in who.items() if rules.is_for(managed, m)} == {"owner", "manager"}
    assert {n for n, m in who.items() if rules.is_for(decided, m)} == {
        "owner",
        "manager",
        "top_manager",
    }
    assert {n for n, m in who.items() if rules.is_for(read, m)} == set(who)


def test_items_for_asks_the_members_organization_only(world, due):
    due.add(world.org, "Acme policy review", 3, access=Access.READ)
    due.add(world.other_org, "Other Corp policy review", 3, access=Access.READ)
    ours = rules.items_for(world.membership(world.viewer), DAY)
    theirs = rules.items_for(Membership.objects.get(user=world.outsider), DAY)
    assert [i.title for i in ours] == ["Acme policy review"]
    assert [i.title for i in theirs] == ["Other Corp policy review"]


# --- The page -------------------------------------------------------------------------------------


def test_the_page_lists_overdue_first_then_by_due_date_with_badges(world, due):
    today = timezone.localdate()
    due.add(world.org, "Later audit", 45, kind="Internal audit")
    due.add(world.org, "Soon review", 10)
    due.add(world.org, "Long overdue review", -3)
    due.add(world.org, "Overdue by one", -1)
    due.add(world.org, "Tomorrow's training", 1, kind="Training expiry")
    due.add(world.org, "Next year's review", 200)
    due.add(world.org, "For the contributor only", 2, people=[world.contributor])
    page = page_of(world, world.manager)
    order = [
        "Long overdue review",
        "Overdue by one",
        "Tomorrow&#x27;s training",
        "Soon review",
        "Later audit",
    ]
    positions = [page.index(title) for title in order]
    assert positions == sorted(positions)
    assert "overdue by 3 days" in page and "overdue by 1 day<" in page
    assert "due tomorrow" in page and "due in 10 days" in page and "due in 45 days" in page
    headings = [">Overdue <", ">Due in the next 30 days <", ">Due in 31 to 90 days <"]
    assert [page.index(h) for h in headings] == sorted(page.index(h) for h in headings)
    assert "Next year" not in page and "1 more falls due later than 90 days" in page
    assert "For the contributor only" not in page
    assert "5 reminders, 2 overdue" in page
    assert f'href="/o/{world.org.slug}/things/' in page
    assert (today - dt.timedelta(days=3)).isoformat() in page


def test_the_page_says_when_nothing_is_due(world, due):
    due.add(world.org, "Only for managers", 1)
    assert "Nothing is due for you." in page_of(world, world.viewer)
    assert "Nothing is due for you." not in page_of(world, world.manager)


def test_the_page_filters_by_kind_and_search(world, due):
    due.add(world.org, "Policy review", 3)
    due.add(world.org, "Fairness training", 5, kind="Training expiry")
    by_kind = page_of(world, world.owner, kind="Training expiry")
    assert "Fairness training" in by_kind and "Policy review" not in by_kind
    assert '<option value="Training expiry" selected>' in by_kind
    by_words = page_of(world, world.owner, q="POLICY")
    assert "Policy review" in by_words and "Fairness training" not in by_words
    nothing = page_of(world, world.owner, q="nothing like it")
    assert "No reminder matches these filters" in nothing
    assert "Nothing is due for you." not in nothing


def test_the_page_shows_only_the_organization_of_the_url(world, due):
    Membership.objects.create(user=world.manager, organization=world.other_org, role=Role.MANAGER)
    due.add(world.org, "Acme review", 2)
    due.add(world.other_org, "Other Corp review", 2)
    ours = page_of(world, world.manager)
    theirs = page_of(world, world.manager, org=world.other_org)
    assert "Acme review" in ours and "Other Corp review" not in ours
    assert "Other Corp review" in theirs and "Acme review" not in theirs
    outsider = world.client(world.outsider)
    assert outsider.get(reverse("reminder_list", kwargs={"org": world.org.slug})).status_code == 404


def test_the_page_links_only_to_paths_and_web_addresses(world, due):
    due.add(world.org, "Sneaky", 1, url="javascript:alert(1)")
    due.add(world.org, "Elsewhere", 1, url="https://example.test/ticket/1")
    page = page_of(world, world.owner)
    assert "javascript:" not in page
    assert '<a href="https://example.test/ticket/1">Elsewhere</a>' in page


def test_a_long_list_of_reminders_comes_a_page_at_a_time_in_order(world, due):
    """Fifty a page, soonest first across the groups; each group's heading counts all of it."""
    for n in range(40):
        due.add(world.org, f"Overdue review {n:02}", -40 + n)
    for n in range(25):
        due.add(world.org, f"Coming review {n:02}", n + 1)
    first = page_of(world, world.manager)
    second = page_of(world, world.manager, page=2)
    assert "65 reminders, 40 overdue" in first and "65 reminders, 40 overdue" in second
    assert '>Overdue <span class="stat-of">(40)</span>' in first
    assert '>Due in the next 30 days <span class="stat-of">(25)</span>' in first
    assert "Coming review 09<" in first and "Coming review 10<" not in first
    assert "Overdue review" not in second and "Page 2 of 2" in second
    assert [f"Coming review {n:02}<" in second for n in range(25)] == [False] * 10 + [True] * 15


def test_the_csv_export_lists_the_filtered_reminders_safely(world, due):
    due.add(world.org, "=HYPERLINK(1)", -2)
    due.add(world.org, "Fairness training", 5, kind="Training expiry")
    url = reverse("reminder_export_csv", kwargs={"org": world.org.slug})
    response = world.client(world.owner).get(url, {"kind": "Document review"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Due", "When", "Kind", "What", "Link"]
    assert len(rows) == 2
    assert rows[1][1:4] == ["overdue by 2 days", "Document review", "'=HYPERLINK(1)"]
    assert rows[1][4].startswith(f"http://testserver/o/{world.org.slug}/things/")


def test_the_page_runs_the_same_queries_for_few_and_many_items(world, due):
    client = world.client(world.owner)
    url = reverse("reminder_list", kwargs={"org": world.org.slug})
    for n in range(10):
        due.add(world.org, f"Review {n}", n - 5)
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(990):
        due.add(world.org, f"Review {n}", n % 120 - 10)
    assert count() == small


# --- The daily digest ---------------------------------------------------------------------------


def test_the_digest_is_sent_once_a_day_to_whom_items_are_for(world, due):
    due.add(world.org, "Responsible AI policy review", -2, people=[world.contributor])
    due.add(world.org, "Model card refresh", 5, people=[world.contributor])
    lines = services.send_digests(MORNING)
    assert lines == ["Reminder digest sent to carla.contributor: 2 items in 1 organization."]
    assert services.send_digests(MORNING + dt.timedelta(hours=3)) == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carla.contributor@example.test"]
    assert message.subject == "OpenAIMS reminders: 1 overdue, 1 due within 7 days"
    assert "Responsible AI policy review (Document review, overdue by 2 days: 2026-02-28)" in (
        message.body
    )
    digest = Digest.objects.get(user=world.contributor)
    assert (digest.date, digest.outcome, digest.items) == (DAY, Outcome.SENT, 2)


def test_the_next_day_brings_the_next_digest(world, due):
    due.add(world.org, "Review", 0, people=[world.contributor])
    services.send_digests(MORNING)
    services.send_digests(MORNING + dt.timedelta(days=1))
    assert len(mail.outbox) == 2


def test_no_digest_before_the_hour(world, due, settings):
    due.add(world.org, "Review", -1, people=[world.contributor])
    assert services.send_digests(NIGHT) == []
    assert not mail.outbox and not Digest.objects.exists()
    settings.AIMS_DIGEST_HOUR = 6
    services.send_digests(NIGHT)
    assert len(mail.outbox) == 1


def test_nothing_due_within_a_week_sends_nothing_and_is_not_asked_again_that_day(world, due):
    due.add(world.org, "Review in a fortnight", 14, access=Access.READ)
    due.add(world.org, "Undated", None, access=Access.READ)
    assert services.send_digests(MORNING) == []
    assert not mail.outbox
    assert set(Digest.objects.values_list("outcome", flat=True)) == {Outcome.NOTHING_DUE}
    asked = due.calls
    services.send_digests(MORNING + dt.timedelta(minutes=5))
    assert due.calls == asked


def test_the_areas_are_asked_once_per_organization_not_per_member(world, due):
    due.add(world.org, "Review", 1, access=Access.READ)
    services.send_digests(MORNING)
    assert due.calls == 2  # world.org and other_org
    assert len(mail.outbox) == 6  # the six members of world.org


def test_people_who_turned_the_digest_off_or_have_no_address_get_none(world, due):
    due.add(world.org, "Review", 1, access=Access.MANAGE)
    services.set_digest(world.owner, digest=False)
    world.manager.email = ""
    world.manager.save()
    assert services.send_digests(MORNING) == []
    assert not mail.outbox
    services.set_digest(world.owner, digest=True)
    services.send_digests(MORNING)
    assert [m.to for m in mail.outbox] == [["olivia.owner@example.test"]]


def test_a_digest_claimed_by_another_worker_is_not_sent_again(world, due):
    due.add(world.org, "Review", 1, people=[world.contributor])
    Digest.objects.create(user=world.contributor, date=DAY, outcome=Outcome.SENT, items=1)
    assert not services.claim(world.contributor, DAY, outcome=Outcome.SENT, items=1)
    assert services.send_digests(MORNING) == []
    assert not mail.outbox


def test_the_digest_groups_a_persons_organizations(world, due, settings):
    settings.AIMS_BASE_URL = "https://aims.example.test/"
    Membership.objects.create(user=world.manager, organization=world.other_org, role=Role.MANAGER)
    due.add(world.org, "Acme policy review", 3)
    due.add(world.other_org, "Other Corp incident follow-up", -4, kind="Corrective action")
    due.add(world.other_org, "Other Corp training", 2, kind="Training expiry")
    services.send_digests(MORNING)
    sent = {m.to[0]: m for m in mail.outbox}
    body = sent["max.manager@example.test"].body
    assert body.index("Acme Lending\n====") < body.index("Acme policy review")
    assert body.index("Acme policy review") < body.index("Other Corp\n====")
    assert body.index("Other Corp\n====") < body.index("Other Corp incident follow-up")
    assert body.index("Other Corp incident follow-up") < body.index("Other Corp training")
    assert f"https://aims.example.test/o/{world.org.slug}/things/" in body
    assert f"https://aims.example.test/o/{world.other_org.slug}/reminders/" in body
    assert "Other Corp" not in sent["olivia.owner@example.test"].body
    html, kind = sent["max.manager@example.test"].alternatives[0]
    assert kind == "text/html"
    assert html.index("Acme Lending") < html.index("Other Corp")
    assert f'href="https://aims.example.test/o/{world.other_org.slug}/reminders/' in html


def test_the_html_digest_escapes_titles(world, due):
    title = '<script>alert("x")</script> & <b onclick="y">Policy</b>'
    due.add(world.org, title, 1, people=[world.contributor], kind="<i>Kind</i>")
    services.send_digests(MORNING)
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "<script>" not in html and "<b onclick" not in html and "<i>Kind" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b" in html
    assert "&lt;i&gt;Kind&lt;/i&gt;" in html
    assert title in message.body  # plain text is not markup


def test_a_title_cannot_add_lines_to_the_plain_text(world, due):
    due.add(world.org, "Review\n\nhttps://evil.example/", 1, people=[world.contributor])
    services.send_digests(MORNING)
    assert "\nhttps://evil.example/" not in mail.outbox[0].body
    assert "- Review https://evil.example/ (" in mail.outbox[0].body


def test_a_digest_that_cannot_be_sent_is_recorded_and_not_retried_that_day(world, due, monkeypatch):
    due.add(world.org, "Review", 1, people=[world.contributor])

    def refuse(self, fail_silently=False):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    lines = services.send_digests(MORNING)
    assert lines == ["Reminder digest of carla.contributor could not be sent: connection refused"]
    assert Digest.objects.get(user=world.contributor).outcome == Outcome.FAILED
    assert services.send_digests(MORNING + dt.timedelta(minutes=1)) == []


# --- The worker -----------------------------------------------------------------------------------


def work() -> str:
    out = io.StringIO()
    call_command("worker", once=True, interval=0, stdout=out)
    return out.getvalue()


def test_each_worker_round_does_the_periodic_work(world):
    seen = []

    def periodic(now):
        seen.append(now)
        return ["Periodic work done."]

    with registered("periodic", periodic):
        output = work()
    assert len(seen) == 1 and abs(timezone.now() - seen[0]) < dt.timedelta(minutes=1)
    assert "Periodic work done." in output.splitlines()


def test_a_failing_periodic_function_does_not_stop_the_others(world, caplog):
    def broken(now):
        raise RuntimeError("broken")

    with registered("periodic", broken), registered("periodic", lambda now: ["Still ran."]):
        output = work()
    assert "Still ran." in output
    assert "broken" in caplog.text


def test_the_worker_sends_the_digest(world, due, settings):
    settings.AIMS_DIGEST_HOUR = 0
    due.add(world.org, "Review", -1, people=[world.contributor])
    output = work()
    assert "Reminder digest sent to carla.contributor: 1 item in 1 organization." in output
    assert len(mail.outbox) == 1
    work()
    assert len(mail.outbox) == 1


# --- The setting ----------------------------------------------------------------------------------


def settings_url(world, org=None):
    return reverse("reminder_settings", kwargs={"org": (org or world.org).slug})


def test_a_viewer_turns_their_own_digest_off_and_on(world):
    client = world.client(world.viewer)
    page = client.get(settings_url(world)).content.decode()
    assert 'name="digest"' in page and "checked" in page
    assert "vic.viewer@example.test" in page
    response = client.post(settings_url(world), {"user": world.owner.pk})
    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=world.viewer).digest is False
    assert not ReminderPreference.objects.filter(user=world.owner).exists()
    events = AuditEvent.objects.filter(record_type="reminders.reminderpreference")
    assert [(e.organization, e.actor, e.changes) for e in events] == [
        (world.org, world.viewer, {"digest": [True, False]})
    ]
    assert "The daily digest is off." in client.get(settings_url(world)).content.decode()
    client.post(settings_url(world), {"digest": "on"})
    assert ReminderPreference.objects.get(user=world.viewer).digest is True
    assert events.all().count() == 2


def test_saving_an_unchanged_setting_records_nothing(world):
    world.client(world.owner).post(settings_url(world), {"digest": "on"})
    assert ReminderPreference.objects.get(user=world.owner).digest is True
    assert not AuditEvent.objects.filter(record_type="reminders.reminderpreference").exists()


def test_the_setting_page_warns_a_person_without_an_address(world):
    world.auditor.email = ""
    world.auditor.save()
    page = world.client(world.auditor).get(settings_url(world)).content.decode()
    assert "no e-mail address, so no digest can be sent" in page


def test_the_list_page_links_to_the_settings(world, due):
    page = page_of(world, world.auditor)
    assert f'href="{settings_url(world)}"' in page
    assert "The daily digest e-mail is <strong>on</strong>" in page


def test_an_outsider_cannot_reach_the_settings_of_an_organization(world):
    response = world.client(world.outsider).post(settings_url(world), {})
    assert response.status_code == 404
    assert not ReminderPreference.objects.exists()


# --- The API --------------------------------------------------------------------------------------


def test_the_api_lists_the_callers_reminders_in_the_tokens_organization(world, due):
    due.add(world.org, "For the contributor", -2, people=[world.contributor])
    due.add(world.org, "For managers", 3)
    due.add(world.org, "For readers", 50, access=Access.READ, kind="Training expiry")
    due.add(world.other_org, "Other Corp's", 1, access=Access.READ)
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.get("/api/v1/reminders")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [r["title"] for r in body["items"]] == ["For the contributor", "For readers"]
    first = body["items"][0]
    assert first["overdue"] is True and first["days"] == -2
    assert first["when"] == "overdue by 2 days"
    assert first["url"].startswith(f"/o/{world.org.slug}/things/")
    only = api.get("/api/v1/reminders", {"kind": "Training expiry"}).json()
    assert [r["title"] for r in only["items"]] == ["For readers"]
    overdue = api.get("/api/v1/reminders", {"overdue": "true"}).json()
    assert [r["title"] for r in overdue["items"]] == ["For the contributor"]
    outsider = ApiClient.for_member(world.outsider, world.other_org).get("/api/v1/reminders")
    assert [r["title"] for r in outsider.json()["items"]] == ["Other Corp's"]


def test_the_api_changes_only_the_callers_own_setting(world):
    api = ApiClient.for_member(world.auditor, world.org)
    assert api.get("/api/v1/reminders/preferences").json() == {
        "digest": True,
        "email": "aud.auditor@example.test",
    }
    response = api.client.put(
        "/api/v1/reminders/preferences",
        {"digest": False},
        content_type="application/json",
        **api.headers(),
    )
    assert response.status_code == 200 and response.json()["digest"] is False
    assert ReminderPreference.objects.get(user=world.auditor).digest is False
    assert ReminderPreference.objects.count() == 1
    unchanged = api.client.put(
        "/api/v1/reminders/preferences", {}, content_type="application/json", **api.headers()
    )
    assert unchanged.status_code == 200 and unchanged.json()["digest"] is False


def test_the_api_refuses_a_setting_it_does_not_know(world):
    api = ApiClient.for_member(world.auditor, world.org)
    for body in ({"digest": "maybe"}, {"user": world.owner.pk}):
        response = api.client.put(
            "/api/v1/reminders/preferences", body, content_type="application/json", **api.headers()
        )
        assert response.status_code == 422, body
    assert not ReminderPreference.objects.exists()


def test_the_api_refuses_a_number_as_the_digest_setting(world):
    # 0 used to be read as false and turned the digest off.
    api = ApiClient.for_member(world.auditor, world.org)
    for body in ({"digest": 0}, {"digest": 1}):
        response = api.client.put(
            "/api/v1/reminders/preferences", body, content_type="application/json", **api.headers()
        )
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == "digest"
    assert not ReminderPreference.objects.exists()
    assert api.get("/api/v1/reminders/preferences").json()["digest"] is True


def test_the_api_refuses_callers_without_a_token(world):
    assert ApiClient(None).get("/api/v1/reminders").status_code == 401
    response = ApiClient(None).client.put(
        "/api/v1/reminders/preferences", {"digest": False}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not ReminderPreference.objects.exists()
