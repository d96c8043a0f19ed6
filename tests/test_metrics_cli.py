"""``aims check …``: outputs, exit codes, bad input, and the pipeline POST to a server.

Every test calls `aims.metrics.cli.main` in-process (fast) except the one that proves, in a
subprocess, that the command never imports Django.
"""

import hashlib
import json
import re
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aims.metrics import ENGINE_VERSION, fairness_statistics
from aims.metrics.cli import main

SUMMARY_KEYS = {"by_group", "overall", "aggregates", "thresholds", "passed"}
PAYLOAD_KEYS = {"kind", "check", "statistics", "report", "fingerprint", "engine_version"}

# The biased prediction log, by (group, label, prediction) -> rows:
#   group A: 40 TP, 10 FN, 20 FP, 30 TN -> selection 60/100, TPR 40/50, FPR 20/50
#   group B: 20 TP, 30 FN, 10 FP, 40 TN -> selection 30/100, TPR 20/50, FPR 10/50
CELLS = {
    ("A", 1, 1): 40,
    ("A", 1, 0): 10,
    ("A", 0, 1): 20,
    ("A", 0, 0): 30,
    ("B", 1, 1): 20,
    ("B", 1, 0): 30,
    ("B", 0, 1): 10,
    ("B", 0, 0): 40,
}


def _biased_columns() -> dict[str, list]:
    rng = np.random.default_rng(42)
    columns: dict[str, list] = {"y": [], "y_hat": [], "p": [], "group": [], "region": []}
    for (group, label, prediction), rows in CELLS.items():
        for i in range(rows):
            columns["y"].append(label)
            columns["y_hat"].append(prediction)
            # distinctive scores on the right side of 0.5, so that a leak would show
            low, high = (0.5, 0.99) if prediction else (0.01, 0.49)
            columns["p"].append(round(float(rng.uniform(low, high)), 9))
            columns["group"].append(group)
            columns["region"].append("north" if i % 2 else "south")
    return columns


@pytest.fixture
def biased(tmp_path) -> Path:
    path = tmp_path / "preds.parquet"
    pq.write_table(pa.table(_biased_columns()), path)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def fairness_args(path: Path, *extra: str) -> list[str]:
    return [
        "fairness",
        "--data",
        str(path),
        "--label",
        "y",
        "--prediction",
        "y_hat",
        "--sensitive",
        "group",
        *extra,
    ]


def _selection_rate(columns: dict[str, list], group: str) -> float:
    predictions = [p for g, p in zip(columns["group"], columns["y_hat"], strict=True) if g == group]
    return sum(predictions) / len(predictions)


# --- Local checks: output and exit codes --------------------------------------------------------


def test_fairness_table_with_a_failing_threshold(capsys, biased):
    code, out, err = run(capsys, *fairness_args(biased, "--max", "dp_difference=0.1"))
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0].split() == ["group", "rows", "selection", "TPR", "FPR", "PPV", "accuracy", "DI"]
    assert lines[1].split() == [
        "group=A",
        "100",
        "0.6000",
        "0.8000",
        "0.4000",
        "0.6667",
        "0.7000",
        "1.0000",
        "reference",
    ]
    assert lines[2].split()[:3] == ["group=B", "100", "0.3000"]
    assert lines[3].split()[:3] == ["overall", "200", "0.4500"]
    assert any(
        line.split() == ["demographic_parity_difference", "dp_difference", "0.3000"]
        for line in lines
    )
    assert any(
        line.split() == ["FAIL", "demographic_parity_difference", "0.3000", "<=", "0.1"]
        for line in lines
    )
    assert lines[-1] == "FAILED"


