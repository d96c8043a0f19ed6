"""AI incidents (A.8.4, EU AI Act Art. 73) and concerns (A.3.3).

Raising a concern through the API needs "create and edit" access (a token acts for a program);
in the app, any member, a viewer included, may raise one. An anonymous concern answers
``raised_by``, ``reporter_name`` and ``reporter_contact`` empty, to everyone.
"""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, bounded_text, text_of, username_of
from aims.catalog.lookups import requirement_links
from aims.inventory.models import AISystem
from aims.risk.api import risks_named
from aims.risk.models import Category

from . import services
from .models import (
    Audience,
    Communication,
    Concern,
    ConcernChannel,
    ConcernStatus,
    Incident,
    IncidentStatus,
    SeriousType,
    Severity,
    TimelineEntry,
)

router = Router(tags=["Incidents and concerns"])

IncidentState = api_choices("IncidentStatus", IncidentStatus)
IncidentSeverity = api_choices("IncidentSeverity", Severity)
SeriousKind = api_choices("SeriousIncidentType", SeriousType)
CommunicationAudience = api_choices("CommunicationAudience", Audience)
ConcernState = api_choices("ConcernStatus", ConcernStatus)
ConcernOrigin = api_choices("ConcernChannel", ConcernChannel)
RiskCategory = api_choices("ConcernRiskCategory", Category)


def _system(org, slug, *, errors: Errors, field: str = "system"):
    if slug is None:
        return None
    found = AISystem.objects.for_org(org).filter(slug=slug).first()
    if found is None:
        errors.add(field, f"Unknown AI system: {slug}.")
    return found


# --- Incidents ---------------------------------------------------------------------------------


class IncidentIn(InputSchema):
    system: Name = Field(description="Short id (slug) of the AI system.")
    title: text_of(Incident, "title")
    what_happened: text_of(Incident, "what_happened")
    harm: text_of(Incident, "harm") = ""
    persons_affected: int | None = Field(None, ge=0, le=2_000_000_000)
    severity: IncidentSeverity = IncidentSeverity.MEDIUM
    occurred_at: dt.datetime
    became_aware_at: dt.datetime = Field(
        description="Not in the future, not before it occurred: the Art. 73 deadline counts "
        "from it."
    )
    contained_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    containment_actions: text_of(Incident, "containment_actions") = ""
    root_cause: text_of(Incident, "root_cause") = ""
    corrective_actions: text_of(Incident, "corrective_actions") = ""
    owner: Name | None = Field(None, description="Username of a member.")
    risks: list[Name] = Field([], description="Refs of the risks it realizes (R-001).")
    is_serious: bool = False
    serious_type: SeriousKind | None = Field(
        None,
        description="Required when is_serious: death (10 days), infrastructure (2), other (15).",
    )
    clauses: list[Name] | None = None
    controls: list[Name] | None = Field(None, description="A.8.4 when left out on creation.")


class IncidentOut(Schema):
    id: int
    ref: str
    system: str
    title: str
    what_happened: str
    harm: str
    persons_affected: int | None
    severity: IncidentSeverity
    status: IncidentState
    occurred_at: dt.datetime
    became_aware_at: dt.datetime
    contained_at: dt.datetime | None
    resolved_at: dt.datetime | None
    containment_actions: str
    root_cause: str
    corrective_actions: str
    owner: str | None
    check_run: int | None
    alert: int | None
    risks: list[str]
    is_serious: bool
    serious_type: str
    report_due_at: dt.datetime | None = Field(description="Art. 73 deadline (serious only).")
    report_overdue: bool
    reported_to_authority_at: dt.datetime | None
    authority_reference: str
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_owner(obj):
        return username_of(obj.owner)

    @staticmethod
    def resolve_check_run(obj):
        return obj.check_run_id

    @staticmethod
    def resolve_alert(obj):
        return obj.alert_id

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return [r.ref for r in obj.risks.all()]

    @staticmethod
    def resolve_report_overdue(obj) -> bool:
        return obj.report_overdue()

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]


def incidents_of(org):
    return (
        Incident.objects.for_org(org)
        .select_related("system", "owner")
        .prefetch_related("risks", "clauses", "controls")
    )


def get_incident(request, incident_id: int) -> Incident:
    incident = get_object_or_404(incidents_of(request.org), pk=incident_id)
    incident.organization = request.org
    return incident


class IncidentFilters(Schema):
    q: Name | None = None
    system: Name | None = Field(None, description="Slug of the AI system.")
    status: IncidentState | None = None
    severity: IncidentSeverity | None = None
    serious: bool | None = None
    overdue: bool | None = Field(None, description="true: serious, unreported, past deadline.")


@router.get(
    "/incidents",
    auth=READ,
    response=responses(200, list[IncidentOut], 422),
    summary="List AI incidents",
)
@paginate(Page)
def list_incidents(request, filters: Query[IncidentFilters]):
    chosen = filters.model_dump()
    if chosen["system"] is not None:
        chosen["system"] = AISystem.objects.for_org(request.org).filter(
            slug=chosen["system"]
        ).first() or AISystem(pk=0)
    return incidents_of(request.org).filtered(**chosen).order_by("-became_aware_at", "-pk")


