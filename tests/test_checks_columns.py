"""Checks defined from the data: the data file's schema read without reading the data, its
columns offered on the form, validated when the check is saved (form and API); one threshold
syntax; the check page's run state; the alerts page telling the truth."""

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from helpers import ApiClient

from aims.catalog.loader import load_catalog
from aims.checks import columns
from aims.checks.forms import CheckForm
from aims.checks.models import Alert, Check, CheckRun, Kind, RunStatus, SourceType
from aims.checks.samples import BIASED
from aims.checks.services import resolve_alert, run_check, save_check, store_data_file
from aims.metrics import thresholds as th

CSV = b"applicant,repaid,approved,score,sex\n1,1,1,0.91,Female\n2,0,1,0.55,Male\n3,1,0,0.2,\n"


def url(world, view, **kwargs):
    return reverse(view, kwargs={"org": world.org.slug, **kwargs})


# --- Reading the schema -------------------------------------------------------------------


def test_a_parquet_schema_is_read_from_its_metadata(tmp_path):
    path = tmp_path / "log.parquet"
    table = pa.table(
        {"y": pa.array([1, 0], pa.int8()), "p": [0.2, 0.9], "sex": ["F", "M"], "ok": [True, False]}
    )
    pq.write_table(table, path)
    schema = columns.read_schema(path, file="my log.parquet")
    assert schema.file == "my log.parquet"
    assert [(c.name, c.type) for c in schema.columns] == [
        ("y", "integer"),
        ("p", "float"),
        ("sex", "string"),
        ("ok", "boolean"),
    ]


def test_a_csv_schema_is_read_from_its_header_and_a_few_rows():
    schema = columns.read_schema(io.BytesIO(CSV), file="log.csv")
    assert [(c.name, c.type) for c in schema.columns] == [
        ("applicant", "integer"),
        ("repaid", "integer"),
        ("approved", "integer"),
        ("score", "float"),
        ("sex", "string"),
    ]


def test_only_the_head_of_a_large_csv_is_read():
    rows = b"".join(b"%d,%d\n" % (i, i % 2) for i in range(200_000))
    stream = io.BytesIO(b"id,flag\n" + rows)
    schema = columns.read_schema(stream, file="big.csv")
    assert schema.names == ["id", "flag"]
    assert stream.tell() == columns.CSV_SAMPLE_BYTES < len(stream.getvalue())


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("log.parquet", b"not parquet at all", "log.parquet cannot be read as a Parquet file"),
        ("log.csv", b"", "log.csv has no header line naming its columns."),
        ("log.csv", b"a,,b\n1,2,3\n", "log.csv: a column of the header line has no name."),
        ("log.csv", b"a,b,a\n1,2,3\n", "log.csv: the header names a more than once."),
        ("log.csv", b"\xff\xfe\x00a", "log.csv is not a UTF-8 text file"),
        ("log.xlsx", b"PK", "log.xlsx: upload a .parquet or .csv file."),
    ],
)
def test_a_bad_file_gets_a_clear_error_naming_it(name, content, expected):
    with pytest.raises(columns.SchemaError) as caught:
        columns.read_upload(SimpleUploadedFile(name, content))
    assert expected in str(caught.value)


def test_a_close_match_is_suggested_for_an_unknown_column():
    schema = columns.Schema("log.csv", (columns.Column("repaid", "integer"),))
    message = columns.unknown_column("repayed", schema)
    assert message == "log.csv has no column 'repayed'. Did you mean 'repaid'? Its columns: repaid."


# --- The threshold syntax -------------------------------------------------------------------


def test_both_threshold_syntaxes_are_read_and_written_the_cli_way():
    parsed = th.parse_threshold_lines(
        ["max dp_difference=0.1", "", "  min di_ratio 0.8  ", "max eo_difference = 0.2"],
        kind="fairness",
    )
    assert [(t.op, t.metric, t.limit) for t in parsed] == [
        ("max", "demographic_parity_difference", 0.1),
        ("min", "disparate_impact_ratio", 0.8),
        ("max", "equalized_odds_difference", 0.2),
    ]
    written = th.threshold_lines(parsed, kind="fairness")
    assert written == "max dp_difference=0.1\nmin di_ratio=0.8\nmax eo_difference=0.2"
    assert th.parse_threshold_lines(written.splitlines(), kind="fairness") == parsed


