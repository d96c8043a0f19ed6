"""The terminal table ``aims check`` prints: per-group metrics, aggregates and thresholds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from aims.metrics import thresholds as th


def _num(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        if value.is_integer() and abs(value) >= 1000:
            return f"{int(value):,}"
        return f"{value:.4f}"
    if isinstance(value, list):
        return "[" + ", ".join(_num(v) for v in value) + "]"
    return str(value)


def _limit(value: Any) -> str:
    return (
        f"{value:g}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else _num(value)
    )


def _count(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return f"{int(value):,}"
    return _num(value)


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Rows under headers; the first ``left`` columns aligned left, the others right."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        out = [
            str(c).ljust(w) if i < left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    return [line(headers), *(line(r) for r in rows)]


_FAIRNESS_COLUMNS = (
    ("count", "rows"),
    ("selection_rate", "selection"),
    ("true_positive_rate", "TPR"),
    ("false_positive_rate", "FPR"),
    ("positive_predictive_value", "PPV"),
    ("accuracy", "accuracy"),
    ("disparate_impact", "DI"),
)
_CLASSIFICATION_COLUMNS = (
    ("count", "rows"),
    ("accuracy", "accuracy"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("f1", "f1"),
    ("roc_auc", "roc_auc"),
)
_REGRESSION_COLUMNS = (("count", "rows"), ("mae", "mae"), ("rmse", "rmse"))


def _group_table(
    summary: dict[str, Any], columns: Sequence[tuple[str, str]], reference: str | None
) -> list[str]:
    every = [*summary["by_group"].values(), summary["overall"]]
    columns = [  # leave out a metric nobody has (ROC AUC without scores)
        (key, header)
        for key, header in columns
        if key == "count" or any(values.get(key) is not None for values in every)
    ]
    rows = []
    for group, values in summary["by_group"].items():
        status = values.get("status", "ok")
        note = "too few rows" if status != "ok" else ("reference" if group == reference else "")
        cells = [_count(values.get(k)) if k == "count" else _num(values.get(k)) for k, _ in columns]
        rows.append([group, *cells, note])
    overall = summary["overall"]
    cells = [
        _count(overall.get(k)) if k == "count" else _num(overall.get(k)) if k in overall else ""
        for k, _ in columns
    ]
    rows.append(["overall", *cells, ""])
    return _grid(["group", *(h for _, h in columns), ""], rows)


# Drift aggregates said in words on the result line rather than as figures.
_SAID_IN_WORDS = ("dataset_drifted", "share")


def render_table(
    kind: str,
    summary: dict[str, Any],
    *,
    reference_group: str | None = None,
    min_group_size: int | None = None,
    notes: Sequence[str] = (),
) -> str:
    """The summary of a check as text for a terminal; the last line is PASSED or FAILED."""
    lines: list[str] = []
    aggregates = summary.get("aggregates") or {}
    if kind == "fairness":
        lines += _group_table(summary, _FAIRNESS_COLUMNS, reference_group)
        lines.append("")
        lines.append(
            "selection = selection rate; TPR, FPR = true, false positive rate; PPV = positive "
            "predictive value;"
        )
        if reference_group:
            lines.append(f"DI = selection rate / the reference group's ({reference_group})")
        short = [g for g, v in summary["by_group"].items() if v.get("status", "ok") != "ok"]
        if short:
            lines.append(
                f"too few rows (under {min_group_size}; left out of the aggregates): "
                + ", ".join(short)
            )
    elif kind == "performance":
        regression = "mae" in (summary.get("overall") or {})
        columns = _REGRESSION_COLUMNS if regression else _CLASSIFICATION_COLUMNS
        lines += _group_table(summary, columns, None)
    elif kind == "drift":
        rows = []
        for column, d in summary["by_group"].items():
            rows.append(
                [
                    column,
                    str(d.get("kind", "")),
                    str(d.get("method", "")),
                    _num(d.get("statistic")),
                    _num(d.get("p_value")),
                    _num(d.get("threshold")),
                    _num(d.get("psi")),
                    "DRIFTED" if d.get("drifted") else "stable",
                ]
            )
        lines += _grid(
            ["column", "kind", "method", "statistic", "p-value", "limit", "psi", ""], rows
        )
        overall = summary.get("overall") or {}
        lines.append("")
        lines.append(
            f"rows: reference {_count(overall.get('n_reference'))}, "
            f"current {_count(overall.get('n_current'))}"
        )
    else:
        rows = [
            ["ok" if c.get("passed") else "FAIL", str(c.get("check")), str(c.get("message", ""))]
            for c in summary["by_group"].values()
        ]
        if rows:
            lines += _grid(["", "check", "result"], rows, left=3)
        else:
            lines.append("no quality checks configured")
        lines.append("")
        lines.append(f"rows: {_count((summary.get('overall') or {}).get('n_rows'))}")

    if aggregates:
        lines.append("")
        if kind == "fairness":
            rows = [
                [name, th.short_name(kind, name), _num(value)] for name, value in aggregates.items()
            ]
            lines += _grid(["aggregate (between groups)", "short name", "value"], rows, left=2)
        else:
            # Drift: whether the data set drifted is said in words beside the result.
            shown = {k: v for k, v in aggregates.items() if k not in _SAID_IN_WORDS}
            rows = [[name, _num(value)] for name, value in shown.items()]
            lines += _grid(["aggregate", "value"], rows)

    results = summary.get("thresholds") or []
    if results:
        lines.append("")
        rows = []
        for t in results:
            sign = "<=" if t.get("op") == "max" else ">="
            value = t.get("value")
            rows.append(
                [
                    "PASS" if t.get("passed") else "FAIL",
                    str(t.get("metric")),
                    _num(value),
                    f"{sign} {_limit(t.get('limit'))}",
                    "" if value is not None else str(t.get("message", "")),
                ]
            )
        lines += _grid(["", "threshold", "value", "limit", ""], rows, left=2)
    elif kind in ("fairness", "performance"):
        lines.append("")
        lines.append("no thresholds given (--max, --min): nothing can fail")
    elif kind == "drift":
        lines.append("")
        lines.append(
            "no thresholds given (--max, --min): the data set "
            + ("drifted" if aggregates.get("dataset_drifted") else "did not drift")
            + " (it drifts when the share of drifted columns reaches the limit)"
        )
    lines.append("")
    lines += notes
    verdict = "PASSED" if summary.get("passed") else "FAILED"
    if kind == "drift":
        verdict += f": {th.drift_sentence(summary)}"
    lines.append(verdict)
    return "\n".join(lines)
