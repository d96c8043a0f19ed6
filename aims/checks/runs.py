"""Running technical checks and recording their runs as evidence.

A run, from the app, the scheduler or the ML pipeline, ends in :func:`record_run`: one
transaction writes the run, the evidence (a JSON record of the result, linked to the check's
controls, risks and AI system), the audit events, and an alert to the system owner if it failed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

import aims.metrics as metrics
from aims.core.areas import hooks
from aims.evidence import storage
from aims.evidence.models import Evidence
from aims.evidence.services import create_evidence
from aims.metrics import thresholds as th
from aims.soa.models import SoAEntry
from aims.trail.models import Action
from aims.trail.services import record, save_governed

from . import sources
from .kinds import kind_of
from .models import Alert, Check, CheckRun, Origin, RunStatus, Schedule, SourceType
from .sources import data_suffix, without_server_paths

logger = logging.getLogger(__name__)

SCHEDULE_STEP = {Schedule.DAILY: dt.timedelta(days=1), Schedule.WEEKLY: dt.timedelta(days=7)}


@dataclass(frozen=True)
class Outcome:
    """What a computation gives: the summary the CLI prints, the statistics, the fingerprint."""

    summary: dict
    statistics: dict
    fingerprint: dict
    duration_ms: int


def compute(check: Check) -> Outcome:
    """Run the check's computation on its data source (raises metrics.InputError on bad data)."""
    if check.source_type == SourceType.PIPELINE:
        raise ValidationError(
            "This check is fed by the ML pipeline (`aims check … --server`); it has no data "
            "the server can read."
        )
    started = time.perf_counter()
    data, fingerprint = sources.read(check)
    measured = kind_of(check).compute(check, data, fingerprint)
    fingerprint = measured.fingerprint
    if "rows" not in fingerprint:  # the kind did not count them: the report's row count
        report = measured.report
        fingerprint = {**fingerprint, "rows": report.get("n_rows") or report.get("n_current")}
    return _judged(check, measured.report, measured.statistics, fingerprint, started)


def _judged(check: Check, report: dict, statistics: dict, fingerprint: dict, started) -> Outcome:
    """The outcome of a report judged by the check's thresholds."""
    kind = kind_of(check).kind.value
    results = th.evaluate(kind, report, stored_thresholds(check))
    summary = _kept_result(kind, report, results)
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
    report = kind_of(check).report_from_pipeline(check, statistics=statistics, report=report)
    return _judged(check, report, statistics or {}, fingerprint, started)


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
    for fn in hooks("run_recorded"):
        fn(run)
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


def _as_the_user_knows(message: str, check: Check | None) -> str:
    """A message with the check's stored files (named by their SHA-256, with or without the
    suffix the engine reads them by) named as uploaded."""
    if check is None:
        return message
    for blob_id, name in (
        (check.data_blob_id, check.data_name),
        (check.reference_blob_id, check.reference_name),
    ):
        if not blob_id or not name:
            continue
        for stored in (
            storage.root() / "typed" / (blob_id + data_suffix(name)),
            storage.path_for(blob_id),
        ):
            for form in {str(stored), str(stored.resolve())}:
                message = message.replace(form, name)
        message = message.replace(blob_id + data_suffix(name), name).replace(blob_id, name)
    return message


def failure_message(exc: BaseException, check: Check | None = None) -> str:
    """Why a run could not be computed, in plain words (no traceback, no server path); the
    check's uploaded files are named as uploaded, never by where the server keeps them."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, metrics.InputError):
        return without_server_paths(_as_the_user_knows(str(exc), check))
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
    first = _as_the_user_knows(str(exc).splitlines()[0], check) if str(exc) else ""
    detail = without_server_paths(first)[:300]
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
        return record_error_run(check, failure_message(exc, check), origin=origin, actor=actor)


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
