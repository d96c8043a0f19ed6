"""Competence and training in headless Chromium: record a training and see the matrix change
(a gap becomes held)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import BROWSER, PASSWORD, choose, make_user

from aims.catalog.loader import load_catalog
from aims.competence.models import Competence, Course, TrainingRecord
from aims.organizations.models import Membership, Role
from aims.organizations.services import create_organization

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_recording_training_turns_a_gap_into_a_held_competence(page):
    load_catalog()
    manager = make_user("ada.manager")
    org = create_organization(name="Acme Lending", owner=manager)
    scientist = make_user("sam.scientist")
    scientist.first_name, scientist.last_name = "Sam", "Scientist"
    scientist.save()
    Membership.objects.create(user=scientist, organization=org, role=Role.CONTRIBUTOR)
    base = f"/o/{org.slug}"

    page.goto("/login/")
    page.fill("#id_username", "ada.manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/$"))

    # A competence every contributor needs, through the form.
    page.click("nav.sidebar >> text=Competence & training")
    page.wait_for_url(f"**{base}/competence/")
    page.click("nav.tabs >> text=Competences")
    page.click("text=New competence")
    page.fill("#id_name", "Fairness testing")
    page.select_option("#id_roles", ["contributor"])
    page.click("button:has-text('Save competence')")
    page.wait_for_url(re.compile(rf"{base}/competence/competences/\d+/$"))
    competence = Competence.objects.get(organization=org)

    # A course giving it, valid a year.
    page.goto(f"{base}/competence/courses/new/")
    page.fill("#id_title", "Fairness testing with OpenAIMS")
    choose(page, "#id_competences", "Fairness testing")
    page.fill("#id_validity_months", "12")
    page.click("button:has-text('Save course')")
    page.wait_for_url(re.compile(rf"{base}/competence/courses/\d+/$"))
    course = Course.objects.get(organization=org)
    assert list(course.competences.all()) == [competence]

    # The matrix shows the gap.
    page.goto(f"{base}/competence/")
    cell = page.locator("tr[data-person='sam.scientist'] td.matrix-cell").first
    assert cell.get_attribute("data-state") == "missing"
    assert "Missing" in cell.inner_text()

    # Record the training.
    page.click("text=Record training")
    choose(page, "#id_person", "sam.scientist")
    choose(page, "#id_course", "Fairness testing with OpenAIMS")
    page.fill("#id_completed_on", dt.date.today().isoformat())
    page.click("button:has-text('Save training record')")
    page.wait_for_url(re.compile(rf"{base}/competence/training/\d+/$"))
    record = TrainingRecord.objects.get(organization=org)
    assert record.person == scientist and record.expires_on is not None

    # The gap is held now.
    page.goto(f"{base}/competence/")
    cell = page.locator("tr[data-person='sam.scientist'] td.matrix-cell").first
    assert cell.get_attribute("data-state") == "held"
    assert "Held" in cell.inner_text()
    assert page.locator("#competence-matrix tfoot").inner_text().split()[-1] == "0"
