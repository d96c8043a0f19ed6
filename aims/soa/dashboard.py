"""The Statement of Applicability's part of the dashboard: decisions, implementation, flags."""

from aims.core.areas import Section
from aims.core.dashboard import Notice, Part, Stat, Step, tallies

from .models import Applicability, Implementation, SoAEntry


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
    decided, total, undecided = figures["decided"], figures["controls_total"], counts["undecided"]
    # Done only when every control is decided: one decision of 38 is not a Statement.
    done = total > 0 and undecided == 0
    return Part(
        "soa",
        stats=[
            Stat(decided, "control decided", "controls decided", "soa_list", of=total, order=30)
        ],
        steps=[
            Step(
                "Decide the Statement of Applicability",
                done,
                f"Every control decided: {figures['applicable']} applicable, "
                f"{figures['excluded']} not applicable."
                if done
                else "Decide for every control whether it applies, and say why (6.1.3 d); "
                f"{undecided} still to decide.",
                "soa_list",
                "Decide controls",
                order=40,
                progress=f"{decided} of {total} controls decided",
            )
        ],
        notices=[
            Notice(
                undecided,
                Section(
                    "soa/_dashboard_undecided.html",
                    {"total": total, "applicability": Applicability.UNDECIDED.value},
                    order=35,
                ),
                show_when_zero=False,
            ),
            Notice(
                figures["flagged"],
                Section("soa/_dashboard_flagged.html", {}, order=40),
                show_when_zero=False,
            ),
        ],
        tiles=[Section("soa/_dashboard_soa.html", figures, column="half", order=20)],
        has_records=decided > 0,
        data=figures,
    )
