"""The readiness part of the dashboard: the overall readiness of the latest completed
assessment and the progress of the certification-readiness checklist."""

from django.utils import timezone

from aims.core.areas import Section
from aims.core.dashboard import Part, Stat, Step

from .checklist import checklist
from .models import Assessment
from .results import results


def part(organization) -> Part:
    today = timezone.localdate()
    latest = Assessment.objects.latest_completed(organization)
    found = None
    if latest is not None:
        latest.organization = organization
        found = results(latest)
    ready = checklist(organization, today=today)
    figures = {
        "assessment": latest,
        "results": found,
        "percent": found.percent if found else None,
        "share": found.share_at_target if found else None,
        "gaps": len(found.gaps) if found else 0,
        "met": ready.met,
        "total": ready.total,
        "items": ready.items,
    }
    return Part(
        "readiness",
        stats=[
            Stat(
                ready.met,
                "certification checklist item met",
                "certification checklist items met",
                "readiness_checklist",
                of=ready.total,
                order=90,
            )
        ],
        steps=[
            Step(
                "Assess readiness for certification",
                latest is not None,
                f"Overall readiness {found.percent} % ({latest.assessed_on:%Y-%m-%d})."
                if found and found.percent is not None
                else "Rate every requirement of the standard on a 0 to 5 scale, starting from "
                "what the records show; the gaps become a roadmap.",
                "readiness_list",
                "Assess readiness",
                order=95,
                needs_manage=True,
                without_access="The AIMS manager runs the readiness assessment.",
                progress=f"completed {latest.assessed_on:%Y-%m-%d}"
                if latest is not None
                else "0 completed assessments",
            )
        ],
        tiles=[Section("readiness/_dashboard.html", figures, column="half", order=80)],
        has_records=latest is not None,
        data={
            "readiness_percent": figures["percent"],
            "readiness_share_at_level_3": figures["share"],
            "checklist_met": ready.met,
            "checklist_total": ready.total,
        },
    )
