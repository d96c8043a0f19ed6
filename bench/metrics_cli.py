"""Benchmark ``aims check`` against the library call it wraps (run by `make bench`; not a test).

1. ``aims check fairness`` on a 20,000-row log, wall time, minimum of 3. Target: under 0.5 s.
   For scale: ``aims check --help`` (start-up alone, minimum of 5) and a bare interpreter.
2. A Parquet prediction log (default 100,000,000 rows, ``--rows`` to change): an int8 label, a
   float32 score and two string sensitive features, written in chunks to a temporary folder and
   deleted afterwards (``--folder`` keeps the logs there and reuses them). ``aims check fairness
   --score score --sensitive sex,race --format json`` runs as a subprocess, exactly as a
   pipeline starts it (a fresh interpreter: start-up, imports, arguments, the check, the JSON);
   `fairness_report` runs in this process on the same file. Minimum of 3 interleaved pairs,
   after one untimed run of each (the file is then in the page cache for both). Target: the
   command within 1.3x of the library call.

Both results are checked to be identical: the command's JSON equals the library report's
summary (`aims.metrics.thresholds.summary`), key for key and value for value.

Usage: ``python bench/metrics_cli.py [--rows N] [--small-rows N] [--folder DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aims.metrics import fairness_report  # noqa: E402
from aims.metrics import thresholds as th  # noqa: E402
from bench.logs import write_log  # noqa: E402

# As a pipeline calls it; `python -m aims.cli` is what the `aims` script runs (aims.cli:main).
COMMAND = [sys.executable, "-m", "aims.cli", "check"]
# The command runs as installed, from compiled bytecode, also where PYTHONDONTWRITEBYTECODE is
# set (which would recompile the project's modules at every start): the bytecode goes to a
# temporary folder (PYTHONPYCACHEPREFIX), written by the untimed first run, not to the tree.
ENV: dict[str, str] = {}  # set by `main`


def cli(path: Path) -> tuple[float, dict]:
    """Wall time of ``aims check fairness`` on ``path`` as a new process, and its JSON."""
    argv = [*COMMAND, "fairness", "--data", str(path), "--label", "y", "--score", "score"]
    argv += ["--threshold", "0.5", "--sensitive", "sex,race", "--format", "json"]
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=ENV)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"aims check failed ({result.returncode}): {result.stderr}")
    return seconds, json.loads(result.stdout)


def library(path: Path) -> tuple[float, dict]:
    """Time of the same check as a library call in this process, and its summary."""
    start = time.perf_counter()
    report = fairness_report(
        str(path), label="y", score="score", threshold=0.5, sensitive=["sex", "race"]
    )
    seconds = time.perf_counter() - start
    as_dict = report.to_dict()
    as_dict.pop("statistics")
    return seconds, json.loads(json.dumps(th.summary("fairness", as_dict, [])))


def same(cli_result: dict, library_result: dict) -> str:
    if cli_result == library_result:
        groups = len(cli_result["by_group"])
        return f"identical ({groups} groups, every metric, aggregate and status)"
    return "DIFFERENT: the command and the library disagree"


def large(path: Path, rows: int, repeats: int) -> None:
    free = shutil.disk_usage(path.parent).free
    if not path.exists() and free < rows * 12:  # ~5 bytes a row written, with a wide margin
        print(f"\n(skipped the {rows:,}-row log: {free / 1e9:.1f} GB free; try --rows)")
        return
    start = time.perf_counter()
    write_log(path, rows)
    made = time.perf_counter() - start
    print(f"\n== aims check fairness vs the library call, {rows:,}-row Parquet log ==")
    print(f"  log: {path.stat().st_size / 1e9:.2f} GB (ready in {made:.1f} s)")
    cli(path)  # untimed: the page cache, for both
    library(path)
    ours, theirs = [], []
    for _ in range(repeats):  # interleaved, so that both see the same machine
        seconds, cli_result = cli(path)
        ours.append(seconds)
        seconds, library_result = library(path)
        theirs.append(seconds)
    best, reference = min(ours), min(theirs)
    print(f"  aims check fairness (process)  : {best:7.2f} s (min of {repeats})")
    print(f"  fairness_report (in process)   : {reference:7.2f} s (min of {repeats})")
    print(f"  ratio                          : {best / reference:7.2f}x (target <= 1.3x)")
    print(f"  results                        : {same(cli_result, library_result)}")


def small(path: Path, rows: int, repeats: int) -> None:
    write_log(path, rows)
    print(f"\n== aims check fairness on a {rows:,}-row log (wall, a new process) ==")
    cli(path)
    times = []
    for _ in range(repeats):
        seconds, cli_result = cli(path)
        times.append(seconds)
    print(
        f"  aims check fairness            : {min(times):7.3f} s (min of {repeats}; target < 0.5 s)"
    )
    print(f"  results vs the library         : {same(cli_result, library(path)[1])}")
    helps = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([*COMMAND, "--help"], capture_output=True, check=True, cwd=ROOT, env=ENV)
        helps.append(time.perf_counter() - start)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=ENV)
    bare = time.perf_counter() - start
    print(f"  aims check --help              : {min(helps):7.3f} s (min of 5)")
    print(f"  python -c pass                 : {bare:7.3f} s (the interpreter alone)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000, help="rows of the large log")
    parser.add_argument("--small-rows", type=int, default=20_000, help="rows of the small log")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folder", type=Path, help="write (or reuse) the logs here, kept")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}")
    folder = args.folder or Path(tempfile.mkdtemp(prefix="aims-bench-cli-"))
    folder.mkdir(parents=True, exist_ok=True)
    pycache = tempfile.mkdtemp(prefix="aims-bench-pycache-")
    ENV.update({k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    ENV["PYTHONPYCACHEPREFIX"] = pycache
    try:
        small(folder / f"predictions-{args.small_rows}.parquet", args.small_rows, args.repeats)
        if not args.skip_large:
            large(folder / f"predictions-{args.rows}.parquet", args.rows, args.repeats)
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(pycache, ignore_errors=True)


if __name__ == "__main__":
    main()
