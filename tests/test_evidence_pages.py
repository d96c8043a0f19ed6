import datetime as dt
import hashlib
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.evidence import storage
from aims.evidence.models import Blob, Evidence, EvidenceFile, Kind, Revision
from aims.evidence.services import create_evidence
from aims.soa.models import SoAEntry
from aims.trail.models import Action, AuditEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org": org.slug, **kwargs})


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def form_data(**overrides):
    data = {
        "title": "AI policy v2",
        "description": "Approved by the board.",
        "kind": Kind.FILE,
        "url": "",
        "effective_from": "2025-01-10",
        "valid_until": "",
    }
    data.update(overrides)
    return data


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]


def make_file_evidence(org, actor, *, title="Policy", content=PDF, **fields):
    defaults = {"effective_from": timezone.localdate() - dt.timedelta(days=5)}
    defaults.update(fields)
    evidence = Evidence(organization=org, title=title, kind=Kind.FILE, **defaults)
    return create_evidence(
        evidence, actor=actor, files=[upload(f"{title}.pdf", content, "application/pdf")]
    )


def test_contributor_uploads_a_file_stored_by_its_hash(world, evidence_root):
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.2.2")
    response = world.client(world.contributor).post(
        url("evidence_create", world.org),
        form_data(files=[upload("policy.pdf", PDF, "application/pdf")], soa_entries=[entry.pk]),
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(organization=world.org)
    assert evidence.created_by == world.contributor
    assert list(evidence.soa_entries.all()) == [entry]
    sha = hashlib.sha256(PDF).hexdigest()
    assert (evidence_root / sha[:2] / sha[2:4] / sha).read_bytes() == PDF
    assert Blob.objects.get(sha256=sha).size == len(PDF)
    revision = Revision.objects.get(evidence=evidence)
    assert revision.number == 1
    stored = EvidenceFile.objects.get(revision=revision)
    assert (stored.original_name, stored.content_type) == ("policy.pdf", "application/pdf")
    assert AuditEvent.objects.for_record(evidence).filter(action=Action.CREATE).exists()

    detail = world.client(world.viewer).get(
        url("evidence_detail", world.org, evidence_id=evidence.pk)
    )
    assert detail.status_code == 200
    body = detail.content.decode()
    assert sha in body and "policy.pdf" in body and "A.2.2" in body


def test_create_form_accepts_several_files_and_is_multipart(world):
    client = world.client(world.contributor)
    page = client.get(url("evidence_create", world.org))
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert "multiple" in str(page.context["form"]["files"])
    response = client.post(
        url("evidence_create", world.org),
        form_data(
            files=[
                upload("policy.pdf", PDF, "application/pdf"),
                upload("chart.png", PNG, "image/png"),
                upload("notes.csv", b"a,b\n1,2\n", "text/csv"),
            ]
        ),
    )
    assert response.status_code == 302
    names = set(
        EvidenceFile.objects.filter(revision__evidence__organization=world.org).values_list(
            "original_name", flat=True
        )
    )
    assert names == {"policy.pdf", "chart.png", "notes.csv"}
    assert Revision.objects.count() == 1


def test_link_evidence_needs_an_address_and_no_files(world):
    client = world.client(world.contributor)
    response = client.post(url("evidence_create", world.org), form_data(kind=Kind.LINK))
    assert response.status_code == 200
    assert "address" in response.context["form"].errors["url"][0]
    response = client.post(
        url("evidence_create", world.org),
        form_data(kind=Kind.LINK, url="https://wiki.example/ai-policy"),
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(organization=world.org)
    assert evidence.url == "https://wiki.example/ai-policy"
    assert not evidence.revisions.exists()


def test_file_evidence_without_a_file_is_refused(world):
    response = world.client(world.contributor).post(url("evidence_create", world.org), form_data())
    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert not Evidence.objects.exists()


def test_every_bad_file_is_said_at_once_with_the_other_errors(world, evidence_root):
    response = world.client(world.contributor).post(
        url("evidence_create", world.org),
        form_data(
            title="",
            files=[
                upload("run.exe", b"MZ\x90\x00", "application/octet-stream"),
                upload("policy.pdf", PDF, "application/pdf"),
                upload("fake.pdf", b"not a pdf at all", "application/pdf"),
            ],
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "title" in errors
    assert len(errors["files"]) == 2, errors["files"]
    assert "run.exe" in errors["files"][0] and "fake.pdf" in errors["files"][1]
    assert not Evidence.objects.exists() and not stored_files(evidence_root)


def test_oversized_upload_is_refused_and_nothing_is_saved(world, settings, evidence_root):
    settings.AIMS_MAX_UPLOAD_MB = 1
    big = b"a," * (768 * 1024)  # 1.5 MB of CSV text
    events_before = AuditEvent.objects.count()
    response = world.client(world.contributor).post(
        url("evidence_create", world.org),
        form_data(
            files=[upload("small.csv", b"a,b\n", "text/csv"), upload("big.csv", big, "text/csv")]
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["files"]
    assert any("1.5 MB" in e and "limit is 1 MB" in e for e in errors)
    assert not Evidence.objects.exists()
    assert not Revision.objects.exists() and not EvidenceFile.objects.exists()
    assert not Blob.objects.exists()
    assert AuditEvent.objects.count() == events_before
    assert stored_files(evidence_root) == []


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("report.pdf", b"This is plain text, not a PDF.\n", "named .pdf"),
        ("figures.csv", PNG, "its content is PNG"),
    ],
)
def test_content_that_does_not_match_its_name_is_refused(
    world, evidence_root, name, content, expected
):
    response = world.client(world.contributor).post(
        url("evidence_create", world.org), form_data(files=[upload(name, content)])
    )
    assert response.status_code == 200
    assert any(expected in e for e in response.context["form"].errors["files"])
    assert not Evidence.objects.exists() and not Blob.objects.exists()
    assert stored_files(evidence_root) == []


def test_new_revision_keeps_earlier_files_downloadable(world):
    evidence = make_file_evidence(world.org, world.owner, content=PDF)
    v2 = PDF.replace(b"1.4", b"1.7")
    client = world.client(world.contributor)
    response = client.post(
        url("evidence_revision_create", world.org, evidence_id=evidence.pk),
        {
            "files": [upload("policy-v2.pdf", v2, "application/pdf")],
            "note": "2025 review",
            "valid_until": "2030-12-31",
        },
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.valid_until == dt.date(2030, 12, 31)
    assert list(evidence.revisions.values_list("number", "note")) == [
        (2, "2025 review"),
        (1, "First version"),
    ]
    detail = client.get(url("evidence_detail", world.org, evidence_id=evidence.pk))
    assert "policy-v2.pdf" in detail.content.decode() and "Policy.pdf" in detail.content.decode()
    for stored, content in [
        (EvidenceFile.objects.get(revision__number=1), PDF),
        (EvidenceFile.objects.get(revision__number=2), v2),
    ]:
        download = client.get(
            url("evidence_download", world.org, evidence_id=evidence.pk, file_id=stored.pk)
        )
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == content


def test_download_sends_an_attachment_with_its_hash(world):
    evidence = make_file_evidence(world.org, world.owner, title='Q3 "board" report')
    stored = EvidenceFile.objects.get(revision__evidence=evidence)
    response = world.client(world.viewer).get(
        url("evidence_download", world.org, evidence_id=evidence.pk, file_id=stored.pk)
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-SHA256"] == hashlib.sha256(PDF).hexdigest()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'Q3 \\"board\\" report.pdf' in disposition or "filename*=" in disposition


def test_download_refuses_a_tampered_stored_file(world, evidence_root, caplog):
    evidence = make_file_evidence(world.org, world.owner)
    stored = EvidenceFile.objects.get(revision__evidence=evidence)
    storage.path_for(stored.blob.sha256).write_bytes(PDF + b"tampered")
    with caplog.at_level(logging.ERROR):
        response = world.client(world.owner).get(
            url("evidence_download", world.org, evidence_id=evidence.pk, file_id=stored.pk)
        )
    assert response.status_code == 409
    assert "no longer matches its recorded hash" in response.content.decode()
    assert stored.blob.sha256 in caplog.text
    stored.refresh_from_db()
    assert stored.blob.sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_file_is_only_found_through_its_own_evidence_and_organization(world):
    ours = make_file_evidence(world.org, world.owner, title="Ours")
    other = make_file_evidence(world.org, world.owner, title="Other", content=PDF + b"2")
    theirs = make_file_evidence(world.other_org, world.outsider, title="Theirs", content=PDF + b"3")
    their_file = EvidenceFile.objects.get(revision__evidence=theirs)
    other_file = EvidenceFile.objects.get(revision__evidence=other)
    client = world.client(world.owner)
    assert (
        client.get(
            url("evidence_download", world.org, evidence_id=ours.pk, file_id=other_file.pk)
        ).status_code
        == 404
    )
    assert (
        client.get(
            url("evidence_download", world.org, evidence_id=theirs.pk, file_id=their_file.pk)
        ).status_code
        == 404
    )


def test_edit_changes_metadata_and_links(world):
    evidence = make_file_evidence(world.org, world.owner)
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.5.2")
    response = world.client(world.contributor).post(
        url("evidence_edit", world.org, evidence_id=evidence.pk),
        {
            "title": "Impact assessment",
            "description": "",
            "effective_from": "2025-02-01",
            "valid_until": "2025-01-01",
            "soa_entries": [entry.pk],
        },
    )
    assert response.status_code == 200
    assert "expire before" in response.context["form"].errors["valid_until"][0]
    response = world.client(world.contributor).post(
        url("evidence_edit", world.org, evidence_id=evidence.pk),
        {
            "title": "Impact assessment",
            "description": "",
            "effective_from": "2025-02-01",
            "valid_until": "2026-02-01",
            "soa_entries": [entry.pk],
        },
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.title == "Impact assessment" and evidence.valid_until == dt.date(2026, 2, 1)
    assert list(evidence.soa_entries.all()) == [entry]


def test_only_managers_delete_and_files_stay_in_storage(world, evidence_root):
    evidence = make_file_evidence(world.org, world.owner)
    delete = url("evidence_delete", world.org, evidence_id=evidence.pk)
    assert world.client(world.contributor).post(delete).status_code == 403
    assert world.client(world.manager).get(delete).status_code == 405
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    response = world.client(world.manager).post(delete)
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not EvidenceFile.objects.exists()
    assert Blob.objects.count() == 1 and len(stored_files(evidence_root)) == 1
    assert AuditEvent.objects.filter(record_id=str(evidence.pk), action=Action.DELETE).exists()


def test_viewer_and_auditor_cannot_write(world):
    evidence = make_file_evidence(world.org, world.owner)
    for user in (world.viewer, world.auditor):
        client = world.client(user)
        for name, kwargs in [
            ("evidence_create", {}),
            ("evidence_edit", {"evidence_id": evidence.pk}),
            ("evidence_revision_create", {"evidence_id": evidence.pk}),
        ]:
            assert client.get(url(name, world.org, **kwargs)).status_code == 403
            assert client.post(url(name, world.org, **kwargs), form_data()).status_code == 403
        assert (
            client.post(url("evidence_delete", world.org, evidence_id=evidence.pk)).status_code
            == 403
        )
    assert Evidence.objects.count() == 1
    evidence.refresh_from_db()
    assert evidence.title == "Policy" and evidence.revisions.count() == 1


def test_outsider_gets_404_on_everything(world):
    evidence = make_file_evidence(world.org, world.owner)
    stored = EvidenceFile.objects.get(revision__evidence=evidence)
    client = world.client(world.outsider)
    for name, kwargs in [
        ("evidence_list", {}),
        ("evidence_create", {}),
        ("evidence_detail", {"evidence_id": evidence.pk}),
        ("evidence_edit", {"evidence_id": evidence.pk}),
        ("evidence_revision_create", {"evidence_id": evidence.pk}),
        ("evidence_download", {"evidence_id": evidence.pk, "file_id": stored.pk}),
    ]:
        assert client.get(url(name, world.org, **kwargs)).status_code == 404
    assert (
        client.post(url("evidence_delete", world.org, evidence_id=evidence.pk)).status_code == 404
    )
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_list_filters_by_state_kind_and_control(world):
    today = timezone.localdate()
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.2.2")
    current = make_file_evidence(world.org, world.owner, title="Current")
    current.soa_entries.set([entry])
    make_file_evidence(
        world.org,
        world.owner,
        title="Expired",
        content=PDF + b"e",
        effective_from=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=1),
    )
    make_file_evidence(
        world.org,
        world.owner,
        title="Future",
        content=PDF + b"f",
        effective_from=today + dt.timedelta(days=30),
    )
    create_evidence(
        Evidence(
            organization=world.org,
            title="Wiki",
            kind=Kind.LINK,
            url="https://wiki.example",
            effective_from=today,
        ),
        actor=world.owner,
    )
    client = world.client(world.viewer)

    def titles(**params):
        response = client.get(url("evidence_list", world.org), params)
        assert response.status_code == 200
        return {e.title for e in response.context["page_obj"]}

    assert titles() == {"Current", "Expired", "Future", "Wiki"}
    assert titles(state="current") == {"Current", "Wiki"}
    assert titles(state="expired") == {"Expired"}
    assert titles(state="not_yet_effective") == {"Future"}
    assert titles(kind="link") == {"Wiki"}
    assert titles(control=str(entry.pk)) == {"Current"}
    assert titles(q="wik") == {"Wiki"}
    body = client.get(url("evidence_list", world.org)).content.decode()
    assert "Expired</span>" in body
    # The control filter: every SoA control to choose from, the chosen one kept.
    chosen = client.get(url("evidence_list", world.org), {"control": str(entry.pk)})
    page = chosen.content.decode()
    assert '<select name="control" aria-label="SoA controls">' in page
    assert '<option value="">Any control</option>' in page
    assert f'<option value="{entry.pk}" selected>A.2.2 ' in page
    assert page.count("<option value=") - page.count('<option value="">') >= 38 + 2 + 3


def test_list_shows_each_pieces_linked_controls_in_the_soas_order(world):
    """Four refs in the SoA's order and how many more; the title names them all; a piece
    linked to nothing shows a dash."""
    from aims.core.areas import record_links

    link = next(link for link in record_links() if link.name == "soa_entries")
    ordered = list(link.queryset().filter(organization=world.org))
    linked = make_file_evidence(world.org, world.owner, title="Linked", content=PDF + b"1")
    linked.soa_entries.set(ordered[5::-1])  # six, given in reverse
    make_file_evidence(world.org, world.owner, title="Alone", content=PDF + b"2")
    response = world.client(world.viewer).get(url("evidence_list", world.org))
    items = {item.title: item for item in response.context["page_obj"]}
    cells = [(link.short(e), link.describe(e)) for e in ordered[:6]]
    assert items["Linked"].link_cells[0] == cells
    assert items["Alone"].link_cells[0] == []
    body = response.content.decode()
    shown = ", ".join(short for short, _ in cells[:4])
    assert f">{shown} +2</span>" in body


def test_list_shows_an_empty_state(world):
    response = world.client(world.contributor).get(url("evidence_list", world.org))
    assert response.status_code == 200
    assert "No evidence recorded yet" in response.content.decode()


def test_list_query_count_is_constant(world):
    entries = list(SoAEntry.objects.for_org(world.org)[:3])
    client = world.client(world.viewer)

    def add(n, start):
        for i in range(start, start + n):
            evidence = make_file_evidence(
                world.org, world.owner, title=f"E{i}", content=PDF + str(i).encode()
            )
            evidence.soa_entries.set(entries)

    add(2, 0)
    with CaptureQueriesContext(connection) as two:
        assert client.get(url("evidence_list", world.org)).status_code == 200
    add(18, 2)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(url("evidence_list", world.org))
    assert len(response.context["page_obj"].object_list) == 20
    assert len(twenty) == len(two)


def test_create_form_defaults_effective_from_to_today_and_prefills_a_control(world):
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.2.2")
    response = world.client(world.contributor).get(
        url("evidence_create", world.org), {"soa_entries": entry.pk}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form["effective_from"].value() == timezone.localdate()
    assert [str(v) for v in form["soa_entries"].value()] == [str(entry.pk)]
    assert "A.2.2 AI policy" in response.content.decode()
