"""The demo organization's management reviews: one held and approved about five months ago, its
inputs frozen from the records of that time (the first gap assessment among them), and one
planned for next month."""

from __future__ import annotations

from django.utils import timezone

from aims.demo.loader import load_demo
from aims.reviews.models import ManagementReview, ReviewStatus


def test_the_demo_holds_an_approved_review_with_its_inputs_frozen(db):
    org, _, created = load_demo(password="a-demo-password-123")
    assert created
    held, planned = ManagementReview.objects.filter(organization=org).order_by("planned_on")
    assert held.status == ReviewStatus.APPROVED and held.held_on < timezone.localdate()
    assert held.chair.username == "daniel.okafor"
    assert held.attendees.filter(pk=held.chair.pk).exists()
    assert planned.status == ReviewStatus.PLANNED and planned.planned_on > timezone.localdate()

    sections = {section["title"]: section for section in held.inputs}
    # The first review has no earlier review's actions; every other input came from the data.
    assert [s["key"] for s in held.inputs if not s["recorded"]] == ["a"]
    readiness = sections["Readiness for certification"]
    first = readiness["items"][0]["label"]
    assert first.startswith("Latest completed assessment: First gap assessment, assessed on")
    assert "/readiness/" in readiness["items"][0]["url"]
    assert held.decisions.exists() and held.actions.count() == 2
