"""Leadership in the API: the RACI matrix."""

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import StrictInt

from aims.api.auth import MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, username_of

from .. import services
from ..models import (
    Activity,
    AIMSRole,
)
from .common import RaciLetter

router = Router()


class RaciCellOut(Schema):
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
    cells: list[RaciCellOut]
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
