"""``aims check …``: run a technical check on a data file from an ML pipeline.

Framework-free: this module imports the metrics engine only, never Django, so it runs in a
pipeline without a server or a database. ``aims`` hands it everything after ``aims`` (starting
with ``check``); ``python -m aims.metrics.cli fairness …`` works as well.

::

    aims check fairness --data preds.parquet --label y --prediction y_hat \\
        --sensitive sex [--sensitive race] [--score p --threshold 0.5] [--positive-label X] \\
        [--reference-group "sex=Male"] [--min-group-size 30] [--max-categories 1000] \\
        [--max dp_difference=0.1 ...] [--min di_ratio=0.8 ...] [--format table|json]
    aims check performance --data preds.parquet --label y (--prediction y_hat | --score p \\
        [--threshold 0.5]) [--sensitive sex ...] [--task classification|regression] \\
        [--min accuracy=0.8 ...] [--max rmse=2.5 ...]
    aims check drift --reference a.parquet --current b.parquet [--column c ...] \\
        [--categorical c ...] [--max share_drifted=0.5 ...]
    aims check fairness|performance|drift --spark [--spark-master URL] --data TABLE|PATH ...
    aims check quality --data x.parquet [--expect col=integer ...] \\
        [--max-missing 0.05 | --max-missing col=0.1 ...] [--range col=min:max ...] \\
        [--allowed col=a,b,c ...] [--max-duplicates 0.01] [--min-rows N] [--max-rows N]

With ``--spark`` (fairness, performance, drift) the data are read and counted by Apache Spark
(`aims.metrics.spark`; pyspark is imported only then): ``--data`` (``--reference`` and
``--current``) is a table in the session's catalog, or a path or URL of Parquet data Spark
reads (anything with a ``/`` or a ``.parquet`` suffix). ``--spark-master`` is the master URL
(default ``local[*]``; under ``spark-submit`` the session it configured is used as it is).
Posted runs then carry the data's name and row count, not a SHA-256 of a data lake.

Exit codes: 0 when every threshold passes, 1 when one fails, 2 on bad input (one line on
stderr names the file or column and the problem; argparse usage errors exit 2 too).

Pipeline mode: ``--server URL --token T --system SLUG [--check ID]`` (the token may come from
the ``AIMS_TOKEN`` environment variable instead, which keeps it out of the process list).
Fairness and performance then compute only the sufficient statistics (confusion counts, rank
counts or error sums per group) and post them to ``{URL}/api/v1/systems/{SLUG}/check-runs``;
drift and quality post their report (statistics per column, outcome per check; the example
values of a failed ``--allowed`` check are removed). No row of the data leaves the pipeline.
Each run goes with the data's fingerprint (file name, SHA-256 and rows; for drift, of the
current sample): only this mode hashes the data, in a second thread while the engine reads it.
The server applies the check's own thresholds (so ``--max``/``--min`` are refused), records the
run, and its verdict decides the exit code.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

# Only what parsing the arguments needs is imported here: `aims check --help` and a usage error
# never load numpy, pyarrow or DuckDB, and a check loads the engine module of its own kind only
# (see `compute`), and the HTTP client only with --server.
from aims.metrics import thresholds as th
from aims.metrics._base import TYPE_FAMILIES, InputError
from aims.metrics._table import render_table

if TYPE_CHECKING:
    from aims.metrics._client import Computed

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_PASSED", "build_parser", "main", "render_table"]

EXIT_PASSED, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

# The engine's keyword arguments, as a person at the command line knows them.
_CLI_WORDS = ("positive_label", "max_categories", "min_group_size", "prediction", "score")


# --- Arguments --------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, exiting 2 on a usage error as usual; `main` turns the exit into a return."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _metrics_help(kind: str) -> str:
    pairs = [
        short if short == full else f"{short} ({full})" for short, full in th.ALIASES[kind].items()
    ]
    return f"metrics for --max and --min: {', '.join(pairs)}"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``aims check``."""
    parser = _Parser(
        prog="aims check",
        description="Run a fairness, performance, drift or data-quality check on a data file.",
        epilog="Exit codes: 0 every threshold passes, 1 a threshold fails, 2 bad input.",
    )
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND", parser_class=_Parser)

    def add(kind: str, help: str) -> argparse.ArgumentParser:
        return kinds.add_parser(
            kind,
            help=help,
            description=help[0].upper() + help[1:] + ".",
            epilog=_metrics_help(kind),
        )

    def limits(p: argparse.ArgumentParser, example: str) -> None:
        p.add_argument(
            "--max",
            action="append",
            default=[],
            metavar="METRIC=LIMIT",
            help=f"fail when the metric is above the limit, e.g. {example} (repeatable)",
        )
        p.add_argument(
            "--min",
            action="append",
            default=[],
            metavar="METRIC=LIMIT",
            help="fail when the metric is below the limit (repeatable)",
        )
        p.add_argument(
            "--format",
            choices=["table", "json"],
            default="table",
            help="a table to read, or JSON for a pipeline (default table)",
        )
        server = p.add_argument_group("pipeline mode: record the run in OpenAIMS")
        server.add_argument("--server", metavar="URL", help="OpenAIMS base URL")
        server.add_argument("--token", help="API token (default: the AIMS_TOKEN variable)")
        server.add_argument("--system", metavar="SLUG", help="the AI system's short id")
        server.add_argument("--check", type=int, metavar="ID", help="the check definition's id")

    def predictions(p: argparse.ArgumentParser, *, sensitive_required: bool) -> None:
        p.add_argument("--data", required=True, metavar="FILE", help="Parquet or CSV file")
        p.add_argument("--label", required=True, metavar="COLUMN", help="true outcomes")
        p.add_argument("--prediction", metavar="COLUMN", help="predicted outcomes")
        p.add_argument("--score", metavar="COLUMN", help="scores, with --threshold")
        p.add_argument(
            "--threshold",
            type=float,
            metavar="T",
            help="a score at or above T predicts positive (default 0.5)",
        )
        p.add_argument("--positive-label", metavar="VALUE", help="the positive label value")
        p.add_argument(
            "--sensitive",
            action="append",
            required=sensitive_required,
            default=None,
            metavar="COLUMN",
            help="sensitive feature; several, for intersections: --sensitive sex,race or "
            "--sensitive sex --sensitive race",
        )
        p.add_argument(
            "--min-group-size",
            type=int,
            metavar="N",
            help="smaller groups are insufficient data, left out of aggregates (default 30)",
        )
        p.add_argument(
            "--max-categories",
            type=int,
            default=1000,
            metavar="N",
            help="refuse a sensitive feature with more distinct values (default 1000)",
        )

    def spark(p: argparse.ArgumentParser) -> None:
        group = p.add_argument_group("Spark: count where the data lives")
        group.add_argument(
            "--spark",
            action="store_true",
            help="read and count the data with Apache Spark: the data is a table name or a "
            "path/URL of Parquet data (pip install openaims[spark])",
        )
        group.add_argument(
            "--spark-master",
            metavar="URL",
            help="Spark master URL, e.g. local[4], yarn, spark://host:7077 (default local[*], "
            "or the session spark-submit configured)",
        )

    fairness = add("fairness", "fairness between groups of a binary classifier")
    predictions(fairness, sensitive_required=True)
    spark(fairness)
    fairness.add_argument(
        "--reference-group",
        metavar="GROUP",
        help='reference of the disparate impact ratio, e.g. "sex=Male" or, with two '
        'sensitive features, "sex=Male, race=White" (default: highest selection rate)',
    )
    limits(fairness, "dp_difference=0.1")

    performance = add("performance", "model performance, overall and per group")
    predictions(performance, sensitive_required=False)
    spark(performance)
    performance.add_argument(
        "--task",
        choices=["classification", "regression"],
        default="classification",
        help="the kind of model, which decides the metrics (default classification)",
    )
    limits(performance, "rmse=2.5 (and --min accuracy=0.8)")

    drift = add("drift", "drift between a reference and a current sample")
    drift.add_argument(
        "--reference", required=True, metavar="FILE", help="the reference sample (Parquet or CSV)"
    )
    drift.add_argument(
        "--current", required=True, metavar="FILE", help="the current sample (Parquet or CSV)"
    )
    drift.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="COLUMN",
        help="compare only these (--column a,b or --column a --column b)",
    )
    drift.add_argument(
        "--categorical",
        action="append",
        default=[],
        metavar="COLUMN",
        help="treat these columns as categorical (a comma list, or repeat the flag)",
    )
    drift.add_argument(
        "--exact-limit",
        type=_exact_limit,
        default=argparse.SUPPRESS,
        metavar="ROWS",
        help="above this many rows, compare numeric columns through a quantile sketch with a "
        "reported error bound (default 10000000; none: always exact)",
    )
    spark(drift)
    limits(drift, "share_drifted=0.5")

    quality = add("quality", "data quality of one file")
    quality.add_argument("--data", required=True, metavar="FILE", help="Parquet or CSV file")
    quality.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="COLUMN=TYPE",
        help=f"expected column and type: {', '.join(TYPE_FAMILIES)}",
    )
    quality.add_argument(
        "--max-missing",
        action="append",
        default=[],
        metavar="SHARE|COLUMN=SHARE",
        help="largest share of missing values, for every column or one column",
    )
    quality.add_argument(
        "--range",
        action="append",
        default=[],
        metavar="COLUMN=MIN:MAX",
        help="values of the column must lie within MIN and MAX (repeatable)",
    )
    quality.add_argument(
        "--allowed",
        action="append",
        default=[],
        metavar="COLUMN=A,B,C",
        help="the only values the column may hold (repeatable)",
    )
    quality.add_argument(
        "--max-duplicates", type=float, metavar="SHARE", help="largest share of duplicate rows"
    )
    quality.add_argument("--min-rows", type=int, metavar="N", help="fewest rows the file may have")
    quality.add_argument("--max-rows", type=int, metavar="N", help="most rows the file may have")
    limits(quality, "failed_checks=0")
    return parser


