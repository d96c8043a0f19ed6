"""Benchmark the fairness report (run by `make bench`; not a test).

1. In memory: 2,000,000 rows, one sensitive feature with 5 groups, label and prediction int64
   0/1. The same data as every kind of in-memory input (an Arrow table; a dict of numpy
   arrays; a pandas and a polars DataFrame), once with the group as text (plain strings,
   and as an Arrow dictionary / pandas categorical) and once as int64 codes. Every figure is
   the best of interleaved rounds of one run, beside its references:

   - bincount reference: ``np.bincount(code * 4 + y * 2 + y_pred, minlength=20)`` over the
     precomputed int64 group codes (0..4) and the int64 label and prediction: the four
     confusion cells of each group, the counts every fairness metric is derived from.
     Target: the engine (`fairness_report`, from the data to the report) within 1.5x of it.
   - text floor: Arrow's ``pc.dictionary_encode`` of the text column (on one core) plus the
     same bincount over its indices. Text has to be hashed once to find its groups (~14 ns a
     row here), which no count of a text column escapes. The engine hashes a long column in
     slices on every core (2 here), as DuckDB's GROUP BY does; with the other core busy
     (another benchmark), that gains nothing.
   - objects floor: ``pd.factorize`` of a pandas ``object`` column holding a new string object
     per row (as ``astype(object)`` makes it), the fastest reading of such a column we know
     (pandas' C hash table; ``pa.array`` takes longer). A column sharing one object per
     distinct value (as ``read_csv(dtype=object)`` makes it) is encoded by reference instead
     (`aims.metrics._objects`) and escapes this floor.
   - Arrow: the Arrow table of the same data. Target: no input kind over 1.5x of it.
   - the DuckDB GROUP BY the engine runs for files (before this bench's round, it counted
     in-memory input too).

   Then fairlearn's `MetricFrame` computing the same ten metrics per group (plus its
   difference and ratio) on the same data (numpy arrays and a pandas categorical, built
   before timing), once: our time on the Arrow table with text groups against it.
2. Scale: a Parquet prediction log (default 100,000,000 rows, ``--rows`` to change) with two
   sensitive features, written in chunks to a temporary folder and deleted afterwards. A child
   process runs only the fairness report on it and reports its peak resident memory
   (``ru_maxrss``) and the rows per second.

Usage: ``python bench/metrics_fairness.py [--rows N] [--rounds N] [--skip-scale] [--skip-speed]``
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
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aims.metrics import _groups, fairness_report  # noqa: E402
from bench.logs import prediction_log, write_log  # noqa: E402

GROUPS = np.array(["group_a", "group_b", "group_c", "group_d", "group_e"])
TARGET = 1.5


def _best_of(candidates: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Seconds per candidate: the minimum over ``rounds`` interleaved rounds (after a warm-up),
    so that load from other processes on the machine touches every candidate alike."""
    for run in candidates.values():
        run()
    best = dict.fromkeys(candidates, float("inf"))
    for _ in range(rounds):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _counts(report) -> np.ndarray:
    """The (tp, fp, tn, fn) of every group, in the report's order of groups."""
    return report.statistics.arrays()


def _from_bincount(cells: np.ndarray) -> np.ndarray:
    """(tp, fp, tn, fn) per group from the counts of ``code * 4 + y * 2 + y_pred``."""
    c = cells.reshape(-1, 2, 2)  # group, y, y_pred
    return np.stack([c[:, 1, 1], c[:, 0, 1], c[:, 0, 0], c[:, 1, 0]], axis=1)


def _verdict(ratio: float) -> str:
    return "target met" if ratio <= TARGET else "TARGET NOT MET"


