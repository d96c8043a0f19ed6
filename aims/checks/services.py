"""Running technical checks and recording their runs as evidence.

A run, from the app, the scheduler or the ML pipeline, ends in :func:`record_run`: one
transaction writes the run, the evidence (a JSON record of the result, linked to the check's
controls, risks and AI system), the audit events, and an alert to the system owner if it failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

import aims.metrics as metrics
from aims.audit.models import Action
from aims.audit.services import record, save_governed
from aims.evidence import storage
from aims.evidence.models import Evidence
from aims.evidence.services import create_evidence
from aims.metrics import thresholds as th
from aims.soa.models import SoAEntry

from .models import (
    Alert,
    Check,
    CheckRun,
    Kind,
    Origin,
    RunStatus,
    Schedule,
    SourceType,
    stored_options,
)

logger = logging.getLogger(__name__)

SCHEDULE_STEP = {Schedule.DAILY: dt.timedelta(days=1), Schedule.WEEKLY: dt.timedelta(days=7)}


# --- Data sources ---------------------------------------------------------------------------


def allowed_data_dirs() -> list[Path]:
    """Folders the server may read check data from (``AIMS_CHECK_DATA_DIRS``, ``:``-separated),
    with their symbolic links resolved."""
    return [Path(p).expanduser().resolve() for p in settings.AIMS_CHECK_DATA_DIRS]


def _folder_of(path: Path, roots: list[Path]) -> Path | None:
    return next((root for root in roots if path == root or root in path.parents), None)


def shown_path(path: Path | str, roots: list[Path] | None = None) -> str:
    """How messages name a server path: relative to its check data folder (``credit/log.parquet
    in check-data``), never the folder's absolute location on the server."""
    path = Path(path)
    roots = allowed_data_dirs() if roots is None else roots
    root = _folder_of(path, roots)
    if root is None:
        return path.name or str(path)
    inside = path.relative_to(root).as_posix()
    return f"{inside} in {root.name}" if inside != "." else f"the data folder {root.name}"


def without_server_paths(message: str) -> str:
    """A message with the absolute locations of the data folders and of stored files taken out
    (engine errors quote the paths they were given)."""
    replacements = [(f"{storage.root().resolve()}/", "stored file ")]
    replacements += [(f"{root}/", f"{root.name}/") for root in allowed_data_dirs()]
    for absolute, shown in sorted(replacements, key=lambda pair: -len(pair[0])):
        message = message.replace(absolute, shown)
    return message


def resolve_data_path(raw: str, *, field: str = "data_path") -> Path:
    """A readable file, folder or glob under an allowed folder; anything else is refused with a
    clear message.

    Symbolic links are resolved before the allow-list test, for the path given and for every file
    a folder or glob stands for: a link inside a data folder that points outside it is refused. A
    relative path is read from the first data folder. Messages name paths relative to their data
    folder, never where that folder lies on the server.
    """
    text = raw.strip()
    if text.startswith("file://"):
        text = text[len("file://") :]
    if not text:
        raise ValidationError({field: "Give the path of the data file."})
    if "\x00" in text:
        raise ValidationError({field: "The path contains a null character."})
    roots = allowed_data_dirs()
    if not roots:
        raise ValidationError(
            {
                field: "This server reads no check data folders (AIMS_CHECK_DATA_DIRS is empty): "
                "upload the data file instead."
            }
        )
    given = Path(text).expanduser()
    path = (given if given.is_absolute() else roots[0] / given).resolve()
    if _folder_of(path, roots) is None:
        raise ValidationError(
            {
                field: f"{text} is outside the folders the server may read check data from "
                f"({', '.join(root.name for root in roots)}; set by AIMS_CHECK_DATA_DIRS)."
            }
        )
    pattern = any(c in text for c in "*?[")
    if not (path.is_file() or path.is_dir() or pattern):
        raise ValidationError(
            {field: f"{shown_path(path, roots)} does not exist or is not a file."}
        )
    if path.is_dir() or pattern:
        try:
            files = metrics.data_files(path).files
        except metrics.InputError:
            files = ()  # nothing to read yet: a run says so; a link is judged once it is there
        for file in files:
            if _folder_of(file.resolve(), roots) is None:
                raise ValidationError(
                    {
                        field: f"{shown_path(file, roots)} is a link to a file outside the "
                        "folders the server may read check data from; it is not read."
                    }
                )
    return path


def _source(blob, name: str, path: str, *, field: str):
    """The data to hand to the metrics engine, and its fingerprint (file name and hash)."""
    if blob is not None:
        storage.verify(blob.sha256)
        return str(storage.path_for(blob.sha256)), {"file": name, "sha256": blob.sha256}
    resolved = resolve_data_path(path, field=field)
    return str(resolved), metrics.fingerprint_files(resolved)


