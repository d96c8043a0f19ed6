"""Benchmark the metrics engine on Spark in local mode beside DuckDB (run by `make bench`; not a
test, no timed target).

The same Parquet prediction log (`bench.logs.write_log`: ``y``, ``score`` float32, ``sex`` and
``race`` as dictionaries; 10,000,000 and 100,000,000 rows by default, ``--rows`` to change),
written once to a temporary folder and deleted afterwards. For each size:

- fairness: `fairness_statistics` with a score and threshold over both sensitive features (10
  groups), the group-by run by DuckDB (a path) and by Spark (``spark.read.parquet``);
- drift: `drift_report` of the score column against a second log of as many rows (another
  seed), on DuckDB (its quantile sketch above 10,000,000 rows, exact up to it) and on Spark
  (``percentile_approx``); rows per second count both samples.

It prints rows per second of each, and the ratio DuckDB / Spark. Spark runs on
``--master`` (default ``local[2]``: the cores of this machine; a cluster scales out where local
mode cannot). The Spark session is started and warmed up on a small query before any timing.
The fairness counts of the two engines are compared, and a difference fails the run.

Usage: ``python bench/metrics_spark.py [--rows 10000000,100000000] [--master local[2]]``
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aims.metrics import drift_report, fairness_statistics  # noqa: E402
from bench.logs import write_log  # noqa: E402

OPTIONS = {"label": "y", "score": "score", "threshold": 0.5, "sensitive": ["sex", "race"]}


def _timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def _line(what: str, rows: int, duck: float, spark: float) -> str:
    return (
        f"  {what:<9} DuckDB {rows / duck:>14,.0f} rows/s ({duck:6.2f} s)   "
        f"Spark {rows / spark:>14,.0f} rows/s ({spark:6.2f} s)   DuckDB/Spark {spark / duck:5.2f}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        default="10000000,100000000",
        help="comma-separated log sizes (default 10000000,100000000)",
    )
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    args = parser.parse_args(argv)
    sizes = [int(part) for part in args.rows.split(",") if part.strip()]

    try:
        from aims.metrics.spark import local_session
    except ImportError:
        print("pyspark is not installed: pip install -r requirements/test.txt", file=sys.stderr)
        return 1
    session, started = _timed(lambda: local_session(args.master, app_name="aims-bench"))
    print(f"Spark {session.version} on {args.master}: session started in {started:.1f} s")

    folder = Path(tempfile.mkdtemp(prefix="aims-bench-spark-"))
    failed = False
    try:
        warm = folder / "warm.parquet"
        write_log(warm, 100_000)
        fairness_statistics(session.read.parquet(str(warm)), **OPTIONS)
        for rows in sizes:
            path = folder / f"log-{rows}.parquet"
            _, wrote = _timed(lambda path=path, rows=rows: write_log(path, rows))
            print(f"{rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB, written in {wrote:.0f} s)")
            local, duck = _timed(lambda path=path: fairness_statistics(path, **OPTIONS))
            frame = session.read.parquet(str(path))
            on_spark, spark = _timed(lambda frame=frame: fairness_statistics(frame, **OPTIONS))
            print(_line("fairness", rows, duck, spark))
            if on_spark.to_dict() != local.to_dict():
                print("  the two engines' counts differ", file=sys.stderr)
                failed = True

            other = folder / f"log-{rows}-current.parquet"
            write_log(other, rows, seed=2)
            local_drift, duck = _timed(
                lambda path=path, other=other: drift_report(path, other, columns=["score"])
            )
            current = session.read.parquet(str(other))
            spark_drift, spark = _timed(
                lambda frame=frame, current=current: drift_report(frame, current, columns=["score"])
            )
            other.unlink()
            print(_line("drift", 2 * rows, duck, spark))
            a, b = local_drift["score"], spark_drift["score"]
            print(
                f"  drift KS: DuckDB {a.ks_statistic:.5f} (rank error {a.rank_error:.1e}), "
                f"Spark {b.ks_statistic:.5f} (rank error {b.rank_error:.1e})"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        session.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
