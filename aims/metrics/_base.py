"""What the engine's modules share and that imports nothing heavy: the error type and DuckDB's
type names.

They live here rather than in `aims.metrics.io` and `aims.metrics.quality` so that the modules
which only name them (the thresholds, ``aims check --help``) do not import numpy, pyarrow and
DuckDB. `InputError` keeps the name it has always had in tracebacks and pickles,
``aims.metrics.io.InputError``; `aims.metrics.io` and `aims.metrics.quality` re-export these.
"""

from __future__ import annotations

__all__ = ["INTEGER_TYPES", "TYPE_FAMILIES", "InputError"]


class InputError(ValueError):
    """The input cannot be used: the message names the file or column and the problem."""


InputError.__module__ = "aims.metrics.io"

# DuckDB's integer column types, as ``DESCRIBE`` names them.
INTEGER_TYPES = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    }
)

_FLOAT = {"FLOAT", "DOUBLE", "DECIMAL"}
_DATETIME = {
    "DATE",
    "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE",
    "TIMESTAMP_S",
    "TIMESTAMP_MS",
    "TIMESTAMP_NS",
    "DATETIME",
}
TYPE_FAMILIES: dict[str, frozenset[str]] = {
    "integer": INTEGER_TYPES,
    "float": frozenset(_FLOAT),
    "numeric": frozenset(INTEGER_TYPES | _FLOAT),
    "string": frozenset({"VARCHAR", "ENUM"}),
    "boolean": frozenset({"BOOLEAN"}),
    "datetime": frozenset(_DATETIME),
}
"""Type family name to the DuckDB base type names `aims.metrics.quality` accepts for it."""
