"""OSCAL exports: every document validates against the OSCAL 1.2.1 JSON schema of its model, on
realistic records and on empty ones; UUIDs are stable across exports of a record and differ
between organizations; another organization's records never appear; pages and API are scoped."""

from __future__ import annotations

import copy
import datetime as dt
import json
from functools import cache

import jsonschema_rs
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.audits import services as audits
from aims.audits.models import Audit, AuditProgramme, Result
from aims.catalog.models import Clause, Control
from aims.core.errors import Refused
from aims.evidence.models import Evidence, Kind
from aims.evidence.services import create_evidence
from aims.nonconformities import services as ncs
from aims.nonconformities.models import Severity, Source
from aims.oscal import exports
from aims.oscal.common import control_id
from aims.readiness import services as readiness
from aims.readiness.models import Assessment
from aims.soa.models import (
    AdditionalControl,
    Applicability,
    ControlSource,
    Implementation,
    SoAEntry,
)
from aims.soa.services import add_additional_control, update_entry
from tests.conftest import SHARED_REFERENCE, require_reference
from tests.helpers import ApiClient, make_system

TODAY = timezone.localdate()


@cache
def validator(model: str):
    folder = require_reference(SHARED_REFERENCE / "oscal-1.2.1")
    schema = json.loads((folder / exports.SCHEMAS[model]).read_text())
    # jsonschema_rs reads the schemas' \p{L} classes; formats (date-time, uri-reference) too.
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def errors_of(document: dict) -> list[str]:
    (model,) = document
    return [f"{e.instance_path}: {e.message}" for e in validator(model).iter_errors(document)]


def assert_valid(document: dict) -> None:
    assert errors_of(document) == []


def decide(entry: SoAEntry, actor, applicability, justification, status=Implementation.PLANNED):
    entry.applicability = applicability
    entry.justification = justification
    entry.status = status
    entry.implementation = "A release gate in the pipeline refuses a model without sign-off."
    return update_entry(entry, actor=actor)


def entry_of(org, ref: str) -> SoAEntry:
    return SoAEntry.objects.get(organization=org, control__ref=ref)


def fill(org, owner, *, name: str = "Credit scoring") -> dict:
    """An organization's SoA decided in part, with evidence on a system, a rated readiness
    assessment, an audit with a minor nonconformity, and an open nonconformity with actions."""
    system = make_system(org, actor=owner, name=name)
    policy = decide(
        entry_of(org, "A.2.2"),
        owner,
        Applicability.APPLICABLE,
        "We develop and deploy AI systems, so a policy governs them.",
        Implementation.IMPLEMENTED,
    )
    decide(
        entry_of(org, "A.6.2.4"),
        owner,
        Applicability.APPLICABLE,
        "Our models go through verification before release.",
        Implementation.PARTIAL,
    )
    decide(
        entry_of(org, "A.10.4"),
        owner,
        Applicability.EXCLUDED,
        "We have no customers outside the group:\nnothing is supplied to third parties.",
    )
    extra = add_additional_control(
        AdditionalControl(
            organization=org,
            ref="27001-A.5.15",
            title="Access control",
            source=ControlSource.ISO_27001,
        ),
        actor=owner,
    )
    decide(
        extra,
        owner,
        Applicability.APPLICABLE,
        "Model registries hold personal data, so access is controlled.",
        Implementation.IMPLEMENTED,
    )
    evidence = create_evidence(
        Evidence(
            organization=org,
            title="Approved AI policy",
            kind=Kind.LINK,
            url="https://intranet.example.test/policy",
            effective_from=TODAY - dt.timedelta(days=10),
        ),
        actor=owner,
        links={"soa_entries": [policy, extra], "systems": [system]},
    )
    assessment = readiness.start_assessment(
        Assessment(organization=org, title="Gap assessment", assessor=owner), actor=owner
    )
    items = list(assessment.items.order_by("position")[:2])
    for item, level in zip(items, (1, 4), strict=True):
        item.assessment = assessment
        readiness.rate_item(item, actor=owner, level=level, note="Seen.", evidence=[evidence])
    programme = audits.save_programme(
        AuditProgramme(
            organization=org,
            title="Cycle",
            starts_on=TODAY - dt.timedelta(days=30),
            ends_on=TODAY + dt.timedelta(days=300),
        ),
        actor=owner,
    )
    audit = audits.save_audit(
        Audit(
            organization=org,
            programme=programme,
            title="Risk management",
            planned_start=TODAY,
            planned_end=TODAY + dt.timedelta(days=5),
            lead_auditor=owner,
        ),
        actor=owner,
        clauses=list(Clause.objects.filter(ref__in=["6.1.2"])),
        controls=list(Control.objects.filter(ref__in=["A.5.2"])),
    )
    audits.start_audit(audit, actor=owner)
    audit_items = list(audit.items.order_by("position"))
    audits.record_result(audit_items[0], actor=owner, result=Result.MINOR, notes="Partial.")
    nc = ncs.raise_nonconformity(
        org,
        title="Releases without validation sign-off",
        description="Two releases went live without a recorded validation.",
        source=Source.OTHER,
        severity=Severity.MAJOR,
        actor=owner,
        system=system,
        controls=["A.6.2.4"],
    )
    action = ncs.add_action(
        nc,
        actor=owner,
        owner=owner,
        title="Add a release gate",
        due_date=TODAY + dt.timedelta(days=14),
    )
    return {
        "system": system,
        "evidence": evidence,
        "assessment": assessment,
        "audit": audit,
        "nc": nc,
        "action": action,
    }


