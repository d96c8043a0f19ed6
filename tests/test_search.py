"""The global search: its page, the box's dropdown, the API, and each kind of record it finds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core.areas import search_kinds
from aims.risk.models import Risk
from aims.risk.services import save_risk
from aims.search import engine
from bench.scale import seed
from tests.helpers import ApiClient
from tests.test_security_routes import records  # noqa: F401 (a fixture: one record of each kind)


def make_risk(world, title, *, org=None) -> Risk:
    return save_risk(
        Risk(
            organization=org or world.org,
            title=title,
            category="fairness",
            inherent_likelihood=2,
            inherent_impact=2,
        ),
        actor=world.owner if org is None else world.outsider,
    )


def page(world, q, *, user=None):
    url = reverse("search", kwargs={"org": world.org.slug})
    return world.client(user or world.viewer).get(url, {"q": q})


def is_a_search(query) -> bool:
    return " LIKE " in query["sql"].upper()  # a word match, on SQLite and PostgreSQL


def hits(response, kind: str) -> list:
    for group in response.context["groups"]:
        if group.kind.key == kind:
            return group.hits
    return []


def test_a_word_of_a_risks_title_finds_it(world):
    risk = make_risk(world, "Gender bias in credit scoring")
    make_risk(world, "Model drift")
    response = page(world, "BIAS")
    assert response.status_code == 200
    found = hits(response, "risks")
    assert [(hit.ref, hit.title) for hit in found] == [(risk.ref, risk.title)]
    assert found[0].url == reverse(
        "risk_detail", kwargs={"org": world.org.slug, "risk_id": risk.pk}
    )
    assert f'href="{found[0].url}"' in response.content.decode()


def test_every_word_must_match(world):
    both = make_risk(world, "Credit bias against women")
    make_risk(world, "Bias in hiring")
    make_risk(world, "Credit limits too high")
    assert [hit.title for hit in hits(page(world, "bias credit"), "risks")] == [both.title]


def test_another_organizations_risk_is_never_found(world):
    make_risk(world, "Leaky secret pipeline", org=world.other_org)
    response = page(world, "leaky")
    assert response.context["groups"] == []
    assert "Leaky secret" not in response.content.decode()
    api = ApiClient.for_member(world.viewer, world.org)
    assert api.get("/api/v1/search", {"q": "leaky"}).json() == {"q": "leaky", "groups": []}


def test_a_ref_finds_its_record_first(world):
    # R-003 mentions R-002 in its title and is newer: the exact ref still ranks first.
    make_risk(world, "Bias")
    second = make_risk(world, "Drift")
    third = make_risk(world, "Follow-up of R-002")
    assert (second.ref, third.ref) == ("R-002", "R-003")
    found = hits(page(world, "r-002"), "risks")
    assert [(hit.ref, hit.exact) for hit in found] == [("R-002", True), ("R-003", False)]


def test_word_matches_come_newest_first(world):
    for title in ("Bias in hiring", "Model drift", "Bias in credit", "Bias in pricing"):
        make_risk(world, title)
    found = hits(page(world, "bias"), "risks")
    assert [(hit.ref, hit.title) for hit in found] == [
        ("R-004", "Bias in pricing"),
        ("R-003", "Bias in credit"),
        ("R-001", "Bias in hiring"),
    ]


def test_a_part_of_a_ref_finds_its_records_but_a_plain_word_looks_in_titles(world):
    # "R-00" (a digit) is looked for in refs; "r" (no digit) only in titles, not in every ref.
    make_risk(world, "Bias")
    make_risk(world, "Drift")
    assert [hit.ref for hit in hits(page(world, "r-00"), "risks")] == ["R-002", "R-001"]
    assert [hit.ref for hit in hits(page(world, "r"), "risks")] == ["R-002"]  # "Drift"


def test_a_control_ref_finds_the_control_first(world):
    response = page(world, "A.6.2.4")
    found = hits(response, "controls")
    assert found[0].ref == "A.6.2.4" and found[0].exact
    assert found[0].url == reverse(
        "catalog_control", kwargs={"org": world.org.slug, "ref": "A.6.2.4"}
    )
    assert all(hit.ref.startswith("A.6.2.4") for hit in found)


@pytest.mark.parametrize(
    "q,message",
    [
        ("x" * 101, "Search for at most 100 characters (this has 101)."),
        ("bias\x00", "The search cannot contain a NUL character."),
        (" ".join("w" * 11), "Search for at most 10 words."),
    ],
)
def test_bad_queries_get_a_clear_error_and_no_search(world, q, message):
    make_risk(world, "Bias")
    with CaptureQueriesContext(connection) as ctx:
        response = page(world, q)
    assert response.status_code == 200
    assert response.context["error"] == message
    assert response.context["groups"] == []
    assert message in response.content.decode()
    assert not any(is_a_search(query) for query in ctx.captured_queries)
    box = world.client(world.viewer).get(
        reverse("search_box", kwargs={"org": world.org.slug}), {"q": q}
    )
    assert message in box.content.decode()
    api = ApiClient.for_member(world.viewer, world.org).get("/api/v1/search", {"q": q})
    assert api.status_code == 422
    # The API's schema bounds the length itself, in the words every API field uses.
    api_message = "Use at most 100 characters." if len(q) > 100 else message
    assert api.json()["errors"] == [{"field": "q", "message": api_message}]


def test_many_hits_are_bounded_with_a_link_to_the_lists_own_search(world):
    seed(world.org, systems=3, risks_per_system=5, owner=world.owner)  # "Synthetic risk n"
    response = page(world, "synthetic")
    groups = {group.kind.key: group for group in response.context["groups"]}
    risks = groups["risks"]
    assert len(risks.hits) == engine.PER_KIND and risks.more
    more = reverse("risk_list", kwargs={"org": world.org.slug}) + "?q=synthetic"
    assert risks.more_url == more
    assert f'href="{more}"' in response.content.decode()
    assert len(groups["systems"].hits) == 3 and not groups["systems"].more


def test_the_box_shows_the_top_hits(world):
    for n in range(5):
        make_risk(world, f"Bias {n}")
    url = reverse("search_box", kwargs={"org": world.org.slug})
    response = world.client(world.viewer).get(url, {"q": "bias"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text  # a fragment
    assert [hit.title for hit in hits(response, "risks")] == ["Bias 4", "Bias 3", "Bias 2"]
    assert "All results for" in text
    assert (
        world.client(world.viewer)
        .get(url, {"q": ""})
        .content.decode()
        .strip()
        .startswith('<div class="search-dropdown"')
    )


def test_outsiders_and_anonymous_visitors_cannot_search(world):
    url = reverse("search", kwargs={"org": world.org.slug})
    assert world.client(world.outsider).get(url, {"q": "bias"}).status_code == 404
    assert world.client(None).get(url, {"q": "bias"}).status_code == 302


def test_the_api_answers_the_same_hits(world):
    risk = make_risk(world, "Gender bias in credit scoring")
    api = ApiClient.for_member(world.viewer, world.org)
    body = api.get("/api/v1/search", {"q": "bias"}).json()
    risks = [group for group in body["groups"] if group["kind"] == "risks"]
    assert risks == [
        {
            "kind": "risks",
            "label": "Risks",
            "hits": [
                {
                    "ref": risk.ref,
                    "title": risk.title,
                    "url": risk.get_absolute_url(),
                    "exact": False,
                }
            ],
            "more": False,
            "more_url": reverse("risk_list", kwargs={"org": world.org.slug}) + "?q=bias",
        }
    ]


def test_the_query_count_stays_flat_with_the_data(world):
    client = world.client(world.viewer)
    url = reverse("search", kwargs={"org": world.org.slug})
    seed(world.org, systems=10, risks_per_system=1, evidence=10, owner=world.owner)
    client.get(url, {"q": "synthetic"})  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"q": "synthetic"})
    seed(world.org, systems=500, risks_per_system=2, evidence=500, owner=world.owner)
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"q": "synthetic"})
    assert len(small.captured_queries) == len(large.captured_queries)
    searches = [query for query in large.captured_queries if is_a_search(query)]
    assert len(searches) == len(search_kinds())  # one query per kind of record
    # None counts the matches or sorts them all: each stops at the hits it shows.
    assert not any("COUNT(" in query["sql"].upper() for query in searches)
    assert all(f"LIMIT {engine.PER_KIND + 1}" in query["sql"] for query in searches)


def kind_params():
    return [pytest.param(kind.key, id=kind.key) for kind in search_kinds()]


def a_word_of(kind, record, organization) -> str:
    """The longest word of the first of the kind's fields the record fills (its title, name,
    or the system's name for a change): what someone looking for it would type."""
    values = kind.queryset(organization).filter(pk=record.pk).values_list(*kind.fields)
    text = next(value for value in values.get() if value)
    return max(text.split(), key=len)[: engine.MAX_LENGTH]


