"""Inputs d) and e) of 9.3.2: the AIMS's performance (nonconformities and corrective actions,
monitoring and measurement, audit results) and the opportunities for continual improvement."""

from __future__ import annotations

from django.db.models import Case, Count, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from aims.audits.coverage import coverage, current_programme
from aims.audits.models import FINDINGS, Audit, AuditStatus, ChecklistItem, Result
from aims.checks.models import Alert, CheckRun, RunStatus
from aims.improvement.models import OPEN_STATUSES as IMPROVEMENT_OPEN
from aims.improvement.models import Improvement, Lesson
from aims.improvement.models import Status as ImprovementStatus
from aims.nonconformities.models import ActionStatus as CAStatus
from aims.nonconformities.models import CorrectiveAction, Nonconformity
from aims.nonconformities.models import Severity as NCSeverity
from aims.nonconformities.models import Status as NCStatus
from aims.objectives.models import KPI, KPIStatus

from .base import (
    LISTED,
    Figure,
    InputSection,
    Item,
    Period,
    _link,
    _list_url,
    _person,
    _plural,
    _url,
)

# --- d 2) Monitoring and measurement ------------------------------------------------------------


def monitoring(review, period: Period) -> InputSection:
    """KPIs against their targets; check runs in the period and the alerts still open."""
    organization = review.organization
    kpis = KPI.objects.for_org(organization)
    kpi_counts = kpis.aggregate(
        total=Count("pk"), **{s.value: Count("pk", filter=Q(status=s)) for s in KPIStatus}
    )
    runs = CheckRun.objects.for_org(organization)
    run_counts = runs.aggregate(
        total=Count("pk"),
        period=Count("pk", filter=Q(started_at__gte=period.start)),
        **{
            s.value: Count("pk", filter=Q(status=s, started_at__gte=period.start))
            for s in RunStatus
        },
    )
    open_alerts = Alert.objects.filter(organization=organization).open().count()
    section = InputSection(
        "d2",
        "Monitoring and measurement results",
        clause="9.3.2 d) 2)",
        recorded=kpi_counts["total"] + run_counts["total"] > 0,
        more_url=_url("kpi_list", organization),
    )
    if not section.recorded:
        return section
    section.figures = [
        Figure("KPIs on target", kpi_counts[KPIStatus.ON_TARGET], "good"),
        Figure(
            "KPIs at risk",
            kpi_counts[KPIStatus.AT_RISK],
            "warn" if kpi_counts[KPIStatus.AT_RISK] else "",
        ),
        Figure(
            "KPIs off target",
            kpi_counts[KPIStatus.OFF_TARGET],
            "bad" if kpi_counts[KPIStatus.OFF_TARGET] else "good",
        ),
        Figure("Check runs passed", run_counts[RunStatus.PASSED], "good"),
        Figure(
            "Check runs failed",
            run_counts[RunStatus.FAILED],
            "bad" if run_counts[RunStatus.FAILED] else "good",
        ),
        Figure("Open alerts", open_alerts, "bad" if open_alerts else "good"),
    ]
    section.summary = (
        f"{_plural(kpi_counts['total'], 'KPI')}, {kpi_counts[KPIStatus.OFF_TARGET]} off target; "
        f"{_plural(run_counts['period'], 'check run')} {period.words}, "
        f"{run_counts[RunStatus.FAILED]} failed; {_plural(open_alerts, 'alert')} open."
    )
    concern = Case(
        When(status=KPIStatus.OFF_TARGET, then=Value(0)),
        When(status=KPIStatus.AT_RISK, then=Value(1)),
        default=Value(2),
    )
    watched = list(kpis.exclude(status=KPIStatus.ON_TARGET).order_by(concern, "name")[:LISTED])
    for kpi in watched:
        kpi.organization = organization
        latest = (
            f"latest {kpi.latest_value.normalize():f}{(' ' + kpi.unit) if kpi.unit else ''} "
            f"on {kpi.latest_date:%Y-%m-%d}"
            if kpi.latest_value is not None and kpi.latest_date
            else "no measurement yet"
        )
        tone = {"off_target": "bad", "at_risk": "warn"}.get(kpi.status, "")
        section.items.append(
            Item(
                f"KPI: {kpi.name}",
                kpi.get_absolute_url(),
                f"{kpi.get_status_display()} · target {kpi.target_text()} · {latest}",
                tone,
            )
        )
    failed = list(
        runs.filter(started_at__gte=period.start, status__in=[RunStatus.FAILED, RunStatus.ERROR])
        .select_related("definition__system")
        .order_by("-started_at", "-pk")[:LISTED]
    )
    for run in failed:
        section.items.append(
            Item(
                f"Check run: {run.definition.name} ({run.definition.system.name})",
                reverse("run_detail", kwargs={"org": organization.slug, "run_id": run.pk}),
                f"{run.get_status_display()} · {timezone.localtime(run.started_at):%Y-%m-%d %H:%M}",
                "bad",
            )
        )
    listed_kpis = kpi_counts["total"] - kpi_counts[KPIStatus.ON_TARGET]
    listed_runs = run_counts[RunStatus.FAILED] + run_counts[RunStatus.ERROR]
    section.more = max(listed_kpis + listed_runs - len(section.items), 0)
    if not section.items:
        section.empty = f"Every KPI is on target and no check run failed {period.words}."
    return section


