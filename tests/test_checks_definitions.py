"""The rules on check definitions that web pages and the API share: deleting a check, storing
the files uploaded for one, and which check a run posted by the ML pipeline belongs to."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.checks.models import Check, CheckRun, Kind, SourceType
from aims.checks.samples import BIASED, FAIR
from aims.checks.services import (
    check_for_pipeline_run,
    delete_check,
    run_check,
    save_check,
    store_uploads,
)
from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.trail.models import Action, AuditEvent

OPTIONS = {"label": "repaid", "prediction": "approved", "sensitive": ["sex"]}


@pytest.fixture
def system(credit_system):
    return credit_system


def sample(path):
    return SimpleUploadedFile(path.name, path.read_bytes())


def pipeline_check(world, system, name: str, kind=Kind.FAIRNESS, **fields) -> Check:
    options = OPTIONS if kind == Kind.FAIRNESS else {}
    return save_check(
        Check(
            organization=world.org,
            system=system,
            name=name,
            kind=kind,
            source_type=SourceType.PIPELINE,
            options=options,
            **fields,
        ),
        actor=world.owner,
    )


def uploaded_check(world, system) -> Check:
    check = Check(
        organization=world.org,
        system=system,
        name="Parity",
        kind=Kind.FAIRNESS,
        source_type=SourceType.UPLOAD,
        options=OPTIONS,
    )
    return save_check(store_uploads(check, data_file=sample(BIASED)), actor=world.owner)


def test_a_check_that_never_ran_is_deleted_and_the_deletion_audited(world, system):
    check = pipeline_check(world, system, "From CI")
    check_id = check.pk
    delete_check(check, actor=world.manager)
    assert not Check.objects.filter(pk=check_id).exists()
    deleted = AuditEvent.objects.filter(record_id=str(check_id), action=Action.DELETE).get()
    assert deleted.actor == world.manager


def test_a_check_with_runs_is_kept_as_they_are_evidence(world, system):
    check = uploaded_check(world, system)
    run_check(check, actor=world.owner)
    with pytest.raises(ValidationError, match="Untick “Active”"):
        delete_check(check, actor=world.manager)
    assert Check.objects.filter(pk=check.pk).exists() and CheckRun.objects.count() == 1


def test_uploads_are_stored_and_the_check_points_at_them(world, system):
    check = uploaded_check(world, system)
    assert check.data_name == BIASED.name and check.data_blob.size == BIASED.stat().st_size
    assert check.reference_blob is None
    data_blob = check.data_blob
    store_uploads(check, reference_file=sample(FAIR))  # the data file stays as it was
    assert check.data_blob == data_blob and check.reference_name == FAIR.name
    assert check.reference_blob.sha256 != data_blob.sha256


def test_an_upload_that_is_no_data_file_changes_nothing(world, system):
    check = uploaded_check(world, system)
    with pytest.raises(ValidationError, match="upload a .parquet or .csv file"):
        store_uploads(check, data_file=SimpleUploadedFile("log.xlsx", b"PK\x03\x04"))
    assert check.data_name == BIASED.name


def test_a_pipeline_run_goes_to_the_systems_only_active_check_of_its_kind(world, system):
    with pytest.raises(ValidationError) as none:
        check_for_pipeline_run(system, Kind.FAIRNESS)
    assert "has no active fairness check" in none.value.message_dict["kind"][0]
    pipeline_check(world, system, "Retired", is_active=False)
    pipeline_check(world, system, "Quality", kind=Kind.QUALITY)
    active = pipeline_check(world, system, "From CI")
    assert check_for_pipeline_run(system, Kind.FAIRNESS) == active


def test_a_pipeline_run_names_its_check_when_several_are_active(world, system):
    first = pipeline_check(world, system, "A")
    pipeline_check(world, system, "B")
    with pytest.raises(ValidationError) as several:
        check_for_pipeline_run(system, Kind.FAIRNESS)
    assert "name one with --check" in several.value.message_dict["check"][0]
    assert check_for_pipeline_run(system, Kind.FAIRNESS, first.pk) == first
    quality = pipeline_check(world, system, "Quality", kind=Kind.QUALITY)
    with pytest.raises(ValidationError) as other_kind:
        check_for_pipeline_run(system, Kind.FAIRNESS, quality.pk)
    assert other_kind.value.message_dict["check"] == [
        f"{system.slug} has no fairness check with id {quality.pk}."
    ]


def test_a_pipeline_run_never_reaches_another_systems_check(world, system):
    other = save_system(
        AISystem(organization=world.org, name="Fraud", purpose="Flag", owner=world.manager),
        actor=world.owner,
    )
    theirs = pipeline_check(world, other, "Theirs")
    with pytest.raises(ValidationError):
        check_for_pipeline_run(system, Kind.FAIRNESS, theirs.pk)
    with pytest.raises(ValidationError):
        check_for_pipeline_run(system, Kind.FAIRNESS)
