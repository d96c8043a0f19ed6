"""Evidence: files (kept in revisions) or links, and the records they support."""

import datetime as dt

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, PatchDict, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, many
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.core.areas import record_links

from . import services
from .models import Evidence, Revision
from .models import Integrity as _Integrity
from .models import Kind as _Kind

EvidenceKind = api_choices("EvidenceKind", _Kind)
EvidenceIntegrity = api_choices("EvidenceIntegrity", _Integrity)


class EvidenceLinks(InputSchema):
    soa_entries: list[Name] = Field(
        [], description="Ids of SoA controls: Annex A (A.6.2.4) or additional ones."
    )
    clauses: list[Name] = Field([], description="Clause numbers, e.g. 6.1.2.")
    risks: list[Name] = Field([], description="Risk refs, e.g. R-001.")
    systems: list[Name] = Field([], description="AI system slugs.")


class EvidenceCreateForm(EvidenceLinks):
    title: text_of(Evidence, "title")
    description: text_of(Evidence, "description") = ""
    kind: EvidenceKind = Field(
        EvidenceKind.FILE, description="`file`: upload files; `link`: give a url."
    )
    url: text_of(Evidence, "url") = Field(
        "", description="The address of the evidence, for kind=link."
    )
    effective_from: dt.date = Field(description="The date the evidence speaks for.")
    valid_until: dt.date | None = Field(None, description="Empty if it does not expire.")


class EvidenceIn(EvidenceLinks):
    """Metadata and links; files change by new revisions, not here."""

    title: text_of(Evidence, "title")
    description: text_of(Evidence, "description") = ""
    url: text_of(Evidence, "url") = ""
    effective_from: dt.date
    valid_until: dt.date | None = None


class FileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    integrity: EvidenceIntegrity = Field(
        description="What the last re-hash of the stored file found: `altered` or `missing` "
        "means it no longer matches its SHA-256 and cannot be relied on."
    )
    checked_at: dt.datetime | None = Field(
        description="When the stored file was last re-hashed; null if never."
    )

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name

    @staticmethod
    def resolve_size(obj) -> int:
        return obj.blob.size

    @staticmethod
    def resolve_sha256(obj) -> str:
        return obj.blob_id

    @staticmethod
    def resolve_integrity(obj) -> str:
        return obj.blob.integrity

    @staticmethod
    def resolve_checked_at(obj) -> dt.datetime | None:
        return obj.blob.checked_at


class RevisionOut(Schema):
    number: int
    note: str
    effective_from: dt.date
    created_by: str | None
    created_at: dt.datetime
    files: list[FileOut]

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return username_of(obj.created_by)

    @staticmethod
    def resolve_files(obj):
        return list(obj.files.all())


class EvidenceOut(Schema):
    id: int
    title: str
    description: str
    kind: EvidenceKind
    url: str
    effective_from: dt.date
    valid_until: dt.date | None
    is_expired: bool
    integrity: EvidenceIntegrity = Field(
        description="The worst state the last re-hash found among the stored files of all "
        "revisions: `altered` or `missing` flags evidence that cannot be relied on; "
        "`unchecked` until first re-hashed; a link stores no file and is `intact`."
    )
    soa_entries: list[str]
    clauses: list[str]
    risks: list[str]
    systems: list[str]
    created_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    revisions: list[RevisionOut] = Field(description="Newest first, each with its files.")

    @staticmethod
    def resolve_is_expired(obj) -> bool:
        return obj.is_expired()

    @staticmethod
    def resolve_integrity(obj) -> str:
        return obj.integrity()

    @staticmethod
    def resolve_soa_entries(obj) -> list[str]:
        return [e.ref for e in obj.soa_entries.all()]

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return [r.ref for r in obj.risks.all()]

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return [s.slug for s in obj.systems.all()]

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return username_of(obj.created_by)

    @staticmethod
    def resolve_revisions(obj):
        return list(obj.revisions.all())


router = Router(tags=["Evidence"])