def test_fairness_json_matches_the_hand_computed_bias(capsys, biased):
    columns = _biased_columns()
    expected_dp = _selection_rate(columns, "A") - _selection_rate(columns, "B")
    assert expected_dp == pytest.approx(0.6 - 0.3)
    code, out, _ = run(
        capsys,
        *fairness_args(biased, "--max", "dp_difference=0.35", "--min", "di_ratio=0.8"),
        "--format",
        "json",
    )
    assert code == 1  # the disparate impact ratio 0.3 / 0.6 = 0.5 is below 0.8
    result = json.loads(out)
    assert set(result) == SUMMARY_KEYS
    assert set(result["by_group"]) == {"group=A", "group=B"}
    a, b = result["by_group"]["group=A"], result["by_group"]["group=B"]
    assert (a["count"], a["selection_rate"], a["true_positive_rate"]) == (100, 0.6, 0.8)
    assert (b["selection_rate"], b["false_positive_rate"], b["status"]) == (0.3, 0.2, "ok")
    assert b["disparate_impact"] == pytest.approx(0.5)
    assert result["overall"]["selection_rate"] == pytest.approx(0.45)
    aggregates = result["aggregates"]
    assert aggregates["demographic_parity_difference"] == pytest.approx(expected_dp, abs=1e-12)
    assert aggregates["equalized_odds_difference"] == pytest.approx(0.8 - 0.4)
    assert aggregates["disparate_impact_ratio"] == pytest.approx(0.5)
    dp, di = result["thresholds"]
    assert dp["metric"] == "demographic_parity_difference" and dp["passed"] is True
    assert (dp["limit"], dp["op"]) == (0.35, "max")
    assert di["metric"] == "disparate_impact_ratio" and di["passed"] is False
    assert di["value"] == pytest.approx(0.5)
    assert result["passed"] is False


def test_exit_zero_when_every_threshold_passes_and_without_thresholds(capsys, biased):
    code, out, _ = run(capsys, *fairness_args(biased, "--max", "dp_difference=0.3"))
    assert code == 0 and out.splitlines()[-1] == "PASSED"
    code, out, _ = run(capsys, *fairness_args(biased))
    assert code == 0 and "no thresholds given" in out


def test_scores_with_a_threshold_give_the_same_result(capsys, biased):
    args = ["fairness", "--data", biased, "--label", "y", "--score", "p", "--threshold", "0.5"]
    code, out, _ = run(capsys, *args, "--sensitive", "group", "--format", "json")
    assert code == 0
    aggregates = json.loads(out)["aggregates"]
    assert aggregates["demographic_parity_difference"] == pytest.approx(0.3)


def test_reference_group(capsys, biased):
    code, out, _ = run(
        capsys, *fairness_args(biased, "--reference-group", "group=B", "--format", "json")
    )
    assert code == 0
    result = json.loads(out)
    assert result["by_group"]["group=A"]["disparate_impact"] == pytest.approx(2.0)
    assert result["by_group"]["group=B"]["disparate_impact"] == 1.0
    # a bare value works with one sensitive feature
    code, out, _ = run(capsys, *fairness_args(biased, "--reference-group", "B"))
    assert code == 0
    assert "reference" in next(line for line in out.splitlines() if line.startswith("group=B"))


def test_intersections_and_a_partial_reference_group(capsys, biased):
    args = fairness_args(biased, "--sensitive", "region")
    code, out, _ = run(capsys, *args, "--reference-group", "region=north, group=A")
    assert code == 0  # parts in any order
    assert "group=A, region=north" in out
    code, out, err = run(capsys, *args, "--reference-group", "group=A")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "--reference-group 'group=A' does not fix 'region'" in err
    assert "'group=A, region=north'" in err and "'group=A, region=south'" in err
    code, _, err = run(capsys, *args, "--reference-group", "sex=Male")
    assert code == 2 and "'sex' is not a sensitive feature" in err


def test_small_groups_are_shown_not_dropped(capsys, biased):
    code, out, _ = run(capsys, *fairness_args(biased, "--min-group-size", "101"))
    assert code == 0
    assert "too few rows (under 101; left out of the aggregates): group=A, group=B" in out
    code, out, _ = run(
        capsys, *fairness_args(biased, "--min-group-size", "101", "--max", "dp_difference=1")
    )
    assert code == 1
    assert "not enough data in the groups" in out


