"""Benchmark: drift report on 1,000,000 rows x 10 numeric columns, against its floor, NannyML
and Evidently.

Run with ``.venv/bin/python bench/metrics_drift.py``. It writes a reference and a current
sample to Parquet (half the columns shifted by 0.2 standard deviations) and prints, in one
run:

1. The floor: reading each column of both files from Parquet and sorting it with numpy, one
   column after another (what any exact KS or Wasserstein needs at least), against
   ``aims.metrics.drift.drift_report`` on the two files, reading included (with its default
   threads, and on one thread). Target: at most 1.5x the floor.
2. NannyML 0.13.1's ``UnivariateDriftCalculator`` with KS and Wasserstein for continuous
   columns and ``chunk_number=1`` (one chunk: the whole current sample, as we compare it), in
   its own virtualenv, as a subprocess on the same files that reads them once; one
   ``fit(reference)`` plus ``calculate(current)`` is timed per round (data already in
   pandas). Target: ours at least 4x faster.

   Both are timed in ``--repeat`` interleaved rounds (floor, ours, ours on one thread,
   NannyML), and the minimum of each is kept: another process may share the machine, so a
   busy moment hits every contender, and only ratios within one run compare.
3. Peak memory: a child process runs only the drift report and prints its peak resident
   memory (``VmHWM``, the child's own ``ru_maxrss``; see `peak_rss_kb`) beside the size of
   the data, what Python and the libraries take before reading anything, and what the
   fitted reference keeps.
4. The quantile sketch (``exact_limit=0`` forces it): time, its reported ``rank_error`` and
   how far its KS statistics are from the exact ones.
5. Evidently 0.7's ``DataDriftPreset`` in its own virtualenv, timed once (report only, data
   already in pandas; it takes about a minute, ``--skip-evidently`` to leave it out). If it
   cannot be installed, SciPy's per-column ``ks_2samp`` + ``wasserstein_distance`` is timed
   instead, clearly labelled.

The virtualenvs (default /tmp/nannyml-venv and /tmp/evidently-venv, ``--nannyml-venv`` and
``--evidently-venv`` to change) are created when missing, with ``python -m venv`` and pip:
``nannyml==0.13.1 statsmodels "pandas<3" pyarrow`` (NannyML 0.13.1 imports statsmodels
without declaring it) and ``evidently==0.7.* "pandas<3" pyarrow`` (Evidently 0.7 does not
import with pandas 3). NannyML runs with its usage logging off (``NML_DISABLE_USAGE_LOGGING``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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

import aims.metrics.drift as drift  # noqa: E402
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

NANNYML_SCRIPT = """
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
import nannyml as nml

reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
columns = list(reference.columns)


def answer(data):
    print("@@" + json.dumps(data), flush=True)


answer({"version": nml.__version__})
result = None
for line in sys.stdin:  # one timed run per line, interleaved with ours by the parent
    if line.strip() == "quit":
        break
    start = time.perf_counter()
    calculator = nml.UnivariateDriftCalculator(
        column_names=columns,
        continuous_methods=["kolmogorov_smirnov", "wasserstein"],
        chunk_number=1,
    )
    calculator.fit(reference)
    result = calculator.calculate(current)
    answer({"seconds": time.perf_counter() - start})
