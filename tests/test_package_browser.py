"""The evidence package page in a browser: a manager builds the package, an auditor follows a
build's progress and downloads a package that verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from aims.package import manifest
from aims.package.models import Package, Status
from tests.conftest import BROWSER
from tests.test_layout_browser import sign_in
from tests.test_package import add_file_evidence

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/package")


@pytest.fixture(autouse=True)
def package_dirs(settings, tmp_path):
    settings.AIMS_PACKAGE_DIR = tmp_path / "packages"
    settings.AIMS_PACKAGE_KEY_DIR = tmp_path / "package-keys"


def test_a_manager_builds_and_downloads_the_package(world, page, live_server, tmp_path):
    add_file_evidence(world.org, world.owner)
    sign_in(page, live_server, world.manager)
    page.goto(live_server.url + reverse("package_list", kwargs={"org": world.org.slug}))
    assert page.get_by_text("No package has been built yet.").is_visible()
    page.get_by_role("button", name="Build a new package").click()
    link = page.get_by_role("link", name="Download ZIP")
    link.wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "built.png"), full_page=True)
    package = Package.objects.get(organization=world.org)
    assert page.get_by_text(package.key_fingerprint).first.is_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == package.file_name
    saved = tmp_path / "downloaded.zip"
    download.value.save_as(saved)
    report = manifest.verify_package(saved)
    assert report.ok, report.problems
    assert report.files == package.files and report.organization == world.org.slug


def test_an_auditor_sees_the_progress_until_the_package_is_ready(world, page, live_server):
    package = Package.objects.create(
        organization=world.org,
        created_by=world.manager,
        status=Status.BUILDING,
        step="Evidence EV-7",
        done=30,
        total=120,
    )
    sign_in(page, live_server, world.auditor)
    page.goto(live_server.url + reverse("package_list", kwargs={"org": world.org.slug}))
    status = page.get_by_role("status")
    assert "30 of 120 parts" in status.inner_text()
    assert page.get_by_role("button", name="Build a new package").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "building.png"), full_page=True)
    Package.objects.filter(pk=package.pk).update(done=90)
    page.get_by_text("90 of 120 parts").wait_for(timeout=5000)  # htmx polls every 2 s
    Package.objects.filter(pk=package.pk).update(
        status=Status.FAILED, error="The worker ran out of disk space."
    )
    page.get_by_text("The worker ran out of disk space.").wait_for(timeout=5000)
    assert page.get_by_role("status").count() == 0
