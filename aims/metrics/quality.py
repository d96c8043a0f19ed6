"""Data-quality checks on a table: schema, missing values, ranges, categories, duplicates, size.

`quality_report` runs every configured check in at most three DuckDB passes over the data:
one aggregate query for the row count, missing counts, minimum and maximum and the counts of
values out of range or outside the allowed categories; one ``GROUP BY`` per column that has
values outside its allowed categories, to name a few of them (only when there are some); and
one ``COUNT(DISTINCT row)`` pass for duplicate rows (only when ``max_duplicate_share`` is
given). Files are scanned by DuckDB, never loaded whole.

Missing means NULL, and also NaN in floating-point columns.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aims.metrics._base import TYPE_FAMILIES
from aims.metrics.io import InputError, Source, open_source

__all__ = [
    "TYPE_FAMILIES",
    "QualityCheck",
    "QualityReport",
    "parse_allowed",
    "parse_expected",
    "parse_ranges",
    "quality_report",
]

_EXAMPLES = 10


@dataclass(frozen=True)
class QualityCheck:
    """One check and its outcome.

    Attributes
    ----------
    check : str
        ``"min_rows"``, ``"max_rows"``, ``"column_present"``, ``"column_type"``,
        ``"missing_share"``, ``"range"``, ``"allowed_values"`` or ``"duplicate_share"``.
    column : str or None
        The column checked, or None for checks on the whole table.
    observed : Any
        What was measured (a count, a share, a type name, ``[min, max]``, a list of values).
    limit : Any
        What was required.
    passed : bool
    message : str
        One sentence a person can act on.
    """

    check: str
    column: str | None
    observed: Any
    limit: Any
    passed: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "column": self.column,
            "observed": self.observed,
            "limit": self.limit,
            "passed": self.passed,
            "message": self.message,
        }


@dataclass(frozen=True)
class QualityReport:
    """The outcome of every configured check.

    Attributes
    ----------
    checks : tuple of QualityCheck
    n_rows : int
    columns : dict of str to str
        The data's columns and their DuckDB types.
    """

    checks: tuple[QualityCheck, ...]
    n_rows: int
    columns: dict[str, str]

    @property
    def passed(self) -> bool:
        """True when every check passed (and when there is none)."""
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> tuple[QualityCheck, ...]:
        """The checks that failed."""
        return tuple(check for check in self.checks if not check.passed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "n_rows": self.n_rows,
            "columns": dict(self.columns),
            "checks": [check.to_dict() for check in self.checks],
        }


def quality_report(
    data: Any,
    *,
    expected_columns: Mapping[str, str] | None = None,
    max_missing: float | Mapping[str, float] | None = None,
    ranges: Mapping[str, tuple[float | None, float | None]] | None = None,
    allowed: Mapping[str, Iterable[Any]] | None = None,
    max_duplicate_share: float | None = None,
    min_rows: int | None = None,
    max_rows: int | None = None,
    name: str = "data",
) -> QualityReport:
    """Check a table against simple expectations.

    Parameters
    ----------
    data : path, Arrow table, pandas or polars DataFrame, or dict of arrays
        Anything `aims.metrics.io.open_source` accepts.
    expected_columns : dict of str to str, optional
        Column name to type family: ``"integer"``, ``"float"``, ``"numeric"``, ``"string"``,
        ``"boolean"`` or ``"datetime"``. Each column must be present with that type.
    max_missing : float or dict of str to float, optional
        Largest share of missing values allowed: one share for every column, or per column.
    ranges : dict of str to (min, max), optional
        Inclusive bounds per column; ``None`` leaves a side open.
    allowed : dict of str to collection, optional
        The categories allowed per column (compared as text; booleans as ``true``/``false``).
    max_duplicate_share : float, optional
        Largest share of rows that repeat an earlier row.
    min_rows, max_rows : int, optional
        Bounds on the number of rows.
    name : str, default "data"
        How messages name in-memory data.

    Returns
    -------
    QualityReport

    Raises
    ------
    InputError
        A column named in ``max_missing``, ``ranges`` or ``allowed`` does not exist, or the
        data cannot be read.

    Examples
    --------
    >>> report = quality_report(
    ...     {"age": [25, 41, None, 130], "sex": ["F", "M", "M", "X"]},
    ...     expected_columns={"age": "integer", "sex": "string"},
    ...     max_missing=0.1,
    ...     ranges={"age": (0, 120)},
    ...     allowed={"sex": {"F", "M"}},
    ... )
    >>> report.passed
    False
    >>> [(c.check, c.column) for c in report.failed]
    [('missing_share', 'age'), ('range', 'age'), ('allowed_values', 'sex')]
    >>> report.failed[2].message
    "column 'sex': 1 of 4 values are not allowed (e.g. 'X')"
    """
    _check_options(expected_columns, max_missing, max_duplicate_share, min_rows, max_rows)
    source = open_source(data, name=name)
    columns = source.columns

    missing_limits: dict[str, float] = {}
    if isinstance(max_missing, Mapping):
        source.require(*max_missing)
        missing_limits = {c: float(v) for c, v in max_missing.items()}
    elif max_missing is not None:
        missing_limits = {c: float(max_missing) for c in columns}
    ranges = dict(ranges or {})
    allowed_sets = {
        c: sorted({_as_text(v) for v in values}) for c, values in (allowed or {}).items()
    }
    source.require(*ranges, *allowed_sets)
    for column in ranges:
        if _base_type(columns[column]) not in TYPE_FAMILIES["numeric"] | TYPE_FAMILIES["datetime"]:
            raise InputError(
                f"{source.label}: column {column!r} has type {columns[column]}; "
                "a range applies to numeric or date columns"
            )

    aggregates, n_rows = _aggregate(source, missing_limits, ranges, allowed_sets)
    checks: list[QualityCheck] = []

    if min_rows is not None:
        ok = n_rows >= min_rows
        checks.append(
            QualityCheck(
                "min_rows",
                None,
                n_rows,
                min_rows,
                ok,
                f"{n_rows} rows (at least {min_rows} required)",
            )
        )
    if max_rows is not None:
        ok = n_rows <= max_rows
        checks.append(
            QualityCheck(
                "max_rows",
                None,
                n_rows,
                max_rows,
                ok,
                f"{n_rows} rows (at most {max_rows} allowed)",
            )
        )

    for column, family in (expected_columns or {}).items():
        if column not in columns:
            close = difflib.get_close_matches(column, list(columns), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            checks.append(
                QualityCheck(
                    "column_present",
                    column,
                    False,
                    True,
                    False,
                    f"column {column!r} is missing{hint}",
                )
            )
            continue
        checks.append(
            QualityCheck(
                "column_present", column, True, True, True, f"column {column!r} is present"
            )
        )
        actual = columns[column]
        ok = _base_type(actual) in TYPE_FAMILIES[family]
        verdict = "is" if ok else "is not"
        checks.append(
            QualityCheck(
                "column_type",
                column,
                actual,
                family,
                ok,
                f"column {column!r} has type {actual}, which {verdict} {family}",
            )
        )

    for column, limit in missing_limits.items():
        missing = aggregates[f"missing:{column}"]
        share = missing / n_rows if n_rows else 0.0
        ok = share <= limit
        checks.append(
            QualityCheck(
                "missing_share",
                column,
                share,
                limit,
                ok,
                f"column {column!r}: {missing} of {n_rows} values missing ({share:.2%}; at most {limit:.2%} allowed)",
            )
        )

    for column, (low, high) in ranges.items():
        outside = aggregates[f"outside:{column}"]
        observed = [_plain(aggregates[f"min:{column}"]), _plain(aggregates[f"max:{column}"])]
        ok = outside == 0
        bounds = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
        if ok:
            message = f"column {column!r}: every value within {bounds}"
        else:
            message = (
                f"column {column!r}: {outside} values outside {bounds} "
                f"(observed min {observed[0]}, max {observed[1]})"
            )
        checks.append(QualityCheck("range", column, observed, [low, high], ok, message))

    for column, values in allowed_sets.items():
        outside = aggregates[f"disallowed:{column}"]
        nonmissing = aggregates[f"present:{column}"]
        if outside == 0:
            checks.append(
                QualityCheck(
                    "allowed_values",
                    column,
                    [],
                    values,
                    True,
                    f"column {column!r}: every value allowed",
                )
            )
            continue
        examples = _disallowed_examples(source, column, values)
        shown = ", ".join(repr(v) for v in examples)
        checks.append(
            QualityCheck(
                "allowed_values",
                column,
                examples,
                values,
                False,
                f"column {column!r}: {outside} of {nonmissing} values are not allowed (e.g. {shown})",
            )
        )

    if max_duplicate_share is not None:
        distinct = int(
            source.fetchone(f"SELECT count(*) FROM (SELECT DISTINCT * FROM {source.relation})")[0]
        )
        duplicates = n_rows - distinct
        share = duplicates / n_rows if n_rows else 0.0
        ok = share <= max_duplicate_share
        checks.append(
            QualityCheck(
                "duplicate_share",
                None,
                share,
                float(max_duplicate_share),
                ok,
                f"{duplicates} of {n_rows} rows repeat an earlier row ({share:.2%}; "
                f"at most {max_duplicate_share:.2%} allowed)",
            )
        )

    return QualityReport(checks=tuple(checks), n_rows=n_rows, columns=dict(columns))


def _check_options(
    expected_columns: Mapping[str, str] | None,
    max_missing: float | Mapping[str, float] | None,
    max_duplicate_share: float | None,
    min_rows: int | None,
    max_rows: int | None,
) -> None:
    for column, family in (expected_columns or {}).items():
        if family not in TYPE_FAMILIES:
            raise ValueError(
                f"expected_columns[{column!r}] = {family!r} is not a type family; "
                f"use one of {', '.join(TYPE_FAMILIES)}"
            )
    shares = list(max_missing.values()) if isinstance(max_missing, Mapping) else [max_missing]
    for share in [*shares, max_duplicate_share]:
        if share is not None and not (isinstance(share, int | float) and 0 <= share <= 1):
            raise ValueError(f"a share limit must be between 0 and 1, got {share!r}")
    for bound in (min_rows, max_rows):
        if bound is not None and (not isinstance(bound, int) or bound < 0):
            raise ValueError(f"row bounds must be non-negative integers, got {bound!r}")


def _base_type(duckdb_type: str) -> str:
    return duckdb_type.upper().split("(")[0].strip()


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float) and math.isfinite(value):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _plain(value: Any) -> Any:
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def _aggregate(
    source: Source,
    missing_limits: Mapping[str, float],
    ranges: Mapping[str, tuple[Any, Any]],
    allowed: Mapping[str, list[str]],
) -> tuple[dict[str, Any], int]:
    """One aggregate query over the data for every count, minimum and maximum needed."""
    expressions = ["count(*)"]
    keys = ["rows"]
    for column in missing_limits:
        q = source.quote(column)
        if _base_type(source.columns[column]) in {"FLOAT", "DOUBLE"}:
            expressions.append(f"count(*) FILTER (WHERE {q} IS NULL OR isnan({q}))")
        else:
            expressions.append(f"count(*) FILTER (WHERE {q} IS NULL)")
        keys.append(f"missing:{column}")
    for column, (low, high) in ranges.items():
        q = source.quote(column)
        conditions = []
        if low is not None:
            conditions.append(f"{q} < {_literal(low)}")
        if high is not None:
            conditions.append(f"{q} > {_literal(high)}")
        outside = " OR ".join(conditions) or "FALSE"
        expressions += [f"min({q})", f"max({q})", f"count(*) FILTER (WHERE {outside})"]
        keys += [f"min:{column}", f"max:{column}", f"outside:{column}"]
    for column, values in allowed.items():
        q = source.quote(column)
        listed = ", ".join(_literal(v) for v in values) or "NULL"
        expressions += [
            f"count({q})",
            f"count(*) FILTER (WHERE {q} IS NOT NULL AND CAST({q} AS VARCHAR) NOT IN ({listed}))",
        ]
        keys += [f"present:{column}", f"disallowed:{column}"]
    row = source.fetchone(f"SELECT {', '.join(expressions)} FROM {source.relation}")
    found: dict[str, Any] = dict(zip(keys, row, strict=True))
    return found, int(found["rows"])


def _disallowed_examples(source: Source, column: str, values: list[str]) -> list[str]:
    q = source.quote(column)
    listed = ", ".join(_literal(v) for v in values) or "NULL"
    rows = source.fetchall(
        f"SELECT CAST({q} AS VARCHAR) AS v, count(*) AS n FROM {source.relation} "
        f"WHERE {q} IS NOT NULL AND CAST({q} AS VARCHAR) NOT IN ({listed}) "
        f"GROUP BY ALL ORDER BY n DESC, v LIMIT {_EXAMPLES}"
    )
    return [str(v) for v, _ in rows]


# --- Rules written as text (the CLI's options, the check form's lines) ---------------------


def _pairs(items: Iterable[str], what: str, form: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise InputError(f"{what} {item.strip()}: write it as {form}".strip())
        if key in out:
            raise InputError(f"{what} {key}: given twice".strip())
        out[key] = value
    return out


def parse_expected(items: Iterable[str], *, what: str = "--expect") -> dict[str, str]:
    """``COLUMN=TYPE`` items as the ``expected_columns`` of `quality_report`.

    ``what`` starts each error message (the option, or nothing for a form's line).

    Examples
    --------
    >>> parse_expected(["repaid=integer", "sex=string"])
    {'repaid': 'integer', 'sex': 'string'}
    >>> parse_expected(["age=number"], what="")
    Traceback (most recent call last):
    ...
    aims.metrics.io.InputError: age=number: unknown type; use one of integer, float, numeric, string, boolean, datetime
    """
    expected = _pairs(items, what, "COLUMN=TYPE")
    for column, family in expected.items():
        if family not in TYPE_FAMILIES:
            raise InputError(
                f"{what} {column}={family}: unknown type; use one of "
                f"{', '.join(TYPE_FAMILIES)}".strip()
            )
    return expected


def parse_ranges(
    items: Iterable[str], *, what: str = "--range"
) -> dict[str, tuple[float | None, float | None]]:
    """``COLUMN=MIN:MAX`` items (one side may be empty) as the ``ranges`` of `quality_report`.

    Examples
    --------
    >>> parse_ranges(["score=0:1", "age=18:"])
    {'score': (0.0, 1.0), 'age': (18.0, None)}
    """
    ranges: dict[str, tuple[float | None, float | None]] = {}
    for column, bounds in _pairs(items, what, "COLUMN=MIN:MAX").items():
        low, sep, high = bounds.partition(":")
        try:
            if not sep or not (low.strip() or high.strip()):
                raise ValueError
            ranges[column] = (
                float(low) if low.strip() else None,
                float(high) if high.strip() else None,
            )
        except ValueError:
            raise InputError(
                f"{what} {column}={bounds}: write it as MIN:MAX with numbers "
                "(leave one side empty to leave it open: 0: or :100)".strip()
            ) from None
        low_value, high_value = ranges[column]
        if low_value is not None and high_value is not None and low_value > high_value:
            raise InputError(f"{what} {column}={bounds}: MIN is above MAX".strip())
    return ranges


def parse_allowed(items: Iterable[str], *, what: str = "--allowed") -> dict[str, list[str]]:
    """``COLUMN=A,B,C`` items as the ``allowed`` values of `quality_report`.

    Examples
    --------
    >>> parse_allowed(["sex=Female, Male"])
    {'sex': ['Female', 'Male']}
    """
    return {
        column: [v.strip() for v in values.split(",") if v.strip()]
        for column, values in _pairs(items, what, "COLUMN=A,B,C").items()
    }