# --- Reading the options ----------------------------------------------------------------------


def _names(values: Sequence[str] | None) -> list[str] | None:
    """Column names given as a comma list, by repeating the flag, or both
    (``--sensitive sex,race`` is ``--sensitive sex --sensitive race``)."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _typed(text: str) -> Any:
    """A command-line value as the number it looks like, or the text."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _exact_limit(text: str) -> int | None:
    """``--exact-limit``: a row count, or ``none`` for always exact."""
    if text.strip().lower() == "none":
        return None
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _share(text: str, option: str) -> float:
    try:
        share = float(text)
    except ValueError:
        raise InputError(f"{option} {text}: the share must be a number") from None
    if not 0 <= share <= 1:
        raise InputError(f"{option} {text}: the share must be between 0 and 1")
    return share


def _prediction_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    both_allowed = args.kind == "performance"
    if args.kind == "performance" and args.task == "regression":
        if args.prediction is None:
            raise InputError("a regression check needs --prediction (the predicted values)")
        if args.score is not None or args.threshold is not None:
            raise InputError("--score and --threshold apply to classification, not regression")
        return {"label": args.label, "prediction": args.prediction, "task": "regression"}
    if args.prediction is None and args.score is None:
        raise InputError("give the --prediction column, or a --score column (and --threshold)")
    if args.prediction is not None and args.score is not None and not both_allowed:
        raise InputError("give --prediction or --score, not both")
    if args.threshold is not None and args.score is None:
        raise InputError("--threshold applies to a --score column")
    if args.threshold is not None and not math.isfinite(args.threshold):
        raise InputError("--threshold must be a finite number")
    kwargs: dict[str, Any] = {"label": args.label}
    if args.prediction is not None:
        kwargs["prediction"] = args.prediction
    if args.score is not None:
        kwargs["score"] = args.score
        kwargs["threshold"] = 0.5 if args.threshold is None else args.threshold
    if args.positive_label is not None:
        kwargs["positive_label"] = _typed(args.positive_label)
    if args.max_categories < 1:
        raise InputError("--max-categories must be at least 1")
    kwargs["max_categories"] = args.max_categories
    return kwargs


