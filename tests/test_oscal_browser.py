"""The OSCAL page in a browser: a Viewer sees the exports and downloads a valid document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import BROWSER
from tests.test_layout_browser import sign_in
from tests.test_oscal import assert_valid, fill

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/oscal")


def test_a_viewer_downloads_the_plan_of_action_and_milestones(world, page, live_server):
    made = fill(world.org, world.owner)
    sign_in(page, live_server, world.viewer)
    page.goto(live_server.url + reverse("oscal_exports", kwargs={"org": world.org.slug}))
    assert page.get_by_role("heading", name="OSCAL exports").is_visible()
    assert page.get_by_role("cell", name=made["audit"].__str__()).is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "exports.png"), full_page=True)
    row = page.get_by_role("row", name="Open nonconformities as a plan of action and milestones")
    with page.expect_download() as download:
        row.get_by_role("link", name="Download JSON").click()
    assert download.value.suggested_filename == "acme-lending-oscal-poam.json"
    document = json.loads(Path(download.value.path()).read_text())
    assert_valid(document)
    (item,) = document["plan-of-action-and-milestones"]["poam-items"]
    assert item["title"] == str(made["nc"])


def test_an_organization_without_records_sees_why_two_exports_are_not_available(
    world, page, live_server
):
    sign_in(page, live_server, world.outsider)  # the owner of Other Corp, which has no records
    page.goto(live_server.url + reverse("oscal_exports", kwargs={"org": world.other_org.slug}))
    row = page.get_by_role("row", name="Open nonconformities as a plan of action and milestones")
    assert "No nonconformity is open" in row.inner_text()
    assert row.get_by_role("link").count() == 0
    profile = page.get_by_role("row", name="Statement of Applicability as a profile")
    assert "No control is decided applicable" in profile.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "exports-empty.png"), full_page=True)
