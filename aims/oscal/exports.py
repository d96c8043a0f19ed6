"""Every OSCAL export of an organization, in one place for the page, the API and the CLI.

:func:`build` makes one document (or refuses, with why, when OSCAL would not accept it: a POA&M
without items, a profile that includes no control); :func:`available` lists what the
organization can export now, for the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from aims.audits.models import Audit, AuditStatus
from aims.core.errors import Refused
from aims.readiness.models import Assessment

from . import poam, results, soa
from .catalog import build_catalog
from .common import Linker, relative

# The OSCAL model of each kind of export, as its schema file names it.
SCHEMAS = {
    "catalog": "oscal_catalog_schema.json",
    "profile": "oscal_profile_schema.json",
    "component-definition": "oscal_component_schema.json",
    "assessment-results": "oscal_assessment-results_schema.json",
    "plan-of-action-and-milestones": "oscal_poam_schema.json",
}


@dataclass(frozen=True)
class Export:
    """One document the organization can download (or, with ``refusal``, cannot yet)."""

    kind: str  # catalog, soa-profile, soa-components, readiness, audit, poam
    model: str  # the OSCAL model: a key of SCHEMAS
    title: str
    url: str
    filename: str
    refusal: str | None = None
    note: str = ""


def _catalog(organization, record, link: Linker) -> dict:
    return build_catalog()


def _soa_profile(organization, record, link: Linker) -> dict:
    statement = soa.read_statement(organization)
    if refusal := soa.profile_refusal(statement):
        raise Refused(refusal)
    return soa.build_profile(statement, link=link)


def _soa_components(organization, record, link: Linker) -> dict:
    return soa.build_component_definition(soa.read_statement(organization), link=link)


def _additional_catalog(organization, record, link: Linker) -> dict:
    return soa.build_additional_catalog(soa.read_statement(organization))


def _readiness(organization, record, link: Linker) -> dict:
    return results.build_readiness_results(_own(record, Assessment, organization), link=link)


def _audit(organization, record, link: Linker) -> dict:
    return results.build_audit_results(_own(record, Audit, organization), link=link)


def _poam(organization, record, link: Linker) -> dict:
    found = poam.open_nonconformities(organization)
    if refusal := poam.poam_refusal(found):
        raise Refused(refusal)
    return poam.build_poam(organization, found, link=link)


# Each kind of export: fn(organization, record, link) -> document.
BUILDERS: dict[str, Callable[[Any, Any, Linker], dict]] = {
    "catalog": _catalog,
    "soa-profile": _soa_profile,
    "soa-components": _soa_components,
    "additional-controls": _additional_catalog,
    "readiness": _readiness,
    "audit": _audit,
    "poam": _poam,
}


def build(kind: str, organization, record=None, *, link: Linker = relative) -> dict:
    """The OSCAL document ``kind`` (one of :data:`BUILDERS`) of ``organization``; ``record`` is
    the readiness assessment or the audit, of the organization. Raises :class:`Refused` when
    OSCAL would not accept the document (nothing to put in it)."""
    return BUILDERS[kind](organization, record, link)


def _own(record, model, organization):
    """``record``, a ``model`` of ``organization``: callers look it up in the organization; a
    record of another one here is a bug, never exported."""
    if not isinstance(record, model) or record.organization_id != organization.pk:
        raise ValueError(f"not a {model._meta.verbose_name} of {organization.slug}")
    record.organization = organization
    return record


def filename(organization, kind: str, record=None) -> str:
    """``acme-oscal-poam.json``, ``acme-oscal-audit-aud-001.json``, ..."""
    name = kind
    if kind == "readiness" and record is not None:
        name = f"readiness-{record.pk}"
    elif kind == "audit" and record is not None:
        name = f"audit-{(record.ref or str(record.pk)).lower()}"
    return f"{organization.slug}-oscal-{name}.json"


def counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def available(organization) -> dict:
    """What the organization can export now, for the page: the catalog and the SoA documents,
    the POA&M, and one document per readiness assessment and per audit (cancelled and planned
    audits have no results)."""
    slug = organization.slug
    statement = soa.read_statement(organization)
    open_ncs = poam.open_nonconformities(organization)
    documents = [
        Export(
            "catalog",
            "catalog",
            "ISO/IEC 42001 catalog (ids and titles)",
            reverse("oscal_catalog", kwargs={"org": slug}),
            filename(organization, "catalog"),
            note="Clauses 4 to 10 and the Annex A controls, without the standard's text.",
        ),
        Export(
            "soa-profile",
            "profile",
            "Statement of Applicability as a profile",
            reverse("oscal_soa_profile", kwargs={"org": slug}),
            filename(organization, "soa-profile"),
            refusal=soa.profile_refusal(statement),
            note=f"{len(statement.applicable)} applicable, {len(statement.excluded)} excluded "
            f"with their justifications, {len(statement.undecided)} not decided.",
        ),
        Export(
            "additional-controls",
            "catalog",
            "Additional controls as a catalog (ids and titles)",
            reverse("oscal_additional_catalog", kwargs={"org": slug}),
            filename(organization, "additional-controls"),
            note=f"{counted(len(statement.additional), 'control', 'controls')} from other "
            "sources than Annex A, which the profile imports beside the ISO/IEC 42001 catalog.",
        ),
        Export(
            "soa-components",
            "component-definition",
            "Control implementation as a component definition",
            reverse("oscal_soa_components", kwargs={"org": slug}),
            filename(organization, "soa-components"),
            note=f"The AIMS and {counted(len(statement.systems), 'AI system', 'AI systems')}, "
            f"with status and {counted(len(statement.evidence), 'piece', 'pieces')} of evidence "
            "linked.",
        ),
        Export(
            "poam",
            "plan-of-action-and-milestones",
            "Open nonconformities as a plan of action and milestones",
            reverse("oscal_poam", kwargs={"org": slug}),
            filename(organization, "poam"),
            refusal=poam.poam_refusal(open_ncs),
            note=f"{len(open_ncs)} open, with their corrective actions and due dates.",
        ),
    ]
    assessments = [
        Export(
            "readiness",
            "assessment-results",
            assessment.title,
            reverse(
                "oscal_readiness_results",
                kwargs={"org": slug, "readiness_assessment_id": assessment.pk},
            ),
            filename(organization, "readiness", assessment),
            note=f"{assessment.get_status_display()}, assessed on {assessment.assessed_on:%Y-%m-%d}",
        )
        for assessment in Assessment.objects.for_org(organization).order_by("-assessed_on", "-pk")
    ]
    audits = [
        Export(
            "audit",
            "assessment-results",
            str(audit),
            reverse("oscal_audit_results", kwargs={"org": slug, "audit_id": audit.pk}),
            filename(organization, "audit", audit),
            note=audit.get_status_display(),
        )
        for audit in Audit.objects.for_org(organization)
        .filter(status__in=(AuditStatus.IN_PROGRESS, AuditStatus.COMPLETED))
        .order_by("-planned_start", "-pk")
    ]
    return {"documents": documents, "assessments": assessments, "audits": audits}
