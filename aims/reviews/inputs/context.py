"""Inputs a) to c) of 9.3.2: the actions of previous reviews, changes in the issues and in the
interested parties' needs and expectations."""

from __future__ import annotations

from django.db.models import Count, Q

from aims.context.models import (
    Addressed,
    Compliance,
    InterestedParty,
    Issue,
    IssueStatus,
    Obligation,
)

from ..models import ActionStatus, ManagementReview, ReviewAction
from .base import (
    LISTED,
    NOT_RECORDED,
    Figure,
    InputSection,
    Item,
    Period,
    _changed,
    _changed_items,
    _person,
    _plural,
    _url,
)

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
