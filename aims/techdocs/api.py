"""Technical documentation and information for users (A.6.2.7, A.8.2; EU AI Act Art. 11, 13)."""

import datetime as dt
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, DECIDE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, numbered
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, bounded_text, text_of, username_of
from aims.catalog.lookups import requirement_links
from aims.datasets.models import DataSet
from aims.inventory.api import systems_named

from . import services
from .models import ANNEX_IV_SECTIONS, Audience, Kind, Status, TechnicalDocument

router = Router(tags=["Technical documentation"])

DocKind = api_choices("TechnicalDocumentKind", Kind)
DocStatus = api_choices("TechnicalDocumentStatus", Status)
DocAudience = api_choices("TechnicalDocumentAudience", Audience)


def _text(name: str):
    return text_of(TechnicalDocument, name)


class TechDocumentIn(InputSchema):
    system: Name = Field(description="The AI system's id (slug).")
    kind: DocKind = DocKind.TECHNICAL
    system_version: _text("system_version") = Field(
        "", description="The system version documented; the system's present one when empty."
    )
    title: _text("title") = ""
    change_note: _text("change_note") = ""
    general_description: _text("general_description") = ""
    architecture: _text("architecture") = ""
    training_data: _text("training_data") = ""
    training_datasets: list[Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]] = Field(
        [], description="Numbers of the organization's data sets."
    )
    evaluation: _text("evaluation") = ""
    limitations: _text("limitations") = ""
    oversight: _text("oversight") = Field("", description="Human oversight measures.")
    logging: _text("logging") = ""
    robustness: _text("robustness") = ""
    lifecycle_changes: _text("lifecycle_changes") = ""
    audience: DocAudience | None = None
    user_text: _text("user_text") = ""
    published_url: _text("published_url") = ""
    channel: _text("channel") = ""
    published_since: dt.date | None = None
    clauses: list[Name] | None = None
    controls: list[Name] | None = Field(
        None, description="Annex A control ids; A.6.2.7 (or A.8.2) when left out on creation."
    )


class TechDocMetricOut(Schema):
    metric: str
    value: float | None
    op: str
    limit: float | None
    passed: bool


class TechDocResultOut(Schema):
    check: str
    check_id: int
    kind: str
    run_id: int
    status: str
    passed: bool
    date: str
    metrics: list[TechDocMetricOut]


class TechDocumentOut(Schema):
    id: int
    system: str
    system_version: str
    kind: DocKind
    number: int
    status: DocStatus
    title: str
    change_note: str
    general_description: str
    architecture: str
    training_data: str
    training_datasets: list[int]
    evaluation: str
    evaluation_results: list[TechDocResultOut] = Field(
        description="The latest run of each check of the system: fixed on approval, live before."
    )
    limitations: str
    oversight: str
    logging: str
    robustness: str
    lifecycle_changes: str
    missing_sections: list[str] = Field(description="Annex IV sections still empty.")
    audience: DocAudience | None
    user_text: str
    published_url: str
    channel: str
    published_since: dt.date | None
    clauses: list[str]
    controls: list[str]
    author: str | None
    submitted_at: dt.datetime | None
    approved_by: str | None
    approved_at: dt.datetime | None
    superseded_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_audience(obj):
        return obj.audience or None

    @staticmethod
    def resolve_training_datasets(obj) -> list[int]:
        return [d.pk for d in obj.training_datasets.all()]

    @staticmethod
    def resolve_evaluation_results(obj) -> list:
        if obj.is_technical and not obj.is_fixed:
            return services.evaluation_results(obj.system)
        return obj.evaluation_results or []

    @staticmethod
    def resolve_missing_sections(obj) -> list[str]:
        if not obj.is_technical:
            return []
        has_sets = bool(obj.training_datasets.all())
        return [
            label
            for name, label in ANNEX_IV_SECTIONS
            if not (getattr(obj, name).strip() or (name == "training_data" and has_sets))
        ]

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_author(obj):
        return username_of(obj.author)

    @staticmethod
    def resolve_approved_by(obj):
        return username_of(obj.approved_by)


def documents_of(org):
    return (
        TechnicalDocument.objects.for_org(org)
        .select_related("system", "author", "approved_by")
        .prefetch_related("training_datasets", "clauses", "controls")
    )


def get_document(request, doc_id: int) -> TechnicalDocument:
    return get_object_or_404(documents_of(request.org), pk=doc_id)


class TechDocumentFilters(Schema):
    q: Name | None = Field(None, description="Search in title, system and texts.")
    system: Name | None = Field(None, description="The AI system's id (slug).")
    kind: DocKind | None = None
    status: DocStatus | None = None


@router.get(
    "/techdocs",
    auth=READ,
    response=responses(200, list[TechDocumentOut], 422),
    summary="List technical documentation",
    description="Every version of every system's technical documentation and information for "
    "users, filtered as the list page is.",
)
@paginate(Page)
def list_techdocs(request, filters: Query[TechDocumentFilters]):
    errors = Errors()
    if filters.system:  # an unknown short id is an error, not an empty list
        systems_named(request.org, [filters.system], field="system", errors=errors)
    errors.raise_if_any()
    return (
        documents_of(request.org)
        .filtered(q=filters.q, system=filters.system, kind=filters.kind, status=filters.status)
        .order_by("system__name", "kind", "-number")
    )


