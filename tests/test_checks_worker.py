"""Check runs through the background worker: "Run now" queues, scheduled checks come due, the
worker records the runs, and the check page follows a queued run to its result."""

import datetime as dt
import io
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aims.catalog.models import Control
from aims.checks import tasks
from aims.checks.management.commands.worker import prune_task_results
from aims.checks.models import Alert, Check, CheckRun, Kind, Origin, RunStatus, Schedule, SourceType
from aims.checks.samples import BIASED, FAIR
from aims.checks.services import next_run_after, save_check, store_data_file
from aims.cli import main as aims
from aims.evidence.models import Evidence
from aims.trail.services import verify_chain

QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
OPTIONS = {"label": "repaid", "prediction": "approved", "sensitive": ["sex"]}
LIMITS = [{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}]


@pytest.fixture(autouse=True)
def queued(settings):
    """Tasks wait in the database for the worker, as they do under `aims run`."""
    settings.TASKS = QUEUED


@pytest.fixture
def system(credit_system):
    return credit_system


def make_check(world, system, sample=BIASED, **fields):
    blob, name = store_data_file(SimpleUploadedFile(sample.name, sample.read_bytes()))
    values = {
        "organization": world.org,
        "system": system,
        "name": "Parity",
        "kind": Kind.FAIRNESS,
        "source_type": SourceType.UPLOAD,
        "data_blob": blob,
        "data_name": name,
        "options": OPTIONS,
        "thresholds": LIMITS,
    }
    values.update(fields)
    return save_check(
        Check(**values),
        actor=world.owner,
        controls=list(Control.objects.filter(ref="A.5.4")),
    )


def url(world, view, **kwargs):
    return reverse(view, kwargs={"org": world.org.slug, **kwargs})


def work() -> str:
    out = io.StringIO()
    call_command("worker", once=True, interval=0, stdout=out)
    return out.getvalue()


def test_run_now_queues_and_the_page_follows_the_run_to_its_result(world, system):
    check = make_check(world, system)
    client = world.client(world.contributor)

    response = client.post(url(world, "check_run", check_id=check.pk))
    assert response.status_code == 302
    assert response.url == url(world, "check_detail", check_id=check.pk)
    assert not CheckRun.objects.exists() and not Evidence.objects.exists()
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY
    assert task.args_kwargs["args"] == [check.pk, Origin.MANUAL, world.contributor.pk]
    status_url = url(world, "check_task", check_id=check.pk, task_id=task.id)

    page = client.get(response.url).content.decode()
    # One run state, and the Run button stays (a second press says a run is already queued).
    assert "Queued for the background worker" in page and ">Run now<" in page
    assert "Latest run" not in page
    again = client.post(url(world, "check_run", check_id=check.pk))  # a second press: no second run
    assert again.status_code == 302 and DBTaskResult.objects.count() == 1
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
    waiting = client.get(status_url, headers={"HX-Request": "true"})
    assert waiting.status_code == 200 and "hx-get" in waiting.content.decode()
    assert "Still waiting" not in waiting.content.decode()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=1))
    stalled = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "Still waiting after 30 seconds: is <code>aims worker</code> running?" in stalled

    work()

    run = CheckRun.objects.get()
    assert run.status == RunStatus.FAILED and run.origin == Origin.MANUAL
    assert run.triggered_by == world.contributor and run.evidence is not None
    assert Alert.objects.get().recipient == world.manager
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value == {"run": run.pk, "status": "failed"}
    done = client.get(status_url, headers={"HX-Request": "true"})
    assert done.status_code == 204
    assert done["HX-Redirect"] == url(world, "run_detail", run_id=run.pk)
    assert client.get(status_url).url == url(world, "run_detail", run_id=run.pk)
    assert "Queued for the background worker" not in client.get(response.url).content.decode()
    assert verify_chain(world.org)[1] is None


def test_a_manual_run_that_cannot_read_its_data_records_an_error_run_and_alerts(world, system):
    check = make_check(world, system)
    # Saving refuses a column the file lacks; the options changed under the check since.
    Check.objects.filter(pk=check.pk).update(options=dict(OPTIONS, label="repayed"))
    client = world.client(world.contributor)
    client.post(url(world, "check_run", check_id=check.pk))
    work()
    task = DBTaskResult.objects.get()
    run = CheckRun.objects.get()
    assert task.status == TaskResultStatus.SUCCESSFUL and "repayed" in task.return_value["error"]
    assert task.return_value["run"] == run.pk
    assert run.status == RunStatus.ERROR and run.origin == Origin.MANUAL
    assert run.triggered_by == world.contributor and "repayed" in run.error
    assert run.evidence is None and not Evidence.objects.exists()
    alert = Alert.objects.get()
    assert alert.run == run and "could not run" in alert.message and "repayed" in alert.message
    status_url = url(world, "check_task", check_id=check.pk, task_id=task.id)
    done = client.get(status_url, headers={"HX-Request": "true"})  # polling goes to the error run
    assert done.status_code == 204
    assert done["HX-Redirect"] == url(world, "run_detail", run_id=run.pk)
    page = client.get(done["HX-Redirect"]).content.decode()
    assert "Why it could not run" in page and "repayed" in page
    assert verify_chain(world.org)[1] is None


