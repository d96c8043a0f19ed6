from aims.core.areas import Area, NavLink, RecordLink, Section, hook, register

from . import dashboard
from .models import SoAEntry
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
    entries = SoAEntry.objects.filter(organization=organization).only(
        "pk", "control_id", "applicability", "status"
    )
    return {
        entry.control_id: Section("soa/_control_badge.html", {"entry": entry}) for entry in entries
    }


@hook("evidence_links", order=10)
def evidence_controls() -> RecordLink:
    return RecordLink(
        "soa_entries",
        "Annex A controls",
        "Controls of your Statement of Applicability this evidence supports.",
        queryset=lambda: SoAEntry.objects.select_related("control").order_by("control__position"),
        describe=lambda entry: f"{entry.control.ref} {entry.control.title}",
        short=lambda entry: entry.control.ref,
        filter="control",
        any_label="Any control",
        in_list=True,
        key="control__ref",
        what="Annex A control",
        order=10,
    )


hook("dashboard")(dashboard.part)

register(
    Area(
        label="soa",
        prefix="soa/",
        urls="aims.soa.urls",
        nav=(NavLink("Statement of Applicability", "soa_list", "Plan", order=30),),
        api_router="aims.soa.api.router",
        api_path_records={
            "control_ref": lambda org, v: (
                SoAEntry.objects.for_org(org).filter(control__ref=v).exists()
            )
        },
        set_up_organization=ensure_soa_entries,
        order=30,
    )
)

# A control added to the catalog gets an undecided entry in every organization's SoA.
hook("catalog_loaded")(ensure_soa_entries_for_all)
