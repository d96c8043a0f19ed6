"""The inputs of a management review (9.3.2), compiled from the records of the other areas.

One :class:`InputSection` for each input the clause lists (a to e, with the three parts of the
AIMS's performance under d), then risk treatment, incidents and whatever the areas below this
one contribute through the hook ``review_inputs`` (the readiness assessment). Each section reads
its source with a fixed number of queries (aggregates, and a bounded list of records), so the
review's page costs the same however much the organization has recorded.

The period a section covers starts at the previous held review (or twelve months before, for
the first). Until the review is held its inputs are computed live; :func:`freeze_inputs` keeps
them as plain data when it is held, so the minutes show what was reviewed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace

from django.db.models import Case, Count, Q, Value, When
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from aims.audits.coverage import coverage, current_programme
from aims.audits.models import FINDINGS, Audit, AuditStatus, ChecklistItem, Result
from aims.checks.models import Alert, CheckRun, RunStatus
from aims.context.models import (
    Addressed,
    Compliance,
    InterestedParty,
    Issue,
    IssueStatus,
    Obligation,
)
from aims.core.areas import Section, page_sections
from aims.core.dates import add_months
from aims.improvement.models import OPEN_STATUSES as IMPROVEMENT_OPEN
from aims.improvement.models import Improvement, Lesson
from aims.improvement.models import Status as ImprovementStatus
from aims.incidents.models import ACTIVE_STATUSES, Incident
from aims.nonconformities.models import ActionStatus as CAStatus
from aims.nonconformities.models import CorrectiveAction, Nonconformity
from aims.nonconformities.models import Severity as NCSeverity
from aims.nonconformities.models import Status as NCStatus
from aims.objectives.models import KPI, KPIStatus
from aims.organizations.models import Membership
from aims.risk.models import Level, Risk, RiskAcceptance
from aims.risk.models import Status as RiskStatus

from .models import REVIEW_INTERVAL_MONTHS, ActionStatus, ManagementReview, ReviewAction

LISTED = 12  # records a section lists; the rest are counted and linked
TREATMENT_NOTICE_DAYS = 30  # a risk treatment due this soon shows as due
ACCEPTANCE_NOTICE_DAYS = 60  # a risk acceptance expiring this soon shows as expiring
NOT_RECORDED = "Not recorded yet"
CONTRIBUTED = "hook-"  # the key of a section another area contributed, once frozen


def _own(url: str) -> str:
    """``url`` when it is a page of the app (a path), else nothing: a stored link never leaves
    the app."""
    url = str(url or "")
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


@dataclass
class Figure:
    label: str
    value: int | str
    tone: str = ""  # "bad", "warn", "good" or ""


@dataclass
class Item:
    """One record a section lists: what it is, where it is, a note (its status, say)."""

    label: str
    url: str = ""
    note: str = ""
    tone: str = ""
    heading: bool = False


@dataclass
class InputSection:
    key: str
    title: str
    clause: str = ""  # "9.3.2 a)"; empty for the inputs beyond the clause's list
    recorded: bool = True  # the source area has records at all: "Not recorded yet" when not
    summary: str = ""
    figures: list[Figure] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    more: int = 0
    more_url: str = ""
    empty: str = NOT_RECORDED

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> InputSection:
        data = dict(data)
        data["figures"] = [Figure(**f) for f in data.get("figures", [])]
        data["items"] = [
            Item(**{**i, "url": _own(i.get("url", ""))}) for i in data.get("items", [])
        ]
        data["more_url"] = _own(data.get("more_url", ""))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Period:
    """What the inputs cover: from ``since`` (the previous held review, or a year back) to
    ``today``."""

    since: dt.date
    today: dt.date
    previous: ManagementReview | None

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.since, dt.time.min))

    @property
    def words(self) -> str:
        if self.previous is not None:
            return f"since the previous review on {self.since:%Y-%m-%d}"
        return f"over the last {REVIEW_INTERVAL_MONTHS} months (since {self.since:%Y-%m-%d})"


def period_of(review: ManagementReview, today: dt.date | None = None) -> Period:
    """The previous held review before ``review`` (by the day it was held), and the period
    since it."""
    today = today or timezone.localdate()
    reference = review.held_on or today
    previous = (
        ManagementReview.objects.for_org(review.organization_id)
        .held()
        .exclude(pk=review.pk)
        .filter(held_on__lte=reference)
        .order_by("-held_on", "-pk")
        .first()
    )
    if previous is not None:
        previous.organization = review.organization
        return Period(previous.held_on, today, previous)
    return Period(add_months(reference, -REVIEW_INTERVAL_MONTHS), today, None)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _url(name: str, organization, query: str = "") -> str:
    url = reverse(name, kwargs={"org": organization.slug})
    return f"{url}?{query}" if query else url


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- a) Actions of previous reviews -------------------------------------------------------------


def previous_actions(review, period: Period) -> InputSection:
    """Every action of an earlier review still open, and those done or cancelled in the period."""
    organization = review.organization
    earlier = ManagementReview.objects.for_org(organization).held().exclude(pk=review.pk)
    if review.held_on is not None:
        earlier = earlier.filter(held_on__lte=review.held_on)
    actions = ReviewAction.objects.filter(organization=organization, review__in=earlier)
    counts = actions.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=ActionStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=ActionStatus.OPEN, due_date__lt=period.today)),
        done=Count("pk", filter=Q(status=ActionStatus.DONE, done_on__gte=period.since)),
        cancelled=Count(
            "pk", filter=Q(status=ActionStatus.CANCELLED, updated_at__gte=period.start)
        ),
    )
    section = InputSection(
        "a",
        "Status of actions from previous management reviews",
        clause="9.3.2 a)",
        recorded=counts["total"] > 0,
        empty=NOT_RECORDED + ": no earlier review gave actions.",
        more_url=_url("review_action_list", organization),
    )
    if not section.recorded:
        return section
    section.figures = [
        Figure("Open", counts["open"], "warn" if counts["open"] else "good"),
        Figure("Overdue", counts["overdue"], "bad" if counts["overdue"] else "good"),
        Figure("Done in the period", counts["done"], "good" if counts["done"] else ""),
        Figure("Cancelled in the period", counts["cancelled"]),
    ]
    section.summary = (
        f"{_plural(counts['open'], 'action')} of earlier reviews still open "
        f"({counts['overdue']} overdue); {counts['done']} done {period.words}."
    )
    listed = actions.filter(
        Q(status=ActionStatus.OPEN)
        | Q(status=ActionStatus.DONE, done_on__gte=period.since)
        | Q(status=ActionStatus.CANCELLED, updated_at__gte=period.start)
    )
    shown = list(
        listed.select_related("owner", "review").order_by("-status", "due_date", "pk")[:LISTED]
    )
    for action in shown:
        action.organization = action.review.organization = organization
        overdue = action.is_overdue(period.today)
        note = [action.get_status_display()]
        if action.due_date:
            note.append(f"due {action.due_date:%Y-%m-%d}")
        if action.done_on:
            note.append(f"done {action.done_on:%Y-%m-%d}")
        if action.owner:
            note.append(_person(action.owner))
        note.append(f"from {action.review.title}")
        section.items.append(
            Item(
                action.title,
                action.get_absolute_url(),
                " · ".join(note),
                "bad" if overdue else ("good" if action.status == ActionStatus.DONE else ""),
            )
        )
    section.more = max(counts["open"] + counts["done"] + counts["cancelled"] - len(shown), 0)
    return section


# --- b) Issues, c) interested parties -----------------------------------------------------------


def _changed(queryset, period: Period, *, extra: dict | None = None) -> dict:
    """Counts of a context register: all, new in the period, changed in it (not new)."""
    return queryset.aggregate(
        total=Count("pk"),
        new=Count("pk", filter=Q(created_at__gte=period.start)),
        changed=Count("pk", filter=Q(updated_at__gte=period.start, created_at__lt=period.start)),
        **(extra or {}),
    )


def _changed_items(
    queryset, period: Period, organization, note: Callable, limit: int = LISTED
) -> list[Item]:
    rows = list(
        queryset.filter(updated_at__gte=period.start).order_by("-updated_at", "-pk")[:limit]
    )
    items = []
    for row in rows:
        row.organization = organization
        new = row.created_at >= period.start
        items.append(
            Item(str(row), row.get_absolute_url(), ("New · " if new else "Changed · ") + note(row))
        )
    return items


def issues(review, period: Period) -> InputSection:
    organization = review.organization
    found = Issue.objects.for_org(organization)
    counts = _changed(
        found, period, extra={"open": Count("pk", filter=~Q(status=IssueStatus.CLOSED))}
    )
    section = InputSection(
        "b",
        "Changes in external and internal issues relevant to the AIMS",
        clause="9.3.2 b)",
        recorded=counts["total"] > 0,
        more_url=_url("issue_list", organization),
    )
    if not section.recorded:
        return section
    section.figures = [
        Figure("New", counts["new"]),
        Figure("Changed", counts["changed"]),
        Figure("Open issues", counts["open"]),
    ]
    section.summary = (
        f"{_plural(counts['new'], 'issue')} new and {counts['changed']} changed {period.words}, "
        f"of {counts['total']} in the register."
    )
    section.items = _changed_items(
        found,
        period,
        organization,
        lambda issue: (
            f"{issue.get_side_display()} · {issue.get_category_display()} · "
            f"{issue.get_status_display()}"
        ),
    )
    section.more = max(counts["new"] + counts["changed"] - len(section.items), 0)
    if not section.items:
        section.empty = f"No issue new or changed {period.words}."
    return section


def interested_parties(review, period: Period) -> InputSection:
    organization = review.organization
    parties = InterestedParty.objects.for_org(organization)
    obligations = Obligation.objects.for_org(organization)
    party_counts = _changed(
        parties,
        period,
        extra={"not_met": Count("pk", filter=~Q(addressed=Addressed.ADDRESSED))},
    )
    obligation_counts = _changed(
        obligations,
        period,
        extra={
            "not_compliant": Count(
                "pk", filter=Q(compliance__in=[Compliance.NOT_COMPLIANT, Compliance.PARTLY])
            )
        },
    )
    section = InputSection(
        "c",
        "Changes in needs and expectations of interested parties",
        clause="9.3.2 c)",
        recorded=party_counts["total"] + obligation_counts["total"] > 0,
        more_url=_url("party_list", organization),
    )
    if not section.recorded:
        return section
    parties_changed = party_counts["new"] + party_counts["changed"]
    obligations_changed = obligation_counts["new"] + obligation_counts["changed"]
    section.figures = [
        Figure("Parties new or changed", parties_changed),
        Figure(
            "Parties not fully addressed",
            party_counts["not_met"],
            "warn" if party_counts["not_met"] else "good",
        ),
        Figure("Obligations new or changed", obligations_changed),
        Figure(
            "Obligations not (fully) complied with",
            obligation_counts["not_compliant"],
            "bad" if obligation_counts["not_compliant"] else "good",
        ),
    ]
    section.summary = (
        f"{_plural(parties_changed, 'interested party', 'interested parties')} "
        f"and {_plural(obligations_changed, 'obligation')} "
        f"new or changed {period.words}."
    )
    section.items = _changed_items(
        parties,
        period,
        organization,
        lambda party: (
            f"Interested party · {party.get_kind_display()} · {party.get_addressed_display()}"
        ),
        limit=LISTED // 2,
    ) + _changed_items(
        obligations,
        period,
        organization,
        lambda obligation: (
            f"Obligation · {obligation.get_kind_display()} · {obligation.get_compliance_display()}"
        ),
        limit=LISTED // 2,
    )
    section.more = max(parties_changed + obligations_changed - len(section.items), 0)
    if not section.items:
        section.empty = f"No interested party or obligation new or changed {period.words}."
    return section


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


def _link(record) -> str:
    """A record's page; empty while its area has no page for it yet."""
    try:
        return record.get_absolute_url()
    except NoReverseMatch:
        return ""


