"""Registered by this area: see aims/core/areas.py."""

from aims.core.areas import (
    Area,
    NavLink,
    SearchKind,
    Section,
    hook,
    is_id,
    names_record,
    naming_it,
    register,
)

from . import dashboard
from . import due as _due
from . import gates as _gates  # noqa: F401  (registers the stage-gate requirements)
from . import reviews as _reviews
from .kinds import KINDS
from .models import Classification, RecourseRequest, RegulatoryChange
from .services import tier_lock


@hook("system_page", order=12)
def system_act(system, request) -> Section:
    """The system's place under the EU AI Act: tier, classification, obligations met."""
    from .views import system_section_context

    return Section(
        "euaiact/_system_section.html", system_section_context(system, request), order=12
    )


@hook("system_tier")
def system_tier(system) -> str:
    return tier_lock(system)


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    reasons = naming_it(
        Classification.objects.filter(system=system).count(),
        "EU AI Act classification",
        "EU AI Act classifications",
    )
    for kind in KINDS:
        reasons += naming_it(kind.records(system).count(), kind.label.lower(), kind.plural.lower())
    reasons += naming_it(
        RecourseRequest.objects.filter(system=system).count(),
        "recourse request",
        "recourse requests",
    )
    return reasons


hook("review_inputs", order=15)(_reviews.watch_input)
hook("due", order=85)(_due.due)
hook("dashboard")(dashboard.part)

register(
    Area(
        label="euaiact",
        prefix="eu-ai-act/",
        urls="aims.euaiact.urls",
        nav=(NavLink("EU AI Act", "act_overview", "Plan", order=27, icon="gavel"),),
        api_router="aims.euaiact.api.router",
        api_path_records={
            "recourse_request_id": lambda org, v: names_record(
                RecourseRequest.objects.for_org(org), v
            ),
            "regulatory_change_id": lambda org, v: names_record(
                RegulatoryChange.objects.for_org(org), v
            ),
            "classification_number": lambda org, v: (
                is_id(v) and Classification.objects.filter(organization=org, number=int(v)).exists()
            ),
            # each kind of system record, by its own parameter (measure_id, notice_id, …)
            **{
                kind.param: lambda org, v, model=kind.model: names_record(
                    model.objects.for_org(org), v
                )
                for kind in KINDS
            },
        },
        order=27,
    )
)


@hook("search", order=95)
def search_changes() -> SearchKind:
    return SearchKind(
        "regulatory_changes",
        "Regulatory watch",
        queryset=lambda organization: RegulatoryChange.objects.filter(organization=organization),
        fields=("title", "reference"),
        list_url_name="act_change_list",
        order=95,
    )


@hook("search", order=96)
def search_requests() -> SearchKind:
    return SearchKind(
        "recourse_requests",
        "Explanation and recourse requests",
        queryset=lambda organization: RecourseRequest.objects.filter(organization=organization),
        fields=("ref", "requester"),
        list_url_name="act_request_list",
        order=96,
    )
