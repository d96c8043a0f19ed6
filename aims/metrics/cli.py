"""``aims check …``: run a technical check from an ML pipeline, with or without a server.

Framework-free: it imports the metrics engine only, never Django, so it runs in any pipeline
with ``pip install openaims``. Exit codes: 0 when every threshold passes, 1 when one fails,
2 on bad input (a message on stderr names the file or column and the problem).

    aims check fairness --data preds.parquet --label y --prediction y_hat --sensitive sex \\
        [--score p --threshold 0.5] [--reference-group sex=Male] [--max dp_difference=0.1] \\
        [--format table|json] [--server URL --token T --system SLUG [--check ID]]
    aims check performance --data preds.parquet --label y --score p [--min roc_auc=0.75]
    aims check drift --reference a.parquet --current b.parquet [--max share_drifted=0.5]
    aims check quality --data x.parquet [--expect age=integer] [--max-missing 0.05] ...

With ``--server`` only the sufficient statistics (counts per group) are posted; the server
recomputes the metrics, applies the check's own thresholds and records the run as evidence.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from . import (
    ENGINE_VERSION,
    InputError,
    drift_report,
    fairness_from_statistics,
    fairness_statistics,
    performance_report,
    quality_report,
)
from . import thresholds as th

EXIT_PASSED, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse prints usage and exits 2; keep that, be clear
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aims check", description="Run a technical check on a data file.")
    kinds = parser.add_subparsers(dest="kind", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser, *, server: bool) -> None:
        p.add_argument(
            "--max",
            action="append",
            default=[],
            metavar="METRIC=LIMIT",
            help="fail when the metric is above the limit (repeatable)",
        )
        p.add_argument(
            "--min",
            action="append",
            default=[],
            metavar="METRIC=LIMIT",
            help="fail when the metric is below the limit (repeatable)",
        )
        p.add_argument("--format", choices=["table", "json"], default="table")
        if server:
            p.add_argument("--server", help="OpenAIMS URL: post the statistics there")
            p.add_argument("--token", help="personal API token (or AIMS_TOKEN)")
            p.add_argument("--system", help="short id of the AI system in OpenAIMS")
            p.add_argument("--check", type=int, help="id of the check, if the system has several")

    def columns(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", required=True, help="Parquet or CSV prediction log")
        p.add_argument("--label", required=True, help="column of true outcomes")
        p.add_argument("--prediction", help="column of predicted outcomes")
        p.add_argument("--score", help="column of scores (with --threshold)")
        p.add_argument(
            "--threshold",
            type=float,
            default=0.5,
            help="a score at or above it counts as positive (default 0.5)",
        )
        p.add_argument("--positive-label", help="the label value that counts as positive")

    fairness = kinds.add_parser("fairness", help="fairness between groups (binary outcomes)")
    columns(fairness)
    fairness.add_argument(
        "--sensitive",
        action="append",
        required=True,
        help="sensitive feature column (repeat for intersections)",
    )
    fairness.add_argument(
        "--reference-group", help='e.g. "sex=Male" for the disparate impact ratio'
    )
    fairness.add_argument("--min-group-size", type=int, default=30)
    common(fairness, server=True)

    performance = kinds.add_parser("performance", help="model performance, overall and per group")
    columns(performance)
    performance.add_argument("--sensitive", action="append", default=[])
    performance.add_argument(
        "--task", choices=["classification", "regression"], default="classification"
    )
    common(performance, server=True)

    drift = kinds.add_parser("drift", help="drift between a reference and a current sample")
    drift.add_argument("--reference", required=True)
    drift.add_argument("--current", required=True)
    drift.add_argument("--column", action="append", default=[], help="columns to compare")
    drift.add_argument("--categorical", action="append", default=[])
    common(drift, server=True)

    quality = kinds.add_parser("quality", help="data quality of one file")
    quality.add_argument("--data", required=True)
    quality.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="COLUMN=TYPE",
        help="expected column and type: integer, float, numeric, string, boolean, datetime",
    )
    quality.add_argument("--max-missing", action="append", default=[], metavar="SHARE|COLUMN=SHARE")
    quality.add_argument("--range", action="append", default=[], metavar="COLUMN=MIN:MAX")
    quality.add_argument("--allowed", action="append", default=[], metavar="COLUMN=A,B,C")
    quality.add_argument("--max-duplicates", type=float)
    quality.add_argument("--min-rows", type=int)
    quality.add_argument("--max-rows", type=int)
    common(quality, server=True)
    return parser


# --- Inputs ---------------------------------------------------------------------------------


def _file(path: str) -> str:
    if not Path(path).exists() and not any(c in path for c in "*?["):
        raise InputError(f"{path}: no such file")
    return path


def _fingerprint(path: str, rows: int | None) -> dict:
    file = Path(path)
    sha = None
    if file.is_file():
        digest = hashlib.sha256()
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                digest.update(chunk)
        sha = digest.hexdigest()
    return {"rows": rows, "sha256": sha, "file": file.name}


def _pairs(items: list[str], option: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"{option} {item}: write it as column=value")
        out[key] = value
    return out


def _columns_kwargs(args) -> dict:
    if args.prediction and args.score:
        raise InputError("give --prediction or --score, not both")
    if not args.prediction and not args.score:
        raise InputError("give the --prediction column, or a --score column and a --threshold")
    kwargs: dict[str, Any] = {"label": args.label}
    if args.score:
        kwargs.update(score=args.score, threshold=args.threshold)
    else:
        kwargs["prediction"] = args.prediction
    if args.positive_label is not None:
        kwargs["positive_label"] = _typed(args.positive_label)
    return kwargs


def _typed(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _quality_kwargs(args) -> dict:
    kwargs: dict[str, Any] = {}
    if args.expect:
        kwargs["expected_columns"] = _pairs(args.expect, "--expect")
    if args.max_missing:
        shares: dict[str, float] = {}
        overall = None
        for item in args.max_missing:
            column, sep, value = item.rpartition("=")
            try:
                share = float(value)
            except ValueError:
                raise InputError(f"--max-missing {item}: the share must be a number") from None
            if sep:
                shares[column] = share
            else:
                overall = share
        kwargs["max_missing"] = shares or overall
    if args.range:
        ranges = {}
        for column, bounds in _pairs(args.range, "--range").items():
            low, sep, high = bounds.partition(":")
            try:
                ranges[column] = (float(low) if low else None, float(high) if high else None)
            except ValueError:
                raise InputError(f"--range {column}={bounds}: write it as min:max") from None
            if not sep:
                raise InputError(f"--range {column}={bounds}: write it as min:max")
        kwargs["ranges"] = ranges
    if args.allowed:
        kwargs["allowed"] = {
            column: {_typed(v) for v in values.split(",")}
            for column, values in _pairs(args.allowed, "--allowed").items()
        }
    for name, key in (
        ("max_duplicates", "max_duplicate_share"),
        ("min_rows", "min_rows"),
        ("max_rows", "max_rows"),
    ):
        if getattr(args, name) is not None:
            kwargs[key] = getattr(args, name)
    return kwargs


# --- Running --------------------------------------------------------------------------------


def compute(args, limits: list[th.Threshold]) -> tuple[dict, dict, dict]:
    """The summary, the fingerprint, and the payload a server would get."""
    kind = args.kind
    if kind == "fairness":
        stats = fairness_statistics(
            _file(args.data), sensitive=args.sensitive, **_columns_kwargs(args)
        )
        report = fairness_from_statistics(
            stats, min_group_size=args.min_group_size, reference_group=args.reference_group
        ).to_dict()
        report.pop("statistics", None)
        fingerprint = _fingerprint(args.data, stats.overall().n)
        payload = {"statistics": stats.to_dict(), "report": None}
    elif kind == "performance":
        perf = performance_report(
            _file(args.data),
            sensitive=args.sensitive or None,
            task=args.task,
            **_columns_kwargs(args),
        )
        report = perf.to_dict()
        statistics = report.pop("statistics", None)
        rows = (report.get("overall") or {}).get("count")
        fingerprint = _fingerprint(args.data, rows if isinstance(rows, int) else None)
        payload = {"statistics": statistics, "report": None}
    elif kind == "drift":
        report = drift_report(
            _file(args.reference),
            _file(args.current),
            columns=args.column or None,
            categorical=args.categorical or None,
        ).to_dict()
        fingerprint = _fingerprint(args.current, report.get("n_current"))
        payload = {"statistics": None, "report": report}
    else:
        report = quality_report(_file(args.data), **_quality_kwargs(args)).to_dict()
        fingerprint = _fingerprint(args.data, report.get("n_rows"))
        payload = {"statistics": None, "report": report}
    results = th.evaluate(kind, report, limits)
    return th.summary(kind, report, results), fingerprint, payload


def post(args, payload: dict, fingerprint: dict, token: str) -> dict:
    """Send the statistics to the server; return its verdict (raises InputError on failure)."""
    url = f"{args.server.rstrip('/')}/api/v1/systems/{args.system}/check-runs"
    body = json.dumps(
        {
            "kind": args.kind,
            "check": args.check,
            "statistics": payload["statistics"],
            "report": payload["report"],
            "fingerprint": fingerprint,
            "engine_version": ENGINE_VERSION,
        },
        default=_json_default,
    ).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        try:
            detail = json.loads(error.read().decode()).get("detail") or error.reason
        except (ValueError, AttributeError):
            detail = error.reason
        raise InputError(f"{args.server} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise InputError(f"cannot reach {args.server}: {reason}") from None


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


# --- Output ---------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.4f}"
    return str(value)


def _fmt_int(value: Any) -> str:
    return f"{int(value):,}" if isinstance(value, (int, float)) and value == value else _fmt(value)


def render_table(summary: dict) -> str:
    lines: list[str] = []
    kind = summary.get("kind", "")
    by_group = summary.get("by_group") or {}
    if by_group and kind in ("fairness", "performance"):
        metrics = [
            m
            for m in (
                "count",
                "selection_rate",
                "true_positive_rate",
                "false_positive_rate",
                "accuracy",
                "precision",
                "recall",
                "f1",
                "roc_auc",
                "mae",
                "rmse",
            )
            if any(m in (v or {}) for v in by_group.values())
        ]
        width = max(len("group"), *(len(g) for g in by_group))
        lines.append("  ".join(["group".ljust(width), *(m.rjust(14) for m in metrics)]))
        for group, values in by_group.items():
            cells = [
                _fmt_int((values or {}).get(m)) if m == "count" else _fmt((values or {}).get(m))
                for m in metrics
            ]
            lines.append("  ".join([group.ljust(width), *(c.rjust(14) for c in cells)]))
        lines.append("")
    elif by_group:
        width = max(len(k) for k in by_group)
        for key, values in by_group.items():
            if kind == "drift":
                text = (
                    f"{values.get('method')} {_fmt(values.get('statistic'))} "
                    f"{'DRIFTED' if values.get('drifted') else 'stable'}"
                )
            else:
                text = (
                    f"{_fmt(values.get('observed'))} "
                    f"{'ok' if values.get('passed') else 'FAIL'}  {values.get('message', '')}"
                )
            lines.append(f"{key.ljust(width)}  {text}")
        lines.append("")
    for name, value in (summary.get("aggregates") or {}).items():
        lines.append(f"{name:<34} {_fmt(value)}")
    if summary.get("insufficient"):
        lines.append(
            f"insufficient data (fewer rows than the minimum group size): "
            f"{', '.join(summary['insufficient'])}"
        )
    if summary.get("thresholds"):
        lines.append("")
        for t in summary["thresholds"]:
            sign = "<=" if t["op"] == "max" else ">="
            verdict = "PASS" if t["passed"] else "FAIL"
            lines.append(
                f"{verdict}  {t['metric']} = {_fmt(t['value'])}  (limit {sign} {t['limit']:g})"
            )
    lines.append("")
    lines.append("PASSED" if summary.get("passed") else "FAILED")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point; ``argv`` starts with "check" (as after ``aims``) or with the kind."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check":
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    try:
        limits = th.parse_thresholds(args.max, args.min, kind=args.kind)
        server = getattr(args, "server", None)
        token = ""
        if server:
            token = args.token or os.environ.get("AIMS_TOKEN") or ""
            if not token or not args.system:
                raise InputError("--server needs --token (or AIMS_TOKEN) and --system")
            if limits:
                raise InputError(
                    "with --server the check's own thresholds apply; leave out --max and --min"
                )
        summary, fingerprint, payload = compute(args, limits)
        if server:
            verdict = post(args, payload, fingerprint, token)
            summary = {
                **summary,
                "thresholds": verdict.get("thresholds", []),
                "passed": bool(verdict.get("passed")),
                "run": verdict.get("url"),
            }
    except InputError as error:
        print(f"aims check {args.kind}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.format == "json":
        print(json.dumps(summary, indent=2, default=_json_default))
    else:
        print(render_table(summary))
        if summary.get("run"):
            print(f"recorded: {summary['run']}")
    return EXIT_PASSED if summary.get("passed") else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
