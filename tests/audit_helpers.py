"""Shared set-up of the internal audit tests: a programme of the current cycle and audits in it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.audits import services
from aims.audits.models import Audit, AuditProgramme, Result
from aims.catalog.models import Clause, Control
from aims.soa.models import Applicability, SoAEntry


def programme(world, **fields) -> AuditProgramme:
    today = timezone.localdate()
    values = {
        "title": "2026",
        "starts_on": today - dt.timedelta(days=60),
        "ends_on": today + dt.timedelta(days=300),
        "criteria": "ISO/IEC 42001; the AI policy.",
        **fields,
    }
    return services.save_programme(
        AuditProgramme(organization=world.org, **values), actor=world.auditor
    )


def audit(
    world,
    cycle: AuditProgramme,
    *,
    clauses=("6.1.2",),
    controls=("A.6.2.4",),
    systems=(),
    lead=None,
    team=(),
    **fields,
) -> Audit:
    today = timezone.localdate()
    values = {
        "title": "Risk and validation",
        "planned_start": today,
        "planned_end": today + dt.timedelta(days=3),
        "scope": "Risk management and model validation.",
        **fields,
    }
    return services.save_audit(
        Audit(
            organization=world.org,
            programme=cycle,
            lead_auditor=lead if lead is not None else world.auditor,
            **values,
        ),
        actor=world.auditor,
        team=list(team),
        clauses=list(Clause.objects.filter(ref__in=clauses)),
        controls=list(Control.objects.filter(ref__in=controls)),
        systems=list(systems),
    )


def answer_all(audit, world, result=Result.CONFORMING) -> None:
    for item in audit.items.order_by("position"):
        services.record_result(item, actor=world.auditor, result=result, notes="Seen.")


def applicable(world, *refs) -> None:
    SoAEntry.objects.filter(organization=world.org, control__ref__in=refs).update(
        applicability=Applicability.APPLICABLE, justification="Needed for every AI system we run."
    )
