from aims.core.areas import Area, NavLink, RecordLink, SearchKind, hook, register

from . import dashboard
from .models import AISystem
from .proposals import transition_kind


@hook("evidence_links", order=40)
def evidence_systems() -> RecordLink:
    return RecordLink(
        "systems",
        "AI systems",
        "",
        # What evidence pages read of a system (its page, name and short id): the evidence
        # list's filter reads the first 201 systems of 10,000, whole rows would cost 4 ms.
        queryset=lambda: AISystem.objects.order_by("name").only("organization", "name", "slug"),
        describe=lambda system: system.name,
        short=lambda system: system.slug,
        filter="system",
        any_label="Any AI system",
        by_text="slug",
        key="slug",
        what="AI system",
        order=40,
    )


hook("dashboard")(dashboard.part)

hook("proposal_kinds")(transition_kind)

register(
    Area(
        label="inventory",
        prefix="systems/",
        urls="aims.inventory.urls",
        nav=(NavLink("AI systems", "system_list", "Plan", order=10, icon="cpu"),),
        api_router="aims.inventory.api.router",
        api_path_records={
            "slug": lambda org, v: AISystem.objects.for_org(org).filter(slug=v).exists()
        },
        order=10,
    )
)


@hook("search", order=10)
def search_systems() -> SearchKind:
    return SearchKind(
        "systems",
        "AI systems",
        queryset=lambda organization: AISystem.objects.filter(organization=organization),
        fields=("name", "slug"),
        list_url_name="system_list",
        order=10,
    )
