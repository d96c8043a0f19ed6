"""The internal audit programme (9.2): programmes and their coverage, audits, their checklist
items and results, and the steps of an audit.

Reading needs read access; every write needs "record audits" (``AUDIT``: the Auditor role, AIMS
Managers and Owners). Auditors are named by username, AI systems by slug, clauses and Annex A
controls by id ("6.1.2", "A.6.2.4"); a clause with sub-clauses stands for all of them.
"""

import datetime as dt

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt

from aims.api.auth import AUDIT, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import MAX_ID, Errors, apply, clean, many, member, numbered
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.catalog.lookups import requirement_links
from aims.evidence.models import Evidence
from aims.inventory.models import AISystem

from . import independence, services
from .coverage import Requirement, coverage
from .models import Audit, AuditProgramme, AuditStatus, ChecklistItem, Result

router = Router(tags=["Internal audits"])

AuditState = api_choices("AuditStatus", AuditStatus)
AuditResult = api_choices("AuditResult", Result)
RecordId = StrictInt


# --- Programmes --------------------------------------------------------------------------------


class ProgrammeIn(InputSchema):
    title: text_of(AuditProgramme, "title")
    starts_on: dt.date
    ends_on: dt.date = Field(description="Not before starts_on.")
    owner: Name | None = Field(None, description="Username of the member who manages it.")
    objectives: text_of(AuditProgramme, "objectives") = ""
    criteria: text_of(AuditProgramme, "criteria") = ""
    method: text_of(AuditProgramme, "method") = Field("", description="Frequency and methods.")


class ProgrammeOut(Schema):
    id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    owner: str | None
    objectives: str
    criteria: str
    method: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj):
        return username_of(obj.owner)


def get_programme(request, programme_id: int) -> AuditProgramme:
    programme = get_object_or_404(
        AuditProgramme.objects.for_org(request.org).select_related("owner"), pk=programme_id
    )
    programme.organization = request.org
    return programme


class ProgrammeFilters(Schema):
    q: Name | None = None


@router.get(
    "/audit-programmes",
    auth=READ,
    response=responses(200, list[ProgrammeOut], 422),
    summary="List audit programmes",
)
@paginate(Page)
def list_audit_programmes(request, filters: Query[ProgrammeFilters]):
    return (
        AuditProgramme.objects.for_org(request.org)
        .filtered(**filters.model_dump())
        .select_related("owner")
        .order_by("-starts_on", "-pk")
    )


def _save_programme(request, programme: AuditProgramme, data: dict) -> AuditProgramme:
    errors = Errors()
    if "owner" in data:
        programme.owner = member(request.org, data["owner"], field="owner", errors=errors)
    apply(programme, data, skip={"owner"})
    clean(programme, exclude=["organization", "created_by"], errors=errors)
    services.save_programme(programme, actor=request.user)
    return get_programme(request, programme.pk)


@router.post(
    "/audit-programmes",
    auth=AUDIT,
    response=responses(201, ProgrammeOut, 403, *BODY_ERRORS),
    summary="Plan an audit programme",
)
def create_audit_programme(request, payload: ProgrammeIn):
    programme = AuditProgramme(organization=request.org, created_by=request.user)
    return Status(201, _save_programme(request, programme, payload.model_dump()))


@router.get(
    "/audit-programmes/{programme_id}",
    auth=READ,
    response=responses(200, ProgrammeOut, 404),
    summary="Read an audit programme",
)
def read_audit_programme(request, programme_id: int):
    return get_programme(request, programme_id)


@router.patch(
    "/audit-programmes/{programme_id}",
    auth=AUDIT,
    response=responses(200, ProgrammeOut, 403, 404, *BODY_ERRORS),
    summary="Change an audit programme",
    description="Changes only the fields sent. A cycle that no longer holds the planned dates "
    "of its audits is refused (422).",
)
def update_audit_programme(request, programme_id: int, payload: PatchDict[ProgrammeIn]):
    return _save_programme(request, get_programme(request, programme_id), payload)


