"""Data quality: each check passes and fails on toy data; bad input gets a clear message."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aims.metrics import InputError
from aims.metrics.quality import QualityReport, quality_report

TOY = {
    "id": [1, 2, 3, 4, 4],
    "age": [25.0, 41.0, None, 130.0, 130.0],
    "score": [0.1, float("nan"), 0.3, 0.4, 0.4],
    "sex": ["F", "M", "M", "X", "X"],
    "approved": [True, False, True, True, True],
    "day": [dt.date(2024, 1, d) for d in (1, 2, 3, 4, 4)],
}


def checks(report, name):
    return {c.column: c for c in report.checks if c.check == name}


def test_expected_columns_pass_and_fail_by_type_family():
    report = quality_report(
        TOY,
        expected_columns={
            "id": "integer",
            "age": "numeric",
            "score": "float",
            "sex": "string",
            "approved": "boolean",
            "day": "datetime",
        },
    )
    assert report.passed
    failing = quality_report(TOY, expected_columns={"sex": "integer", "agee": "float"})
    assert not failing.passed
    by_check = {(c.check, c.column): c for c in failing.checks}
    assert not by_check[("column_type", "sex")].passed
    assert (
        by_check[("column_type", "sex")].message
        == "column 'sex' has type VARCHAR, which is not integer"
    )
    missing = by_check[("column_present", "agee")]
    assert not missing.passed
    assert missing.message == "column 'agee' is missing (did you mean 'age'?)"


def test_missing_share_counts_null_and_nan():
    report = quality_report(TOY, max_missing={"age": 0.2, "score": 0.19, "sex": 0.0})
    found = checks(report, "missing_share")
    assert found["age"].observed == pytest.approx(0.2) and found["age"].passed
    assert found["score"].observed == pytest.approx(0.2) and not found["score"].passed
    assert found["sex"].observed == 0.0 and found["sex"].passed
    everywhere = quality_report(TOY, max_missing=0.0)
    assert {c.column for c in everywhere.failed} == {"age", "score"}


def test_ranges_pass_and_fail_with_the_observed_extremes():
    report = quality_report(
        TOY, ranges={"age": (0, 120), "id": (1, None), "day": (dt.date(2024, 1, 1), None)}
    )
    found = checks(report, "range")
    assert not found["age"].passed
    assert found["age"].observed == [25.0, 130.0]
    assert (
        found["age"].message
        == "column 'age': 2 values outside [0, 120] (observed min 25.0, max 130.0)"
    )
    assert found["id"].passed
    assert found["day"].passed
    assert quality_report(TOY, ranges={"age": (0, 130)}).passed


def test_allowed_values_pass_and_fail_with_examples():
    report = quality_report(
        TOY, allowed={"sex": {"F", "M"}, "approved": {True, False}, "id": [1, 2, 3, 4]}
    )
    found = checks(report, "allowed_values")
    assert not found["sex"].passed
    assert found["sex"].observed == ["X"]
    assert found["sex"].message == "column 'sex': 2 of 5 values are not allowed (e.g. 'X')"
    assert found["approved"].passed
    assert found["id"].passed


def test_duplicate_rows_pass_and_fail():
    # Rows 4 and 5 of TOY are identical: one duplicate in five rows.
    found = quality_report(TOY, max_duplicate_share=0.2).checks[0]
    assert found.check == "duplicate_share"
    assert found.observed == pytest.approx(0.2) and found.passed
    assert not quality_report(TOY, max_duplicate_share=0.1).passed
    assert quality_report({"a": [1, 2, 3]}, max_duplicate_share=0.0).passed


def test_row_count_bounds_pass_and_fail():
    assert quality_report(TOY, min_rows=5, max_rows=5).passed
    report = quality_report(TOY, min_rows=6, max_rows=4)
    assert [c.check for c in report.failed] == ["min_rows", "max_rows"]
    assert report.failed[0].message == "5 rows (at least 6 required)"


def test_the_report_is_a_stable_dataclass_with_a_dict_form():
    report = quality_report(TOY, min_rows=1, allowed={"sex": ["F", "M"]})
    assert isinstance(report, QualityReport)
    data = report.to_dict()
    assert data["passed"] is False
    assert data["n_rows"] == 5
    assert data["checks"][1]["observed"] == ["X"]
    with pytest.raises(AttributeError):
        report.n_rows = 3  # frozen


def test_parquet_input_is_checked_without_loading_it(tmp_path):
    path = tmp_path / "log.parquet"
    rng = np.random.default_rng(0)
    pq.write_table(pa.table({"y": rng.integers(0, 2, 10_000), "p": rng.random(10_000)}), path)
    report = quality_report(path, ranges={"p": (0, 1)}, allowed={"y": [0, 1]}, max_missing=0.0)
    assert report.passed
    assert report.n_rows == 10_000


def test_bad_input_names_the_column_or_file(tmp_path):
    with pytest.raises(InputError, match=r"column 'agee' not found \(did you mean 'age'\?\)"):
        quality_report(TOY, ranges={"agee": (0, 1)})
    with pytest.raises(InputError, match=r"column 'sex' has type VARCHAR; a range applies"):
        quality_report(TOY, ranges={"sex": (0, 1)})
    corrupt = tmp_path / "x.parquet"
    corrupt.write_bytes(b"\x00garbage bytes, not parquet" * 20)
    with pytest.raises(InputError, match=r"x\.parquet: not a readable Parquet file"):
        quality_report(corrupt, min_rows=1)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        quality_report(empty)
    with pytest.raises(ValueError, match="not a type family"):
        quality_report(TOY, expected_columns={"age": "number"})
