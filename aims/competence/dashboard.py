"""Competence's part of the dashboard: who is fully trained, and training about to expire."""

import datetime as dt

from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part, Stat, Step, how_many

from .matrix import competence_matrix
from .models import EXPIRY_WARNING_DAYS, Competence, TrainingRecord


def part(organization) -> Part:
    today = timezone.localdate()
    matrix = competence_matrix(organization, today=today)
    expiring = (
        TrainingRecord.objects.for_org(organization)
        .latest_per_course()
        .expiring(today)
        .select_related("person", "course")
        .order_by("expires_on", "pk")
    )
    expiring_list = list(expiring[:LIST_LIMIT])
    for record in expiring_list:
        record.organization = organization
    expiring_count = expiring.count()
    competences = Competence.objects.for_org(organization).count()
    records = TrainingRecord.objects.for_org(organization).count()
    members = len(matrix.rows)
    figures = {
        "competences": competences,
        "training_records": records,
        "fully_trained": matrix.fully_trained,
        "members": members,
        "gaps": matrix.gaps,
        "expiring": expiring_list,
        "expiring_count": expiring_count,
        "share_held": matrix.share_held(),
    }
    done = competences > 0 and records > 0
    return Part(
        "competence",
        stats=[
            Stat(
                matrix.fully_trained,
                "person fully trained",
                "people fully trained",
                "competence_matrix",
                of=members,
                order=50,
            )
        ],
        steps=[
            Step(
                "Record competence and training",
                done,
                f"{competences} competence{'s' if competences != 1 else ''}, {records} training "
                f"record{'s' if records != 1 else ''}; {matrix.gaps} gap"
                f"{'s' if matrix.gaps != 1 else ''} in the matrix."
                if done
                else "Name the competences your AI work needs, who needs them, and record the "
                "training people completed (7.2, 7.3).",
                "competence_matrix",
                "Open the competence matrix",
                order=45,
                progress=f"{how_many(competences, 'competence')}, "
                f"{how_many(records, 'training record')}",
            )
        ],
        notices=[
            Notice(
                expiring_count,
                Section(
                    "competence/_dashboard_expiring.html",
                    {
                        "records": expiring_list,
                        "days": EXPIRY_WARNING_DAYS,
                        "until": today + dt.timedelta(days=EXPIRY_WARNING_DAYS),
                    },
                    order=60,
                ),
            )
        ],
        has_records=competences > 0 or records > 0,
        data=figures,
    )
