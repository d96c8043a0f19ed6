"""The context API: scope versions."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import CONTRIBUTE, DECIDE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of, username_of
from aims.catalog.lookups import requirement_links
from aims.inventory.api import systems_named

from .. import services
from ..models import ScopeVersion
from .common import (
    Requirements,
    ScopeStatus,
    clauses_field,
    controls_field,
    query_filters,
    router,
)

# --- Scope versions --------------------------------------------------------------------------


class ScopeIn(InputSchema):
    statement: text_of(ScopeVersion, "statement") = ""
    systems: list[Name] | None = Field(None, description="Slugs of the AI systems in scope.")
    units: text_of(ScopeVersion, "units") = ""
    sites: text_of(ScopeVersion, "sites") = ""
    activities: text_of(ScopeVersion, "activities") = ""
    exclusions: text_of(ScopeVersion, "exclusions") = ""
    interfaces: text_of(ScopeVersion, "interfaces") = ""
    change_note: text_of(ScopeVersion, "change_note") = ""
    clauses: list[Name] | None = clauses_field()
    controls: list[Name] | None = controls_field()


class ScopeOut(Requirements):
    id: int
    number: int
    status: ScopeStatus
    statement: str
    systems: list[str]
    units: str
    sites: str
    activities: str
    exclusions: str
    interfaces: str
    change_note: str
    author: str | None
    approved_by: str | None
    approved_at: dt.datetime | None
    next_review: dt.date | None
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return [s.slug for s in obj.systems.all()]

    @staticmethod
    def resolve_author(obj) -> str | None:
        return username_of(obj.author)

    @staticmethod
    def resolve_approved_by(obj) -> str | None:
        return username_of(obj.approved_by)


class ScopeFilters(Schema):
    q: Name | None = Field(None, description="Search in the scope's text.")
    status: ScopeStatus | None = None
    system: Name | None = Field(None, description="Slug of an AI system in scope.")


def versions_of(org):
    return (
        ScopeVersion.objects.for_org(org)
        .select_related("author", "approved_by")
        .prefetch_related("systems", "clauses", "controls")
    )


def get_version(request, scope_version_id: int) -> ScopeVersion:
    return get_object_or_404(versions_of(request.org), pk=scope_version_id)


@router.get(
    "/context/scope-versions",
    auth=READ,
    response=responses(200, list[ScopeOut], 422),
    summary="List the versions of the scope",
    description="Newest first; the approved one is the scope in force.",
)
@paginate(Page)
def list_scope_versions(request, filters: Query[ScopeFilters]):
    return versions_of(request.org).filtered(**query_filters(request, filters))


def _save_version(request, version: ScopeVersion, data: dict) -> ScopeVersion:
    errors = Errors()
    extra = requirement_links(data, errors)
    if data.get("systems") is not None:
        extra["systems"] = systems_named(request.org, data["systems"], errors=errors)
    apply(version, data, skip={"systems", "clauses", "controls"})
    clean(version, exclude=["number", "author", "last_edited_by"], errors=errors)
    services.save_scope_draft(version, actor=request.user, **extra)
    return get_version(request, version.pk)


@router.post(
    "/context/scope-versions",
    auth=CONTRIBUTE,
    response=responses(201, ScopeOut, 403, 409, *BODY_ERRORS),
    summary="Start a new draft of the scope",
    description="409 when a draft exists already: change it instead.",
)
def create_scope_version(request, payload: ScopeIn):
    version = ScopeVersion(organization=request.org)
    return Status(201, _save_version(request, version, payload.model_dump()))


@router.get(
    "/context/scope-versions/{scope_version_id}",
    auth=READ,
    response=responses(200, ScopeOut, 404),
    summary="Read a version of the scope",
)
def read_scope_version(request, scope_version_id: int):
    return get_version(request, scope_version_id)


@router.patch(
    "/context/scope-versions/{scope_version_id}",
    auth=CONTRIBUTE,
    response=responses(200, ScopeOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change the draft of the scope",
    description="Only a draft changes: an approved or superseded version answers 409.",
)
def update_scope_version(request, scope_version_id: int, payload: PatchDict[ScopeIn]):
    return _save_version(request, get_version(request, scope_version_id), payload)


@router.post(
    "/context/scope-versions/{scope_version_id}/approve",
    auth=DECIDE,
    response=responses(200, ScopeOut, 403, 404, 409, *BODY_ERRORS),
    summary="Approve the draft of the scope",
    description="Needs authority (an Owner, an AIMS Manager or top management) and someone "
    "other than the draft's author (409 otherwise, and for a version that is not a draft). The "
    "version approved before becomes superseded.",
)
def approve_scope_version(request, scope_version_id: int):
    version = get_version(request, scope_version_id)
    services.approve_scope(version, actor=request.user)
    return get_version(request, scope_version_id)
