"""What every kind of check provides, and the parts of the run page kinds share.

A kind of check is one module of this package holding an instance of a :class:`CheckKind`
subclass: the options it reads and their defaults, the form fields for them, what it requires of
them before a check is saved, how it computes a run from data or from the statistics a pipeline
posts, and what the run page shows of a result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString

from aims.core.forms import LIST_MAX_LENGTH, NAME_MAX_LENGTH

from ..charts import Bar, bar_chart
from ..models import Check, Kind

# Option values that mean "not set": left out of what a check stores.
UNSET = (None, "", [], {})


@dataclass(frozen=True)
class Measured:
    """What a kind computes from data: the engine's report as a dict, the fingerprint of the
    files read, and the sufficient statistics kept with the run (fairness, performance)."""

    report: dict
    fingerprint: dict
    statistics: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Defaults:
    """The defaults of a kind's options; a kind with defaults names them in a subclass."""


@dataclass(frozen=True)
class Row:
    """Fields of the check form side by side: their names, separated by spaces (as
    ``checks/_fields.html`` takes them), and the grid that lays them out."""

    fields: str
    grid: str = "form-grid"


@dataclass(frozen=True)
class Fieldset:
    """A part of the check form that holds a kind's options. Kinds that share options share a
    fieldset of the same legend; a row only some of them read is shown for those only."""

    legend: str
    rows: tuple[Row, ...]


class CheckKind:
    """One kind of check. Subclasses set the class attributes and override what differs."""

    kind: ClassVar[Kind]
    # The options it reads (Check.options), for the form, the API and the service.
    options: ClassVar[tuple[str, ...]] = ()
    defaults: ClassVar[Defaults] = Defaults()
    # A drift check compares its data with reference data; the others read one file.
    reads_reference: ClassVar[bool] = False
    # The check form: a field for each option, how they are laid out, and which metrics a
    # threshold of this kind can name.
    form_fields: ClassVar[Mapping[str, forms.Field]] = {}
    fieldsets: ClassVar[tuple[Fieldset, ...]] = ()
    limits_help: ClassVar[str] = ""
    # The run page: what its charts' lines mean, and names for the report's aggregates.
    chart_note: ClassVar[str] = ""
    aggregate_labels: ClassVar[Mapping[str, str]] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} check kind>"

    # --- Definition ---------------------------------------------------------------------

    def problems(self, check: Check) -> dict[str, str]:
        """What the check's options lack before it can be saved, by field."""
        return {}

    def named_columns(self, check: Check) -> dict[str, list[str]]:
        """The columns of the data file the check's options name, by option: saving the
        check validates them against the file's columns."""
        return {}

    # Options whose values are column names, offered as selects once the file is known:
    # option -> whether it takes several columns (a comma list).
    column_fields: ClassVar[Mapping[str, bool]] = {}

    def options_from_api(self, options: Mapping[str, Any]) -> dict:
        """The options of this kind among those sent to the API, as the form stores them
        (unset ones left out)."""
        kept = {key: options[key] for key in self.options if key in options}
        return {key: value for key, value in kept.items() if value not in UNSET}

    def options_from_form(self, data: Mapping[str, Any]) -> dict:
        """The options of this kind from the check form's cleaned data."""
        return {key: data[key] for key in self.options if data.get(key) not in UNSET}

    def form_initial(self, check: Check) -> dict:
        """The check form's initial values of this kind's fields, from the check's options."""
        return {}

    def option_text(self, check: Check, name: str, value: Any) -> str:
        """An option as the check's page writes it."""
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return str(value)

    # --- Runs ---------------------------------------------------------------------------

    def compute(self, check: Check, data: str, fingerprint: dict) -> Measured:
        """Compute the report on ``data`` (a path the engine reads), whose fingerprint is
        given; raises ``aims.metrics.InputError`` on data it cannot use."""
        raise NotImplementedError

    def report_from_pipeline(
        self, check: Check, *, statistics: dict | None, report: dict | None
    ) -> dict:
        """The report of a run the ML pipeline posted. Drift and quality reports are
        aggregates already (they hold no row of data): the pipeline sends the report."""
        if not isinstance(report, dict) or not report:
            raise ValidationError({"report": "Send the report of the drift or quality check."})
        return report

    # --- Run page -----------------------------------------------------------------------

    def charts(self, result: dict) -> list[SafeString]:
        """The run's charts: each threshold against its limit."""
        return limit_charts(result)

    def metric_table(self, result: dict) -> dict:
        """The run page's "All metrics" table: ``first`` (the heading of the first column),
        ``header`` (label, numeric) pairs, ``rows`` (name, [(value, numeric), ...]) and
        ``aggregates`` (label, value) pairs."""
        raise NotImplementedError

    def aggregates(self, result: dict) -> list[tuple[str, Any]]:
        """The report's aggregates, each with a label that says what it is."""
        return [
            (self.aggregate_labels.get(name, name.replace("_", " ")), value)
            for name, value in (result.get("aggregates") or {}).items()
        ]


def name_field(label: str, help_text: str = "") -> forms.CharField:
    """A form field for an option that names one thing: a column, a group, a value."""
    return forms.CharField(
        required=False, max_length=NAME_MAX_LENGTH, label=label, help_text=help_text
    )


def names_field(label: str, help_text: str = "") -> forms.CharField:
    """A form field for an option that names several things, separated by commas (read with
    :func:`csv`)."""
    return forms.CharField(
        required=False, max_length=LIST_MAX_LENGTH, label=label, help_text=help_text
    )


def csv(text: str) -> list[str]:
    """The items of a comma-separated list, as the check form takes column names."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def limits_of(result: dict) -> dict[str, dict]:
    """The thresholds a run was judged by, by metric."""
    return {t["metric"]: t for t in result.get("thresholds", [])}


def limit_charts(result: dict) -> list[SafeString]:
    """A bar for each threshold's value, against its limit."""
    charts = []
    for metric, limit in limits_of(result).items():
        value = limit.get("value")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        charts.append(
            bar_chart(
                [Bar("this run", value)],
                title=f"{metric} against its limit",
                limit=limit["limit"],
                op=limit["op"],
            )
        )
    return charts


def rows_table(
    kind: CheckKind, result: dict, *, first: str, columns: tuple[tuple[str, str, bool], ...]
) -> dict:
    """A metric table with a line per entry of the result's ``by_group`` (a column, a rule)
    and the given ``columns`` (key, header, numeric) of each."""
    entries = {
        name: values
        for name, values in (result.get("by_group") or {}).items()
        if isinstance(values, dict)
    }
    return {
        "first": first,
        "header": [(label, numeric) for _, label, numeric in columns],
        "rows": [
            (name, [(values.get(key), numeric) for key, _, numeric in columns])
            for name, values in entries.items()
        ],
        "aggregates": kind.aggregates(result),
    }
