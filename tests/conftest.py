"""Shared fixtures: the catalog, one organization with a member of every role, and an outsider.

Every page and endpoint test checks its route against each of these people.
"""

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test import Client
from django.test.testcases import LiveServerThread

from aims.catalog.loader import load_catalog
from aims.organizations.models import Membership, Organization, Role
from aims.organizations.services import create_organization

PASSWORD = "correct-horse-battery-staple"
SHARED_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def require_reference(path: Path) -> Path:
    """A file or folder of ``../shared/reference`` that a test checks against.

    Missing on a laptop, the test is skipped; missing in CI (``CI=true``), it fails, so the
    agreement tests with the reference data can never quietly not run.
    """
    if not path.exists():
        message = f"reference data not available: {path}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI must run the tests that check against it")
        pytest.skip(message)
    return path


# Held by the live server while it answers a request, and by the test's own queries while the
# browser test runs (see OneRequestAtATimeServer and the `page` fixture).
_DATABASE_TURN = threading.RLock()


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The browser tests' live server, answering one request at a time.

    On SQLite the test database lives in memory and the live server's threads all use the test's
    one connection: two requests at once (a page and the bell's count it loads, say) would use it
    together and fail with "table is locked" or hang. The browser still opens connections in
    parallel; only the application is entered one request at a time. The test's own queries
    (checking what a click stored, while the page still loads its count) wait their turn too."""

    def set_app(self, application):
        def one_at_a_time(environ, start_response):
            with _DATABASE_TURN:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


def _query_in_turn(execute, sql, params, many, context):
    with _DATABASE_TURN:
        return execute(sql, params, many, context)


LiveServerThread.server_class = OneRequestAtATimeServer


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_catalog()


def _flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (the browser tests, say) ends by emptying every table, the catalog
    too; the tests after it, in the same process, find the catalog loaded again. (pytest-django
    runs those tests last, but with pytest-xdist a worker may get other files after them.)"""
    result = yield
    if nextitem is not None and _flushes_the_database(item):
        from pytest_django.plugin import blocking_manager_key

        from aims.catalog.models import Clause

        with item.config.stash[blocking_manager_key].unblock():
            if not Clause.objects.exists():
                load_catalog()
    return result


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Evidence files of each test go to their own folder; passwords hash fast; no cache."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests measure the real work (queries included); tests/test_cache.py turns caching on.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    # Background tasks run at once, inside the request; tests/test_checks_worker.py uses the
    # database backend and the worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.EVIDENCE_ROOT


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """The test's database connection stays open for the whole test.

    Code under test closes connections where a real process must: a management command when it
    ends (``BaseCommand.run_from_argv``), the worker between rounds, a WSGI server after each
    request. Inside a test, that connection holds the test's transaction: closing it loses the
    test's data on PostgreSQL (SQLite's in-memory test database ignores the close, which is why
    this only ever failed there). As Django's test client does for requests, a close inside the
    test's transaction is skipped; connections outside one (another thread's) close as usual.
    """
    from django.db.backends.base.base import BaseDatabaseWrapper

    close = BaseDatabaseWrapper.close

    def close_unless_in_the_tests_transaction(connection):
        if connection.in_atomic_block:
            return
        close(connection)

    monkeypatch.setattr(BaseDatabaseWrapper, "close", close_unless_in_the_tests_transaction)


@dataclass
class World:
    org: Organization
    other_org: Organization
    owner: object
    manager: object
    contributor: object
    auditor: object
    viewer: object
    top_manager: object
    outsider: object

    def client(self, user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def membership(self, user) -> Membership:
        return Membership.objects.get(user=user, organization=self.org)


def make_user(username: str):
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.test", password=PASSWORD
    )


@pytest.fixture
def world(db) -> World:
    owner = make_user("olivia.owner")
    org = create_organization(name="Acme Lending", owner=owner)
    people = {}
    for username, role, top in [
        ("max.manager", Role.MANAGER, False),
        ("carla.contributor", Role.CONTRIBUTOR, False),
        ("aud.auditor", Role.AUDITOR, False),
        ("vic.viewer", Role.VIEWER, False),
        ("tina.topmgmt", Role.VIEWER, True),
    ]:
        user = make_user(username)
        Membership.objects.create(user=user, organization=org, role=role, is_top_management=top)
        people[role if not top else "top"] = user
    outsider = make_user("oscar.outsider")
    other_org = create_organization(name="Other Corp", owner=outsider)
    return World(
        org=org,
        other_org=other_org,
        owner=owner,
        manager=people[Role.MANAGER],
        contributor=people[Role.CONTRIBUTOR],
        auditor=people[Role.AUDITOR],
        viewer=people[Role.VIEWER],
        top_manager=people["top"],
        outsider=outsider,
    )


@pytest.fixture
def credit_system(world):
    """An AI system that affects individuals, owned by the AIMS manager: the subject of checks.
    Classified as limited risk, so only its checks and risks stand before its deployment."""
    from aims.inventory.models import AISystem, RiskTier
    from aims.inventory.services import save_system

    return save_system(
        AISystem(
            organization=world.org,
            name="Credit scoring",
            purpose="Score loans",
            intended_use="Officers decide",
            owner=world.manager,
            affects_individuals=True,
            risk_tier=RiskTier.LIMITED,
        ),
        actor=world.owner,
    )


# --- Browser tests: Debian's Chromium, headless, against pytest-django's live server ---------

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
BROWSER = [  # a browser test module's pytestmark
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


# The sweeps that visit every page for what its markup and stylesheet do (width, accessibility)
# run once, on SQLite: the markup does not depend on the database, and on PostgreSQL they would
# add minutes to the CI run to find the same thing. (Every page's answer on PostgreSQL is still
# checked, by the route tests.)
MARKUP_SWEEP = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a markup sweep: run on SQLite only",
)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are
    # ordinary synchronous calls made between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 1000}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    expected = re.compile(r"status of (409|422)")  # a refused gate or form answers like this

    def console(message):
        if message.type == "error" and not expected.search(message.text):
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with connection.execute_wrapper(_query_in_turn):
        yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last-page.png"), full_page=True)
    context.close()
    # No CSP violation, missing asset or script error on any page of the journey.
    assert not errors, errors


def choose(page, selector: str, label_part: str) -> None:
    """Select the option of a <select> whose text contains ``label_part``."""
    options = page.locator(f"{selector} option").all_inner_texts()
    label = next(o for o in options if label_part in o)
    page.select_option(selector, label=label)
