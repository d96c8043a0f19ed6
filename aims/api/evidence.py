"""Evidence: files (kept in revisions) or links, and the records they support."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, PatchDict, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from aims.evidence import services
from aims.evidence.models import Evidence, Revision

from . import lookups
from .auth import CONTRIBUTE, READ
from .errors import BODY_ERRORS, responses
from .pagination import Page
from .schemas import EvidenceCreateForm, EvidenceIn, EvidenceKind, EvidenceOut, Name

router = Router(tags=["Evidence"])

LINKS = ("soa_entries", "clauses", "risks", "systems")


def evidence_of(org):
    return (
        Evidence.objects.for_org(org)
        .select_related("created_by")
        .prefetch_related(
            "soa_entries__control",
            "clauses",
            "risks",
            "systems",
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


def resolve_links(org, data: dict, errors: lookups.Errors) -> dict:
    """The links named in ``data`` as records of ``org``; links not named are left alone."""
    finders = {
        "soa_entries": lambda refs: lookups.soa_entries(org, refs, errors=errors),
        "clauses": lambda refs: lookups.clauses(refs, errors=errors),
        "risks": lambda refs: lookups.risks(org, refs, errors=errors),
        "systems": lambda refs: lookups.systems(org, refs, errors=errors),
    }
    return {name: finders[name](data[name]) for name in LINKS if name in data}


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
    items = evidence_of(request.org)
    if filters.expired is True:
        items = items.expired()
    elif filters.expired is False:
        items = items.exclude(pk__in=Evidence.objects.for_org(request.org).expired().values("pk"))
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.damaged is True:
        items = items.damaged()
    elif filters.damaged is False:
        items = items.undamaged()
    if filters.q:
        q = filters.q.replace("\x00", "").strip()
        items = items.filter(Q(title__icontains=q) | Q(description__icontains=q))
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
    errors = lookups.Errors()
    payload = data.model_dump()
    links = resolve_links(request.org, payload, errors)
    evidence = Evidence(organization=request.org)
    lookups.apply(evidence, payload, skip=set(LINKS))
    lookups.clean(evidence, exclude=["created_by"], errors=errors)
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
    errors = lookups.Errors()
    links = resolve_links(request.org, payload, errors)
    lookups.apply(evidence, payload, skip=set(LINKS))
    lookups.clean(evidence, exclude=["created_by"], errors=errors)
    services.update_evidence(evidence, actor=request.user, links=links)
    return get_evidence(request, evidence_id)