def _check_task(task: str, limits: Sequence[th.Threshold]) -> None:
    regression = {"mae", "rmse"}
    for limit in limits:
        if (limit.metric in regression) != (task == "regression"):
            kind = "a regression" if limit.metric in regression else "a classification"
            raise InputError(
                f"--{limit.op} {limit.metric}: {kind} metric, but the task is {task} "
                "(choose it with --task)"
            )


def _min_group_size(args: argparse.Namespace) -> int:
    size = 30 if args.min_group_size is None else args.min_group_size
    if size < 1:
        raise InputError("--min-group-size must be at least 1")
    return size


def _group_parts(name: str) -> frozenset[str]:
    return frozenset(part.strip() for part in name.split(", "))


def _reference_group(text: str, sensitive: Sequence[str], names: Sequence[str]) -> str:
    """The full group name meant by ``--reference-group``.

    Accepts the exact name, the parts in any order (``"race=White, sex=Male"``), or a bare
    value with one sensitive feature. A name that fixes only some of several sensitive
    features is refused, listing the intersection groups it could mean.
    """
    wanted = text.strip()
    if wanted in names:
        return wanted
    if "=" not in wanted:
        if len(sensitive) == 1:
            return f"{sensitive[0]}={wanted}"  # the engine checks that it exists
        raise InputError(
            f"--reference-group {text!r}: with several sensitive features name a whole group, "
            f"e.g. {names[0]!r}"
            if names
            else f"--reference-group {text!r}: no groups"
        )
    parts = frozenset(p.strip() for p in wanted.split(","))
    features = {p.partition("=")[0].strip() for p in parts}
    unknown = sorted(features - set(sensitive))
    if unknown:
        raise InputError(
            f"--reference-group {text!r}: {', '.join(map(repr, unknown))} is not a sensitive "
            f"feature (the sensitive features are {', '.join(map(repr, sensitive))})"
        )
    exact = [name for name in names if _group_parts(name) == parts]
    if len(exact) == 1:
        return exact[0]
    containing = [name for name in names if parts < _group_parts(name)]
    if containing:
        missing = [f for f in sensitive if f not in features]
        shown = "; ".join(repr(name) for name in containing[:10])
        more = f" and {len(containing) - 10} more" if len(containing) > 10 else ""
        raise InputError(
            f"--reference-group {text!r} does not fix {', '.join(map(repr, missing))}: the "
            f"reference is one intersection group of the sensitive features; groups with "
            f"{text}: {shown}{more}"
        )
    return wanted  # the engine explains that it does not exist, with the close names