@pytest.fixture
def acme(world):
    return fill(world.org, world.owner)


def every_document(org, made) -> dict[str, dict]:
    return {
        "catalog": exports.build("catalog", org),
        "soa-profile": exports.build("soa-profile", org),
        "soa-components": exports.build("soa-components", org),
        "additional-controls": exports.build("additional-controls", org),
        "readiness": exports.build("readiness", org, made["assessment"]),
        "audit": exports.build("audit", org, made["audit"]),
        "poam": exports.build("poam", org),
    }


def control_ids(group: dict):
    """Every control id of a catalog or a group, at any depth."""
    for control in group.get("controls", []):
        yield control["id"]
    for sub in group.get("groups", []):
        yield from control_ids(sub)


def all_uuids(value) -> set[str]:
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "uuid" or key.endswith("-uuid"):
                found.add(item)
            found |= all_uuids(item)
    elif isinstance(value, list):
        for item in value:
            found |= all_uuids(item)
    return found


# --- Validity ----------------------------------------------------------------------------------


def test_every_document_validates_against_its_schema(world, acme):
    documents = every_document(world.org, acme)
    assert [next(iter(d)) for d in documents.values()] == [
        "catalog",
        "profile",
        "component-definition",
        "catalog",
        "assessment-results",
        "assessment-results",
        "plan-of-action-and-milestones",
    ]
    for document in documents.values():
        assert_valid(document)


def test_a_tampered_document_fails_validation(world, acme):
    """The schema check is a real check: a document missing a required field, or with a
    clause id as OSCAL cannot take it, is refused."""
    documents = every_document(world.org, acme)
    poam = copy.deepcopy(documents["poam"])
    del poam["plan-of-action-and-milestones"]["poam-items"][0]["title"]
    assert any("title" in e for e in errors_of(poam))
    profile = copy.deepcopy(documents["soa-profile"])
    profile["profile"]["imports"][0]["include-controls"][0]["with-ids"][0] = "4.1"
    assert errors_of(profile)
    results = copy.deepcopy(documents["readiness"])
    del results["assessment-results"]["results"][0]["reviewed-controls"]
    assert errors_of(results)
    empty = copy.deepcopy(documents["soa-components"])
    empty["component-definition"]["components"][0]["props"] = []
    assert errors_of(empty)  # an optional array, when present, is never empty


def test_the_catalog_holds_ids_and_titles_only(world):
    catalog = exports.build("catalog", world.org)["catalog"]
    assert_valid({"catalog": catalog})
    text = json.dumps(catalog)
    control = Control.objects.get(ref="A.6.2.4")
    assert control.summary and control.summary not in text
    assert control.guidance not in text
    assert '"prose"' not in text and '"parts"' not in text
    ids = list(control_ids(catalog["groups"][1]))
    assert sorted(ids) == sorted(control_id(c.ref) for c in Control.objects.all())
    assert len(ids) == 38
    first_clause = catalog["groups"][0]["groups"][0]
    assert first_clause["id"] == "clause-4"
    assert first_clause["controls"][0]["id"] == "clause-4.1"
    assert first_clause["controls"][0]["props"][0] == {"name": "label", "value": "4.1"}