def test_performance(capsys, biased):
    # accuracy: group A (40 + 30) / 100, group B (20 + 40) / 100, overall 130 / 200
    base = ["performance", "--data", biased, "--label", "y", "--prediction", "y_hat"]
    code, out, _ = run(capsys, *base, "--sensitive", "group", "--min", "accuracy=0.6")
    assert code == 0
    assert out.splitlines()[0].split() == ["group", "rows", "accuracy", "precision", "recall", "f1"]
    assert out.splitlines()[-1] == "PASSED"
    code, out, _ = run(capsys, *base, "--min", "accuracy=0.7", "--format", "json")
    assert code == 1
    result = json.loads(out)
    assert set(result) == SUMMARY_KEYS
    assert result["by_group"] == {}
    assert result["overall"]["accuracy"] == pytest.approx(0.65)
    assert result["thresholds"][0]["value"] == pytest.approx(0.65)
    code, out, _ = run(capsys, *base, "--score", "p", "--min", "roc_auc=0.5", "--format", "json")
    assert code == 0 and json.loads(out)["overall"]["roc_auc"] > 0.5
    code, _, err = run(capsys, *base, "--max", "rmse=1")
    assert code == 2 and "--max rmse: a regression metric, but the task is classification" in err


def test_performance_regression(capsys, tmp_path):
    path = tmp_path / "reg.parquet"
    pq.write_table(pa.table({"y": [1.0, 2.0, 3.0, 4.0], "y_hat": [1.5, 2.5, 3.0, 4.0]}), path)
    args = ["performance", "--data", path, "--label", "y", "--prediction", "y_hat"]
    code, out, _ = run(
        capsys, *args, "--task", "regression", "--max", "mae=0.25", "--format", "json"
    )
    assert code == 0
    overall = json.loads(out)["overall"]
    assert overall["mae"] == pytest.approx(0.25)  # (0.5 + 0.5) / 4
    assert overall["rmse"] == pytest.approx(0.125**0.5)  # sqrt((0.25 + 0.25) / 4)


