"""OSCAL 1.2.1 JSON documents of the organization (read access: Viewers and Auditors too)."""

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router

from aims.api.auth import READ
from aims.api.errors import responses
from aims.audits.models import Audit
from aims.readiness.models import Assessment

from . import exports

router = Router(tags=["OSCAL"])

Document = dict[str, Any]


def _build(request, kind: str, record=None) -> Document:
    return exports.build(kind, request.org, record, link=request.build_absolute_uri)


@router.get(
    "/oscal/catalog",
    auth=READ,
    response=responses(200, Document),
    summary="The ISO/IEC 42001 catalog as OSCAL",
    description="An OSCAL catalog: ids and titles of clauses 4 to 10 and of the Annex A "
    "objectives and controls, without the standard's text.",
)
def oscal_catalog(request):
    return _build(request, "catalog")


@router.get(
    "/oscal/soa/profile",
    auth=READ,
    response=responses(200, Document, 409),
    summary="The Statement of Applicability as an OSCAL profile",
    description="Imports the catalog, includes the applicable controls and excludes the others, "
    "each with its justification. 409 while no control is decided applicable.",
)
def oscal_soa_profile(request):
    return _build(request, "soa-profile")


@router.get(
    "/oscal/soa/component-definition",
    auth=READ,
    response=responses(200, Document),
    summary="The control implementation as an OSCAL component definition",
    description="The AIMS and each AI system as components, with the applicable controls they "
    "implement, their status and the evidence linked.",
)
def oscal_soa_components(request):
    return _build(request, "soa-components")


@router.get(
    "/oscal/soa/additional-controls",
    auth=READ,
    response=responses(200, Document),
    summary="The additional controls of the SoA as an OSCAL catalog",
    description="Ids and titles of the controls taken from other sources than Annex A "
    "(6.1.3 c), grouped by source: the profile imports it beside the ISO/IEC 42001 catalog.",
)
def oscal_additional_catalog(request):
    return _build(request, "additional-controls")


@router.get(
    "/oscal/poam",
    auth=READ,
    response=responses(200, Document, 409),
    summary="The open nonconformities as an OSCAL plan of action and milestones",
    description="One item per nonconformity not closed, its corrective actions as tasks with "
    "their due dates. 409 when none is open: OSCAL requires one item at least.",
)
def oscal_poam(request):
    return _build(request, "poam")


@router.get(
    "/oscal/readiness/{readiness_assessment_id}/assessment-results",
    auth=READ,
    response=responses(200, Document, 404),
    summary="A readiness assessment as OSCAL assessment results",
)
def oscal_readiness_results(request, readiness_assessment_id: int):
    assessment = get_object_or_404(
        Assessment.objects.for_org(request.org), pk=readiness_assessment_id
    )
    return _build(request, "readiness", assessment)


@router.get(
    "/oscal/audits/{audit_id}/assessment-results",
    auth=READ,
    response=responses(200, Document, 404),
    summary="An internal audit as OSCAL assessment results",
)
def oscal_audit_results(request, audit_id: int):
    audit = get_object_or_404(Audit.objects.for_org(request.org), pk=audit_id)
    return _build(request, "audit", audit)