def data_suffix(name: str) -> str:
    """Keep the file type the engine recognizes by (content-addressed files have no suffix)."""
    lower = name.lower()
    for suffix in (".parquet", ".pq", ".csv", ".tsv"):
        if lower.endswith(suffix):
            return suffix
    return ""


def _engine_input(path: str, name: str) -> str:
    """Content-addressed blobs have no file suffix; give DuckDB a link that has one."""
    suffix = data_suffix(name)
    if not suffix or path.lower().endswith(suffix):
        return path
    link = storage.root() / "typed" / (Path(path).name + suffix)
    link.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.symlink(path, link)
    return str(link)


# --- Computing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a computation gives: the summary the CLI prints, the statistics, the fingerprint."""

    summary: dict
    statistics: dict
    fingerprint: dict
    duration_ms: int


def _fairness_options(options: dict) -> dict:
    """The column mapping, as fairness_statistics and performance_report take it."""
    chosen = {
        "label": options.get("label"),
        "sensitive": options.get("sensitive") or [],
    }
    if options.get("score"):
        chosen["score"] = options["score"]
        threshold = options.get("threshold")
        chosen["threshold"] = 0.5 if threshold is None else float(threshold)
    else:
        chosen["prediction"] = options.get("prediction")
    if options.get("positive_label") not in (None, ""):
        chosen["positive_label"] = options["positive_label"]
    return chosen


def compute(check: Check) -> Outcome:
    """Run the check's computation on its data source (raises metrics.InputError on bad data)."""
    if check.source_type == SourceType.PIPELINE:
        raise ValidationError(
            "This check is fed by the ML pipeline (`aims check … --server`); it has no data "
            "the server can read."
        )
    started = time.perf_counter()
    data, fingerprint = _source(
        check.data_blob, check.data_name, check.data_path, field="data_path"
    )
    data = _engine_input(data, check.data_name or check.data_path)
    options = check.options or {}
    kind = Kind(check.kind)
    statistics: dict = {}
    if kind == Kind.FAIRNESS:
        stats = metrics.fairness_statistics(data, **_fairness_options(options))
        report = metrics.fairness_from_statistics(
            stats,
            min_group_size=int(options.get("min_group_size") or 30),
            reference_group=options.get("reference_group") or None,
        )
        statistics = stats.to_dict()
        report_dict = report.to_dict()
        fingerprint["rows"] = stats.overall().n
    elif kind == Kind.PERFORMANCE:
        fair = _fairness_options(options)
        report = metrics.performance_report(
            data,
            task=options.get("task") or "classification",
            **{k: v for k, v in fair.items() if k != "sensitive" or v},
        )
        report_dict = report.to_dict()
        statistics = report_dict.pop("statistics", {}) or {}
        fingerprint["rows"] = int(report.overall["count"])
    elif kind == Kind.DRIFT:
        reference, ref_print = _source(
            check.reference_blob,
            check.reference_name,
            check.reference_path,
            field="reference_path",
        )
        reference = _engine_input(reference, check.reference_name or check.reference_path)
        report = metrics.drift_report(
            reference,
            data,
            columns=options.get("columns") or None,
            categorical=options.get("categorical") or None,
        )
        report_dict = report.to_dict()
        fingerprint = {"current": fingerprint, "reference": ref_print}
    else:
        report = metrics.quality_report(
            data,
            expected_columns=check.column_rule("expected_columns") or None,
            max_missing=options.get("max_missing"),
            ranges={k: tuple(v) for k, v in check.column_rule("ranges").items()} or None,
            allowed={k: set(v) for k, v in check.column_rule("allowed").items()} or None,
            max_duplicate_share=options.get("max_duplicate_share"),
            min_rows=options.get("min_rows"),
            max_rows=options.get("max_rows"),
        )
        report_dict = report.to_dict()
    if kind != Kind.FAIRNESS and "rows" not in fingerprint:
        fingerprint["rows"] = report_dict.get("n_rows") or report_dict.get("n_current")
    results = th.evaluate(kind.value, report_dict, stored_thresholds(check))
    summary = _kept_result(kind.value, report_dict, results)
    return Outcome(summary, statistics, fingerprint, int((time.perf_counter() - started) * 1000))


# What a run keeps beside the CLI's summary, for its page: which reference group the disparate
# impact ratio used, and which groups were too small to count.
CONTEXT = ("reference_group", "min_group_size", "insufficient")