def test_the_profile_includes_applicable_controls_and_justifies_exclusions(world, acme):
    profile = exports.build("soa-profile", world.org)["profile"]
    imported = profile["imports"][0]
    assert imported["include-controls"] == [{"with-ids": ["a.2.2", "a.6.2.4"]}]
    assert imported["exclude-controls"] == [{"with-ids": ["a.10.4"]}]
    excluded = [p for p in profile["metadata"]["props"] if p["name"] == "excluded-control"]
    assert excluded[0]["value"] == "a.10.4"
    assert "nothing is supplied to third parties" in excluded[0]["remarks"]
    alter = next(a for a in profile["modify"]["alters"] if a["control-id"] == "a.2.2")
    props = {p["name"]: p for p in alter["adds"][0]["props"]}
    assert props["applicability"]["remarks"].startswith("We develop and deploy")
    assert props["implementation-status"]["value"] == "implemented"
    counts = {p["name"]: p["value"] for p in profile["metadata"]["props"]}
    assert counts["applicable-controls"] == "3"
    assert counts["undecided-controls"] == str(38 - 3)
    assert counts["additional-controls"] == "1"
    # each import points at its catalog, listed in the back matter with its download
    iso, extra = profile["back-matter"]["resources"]
    assert imported["href"] == f"#{iso['uuid']}"
    assert iso["rlinks"][0]["href"].endswith("/oscal/catalog.json")
    assert profile["imports"][1] == {
        "href": f"#{extra['uuid']}",
        "include-controls": [{"with-ids": ["add-27001-A.5.15"]}],
    }
    assert extra["rlinks"][0]["href"].endswith("/oscal/additional-controls.json")


def test_the_additional_controls_are_a_catalog_the_profile_can_resolve(world, acme):
    documents = every_document(world.org, acme)
    additional = documents["additional-controls"]["catalog"]
    (group,) = additional["groups"]
    assert group["title"] == "ISO/IEC 27001 Annex A"
    (control,) = group["controls"]
    assert control["id"] == "add-27001-A.5.15" and control["title"] == "Access control"
    catalog_ids = set(control_ids(documents["catalog"]["catalog"])) | {control["id"]}
    profile = documents["soa-profile"]["profile"]
    for imported in profile["imports"]:
        for selection in imported["include-controls"] + imported.get("exclude-controls", []):
            assert set(selection["with-ids"]) <= catalog_ids
    assert {a["control-id"] for a in profile["modify"]["alters"]} <= catalog_ids


def test_the_component_definition_links_status_and_evidence(world, acme):
    definition = exports.build("soa-components", world.org)["component-definition"]
    aims, system = definition["components"]
    assert system["title"] == "Credit scoring"
    iso, extra = aims["control-implementations"]
    requirements = {r["control-id"]: r for r in iso["implemented-requirements"]}
    assert set(requirements) == {"a.2.2", "a.6.2.4"}
    assert [r["control-id"] for r in extra["implemented-requirements"]] == ["add-27001-A.5.15"]
    resources = {r["uuid"]: r for r in definition["back-matter"]["resources"]}
    assert resources[iso["source"][1:]]["rlinks"][0]["href"].endswith("/oscal/catalog.json")
    assert resources[extra["source"][1:]]["title"] == "Additional controls of Acme Lending"
    policy = requirements["a.2.2"]
    assert {
        "name": "implementation-status",
        "ns": "urn:openaims:oscal",
        "value": "implemented",
    } in (policy["props"])
    (link,) = policy["links"]
    evidence = resources[link["href"][1:]]
    assert evidence["title"] == "Approved AI policy"
    assert evidence["rlinks"][0]["href"] == acme["evidence"].get_absolute_url()
    assert evidence["rlinks"][1]["href"] == "https://intranet.example.test/policy"
    # the AI system implements the control its evidence names it for, and no other
    system_iso, system_extra = system["control-implementations"]
    assert [r["control-id"] for r in system_iso["implemented-requirements"]] == ["a.2.2"]
    assert [r["control-id"] for r in system_extra["implemented-requirements"]] == [
        "add-27001-A.5.15"
    ]


