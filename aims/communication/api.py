"""The communication plan and log (7.4)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.catalog.links import resolve_requirements

from . import services
from .models import AudienceKind, Channel, Communication, Frequency, PlanEntry

router = Router(tags=["Communication"])

ChannelChoice = api_choices("CommunicationChannel", Channel)
FrequencyChoice = api_choices("CommunicationFrequency", Frequency)
AudienceChoice = api_choices("CommunicationAudience", AudienceKind)


class PlanEntryIn(InputSchema):
    topic: text_of(PlanEntry, "topic") = Field(description="What is communicated.")
    description: text_of(PlanEntry, "description") = ""
    frequency: FrequencyChoice
    next_due: dt.date | None = None
    audience_kind: AudienceChoice = Field(description="internal or external.")
    audience: text_of(PlanEntry, "audience") = Field(description="With whom.")
    channel: ChannelChoice = Field(description="How.")
    communicator: Name | None = Field(None, description="Username of the member who communicates.")
    clauses: list[Name] = Field([], description="Clause numbers, e.g. 7.4.")
    controls: list[Name] = Field([], description="Annex A control ids, e.g. A.8.3.")


class PlanEntryOut(Schema):
    id: int
    topic: str
    description: str
    frequency: FrequencyChoice
    next_due: dt.date | None
    overdue: bool
    audience_kind: AudienceChoice
    audience: str
    channel: ChannelChoice
    communicator: str | None
    clauses: list[str]
    controls: list[str]

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_communicator(obj) -> str | None:
        return username_of(obj.communicator)

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]


def plan_of(org):
    return (
        PlanEntry.objects.for_org(org)
        .select_related("communicator")
        .prefetch_related("clauses", "controls")
    )


def get_entry(request, plan_entry_id: int) -> PlanEntry:
    return get_object_or_404(plan_of(request.org), pk=plan_entry_id)


class PlanFilters(Schema):
    q: Name | None = Field(None, description="Search in what, description and with whom.")
    frequency: FrequencyChoice | None = None
    channel: ChannelChoice | None = None
    audience_kind: AudienceChoice | None = None
    communicator: Name | None = Field(None, description="Username of the communicator.")
    overdue: bool | None = Field(None, description="true: only entries past their due date.")


@router.get(
    "/communication-plan",
    auth=READ,
    response=responses(200, list[PlanEntryOut], 422),
    summary="List the communication plan",
    description="Soonest due first; filtered as the plan page filters.",
)
@paginate(Page)
def list_plan(request, filters: Query[PlanFilters]):
    errors = Errors()
    communicator = member(request.org, filters.communicator, field="communicator", errors=errors)
    errors.raise_if_any()
    chosen = filters.model_dump()
    chosen["communicator"] = communicator
    return plan_of(request.org).filtered(**chosen, today=timezone.localdate())


def _save_entry(request, entry: PlanEntry, data: dict) -> PlanEntry:
    errors = Errors()
    if "communicator" in data:
        entry.communicator = member(
            request.org, data["communicator"], field="communicator", errors=errors
        )
    clauses = controls = None
    if "clauses" in data or "controls" in data:
        try:
            clauses, controls = resolve_requirements(
                data.get("clauses") or [], data.get("controls") or []
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(field, message)
        clauses = clauses if "clauses" in data else None
        controls = controls if "controls" in data else None
    apply(entry, data, skip={"communicator", "clauses", "controls"})
    clean(entry, errors=errors)
    services.save_plan_entry(entry, actor=request.user, clauses=clauses, controls=controls)
    return get_entry(request, entry.pk)


@router.post(
    "/communication-plan",
    auth=CONTRIBUTE,
    response=responses(201, PlanEntryOut, 403, *BODY_ERRORS),
    summary="Add a communication plan entry",
)
def create_entry(request, payload: PlanEntryIn):
    entry = PlanEntry(organization=request.org)
    return Status(201, _save_entry(request, entry, payload.model_dump()))


@router.get(
    "/communication-plan/{plan_entry_id}",
    auth=READ,
    response=responses(200, PlanEntryOut, 404),
    summary="Read a communication plan entry",
)
def read_entry(request, plan_entry_id: int):
    return get_entry(request, plan_entry_id)


@router.patch(
    "/communication-plan/{plan_entry_id}",
    auth=CONTRIBUTE,
    response=responses(200, PlanEntryOut, 403, 404, *BODY_ERRORS),
    summary="Change a communication plan entry",
    description="Changes only the fields sent.",
)
def update_entry(request, plan_entry_id: int, payload: PatchDict[PlanEntryIn]):
    return _save_entry(request, get_entry(request, plan_entry_id), payload)


class CommunicationIn(InputSchema):
    communicated_on: dt.date = Field(description="Not in the future.")
    summary: text_of(Communication, "summary") = Field(description="What was communicated.")
    audience: text_of(Communication, "audience") = Field(description="With whom.")
    channel: ChannelChoice = Field(description="How.")
    communicated_by: Name | None = Field(None, description="Username of the member.")
    plan_entry: StrictInt | None = Field(
        None,
        description="The plan entry it carries out (id). On creation, its next due date moves "
        "on by its frequency.",
    )


class CommunicationOut(Schema):
    id: int
    communicated_on: dt.date
    summary: str
    audience: str
    channel: ChannelChoice
    communicated_by: str | None
    plan_entry: int | None
    plan_entry_next_due: dt.date | None = Field(description="The plan entry's next due date.")

    @staticmethod
    def resolve_communicated_by(obj) -> str | None:
        return username_of(obj.communicated_by)

    @staticmethod
    def resolve_plan_entry(obj) -> int | None:
        return obj.plan_entry_id

    @staticmethod
    def resolve_plan_entry_next_due(obj):
        return obj.plan_entry.next_due if obj.plan_entry_id else None


def log_of(org):
    return Communication.objects.for_org(org).select_related("communicated_by", "plan_entry")


def get_communication(request, communication_id: int) -> Communication:
    return get_object_or_404(log_of(request.org), pk=communication_id)


class LogFilters(Schema):
    q: Name | None = Field(None, description="Search in summary, with whom and plan entry.")
    channel: ChannelChoice | None = None
    plan_entry: int | None = Field(None, description="A plan entry's id.")
    communicated_by: Name | None = Field(None, description="Username.")


@router.get(
    "/communications",
    auth=READ,
    response=responses(200, list[CommunicationOut], 422),
    summary="List the communication log",
    description="Newest first.",
)
@paginate(Page)
def list_log(request, filters: Query[LogFilters]):
    errors = Errors()
    by = member(request.org, filters.communicated_by, field="communicated_by", errors=errors)
    errors.raise_if_any()
    chosen = filters.model_dump()
    chosen["communicated_by"] = by
    return log_of(request.org).filtered(**chosen)


def _save_communication(request, communication: Communication, data: dict) -> Communication:
    errors = Errors()
    if "communicated_by" in data:
        communication.communicated_by = member(
            request.org, data["communicated_by"], field="communicated_by", errors=errors
        )
    if "plan_entry" in data:
        if data["plan_entry"] is None:
            communication.plan_entry = None
        else:
            communication.plan_entry = (
                PlanEntry.objects.for_org(request.org).filter(pk=data["plan_entry"]).first()
            )
            if communication.plan_entry is None:
                errors.add("plan_entry", f"Unknown plan entry: {data['plan_entry']}.")
    apply(communication, data, skip={"communicated_by", "plan_entry"})
    clean(communication, errors=errors)
    services.log_communication(communication, actor=request.user)
    return get_communication(request, communication.pk)


@router.post(
    "/communications",
    auth=CONTRIBUTE,
    response=responses(201, CommunicationOut, 403, *BODY_ERRORS),
    summary="Log a communication",
    description="A date in the future is refused (422). Logged against a plan entry, the "
    "entry's next due date moves on by its frequency.",
)
def create_communication(request, payload: CommunicationIn):
    communication = Communication(organization=request.org)
    return Status(201, _save_communication(request, communication, payload.model_dump()))


@router.get(
    "/communications/{communication_id}",
    auth=READ,
    response=responses(200, CommunicationOut, 404),
    summary="Read a logged communication",
)
def read_communication(request, communication_id: int):
    return get_communication(request, communication_id)


@router.patch(
    "/communications/{communication_id}",
    auth=CONTRIBUTE,
    response=responses(200, CommunicationOut, 403, 404, *BODY_ERRORS),
    summary="Change a logged communication",
    description="Changes only the fields sent; the plan's due dates are not moved.",
)
def update_communication(request, communication_id: int, payload: PatchDict[CommunicationIn]):
    return _save_communication(request, get_communication(request, communication_id), payload)