def _list_url(name: str, organization) -> str:
    try:
        return _url(name, organization)
    except NoReverseMatch:
        return ""


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


# --- Risk treatment ------------------------------------------------------------------------------


def risk_treatment(review, period: Period) -> InputSection:
    """Open risks by level; treatments due or overdue; acceptances about to expire."""
    organization = review.organization
    matrix = organization.risk_matrix
    risks = Risk.objects.for_org(organization)
    by_score = (
        risks.open().with_scores().values("current_score_db").annotate(n=Count("pk")).order_by()
    )
    levels = {level: 0 for level in Level}
    total_open = 0
    for row in by_score:
        level = matrix.level_for(row["current_score_db"])
        if level is not None:
            levels[level] += row["n"]
        total_open += row["n"]
    horizon = period.today + dt.timedelta(days=TREATMENT_NOTICE_DAYS)
    treating = risks.filter(
        status__in=[RiskStatus.IDENTIFIED, RiskStatus.IN_TREATMENT],
        treatment_due__isnull=False,
        treatment_due__lte=horizon,
    )
    counts = risks.aggregate(
        total=Count("pk"),
        overdue=Count(
            "pk",
            filter=Q(
                status__in=[RiskStatus.IDENTIFIED, RiskStatus.IN_TREATMENT],
                treatment_due__lt=period.today,
            ),
        ),
        due=Count(
            "pk",
            filter=Q(
                status__in=[RiskStatus.IDENTIFIED, RiskStatus.IN_TREATMENT],
                treatment_due__gte=period.today,
                treatment_due__lte=horizon,
            ),
        ),
    )
    expiring = RiskAcceptance.objects.filter(
        risk__organization=organization,
        expires_on__gte=period.today,
        expires_on__lte=period.today + dt.timedelta(days=ACCEPTANCE_NOTICE_DAYS),
    ).exclude(risk__status=RiskStatus.CLOSED)
    needs_decision = risks.needs_decision(matrix).count()
    section = InputSection(
        "risk",
        "Risk treatment status",
        recorded=counts["total"] > 0,
        more_url=_url("risk_list", organization),
    )
    if not section.recorded:
        return section
    tones = {Level.CRITICAL: "bad", Level.HIGH: "warn"}
    section.figures = [
        Figure(
            f"Open {level.label.lower()}",
            levels[level],
            tones.get(level, "") if levels[level] else "",
        )
        for level in reversed(Level)
    ]
    section.figures += [
        Figure("Treatments overdue", counts["overdue"], "bad" if counts["overdue"] else "good"),
        Figure(f"Treatments due in {TREATMENT_NOTICE_DAYS} days", counts["due"]),
        Figure("Above appetite, not accepted", needs_decision, "bad" if needs_decision else "good"),
    ]
    expiring_list = list(expiring.select_related("risk").order_by("expires_on", "pk")[:LISTED])
    section.summary = (
        f"{_plural(total_open, 'open risk')}; {counts['overdue']} treatment"
        f"{'s' if counts['overdue'] != 1 else ''} overdue, {counts['due']} due within "
        f"{TREATMENT_NOTICE_DAYS} days; {_plural(len(expiring_list), 'acceptance')} expiring "
        f"within {ACCEPTANCE_NOTICE_DAYS} days."
    )
    for risk in treating.order_by("treatment_due", "ref")[:LISTED]:
        risk.organization = organization
        overdue = risk.treatment_due < period.today
        section.items.append(
            Item(
                f"{risk.ref} {risk.title}",
                risk.get_absolute_url(),
                f"Treatment {'overdue since' if overdue else 'due'} {risk.treatment_due:%Y-%m-%d}"
                f" · {risk.get_status_display()}",
                "bad" if overdue else "warn",
            )
        )
    for acceptance in expiring_list:
        acceptance.risk.organization = organization
        section.items.append(
            Item(
                f"{acceptance.risk.ref} {acceptance.risk.title}",
                acceptance.risk.get_absolute_url(),
                f"Acceptance expires {acceptance.expires_on:%Y-%m-%d}",
                "warn",
            )
        )
    shown = {item.url for item in section.items}
    highest = risks.open().with_acceptance(period.today).order_by("-current_score_db", "ref")
    for risk in highest[:LISTED]:
        risk.organization = organization
        url = risk.get_absolute_url()
        if len(section.items) >= LISTED or url in shown:
            continue
        level = matrix.level_for(risk.current_score_db)
        waiting = (
            risk.current_score_db > matrix.appetite_max_score and not risk.has_current_acceptance
        )
        note = [f"{level.label if level else 'Unscored'} (score {risk.current_score_db})"]
        note.append(risk.get_status_display())
        if waiting:
            note.append("above appetite, not accepted")
        section.items.append(
            Item(
                f"{risk.ref} {risk.title}",
                url,
                " · ".join(note),
                "bad" if waiting else ("warn" if level in tones else ""),
            )
        )
    section.more = max(counts["overdue"] + counts["due"] - LISTED, 0)
    if not section.items:
        section.empty = "No open risk, no risk treatment due and no acceptance expiring soon."
    return section


