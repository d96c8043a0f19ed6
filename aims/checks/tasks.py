"""Check runs as background tasks (Django's task interface, run by ``aims worker``).

A slow check never blocks a web request: "Run now" and the scheduler enqueue
:func:`run_check_task`; the worker computes the run and records it as evidence. The task returns
``{"run": id, "status": ...}``, or ``{"error": message}`` when the data could not be read.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from aims.metrics import InputError

from . import services
from .models import Check, Origin

logger = logging.getLogger(__name__)

PENDING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
STALLED = dt.timedelta(seconds=30)


@task()
def run_check_task(check_id: int, origin: str = Origin.SCHEDULED, actor_id: int | None = None):
    check = (
        Check.objects.select_related("system", "system__owner", "organization")
        .filter(pk=check_id)
        .first()
    )
    if check is None:
        return {"error": "The check was deleted before it could run."}
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        run = services.run_check(check, actor=actor, origin=origin)
    except (ValidationError, InputError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        if origin == Origin.SCHEDULED:
            # Nobody is watching a scheduled run: the failure to run is recorded and alerted.
            services.record_error_run(check, message, origin=origin)
        logger.warning("Check %s could not run: %s", check_id, message)
        return {"error": message}
    return {"run": run.pk, "status": run.status}


def enqueue_run(check: Check, *, actor=None, origin: str = Origin.MANUAL) -> TaskResult:
    return run_check_task.enqueue(check.pk, origin, getattr(actor, "pk", None))


def enqueue_due_checks(now=None) -> list[Check]:
    """Enqueue one run of every scheduled check that is due, and move its next run time on.

    The move is conditional on the next run time read, so two schedulers never enqueue the same
    run twice."""
    now = now or timezone.now()
    enqueued = []
    for check in Check.objects.due(now).order_by("next_run_at", "pk"):
        following = services.next_run_after(check, now)
        with transaction.atomic():
            claimed = Check.objects.filter(pk=check.pk, next_run_at=check.next_run_at).update(
                next_run_at=following
            )
            if claimed:
                enqueue_run(check, origin=Origin.SCHEDULED)
                enqueued.append(check)
    return enqueued


@dataclass(frozen=True)
class QueuedRun:
    """Where a queued run of a check stands, as the check page and the API show it."""

    id: str
    state: str  # queued, running, done or error
    run: int | None = None
    error: str | None = None
    enqueued_at: dt.datetime | None = None

    @property
    def waiting(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def stalled(self) -> bool:
        """Queued for more than STALLED: is a worker running at all?"""
        since = self.enqueued_at or timezone.now()
        return self.state == "queued" and timezone.now() - since > STALLED


def describe(result: TaskResult) -> QueuedRun:
    outcome = result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None
    error = (outcome or {}).get("error")
    if result.status == TaskResultStatus.FAILED:
        error = "The run failed unexpectedly; the worker's log has the details."
    if error:
        state = "error"
    elif outcome:
        state = "done"
    else:
        state = "running" if result.status == TaskResultStatus.RUNNING else "queued"
    return QueuedRun(
        id=str(result.id),
        state=state,
        run=(outcome or {}).get("run"),
        error=error,
        enqueued_at=result.enqueued_at,
    )


def pending_for(check: Check) -> list[QueuedRun]:
    """Runs of this check waiting for the worker or under way, oldest first."""
    rows = DBTaskResult.objects.filter(
        task_path=run_check_task.module_path,
        status__in=PENDING,
        args_kwargs__args__0=check.pk,
    ).order_by("enqueued_at")
    return [describe(row.task_result) for row in rows]


def result_for(check: Check, task_id: str) -> QueuedRun | None:
    """The queued run of this check with this id, or None if the id names anything else."""
    row = DBTaskResult.objects.filter(pk=task_id, task_path=run_check_task.module_path).first()
    if row is None or row.args_kwargs.get("args", [])[:1] != [check.pk]:
        return None
    return describe(row.task_result)
