"""The demo organization's readiness assessments (Northwind Credit, fictional).

* Six months ago Priya Shah, the AIMS manager, made the first gap assessment: the records then
  were thinner, so the levels were lower (each proposal of that time is kept with the words "six
  months ago"); it was completed, and its biggest gaps became roadmap actions, two of them done
  since.
* This month she assessed again, from the records as they are now: she accepted the proposals,
  overrode two with a note, and completed it. The comparison shows the progress.
* Two items of the certification checklist are ticked by hand: the scope (confirmed by the
  board) and the people (an awareness session the records do not show yet).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.readiness import services
from aims.readiness.models import Assessment, AssessmentItem, ChecklistKey, RoadmapAction
from aims.readiness.results import results

EARLIER_DAYS = 182  # the first assessment, about six months ago
# How much lower each clause stood six months ago (the rest: one level lower).
EARLIER_DROP = {"9": 2, "10": 1, "4": 0, "5": 1}

OVERRIDES = {
    # requirement: (level, note) in this month's assessment
    "7.3": (
        2,
        "Raised from the proposal: the March awareness sessions reached every underwriter and "
        "the contact-centre team leads; their acknowledgements of the policy are being chased.",
    ),
    "A.6.2.6": (
        3,
        "Raised: monitoring of the credit model runs monthly with the fairness checks and the "
        "drift report; the SoA entry still says partial and will be updated at the next review.",
    ),
}

EARLIER_OVERRIDE = (
    "5.2",
    1,
    "The policy draft had not been to the board yet; nobody outside the AI working group had "
    "seen it.",
)


def _earlier_levels(assessment: Assessment) -> None:
    """What the records said six months ago: each proposal lower, as the demo's history."""
    items = list(assessment.items.select_related("clause", "control"))
    for item in items:
        drop = EARLIER_DROP.get(item.group, 1) if item.kind == "clause" else 1
        if item.ref in ("A.6.2.4", "A.2.2"):
            drop = 2
        item.proposed_level = max((item.proposed_level or 0) - drop, 0)
        item.proposal_reason = f"Six months ago: {item.proposal_reason}"[:2_000]
    AssessmentItem.objects.bulk_update(items, ["proposed_level", "proposal_reason"])


def _complete_at(assessment: Assessment, day: dt.date, *, actor) -> Assessment:
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(16, 30)))
    return services.complete(assessment, actor=actor, when=when)


def _rate(assessment: Assessment, ref: str, level: int, note: str, *, actor) -> None:
    item = next(i for i in assessment.items.select_related("clause", "control") if i.ref == ref)
    item.assessment = assessment
    services.rate_item(item, actor=actor, level=level, note=note)


def _gaps(assessment: Assessment):
    return results(assessment).gaps


def load_first(org, *, people, systems, risks, today) -> None:
    """The first gap assessment and its roadmap; loaded before the management review held since,
    whose frozen inputs show it."""
    if Assessment.objects.for_org(org).exists():
        return
    manager = people["priya.shah"]
    earlier_day = today - dt.timedelta(days=EARLIER_DAYS)

    # Six months ago: the first gap assessment.
    earlier = services.start_assessment(
        Assessment(
            organization=org,
            title="First gap assessment",
            assessed_on=earlier_day,
            assessor=manager,
            summary="Context, scope and the risk register are in place; the policy, the SoA and "
            "the technical controls are only partly there, and nothing yet checks that the "
            "system works: no internal audit, no management review. Not ready for a stage 1 "
            "audit; the roadmap addresses the largest gaps first.",
        ),
        actor=manager,
        today=today,
    )
    _earlier_levels(earlier)
    services.accept_proposals(earlier, actor=manager)
    _rate(earlier, *EARLIER_OVERRIDE, actor=manager)
    _complete_at(earlier, earlier_day, actor=manager)

    # Its biggest gaps became the roadmap: two done since, one still open.
    found = _gaps(earlier)
    gaps = [g for g in found if g.item.kind == "control"][:2] + [
        g for g in found if g.item.ref in ("9.2.2", "9.3.1")
    ]
    owners = [people["tom.becker"], manager, manager, people["tom.becker"]]
    for n, gap in enumerate(gaps[:3]):
        action = services.save_action(
            RoadmapAction(
                organization=org,
                item=gap.item,
                title=f"Raise {gap.item.ref} {gap.item.title} to level 3"[:200],
                description="Agree the owner and the procedure, put it in operation for the "
                "credit model first, and file the records as evidence.",
                owner=owners[n],
                due_date=earlier_day + dt.timedelta(days=60 + 30 * n),
            ),
            actor=manager,
            today=earlier_day,
        )
        if n < 2:
            services.mark_done(action, actor=owners[n], today=earlier_day + dt.timedelta(days=50))


def load(org, *, people, systems, risks, today) -> None:
    """This month's assessment, after the rest of the demo: it reads the records as they are."""
    if Assessment.objects.for_org(org).count() != 1:
        return
    manager = people["priya.shah"]
    latest = services.start_assessment(
        Assessment(
            organization=org,
            title="Readiness assessment before stage 1",
            assessed_on=today,
            assessor=manager,
            summary="Clear progress since the first assessment: the internal audit cycle and "
            "the first management review took place, and most controls are in operation. The "
            "remaining gaps are the undecided SoA controls and the controls without current "
            "evidence; closing them comes before booking the stage 1 audit.",
        ),
        actor=manager,
        today=today,
    )
    services.accept_proposals(latest, actor=manager)
    for ref, (level, note) in OVERRIDES.items():
        if (
            latest.items.filter(control__ref=ref).exists()
            or latest.items.filter(clause__ref=ref).exists()
        ):
            _rate(latest, ref, level, note, actor=manager)
    services.complete(latest, actor=manager)

    # The roadmap from this month's gaps that leave most risk open.
    for n, gap in enumerate(_gaps(latest)[:4]):
        services.save_action(
            RoadmapAction(
                organization=org,
                item=gap.item,
                title=f"Raise {gap.item.ref} {gap.item.title} to level 3"[:200],
                description="Close the gap before the stage 1 audit: implement it across the "
                "three AI systems and link current evidence to its SoA entry.",
                owner=manager if n % 2 == 0 else people["tom.becker"],
                due_date=today + dt.timedelta(days=30 + 15 * n),
            ),
            actor=manager,
            today=today,
        )

    # Two ticks by hand on the certification checklist.
    services.tick(
        org,
        ChecklistKey.SCOPE,
        actor=manager,
        note="The scope statement was confirmed by the board on its last meeting (minutes, "
        "item 4).",
    )
    services.tick(
        org,
        ChecklistKey.PEOPLE,
        actor=manager,
        note="Awareness sessions held for every underwriter and contact-centre lead in March "
        "(attendance in the HR system); the policy acknowledgements are being chased.",
    )