def test_every_wrong_threshold_line_is_reported_at_once():
    with pytest.raises(th.ThresholdErrors) as caught:
        th.parse_threshold_lines(
            [
                "max dp_diference=0.1",
                "min di_ratio=0.8",
                "top eo_difference=0.1",
                "max eo_difference=much",
                "min di_ratio=0.7",
                "max dp_difference=inf",
            ],
            kind="fairness",
        )
    errors = caught.value.errors
    assert len(errors) == 5, errors
    assert errors[0].startswith("line 1 “max dp_diference=0.1”: unknown fairness metric")
    assert "did you mean 'dp_difference'?" in errors[0]
    assert errors[1].startswith("line 3 “top eo_difference=0.1”: write max METRIC=LIMIT")
    assert errors[2] == "line 4 “max eo_difference=much”: the limit must be a number"
    assert errors[3] == (
        "line 5 “min di_ratio=0.7”: disparate_impact_ratio already has a limit (line 2)"
    )
    assert errors[4] == "line 6 “max dp_difference=inf”: the limit must be a finite number"


# --- The form ----------------------------------------------------------------------------------


def form_data(system, **overrides):
    data = {
        "system": system.pk,
        "name": "Approval parity",
        "kind": "fairness",
        "source_type": "upload",
        "label": "repaid",
        "prediction": "approved",
        "sensitive": "sex",
        "min_group_size": 30,
        "threshold": 0.5,
        "limits": "max dp_difference=0.1\nmin di_ratio 0.8",
        "schedule": "manual",
        "is_active": "on",
        "data_file": SimpleUploadedFile("applicants.csv", CSV),
    }
    data.update(overrides)
    return data


