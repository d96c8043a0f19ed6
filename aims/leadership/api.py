"""Leadership: AIMS roles, the RACI matrix, committee meetings with their decisions and actions,
and the top-management summary."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, many, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.catalog.lookups import clauses_named, controls_named
from aims.inventory.models import AISystem
from aims.risk.models import Risk

from . import services
from .involvement import YEAR, day_of, needs_decision, top_management_involvement
from .models import (
    ActionStatus,
    Activity,
    AIMSRole,
    CommitteeAction,
    Decision,
    Letter,
    Meeting,
    MeetingStatus,
)

RaciLetter = api_choices("RaciLetter", Letter)
CommitteeMeetingStatus = api_choices("CommitteeMeetingStatus", MeetingStatus)
CommitteeActionStatus = api_choices("CommitteeActionStatus", ActionStatus)

router = Router(tags=["Leadership"])


# --- Roles ------------------------------------------------------------------------------------


class RoleIn(InputSchema):
    name: text_of(AIMSRole, "name")
    description: text_of(AIMSRole, "description") = ""
    responsibilities: text_of(AIMSRole, "responsibilities") = ""
    authorities: text_of(AIMSRole, "authorities") = ""
    holders: list[Name] = Field([], description="Usernames of members who hold the role.")
    clauses: list[Name] = Field([], description="Clause numbers, e.g. 5.3.")
    controls: list[Name] = Field([], description="Annex A control ids, e.g. A.3.2.")


class RoleOut(Schema):
    id: int
    name: str
    description: str
    responsibilities: str
    authorities: str
    holders: list[str]
    clauses: list[str]
    controls: list[str]

    @staticmethod
    def resolve_holders(obj) -> list[str]:
        return [u.get_username() for u in obj.holders.all()]

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]


def roles_of(org):
    return AIMSRole.objects.for_org(org).prefetch_related("holders", "clauses", "controls")


class RoleFilters(Schema):
    q: Name | None = Field(None, description="Search in name, description, responsibilities.")
    unassigned: bool | None = Field(None, description="true: only roles nobody holds.")


@router.get(
    "/aims-roles",
    auth=READ,
    response=responses(200, list[RoleOut], 422),
    summary="List AIMS roles",
    description="The roles of the AI management system with who holds them (5.3, A.3.2).",
)
@paginate(Page)
def list_roles(request, filters: Query[RoleFilters]):
    return roles_of(request.org).filtered(**filters.model_dump()).distinct()


def _save_role(request, role: AIMSRole, data: dict) -> AIMSRole:
    errors = Errors()
    m2m = {}
    if "holders" in data:
        users = [
            member(request.org, name, field="holders", errors=errors)
            for name in data["holders"] or []
        ]
        m2m["holders"] = [u for u in users if u is not None]
    if "clauses" in data:
        m2m["clauses"] = clauses_named(data["clauses"], errors=errors)
    if "controls" in data:
        m2m["controls"] = controls_named(data["controls"], errors=errors)
    apply(role, data, skip={"holders", "clauses", "controls"})
    clean(role, errors=errors)
    services.save_role(role, actor=request.user, **m2m)
    return get_object_or_404(roles_of(request.org), pk=role.pk)


@router.post(
    "/aims-roles",
    auth=MANAGE,
    response=responses(201, RoleOut, 403, 409, *BODY_ERRORS),
    summary="Create an AIMS role",
)
def create_role(request, payload: RoleIn):
    role = AIMSRole(organization=request.org)
    return Status(201, _save_role(request, role, payload.model_dump()))


@router.get(
    "/aims-roles/{aims_role_id}",
    auth=READ,
    response=responses(200, RoleOut, 404),
    summary="Read an AIMS role",
)
def read_role(request, aims_role_id: int):
    return get_object_or_404(roles_of(request.org), pk=aims_role_id)


@router.patch(
    "/aims-roles/{aims_role_id}",
    auth=MANAGE,
    response=responses(200, RoleOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change an AIMS role",
    description="Changes only the fields sent; a list sent replaces the one stored.",
)
def update_role(request, aims_role_id: int, payload: PatchDict[RoleIn]):
    role = get_object_or_404(AIMSRole.objects.for_org(request.org), pk=aims_role_id)
    return _save_role(request, role, payload)


# --- The RACI matrix --------------------------------------------------------------------------


class CellOut(Schema):
    role_id: int | None
    role: str | None
    person: str | None
    letter: RaciLetter

    @staticmethod
    def resolve_role(obj) -> str | None:
        return obj.role.name if obj.role_id else None

    @staticmethod
    def resolve_person(obj) -> str | None:
        return username_of(obj.person)


class ActivityOut(Schema):
    id: int
    name: str
    description: str
    position: int
    cells: list[CellOut]
    accountable_count: int
    flag: str | None = Field(
        description="Why the activity is flagged (no one accountable, or "
        "several); null when exactly one is."
    )

    @staticmethod
    def resolve_cells(obj) -> list:
        return list(obj.assignments.all())

    @staticmethod
    def resolve_flag(obj) -> str | None:
        return obj.flag() or None


class CellIn(InputSchema):
    role: StrictInt | None = Field(None, description="Id of an AIMS role (or give person).")
    person: Name | None = Field(None, description="Username of a member (or give role).")
    letter: RaciLetter | None = Field(description="R, A, C or I; null clears the cell.")


def activities_of(org):
    return (
        Activity.objects.for_org(org)
        .with_accountable()
        .prefetch_related("assignments__role", "assignments__person")
    )


@router.get(
    "/raci-activities",
    auth=READ,
    response=responses(200, list[ActivityOut], 422),
    summary="List the RACI matrix",
    description="Each activity of the AIMS with its cells; flagged when no one, or more than "
    "one, is accountable.",
)
@paginate(Page)
def list_activities(request, flagged: bool | None = None):
    activities = activities_of(request.org)
    if flagged is True:
        activities = activities.exclude(accountable_count=1)
    elif flagged is False:
        activities = activities.filter(accountable_count=1)
    return activities


@router.get(
    "/raci-activities/{raci_activity_id}",
    auth=READ,
    response=responses(200, ActivityOut, 404),
    summary="Read one activity of the RACI matrix",
)
def read_activity(request, raci_activity_id: int):
    return get_object_or_404(activities_of(request.org), pk=raci_activity_id)


@router.post(
    "/raci-activities/{raci_activity_id}/cells",
    auth=MANAGE,
    response=responses(200, ActivityOut, 403, 404, *BODY_ERRORS),
    summary="Set a cell of the RACI matrix",
    description="Gives an AIMS role (by id) or a member (by username) a letter for the "
    "activity; a null letter clears it.",
)
def set_cell(request, raci_activity_id: int, payload: CellIn):
    activity = get_object_or_404(Activity.objects.for_org(request.org), pk=raci_activity_id)
    errors = Errors()
    role = person = None
    if payload.role is not None:
        role = AIMSRole.objects.for_org(request.org).filter(pk=payload.role).first()
        if role is None:
            errors.add("role", f"Unknown AIMS role: {payload.role}.")
    if payload.person:
        person = member(request.org, payload.person, field="person", errors=errors)
    if not errors and (role is None) == (person is None):
        errors.add("role", "Name either an AIMS role or a person, not both.")
    errors.raise_if_any()
    services.set_cell(
        activity,
        actor=request.user,
        letter=payload.letter.value if payload.letter else "",
        role=role,
        person=person,
    )
    return get_object_or_404(activities_of(request.org), pk=activity.pk)


# --- Meetings, decisions and actions ------------------------------------------------------------


class DecisionOut(Schema):
    id: int
    meeting_id: int
    text: str
    system: str | None = Field(description="Slug of the AI system it concerns.")
    risk: str | None = Field(description="Ref of the risk it concerns.")
    reference: str
    created_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str | None:
        return obj.system.slug if obj.system_id else None

    @staticmethod
    def resolve_risk(obj) -> str | None:
        return obj.risk.ref if obj.risk_id else None


class ActionOut(Schema):
    id: int
    meeting_id: int
    title: str
    owner: str | None
    due_date: dt.date | None
    status: CommitteeActionStatus
    done_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


class MeetingIn(InputSchema):
    title: text_of(Meeting, "title")
    date: dt.date
    status: CommitteeMeetingStatus = CommitteeMeetingStatus.PLANNED
    attendees: list[Name] = Field([], description="Usernames of members who attended.")
    agenda: text_of(Meeting, "agenda") = ""
    minutes: text_of(Meeting, "minutes") = ""


class MeetingOut(Schema):
    id: int
    title: str
    date: dt.date
    status: CommitteeMeetingStatus
    attendees: list[str]
    agenda: str
    minutes: str
    decisions: list[DecisionOut]
    actions: list[ActionOut]

    @staticmethod
    def resolve_attendees(obj) -> list[str]:
        return [u.get_username() for u in obj.attendees.all()]

    @staticmethod
    def resolve_decisions(obj) -> list:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_actions(obj) -> list:
        return list(obj.actions.all())


def meetings_of(org):
    return Meeting.objects.for_org(org).prefetch_related(
        "attendees", "decisions__system", "decisions__risk", "actions__owner"
    )


class MeetingFilters(Schema):
    q: Name | None = Field(None, description="Search in title, agenda and minutes.")
    status: CommitteeMeetingStatus | None = None
    attendee: Name | None = Field(None, description="Username of an attendee.")
    open_actions: bool | None = Field(None, description="true: only meetings with open actions.")


@router.get(
    "/meetings",
    auth=READ,
    response=responses(200, list[MeetingOut], 422),
    summary="List committee meetings",
    description="Newest first, filtered as the meetings page filters.",
)
@paginate(Page)
def list_meetings(request, filters: Query[MeetingFilters]):
    errors = Errors()
    attendee = member(request.org, filters.attendee, field="attendee", errors=errors)
    errors.raise_if_any()
    chosen = filters.model_dump()
    chosen["attendee"] = attendee
    return meetings_of(request.org).filtered(**chosen)


def _save_meeting(request, meeting: Meeting, data: dict) -> Meeting:
    errors = Errors()
    attendees = None
    if "attendees" in data:
        users = [
            member(request.org, name, field="attendees", errors=errors)
            for name in data["attendees"] or []
        ]
        attendees = [u for u in users if u is not None]
    apply(meeting, data, skip={"attendees"})
    clean(meeting, errors=errors)
    services.save_meeting(meeting, actor=request.user, attendees=attendees)
    return get_object_or_404(meetings_of(request.org), pk=meeting.pk)


@router.post(
    "/meetings",
    auth=CONTRIBUTE,
    response=responses(201, MeetingOut, 403, 409, *BODY_ERRORS),
    summary="Record a committee meeting",
)
def create_meeting(request, payload: MeetingIn):
    meeting = Meeting(organization=request.org)
    return Status(201, _save_meeting(request, meeting, payload.model_dump()))


@router.get(
    "/meetings/{meeting_id}",
    auth=READ,
    response=responses(200, MeetingOut, 404),
    summary="Read a committee meeting with its decisions and actions",
)
def read_meeting(request, meeting_id: int):
    return get_object_or_404(meetings_of(request.org), pk=meeting_id)


@router.patch(
    "/meetings/{meeting_id}",
    auth=CONTRIBUTE,
    response=responses(200, MeetingOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a committee meeting",
)
def update_meeting(request, meeting_id: int, payload: PatchDict[MeetingIn]):
    meeting = get_object_or_404(Meeting.objects.for_org(request.org), pk=meeting_id)
    return _save_meeting(request, meeting, payload)


class DecisionIn(InputSchema):
    text: text_of(Decision, "text")
    system: Name | None = Field(None, description="Slug of the AI system it concerns.")
    risk: Name | None = Field(None, description="Ref of the risk it concerns, e.g. R-001.")
    reference: text_of(Decision, "reference") = ""


def _one(queryset, key: str, value, *, field: str, what: str, errors: Errors):
    if not value:
        return None
    found = many(queryset, key, [value], field=field, errors=errors, what=what)
    return found[0] if found else None


def _save_decision(request, decision: Decision, data: dict) -> Decision:
    errors = Errors()
    org = request.org
    if "system" in data:
        decision.system = _one(
            AISystem.objects.for_org(org),
            "slug",
            data["system"],
            field="system",
            what="AI system",
            errors=errors,
        )
    if "risk" in data:
        decision.risk = _one(
            Risk.objects.for_org(org),
            "ref",
            data["risk"],
            field="risk",
            what="risk",
            errors=errors,
        )
    apply(decision, data, skip={"system", "risk"})
    clean(decision, errors=errors)
    services.save_decision(decision, actor=request.user)
    return Decision.objects.select_related("system", "risk").get(pk=decision.pk)


@router.post(
    "/meetings/{meeting_id}/decisions",
    auth=CONTRIBUTE,
    response=responses(201, DecisionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record a decision of a held meeting",
    description="409 when the meeting is not marked held.",
)
def create_decision(request, meeting_id: int, payload: DecisionIn):
    meeting = get_object_or_404(Meeting.objects.for_org(request.org), pk=meeting_id)
    decision = Decision(organization=request.org, meeting=meeting)
    return Status(201, _save_decision(request, decision, payload.model_dump()))


@router.patch(
    "/meeting-decisions/{meeting_decision_id}",
    auth=CONTRIBUTE,
    response=responses(200, DecisionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a committee decision",
)
def update_decision(request, meeting_decision_id: int, payload: PatchDict[DecisionIn]):
    decision = get_object_or_404(
        Decision.objects.filter(organization=request.org).select_related("meeting"),
        pk=meeting_decision_id,
    )
    return _save_decision(request, decision, payload)


class ActionIn(InputSchema):
    title: text_of(CommitteeAction, "title")
    owner: Name | None = Field(None, description="Username of a member.")
    due_date: dt.date | None = Field(None, description="Today or later.")


class ActionUpdate(ActionIn):
    status: CommitteeActionStatus = CommitteeActionStatus.OPEN
    done_on: dt.date | None = Field(None, description="When it was done; today by default.")


def _save_action(request, action: CommitteeAction, data: dict) -> CommitteeAction:
    errors = Errors()
    if "owner" in data:
        action.owner = member(request.org, data["owner"], field="owner", errors=errors)
    apply(action, data, skip={"owner"})
    clean(action, errors=errors)
    services.save_action(action, actor=request.user)
    return CommitteeAction.objects.select_related("owner").get(pk=action.pk)


@router.post(
    "/meetings/{meeting_id}/actions",
    auth=CONTRIBUTE,
    response=responses(201, ActionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record an action of a committee meeting",
    description="422 when the due date is in the past.",
)
def create_action(request, meeting_id: int, payload: ActionIn):
    meeting = get_object_or_404(Meeting.objects.for_org(request.org), pk=meeting_id)
    action = CommitteeAction(organization=request.org, meeting=meeting)
    return Status(201, _save_action(request, action, payload.model_dump()))


@router.patch(
    "/meeting-actions/{meeting_action_id}",
    auth=CONTRIBUTE,
    response=responses(200, ActionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a committee action: its owner, due date or status",
    description="Open → done or cancelled, and back to open; done ↔ cancelled is refused (409).",
)
def update_action(request, meeting_action_id: int, payload: PatchDict[ActionUpdate]):
    action = get_object_or_404(
        CommitteeAction.objects.filter(organization=request.org).select_related("meeting"),
        pk=meeting_action_id,
    )
    return _save_action(request, action, payload)


# --- Top management -----------------------------------------------------------------------------


class DueDecisionOut(Schema):
    title: str
    due: dt.date | None
    kind: str
    url: str


class ProposalOut(Schema):
    id: int
    summary: str
    proposed_by: str | None
    proposed_at: dt.datetime

    @staticmethod
    def resolve_proposed_by(obj) -> str | None:
        return username_of(obj.proposed_by)


class RiskWaitingOut(Schema):
    ref: str
    title: str
    score: int

    @staticmethod
    def resolve_score(obj) -> int:
        return obj.current_score


class InvolvementOut(Schema):
    when: dt.date
    kind: str
    title: str
    url: str


class MemberInvolvementOut(Schema):
    username: str
    full_name: str
    counts: dict[str, int]
    items: list[InvolvementOut]


class TopManagementOut(Schema):
    since: dt.date
    due_decisions: list[DueDecisionOut]
    proposals: list[ProposalOut]
    risks: list[RiskWaitingOut]
    overdue_actions: int
    members: list[MemberInvolvementOut]


@router.get(
    "/top-management",
    auth=READ,
    response=responses(200, TopManagementOut),
    summary="What waits for top management, and their involvement over 12 months",
    description="The evidence of leadership and commitment (5.1): decisions waiting, and per "
    "top-management member what they approved, accepted, attended and decided.",
)
def top_management(request):
    today = timezone.localdate()
    since = today - YEAR
    waiting = needs_decision(request.org, today)
    members = [
        {
            "username": entry.user.get_username(),
            "full_name": entry.user.get_full_name(),
            "counts": dict(entry.counts),
            "items": [
                {
                    "when": day_of(item.when),
                    "kind": item.kind,
                    "title": item.title,
                    "url": item.url,
                }
                for item in entry.items
            ],
        }
        for entry in top_management_involvement(request.org, since)
    ]
    return {
        "since": since,
        "due_decisions": waiting["due_decisions"],
        "proposals": waiting["proposals"],
        "risks": waiting["risks"],
        "overdue_actions": CommitteeAction.objects.for_org(request.org).overdue(today).count(),
        "members": members,
    }
