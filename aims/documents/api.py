"""Documented information and the AI policy: documents, versions, approvals, acknowledgements."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool

from aims.api.auth import CONTRIBUTE, DECIDE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, bounded_text, text_of, username_of
from aims.catalog.links import resolve_requirements
from aims.core.errors import Refused
from aims.organizations.models import Role

from . import services
from .models import (
    NOTE_MAX_LENGTH,
    Classification,
    Document,
    DocumentReview,
    DocumentVersion,
    Kind,
    State,
)
from .models import (
    Status as DocumentStatus,
)
from .rendering import render_markdown
from .starters import STARTERS

DocumentKind = api_choices("DocumentKind", Kind)
DocumentClassification = api_choices("DocumentClassification", Classification)
VersionState = api_choices("DocumentVersionState", State)
DocumentStatusChoice = api_choices("DocumentStatus", DocumentStatus)
AudienceRole = api_choices("DocumentAudienceRole", Role)

router = Router(tags=["Documents"])


class DocumentIn(InputSchema):
    title: text_of(Document, "title")
    kind: DocumentKind = DocumentKind.PROCEDURE
    summary: text_of(Document, "summary") = ""
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    classification: DocumentClassification = DocumentClassification.INTERNAL
    is_ai_policy: StrictBool = Field(
        False, description="The organization's AI policy (kind policy; one per organization)."
    )
    audience_roles: list[AudienceRole] = Field(
        [], description="Roles asked to read and acknowledge it; empty: everyone."
    )
    review_months: Annotated[int, Field(strict=True, ge=1, le=60)] = 12
    next_review: dt.date | None = Field(None, description="Today or later.")
    clauses: list[Name] = Field([], description="Clause ids, e.g. 5.2.")
    controls: list[Name] = Field([], description="Annex A control ids, e.g. A.2.2.")


class NewDocumentIn(DocumentIn):
    content: text_of(DocumentVersion, "content") = Field("", description="Markdown.")
    change_note: text_of(DocumentVersion, "change_note") = ""


class DraftIn(InputSchema):
    content: text_of(DocumentVersion, "content") = Field(description="Markdown.")
    change_note: text_of(DocumentVersion, "change_note") = ""


class NoteIn(InputSchema):
    note: bounded_text(NOTE_MAX_LENGTH) = ""


class ReasonIn(InputSchema):
    reason: bounded_text(NOTE_MAX_LENGTH)


class DocumentReviewIn(InputSchema):
    note: bounded_text(NOTE_MAX_LENGTH)
    next_review: dt.date | None = Field(None, description="Default: one review cycle on.")


class FromTemplateIn(InputSchema):
    template: Name = Field(description="The key of a template (GET /document-templates).")
    title: text_of(Document, "title") = ""


class DocumentOut(Schema):
    id: int
    title: str
    kind: DocumentKind
    summary: str
    owner: str | None
    classification: DocumentClassification
    is_ai_policy: bool
    audience_roles: list[str]
    review_months: int
    next_review: dt.date | None
    review_overdue: bool
    status: DocumentStatusChoice
    approved_version: int | None = Field(description="Number of the version in force.")
    latest_version: int | None
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_audience_roles(obj) -> list[str]:
        return obj.audience

    @staticmethod
    def resolve_review_overdue(obj) -> bool:
        return obj.is_review_overdue()

    @staticmethod
    def resolve_approved_version(obj) -> int | None:
        return obj.approved_version.number if obj.approved_version else None

    @staticmethod
    def resolve_latest_version(obj) -> int | None:
        return obj.latest_version.number if obj.latest_version else None

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]


class VersionOut(Schema):
    number: int
    state: VersionState
    content: str = Field(description="The Markdown source, as written.")
    html: str = Field(description="The rendered text, sanitized (raw HTML is not rendered).")
    change_note: str
    author: str | None
    file_name: str
    file_size: int | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    approved_by: str | None
    approver_authority: str
    refusal_reason: str

    @staticmethod
    def resolve_html(obj) -> str:
        return str(render_markdown(obj.content).html)

    @staticmethod
    def resolve_author(obj) -> str | None:
        return username_of(obj.author)

    @staticmethod
    def resolve_approved_by(obj) -> str | None:
        return username_of(obj.approved_by)


class AcknowledgementOut(Schema):
    document: int
    version: int
    user: str
    acknowledged_at: dt.datetime

    @staticmethod
    def resolve_document(obj) -> int:
        return obj.version.document_id

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.version.number

    @staticmethod
    def resolve_user(obj) -> str:
        return obj.user.get_username()


class DocumentReviewOut(Schema):
    reviewed_on: dt.date
    reviewed_by: str | None
    note: str
    next_review: dt.date

    @staticmethod
    def resolve_reviewed_by(obj) -> str | None:
        return username_of(obj.reviewed_by)


class TemplateOut(Schema):
    key: str
    title: str
    kind: DocumentKind
    description: str
    is_ai_policy: bool
    clauses: list[str]
    controls: list[str]


class DocumentFilters(Schema):
    q: Name | None = Field(None, description="Search in title and summary.")
    kind: DocumentKind | None = None
    status: DocumentStatusChoice | None = None
    classification: DocumentClassification | None = None
    owner: Name | None = Field(None, description="Username of the document's owner.")
    overdue: bool | None = Field(None, description="true: only documents whose review is overdue.")


def documents_of(org):
    return (
        Document.objects.for_org(org)
        .select_related("owner", "approved_version", "latest_version", "organization")
        .prefetch_related("clauses", "controls")
    )


def get_document(request, document_id: int) -> Document:
    return get_object_or_404(documents_of(request.org), pk=document_id)


def get_version(request, document_id: int, version_number: int) -> DocumentVersion:
    document = get_document(request, document_id)
    version = get_object_or_404(
        document.versions.select_related("author", "approved_by", "organization"),
        number=version_number,
    )
    version.document = document
    return version


@router.get(
    "/documents",
    auth=READ,
    response=responses(200, list[DocumentOut], 422),
    summary="List documents",
    description="The organization's documents, by title, filtered as the documents page filters.",
)
@paginate(Page)
def list_documents(request, filters: Query[DocumentFilters]):
    errors = Errors()
    owner = member(request.org, filters.owner, field="owner", errors=errors)
    errors.raise_if_any()
    chosen = filters.model_dump()
    chosen["owner"] = owner
    return documents_of(request.org).filtered(**chosen)


def _save(request, document: Document, data: dict, *, create: bool) -> Document:
    errors = Errors()
    if "owner" in data:
        document.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if "audience_roles" in data:
        document.audience_roles = ",".join(str(r) for r in data["audience_roles"] or [])
    m2m = {}
    if "clauses" in data or "controls" in data:
        try:
            clauses, controls = resolve_requirements(data.get("clauses"), data.get("controls"))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(field, message)
        else:
            if "clauses" in data:
                m2m["clauses"] = clauses
            if "controls" in data:
                m2m["controls"] = controls
    skip = {"owner", "audience_roles", "clauses", "controls", "content", "change_note"}
    apply(document, data, skip=skip)
    clean(document, exclude=["audience_roles"], errors=errors)
    if create:
        services.create_document(
            document,
            actor=request.user,
            content=data.get("content", ""),
            change_note=data.get("change_note", ""),
            **m2m,
        )
    else:
        services.update_document(document, actor=request.user, **m2m)
    return get_document(request, document.pk)


@router.post(
    "/documents/from-template",
    auth=CONTRIBUTE,
    response=responses(201, DocumentOut, 403, *BODY_ERRORS),
    summary="Start a document from a template",
    description="A new draft from one of the starter templates, its placeholders ({{ "
    "organization }}, {{ scope }}, {{ roles }}, ...) filled in with the organization's values.",
)
def create_document_from_template(request, payload: FromTemplateIn):
    document = services.create_from_starter(
        request.org, payload.template, actor=request.user, title=payload.title
    )
    return Status(201, get_document(request, document.pk))


@router.post(
    "/documents",
    auth=CONTRIBUTE,
    response=responses(201, DocumentOut, 403, 409, *BODY_ERRORS),
    summary="Create a document",
    description="A new document with its first version, a draft holding `content` (Markdown).",
)
def create_document(request, payload: NewDocumentIn):
    document = Document(organization=request.org, owner=request.user)
    return Status(201, _save(request, document, payload.model_dump(), create=True))


@router.get(
    "/documents/{document_id}",
    auth=READ,
    response=responses(200, DocumentOut, 404),
    summary="Read a document",
)
def read_document(request, document_id: int):
    return get_document(request, document_id)


@router.patch(
    "/documents/{document_id}",
    auth=CONTRIBUTE,
    response=responses(200, DocumentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a document's details",
    description="Changes only the fields sent (not the text: see the versions). A next review "
    "date in the past is refused.",
)
def update_document(request, document_id: int, payload: PatchDict[DocumentIn]):
    document = get_document(request, document_id)
    return _save(request, document, payload, create=False)


@router.get(
    "/documents/{document_id}/versions",
    auth=READ,
    response=responses(200, list[VersionOut], 404, 422),
    summary="List a document's versions",
    description="Newest first.",
)
@paginate(Page)
def list_document_versions(request, document_id: int):
    document = get_document(request, document_id)
    return document.versions.select_related("author", "approved_by").order_by("-number")


@router.post(
    "/documents/{document_id}/versions",
    auth=CONTRIBUTE,
    response=responses(201, VersionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Write the draft",
    description="Saves the text into the document's draft, or starts the next draft when the "
    "latest version is approved. 409 while a version is in review or once retired.",
)
def write_document_draft(request, document_id: int, payload: DraftIn):
    document = get_document(request, document_id)
    version = services.save_draft(
        document, actor=request.user, content=payload.content, change_note=payload.change_note
    )
    return Status(201, version)


@router.get(
    "/documents/{document_id}/versions/{version_number}",
    auth=READ,
    response=responses(200, VersionOut, 404),
    summary="Read a version",
)
def read_document_version(request, document_id: int, version_number: int):
    return get_version(request, document_id, version_number)


@router.patch(
    "/documents/{document_id}/versions/{version_number}",
    auth=CONTRIBUTE,
    response=responses(200, VersionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a draft",
    description="Only the draft changes: an approved, superseded or retired version never "
    "does, and one in review waits for its reviewer (409).",
)
def update_document_draft(
    request, document_id: int, version_number: int, payload: PatchDict[DraftIn]
):
    version = get_version(request, document_id, version_number)
    if version.state != State.DRAFT:
        raise Refused(
            f"Version {version.number} is {version.get_state_display().lower()}: only a draft "
            "changes."
        )
    saved = services.save_draft(
        version.document,
        actor=request.user,
        content=payload.get("content", version.content),
        change_note=payload.get("change_note", version.change_note),
    )
    return get_version(request, document_id, saved.number)


@router.post(
    "/documents/{document_id}/versions/{version_number}/submit",
    auth=CONTRIBUTE,
    response=responses(200, VersionOut, 403, 404, 409, 422),
    summary="Submit a draft for review",
)
def submit_document_version(request, document_id: int, version_number: int):
    version = get_version(request, document_id, version_number)
    services.submit_for_review(version, actor=request.user)
    return get_version(request, document_id, version_number)


@router.post(
    "/documents/{document_id}/versions/{version_number}/approve",
    auth=DECIDE,
    response=responses(200, VersionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Approve a version in review",
    description="Needs decision authority and someone other than the version's author; the AI "
    "policy needs top management (403 otherwise). 409 when the version is not in review.",
)
def approve_document_version(
    request, document_id: int, version_number: int, payload: NoteIn | None = None
):
    version = get_version(request, document_id, version_number)
    services.approve_version(version, actor=request.user, note=payload.note if payload else "")
    return get_version(request, document_id, version_number)


@router.post(
    "/documents/{document_id}/versions/{version_number}/refuse",
    auth=DECIDE,
    response=responses(200, VersionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Send a version in review back to draft",
    description="With the reason, for the author.",
)
def refuse_document_version(request, document_id: int, version_number: int, payload: ReasonIn):
    version = get_version(request, document_id, version_number)
    services.refuse_version(version, actor=request.user, reason=payload.reason)
    return get_version(request, document_id, version_number)


@router.post(
    "/documents/{document_id}/acknowledge",
    auth=READ,
    response=responses(200, AcknowledgementOut, 404, 409),
    summary="Acknowledge the version in force",
    description="Records that you read the approved version in force (7.3); any member may. "
    "Acknowledging again keeps the first record. 409 when no version is approved.",
)
def acknowledge_document(request, document_id: int):
    document = get_document(request, document_id)
    if document.approved_version is None:
        raise Refused(f"“{document.title}” has no approved version to acknowledge yet.")
    acknowledgement = services.acknowledge(document.approved_version, actor=request.user)
    return acknowledgement


@router.post(
    "/documents/{document_id}/reviews",
    auth=CONTRIBUTE,
    response=responses(201, DocumentReviewOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record a review of a document",
    description="Sets the next review one cycle on, or to the date given (not in the past).",
)
def review_document(request, document_id: int, payload: DocumentReviewIn):
    document = get_document(request, document_id)
    review: DocumentReview = services.mark_reviewed(
        document, actor=request.user, note=payload.note, next_review=payload.next_review
    )
    return Status(201, review)


@router.post(
    "/documents/{document_id}/retire",
    auth=DECIDE,
    response=responses(200, DocumentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Retire a document",
    description="Withdraws it, with its approved version and any draft; the AI policy needs top "
    "management.",
)
def retire_document(request, document_id: int, payload: ReasonIn):
    document = get_document(request, document_id)
    services.retire_document(document, actor=request.user, reason=payload.reason)
    return get_document(request, document_id)


@router.get(
    "/document-templates",
    auth=READ,
    response=responses(200, list[TemplateOut]),
    summary="List the document templates",
    description="The starter documents a new document can be made from.",
)
def list_document_templates(request):
    return [
        TemplateOut(
            key=s.key,
            title=s.title,
            kind=s.kind,
            description=s.description,
            is_ai_policy=s.is_ai_policy,
            clauses=list(s.clauses),
            controls=list(s.controls),
        )
        for s in STARTERS.values()
    ]
