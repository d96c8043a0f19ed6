"""AI objectives (6.2), KPIs (9.1) and their measurements."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, File, PatchDict, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import BeforeValidator, StrictInt, WithJsonSchema
from pydantic_core import PydanticCustomError

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, ErrorOut, responses
from aims.api.lookups import Errors, apply, clean, many, member, numbered
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.catalog.lookups import clauses_named, controls_named
from aims.catalog.models import AIObjective
from aims.checks.models import Check

from . import services
from .models import (
    KPI,
    Direction,
    Frequency,
    KPISource,
    KPIStatus,
    Measurement,
    MeasurementSource,
    Objective,
    ObjectiveStatus,
)

router = Router(tags=["Objectives and KPIs"])


def _number(value):
    """A number, or a text holding one ("0.85"); true and false are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PydanticCustomError("decimal_type", "Give a number, like 0.85 or 12.")
    return value


# Values are decimals, as stored and answered; the constraints sit in the type so that the
# PATCH forms (every field optional) keep them. The document says "number": a text holding one
# is taken too, but is not what a client should send (and would be an unbounded string there).
Number = Annotated[
    Decimal,
    Field(allow_inf_nan=False),
    BeforeValidator(_number),
    WithJsonSchema({"type": "number"}),
]
NonNegative = Annotated[
    Decimal,
    Field(allow_inf_nan=False, ge=0),
    BeforeValidator(_number),
    WithJsonSchema({"type": "number", "minimum": 0}),
]

ObjectiveState = api_choices("ObjectiveStatus", ObjectiveStatus)
KPIDirection = api_choices("KPIDirection", Direction)
KPIFrequency = api_choices("KPIFrequency", Frequency)
KPISourceOut = api_choices("KPISource", KPISource)
KPIState = api_choices("KPIStatus", KPIStatus)
MeasurementOrigin = api_choices("MeasurementSource", MeasurementSource)


# --- Objectives --------------------------------------------------------------------------------


class ObjectiveIn(InputSchema):
    title: text_of(Objective, "title")
    plan: text_of(Objective, "plan") = Field("", description="What will be done.")
    resources: text_of(Objective, "resources") = Field("", description="Resources needed.")
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    deadline: dt.date = Field(description="Not in the past when the objective is created.")
    evaluation: text_of(Objective, "evaluation") = Field(
        "", description="How results are evaluated."
    )
    status: ObjectiveState = ObjectiveState.PLANNED
    annex_objectives: list[Name] = Field(
        [], description="Ids of the potential AI objectives of Annex C.2 it serves, e.g. C.2.5."
    )
    clauses: list[Name] | None = Field(
        None, description="Clause numbers it addresses; 6.2 when left out on creation."
    )
    controls: list[Name] = Field([], description="Annex A control ids it addresses.")