def speed(n: int = 2_000_000, rounds: int = 15) -> tuple[float, list[str]]:
    """The in-memory figures: our best time on the Arrow table with text groups, and the
    inputs that missed a target."""
    import pandas as pd

    try:
        import polars as pl
    except ImportError:
        pl = None

    rng = np.random.default_rng(0)
    log = prediction_log(rng, n, {"group": GROUPS})
    code = log["codes"]["group"].astype(np.int64)
    y = log["y"].astype(np.int64)
    y_pred = (log["score"] >= 0.5).astype(np.int64)
    text = GROUPS[code]  # numpy <U7
    arrow_text = pa.array(text)
    shared_objects = np.array([str(g) for g in GROUPS], dtype=object)[code]
    one_per_row = pd.Series(text, dtype=object)
    k = len(GROUPS)

    def report(data):
        return lambda: fairness_report(data, label="y", prediction="y_pred", sensitive="group")

    text_inputs = {
        "Arrow table, text": pa.table({"y": y, "y_pred": y_pred, "group": arrow_text}),
        "Arrow table, dictionary": pa.table(
            {"y": y, "y_pred": y_pred, "group": arrow_text.dictionary_encode()}
        ),
        "dict of numpy, text <U7": {"y": y, "y_pred": y_pred, "group": text},
        "pandas, text (default str)": pd.DataFrame({"y": y, "y_pred": y_pred, "group": text}),
        "pandas, categorical": pd.DataFrame(
            {"y": y, "y_pred": y_pred, "group": pd.Categorical.from_codes(code, GROUPS)}
        ),
        # ``object`` text as read_csv(dtype=object) or a database read makes it: one string
        # object per distinct value, referenced from every row.
        "pandas, object, shared strings": pd.DataFrame(
            {"y": y, "y_pred": y_pred, "group": pd.Series(shared_objects, dtype=object)}
        ),
        # As ``astype(object)`` of a numpy text array makes it: a new string object per row.
        "pandas, object, one per row": pd.DataFrame(
            {"y": y, "y_pred": y_pred, "group": one_per_row}
        ),
    }
    code_inputs = {
        "Arrow table, int64 codes": pa.table({"y": y, "y_pred": y_pred, "group": code}),
        "dict of numpy, int64 codes": {"y": y, "y_pred": y_pred, "group": code},
        "pandas, int64 codes": pd.DataFrame({"y": y, "y_pred": y_pred, "group": code}),
    }
    if pl is not None:
        text_inputs["polars, text"] = pl.DataFrame({"y": y, "y_pred": y_pred, "group": text})
        code_inputs["polars, int64 codes"] = pl.DataFrame({"y": y, "y_pred": y_pred, "group": code})

    def duckdb_group_by():
        """The engine with the in-memory count switched off: DuckDB's GROUP BY counts."""
        real = _groups.group_rows
        _groups.group_rows = lambda *args: None
        try:
            return fairness_report(
                text_inputs["Arrow table, text"], label="y", prediction="y_pred", sensitive="group"
            )
        finally:
            _groups.group_rows = real

    def bincount():
        return np.bincount(code * 4 + y * 2 + y_pred, minlength=4 * k)

    def text_floor():
        indices = pc.dictionary_encode(arrow_text).indices.to_numpy().astype(np.int64)
        return np.bincount(indices * 4 + y * 2 + y_pred, minlength=4 * k)

    def read_objects():
        """The fastest reading of a string object per row we know: pandas' own C hash table."""
        return pd.factorize(one_per_row.to_numpy())

    candidates: dict[str, Callable[[], object]] = {
        "bincount reference": bincount,
        "text floor": text_floor,
        "objects floor": read_objects,
        "DuckDB GROUP BY (Arrow, text)": duckdb_group_by,
    }
    candidates.update({name: report(data) for name, data in text_inputs.items()})
    candidates.update({name: report(data) for name, data in code_inputs.items()})
    best = _best_of(candidates, rounds)

    # Every input gives the counts of the reference, group by group (text groups in name order
    # are the codes' order here).
    expected = _from_bincount(bincount())
    for name, data in {**text_inputs, **code_inputs}.items():
        got = _counts(report(data)())
        assert np.array_equal(got, expected), name
    assert np.array_equal(_counts(duckdb_group_by()), expected)

    ms = {name: seconds * 1000 for name, seconds in best.items()}
    reference, floor = ms["bincount reference"], ms["text floor"]
    print(f"== Fairness report in memory, {n:,} rows, 1 sensitive feature with {k} groups ==")
    print(f"  (best of {rounds} interleaved rounds; every input's counts equal the reference's)")
    duck = ms["DuckDB GROUP BY (Arrow, text)"]
    print("  -- references --")
    print(
        f"  bincount reference            : {reference:7.1f} ms  np.bincount(code*4 + y*2 + y_pred)"
    )
    print("                                            on int64 codes: 4 cells per group")
    print(f"  text floor                    : {floor:7.1f} ms  pc.dictionary_encode (one core)")
    print("                                            + the same bincount on its indices")
    print(f"  DuckDB GROUP BY (Arrow, text) : {duck:7.1f} ms  the engine's count for files")
    objects = ms["objects floor"]
    print(f"  objects floor                 : {objects:7.1f} ms  pd.factorize of a string object")
    print("                                            per row (no count): reading 2M objects")
    # Inputs whose group column arrives as text, to be hashed once (a dictionary column or a
    # categorical arrives encoded: its codes are counted as they are).
    hashed = {name for name in text_inputs if "text" in name or "object" in name}
    missed: list[str] = []
    for title, inputs, arrow_name in (
        ("group as text", text_inputs, "Arrow table, text"),
        ("group as int64 codes", code_inputs, "Arrow table, int64 codes"),
    ):
        arrow = ms[arrow_name]
        print(f"  -- {title}: the engine (fairness_report, data to report) --")
        for name in inputs:
            ours = ms[name]
            line = (
                f"  {name:30s}: {ours:7.1f} ms  {ours / arrow:4.2f}x Arrow "
                f"({_verdict(ours / arrow)}); {ours / reference:4.2f}x bincount "
                f"({_verdict(ours / reference)})"
            )
            if name in hashed:
                line += f"; {ours / floor:4.2f}x text floor"
            if name.endswith("one per row"):
                line += f"; {ours / objects:4.2f}x objects floor"
            print(line)
            missed += [name] * (max(ours / arrow, ours / reference) > TARGET)
    return best["Arrow table, text"], missed


