"""The internal audit programme in the API: audits."""

import datetime as dt

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import AUDIT, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import MAX_ID, Errors, apply, clean, many, member, numbered
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of, username_of
from aims.catalog.lookups import requirement_links
from aims.inventory.models import AISystem

from .. import independence, services
from ..models import Audit, AuditProgramme
from .common import AuditState, RecordId

router = Router()


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
