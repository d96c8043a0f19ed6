"""Demo content of the objectives area: Northwind Credit's AI objectives and their KPIs.

Four objectives; five KPIs: one fed by the credit system's fairness check by sex, one entered by
hand each month for half a year (a trend), one imported from a CSV file, and one or two that
follow figures other areas compute (the share of staff trained, the share who acknowledged the
AI policy), when those areas are installed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from aims.catalog.models import AIObjective, Clause, Control
from aims.checks.models import Check
from aims.core.areas import measures
from aims.core.errors import Refused
from aims.objectives.models import (
    KPI,
    Direction,
    Frequency,
    KPISource,
    Objective,
    ObjectiveStatus,
)
from aims.objectives.services import (
    add_measurement,
    import_measurements,
    sample_measure,
    save_kpi,
    save_objective,
)

PARITY_CHECK = "Approval parity by sex"


def _measure_key(*words: str) -> str | None:
    """The key of an app figure whose key or label holds all ``words``; None when absent."""
    for key, measure in sorted(measures().items()):
        text = f"{key} {measure.label}".lower()
        if all(word in text for word in words):
            return key
    return None


def _next_june_30(today: dt.date) -> dt.date:
    june = dt.date(today.year, 6, 30)
    return june if june >= today else dt.date(today.year + 1, 6, 30)


def load(org, *, people, systems, risks, today) -> None:
    manager = people["priya.shah"]
    scientist = people["tom.becker"]
    owner = people["demo"]

    def objective(title, *, annex, controls=(), **fields) -> Objective:
        return save_objective(
            Objective(organization=org, title=title, **fields),
            actor=manager,
            annex_objectives=list(AIObjective.objects.filter(ref__in=annex)),
            clauses=list(Clause.objects.filter(ref__in=["6.2", "9.1"])),
            controls=list(Control.objects.filter(ref__in=controls)),
            today=today,
        )

    fairness = objective(
        "Every high-risk system passes fairness checks before each release",
        plan="Run the approval-parity checks on the validation log of every model release of "
        "a high-risk system; a release with a failed check does not go live until the model "
        "team has corrected the gap or the risk owner has accepted it in writing.",
        resources="Half a day of data science per release; the technical checks of the AIMS; "
        "the model validation team for the review.",
        owner=scientist,
        deadline=today + dt.timedelta(days=180),
        evaluation="The parity gap of each release stays under 0.10 and no release went live "
        "with a failed fairness check over the period.",
        status=ObjectiveStatus.IN_PROGRESS,
        annex=["C.2.5", "C.2.1"],
        controls=["A.6.2.4", "A.7.4"],
    )
    training = objective(
        "All AIMS staff trained by Q2",
        plan="Every member of the AI governance group, the model team and the credit officers "
        "who use AI scores completes the AI awareness course and its role module.",
        resources="The e-learning licence; two hours per person; HR to track completion.",
        owner=manager,
        deadline=_next_june_30(today),
        evaluation="The share of staff with the required training complete reaches 100%.",
        status=ObjectiveStatus.IN_PROGRESS,
        annex=["C.2.2"],
        controls=["A.4.6"],
    )
    incidents = objective(
        "Reduce time to resolve AI incidents",
        plan="Triage AI incidents within a day, give each an owner, and review the slowest "
        "ones every month in the AI governance meeting.",
        resources="An on-call rota of the model team; the incident log.",
        owner=scientist,
        deadline=today + dt.timedelta(days=270),
        evaluation="The median time from report to resolution falls to 10 days or less.",
        status=ObjectiveStatus.IN_PROGRESS,
        annex=["C.2.6", "C.2.9"],
        controls=["A.8.4"],
    )
    policy = objective(
        "Approved AI policy acknowledged by all staff",
        plan="Send the approved AI policy to every member of staff and follow up until each "
        "has confirmed reading it.",
        resources="The document register's acknowledgement; team leads to follow up.",
        owner=owner,
        deadline=today + dt.timedelta(days=60),
        evaluation="Every member of staff has acknowledged the current version.",
        status=ObjectiveStatus.PLANNED,
        annex=["C.2.1", "C.2.11"],
        controls=["A.2.2"],
    )

    check = Check.objects.filter(system=systems["credit"], name=PARITY_CHECK).first()
    if check is not None:
        save_kpi(
            KPI(
                organization=org,
                name="Approval parity gap by sex (credit scoring)",
                description="The demographic parity difference between women and men in the "
                "approvals of the credit scoring model, from each run of its fairness check.",
                target=Decimal("0.10"),
                direction=Direction.LOWER,
                tolerance=Decimal("0.02"),
                frequency=Frequency.MONTHLY,
                owner=scientist,
                source=KPISource.CHECK,
                check_definition=check,
                check_metric="demographic_parity_difference",
            ),
            actor=manager,
            objectives=[fairness],
        )

    resolve = save_kpi(
        KPI(
            organization=org,
            name="Median days to resolve AI incidents",
            description="Median number of days from the report of an AI incident to its "
            "resolution, over the incidents closed in the month.",
            unit="days",
            target=Decimal(10),
            direction=Direction.LOWER,
            tolerance=Decimal(3),
            frequency=Frequency.MONTHLY,
            owner=scientist,
        ),
        actor=manager,
        objectives=[incidents],
    )
    for months_ago, days in ((5, 21), (4, 19), (3, 17), (2, 15), (1, 14), (0, 12)):
        add_measurement(
            resolve,
            actor=scientist,
            date=today - dt.timedelta(days=30 * months_ago),
            value=days,
            note="From the incident log",
            today=today,
        )

    releases = save_kpi(
        KPI(
            organization=org,
            name="Releases with passed fairness checks",
            description="Share of the model releases of high-risk systems in the quarter whose "
            "fairness checks all passed before going live.",
            unit="%",
            target=Decimal(100),
            direction=Direction.HIGHER,
            tolerance=Decimal(10),
            frequency=Frequency.QUARTERLY,
            owner=manager,
            source=KPISource.IMPORT,
        ),
        actor=manager,
        objectives=[fairness],
    )
    rows = "\n".join(
        f"{releases.name},{(today - dt.timedelta(days=days)).isoformat()},{value},Release log"
        for days, value in ((270, 75), (180, 80), (90, 100))
    )
    import_measurements(
        org,
        SimpleUploadedFile("releases.csv", f"kpi,date,value,note\n{rows}\n".encode()),
        actor=manager,
        today=today,
    )

    for words, name, objective_, description in (
        (
            ("training",),
            "Share of AIMS staff trained",
            training,
            "The share of members with their required AI training complete, as the "
            "competence records compute it.",
        ),
        (
            ("acknowledg",),
            "Share of staff who acknowledged the AI policy",
            policy,
            "The share of members who confirmed reading the current AI policy, as the "
            "document register computes it.",
        ),
    ):
        key = _measure_key(*words)
        if key is None:
            continue  # that area is not installed: no figure to follow
        kpi = save_kpi(
            KPI(
                organization=org,
                name=name,
                description=description,
                unit=measures()[key].unit,
                target=Decimal(100) if measures()[key].unit in ("%", "percent") else Decimal(1),
                direction=Direction.HIGHER,
                tolerance=Decimal(15)
                if measures()[key].unit in ("%", "percent")
                else Decimal("0.15"),
                frequency=Frequency.MONTHLY,
                owner=manager,
                source=KPISource.MEASURE,
                measure_key=key,
            ),
            actor=manager,
            objectives=[objective_],
        )
        with contextlib.suppress(Refused):  # nothing to measure yet: the worker samples it later
            sample_measure(kpi, actor=manager, today=today)
