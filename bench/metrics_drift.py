"""Benchmark: drift report on 1,000,000 rows x 10 numeric columns, against Evidently.

Run with ``.venv/bin/python bench/metrics_drift.py``. It writes a reference and a shifted
current sample to Parquet, times ``aims.metrics.drift.drift_report`` on the two files (reading
included), then times Evidently's ``DataDriftPreset`` on the same files in its own virtualenv
(Evidently pins dependencies that clash with the project's), run as a subprocess; Evidently's
time covers only the report, not reading the files. It prints both times and the ratio.

The Evidently virtualenv (default /tmp/evidently-venv) is created when missing with
``python -m venv`` and ``pip install evidently==0.7.* "pandas<3" pyarrow`` (Evidently 0.7
does not import with pandas 3). If that fails, the script says so and times SciPy's
per-column ``ks_2samp`` + ``wasserstein_distance`` instead, clearly labelled.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aims.metrics.drift import drift_report  # noqa: E402

EVIDENTLY_SCRIPT = """
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset

reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
start = time.perf_counter()
snapshot = Report([DataDriftPreset()]).run(current_data=current, reference_data=reference)
seconds = time.perf_counter() - start
values = {}
for metric in snapshot.dict()["metrics"]:
    config = metric.get("config", {})
    if config.get("type", "").endswith("ValueDrift"):
        values[config["column"]] = {"method": config.get("method"), "value": metric["value"]}
import evidently
print(json.dumps({"seconds": seconds, "version": evidently.__version__, "columns": values}))
"""


def make_data(folder: Path, rows: int, columns: int, seed: int = 42) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    reference = {}
    current = {}
    for i in range(columns):
        reference[f"x{i}"] = rng.normal(0.0, 1.0, rows)
        # Half the columns shift by 0.2 standard deviations, the others stay put.
        shift = 0.2 if i % 2 == 0 else 0.0
        current[f"x{i}"] = rng.normal(shift, 1.0, rows)
    ref_path = folder / "reference.parquet"
    cur_path = folder / "current.parquet"
    pq.write_table(pa.table(reference), ref_path)
    pq.write_table(pa.table(current), cur_path)
    return ref_path, cur_path


def ensure_evidently(venv: Path) -> Path | None:
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import evidently, pandas, pyarrow"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"Creating a virtualenv for Evidently in {venv} (once) ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "evidently==0.7.*",
                "pandas<3",
                "pyarrow",
            ],
            check=True,
        )
    except (subprocess.CalledProcessError, OSError) as error:
        print(f"Evidently could not be installed: {error}")
        return None
    if subprocess.run(check, capture_output=True).returncode != 0:
        print("Evidently was installed but does not import.")
        return None
    return python


def run_evidently(python: Path, ref_path: Path, cur_path: Path) -> dict | None:
    result = subprocess.run(
        [str(python), "-c", EVIDENTLY_SCRIPT, str(ref_path), str(cur_path)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print("Evidently failed:\n" + result.stderr[-2000:])
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def time_scipy(ref_path: Path, cur_path: Path) -> float:
    from scipy import stats

    reference = pq.read_table(ref_path)
    current = pq.read_table(cur_path)
    start = time.perf_counter()
    for name in reference.column_names:
        a = reference[name].to_numpy()
        b = current[name].to_numpy()
        stats.ks_2samp(a, b)
        stats.wasserstein_distance(a, b) / np.std(a)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours; the best is kept")
    parser.add_argument("--evidently-venv", type=Path, default=Path("/tmp/evidently-venv"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="aims-bench-drift-") as tmp:
        ref_path, cur_path = make_data(Path(tmp), args.rows, args.columns)
        print(f"Data: {args.rows:,} rows x {args.columns} numeric columns, reference vs current")

        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = drift_report(ref_path, cur_path)
            times.append(time.perf_counter() - start)
        ours = min(times)
        print(
            f"OpenAIMS drift_report (Parquet files, reading included; KS, Wasserstein, PSI "
            f"per column): {ours:.3f} s (best of {args.repeat}: "
            + ", ".join(f"{t:.3f}" for t in times)
            + ")"
        )
        print(
            f"  drifted columns: {', '.join(report.drifted_columns)} "
            f"(share {report.share_drifted:.2f}, data set drifted: {report.dataset_drifted})"
        )

        python = ensure_evidently(args.evidently_venv)
        evidently = run_evidently(python, ref_path, cur_path) if python else None
        if evidently is not None:
            theirs = evidently["seconds"]
            print(
                f"Evidently {evidently['version']} DataDriftPreset (report only, data already "
                f"in pandas): {theirs:.3f} s"
            )
            print(f"Ratio: OpenAIMS is {theirs / ours:.1f}x faster (target: at least 50x)")
            print(
                f"  (our first, cold run alone: {times[0]:.3f} s, {theirs / times[0]:.1f}x; "
                "Evidently is timed once, in a fresh process)"
            )
            worst = 0.0
            for column, value in evidently["columns"].items():
                if "Wasserstein" in str(value["method"]):
                    worst = max(worst, abs(value["value"] - report[column].wasserstein_normalized))
            if worst or evidently["columns"]:
                print(f"  largest |difference| of normalized Wasserstein vs Evidently: {worst:.2e}")
        else:
            theirs = time_scipy(ref_path, cur_path)
            print(
                "FALLBACK (Evidently unavailable): SciPy ks_2samp + wasserstein_distance per "
                f"column on in-memory arrays: {theirs:.3f} s"
            )
            print(f"Ratio vs the SciPy fallback: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
