"""The organization's EU AI Act registers: explanation and recourse requests from affected
persons (Art. 86), the regulatory watch, and the organization's profile for the fines
(Art. 99).
"""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus
from pydantic import StrictBool, StrictInt

from aims.api.auth import CONTRIBUTE, MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, many, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.inventory.models import AISystem, RiskTier

from .. import exposure as fines
from .. import services
from ..models import (
    MAX_TURNOVER,
    ActProfile,
    ChangeSource,
    ChangeStatus,
    RecourseRequest,
    RegulatoryChange,
    RequestKind,
    RequestStatus,
)
from .common import ExposureOut, _one, exposure_out

router = Router()  # added under the area's router, and its tag, in __init__

ActRequestKind = api_choices("ActRecourseRequestKind", RequestKind)
ActRequestStatus = api_choices("ActRecourseRequestStatus", RequestStatus)
ActChangeSource = api_choices("ActRegulatoryChangeSource", ChangeSource)
ActChangeStatus = api_choices("ActRegulatoryChangeStatus", ChangeStatus)


# --- Explanation and recourse requests (Art. 86) -----------------------------------------------


class RecourseRequestIn(InputSchema):
    system: Name = Field(description="The AI system's short id (slug).")
    kind: ActRequestKind
    received_on: dt.date | None = Field(None, description="Today when left out.")
    requester: text_of(RecourseRequest, "requester") = Field(
        description="A case or customer number, not the person's name."
    )
    summary: text_of(RecourseRequest, "summary") = Field(description="What is asked.")
    due_on: dt.date | None = Field(
        None, description="From the system's recourse channel (or 30 days) when left out."
    )
    status: ActRequestStatus = ActRequestStatus.OPEN
    handled_by: Name | None = Field(None, description="Username of the member handling it.")
    answered_on: dt.date | None = Field(None, description="Required once answered.")
    outcome: text_of(RecourseRequest, "outcome") = Field(
        "", description="What was explained or decided, and why; required once answered."
    )


class RecourseRequestOut(Schema):
    id: int
    ref: str
    system: str
    kind: ActRequestKind
    received_on: dt.date
    requester: str
    summary: str
    due_on: dt.date
    status: ActRequestStatus
    handled_by: str | None
    answered_on: dt.date | None
    outcome: str
    overdue: bool = Field(description="Open past its due date.")
    created_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_handled_by(obj) -> str | None:
        return username_of(obj.handled_by)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


def requests_of(org):
    return RecourseRequest.objects.for_org(org).select_related("system", "handled_by")


def _request(request, recourse_request_id: int) -> RecourseRequest:
    return _one(requests_of(request.org), recourse_request_id)


class RecourseRequestFilters(Schema):
    system: Name | None = Field(None, description="The AI system's short id.")
    status: ActRequestStatus | None = None
    kind: ActRequestKind | None = None
    overdue: bool | None = Field(None, description="true: open past the due date.")


@router.get(
    "/act/requests",
    auth=READ,
    response=responses(200, list[RecourseRequestOut], 422),
    summary="List explanation and recourse requests",
    description="The organization's register of requests from affected persons, newest first.",
)
@paginate(Page)
def list_act_requests(request, filters: Query[RecourseRequestFilters]):
    found = requests_of(request.org).order_by("-received_on", "-pk")
    if filters.system:
        found = found.filter(system__slug=filters.system)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.overdue is not None:
        late = RecourseRequest.objects.for_org(request.org).overdue().values("pk")
        found = found.filter(pk__in=late) if filters.overdue else found.exclude(pk__in=late)
    return found


def _save_request(request, found: RecourseRequest, data: dict, *, new: bool) -> RecourseRequest:
    errors = Errors()
    if "system" in data:
        chosen = many(
            AISystem.objects.for_org(request.org),
            "slug",
            [data["system"]] if data["system"] is not None else [],
            field="system",
            errors=errors,
            what="AI system",
        )
        if data["system"] is None:
            errors.add("system", "Name the AI system (its short id).")
        found.system = chosen[0] if chosen else None
    if "handled_by" in data:
        found.handled_by = member(
            request.org, data["handled_by"], field="handled_by", errors=errors
        )
    apply(found, data, skip={"system", "handled_by"})
    if new and found.received_on is None:
        found.received_on = timezone.localdate()
    exclude = ["ref", "due_on"] if new else []
    clean(found, exclude=exclude + (["system"] if found.system_id is None else []), errors=errors)
    try:
        if new:
            services.receive_request(found, actor=request.user)
        else:
            services.save_record(found, actor=request.user)
    except ValidationError as exc:
        errors.raise_with(exc)
    return _request(request, found.pk)