def _kept_result(kind: str, report: dict, results) -> dict:
    """The summary ``aims check --format json`` prints, with the report's context added."""
    kept = th.summary(kind, report, results)
    kept.update({key: report[key] for key in CONTEXT if report.get(key) not in (None, [], ())})
    return kept


def stored_thresholds(check: Check) -> list:
    return [th.Threshold(t["metric"], t["op"], float(t["limit"])) for t in check.thresholds or []]


def outcome_from_pipeline(
    check: Check, *, kind: str, statistics: dict | None, report: dict | None, fingerprint: dict
) -> Outcome:
    """Recompute the metrics from statistics posted by a pipeline, and apply our thresholds."""
    started = time.perf_counter()
    if kind != check.kind:
        raise ValidationError({"kind": f"This check is a {check.get_kind_display()} check."})
    options = check.options or {}
    if kind == Kind.FAIRNESS:
        stats = metrics.FairnessStatistics.from_dict(statistics or {})
        report_dict = metrics.fairness_from_statistics(
            stats,
            min_group_size=int(options.get("min_group_size") or 30),
            reference_group=options.get("reference_group") or None,
        ).to_dict()
    elif kind == Kind.PERFORMANCE:
        stats = metrics.PerformanceStatistics.from_dict(statistics or {})
        report_dict = metrics.performance_from_statistics(stats).to_dict()
    else:
        # Drift and quality reports are aggregates already; they hold no row of data.
        if not isinstance(report, dict) or not report:
            raise ValidationError({"report": "Send the report of the drift or quality check."})
        report_dict = report
    report_dict.pop("statistics", None)
    results = th.evaluate(kind, report_dict, stored_thresholds(check))
    summary = _kept_result(kind, report_dict, results)
    return Outcome(
        summary, statistics or {}, fingerprint, int((time.perf_counter() - started) * 1000)
    )


# --- Recording ------------------------------------------------------------------------------


def _result_file(run: CheckRun, check: Check) -> SimpleUploadedFile:
    body = {
        "check": {
            "name": check.name,
            "kind": check.kind,
            "system": check.system.slug,
            "options": check.options,
            "thresholds": check.thresholds,
        },
        "run": {
            "started_at": run.started_at.isoformat(),
            "status": run.status,
            "origin": run.origin,
            "duration_ms": run.duration_ms,
            "engine_version": run.engine_version,
            "fingerprint": run.fingerprint,
        },
        "result": run.result,
        "statistics": run.statistics,
    }
    name = f"check-run-{check.system.slug}-{check.pk}-{run.started_at:%Y%m%dT%H%M%S}.json"
    return SimpleUploadedFile(
        name,
        json.dumps(body, indent=2, sort_keys=True, default=str).encode(),
        content_type="application/json",
    )


@transaction.atomic
def record_run(
    check: Check,
    outcome: Outcome,
    *,
    actor=None,
    origin: str = Origin.MANUAL,
    engine_version: str | None = None,
) -> CheckRun:
    """Store a run and turn it into evidence linked to the check's controls, risks and system."""
    passed = bool(outcome.summary.get("passed"))
    run = CheckRun.objects.create(
        definition=check,
        organization=check.organization,
        status=RunStatus.PASSED if passed else RunStatus.FAILED,
        origin=origin,
        triggered_by=actor if getattr(actor, "pk", None) else None,
        duration_ms=outcome.duration_ms,
        fingerprint=outcome.fingerprint,
        statistics=outcome.statistics,
        result=outcome.summary,
        engine_version=engine_version or metrics.ENGINE_VERSION,
    )
    verdict = "passed" if passed else "FAILED"
    today = timezone.localdate()
    evidence = create_evidence(
        Evidence(
            organization=check.organization,
            title=f"{check.get_kind_display()} check “{check.name}” {verdict} on {today}",
            description=_describe(check, run),
            effective_from=today,
        ),
        actor=actor,
        files=[_result_file(run, check)],
        links={
            "soa_entries": list(
                SoAEntry.objects.filter(
                    organization=check.organization, control__in=check.controls.all()
                )
            ),
            "risks": list(check.risks.all()),
            "systems": [check.system],
        },
    )
    run.evidence = evidence
    run.save(update_fields=["evidence"])
    record(
        check.organization,
        actor=actor,
        instance=check,
        action=Action.UPDATE,
        changes={
            "last_run": [None, {"status": run.status, "run": run.pk, "evidence": evidence.pk}]
        },
        note=_describe(check, run),
    )
    if not passed:
        raise_alert(run)
    return run