def test_assessment_results_say_which_items_are_satisfied(world, acme):
    results = exports.build("readiness", world.org, acme["assessment"])["assessment-results"]
    (result,) = results["results"]
    states = [f["target"]["status"]["state"] for f in result["findings"]]
    assert states == ["not-satisfied", "satisfied"]  # levels 1 and 4
    assert len(result["observations"]) == 2
    assert result["observations"][0]["relevant-evidence"][0]["description"] == "Approved AI policy"
    audit = exports.build("audit", world.org, acme["audit"])["assessment-results"]
    (finding,) = audit["results"][0]["findings"]
    assert finding["target"]["status"] == {"state": "not-satisfied", "reason": "fail"}
    assert {"name": "audit-result", "ns": "urn:openaims:oscal", "value": "minor"} in finding[
        "props"
    ]


def test_the_poam_holds_open_nonconformities_with_actions_and_due_dates(world, acme):
    poam = exports.build("poam", world.org)["plan-of-action-and-milestones"]
    (item,) = poam["poam-items"]
    assert item["title"] == str(acme["nc"])
    (risk,) = poam["risks"]
    assert item["related-risks"] == [{"risk-uuid": risk["uuid"]}]
    (task,) = risk["remediations"][0]["tasks"]
    due = acme["action"].due_date
    assert task["title"] == "Add a release gate"
    assert task["timing"] == {"on-date": {"date": f"{due:%Y-%m-%d}T00:00:00Z"}}
    assert risk["deadline"] == f"{due:%Y-%m-%d}T00:00:00Z"


def test_awkward_user_text_still_makes_valid_documents(world, acme):
    """Line breaks in a title, text that is only spaces, a link with non-ASCII characters:
    OSCAL's one-line fields and URIs take none of them as they are."""
    nc = acme["nc"]
    type(nc).objects.filter(pk=nc.pk).update(
        title="  Releases\nwithout   sign-off \u2028", similar_elsewhere="   "
    )
    type(acme["action"]).objects.filter(pk=acme["action"].pk).update(title="Gate\tin CI\n")
    Evidence.objects.filter(pk=acme["evidence"].pk).update(
        url="https://bücher.example.test/policy?q=ä b", title="Policy\r\nv2"
    )
    SoAEntry.objects.filter(organization=world.org, control__ref="A.2.2").update(
        implementation=" \n ", justification="Line one\n\nLine two"
    )
    for document in every_document(world.org, acme).values():
        assert_valid(document)
    poam = exports.build("poam", world.org)["plan-of-action-and-milestones"]
    assert poam["poam-items"][0]["title"] == "NC-001: Releases without sign-off"


def test_an_export_reads_a_fixed_number_of_queries_however_many_records(world, acme):
    def queries() -> dict[str, int]:
        counts = {}
        for kind, record in [
            ("soa-components", None),
            ("soa-profile", None),
            ("readiness", acme["assessment"]),
            ("audit", acme["audit"]),
            ("poam", None),
        ]:
            with CaptureQueriesContext(connection) as captured:
                exports.build(kind, world.org, record)
            counts[kind] = len(captured)
        return counts

    before = queries()
    system = make_system(world.org, actor=world.owner, name="Fraud detection")
    for n in range(3):
        create_evidence(
            Evidence(
                organization=world.org,
                title=f"Record {n}",
                kind=Kind.LINK,
                url="https://intranet.example.test/x",
                effective_from=TODAY,
            ),
            actor=world.owner,
            links={"soa_entries": [entry_of(world.org, "A.6.2.4")], "systems": [system]},
        )
        nc = ncs.raise_nonconformity(
            world.org,
            title=f"Finding {n}",
            description="Seen.",
            source=Source.OTHER,
            severity=Severity.MINOR,
            actor=world.owner,
            system=system,
            controls=["A.2.2"],
        )
        ncs.add_action(nc, actor=world.owner, owner=world.owner, title="Fix", due_date=TODAY)
    for item in acme["assessment"].items.order_by("position")[2:5]:
        item.assessment = acme["assessment"]
        readiness.rate_item(
            item, actor=world.owner, level=3, note="Seen.", evidence=[acme["evidence"]]
        )
    assert queries() == before


# --- Empty cases -------------------------------------------------------------------------------


