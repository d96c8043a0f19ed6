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


def test_the_soa_page_reads_the_evidence_once_per_version(world, real_cache):
    """Its evidence figures grow with the evidence: a warm request reads none, and evidence
    linked through the service shows at once."""
    from aims.evidence.models import Evidence, Kind
    from aims.evidence.services import create_evidence
    from aims.soa.models import SoAEntry

    client = world.client(world.owner)
    url = reverse("soa_list", kwargs={"org": world.org.slug})
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.2.2")
    client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert not [q for q in warm.captured_queries if "evidence_evidence" in q["sql"]]
    create_evidence(
        Evidence(
            organization=world.org,
            title="AI policy, approved",
            kind=Kind.LINK,
            url="https://intranet.example/policy",
            effective_from=timezone.localdate(),
        ),
        actor=world.owner,
        links={"soa_entries": [entry]},
    )
    response = client.get(url)
    shown = {e.pk: e for section in response.context["sections"] for e in section.entries}
    assert shown[entry.pk].evidence_count == 1
    assert shown[entry.pk].has_current_evidence is True


def test_an_soa_entry_made_outside_the_trail_is_counted_at_once(world, real_cache):
    """A catalog load adds entries without an audit event: the page reads its figures afresh
    rather than miss them."""
    from aims.soa.models import AdditionalControl, ControlSource, SoAEntry

    client = world.client(world.owner)
    url = reverse("soa_list", kwargs={"org": world.org.slug})
    assert client.get(url).context["summary"]["total"] == 38
    control = AdditionalControl.objects.create(
        organization=world.org, ref="ORG-01", title="Our own", source=ControlSource.OWN
    )
    SoAEntry.objects.create(organization=world.org, additional_control=control)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["summary"]["total"] == 39
    assert response.context["shown"] == 39


def test_the_risk_register_counts_a_new_risk_at_once(world, real_cache):
    from aims.risk.models import Risk
    from aims.risk.services import save_risk

    client = world.client(world.owner)
    url = reverse("risk_list", kwargs={"org": world.org.slug})
    before = client.get(url).context["page_obj"].paginator.count
    save_risk(
        Risk(
            organization=world.org,
            title="Drift goes unnoticed",
            category="operational",
            inherent_likelihood=3,
            inherent_impact=3,
        ),
        actor=world.owner,
    )
    assert client.get(url).context["page_obj"].paginator.count == before + 1
    filtered = client.get(url, {"q": "drift goes"}).context["page_obj"].paginator.count
    assert filtered == 1


def test_a_renamed_system_shows_in_the_system_filters_at_once(world, real_cache):
    system = save_system(
        AISystem(organization=world.org, name="Credit scoring", purpose="p"), actor=world.owner
    )
    client = world.client(world.owner)
    url = reverse("techdoc_list", kwargs={"org": world.org.slug})
    assert b">Credit scoring</option>" in client.get(url).content
    system.name = "Credit scoring v2"
    save_system(system, actor=world.owner)
    body = client.get(url).content
    assert b">Credit scoring v2</option>" in body
    assert b">Credit scoring</option>" not in body


def test_the_top_management_page_follows_risks_and_acceptances_at_once(world, real_cache):
    """Its risks waiting for a decision and the acceptances of its members are cached per
    version: a new risk above appetite shows at once, and so does its acceptance."""
    import datetime as dt

    from helpers import make_risk

    from aims.risk.services import accept_risk

    client = world.client(world.top_manager)
    url = reverse("leadership_top_management", kwargs={"org": world.org.slug})
    assert client.get(url).context["risks"] == []
    risk = make_risk(world.org, actor=world.owner, likelihood=5, impact=5, title="Drift unseen")
    assert [r.pk for r in client.get(url).context["risks"]] == [risk.pk]
    accept_risk(
        risk,
        actor=world.top_manager,
        rationale="Needed for the launch.",
        expires_on=timezone.localdate() + dt.timedelta(days=90),
    )
    response = client.get(url)
    assert response.context["risks"] == []
    mine = next(m for m in response.context["members"] if m.user == world.top_manager)
    assert [item.title for item in mine.items] == [
        f"Accepted {risk} until " + (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    ]


def test_the_eu_ai_act_overview_counts_a_new_system_at_once(world, real_cache):
    from aims.inventory.models import RiskTier

    client = world.client(world.owner)
    url = reverse("act_overview", kwargs={"org": world.org.slug})

    def counts():
        return {t["value"]: t["count"] for t in client.get(url).context["tiers"]}

    before = counts()
    save_system(
        AISystem(organization=world.org, name="Chat", purpose="p", risk_tier=RiskTier.LIMITED),
        actor=world.owner,
    )
    after = counts()
    assert after[RiskTier.LIMITED] == before[RiskTier.LIMITED] + 1
    assert client.get(url).context["total"] == AISystem.objects.for_org(world.org).count()


def test_the_ai_system_list_shows_a_new_system_and_its_risks_at_once(world, real_cache):
    """Its unfiltered pages are cached per version: a new system, and a risk above appetite
    on it, show at the next request; a filtered page is read afresh."""
    from helpers import make_risk

    client = world.client(world.owner)
    url = reverse("system_list", kwargs={"org": world.org.slug})
    client.get(url)
    system = save_system(
        AISystem(organization=world.org, name="Credit scoring", purpose="p"), actor=world.owner
    )
    rows = {row["slug"]: row for row in client.get(url).context["rows"]}
    assert system.slug in rows
    needs_decision = [c for c in rows[system.slug]["cells"] if "badge-bad" in c]
    assert needs_decision == []
    risk = make_risk(world.org, actor=world.owner, likelihood=5, impact=5, title="Drift unseen")
    risk.systems.add(system)
    from aims.trail.models import Action
    from aims.trail.services import record

    record(world.org, actor=world.owner, instance=risk, action=Action.UPDATE, note="linked")
    rows = {row["slug"]: row for row in client.get(url).context["rows"]}
    assert any("badge-bad" in cell and ">1<" in cell for cell in rows[system.slug]["cells"])
    filtered = client.get(url, {"q": "credit"}).context["rows"]
    assert [row["slug"] for row in filtered] == [system.slug]