# --- d 1) Nonconformities and corrective actions -----------------------------------------------


def nonconformities(review, period: Period) -> InputSection:
    """Nonconformities raised and closed in the period (and in the period before, for the
    trend), those still open, and their corrective actions."""
    organization = review.organization
    found = Nonconformity.objects.for_org(organization)
    before = period.since - (period.today - period.since)
    counts = found.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status=NCStatus.CLOSED)),
        open_major=Count("pk", filter=~Q(status=NCStatus.CLOSED) & Q(severity=NCSeverity.MAJOR)),
        raised=Count("pk", filter=Q(raised_on__gte=period.since)),
        raised_before=Count("pk", filter=Q(raised_on__gte=before, raised_on__lt=period.since)),
        closed=Count("pk", filter=Q(status=NCStatus.CLOSED, closed_on__gte=period.since)),
    )
    actions = CorrectiveAction.objects.filter(organization=organization).aggregate(
        open=Count("pk", filter=Q(status=CAStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=CAStatus.OPEN, due_date__lt=period.today)),
        done=Count("pk", filter=Q(status=CAStatus.DONE, done_on__gte=period.since)),
    )
    section = InputSection(
        "d1",
        "Nonconformities and corrective actions",
        clause="9.3.2 d) 1)",
        recorded=counts["total"] > 0,
        more_url=_list_url("nonconformity_list", organization),
    )
    if not section.recorded:
        return section
    section.figures = [
        Figure("Raised in the period", counts["raised"]),
        Figure("Raised in the period before", counts["raised_before"]),
        Figure("Closed in the period", counts["closed"], "good" if counts["closed"] else ""),
        Figure("Open", counts["open"], "warn" if counts["open"] else "good"),
        Figure("Open major", counts["open_major"], "bad" if counts["open_major"] else "good"),
        Figure("Corrective actions open", actions["open"]),
        Figure(
            "Corrective actions overdue",
            actions["overdue"],
            "bad" if actions["overdue"] else "good",
        ),
    ]
    trend = (
        "more than"
        if counts["raised"] > counts["raised_before"]
        else ("fewer than" if counts["raised"] < counts["raised_before"] else "as many as")
    )
    section.summary = (
        f"{_plural(counts['raised'], 'nonconformity', 'nonconformities')} raised {period.words} "
        f"({trend} in the period before: {counts['raised_before']}), {counts['closed']} closed; "
        f"{counts['open']} open, {counts['open_major']} of them major; "
        f"{_plural(actions['overdue'], 'corrective action')} overdue."
    )
    rows = list(
        found.filter(~Q(status=NCStatus.CLOSED) | Q(closed_on__gte=period.since)).order_by(
            Case(When(status=NCStatus.CLOSED, then=Value(1)), default=Value(0)),
            Case(When(severity=NCSeverity.MAJOR, then=Value(0)), default=Value(1)),
            "-raised_on",
            "-pk",
        )[:LISTED]
    )
    for nc in rows:
        nc.organization = organization
        section.items.append(
            Item(
                str(nc),
                _link(nc),
                f"{nc.get_severity_display()} · {nc.get_source_display()} · "
                f"{nc.get_status_display()} · raised {nc.raised_on:%Y-%m-%d}",
                "" if not nc.is_open else ("bad" if nc.is_major else "warn"),
            )
        )
    section.more = max(counts["open"] + counts["closed"] - len(rows), 0)
    if not section.items:
        section.empty = f"No nonconformity open, and none closed {period.words}."
    return section


# --- d 3) Audit results -------------------------------------------------------------------------