table = result.filter(period="analysis").to_df()
values = {
    c: {
        "ks": float(table[(c, "kolmogorov_smirnov", "value")].iloc[-1]),
        "wasserstein": float(table[(c, "wasserstein", "value")].iloc[-1]),
        "alert": bool(table[(c, "wasserstein", "alert")].iloc[-1]),
    }
    for c in columns
}
answer({"chunks": len(table), "columns": values})
"""


class NannyML:
    """NannyML in a subprocess of its own virtualenv, which reads the files once and times one
    ``fit`` + ``calculate`` each time it is asked, so its runs interleave with ours."""

    def __init__(self, python: Path, ref_path: Path, cur_path: Path) -> None:
        self.process = subprocess.Popen(
            [str(python), "-c", NANNYML_SCRIPT, str(ref_path), str(cur_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NML_DISABLE_USAGE_LOGGING": "1"},
        )
        self.version = self._answer()["version"]

    def _answer(self) -> dict:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("@@"):
                return json.loads(line[2:])
        assert self.process.stderr is not None
        raise RuntimeError("NannyML failed:\n" + self.process.stderr.read()[-2000:])

    def time_once(self) -> float:
        assert self.process.stdin is not None
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        return float(self._answer()["seconds"])

    def finish(self) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        result = self._answer()
        self.process.wait()
        return result


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


# --------------------------------------------------------------------------------------------
# Ours and the floor


def time_floor(ref_path: Path, cur_path: Path) -> float:
    """Read every column of both files from Parquet and sort it, one after another."""
    start = time.perf_counter()
    for path in (ref_path, cur_path):
        parquet = pq.ParquetFile(path)
        for name in parquet.schema_arrow.names:
            values = parquet.read(columns=[name]).column(0).to_numpy()
            np.sort(values)
    return time.perf_counter() - start


def time_ours(ref_path: Path, cur_path: Path, *, workers: int | None = None) -> float:
    default = drift._WORKERS
    if workers is not None:
        drift._WORKERS = workers  # the engine's column threads; the floor uses one
    try:
        start = time.perf_counter()
        drift_report(ref_path, cur_path)
        return time.perf_counter() - start
    finally:
        drift._WORKERS = default


def peak_rss_kb() -> int:
    """This process's peak resident memory, in kB.

    Linux's ``ru_maxrss`` carries the parent's peak over a fork and exec (the exec saves the
    old address space's high-water mark into the process's), so a child started by this
    benchmark would report at least the parent's memory. ``VmHWM`` belongs to the address
    space, which exec makes new: it is the child's own peak. ``ru_maxrss`` where there is no
    /proc.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_memory(ref_path: str, cur_path: str) -> None:
    """In a fresh process: the drift report alone, then the peak resident memory."""
    before = peak_rss_kb()
    detector = drift.DriftDetector().fit(ref_path)
    detector.score(cur_path)
    peak = peak_rss_kb()
    model = sum(
        dist.values.nbytes + (dist.counts.nbytes if dist.values.size != dist.n else 0)
        for dist in detector.reference_distributions_.values()
    )
    print(json.dumps({"before_kb": before, "peak_kb": peak, "model_kb": model // 1000}))


def measure_memory(ref_path: Path, cur_path: Path) -> dict | None:
    done = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(ref_path), str(cur_path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print("memory child failed:\n" + done.stderr[-2000:])
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# The other libraries, each in its own virtualenv


def ensure_venv(venv: Path, name: str, module: str, packages: list[str]) -> Path | None:
    python = venv / "bin" / "python"
    check = [str(python), "-c", f"import {module}, pandas, pyarrow"]
    env = {**os.environ, "NML_DISABLE_USAGE_LOGGING": "1"}
    if python.exists() and subprocess.run(check, capture_output=True, env=env).returncode == 0:
        return python
    print(f"Creating a virtualenv for {name} in {venv} (once) ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *packages],
            check=True,
        )
    except (subprocess.CalledProcessError, OSError) as error:
        print(f"{name} could not be installed: {error}")
        return None
    done = subprocess.run(check, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        print(f"{name} was installed but does not import:\n{done.stderr[-1500:]}")
        return None
    return python


def run_script(python: Path, name: str, script: str, *args: str) -> dict | None:
    result = subprocess.run(
        [str(python), "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NML_DISABLE_USAGE_LOGGING": "1"},
    )
    if result.returncode != 0:
        print(f"{name} failed:\n" + result.stderr[-2000:])
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


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds; best kept")
    parser.add_argument("--evidently-venv", type=Path, default=Path("/tmp/evidently-venv"))
    parser.add_argument("--nannyml-venv", type=Path, default=Path("/tmp/nannyml-venv"))
    parser.add_argument("--skip-evidently", action="store_true", help="Evidently takes ~1 min")
    parser.add_argument("--child-memory", nargs=2, metavar=("REFERENCE", "CURRENT"))
    args = parser.parse_args()
    if args.child_memory:
        child_memory(*args.child_memory)
        return

    with tempfile.TemporaryDirectory(prefix="aims-bench-drift-") as tmp:
        ref_path, cur_path = make_data(Path(tmp), args.rows, args.columns)
        in_memory = 2 * args.rows * args.columns * 8
        on_disk = ref_path.stat().st_size + cur_path.stat().st_size
        print(
            f"Data: {args.rows:,} rows x {args.columns} numeric columns, reference vs current "
            f"({in_memory / 1e6:.0f} MB as float64, {on_disk / 1e6:.0f} MB of Parquet)"
        )

        nannyml = None
        python = ensure_venv(
            args.nannyml_venv,
            "NannyML",
            "nannyml",
            ["nannyml==0.13.1", "statsmodels", "pandas<3", "pyarrow"],
        )
        if python is not None:
            try:
                nannyml = NannyML(python, ref_path, cur_path)
            except RuntimeError as error:
                print(error)

        drift_report(ref_path, cur_path)  # warm up: imports, DuckDB, page cache
        floors: list[float] = []
        ours: list[float] = []
        single: list[float] = []
        theirs: list[float] = []
        for _ in range(args.repeat):  # interleaved, so a busy moment hits every contender
            floors.append(time_floor(ref_path, cur_path))
            ours.append(time_ours(ref_path, cur_path))
            single.append(time_ours(ref_path, cur_path, workers=1))
            if nannyml is not None:
                theirs.append(nannyml.time_once())
        floor, best, best_single = min(floors), min(ours), min(single)

        def runs(times: list[float]) -> str:
            return ", ".join(f"{t:.3f}" for t in times)

        print(
            f"Floor (read each column from Parquet + np.sort, one at a time): {floor:.3f} s "
            f"(best of {args.repeat}: {runs(floors)})"
        )
        report = drift_report(ref_path, cur_path)
        print(
            f"OpenAIMS drift_report (Parquet files, reading included; KS, Wasserstein, PSI per "
            f"column, exact; {drift._WORKERS} column threads): {best:.3f} s "
            f"(best of {args.repeat}: {runs(ours)})"
        )
        print(
            f"  ratio to the floor: {best / floor:.2f}x (target: at most 1.5x); "
            f"on one thread: {best_single:.3f} s ({runs(single)}), {best_single / floor:.2f}x"
        )
        print(
            f"  drifted columns: {', '.join(report.drifted_columns)} "
            f"(share {report.share_drifted:.2f}, data set drifted: {report.dataset_drifted})"
        )

        if nannyml is not None:
            result = nannyml.finish()
            print(
                f"NannyML {nannyml.version} UnivariateDriftCalculator (KS + Wasserstein on "
                f"continuous columns, chunk_number=1: {result['chunks']} chunk, the whole "
                f"current sample; fit + calculate, data already in pandas): {min(theirs):.3f} s "
                f"(best of {args.repeat}: {runs(theirs)})"
            )
            print(
                f"  ratio: OpenAIMS is {min(theirs) / best:.1f}x faster (target: at least 4x); "
                f"on one thread {min(theirs) / best_single:.1f}x"
            )
            columns = result["columns"]
            ks = max(abs(v["ks"] - report[c].ks_statistic) for c, v in columns.items())
            w = max(abs(v["wasserstein"] - report[c].wasserstein) for c, v in columns.items())
            alerts = sum(v["alert"] for v in columns.values())
            print(
                f"  largest |difference| from our exact values: KS {ks:.1e}, Wasserstein {w:.1e}; "
                f"NannyML alerts (Wasserstein) on {alerts} of {len(columns)} columns (with one "
                "reference chunk its thresholds have no spread)"
            )

        memory = measure_memory(ref_path, cur_path)
        if memory is not None:
            print(
                f"Peak resident memory of a process running only the drift report: "
                f"{memory['peak_kb'] / 1e6:.2f} GB for {in_memory / 1e6:.0f} MB of data; of "
                f"it, {memory['before_kb'] / 1e6:.2f} GB before reading (Python and the "
                f"libraries) and {memory['model_kb'] / 1e6:.2f} GB the fitted reference "
                "distributions (the model); the current sample is read and freed column by "
                f"column ({drift._WORKERS} at a time)"
            )

        start = time.perf_counter()
        approx = drift_report(ref_path, cur_path, exact_limit=0)
        sketch_seconds = time.perf_counter() - start
        ks_error = max(
            abs(approx[c].ks_statistic - report[c].ks_statistic) for c in report.by_column
        )
        bound = max(approx[c].rank_error for c in report.by_column)
        print(
            f"Quantile sketch (exact_limit=0 forces it): {sketch_seconds:.3f} s; reported "
            f"rank_error {bound:.1e}, largest |KS - exact KS| {ks_error:.1e} "
            f"(within the bound: {ks_error <= bound})"
        )

        if args.skip_evidently:
            return
        evidently = ensure_venv(
            args.evidently_venv,
            "Evidently",
            "evidently",
            ["evidently==0.7.*", "pandas<3", "pyarrow"],
        )
        result = (
            run_script(evidently, "Evidently", EVIDENTLY_SCRIPT, str(ref_path), str(cur_path))
            if evidently
            else None
        )
        if result is not None:
            theirs = result["seconds"]
            print(
                f"Evidently {result['version']} DataDriftPreset (report only, data already "
                f"in pandas, timed once): {theirs:.3f} s"
            )
            print(f"  ratio: OpenAIMS is {theirs / best:.1f}x faster (target: at least 50x)")
            worst = 0.0
            for column, value in result["columns"].items():
                if "Wasserstein" in str(value["method"]):
                    worst = max(worst, abs(value["value"] - report[column].wasserstein_normalized))
            if result["columns"]:
                print(f"  largest |difference| of normalized Wasserstein vs Evidently: {worst:.2e}")
        else:
            theirs = time_scipy(ref_path, cur_path)
            print(
                "FALLBACK (Evidently unavailable): SciPy ks_2samp + wasserstein_distance per "
                f"column on in-memory arrays: {theirs:.3f} s"
            )
            print(f"Ratio vs the SciPy fallback: {theirs / best:.1f}x")


if __name__ == "__main__":
    main()