def test_an_empty_organization_exports_what_oscal_accepts_and_refuses_the_rest(world):
    org = world.org
    assert_valid(exports.build("catalog", org))
    assert_valid(exports.build("soa-components", org))
    # OSCAL: a POA&M holds one item at least, a profile includes one control at least
    with pytest.raises(Refused, match="No nonconformity is open"):
        exports.build("poam", org)
    with pytest.raises(Refused, match="No control is decided applicable"):
        exports.build("soa-profile", org)
    assessment = readiness.start_assessment(
        Assessment(organization=org, title="Nothing rated", assessor=world.owner),
        actor=world.owner,
    )
    results = exports.build("readiness", org, assessment)
    assert_valid(results)
    assert "findings" not in results["assessment-results"]["results"][0]


def test_the_page_shows_an_empty_state_instead_of_an_invalid_poam(world):
    client = world.client(world.viewer)
    page = client.get(reverse("oscal_exports", kwargs={"org": world.org.slug}))
    assert page.status_code == 200
    assert "No nonconformity is open" in page.content.decode()
    assert reverse("oscal_poam", kwargs={"org": world.org.slug}) not in page.content.decode()
    response = client.get(reverse("oscal_poam", kwargs={"org": world.org.slug}), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "oscal_exports", kwargs={"org": world.org.slug}
    )
    assert "No nonconformity is open" in response.content.decode()
    api = ApiClient.for_member(world.viewer, world.org)
    answer = api.get("/api/v1/oscal/poam")
    assert answer.status_code == 409
    assert "No nonconformity is open" in answer.json()["detail"]


# --- Stable identifiers and scoping ------------------------------------------------------------


def test_uuids_are_stable_across_exports_and_differ_between_organizations(world, acme):
    first = every_document(world.org, acme)
    second = every_document(world.org, acme)
    assert first == second
    other = fill(world.other_org, world.outsider)
    theirs = every_document(world.other_org, other)
    shared = all_uuids(first["catalog"])  # the catalog the SoA documents point to
    kinds = ("soa-profile", "soa-components", "additional-controls", "readiness", "audit", "poam")
    for kind in kinds:
        ours = all_uuids(first[kind]) - shared
        assert ours and not ours & all_uuids(theirs[kind]), kind
    assert first["catalog"] == theirs["catalog"]  # the standard is the same for everyone


def test_a_document_uuid_changes_when_its_record_changes_and_item_uuids_stay(world, acme):
    before = exports.build("poam", world.org)["plan-of-action-and-milestones"]
    ncs.add_action(
        acme["nc"],
        actor=world.owner,
        owner=world.owner,
        title="Train the team",
        due_date=TODAY + dt.timedelta(days=30),
    )
    after = exports.build("poam", world.org)["plan-of-action-and-milestones"]
    assert after["uuid"] != before["uuid"]
    assert after["metadata"]["last-modified"] > before["metadata"]["last-modified"]
    assert after["poam-items"][0]["uuid"] == before["poam-items"][0]["uuid"]
    assert len(after["risks"][0]["remediations"][0]["tasks"]) == 2
    assert_valid({"plan-of-action-and-milestones": after})


def test_another_organizations_records_never_appear(world, acme):
    fill(world.other_org, world.outsider, name="Secret fraud model")
    ncs.raise_nonconformity(
        world.other_org,
        title="Their secret nonconformity",
        description="Not ours.",
        source=Source.OTHER,
        severity=Severity.MINOR,
        actor=world.outsider,
    )
    text = json.dumps(every_document(world.org, acme))
    assert "Secret fraud model" not in text
    assert "Their secret nonconformity" not in text
    assert "Other Corp" not in text
    with pytest.raises(ValueError):
        exports.build("audit", world.org, Audit.objects.get(organization=world.other_org))


# --- Pages and API -----------------------------------------------------------------------------