@pytest.fixture
def drift_files(tmp_path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    reference, current = tmp_path / "reference.parquet", tmp_path / "current.parquet"
    pq.write_table(
        pa.table({"income": rng.normal(0, 1, 300), "age": rng.normal(40, 5, 300)}), reference
    )
    pq.write_table(
        pa.table({"income": rng.normal(3, 1, 300), "age": rng.normal(40, 5, 300)}), current
    )
    return reference, current


def test_drift(capsys, drift_files):
    reference, current = drift_files
    args = ["drift", "--reference", reference, "--current", current]
    code, out, _ = run(capsys, *args)
    assert code == 1  # one column of two drifts: the data set drifts at half of them
    # the verdict says in words what was found, not a bare "dataset_drifted yes"
    assert "the data set drifted" in out and "dataset_drifted" not in out
    assert out.splitlines()[-1] == "FAILED: drift detected in 1 of 2 columns (limit 50%)"
    code, out, _ = run(capsys, *args, "--column", "age")
    assert code == 0 and "stable" in out
    assert out.splitlines()[-1] == "PASSED: no drift detected in 1 column (limit 50%)"
    code, out, _ = run(capsys, *args, "--column", "income", "--format", "json")
    assert code == 1
    result = json.loads(out)
    assert set(result) == SUMMARY_KEYS | {"message"}
    assert result["message"] == "drift detected in 1 of 1 column (limit 50%)"
    assert result["overall"]["n_current"] == 300 and type(result["overall"]["n_current"]) is int
    assert list(result["by_group"]) == ["income"]
    assert result["by_group"]["income"]["drifted"] is True
    assert result["aggregates"]["drifted_columns"] == 1
    assert result["aggregates"]["dataset_drifted"] is True
    code, out, _ = run(capsys, *args, "--max", "drifted_columns=1")
    assert code == 0  # with a threshold, the threshold decides
    assert "DRIFTED" in out and out.splitlines()[-1].startswith("PASSED: drift detected in 1")
    code, out, _ = run(capsys, *args, "--max", "share_drifted=0.4")
    assert code == 1 and "FAIL  share_drifted" in out


def test_quality(capsys, tmp_path):
    path = tmp_path / "people.parquet"
    pq.write_table(
        pa.table({"age": [25, 41, None, 130], "sex": ["F", "M", "M", "X"], "x": [1, 2, 3, 4]}),
        path,
    )
    code, out, _ = run(
        capsys,
        "quality",
        "--data",
        path,
        "--expect",
        "age=integer",
        "--max-missing",
        "0",
        "--max-missing",
        "age=0.25",
        "--range",
        "age=0:120",
        "--allowed",
        "sex=F,M",
        "--min-rows",
        "2",
        "--format",
        "json",
    )
    assert code == 1
    result = json.loads(out)
    assert set(result) == SUMMARY_KEYS
    failed = {key for key, check in result["by_group"].items() if not check["passed"]}
    assert failed == {"range:age", "allowed_values:sex"}
    assert result["by_group"]["missing_share:age"]["limit"] == 0.25  # per column wins
    assert result["by_group"]["missing_share:x"]["limit"] == 0.0
    assert result["aggregates"]["failed_checks"] == 2
    code, out, _ = run(capsys, "quality", "--data", path, "--range", "x=1:4", "--max-rows", "4")
    assert code == 0
    assert out.splitlines()[-1] == "PASSED"
    assert out.splitlines()[2].split()[:5] == ["ok", "range", "column", "'x':", "every"]


# --- Bad input: exit 2, one line on stderr, never a traceback -----------------------------------


def _write(path: Path, **columns) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("misspelled label", ["column 'yy' not found", "did you mean 'y'?", "preds.parquet"]),
        ("misspelled sensitive", ["column 'grup' not found", "did you mean 'group'?"]),
        ("non-binary labels", ["label column 'y' has 3 distinct values", "(0, 1, 2)"]),
        ("NaN labels", ["label column 'y' has 1 missing values"]),
        ("missing predictions", ["prediction column 'y_hat' has 1 missing values"]),
        ("no rows", ["empty.parquet: the data has no rows"]),
        ("empty file", ["zero.parquet: the file is empty"]),
        ("identifier as sensitive", ["sensitive feature 'id' has 1,500 distinct values"]),
        ("unknown reference group", ["reference group 'group=C' does not exist", "group=A"]),
        ("corrupt parquet", ["corrupt.parquet: not a readable Parquet file"]),
        ("missing file", ["nowhere.parquet: file not found"]),
        ("text labels", ["holds text values", "--positive-label"]),
        ("bad limit", ["--max dp_difference=abc: the limit must be a number"]),
        ("unknown metric", ["unknown fairness metric 'dp_diff'", "valid names: dp_difference"]),
        ("no prediction", ["give the --prediction column, or a --score column"]),
        ("both prediction and score", ["give --prediction or --score, not both"]),
    ],
)
def test_bad_input(capsys, tmp_path, biased, case, expected):
    data = biased
    extra: list[str] = []
    label, prediction, sensitive = "y", "y_hat", "group"
    if case == "misspelled label":
        label = "yy"
    elif case == "misspelled sensitive":
        sensitive = "grup"
    elif case == "non-binary labels":
        data = _write(
            tmp_path / "d.parquet", y=[0, 1, 2, 1], y_hat=[0, 1, 1, 0], group=list("abab")
        )
    elif case == "NaN labels":
        data = _write(
            tmp_path / "d.parquet",
            y=[0.0, 1.0, np.nan, 1.0],
            y_hat=[0, 1, 1, 0],
            group=list("abab"),
        )
    elif case == "missing predictions":
        data = _write(
            tmp_path / "d.parquet", y=[0, 1, 0, 1], y_hat=[0, 1, None, 0], group=list("abab")
        )
    elif case == "no rows":
        data = tmp_path / "empty.parquet"
        pq.write_table(
            pa.table(
                {
                    "y": pa.array([], pa.int64()),
                    "y_hat": pa.array([], pa.int64()),
                    "group": pa.array([], pa.string()),
                }
            ),
            data,
        )
    elif case == "empty file":
        data = tmp_path / "zero.parquet"
        data.write_bytes(b"")
    elif case == "identifier as sensitive":
        n = 1500
        data = _write(
            tmp_path / "ids.parquet",
            y=[i % 2 for i in range(n)],
            y_hat=[i % 3 % 2 for i in range(n)],
            id=[f"person-{i}" for i in range(n)],
        )
        sensitive = "id"
    elif case == "unknown reference group":
        extra = ["--reference-group", "group=C"]
    elif case == "corrupt parquet":
        data = tmp_path / "corrupt.parquet"
        data.write_bytes(b"PAR1\x00\x01 these are not the bytes of a Parquet file \xff")
    elif case == "missing file":
        data = tmp_path / "nowhere.parquet"
    elif case == "text labels":
        label = "group"
        sensitive = "region"
    elif case == "bad limit":
        extra = ["--max", "dp_difference=abc"]
    elif case == "unknown metric":
        extra = ["--max", "dp_diff=0.1"]
    elif case == "no prediction":
        prediction = ""
    elif case == "both prediction and score":
        extra = ["--score", "p"]
    argv = ["fairness", "--data", data, "--label", label, "--sensitive", sensitive, *extra]
    if prediction:
        argv += ["--prediction", prediction]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("aims check fairness: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for text in expected:
        assert text in err


def test_bad_input_for_drift_and_quality(capsys, tmp_path, drift_files):
    reference, current = drift_files
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"garbage" * 20)
    code, _, err = run(capsys, "drift", "--reference", corrupt, "--current", current)
    assert code == 2 and "corrupt.parquet: not a readable Parquet file" in err
    code, _, err = run(
        capsys, "drift", "--reference", reference, "--current", current, "--column", "incme"
    )
    assert code == 2 and "'incme'" in err and "'income'" in err
    code, _, err = run(capsys, "quality", "--data", tmp_path / "nowhere.csv")
    assert code == 2 and "nowhere.csv: file not found" in err
    for option, value, message in [
        ("--expect", "income=money", "--expect income=money: unknown type; use one of integer"),
        ("--range", "income=low:high", "--range income=low:high: write it as MIN:MAX"),
        ("--max-missing", "1.5", "--max-missing 1.5: the share must be between 0 and 1"),
        ("--allowed", "income", "--allowed income: write it as COLUMN=A,B,C"),
        ("--max", "failed=1", "unknown quality metric 'failed'"),
    ]:
        code, out, err = run(capsys, "quality", "--data", reference, option, value)
        assert (code, out) == (2, ""), option
        assert message in err, err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["fairness"],
        ["fairness", "--data", "x.parquet", "--label", "y", "--prediction", "y_hat"],
        ["fairness", "--data", "x.parquet", "--label", "y", "--sensitive", "g", "--format", "csv"],
        ["fairness", "--data", "x.parquet", "--label", "y", "--sensitive", "g", "--frmat", "json"],
        ["bias", "--data", "x.parquet"],
        ["quality", "--data", "x.parquet", "--min-rows", "many"],
    ],
)
def test_usage_errors_exit_2_as_argparse_does(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage: aims check" in err and "error:" in err


def test_help_lists_the_metric_names(capsys):
    code, out, _ = run(capsys, "fairness", "--help")
    assert code == 0
    assert "dp_difference (demographic_parity_difference)" in out
    assert "--reference-group" in out


# --- Pipeline mode ------------------------------------------------------------------------------


class StubServer:
    """An OpenAIMS stand-in: records each request and answers with the configured reply."""

    def __init__(self, status: int = 201, reply: dict | bytes | None = None, headers=None):
        self.status, self.reply, self.headers = status, reply, headers or {}
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stub.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                reply = stub.reply if isinstance(stub.reply, bytes) else json.dumps(stub.reply)
                data = reply if isinstance(reply, bytes) else reply.encode()
                self.send_response(stub.status)
                for name, value in stub.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def payload(self) -> dict:
        (request,) = self.requests
        return json.loads(request["body"])


def _verdict(passed: bool) -> dict:
    return {
        "id": 7,
        "passed": passed,
        "thresholds": [
            {
                "metric": "demographic_parity_difference",
                "value": 0.3,
                "limit": 0.1 if not passed else 0.5,
                "op": "max",
                "passed": passed,
                "message": "from the server",
            }
        ],
        "url": "https://aims.example/systems/credit-scoring/checks/runs/7",
    }


def _lists(value) -> list[list]:
    """Every list inside a JSON value."""
    if isinstance(value, list):
        return [value, *(inner for item in value for inner in _lists(item))]
    if isinstance(value, dict):
        return [inner for item in value.values() for inner in _lists(item)]
    return []


def server_args(url: str, *extra: str) -> list[str]:
    return ["--server", url, "--token", "s3cret", "--system", "credit-scoring", *extra]


def test_pipeline_posts_only_the_sufficient_statistics(capsys, biased):
    with StubServer(201, _verdict(True)) as server:
        code, out, err = run(
            capsys,
            *["fairness", "--data", biased, "--label", "y", "--score", "p", "--threshold", "0.5"],
            *["--sensitive", "group", "--sensitive", "region"],
            *server_args(server.url, "--check", "3"),
        )
    assert (code, err) == (0, "")
    (request,) = server.requests
    assert request["path"] == "/api/v1/systems/credit-scoring/check-runs"
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Content-Type"] == "application/json"
    payload = json.loads(request["body"])
    assert set(payload) == PAYLOAD_KEYS
    assert payload["kind"] == "fairness"
    assert payload["check"] == 3
    assert payload["report"] is None
    assert payload["engine_version"] == ENGINE_VERSION
    assert payload["fingerprint"] == {
        "rows": 200,
        "sha256": hashlib.sha256(biased.read_bytes()).hexdigest(),
        "file": "preds.parquet",
    }
    expected = fairness_statistics(
        str(biased), label="y", score="p", threshold=0.5, sensitive=["group", "region"]
    )
    assert payload["statistics"] == expected.to_dict()
    # No row leaves the pipeline: only one entry per group (4 groups), no column of 200 values,
    # and none of the scores appears in the body.
    assert max(len(values) for values in _lists(payload)) <= 4
    body = request["body"].decode()
    assert not any(repr(score) in body for score in _biased_columns()["p"])
    for group in payload["statistics"]["groups"]:
        assert set(group) == {"values", "tp", "fp", "tn", "fn"}
    assert (
        sum(g["tp"] + g["fp"] + g["tn"] + g["fn"] for g in payload["statistics"]["groups"]) == 200
    )
    # the server's verdict is printed like a local result
    assert "PASS  demographic_parity_difference" in out
    assert "recorded as run 7: https://aims.example/systems/credit-scoring/checks/runs/7" in out
    assert out.splitlines()[-1] == "PASSED"


def test_pipeline_failed_verdict_exits_1(capsys, biased, monkeypatch):
    monkeypatch.setenv("AIMS_TOKEN", "from-the-environment")
    with StubServer(201, _verdict(False)) as server:
        code, out, _ = run(
            capsys,
            *fairness_args(biased, "--format", "json"),
            "--server",
            server.url + "/",
            "--system",
            "credit-scoring",
        )
    assert code == 1
    assert server.requests[0]["headers"]["Authorization"] == "Bearer from-the-environment"
    assert server.payload()["check"] is None
    result = json.loads(out)
    assert set(result) == SUMMARY_KEYS | {"run"}
    assert result["passed"] is False
    assert result["thresholds"] == _verdict(False)["thresholds"]
    assert result["run"] == {"id": 7, "url": _verdict(False)["url"]}
    assert result["by_group"]["group=A"]["selection_rate"] == 0.6


def test_pipeline_performance_drift_and_quality_payloads(capsys, biased, drift_files, tmp_path):
    with StubServer(201, {"id": 1, "passed": True, "thresholds": [], "url": "u"}) as server:
        args = ["performance", "--data", biased, "--label", "y", "--prediction", "y_hat"]
        code, _, _ = run(capsys, *args, "--score", "p", *server_args(server.url))
        assert code == 0
        payload = json.loads(server.requests[-1]["body"])
        assert set(payload) == PAYLOAD_KEYS
        assert payload["kind"] == "performance" and payload["report"] is None
        assert payload["statistics"]["kind"] == "performance"
        assert payload["fingerprint"]["rows"] == 200
        assert max(len(values) for values in _lists(payload)) <= 1

        reference, current = drift_files
        args = ["drift", "--reference", reference, "--current", current]
        assert run(capsys, *args, *server_args(server.url))[0] == 0
        payload = json.loads(server.requests[-1]["body"])
        assert payload["kind"] == "drift" and payload["statistics"] is None
        assert set(payload["report"]["columns"]) == {"income", "age"}
        assert payload["fingerprint"]["file"] == "current.parquet"
        assert payload["fingerprint"]["rows"] == 300

        people = _write(tmp_path / "people.parquet", name=["Ann", "Bob", "Eve"])
        args = ["quality", "--data", people, "--allowed", "name=Ann"]
        assert run(capsys, *args, *server_args(server.url))[0] == 0  # the server decides
        payload = json.loads(server.requests[-1]["body"])
        assert payload["kind"] == "quality" and payload["statistics"] is None
        assert "Bob" not in server.requests[-1]["body"].decode()  # no example values
        assert "Eve" not in server.requests[-1]["body"].decode()
        (check,) = payload["report"]["checks"]
        assert check["passed"] is False and "2 of 3 values are not allowed" in check["message"]


def test_pipeline_server_refusal_exits_2_with_its_detail(capsys, biased):
    reply = {
        "detail": "The statistics do not match the check.",
        "errors": [{"field": "statistics.sensitive", "message": "expected ['sex']"}],
    }
    with StubServer(422, reply) as server:
        code, out, err = run(capsys, *fairness_args(biased), *server_args(server.url))
    assert (code, out) == (2, "")
    assert "refused the run (HTTP 422): The statistics do not match the check." in err
    assert "statistics.sensitive: expected ['sex']" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("status", "reply", "headers", "message"),
    [
        (500, b"<h1>Server Error</h1>", {}, "refused the run (HTTP 500): Internal Server Error"),
        (302, b"", {"Location": "/accounts/login/"}, "redirected to /accounts/login/"),
        (200, b"<html>a login page</html>", {}, "without a check-run verdict"),
    ],
)
def test_pipeline_unexpected_answers_exit_2(capsys, biased, status, reply, headers, message):
    with StubServer(status, reply, headers) as server:
        code, _, err = run(capsys, *fairness_args(biased), *server_args(server.url))
    assert code == 2
    assert message in err