def _save(request, document: TechnicalDocument, data: dict) -> TechnicalDocument:
    errors = Errors()
    links = {}
    if "system" in data:
        found = systems_named(request.org, [data["system"]], field="system", errors=errors)
        if found and document.pk is not None and found[0].pk != document.system_id:
            errors.add("system", "A version keeps its system.")
        elif found:
            document.system = found[0]
    if "training_datasets" in data:
        links["datasets"] = numbered(
            DataSet.objects.for_org(request.org),
            data["training_datasets"],
            field="training_datasets",
            errors=errors,
            what="data set",
        )
    links.update(requirement_links(data, errors))
    if document.pk is not None and "kind" in data and data["kind"] != document.kind:
        errors.add("kind", "A version keeps its kind.")
    apply(
        document,
        data,
        skip={"system", "training_datasets", "clauses", "controls", "kind"}
        if document.pk
        else {"system", "training_datasets", "clauses", "controls"},
    )
    if document.audience is None:
        document.audience = ""
    errors.raise_if_any()
    clean(document, exclude=("system", "organization"), errors=errors)
    errors.raise_if_any()
    services.save_draft(document, actor=request.user, **links)
    return get_document(request, document.pk)


@router.post(
    "/techdocs",
    auth=CONTRIBUTE,
    response=responses(201, TechDocumentOut, 403, 409, *BODY_ERRORS),
    summary="Start technical documentation",
    description="A draft, version 1 (or the next one) of the system's documentation of this "
    "kind; 409 when a draft or a version in review of it exists already.",
)
def create_techdoc(request, payload: TechDocumentIn):
    document = TechnicalDocument(organization=request.org)
    return HttpStatus(201, _save(request, document, payload.model_dump()))


@router.get(
    "/techdocs/{doc_id}",
    auth=READ,
    response=responses(200, TechDocumentOut, 404),
    summary="Read technical documentation",
)
def read_techdoc(request, doc_id: int):
    return get_document(request, doc_id)


@router.patch(
    "/techdocs/{doc_id}",
    auth=CONTRIBUTE,
    response=responses(200, TechDocumentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a draft",
    description="Only a draft changes (409 otherwise): start a new version from an approved one.",
)
def update_techdoc(request, doc_id: int, payload: PatchDict[TechDocumentIn]):
    return _save(request, get_document(request, doc_id), payload)


@router.delete(
    "/techdocs/{doc_id}",
    auth=CONTRIBUTE,
    response=responses(204, None, 403, 404, 409),
    summary="Delete a draft",
    description="Only a draft is deleted (409 otherwise).",
)
def delete_techdoc_draft(request, doc_id: int):
    services.delete_draft(get_document(request, doc_id), actor=request.user)
    return HttpStatus(204, None)


@router.post(
    "/techdocs/{doc_id}/submit",
    auth=CONTRIBUTE,
    response=responses(200, TechDocumentOut, 403, 404, 409, 422),
    summary="Submit a draft for review",
    description="422 names what is still missing (the general description; for information "
    "for users, the audience, the text or address and the channel).",
)
def submit_techdoc(request, doc_id: int):
    services.submit_for_review(get_document(request, doc_id), actor=request.user)
    return get_document(request, doc_id)


@router.post(
    "/techdocs/{doc_id}/approve",
    auth=DECIDE,
    response=responses(200, TechDocumentOut, 403, 404, 409),
    summary="Approve a version in review",
    description="Needs decision authority and someone other than its author (403). The latest "
    "check results are fixed into it; the version approved before is superseded.",
)
def approve_techdoc(request, doc_id: int):
    services.approve(get_document(request, doc_id), actor=request.user)
    return get_document(request, doc_id)


class TechDocReasonIn(InputSchema):
    reason: bounded_text(500) = ""


@router.post(
    "/techdocs/{doc_id}/send-back",
    auth=DECIDE,
    response=responses(200, TechDocumentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Send a version in review back to draft",
)
def send_back_techdoc(request, doc_id: int, payload: TechDocReasonIn | None = None):
    services.send_back(
        get_document(request, doc_id), actor=request.user, reason=payload.reason if payload else ""
    )
    return get_document(request, doc_id)


class NewVersionIn(InputSchema):
    change_note: _text("change_note") = ""


@router.post(
    "/techdocs/{doc_id}/new-version",
    auth=CONTRIBUTE,
    response=responses(201, TechDocumentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Start a new version",
    description="A draft copied from an approved or superseded version, for the system's "
    "present version; 409 from a draft or while another is open.",
)
def new_techdoc_version(request, doc_id: int, payload: NewVersionIn | None = None):
    draft = services.new_version(
        get_document(request, doc_id),
        actor=request.user,
        change_note=payload.change_note if payload else "",
    )
    return HttpStatus(201, get_document(request, draft.pk))
