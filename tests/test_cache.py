"""Overviews are cached per organization under the audit-trail version of its data."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.trail.cache import cached_for, data_version


@pytest.fixture
def real_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-cache",
        }
    }
    cache.clear()
    yield
    cache.clear()


def test_a_value_is_computed_once_per_version(world, real_cache):
    calls = []
    assert cached_for(world.org, "x", lambda: calls.append(1) or len(calls)) == 1
    assert cached_for(world.org, "x", lambda: calls.append(1) or len(calls)) == 1
    save_system(AISystem(organization=world.org, name="New", purpose="p"), actor=world.owner)
    assert cached_for(world.org, "x", lambda: calls.append(1) or len(calls)) == 2


def test_versions_differ_between_organizations_and_days(world):
    assert data_version(world.org) != data_version(world.other_org)
    assert data_version(world.org).endswith(timezone.localdate().isoformat())


def test_the_dashboard_shows_a_change_at_once(world, real_cache):
    client = world.client(world.owner)
    url = reverse("dashboard", kwargs={"org": world.org.slug})
    client.get(url)
    with CaptureQueriesContext(connection) as warm:
        first = client.get(url)
    save_system(
        AISystem(organization=world.org, name="Brand new system", purpose="p"), actor=world.owner
    )
    with CaptureQueriesContext(connection) as cold:
        second = client.get(url)
    assert len(warm) < len(cold)  # the first came from the cache
    assert b"Brand new system" not in first.content
    assert b"Brand new system" in second.content  # recent activity: recomputed, not stale


def test_the_risk_register_heat_map_follows_new_risks(world, real_cache):
    from aims.risk.models import Risk
    from aims.risk.services import save_risk

    client = world.client(world.owner)
    url = reverse("risk_list", kwargs={"org": world.org.slug})
    assert b"0 open risks" in client.get(url).content
    save_risk(
        Risk(
            organization=world.org,
            title="R",
            category="privacy",
            inherent_likelihood=2,
            inherent_impact=2,
        ),
        actor=world.owner,
    )
    assert b"1 open risk" in client.get(url).content