# --- Incidents -----------------------------------------------------------------------------------


def incidents(review, period: Period) -> InputSection:
    organization = review.organization
    found = Incident.objects.for_org(organization)
    counts = found.aggregate(
        total=Count("pk"),
        period=Count("pk", filter=Q(became_aware_at__gte=period.start)),
        serious=Count("pk", filter=Q(became_aware_at__gte=period.start, is_serious=True)),
        active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
    )
    section = InputSection(
        "incidents",
        "AI incidents",
        recorded=counts["total"] > 0,
        more_url=_url("incident_list", organization),
    )
    if not section.recorded:
        return section
    section.figures = [
        Figure("In the period", counts["period"]),
        Figure(
            "Serious (EU AI Act Art. 73)", counts["serious"], "bad" if counts["serious"] else "good"
        ),
        Figure("Not closed", counts["active"], "warn" if counts["active"] else "good"),
    ]
    section.summary = (
        f"{_plural(counts['period'], 'incident')} {period.words}, {counts['serious']} serious; "
        f"{counts['active']} not closed."
    )
    rows = list(
        found.filter(Q(became_aware_at__gte=period.start) | Q(status__in=ACTIVE_STATUSES))
        .select_related("system")
        .order_by("-is_serious", "-became_aware_at", "-pk")[:LISTED]
    )
    for incident in rows:
        incident.organization = organization
        note = [
            incident.get_severity_display(),
            incident.get_status_display(),
            incident.system.name,
        ]
        if incident.is_serious:
            note.insert(0, "Serious")
        section.items.append(
            Item(
                f"{incident.ref} {incident.title}",
                incident.get_absolute_url(),
                " · ".join(note)
                + f" · aware {timezone.localtime(incident.became_aware_at):%Y-%m-%d}",
                "bad" if incident.is_serious else ("warn" if incident.is_active else ""),
            )
        )
    section.more = max(counts["period"] - len(rows), 0)
    if not section.items:
        section.empty = f"No incident {period.words}, and none open."
    return section


