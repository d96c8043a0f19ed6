"""The context API: obligations."""

import datetime as dt

from django.core.exceptions import ValidationError
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
from aims.core.errors import Refused
from aims.inventory.api import systems_named

from .. import catalogue, services
from ..models import Obligation
from .common import (
    ObligationCompliance,
    ObligationKind,
    Requirements,
    clauses_field,
    controls_field,
    owner_field,
    query_filters,
    router,
)

# --- Obligations -----------------------------------------------------------------------------


class ObligationIn(InputSchema):
    kind: ObligationKind
    title: text_of(Obligation, "title")
    reference: text_of(Obligation, "reference") = ""
    description: text_of(Obligation, "description") = ""
    systems: list[Name] | None = Field(None, description="Slugs of the AI systems it applies to.")
    owner: Name | None = owner_field()
    how_shown: text_of(Obligation, "how_shown") = ""
    compliance: ObligationCompliance = ObligationCompliance.NOT_ASSESSED
    review_date: dt.date | None = None
    clauses: list[Name] | None = clauses_field()
    controls: list[Name] | None = controls_field()


class RegisterObligationOut(Requirements):
    id: int
    kind: ObligationKind
    title: str
    reference: str
    description: str
    systems: list[str]
    owner: str | None
    how_shown: str
    compliance: ObligationCompliance
    review_date: dt.date | None
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return [s.slug for s in obj.systems.all()]


class ObligationFilters(Schema):
    q: Name | None = Field(None, description="Search in title, reference and description.")
    kind: ObligationKind | None = None
    compliance: ObligationCompliance | None = None
    system: Name | None = Field(None, description="Slug of an AI system it applies to.")
    owner: Name | None = None
    overdue: bool | None = None


def obligations_of(org):
    return (
        Obligation.objects.for_org(org)
        .select_related("owner")
        .prefetch_related("systems", "clauses", "controls")
    )


def get_obligation(request, obligation_id: int) -> Obligation:
    return get_object_or_404(obligations_of(request.org), pk=obligation_id)


@router.get(
    "/context/obligations",
    auth=READ,
    response=responses(200, list[RegisterObligationOut], 422),
    summary="List obligations",
)
@paginate(Page)
def list_obligations(request, filters: Query[ObligationFilters]):
    return obligations_of(request.org).filtered(**query_filters(request, filters))


def _save_obligation(request, obligation: Obligation, data: dict) -> Obligation:
    errors = Errors()
    extra = requirement_links(data, errors)
    if "owner" in data:
        obligation.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if data.get("systems") is not None:
        extra["systems"] = systems_named(request.org, data["systems"], errors=errors)
    apply(obligation, data, skip={"owner", "systems", "clauses", "controls"})
    clean(obligation, errors=errors)
    services.save_obligation(obligation, actor=request.user, **extra)
    return get_obligation(request, obligation.pk)


@router.post(
    "/context/obligations",
    auth=CONTRIBUTE,
    response=responses(201, RegisterObligationOut, 403, *BODY_ERRORS),
    summary="Record an obligation",
    description="Without clauses or controls it addresses control A.8.5.",
)
def create_obligation(request, payload: ObligationIn):
    obligation = Obligation(organization=request.org)
    return Status(201, _save_obligation(request, obligation, payload.model_dump()))


class SuggestionOut(Schema):
    key: str
    reference: str
    title: str
    kind: ObligationKind
    group: str
    in_register: bool


@router.get(
    "/context/obligations/catalogue",
    auth=READ,
    response=responses(200, list[SuggestionOut]),
    summary="List the obligations that can be added in one step",
    description="The EU AI Act articles of the shipped reference list and a few other common "
    "obligations (GDPR Art. 22, Art. 35, …), each saying whether the register holds it.",
)
def list_catalogue(request):
    present = services.in_register(request.org)
    return [
        {
            "key": s.key,
            "reference": s.reference,
            "title": s.title,
            "kind": s.kind,
            "group": s.group,
            "in_register": s.reference.lower() in present,
        }
        for s in catalogue.suggestions()
    ]


class CatalogueIn(InputSchema):
    keys: list[Name] = Field(description="Keys from the catalogue, e.g. eu-ai-act-art-9.")
    systems: list[Name] = Field([], description="Slugs of AI systems every one applies to.")


class CatalogueOut(Schema):
    created: list[RegisterObligationOut]
    skipped: list[str] = Field(description="References already in the register.")


@router.post(
    "/context/obligations/catalogue",
    auth=CONTRIBUTE,
    response=responses(201, CatalogueOut, 403, *BODY_ERRORS),
    summary="Add obligations from the catalogue",
    description="Creates one obligation per key, all or none; those already in the register "
    "(same reference) are skipped.",
)
def add_from_catalogue(request, payload: CatalogueIn):
    errors = Errors()
    systems = systems_named(request.org, payload.systems, errors=errors)
    errors.raise_if_any()
    try:
        created, skipped = services.add_catalogue_obligations(
            request.org, actor=request.user, keys=payload.keys, systems=systems
        )
    except ValidationError as exc:  # the service names the form's field, articles
        if isinstance(exc, Refused) or not hasattr(exc, "error_dict"):
            raise
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add("keys" if field == "articles" else field, message)
        errors.raise_if_any()
    found = obligations_of(request.org).filter(pk__in=[o.pk for o in created])
    return Status(201, {"created": list(found), "skipped": skipped})


@router.get(
    "/context/obligations/{obligation_id}",
    auth=READ,
    response=responses(200, RegisterObligationOut, 404),
    summary="Read an obligation",
)
def read_obligation(request, obligation_id: int):
    return get_obligation(request, obligation_id)


@router.patch(
    "/context/obligations/{obligation_id}",
    auth=CONTRIBUTE,
    response=responses(200, RegisterObligationOut, 403, 404, *BODY_ERRORS),
    summary="Change an obligation",
)
def update_obligation(request, obligation_id: int, payload: PatchDict[ObligationIn]):
    return _save_obligation(request, get_obligation(request, obligation_id), payload)