def _describe(check: Check, run: CheckRun) -> str:
    lines = [
        f"{check.get_kind_display()} check on {check.system.name}: {run.get_status_display()}."
    ]
    for t in run.threshold_results:
        value = "n/a" if t.get("value") is None else f"{t['value']:.4g}"
        sign = "≤" if t.get("op") == "max" else "≥"
        lines.append(
            f"{t['metric']} = {value} (limit {sign} {t['limit']}): "
            f"{'pass' if t.get('passed') else 'FAIL'}"
        )
    rows = run.fingerprint.get("rows") if isinstance(run.fingerprint, dict) else None
    if rows:
        lines.append(f"{rows:,} rows.")
    return "\n".join(lines)


def raise_alert(run: CheckRun) -> Alert:
    """Alert the system owner; a check that fails again while its alert is open adds to it."""
    check = run.definition
    if run.status == RunStatus.ERROR:
        message = f"{check.get_kind_display()} check “{check.name}” could not run: {run.error}"
    else:
        failed = [t["metric"] for t in run.threshold_results if not t.get("passed")]
        what = ", ".join(failed) if failed else "the check"
        message = (
            f"{check.get_kind_display()} check “{check.name}” failed: {what} outside the limit."
        )
    alert = (
        Alert.objects.select_for_update()
        .open()
        .filter(run__definition=check)
        .order_by("created_at", "pk")
        .first()
    )
    if alert is not None:
        alert.last_run = run
        alert.repeats += 1
        alert.message = message
        return save_governed(alert, actor=None)
    alert = Alert.objects.create(
        organization=check.organization,
        system=check.system,
        run=run,
        recipient=check.system.owner,
        message=message,
    )
    record(
        check.organization,
        actor=None,
        instance=alert,
        action=Action.CREATE,
        changes={
            "message": [None, alert.message],
            "recipient": [None, getattr(alert.recipient, "username", None)],
        },
    )
    return alert


@transaction.atomic
def record_error_run(
    check: Check, message: str, *, origin: str = Origin.SCHEDULED, actor=None
) -> CheckRun:
    """A run that could not be computed (unreadable data, a changed file, a lost worker, an
    engine error): kept in the history (it is not evidence of anything) and alerted to the
    system owner, whether someone pressed "Run now" or the schedule started it."""
    run = CheckRun.objects.create(
        definition=check,
        organization=check.organization,
        status=RunStatus.ERROR,
        origin=origin,
        triggered_by=actor if getattr(actor, "pk", None) else None,
        error=message[:10_000],
        engine_version=metrics.ENGINE_VERSION,
    )
    record(
        check.organization,
        actor=actor if getattr(actor, "pk", None) else None,
        instance=check,
        action=Action.UPDATE,
        changes={"last_run": [None, {"status": run.status, "run": run.pk}]},
        note=f"Could not run: {message[:10_000]}",
    )
    raise_alert(run)
    return run


