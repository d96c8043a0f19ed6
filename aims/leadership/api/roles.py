"""Leadership in the API: roles."""

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of
from aims.catalog.lookups import clauses_named, controls_named

from .. import services
from ..models import (
    AIMSRole,
)

router = Router()


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
