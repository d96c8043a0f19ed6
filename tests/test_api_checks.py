"""The checks API, and the ML pipeline posting only sufficient statistics."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from helpers import ApiClient

import aims.metrics as metrics
from aims.catalog.loader import load_catalog
from aims.checks.models import Alert, Check, CheckRun, Kind, Origin, RunStatus, SourceType
from aims.checks.samples import BIASED, FAIR
from aims.checks.services import save_check, store_data_file
from aims.evidence.models import Evidence
from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.organizations.tokens import issue_token

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = {
    "label": "repaid",
    "prediction": "approved",
    "sensitive": ["sex"],
    "reference_group": "sex=Male",
}
LIMITS = [
    {"metric": "demographic_parity_difference", "op": "max", "limit": 0.1},
    {"metric": "disparate_impact_ratio", "op": "min", "limit": 0.8},
]


def make_system(org, owner):
    return save_system(
        AISystem(
            organization=org,
            name="Credit scoring",
            slug="credit-scoring",
            purpose="Score loans",
            owner=owner,
        ),
        actor=owner,
    )


def pipeline_check(org, system, owner, name="From CI"):
    return save_check(
        Check(
            organization=org,
            system=system,
            name=name,
            kind=Kind.FAIRNESS,
            source_type=SourceType.PIPELINE,
            options=OPTIONS,
            thresholds=LIMITS,
        ),
        actor=owner,
    )


@pytest.fixture
def system(world):
    return make_system(world.org, world.manager)


def statistics(sample):
    return metrics.fairness_statistics(
        str(sample), label="repaid", prediction="approved", sensitive=["sex"]
    ).to_dict()


def post_run(api, sample=BIASED, **extra):
    body = {
        "kind": "fairness",
        "statistics": statistics(sample),
        "fingerprint": {"rows": 20000, "sha256": "ab" * 32, "file": sample.name},
        "engine_version": "1.0.0",
        **extra,
    }
    return api.post("/api/v1/systems/credit-scoring/check-runs", body)


def test_a_biased_pipeline_run_fails_with_the_checks_own_limits(world, system):
    check = pipeline_check(world.org, system, world.owner)
    response = post_run(ApiClient.for_member(world.contributor, world.org))
    assert response.status_code == 201, response.content
    body = response.json()
    run = CheckRun.objects.get(pk=body["id"])
    assert body["passed"] is False and body["status"] == "failed"
    assert body["url"].endswith(f"/o/{world.org.slug}/checks/runs/{run.pk}/")
    assert [t["metric"] for t in body["thresholds"]] == [limit["metric"] for limit in LIMITS]
    assert run.definition == check and run.origin == Origin.PIPELINE
    assert run.fingerprint["sha256"] == "ab" * 32
    assert Alert.objects.get(run=run).recipient == world.manager
    assert list(run.evidence.systems.all()) == [system]


def test_a_fair_pipeline_run_passes(world, system):
    pipeline_check(world.org, system, world.owner)
    response = post_run(ApiClient.for_member(world.contributor, world.org), FAIR)
    assert response.status_code == 201 and response.json()["passed"] is True


def test_malformed_statistics_record_nothing(world, system):
    pipeline_check(world.org, system, world.owner)
    api = ApiClient.for_member(world.contributor, world.org)
    for bad in (
        {"kind": "fairness", "groups": [{"values": ["F"], "tp": -1}]},
        {"kind": "drift"},
        {},
    ):
        response = post_run(api, statistics=bad)
        assert response.status_code == 422, response.content
        assert response.json()["detail"]
    assert post_run(api, kind="quality").status_code == 422  # no quality check defined
    assert not CheckRun.objects.exists() and not Evidence.objects.exists()


def test_the_check_must_be_unambiguous(world, system):
    api = ApiClient.for_member(world.contributor, world.org)
    assert post_run(api).status_code == 422  # none defined yet
    first = pipeline_check(world.org, system, world.owner, "A")
    pipeline_check(world.org, system, world.owner, "B")
    response = post_run(api)
    assert response.status_code == 422 and "--check" in response.json()["detail"]
    assert post_run(api, check=first.pk).status_code == 201
    assert post_run(api, check=999999).status_code == 422


def test_readers_and_outsiders(world, system):
    check = pipeline_check(world.org, system, world.owner)
    assert post_run(ApiClient.for_member(world.viewer, world.org)).status_code == 403
    outsider = ApiClient.for_member(world.outsider, world.other_org)
    assert post_run(outsider).status_code == 404
    assert outsider.get(f"/api/v1/checks/{check.pk}").status_code == 404
    assert not CheckRun.objects.exists()


def test_runs_are_listed_and_read(world, system):
    check = pipeline_check(world.org, system, world.owner)
    api = ApiClient.for_member(world.contributor, world.org)
    run_id = post_run(api).json()["id"]
    listed = api.get(f"/api/v1/checks/{check.pk}/runs").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == run_id
    run = api.get(f"/api/v1/check-runs/{run_id}").json()
    assert run["status"] == "failed" and run["alert"] is not None
    assert run["result"]["aggregates"]["disparate_impact_ratio"] == pytest.approx(0.768, abs=0.01)
    checks = api.get("/api/v1/systems/credit-scoring/checks").json()
    assert checks[0]["latest_run"]["id"] == run_id


def test_the_run_list_does_not_query_per_row(world, system):
    check = pipeline_check(world.org, system, world.owner)
    api = ApiClient.for_member(world.contributor, world.org)
    post_run(api)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"/api/v1/checks/{check.pk}/runs").status_code == 200
        return len(ctx)

    small = count()
    for _ in range(5):
        post_run(api)
    assert count() == small


def test_a_server_run_with_bad_data_answers_422(world, system):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aims.checks.services import store_data_file

    blob, name = store_data_file(SimpleUploadedFile(BIASED.name, BIASED.read_bytes()))
    check = save_check(
        Check(
            organization=world.org,
            system=system,
            name="Server",
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=name,
            options=OPTIONS,
            thresholds=LIMITS,
        ),
        actor=world.owner,
    )
    # Saving refuses a column the file lacks; the options changed under the check since.
    Check.objects.filter(pk=check.pk).update(options=dict(OPTIONS, label="repayed"))
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(f"/api/v1/checks/{check.pk}/runs")  # the test backend runs it at once
    body = response.json()
    failed = CheckRun.objects.get()  # the failure to run is recorded, with its cause
    assert response.status_code == 202 and body["state"] == "error" and body["run"] == failed.pk
    assert "repayed" in body["error"] and "repayed" in failed.error
    assert failed.status == RunStatus.ERROR
    assert body["url"] is None  # finished: nothing to poll
    check.options = OPTIONS
    check.save()
    body = api.post(f"/api/v1/checks/{check.pk}/runs").json()
    run = CheckRun.objects.exclude(pk=failed.pk).get()
    assert body["state"] == "done" and body["run"] == run.pk and run.status == RunStatus.FAILED
    assert run.triggered_by == world.contributor


def test_a_queued_server_run_is_polled_until_done(world, system, settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    check = pipeline_check(world.org, system, world.owner)
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(f"/api/v1/checks/{check.pk}/runs")
    assert response.status_code == 422 and "pipeline" in response.json()["detail"]
    check.source_type = SourceType.UPLOAD
    check.data_blob, check.data_name = store_data_file(
        SimpleUploadedFile(BIASED.name, BIASED.read_bytes())
    )
    check.save()
    queued = api.post(f"/api/v1/checks/{check.pk}/runs")
    assert queued.status_code == 202 and queued.json()["state"] == "queued"
    assert api.post(f"/api/v1/checks/{check.pk}/runs").status_code == 409  # one at a time
    status_path = queued.json()["url"].removeprefix("http://testserver")
    assert api.get(status_path).json()["state"] == "queued" and not CheckRun.objects.exists()
    call_command("worker", once=True, interval=0, stdout=io.StringIO())
    done = api.get(status_path).json()
    assert done["state"] == "done" and done["run"] == CheckRun.objects.get().pk
    assert done["url"] is None
    elsewhere = ApiClient.for_member(world.outsider, world.other_org)
    assert elsewhere.get(status_path).status_code == 404


def readme_ci_step() -> str:
    """The command of the README's GitHub Actions step (a folded `run: >-` block)."""
    section = (ROOT / "README.md").read_text().split("## Blocking a deployment from CI", 1)[1]
    block = re.search(r"run: >-\n((?: {10}.+\n)+)", section).group(1)
    return " ".join(line.strip() for line in block.splitlines())


