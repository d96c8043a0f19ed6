"""The context API: interested parties."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of
from aims.catalog.lookups import requirement_links

from .. import services
from ..models import InterestedParty
from .common import (
    ContextSide,
    PartyAddressed,
    PartyKind,
    Requirements,
    clauses_field,
    controls_field,
    owner_field,
    query_filters,
    router,
)

# --- Interested parties ----------------------------------------------------------------------


class PartyIn(InputSchema):
    name: text_of(InterestedParty, "name")
    side: ContextSide = ContextSide.EXTERNAL
    kind: PartyKind
    needs: text_of(InterestedParty, "needs") = ""
    requirements: text_of(InterestedParty, "requirements") = ""
    addressed: PartyAddressed = PartyAddressed.NOT_ADDRESSED
    how_addressed: text_of(InterestedParty, "how_addressed") = ""
    owner: Name | None = owner_field()
    review_date: dt.date | None = None
    clauses: list[Name] | None = clauses_field()
    controls: list[Name] | None = controls_field()


class PartyOut(Requirements):
    id: int
    name: str
    side: ContextSide
    kind: PartyKind
    needs: str
    requirements: str
    addressed: PartyAddressed
    how_addressed: str
    owner: str | None
    review_date: dt.date | None
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class PartyFilters(Schema):
    q: Name | None = Field(None, description="Search in name, needs and requirements.")
    side: ContextSide | None = None
    kind: PartyKind | None = None
    addressed: PartyAddressed | None = None
    owner: Name | None = None
    overdue: bool | None = None


def parties_of(org):
    return (
        InterestedParty.objects.for_org(org)
        .select_related("owner")
        .prefetch_related("clauses", "controls")
    )


def get_party(request, party_id: int) -> InterestedParty:
    return get_object_or_404(parties_of(request.org), pk=party_id)


@router.get(
    "/context/parties",
    auth=READ,
    response=responses(200, list[PartyOut], 422),
    summary="List interested parties",
)
@paginate(Page)
def list_parties(request, filters: Query[PartyFilters]):
    return parties_of(request.org).filtered(**query_filters(request, filters))


def _save_party(request, party: InterestedParty, data: dict) -> InterestedParty:
    errors = Errors()
    extra = requirement_links(data, errors)
    if "owner" in data:
        party.owner = member(request.org, data["owner"], field="owner", errors=errors)
    apply(party, data, skip={"owner", "clauses", "controls"})
    clean(party, errors=errors)
    services.save_party(party, actor=request.user, **extra)
    return get_party(request, party.pk)


@router.post(
    "/context/parties",
    auth=CONTRIBUTE,
    response=responses(201, PartyOut, 403, *BODY_ERRORS),
    summary="Record an interested party",
    description="Without clauses or controls it addresses clause 4.2.",
)
def create_party(request, payload: PartyIn):
    party = InterestedParty(organization=request.org)
    return Status(201, _save_party(request, party, payload.model_dump()))


@router.get(
    "/context/parties/{party_id}",
    auth=READ,
    response=responses(200, PartyOut, 404),
    summary="Read an interested party",
)
def read_party(request, party_id: int):
    return get_party(request, party_id)


@router.patch(
    "/context/parties/{party_id}",
    auth=CONTRIBUTE,
    response=responses(200, PartyOut, 403, 404, *BODY_ERRORS),
    summary="Change an interested party",
)
def update_party(request, party_id: int, payload: PatchDict[PartyIn]):
    return _save_party(request, get_party(request, party_id), payload)
