"""Check data read from server paths stays inside AIMS_CHECK_DATA_DIRS, links included.

Issue 7, finding 12: a glob inside a data folder followed a symbolic link that pointed outside
it (the direct path was refused), and errors showed absolute server paths.
"""

import shutil

import pytest
from django.core.exceptions import ValidationError

from aims.checks.models import Check, Kind, RunStatus, SourceType
from aims.checks.samples import BIASED
from aims.checks.services import resolve_data_path, run_check, save_check

OPTIONS = {"label": "repaid", "prediction": "approved", "sensitive": ["sex"]}
LIMITS = [{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}]


@pytest.fixture
def folders(settings, tmp_path):
    """An allowed data folder (``check-data``) and a secret folder beside it."""
    allowed = tmp_path / "srv" / "check-data"
    secret = tmp_path / "srv" / "secret"
    (allowed / "credit").mkdir(parents=True)
    secret.mkdir()
    shutil.copy(BIASED, allowed / "credit" / "part-0.parquet")
    shutil.copy(BIASED, secret / "salaries.parquet")
    settings.AIMS_CHECK_DATA_DIRS = [str(allowed)]
    return allowed, secret


def refusal(raw, field="data_path"):
    with pytest.raises(ValidationError) as error:
        resolve_data_path(raw, field=field)
    return " ".join(error.value.message_dict[field])


def define(world, system, data_path):
    return save_check(
        Check(
            organization=world.org,
            system=system,
            name="Parity",
            kind=Kind.FAIRNESS,
            source_type=SourceType.PATH,
            data_path=data_path,
            options=OPTIONS,
            thresholds=LIMITS,
        ),
        actor=world.owner,
    )


def test_a_file_inside_the_folder_is_accepted(folders):
    allowed, _ = folders
    path = resolve_data_path(str(allowed / "credit" / "part-0.parquet"))
    assert path == (allowed / "credit" / "part-0.parquet").resolve()


def test_a_relative_path_is_read_from_the_data_folder(folders):
    allowed, _ = folders
    assert resolve_data_path("credit/part-0.parquet") == (allowed / "credit" / "part-0.parquet")
    assert "outside the folders" in refusal("../secret/salaries.parquet")


def test_the_direct_path_outside_is_refused_without_naming_server_folders(folders):
    allowed, secret = folders
    message = refusal(str(secret / "salaries.parquet"))
    assert "outside the folders the server may read check data from (check-data;" in message
    assert str(allowed) not in message  # the data folder's location stays on the server


def test_a_link_to_a_file_outside_is_refused(folders):
    allowed, secret = folders
    (allowed / "credit" / "leak.parquet").symlink_to(secret / "salaries.parquet")
    assert "outside the folders" in refusal(str(allowed / "credit" / "leak.parquet"))


def test_a_glob_matching_a_link_to_a_file_outside_is_refused(folders):
    allowed, secret = folders
    (allowed / "credit" / "part-1.parquet").symlink_to(secret / "salaries.parquet")
    message = refusal(str(allowed / "credit" / "*.parquet"))
    assert message == (
        "credit/part-1.parquet in check-data is a link to a file outside the folders the server "
        "may read check data from; it is not read."
    )
    assert str(secret) not in message and str(allowed) not in message


def test_a_folder_holding_a_link_outside_is_refused(folders):
    allowed, secret = folders
    (allowed / "credit" / "part-1.parquet").symlink_to(secret / "salaries.parquet")
    assert "credit/part-1.parquet in check-data is a link" in refusal(str(allowed / "credit"))


def test_a_linked_folder_pointing_outside_is_refused(folders):
    allowed, secret = folders
    (allowed / "mirror").symlink_to(secret, target_is_directory=True)
    assert "outside the folders" in refusal(str(allowed / "mirror" / "*.parquet"))
    assert "outside the folders" in refusal(str(allowed / "mirror"))


def test_a_link_that_stays_inside_is_accepted(folders):
    allowed, _ = folders
    (allowed / "latest.parquet").symlink_to(allowed / "credit" / "part-0.parquet")
    assert resolve_data_path(str(allowed / "*.parquet")) == (allowed / "*.parquet")


def test_a_missing_file_is_named_relative_to_its_folder(folders):
    allowed, _ = folders
    message = refusal(str(allowed / "credit" / "gone.parquet"))
    assert message == "credit/gone.parquet in check-data does not exist or is not a file."


def test_a_null_character_is_refused_with_a_field_error(folders):
    assert refusal("credit/\x00part.parquet", field="reference_path") == (
        "The path contains a null character."
    )


def test_a_link_added_after_the_check_was_saved_is_refused_at_run_time(
    world, credit_system, folders
):
    """The run re-checks every file the glob matches: the link never reaches the engine."""
    allowed, secret = folders
    check = define(world, credit_system, str(allowed / "credit" / "*.parquet"))
    (allowed / "credit" / "part-1.parquet").symlink_to(secret / "salaries.parquet")
    run = run_check(check, actor=world.owner)
    assert run.status == RunStatus.ERROR
    assert "credit/part-1.parquet in check-data is a link to a file outside" in run.error
    assert run.evidence_id is None
    assert str(allowed) not in run.error


def test_engine_errors_do_not_show_server_paths(world, credit_system, folders):
    allowed, _ = folders
    (allowed / "credit" / "part-0.parquet").write_bytes(b"PAR1 not parquet PAR1")
    check = Check.objects.create(
        organization=world.org,
        system=credit_system,
        name="Parity",
        kind=Kind.FAIRNESS,
        source_type=SourceType.PATH,
        data_path=str(allowed / "credit" / "part-0.parquet"),
        options=OPTIONS,
        thresholds=LIMITS,
    )
    run = run_check(check, actor=world.owner)
    assert run.status == RunStatus.ERROR and run.error
    assert str(allowed) not in run.error
