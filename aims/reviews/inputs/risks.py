"""The inputs beyond the clause's list that a review needs: how risk treatment stands, and the
incidents of the period."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from aims.incidents.models import ACTIVE_STATUSES, Incident
from aims.risk.models import Level, Risk, RiskAcceptance
from aims.risk.models import Status as RiskStatus

from .base import (
    ACCEPTANCE_NOTICE_DAYS,
    LISTED,
    TREATMENT_NOTICE_DAYS,
    Figure,
    InputSection,
    Item,
    Period,
    _plural,
    _url,
)

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
