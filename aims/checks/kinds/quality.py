"""Data quality checks: rules on a data set (expected columns and types, missing values, value
ranges, allowed values, duplicate rows, row counts), each of which passes or fails.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.html import format_html

import aims.metrics as metrics
from aims.core.forms import LIST_MAX_LENGTH
from aims.metrics import InputError
from aims.metrics.quality import TYPE_FAMILIES, parse_allowed, parse_expected, parse_ranges

from ..models import COLUMN_RULES, Check, Kind
from .base import CheckKind, Fieldset, Measured, Row, rows_table

__all__ = ["KIND", "Quality", "rule_lines"]

TABLE_COLUMNS = (("passed", "Passed", False), ("message", "What was found", False))


class RulesField(forms.CharField):
    """Rules given a column a line (``score=0:1``), read into ``{column: rule}``."""

    def __init__(self, parse: Callable[..., dict], *, rows: int, **kwargs):
        self.parse = parse
        super().__init__(
            required=False,
            max_length=LIST_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": rows}),
            **kwargs,
        )

    def clean(self, value) -> dict:
        """Every wrong line is said at once (``Line 2: ...``), then what only the lines
        together can get wrong (a column given twice)."""
        numbered = [
            (number, line)
            for number, line in enumerate(super().clean(value).splitlines(), start=1)
            if line.strip()
        ]
        problems = []
        for number, line in numbered:
            try:
                self.parse([line], what="")
            except InputError as exc:
                problems.append(f"Line {number}: {exc}.")
        if problems:
            raise forms.ValidationError(problems)
        try:
            return self.parse([line for _, line in numbered], what="")
        except InputError as exc:
            raise forms.ValidationError(f"{exc}.") from None


def _ranges(lines: list[str], *, what: str) -> dict:
    """Value ranges, each ``[lowest, highest]`` as the check stores them."""
    return {column: list(bounds) for column, bounds in parse_ranges(lines, what=what).items()}


def _bound(value) -> str:
    return "" if value is None else f"{value:g}"


def rule_lines(check: Check, name: str) -> list[str]:
    """A data-quality rule of the check, a column a line, as the form and the CLI write it:
    ``repaid=integer``, ``score=0:1``, ``sex=Female,Male``."""
    lines = []
    for column, rule in check.column_rule(name).items():
        if name == "ranges":
            low, high = rule
            rule = f"{_bound(low)}:{_bound(high)}"
        elif name == "allowed":
            rule = ",".join(rule)
        lines.append(f"{column}={rule}")
    return lines


class Quality(CheckKind):
    kind = Kind.QUALITY
    options = (
        "expected_columns",
        "max_missing",
        "ranges",
        "allowed",
        "max_duplicate_share",
        "min_rows",
        "max_rows",
    )
    form_fields = {
        "min_rows": forms.IntegerField(required=False, min_value=0, label="Minimum rows"),
        "max_rows": forms.IntegerField(required=False, min_value=0, label="Maximum rows"),
        "max_missing": forms.FloatField(
            required=False,
            min_value=0,
            max_value=1,
            label="Largest share of missing values",
            help_text="In every column, e.g. 0.01 for 1%.",
        ),
        "max_duplicate_share": forms.FloatField(
            required=False,
            min_value=0,
            max_value=1,
            label="Largest share of duplicate rows",
        ),
        "expected_columns": RulesField(
            parse_expected,
            rows=3,
            label="Expected columns and types",
            help_text=format_html(
                "One per line: <code>{}</code>. Types: {}.",
                "repaid=integer",
                ", ".join(TYPE_FAMILIES),
            ),
        ),
        "ranges": RulesField(
            _ranges,
            rows=2,
            label="Value ranges",
            help_text=format_html(
                "One per line: <code>{}</code>; leave a side empty to leave it open "
                "(<code>{}</code>).",
                "score=0:1",
                "age=18:",
            ),
        ),
        "allowed": RulesField(
            parse_allowed,
            rows=2,
            label="Allowed values",
            help_text=format_html("One per line: <code>{}</code>.", "sex=Female,Male"),
        ),
    }
    fieldsets = (
        Fieldset(
            "Data quality rules",
            (
                Row("min_rows max_rows max_missing max_duplicate_share"),
                Row("expected_columns ranges allowed", grid="form-grid form-grid-3"),
            ),
        ),
    )
    limits_help = "Quality: failed_checks."
    aggregate_labels = {"checks": "rules checked", "failed_checks": "rules failed"}

    def named_columns(self, check: Check) -> dict[str, list[str]]:
        return {name: list(check.column_rule(name)) for name in COLUMN_RULES}

    def options_from_api(self, options: dict) -> dict:
        kept = super().options_from_api(options)
        if "ranges" in kept:
            kept["ranges"] = {column: list(bounds) for column, bounds in kept["ranges"].items()}
        return kept

    def form_initial(self, check: Check) -> dict:
        options = check.options or {}
        return {
            "min_rows": options.get("min_rows"),
            "max_rows": options.get("max_rows"),
            "max_missing": options.get("max_missing"),
            "max_duplicate_share": options.get("max_duplicate_share"),
            **{name: "\n".join(rule_lines(check, name)) for name in COLUMN_RULES},
        }

    def option_text(self, check: Check, name: str, value) -> str:
        if name in COLUMN_RULES:
            return "; ".join(rule_lines(check, name))
        return super().option_text(check, name, value)

    def compute(self, check: Check, data: str, fingerprint: dict) -> Measured:
        options = check.options or {}
        report = metrics.quality_report(
            data,
            expected_columns=check.column_rule("expected_columns") or None,
            max_missing=options.get("max_missing"),
            ranges={k: tuple(v) for k, v in check.column_rule("ranges").items()} or None,
            allowed={k: set(v) for k, v in check.column_rule("allowed").items()} or None,
            max_duplicate_share=options.get("max_duplicate_share"),
            min_rows=options.get("min_rows"),
            max_rows=options.get("max_rows"),
        )
        return Measured(report=report.to_dict(), fingerprint=fingerprint)

    def charts(self, result: dict) -> list:
        """None: the failed rules are a count; the table of rules says more than a bar."""
        return []

    def metric_table(self, result: dict) -> dict:
        """A rule a line with what was found."""
        return rows_table(self, result, first="Rule", columns=TABLE_COLUMNS)


KIND = Quality()
