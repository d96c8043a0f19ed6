"""Benchmark the fairness report (run by `make bench`; not a test).

1. Speed: 2,000,000 rows, one sensitive feature with 5 groups. Our `fairness_report` against
   fairlearn's `MetricFrame` computing the same ten metrics per group (plus its difference and
   ratio) on the same data in the same run. Both start from data already in memory in their
   natural form (a pyarrow Table for us, numpy arrays and a pandas Series for fairlearn); the
   time to build those is not counted for either.
2. Scale: a Parquet prediction log (default 100,000,000 rows, ``--rows`` to change) with two
   sensitive features, written in chunks to a temporary folder and deleted afterwards. A child
   process runs only the fairness report on it and reports its peak resident memory
   (``ru_maxrss``) and the rows per second.

Usage: ``python bench/metrics_fairness.py [--rows N] [--skip-scale] [--skip-speed]``
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

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aims.metrics import fairness_report  # noqa: E402

GROUPS = np.array(["group_a", "group_b", "group_c", "group_d", "group_e"])
SEXES = np.array(["Female", "Male"])
RACES = np.array(["Asian", "Black", "Other", "White", "Indigenous"])


def _log(
    rng: np.random.Generator, n: int, features: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """A synthetic prediction log with a deliberate bias against the first value of each feature."""
    codes = {
        name: rng.integers(0, len(values), n).astype(np.int8) for name, values in features.items()
    }
    y = (rng.random(n) < 0.3).astype(np.int8)
    first = next(iter(codes.values()))
    score = np.clip(0.35 * y + rng.random(n, dtype=np.float32) * 0.7 - 0.05 * (first == 0), 0, 1)
    return {"codes": codes, "y": y, "score": score.astype(np.float32)}


def speed(n: int = 2_000_000, repeats: int = 5) -> None:
    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    rng = np.random.default_rng(0)
    log = _log(rng, n, {"group": GROUPS})
    y = log["y"]
    y_pred = (log["score"] >= 0.5).astype(np.int8)
    group_codes = log["codes"]["group"]
    table = pa.table(
        {
            "y": y,
            "y_pred": y_pred,
            "group": pa.DictionaryArray.from_arrays(pa.array(group_codes), pa.array(GROUPS)),
        }
    )
    groups = pd.Series(pd.Categorical.from_codes(group_codes, GROUPS), name="group")

    def npv(y_true, y_hat):
        return precision_score(1 - y_true, 1 - y_hat, zero_division=np.nan)

    metrics = {
        "count": count,
        "base_rate": lambda y_true, y_hat: float(np.mean(y_true)),
        "selection_rate": selection_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "true_negative_rate": true_negative_rate,
        "false_negative_rate": false_negative_rate,
        "positive_predictive_value": lambda t, p: precision_score(t, p, zero_division=np.nan),
        "negative_predictive_value": npv,
        "accuracy": accuracy_score,
    }

    fairness_report(table, label="y", prediction="y_pred", sensitive="group")  # warm-up
    ours = []
    for _ in range(repeats):
        start = time.perf_counter()
        report = fairness_report(table, label="y", prediction="y_pred", sensitive="group")
        ours.append(time.perf_counter() - start)

    start = time.perf_counter()
    frame = MetricFrame(metrics=metrics, y_true=y, y_pred=y_pred, sensitive_features=groups)
    frame.difference()
    frame.ratio()
    theirs = time.perf_counter() - start

    worst = max(
        abs(report.by_group[f"group={g}"][m] - frame.by_group.loc[g, m])
        for g in GROUPS
        for m in metrics
    )
    best = min(ours)
    print(f"== Fairness report, {n:,} rows, 1 sensitive feature with {len(GROUPS)} groups ==")
    print(
        f"  aims.metrics fairness_report : {best * 1000:9.1f} ms (best of {repeats}; "
        f"median {np.median(ours) * 1000:.1f} ms)"
    )
    print(f"  fairlearn MetricFrame        : {theirs * 1000:9.1f} ms")
    print(f"  ratio                        : {theirs / best:9.0f}x faster (target >= 500x)")
    print(f"  max |difference| per group   : {worst:.2e}")


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from aims.metrics import fairness_report
start = time.perf_counter()
report = fairness_report(sys.argv[1], label="y", score="score", threshold=0.5,
                         sensitive=["sex", "race"])
seconds = time.perf_counter() - start
# Peak resident memory of this process image: VmHWM. (ru_maxrss can carry the parent's
# resident size over fork and exec, so it is reported only as a cross-check.)
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({
    "seconds": seconds,
    "max_rss_kb": peak_kb,
    "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "rows": sum(int(v["count"]) for v in report.by_group.values()),
    "groups": len(report.by_group),
    "dp_difference": report.aggregates["demographic_parity_difference"],
}))
"""


def scale(rows: int, chunk: int = 5_000_000) -> None:
    folder = Path(tempfile.mkdtemp(prefix="aims-bench-"))
    path = folder / "predictions.parquet"
    try:
        rng = np.random.default_rng(1)
        start = time.perf_counter()
        schema = pa.schema(
            [
                ("y", pa.int8()),
                ("score", pa.float32()),
                ("sex", pa.dictionary(pa.int8(), pa.string())),
                ("race", pa.dictionary(pa.int8(), pa.string())),
            ]
        )
        with pq.ParquetWriter(path, schema, compression="snappy") as writer:
            written = 0
            while written < rows:
                n = min(chunk, rows - written)
                log = _log(rng, n, {"sex": SEXES, "race": RACES})
                writer.write_table(
                    pa.table(
                        {
                            "y": log["y"],
                            "score": log["score"],
                            "sex": pa.DictionaryArray.from_arrays(log["codes"]["sex"], SEXES),
                            "race": pa.DictionaryArray.from_arrays(log["codes"]["race"], RACES),
                        },
                        schema=schema,
                    ),
                    row_group_size=1_000_000,
                )
                written += n
        size = path.stat().st_size
        print(
            f"\n== Fairness report on a {rows:,}-row Parquet log, sensitive features sex x race =="
        )
        print(f"  wrote {size / 1e9:.2f} GB in {time.perf_counter() - start:.1f} s")
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(ROOT)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        peak_gb = figures["max_rss_kb"] * 1024 / 1e9
        print(f"  report time                  : {figures['seconds']:.2f} s")
        print(f"  rows per second              : {figures['rows'] / figures['seconds']:,.0f}")
        print(f"  peak resident memory (child) : {peak_gb:.2f} GB (target < 2 GB; VmHWM)")
        print(
            f"  child ru_maxrss              : {figures['ru_maxrss_kb'] * 1024 / 1e9:.2f} GB "
            "(not the child's own: the kernel carries the forking parent's size into it)"
        )
        print(f"  rows counted / groups        : {figures['rows']:,} / {figures['groups']}")
        assert figures["rows"] == rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000, help="rows of the Parquet log")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}")
    if not args.skip_speed:
        speed()
    if not args.skip_scale:
        scale(args.rows)


if __name__ == "__main__":
    main()