class RequirementOut(Schema):
    ref: str
    title: str
    kind: str = Field(description="clause or control")
    planned_in: list[str] = Field(description="Refs of the audits that have it in scope.")
    audited_in: list[str] = Field(description="Refs of the completed ones among them.")
    audited: bool

    @staticmethod
    def resolve_planned_in(obj: Requirement) -> list[str]:
        return [a.ref for a in obj.planned_in]

    @staticmethod
    def resolve_audited_in(obj: Requirement) -> list[str]:
        return [a.ref for a in obj.audited_in]


class CoverageOut(Schema):
    programme: int
    required: int = Field(description="Requirement clauses and applicable Annex A controls.")
    planned: int
    audited: int
    percent_audited: int
    not_audited: list[str] = Field(description="Ids of what the cycle has not audited yet.")
    clauses: list[RequirementOut]
    controls: list[RequirementOut]


@router.get(
    "/audit-programmes/{programme_id}/coverage",
    auth=READ,
    response=responses(200, CoverageOut, 404),
    summary="The coverage of a programme's cycle",
    description="Every requirement clause (4.1 to 10.2) and every Annex A control the SoA "
    "declares applicable: the audits that plan it and whether a completed one audited it.",
)
def read_audit_programme_coverage(request, programme_id: int):
    found = coverage(get_programme(request, programme_id))
    return {
        "programme": programme_id,
        "required": found.required,
        "planned": found.planned_count,
        "audited": found.audited_count,
        "percent_audited": found.percent_audited,
        "not_audited": [r.ref for r in found.unaudited],
        "clauses": list(found.clauses),
        "controls": list(found.controls),
    }


# --- Audits ------------------------------------------------------------------------------------


class AuditIn(InputSchema):
    programme: RecordId = Field(description="Id of the audit programme.")
    title: text_of(Audit, "title")
    planned_start: dt.date = Field(description="Within the programme's cycle.")
    planned_end: dt.date = Field(description="Within the cycle, not before planned_start.")
    lead_auditor: Name | None = Field(None, description="Username of a member.")
    team: list[Name] = Field([], description="Usernames of the other auditors.")
    scope: text_of(Audit, "scope") = ""
    criteria: text_of(Audit, "criteria") = ""
    clauses: list[Name] | None = Field(
        None, description="Clause ids in scope; 9.2 stands for 9.2.1 and 9.2.2."
    )
    controls: list[Name] | None = Field(None, description="Annex A control ids in scope.")
    systems: list[Name] = Field([], description="Slugs of the AI systems sampled.")
    processes: text_of(Audit, "processes") = ""


