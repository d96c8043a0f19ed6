"""Technical checks: their definitions, their runs, and the ML pipeline's statistics."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, InvalidInput, responses
from aims.api.lookups import Errors
from aims.api.pagination import Page
from aims.api.schemas import JsonObject, Name, api_choices, bounded_text, text_of
from aims.catalog.lookups import controls_named
from aims.inventory.models import AISystem
from aims.metrics import InputError
from aims.metrics import thresholds as th
from aims.risk.api import risks_named

from . import services, tasks
from .kinds import fairness, kind_of, performance
from .models import Check, CheckRun, Schedule, SourceType
from .models import Kind as _CheckKind

CheckKind = api_choices("CheckKind", _CheckKind)

router = Router(tags=["Technical checks"])


class ThresholdOut(Schema):
    metric: str
    op: Literal["max", "min"]
    limit: float


class ThresholdResultOut(ThresholdOut):
    value: float | None
    passed: bool
    message: str = ""


class RunSummaryOut(Schema):
    id: int
    status: str
    origin: str
    started_at: dt.datetime


class CheckOut(Schema):
    id: int
    system: str = Field(description="Short id of the AI system.")
    name: str
    kind: CheckKind
    source_type: str
    schedule: str
    is_active: bool
    options: dict[str, Any]
    thresholds: list[ThresholdOut]
    controls: list[str]
    risks: list[str]
    latest_run: RunSummaryOut | None

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_options(obj) -> dict[str, Any]:
        return obj.options_as_given()

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return [r.ref for r in obj.risks.all()]

    @staticmethod
    def resolve_latest_run(obj):
        runs = list(obj.runs.all())  # prefetched, newest first
        return runs[0] if runs else None


class RunOut(Schema):
    id: int
    check: int = Field(description="Id of the check.")
    status: str
    origin: str
    started_at: dt.datetime
    duration_ms: int
    engine_version: str
    fingerprint: dict[str, Any]
    result: dict[str, Any] = Field(
        description="by_group, overall, aggregates, thresholds and passed, as `aims check` prints."
    )
    statistics: dict[str, Any]
    evidence: int | None
    alert: int | None = Field(
        description="The alert this run raised; null when it passed, or when it failed while its "
        "check's alert was still open (the run then counts in that alert's repeats)."
    )

    @staticmethod
    def resolve_check(obj) -> int:
        return obj.definition_id

    @staticmethod
    def resolve_evidence(obj) -> int | None:
        return obj.evidence_id

    @staticmethod
    def resolve_alert(obj) -> int | None:
        alert = getattr(obj, "alert", None)
        return alert.pk if alert is not None else None


class ThresholdIn(Schema):
    metric: bounded_text(100) = Field(
        description="A metric of the check's kind, by its short name (dp_difference) or full "
        "name (demographic_parity_difference); `aims check --help` lists them.",
        min_length=1,
    )
    op: Literal["max", "min"] = Field(description="max: the value may not exceed the limit.")
    limit: float


class CheckOptionsIn(Schema):
    """The column mapping and settings of a check. Only the options of its kind are kept."""

    label: Name | None = Field(None, description="Fairness, performance: the true outcome.")
    prediction: Name | None = Field(None, description="The model's 0/1 decision column.")
    score: Name | None = Field(None, description="A score column, instead of a prediction.")
    threshold: float | None = Field(
        None, description=f"Decision threshold on the score ({fairness.DEFAULTS.threshold:g})."
    )
    positive_label: Name | int | None = Field(None, description="When the outcome is not 0/1.")
    sensitive: list[Name] = Field(default_factory=list, description="Sensitive feature columns.")
    reference_group: Name | None = Field(None, description="For disparate impact: sex=Male.")
    min_group_size: int = Field(
        fairness.DEFAULTS.min_group_size,
        ge=1,
        description="Smaller groups are reported as too few.",
    )
    task: Literal["classification", "regression"] = performance.DEFAULTS.task
    columns: list[Name] = Field(default_factory=list, description="Drift: the columns (all).")
    categorical: list[Name] = Field(default_factory=list, description="Drift: coded columns.")
    expected_columns: dict[Name, Name] | None = Field(
        None, description="Quality: column to type (integer, float, string, boolean, ...)."
    )
    max_missing: float | None = Field(None, ge=0, le=1, description="Quality: largest share.")
    ranges: dict[Name, tuple[float, float]] | None = Field(
        None, description="Quality: column to [lowest, highest] allowed value."
    )
    allowed: dict[Name, list[Name]] | None = Field(None, description="Quality: allowed values.")
    max_duplicate_share: float | None = Field(None, ge=0, le=1)
    min_rows: int | None = Field(None, ge=0)
    max_rows: int | None = Field(None, ge=0)


class CheckIn(Schema):
    name: text_of(Check, "name") = Field(min_length=1)
    kind: CheckKind
    source_type: Literal["pipeline", "path"] = Field(
        "pipeline",
        description="pipeline: runs come from `aims check … --server`; path: the server reads "
        "`data_path` (under AIMS_CHECK_DATA_DIRS). Files are uploaded through the web form.",
    )
    data_path: text_of(Check, "data_path") = ""
    reference_path: text_of(Check, "reference_path") = Field(
        "", description="Drift: the reference data."
    )
    options: CheckOptionsIn = Field(default_factory=CheckOptionsIn)
    thresholds: list[ThresholdIn] = Field(default_factory=list)
    schedule: Schedule = Schedule.MANUAL
    controls: list[Name] = Field(
        default_factory=list, description="Annex A controls the runs are evidence for: A.5.4."
    )
    risks: list[Name] = Field(default_factory=list, description="Risks it monitors, by ref.")
    is_active: bool = True


class CheckPatchIn(Schema):
    """The fields of `CheckIn` to change; those not sent stay as they are."""

    name: text_of(Check, "name") | None = Field(None, min_length=1)
    kind: CheckKind | None = None
    source_type: Literal["pipeline", "path"] | None = None
    data_path: text_of(Check, "data_path") | None = None
    reference_path: text_of(Check, "reference_path") | None = None
    options: CheckOptionsIn | None = None
    thresholds: list[ThresholdIn] | None = None
    schedule: Schedule | None = None
    controls: list[Name] | None = None
    risks: list[Name] | None = None
    is_active: bool | None = None


# The service's names of what it refuses -> the API's fields (options are under ``options``).
API_FIELDS = {
    **{
        name: f"options.{name}"
        for name in ("label", "prediction", "score", "sensitive", "columns", "categorical")
    },
    **{name: f"options.{name}" for name in ("expected_columns", "ranges", "allowed")},
}


def _save_check(request, check: Check, data: dict) -> Check:
    """Apply the sent fields and save through the service; every problem is one 422."""
    errors = Errors()
    for key in (
        "name",
        "kind",
        "source_type",
        "data_path",
        "reference_path",
        "schedule",
        "is_active",
    ):
        if key in data:
            setattr(check, key, data[key])
    if check.source_type == SourceType.PIPELINE:
        check.data_path = check.reference_path = ""
    kind = kind_of(check)
    if "options" in data or "kind" in data:
        check.options = kind.options_from_api(data.get("options") or check.options_as_given())
    if "thresholds" in data or "kind" in data:
        limits = data.get("thresholds", check.thresholds) or []
        check.thresholds = []
        for number, item in enumerate(limits):
            try:
                metric = th.canonical_metric(kind.kind, item["metric"])
            except InputError as exc:
                errors.add(f"thresholds.{number}.metric", str(exc))
                continue
            check.thresholds.append({"metric": metric, "op": item["op"], "limit": item["limit"]})
    controls = controls_named(data["controls"], errors=errors) if "controls" in data else None
    risks = risks_named(request.org, data["risks"], errors=errors) if "risks" in data else None
    if errors:  # with what the service finds besides: every problem in one 422
        known = {key.split(".")[0] for key in errors if key}
        for field, message in services.definition_problems(check).items():
            if field not in known:
                errors.add(API_FIELDS.get(field, field), message)
        errors.raise_if_any()
    try:
        return services.save_check(check, actor=request.user, controls=controls, risks=risks)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            exc = ValidationError({API_FIELDS.get(k, k): v for k, v in exc.message_dict.items()})
        errors.raise_with(exc)
        raise


class Fingerprint(Schema):
    rows: int | None = Field(None, ge=0)
    sha256: bounded_text(64) | None = Field(
        None, description="Of the file; for a folder or glob, over each file's name, size and hash."
    )
    file: bounded_text(255) | None = None
    files: int | None = Field(None, ge=1, description="Folder or glob: how many files.")
    bytes: int | None = Field(None, ge=0, description="Folder or glob: their total size.")


class PipelineRunIn(Schema):
    kind: CheckKind
    check: int | None = Field(None, description="Id of the check when the system has several.")
    statistics: JsonObject | None = Field(
        None, description="Sufficient statistics (fairness, performance): counts per group."
    )
    report: JsonObject | None = Field(
        None, description="The aggregate report of a drift or quality check."
    )
    fingerprint: Fingerprint = Field(default_factory=Fingerprint)
    engine_version: bounded_text(20) = ""


class PipelineRunOut(Schema):
    id: int
    status: str
    passed: bool
    thresholds: list[ThresholdResultOut]
    url: str


def _checks(org):
    return (
        Check.objects.for_org(org)
        .select_related("system")
        .prefetch_related(
            "controls",
            "risks",
            Prefetch("runs", queryset=CheckRun.objects.order_by("-started_at", "-pk")),
        )
    )


def _runs(org):
    return CheckRun.objects.for_org(org).select_related("alert")


def _run_url(request, run: CheckRun) -> str:
    return request.build_absolute_uri(
        reverse("run_detail", kwargs={"org": run.organization.slug, "run_id": run.pk})
    )


@router.get(
    "/systems/{slug}/checks",
    auth=READ,
    response=responses(200, list[CheckOut], 404),
    summary="List the checks of an AI system",
)
def list_system_checks(request, slug: Name):
    system = get_object_or_404(AISystem.objects.for_org(request.org), slug=slug)
    return list(_checks(request.org).filter(system=system))


@router.post(
    "/systems/{slug}/checks",
    auth=CONTRIBUTE,
    response=responses(201, CheckOut, 403, 404, 409, *BODY_ERRORS),
    summary="Define a technical check",
    description=(
        "A fairness, performance, drift or data-quality check on the AI system. A pipeline-fed "
        "check receives its runs from `aims check … --server URL --token T --system SLUG`; a "
        "path check is run by the server on a file under AIMS_CHECK_DATA_DIRS, by hand or on "
        "its schedule. Example body:\n\n```json\n"
        '{"name": "Approval parity", "kind": "fairness", "source_type": "pipeline",\n'
        ' "options": {"label": "repaid", "prediction": "approved", "sensitive": ["sex"],\n'
        '             "reference_group": "sex=Male"},\n'
        ' "thresholds": [{"metric": "dp_difference", "op": "max", "limit": 0.1},\n'
        '                {"metric": "di_ratio", "op": "min", "limit": 0.8}],\n'
        ' "controls": ["A.5.4", "A.6.2.4"]}\n```'
    ),
)
def create_check(request, slug: Name, payload: CheckIn):
    system = get_object_or_404(AISystem.objects.for_org(request.org), slug=slug)
    check = Check(organization=request.org, system=system)
    _save_check(request, check, payload.model_dump())
    return Status(201, _checks(request.org).get(pk=check.pk))


@router.patch(
    "/checks/{check_id}",
    auth=CONTRIBUTE,
    response=responses(200, CheckOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a technical check",
    description="Changes only the fields sent; `options` and `thresholds`, when sent, replace "
    "the whole set. Runs already recorded keep the limits they were judged by.",
)
def update_check(request, check_id: int, payload: CheckPatchIn):
    check = get_object_or_404(_checks(request.org), pk=check_id)
    sent = payload.model_dump(exclude_unset=True)
    nulls = [key for key, value in sent.items() if value is None]
    if nulls:
        raise InvalidInput(
            {key: ["Leave the field out to keep it; null is not a value."] for key in nulls}
        )
    _save_check(request, check, sent)
    return _checks(request.org).get(pk=check.pk)


@router.get(
    "/checks/{check_id}", auth=READ, response=responses(200, CheckOut, 404), summary="Read a check"
)
def read_check(request, check_id: int):
    return get_object_or_404(_checks(request.org), pk=check_id)


@router.get(
    "/checks/{check_id}/runs",
    auth=READ,
    response=responses(200, list[RunOut], 404, 422),
    summary="List the runs of a check, newest first",
)
@paginate(Page)
def list_check_runs(request, check_id: int):
    check = get_object_or_404(Check.objects.for_org(request.org), pk=check_id)
    return _runs(request.org).filter(definition=check).order_by("-started_at", "-pk")


@router.get(
    "/check-runs/{run_id}",
    auth=READ,
    response=responses(200, RunOut, 404),
    summary="Read a check run",
)
def read_check_run(request, run_id: int):
    return get_object_or_404(_runs(request.org), pk=run_id)


class QueuedRunOut(Schema):
    task: str = Field(description="Id of the queued run; poll `url` while it is queued or running.")
    state: Literal["queued", "running", "done", "error"]
    run: int | None = Field(None, description="The recorded run, once done.")
    error: str | None = Field(
        None, description="Why the check could not run (recorded as an error run)."
    )
    url: str | None = Field(None, description="Where to poll while queued or running.")


def _queued(request, check: Check, queued: tasks.QueuedRun) -> QueuedRunOut:
    path = f"/api/v1/checks/{check.pk}/queued-runs/{queued.id}"
    return QueuedRunOut(
        task=queued.id,
        state=queued.state,
        run=queued.run,
        error=queued.error,
        url=request.build_absolute_uri(path) if queued.waiting else None,
    )


@router.post(
    "/checks/{check_id}/runs",
    auth=CONTRIBUTE,
    response=responses(202, QueuedRunOut, 403, 404, 409, 422),
    summary="Queue a run of a check on the server",
    description="Queues the check for the background worker (`aims worker`), which computes "
    "it on its data file or path and records the run as evidence. Poll the returned `url` "
    "while `state` is `queued` or `running`, until it is `done` (then `run` is the "
    "recorded run) or `error` (the engine's "
    "message; nothing is recorded). 409 when a run of the check is already queued; 422 "
    "for a check fed by the pipeline.",
)
def run_check_now(request, check_id: int):
    check = get_object_or_404(Check.objects.for_org(request.org), pk=check_id)
    if check.source_type == SourceType.PIPELINE:
        raise InvalidInput(
            {
                None: "This check's runs come from the ML pipeline "
                f"(POST /api/v1/systems/{check.system.slug}/check-runs)."
            }
        )
    if tasks.pending_for(check):
        raise HttpError(409, "A run of this check is already queued.")
    result = tasks.enqueue_run(check, actor=request.user)
    return Status(202, _queued(request, check, tasks.describe(result)))


@router.get(
    "/checks/{check_id}/queued-runs/{task_id}",
    auth=READ,
    response=responses(200, QueuedRunOut, 404, 422),
    summary="Where a queued run stands",
)
def read_queued_run(request, check_id: int, task_id: uuid.UUID):
    check = get_object_or_404(Check.objects.for_org(request.org), pk=check_id)
    queued = tasks.result_for(check, str(task_id))
    if queued is None:
        raise Http404("No such queued run of this check.")
    return _queued(request, check, queued)


@router.post(
    "/systems/{slug}/check-runs",
    auth=CONTRIBUTE,
    response=responses(201, PipelineRunOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record a check run from the ML pipeline",
    description=(
        "What `aims check … --server URL --token T --system SLUG` sends: the sufficient "
        "statistics only (for fairness, the confusion counts per group), never a row of data. "
        "The server recomputes the metrics, applies the CHECK's thresholds (the client's are "
        "not trusted), records the run as evidence and raises an alert if it failed.\n\n"
        "The check is the system's only active check of that kind, or the one named by "
        '`check`. Example body:\n\n```json\n{"kind": "fairness", "check": null,\n'
        ' "statistics": {"kind": "fairness", "version": 1, "sensitive": ["sex"],\n'
        '   "positive_label": 1, "threshold": null, "groups": [\n'
        '     {"values": ["Female"], "tp": 3163, "fp": 420, "tn": 3808, "fn": 2163},\n'
        '     {"values": ["Male"], "tp": 5573, "fp": 951, "tn": 3112, "fn": 810}]},\n'
        ' "fingerprint": {"rows": 20000, "sha256": "…", "file": "preds.parquet"},\n'
        ' "engine_version": "1.0.0"}\n```'
    ),
)
def record_pipeline_run(request, slug: Name, payload: PipelineRunIn):
    system = get_object_or_404(AISystem.objects.for_org(request.org), slug=slug)
    check = services.check_for_pipeline_run(system, payload.kind, payload.check)
    run = services.record_pipeline_run(
        check,
        actor=request.user,
        kind=payload.kind,
        statistics=payload.statistics,
        report=payload.report,
        fingerprint=payload.fingerprint.model_dump(exclude_none=True),
        engine_version=payload.engine_version or None,
    )
    return Status(
        201,
        {
            "id": run.pk,
            "status": run.status,
            "passed": run.passed,
            "thresholds": run.threshold_results,
            "url": _run_url(request, run),
        },
    )
