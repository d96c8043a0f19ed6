"""One rule, not copies: the SoA page, its counts, the dashboard, the exports and the API flag
the same entries and filter alike, because they all ask SoAEntryQuerySet (flagged, filtered)."""

import csv
import io

import pytest
from django.urls import reverse
from helpers import ApiClient

from aims.dashboard.summary import summarize
from aims.soa import services
from aims.soa.models import (
    AdditionalControl,
    Applicability,
    ControlSource,
    Implementation,
    SoAEntry,
)


def entry(world, ref) -> SoAEntry:
    return SoAEntry.objects.get(organization=world.org, control__ref=ref)


def on_page(world, **params) -> list[str]:
    response = world.client(world.viewer).get(
        reverse("soa_list", kwargs={"org": world.org.slug}), params
    )
    assert response.status_code == 200
    return [e.ref for s in response.context["sections"] for e in s.entries]


def in_api(world, **params) -> list[str]:
    api = ApiClient.for_member(world.viewer, world.org)
    body = api.get("/api/v1/soa", {**params, "limit": 100}).json()
    assert body["count"] == len(body["items"])
    return [e["control"] for e in body["items"]]


@pytest.fixture
def decided(world):
    """A few decisions: applicable and implemented, excluded, partial; and one additional."""
    rows = {
        "A.2.2": (Applicability.APPLICABLE, Implementation.IMPLEMENTED),
        "A.6.1.2": (Applicability.APPLICABLE, Implementation.PARTIAL),
        "A.6.2.4": (Applicability.EXCLUDED, Implementation.NOT_STARTED),
        "A.9.2": (Applicability.APPLICABLE, Implementation.PLANNED),
    }
    for ref, (applicability, status) in rows.items():
        e = entry(world, ref)
        e.applicability, e.status, e.justification = applicability, status, "Because."
        services.update_entry(e, actor=world.owner)
    additional = services.add_additional_control(
        AdditionalControl(
            organization=world.org,
            ref="27001-A.8.24",
            title="Use of cryptography",
            source=ControlSource.ISO_27001,
        ),
        actor=world.owner,
    )
    additional.applicability, additional.justification = Applicability.APPLICABLE, "ISMS"
    additional.status = Implementation.IMPLEMENTED
    services.update_entry(additional, actor=world.owner)
    return rows


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"objective": "A.6"},
        {"objective": "A.6.2"},
        {"objective": "A.99"},
        {"objective": "additional"},
        {"applicability": "applicable"},
        {"applicability": "excluded"},
        {"status": "implemented"},
        {"status": "partial", "applicability": "applicable"},
        {"q": "policy"},
        {"q": "cryptography"},
        {"q": "A.6.2."},
        {"objective": "A.6", "applicability": "applicable"},
    ],
)
def test_the_page_and_the_api_show_the_same_entries_for_the_same_filters(world, decided, params):
    shown = on_page(world, **params)
    assert shown == in_api(world, **params)
    if params.get("objective") == "A.6":
        assert len(shown) == 9 or params.get("applicability")


def test_the_objective_filter_includes_sub_objectives_everywhere(world):
    assert len(on_page(world, objective="A.6")) == 9
    assert len(in_api(world, objective="A.6")) == 9
    assert all(ref.startswith("A.6.") for ref in in_api(world, objective="A.6"))


def test_a_justification_of_only_spaces_is_flagged_everywhere(world):
    spaces = entry(world, "A.2.2")
    blank = entry(world, "A.3.2")
    fine = entry(world, "A.4.2")
    # The service refuses both; older data or an import may still hold them.
    SoAEntry.objects.filter(pk=spaces.pk).update(
        applicability=Applicability.EXCLUDED, justification="   \n\t "
    )
    SoAEntry.objects.filter(pk=blank.pk).update(applicability=Applicability.APPLICABLE)
    SoAEntry.objects.filter(pk=fine.pk).update(
        applicability=Applicability.EXCLUDED, justification="  Out of scope.  "
    )
    flagged = ["A.2.2", "A.3.2"]

    assert on_page(world, flagged="1") == flagged
    assert in_api(world, flagged="true") == flagged
    assert "A.2.2" not in in_api(world, flagged="false")
    assert "A.4.2" in in_api(world, flagged="false")
    assert [e.ref for e in SoAEntry.objects.for_org(world.org).flagged()] == flagged

    page = world.client(world.viewer).get(reverse("soa_list", kwargs={"org": world.org.slug}))
    assert page.context["summary"]["flagged"] == 2
    assert summarize(world.org).data("soa")["flagged"] == 2

    api = ApiClient.for_member(world.viewer, world.org)
    assert api.get("/api/v1/soa/A.2.2").json()["flags"] == ["Justification missing"]
    assert api.get("/api/v1/soa/A.4.2").json()["flags"] == []
    assert SoAEntry.objects.get(pk=spaces.pk).flags() == ["Justification missing"]
    detail = world.client(world.viewer).get(
        reverse("soa_detail", kwargs={"org": world.org.slug, "entry_id": spaces.pk})
    )
    assert "⚠ Justification missing" in detail.content.decode()

    export = world.client(world.viewer).get(
        reverse("soa_export_csv", kwargs={"org": world.org.slug})
    )
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    flags = {row[1]: row[10] for row in rows if len(row) > 10}
    assert flags["A.2.2"] == flags["A.3.2"] == "Justification missing"
    assert flags["A.4.2"] == ""


def test_the_service_refuses_a_justification_of_only_spaces_by_the_same_rule(world):
    e = entry(world, "A.2.2")
    e.applicability, e.justification = Applicability.EXCLUDED, "\u00a0 \n"
    with pytest.raises(services.ValidationError, match="this control is excluded"):
        services.update_entry(e, actor=world.owner)


def test_flagged_and_not_flagged_split_the_soa(world, decided):
    everything = set(in_api(world))
    flagged, rest = set(in_api(world, flagged="true")), set(in_api(world, flagged="false"))
    assert flagged == {"A.2.2", "27001-A.8.24"}  # implemented, no evidence
    assert flagged | rest == everything and not flagged & rest
    assert set(on_page(world, flagged="1")) == flagged
