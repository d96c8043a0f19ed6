"""The records the EU AI Act asks for on a system (oversight, notices, logs, monitoring,
conformity, declaration, registration): the same five operations per kind, added in a loop
from :data:`RECORD_ROUTES`; and the system's explanation and recourse channel (Art. 86).
"""

import datetime as dt
import inspect
from dataclasses import dataclass
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, PatchDict, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member, numbered
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.checks.models import Check
from aims.inventory.models import AISystem
from aims.objectives.models import KPI

from .. import services
from ..kinds import BY_SLUG, RecordKind
from ..models import (
    AssessmentOutcome,
    ConformityAssessment,
    Declaration,
    LogRetention,
    MonitoringPlan,
    NoticeDuty,
    OversightMeasure,
    Procedure,
    RecourseChannel,
    Registration,
    RegistrationBasis,
    TransparencyNotice,
)
from .common import SystemRecordOut, _one, _system

router = Router()  # added under the area's router, and its tag, in __init__

ActProcedure = api_choices("ActConformityProcedure", Procedure)
ActAssessmentOutcome = api_choices("ActConformityOutcome", AssessmentOutcome)
ActRegistrationBasis = api_choices("ActRegistrationBasis", RegistrationBasis)
ActNoticeDuty = api_choices("ActNoticeDuty", NoticeDuty)


# --- The records the Act asks for, per system --------------------------------------------------


class OversightMeasureIn(InputSchema):
    person: Name | None = Field(None, description="Username of the member who oversees, if one.")
    role: text_of(OversightMeasure, "role") = Field(description="The role that oversees.")
    authority: text_of(OversightMeasure, "authority") = Field(
        description="What they may decide: overrule, stop, escalate."
    )
    training: text_of(OversightMeasure, "training")
    override: text_of(OversightMeasure, "override") = Field(
        description="How they disregard, reverse or stop the system's output."
    )


class OversightMeasureOut(SystemRecordOut):
    person: str | None
    role: str
    authority: str
    training: str
    override: str

    @staticmethod
    def resolve_person(obj) -> str | None:
        return username_of(obj.person)


class TransparencyNoticeIn(InputSchema):
    duty: ActNoticeDuty = Field(description="The duty it meets.")
    text: text_of(TransparencyNotice, "text") = Field(description="The text shown.")
    shown_where: text_of(TransparencyNotice, "shown_where") = Field(
        description="The screen, letter, page or sign."
    )
    since: dt.date
    until: dt.date | None = None


class TransparencyNoticeOut(SystemRecordOut):
    duty: ActNoticeDuty
    text: str
    shown_where: str
    since: dt.date
    until: dt.date | None
    is_current: bool = Field(description="Shown today.")

    @staticmethod
    def resolve_is_current(obj) -> bool:
        return obj.is_current()


class LogRetentionIn(InputSchema):
    logs: text_of(LogRetention, "logs") = Field(description="Which events are logged.")
    location: text_of(LogRetention, "location") = Field(description="Where they are kept.")
    retention_days: Annotated[StrictInt, Field(ge=1, le=36_500)] = Field(
        description="How long, in days (deployers: at least 183, six months)."
    )
    note: text_of(LogRetention, "note") = ""


class LogRetentionOut(SystemRecordOut):
    logs: str
    location: str
    retention_days: int
    note: str


class MonitoringPlanIn(InputSchema):
    description: text_of(MonitoringPlan, "description") = Field(
        description="What data is collected from use, how it is analysed, what triggers action."
    )
    checks: list[StrictInt] = Field([], description="Numbers of the system's checks it follows.")
    kpis: list[StrictInt] = Field([], description="Numbers of the KPIs it follows.")
    review_every_months: Annotated[StrictInt, Field(ge=1, le=60)] = 12
    approved_by: Name | None = Field(None, description="Username of the member who approved.")
    approved_on: dt.date | None = None


class MonitoringPlanOut(SystemRecordOut):
    description: str
    checks: list[int]
    kpis: list[int]
    review_every_months: int
    approved_by: str | None
    approved_on: dt.date | None

    @staticmethod
    def resolve_checks(obj) -> list[int]:
        return sorted(c.pk for c in obj.checks.all())

    @staticmethod
    def resolve_kpis(obj) -> list[int]:
        return sorted(k.pk for k in obj.kpis.all())

    @staticmethod
    def resolve_approved_by(obj) -> str | None:
        return username_of(obj.approved_by)


class ConformityAssessmentIn(InputSchema):
    procedure: ActProcedure
    notified_body: text_of(ConformityAssessment, "notified_body") = Field(
        "", description="Its name and identification number; required for a notified body."
    )
    assessed_on: dt.date | None = Field(None, description="Required once it has an outcome.")
    outcome: ActAssessmentOutcome = ActAssessmentOutcome.PLANNED
    certificate: text_of(ConformityAssessment, "certificate") = ""
    certificate_expires: dt.date | None = None
    system_version: text_of(ConformityAssessment, "system_version") = ""
    note: text_of(ConformityAssessment, "note") = ""