def test_viewers_and_auditors_download_every_export_and_outsiders_get_404(world, acme):
    slug = world.org.slug
    urls = [
        reverse("oscal_catalog", kwargs={"org": slug}),
        reverse("oscal_soa_profile", kwargs={"org": slug}),
        reverse("oscal_soa_components", kwargs={"org": slug}),
        reverse("oscal_additional_catalog", kwargs={"org": slug}),
        reverse("oscal_poam", kwargs={"org": slug}),
        reverse(
            "oscal_readiness_results",
            kwargs={"org": slug, "readiness_assessment_id": acme["assessment"].pk},
        ),
        reverse("oscal_audit_results", kwargs={"org": slug, "audit_id": acme["audit"].pk}),
    ]
    page = world.client(world.viewer).get(reverse("oscal_exports", kwargs={"org": slug}))
    for url in urls:
        assert url in page.content.decode()
    for user in (world.viewer, world.auditor):
        client = world.client(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Content-Disposition"].startswith("attachment; filename=")
            document = json.loads(response.content)
            assert_valid(document)
            if "catalog" not in document:  # links to the app's pages are absolute
                assert '"http://testserver/o/acme-lending/' in response.content.decode()
    outsider = world.client(world.outsider)
    for url in [reverse("oscal_exports", kwargs={"org": slug}), *urls]:
        assert outsider.get(url).status_code == 404


def test_another_organizations_audit_is_404_on_the_page_and_the_api(world, acme):
    other = fill(world.other_org, world.outsider)
    response = world.client(world.owner).get(
        reverse(
            "oscal_audit_results", kwargs={"org": world.org.slug, "audit_id": other["audit"].pk}
        )
    )
    assert response.status_code == 404
    api = ApiClient.for_member(world.owner, world.org)
    assert (
        api.get(f"/api/v1/oscal/audits/{other['audit'].pk}/assessment-results").status_code == 404
    )
    path = f"/api/v1/oscal/readiness/{other['assessment'].pk}/assessment-results"
    assert api.get(path).status_code == 404


def test_the_api_answers_the_same_documents(world, acme):
    api = ApiClient.for_member(world.auditor, world.org)
    paths = {
        "/api/v1/oscal/catalog": "catalog",
        "/api/v1/oscal/soa/profile": "profile",
        "/api/v1/oscal/soa/component-definition": "component-definition",
        "/api/v1/oscal/soa/additional-controls": "catalog",
        "/api/v1/oscal/poam": "plan-of-action-and-milestones",
        f"/api/v1/oscal/readiness/{acme['assessment'].pk}/assessment-results": "assessment-results",
        f"/api/v1/oscal/audits/{acme['audit'].pk}/assessment-results": "assessment-results",
    }
    for path, model in paths.items():
        response = api.get(path)
        assert response.status_code == 200, path
        document = response.json()
        assert list(document) == [model]
        assert_valid(document)
    web = json.loads(
        world.client(world.viewer)
        .get(reverse("oscal_poam", kwargs={"org": world.org.slug}))
        .content
    )
    assert web == api.get("/api/v1/oscal/poam").json()
    assert ApiClient(None).get("/api/v1/oscal/catalog").status_code == 401


# --- The command line --------------------------------------------------------------------------


def test_aims_oscal_export_writes_the_same_valid_document(world, acme, tmp_path, capsys):
    from aims.cli import main

    target = tmp_path / "poam.json"
    slug = world.org.slug
    assert main(["oscal", "export", "poam", "--org", slug, "--output", str(target)]) == 0
    written = json.loads(target.read_text())
    assert_valid(written)
    assert written == exports.build("poam", world.org)
    audit = acme["audit"]
    assert main(["oscal", "export", "audit", "--org", slug, "--record", audit.ref]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert_valid(printed)
    assert printed["assessment-results"]["results"][0]["title"] == str(audit)
    # another organization's audit is not found, whatever its number
    other = fill(world.other_org, world.outsider)
    number = str(other["audit"].pk)
    assert main(["oscal", "export", "audit", "--org", slug, "--record", number]) == 1
    assert "No audit" in capsys.readouterr().err


def test_every_export_of_the_demo_organization_validates(db):
    """The demo's records: many controls decided, evidence, assessments, audits and
    nonconformities in every state."""
    from aims.demo.loader import load_demo

    org, _owner, _created = load_demo(password="a-demo-password-123")
    available = exports.available(org)
    assert not any(e.refusal for e in available["documents"])
    assert available["assessments"] and available["audits"]
    records = [(e.kind, None) for e in available["documents"]]
    records += [("readiness", a) for a in Assessment.objects.for_org(org)]
    records += [("audit", a) for a in Audit.objects.for_org(org)]
    for kind, record in records:
        document = exports.build(kind, org, record)
        assert errors_of(document) == [], (kind, record)