@router.post(
    "/act/requests",
    auth=CONTRIBUTE,
    response=responses(201, RecourseRequestOut, 403, *BODY_ERRORS),
    summary="Record an explanation or recourse request",
    description="It gets the organization's next reference (R-<year>-<number>) and, unless "
    "given, a due date from the system's recourse channel (30 days without one).",
)
def create_act_request(request, payload: RecourseRequestIn):
    found = RecourseRequest(organization=request.org)
    return HttpStatus(201, _save_request(request, found, payload.model_dump(), new=True))


@router.get(
    "/act/requests/{recourse_request_id}",
    auth=READ,
    response=responses(200, RecourseRequestOut, 404),
    summary="Read an explanation or recourse request",
)
def read_act_request(request, recourse_request_id: int):
    return _request(request, recourse_request_id)


@router.patch(
    "/act/requests/{recourse_request_id}",
    auth=CONTRIBUTE,
    response=responses(200, RecourseRequestOut, 403, 404, *BODY_ERRORS),
    summary="Change an explanation or recourse request",
    description="Changes only the fields sent; answering it (a status other than open or "
    "withdrawn) needs the date and the outcome. The reference does not change.",
)
def update_act_request(request, recourse_request_id: int, payload: PatchDict[RecourseRequestIn]):
    return _save_request(request, _request(request, recourse_request_id), payload, new=False)


@router.delete(
    "/act/requests/{recourse_request_id}",
    auth=MANAGE,
    response=responses(204, None, 403, 404),
    summary="Delete an explanation or recourse request",
)
def delete_act_request(request, recourse_request_id: int):
    services.delete_record(_request(request, recourse_request_id), actor=request.user)
    return HttpStatus(204, None)


# --- The regulatory watch ----------------------------------------------------------------------


class RegulatoryChangeIn(InputSchema):
    title: text_of(RegulatoryChange, "title")
    source: ActChangeSource
    reference: text_of(RegulatoryChange, "reference") = ""
    jurisdiction: text_of(RegulatoryChange, "jurisdiction") = "EU"
    published_on: dt.date | None = None
    effective_on: dt.date | None = Field(None, description="When it applies from.")
    summary: text_of(RegulatoryChange, "summary") = Field(description="What changes.")
    effect: text_of(RegulatoryChange, "effect") = Field(
        "", description="Its effect on us: on which systems and obligations, how."
    )
    articles: text_of(RegulatoryChange, "articles") = Field(
        "", description="Articles of the Act it touches, e.g. “Art. 6, Art. 50”."
    )
    systems: list[Name] = Field([], description="Short ids (slugs) of the systems it touches.")
    status: ActChangeStatus = ActChangeStatus.ASSESSING
    owner: Name | None = Field(None, description="Username of a member of the organization.")


class RegulatoryChangeOut(Schema):
    id: int
    title: str
    source: ActChangeSource
    reference: str
    jurisdiction: str
    published_on: dt.date | None
    effective_on: dt.date | None
    summary: str
    effect: str
    articles: str
    systems: list[str]
    status: ActChangeStatus
    owner: str | None
    recorded_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return sorted(s.slug for s in obj.systems.all())

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)


def changes_of(org):
    return RegulatoryChange.objects.for_org(org).select_related("owner").prefetch_related("systems")


def _change(request, regulatory_change_id: int) -> RegulatoryChange:
    return _one(changes_of(request.org), regulatory_change_id)


class RegulatoryChangeFilters(Schema):
    status: ActChangeStatus | None = None
    source: ActChangeSource | None = None
    system: Name | None = Field(None, description="The short id of a system it touches.")


@router.get(
    "/act/regulatory-changes",
    auth=READ,
    response=responses(200, list[RegulatoryChangeOut], 422),
    summary="List the regulatory watch",
    description="Changes in laws and guidance with their effect on the systems, newest first.",
)
@paginate(Page)
def list_act_regulatory_changes(request, filters: Query[RegulatoryChangeFilters]):
    found = changes_of(request.org).order_by("-recorded_at", "-pk")
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.source:
        found = found.filter(source=filters.source)
    if filters.system:
        found = found.filter(systems__slug=filters.system).distinct()
    return found


