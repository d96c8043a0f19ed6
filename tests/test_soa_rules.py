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
        e.applicability, e.status, e.justification = (
            applicability,
            status,
            "Because our risk assessment says so.",
        )
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
    additional.applicability, additional.justification = (
        Applicability.APPLICABLE,
        "Shared with our ISMS.",
    )
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
        applicability=Applicability.EXCLUDED, justification="  Out of scope for our AIMS.  "
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
    flags = {
        row["Control"]: row["Flags"] for row in csv.DictReader(io.StringIO(export.content.decode()))
    }
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


# --- A meaningful justification: one rule in the service, for the page, the API and proposals ---


def edit(world, user, e, **data):
    form = {"applicability": "excluded", "status": "not_started", "owner": "", "implementation": ""}
    return world.client(user).post(
        reverse("soa_edit", kwargs={"org": world.org.slug, "entry_id": e.pk}), {**form, **data}
    )


def test_a_one_character_justification_is_refused_with_a_field_error_everywhere(world):
    e = entry(world, "A.6.2.4")
    response = edit(world, world.owner, e, justification="x")
    assert response.status_code == 200
    error = response.context["form"].errors["justification"][0]
    assert "at least 20 characters and 3 words" in error and "1 character and 1 word" in error

    api = ApiClient.for_member(world.manager, world.org)
    refused = api.patch(
        "/api/v1/soa/A.6.2.4", {"applicability": "applicable", "justification": "x"}
    )
    assert refused.status_code == 422
    assert [err["field"] for err in refused.json()["errors"]] == ["justification"]
    assert "at least 20 characters" in refused.json()["errors"][0]["message"]

    with pytest.raises(services.ValidationError, match="3 words"):
        e.applicability, e.justification = Applicability.EXCLUDED, "Nineteen characters"
        services.update_entry(e, actor=world.owner)
    e.refresh_from_db()
    assert (e.applicability, e.justification) == (Applicability.UNDECIDED, "")


def test_a_contributors_proposal_needs_a_meaningful_justification_too(world):
    e = entry(world, "A.6.2.4")
    e.applicability, e.justification = Applicability.EXCLUDED, "Not ours"
    with pytest.raises(services.ValidationError, match="at least 20 characters"):
        services.propose_decision(e, actor=world.contributor)


def test_the_form_reports_the_justification_with_every_other_error_at_once(world):
    e = entry(world, "A.6.2.4")
    response = edit(world, world.owner, e, justification="x", status="nonsense")
    errors = response.context["form"].errors
    assert set(errors) >= {"justification", "status"}
    e.refresh_from_db()
    assert e.applicability == Applicability.UNDECIDED


def test_boilerplate_is_saved_with_a_warning(world):
    e = entry(world, "A.6.2.4")
    text = "Not applicable, see above for the reasons."
    response = edit(world, world.owner, e, justification=text)
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.justification == text and e.applicability == Applicability.EXCLUDED
    page = world.client(world.owner).get(response.url)
    warning = "contains “see above”, which an auditor reads as no justification"
    assert warning in page.content.decode()
    api = ApiClient.for_member(world.viewer, world.org)
    assert "see above" in api.get("/api/v1/soa/A.6.2.4").json()["justification_warning"]
    fine = entry(world, "A.2.2")
    fine.applicability, fine.justification = Applicability.EXCLUDED, "We write no AI policy: none."
    services.update_entry(fine, actor=world.owner)
    assert api.get("/api/v1/soa/A.2.2").json()["justification_warning"] is None


def test_an_older_short_justification_still_shows_is_flagged_and_does_not_block_other_edits(
    world,
):
    e = entry(world, "A.6.2.4")
    SoAEntry.objects.filter(pk=e.pk).update(applicability=Applicability.EXCLUDED, justification="x")
    assert on_page(world, flagged="1") == ["A.6.2.4"]
    detail = world.client(world.viewer).get(
        reverse("soa_detail", kwargs={"org": world.org.slug, "entry_id": e.pk})
    )
    assert detail.status_code == 200
    assert "⚠ Justification too short (under 20 characters or 3 words)" in detail.content.decode()
    api = ApiClient.for_member(world.manager, world.org)
    assert api.get("/api/v1/soa/A.6.2.4").json()["flags"] == [
        "Justification too short (under 20 characters or 3 words)"
    ]
    export = world.client(world.viewer).get(
        reverse("soa_export_csv", kwargs={"org": world.org.slug})
    )
    rows = {r["Control"]: r for r in csv.DictReader(io.StringIO(export.content.decode()))}
    assert rows["A.6.2.4"]["Flags"] == "Justification too short (under 20 characters or 3 words)"
    assert rows["A.6.2.4"]["Justification for exclusion"] == "x"
    # The decision unchanged, its owner and implementation may still change.
    saved = api.patch("/api/v1/soa/A.6.2.4", {"implementation": "Reviewed yearly."})
    assert saved.status_code == 200
    e.refresh_from_db()
    assert (e.justification, e.implementation) == ("x", "Reviewed yearly.")


@pytest.mark.parametrize(
    "text,warned",
    [
        ("n/a n/a n/a n/a n/a n/a n/a", True),
        ("TBD: to be decided by the committee", True),
        ("This control is not applicable, not relevant.", True),
        ("Not applicable: we build no AI systems ourselves.", False),
        ("Required by our lending regulator.", False),
        ("Our data team handles NA values in the pipeline.", False),
    ],
)
def test_placeholders_and_restatements_are_warned_about(text, warned):
    from aims.soa.justification import is_meaningful, placeholder_warning

    assert is_meaningful(text)
    assert (placeholder_warning(text) is not None) is warned
