"""What the check-and-act areas say for the proposals: internal audits (9.2), management
reviews (9.3), improvements (10.1) and nonconformities (10.2).

Each ``*_facts`` function reads its area with a fixed number of queries and returns ``None`` when
the area holds no record at all, so the proposal says "not recorded yet".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from aims.audits.coverage import coverage, current_programme
from aims.audits.models import Audit, AuditProgramme
from aims.core.dates import add_months
from aims.improvement.models import OPEN_STATUSES as IMPROVEMENT_OPEN
from aims.improvement.models import Improvement, Lesson
from aims.improvement.models import Status as ImprovementStatus
from aims.nonconformities.models import CorrectiveAction, Nonconformity, Severity
from aims.nonconformities.models import Status as NCStatus
from aims.reviews.models import ManagementReview, ReviewAction, ReviewStatus

NOT_RECORDED = "not recorded yet"

# The page each of these clauses' proposals is read from.
CLAUSE_SOURCES = {
    "9.2.1": "audit_list",
    "9.2.2": "audit_programme_list",
    "9.3.1": "review_list",
    "9.3.2": "review_list",
    "9.3.3": "review_list",
    "10.1": "improvement_list",
    "10.2": "nonconformity_list",
}


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _year_ago(today: dt.date) -> dt.date:
    return add_months(today, -12)


# --- 9.2 Internal audit -------------------------------------------------------------------------


@dataclass
class AuditFacts:
    programmes: int = 0
    audits: int = 0
    completed_within_year: int = 0
    programme_title: str = ""
    percent_planned: int = 0
    percent_audited: int = 0
    coverage_complete: bool = False
    unaudited: tuple[str, ...] = ()
    controls_audited: set = field(default_factory=set)  # control ids, completed this year


def audit_facts(organization, today: dt.date) -> AuditFacts | None:
    facts = AuditFacts(programmes=AuditProgramme.objects.for_org(organization).count())
    audits = Audit.objects.for_org(organization)
    facts.audits = audits.not_cancelled().count()
    if not facts.programmes and not facts.audits:
        return None
    since = _year_ago(today)
    done = audits.completed().filter(completed_on__gte=since)
    facts.completed_within_year = done.count()
    facts.controls_audited = set(
        Audit.controls.through.objects.filter(audit__in=done).values_list("control_id", flat=True)
    )
    # The cycle running today, or the one that ended in the last 12 months: the more complete.
    candidates = [
        current_programme(organization, today),
        AuditProgramme.objects.for_org(organization)
        .filter(ends_on__lt=today, ends_on__gte=since)
        .order_by("-ends_on", "-pk")
        .first(),
    ]
    best = None
    for programme in dict.fromkeys(p for p in candidates if p is not None):
        found = coverage(programme)
        if best is None or (found.complete, found.percent_audited) > (
            best.complete,
            best.percent_audited,
        ):
            best = found
    if best is not None:
        facts.programme_title = best.programme.title
        facts.percent_planned = best.percent_planned
        facts.percent_audited = best.percent_audited
        facts.coverage_complete = best.complete
        facts.unaudited = tuple(r.ref for r in best.unaudited)
    return facts


def audit_proposal(facts: AuditFacts | None, *, programme: bool):
    from .signals import Proposal

    if facts is None:
        return Proposal(0, f"Internal audit (9.2): {NOT_RECORDED}.")
    if programme:
        if not facts.programme_title:
            return Proposal(
                1,
                f"{_plural(facts.audits, 'audit')} recorded, but no programme covers this year.",
            )
        reason = (
            f"Programme “{facts.programme_title}”: {facts.percent_planned} % of the "
            f"requirements planned, {facts.percent_audited} % audited"
        )
        if facts.coverage_complete:
            return Proposal(4, reason + "; the whole AIMS is covered.")
        if facts.percent_planned == 100:
            return Proposal(3, reason + ".")
        return Proposal(2, reason + "; some requirements are in no audit yet.")
    if not facts.completed_within_year:
        level = 2 if facts.audits else 1
        return Proposal(level, "No internal audit completed in the last 12 months.")
    reason = f"{_plural(facts.completed_within_year, 'internal audit')} completed this year"
    if facts.coverage_complete:
        return Proposal(4, reason + ", covering the whole AIMS.")
    left = len(facts.unaudited)
    if left:
        reason += f"; {_plural(left, 'requirement')} of the cycle not audited yet"
    return Proposal(3, reason + ".")


# --- 9.3 Management review ----------------------------------------------------------------------


@dataclass
class ReviewFacts:
    planned: int = 0
    held: int = 0
    held_within_year: bool = False
    latest_held_on: dt.date | None = None
    latest_approved: bool = False
    latest_inputs: bool = False
    actions: int = 0
    actions_overdue: int = 0


def review_facts(organization, today: dt.date) -> ReviewFacts | None:
    reviews = ManagementReview.objects.for_org(organization)
    counts = reviews.aggregate(
        total=Count("pk"),
        planned=Count("pk", filter=Q(status=ReviewStatus.PLANNED)),
        held=Count("pk", filter=~Q(status=ReviewStatus.PLANNED)),
    )
    if not counts["total"]:
        return None
    facts = ReviewFacts(planned=counts["planned"], held=counts["held"])
    latest = (
        reviews.held()
        .order_by("-held_on", "-pk")
        .values("pk", "held_on", "status", "inputs")
        .first()
    )
    if latest is not None:
        facts.latest_held_on = latest["held_on"]
        facts.held_within_year = bool(latest["held_on"] and latest["held_on"] >= _year_ago(today))
        facts.latest_approved = latest["status"] == ReviewStatus.APPROVED
        facts.latest_inputs = bool(latest["inputs"])
        actions = ReviewAction.objects.for_org(organization).filter(review_id=latest["pk"])
        facts.actions = actions.count()
        facts.actions_overdue = actions.overdue(today).count()
    return facts


def review_proposal(facts: ReviewFacts | None, *, part: str):
    from .signals import Proposal

    if facts is None:
        return Proposal(0, f"Management review (9.3): {NOT_RECORDED}.")
    if not facts.held:
        return Proposal(1, "A management review is planned; none held yet.")
    held = f"{facts.latest_held_on:%Y-%m-%d}" if facts.latest_held_on else "an unknown date"
    if not facts.held_within_year:
        return Proposal(2, f"The last management review was held on {held}: over 12 months ago.")
    reason = f"A management review was held on {held}"
    if part == "held":
        if facts.latest_approved:
            return Proposal(4, reason + ", its minutes approved by the chair.")
        return Proposal(3, reason + "; its minutes are not approved yet.")
    if part == "inputs":
        if facts.latest_inputs:
            return Proposal(4, reason + ", with its inputs compiled from the records.")
        return Proposal(3, reason + ".")
    if not facts.actions:
        return Proposal(3, reason + "; no action recorded from it.")
    if facts.actions_overdue:
        return Proposal(
            3, f"{reason}; {facts.actions_overdue} of its {facts.actions} actions overdue."
        )
    return Proposal(4, f"{reason}; {_plural(facts.actions, 'action')} recorded, none overdue.")


# --- 10.1 Continual improvement -----------------------------------------------------------------


@dataclass
class ImprovementFacts:
    total: int = 0
    open: int = 0
    done: int = 0
    measured: int = 0
    overdue: int = 0
    lessons: int = 0
    from_nonconformities_done: int = 0


def improvement_facts(organization, today: dt.date) -> ImprovementFacts | None:
    improvements = Improvement.objects.for_org(organization)
    done = Q(status=ImprovementStatus.DONE)
    counts = improvements.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=IMPROVEMENT_OPEN)),
        done=Count("pk", filter=done),
        measured=Count("pk", filter=done & Q(outcome_measured_on__isnull=False)),
        overdue=Count("pk", filter=Q(status__in=IMPROVEMENT_OPEN, due_date__lt=today)),
        from_nc=Count("pk", filter=done & Q(nonconformity__isnull=False)),
    )
    lessons = Lesson.objects.for_org(organization).count()
    if not counts["total"] and not lessons:
        return None
    return ImprovementFacts(
        total=counts["total"],
        open=counts["open"],
        done=counts["done"],
        measured=counts["measured"],
        overdue=counts["overdue"],
        lessons=lessons,
        from_nonconformities_done=counts["from_nc"],
    )


def improvement_proposal(facts: ImprovementFacts | None):
    from .signals import Proposal

    if facts is None:
        return Proposal(1, f"Improvements and lessons learned (10.1): {NOT_RECORDED}.")
    reason = (
        f"{_plural(facts.total, 'improvement')} ({facts.done} done, {facts.open} open) and "
        f"{_plural(facts.lessons, 'lesson')} learned"
    )
    if not facts.done:
        return Proposal(2, reason + "; none done yet.")
    if facts.overdue:
        return Proposal(3, f"{reason}; {facts.overdue} past their due date.")
    if not facts.measured:
        return Proposal(3, reason + "; no outcome measured yet.")
    if facts.measured >= 3 and facts.lessons:
        return Proposal(5, f"{reason}; {facts.measured} with their outcome measured.")
    return Proposal(4, f"{reason}; {facts.measured} with their outcome measured.")


# --- 10.2 Nonconformity and corrective action ---------------------------------------------------


@dataclass
class NonconformityFacts:
    total: int = 0
    open: int = 0
    closed: int = 0
    open_majors: int = 0
    awaiting_review: int = 0
    actions_overdue: int = 0
    improvements_done: int = 0
    # ("clause" | "control", id) -> open major nonconformities naming it
    majors_by_requirement: dict = field(default_factory=dict)


def nonconformity_facts(organization, today: dt.date) -> NonconformityFacts | None:
    found = Nonconformity.objects.for_org(organization)
    counts = found.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=NCStatus.CLOSED)),
        majors=Count("pk", filter=~Q(status=NCStatus.CLOSED) & Q(severity=Severity.MAJOR)),
        review=Count("pk", filter=Q(status=NCStatus.REVIEW)),
    )
    if not counts["total"]:
        return None
    facts = NonconformityFacts(
        total=counts["total"],
        open=counts["total"] - counts["closed"],
        closed=counts["closed"],
        open_majors=counts["majors"],
        awaiting_review=counts["review"],
        actions_overdue=CorrectiveAction.objects.for_org(organization).overdue(today).count(),
        improvements_done=Improvement.objects.for_org(organization)
        .done()
        .filter(nonconformity__isnull=False)
        .count(),
    )
    majors = found.open().filter(severity=Severity.MAJOR)
    for kind, through, column in (
        ("clause", Nonconformity.clauses.through, "clause_id"),
        ("control", Nonconformity.controls.through, "control_id"),
    ):
        for requirement_id in through.objects.filter(nonconformity__in=majors).values_list(
            column, flat=True
        ):
            key = (kind, requirement_id)
            facts.majors_by_requirement[key] = facts.majors_by_requirement.get(key, 0) + 1
    return facts


def nonconformity_proposal(facts: NonconformityFacts | None):
    from .signals import Proposal

    if facts is None:
        return Proposal(1, f"Nonconformities and corrective actions (10.2): {NOT_RECORDED}.")
    reason = f"{_plural(facts.total, 'nonconformity', 'nonconformities')} ({facts.closed} closed)"
    level = 4 if facts.closed else 3
    if level == 4 and facts.improvements_done:
        level = 5
        reason += f"; {_plural(facts.improvements_done, 'improvement')} done from them"
    lowered = []
    if facts.open_majors:
        lowered.append(
            _plural(facts.open_majors, "open major nonconformity", "open major nonconformities")
        )
    if facts.actions_overdue:
        lowered.append(_plural(facts.actions_overdue, "overdue corrective action"))
    if facts.awaiting_review:
        reason += f"; {facts.awaiting_review} awaiting an effectiveness review"
    if lowered:
        level = max(level - len(lowered), 1)
        reason += "; lowered for " + " and ".join(lowered)
    return Proposal(level, reason + ".")
