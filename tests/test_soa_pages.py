import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.evidence.models import Evidence, Kind
from aims.risk.models import Category, Risk
from aims.risk.services import save_risk
from aims.soa.models import Applicability, Implementation, SoAEntry


def entry_for(org, ref: str) -> SoAEntry:
    return SoAEntry.objects.get(organization=org, control__ref=ref)


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org": org.slug, **kwargs})


def make_link_evidence(org, *, entries=(), effective_from=None, valid_until=None, title="Policy"):
    evidence = Evidence.objects.create(
        organization=org,
        title=title,
        kind=Kind.LINK,
        url="https://intranet.example/policy",
        effective_from=effective_from or timezone.localdate() - dt.timedelta(days=10),
        valid_until=valid_until,
    )
    evidence.soa_entries.set(entries)
    return evidence


def edit_data(**overrides):
    data = {
        "applicability": Applicability.APPLICABLE,
        "justification": "Needed to treat R-001.",
        "status": Implementation.PLANNED,
        "owner": "",
        "implementation": "",
    }
    data.update(overrides)
    return data


def test_list_shows_all_38_controls_grouped_by_objective(world):
    response = world.client(world.viewer).get(url("soa_list", world.org))
    assert response.status_code == 200
    body = response.content.decode()
    sections = response.context["sections"]
    assert sum(len(s.entries) for s in sections) == 38
    refs = [s.objective.ref for s in sections]
    assert refs[:4] == ["A.2", "A.3", "A.4", "A.5"]
    assert refs.index("A.6") < refs.index("A.6.1") < refs.index("A.6.2") < refs.index("A.7")
    assert "A.10" in refs
    assert "A.2.2" in body and "AI policy" in body
    assert response.context["summary"]["undecided"] == 38


@pytest.mark.parametrize(
    "applicability,verb",
    [(Applicability.APPLICABLE, "included"), (Applicability.EXCLUDED, "excluded")],
)
def test_it_refuses_a_decision_without_justification_either_way(world, applicability, verb):
    entry = entry_for(world.org, "A.2.2")
    response = world.client(world.contributor).post(
        url("soa_edit", world.org, entry_id=entry.pk),
        edit_data(applicability=applicability, justification="  "),
    )
    assert response.status_code == 200
    assert f"this control is {verb}" in response.context["form"].errors["justification"][0]
    entry.refresh_from_db()
    assert entry.applicability == Applicability.UNDECIDED


