"""Certification evidence packages: ask for one (built by the worker) and follow it.

The ZIP itself is downloaded from the package page; the API says where a build stands and the
manifest digest and key fingerprint a downloaded package must show.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus

from aims.api.auth import MANAGE, READ
from aims.api.errors import responses
from aims.api.pagination import Page
from aims.api.schemas import api_choices, username_of

from . import services
from .models import Package, Status

router = Router(tags=["Certification evidence package"])

PackageStatus = api_choices("PackageStatus", Status)


class PackageOut(Schema):
    id: int
    status: PackageStatus
    done: int
    total: int
    step: str
    file_name: str
    size: int | None
    files: int | None
    manifest_sha256: str
    key_fingerprint: str
    notes: str
    error: str
    created_by: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return username_of(obj.created_by)


@router.get(
    "/packages",
    auth=READ,
    response=responses(200, list[PackageOut], 422),
    summary="List evidence packages",
    description="The organization's packages, newest first.",
)
@paginate(Page)
def list_packages(request):
    return Package.objects.for_org(request.org).select_related("created_by")


@router.post(
    "/packages",
    auth=MANAGE,
    response=responses(202, PackageOut, 409),
    summary="Build an evidence package",
    description="Queue a new package for the background worker; 409 while one is being built.",
)
def build_package(request):
    try:
        package = services.request_build(request.org, actor=request.user)
    except ValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from error
    return HttpStatus(202, package)


@router.get(
    "/packages/{package_id}",
    auth=READ,
    response=responses(200, PackageOut, 404),
    summary="Get an evidence package",
    description="Where its build stands; once ready, its manifest digest and key fingerprint.",
)
def get_package(request, package_id: int):
    return get_object_or_404(
        Package.objects.for_org(request.org).select_related("created_by"), pk=package_id
    )