def test_pipeline_connection_refused_exits_2(capsys, biased):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, err = run(capsys, *fairness_args(biased), *server_args(f"http://127.0.0.1:{port}"))
    assert (code, out) == (2, "")
    assert f"cannot reach http://127.0.0.1:{port}" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max", "dp_difference=0.1"], "with --server the check's own thresholds apply"),
        (["--reference-group", "group=A"], "the check's own reference group applies"),
    ],
)
def test_pipeline_refuses_local_thresholds(capsys, biased, extra, message):
    code, _, err = run(capsys, *fairness_args(biased, *extra), *server_args("http://x.test"))
    assert code == 2 and message in err


def test_pipeline_options_belong_together(capsys, biased, monkeypatch):
    monkeypatch.delenv("AIMS_TOKEN", raising=False)
    args = fairness_args(biased)
    code, _, err = run(capsys, *args, "--server", "http://x.test", "--system", "s")
    assert code == 2 and "--server needs --system and --token (or AIMS_TOKEN)" in err
    code, _, err = run(capsys, *args, "--token", "t")
    assert code == 2 and "--token, --system and --check need --server" in err
    code, _, err = run(capsys, *args, *server_args("file:///etc/passwd"))
    assert code == 2 and "give the http:// or https:// address" in err


# --- No Django -----------------------------------------------------------------------------------


