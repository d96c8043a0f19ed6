"""Leadership: AIMS roles and the RACI matrix (5.3, A.3.2), the governance committee, and the
top-management page (5.1)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from aims.catalog.links import addresses_requirements
from aims.core.areas import (
    Area,
    DueItem,
    Measure,
    NavLink,
    SearchKind,
    Section,
    hook,
    names_record,
    register,
)
from aims.core.forms import person_label
from aims.organizations.models import Access

from . import dashboard, involvement
from .models import Activity, AIMSRole, CommitteeAction, Decision, Meeting
from .services import set_up_activities


@hook("due")
def open_actions_due(organization, today) -> list[DueItem]:
    """Each open committee action with a due date, for its owner (or whoever may edit it)."""
    actions = (
        CommitteeAction.objects.for_org(organization)
        .open()
        .filter(due_date__isnull=False)
        .select_related("meeting")
    )
    items = []
    for action in actions:
        action.meeting.organization = organization
        items.append(
            DueItem(
                title=f"Committee action: {action.title}",
                due=action.due_date,
                url=action.meeting.get_absolute_url(),
                kind="Committee action",
                people=frozenset({action.owner_id}) if action.owner_id else frozenset(),
                access=Access.CONTRIBUTE,
            )
        )
    return items


def overdue_actions(organization, today) -> float:
    return float(CommitteeAction.objects.for_org(organization).overdue(today).count())


@hook("measures")
def leadership_measures() -> list[Measure]:
    return [
        Measure(
            "leadership.overdue_actions",
            "Overdue committee actions",
            "actions",
            overdue_actions,
            direction="down",
        )
    ]


def roles_text(organization) -> str:
    """The AIMS roles and who holds them, one line each, as plain text."""
    lines = []
    for role in AIMSRole.objects.for_org(organization).prefetch_related("holders"):
        people = ", ".join(person_label(user) for user in role.holders.all())
        lines.append(f"- {role.name}: {people or 'nobody assigned yet'}")
    return "\n".join(lines)  # empty: a template falls back to the members by role


@hook("template_values")
def leadership_values(organization) -> dict[str, str]:
    return {"roles": roles_text(organization)}


@hook("system_page", order=60)
def system_decisions(system, request) -> Section | None:
    decisions = list(
        Decision.objects.filter(system=system)
        .select_related("meeting")
        .order_by("-meeting__date", "-pk")[:10]
    )
    if not decisions:
        return None
    for decision in decisions:
        decision.meeting.organization = request.org
    return Section(
        "leadership/_system_decisions.html", {"decisions": decisions}, column="side", order=60
    )


hook("involvement")(involvement.committee_involvement)
hook("involvement")(involvement.risk_involvement)
hook("involvement")(involvement.proposal_involvement)
hook("dashboard")(dashboard.part)

# A role counts as evidence of what it addresses once someone holds it.
HELD = Q(Exists(AIMSRole.holders.through.objects.filter(aimsrole_id=OuterRef("pk"))))
addresses_requirements(AIMSRole, label="AIMS roles", current=HELD, order=40)


def _exists(model, org, value) -> bool:
    return names_record(model.objects.filter(organization=org), value)


register(
    Area(
        label="leadership",
        prefix="leadership/",
        urls="aims.leadership.urls",
        nav=(NavLink("Roles & committee", "leadership_role_list", "Plan", order=12, icon="users"),),
        api_router="aims.leadership.api.router",
        api_path_records={
            "aims_role_id": lambda org, v: _exists(AIMSRole, org, v),
            "raci_activity_id": lambda org, v: _exists(Activity, org, v),
            "meeting_id": lambda org, v: _exists(Meeting, org, v),
            "meeting_decision_id": lambda org, v: _exists(Decision, org, v),
            "meeting_action_id": lambda org, v: _exists(CommitteeAction, org, v),
        },
        set_up_organization=set_up_activities,
        order=60,
    )
)

# The top-management page (5.1), in a folder of its own: the sidebar marks one link current.
register(
    Area(
        label="leadership_top_management",
        prefix="top-management/",
        urls="aims.leadership.top_urls",
        nav=(
            NavLink(
                "Top management", "leadership_top_management", "Overview", order=20, icon="landmark"
            ),
        ),
        order=61,
    )
)


@hook("search", order=180)
def search_aims_roles() -> SearchKind:
    return SearchKind(
        "aims_roles",
        "AIMS roles",
        queryset=lambda organization: AIMSRole.objects.filter(organization=organization),
        fields=("name",),
        list_url_name="leadership_role_list",
        order=180,
    )


@hook("search", order=181)
def search_meetings() -> SearchKind:
    return SearchKind(
        "committee_meetings",
        "Committee meetings",
        queryset=lambda organization: Meeting.objects.filter(organization=organization),
        describe=str,
        list_url_name="leadership_meeting_list",
        order=181,
    )


@hook("search", order=182)
def search_decisions() -> SearchKind:
    # Shown on their meeting's page; the meetings' list has no search of decisions.
    return SearchKind(
        "committee_decisions",
        "Committee decisions",
        queryset=lambda organization: Decision.objects.filter(
            organization=organization
        ).select_related("meeting"),
        fields=("text", "reference"),
        describe=str,
        list_url_name="leadership_meeting_list",
        list_param="",
        order=182,
    )