class ConformityAssessmentOut(SystemRecordOut):
    procedure: ActProcedure
    notified_body: str
    assessed_on: dt.date | None
    outcome: ActAssessmentOutcome
    certificate: str
    certificate_expires: dt.date | None
    system_version: str
    note: str
    is_current: bool = Field(description="Passed, and its certificate (if any) is valid today.")

    @staticmethod
    def resolve_is_current(obj) -> bool:
        return obj.is_current()


class DeclarationIn(InputSchema):
    signed_on: dt.date
    signatory: text_of(Declaration, "signatory") = Field(description="Name and function.")
    provider: text_of(Declaration, "provider") = Field(
        description="The provider's name and address, as on the declaration."
    )
    system_version: text_of(Declaration, "system_version") = ""
    reference: text_of(Declaration, "reference") = Field(
        "", description="Where the signed declaration is kept."
    )
    ce_marked_on: dt.date | None = Field(None, description="When the CE marking was affixed.")
    note: text_of(Declaration, "note") = ""


class DeclarationOut(SystemRecordOut):
    signed_on: dt.date
    signatory: str
    provider: str
    system_version: str
    reference: str
    ce_marked_on: dt.date | None
    note: str


class RegistrationIn(InputSchema):
    basis: ActRegistrationBasis
    database_id: text_of(Registration, "database_id") = Field(description="EU database id.")
    registered_on: dt.date
    note: text_of(Registration, "note") = ""


class RegistrationOut(SystemRecordOut):
    basis: ActRegistrationBasis
    database_id: str
    registered_on: dt.date
    note: str


@dataclass(frozen=True)
class RecordRoutes:
    """How the API serves one kind of record of :data:`aims.euaiact.kinds.KINDS`."""

    kind: RecordKind
    path: str  # under /systems/{slug}/act/
    name: str  # in operation ids: list_act_<name>s, create_act_<name>, …
    schema_in: type[InputSchema]
    schema_out: type[Schema]
    users: tuple[str, ...] = ()  # fields naming a member, by username
    links: tuple[str, ...] = ()  # many-to-many fields, by id


RECORD_ROUTES = (
    RecordRoutes(
        BY_SLUG["oversight"],
        "oversight-measures",
        "oversight_measure",
        OversightMeasureIn,
        OversightMeasureOut,
        users=("person",),
    ),
    RecordRoutes(
        BY_SLUG["notice"], "notices", "notice", TransparencyNoticeIn, TransparencyNoticeOut
    ),
    RecordRoutes(
        BY_SLUG["logs"], "log-retentions", "log_retention", LogRetentionIn, LogRetentionOut
    ),
    RecordRoutes(
        BY_SLUG["monitoring"],
        "monitoring-plans",
        "monitoring_plan",
        MonitoringPlanIn,
        MonitoringPlanOut,
        users=("approved_by",),
        links=("checks", "kpis"),
    ),
    RecordRoutes(
        BY_SLUG["conformity"],
        "conformity-assessments",
        "conformity_assessment",
        ConformityAssessmentIn,
        ConformityAssessmentOut,
    ),
    RecordRoutes(
        BY_SLUG["declaration"], "declarations", "declaration", DeclarationIn, DeclarationOut
    ),
    RecordRoutes(
        BY_SLUG["registration"], "registrations", "registration", RegistrationIn, RegistrationOut
    ),
)

# The records a monitoring plan follows, named by id, of the organization (the service checks
# that the checks are the system's own).
LINKED = {"checks": (Check, "check"), "kpis": (KPI, "KPI")}


def records_of(routes: RecordRoutes, org):
    found = routes.kind.model.objects.for_org(org).select_related("system", *routes.users)
    return found.prefetch_related(*routes.links) if routes.links else found


def _save_record(request, routes: RecordRoutes, record, data: dict):
    errors = Errors()
    for name in routes.users:
        if name in data:
            setattr(record, name, member(request.org, data[name], field=name, errors=errors))
    m2m = {}
    for name in routes.links:
        if name in data:
            model, what = LINKED[name]
            queryset = model.objects.for_org(request.org)
            m2m[name] = numbered(queryset, data[name], field=name, errors=errors, what=what)
    apply(record, data, skip={*routes.users, *routes.links})
    clean(record, errors=errors)
    try:
        services.save_record(record, actor=request.user, m2m=m2m or None)
    except ValidationError as exc:
        errors.raise_with(exc)
    return records_of(routes, request.org).get(pk=record.pk)


def _operation(func, name: str, **params):
    """``func`` named ``name`` (the operation id), taking ``request`` and ``params`` (name:
    type) by name: ninja reads the path parameters and the body from this signature."""
    parameter = inspect.Parameter
    func.__name__ = func.__qualname__ = name
    func.__signature__ = inspect.Signature(
        [
            parameter("request", parameter.POSITIONAL_OR_KEYWORD),
            *(parameter(p, parameter.KEYWORD_ONLY, annotation=t) for p, t in params.items()),
        ]
    )
    return func


