"""The Statement of Applicability: one entry per Annex A control."""

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
from .models import Applicability, Implementation, SoAEntry


class SoAEntryIn(InputSchema):
    applicability: Applicability
    justification: text_of(SoAEntry, "justification") = ""
    status: Implementation
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    implementation: text_of(SoAEntry, "implementation") = ""
    risks: list[Name] = Field([], description="Refs of the risks the control treats.")


class SoAEntryOut(Schema):
    control: str = Field(description="Annex A control id, e.g. A.6.2.4.")
    title: str
    objective: str = Field(description="Control objective id, e.g. A.6.")
    applicability: Applicability
    justification: str
    status: Implementation
    owner: str | None
    implementation: str
    risks: list[str]
    has_current_evidence: bool
    flags: list[str] = Field(description="What an auditor would query; empty when nothing is.")
    updated_at: dt.datetime

    @staticmethod
    def resolve_control(obj) -> str:
        return obj.control.ref

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.control.title

    @staticmethod
    def resolve_objective(obj) -> str:
        return obj.control.objective.ref

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return [r.ref for r in obj.risks.all()]

    @staticmethod
    def resolve_has_current_evidence(obj) -> bool:
        value = getattr(obj, "has_current_evidence", None)
        return bool(value) if value is not None else obj.evidence.current().exists()

    @staticmethod
    def resolve_flags(obj) -> list[str]:
        return obj.flags()


router = Router(tags=["Statement of Applicability"])


def entries_of(org):
    return (
        SoAEntry.objects.for_org(org)
        .select_related("control__objective", "owner")
        .prefetch_related("risks")
        .with_evidence_flags()
    )


def get_entry(request, control_ref: str) -> SoAEntry:
    return get_object_or_404(entries_of(request.org), control__ref=control_ref)


class SoAFilters(Schema):
    applicability: Applicability | None = None
    status: Implementation | None = None
    objective: Name | None = Field(None, description="Control objective id, e.g. A.6.")
    flagged: bool | None = Field(
        None, description="true: only entries an auditor would query (see `flags`)."
    )


@router.get(
    "/soa",
    auth=READ,
    response=responses(200, list[SoAEntryOut], 422),
    summary="List the Statement of Applicability",
    description="One entry per Annex A control, in the order of the standard.",
)
@paginate(Page)
def list_soa(request, filters: Query[SoAFilters]):
    entries = entries_of(request.org)
    if filters.applicability:
        entries = entries.filter(applicability=filters.applicability)
    if filters.status:
        entries = entries.filter(status=filters.status)
    if filters.objective:
        entries = entries.filter(control__objective__ref=filters.objective)
    if filters.flagged is not None:
        flagged = SoAEntry.objects.for_org(request.org).flagged().values("pk")
        entries = (
            entries.filter(pk__in=flagged) if filters.flagged else entries.exclude(pk__in=flagged)
        )
    return entries


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
    "justification; `risks` lists the refs of the risks the control treats.",
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