def test_a_task_id_of_another_check_is_not_found(world, system):
    check = make_check(world, system)
    other = make_check(world, system, name="Other")
    task = tasks.enqueue_run(check, actor=world.owner)
    client = world.client(world.owner)
    assert (
        client.get(url(world, "check_task", check_id=other.pk, task_id=task.id)).status_code == 404
    )
    assert (
        client.get(url(world, "check_task", check_id=check.pk, task_id=task.id)).status_code == 200
    )


def test_scheduled_checks_run_once_when_due_and_keep_their_cadence(world, system):
    check = make_check(world, system, sample=FAIR, schedule=Schedule.DAILY)
    manual = make_check(world, system, name="Manual only")
    assert check.next_run_at is not None and manual.next_run_at is None
    due_at = check.next_run_at

    assert tasks.enqueue_due_checks() == [check]
    assert tasks.enqueue_due_checks() == []  # claimed: a second scheduler enqueues nothing
    check.refresh_from_db()
    assert check.next_run_at == due_at + dt.timedelta(days=1)
    work()
    work()
    run = CheckRun.objects.get()
    assert run.definition == check and run.origin == Origin.SCHEDULED
    assert run.status == RunStatus.PASSED and run.triggered_by is None
    assert not manual.runs.exists()


def test_next_run_keeps_the_time_of_day_after_the_worker_was_down():
    six = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)
    check = Check(schedule=Schedule.DAILY, next_run_at=six - dt.timedelta(days=3))
    following = next_run_after(check, six + dt.timedelta(hours=1))
    assert following == six + dt.timedelta(days=1)
    weekly = Check(schedule=Schedule.WEEKLY, next_run_at=six)
    assert next_run_after(weekly, six) == six + dt.timedelta(days=7)
    assert next_run_after(Check(schedule=Schedule.MANUAL), six) is None


def test_a_scheduled_run_whose_data_is_gone_is_recorded_and_alerted(
    world, system, settings, tmp_path
):
    folder = tmp_path / "check-data"
    folder.mkdir()
    settings.AIMS_CHECK_DATA_DIRS = [str(folder)]
    data = folder / "log.parquet"
    shutil.copy(BIASED, data)
    check = make_check(
        world,
        system,
        source_type=SourceType.PATH,
        data_blob=None,
        data_name="",
        data_path=str(data),
        schedule=Schedule.WEEKLY,
    )
    data.unlink()
    work()
    run = CheckRun.objects.get()
    assert run.definition == check
    assert run.status == RunStatus.ERROR and run.origin == Origin.SCHEDULED
    assert "log.parquet in check-data does not exist" in run.error and run.evidence is None
    assert str(folder) not in run.error  # no server path in what people read
    alert = Alert.objects.get()
    assert alert.run == run and alert.recipient == world.manager
    assert "could not run" in alert.message
    page = world.client(world.viewer).get(url(world, "run_detail", run_id=run.pk)).content.decode()
    assert (
        "Why it could not run" in page
        and "log.parquet in check-data" in page
        and "<svg" not in page
    )
    assert verify_chain(world.org)[1] is None


def test_old_finished_task_records_are_pruned_but_runs_kept(world, system):
    check = make_check(world, system)
    tasks.enqueue_run(check)
    tasks.enqueue_run(check)
    work()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    old = DBTaskResult.objects.first()
    DBTaskResult.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=30)
    )
    assert prune_task_results(timezone.now()) == 1
    assert DBTaskResult.objects.count() == 1 and CheckRun.objects.count() == 2


def test_the_console_script_runs_the_worker(world, system, capsys):
    check = make_check(world, system)
    tasks.enqueue_run(check)
    assert aims(["worker", "--once", "--interval", "0"]) == 0
    assert CheckRun.objects.filter(definition=check).count() == 1
    assert "Worker started" in capsys.readouterr().out


def test_pipeline_checks_cannot_be_run_from_the_app(world, system):
    check = make_check(world, system, source_type=SourceType.PIPELINE, data_blob=None)
    response = world.client(world.owner).post(url(world, "check_run", check_id=check.pk))
    assert response.status_code == 302
    assert not DBTaskResult.objects.exists() and not CheckRun.objects.exists()


def test_a_failing_database_round_does_not_stop_the_worker(world, system, monkeypatch):
    """The scheduler hits a locked database once; the worker waits and carries on."""
    from django.db import OperationalError

    from aims.checks.management.commands import worker as command

    check = make_check(world, system)
    tasks.enqueue_run(check)
    calls = []

    def flaky(now=None):
        calls.append(now)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return []

    monkeypatch.setattr(command, "enqueue_due_checks", flaky)
    monkeypatch.setattr(command.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(command.os, "getppid", lambda: -1 if len(calls) > 1 else 4242)
    call_command("worker", interval=0, parent_pid=4242, stdout=io.StringIO())
    assert len(calls) == 2  # retried after the failure, stopped once the parent was "gone"
    assert CheckRun.objects.filter(definition=check).count() == 1