def test_a_manager_records_a_decision_with_owner_and_risks(world):
    entry = entry_for(world.org, "A.2.2")
    risk = save_risk(
        Risk(
            organization=world.org,
            title="Biased scoring",
            category=Category.FAIRNESS,
            inherent_likelihood=3,
            inherent_impact=4,
        ),
        actor=world.owner,
    )
    response = world.client(world.manager).post(
        url("soa_edit", world.org, entry_id=entry.pk),
        edit_data(
            status=Implementation.IMPLEMENTED,
            owner=world.manager.pk,
            implementation="Board-approved policy v2.",
            risks=[risk.pk],
        ),
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.applicability == Applicability.APPLICABLE
    assert entry.owner == world.manager
    assert list(entry.risks.all()) == [risk]
    detail = world.client(world.auditor).get(url("soa_detail", world.org, entry_id=entry.pk))
    assert detail.status_code == 200
    assert "Biased scoring" in detail.content.decode()
    assert len(detail.context["events"]) == 1


def test_it_refuses_an_owner_or_risk_from_another_organization(world):
    entry = entry_for(world.org, "A.2.2")
    foreign = save_risk(
        Risk(
            organization=world.other_org,
            title="Theirs",
            category=Category.LEGAL,
            inherent_likelihood=1,
            inherent_impact=1,
        ),
        actor=world.outsider,
    )
    response = world.client(world.owner).post(
        url("soa_edit", world.org, entry_id=entry.pk),
        edit_data(owner=world.outsider.pk, risks=[foreign.pk]),
    )
    assert response.status_code == 200
    assert {"owner", "risks"} <= set(response.context["form"].errors)
    entry.refresh_from_db()
    assert entry.owner is None and entry.applicability == Applicability.UNDECIDED


def test_flags_missing_justification_and_implemented_without_current_evidence(world):
    entry = entry_for(world.org, "A.2.2")
    # The service refuses a missing justification, but older data or imports may lack one.
    SoAEntry.objects.filter(pk=entry.pk).update(applicability=Applicability.EXCLUDED)
    entry.refresh_from_db()
    assert entry.flags() == ["Justification missing"]

    SoAEntry.objects.filter(pk=entry.pk).update(
        applicability=Applicability.APPLICABLE,
        justification="Core policy for all our AI.",
        status=Implementation.IMPLEMENTED,
    )
    client = world.client(world.viewer)
    response = client.get(url("soa_list", world.org), {"flagged": "1"})
    assert [e.pk for s in response.context["sections"] for e in s.entries] == [entry.pk]
    assert "Implemented without current evidence" in response.content.decode()
    assert response.context["summary"]["flagged"] == 1

    evidence = make_link_evidence(world.org, entries=[entry])
    response = client.get(url("soa_list", world.org), {"flagged": "1"})
    assert response.context["shown"] == 0
    assert response.context["summary"]["flagged"] == 0

    Evidence.objects.filter(pk=evidence.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    response = client.get(url("soa_list", world.org), {"flagged": "1"})
    assert response.context["shown"] == 1
    entry = SoAEntry.objects.with_evidence_flags().get(pk=entry.pk)
    assert entry.flags() == ["Implemented without current evidence"]


def test_list_filters_by_objective_applicability_status_and_search(world):
    a = entry_for(world.org, "A.6.1.2")
    SoAEntry.objects.filter(pk=a.pk).update(
        applicability=Applicability.APPLICABLE, justification="x", status=Implementation.PARTIAL
    )
    client = world.client(world.viewer)

    def shown(**params):
        response = client.get(url("soa_list", world.org), params)
        assert response.status_code == 200
        return {e.control.ref for s in response.context["sections"] for e in s.entries}

    a6 = shown(objective="A.6")
    assert "A.6.1.2" in a6 and "A.6.2.2" in a6 and all(r.startswith("A.6.") for r in a6)
    assert shown(objective="A.6.1") == {r for r in a6 if r.startswith("A.6.1.")}
    assert shown(applicability="applicable") == {"A.6.1.2"}
    assert shown(status="partial") == {"A.6.1.2"}
    assert shown(q="AI policy") >= {"A.2.2"}
    assert shown(q="A.10.") and all(r.startswith("A.10.") for r in shown(q="A.10."))


def test_list_query_count_does_not_grow_with_evidence(world):
    client = world.client(world.viewer)
    with CaptureQueriesContext(connection) as before:
        client.get(url("soa_list", world.org))
    entries = list(SoAEntry.objects.for_org(world.org))
    for i, entry in enumerate(entries):
        SoAEntry.objects.filter(pk=entry.pk).update(
            applicability=Applicability.APPLICABLE,
            justification="x",
            status=Implementation.IMPLEMENTED,
            owner=world.manager,
        )
        make_link_evidence(world.org, entries=[entry], title=f"E{i}")
    with CaptureQueriesContext(connection) as after:
        response = client.get(url("soa_list", world.org))
    assert response.status_code == 200
    assert len(after) == len(before)


def test_viewer_and_auditor_cannot_edit(world):
    entry = entry_for(world.org, "A.2.2")
    for user in (world.viewer, world.auditor):
        client = world.client(user)
        assert client.get(url("soa_edit", world.org, entry_id=entry.pk)).status_code == 403
        response = client.post(url("soa_edit", world.org, entry_id=entry.pk), edit_data())
        assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.applicability == Applicability.UNDECIDED


def test_outsider_gets_404_everywhere(world):
    entry = entry_for(world.org, "A.2.2")
    client = world.client(world.outsider)
    for name, kwargs in [
        ("soa_list", {}),
        ("soa_detail", {"entry_id": entry.pk}),
        ("soa_edit", {"entry_id": entry.pk}),
        ("soa_export_csv", {}),
        ("soa_export_xlsx", {}),
    ]:
        assert client.get(url(name, world.org, **kwargs)).status_code == 404


def test_an_entry_of_another_organization_is_not_found(world):
    theirs = entry_for(world.other_org, "A.2.2")
    client = world.client(world.owner)
    assert client.get(url("soa_detail", world.org, entry_id=theirs.pk)).status_code == 404
    assert (
        client.post(url("soa_edit", world.org, entry_id=theirs.pk), edit_data()).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.applicability == Applicability.UNDECIDED
