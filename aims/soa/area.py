from aims.core.areas import Area, NavLink, RecordLink, Section, hook, register

from . import dashboard
from .models import SoAEntry
from .proposals import decision_kind
from .services import ensure_soa_entries, ensure_soa_entries_for_all


@hook("control_page", order=10)
def control_entry(control, request) -> Section:
    entry = (
        SoAEntry.objects.filter(organization=request.org, control=control)
        .select_related("owner", "organization")
        .first()
    )
    return Section("soa/_control_entry.html", {"entry": entry}, column="side", order=10)


@hook("control_status", order=10)
def control_decisions(organization) -> dict:
    """The SoA decision beside each control of the catalog (one query)."""
    entries = (
        SoAEntry.objects.filter(organization=organization)
        .annex_a()
        .only("pk", "control_id", "applicability", "status")
    )
    return {
        entry.control_id: Section("soa/_control_badge.html", {"entry": entry}) for entry in entries
    }


@hook("evidence_links", order=10)
def evidence_controls() -> RecordLink:
    return RecordLink(
        "soa_entries",
        "SoA controls",
        "Controls of your Statement of Applicability (Annex A or additional) this evidence "
        "supports.",
        # In the SoA's order; ``control_ref`` names either kind of control (A.6.2.4, ORG-07).
        queryset=lambda: SoAEntry.objects.with_control_ref().select_related(
            "control", "additional_control"
        ),
        describe=lambda entry: f"{entry.ref} {entry.title}",
        short=lambda entry: entry.ref,
        filter="control",
        any_label="Any control",
        in_list=True,
        key="control_ref",
        what="SoA control",
        order=10,
        options=described_entries,
    )


def described_entries(organization) -> list[tuple[int, str]]:
    """Each SoA entry as ``describe`` gives it, in the SoA's order, read as values: the
    evidence list's filter offers them on every request."""
    rows = SoAEntry.objects.for_org(organization).values_list(
        "pk",
        "control__ref",
        "control__title",
        "additional_control__ref",
        "additional_control__title",
    )
    return [
        (pk, f"{ref} {title}" if ref is not None else f"{extra_ref} {extra_title}")
        for pk, ref, title, extra_ref, extra_title in rows
    ]


hook("dashboard")(dashboard.part)

hook("proposal_kinds")(decision_kind)

register(
    Area(
        label="soa",
        prefix="soa/",
        urls="aims.soa.urls",
        nav=(
            NavLink("Statement of Applicability", "soa_list", "Plan", order=30, icon="list-checks"),
        ),
        api_router="aims.soa.api.router",
        api_path_records={
            "control_ref": lambda org, v: SoAEntry.objects.for_org(org).named(v).exists()
        },
        set_up_organization=ensure_soa_entries,
        order=30,
    )
)

# A control added to the catalog gets an undecided entry in every organization's SoA.
hook("catalog_loaded")(ensure_soa_entries_for_all)