def audit_results(review, period: Period) -> InputSection:
    """Internal audits completed in the period and their findings by result; the coverage of
    the current programme."""
    organization = review.organization
    audits = Audit.objects.for_org(organization)
    counts = audits.aggregate(
        total=Count("pk"),
        completed=Count(
            "pk", filter=Q(status=AuditStatus.COMPLETED, completed_on__gte=period.since)
        ),
        active=Count("pk", filter=Q(status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS])),
    )
    section = InputSection(
        "d3",
        "Audit results",
        clause="9.3.2 d) 3)",
        recorded=counts["total"] > 0,
        more_url=_list_url("audit_list", organization),
    )
    if not section.recorded:
        return section
    in_period = Q(
        audit__organization=organization,
        audit__status=AuditStatus.COMPLETED,
        audit__completed_on__gte=period.since,
    )
    by_result = dict(
        ChecklistItem.objects.filter(in_period)
        .exclude(result="")
        .values_list("result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tones = {Result.MAJOR: "bad", Result.MINOR: "warn"}
    section.figures = [Figure("Audits completed in the period", counts["completed"])]
    section.figures += [
        Figure(
            result.label,
            by_result.get(result.value, 0),
            tones.get(result, "") if by_result.get(result.value) else "",
        )
        for result in Result
    ]
    programme = current_programme(organization, period.today)
    if programme is not None:
        cover = coverage(programme)
        section.figures.append(
            Figure(
                f"Requirements audited in {programme.title}",
                f"{cover.audited_count} of {cover.required}",
                "good" if cover.complete else "warn",
            )
        )
    findings = sum(by_result.get(r.value, 0) for r in FINDINGS)
    section.summary = (
        f"{_plural(counts['completed'], 'internal audit')} completed {period.words}, with "
        f"{_plural(findings, 'finding')}: {by_result.get(Result.MAJOR.value, 0)} major and "
        f"{by_result.get(Result.MINOR.value, 0)} minor nonconformities; "
        f"{_plural(counts['active'], 'audit')} planned or in progress."
    )
    completed = list(
        audits.completed()
        .filter(completed_on__gte=period.since)
        .annotate(
            **{
                f"n_{result.value}": Count("items", filter=Q(items__result=result))
                for result in FINDINGS
            }
        )
        .order_by("-completed_on", "-pk")[:LISTED]
    )
    for audit in completed:
        audit.organization = organization
        found = [
            f"{getattr(audit, 'n_' + result.value)} {result.label.lower()}"
            for result in FINDINGS
            if getattr(audit, "n_" + result.value)
        ]
        section.items.append(
            Item(
                str(audit),
                _link(audit),
                f"Completed {audit.completed_on:%Y-%m-%d} · "
                + (", ".join(found) if found else "no finding"),
                "bad" if getattr(audit, f"n_{Result.MAJOR.value}") else "",
            )
        )
    section.more = max(counts["completed"] - len(completed), 0)
    if not section.items:
        section.empty = f"No internal audit completed {period.words}."
    return section


# --- e) Opportunities for continual improvement -------------------------------------------------


def improvements(review, period: Period) -> InputSection:
    organization = review.organization
    found = Improvement.objects.for_org(organization)
    counts = found.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=IMPROVEMENT_OPEN)),
        added=Count("pk", filter=Q(created_at__gte=period.start)),
        done=Count("pk", filter=Q(status=ImprovementStatus.DONE, updated_at__gte=period.start)),
        overdue=Count("pk", filter=Q(status__in=IMPROVEMENT_OPEN, due_date__lt=period.today)),
    )
    lessons = Lesson.objects.for_org(organization).filter(recorded_on__gte=period.since).count()
    section = InputSection(
        "e",
        "Opportunities for continual improvement",
        clause="9.3.2 e)",
        recorded=counts["total"] > 0 or lessons > 0,
        more_url=_list_url("improvement_list", organization),
    )
    if not section.recorded:
        return section
    section.figures = [
        Figure("Open", counts["open"]),
        Figure("Added in the period", counts["added"]),
        Figure("Done in the period", counts["done"], "good" if counts["done"] else ""),
        Figure("Overdue", counts["overdue"], "bad" if counts["overdue"] else "good"),
        Figure("Lessons learned in the period", lessons),
    ]
    section.summary = (
        f"{_plural(counts['open'], 'improvement')} open, {counts['added']} added and "
        f"{counts['done']} done {period.words}; {_plural(lessons, 'lesson')} learned."
    )
    rows = list(
        found.filter(
            Q(status__in=IMPROVEMENT_OPEN)
            | Q(status=ImprovementStatus.DONE, updated_at__gte=period.start)
        )
        .select_related("owner")
        .order_by(
            Case(When(status=ImprovementStatus.DONE, then=Value(1)), default=Value(0)),
            "due_date",
            "-pk",
        )[:LISTED]
    )
    for improvement in rows:
        improvement.organization = organization
        note = [improvement.get_status_display(), improvement.get_source_display()]
        if improvement.due_date:
            note.append(f"due {improvement.due_date:%Y-%m-%d}")
        if improvement.owner:
            note.append(_person(improvement.owner))
        if improvement.status == ImprovementStatus.DONE and improvement.outcome:
            note.append(f"outcome: {' '.join(improvement.outcome.split())[:120]}")
        section.items.append(
            Item(
                str(improvement),
                _link(improvement),
                " · ".join(note),
                "bad"
                if improvement.is_overdue(period.today)
                else ("good" if improvement.status == ImprovementStatus.DONE else ""),
            )
        )
    section.more = max(counts["open"] + counts["done"] - len(rows), 0)
    if not section.items:
        section.empty = f"No improvement open, and none done {period.words}."
    return section
