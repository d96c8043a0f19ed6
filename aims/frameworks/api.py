"""Frameworks beside ISO/IEC 42001, their requirements, and what evidences them (read only)."""

import datetime as dt

from django.db.models import Count
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus

from aims.api.auth import MANAGE, READ
from aims.api.errors import responses
from aims.api.pagination import Page
from aims.api.schemas import api_choices, text_of

from . import services
from .coverage import Status, coverage
from .models import Framework, Kind, MappingSource, Origin

# A framework is named by its slug in paths: bounded like the column.
FrameworkSlug = text_of(Framework, "slug")

router = Router(tags=["Frameworks and crosswalks"])

FrameworkKind = api_choices("FrameworkKind", Kind)
FrameworkOrigin = api_choices("FrameworkOrigin", Origin)
MappingMadeBy = api_choices("MappingMadeBy", MappingSource)
CoverageStatus = api_choices("CoverageStatus", Status)


class FrameworkOut(Schema):
    slug: str
    name: str
    title: str
    version: str
    publisher: str
    kind: FrameworkKind
    origin: FrameworkOrigin
    description: str
    own: bool = Field(description="Imported by this organization (and seen by it alone).")
    requirements: int
    created_at: dt.datetime

    @staticmethod
    def resolve_own(obj) -> bool:
        return obj.organization_id is not None

    @staticmethod
    def resolve_requirements(obj) -> int:
        return obj.size


class MappingOut(Schema):
    iso42001: str = Field(description='The ISO/IEC 42001 clause or control id: "6.1.2", "A.2.2".')
    cited_as: str = Field(description='The id as the source cites it: "B.2.2".')
    source: MappingMadeBy
    made_by: str
    official: bool = Field(description="Published by the framework's author, not a reading.")
    note: str

    @staticmethod
    def resolve_iso42001(obj) -> str:
        return obj.target_ref

    @staticmethod
    def resolve_cited_as(obj) -> str:
        return obj.cited_ref


class FrameworkRequirementOut(Schema):
    ref: str
    title: str
    kind: str
    parent: str | None
    mappings: list[MappingOut]

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.ref if obj.parent_id else None

    @staticmethod
    def resolve_mappings(obj) -> list:
        return list(obj.mappings.all())


class CoverageEvidenceOut(Schema):
    kind: str
    id: int
    title: str
    url: str
    addresses: list[str]


class CoverageRowOut(Schema):
    ref: str
    title: str
    status: CoverageStatus
    iso42001: list[str]
    evidence: list[CoverageEvidenceOut]


class FrameworkCoverageOut(Schema):
    framework: str
    covered: int
    not_covered: int
    unmapped: int
    requirements: list[CoverageRowOut]


def frameworks_of(org):
    return Framework.objects.visible_to(org).annotate(size=Count("requirements"))


def get_framework(request, framework_slug: str) -> Framework:
    return get_object_or_404(frameworks_of(request.org), slug=framework_slug)


@router.get(
    "/frameworks",
    auth=READ,
    response=responses(200, list[FrameworkOut], 422),
    summary="List frameworks",
    description="The frameworks shipped with OpenAIMS and the organization's own imports.",
)
@paginate(Page)
def list_frameworks(request):
    return frameworks_of(request.org)


@router.get(
    "/frameworks/{framework_slug}",
    auth=READ,
    response=responses(200, FrameworkOut, 404),
    summary="Read a framework",
)
def read_framework(request, framework_slug: FrameworkSlug):
    return get_framework(request, framework_slug)


@router.delete(
    "/frameworks/{framework_slug}",
    auth=MANAGE,
    response=responses(204, None, 403, 404, 409),
    summary="Delete an imported framework",
    description="Only the organization's own imports; a shipped framework is refused (409).",
)
def delete_framework(request, framework_slug: FrameworkSlug):
    framework = get_framework(request, framework_slug)
    services.delete_framework(framework, actor=request.user)
    return HttpStatus(204, None)


@router.get(
    "/frameworks/{framework_slug}/requirements",
    auth=READ,
    response=responses(200, list[FrameworkRequirementOut], 404, 422),
    summary="List a framework's requirements",
    description="In the framework's order, each with its mappings to ISO/IEC 42001 and who "
    "made them.",
)
@paginate(Page)
def list_requirements(request, framework_slug: FrameworkSlug):
    framework = get_framework(request, framework_slug)
    return framework.requirements.select_related("parent").prefetch_related(
        "mappings__clause", "mappings__control"
    )


class CoverageFilter(Schema):
    status: CoverageStatus | None = None


@router.get(
    "/frameworks/{framework_slug}/coverage",
    auth=READ,
    response=responses(200, FrameworkCoverageOut, 404, 422),
    summary="Read what evidences a framework",
    description="Each requirement with the ISO/IEC 42001 ids it maps to and the organization's "
    "current records addressing them; groups without a mapping of their own are left out.",
)
def read_coverage(request, framework_slug: FrameworkSlug, filters: Query[CoverageFilter]):
    framework = get_framework(request, framework_slug)
    found = coverage(framework, request.org)
    rows = [row for row in found.rows if row.status is not None]
    if filters.status is not None:
        rows = [row for row in rows if row.status == filters.status]
    return {
        "framework": framework.slug,
        "covered": found.covered,
        "not_covered": found.not_covered,
        "unmapped": found.unmapped,
        "requirements": [
            {
                "ref": row.requirement.ref,
                "title": row.requirement.title,
                "status": row.status,
                "iso42001": row.targets,
                "evidence": [
                    {
                        "kind": e.kind,
                        "id": e.pk,
                        "title": e.title,
                        "url": e.url,
                        "addresses": list(e.addresses),
                    }
                    for e in row.evidence
                ],
            }
            for row in rows
        ],
    }
