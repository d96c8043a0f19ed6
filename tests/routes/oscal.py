"""The OSCAL area's share of the route-walking and API tests.

Its pages and operations read the other areas' records (the audit of ``tests/routes/audits.py``,
the nonconformity of ``tests/routes/nonconformities.py``); it adds a control decided applicable
(a profile includes one at least) and a completed readiness assessment of its own, since the
readiness area's records are made after these.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.catalog.models import Clause
from aims.organizations.models import Access
from aims.readiness.models import Assessment, AssessmentItem, Decision, Kind, Status
from aims.soa.models import Applicability, SoAEntry
from aims.soa.services import update_entry


def make(world, records) -> dict:
    org = world.org
    entry = SoAEntry.objects.get(organization=org, control__ref="A.2.2")
    entry.applicability = Applicability.APPLICABLE
    entry.justification = "We develop AI systems, so a policy governs them."
    update_entry(entry, actor=world.owner)
    assessment = Assessment.objects.create(
        organization=org,
        title="Last year's gap assessment",
        assessed_on=timezone.localdate() - dt.timedelta(days=365),
        status=Status.COMPLETED,
        summary="Most clauses planned, few implemented.",
    )
    AssessmentItem.objects.create(
        assessment=assessment,
        kind=Kind.CLAUSE,
        clause=Clause.objects.get(ref="4.1"),
        proposed_level=2,
        level=2,
        decision=Decision.CONFIRMED,
    )
    return {
        "readiness_assessment_id": assessment.pk,
        "objects": {"oscal_assessment": assessment},
    }


API_ACCESS = {
    ("GET", "/oscal/catalog"): Access.READ,
    ("GET", "/oscal/soa/profile"): Access.READ,
    ("GET", "/oscal/soa/component-definition"): Access.READ,
    ("GET", "/oscal/soa/additional-controls"): Access.READ,
    ("GET", "/oscal/poam"): Access.READ,
    ("GET", "/oscal/readiness/{readiness_assessment_id}/assessment-results"): Access.READ,
    ("GET", "/oscal/audits/{audit_id}/assessment-results"): Access.READ,
}