def urls_found(organization, key: str, q: str) -> list[str]:
    groups = engine.search(organization, engine.clean_query(q), per_kind=10_000)
    return [hit.url for group in groups if group.kind.key == key for hit in group.hits]


@pytest.mark.parametrize("key", kind_params())
def test_each_kind_finds_its_records_and_only_its_organizations(world, records, key):  # noqa: F811
    kind = next(kind for kind in search_kinds() if kind.key == key)
    record = kind.queryset(world.org).order_by("pk").first()
    assert record is not None, f"tests/routes makes no {kind.label.lower()}"
    q = a_word_of(kind, record, world.org)
    url = kind.url_of(record, world.org)
    assert url in urls_found(world.org, key, q), q
    if kind.ref:
        groups = engine.search(world.org, engine.clean_query(getattr(record, kind.ref)))
        first = next(group for group in groups if group.kind.key == key).hits[0]
        assert (first.url, first.exact) == (url, True)
    if not hasattr(record, "organization_id"):
        return  # the catalog: every organization shares it
    # Another organization's search never finds it; moved there, it is found there only.
    assert urls_found(world.other_org, key, q) == []
    type(record).objects.filter(pk=record.pk).update(organization=world.other_org)
    record.refresh_from_db()
    assert kind.url_of(record, world.other_org) in urls_found(world.other_org, key, q)
    assert url not in urls_found(world.org, key, q)
