"""Communication (7.4): registered with the ground floor."""

from aims.catalog.links import addresses_requirements
from aims.core.areas import Area, DueItem, NavLink, SearchKind, hook, names_record, register
from aims.organizations.models import Access

from . import dashboard
from .models import Communication, PlanEntry

addresses_requirements(PlanEntry, label="Communication plan", order=65)


@hook("due", order=65)
def communication_due(organization, today) -> list[DueItem]:
    """Each planned communication's next due date (overdue ones included): to the
    communicator, or to those who manage when nobody is named."""
    entries = (
        PlanEntry.objects.for_org(organization)
        .filter(next_due__isnull=False)
        .only("pk", "topic", "next_due", "communicator_id", "organization_id")
        .order_by("next_due", "pk")
    )
    items = []
    for entry in entries:
        entry.organization = organization
        items.append(
            DueItem(
                title=f"Communicate: {entry.topic}",
                due=entry.next_due,
                url=entry.get_absolute_url(),
                kind="Planned communication",
                people=frozenset({entry.communicator_id}) if entry.communicator_id else frozenset(),
                access=Access.MANAGE,
            )
        )
    return items


hook("dashboard")(dashboard.part)

register(
    Area(
        label="communication",
        prefix="communication/",
        urls="aims.communication.urls",
        nav=(
            NavLink("Communication", "communication_plan_list", "Plan", order=19, icon="megaphone"),
        ),
        api_router="aims.communication.api.router",
        api_path_records={
            "plan_entry_id": lambda org, v: names_record(PlanEntry.objects.for_org(org), v),
            "communication_id": lambda org, v: names_record(Communication.objects.for_org(org), v),
        },
        order=65,
    )
)


@hook("search", order=200)
def search_communication_plan() -> SearchKind:
    return SearchKind(
        "communication_plan",
        "Communication plan",
        queryset=lambda organization: PlanEntry.objects.filter(organization=organization),
        fields=("topic", "audience"),
        list_url_name="communication_plan_list",
        order=200,
    )


@hook("search", order=201)
def search_communications() -> SearchKind:
    return SearchKind(
        "communications",
        "Communications made",
        queryset=lambda organization: Communication.objects.filter(organization=organization),
        fields=("summary", "audience"),
        describe=str,
        list_url_name="communication_log_list",
        order=201,
    )
