"""The demo organization's internal audit programme: a completed cycle covering everything, with
findings of each kind followed up, and the current cycle with an audit planned."""

from __future__ import annotations

from django.utils import timezone

from aims.audits import independence
from aims.audits.coverage import coverage, current_programme
from aims.audits.models import Audit, AuditProgramme, AuditStatus, Result
from aims.demo.loader import load_demo
from aims.improvement.models import Source as ImprovementSource
from aims.nonconformities.models import Severity, Source, Status


def test_the_demo_has_a_completed_cycle_covering_every_requirement(db):
    org, _, created = load_demo(password="a-demo-password-123")
    assert created
    today = timezone.localdate()
    last = AuditProgramme.objects.get(organization=org, ends_on__lt=today)
    found = coverage(last)
    assert found.complete and found.percent_audited == 100
    assert found.required == 32 + len(found.controls) and len(found.controls) > 10

    audits = list(Audit.objects.filter(programme=last).order_by("planned_start"))
    assert [a.status for a in audits] == [AuditStatus.COMPLETED] * 3
    assert [a.lead_auditor.username for a in audits][:2] == ["ines.moreau", "ines.moreau"]
    assert all(a.team.exists() for a in audits[:2])
    for audit in audits:
        assert independence.conflicts_of(audit) == [], audit.ref
        assert not audit.items.unanswered().exists() and audit.conclusion
    # Inès holds the internal audit role (9.2): the audit of clause 9 is led by someone else.
    assert audits[2].clauses.filter(ref="9.2.1").exists()
    assert audits[2].lead_auditor.username != "ines.moreau"

    results = set(Audit.objects.filter(programme=last).values_list("items__result", flat=True))
    assert results == set(Result.values)
    major = audits[1].items.get(result=Result.MAJOR).nonconformity
    assert (major.source, major.severity) == (Source.AUDIT, Severity.MAJOR)
    assert major.status == Status.IN_PROGRESS and major.actions.open().exists()
    minor_item = audits[0].items.get(result=Result.MINOR)
    assert minor_item.nonconformity.status == Status.CLOSED
    assert minor_item.nonconformity.reviews.get().verdict == "effective"
    improvement = audits[1].items.get(result=Result.IMPROVEMENT).improvement
    assert improvement.source == ImprovementSource.AUDIT

    current = current_programme(org, today)
    assert current is not None and current != last
    planned = current.audits.get()
    assert planned.status == AuditStatus.PLANNED and planned.planned_start > today
    assert planned.lead_auditor.username == "ines.moreau"
    assert independence.conflicts_of(planned) == []

    _, _, again = load_demo(password="a-demo-password-123")
    assert again is False
    assert Audit.objects.filter(organization=org).count() == 4
