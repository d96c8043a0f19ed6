"""The context API: roles per ai system."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, many
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of
from aims.inventory.models import AISystem

from .. import services
from ..models import AIRole as _AIRole
from ..models import OperatorRole as _OperatorRole
from ..models import SystemRole
from .common import (
    AIRole22989,
    EUOperatorRole,
    query_filters,
    router,
)

# --- Roles per AI system ---------------------------------------------------------------------


class SystemRoleChange(InputSchema):
    iso_roles: list[Name] = Field(
        description="Roles in ISO/IEC 22989 terms: " + ", ".join(_AIRole.values) + "."
    )
    eu_roles: list[Name] = Field(
        [],
        description="Operator roles under the EU AI Act: " + ", ".join(_OperatorRole.values) + ".",
    )
    note: text_of(SystemRole, "note") = ""


class SystemRoleIn(SystemRoleChange):
    system: Name = Field(description="Slug of the AI system.")


class SystemRoleOut(Schema):
    id: int
    system: str
    iso_roles: list[AIRole22989]
    eu_roles: list[EUOperatorRole]
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug


class SystemRoleFilters(Schema):
    q: Name | None = Field(None, description="Search in the system's name and the note.")
    system: Name | None = Field(None, description="Slug of an AI system.")
    iso_role: AIRole22989 | None = None
    eu_role: EUOperatorRole | None = None


def roles_of(org):
    return SystemRole.objects.for_org(org).select_related("system")


def get_role(request, system_role_id: int) -> SystemRole:
    return get_object_or_404(roles_of(request.org), pk=system_role_id)


@router.get(
    "/context/system-roles",
    auth=READ,
    response=responses(200, list[SystemRoleOut], 422),
    summary="List the organization's roles per AI system",
)
@paginate(Page)
def list_system_roles(request, filters: Query[SystemRoleFilters]):
    return roles_of(request.org).filtered(**query_filters(request, filters))


def _save_role(request, role: SystemRole, data: dict) -> SystemRole:
    for name in ("iso_roles", "eu_roles"):
        if name in data:
            data[name] = [str(getattr(v, "value", v)) for v in data[name] or []]
    apply(role, data, skip={"system"})
    services.save_system_role(role, actor=request.user)
    return get_role(request, role.pk)


@router.post(
    "/context/system-roles",
    auth=CONTRIBUTE,
    response=responses(201, SystemRoleOut, 403, *BODY_ERRORS),
    summary="Record the organization's roles for an AI system",
    description="One record per system; 422 when the system has one already.",
)
def create_system_role(request, payload: SystemRoleIn):
    errors = Errors()
    system = many(
        AISystem.objects.for_org(request.org),
        "slug",
        [payload.system],
        field="system",
        errors=errors,
        what="AI system",
    )
    errors.raise_if_any()
    role = SystemRole(organization=request.org, system=system[0])
    return Status(201, _save_role(request, role, payload.model_dump()))


@router.get(
    "/context/system-roles/{system_role_id}",
    auth=READ,
    response=responses(200, SystemRoleOut, 404),
    summary="Read the organization's roles for an AI system",
)
def read_system_role(request, system_role_id: int):
    return get_role(request, system_role_id)


@router.patch(
    "/context/system-roles/{system_role_id}",
    auth=CONTRIBUTE,
    response=responses(200, SystemRoleOut, 403, 404, *BODY_ERRORS),
    summary="Change the organization's roles for an AI system",
)
def update_system_role(request, system_role_id: int, payload: PatchDict[SystemRoleChange]):
    return _save_role(request, get_role(request, system_role_id), payload)