def _max_missing(args: argparse.Namespace) -> float | dict[str, float] | None:
    overall: float | None = None
    per_column: dict[str, float] = {}
    for item in args.max_missing:
        column, sep, value = item.rpartition("=")
        if sep:
            if not column.strip():
                raise InputError(f"--max-missing {item}: write it as SHARE or COLUMN=SHARE")
            if column.strip() in per_column:
                raise InputError(f"--max-missing {column.strip()}: given twice")
            per_column[column.strip()] = _share(value, "--max-missing")
        elif overall is not None:
            raise InputError("--max-missing SHARE (for every column) is given twice")
        else:
            overall = _share(value, "--max-missing")
    if not per_column:
        return overall
    if overall is not None:  # one share for every column, and others for some columns
        from aims.metrics.io import open_source

        columns = open_source(args.data).columns
        return {**dict.fromkeys(columns, overall), **per_column}
    return per_column


def _quality_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    from aims.metrics.quality import parse_allowed, parse_expected, parse_ranges

    kwargs: dict[str, Any] = {}
    if args.expect:
        kwargs["expected_columns"] = parse_expected(args.expect)
    max_missing = _max_missing(args)
    if max_missing is not None:
        kwargs["max_missing"] = max_missing
    if args.range:
        kwargs["ranges"] = parse_ranges(args.range)
    if args.allowed:
        kwargs["allowed"] = parse_allowed(args.allowed)
    if args.max_duplicates is not None:
        kwargs["max_duplicate_share"] = _share(str(args.max_duplicates), "--max-duplicates")
    for option, key in (("min_rows", "min_rows"), ("max_rows", "max_rows")):
        value = getattr(args, option)
        if value is not None:
            if value < 0:
                raise InputError(f"--{option.replace('_', '-')} must not be negative")
            kwargs[key] = value
    return kwargs