class AuditOut(Schema):
    id: int
    ref: str
    programme: int
    title: str
    status: AuditState
    planned_start: dt.date
    planned_end: dt.date
    started_on: dt.date | None
    completed_on: dt.date | None
    lead_auditor: str | None
    team: list[str]
    scope: str
    criteria: str
    clauses: list[str]
    controls: list[str]
    systems: list[str]
    processes: str
    conclusion: str
    independence_statement: str = Field(description="Set when the audit is completed.")
    cancel_reason: str
    items: int = Field(description="Checklist items.")
    answered: int = Field(description="Checklist items with a result.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_programme(obj):
        return obj.programme_id

    @staticmethod
    def resolve_lead_auditor(obj):
        return username_of(obj.lead_auditor)

    @staticmethod
    def resolve_team(obj) -> list[str]:
        return [u.get_username() for u in obj.team.all()]

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return [s.slug for s in obj.systems.all()]

    @staticmethod
    def resolve_items(obj) -> int:
        return obj.item_count

    @staticmethod
    def resolve_answered(obj) -> int:
        return obj.answered_count


class AuditDetailOut(AuditOut):
    independence_conflicts: list[str] = Field(
        description="Why a member of the team may not audit this scope, as things stand now; "
        "empty when the team is independent."
    )

    @staticmethod
    def resolve_independence_conflicts(obj) -> list[str]:
        return [c.message for c in independence.conflicts_of(obj)]


def audits_of(org):
    return (
        Audit.objects.for_org(org)
        .select_related("lead_auditor", "programme")
        .prefetch_related("team", "clauses", "controls", "systems")
        .annotate(
            item_count=Count("items", distinct=True),
            answered_count=Count("items", filter=~Q(items__result=""), distinct=True),
        )
    )


def get_audit(request, audit_id: int) -> Audit:
    audit = get_object_or_404(audits_of(request.org), pk=audit_id)
    audit.organization = request.org
    return audit


class AuditFilters(Schema):
    q: Name | None = None
    programme: int | None = Field(None, ge=1, le=MAX_ID, description="Id of the programme.")
    status: AuditState | None = None
    lead: Name | None = Field(None, description="Username of the lead auditor.")
    overdue: bool | None = Field(None, description="true: late to start or to complete.")


@router.get(
    "/audits",
    auth=READ,
    response=responses(200, list[AuditOut], 422),
    summary="List internal audits",
)
@paginate(Page)
def list_audits(request, filters: Query[AuditFilters]):
    chosen = filters.model_dump()
    programme = lead = None
    if chosen["programme"] is not None:
        programme = AuditProgramme.objects.for_org(request.org).filter(
            pk=chosen["programme"]
        ).first() or AuditProgramme(pk=0)
    if chosen["lead"]:
        errors = Errors()
        lead = member(request.org, chosen["lead"], field="lead", errors=errors)
        errors.raise_if_any()
    return (
        audits_of(request.org)
        .filtered(
            q=chosen["q"],
            programme=programme,
            status=chosen["status"],
            lead=lead,
            overdue_on=timezone.localdate() if chosen["overdue"] else None,
        )
        .order_by("-planned_start", "-pk")
    )


def _save_audit(request, audit: Audit, data: dict) -> Audit:
    errors = Errors()
    links = {}
    if "programme" in data:
        found = numbered(
            AuditProgramme.objects.for_org(request.org),
            [data["programme"]] if data["programme"] is not None else [],
            field="programme",
            errors=errors,
            what="audit programme",
        )
        if found:
            audit.programme = found[0]
        elif data["programme"] is None:
            errors.add("programme", "This field is required.")
    if "lead_auditor" in data:
        audit.lead_auditor = member(
            request.org, data["lead_auditor"], field="lead_auditor", errors=errors
        )
    if "team" in data:
        team = [member(request.org, name, field="team", errors=errors) for name in data["team"]]
        links["team"] = [user for user in team if user is not None]
    if "systems" in data:
        links["systems"] = many(
            AISystem.objects.for_org(request.org),
            "slug",
            data["systems"],
            field="systems",
            errors=errors,
            what="AI system",
        )
    links.update(requirement_links(data, errors))
    apply(audit, data, skip={"programme", "lead_auditor", "team", "systems", "clauses", "controls"})
    clean(
        audit,
        exclude=["organization", "ref", "created_by", "programme", "lead_auditor"],
        errors=errors,
    )
    services.save_audit(audit, actor=request.user, **links)
    return get_audit(request, audit.pk)


@router.post(
    "/audits",
    auth=AUDIT,
    response=responses(201, AuditDetailOut, 403, *BODY_ERRORS),
    summary="Plan an internal audit",
    description="Its checklist is made from the clauses and controls in scope. An auditor who "
    "owns or answers for what the audit examines is refused (422, on lead_auditor or team).",
)
def create_audit(request, payload: AuditIn):
    audit = Audit(organization=request.org, created_by=request.user)
    return Status(201, _save_audit(request, audit, payload.model_dump()))


@router.get(
    "/audits/{audit_id}",
    auth=READ,
    response=responses(200, AuditDetailOut, 404),
    summary="Read an internal audit",
)
def read_audit(request, audit_id: int):
    return get_audit(request, audit_id)


@router.patch(
    "/audits/{audit_id}",
    auth=AUDIT,
    response=responses(200, AuditDetailOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change an internal audit",
    description="Changes only the fields sent; a list sent replaces what the audit has. A "
    "completed or cancelled audit does not change (409).",
)
def update_audit(request, audit_id: int, payload: PatchDict[AuditIn]):
    return _save_audit(request, get_audit(request, audit_id), payload)


class StartIn(InputSchema):
    started_on: dt.date | None = Field(None, description="Today when left out.")


@router.post(
    "/audits/{audit_id}/start",
    auth=AUDIT,
    response=responses(200, AuditDetailOut, 403, 404, 409, *BODY_ERRORS),
    summary="Start an internal audit",
    description="Planned → in progress. Refused (409) without a lead auditor or a scope; "
    "refused (422) when an auditor is not independent of the scope.",
)
def start_audit(request, audit_id: int, payload: StartIn):
    services.start_audit(get_audit(request, audit_id), actor=request.user, on=payload.started_on)
    return get_audit(request, audit_id)


class CompleteIn(InputSchema):
    conclusion: text_of(Audit, "conclusion") = ""
    completed_on: dt.date | None = Field(None, description="Today when left out.")


@router.post(
    "/audits/{audit_id}/complete",
    auth=AUDIT,
    response=responses(200, AuditDetailOut, 403, 404, 409, *BODY_ERRORS),
    summary="Complete an internal audit",
    description="In progress → completed. Refused (409) while a checklist item has no result; "
    "refused (422) without a conclusion or when an auditor is not independent.",
)
def complete_audit(request, audit_id: int, payload: CompleteIn):
    services.complete_audit(
        get_audit(request, audit_id),
        actor=request.user,
        conclusion=payload.conclusion,
        on=payload.completed_on,
    )
    return get_audit(request, audit_id)


class CancelIn(InputSchema):
    reason: text_of(Audit, "cancel_reason") = ""


@router.post(
    "/audits/{audit_id}/cancel",
    auth=AUDIT,
    response=responses(200, AuditDetailOut, 403, 404, 409, *BODY_ERRORS),
    summary="Cancel an internal audit",
    description="Planned or in progress → cancelled, with the reason (422 without).",
)
def cancel_audit(request, audit_id: int, payload: CancelIn):
    services.cancel_audit(get_audit(request, audit_id), actor=request.user, reason=payload.reason)
    return get_audit(request, audit_id)


# --- Checklist items ---------------------------------------------------------------------------


class ItemOut(Schema):
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
    response=responses(200, list[ItemOut], 404, 422),
    summary="An audit's checklist",
)
@paginate(Page)
def list_audit_items(request, audit_id: int):
    return items_of(get_audit(request, audit_id))


@router.get(
    "/audits/{audit_id}/items/{audit_item_id}",
    auth=READ,
    response=responses(200, ItemOut, 404),
    summary="Read a checklist item",
)
def read_audit_item(request, audit_id: int, audit_item_id: int):
    return get_item(request, audit_id, audit_item_id)


class ItemIn(InputSchema):
    result: AuditResult
    notes: text_of(ChecklistItem, "notes") = ""
    evidence_sampled: text_of(ChecklistItem, "evidence_sampled") = ""
    evidence: list[RecordId] | None = Field(
        None, description="Ids of evidence records; left out keeps those linked."
    )


@router.patch(
    "/audits/{audit_id}/items/{audit_item_id}",
    auth=AUDIT,
    response=responses(200, ItemOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record the result of a checklist item",
    description="While the audit is in progress (409 otherwise). A major nonconformity raises "
    "a nonconformity at once, once per item.",
)
def record_audit_item(request, audit_id: int, audit_item_id: int, payload: PatchDict[ItemIn]):
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
    response=responses(200, ItemOut, 403, 404, 409),
    summary="Raise the nonconformity of a finding",
    description="For a minor (or major) nonconformity; once: a second call changes nothing.",
)
def raise_audit_item_nonconformity(request, audit_id: int, audit_item_id: int):
    services.raise_from_item(get_item(request, audit_id, audit_item_id), actor=request.user)
    return get_item(request, audit_id, audit_item_id)


@router.post(
    "/audits/{audit_id}/items/{audit_item_id}/improvement",
    auth=AUDIT,
    response=responses(200, ItemOut, 403, 404, 409),
    summary="Add an opportunity for improvement to the improvement register",
    description="For an item whose result is an opportunity for improvement; once.",
)
def add_audit_item_improvement(request, audit_id: int, audit_item_id: int):
    services.improvement_from_item(get_item(request, audit_id, audit_item_id), actor=request.user)
    return get_item(request, audit_id, audit_item_id)