def add_record_routes(routes: RecordRoutes) -> None:
    """The five operations on one kind of record: list and create under the system, read,
    change and delete one, named by the kind's own path parameter (``measure_id``, …)."""
    kind = routes.kind
    param = kind.param
    many_path = f"/systems/{{slug}}/act/{routes.path}"
    one_path = f"{many_path}/{{{param}}}"
    if kind.label.startswith("EU "):  # "an EU declaration of conformity"
        a_label, plural = f"an {kind.label}", kind.plural
    else:
        a_label, plural = f"a {kind.label.lower()}", kind.plural.lower()

    def one(request, slug, ids):
        system = _system(request, slug)
        return _one(records_of(routes, request.org).filter(system=system), ids[param])

    def list_records(request, slug):
        return records_of(routes, request.org).filter(system=_system(request, slug))

    def create_record(request, slug, payload):
        system = _system(request, slug)
        record = kind.model(organization=request.org, system=system)
        return HttpStatus(201, _save_record(request, routes, record, payload.model_dump()))

    def read_record(request, slug, **ids):
        return one(request, slug, ids)

    def update_record(request, slug, payload, **ids):
        return _save_record(request, routes, one(request, slug, ids), payload)

    def delete_record(request, slug, **ids):
        services.delete_record(one(request, slug, ids), actor=request.user)
        return HttpStatus(204, None)

    about = f"{kind.help} ({kind.article})"
    router.get(
        many_path,
        auth=READ,
        response=responses(200, list[routes.schema_out], 404, 422),
        summary=f"List a system's {plural}",
        description=about,
    )(paginate(Page)(_operation(list_records, f"list_act_{routes.name}s", slug=Name)))
    router.post(
        many_path,
        auth=CONTRIBUTE,
        response=responses(201, routes.schema_out, 403, 404, *BODY_ERRORS),
        summary=f"Record {a_label}",
        description=f"{about} Field errors are answered 422.",
    )(_operation(create_record, f"create_act_{routes.name}", slug=Name, payload=routes.schema_in))
    router.get(
        one_path,
        auth=READ,
        response=responses(200, routes.schema_out, 404),
        summary=f"Read {a_label}",
    )(_operation(read_record, f"read_act_{routes.name}", slug=Name, **{param: int}))
    router.patch(
        one_path,
        auth=CONTRIBUTE,
        response=responses(200, routes.schema_out, 403, 404, *BODY_ERRORS),
        summary=f"Change {a_label}",
        description="Changes only the fields sent; a list sent replaces the links it names.",
    )(
        _operation(
            update_record,
            f"update_act_{routes.name}",
            slug=Name,
            **{param: int},
            payload=PatchDict[routes.schema_in],
        )
    )
    router.delete(
        one_path,
        auth=MANAGE,
        response=responses(204, None, 403, 404),
        summary=f"Delete {a_label}",
    )(_operation(delete_record, f"delete_act_{routes.name}", slug=Name, **{param: int}))


for _routes in RECORD_ROUTES:
    add_record_routes(_routes)


# --- Explanation and recourse (Art. 86) ---------------------------------------------------------


class RecourseChannelIn(InputSchema):
    how_to_ask: text_of(RecourseChannel, "how_to_ask") = Field(
        description="What an affected person does, in plain words."
    )
    contact: text_of(RecourseChannel, "contact") = Field(
        description="Address, form or phone number."
    )
    published_where: text_of(RecourseChannel, "published_where") = Field(
        description="Where affected persons learn of it."
    )
    response_days: Annotated[StrictInt, Field(ge=1, le=365)] = Field(
        30, description="Requests are answered within this many days."
    )


class RecourseChannelOut(SystemRecordOut):
    how_to_ask: str
    contact: str
    published_where: str
    response_days: int


def _channel(system: AISystem) -> RecourseChannel | None:
    return RecourseChannel.objects.select_related("system").filter(system=system).first()


@router.get(
    "/systems/{slug}/act/recourse",
    auth=READ,
    response=responses(200, RecourseChannelOut, 404),
    summary="Read how to ask for an explanation of a system's decision",
    description="How an affected person asks for an explanation or contests a decision (Art. "
    "86); 404 when none is recorded yet.",
)
def read_act_recourse_channel(request, slug: Name):
    channel = _channel(_system(request, slug))
    if channel is None:
        raise Http404
    return channel


@router.put(
    "/systems/{slug}/act/recourse",
    auth=CONTRIBUTE,
    response=responses(200, RecourseChannelOut, 403, 404, *BODY_ERRORS),
    summary="Set how to ask for an explanation of a system's decision",
    description="Records the system's explanation and recourse channel, or replaces it; new "
    "requests are due within its number of days.",
)
def set_act_recourse_channel(request, slug: Name, payload: RecourseChannelIn):
    system = _system(request, slug)
    channel = _channel(system) or RecourseChannel(organization=request.org, system=system)
    errors = Errors()
    apply(channel, payload.model_dump())
    clean(channel, errors=errors)
    try:
        services.save_record(channel, actor=request.user)
    except ValidationError as exc:
        errors.raise_with(exc)
    return _channel(system)