# --- Computing --------------------------------------------------------------------------------


class _Fingerprint:
    """The name and SHA-256 of the data a run is posted with, hashed in a second thread.

    Only a run posted to the server needs them (the server records them; nothing printed shows
    them), so only ``--server`` hashes, each file once, while the engine reads the same file.
    `cancel` stops the hashing when the engine fails (its error is the one reported).
    """

    def __init__(self, path: str) -> None:
        self._stop = threading.Event()
        self._files: dict[str, Any] = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._hash, args=(path,), daemon=True)
        self._thread.start()

    def _hash(self, path: str) -> None:
        from aims.metrics.io import _fingerprint_files

        try:
            self._files = _fingerprint_files(path, stop=self._stop)
        except BaseException as error:  # raised in the main thread by `result`
            self._error = error

    def cancel(self) -> None:
        self._stop.set()
        self._thread.join()

    def result(self, rows: int | None) -> dict[str, Any]:
        """Row count, name and SHA-256 of the data (for a folder or glob, of all its files)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return {"rows": rows, **self._files}


def _without_values(report: dict[str, Any]) -> dict[str, Any]:
    """A quality report without the example values a failed allowed-values check quotes."""
    checks = []
    for check in report.get("checks", []):
        if check.get("check") == "allowed_values" and check.get("observed"):
            message = re.sub(r" \(e\.g\. .*\)$", "", str(check.get("message", "")))
            check = {**check, "observed": None, "message": message}
        checks.append(check)
    return {**report, "checks": checks}


def compute(args: argparse.Namespace, *, for_server: bool) -> Computed:
    """Run the check ``args.kind`` on the files named in ``args``.

    For the server (``for_server``), the input (the current sample for drift) is also hashed,
    in a second thread while the engine reads it; otherwise it is never hashed.
    """
    from aims.metrics._client import Computed

    fingerprint = None
    named = args.current if args.kind == "drift" else args.data
    on_spark = bool(getattr(args, "spark", False))
    if for_server and not on_spark:
        fingerprint = _Fingerprint(named)
    try:
        report, rows, statistics, posted_report = _run(args, for_server=for_server)
    except BaseException:
        if fingerprint is not None:
            fingerprint.cancel()
        raise
    if for_server and on_spark:  # a table of a data lake is named, not hashed
        return Computed(report, {"rows": rows, "file": named}, statistics, posted_report)
    return Computed(
        report,
        None if fingerprint is None else fingerprint.result(rows),
        statistics,
        posted_report,
    )


def _run(
    args: argparse.Namespace, *, for_server: bool
) -> tuple[dict[str, Any], int | None, dict[str, Any] | None, dict[str, Any] | None]:
    """The report, the row count, the statistics and the report a server gets."""
    kind = args.kind
    data = _spark_data(args, getattr(args, "data", None))
    if kind == "fairness":
        from aims.metrics.fairness import fairness_from_statistics, fairness_statistics

        size = _min_group_size(args)
        stats = fairness_statistics(data, sensitive=args.sensitive, **_prediction_kwargs(args))
        reference = None
        if args.reference_group is not None:
            reference = _reference_group(args.reference_group, stats.sensitive, stats.group_names())
        report = fairness_from_statistics(
            stats, min_group_size=size, reference_group=reference
        ).to_dict()
        report.pop("statistics", None)
        if for_server:  # the server's check decides the reference group and the aggregates
            report.update(aggregates={}, disparate_impact={}, reference_group=None)
        return report, stats.overall().n, stats.to_dict(), None
    if kind == "performance":
        from aims.metrics.performance import performance_report

        kwargs = _prediction_kwargs(args)
        perf = performance_report(
            data,
            sensitive=args.sensitive or None,
            min_group_size=_min_group_size(args),
            **kwargs,
        )
        report = perf.to_dict()
        report.pop("statistics", None)
        rows = int(report["overall"].get("count") or 0)
        return report, rows, perf.statistics.to_dict(), None
    if kind == "drift":
        from aims.metrics.drift import drift_report

        report = drift_report(
            _spark_data(args, args.reference),
            _spark_data(args, args.current),
            columns=args.column or None,
            categorical=args.categorical or None,
            **({"exact_limit": args.exact_limit} if "exact_limit" in args else {}),
        ).to_dict()
        return report, report.get("n_current"), None, report
    from aims.metrics.quality import quality_report

    kwargs = _quality_kwargs(args)
    try:
        report = quality_report(args.data, **kwargs).to_dict()
    except InputError:
        raise
    except ValueError as error:  # an option the engine refuses
        raise InputError(str(error)) from None
    return report, report.get("n_rows"), None, _without_values(report)


def _spark_data(args: argparse.Namespace, named: str | None) -> Any:
    """``named`` as Spark reads it with ``--spark``; as it is otherwise."""
    if named is None or not getattr(args, "spark", False):
        return named
    from aims.metrics.spark import cli_session, read_input

    return read_input(named, cli_session(args.spark_master))


# --- Entry point ------------------------------------------------------------------------------


def _one_line(kind: str, error: BaseException | str) -> str:
    text = " ".join(str(error).split())
    for word in _CLI_WORDS:
        option = "--" + word.replace("_", "-")
        text = re.sub(rf"\b{word}=(?=[\w.-])", option + " ", text)  # min_group_size=30
        text = re.sub(rf"\b{word}=", option, text)
    return f"aims check {kind}: error: {text}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``aims check``; ``argv`` starts with "check" (as after ``aims``) or with the kind.

    Returns the exit code: 0 every threshold passes, 1 one fails, 2 bad input.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:
        argv = argv[1:]
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit:  # usage errors (2) and --help (0)
        return exit.code if isinstance(exit.code, int) else EXIT_BAD_INPUT
    kind = args.kind
    for option in ("sensitive", "column", "categorical"):
        if hasattr(args, option):
            setattr(args, option, _names(getattr(args, option)))
    try:
        limits = th.parse_thresholds(args.max, args.min, kind=kind)
    except th.ThresholdErrors as errors:  # every wrong limit, one line each
        for error in errors.errors:
            print(_one_line(kind, error), file=sys.stderr)
        return EXIT_BAD_INPUT
    import duckdb  # its errors are bad input; imported once the arguments are read

    try:
        if kind == "performance":
            _check_task(args.task, limits)
        token = ""
        if args.server is not None:
            token = args.token or os.environ.get("AIMS_TOKEN", "")
            if not token or not args.system:
                raise InputError("--server needs --system and --token (or AIMS_TOKEN)")
            if limits:
                raise InputError(
                    "with --server the check's own thresholds apply: leave out --max and --min"
                )
            if getattr(args, "reference_group", None) is not None:
                raise InputError(
                    "with --server the check's own reference group applies: leave out "
                    "--reference-group"
                )
            from aims.metrics._client import server_url

            server_url(args.server, args.system)
        elif args.token or args.system or args.check is not None:
            raise InputError("--token, --system and --check need --server")
        run = compute(args, for_server=args.server is not None)
        summary = th.summary(kind, run.report, th.evaluate(kind, run.report, limits))
        verdict = None
        if args.server is not None:
            from aims.metrics._client import post_run

            verdict = post_run(args, token, run)
    except (InputError, OSError, duckdb.Error) as error:
        print(_one_line(kind, error), file=sys.stderr)
        return EXIT_BAD_INPUT
    if verdict is not None:
        summary["thresholds"] = list(verdict.get("thresholds") or [])
        summary["passed"] = verdict["passed"]
    if args.format == "json":
        output: dict[str, Any] = dict(summary)
        if kind == "drift":
            output["message"] = th.drift_sentence(summary)
        if verdict is not None:
            output["run"] = {"id": verdict.get("id"), "url": verdict.get("url")}
        print(json.dumps(output, indent=2, allow_nan=False))
    else:
        print(
            render_table(
                kind,
                summary,
                reference_group=run.report.get("reference_group"),
                min_group_size=run.report.get("min_group_size"),
                notes=[]
                if verdict is None
                else [
                    f"thresholds of the check in OpenAIMS; recorded as run "
                    f"{verdict.get('id')}: {verdict.get('url')}"
                ],
            )
        )
    return EXIT_PASSED if summary["passed"] else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
