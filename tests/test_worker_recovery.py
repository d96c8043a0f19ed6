"""A worker killed during a run: its task's lease runs out, the next worker round queues it
again, and after AIMS_TASK_MAX_ATTEMPTS attempts records an error run and alerts the owner, so
the check is no longer blocked as "already queued"."""

import datetime as dt
import io
import time
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aims.checks import tasks
from aims.checks.models import Alert, CheckRun, Origin, RunStatus, TaskLease
from aims.trail.services import verify_chain
from tests.test_checks_worker import QUEUED, make_check, url


@pytest.fixture(autouse=True)
def queued(settings):
    settings.TASKS = QUEUED
    settings.AIMS_TASK_LEASE_SECONDS = 60
    settings.AIMS_TASK_MAX_ATTEMPTS = 3


def work() -> str:
    out = io.StringIO()
    call_command("worker", once=True, interval=0, stdout=out)
    return out.getvalue()


def die_while_running(task_id, minutes_ago=5, *, with_lease=True):
    """What a worker killed with -9 leaves: RUNNING, and a heartbeat that stopped long ago."""
    row = DBTaskResult.objects.get(pk=task_id)
    then = timezone.now() - dt.timedelta(minutes=minutes_ago)
    row.claim(f"dead-{len(row.worker_ids)}")
    DBTaskResult.objects.filter(pk=task_id).update(started_at=then)
    if with_lease:
        TaskLease.objects.update_or_create(
            task_id=task_id, defaults={"worker_id": "dead", "heartbeat_at": then}
        )


def test_a_task_whose_worker_died_is_queued_again_and_run(world, credit_system):
    check = make_check(world, credit_system)
    task = tasks.enqueue_run(check, actor=world.contributor)
    die_while_running(task.id)
    client = world.client(world.contributor)
    blocked = client.post(url(world, "check_run", check_id=check.pk))
    assert blocked.status_code == 302 and DBTaskResult.objects.count() == 1  # still "queued"

    out = work()

    assert f"Task {task.id} lost its worker: queued again." in out
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.SUCCESSFUL and len(row.worker_ids) == 2
    run = CheckRun.objects.get()
    assert row.return_value == {"run": run.pk, "status": run.status}
    assert run.status == RunStatus.FAILED and run.origin == Origin.MANUAL  # the biased sample
    assert not TaskLease.objects.exists()  # the lease is given back after the run


def test_a_task_with_a_fresh_heartbeat_is_left_alone(world, credit_system):
    check = make_check(world, credit_system)
    task = tasks.enqueue_run(check)
    die_while_running(task.id)
    TaskLease.objects.filter(task_id=task.id).update(heartbeat_at=timezone.now())
    assert tasks.reclaim_abandoned() == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING


def test_a_task_claimed_without_a_lease_is_reclaimed_once_its_start_is_old(world, credit_system):
    check = make_check(world, credit_system)
    task = tasks.enqueue_run(check)
    die_while_running(task.id, with_lease=False)
    assert tasks.reclaim_abandoned() == [(str(task.id), "retried")]
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY


def test_after_the_last_attempt_the_task_fails_with_an_error_run_and_an_alert(world, credit_system):
    check = make_check(world, credit_system)
    task = tasks.enqueue_run(check, actor=world.contributor)
    for attempt in range(3):
        die_while_running(task.id)
        expected = "retried" if attempt < 2 else "failed"
        assert tasks.reclaim_abandoned() == [(str(task.id), expected)]

    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.FAILED and len(row.worker_ids) == 3
    run = CheckRun.objects.get()
    assert run.status == RunStatus.ERROR and run.origin == Origin.MANUAL
    assert run.triggered_by == world.contributor
    assert "The worker stopped while running this check 3 times" in run.error
    alert = Alert.objects.get()
    assert alert.run == run and alert.recipient == world.manager
    assert "stopped while running this check 3 times" in alert.message
    queued = tasks.result_for(check, str(task.id))
    assert queued.state == "error" and "3 times" in queued.error
    assert tasks.pending_for(check) == []
    client = world.client(world.contributor)  # no longer blocked: a new run is queued
    assert client.post(url(world, "check_run", check_id=check.pk)).status_code == 302
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    assert verify_chain(world.org)[1] is None


@pytest.mark.django_db(transaction=True)
def test_a_running_task_renews_its_lease_from_a_thread():
    task_id = uuid.uuid4()
    with tasks.Lease(task_id, "me", every=0.05):
        first = TaskLease.objects.get().heartbeat_at
        time.sleep(0.3)
        assert TaskLease.objects.get().heartbeat_at > first
    assert not TaskLease.objects.exists()
