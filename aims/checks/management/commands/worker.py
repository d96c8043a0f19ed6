"""``aims worker``: run queued background tasks and start scheduled checks when they are due.

One loop: queue again the tasks whose worker died (their lease ran out), enqueue the scheduled
checks whose time has come, run every queued task (django-tasks' database worker, in batch mode,
each task holding a lease its heartbeat renews), prune old task records, re-hash the stored
evidence files once a week, do the areas' periodic work (hook ``periodic``: the daily digest),
sleep. ``--once`` does one round and exits, for cron or tests. Stop it with Ctrl+C or SIGTERM:
a running task finishes first.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from aims.checks.tasks import Lease, enqueue_due_checks, reclaim_abandoned
from aims.core.areas import hooks
from aims.evidence.services import last_integrity_check, verify_evidence

log = logging.getLogger(__name__)
PRUNE_EVERY = dt.timedelta(hours=1)
STOP_SIGNALS = [signal.SIGINT, signal.SIGTERM] + (
    [signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else []
)


class LeasedWorker(Worker):
    """django-tasks' database worker, with a lease held (and renewed) while each task runs."""

    def run_task(self, db_task_result: DBTaskResult) -> None:
        with Lease(db_task_result.pk, self.worker_id):
            super().run_task(db_task_result)


class Command(BaseCommand):
    help = "Run background tasks (check runs) and start scheduled checks when they are due."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="one round: schedule, run what is queued, exit"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.AIMS_WORKER_INTERVAL,
            help="seconds to wait between rounds when there is nothing to do (default %(default)s)",
        )
        parser.add_argument(
            "--parent-pid",
            type=int,
            help="exit when this process is gone (used by `aims run`, which starts the worker)",
        )

    def handle(self, *args, once: bool, interval: float, parent_pid: int | None, **options):
        if interval < 0:
            raise CommandError("--interval must be zero or more seconds.")
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        queued = isinstance(backend, DatabaseBackend)
        if not queued:
            self.stdout.write(
                f"Tasks run immediately with {type(backend).__name__}: "
                "the worker only starts scheduled checks."
            )
        self.stdout.write(f"Worker started; looking for work every {interval:g} s.")
        try:
            self._loop(once=once, interval=interval, parent_pid=parent_pid, queued=queued)
        except KeyboardInterrupt:
            self.stdout.write("Worker stopped.")

    def _loop(self, *, once: bool, interval: float, parent_pid: int | None, queued: bool):
        worker_id = f"{socket.gethostname()}-{os.getpid()}"[:64]
        last_prune = last_verify = None
        while True:
            close_old_connections()
            try:
                stop, last_prune = self._round(worker_id, interval, queued, last_prune)
                last_verify = self._verify_evidence(last_verify)
                self._periodic()
            except DatabaseError as error:
                # A locked SQLite file or a dropped PostgreSQL connection: wait and go on, a
                # worker that dies here would leave every later run queued for nobody.
                log.warning("Worker round failed, retrying in %g s: %s", max(interval, 1), error)
                stop = False
                time.sleep(max(interval, 1))
            if stop or once or (parent_pid and os.getppid() != parent_pid):
                return
            time.sleep(interval)

    def _round(self, worker_id: str, interval: float, queued: bool, last_prune):
        """Reclaim abandoned tasks, schedule what is due, run what is queued, prune old records;
        say whether to stop."""
        if queued:
            for task_id, outcome in reclaim_abandoned():
                what = "queued again" if outcome == "retried" else "recorded as failed"
                self.stdout.write(f"Task {task_id} lost its worker: {what}.")
        for check in enqueue_due_checks():
            self.stdout.write(f"Scheduled run of check {check.pk} “{check.name}” queued.")
        if not queued:
            return False, last_prune
        worker = LeasedWorker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=interval,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
        )
        before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
        worker.configure_signals()  # a task under way finishes before the worker stops
        try:
            worker.run()
        finally:
            for number, handler in before.items():
                signal.signal(number, handler)
        now = timezone.now()
        if last_prune is None or now - last_prune > PRUNE_EVERY:
            prune_task_results(now)
            last_prune = now
        return not worker.running, last_prune  # not running: asked to stop while a task ran

    def _periodic(self):
        """The areas' periodic work (hook ``periodic``: the daily digest, ...); each decides
        itself whether it is due. One that fails is logged and the others still run."""
        now = timezone.now()
        for fn in hooks("periodic"):
            try:
                lines = fn(now)
            except DatabaseError:
                raise  # the round is retried, as for the worker's own work
            except Exception:
                log.exception("Periodic work %s failed", getattr(fn, "__qualname__", fn))
                continue
            for line in lines:
                self.stdout.write(line)

    def _verify_evidence(self, last_verify):
        """Re-hash every stored evidence file every AIMS_EVIDENCE_VERIFY_DAYS days."""
        now = timezone.now()
        every = dt.timedelta(days=settings.AIMS_EVIDENCE_VERIFY_DAYS)
        if last_verify is None:
            last_verify = last_integrity_check() or now - every
        if now - last_verify < every:
            return last_verify
        report = verify_evidence()
        if report.problems:
            self.stdout.write(f"Evidence check: {report.summary()}")
        return now


def prune_task_results(now) -> int:
    """Delete finished task records older than AIMS_TASK_RESULTS_DAYS; the runs they produced
    are kept with their evidence."""
    cutoff = now - dt.timedelta(days=settings.AIMS_TASK_RESULTS_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
