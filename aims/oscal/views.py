"""The OSCAL page: the documents the organization can export, and their downloads.

Every download is read access: a Viewer or an Auditor may take the organization's documents to
a GRC tool, as they may read the records they come from.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from aims.audits.models import Audit
from aims.core.errors import Refused
from aims.organizations.access import org_view
from aims.readiness.models import Assessment

from . import exports


def download(request, kind: str, record=None) -> HttpResponse:
    """The document as a JSON download; when OSCAL would not accept it (nothing to put in it),
    back to the OSCAL page, which says why."""
    try:
        found = exports.build(kind, request.org, record, link=request.build_absolute_uri)
    except Refused as refused:
        messages.info(request, " ".join(refused.messages))
        return redirect("oscal_exports", org=request.org.slug)
    response = HttpResponse(
        json.dumps(found, indent=2, ensure_ascii=False), content_type="application/json"
    )
    name = exports.filename(request.org, kind, record)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view()
def oscal_exports(request):
    return render(request, "oscal/exports.html", exports.available(request.org))


@org_view()
def oscal_catalog(request):
    return download(request, "catalog")


@org_view()
def oscal_soa_profile(request):
    return download(request, "soa-profile")


@org_view()
def oscal_soa_components(request):
    return download(request, "soa-components")


@org_view()
def oscal_additional_catalog(request):
    return download(request, "additional-controls")


@org_view()
def oscal_poam(request):
    return download(request, "poam")


@org_view()
def oscal_readiness_results(request, readiness_assessment_id: int):
    assessment = get_object_or_404(
        Assessment.objects.for_org(request.org), pk=readiness_assessment_id
    )
    return download(request, "readiness", assessment)


@org_view()
def oscal_audit_results(request, audit_id: int):
    audit = get_object_or_404(Audit.objects.for_org(request.org), pk=audit_id)
    return download(request, "audit", audit)
