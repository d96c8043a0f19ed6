"""The internal audit programme in the API: checklist items."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Router, Schema
from ninja.pagination import paginate

from aims.api.auth import AUDIT, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, numbered
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, text_of, username_of
from aims.evidence.models import Evidence

from .. import services
from ..models import ChecklistItem
from .audits import (
    get_audit,
)
from .common import AuditResult, RecordId

router = Router()


class AuditItemOut(Schema):
    id: int
    position: int
    ref: str = Field(description="The clause or Annex A control examined.")
    kind: str = Field(description="clause or control")
    title: str
    questions: list[str]
    result: AuditResult | None
    notes: str
    evidence_sampled: str
    evidence: list[int] = Field(description="Ids of the evidence records sampled.")
    nonconformity: str | None = Field(description="Ref of the nonconformity it raised.")
    improvement: str | None = Field(description="Ref of its entry in the improvement register.")
    answered_by: str | None
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_kind(obj) -> str:
        return "clause" if obj.clause_id else "control"

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.requirement.title

    @staticmethod
    def resolve_questions(obj) -> list[str]:
        return [line for line in obj.questions.splitlines() if line.strip()]

    @staticmethod
    def resolve_result(obj):
        return obj.result or None

    @staticmethod
    def resolve_evidence(obj) -> list[int]:
        return [e.pk for e in obj.evidence.all()]

    @staticmethod
    def resolve_nonconformity(obj):
        return obj.nonconformity.ref if obj.nonconformity_id else None

    @staticmethod
    def resolve_improvement(obj):
        return obj.improvement.ref if obj.improvement_id else None

    @staticmethod
    def resolve_answered_by(obj):
        return username_of(obj.answered_by)


def items_of(audit):
    return (
        ChecklistItem.objects.filter(audit=audit)
        .select_related("clause", "control", "nonconformity", "improvement", "answered_by")
        .prefetch_related("evidence")
        .order_by("position", "pk")
    )


def get_item(request, audit_id: int, audit_item_id: int) -> ChecklistItem:
    audit = get_audit(request, audit_id)
    item = get_object_or_404(items_of(audit), pk=audit_item_id)
    item.audit = audit
    return item


@router.get(
    "/audits/{audit_id}/items",
    auth=READ,
    response=responses(200, list[AuditItemOut], 404, 422),
    summary="An audit's checklist",
)
@paginate(Page)
def list_audit_items(request, audit_id: int):
    return items_of(get_audit(request, audit_id))


@router.get(
    "/audits/{audit_id}/items/{audit_item_id}",
    auth=READ,
    response=responses(200, AuditItemOut, 404),
    summary="Read a checklist item",
)
def read_audit_item(request, audit_id: int, audit_item_id: int):
    return get_item(request, audit_id, audit_item_id)


class AuditItemIn(InputSchema):
    result: AuditResult
    notes: text_of(ChecklistItem, "notes") = ""
    evidence_sampled: text_of(ChecklistItem, "evidence_sampled") = ""
    evidence: list[RecordId] | None = Field(
        None, description="Ids of evidence records; left out keeps those linked."
    )


@router.patch(
    "/audits/{audit_id}/items/{audit_item_id}",
    auth=AUDIT,
    response=responses(200, AuditItemOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record the result of a checklist item",
    description="While the audit is in progress (409 otherwise). A major nonconformity raises "
    "a nonconformity at once, once per item.",
)
def record_audit_item(request, audit_id: int, audit_item_id: int, payload: PatchDict[AuditItemIn]):
    item = get_item(request, audit_id, audit_item_id)
    errors = Errors()
    evidence = None
    if payload.get("evidence") is not None:
        evidence = numbered(
            Evidence.objects.for_org(request.org),
            payload["evidence"],
            field="evidence",
            errors=errors,
            what="evidence record",
        )
    errors.raise_if_any()
    services.record_result(
        item,
        actor=request.user,
        result=payload.get("result", item.result) or "",
        notes=payload.get("notes", item.notes),
        evidence_sampled=payload.get("evidence_sampled", item.evidence_sampled),
        evidence=evidence,
    )
    return get_item(request, audit_id, audit_item_id)


@router.post(
    "/audits/{audit_id}/items/{audit_item_id}/nonconformity",
    auth=AUDIT,
    response=responses(200, AuditItemOut, 403, 404, 409),
    summary="Raise the nonconformity of a finding",
    description="For a minor (or major) nonconformity; once: a second call changes nothing.",
)
def raise_audit_item_nonconformity(request, audit_id: int, audit_item_id: int):
    services.raise_from_item(get_item(request, audit_id, audit_item_id), actor=request.user)
    return get_item(request, audit_id, audit_item_id)


@router.post(
    "/audits/{audit_id}/items/{audit_item_id}/improvement",
    auth=AUDIT,
    response=responses(200, AuditItemOut, 403, 404, 409),
    summary="Add an opportunity for improvement to the improvement register",
    description="For an item whose result is an opportunity for improvement; once.",
)
def add_audit_item_improvement(request, audit_id: int, audit_item_id: int):
    services.improvement_from_item(get_item(request, audit_id, audit_item_id), actor=request.user)
    return get_item(request, audit_id, audit_item_id)
