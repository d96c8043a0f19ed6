"""The certification evidence package: built by the worker, signed, verified offline."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aims.cli import main as aims_main
from aims.evidence import storage
from aims.evidence.models import Evidence, Kind
from aims.evidence.services import create_evidence
from aims.package import manifest, services
from aims.package.builder import package_path
from aims.package.models import Package, SigningKey, Status
from aims.trail.models import AuditEvent
from aims.trail.services import verify_chain

EVIDENCE_TEXT = b"Validation of the credit model, signed off by the second line.\n"


@pytest.fixture(autouse=True)
def package_dirs(settings, tmp_path):
    settings.AIMS_PACKAGE_DIR = tmp_path / "packages"
    settings.AIMS_PACKAGE_KEY_DIR = tmp_path / "package-keys"


def add_file_evidence(org, actor, name="validation.txt", content=EVIDENCE_TEXT) -> Evidence:
    return create_evidence(
        Evidence(
            organization=org,
            title="Model validation report",
            kind=Kind.FILE,
            effective_from=timezone.localdate(),
        ),
        actor=actor,
        files=[SimpleUploadedFile(name, content, content_type="text/plain")],
    )


def build(world, django_capture_on_commit_callbacks, user=None) -> Package:
    """Ask for a package as the manager through the page; the (immediate) worker builds it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client(user or world.manager).post(
            reverse("package_build", kwargs={"org": world.org.slug})
        )
    assert response.status_code == 302
    return Package.objects.for_org(world.org).get()


@pytest.fixture
def built(world, django_capture_on_commit_callbacks) -> Package:
    add_file_evidence(world.org, world.owner)
    package = build(world, django_capture_on_commit_callbacks)
    assert package.status == Status.READY, package.error
    return package