class ObjectiveOut(Schema):
    id: int
    title: str
    plan: str
    resources: str
    owner: str | None
    deadline: dt.date
    evaluation: str
    status: ObjectiveState
    overdue: bool = Field(description="Planned or in progress, with its deadline passed.")
    annex_objectives: list[str]
    clauses: list[str]
    controls: list[str]
    kpis: list[int] = Field(description="The numbers of the KPIs that measure it.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_annex_objectives(obj) -> list[str]:
        return [o.ref for o in obj.annex_objectives.all()]

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_kpis(obj) -> list[int]:
        return [k.pk for k in obj.kpis.all()]


def objectives_of(org):
    return (
        Objective.objects.for_org(org)
        .select_related("owner")
        .prefetch_related("annex_objectives", "clauses", "controls", "kpis")
    )


def get_objective(request, objective_id: int) -> Objective:
    return get_object_or_404(objectives_of(request.org), pk=objective_id)


class ObjectiveFilters(Schema):
    q: Name | None = Field(None, description="Search in title, plan and evaluation.")
    status: ObjectiveState | None = None
    owner: Name | None = Field(None, description="Username of the objective's owner.")
    overdue: bool | None = Field(None, description="true: only open objectives past deadline.")


@router.get(
    "/objectives",
    auth=READ,
    response=responses(200, list[ObjectiveOut], 422),
    summary="List AI objectives",
    description="The organization's AI objectives, by deadline; filtered as the list page is.",
)
@paginate(Page)
def list_objectives(request, filters: Query[ObjectiveFilters]):
    errors = Errors()
    owner = member(request.org, filters.owner, field="owner", errors=errors)
    errors.raise_if_any()
    chosen = filters.model_dump()
    chosen["owner"] = owner
    return objectives_of(request.org).filtered(**chosen)


def _save_objective(request, objective: Objective, data: dict) -> Objective:
    errors = Errors()
    links = {}
    if "owner" in data:
        objective.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if "annex_objectives" in data:
        links["annex_objectives"] = many(
            AIObjective.objects.all(),
            "ref",
            data["annex_objectives"],
            field="annex_objectives",
            errors=errors,
            what="Annex C objective",
        )
    if data.get("clauses") is not None:
        links["clauses"] = clauses_named(data["clauses"], errors=errors)
    if "controls" in data:
        links["controls"] = controls_named(data["controls"], errors=errors)
    apply(objective, data, skip={"owner", "annex_objectives", "clauses", "controls"})
    clean(objective, errors=errors)
    services.save_objective(objective, actor=request.user, **links)
    return get_objective(request, objective.pk)


@router.post(
    "/objectives",
    auth=CONTRIBUTE,
    response=responses(201, ObjectiveOut, 403, *BODY_ERRORS),
    summary="Set an AI objective",
    description="A deadline in the past is refused (422).",
)
def create_objective(request, payload: ObjectiveIn):
    objective = Objective(organization=request.org)
    return Status(201, _save_objective(request, objective, payload.model_dump()))


@router.get(
    "/objectives/{objective_id}",
    auth=READ,
    response=responses(200, ObjectiveOut, 404),
    summary="Read an AI objective",
)
def read_objective(request, objective_id: int):
    return get_objective(request, objective_id)


@router.patch(
    "/objectives/{objective_id}",
    auth=CONTRIBUTE,
    response=responses(200, ObjectiveOut, 403, 404, *BODY_ERRORS),
    summary="Change an AI objective",
    description="Changes only the fields sent; a list sent replaces the links it names.",
)
def update_objective(request, objective_id: int, payload: PatchDict[ObjectiveIn]):
    objective = get_objective(request, objective_id)
    return _save_objective(request, objective, payload)


# --- KPIs --------------------------------------------------------------------------------------


class KPIIn(InputSchema):
    name: text_of(KPI, "name")
    description: text_of(KPI, "description") = ""
    unit: text_of(KPI, "unit") = ""
    target: Number = Field(description="The value aimed for.")
    direction: KPIDirection = KPIDirection.HIGHER
    band: NonNegative = Field(
        Decimal(0),
        description="For direction band: how far from the target, either way, is on target.",
    )
    tolerance: NonNegative = Field(
        Decimal(0),
        description="How far past the target (or band) is still at risk, not off target.",
    )
    frequency: KPIFrequency = KPIFrequency.MONTHLY
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    objectives: list[StrictInt] = Field([], description="Numbers of the objectives it measures.")
    source: KPISourceOut = KPISourceOut.MANUAL
    check_id: StrictInt | None = Field(None, description="For source check: the check's number.")
    check_metric: text_of(KPI, "check_metric") = Field(
        "",
        description="For source check: a metric of the run (demographic_parity_difference, "
        "accuracy, share_drifted …) or passed (1 passed, 0 failed).",
    )
    measure_key: text_of(KPI, "measure_key") = Field(
        "", description="For source measure: the key of a figure the app computes."
    )


class KPIOut(Schema):
    id: int
    name: str
    description: str
    unit: str
    target: Decimal
    direction: KPIDirection
    band: Decimal
    tolerance: Decimal
    frequency: KPIFrequency
    owner: str | None
    objectives: list[int]
    source: KPISourceOut
    check_id: int | None
    check_metric: str
    measure_key: str
    status: KPIState = Field(description="From the latest measurement against the target.")
    latest_value: Decimal | None
    latest_date: dt.date | None
    next_due: dt.date | None = Field(
        description="When the next measurement is due, for a KPI measured by people."
    )
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_objectives(obj) -> list[int]:
        return [o.pk for o in obj.objectives.all()]

    @staticmethod
    def resolve_check_id(obj) -> int | None:
        return obj.check_definition_id

    @staticmethod
    def resolve_next_due(obj) -> dt.date | None:
        return obj.next_due() if obj.is_fed_by_people else None


def kpis_of(org):
    return KPI.objects.for_org(org).select_related("owner").prefetch_related("objectives")


def get_kpi(request, kpi_id: int) -> KPI:
    return get_object_or_404(kpis_of(request.org), pk=kpi_id)


class KPIFilters(Schema):
    q: Name | None = Field(None, description="Search in name and description.")
    status: KPIState | None = None
    source: KPISourceOut | None = None


@router.get(
    "/kpis",
    auth=READ,
    response=responses(200, list[KPIOut], 422),
    summary="List KPIs",
    description="The organization's KPIs, by name, with their status.",
)
@paginate(Page)
def list_kpis(request, filters: Query[KPIFilters]):
    return kpis_of(request.org).filtered(**filters.model_dump())


def objectives_numbered(org, numbers, *, errors: Errors) -> list[Objective]:
    """The organization's objectives by number, in order; each unknown number is an error."""
    objectives = Objective.objects.for_org(org)
    return numbered(objectives, numbers, field="objectives", errors=errors, what="objective")


def _save_kpi(request, kpi: KPI, data: dict) -> KPI:
    errors = Errors()
    links = {}
    if "owner" in data:
        kpi.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if "objectives" in data:
        links["objectives"] = objectives_numbered(request.org, data["objectives"], errors=errors)
    if "check_id" in data:
        kpi.check_definition = None
        if data["check_id"] is not None:
            kpi.check_definition = (
                Check.objects.for_org(request.org).filter(pk=data["check_id"]).first()
            )
            if kpi.check_definition is None:
                errors.add("check_id", f"Unknown check: {data['check_id']}.")
    for name in ("target", "band", "tolerance"):
        if data.get(name) is not None:
            try:
                data[name] = services.parse_value(data[name])
            except ValueError as exc:
                errors.add(name, str(exc))
                data.pop(name)
    apply(kpi, data, skip={"owner", "objectives", "check_id"})
    clean(kpi, errors=errors)
    try:
        services.save_kpi(kpi, actor=request.user, **links)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add("check_id" if field == "check_definition" else field, message)
        errors.raise_if_any()
    return get_kpi(request, kpi.pk)


@router.post(
    "/kpis",
    auth=CONTRIBUTE,
    response=responses(201, KPIOut, 403, *BODY_ERRORS),
    summary="Define a KPI",
    description="A KPI fed by a check imports the check's past runs at once; one following an "
    "app figure is sampled once a day.",
)
def create_kpi(request, payload: KPIIn):
    return Status(201, _save_kpi(request, KPI(organization=request.org), payload.model_dump()))


@router.get("/kpis/{kpi_id}", auth=READ, response=responses(200, KPIOut, 404), summary="Read a KPI")
def read_kpi(request, kpi_id: int):
    return get_kpi(request, kpi_id)


@router.patch(
    "/kpis/{kpi_id}",
    auth=CONTRIBUTE,
    response=responses(200, KPIOut, 403, 404, *BODY_ERRORS),
    summary="Change a KPI",
    description="Changes only the fields sent; its status follows a new target at once.",
)
def update_kpi(request, kpi_id: int, payload: PatchDict[KPIIn]):
    return _save_kpi(request, get_kpi(request, kpi_id), payload)


# --- Measurements -------------------------------------------------------------------------------


class MeasurementIn(InputSchema):
    date: dt.date = Field(description="Today or earlier.")
    value: Number
    note: text_of(Measurement, "note") = ""


class MeasurementOut(Schema):
    id: int
    kpi: int
    date: dt.date
    value: Decimal
    note: str
    source: MeasurementOrigin
    check_run: int | None = Field(description="The check run it came from, for source check.")
    status: KPIState = Field(description="The status this value gives against today's target.")
    recorded_by: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_kpi(obj) -> int:
        return obj.kpi_id

    @staticmethod
    def resolve_check_run(obj) -> int | None:
        return obj.run_ref

    @staticmethod
    def resolve_status(obj):
        return obj.kpi.status_for(obj.value)

    @staticmethod
    def resolve_recorded_by(obj) -> str | None:
        return username_of(obj.recorded_by)


@router.get(
    "/kpis/{kpi_id}/measurements",
    auth=READ,
    response=responses(200, list[MeasurementOut], 404, 422),
    summary="List a KPI's measurements",
    description="Newest first.",
)
@paginate(Page)
def list_measurements(request, kpi_id: int):
    kpi = get_kpi(request, kpi_id)
    return kpi.measurements.latest_first().select_related("kpi", "recorded_by")


@router.post(
    "/kpis/{kpi_id}/measurements",
    auth=CONTRIBUTE,
    response=responses(201, MeasurementOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record a measurement",
    description="For a KPI measured by people (manual or import); a date in the future is "
    "refused (422); a KPI fed by a check or an app figure answers 409.",
)
def create_measurement(request, kpi_id: int, payload: MeasurementIn):
    kpi = get_kpi(request, kpi_id)
    measurement = services.add_measurement(
        kpi, actor=request.user, date=payload.date, value=payload.value, note=payload.note
    )
    return Status(201, measurement)


class Problem(Schema):
    row: int | None = Field(description="The row of the file; the header is row 1.")
    column: str | None
    message: str


class ImportErrorOut(ErrorOut):
    problems: list[Problem] = Field(
        [],
        description="Each problem of the file; left out when the request is refused before "
        "the file is read (no file sent).",
    )


class KPIImportOut(Schema):
    imported: int
    measurements: list[MeasurementOut]


@router.post(
    "/kpi-measurements/import",
    auth=CONTRIBUTE,
    response={**responses(201, KPIImportOut, 403, 400, 413), 422: ImportErrorOut},
    summary="Import measurements from a CSV file",
    description="A multipart upload (field `file`) with the columns kpi,date,value,note; kpi "
    "is a KPI's name or number. The whole file is checked first: if any row is wrong nothing "
    "is imported and the answer (422) names each row and column. At most 1 MiB and 5,000 "
    "rows.",
)
def import_measurements(request, file: File[UploadedFile]):
    try:
        made = services.import_measurements(request.org, file, actor=request.user)
    except services.ImportRefused as refused:
        shown = refused.problems[: services.ImportRefused.MAX_SHOWN]
        errors = [{"field": p.column, "message": str(p)} for p in shown]
        return Status(
            422,
            {
                "detail": "Nothing was imported. " + " ".join(str(p) for p in shown[:5]),
                "errors": errors,
                "problems": [
                    {"row": p.row, "column": p.column, "message": p.message} for p in shown
                ],
            },
        )
    return Status(201, {"imported": len(made), "measurements": made})