def test_the_command_runs_without_django(biased):
    code = (
        "import sys\n"
        "from aims.metrics.cli import main\n"
        f"rc = main(['check', 'fairness', '--data', {str(biased)!r}, '--label', 'y',\n"
        "           '--prediction', 'y_hat', '--sensitive', 'group', '--max', 'dp_difference=0.1'])\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('LEAKED', leaked)\n"
        "sys.exit(rc)\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False
    )
    assert result.returncode == 1, result.stderr
    assert "FAILED" in result.stdout
    assert "LEAKED []" in result.stdout


def test_a_partitioned_log_is_posted_with_the_fingerprint_of_every_file(capsys, tmp_path):
    from aims.metrics import fingerprint_files

    folder = tmp_path / "log"
    folder.mkdir()
    table = pa.table(_biased_columns())
    pq.write_table(table.slice(0, 120), folder / "part-0.parquet")
    pq.write_table(table.slice(120), folder / "part-1.parquet")
    with StubServer(201, _verdict(True)) as server:
        code, _, err = run(
            capsys,
            *["fairness", "--data", str(folder), "--label", "y", "--prediction", "y_hat"],
            *["--sensitive", "group", *server_args(server.url)],
        )
    assert (code, err) == (0, "")
    fingerprint = json.loads(server.requests[0]["body"])["fingerprint"]
    assert fingerprint == {"rows": 200, **fingerprint_files(folder)}
    assert fingerprint["files"] == 2 and fingerprint["file"] == "log"
    assert fingerprint["bytes"] == sum(p.stat().st_size for p in folder.iterdir())
    # Changing one file changes the fingerprint.
    pq.write_table(table.slice(120, 40), folder / "part-1.parquet")
    assert fingerprint_files(folder)["sha256"] != fingerprint["sha256"]


