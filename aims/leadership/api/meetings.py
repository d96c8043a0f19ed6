"""Leadership in the API: meetings, decisions and actions."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, many, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of, username_of
from aims.inventory.models import AISystem
from aims.risk.models import Risk

from .. import services
from ..models import (
    CommitteeAction,
    Decision,
    Meeting,
)
from .common import CommitteeActionStatus, CommitteeMeetingStatus

router = Router()


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


class CommitteeActionOut(Schema):
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
    actions: list[CommitteeActionOut]

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


class CommitteeDecisionIn(InputSchema):
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
def create_decision(request, meeting_id: int, payload: CommitteeDecisionIn):
    meeting = get_object_or_404(Meeting.objects.for_org(request.org), pk=meeting_id)
    decision = Decision(organization=request.org, meeting=meeting)
    return Status(201, _save_decision(request, decision, payload.model_dump()))


@router.patch(
    "/meeting-decisions/{meeting_decision_id}",
    auth=CONTRIBUTE,
    response=responses(200, DecisionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a committee decision",
)
def update_decision(request, meeting_decision_id: int, payload: PatchDict[CommitteeDecisionIn]):
    decision = get_object_or_404(
        Decision.objects.filter(organization=request.org).select_related("meeting"),
        pk=meeting_decision_id,
    )
    return _save_decision(request, decision, payload)


class CommitteeActionIn(InputSchema):
    title: text_of(CommitteeAction, "title")
    owner: Name | None = Field(None, description="Username of a member.")
    due_date: dt.date | None = Field(None, description="Today or later.")


class CommitteeActionUpdate(CommitteeActionIn):
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
    response=responses(201, CommitteeActionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record an action of a committee meeting",
    description="422 when the due date is in the past.",
)
def create_action(request, meeting_id: int, payload: CommitteeActionIn):
    meeting = get_object_or_404(Meeting.objects.for_org(request.org), pk=meeting_id)
    action = CommitteeAction(organization=request.org, meeting=meeting)
    return Status(201, _save_action(request, action, payload.model_dump()))


@router.patch(
    "/meeting-actions/{meeting_action_id}",
    auth=CONTRIBUTE,
    response=responses(200, CommitteeActionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a committee action: its owner, due date or status",
    description="Open → done or cancelled, and back to open; done ↔ cancelled is refused (409).",
)
def update_action(request, meeting_action_id: int, payload: PatchDict[CommitteeActionUpdate]):
    action = get_object_or_404(
        CommitteeAction.objects.filter(organization=request.org).select_related("meeting"),
        pk=meeting_action_id,
    )
    return _save_action(request, action, payload)
