"""The dashboard and every list page run the same number of SQL queries for 10 and 1,000 records."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.trail.models import GENESIS_HASH, Action, AuditEvent
from bench.scale import seed
from tests.routes import list_pages

PAGES = ["dashboard", "system_list", "risk_list", "soa_list", "evidence_list", "audit_log"]


def add_events(world, n):
    start = AuditEvent.objects.filter(organization=world.org).count()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organization=world.org,
            sequence=start + i + 1,
            actor=world.owner,
            actor_label=world.owner.username,
            record_type="inventory.aisystem",
            record_id=str(i),
            record_label=f"System {i}",
            action=Action.UPDATE,
            changes={"name": ["a", "b"]},
            previous_hash=GENESIS_HASH,
            hash=GENESIS_HASH,
        )
        for i in range(n)
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_does_not_grow_with_records(world, page):
    client = world.client(world.owner)
    url = reverse(page, kwargs={"org": world.org.slug})
    seed(world.org, systems=10, risks_per_system=1, evidence=10, owner=world.owner)
    add_events(world, 10)
    client.get(url)  # warm caches (sessions, content types)
    small = count_queries(client, url)
    seed(world.org, systems=990, risks_per_system=1, evidence=990, owner=world.owner)
    add_events(world, 990)
    large = count_queries(client, url)
    # Never more; fewer is allowed: past 200 records a filter is a text box, its choices unread.
    assert small >= large, f"{page}: {small} queries for 10 records, {large} for 1,000"
    assert small - large <= 2, f"{page}: {small} queries for 10 records, {large} for 1,000"


@pytest.mark.parametrize("page,module", list_pages(), ids=[p for p, _ in list_pages()])
def test_area_list_query_count_does_not_grow_with_records(world, page, module):
    client = world.client(world.owner)
    url = reverse(page, kwargs={"org": world.org.slug})
    module.seed(world, 10)
    client.get(url)
    small = count_queries(client, url)
    module.seed(world, 990)
    large = count_queries(client, url)
    assert small == large, f"{page}: {small} queries for 10 records, {large} for 1,000"