def failure_message(exc: BaseException) -> str:
    """Why a run could not be computed, in plain words (no traceback, no server path)."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, metrics.InputError):
        return without_server_paths(str(exc))
    if isinstance(exc, storage.IntegrityError):
        missing = "missing" in str(exc)
        return (
            "The uploaded data file is missing from storage."
            if missing
            else "The uploaded data file was altered after upload: its content no longer "
            "matches the SHA-256 recorded when it was uploaded."
        )
    if isinstance(exc, IsADirectoryError):
        return "The data path names a folder where a data file was expected."
    if isinstance(exc, FileNotFoundError):
        return "The data file is missing: it was moved or deleted since the check was defined."
    if isinstance(exc, PermissionError):
        return "The server is not allowed to read the data file."
    if isinstance(exc, OSError):
        return f"The data file could not be read ({exc.strerror or type(exc).__name__})."
    name = type(exc).__name__
    detail = without_server_paths(str(exc).splitlines()[0])[:300] if str(exc) else ""
    if name.endswith(("IOException", "InvalidInputException", "ArrowInvalid", "ArrowIOError")):
        return f"The data file is unreadable or corrupt: {detail or name}"
    return f"The computation stopped with an unexpected error ({name}{': ' if detail else ''}{detail})."


def run_check(check: Check, *, actor=None, origin: str = Origin.MANUAL) -> CheckRun:
    """Compute and record a run. When it cannot be computed, whatever the cause, an error run
    saying why is recorded instead and the system owner alerted."""
    try:
        outcome = compute(check)
        return record_run(check, outcome, actor=actor, origin=origin)
    except Exception as exc:  # every failure is recorded: the run page says why
        logger.warning("Check %s could not run", check.pk, exc_info=True)
        return record_error_run(check, failure_message(exc), origin=origin, actor=actor)


def record_pipeline_run(
    check: Check,
    *,
    actor,
    kind: str,
    statistics: dict | None,
    report: dict | None,
    fingerprint: dict,
    engine_version: str | None,
) -> CheckRun:
    outcome = outcome_from_pipeline(
        check, kind=kind, statistics=statistics, report=report, fingerprint=fingerprint
    )
    return record_run(
        check, outcome, actor=actor, origin=Origin.PIPELINE, engine_version=engine_version
    )


@transaction.atomic
def resolve_alert(alert: Alert, *, actor, resolution: str) -> Alert:
    if not resolution.strip():
        raise ValidationError({"resolution": "Say what was done about the failed check."})
    if alert.resolved_at is not None:
        raise ValidationError("This alert is already resolved.")
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor
    alert.resolution = resolution
    return save_governed(alert, actor=actor)


# --- Definitions ----------------------------------------------------------------------------


@transaction.atomic
def save_check(check: Check, *, actor, controls=None, risks=None) -> Check:
    """Create or update a check definition, after checking its source, options and limits."""
    errors: dict[str, str] = {}
    if check.system.organization_id != check.organization_id:
        errors["system"] = "The AI system must belong to this organization."
    if check.source_type == SourceType.UPLOAD and check.data_blob_id is None:
        errors["data_file"] = "Upload the data file the check runs on."
    if check.source_type == SourceType.PATH:
        try:
            resolve_data_path(check.data_path)
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if check.kind == Kind.DRIFT and check.source_type != SourceType.PIPELINE:
        if check.reference_blob_id is None and not check.reference_path:
            errors["reference_file"] = "A drift check compares with reference data: give it."
        elif check.reference_path:
            try:
                resolve_data_path(check.reference_path, field="reference_path")
            except ValidationError as exc:
                errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    options = check.options or {}
    if check.kind in (Kind.FAIRNESS, Kind.PERFORMANCE):
        if not options.get("label"):
            errors["label"] = "Name the column that holds the true outcome."
        if not (options.get("prediction") or options.get("score")):
            errors["prediction"] = "Name the prediction column, or a score column and a threshold."
    if check.kind == Kind.FAIRNESS and not options.get("sensitive"):
        errors["sensitive"] = "Name at least one sensitive feature column."
    for item in check.thresholds or []:
        try:
            th.canonical_metric(check.kind, item["metric"])
            float(item["limit"])
            if item["op"] not in ("max", "min"):
                raise ValueError
        except (KeyError, TypeError, ValueError, metrics.InputError) as exc:
            errors["thresholds"] = f"Threshold {item!r} is not valid: {exc}"
    if errors:
        raise ValidationError(errors)
    check.options = stored_options(options)
    if check.schedule != Schedule.MANUAL and check.next_run_at is None:
        check.next_run_at = timezone.now()
    if check.schedule == Schedule.MANUAL:
        check.next_run_at = None
    if check.created_by_id is None and getattr(actor, "pk", None):
        check.created_by = actor
    m2m = {}
    if controls is not None:
        m2m["controls"] = controls
    if risks is not None:
        if any(r.organization_id != check.organization_id for r in risks):
            raise ValidationError({"risks": "Risks must belong to this organization."})
        m2m["risks"] = risks
    return save_governed(check, actor=actor, m2m=m2m)


def store_data_file(uploaded) -> tuple:
    """Store an uploaded data file content-addressed; return its blob and original name."""
    from aims.evidence.models import Blob

    suffix = data_suffix(uploaded.name or "")
    if not suffix:
        raise ValidationError({"data_file": f"{uploaded.name}: upload a .parquet or .csv file."})
    if uploaded.size == 0:
        raise ValidationError({"data_file": f"{uploaded.name} is empty."})
    limit = settings.AIMS_MAX_CHECK_DATA_MB * 1024 * 1024
    if uploaded.size > limit:
        raise ValidationError(
            {
                "data_file": f"{uploaded.name} is over the "
                f"{settings.AIMS_MAX_CHECK_DATA_MB} MB limit for uploaded data; "
                "give a path the server can read instead."
            }
        )
    sha, size = storage.store(uploaded.chunks())
    blob, _ = Blob.objects.get_or_create(sha256=sha, defaults={"size": size})
    return blob, uploaded.name[:255]


def next_run_after(check: Check, now=None):
    """The next run time of a scheduled check after ``now``, keeping its cadence: a daily check
    set for 06:00 stays at 06:00 even when the worker was down for a while."""
    now = now or timezone.now()
    step = SCHEDULE_STEP.get(Schedule(check.schedule))
    if step is None:
        return None
    following = check.next_run_at or now
    if following <= now:
        following += step * ((now - following) // step + 1)
    return following
