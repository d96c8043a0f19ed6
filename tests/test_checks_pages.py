"""Technical check pages: define, run, read the result, resolve the alert."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.catalog.models import Control
from aims.checks.models import Alert, Check, CheckRun, RunStatus
from aims.checks.samples import BIASED, FAIR
from aims.checks.services import store_data_file
from aims.evidence.models import Evidence


@pytest.fixture
def system(credit_system):
    return credit_system


def url(world, view, **kwargs):
    return reverse(view, kwargs={"org": world.org.slug, **kwargs})


def form_data(system, sample=BIASED, **overrides):
    data = {
        "system": system.pk,
        "name": "Approval parity",
        "kind": "fairness",
        "source_type": "upload",
        "label": "repaid",
        "prediction": "approved",
        "sensitive": "sex",
        "reference_group": "sex=Male",
        "min_group_size": 30,
        "threshold": 0.5,
        "limits": "max dp_difference 0.1\nmin di_ratio 0.8",
        "controls": [c.pk for c in Control.objects.filter(ref__in=["A.5.4", "A.6.2.4"])],
        "schedule": "manual",
        "is_active": "on",
        "data_file": SimpleUploadedFile(sample.name, sample.read_bytes()),
    }
    data.update(overrides)
    return data


def define(world, system, **overrides):
    response = world.client(world.contributor).post(
        url(world, "check_create"), form_data(system, **overrides)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Check.objects.get(name=overrides.get("name", "Approval parity"))


def test_a_contributor_defines_runs_and_sees_a_biased_model_fail(world, system):
    check = define(world, system)
    assert check.options["sensitive"] == ["sex"] and check.data_name == BIASED.name
    assert check.thresholds == [
        {"metric": "demographic_parity_difference", "op": "max", "limit": 0.1},
        {"metric": "disparate_impact_ratio", "op": "min", "limit": 0.8},
    ]
    client = world.client(world.contributor)
    response = client.post(url(world, "check_run", check_id=check.pk))
    run = CheckRun.objects.get(definition=check)
    assert response.status_code == 302 and response.url == url(world, "run_detail", run_id=run.pk)
    assert run.status == RunStatus.FAILED and run.triggered_by == world.contributor
    page = client.get(response.url).content.decode()
    assert "FAILED" in page and "<svg" in page and 'class="limit"' in page
    assert "demographic_parity_difference" in page and "0.1449" in page
    evidence = run.evidence
    assert set(evidence.soa_entries.values_list("control__ref", flat=True)) == {"A.5.4", "A.6.2.4"}
    record = world.client(world.owner).get(url(world, "evidence_detail", evidence_id=evidence.pk))
    assert url(world, "run_detail", run_id=run.pk) in record.content.decode()
    assert "Upload new revision" not in record.content.decode()
    refused = world.client(world.owner).post(url(world, "evidence_delete", evidence_id=evidence.pk))
    assert refused.status_code == 302 and Evidence.objects.filter(pk=evidence.pk).exists()
    alert = Alert.objects.get(run=run)
    assert alert.recipient == world.manager
    system_page = client.get(url(world, "system_detail", system_id=system.pk)).content.decode()
    assert "Approval parity" in system_page and "Open alerts" in system_page
    dashboard = client.get(url(world, "dashboard")).content.decode()
    assert alert.message[:40] in dashboard
    # Failing again adds to the open alert; every page links to the latest run.
    client.post(url(world, "check_run", check_id=check.pk))
    again = CheckRun.objects.filter(definition=check).exclude(pk=run.pk).get()
    assert Alert.objects.get().repeats == 1
    latest = url(world, "run_detail", run_id=again.pk)
    assert "adds to the alert raised on" in client.get(latest).content.decode()
    alerts = client.get(url(world, "alert_list")).content.decode()
    assert "Failed again 1 time since" in alerts and f'href="{latest}"' in alerts
    assert f'href="{latest}"' in client.get(url(world, "dashboard")).content.decode()


def test_a_fair_model_passes(world, system):
    check = define(world, system, data_file=SimpleUploadedFile(FAIR.name, FAIR.read_bytes()))
    world.client(world.owner).post(url(world, "check_run", check_id=check.pk))
    assert CheckRun.objects.get(definition=check).status == RunStatus.PASSED
    assert not Alert.objects.exists()


def test_a_misspelled_column_is_refused_when_the_check_is_saved(world, system):
    client = world.client(world.contributor)
    response = client.post(
        url(world, "check_create"), form_data(system, label="repayed", sensitive="sex, regoin")
    )
    assert response.status_code == 422 and not Check.objects.exists()
    form = response.context["form"]
    # named as uploaded, with the close match, beside each field at once
    assert form.errors["label"] == [
        f"{BIASED.name} has no column 'repayed'. Did you mean 'repaid'? Its columns: repaid, "
        "approved, score, sex, age_band, region."
    ]
    assert "'regoin'. Did you mean 'region'?" in form.errors["sensitive"][0]


def test_a_run_that_cannot_read_a_column_names_the_file_as_uploaded(world, system):
    check = define(world, system)
    # The definition was right when saved; the options changed under it since.
    Check.objects.filter(pk=check.pk).update(options={**check.options, "label": "repayed"})
    response = world.client(world.owner).post(url(world, "check_run", check_id=check.pk))
    assert response.status_code == 422
    page = response.content.decode()
    assert "repayed" in page and "repaid" in page
    run = CheckRun.objects.get()
    assert run.status == RunStatus.ERROR and "repayed" in run.error
    assert BIASED.name in run.error and check.data_blob_id not in run.error
    assert "stored file" not in run.error
    assert not Evidence.objects.exists()
    # The Run button stays, and the page does not say a run is on its way.
    assert "Run now" in page and "on its way" not in page


def test_bad_definitions_are_refused_beside_the_field(world, system):
    client = world.client(world.contributor)
    response = client.post(
        url(world, "check_create"),
        form_data(
            system,
            limits="max nonsense 1",
            data_file=SimpleUploadedFile("log.xlsx", b"PK\x03\x04 not a log"),
        ),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "unknown fairness metric" in page
    assert not Check.objects.exists()
    response = client.post(
        url(world, "check_create"),
        form_data(system, data_file=SimpleUploadedFile("log.xlsx", b"PK\x03\x04 not a log")),
    )
    assert (
        response.status_code == 422
        and "upload a .parquet or .csv file" in response.content.decode()
    )
    response = client.post(
        url(world, "check_create"),
        form_data(system, source_type="path", data_path="/etc/passwd", data_file=""),
    )
    assert response.status_code == 422 and "outside the folders" in response.content.decode()
    assert not Check.objects.exists()


def test_readers_cannot_define_or_run(world, system):
    check = define(world, system)
    for user in (world.viewer, world.auditor):
        client = world.client(user)
        assert client.get(url(world, "check_detail", check_id=check.pk)).status_code == 200
        assert client.post(url(world, "check_run", check_id=check.pk)).status_code == 403
        assert client.post(url(world, "check_create"), form_data(system)).status_code == 403
    assert not CheckRun.objects.exists()
    outsider = world.client(world.outsider)
    assert outsider.get(url(world, "check_detail", check_id=check.pk)).status_code == 404


def test_an_alert_is_resolved_with_what_was_done(world, system):
    check = define(world, system)
    client = world.client(world.contributor)
    client.post(url(world, "check_run", check_id=check.pk))
    alert = Alert.objects.get()
    client.post(url(world, "alert_resolve", alert_id=alert.pk), {"resolution": ""})
    alert.refresh_from_db()
    assert alert.is_open
    client.post(
        url(world, "alert_resolve", alert_id=alert.pk), {"resolution": "Retrained with reweighing."}
    )
    alert.refresh_from_db()
    assert not alert.is_open and alert.resolution == "Retrained with reweighing."


def test_a_check_with_runs_cannot_be_deleted(world, system):
    check = define(world, system)
    manager = world.client(world.manager)
    manager.post(url(world, "check_run", check_id=check.pk))
    manager.post(url(world, "check_delete", check_id=check.pk))
    assert Check.objects.filter(pk=check.pk).exists()
    fresh = define(world, system, name="Second")
    assert (
        world.client(world.contributor)
        .post(url(world, "check_delete", check_id=fresh.pk))
        .status_code
        == 403
    )
    manager.post(url(world, "check_delete", check_id=fresh.pk))
    assert not Check.objects.filter(pk=fresh.pk).exists()


def test_the_sample_log_can_be_downloaded(world):
    response = world.client(world.viewer).get(
        url(world, "check_sample", name="credit-scoring-predictions")
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BIASED.read_bytes()
    assert (
        world.client(world.viewer).get(url(world, "check_sample", name="etc-passwd")).status_code
        == 404
    )


def test_the_list_runs_the_same_queries_for_2_and_20_checks(world, system):
    client = world.client(world.owner)
    for n in range(2):
        define(world, system, name=f"Check {n}")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world, "check_list")).status_code == 200
        return len(ctx)

    small = count()
    for n in range(2, 20):
        define(world, system, name=f"Check {n}")
    assert count() == small


def test_the_run_history_exports_as_csv(world, system):
    check = define(world, system)
    client = world.client(world.contributor)
    client.post(url(world, "check_run", check_id=check.pk))
    check.data_blob, check.data_name = store_data_file(
        SimpleUploadedFile(FAIR.name, FAIR.read_bytes())
    )
    check.save()
    client.post(url(world, "check_run", check_id=check.pk))
    response = world.client(world.viewer).get(url(world, "check_runs_export", check_id=check.pk))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    first, second = CheckRun.objects.filter(definition=check).order_by("started_at", "pk")
    assert [r["Run"] for r in rows] == [str(first.pk), str(second.pk)]
    assert [r["Result"] for r in rows] == ["Failed", "Passed"]
    assert rows[0]["demographic_parity_difference passed"] == "no"
    assert float(rows[0]["demographic_parity_difference"]) == pytest.approx(0.1449, abs=1e-4)
    assert rows[0]["demographic_parity_difference limit"] == "<= 0.1"
    assert rows[1]["Data SHA-256"] == second.fingerprint["sha256"]
    assert rows[1]["Evidence"] == str(second.evidence_id) and rows[0]["By"] == "carla.contributor"


def test_the_run_page_shows_the_reference_group_and_groups_too_small(world, system):
    client = world.client(world.contributor)
    female = define(world, system, name="Against women", reference_group="sex=Female")
    small = define(world, system, name="Big groups only", min_group_size=10_000)
    for check in (female, small):
        client.post(url(world, "check_run", check_id=check.pk))
    run = CheckRun.objects.get(definition=female)
    assert run.result["reference_group"] == "sex=Female" and "insufficient" not in run.result
    page = client.get(url(world, "run_detail", run_id=run.pk)).content.decode()
    assert "<dt>Reference group</dt><dd>sex=Female</dd>" in page
    assert "0.8 × sex=Female rate" in page  # the line sits where the ratio was tested
    assert "<dd>20,000</dd>" in page
    run = CheckRun.objects.get(definition=small)
    assert run.result["insufficient"] == ["sex=Female"] and run.result["min_group_size"] == 10_000
    page = client.get(url(world, "run_detail", run_id=run.pk)).content.decode()
    assert "Too few rows for a reliable figure (fewer than 10000)" in page


def run_once(world, check):
    """Run the check as the contributor; return their client and the run."""
    client = world.client(world.contributor)
    client.post(url(world, "check_run", check_id=check.pk))
    return client, CheckRun.objects.get(definition=check)


def parquet_upload(tmp_path, name: str, columns: dict) -> SimpleUploadedFile:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / name
    pq.write_table(pa.table(columns), path)
    return SimpleUploadedFile(name, path.read_bytes())


def test_a_drift_run_shows_both_files_every_statistic_and_the_deciding_rule(world, system):
    check = define(
        world,
        system,
        name="Score drift",
        kind="drift",
        reference_file=SimpleUploadedFile(FAIR.name, FAIR.read_bytes()),
        columns="score, age_band",
        limits="max share_drifted 0.5",
    )
    client, run = run_once(world, check)
    inputs = run.inputs()
    assert inputs["current"]["file"] == BIASED.name and inputs["reference"]["file"] == FAIR.name
    assert run.data_sha256() == inputs["current"]["sha256"] != inputs["reference"]["sha256"]
    page = client.get(url(world, "run_detail", run_id=run.pk)).content.decode()
    assert "<dt>Current data</dt>" in page and "<dt>Reference data</dt>" in page
    assert inputs["current"]["sha256"] in page and inputs["reference"]["sha256"] in page
    # 20,000 rows: each column is judged by a distance, drawn against the 0.1 threshold.
    assert "Drift distance by column (Jensen-Shannon, Wasserstein / std)" in page
    assert "Test p-value by column" not in page
    for header in ("Decided by", "Wasserstein / std", "KS p-value", "Chi-squared p-value"):
        assert f">{header}</th>" in page
    assert "drift detected in" in page and "(limit 50%)" in page
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(url(world, "check_runs_export", check_id=check.pk)).text)
        )
    )
    assert rows[0]["Data SHA-256"] == inputs["current"]["sha256"]
    assert rows[0]["Reference SHA-256"] == inputs["reference"]["sha256"]


def test_a_small_drift_sample_is_judged_and_drawn_by_its_p_values(world, system, tmp_path):
    import numpy as np

    rng = np.random.default_rng(3)
    check = define(
        world,
        system,
        name="Small drift",
        kind="drift",
        data_file=parquet_upload(tmp_path, "current.parquet", {"x": rng.normal(1, 1, 200)}),
        reference_file=parquet_upload(tmp_path, "ref.parquet", {"x": rng.normal(0, 1, 200)}),
        limits="max share_drifted 0.5",
    )
    client, run = run_once(world, check)
    column = run.result["by_group"]["x"]
    assert column["method"] == "ks" and column["p_value"] < 0.05 and column["drifted"]
    assert run.status == RunStatus.FAILED
    page = client.get(url(world, "run_detail", run_id=run.pk)).content.decode()
    assert 'aria-label="Test p-value by column (Kolmogorov-Smirnov)"' in page
    assert "Drift distance by column" not in page
    assert "p-value limit" in page


def test_a_quality_run_lists_each_rule_with_what_was_found(world, system):
    check = define(
        world,
        system,
        name="Log quality",
        kind="quality",
        min_rows=30_000,
        max_missing=0.01,
        limits="max failed_checks 0",
    )
    client, run = run_once(world, check)
    assert run.status == RunStatus.FAILED and run.fingerprint["rows"] == 20_000
    page = client.get(url(world, "run_detail", run_id=run.pk)).content.decode()
    assert ">What was found</th>" in page
    assert "20000 rows (at least 30000 required)" in page
    assert "column &#x27;sex&#x27;: 0 of 20000 values missing" in page
    assert "<h2>Charts</h2>" not in page  # a count of failed rules draws nothing useful


def test_a_performance_run_records_how_many_rows_it_measured(world, system):
    check = define(
        world,
        system,
        name="AUC",
        kind="performance",
        prediction="",
        score="score",
        limits="min roc_auc 0.75",
    )
    client, run = run_once(world, check)
    assert run.status == RunStatus.PASSED and run.fingerprint["rows"] == 20_000
    page = client.get(url(world, "run_detail", run_id=run.pk)).content.decode()
    assert "<dd>20,000</dd>" in page
    # A metric a line, a column per group and one for overall; no status line when every
    # group is large enough.
    assert (
        '<th class="num">sex=Female</th><th class="num">sex=Male</th><th class="num">overall'
        in page
    )
    assert "<tr><td>roc auc</td>" in page and "<tr><td>status</td>" not in page


def test_every_data_quality_rule_is_defined_in_the_form_and_round_trips(world, system):
    check = define(
        world,
        system,
        name="Every rule",
        kind="quality",
        min_rows=1000,
        max_rows=19_999,
        max_missing=0.01,
        max_duplicate_share=0.5,
        expected_columns="repaid=integer\nsex=string",
        ranges="score=0:0.5",
        allowed="region=North\nsex=Female, Male",
        limits="max failed_checks 0",
    )
    # Rules are kept in the order written, as [column, rule] pairs: PostgreSQL's jsonb would
    # sort an object's keys (sex before region, being shorter).
    assert check.options == {
        "expected_columns": [["repaid", "integer"], ["sex", "string"]],
        "max_missing": 0.01,
        "ranges": [["score", [0.0, 0.5]]],
        "allowed": [["region", ["North"]], ["sex", ["Female", "Male"]]],
        "max_duplicate_share": 0.5,
        "min_rows": 1000,
        "max_rows": 19_999,
    }
    check.refresh_from_db()
    assert list(check.column_rule("allowed")) == ["region", "sex"]
    assert list(check.column_rule("expected_columns")) == ["repaid", "sex"]
    client, run = run_once(world, check)
    failed = {name for name, rule in run.result["by_group"].items() if not rule["passed"]}
    assert {"max_rows", "range:score", "allowed_values:region"} <= failed
    assert "schema:repaid" not in failed and "min_rows" not in failed
    edit = client.get(url(world, "check_edit", check_id=check.pk)).content.decode()
    assert "repaid=integer\nsex=string</textarea>" in edit
    assert "score=0:0.5</textarea>" in edit and "region=North\nsex=Female,Male</textarea>" in edit
    detail = client.get(url(world, "check_detail", check_id=check.pk)).content.decode()
    assert "<dt>Allowed</dt><dd>region=North; sex=Female,Male</dd>" in detail
    assert "<dt>Expected columns</dt><dd>repaid=integer; sex=string</dd>" in detail


@pytest.mark.parametrize(
    "field, text, message",
    [
        ("ranges", "score=1:0", "score=1:0: MIN is above MAX."),
        ("ranges", "score=0:high", "score=0:high: write it as MIN:MAX with numbers"),
        ("expected_columns", "age=number", "age=number: unknown type; use one of integer"),
        ("allowed", "sex Female", "sex Female: write it as COLUMN=A,B,C."),
        ("allowed", "sex=F\nsex=M", "sex: given twice."),
    ],
)
def test_a_bad_quality_rule_is_named_beside_its_field(world, system, field, text, message):
    response = world.client(world.contributor).post(
        url(world, "check_create"), form_data(system, kind="quality", **{field: text})
    )
    assert response.status_code == 422  # the form again, with the message beside the field
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    assert not Check.objects.exists()


def test_every_wrong_rule_line_is_said_at_once(world, system):
    response = world.client(world.contributor).post(
        url(world, "check_create"),
        form_data(system, kind="quality", ranges="score=1:0\nage=0:120\nincome=0:high"),
    )
    assert response.status_code == 422
    assert response.context["form"].errors["ranges"] == [
        "Line 1: score=1:0: MIN is above MAX.",
        "Line 3: income=0:high: write it as MIN:MAX with numbers (leave one side empty to leave "
        "it open: 0: or :100).",
    ]
    assert not Check.objects.exists()


def test_a_regression_models_errors_are_measured(world, system, tmp_path):
    data = {"y": [1.0, 2.0, 3.0, 4.0] * 10, "y_hat": [1.5, 2.0, 2.0, 4.0] * 10}
    check = define(
        world,
        system,
        name="Loss given default error",
        kind="performance",
        task="regression",
        label="y",
        prediction="y_hat",
        sensitive="",
        reference_group="",
        data_file=parquet_upload(tmp_path, "lgd.parquet", data),
        limits="max mae 0.5\nmax rmse 0.5",
    )
    assert check.options["task"] == "regression"
    _, run = run_once(world, check)
    values = {t["metric"]: t for t in run.result["thresholds"]}
    assert values["mae"]["value"] == pytest.approx(0.375)  # (0.5 + 0 + 1 + 0) / 4
    assert values["rmse"]["value"] == pytest.approx((1.25 / 4) ** 0.5)
    assert values["mae"]["passed"] and not values["rmse"]["passed"]
    assert run.status == RunStatus.FAILED


def test_the_list_searches_check_and_system_names_and_filters_by_kind(world, system):
    define(world, system, name="Approval parity")
    define(world, system, name="Log quality", kind="quality", limits="max failed_checks 0")
    client = world.client(world.viewer)

    def listed(**params):
        page = client.get(url(world, "check_list"), params).content.decode()
        return {n for n in ("Approval parity", "Log quality") if f">{n}</a>" in page}

    assert listed() == {"Approval parity", "Log quality"}
    assert listed(q="parity") == {"Approval parity"}
    assert listed(q=system.name.upper()) == {"Approval parity", "Log quality"}
    assert listed(q="nothing like it") == set()
    assert listed(kind="quality") == {"Log quality"}
    assert listed(status="never") == {"Approval parity", "Log quality"}