def _save_change(request, change: RegulatoryChange, data: dict) -> RegulatoryChange:
    errors = Errors()
    systems = None
    if "systems" in data:
        systems = many(
            AISystem.objects.for_org(request.org),
            "slug",
            data["systems"],
            field="systems",
            errors=errors,
            what="AI system",
        )
    if "owner" in data:
        change.owner = member(request.org, data["owner"], field="owner", errors=errors)
    apply(change, data, skip={"systems", "owner"})
    clean(change, errors=errors)
    try:
        services.save_change(change, actor=request.user, systems=systems)
    except ValidationError as exc:
        errors.raise_with(exc)
    return _change(request, change.pk)


@router.post(
    "/act/regulatory-changes",
    auth=CONTRIBUTE,
    response=responses(201, RegulatoryChangeOut, 403, *BODY_ERRORS),
    summary="Record a regulatory change",
    description="A system not of the organization is refused (422 on systems).",
)
def create_act_regulatory_change(request, payload: RegulatoryChangeIn):
    change = RegulatoryChange(organization=request.org)
    return HttpStatus(201, _save_change(request, change, payload.model_dump()))


@router.get(
    "/act/regulatory-changes/{regulatory_change_id}",
    auth=READ,
    response=responses(200, RegulatoryChangeOut, 404),
    summary="Read a regulatory change",
)
def read_act_regulatory_change(request, regulatory_change_id: int):
    return _change(request, regulatory_change_id)


@router.patch(
    "/act/regulatory-changes/{regulatory_change_id}",
    auth=CONTRIBUTE,
    response=responses(200, RegulatoryChangeOut, 403, 404, *BODY_ERRORS),
    summary="Change a regulatory change",
    description="Changes only the fields sent; systems sent replace those it touches.",
)
def update_act_regulatory_change(
    request, regulatory_change_id: int, payload: PatchDict[RegulatoryChangeIn]
):
    return _save_change(request, _change(request, regulatory_change_id), payload)


@router.delete(
    "/act/regulatory-changes/{regulatory_change_id}",
    auth=MANAGE,
    response=responses(204, None, 403, 404),
    summary="Delete a regulatory change",
)
def delete_act_regulatory_change(request, regulatory_change_id: int):
    services.delete_record(_change(request, regulatory_change_id), actor=request.user)
    return HttpStatus(204, None)


# --- The organization's profile, for the fines ------------------------------------------------


class ActProfileIn(InputSchema):
    annual_turnover: Annotated[StrictInt, Field(ge=0, le=MAX_TURNOVER)] | None = Field(
        None, description="Worldwide annual turnover of the preceding year, in euros."
    )
    is_sme: StrictBool = Field(
        False, description="A small or medium-sized enterprise or start-up (Art. 99(6))."
    )


class TierExposureOut(ExposureOut):
    tier: RiskTier | None = Field(description="null: misleading the authorities, any tier.")


class ActProfileOut(Schema):
    annual_turnover: int | None
    is_sme: bool
    updated_at: dt.datetime | None = Field(description="null: never recorded.")
    exposure: list[TierExposureOut] = Field(
        description="The fine caps (Art. 99) for this organization, per tier."
    )


def profile_out(profile: ActProfile) -> dict:
    caps = [{"tier": tier, **exposure_out(fines.exposure(tier, profile))} for tier in fines.CAPS]
    caps.append({"tier": None, **exposure_out(fines.information_exposure(profile))})
    turnover = profile.annual_turnover
    return {
        "annual_turnover": int(turnover) if turnover is not None else None,
        "is_sme": profile.is_sme,
        "updated_at": profile.updated_at if profile.pk else None,
        "exposure": caps,
    }


@router.get(
    "/act/profile",
    auth=READ,
    response=responses(200, ActProfileOut),
    summary="Read the organization's EU AI Act profile",
    description="Its turnover and size, and the fine caps they give for each tier.",
)
def read_act_profile(request):
    return profile_out(services.profile_of(request.org))


@router.put(
    "/act/profile",
    auth=MANAGE,
    response=responses(200, ActProfileOut, 403, *BODY_ERRORS),
    summary="Set the organization's EU AI Act profile",
    description="Both fields are replaced: a turnover left out is no longer known.",
)
def set_act_profile(request, payload: ActProfileIn):
    profile = services.profile_of(request.org)
    errors = Errors()
    apply(profile, payload.model_dump())
    clean(profile, errors=errors)
    services.save_profile(profile, actor=request.user)
    return profile_out(services.profile_of(request.org))
