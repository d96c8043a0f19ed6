"""Check runs as background tasks (Django's task interface, run by ``aims worker``).

A slow check never blocks a web request: "Run now" and the scheduler enqueue
:func:`run_check_task`; the worker computes the run and records it as evidence. The task returns
``{"run": id, "status": ...}``, or ``{"error": message, "run": id}`` when the check could not be
computed (the error run records why).

A task under way holds a lease (:class:`~aims.checks.models.TaskLease`) that its worker renews;
:func:`reclaim_abandoned` queues again a task whose worker died, up to AIMS_TASK_MAX_ATTEMPTS
attempts, and then records it as failed, with an error run of the check and an alert.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from . import services
from .models import Check, Origin, RunStatus, TaskLease

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
    run = services.run_check(check, actor=actor, origin=origin)
    if run.status == RunStatus.ERROR:
        logger.warning("Check %s could not run: %s", check_id, run.error)
        return {"error": run.error, "run": run.pk}
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
        lost = result.errors and result.errors[0].exception_class_path == WORKER_LOST
        error = (
            result.errors[0].traceback
            if lost
            else "The run failed unexpectedly; the worker's log has the details."
        )
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


# --- Leases: tasks whose worker died ------------------------------------------------------

WORKER_LOST = "aims.checks.tasks.WorkerLost"


def lost_message(attempts: int) -> str:
    times = "once" if attempts == 1 else f"{attempts} times"
    return (
        f"The worker stopped while running this check {times} (it was killed or crashed); "
        "the run was not tried again."
    )


def reclaim_abandoned(now=None) -> list[tuple[str, str]]:
    """Queue again every running task whose worker stopped renewing its lease, or record it as
    failed once it has been tried AIMS_TASK_MAX_ATTEMPTS times; say what was done to which.

    Each change is conditional on the start time read, so two workers never both reclaim."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.AIMS_TASK_LEASE_SECONDS)
    alive = TaskLease.objects.filter(heartbeat_at__gte=cutoff).values("task_id")
    abandoned = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).exclude(pk__in=alive)
    done = []
    for row in abandoned:
        attempts = len(row.worker_ids or [])
        mine = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        with transaction.atomic():
            if attempts < settings.AIMS_TASK_MAX_ATTEMPTS:
                if mine.update(status=TaskResultStatus.READY, started_at=None):
                    TaskLease.objects.filter(task_id=row.pk).delete()
                    logger.warning("Task %s lost its worker; queued again", row.pk)
                    done.append((str(row.pk), "retried"))
                continue
            message = lost_message(attempts)
            claimed = mine.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=message,
                return_value=None,
            )
            if not claimed:
                continue
            TaskLease.objects.filter(task_id=row.pk).delete()
            if row.task_path == run_check_task.module_path:
                _record_lost_run(row.args_kwargs, message)
            logger.error("Task %s lost its worker %d times; recorded as failed", row.pk, attempts)
            done.append((str(row.pk), "failed"))
    return done


def _record_lost_run(args_kwargs: dict, message: str) -> None:
    args = list(args_kwargs.get("args") or []) + [None, None, None]
    check = Check.objects.select_related("system", "organization").filter(pk=args[0]).first()
    if check is None:
        return
    actor_id = args[2]
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    services.record_error_run(check, message, origin=args[1] or Origin.SCHEDULED, actor=actor)


class Lease:
    """Hold the lease of a task while it runs: taken on entry, renewed from a thread every
    quarter of AIMS_TASK_LEASE_SECONDS, given back on exit."""

    def __init__(self, task_id, worker_id: str, every: float | None = None):
        self.task_id = task_id
        self.worker_id = worker_id
        self.every = every or max(settings.AIMS_TASK_LEASE_SECONDS / 4, 0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="task-heartbeat", daemon=True)

    def __enter__(self):
        TaskLease.objects.update_or_create(
            task_id=self.task_id,
            defaults={"worker_id": self.worker_id, "heartbeat_at": timezone.now()},
        )
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        TaskLease.objects.filter(task_id=self.task_id).delete()

    def _beat(self):
        try:
            while not self._stop.wait(self.every):
                try:
                    TaskLease.objects.filter(task_id=self.task_id).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError as error:  # a locked SQLite file: try at the next beat
                    logger.warning("Heartbeat of task %s failed: %s", self.task_id, error)
        finally:
            connection.close()  # this thread's own connection
