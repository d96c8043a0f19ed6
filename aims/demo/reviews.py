"""The demo organization's management reviews (9.3):

* one held about five months ago, chaired by Daniel Okafor (CFO, top management), who attended
  and approved its minutes; its decisions (one added to the improvement register) and two
  actions: one done, one still open and overdue;
* one planned for next month, whose inputs are compiled live from everything the demo holds:
  the audit cycle, nonconformities, KPIs, check runs, incidents, risks and readiness.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.reviews.models import (
    ActionStatus,
    DecisionKind,
    ManagementReview,
    ReviewAction,
    ReviewDecision,
)
from aims.reviews.services import (
    add_improvement_from,
    approve_review,
    hold_review,
    save_action,
    save_decision,
    save_review,
)

HELD_DAYS_AGO = 150


def _decide(review, *, actor, kind, text) -> ReviewDecision:
    return save_decision(
        ReviewDecision(organization=review.organization, review=review, kind=kind, text=text),
        actor=actor,
    )


def _act(review, *, actor, title, owner, due, done_on=None, outcome="") -> ReviewAction:
    action = save_action(
        ReviewAction(
            organization=review.organization,
            review=review,
            title=title,
            owner=owner,
            due_date=due,
        ),
        actor=actor,
        today=review.held_on,  # given at the review, when the due date lay ahead
    )
    if done_on is not None:
        action.status, action.done_on, action.outcome = ActionStatus.DONE, done_on, outcome
        save_action(action, actor=owner, today=done_on)
    return action


def load(org, *, people, systems, risks, today) -> None:
    if ManagementReview.objects.filter(organization=org).exists():
        return
    cfo, manager = people["daniel.okafor"], people["priya.shah"]
    owner, ines = people["demo"], people["ines.moreau"]
    held_on = today - dt.timedelta(days=HELD_DAYS_AGO)

    first = save_review(
        ManagementReview(
            organization=org,
            title="Management review: first half-year of the AIMS",
            planned_on=held_on,
            chair=cfo,
            guests="Hannah Lund, external ISO/IEC 42001 adviser (Lund Advisory)",
            agenda="1. Actions from the launch of the AIMS\n2. Changes in context and in what "
            "regulators and customers expect\n3. Performance: checks, KPIs, incidents\n"
            "4. Risks above appetite\n5. Opportunities for improvement\n6. Decisions and actions",
        ),
        actor=manager,
        attendees=[cfo, manager, owner],
        today=held_on,
    )
    first = hold_review(first, actor=manager, held_on=held_on, today=today)
    _decide(
        first,
        actor=manager,
        kind=DecisionKind.CHANGE,
        text="Reclassify the credit scoring model as high risk under the EU AI Act (Annex III "
        "5(b)) and put its high-risk obligations in place before the next review.",
    )
    improvement = _decide(
        first,
        actor=manager,
        kind=DecisionKind.IMPROVEMENT,
        text="Run the fairness checks on every monthly scoring batch, not only before each "
        "release, and report the results to the committee.",
    )
    _decide(
        first,
        actor=manager,
        kind=DecisionKind.RESOURCES,
        text="Fund a second model validator from the next quarter, so validation never waits "
        "for one person.",
    )
    add_improvement_from(improvement, actor=manager, owner=manager)
    _act(
        first,
        actor=manager,
        title="Plan the internal audit programme for the year",
        owner=ines,
        due=held_on + dt.timedelta(days=30),
        done_on=held_on + dt.timedelta(days=24),
        outcome="Programme approved by the AIMS manager; first audits scheduled.",
    )
    _act(
        first,
        actor=manager,
        title="Write the EU AI Act technical documentation of the credit scoring model",
        owner=manager,
        due=held_on + dt.timedelta(days=120),
    )
    first.refresh_from_db()
    first.minutes = (
        "Daniel chaired. Priya presented the inputs compiled by OpenAIMS: both actions of the "
        "launch meeting were done; the EU AI Act now classes creditworthiness assessment as "
        "high risk, which changes what the credit scoring model needs; the fairness checks "
        "passed before deployment and no serious incident was reported. Hannah Lund noted that "
        "the internal audit programme was not yet planned. The review decided as recorded "
        "below and gave two actions."
    )
    first = save_review(first, actor=manager, today=held_on + dt.timedelta(days=2))
    approve_review(
        first,
        actor=cfo,
        now=timezone.make_aware(
            dt.datetime.combine(held_on + dt.timedelta(days=3), dt.time(hour=10))
        ),
    )

    save_review(
        ManagementReview(
            organization=org,
            title="Annual management review",
            planned_on=today + dt.timedelta(days=30),
            chair=cfo,
            agenda="1. Status of the actions of the first review\n2. Changes in issues and "
            "interested parties\n3. Nonconformities and corrective actions, monitoring results, "
            "the internal audit cycle\n4. Improvements, risks, incidents\n5. Readiness for the "
            "certification audit\n6. Decisions and actions",
        ),
        actor=manager,
        attendees=[cfo, manager, owner, ines],
    )