def _save_incident(request, incident: Incident, data: dict) -> Incident:
    errors = Errors()
    links = {}
    if "system" in data:
        incident.system = _system(request.org, data["system"], errors=errors)
    if "owner" in data:
        incident.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if "risks" in data:
        links["risks"] = risks_named(request.org, data["risks"], errors=errors)
    links.update(requirement_links(data, errors))
    if "serious_type" in data:
        data["serious_type"] = data["serious_type"] or ""
    apply(incident, data, skip={"system", "owner", "risks", "clauses", "controls"})
    clean(incident, exclude=["organization", "report_due_at"], errors=errors)
    services.save_incident(incident, actor=request.user, **links)
    return get_incident(request, incident.pk)


@router.post(
    "/incidents",
    auth=CONTRIBUTE,
    response=responses(201, IncidentOut, 403, *BODY_ERRORS),
    summary="Record an AI incident",
    description="An awareness in the future, or before the incident occurred, is refused (422).",
)
def create_incident(request, payload: IncidentIn):
    incident = Incident(organization=request.org, created_by=request.user)
    return Status(201, _save_incident(request, incident, payload.model_dump()))


@router.get(
    "/incidents/{incident_id}",
    auth=READ,
    response=responses(200, IncidentOut, 404),
    summary="Read an AI incident",
)
def read_incident(request, incident_id: int):
    return get_incident(request, incident_id)


@router.patch(
    "/incidents/{incident_id}",
    auth=CONTRIBUTE,
    response=responses(200, IncidentOut, 403, 404, *BODY_ERRORS),
    summary="Change an AI incident",
    description="Changes only the fields sent; the status moves through /transition.",
)
def update_incident(request, incident_id: int, payload: PatchDict[IncidentIn]):
    return _save_incident(request, get_incident(request, incident_id), payload)


class IncidentTransitionIn(InputSchema):
    to: Literal["contained", "resolved", "closed"] = Field(
        description="The next status: open → contained → resolved → closed."
    )


