"""The Statement of Applicability's part of the dashboard: decisions, implementation, flags."""

from aims.core.areas import Section
from aims.core.dashboard import Notice, Part, Stat, Step, tallies

from .models import Implementation, SoAEntry


def part(organization) -> Part:
    # The same counts as the SoA page, by the same rule (SoAEntryQuerySet.tally).
    counts = SoAEntry.objects.filter(organization=organization).tally()
    figures = {
        "controls_total": counts["total"],
        "additional": counts["additional"],
        "decided": counts["decided"],
        "undecided": counts["undecided"],
        "applicable": counts["applicable"],
        "excluded": counts["excluded"],
        "by_status": tallies(
            {status.value: n for status, n in counts["by_status"]}, Implementation.choices
        ),
        "flagged": counts["flagged"],
    }
    decided, total = figures["decided"], figures["controls_total"]
    return Part(
        "soa",
        stats=[
            Stat(decided, "control decided", "controls decided", "soa_list", of=total, order=30)
        ],
        steps=[
            Step(
                "Decide the Statement of Applicability",
                decided > 0,
                f"{decided} of {total} controls decided.",
                "soa_list",
                "Decide controls",
                order=40,
            )
        ],
        notices=[
            Notice(
                figures["flagged"],
                Section("soa/_dashboard_flagged.html", {}, order=40),
                show_when_zero=False,
            )
        ],
        tiles=[Section("soa/_dashboard_soa.html", figures, column="half", order=20)],
        has_records=decided > 0,
        data=figures,
    )