@pytest.mark.django_db(transaction=True)
def test_the_readme_ci_step_blocks_on_a_failed_fairness_check(live_server, tmp_path):
    """The README's CI step end to end against a live server: exit 1 for the biased log (the
    job fails, so the deployment that needs it does not run), 0 for the fair one."""
    load_catalog()
    from django.contrib.auth import get_user_model

    from aims.organizations.services import create_organization

    owner = get_user_model().objects.create_user("ci", password="pipeline-pass-2026")
    org = create_organization(name="Pipeline Org", owner=owner)
    pipeline_check(org, make_system(org, owner), owner)
    _, secret = issue_token(user=owner, organization=org, name="CI")

    step = readme_ci_step()
    assert step.startswith("aims check fairness --data predictions.parquet")

    def cli(sample):
        """The README's CI step, run as written by a shell in a folder holding the log."""
        (tmp_path / "predictions.parquet").write_bytes(sample.read_bytes())
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
        env.update(
            AIMS_URL=live_server.url,
            AIMS_TOKEN=secret,
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        )
        return subprocess.run(
            step,
            shell=True,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    failed = cli(BIASED)
    assert failed.returncode == 1, failed.stderr
    assert "FAIL  demographic_parity_difference" in failed.stdout
    assert "recorded as run" in failed.stdout
    run = CheckRun.objects.get()
    assert run.origin == Origin.PIPELINE and run.status == RunStatus.FAILED
    assert set(run.statistics) == {
        "kind",
        "version",
        "sensitive",
        "positive_label",
        "threshold",
        "groups",
    }
    assert len(run.fingerprint["sha256"]) == 64 and run.fingerprint["rows"] == 20000
    passed = cli(FAIR)
    assert passed.returncode == 0, passed.stderr
    assert CheckRun.objects.filter(status=RunStatus.PASSED).count() == 1


CHECK_BODY = {
    "name": "Approval parity from CI",
    "kind": "fairness",
    "options": {**OPTIONS, "columns": ["ignored: not a fairness option"]},
    "thresholds": [
        {"metric": "dp_difference", "op": "max", "limit": 0.1},
        {"metric": "di_ratio", "op": "min", "limit": 0.8},
    ],
    "controls": ["A.5.4", "A.6.2.4"],
}


def test_a_pipeline_fed_check_is_defined_through_the_api_and_takes_runs(world, system):
    load_catalog()
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post("/api/v1/systems/credit-scoring/checks", CHECK_BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    check = Check.objects.get(pk=body["id"])
    assert check.system == system and check.source_type == SourceType.PIPELINE
    assert check.created_by == world.contributor
    assert check.options == {**OPTIONS, "min_group_size": 30}  # only fairness options kept
    assert check.thresholds == LIMITS  # short names stored as the report's keys
    assert sorted(check.controls.values_list("ref", flat=True)) == ["A.5.4", "A.6.2.4"]
    assert body["controls"] == ["A.5.4", "A.6.2.4"] and body["latest_run"] is None
    assert body["thresholds"] == LIMITS
    # The pipeline's statistics are judged by the limits defined here.
    run = post_run(api).json()
    assert run["passed"] is False and CheckRun.objects.get(pk=run["id"]).definition == check


def test_a_check_is_changed_field_by_field_and_kind_options_follow(world, system):
    load_catalog()
    api = ApiClient.for_member(world.contributor, world.org)
    check_id = api.post("/api/v1/systems/credit-scoring/checks", CHECK_BODY).json()["id"]
    response = api.patch(
        f"/api/v1/checks/{check_id}",
        {"thresholds": [{"metric": "dp_difference", "op": "max", "limit": 0.2}]},
    )
    assert response.status_code == 200, response.content
    check = Check.objects.get(pk=check_id)
    assert check.thresholds == [
        {"metric": "demographic_parity_difference", "op": "max", "limit": 0.2}
    ]
    assert check.options["label"] == "repaid" and check.name == CHECK_BODY["name"]
    response = api.patch(
        f"/api/v1/checks/{check_id}",
        {"options": {"label": "repaid", "score": "p", "sensitive": ["sex", "race"]}},
    )
    assert response.status_code == 200, response.content
    check.refresh_from_db()
    assert check.options == {
        "label": "repaid",
        "score": "p",
        "threshold": 0.5,
        "sensitive": ["sex", "race"],
        "min_group_size": 30,
    }


def test_bad_check_definitions_answer_422_naming_the_field_and_save_nothing(
    world, system, settings, tmp_path
):
    load_catalog()
    settings.AIMS_CHECK_DATA_DIRS = [str(tmp_path)]
    api = ApiClient.for_member(world.contributor, world.org)
    url = "/api/v1/systems/credit-scoring/checks"
    cases = [
        ({"thresholds": [{"metric": "dp_diference", "op": "max", "limit": 0.1}]}, "dp_difference"),
        ({"thresholds": [{"metric": "dp_difference", "op": "below", "limit": 0.1}]}, "op"),
        ({"options": {"label": "repaid", "prediction": "approved"}}, "sensitive"),
        ({"controls": ["A.99"]}, "Unknown Annex A control: A.99"),
        ({"risks": ["R-404"]}, "Unknown risk: R-404"),
        ({"source_type": "upload"}, "source_type"),
        ({"source_type": "path", "data_path": "/etc/passwd"}, "outside the folders"),
        ({"source_type": "path", "data_path": str(tmp_path / "none.parquet")}, "does not exist"),
        ({"name": ""}, "name"),
        ({"options": {**OPTIONS, "max_missing": 2}}, "max_missing"),
    ]
    for change, expected in cases:
        response = api.post(url, {**CHECK_BODY, **change})
        assert response.status_code == 422, (change, response.content)
        body = response.json()
        assert expected in response.content.decode(), (change, body)
        assert body["errors"] and all(e["field"] for e in body["errors"]), body
    assert not Check.objects.exists()
    assert api.post("/api/v1/systems/no-such-system/checks", CHECK_BODY).status_code == 404
    viewer = ApiClient.for_member(world.viewer, world.org)
    assert viewer.post(url, CHECK_BODY).status_code == 403
    outsider = ApiClient.for_member(world.outsider, world.other_org)
    assert outsider.post(url, CHECK_BODY).status_code == 404
    assert not Check.objects.exists()


def test_a_path_check_defined_through_the_api_runs_on_the_server(world, system, settings, tmp_path):
    load_catalog()
    settings.AIMS_CHECK_DATA_DIRS = [str(tmp_path)]
    (tmp_path / BIASED.name).write_bytes(BIASED.read_bytes())
    api = ApiClient.for_member(world.contributor, world.org)
    body = {**CHECK_BODY, "source_type": "path", "data_path": str(tmp_path / BIASED.name)}
    response = api.post("/api/v1/systems/credit-scoring/checks", body)
    assert response.status_code == 201, response.content
    check = Check.objects.get(pk=response.json()["id"])
    assert check.source_type == SourceType.PATH and check.data_path.endswith(BIASED.name)
    queued = api.post(f"/api/v1/checks/{check.pk}/runs")
    assert queued.status_code == 202, queued.content
    run = CheckRun.objects.get(definition=check)  # the test task backend runs it at once
    assert run.status == RunStatus.FAILED and run.fingerprint["rows"] == 20_000


def test_a_partitioned_logs_fingerprint_is_kept_whole(world, system):
    pipeline_check(world.org, system, world.owner)
    api = ApiClient.for_member(world.contributor, world.org)
    fingerprint = {"rows": 20000, "sha256": "cd" * 32, "file": "log", "files": 3, "bytes": 9_001}
    response = post_run(api, fingerprint=fingerprint)
    assert response.status_code == 201, response.content
    assert CheckRun.objects.get(pk=response.json()["id"]).fingerprint == fingerprint
    assert post_run(api, fingerprint={**fingerprint, "files": 0}).status_code == 422


def test_a_check_name_already_taken_answers_409_and_a_null_character_422(
    world, system, settings, tmp_path
):
    """Issue 7, finding 10: both were a 500."""
    load_catalog()
    settings.AIMS_CHECK_DATA_DIRS = [str(tmp_path)]
    api = ApiClient.for_member(world.contributor, world.org)
    url = "/api/v1/systems/credit-scoring/checks"
    assert api.post(url, CHECK_BODY).status_code == 201
    again = api.post(url, CHECK_BODY)
    assert again.status_code == 409, again.content
    assert again.json()["errors"][0]["field"] == "name"
    assert "already" in again.json()["detail"]
    nul = api.post(
        url, {**CHECK_BODY, "name": "Other", "source_type": "path", "data_path": "a\x00.parquet"}
    )
    assert nul.status_code == 422, nul.content
    assert any(e["field"].endswith("data_path") for e in nul.json()["errors"])
    assert "null character" in nul.content.decode()
    assert Check.objects.count() == 1


def test_quality_rules_sent_through_the_api_come_back_in_the_order_sent(world, system):
    load_catalog()
    api = ApiClient.for_member(world.contributor, world.org)
    rules = {"region": "string", "sex": "string", "approved": "integer"}
    body = {
        **CHECK_BODY,
        "kind": "quality",
        "thresholds": [],
        "options": {"expected_columns": rules, "allowed": {"region": ["N"], "sex": ["F", "M"]}},
    }
    response = api.post("/api/v1/systems/credit-scoring/checks", body)
    assert response.status_code == 201, response.content
    assert list(response.json()["options"]["expected_columns"]) == list(rules)
    check = Check.objects.get(pk=response.json()["id"])
    assert check.options["expected_columns"] == [[c, t] for c, t in rules.items()]
    read = api.get(f"/api/v1/checks/{check.pk}").json()
    assert read["options"]["expected_columns"] == rules
    assert list(read["options"]["allowed"]) == ["region", "sex"]
