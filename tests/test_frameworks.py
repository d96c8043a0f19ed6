"""Frameworks beside ISO/IEC 42001: the shipped data, the crosswalk coverage of the demo
organization, the CSV and OSCAL imports, and that an organization's own framework is its alone."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aims.catalog.loader import load_catalog
from aims.demo.loader import load_demo
from aims.documents.models import Document
from aims.documents.services import create_from_starter
from aims.frameworks.coverage import Status, coverage
from aims.frameworks.imports import MAX_ROWS
from aims.frameworks.loader import DATA_DIR
from aims.frameworks.models import (
    Framework,
    MappingSource,
    Origin,
    Requirement,
    RequirementMapping,
    ServedRecord,
)
from aims.frameworks.services import set_served, set_standard_in_use
from aims.trail.models import AuditEvent
from tests.conftest import SHARED_REFERENCE, require_reference
from tests.helpers import ApiClient

NIST = "nist-ai-rmf-1.0"


def url(name: str, org, **kwargs) -> str:
    return reverse(name, kwargs={"org": org.slug, **kwargs})


def upload(text: str | bytes, name: str = "controls.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


# --- Shipped data ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["nist_ai_rmf_to_iso42001.csv", "eu_ai_act_articles.csv"])
def test_the_shipped_copy_matches_the_reference_data(name):
    reference = require_reference(SHARED_REFERENCE / name)
    assert (DATA_DIR / name).read_bytes() == reference.read_bytes()


def test_the_shipped_oscal_schema_matches_the_reference():
    reference = require_reference(SHARED_REFERENCE / "oscal-1.2.1" / "oscal_catalog_schema.json")
    assert (DATA_DIR / "oscal_catalog_schema.json").read_bytes() == reference.read_bytes()


def test_nist_ai_rmf_is_loaded_with_every_crosswalk_row_and_its_provenance(db):
    nist = Framework.objects.get(slug=NIST, organization=None)
    kinds = {
        kind: nist.requirements.filter(kind=kind).count()
        for kind in ("Function", "Category", "Subcategory")
    }
    assert kinds == {"Function": 4, "Category": 19, "Subcategory": 72}
    govern_11 = nist.requirements.get(ref="GOVERN 1.1")
    assert govern_11.parent.ref == "GOVERN 1" and govern_11.parent.parent.ref == "GOVERN"
    rows = list(csv.DictReader(io.StringIO((DATA_DIR / "nist_ai_rmf_to_iso42001.csv").read_text())))
    mappings = RequirementMapping.objects.filter(requirement__framework=nist)
    assert mappings.count() == len(rows) == 280
    assert set(mappings.values_list("source", flat=True)) == {MappingSource.NIST}
    # Annex B guidance B.2.2 is cited as such and maps to control A.2.2.
    policy = mappings.get(requirement=govern_11, cited_ref="B.2.2")
    assert policy.control.ref == "A.2.2" and policy.clause is None
    assert "NIST's published crosswalk" in policy.provenance()
    assert mappings.filter(note__contains="CHECK").count() == 3


def test_the_eu_ai_act_mapping_is_the_projects_and_says_it_is_not_official(db):
    act = Framework.objects.get(slug="eu-ai-act")
    assert act.requirements.count() == 12
    art12 = act.requirements.get(ref="Art. 12")
    assert art12.title == "Record-keeping"
    mapping = art12.mappings.get()
    assert mapping.control.ref == "A.6.2.8"
    assert mapping.source == MappingSource.PROJECT and mapping.made_by == "OpenAIMS project"
    assert not mapping.official
    assert mapping.provenance() == "Made by OpenAIMS project; not an official mapping"


def test_the_harmonized_standards_share_clauses_4_to_10(db):
    for slug in ("iso-9001-2015", "iso-iec-27001-2022", "iso-iec-27701-2025"):
        standard = Framework.objects.get(slug=slug)
        refs = set(standard.requirements.values_list("ref", flat=True))
        assert {"4.1", "5.2", "7.5", "9.2", "9.3", "10.2"} <= refs
        assert standard.requirements.get(ref="7.5").mappings.get().clause.ref == "7.5"
    quality = Framework.objects.get(slug="iso-9001-2015")
    assert quality.requirements.get(ref="10.3").title == "Continual improvement"
    assert quality.requirements.get(ref="6.2").title.startswith("Quality objectives")


def test_loading_the_catalog_again_leaves_the_frameworks_alone(db):
    ids = set(Requirement.objects.values_list("pk", flat=True))
    load_catalog()
    assert set(Requirement.objects.values_list("pk", flat=True)) == ids


# --- Coverage: the demo organization ---------------------------------------------------------


@pytest.fixture
def demo(db):
    org, owner, _ = load_demo(password="a-demo-password-123")
    return org, owner


def test_the_demo_shows_nist_subcategories_evidenced_by_its_records(demo):
    org, owner = demo
    nist = Framework.objects.get(slug=NIST)
    found = coverage(nist, org)
    rows = {row.requirement.ref: row for row in found.rows}
    # GOVERN 1.2 maps to the AI policy (5.2, A.2.2): the demo's approved AI policy evidences it.
    policy = Document.objects.get(organization=org, title="AI policy")
    evidence = rows["GOVERN 1.2"].evidence
    assert rows["GOVERN 1.2"].status == Status.COVERED
    assert any(e.kind == "Documents" and e.pk == policy.pk for e in evidence)
    assert found.covered >= 20 and found.covered + found.not_covered == 72
    assert rows["GOVERN"].heading and rows["GOVERN"].status is None

    response = ApiClient.for_member(owner, org).get(f"/api/v1/frameworks/{NIST}/coverage")
    assert response.status_code == 200
    body = response.json()
    assert body["covered"] == found.covered and len(body["requirements"]) == 72
    govern = next(r for r in body["requirements"] if r["ref"] == "GOVERN 1.2")
    assert govern["status"] == "covered" and policy.pk in [e["id"] for e in govern["evidence"]]

    client = ApiClient.for_member(owner, org).client
    client.force_login(owner)
    page = client.get(url("framework_coverage", org, framework_slug=NIST))
    assert page.status_code == 200
    assert "GOVERN 1.2" in page.text and policy.title in page.text
    gaps = client.get(url("framework_coverage", org, framework_slug=NIST), {"status": "gap"})
    assert gaps.status_code == 200 and "GOVERN 1.2" not in gaps.text
    export = client.get(url("framework_coverage_csv", org, framework_slug=NIST))
    exported = list(csv.reader(io.StringIO(export.content.decode("utf-8"))))
    row = next(r for r in exported if r[0] == "GOVERN 1.2")
    assert row[3] == "Evidenced" and "AI policy" in row[6]


def test_a_standard_counts_only_the_records_marked_as_serving_it(demo):
    org, owner = demo
    security = Framework.objects.get(slug="iso-iec-27001-2022")
    marked = ServedRecord.objects.filter(organization=org, framework=security)
    assert marked.exists(), "the demo marks records serving ISO/IEC 27001"
    assert coverage(security, org).covered > 0
    privacy = Framework.objects.get(slug="iso-iec-27701-2025")
    assert coverage(privacy, org).covered == 0  # not run, nothing marked

    policy = Document.objects.get(organization=org, title="AI policy")
    set_standard_in_use(org, privacy, runs=True, actor=owner)
    set_served(org, privacy, {Document: [policy.pk]}, actor=owner)
    row = next(r for r in coverage(privacy, org).rows if r.requirement.ref == "5.2")
    assert row.status == Status.COVERED and [e.pk for e in row.evidence] == [policy.pk]


# --- CSV import ------------------------------------------------------------------------------

GOOD_CSV = """id,title,parent,mapping
SEC,Security of AI systems,,
SEC-1,Model access is restricted,SEC,A.4.5;A.6.2.6
SEC-2,AI incidents are reported,SEC,A.8.4; 10.2
"""


def import_csv(client, org, text, name="Bank AI controls"):
    return client.post(
        url("framework_import_csv", org), {"name": name, "version": "1", "file": upload(text)}
    )


def test_a_csv_import_creates_an_organizations_framework_with_its_mappings(world):
    response = import_csv(world.client(world.manager), world.org, GOOD_CSV)
    framework = Framework.objects.get(organization=world.org)
    assert response.status_code == 302 and response.url == framework.get_absolute_url()
    assert framework.origin == Origin.CSV and framework.name == "Bank AI controls"
    sec1 = framework.requirements.get(ref="SEC-1")
    assert sec1.parent.ref == "SEC"
    assert sorted(m.target_ref for m in sec1.mappings.all()) == ["A.4.5", "A.6.2.6"]
    mapping = sec1.mappings.first()
    assert mapping.source == MappingSource.ORGANIZATION and "max.manager" in mapping.made_by
    assert "not an official mapping" in mapping.provenance()
    assert AuditEvent.objects.filter(organization=world.org, record_label__contains="Bank AI")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "id,title,parent,mapping\nA,One,,\nB,Two,NOPE,\n",
            "Row 3, column parent: unknown parent NOPE",
        ),
        ("id,title,parent,mapping\nA,One,,6.1.2;Z.9\n", "Row 2, column mapping: unknown ISO"),
        ("id,title,parent,mapping\nA,One,,\nA,Again,,\n", "Row 3, column id: A is used already"),
        ("id,title,parent,mapping\nA," + "x" * 301 + ",,\n", "Row 2, column title: is longer"),
        ("id,title,parent,mapping\nA,One,,\nB,T\x00wo,,\n", "Row 3: contains a NUL byte"),
        (b"id,title,parent,mapping\nA,Caf\xe9,,\n", "Row 2: is not UTF-8 text"),
        ("id,name\nA,One\n", "Row 1: has no column title and unknown column name"),
    ],
)
def test_a_bad_csv_is_refused_row_by_row_and_nothing_is_saved(world, text, said):
    before = (Framework.objects.count(), Requirement.objects.count(), AuditEvent.objects.count())
    response = world.client(world.manager).post(
        url("framework_import_csv", world.org),
        {"name": "Bad", "file": upload(text)},
    )
    assert response.status_code == 422
    assert said in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    after = (Framework.objects.count(), Requirement.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_every_bad_row_is_listed_and_good_rows_are_not_half_saved(world):
    text = "id,title,parent,mapping\nA,One,,A.2.2\nB,,A,\nC,Three,X,\nD,Four,A,9.9.9\n"
    response = import_csv(world.client(world.manager), world.org, text)
    page = response.content.decode()
    assert "Row 3, column title: is empty." in page
    assert "Row 4, column parent: unknown parent X" in page
    assert "Row 5, column mapping: unknown ISO/IEC 42001 id 9.9.9" in page
    assert not Framework.objects.filter(organization=world.org).exists()
    assert not Requirement.objects.filter(ref="A").exists()


def test_a_csv_with_too_many_rows_is_refused(world):
    rows = "".join(f"R{n},Requirement {n},,\n" for n in range(MAX_ROWS + 1))
    response = import_csv(
        world.client(world.manager), world.org, "id,title,parent,mapping\n" + rows
    )
    assert response.status_code == 422
    assert f"more than {MAX_ROWS} rows" in response.content.decode()
    assert not Framework.objects.filter(organization=world.org).exists()


def test_only_a_manager_imports(world):
    response = import_csv(world.client(world.contributor), world.org, GOOD_CSV)
    assert response.status_code == 403
    assert not Framework.objects.filter(organization=world.org).exists()


# --- OSCAL catalog import --------------------------------------------------------------------

CATALOG = {
    "catalog": {
        "uuid": "2b0e5c1a-1111-4111-8111-111111111111",
        "metadata": {
            "title": "Acme AI control catalog",
            "last-modified": "2026-01-01T00:00:00Z",
            "version": "2.1",
            "oscal-version": "1.2.1",
        },
        "groups": [
            {
                "id": "gov",
                "title": "Governance",
                "controls": [
                    {
                        "id": "gov-1",
                        "title": "AI policy",
                        "controls": [{"id": "gov-1.1", "title": "Policy review"}],
                    }
                ],
            },
            {"id": "ops", "title": "Operations", "controls": [{"id": "ops-1", "title": "Logs"}]},
        ],
    }
}


def import_oscal(client, org, document, name=""):
    data = json.dumps(document).encode() if not isinstance(document, bytes) else document
    return client.post(
        url("framework_import_oscal", org),
        {"name": name, "file": SimpleUploadedFile("catalog.json", data, "application/json")},
    )


def test_an_oscal_catalog_becomes_an_organizations_framework(world):
    response = import_oscal(world.client(world.manager), world.org, CATALOG)
    assert response.status_code == 302
    framework = Framework.objects.get(organization=world.org)
    assert framework.origin == Origin.OSCAL
    assert (framework.name, framework.version) == ("Acme AI control catalog", "2.1")
    refs = {
        r.ref: (r.title, r.parent.ref if r.parent else None, r.kind)
        for r in framework.requirements.all()
    }
    assert refs == {
        "gov": ("Governance", None, "Group"),
        "gov-1": ("AI policy", "gov", "Control"),
        "gov-1.1": ("Policy review", "gov-1", "Control"),
        "ops": ("Operations", None, "Group"),
        "ops-1": ("Logs", "ops", "Control"),
    }
    rows = {row.requirement.ref: row for row in coverage(framework, world.org).rows}
    assert rows["gov"].heading and rows["ops-1"].status == Status.UNMAPPED


@pytest.mark.parametrize(
    ("document", "said"),
    [
        (b"{not json", "is not valid JSON"),
        ({"profile": {}}, "is not an OSCAL catalog: it has no top-level"),
        (
            {
                "catalog": {
                    **CATALOG["catalog"],
                    "groups": [
                        {"id": "g", "title": "G", "controls": [{"id": "bad id!", "title": "x"}]}
                    ],
                }
            },
            "does not follow the OSCAL 1.2.1 catalog schema",
        ),
        ({"catalog": {**CATALOG["catalog"], "uuid": "not-a-uuid"}}, "OSCAL 1.2.1 catalog schema"),
        (
            {
                "catalog": {
                    **CATALOG["catalog"],
                    "groups": [{"id": "g", "title": "G", "controls": [{"id": "g", "title": "x"}]}],
                }
            },
            "id g is used twice",
        ),
    ],
)
def test_a_bad_oscal_catalog_is_refused_clearly(world, document, said):
    response = import_oscal(world.client(world.manager), world.org, document, name="X")
    assert response.status_code == 422
    assert said in response.content.decode()
    assert not Framework.objects.filter(organization=world.org).exists()


# --- Scoping ---------------------------------------------------------------------------------


def test_another_organization_cannot_see_or_use_an_organizations_framework(world):
    import_csv(world.client(world.manager), world.org, GOOD_CSV)
    framework = Framework.objects.get(organization=world.org)
    outsider = world.client(world.outsider)
    other = world.other_org
    for name in ("framework_coverage", "framework_coverage_csv", "framework_delete"):
        assert outsider.get(url(name, other, framework_slug=framework.slug)).status_code == 404
        assert outsider.get(url(name, world.org, framework_slug=framework.slug)).status_code in (
            403,
            404,
        )
    assert framework.name not in outsider.get(url("framework_list", other)).content.decode()
    api = ApiClient.for_member(world.outsider, other)
    assert api.get(f"/api/v1/frameworks/{framework.slug}").status_code == 404
    assert framework.slug not in json.dumps(api.get("/api/v1/frameworks").json())
    assert api.raw("DELETE", f"/api/v1/frameworks/{framework.slug}", "").status_code == 404
    # Its own members see it, in the list and the API.
    assert framework.name in world.client(world.viewer).get(url("framework_list", world.org)).text
    mine = ApiClient.for_member(world.viewer, world.org)
    assert mine.get(f"/api/v1/frameworks/{framework.slug}/requirements").json()["count"] == 3


def test_the_same_name_in_two_organizations_gets_each_its_own(world):
    import_csv(world.client(world.manager), world.org, GOOD_CSV, name="Controls")
    import_csv(world.client(world.outsider), world.other_org, GOOD_CSV, name="Controls")
    assert Framework.objects.filter(name="Controls").count() == 2


def test_a_manager_deletes_the_organizations_framework_after_confirming(world):
    import_csv(world.client(world.manager), world.org, GOOD_CSV)
    framework = Framework.objects.get(organization=world.org)
    client = world.client(world.manager)
    delete_url = url("framework_delete", world.org, framework_slug=framework.slug)
    confirm = client.get(delete_url)
    assert confirm.status_code == 200 and "3 requirements" in confirm.text
    assert Framework.objects.filter(pk=framework.pk).exists()
    assert client.post(delete_url).status_code == 302
    assert not Framework.objects.filter(pk=framework.pk).exists()
    assert not Requirement.objects.filter(framework_id=framework.pk).exists()


def test_a_shipped_framework_cannot_be_deleted(world):
    client = world.client(world.owner)
    response = client.post(url("framework_delete", world.org, framework_slug=NIST))
    assert response.status_code == 302
    assert Framework.objects.filter(slug=NIST).exists()
    api = ApiClient.for_member(world.owner, world.org)
    assert api.raw("DELETE", f"/api/v1/frameworks/{NIST}", "").status_code == 409
    assert Framework.objects.filter(slug=NIST).exists()


def test_records_of_another_organization_cannot_be_marked_as_serving(world):
    security = Framework.objects.get(slug="iso-iec-27001-2022")
    set_standard_in_use(world.org, security, runs=True, actor=world.owner)
    theirs = create_from_starter(world.other_org, "ai-policy", actor=world.outsider)
    with pytest.raises(ValidationError):
        set_served(world.org, security, {Document: [theirs.pk]}, actor=world.owner)
    assert not ServedRecord.objects.exists()


def test_the_coverage_page_reads_a_bounded_number_of_queries(demo, django_assert_max_num_queries):
    """One query (and two prefetches) per kind of record, whatever the number of records."""
    org, owner = demo
    client = ApiClient.for_member(owner, org).client
    client.force_login(owner)
    with django_assert_max_num_queries(70):
        response = client.get(url("framework_coverage", org, framework_slug=NIST))
    assert response.status_code == 200


def test_a_second_import_under_the_same_name_is_refused_beside_the_name(world):
    client = world.client(world.manager)
    import_csv(client, world.org, GOOD_CSV, name="Controls")
    response = import_csv(client, world.org, GOOD_CSV, name="Controls")
    assert response.status_code == 422
    assert "has a framework of this name already" in response.content.decode()
    assert Framework.objects.filter(organization=world.org).count() == 1
