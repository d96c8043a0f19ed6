"""Planned changes to AI systems (ISO/IEC 42001 6.3, A.6.2)."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus

from aims.api.auth import CONTRIBUTE, DECIDE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, bounded_text, text_of, username_of
from aims.catalog.lookups import requirement_links
from aims.inventory.api import systems_named

from . import services
from .models import Kind, PlannedChange, Status

router = Router(tags=["Planned changes"])

ChangeKind = api_choices("PlannedChangeKind", Kind)
ChangeStatus = api_choices("PlannedChangeStatus", Status)


class ChangeIn(InputSchema):
    system: Name = Field(description="The AI system's id (slug).")
    kind: ChangeKind = ChangeKind.NEW_VERSION
    description: text_of(PlannedChange, "description") = Field(description="What changes.")
    reason: text_of(PlannedChange, "reason") = Field(description="Why.")
    new_version: text_of(PlannedChange, "new_version") = Field(
        "", description="Required for a new version: the system's version once implemented."
    )
    new_intended_use: text_of(PlannedChange, "new_intended_use") = Field(
        "", description="Required for a new intended use."
    )
    planned_date: dt.date | None = None
    clauses: list[Name] | None = Field(None, description="Clause numbers; 6.3 if left out.")
    controls: list[Name] | None = Field(None, description="Annex A control ids.")


class ReopenedOut(Schema):
    stage: str
    code: str
    label: str
    detail: str


class ChangeOut(Schema):
    id: int
    system: str
    clauses: list[str]
    controls: list[str]
    kind: ChangeKind
    description: str
    reason: str
    new_version: str
    new_intended_use: str
    planned_date: dt.date | None
    status: ChangeStatus
    overdue: bool = Field(description="Approved, with its planned date passed.")
    proposed_by: str | None
    approved_by: str | None
    approved_at: dt.datetime | None
    closed_by: str | None = Field(description="Who rejected or withdrew it.")
    closed_at: dt.datetime | None
    close_reason: str
    implemented_by: str | None
    implemented_at: dt.datetime | None
    risks_due: list[str] = Field(description="Risks made due for review by implementing it.")
    reopened: list[ReopenedOut] = Field(
        description="Gate requirements implementing it opened again."
    )
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_proposed_by(obj):
        return username_of(obj.proposed_by)

    @staticmethod
    def resolve_approved_by(obj):
        return username_of(obj.approved_by)

    @staticmethod
    def resolve_closed_by(obj):
        return username_of(obj.closed_by)

    @staticmethod
    def resolve_implemented_by(obj):
        return username_of(obj.implemented_by)

    @staticmethod
    def resolve_risks_due(obj) -> list[str]:
        return list((obj.effects or {}).get("risks_due", []))

    @staticmethod
    def resolve_reopened(obj) -> list:
        return list((obj.effects or {}).get("reopened", []))


def changes_of(org):
    return (
        PlannedChange.objects.for_org(org)
        .select_related("system", "proposed_by", "approved_by", "closed_by", "implemented_by")
        .prefetch_related("clauses", "controls")
    )


def get_change(request, change_id: int) -> PlannedChange:
    return get_object_or_404(changes_of(request.org), pk=change_id)


class ChangeFilters(Schema):
    q: Name | None = Field(None, description="Search in the description, reason and system.")
    system: Name | None = Field(None, description="The AI system's id (slug).")
    status: ChangeStatus | None = None
    kind: ChangeKind | None = None


@router.get(
    "/planned-changes",
    auth=READ,
    response=responses(200, list[ChangeOut], 422),
    summary="List planned changes",
    description="The organization's planned changes to AI systems, newest first.",
)
@paginate(Page)
def list_changes(request, filters: Query[ChangeFilters]):
    errors = Errors()
    if filters.system:  # an unknown short id is an error, not an empty list
        systems_named(request.org, [filters.system], field="system", errors=errors)
    errors.raise_if_any()
    return (
        changes_of(request.org)
        .filtered(q=filters.q, system=filters.system, status=filters.status, kind=filters.kind)
        .order_by("-created_at", "-pk")
    )


def _save(request, change: PlannedChange, data: dict) -> PlannedChange:
    errors = Errors()
    if "system" in data:
        found = systems_named(request.org, [data["system"]], field="system", errors=errors)
        if found and change.pk is not None and found[0].pk != change.system_id:
            errors.add("system", "A change keeps its AI system.")
        elif found:
            change.system = found[0]
    links = requirement_links(data, errors)
    apply(change, data, skip={"system", "clauses", "controls"})
    errors.raise_if_any()
    clean(change, exclude=("system", "organization"), errors=errors)
    errors.raise_if_any()
    services.save_change(change, actor=request.user, **links)
    return get_change(request, change.pk)


@router.post(
    "/planned-changes",
    auth=CONTRIBUTE,
    response=responses(201, ChangeOut, 403, *BODY_ERRORS),
    summary="Propose a change to an AI system",
    description="A new version needs new_version; a new intended use needs new_intended_use "
    "(422 otherwise).",
)
def create_change(request, payload: ChangeIn):
    change = PlannedChange(organization=request.org)
    return HttpStatus(201, _save(request, change, payload.model_dump()))


@router.get(
    "/planned-changes/{change_id}",
    auth=READ,
    response=responses(200, ChangeOut, 404),
    summary="Read a planned change",
)
def read_change(request, change_id: int):
    return get_change(request, change_id)


@router.patch(
    "/planned-changes/{change_id}",
    auth=CONTRIBUTE,
    response=responses(200, ChangeOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a proposed change",
    description="Only while proposed (409 otherwise).",
)
def update_change(request, change_id: int, payload: PatchDict[ChangeIn]):
    return _save(request, get_change(request, change_id), payload)


class ChangeNoteIn(InputSchema):
    note: bounded_text(500) = ""


class ChangeReasonIn(InputSchema):
    reason: bounded_text(2000) = ""


@router.post(
    "/planned-changes/{change_id}/approve",
    auth=DECIDE,
    response=responses(200, ChangeOut, 403, 404, 409, *BODY_ERRORS),
    summary="Approve a proposed change",
    description="Needs decision authority; its proposer may approve it when they have it.",
)
def approve_change(request, change_id: int, payload: ChangeNoteIn | None = None):
    services.approve(
        get_change(request, change_id), actor=request.user, note=payload.note if payload else ""
    )
    return get_change(request, change_id)


@router.post(
    "/planned-changes/{change_id}/reject",
    auth=DECIDE,
    response=responses(200, ChangeOut, 403, 404, 409, *BODY_ERRORS),
    summary="Reject a proposed change",
    description="With the reason (422 without).",
)
def reject_change(request, change_id: int, payload: ChangeReasonIn):
    services.reject(get_change(request, change_id), actor=request.user, reason=payload.reason)
    return get_change(request, change_id)


@router.post(
    "/planned-changes/{change_id}/withdraw",
    auth=CONTRIBUTE,
    response=responses(200, ChangeOut, 403, 404, 409, *BODY_ERRORS),
    summary="Withdraw a change",
    description="By its proposer, an Owner or an AIMS Manager; not once implemented.",
)
def withdraw_change(request, change_id: int, payload: ChangeReasonIn | None = None):
    services.withdraw(
        get_change(request, change_id),
        actor=request.user,
        reason=payload.reason if payload else "",
    )
    return get_change(request, change_id)


@router.post(
    "/planned-changes/{change_id}/implement",
    auth=CONTRIBUTE,
    response=responses(200, ChangeOut, 403, 404, 409, 422),
    summary="Implement an approved change",
    description="Updates the system (version, intended use, or its last material change): "
    "the impact and risk assessments signed before no longer count, and the open risks naming "
    "the system are due for review today. 409 unless approved.",
)
def implement_change(request, change_id: int):
    services.implement(get_change(request, change_id), actor=request.user)
    return get_change(request, change_id)
