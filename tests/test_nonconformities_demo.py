"""The demo organization's nonconformities and continual improvement: a closed nonconformity
from the incident, one from the anonymous concern, one with an overdue action; improvements
from several sources, one done with its outcome; three lessons. Loading twice is harmless."""

from __future__ import annotations

from django.utils import timezone

from aims.demo.loader import load_demo
from aims.improvement.models import Improvement, Lesson
from aims.improvement.models import Status as ImprovementStatus
from aims.nonconformities.models import CorrectiveAction, Nonconformity, Source, Status
from aims.trail.services import verify_chain


def test_the_demo_shows_open_and_closed_nonconformities_and_the_improvement_register(db):
    org, _owner, created = load_demo(password="a-demo-password-123")
    assert created
    today = timezone.localdate()
    raised = Nonconformity.objects.filter(organization=org).count()
    ncs = {nc.source: nc for nc in Nonconformity.objects.filter(organization=org).order_by("pk")}

    closed = ncs[Source.INCIDENT]
    assert closed.status == Status.CLOSED and closed.incident is not None
    assert len(closed.why_steps()) >= 4 and closed.root_cause and closed.containment
    assert closed.actions.filter(status="done").count() == 2
    review = closed.reviews.get()
    assert review.effective
    assert review.reviewer_id not in set(closed.actions.values_list("owner_id", flat=True))

    from_concern = ncs[Source.CONCERN]
    assert from_concern.is_open and from_concern.is_major and from_concern.concern is not None
    assert from_concern.actions.open().exists()

    by_hand = ncs[Source.OTHER]
    assert CorrectiveAction.objects.filter(nonconformity=by_hand).overdue(today).exists()

    improvements = Improvement.objects.filter(organization=org)
    assert improvements.count() >= 4
    assert len(set(improvements.values_list("source", flat=True))) >= 3
    done = improvements.get(status=ImprovementStatus.DONE)
    assert done.outcome and done.outcome_measure and done.outcome_measured_on
    assert Lesson.objects.filter(organization=org).count() == 3
    assert verify_chain(org)[1] is None

    again, _, created = load_demo(password="a-demo-password-123")
    assert again == org and not created
    assert Nonconformity.objects.filter(organization=org).count() == raised
