"""The internal audit programme in the API: programmes."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import AUDIT, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of, username_of

from .. import services
from ..coverage import Requirement, coverage
from ..models import AuditProgramme

router = Router()


class ProgrammeIn(InputSchema):
    title: text_of(AuditProgramme, "title")
    starts_on: dt.date
    ends_on: dt.date = Field(description="Not before starts_on.")
    owner: Name | None = Field(None, description="Username of the member who manages it.")
    objectives: text_of(AuditProgramme, "objectives") = ""
    criteria: text_of(AuditProgramme, "criteria") = ""
    method: text_of(AuditProgramme, "method") = Field("", description="Frequency and methods.")


class ProgrammeOut(Schema):
    id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    owner: str | None
    objectives: str
    criteria: str
    method: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj):
        return username_of(obj.owner)


def get_programme(request, programme_id: int) -> AuditProgramme:
    programme = get_object_or_404(
        AuditProgramme.objects.for_org(request.org).select_related("owner"), pk=programme_id
    )
    programme.organization = request.org
    return programme


class ProgrammeFilters(Schema):
    q: Name | None = None


@router.get(
    "/audit-programmes",
    auth=READ,
    response=responses(200, list[ProgrammeOut], 422),
    summary="List audit programmes",
)
@paginate(Page)
def list_audit_programmes(request, filters: Query[ProgrammeFilters]):
    return (
        AuditProgramme.objects.for_org(request.org)
        .filtered(**filters.model_dump())
        .select_related("owner")
        .order_by("-starts_on", "-pk")
    )


def _save_programme(request, programme: AuditProgramme, data: dict) -> AuditProgramme:
    errors = Errors()
    if "owner" in data:
        programme.owner = member(request.org, data["owner"], field="owner", errors=errors)
    apply(programme, data, skip={"owner"})
    clean(programme, exclude=["organization", "created_by"], errors=errors)
    services.save_programme(programme, actor=request.user)
    return get_programme(request, programme.pk)


@router.post(
    "/audit-programmes",
    auth=AUDIT,
    response=responses(201, ProgrammeOut, 403, *BODY_ERRORS),
    summary="Plan an audit programme",
)
def create_audit_programme(request, payload: ProgrammeIn):
    programme = AuditProgramme(organization=request.org, created_by=request.user)
    return Status(201, _save_programme(request, programme, payload.model_dump()))


@router.get(
    "/audit-programmes/{programme_id}",
    auth=READ,
    response=responses(200, ProgrammeOut, 404),
    summary="Read an audit programme",
)
def read_audit_programme(request, programme_id: int):
    return get_programme(request, programme_id)


@router.patch(
    "/audit-programmes/{programme_id}",
    auth=AUDIT,
    response=responses(200, ProgrammeOut, 403, 404, *BODY_ERRORS),
    summary="Change an audit programme",
    description="Changes only the fields sent. A cycle that no longer holds the planned dates "
    "of its audits is refused (422).",
)
def update_audit_programme(request, programme_id: int, payload: PatchDict[ProgrammeIn]):
    return _save_programme(request, get_programme(request, programme_id), payload)


class RequirementOut(Schema):
    ref: str
    title: str
    kind: str = Field(description="clause or control")
    planned_in: list[str] = Field(description="Refs of the audits that have it in scope.")
    audited_in: list[str] = Field(description="Refs of the completed ones among them.")
    audited: bool

    @staticmethod
    def resolve_planned_in(obj: Requirement) -> list[str]:
        return [a.ref for a in obj.planned_in]

    @staticmethod
    def resolve_audited_in(obj: Requirement) -> list[str]:
        return [a.ref for a in obj.audited_in]


class CoverageOut(Schema):
    programme: int
    required: int = Field(description="Requirement clauses and applicable Annex A controls.")
    planned: int
    audited: int
    percent_audited: int
    not_audited: list[str] = Field(description="Ids of what the cycle has not audited yet.")
    clauses: list[RequirementOut]
    controls: list[RequirementOut]


@router.get(
    "/audit-programmes/{programme_id}/coverage",
    auth=READ,
    response=responses(200, CoverageOut, 404),
    summary="The coverage of a programme's cycle",
    description="Every requirement clause (4.1 to 10.2) and every Annex A control the SoA "
    "declares applicable: the audits that plan it and whether a completed one audited it.",
)
def read_audit_programme_coverage(request, programme_id: int):
    found = coverage(get_programme(request, programme_id))
    return {
        "programme": programme_id,
        "required": found.required,
        "planned": found.planned_count,
        "audited": found.audited_count,
        "percent_audited": found.percent_audited,
        "not_audited": [r.ref for r in found.unaudited],
        "clauses": list(found.clauses),
        "controls": list(found.controls),
    }
