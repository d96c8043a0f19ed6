"""Stored evidence files are re-hashed (`aims evidence verify`, weekly by the worker, at every
download); altered or missing ones are flagged on the evidence pages, the API and the dashboard,
with the records of the same organization that share each stored file."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from helpers import ApiClient

from aims.cli import main as aims_main
from aims.evidence import storage
from aims.evidence.models import Blob, Evidence, EvidenceFile, Integrity, Kind
from aims.evidence.services import add_revision, create_evidence, verify_evidence
from aims.trail.models import AuditEvent

CARD = b"Model card of the credit scoring model, version 3.\n"
BIAS = b"Bias test: demographic parity difference 0.03.\n"
POLICY = b"AI policy, approved by the board.\n"


def upload(name: str, content: bytes):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def record(org, actor, title: str, name: str, content: bytes) -> Evidence:
    evidence = Evidence(
        organization=org,
        title=title,
        kind=Kind.FILE,
        effective_from=timezone.localdate() - dt.timedelta(days=3),
    )
    return create_evidence(evidence, actor=actor, files=[upload(name, content)])


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org": org.slug, **kwargs})


def integrity_events(evidence) -> list[dict]:
    return [
        event.changes["integrity"]
        for event in AuditEvent.objects.for_record(evidence).order_by("sequence")
        if "integrity" in event.changes
    ]


@pytest.fixture
def shelf(world):
    """Two records of ours share one stored file (the model card), as does a record of the
    other organization; a third holds the bias test, a fourth an intact policy; one is a link."""
    card = record(world.org, world.owner, "Model card", "model-card.txt", CARD)
    validation = record(world.org, world.owner, "Validation pack", "card-copy.txt", CARD)
    theirs = record(world.other_org, world.outsider, "Their confidential card", "x.txt", CARD)
    bias = record(world.org, world.owner, "Bias test", "bias.txt", BIAS)
    policy = record(world.org, world.owner, "AI policy", "policy.txt", POLICY)
    link = create_evidence(
        Evidence(
            organization=world.org,
            title="Wiki page",
            kind=Kind.LINK,
            url="https://wiki.example.test/ai",
            effective_from=timezone.localdate(),
        ),
        actor=world.owner,
    )
    return {
        "card": card,
        "validation": validation,
        "theirs": theirs,
        "bias": bias,
        "policy": policy,
        "link": link,
    }


@pytest.fixture
def damaged(shelf):
    """The shared model card altered on disk, the bias test deleted, then re-hashed."""
    storage.path_for(sha(CARD)).write_bytes(b"tampered")
    storage.path_for(sha(BIAS)).unlink()
    verify_evidence()
    return shelf


# --- The service --------------------------------------------------------------------------


def test_it_records_what_the_re_hash_finds_on_each_stored_file(shelf):
    storage.path_for(sha(CARD)).write_bytes(b"tampered")
    storage.path_for(sha(BIAS)).unlink()

    report = verify_evidence()

    assert report.checked == 3
    assert Blob.objects.get(pk=sha(CARD)).integrity == Integrity.ALTERED
    assert Blob.objects.get(pk=sha(BIAS)).integrity == Integrity.MISSING
    assert Blob.objects.get(pk=sha(POLICY)).integrity == Integrity.INTACT
    assert not Blob.objects.filter(checked_at__isnull=True).exists()
    found = {blob.sha256: {e.title for e in records} for blob, records in report.damaged}
    assert found == {
        sha(CARD): {"Model card", "Validation pack", "Their confidential card"},
        sha(BIAS): {"Bias test"},
    }
    assert report.records_affected == 4
    assert "3 stored file(s) re-hashed; 2 altered or missing, affecting 4" in report.summary()


def test_it_writes_one_change_trail_event_per_record_sharing_a_damaged_file(shelf):
    storage.path_for(sha(CARD)).write_bytes(b"tampered")
    verify_evidence()

    for name in ("card", "validation", "theirs"):
        assert integrity_events(shelf[name]) == [["unchecked", "altered"]], name
    assert integrity_events(shelf["policy"]) == []
    assert integrity_events(shelf["bias"]) == []
    # Each organization's trail names only its own record's file.
    [event] = [
        e for e in AuditEvent.objects.for_record(shelf["theirs"]) if e.changes.get("integrity")
    ]
    assert event.organization_id == shelf["theirs"].organization_id
    assert "x.txt" in event.note and "model-card.txt" not in event.note
    assert event.actor is None

    verify_evidence()  # found the same again: nothing new to record
    assert integrity_events(shelf["card"]) == [["unchecked", "altered"]]


def test_it_re_hashes_only_one_organizations_files_when_asked(shelf):
    storage.path_for(sha(BIAS)).unlink()
    report = verify_evidence(shelf["theirs"].organization)
    assert report.checked == 1 and not report.problems
    assert Blob.objects.get(pk=sha(CARD)).integrity == Integrity.INTACT
    assert Blob.objects.get(pk=sha(BIAS)).integrity == Integrity.UNCHECKED


def test_the_evidence_knows_its_worst_file_state(damaged, world):
    assert damaged["card"].integrity() == Integrity.ALTERED
    assert damaged["bias"].integrity() == Integrity.MISSING
    assert damaged["policy"].integrity() == Integrity.INTACT
    assert damaged["link"].integrity() == Integrity.INTACT
    titles = set(Evidence.objects.for_org(world.org).damaged().values_list("title", flat=True))
    assert titles == {"Model card", "Validation pack", "Bias test"}


def test_uploading_the_same_content_again_restores_the_file_for_every_record(damaged, world):
    add_revision(damaged["card"], actor=world.owner, files=[upload("model-card.txt", CARD)])

    blob = Blob.objects.get(pk=sha(CARD))
    assert blob.integrity == Integrity.INTACT
    assert storage.state(sha(CARD)) == "intact"
    assert storage.path_for(sha(CARD)).read_bytes() == CARD
    for name in ("card", "validation", "theirs"):
        assert integrity_events(damaged[name])[-1] == ["altered", "intact"], name
    assert damaged["validation"].integrity() == Integrity.INTACT
    titles = set(Evidence.objects.for_org(world.org).damaged().values_list("title", flat=True))
    assert titles == {"Bias test"}


def test_a_download_that_finds_damage_flags_the_records_at_once(shelf, world):
    storage.path_for(sha(POLICY)).write_bytes(b"tampered")
    stored = EvidenceFile.objects.get(revision__evidence=shelf["policy"])
    response = world.client(world.viewer).get(
        url("evidence_download", world.org, evidence_id=shelf["policy"].pk, file_id=stored.pk)
    )
    assert response.status_code == 409
    assert "no longer matches" in response.content.decode()
    assert Blob.objects.get(pk=sha(POLICY)).integrity == Integrity.ALTERED
    assert integrity_events(shelf["policy"]) == [["unchecked", "altered"]]


def test_the_worker_re_hashes_when_a_week_has_passed(shelf):
    storage.path_for(sha(BIAS)).unlink()
    call_command("worker", once=True, interval=0, stdout=io.StringIO())
    assert Blob.objects.get(pk=sha(BIAS)).integrity == Integrity.MISSING

    storage.path_for(sha(POLICY)).unlink()
    call_command("worker", once=True, interval=0, stdout=io.StringIO())
    assert Blob.objects.get(pk=sha(POLICY)).integrity == Integrity.INTACT  # not due yet

    Blob.objects.update(checked_at=timezone.now() - dt.timedelta(days=8))
    out = io.StringIO()
    call_command("worker", once=True, interval=0, stdout=out)
    assert Blob.objects.get(pk=sha(POLICY)).integrity == Integrity.MISSING
    assert "2 altered or missing" in out.getvalue()


# --- `aims evidence verify` ---------------------------------------------------------------


def test_the_command_names_each_damaged_file_with_every_record_sharing_it(shelf, world):
    storage.path_for(sha(CARD)).write_bytes(b"tampered")
    storage.path_for(sha(BIAS)).unlink()
    out = io.StringIO()

    with pytest.raises(CommandError, match="2 stored file"):
        call_command("evidence_verify", stdout=out)

    text = out.getvalue()
    assert f"ALTERED sha256 {sha(CARD)}" in text
    assert f"MISSING sha256 {sha(BIAS)}" in text
    assert "shared by 3 evidence record(s)" in text
    card, validation, theirs = shelf["card"], shelf["validation"], shelf["theirs"]
    assert f"{world.org.slug} evidence {card.pk} \u201cModel card\u201d: model-card.txt" in text
    assert f"{world.org.slug} evidence {validation.pk} \u201cValidation pack\u201d" in text
    assert (
        f"{world.other_org.slug} evidence {theirs.pk} \u201cTheir confidential card\u201d" in text
    )
    assert "5 stored file(s) re-hashed" not in text and "3 stored file(s) re-hashed" in text
    assert "AI policy" not in text
    assert str(storage.root()) not in text
    assert Blob.objects.get(pk=sha(CARD)).integrity == Integrity.ALTERED


def test_the_command_for_one_organization_shows_only_its_records(shelf, world):
    storage.path_for(sha(CARD)).write_bytes(b"tampered")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("evidence_verify", org=world.org.slug, stdout=out)
    text = out.getvalue()
    assert "shared by 2 evidence record(s)" in text
    assert "Their confidential card" not in text and world.other_org.slug not in text


def test_the_command_exits_0_when_every_file_is_intact_and_1_otherwise(shelf, world, capsys):
    assert aims_main(["evidence", "verify"]) == 0
    assert "3 stored file(s) re-hashed; all intact." in capsys.readouterr().out

    storage.path_for(sha(BIAS)).unlink()
    assert aims_main(["evidence", "verify", "--org", world.org.slug]) == 1
    captured = capsys.readouterr()
    assert f"MISSING sha256 {sha(BIAS)}" in captured.out
    assert "Evidence verification failed" in captured.err
    # The other organization does not hold the bias test.
    assert aims_main(["evidence", "verify", "--org", world.other_org.slug]) == 0


def test_the_command_refuses_an_unknown_organization(shelf):
    with pytest.raises(CommandError, match="No organization with slug 'nope'"):
        call_command("evidence_verify", org="nope", stdout=io.StringIO())
    assert not Blob.objects.filter(checked_at__isnull=False).exists()


def test_the_command_prints_no_control_characters_from_user_text(world):
    evil = record(world.org, world.owner, "Report\x1b[2J\x1b]0;owned\x07", "r.txt", POLICY)
    storage.path_for(sha(POLICY)).unlink()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("evidence_verify", stdout=out)
    assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()
    assert f"evidence {evil.pk} \u201cReport" in out.getvalue()


# --- Pages --------------------------------------------------------------------------------


def test_the_list_flags_damaged_records_and_filters_them(damaged, world):
    client = world.client(world.viewer)
    page = client.get(url("evidence_list", world.org))
    assert page.status_code == 200
    rows = {item.title: item for item in page.context["page_obj"].object_list}
    assert (rows["Model card"].files_altered, rows["Model card"].files_missing) == (True, False)
    assert (rows["Bias test"].files_altered, rows["Bias test"].files_missing) == (False, True)
    assert not (rows["AI policy"].files_altered or rows["AI policy"].files_missing)
    body = page.content.decode()
    assert body.count(">File altered</span>") == 2 and body.count(">File missing</span>") == 1
    assert "3 evidence records with altered or missing files" in body
    assert 'href="?damaged=1"' in body

    filtered = client.get(url("evidence_list", world.org), {"damaged": "1"})
    titles = {item.title for item in filtered.context["page_obj"].object_list}
    assert titles == {"Model card", "Validation pack", "Bias test"}
    assert 'name="damaged" value="1" checked' in filtered.content.decode()
    assert "Their confidential card" not in filtered.content.decode()


def test_the_list_shows_no_flag_when_every_file_is_intact(shelf, world):
    verify_evidence()
    body = world.client(world.viewer).get(url("evidence_list", world.org)).content.decode()
    assert "File altered" not in body and "File missing" not in body
    assert "with altered or missing files" not in body
    filtered = world.client(world.viewer).get(url("evidence_list", world.org), {"damaged": "1"})
    assert list(filtered.context["page_obj"].object_list) == []
    assert "No evidence matches these filters" in filtered.content.decode()


def test_the_detail_page_warns_and_lists_same_organization_records_sharing_the_file(damaged, world):
    card = damaged["card"]
    response = world.client(world.auditor).get(
        url("evidence_detail", world.org, evidence_id=card.pk)
    )
    assert response.status_code == 200
    [file] = response.context["damaged_files"]
    assert (file.original_name, file.revision.number) == ("model-card.txt", 1)
    assert [e.title for e in file.shared_with] == ["Validation pack"]
    body = response.content.decode()
    warning = body.split('id="integrity-warning"', 1)[1].split("</div>", 1)[0]
    assert "\u201cmodel-card.txt\u201d of revision 1" in warning
    assert "Altered: content no longer matches its hash" in warning
    checked = Blob.objects.get(pk=sha(CARD)).checked_at
    assert timezone.localtime(checked).strftime("%Y-%m-%d %H:%M") in warning
    assert "1 other evidence record of this organization" in warning
    validation_url = url("evidence_detail", world.org, evidence_id=damaged["validation"].pk)
    assert f'href="{validation_url}"' in warning
    # Tenant isolation: the other organization's record sharing the file is neither named,
    # linked nor counted.
    assert "Their confidential card" not in body
    assert f"/evidence/{damaged['theirs'].pk}/" not in body
    assert "2 other" not in body
    assert ">File altered</span>" in body


def test_the_detail_page_names_a_missing_file_and_each_files_state(damaged, world):
    client = world.client(world.viewer)
    body = client.get(
        url("evidence_detail", world.org, evidence_id=damaged["bias"].pk)
    ).content.decode()
    assert "Missing from storage" in body and ">File missing</span>" in body
    assert "\u201cbias.txt\u201d of revision 1" in body
    assert "other evidence record" not in body

    intact = client.get(url("evidence_detail", world.org, evidence_id=damaged["policy"].pk))
    body = intact.content.decode()
    assert intact.context["damaged_files"] == []
    assert 'id="integrity-warning"' not in body
    assert '<span class="badge badge-ok">Intact</span>' in body
    assert "last checked" in body


def test_the_detail_page_lists_sharing_records_of_the_organization_even_when_intact(shelf, world):
    response = world.client(world.viewer).get(
        url("evidence_detail", world.org, evidence_id=shelf["validation"].pk)
    )
    body = response.content.decode()
    assert 'id="integrity-warning"' not in body
    assert "Same stored file as" in body and "Model card" in body
    assert "Their confidential card" not in body
    assert "Not checked yet" in body


def test_outsiders_see_nothing_of_the_damage(damaged, world):
    outsider = world.client(world.outsider)
    assert outsider.get(url("evidence_list", world.org), {"damaged": "1"}).status_code == 404
    card = damaged["card"]
    assert outsider.get(url("evidence_detail", world.org, evidence_id=card.pk)).status_code == 404
    # The other organization's own page of its record names only its own records.
    body = outsider.get(
        url("evidence_detail", world.other_org, evidence_id=damaged["theirs"].pk)
    ).content.decode()
    assert 'id="integrity-warning"' in body
    assert "Model card" not in body and "Validation pack" not in body
    assert "other evidence record" not in body
    other_list = outsider.get(url("evidence_list", world.other_org), {"damaged": "1"})
    assert [e.title for e in other_list.context["page_obj"].object_list] == [
        "Their confidential card"
    ]


# --- API ----------------------------------------------------------------------------------


def test_the_api_gives_the_integrity_of_each_record_and_file(damaged, world):
    api = ApiClient.for_member(world.viewer, world.org)
    body = api.get(f"/api/v1/evidence/{damaged['card'].pk}").json()
    assert body["integrity"] == "altered"
    [file] = body["revisions"][0]["files"]
    assert (file["sha256"], file["integrity"]) == (sha(CARD), "altered")
    checked = Blob.objects.get(pk=sha(CARD)).checked_at
    sent = dt.datetime.fromisoformat(file["checked_at"])
    assert abs(sent - checked) < dt.timedelta(milliseconds=1)  # JSON keeps milliseconds
    assert api.get(f"/api/v1/evidence/{damaged['bias'].pk}").json()["integrity"] == "missing"
    assert api.get(f"/api/v1/evidence/{damaged['policy'].pk}").json()["integrity"] == "intact"
    assert api.get(f"/api/v1/evidence/{damaged['link'].pk}").json()["integrity"] == "intact"


def test_the_api_lists_damaged_or_undamaged_evidence(damaged, world):
    api = ApiClient.for_member(world.viewer, world.org)

    def titles(params):
        response = api.get("/api/v1/evidence", params)
        assert response.status_code == 200, response.content
        return {e["title"] for e in response.json()["items"]}

    assert titles({"damaged": "true"}) == {"Model card", "Validation pack", "Bias test"}
    assert titles({"damaged": "false"}) == {"AI policy", "Wiki page"}
    assert len(titles({})) == 5
    assert api.get("/api/v1/evidence", {"damaged": "perhaps"}).status_code == 422


def test_the_api_shows_unchecked_files_before_the_first_re_hash(shelf, world):
    api = ApiClient.for_member(world.viewer, world.org)
    body = api.get(f"/api/v1/evidence/{shelf['policy'].pk}").json()
    assert body["integrity"] == "unchecked"
    assert body["revisions"][0]["files"][0]["checked_at"] is None


def test_the_api_keeps_other_organizations_damage_to_themselves(damaged, world):
    theirs = ApiClient.for_member(world.outsider, world.other_org)
    assert theirs.get(f"/api/v1/evidence/{damaged['card'].pk}").status_code == 404
    items = theirs.get("/api/v1/evidence", {"damaged": "true"}).json()["items"]
    assert [e["title"] for e in items] == ["Their confidential card"]


def test_the_openapi_names_the_integrity_enum_on_its_own(world):
    api = ApiClient.for_member(world.viewer, world.org)
    schema = api.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert components["EvidenceIntegrity"]["enum"] == list(Integrity.values)
    assert "Integrity" not in components
    parameters = schema["paths"]["/api/v1/evidence"]["get"]["parameters"]
    assert "damaged" in {p["name"] for p in parameters}


# --- Dashboard ----------------------------------------------------------------------------


def test_the_dashboard_counts_damaged_evidence_and_links_to_it(damaged, world):
    response = world.client(world.viewer).get(reverse("dashboard", kwargs={"org": world.org.slug}))
    summary = response.context["summary"]
    assert summary.data("evidence")["damaged_count"] == 3
    assert {e.title for e in summary.data("evidence")["damaged"]} == {
        "Model card",
        "Validation pack",
        "Bias test",
    }
    assert summary.attention_count >= 3
    body = response.content.decode()
    strip = body.split('id="damaged-evidence"', 1)[1].split("</div>", 1)[0]
    assert "Evidence with altered or missing files" in strip
    assert '<span class="badge badge-bad">3</span>' in strip
    assert f'href="{url("evidence_list", world.org)}?damaged=1"' in strip
    assert "Their confidential card" not in body


def test_the_dashboard_says_nothing_of_integrity_when_all_is_intact(shelf, world):
    verify_evidence()
    response = world.client(world.viewer).get(reverse("dashboard", kwargs={"org": world.org.slug}))
    assert response.context["summary"].data("evidence")["damaged_count"] == 0
    assert 'id="damaged-evidence"' not in response.content.decode()


def test_the_command_re_hashes_a_checks_uploaded_data_too(world):
    from aims.checks.services import store_data_file

    blob, _ = store_data_file(SimpleUploadedFile("log.csv", b"repaid,approved\n1,1\n"))
    out = io.StringIO()
    call_command("evidence_verify", stdout=out)
    assert "1 stored file(s) re-hashed; all intact." in out.getvalue()
    storage.path_for(blob.sha256).write_bytes(b"tampered")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 stored file"):
        call_command("evidence_verify", stdout=out)
    assert f"ALTERED sha256 {blob.sha256}" in out.getvalue()
    assert "in no evidence record (a check's uploaded data file)" in out.getvalue()
    assert Blob.objects.get(pk=blob.sha256).integrity == Integrity.ALTERED
