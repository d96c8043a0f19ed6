"""Data drift checks: the current data compared with reference data (what the model was
validated on), column by column, by a distance or, for a small sample, a statistical test.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

import aims.metrics as metrics
from aims.metrics import thresholds as th

from .. import sources
from ..charts import Bar, bar_chart
from ..models import Check, Kind, SourceType
from .base import CheckKind, Fieldset, Measured, Row, csv, limit_charts, names_field, rows_table

__all__ = ["KIND", "Drift"]

METHOD_NAMES = {
    "wasserstein": "Wasserstein / std",
    "jensenshannon": "Jensen-Shannon",
    "psi": "PSI",
    "ks": "Kolmogorov-Smirnov",
    "chi2": "chi-squared",
}

# The run page's table of drift results: what decided each column first, then every statistic
# (key, header, numeric).
TABLE_COLUMNS = (
    ("kind", "Kind", False),
    ("method", "Decided by", False),
    ("statistic", "Statistic", True),
    ("p_value", "p-value", True),
    ("threshold", "Limit", True),
    ("drifted", "Drifted", False),
    ("psi", "PSI", True),
    ("wasserstein_normalized", "Wasserstein / std", True),
    ("ks_statistic", "KS statistic", True),
    ("ks_p_value", "KS p-value", True),
    ("jensen_shannon", "Jensen-Shannon", True),
    ("chi2", "Chi-squared", True),
    ("chi2_p_value", "Chi-squared p-value", True),
    ("n_reference", "Reference rows", True),
    ("n_current", "Current rows", True),
)


class Drift(CheckKind):
    kind = Kind.DRIFT
    options = ("columns", "categorical")
    reads_reference = True
    form_fields = {
        "drift_columns": names_field(
            "Columns to compare (drift)", "Separated by commas; empty: every column."
        ),
        "categorical": names_field("Categorical columns (drift)"),
    }
    fieldsets = (Fieldset("Drift", (Row("drift_columns categorical"),)),)
    limits_help = "Drift: share_drifted."
    chart_note = (
        "A column drifts when its distance reaches the threshold, or, for a small sample, when "
        "its test's p-value falls below the limit; the data set drifts when enough columns do."
    )
    aggregate_labels = {
        "share": "share of drifted columns at which the data set drifts",
        "dataset_drifted": "data set drifted",
    }

    def problems(self, check: Check) -> dict[str, str]:
        """Reference data to compare with, unless the pipeline posts the report."""
        if check.source_type == SourceType.PIPELINE:
            return {}
        if check.reference_blob_id is None and not check.reference_path:
            return {"reference_file": "A drift check compares with reference data: give it."}
        if check.reference_path:
            try:
                sources.resolve_data_path(check.reference_path, field="reference_path")
            except ValidationError as exc:
                return {k: " ".join(v) for k, v in exc.message_dict.items()}
        return {}

    column_fields = {"drift_columns": True, "categorical": True}

    def named_columns(self, check: Check) -> dict[str, list[str]]:
        options = check.options or {}
        return {
            "columns": list(options.get("columns") or []),
            "categorical": list(options.get("categorical") or []),
        }

    def options_from_form(self, data: dict) -> dict:
        return {
            "columns": csv(data.get("drift_columns", "")),
            "categorical": csv(data.get("categorical", "")),
        }

    def form_initial(self, check: Check) -> dict:
        options = check.options or {}
        return {
            "drift_columns": ", ".join(options.get("columns", [])),
            "categorical": ", ".join(options.get("categorical", [])),
        }

    def compute(self, check: Check, data: str, fingerprint: dict) -> Measured:
        options = check.options or {}
        reference, reference_fingerprint = sources.read(check, reference=True)
        report = metrics.drift_report(
            reference,
            data,
            columns=options.get("columns") or None,
            categorical=options.get("categorical") or None,
        )
        return Measured(
            report=report.to_dict(),
            fingerprint={"current": fingerprint, "reference": reference_fingerprint},
        )

    def aggregates(self, result: dict) -> list:
        """The figures, then what was found in words: "drift detected in 1 of 2 columns
        (limit 50%)" rather than a bare "data set drifted: yes"."""
        figures = [
            (label, value)
            for (label, value), name in zip(
                super().aggregates(result), result.get("aggregates") or {}, strict=True
            )
            if name not in ("dataset_drifted", "share")
        ]
        found = [*figures, ("what was found", th.drift_sentence(result))]
        sketched = [
            values
            for values in (result.get("by_group") or {}).values()
            if isinstance(values, dict) and values.get("approximate")
        ]
        if sketched:  # columns of more than 10 million rows: compared through a sketch
            bound = max(values.get("rank_error") or 0.0 for values in sketched)
            found.append(
                (
                    "approximate",
                    f"{len(sketched)} column{'s' if len(sketched) > 1 else ''} compared through "
                    f"a quantile sketch; each KS statistic within {bound:.1e} of the exact one",
                )
            )
        return found

    def charts(self, result: dict) -> list:
        return [*_column_charts(result.get("by_group") or {}), *limit_charts(result)]

    def metric_table(self, result: dict) -> dict:
        """A column a line with every statistic."""
        return rows_table(self, result, first="Column", columns=TABLE_COLUMNS)


def _column_charts(by_group: dict) -> list:
    """Columns judged by a distance (drift at or above the threshold) and columns judged by a
    test (drift when the p-value is below the limit) cannot share a line: one chart each."""
    charts = []
    columns = [values for values in by_group.values() if isinstance(values, dict)]
    by_distance = [c for c in columns if c.get("p_value") is None]
    by_test = [c for c in columns if c.get("p_value") is not None]
    for chosen, value, title, op, label in (
        (by_distance, "statistic", "Drift distance by column", "max", "drift threshold"),
        (by_test, "p_value", "Test p-value by column", "min", "p-value limit"),
    ):
        if not chosen:
            continue
        methods = sorted({METHOD_NAMES.get(c["method"], c["method"]) for c in chosen})
        title = f"{title} ({', '.join(methods)})"
        bars = [Bar(c["column"], c.get(value)) for c in chosen]
        limits = {c.get("threshold") for c in chosen}
        limit = limits.pop() if len(limits) == 1 else None
        charts.append(bar_chart(bars, title=title, limit=limit, op=op, limit_label=label))
    return charts


KIND = Drift()
