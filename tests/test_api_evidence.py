"""Evidence through the API: multipart uploads, links, metadata and filters."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from helpers import ApiClient

from aims.evidence.models import Blob, Evidence, EvidenceFile
from aims.evidence.services import create_evidence
from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.trail.models import Action, AuditEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def api(world):
    return ApiClient.for_member(world.contributor, world.org)


def errors_of(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def upload(name: str, content: bytes, content_type: str = "text/plain"):
    return SimpleUploadedFile(name, content, content_type)


def form(**extra) -> dict:
    return {"title": "Bias test report", "effective_from": "2025-03-01", **extra}


def test_a_contributor_uploads_evidence_with_several_files(world, api):
    response = api.post_form(
        "/api/v1/evidence",
        form(
            soa_entries=["A.6.2.4", "A.7.4"],
            clauses=["6.1.2"],
            files=[upload("report.md", b"# Results\n"), upload("chart.png", PNG, "image/png")],
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "file"
    assert sorted(body["soa_entries"]) == ["A.6.2.4", "A.7.4"]
    assert body["clauses"] == ["6.1.2"]
    [revision] = body["revisions"]
    files = {f["name"]: f for f in revision["files"]}
    assert files["report.md"]["sha256"] == hashlib.sha256(b"# Results\n").hexdigest()
    assert files["report.md"]["size"] == 10
    assert files["chart.png"]["content_type"] == "image/png"
    evidence = Evidence.objects.get(organization=world.org)
    assert evidence.created_by == world.contributor
    assert EvidenceFile.objects.filter(revision__evidence=evidence).count() == 2
    event = AuditEvent.objects.for_record(evidence).get()
    assert (event.action, event.actor) == (Action.CREATE, world.contributor)
    detail = api.get(f"/api/v1/evidence/{evidence.pk}").json()
    assert detail["revisions"] == body["revisions"]


def test_a_link_is_recorded_without_files(world, api):
    response = api.post_form(
        "/api/v1/evidence", form(kind="link", url="https://wiki.example.test/model-card")
    )
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get(organization=world.org)
    assert (evidence.kind, evidence.url) == ("link", "https://wiki.example.test/model-card")
    assert not evidence.revisions.exists()


def test_an_oversize_upload_is_refused_by_name_and_nothing_is_saved(world, api, settings):
    settings.AIMS_MAX_UPLOAD_MB = 1
    big = upload("big.csv", b"a," * (512 * 1024 + 1))
    response = api.post_form("/api/v1/evidence", form(files=[upload("ok.txt", b"ok"), big]))
    assert response.status_code == 422
    errors = errors_of(response)
    assert errors["files"].startswith("big.csv is 1.0 MB; the limit is 1 MB")
    assert not Evidence.objects.exists()
    assert not Blob.objects.exists()


def test_a_file_whose_content_does_not_match_its_name_is_refused(world, api):
    response = api.post_form(
        "/api/v1/evidence", form(files=[upload("policy.pdf", b"just text", "application/pdf")])
    )
    assert response.status_code == 422
    assert errors_of(response)["files"].startswith("policy.pdf is named .pdf but its content")
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        (form(), "files"),
        (form(kind="link"), "url"),
        (form(kind="link", url="not an address"), "url"),
        (form(kind="video"), "kind"),
        (form(effective_from="01.03.2025"), "effective_from"),
        (form(valid_until="2025-01-01", files=[upload("a.txt", b"a")]), "valid_until"),
        ({"effective_from": "2025-01-01", "files": [upload("a.txt", b"a")]}, "title"),
        (form(clauses=["99.9"], files=[upload("a.txt", b"a")]), "clauses"),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(world, api, data, field):
    response = api.post_form("/api/v1/evidence", data)
    assert response.status_code == 422, response.content
    assert field in errors_of(response)
    assert not Evidence.objects.exists()


def test_links_to_another_organizations_records_are_refused(world, api):
    theirs = save_system(
        AISystem(organization=world.other_org, name="Theirs", purpose="p"), actor=world.outsider
    )
    response = api.post_form(
        "/api/v1/evidence", form(systems=[theirs.slug], files=[upload("a.txt", b"a")])
    )
    assert response.status_code == 422
    assert errors_of(response) == {"systems": f"Unknown AI system: {theirs.slug}."}
    assert not Evidence.objects.exists()


def make_evidence(world, title="Policy", valid_until=None, **links) -> Evidence:
    evidence = Evidence(
        organization=world.org,
        title=title,
        kind="link",
        url="https://example.test/" + title,
        effective_from=dt.date(2025, 1, 1),
        valid_until=valid_until,
    )
    return create_evidence(evidence, actor=world.owner, links=links)


def test_patch_changes_metadata_and_the_links_sent(world, api):
    system = save_system(
        AISystem(organization=world.org, name="Credit", purpose="p"), actor=world.owner
    )
    evidence = make_evidence(world, systems=[system])
    response = api.patch(
        f"/api/v1/evidence/{evidence.pk}",
        {"title": "AI policy v2", "valid_until": "2027-01-01", "soa_entries": ["A.2.2"]},
    )
    assert response.status_code == 200, response.content
    evidence.refresh_from_db()
    assert evidence.title == "AI policy v2"
    assert evidence.valid_until == dt.date(2027, 1, 1)
    assert [e.control.ref for e in evidence.soa_entries.all()] == ["A.2.2"]
    assert list(evidence.systems.all()) == [system]  # not sent, not changed
    assert AuditEvent.objects.for_record(evidence).filter(action=Action.UPDATE).exists()


def test_patch_refuses_an_expiry_before_the_effective_date(world, api):
    evidence = make_evidence(world)
    response = api.patch(f"/api/v1/evidence/{evidence.pk}", {"valid_until": "2024-01-01"})
    assert response.status_code == 422
    assert "valid_until" in errors_of(response)
    evidence.refresh_from_db()
    assert evidence.valid_until is None
    assert api.patch(f"/api/v1/evidence/{evidence.pk}", {"kind": "file"}).status_code == 422
    assert api.get("/api/v1/evidence/not-a-number").status_code == 404


def test_the_list_filters_expired_evidence(world, api):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    make_evidence(world, title="Old", valid_until=yesterday)
    make_evidence(world, title="Current")

    def titles(params):
        return {e["title"] for e in api.get("/api/v1/evidence", params).json()["items"]}

    assert titles({}) == {"Old", "Current"}
    assert titles({"expired": "true"}) == {"Old"}
    assert titles({"expired": "false"}) == {"Current"}
    assert api.get("/api/v1/evidence", {"expired": "true"}).json()["items"][0]["is_expired"]


def test_the_list_does_not_query_per_row(world, api):
    system = save_system(
        AISystem(organization=world.org, name="Credit", purpose="p"), actor=world.owner
    )

    def add(n):
        api.post_form(
            "/api/v1/evidence",
            form(
                title=f"E{n}",
                systems=[system.slug],
                soa_entries=["A.2.2"],
                files=[upload(f"{n}.txt", f"{n}".encode()), upload("x.txt", b"x")],
            ),
        )

    def count() -> int:
        api.get("/api/v1/evidence")
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/evidence").status_code == 200
        return len(queries)

    add(0)
    one = count()
    for n in range(1, 5):
        add(n)
    assert Evidence.objects.count() == 5
    assert count() == one
