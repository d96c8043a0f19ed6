"""Check runs become evidence, raise alerts when they fail, and feed the deployment gate."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from helpers import move_through, sign_off
from impact_helpers import assessed

import aims.metrics as metrics
from aims.catalog.models import Control
from aims.checks.models import Alert, Check, CheckRun, Kind, Origin, RunStatus, SourceType
from aims.checks.samples import BIASED, FAIR
from aims.checks.services import (
    record_pipeline_run,
    resolve_alert,
    run_check,
    save_check,
    store_data_file,
)
from aims.evidence.models import Evidence
from aims.evidence.services import add_revision, delete_evidence, update_evidence
from aims.inventory.models import AISystem, Stage
from aims.inventory.services import GateBlocked, move_to_stage, save_system
from aims.risk.models import Risk
from aims.risk.services import save_risk
from aims.soa.models import SoAEntry
from aims.trail.models import AuditEvent
from aims.trail.services import verify_chain

FAIRNESS_OPTIONS = {
    "label": "repaid",
    "prediction": "approved",
    "sensitive": ["sex"],
    "reference_group": "sex=Male",
}
LIMITS = [
    {"metric": "demographic_parity_difference", "op": "max", "limit": 0.1},
    {"metric": "disparate_impact_ratio", "op": "min", "limit": 0.8},
]


@pytest.fixture
def system(credit_system):
    return credit_system


def upload(path):
    return store_data_file(SimpleUploadedFile(path.name, path.read_bytes()))


def fairness_check(world, system, sample, **extra):
    blob, name = upload(sample)
    return save_check(
        Check(
            organization=world.org,
            system=system,
            name=extra.pop("name", "Parity"),
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=name,
            options=dict(FAIRNESS_OPTIONS, **extra),
            thresholds=LIMITS,
        ),
        actor=world.owner,
        controls=list(Control.objects.filter(ref__in=["A.5.4", "A.6.2.4"])),
    )


def test_a_failing_run_is_recorded_as_evidence_with_an_alert(world, system):
    check = fairness_check(world, system, BIASED)
    run = run_check(check, actor=world.contributor)
    assert run.status == RunStatus.FAILED and run.origin == Origin.MANUAL
    assert run.fingerprint["rows"] == 20_000 and len(run.fingerprint["sha256"]) == 64
    by_metric = {t["metric"]: t for t in run.result["thresholds"]}
    assert by_metric["demographic_parity_difference"]["value"] == pytest.approx(0.145, abs=0.01)
    assert by_metric["demographic_parity_difference"]["passed"] is False
    assert by_metric["disparate_impact_ratio"]["passed"] is False
    assert run.statistics["kind"] == "fairness" and len(run.statistics["groups"]) == 2
    assert run.engine_version == metrics.ENGINE_VERSION
    evidence = run.evidence
    assert set(evidence.soa_entries.values_list("control__ref", flat=True)) == {"A.5.4", "A.6.2.4"}
    assert list(evidence.systems.all()) == [system]
    assert evidence.revisions.get().files.get().original_name.endswith(".json")
    alert = Alert.objects.get(run=run)
    assert alert.recipient == world.manager and alert.system == system and alert.is_open
    assert "demographic_parity_difference" in alert.message
    assert AuditEvent.objects.filter(record_type="checks.alert").exists()
    assert verify_chain(world.org)[1] is None


def test_failing_again_adds_to_the_open_alert_until_it_is_resolved(world, system):
    check = fairness_check(world, system, BIASED)
    first = run_check(check, actor=world.contributor)
    second = run_check(check, actor=world.contributor)
    third = run_check(check, actor=world.contributor)
    alert = Alert.objects.get()
    assert alert.run == first and alert.last_run == third and alert.repeats == 2
    assert alert.latest_run_id == third.pk and second.evidence is not None
    resolve_alert(alert, actor=world.manager, resolution="Retraining with reweighing")
    fourth = run_check(check, actor=world.contributor)
    assert Alert.objects.count() == 2
    assert Alert.objects.open().get().run == fourth
    assert verify_chain(world.org)[1] is None


def test_the_evidence_of_a_run_stays_as_measured(world, system):
    run = run_check(fairness_check(world, system, BIASED), actor=world.contributor)
    evidence = Evidence.objects.get(pk=run.evidence_id)
    card = SimpleUploadedFile("fixed.json", b'{"passed": true}', content_type="application/json")
    with pytest.raises(ValidationError, match="recorded result of a check run"):
        add_revision(evidence, actor=world.owner, files=[card])
    with pytest.raises(ValidationError, match="recorded result of a check run"):
        delete_evidence(evidence, actor=world.owner)
    evidence.title = evidence.title.replace("FAILED", "passed")
    with pytest.raises(ValidationError) as error:
        update_evidence(evidence, actor=world.owner)
    assert set(error.value.message_dict) == {"title"}
    evidence.refresh_from_db()
    assert "FAILED" in evidence.title and evidence.revisions.count() == 1
    risk = save_risk(
        Risk(organization=world.org, title="Bias", inherent_likelihood=3, inherent_impact=3),
        actor=world.owner,
    )
    update_evidence(evidence, actor=world.owner, links={"risks": [risk]})  # links may grow
    assert list(evidence.risks.all()) == [risk]


def test_a_passing_run_raises_no_alert(world, system):
    run = run_check(fairness_check(world, system, FAIR), actor=world.owner)
    assert run.status == RunStatus.PASSED
    assert not Alert.objects.exists()


def assert_error_run(check, run, *words):
    assert run.status == RunStatus.ERROR and run.evidence is None
    assert all(word in run.error for word in words), run.error
    alert = Alert.objects.get(run__definition=check)
    assert "could not run" in alert.message and words[0] in alert.message
    assert CheckRun.objects.filter(definition=check).count() == 1
    assert not Evidence.objects.filter(check_run__definition=check).exists()


def test_bad_data_records_an_error_run_and_alerts(world, system):
    check = fairness_check(world, system, BIASED)
    # Saving refuses a column the file lacks; the options changed under the check since.
    check.options = dict(check.options, label="repayed")
    Check.objects.filter(pk=check.pk).update(options=check.options)
    run = run_check(check, actor=world.owner)
    assert run.origin == Origin.MANUAL and run.triggered_by == world.owner
    assert_error_run(check, run, "repayed")
    assert verify_chain(world.org)[1] is None


def _by_path(world, system, settings, tmp_path, target):
    settings.AIMS_CHECK_DATA_DIRS = [str(tmp_path)]
    check = fairness_check(world, system, BIASED)
    Check.objects.filter(pk=check.pk).update(
        source_type=SourceType.PATH, data_blob=None, data_name="", data_path=str(target)
    )
    check.refresh_from_db()
    return check


def test_a_corrupt_parquet_file_records_an_error_run(world, system, settings, tmp_path):
    bad = tmp_path / "log.parquet"
    bad.write_bytes(b"PAR1 this is not parquet at all PAR1")
    check = _by_path(world, system, settings, tmp_path, bad)
    assert_error_run(check, run_check(check), "not a readable Parquet file")


def test_a_missing_file_records_an_error_run(world, system, settings, tmp_path):
    gone = tmp_path / "gone.parquet"
    check = _by_path(world, system, settings, tmp_path, gone)
    assert_error_run(check, run_check(check), "does not exist")


def test_a_glob_matching_a_folder_records_an_error_run(world, system, settings, tmp_path):
    (tmp_path / "part.parquet").mkdir()
    check = _by_path(world, system, settings, tmp_path, tmp_path / "*.parquet")
    run = run_check(check)
    assert run.status == RunStatus.ERROR and run.error
    assert "unexpected error" not in run.error
    assert Alert.objects.get(run=run)


def test_an_altered_upload_records_an_error_run(world, system):
    from aims.evidence import storage

    check = fairness_check(world, system, BIASED)
    storage.path_for(check.data_blob.sha256).write_bytes(b"tampered")
    assert_error_run(check, run_check(check), "altered after upload")


def test_an_engine_exception_records_an_error_run(world, system, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(metrics, "fairness_statistics", broken)
    check = fairness_check(world, system, BIASED)
    assert_error_run(check, run_check(check), "unexpected error", "ZeroDivisionError")


def test_the_deployment_gate_needs_a_passing_fairness_run(world, system):
    move_through(system, Stage.VALIDATION, actor=world.owner)
    sign_off(system, actor=world.owner)
    assessed(system, author=world.contributor, signer=world.owner)  # it affects individuals
    with pytest.raises(GateBlocked) as blocked:
        move_to_stage(system, to_stage=Stage.DEPLOYMENT, actor=world.owner, reason="go")
    assert [r.requirement.code for r in blocked.value.results] == ["fairness_check_passed"]
    biased = fairness_check(world, system, BIASED)
    run_check(biased, actor=world.owner)
    with pytest.raises(GateBlocked, match="“Parity” \\(failed on"):
        move_to_stage(system, to_stage=Stage.DEPLOYMENT, actor=world.owner, reason="go")
    biased.is_active = False  # replaced by the check on the retrained model's log
    save_check(biased, actor=world.owner)
    run_check(
        fairness_check(world, system, FAIR, name="Parity after retraining"), actor=world.owner
    )
    move_to_stage(system, to_stage=Stage.DEPLOYMENT, actor=world.owner, reason="go")
    system.refresh_from_db()
    assert system.stage == Stage.DEPLOYMENT


def test_systems_not_affecting_individuals_need_no_fairness_run(world):
    system = save_system(
        AISystem(
            organization=world.org,
            name="Forecast",
            purpose="p",
            intended_use="u",
            owner=world.owner,
        ),
        actor=world.owner,
    )
    fairness = {r.requirement.code: r for r in system.gate(Stage.DEPLOYMENT)}
    assert fairness["fairness_check_passed"].met
    assert "not marked as affecting individuals" in fairness["fairness_check_passed"].detail


def test_pipeline_statistics_are_recomputed_with_the_checks_own_limits(world, system):
    check = save_check(
        Check(
            organization=world.org,
            system=system,
            name="From CI",
            kind=Kind.FAIRNESS,
            source_type=SourceType.PIPELINE,
            options=FAIRNESS_OPTIONS,
            thresholds=LIMITS,
        ),
        actor=world.owner,
    )
    stats = metrics.fairness_statistics(
        str(BIASED), label="repaid", prediction="approved", sensitive=["sex"]
    )
    run = record_pipeline_run(
        check,
        actor=world.contributor,
        kind="fairness",
        statistics=stats.to_dict(),
        report=None,
        fingerprint={"rows": 20_000, "sha256": None, "file": "x.parquet"},
        engine_version="9.9.9",
    )
    assert run.origin == Origin.PIPELINE and run.status == RunStatus.FAILED
    assert run.engine_version == "9.9.9"
    assert run.statistics == stats.to_dict()


def test_malformed_pipeline_statistics_record_nothing(world, system):
    check = save_check(
        Check(
            organization=world.org,
            system=system,
            name="From CI",
            kind=Kind.FAIRNESS,
            source_type=SourceType.PIPELINE,
            options=FAIRNESS_OPTIONS,
            thresholds=LIMITS,
        ),
        actor=world.owner,
    )
    with pytest.raises((metrics.InputError, ValidationError)):
        record_pipeline_run(
            check,
            actor=world.owner,
            kind="fairness",
            statistics={"kind": "fairness", "groups": [{"tp": -1}]},
            report=None,
            fingerprint={},
            engine_version="x",
        )
    assert not CheckRun.objects.exists()


def test_definitions_are_validated(world, system, settings, tmp_path):
    settings.AIMS_CHECK_DATA_DIRS = [str(tmp_path / "allowed")]
    with pytest.raises(ValidationError) as error:
        save_check(
            Check(
                organization=world.org,
                system=system,
                name="x",
                kind=Kind.FAIRNESS,
                source_type=SourceType.PATH,
                data_path="/etc/passwd",
                options={},
                thresholds=[{"metric": "nonsense", "op": "max", "limit": 1}],
            ),
            actor=world.owner,
        )
    fields = error.value.message_dict
    assert "outside the folders" in fields["data_path"][0]
    assert {"label", "prediction", "sensitive", "thresholds"} <= set(fields)
    assert not Check.objects.exists()


def test_uploads_must_be_parquet_or_csv(world):
    with pytest.raises(ValidationError, match="parquet"):
        store_data_file(SimpleUploadedFile("log.xlsx", b"PK\x03\x04"))


def test_resolving_an_alert_needs_a_resolution(world, system):
    run = run_check(fairness_check(world, system, BIASED), actor=world.owner)
    alert = run.alert
    with pytest.raises(ValidationError):
        resolve_alert(alert, actor=world.manager, resolution=" ")
    resolve_alert(alert, actor=world.manager, resolution="Retrained with reweighing; see run 2.")
    alert.refresh_from_db()
    assert not alert.is_open and alert.resolved_by == world.manager
    assert SoAEntry.objects.filter(evidence=run.evidence).count() == 2


def test_a_folder_of_parquet_files_is_fingerprinted_file_by_file(world, system, settings, tmp_path):
    import pyarrow.parquet as pq

    folder = tmp_path / "allowed" / "log"
    folder.mkdir(parents=True)
    settings.AIMS_CHECK_DATA_DIRS = [str(tmp_path / "allowed")]
    table = pq.read_table(BIASED)
    pq.write_table(table.slice(0, 12_000), folder / "part-0.parquet")
    pq.write_table(table.slice(12_000), folder / "part-1.parquet")
    (folder / "notes.txt").write_text("not data")
    check = save_check(
        Check(
            organization=world.org,
            system=system,
            name="Parity on the partitioned log",
            kind=Kind.FAIRNESS,
            source_type=SourceType.PATH,
            data_path=str(folder),
            options=FAIRNESS_OPTIONS,
            thresholds=LIMITS,
        ),
        actor=world.owner,
    )
    first = run_check(check, actor=world.owner)
    assert first.status == RunStatus.FAILED  # the same 20,000 rows as the single biased file
    assert first.fingerprint["rows"] == 20_000
    assert first.fingerprint["file"] == "log" and first.fingerprint["files"] == 2
    assert first.fingerprint["bytes"] == sum(
        (folder / f"part-{i}.parquet").stat().st_size for i in range(2)
    )
    assert len(first.fingerprint["sha256"]) == 64
    # Any change to one of the files gives another fingerprint.
    pq.write_table(table.slice(12_000, 7_000), folder / "part-1.parquet")
    second = run_check(check, actor=world.owner)
    assert second.fingerprint["rows"] == 19_000
    assert second.fingerprint["sha256"] != first.fingerprint["sha256"]
    page = (
        world.client(world.viewer)
        .get(f"/o/{world.org.slug}/checks/runs/{second.pk}/")
        .content.decode()
    )
    assert "log (2 files," in page and second.fingerprint["sha256"] in page


def test_a_score_threshold_of_zero_is_kept_not_replaced_by_the_default(world, system):
    check = fairness_check(world, system, BIASED, prediction="", score="score", threshold=0.0)
    run = run_check(check, actor=world.owner)
    by_group = run.result["by_group"]
    assert {g: v["selection_rate"] for g, v in by_group.items()} == {
        "sex=Female": 1.0,
        "sex=Male": 1.0,
    }
    assert run.status == RunStatus.PASSED  # everyone approved: no disparity at all