def test_sensitive_columns_as_a_comma_list_or_a_repeated_flag(capsys, biased):
    base = ["fairness", "--data", biased, "--label", "y", "--prediction", "y_hat"]
    code, listed, _ = run(capsys, *base, "--sensitive", "group, region", "--format", "json")
    assert code == 0
    code, repeated, _ = run(
        capsys, *base, "--sensitive", "group", "--sensitive", "region", "--format", "json"
    )
    assert code == 0 and listed == repeated
    groups = list(json.loads(listed)["by_group"])
    assert groups and all("group=" in g and "region=" in g for g in groups)


def test_every_threshold_error_is_one_line_each(capsys, biased):
    args = ["fairness", "--data", biased, "--label", "y", "--prediction", "y_hat"]
    code, out, err = run(
        capsys,
        *args,
        "--sensitive",
        "group",
        "--max",
        "dp_diference=0.1",
        "--max",
        "eo_difference=lots",
        "--min",
        "di_ratio",
    )
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 3, err
    assert "--max dp_diference=0.1: unknown fairness metric" in lines[0]
    assert "did you mean 'dp_difference'?" in lines[0]
    assert lines[1].endswith("--max eo_difference=lots: the limit must be a number")
    assert "--min di_ratio: write it as name=value" in lines[2]
    assert all(line.startswith("aims check fairness: error: ") for line in lines)


def test_counts_are_integers_in_json(capsys, biased):
    args = ["performance", "--data", biased, "--label", "y", "--prediction", "y_hat"]
    code, out, _ = run(capsys, *args, "--sensitive", "group", "--format", "json")
    assert code == 0
    assert re.search(r'"count": \d+\.0\b', out) is None
    result = json.loads(out)
    counts = [result["overall"]["count"], *(g["count"] for g in result["by_group"].values())]
    assert all(type(count) is int for count in counts)
    assert sum(counts[1:]) == counts[0] > 0
