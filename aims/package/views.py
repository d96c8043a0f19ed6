"""The certification evidence package page: build (managers and owners), follow the build,
download (auditors too), and the public key that checks the signature.

Access: every member sees the page, the builds and the public key (READ); downloading a package
needs AUDIT (owner, AIMS manager, auditor), as the package gathers every evidence file and report
for the certification audit; building one needs MANAGE (owner, AIMS manager).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from aims.organizations.access import org_view
from aims.organizations.models import Access

from . import services, signing
from .builder import package_path
from .models import Package, SigningKey, Status

SHOWN = 20


def _package(request, package_id: int) -> Package:
    return get_object_or_404(Package.objects.for_org(request.org), pk=package_id)


def _context(request) -> dict:
    services.fail_stalled(request.org)
    packages = list(Package.objects.for_org(request.org).select_related("created_by")[:SHOWN])
    return {
        "packages": packages,
        "waiting": next((p for p in packages if p.waiting), None),
        "key": SigningKey.objects.filter(organization=request.org).first(),
        "can_build": request.membership.can(Access.MANAGE),
        "can_download": request.membership.can(Access.AUDIT),
    }


@org_view()
@require_GET
def package_list(request):
    return render(request, "package/package_list.html", _context(request))


@org_view(Access.MANAGE)
@require_POST
def package_build(request):
    try:
        package = services.request_build(request.org, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("package_list", org=request.org.slug)
    messages.success(request, "The package is being built by the background worker.")
    return redirect(package.get_absolute_url())


@org_view()
@require_GET
def package_progress(request, package_id: int):
    """Where a build stands; htmx polls it while it waits, and gets the whole row when done."""
    services.fail_stalled(request.org)
    package = _package(request, package_id)
    context = {"package": package, "can_download": request.membership.can(Access.AUDIT)}
    return render(request, "package/_package_row.html", context)


@org_view(Access.AUDIT)
@require_GET
def package_download(request, package_id: int):
    package = _package(request, package_id)
    if package.status != Status.READY:
        raise Http404("This package has no file to download.")
    try:
        handle = package_path(package).open("rb")
    except OSError as error:
        raise Http404("The package file is no longer on the server.") from error
    return FileResponse(
        handle, as_attachment=True, filename=package.file_name, content_type="application/zip"
    )


@org_view()
@require_GET
def package_public_key(request):
    """The organization's public key as a PEM file, for ``aims package verify --public-key``."""
    key = SigningKey.objects.filter(organization=request.org).first()
    if key is None:
        raise Http404("No package has been signed yet.")
    response = HttpResponse(signing.public_key_pem(key), content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="package-key-{request.org.slug}.pem"'
    return response
