import datetime as dt

import pytest
from django.urls import reverse

from aims.catalog.models import Clause, Control
from aims.evidence.models import Evidence, Kind
from aims.evidence.services import create_evidence
from aims.risk.models import Category, Risk
from aims.risk.services import save_risk
from aims.soa.models import Applicability, Implementation, SoAEntry
from aims.soa.services import update_entry


def page(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


@pytest.mark.parametrize("who", ["owner", "contributor", "auditor", "viewer"])
def test_members_browse_the_catalog(world, who):
    response = world.client(getattr(world, who)).get(page(world, "catalog_index"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Context of the organization" in content  # clause 4
    assert "10.2" in content
    assert "A.10.4" in content  # last Annex A control
    assert "C.2.1" in content and "C.3.7" in content  # Annex C objectives and risk sources


def test_an_outsider_cannot_see_the_catalog_of_an_organization(world):
    client = world.client(world.outsider)
    assert client.get(page(world, "catalog_index")).status_code == 404
    assert client.get(page(world, "catalog_control", ref="A.2.2")).status_code == 404


def test_the_clause_tree_is_nested(world):
    content = world.client(world.viewer).get(page(world, "catalog_index")).content.decode()
    # 6.1.2 is listed inside 6.1, which is inside 6
    six = content.index("<strong>6</strong>")
    six_one = content.index("<strong>6.1</strong>")
    six_one_two = content.index("<strong>6.1.2</strong>")
    seven = content.index("<strong>7</strong>")
    assert six < six_one < six_one_two < seven


def test_a_clause_page_shows_children_and_the_organizations_evidence(world):
    clause = Clause.objects.get(ref="6.1")
    mine = create_evidence(
        Evidence(
            organization=world.org,
            kind=Kind.LINK,
            title="Risk procedure",
            url="https://example.test/risk",
            effective_from=dt.date(2024, 1, 1),
        ),
        actor=world.owner,
        links={"clauses": [clause]},
    )
    create_evidence(
        Evidence(
            organization=world.other_org,
            kind=Kind.LINK,
            title="Other company's procedure",
            url="https://example.test/other",
            effective_from=dt.date(2024, 1, 1),
        ),
        actor=world.outsider,
        links={"clauses": [clause]},
    )

    response = world.client(world.auditor).get(page(world, "catalog_clause", ref="6.1"))
    content = response.content.decode()

    assert response.status_code == 200
    assert "6.1.2" in content and "AI risk assessment" in content
    assert mine.title in content
    assert "Other company" not in content


def test_a_control_page_shows_where_the_organization_stands(world):
    control = Control.objects.get(ref="A.6.2.4")
    entry = SoAEntry.objects.get(organization=world.org, control=control)
    entry.applicability = Applicability.APPLICABLE
    entry.status = Implementation.PARTIAL
    entry.justification = "All models are validated before release."
    entry.owner = world.manager
    update_entry(entry, actor=world.owner)
    risk = save_risk(
        Risk(
            organization=world.org,
            title="Model underperforms on new data",
            category=Category.OPERATIONAL,
            inherent_likelihood=3,
            inherent_impact=3,
        ),
        actor=world.owner,
        controls=[control],
    )
    create_evidence(
        Evidence(
            organization=world.org,
            kind=Kind.LINK,
            title="Validation report",
            url="https://example.test/v",
            effective_from=dt.date(2024, 1, 1),
        ),
        actor=world.owner,
        links={"soa_entries": [entry]},
    )

    response = world.client(world.viewer).get(page(world, "catalog_control", ref="A.6.2.4"))
    content = response.content.decode()

    assert response.status_code == 200
    assert "AI system verification and validation" in content
    assert "All models are validated before release." in content
    assert "Partially implemented" in content
    assert world.manager.username in content
    assert f"{risk.ref} Model underperforms on new data" in content
    assert "Validation report" in content


def test_an_unknown_ref_is_404(world):
    client = world.client(world.owner)
    assert client.get(page(world, "catalog_clause", ref="11.9")).status_code == 404
    assert client.get(page(world, "catalog_control", ref="A.99")).status_code == 404


def test_the_index_queries_are_bounded(world, django_assert_max_num_queries):
    client = world.client(world.owner)
    with django_assert_max_num_queries(12):
        assert client.get(page(world, "catalog_index")).status_code == 200
