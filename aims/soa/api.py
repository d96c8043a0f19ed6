"""The Statement of Applicability: one entry per Annex A control, and one per additional control
the organization adds from another source (added, changed and removed on the SoA page)."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of, username_of
from aims.risk.api import risks_named

from . import services
from .models import Applicability, ControlSource, Implementation, SoAEntry


class SoAEntryIn(InputSchema):
    applicability: Applicability
    justification: text_of(SoAEntry, "justification") = ""
    status: Implementation
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    implementation: text_of(SoAEntry, "implementation") = ""
    risks: list[Name] = Field([], description="Refs of the risks the control treats.")


class SoAEntryOut(Schema):
    control: str = Field(description="The control's id: A.6.2.4, or an additional control's.")
    title: str
    objective: str | None = Field(
        description="Annex A control objective id, e.g. A.6; null for an additional control."
    )
    additional: bool = Field(
        description="true for a control from another source than Annex A of ISO/IEC 42001 "
        "(6.1.3 c)."
    )
    source: ControlSource | None = Field(
        description="Where an additional control comes from; null for an Annex A control."
    )
    description: str = Field(description="What an additional control requires; empty for Annex A.")
    applicability: Applicability
    justification: str
    status: Implementation
    owner: str | None
    implementation: str
    risks: list[str]
    has_current_evidence: bool
    flags: list[str] = Field(description="What an auditor would query; empty when nothing is.")
    justification_warning: str | None = Field(
        description="Set when the justification reads like a placeholder (“n/a”, “see above”): "
        "saved, but an auditor reads it as no justification."
    )
    updated_at: dt.datetime

    @staticmethod
    def resolve_control(obj) -> str:
        return obj.ref

    @staticmethod
    def resolve_objective(obj) -> str | None:
        return obj.objective.ref if obj.objective is not None else None

    @staticmethod
    def resolve_additional(obj) -> bool:
        return obj.is_additional

    @staticmethod
    def resolve_description(obj) -> str:
        return obj.additional_control.description if obj.is_additional else ""

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return [r.ref for r in obj.risks.all()]

    @staticmethod
    def resolve_has_current_evidence(obj) -> bool:
        return bool(obj.has_current_evidence)

    @staticmethod
    def resolve_flags(obj) -> list[str]:
        return obj.flags()


router = Router(tags=["Statement of Applicability"])


def entries_of(org):
    return SoAEntry.objects.for_org(org).for_list().prefetch_related("risks")


def get_entry(request, control_ref: str) -> SoAEntry:
    return get_object_or_404(entries_of(request.org).named(control_ref))


class SoAFilters(Schema):
    applicability: Applicability | None = None
    status: Implementation | None = None
    objective: Name | None = Field(
        None,
        description="Control objective id, e.g. A.6 (with A.6.1 and A.6.2); `additional` for "
        "the additional controls.",
    )
    flagged: bool | None = Field(
        None,
        description="true: only entries an auditor would query (see `flags`); false: the rest.",
    )
    q: Name | None = Field(None, description="Search in the control's id and title.")


@router.get(
    "/soa",
    auth=READ,
    response=responses(200, list[SoAEntryOut], 422),
    summary="List the Statement of Applicability",
    description="One entry per Annex A control, in the order of the standard, then the "
    "additional controls by id. Filtered as the SoA page filters.",
)
@paginate(Page)
def list_soa(request, filters: Query[SoAFilters]):
    return entries_of(request.org).filtered(**filters.model_dump())


@router.get(
    "/soa/{control_ref}",
    auth=READ,
    response=responses(200, SoAEntryOut, 404),
    summary="Read the SoA entry of a control",
)
def read_soa_entry(request, control_ref: Name):
    return get_entry(request, control_ref)


@router.patch(
    "/soa/{control_ref}",
    auth=CONTRIBUTE,
    response=responses(200, SoAEntryOut, 403, 404, *BODY_ERRORS),
    summary="Decide on a control",
    description="Changes only the fields sent. A decided entry (applicable or not) needs a "
    "justification, and a new or changed decision a meaningful one (at least 20 characters and "
    "3 words); `risks` lists the refs of the risks the control treats.",
)
def update_soa_entry(request, control_ref: Name, payload: PatchDict[SoAEntryIn]):
    entry = get_entry(request, control_ref)
    errors = Errors()
    risks = None
    if "owner" in payload:
        entry.owner = member(request.org, payload["owner"], field="owner", errors=errors)
    if "risks" in payload:
        risks = risks_named(request.org, payload["risks"], errors=errors)
    apply(entry, payload, skip={"owner", "risks"})
    clean(entry, errors=errors)
    services.update_entry(entry, actor=request.user, risks=risks)
    return get_entry(request, control_ref)