# --- All of them ---------------------------------------------------------------------------------

# The inputs this area compiles itself, in the order of 9.3.2; areas below (nonconformities,
# improvement, audits) are read here too, as they are above this one.
COMPILERS: list[Callable[[ManagementReview, Period], InputSection]] = [
    previous_actions,
    issues,
    interested_parties,
    nonconformities,
    monitoring,
    audit_results,
    improvements,
    risk_treatment,
    incidents,
]

ORDER = ["a", "b", "c", "d1", "d2", "d3", "e", "risk", "incidents"]


def compile_inputs(review: ManagementReview, period: Period | None = None) -> list[InputSection]:
    """The sections this area compiles, live, in the order of 9.3.2."""
    period = period or period_of(review)
    sections = [compiler(review, period) for compiler in COMPILERS]
    return sorted(sections, key=lambda s: ORDER.index(s.key) if s.key in ORDER else len(ORDER))


def contributed(review: ManagementReview, request) -> list[Section]:
    """The sections the areas below contribute (hook ``review_inputs``), in their order."""
    found = page_sections("review_inputs", review, request)
    return found["main"] + found["side"]


READINESS_MISSING = InputSection(
    "readiness",
    "Readiness for certification",
    recorded=False,
    empty=NOT_RECORDED + ": no readiness assessment has been made.",
)