def evidence_of(org):
    return (
        Evidence.objects.for_org(org)
        .select_related("created_by")
        .prefetch_related(
            *(Prefetch(link.name, queryset=link.queryset()) for link in record_links()),
            Prefetch(
                "revisions",
                queryset=Revision.objects.select_related("created_by").prefetch_related(
                    "files__blob"
                ),
            ),
        )
    )


def get_evidence(request, evidence_id: int) -> Evidence:
    return get_object_or_404(evidence_of(request.org), pk=evidence_id)


def resolve_links(org, data: dict, errors: Errors) -> dict:
    """The links named in ``data`` as records of ``org``, each kind named as its area says
    (AI systems by slug, risks by ref, ...); links not named are left alone."""
    return {
        link.name: many(
            link.choices(org),
            link.key,
            data[link.name],
            field=link.name,
            errors=errors,
            what=link.what,
        )
        for link in record_links()
        if link.name in data
    }


class EvidenceFilters(Schema):
    expired: bool | None = Field(
        None, description="true: only expired evidence; false: only evidence not expired."
    )
    kind: EvidenceKind | None = Field(None, description="Only evidence of this kind.")
    damaged: bool | None = Field(
        None,
        description="true: only evidence with a stored file (of any revision) found altered or "
        "missing by the last re-hash; false: only evidence without one.",
    )
    q: Name | None = Field(None, description="Search in title and description.")


@router.get(
    "/evidence",
    auth=READ,
    response=responses(200, list[EvidenceOut], 422),
    summary="List evidence",
    description="Newest effective date first, with links, revisions and the integrity of "
    "their stored files.",
)
@paginate(Page)
def list_evidence(request, filters: Query[EvidenceFilters]):
    items = evidence_of(request.org).filtered(
        q=filters.q or "",
        kind=filters.kind or "",
        damaged=filters.damaged,
        expired=filters.expired,
    )
    return items


@router.get(
    "/evidence/{evidence_id}",
    auth=READ,
    response=responses(200, EvidenceOut, 404, 422),
    summary="Read evidence",
    description="Metadata, links, and every revision with its files (name, size, SHA-256, "
    "and what the last re-hash found).",
)
def read_evidence(request, evidence_id: int):
    return get_evidence(request, evidence_id)


@router.post(
    "/evidence",
    auth=CONTRIBUTE,
    response=responses(201, EvidenceOut, 403, *BODY_ERRORS),
    summary="Record evidence",
    description="A multipart form. For `kind=file` send one or more `files`; for `kind=link` "
    "send a `url` and no files. Repeat a link field to link several records, e.g. "
    "`soa_entries=A.6.2.4&soa_entries=A.7.2`. Files are checked (size, and that the content "
    "matches the name) before anything is saved.",
)
def create_evidence(
    request,
    data: Form[EvidenceCreateForm],
    files: File[list[UploadedFile]] = None,
):
    errors = Errors()
    payload = data.model_dump()
    links = resolve_links(request.org, payload, errors)
    evidence = Evidence(organization=request.org)
    apply(evidence, payload, skip={link.name for link in record_links()})
    clean(evidence, exclude=["created_by"], errors=errors)
    services.create_evidence(evidence, actor=request.user, files=files or [], links=links)
    return Status(201, get_evidence(request, evidence.pk))


@router.patch(
    "/evidence/{evidence_id}",
    auth=CONTRIBUTE,
    response=responses(200, EvidenceOut, 403, 404, *BODY_ERRORS),
    summary="Change evidence",
    description="Changes metadata and links; only the fields sent. A link list sent replaces "
    "the links of that kind. New files are a new revision, added in the web app.",
)
def update_evidence(request, evidence_id: int, payload: PatchDict[EvidenceIn]):
    evidence = get_evidence(request, evidence_id)
    errors = Errors()
    links = resolve_links(request.org, payload, errors)
    apply(evidence, payload, skip={link.name for link in record_links()})
    clean(evidence, exclude=["created_by"], errors=errors)
    services.update_evidence(evidence, actor=request.user, links=links)
    return get_evidence(request, evidence_id)