@router.post(
    "/incidents/{incident_id}/transition",
    auth=CONTRIBUTE,
    response=responses(200, IncidentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Move an incident to its next status",
    description="Refused (409) out of order, or when what the step needs is missing "
    "(containment actions, corrective actions, root cause, the authority report).",
)
def transition_incident(request, incident_id: int, payload: IncidentTransitionIn):
    incident = get_incident(request, incident_id)
    services.transition(incident, payload.to, actor=request.user)
    return get_incident(request, incident_id)


class ReportIn(InputSchema):
    reference: text_of(Incident, "authority_reference") = ""
    reported_at: dt.datetime | None = Field(None, description="Now when left out.")


@router.post(
    "/incidents/{incident_id}/report",
    auth=CONTRIBUTE,
    response=responses(200, IncidentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record the report of a serious incident to the authority",
)
def report_incident(request, incident_id: int, payload: ReportIn):
    incident = get_incident(request, incident_id)
    services.mark_reported(
        incident, actor=request.user, reference=payload.reference, when=payload.reported_at
    )
    return get_incident(request, incident_id)


class TimelineIn(InputSchema):
    when: dt.datetime
    what: text_of(TimelineEntry, "what")


class TimelineOut(Schema):
    id: int
    when: dt.datetime
    what: str
    who: str | None

    @staticmethod
    def resolve_who(obj):
        return username_of(obj.who)


@router.get(
    "/incidents/{incident_id}/timeline",
    auth=READ,
    response=responses(200, list[TimelineOut], 404, 422),
    summary="An incident's timeline",
)
@paginate(Page)
def list_timeline(request, incident_id: int):
    return get_incident(request, incident_id).timeline.select_related("who")


@router.post(
    "/incidents/{incident_id}/timeline",
    auth=CONTRIBUTE,
    response=responses(201, TimelineOut, 403, 404, *BODY_ERRORS),
    summary="Add a timeline entry",
)
def add_timeline(request, incident_id: int, payload: TimelineIn):
    incident = get_incident(request, incident_id)
    entry = services.add_timeline_entry(
        incident, actor=request.user, when=payload.when, what=payload.what
    )
    return Status(201, entry)


class IncidentCommunicationIn(InputSchema):
    when: dt.datetime
    audience: CommunicationAudience
    channel: text_of(Communication, "channel")
    summary: text_of(Communication, "summary")


class IncidentCommunicationOut(Schema):
    id: int
    when: dt.datetime
    audience: CommunicationAudience
    channel: str
    summary: str
    who: str | None

    @staticmethod
    def resolve_who(obj):
        return username_of(obj.who)


@router.get(
    "/incidents/{incident_id}/communications",
    auth=READ,
    response=responses(200, list[IncidentCommunicationOut], 404, 422),
    summary="An incident's communications log",
)
@paginate(Page)
def list_communications(request, incident_id: int):
    return get_incident(request, incident_id).communications.select_related("who")


@router.post(
    "/incidents/{incident_id}/communications",
    auth=CONTRIBUTE,
    response=responses(201, IncidentCommunicationOut, 403, 404, *BODY_ERRORS),
    summary="Log a communication about an incident",
)
def add_communication(request, incident_id: int, payload: IncidentCommunicationIn):
    incident = get_incident(request, incident_id)
    message = services.log_communication(incident, actor=request.user, **payload.model_dump())
    return Status(201, message)


# --- Concerns ----------------------------------------------------------------------------------


class ConcernIn(InputSchema):
    text: text_of(Concern, "text")
    system: Name | None = Field(None, description="Slug of the AI system, if known.")
    anonymous: bool = Field(False, description="true: who raised it is not recorded.")


class ConcernOut(Schema):
    id: int
    system: str | None
    text: str
    raised_by: str | None = Field(description="Empty for an anonymous concern.")
    reporter_name: str
    reporter_contact: str
    anonymous: bool
    channel: ConcernOrigin
    status: ConcernState
    incident: int | None
    risk: str | None
    triaged_by: str | None
    triaged_at: dt.datetime | None
    triage_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_system(obj):
        return obj.system.slug if obj.system else None

    @staticmethod
    def resolve_raised_by(obj):
        return None if obj.anonymous else username_of(obj.raised_by)

    @staticmethod
    def resolve_reporter_name(obj):
        return "" if obj.anonymous else obj.reporter_name

    @staticmethod
    def resolve_reporter_contact(obj):
        return "" if obj.anonymous else obj.reporter_contact

    @staticmethod
    def resolve_incident(obj):
        return obj.incident_id

    @staticmethod
    def resolve_risk(obj):
        return obj.risk.ref if obj.risk else None

    @staticmethod
    def resolve_triaged_by(obj):
        return username_of(obj.triaged_by)


def concerns_of(org):
    return Concern.objects.for_org(org).select_related("system", "raised_by", "risk", "triaged_by")


def get_concern(request, concern_id: int) -> Concern:
    concern = get_object_or_404(concerns_of(request.org), pk=concern_id)
    concern.organization = request.org
    return concern


class ConcernFilters(Schema):
    q: Name | None = None
    status: ConcernState | None = None
    system: Name | None = None
    channel: ConcernOrigin | None = None


@router.get(
    "/concerns", auth=READ, response=responses(200, list[ConcernOut], 422), summary="List concerns"
)
@paginate(Page)
def list_concerns(request, filters: Query[ConcernFilters]):
    chosen = filters.model_dump()
    if chosen["system"] is not None:
        chosen["system"] = AISystem.objects.for_org(request.org).filter(
            slug=chosen["system"]
        ).first() or AISystem(pk=0)
    return concerns_of(request.org).filtered(**chosen)


@router.post(
    "/concerns",
    auth=CONTRIBUTE,
    response=responses(201, ConcernOut, 403, *BODY_ERRORS),
    summary="Raise a concern",
    description="anonymous: true records no user, name nor contact.",
)
def create_concern(request, payload: ConcernIn):
    errors = Errors()
    system = _system(request.org, payload.system, errors=errors)
    errors.raise_if_any()
    concern = services.raise_concern(
        request.org,
        actor=request.user,
        text=payload.text,
        system=system,
        anonymous=payload.anonymous,
    )
    return Status(201, get_concern(request, concern.pk))


@router.get(
    "/concerns/{concern_id}",
    auth=READ,
    response=responses(200, ConcernOut, 404),
    summary="Read a concern",
)
def read_concern(request, concern_id: int):
    return get_concern(request, concern_id)


class TriageIn(InputSchema):
    outcome: Literal["incident", "risk", "close"]
    title: bounded_text(200) = ""
    severity: IncidentSeverity = IncidentSeverity.MEDIUM
    category: RiskCategory | None = Field(None, description="For outcome risk.")
    likelihood: StrictInt | None = Field(None, ge=1, le=10, description="For outcome risk.")
    impact: StrictInt | None = Field(None, ge=1, le=10, description="For outcome risk.")
    reason: bounded_text(2_000) = Field("", description="Required for outcome close.")


@router.post(
    "/concerns/{concern_id}/triage",
    auth=MANAGE,
    response=responses(200, ConcernOut, 403, 404, 409, *BODY_ERRORS),
    summary="Triage a concern",
    description="Into an incident (opened, prefilled), a risk (recorded), or closed with a "
    "reason. A concern is triaged once (409 after).",
)
def triage_concern(request, concern_id: int, payload: TriageIn):
    concern = get_concern(request, concern_id)
    if payload.outcome == "incident":
        services.triage_into_incident(
            concern,
            actor=request.user,
            title=payload.title,
            severity=payload.severity,
            reason=payload.reason,
        )
    elif payload.outcome == "risk":
        errors = Errors()
        for name in ("category", "likelihood", "impact"):
            if getattr(payload, name) is None:
                errors.add(name, "Needed to record a risk.")
        errors.raise_if_any()
        services.triage_into_risk(
            concern,
            actor=request.user,
            title=payload.title,
            category=payload.category,
            likelihood=payload.likelihood,
            impact=payload.impact,
            reason=payload.reason,
        )
    else:
        services.close_concern(concern, actor=request.user, reason=payload.reason)
    return get_concern(request, concern_id)