# --- Freezing --------------------------------------------------------------------------------


# Text pieces joined with spaces leave one before a stop ("assessment , assessed"): drop it.
SPACE_BEFORE_STOP = re.compile(r" ([.,;:)])")


class _Blocks(HTMLParser):
    """The text of a rendered section, block by block, with the first link of each block: what
    a contributed section said, kept as plain data (never as markup)."""

    BLOCKS = {"h1", "h2", "h3", "h4", "h5", "p", "li", "tr", "dt", "dd", "caption", "summary"}
    SKIPPED = {"script", "style", "form", "button", "select", "textarea", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Item] = []
        self.text: list[str] = []
        self.url = ""
        self.tag = ""
        self.skipping = 0

    def flush(self):
        text = SPACE_BEFORE_STOP.sub(r"\1", " ".join(" ".join(self.text).split()))
        if text:
            self.blocks.append(Item(text[:500], self.url, heading=self.tag[:1] == "h"))
        self.text, self.url, self.tag = [], "", ""

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.flush()
            self.tag = tag
        elif tag in ("td", "th") and self.text:
            self.text.append(" · ")
        elif tag == "a" and not self.url:
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.url = href

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.skipping:
            self.text.append(data)


def section_as_data(section: Section, *, review, index: int) -> InputSection:
    """A contributed section, rendered as it is now, kept as text and links."""
    html = render_to_string(
        section.template,
        {"section": section.context, "org": review.organization, "review": review, "frozen": True},
    )
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser.flush()
    blocks = parser.blocks
    title = "Contributed input"
    if blocks and blocks[0].heading:
        title = blocks.pop(0).label
    return InputSection(
        f"{CONTRIBUTED}{index}", title[:200], items=blocks[:40], empty="Nothing was recorded."
    )


def compile_as_data(review: ManagementReview, *, request=None, actor=None) -> tuple[dt.date, list]:
    """The inputs of ``review`` as they are now, every section as plain data (the contributed
    ones as their text and links): what is stored when it is held, and what the API gives."""
    period = period_of(review)
    sections = compile_inputs(review, period)
    if request is None:
        membership = Membership.objects.filter(
            organization=review.organization, user_id=getattr(actor, "pk", None)
        ).first()
        request = SimpleNamespace(
            org=review.organization, user=actor, membership=membership, GET={}, POST={}
        )
    extra = contributed(review, request)
    if extra:
        sections += [
            section_as_data(section, review=review, index=n) for n, section in enumerate(extra)
        ]
    else:
        sections.append(READINESS_MISSING)
    return period.since, [section.as_dict() for section in sections]


def freeze_inputs(review: ManagementReview, *, request=None, actor=None) -> tuple[dt.date, list]:
    """The inputs to store with ``review`` when it is held."""
    return compile_as_data(review, request=request, actor=actor)


def frozen_sections(review: ManagementReview) -> list[InputSection]:
    return [InputSection.from_dict(data) for data in review.inputs or []]