def test_the_form_reads_the_cli_syntax_and_reports_every_threshold_error(world, credit_system):
    client = world.client(world.contributor)
    response = client.post(url(world, "check_create"), form_data(credit_system))
    assert response.status_code == 302, response.content.decode()[:3000]
    check = Check.objects.get()
    assert check.thresholds == [
        {"metric": "demographic_parity_difference", "op": "max", "limit": 0.1},
        {"metric": "disparate_impact_ratio", "op": "min", "limit": 0.8},
    ]
    edit = client.get(url(world, "check_edit", check_id=check.pk))
    assert edit.context["form"].initial["limits"] == "max dp_difference=0.1\nmin di_ratio=0.8"
    response = client.post(
        url(world, "check_edit", check_id=check.pk),
        form_data(credit_system, limits="max dp_diff=0.1\nmin di_ratio=x\nsometimes"),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors["limits"]
    assert len(errors) == 3 and "Line 1" in errors[0] and "Line 3" in errors[2]
    check.refresh_from_db()
    assert check.thresholds[0]["limit"] == 0.1  # nothing saved


def test_the_form_refuses_columns_the_uploaded_file_lacks_naming_it(world, credit_system):
    client = world.client(world.contributor)
    response = client.post(
        url(world, "check_create"),
        form_data(credit_system, prediction="aproved", sensitive="sex, gender"),
    )
    assert response.status_code == 422 and not Check.objects.exists()
    errors = response.context["form"].errors
    assert errors["prediction"] == [
        "applicants.csv has no column 'aproved'. Did you mean 'approved'? Its columns: "
        "applicant, repaid, approved, score, sex."
    ]
    assert "applicants.csv has no column 'gender'." in errors["sensitive"][0]
    assert "label" not in errors


def test_a_drift_checks_columns_are_validated_on_their_own_field(world, credit_system):
    response = world.client(world.contributor).post(
        url(world, "check_create"),
        form_data(
            credit_system,
            kind="drift",
            limits="max share_drifted=0.5",
            drift_columns="score, sexx",
            categorical="sex",
            reference_file=SimpleUploadedFile("reference.csv", CSV),
        ),
    )
    assert response.status_code == 422 and not Check.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["drift_columns"] and "Did you mean 'sex'?" in errors["drift_columns"][0]


def test_columns_chosen_in_a_multiple_select_are_kept_as_a_list(world, credit_system):
    form = CheckForm(organization=world.org)
    assert form.fields["sensitive"].widget.attrs["data-column-field"] == "several"
    assert form.fields["label"].widget.attrs["data-column-field"] == "one"
    response = world.client(world.contributor).post(
        url(world, "check_create"), form_data(credit_system, sensitive=["sex", "approved"])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Check.objects.get().options["sensitive"] == ["sex", "approved"]


# --- The columns endpoint ----------------------------------------------------------------------


def test_an_uploaded_file_offers_its_columns_in_selects(world, credit_system):
    client = world.client(world.contributor)
    response = client.post(
        url(world, "check_columns"),
        {
            "data_file": SimpleUploadedFile("applicants.csv", CSV),
            "label": "repayd",
            "sensitive": "",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The columns of <strong>applicants.csv</strong> (5)" in page
    assert '<select id="id_label" name="label" data-column-field="one"' in page
    assert '<option value="score">score (float)</option>' in page
    assert '<option value="repayd" selected>repayd (not in applicants.csv)</option>' in page
    assert 'id="id_sensitive" name="sensitive" data-column-field="several" multiple' in page
    assert not Check.objects.exists()


def test_a_path_offers_its_columns_and_a_bad_one_says_why(world, settings, tmp_path):
    settings.AIMS_CHECK_DATA_DIRS = [str(tmp_path)]
    (tmp_path / "log.parquet").write_bytes(BIASED.read_bytes())
    (tmp_path / "broken.parquet").write_bytes(b"nope")
    client = world.client(world.contributor)
    found = client.get(
        url(world, "check_columns"), {"source_type": "path", "data_path": "log.parquet"}
    )
    assert "approved (integer)" in found.content.decode()
    broken = client.get(
        url(world, "check_columns"), {"source_type": "path", "data_path": "broken.parquet"}
    ).content.decode()
    assert f"broken.parquet in {tmp_path.name} cannot be read as a Parquet file" in broken
    assert "<select" not in broken
    outside = client.get(
        url(world, "check_columns"), {"source_type": "path", "data_path": "/etc/passwd"}
    ).content.decode()
    assert "outside the folders" in outside and str(tmp_path) not in outside
    nothing = client.get(url(world, "check_columns")).content.decode()
    assert "Upload a file or give its path" in nothing
    viewer = world.client(world.viewer).get(url(world, "check_columns"))
    assert viewer.status_code == 403


def test_a_saved_checks_upload_offers_its_columns(world, credit_system):
    blob, name = store_data_file(SimpleUploadedFile("applicants.csv", CSV))
    check = save_check(
        Check(
            organization=world.org,
            system=credit_system,
            name="Parity",
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=name,
            options={"label": "repaid", "prediction": "approved", "sensitive": ["sex"]},
        ),
        actor=world.owner,
    )
    page = (
        world.client(world.contributor)
        .get(url(world, "check_columns"), {"check": check.pk, "sensitive": "sex"})
        .content.decode()
    )
    assert "applicants.csv" in page and '<option value="sex" selected>' in page
    assert blob.sha256 not in page
    # Another organization's check, or a "number" that is none, offers nothing (and never a 500).
    client = world.client(world.contributor)
    for odd in ("²", "9" * 30, "1\x00", str(check.pk + 1000)):
        response = client.get(url(world, "check_columns"), {"check": odd})
        assert response.status_code == 200 and "<select" not in response.content.decode()


# --- The API ------------------------------------------------------------------------------------


def test_the_api_reports_every_field_error_in_one_422(world, credit_system, settings, tmp_path):
    load_catalog()
    settings.AIMS_CHECK_DATA_DIRS = [str(tmp_path)]
    (tmp_path / "applicants.csv").write_bytes(CSV)
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        f"/api/v1/systems/{credit_system.slug}/checks",
        {
            "name": "Parity from CI",
            "kind": "fairness",
            "source_type": "path",
            "data_path": "applicants.csv",
            "options": {"label": "repayed", "prediction": "approved", "sensitive": ["sexe"]},
            "thresholds": [
                {"metric": "dp_diference", "op": "max", "limit": 0.1},
                {"metric": "di_rati", "op": "min", "limit": 0.8},
            ],
            "controls": ["A.99"],
        },
    )
    assert response.status_code == 422, response.content
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {
        "thresholds.0.metric",
        "thresholds.1.metric",
        "controls",
        "options.label",
        "options.sensitive",
    }, fields
    assert "did you mean 'dp_difference'?" in fields["thresholds.0.metric"]
    assert (
        fields["options.label"].startswith("applicants.csv in ")
        and "has no column 'repayed'. Did you mean 'repaid'?" in fields["options.label"]
    )
    assert str(tmp_path) not in response.content.decode()
    assert not Check.objects.exists()


# --- The check page and the alerts page ----------------------------------------------------------


@pytest.fixture
def failing_check(world, credit_system):
    blob, name = store_data_file(SimpleUploadedFile(BIASED.name, BIASED.read_bytes()))
    return save_check(
        Check(
            organization=world.org,
            system=credit_system,
            name="Approval parity",
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=name,
            options={"label": "repaid", "prediction": "approved", "sensitive": ["sex"]},
            thresholds=[{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}],
        ),
        actor=world.owner,
    )


def test_the_check_page_shows_the_latest_run_and_keeps_the_run_button(world, failing_check):
    client = world.client(world.contributor)
    page = client.get(url(world, "check_detail", check_id=failing_check.pk)).content.decode()
    assert "Run now" in page and "Latest run" not in page
    run = run_check(failing_check, actor=world.contributor)
    page = client.get(url(world, "check_detail", check_id=failing_check.pk)).content.decode()
    assert "Run now" in page and "Latest run" in page and "Failed" in page
    assert url(world, "run_detail", run_id=run.pk) in page


def test_the_alerts_page_says_a_check_still_fails_after_its_alert_is_resolved(world, failing_check):
    client = world.client(world.owner)
    page = client.get(url(world, "alert_list")).content.decode()
    assert "No check has run yet." in page and "within its thresholds" not in page
    run = run_check(failing_check, actor=world.owner)
    assert run.status == RunStatus.FAILED
    resolve_alert(Alert.objects.get(), actor=world.owner, resolution="Retraining planned.")
    page = client.get(url(world, "alert_list")).content.decode()
    assert "No open alert" in page
    assert "within its thresholds" not in page
    assert "But the latest run of 1 check did not pass" in page
    assert url(world, "check_detail", check_id=failing_check.pk) in page
    # Once a run passes, the empty state is true.
    CheckRun.objects.filter(pk=run.pk).update(status=RunStatus.PASSED)
    page = client.get(url(world, "alert_list")).content.decode()
    assert "Every check's latest run is within its thresholds." in page


def test_a_drift_run_page_says_what_was_found_in_words(world, credit_system):
    from aims.checks.samples import FAIR

    blob, name = store_data_file(SimpleUploadedFile(BIASED.name, BIASED.read_bytes()))
    ref, ref_name = store_data_file(SimpleUploadedFile(FAIR.name, FAIR.read_bytes()))
    check = save_check(
        Check(
            organization=world.org,
            system=credit_system,
            name="Drift",
            kind=Kind.DRIFT,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=name,
            reference_blob=ref,
            reference_name=ref_name,
            options={"columns": ["sex", "score"]},
        ),
        actor=world.owner,
    )
    run = run_check(check, actor=world.owner)
    page = world.client(world.owner).get(url(world, "run_detail", run_id=run.pk)).content.decode()
    assert "drift detected in 1 of 2 columns (limit 50%)" in page
    assert "data set drifted" not in page
    assert run.result["overall"]["n_current"] == 20_000
