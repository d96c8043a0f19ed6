"""What makes ``aims check`` fast, as behaviour (the timings are in bench/metrics_cli.py).

- The input is hashed (SHA-256) only for a run posted to the server, which records the
  fingerprint; nothing printed shows it. Then each file is hashed once, in a second thread
  while the engine reads it, and a failing check stops the hashing.
- ``aims check --help`` and a usage error load neither numpy, pyarrow nor DuckDB; a check loads
  the engine module of its own kind only, and the HTTP client only with ``--server``.
"""

import hashlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import aims.metrics
from aims.metrics import io as metrics_io
from aims.metrics.cli import main
from tests.test_metrics_cli import StubServer, _verdict

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pyarrow", "duckdb", "django")


@pytest.fixture
def log(tmp_path) -> Path:
    path = tmp_path / "log.parquet"
    y = [1, 0] * 50
    table = pa.table({"y": y, "y_hat": y[1:] + [1], "g": ["a"] * 60 + ["b"] * 40})
    pq.write_table(table, path)
    return path


@pytest.fixture
def hashed(monkeypatch) -> list[tuple[str, str]]:
    """Every file the engine hashes, with the thread that hashed it."""
    calls: list[tuple[str, str]] = []
    sha256 = metrics_io._sha256

    def spy(path, stop=None):
        calls.append((path.name, threading.current_thread().name))
        return sha256(path, stop)

    monkeypatch.setattr(metrics_io, "_sha256", spy)
    return calls


def check(capsys, *argv) -> tuple[int, str, str]:
    code = main(["check", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def fairness(path: Path, *extra: str) -> list[str]:
    return ["fairness", "--data", str(path), "--label", "y", "--prediction", "y_hat"] + [
        *["--sensitive", "g", *extra]
    ]


def test_a_local_check_never_hashes_its_input(capsys, log, tmp_path, hashed):
    assert check(capsys, *fairness(log, "--format", "json"))[0] == 0
    performance = ["performance", "--data", log, "--label", "y", "--prediction", "y_hat"]
    assert check(capsys, *performance)[0] == 0
    assert check(capsys, "quality", "--data", log, "--min-rows", "1")[0] == 0
    assert check(capsys, "drift", "--reference", log, "--current", log)[0] == 0
    assert hashed == []


def test_the_json_output_is_unchanged_and_carries_no_fingerprint(capsys, log):
    code, out, err = check(capsys, *fairness(log, "--format", "json"))
    result = json.loads(out)
    assert (code, err) == (0, "")
    assert set(result) == {"by_group", "overall", "aggregates", "thresholds", "passed"}
    assert "sha256" not in out
    assert result["overall"]["count"] == 100


def test_a_posted_run_hashes_each_file_once_beside_the_engine(capsys, log, hashed):
    with StubServer(201, _verdict(True)) as server:
        args = ["--server", server.url, "--token", "t", "--system", "credit-scoring"]
        code, _, err = check(capsys, *fairness(log), *args)
    assert (code, err) == (0, "")
    assert len(hashed) == 1
    name, thread = hashed[0]
    assert name == "log.parquet" and thread != threading.main_thread().name
    assert server.payload()["fingerprint"] == {
        "rows": 100,
        "file": "log.parquet",
        "sha256": hashlib.sha256(log.read_bytes()).hexdigest(),
    }


def test_a_posted_drift_run_hashes_only_the_current_sample(capsys, log, tmp_path, hashed):
    reference = tmp_path / "reference.parquet"
    pq.write_table(pa.table({"y": [1, 0] * 50}), reference)
    with StubServer(201, {"id": 1, "passed": True, "thresholds": [], "url": "u"}) as server:
        args = ["--server", server.url, "--token", "t", "--system", "credit-scoring"]
        code, _, err = check(capsys, "drift", "--reference", reference, "--current", log, *args)
    assert (code, err) == (0, "")
    assert [name for name, _ in hashed] == ["log.parquet"]
    assert server.payload()["fingerprint"]["file"] == "log.parquet"


def test_a_failing_posted_check_reports_the_engines_error_and_stops_hashing(
    capsys, log, monkeypatch
):
    stopped = []

    def endless_hash(path, stop=None):  # a file too large to finish before the engine fails
        stopped.append(stop.wait(timeout=10))
        raise metrics_io._Stopped(path.name)

    monkeypatch.setattr(metrics_io, "_sha256", endless_hash)
    before = set(threading.enumerate())
    with StubServer(201, _verdict(True)) as server:
        args = ["--server", server.url, "--token", "t", "--system", "credit-scoring"]
        code, out, err = check(capsys, *fairness(log, "--label", "nope"), *args)
        assert server.requests == []
    assert (code, out) == (2, "")
    assert "column 'nope' not found" in err
    assert stopped == [True]  # told to stop, not left to time out
    assert set(threading.enumerate()) <= before  # and finished before the command returned


def test_a_posted_run_of_a_missing_file_is_the_engines_one_line_error(capsys, tmp_path):
    with StubServer(201, _verdict(True)) as server:
        args = ["--server", server.url, "--token", "t", "--system", "credit-scoring"]
        code, out, err = check(capsys, *fairness(tmp_path / "gone.parquet"), *args)
    assert (code, out) == (2, "")
    assert err == "aims check fairness: error: gone.parquet: file not found " + (
        f"({tmp_path / 'gone.parquet'})\n"
    )


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    script = f"import sys\n{code}\nprint(','.join(sorted(sys.modules)))\n"
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(child.stdout.strip().splitlines()[-1].split(","))


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def quietly(call: str) -> str:
    return (
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.redirect_stderr(io.StringIO()):\n"
        f"    {call}\n"
    )


def test_help_and_usage_errors_load_no_engine():
    for argv in (["check", "--help"], ["check", "fairness", "--help"], ["check", "fairness"]):
        modules = modules_after("from aims.cli import main\n" + quietly(f"code = main({argv!r})"))
        assert heavy(modules) == set(), argv
        assert "urllib.request" not in modules


def test_a_check_loads_the_engine_module_of_its_kind_only(log):
    modules = modules_after(
        "from aims.metrics.cli import main\n" + quietly(f"assert main({fairness(log)!r}) == 0")
    )
    assert {"numpy", "duckdb", "aims.metrics.fairness"} <= modules
    assert not modules & {"aims.metrics.drift", "aims.metrics.quality", "aims.metrics.performance"}
    assert "urllib.request" not in modules  # the HTTP client: only with --server
    assert "django" not in modules


def test_the_package_names_load_on_first_use():
    assert heavy(modules_after("import aims.metrics")) == set()
    assert set(aims.metrics.__all__) <= set(dir(aims.metrics))
    for name in aims.metrics.__all__:
        value = getattr(aims.metrics, name)
        if name not in ("ENGINE_VERSION", "thresholds"):
            assert value.__name__ == name
    assert aims.metrics.InputError is metrics_io.InputError
    assert repr(aims.metrics.InputError("x")) == "InputError('x')"
    assert aims.metrics.InputError.__module__ == "aims.metrics.io"  # as tracebacks always showed
    with pytest.raises(AttributeError):
        aims.metrics.no_such_name  # noqa: B018