def rewrite(source, target, *, replace=None, drop=(), add=None) -> None:
    """Copy a package, changing members as a tamperer would (bytes in, bytes out)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in drop:
                continue
            data = old.read(info)
            if replace and info.filename in replace:
                data = replace[info.filename](data)
            new.writestr(info.filename, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)


def run_verify(*argv) -> tuple[int, str]:
    out = io.StringIO()
    path, *rest = argv
    key = rest[0] if rest else None
    return manifest.main(str(path), key, out=out), out.getvalue()


def test_a_built_package_verifies_and_its_digest_is_in_the_trail(world, built):
    path = package_path(built)
    assert path.exists() and built.size == path.stat().st_size
    report = manifest.verify_package(path)
    assert report.ok, report.problems
    assert report.files == built.files
    assert report.organization == world.org.slug
    with zipfile.ZipFile(path) as archive:
        manifest_data = archive.read(manifest.MANIFEST)
    assert hashlib.sha256(manifest_data).hexdigest() == built.manifest_sha256
    event = AuditEvent.objects.get(organization=world.org, record_type="package.package")
    assert event.changes["manifest_sha256"] == [None, built.manifest_sha256]
    assert event.actor == world.manager
    assert verify_chain(world.org)[1] is None
    key = SigningKey.objects.get(organization=world.org)
    assert key.fingerprint == built.key_fingerprint == report.fingerprint


def test_the_cli_verifies_with_the_public_key_the_app_shows(world, built, tmp_path):
    pem = world.client(world.auditor).get(
        reverse("package_public_key", kwargs={"org": world.org.slug})
    )
    assert pem.status_code == 200
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(pem.content)
    assert (
        aims_main(["package", "verify", str(package_path(built)), "--public-key", str(key_file)])
        == 0
    )
    base64_file = tmp_path / "key.txt"
    base64_file.write_text(SigningKey.objects.get(organization=world.org).public_key)
    code, out = run_verify(package_path(built), str(base64_file))
    assert code == 0 and "OK: " in out


def test_verify_names_a_file_altered_after_export(built, tmp_path):
    altered = tmp_path / "altered.zip"
    name = next(
        n
        for n in zipfile.ZipFile(package_path(built)).namelist()
        if n.startswith("evidence/") and not n.endswith("INDEX.csv")
    )
    rewrite(package_path(built), altered, replace={name: lambda data: data + b"one more line\n"})
    code, out = run_verify(altered)
    assert code == 1
    assert f"PROBLEM {name}: altered" in out
    assert out.count("PROBLEM") == 1  # the manifest and signature still hold: only that file


def test_verify_names_a_missing_and_an_extra_file(built, tmp_path):
    changed = tmp_path / "changed.zip"
    rewrite(
        package_path(built),
        changed,
        drop={"registers/risks.csv"},
        add={"evidence/planted.pdf": b"%PDF-1.4 not ours"},
    )
    code, out = run_verify(changed)
    assert code == 1
    assert "PROBLEM registers/risks.csv: missing" in out
    assert "PROBLEM evidence/planted.pdf: not in the manifest" in out


def test_the_signature_check_fails_on_a_changed_manifest(built, tmp_path):
    source = package_path(built)
    # Change a file and its manifest line: the files match the manifest, the signature file
    # does not.
    with zipfile.ZipFile(source) as archive:
        readme = archive.read("README.txt")
        old_line = f"README.txt,{len(readme)},{hashlib.sha256(readme).hexdigest()}".encode()
    forged = readme + b"Nothing to see.\n"
    new_line = f"README.txt,{len(forged)},{hashlib.sha256(forged).hexdigest()}".encode()
    changed = tmp_path / "manifest.zip"
    rewrite(
        source,
        changed,
        replace={
            "README.txt": lambda _: forged,
            manifest.MANIFEST: lambda data: data.replace(old_line, new_line),
        },
    )
    code, out = run_verify(changed)
    assert code == 1
    assert "PROBLEM MANIFEST.csv: altered" in out
    # And with the manifest's digest changed in the signature file too: the signature fails.
    with zipfile.ZipFile(changed) as archive:
        new_digest = hashlib.sha256(archive.read(manifest.MANIFEST)).hexdigest()
    resigned = tmp_path / "resigned.zip"
    rewrite(
        changed,
        resigned,
        replace={
            manifest.SIGNATURE: lambda data: data.replace(
                built.manifest_sha256.encode(), new_digest.encode()
            )
        },
    )
    code, out = run_verify(resigned)
    assert code == 1
    assert "MANIFEST.csv: altered" not in out
    assert "PROBLEM SIGNATURE.txt: the signature does not match" in out


def test_a_package_signed_with_another_key_is_refused_given_the_right_key(world, built, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    key_file = tmp_path / "other.txt"
    key_file.write_text(manifest.public_key_text(other))
    code, out = run_verify(package_path(built), str(key_file))
    assert code == 1
    assert f"signed with the key {built.key_fingerprint}" in out


def test_verify_runs_without_django(built):
    """``aims package verify`` is for the certification body's laptop: no settings, no DB."""
    code = (
        "import sys; from aims.cli import main; rc = main(['package', 'verify', sys.argv[1]]);"
        "assert 'django' not in sys.modules, 'Django was loaded'; sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(package_path(built))],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: " in done.stdout


def test_only_managers_and_owners_build_and_auditors_download(world, built):
    url = reverse("package_download", kwargs={"org": world.org.slug, "package_id": built.pk})
    response = world.client(world.auditor).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert (
        hashlib.sha256(body).hexdigest()
        == hashlib.sha256(package_path(built).read_bytes()).hexdigest()
    )
    for user in (world.contributor, world.viewer):
        assert world.client(user).get(url).status_code == 403
    assert world.client(world.outsider).get(url).status_code == 404
    build_url = reverse("package_build", kwargs={"org": world.org.slug})
    for user in (world.auditor, world.contributor):
        assert world.client(user).post(build_url).status_code == 403
    assert Package.objects.count() == 1
    page = world.client(world.auditor).get(reverse("package_list", kwargs={"org": world.org.slug}))
    assert page.status_code == 200
    assert b"Download ZIP" in page.content and b"Build a new package" not in page.content
    assert built.key_fingerprint.encode() in page.content
    page = world.client(world.viewer).get(reverse("package_list", kwargs={"org": world.org.slug}))
    assert page.status_code == 200 and built.manifest_sha256.encode() in page.content
    assert b"Download ZIP" not in page.content


def test_a_second_build_waits_for_the_first(world):
    first = services.request_build(world.org, actor=world.owner)  # not run: no commit here
    assert first.status == Status.QUEUED
    response = world.client(world.owner).post(
        reverse("package_build", kwargs={"org": world.org.slug}), follow=True
    )
    assert b"already being built" in response.content
    assert Package.objects.count() == 1
    page = world.client(world.owner).get(reverse("package_list", kwargs={"org": world.org.slug}))
    progress = reverse("package_progress", kwargs={"org": world.org.slug, "package_id": first.pk})
    assert f'hx-get="{progress}"'.encode() in page.content


def test_progress_shows_the_parts_written(world):
    package = Package.objects.create(
        organization=world.org, created_by=world.manager, status=Status.BUILDING, done=3, total=12
    )
    url = reverse("package_progress", kwargs={"org": world.org.slug, "package_id": package.pk})
    response = world.client(world.auditor).get(url, HTTP_HX_REQUEST="true")
    assert b"3 of 12 parts" in response.content and b'value="25"' in response.content
    assert b"every 2s" in response.content
    Package.objects.filter(pk=package.pk).update(status=Status.FAILED, error="Disk full")
    response = world.client(world.auditor).get(url, HTTP_HX_REQUEST="true")
    assert b"Disk full" in response.content and b"every 2s" not in response.content


def test_a_member_who_lost_the_role_gets_no_package(world, django_capture_on_commit_callbacks):
    package = services.request_build(world.org, actor=world.manager)
    membership = world.membership(world.manager)
    membership.role = "viewer"
    membership.save()
    services.build(package)
    package.refresh_from_db()
    assert package.status == Status.FAILED and "can no longer manage" in package.error
    assert not (package.file_name and package_path(package).exists())


def test_old_packages_lose_their_file_and_keep_their_record(
    world, settings, django_capture_on_commit_callbacks
):
    made = []
    for _ in range(services.KEEP + 1):
        made.append(build_more(world, django_capture_on_commit_callbacks))
    oldest = made[0]
    oldest.refresh_from_db()
    assert oldest.status == Status.REMOVED and oldest.manifest_sha256
    assert not package_path(oldest).exists()
    for package in made[1:]:
        package.refresh_from_db()
        assert package.status == Status.READY and package_path(package).exists()
    # After AIMS_PACKAGE_DAYS every file goes.
    later = timezone.now() + timezone.timedelta(days=services.keep_days() + 1)
    lines = services.periodic(later)
    assert len(lines) == services.KEEP
    assert not Package.objects.filter(status=Status.READY).exists()


def build_more(world, django_capture_on_commit_callbacks) -> Package:
    with django_capture_on_commit_callbacks(execute=True):
        package = services.request_build(world.org, actor=world.owner)
    package.refresh_from_db()
    assert package.status == Status.READY, package.error
    return package


def test_no_file_of_another_organization_is_in_the_package(
    world, django_capture_on_commit_callbacks
):
    add_file_evidence(world.org, world.owner)
    secret = b"Other Corp's confidential board minutes.\n"
    add_file_evidence(world.other_org, world.outsider, name="minutes.txt", content=secret)
    package = build(world, django_capture_on_commit_callbacks)
    with zipfile.ZipFile(package_path(package)) as archive:
        names = archive.namelist()
        assert not any(secret in archive.read(name) for name in names)
        evidence = [n for n in names if n.startswith("evidence/") and n != "evidence/INDEX.csv"]
        own = set(Evidence.objects.filter(organization=world.org).values_list("pk", flat=True))
        assert evidence and {int(n.split("/")[1].split("-")[0]) for n in evidence} <= own
        assert b"Other Corp" not in archive.read("registers/risks.csv")
    assert str(package.organization_id) == package_path(package).parent.name
    shutil.rmtree(package_path(package).parent)


def test_a_build_whose_worker_died_is_failed_and_a_new_one_may_start(world):
    stalled = Package.objects.create(
        organization=world.org,
        created_by=world.manager,
        status=Status.BUILDING,
        heartbeat_at=timezone.now() - services.STALLED - timezone.timedelta(seconds=1),
    )
    package = services.request_build(world.org, actor=world.manager)
    stalled.refresh_from_db()
    assert stalled.status == Status.FAILED and stalled.error == services.STALLED_MESSAGE
    assert package.status == Status.QUEUED


def test_a_build_queued_again_after_its_worker_died_is_built(world):
    """reclaim_abandoned queues the task again; the package it finds is still 'building'."""
    add_file_evidence(world.org, world.owner)
    package = Package.objects.create(
        organization=world.org,
        created_by=world.manager,
        status=Status.BUILDING,
        done=5,
        heartbeat_at=timezone.now(),
    )
    services.build(package)
    package.refresh_from_db()
    assert package.status == Status.READY and manifest.verify_package(package_path(package)).ok


def test_a_missing_stored_file_is_left_out_and_named(world, django_capture_on_commit_callbacks):
    evidence = add_file_evidence(world.org, world.owner)
    stored = evidence.revisions.get().files.get()
    storage.path_for(stored.blob.sha256).unlink()
    package = build(world, django_capture_on_commit_callbacks)
    assert package.status == Status.READY
    assert "left out, the stored file is missing" in package.notes
    assert manifest.verify_package(package_path(package)).ok  # no half-written entry
    with zipfile.ZipFile(package_path(package)) as archive:
        assert b"left out, the stored file is missing" in archive.read("README.txt")
        assert b"Stored file missing" in archive.read("evidence/INDEX.csv")


def test_the_api_queues_a_package_and_refuses_a_second_while_it_waits(world):
    from tests.helpers import ApiClient

    api = ApiClient.for_member(world.manager, world.org)
    response = api.post("/api/v1/packages", {})
    assert response.status_code == 202, response.content
    package = Package.objects.get(organization=world.org)
    assert response.json()["id"] == package.pk and response.json()["status"] == "queued"
    again = api.post("/api/v1/packages", {})
    assert again.status_code == 409 and "already being built" in again.json()["detail"]
    assert Package.objects.count() == 1
    shown = ApiClient.for_member(world.viewer, world.org).get(f"/api/v1/packages/{package.pk}")
    assert shown.status_code == 200 and shown.json()["created_by"] == world.manager.username