def fairlearn_comparison(n: int = 2_000_000, ours: float | None = None, repeats: int = 5) -> None:
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
    log = prediction_log(rng, n, {"group": GROUPS})
    code = log["codes"]["group"].astype(np.int64)
    y = log["y"].astype(np.int64)
    y_pred = (log["score"] >= 0.5).astype(np.int64)
    table = pa.table({"y": y, "y_pred": y_pred, "group": pa.array(GROUPS[code])})
    groups = pd.Series(pd.Categorical.from_codes(code, GROUPS), name="group")

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

    def run():
        return fairness_report(table, label="y", prediction="y_pred", sensitive="group")

    report = run()
    if ours is None:
        ours = min(_best_of({"ours": run}, repeats).values())

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
    print(f"\n== Fairness report against fairlearn, {n:,} rows, {len(GROUPS)} text groups ==")
    print(f"  aims.metrics fairness_report : {ours * 1000:9.1f} ms (Arrow table, text groups)")
    print(f"  fairlearn MetricFrame        : {theirs * 1000:9.1f} ms")
    print(f"  ratio                        : {theirs / ours:9.0f}x faster (target >= 500x)")
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
        start = time.perf_counter()
        write_log(path, rows, chunk=chunk)
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
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds in memory")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}")
    missed: list[str] = []
    if not args.skip_speed:
        ours, missed = speed(rounds=args.rounds)
        fairlearn_comparison(ours=ours)
    if not args.skip_scale:
        scale(args.rows)
    if missed:
        sys.exit(f"\nin-memory targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
