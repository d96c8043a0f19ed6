"""Counts per group for data already in memory: each column encoded once, counted by bincount.

`group_rows` answers the question of the ``GROUP BY`` in `aims.metrics._binary.binary_pass`
(how many rows hold each combination of the sensitive values, the label and the prediction)
without DuckDB, when the data are in memory: an Arrow table or record batch, a pandas or
polars data frame, a dict of numpy arrays. Each column becomes integer codes and the list of
the values they stand for, once:

- a dictionary column (Arrow dictionary, pandas or polars categorical, a numpy text column of
  a dict, which `aims.metrics.io` encodes on the way in) already is codes: its indices;
- other text is dictionary-encoded by Arrow (`aims.metrics.io.dictionary_encode`: a hash
  pass in C++, a long column in slices on every core; never a Python loop over the rows);
- integers are their offset from the minimum when their range is small (0/1 labels are their
  own codes), otherwise dictionary-encoded; floats that are all whole numbers likewise, other
  floats dictionary-encoded; booleans are their bytes; a score is ``score >= threshold``.

The codes of all columns combine into one, ``((g * k_y) + y) * k_p + p`` (mixed radix: two
sensitive features are ``g1 * k2 + g2``), which ``np.bincount`` counts in blocks of rows that
stay in the CPU cache. The result is the query's rows, with the same Python values (NULL as
None, NaN as NaN), so that everything after the count (the checks of the label and the
prediction, the error messages, the order of the groups) is one code for both paths.

Whatever this module cannot do exactly as DuckDB does returns None, and the query runs
instead: other column types (dates, decimals), a pandas column that Arrow converts to another
type than DuckDB's pandas scan sees, a float sensitive feature holding -0.0 (DuckDB puts it in
one group with 0.0, named by whichever of the two it meets first), or more than `_MAX_CELLS`
combinations of values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from aims.metrics.io import dictionary_encode

if TYPE_CHECKING:
    import pyarrow as pa

    from aims.metrics.io import Source

__all__ = ["group_rows"]

# The DuckDB type of an Arrow column, by ``str(arrow_type)``: the types counted in memory.
_DUCKDB_TYPES = {
    "bool": "BOOLEAN",
    "int8": "TINYINT",
    "int16": "SMALLINT",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "uint8": "UTINYINT",
    "uint16": "USMALLINT",
    "uint32": "UINTEGER",
    "uint64": "UBIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "string": "VARCHAR",
    "large_string": "VARCHAR",
    "string_view": "VARCHAR",
}

#: Rows per bincount: the combined codes of a block (512 kB) stay in the CPU cache.
_BLOCK = 1 << 16
#: Integers (and whole floats) spanning fewer values than this are coded by their offset.
_MAX_RANGE = 1 << 16
#: At most this many combinations of values are counted in memory (32 MB of counts).
_MAX_CELLS = 1 << 22


@dataclass(frozen=True)
class _Codes:
    """A column as integer codes, ``0 <= code < len(values)``, and the value of each code."""

    codes: np.ndarray
    values: list[Any]


def group_rows(
    src: Source,
    sensitive: Sequence[str],
    label: str,
    prediction: str | None,
    score: str | None,
    threshold: float,
) -> list[tuple] | None:
    """The rows of `binary_pass`'s ``GROUP BY``, counted in memory; None: run the query.

    Each row is ``(*sensitive values, label value, prediction, count)``, where the prediction
    is the raw value of ``prediction``, or for ``score`` whether ``score >= threshold`` (None
    where the score is NULL or NaN). Rows with a count of zero are left out, as a ``GROUP BY``
    leaves them out. The caller has checked that the columns exist and that a score is
    numeric.
    """
    target = prediction if prediction is not None else score
    assert target is not None
    arrays: dict[str, Any] = {}
    for column in dict.fromkeys([*sensitive, label, target]):
        array = src.memory_column(column)
        if array is None:
            return None
        arrays[column] = array
    if len(arrays[label]) == 0:
        return None  # the query says that the data has no rows
    columns: list[_Codes] = []
    for column in sensitive:
        codes = _encode(arrays[column], src.columns[column], group=True)
        if codes is None:
            return None
        columns.append(codes)
    codes = _encode(arrays[label], src.columns[label], group=False)
    if codes is None:
        return None
    columns.append(codes)
    if prediction is not None:
        codes = _encode(arrays[target], src.columns[target], group=False)
    else:
        codes = _thresholded(arrays[target], src.columns[target], threshold)
    if codes is None:
        return None
    columns.append(codes)
    return _count(columns)


def _count(columns: list[_Codes]) -> list[tuple] | None:
    """One row per combination of values that occurs, with its count."""
    sizes = [len(c.values) for c in columns]
    if math.prod(sizes) > _MAX_CELLS:
        columns = [_compact(c) for c in columns]
        sizes = [len(c.values) for c in columns]
        if math.prod(sizes) > _MAX_CELLS:
            return None
    counts = _bincount([c.codes for c in columns], sizes)
    present = np.flatnonzero(counts)
    positions = [p.tolist() for p in np.unravel_index(present, sizes)]
    rows = []
    for cell, *indices in zip(counts[present].tolist(), *positions, strict=True):
        values = (c.values[i] for c, i in zip(columns, indices, strict=True))
        rows.append((*values, cell))
    return rows


def _bincount(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """Counts of the combined code ``((c0 * k1 + c1) * k2 + c2) ...``, one per combination.

    The combined code is built and counted a block of rows at a time when there are few
    combinations: numpy's temporaries of a block are reused from the cache, where those of a
    whole column are fresh memory (on 2 million rows this halves the time of counting). With
    many combinations, adding a long array of counts per block would cost more than it saves.
    """
    total = math.prod(sizes)
    n = len(codes[0])
    step = _BLOCK if total <= _BLOCK else max(n, 1)
    counts = np.zeros(total, dtype=np.int64)
    for start in range(0, n, step):
        stop = start + step
        key = codes[0][start:stop].astype(np.intp)
        for column, size in zip(codes[1:], sizes[1:], strict=True):
            key *= size
            key += column[start:stop]
        counts += np.bincount(key, minlength=total)
    return counts


def _compact(column: _Codes) -> _Codes:
    """The column with codes only for the values that occur (a sparse range, a big dictionary)."""
    used = np.flatnonzero(np.bincount(column.codes, minlength=len(column.values)))
    if len(used) == len(column.values):
        return column
    renumber = np.zeros(len(column.values), dtype=np.intp)
    renumber[used] = np.arange(len(used))
    return _Codes(renumber[column.codes], [column.values[i] for i in used.tolist()])


def _single(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous Arrow array (dictionaries of several chunks are unified)."""
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        return array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()
    return array


def _matches(arrow_type: pa.DataType, duckdb_type: str) -> str | None:
    """The DuckDB type Arrow's type reads as, when it is ``duckdb_type``; None otherwise.

    A pandas categorical of text is an ENUM to DuckDB and a dictionary of strings to Arrow.
    """
    import pyarrow as pa

    dictionary = pa.types.is_dictionary(arrow_type)
    expected = _DUCKDB_TYPES.get(str(arrow_type.value_type if dictionary else arrow_type))
    if expected is None:
        return None
    if duckdb_type == expected or (
        dictionary and expected == "VARCHAR" and duckdb_type.startswith("ENUM")
    ):
        return expected
    return None


def _encode(array: pa.Array | pa.ChunkedArray, duckdb_type: str, *, group: bool) -> _Codes | None:
    """Codes and values of a column, or None when it is not counted in memory."""
    import pyarrow as pa

    expected = _matches(array.type, duckdb_type)
    if expected is None:
        return None
    if pa.types.is_dictionary(array.type):
        return _dictionary(_single(array), group=group)
    if expected == "VARCHAR":
        return _dictionary(dictionary_encode(array), group=group)
    array = _single(array)
    if expected == "BOOLEAN":
        filled = array.fill_null(False) if array.null_count else array
        codes = filled.to_numpy(zero_copy_only=False).view(np.uint8)
        return _with_missing(array, codes, [False, True])
    if pa.types.is_integer(array.type):
        return _integers(array)
    return _floats(array, group=group)


def _dictionary(array: pa.DictionaryArray, *, group: bool) -> _Codes | None:
    values = array.dictionary.to_pylist()
    if group and any(_negative_zero(v) for v in values):
        return None
    indices = array.indices
    filled = indices.fill_null(0) if indices.null_count else indices
    codes = filled.to_numpy(zero_copy_only=False)
    if codes.dtype == np.uint64:
        codes = codes.astype(np.intp)
    return _with_missing(indices, codes, values)


def _integers(array: pa.Array) -> _Codes:
    import pyarrow.compute as pc

    bounds = pc.min_max(array)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None:  # every value is NULL
        return _with_missing(array, np.zeros(len(array), dtype=np.intp), [])
    if high - low >= _MAX_RANGE:
        encoded = dictionary_encode(array)
        return _with_missing(array, _indices(encoded), encoded.dictionary.to_pylist())
    values = (array.fill_null(low) if array.null_count else array).to_numpy()
    if values.dtype.kind == "u":  # unsigned: subtract in its own type, which cannot go below 0
        codes = (values - values.dtype.type(low)).astype(np.intp, copy=False)
    elif low == 0:
        codes = values  # 0/1 labels and small codes count as they are
    else:
        codes = values.astype(np.intp)
        codes -= low
    return _with_missing(array, codes, list(range(low, high + 1)))


def _floats(array: pa.Array, *, group: bool) -> _Codes | None:
    values = (array.fill_null(0.0) if array.null_count else array).to_numpy()
    if group and bool(np.any((values == 0) & np.signbit(values))):
        return None
    with np.errstate(invalid="ignore"):  # NaN and infinities cast to garbage, unequal below
        whole = values.astype(np.int64)
    if np.array_equal(whole, values):
        low, high = int(whole.min()), int(whole.max())
        if high - low < _MAX_RANGE:
            whole -= low
            return _with_missing(array, whole, [float(v) for v in range(low, high + 1)])
    encoded = dictionary_encode(array)
    return _with_missing(array, _indices(encoded), encoded.dictionary.to_pylist())


def _thresholded(
    array: pa.Array | pa.ChunkedArray, duckdb_type: str, threshold: float
) -> _Codes | None:
    """``score >= threshold`` as codes of False, True and None (a NULL or NaN score)."""
    import pyarrow as pa

    expected = _matches(array.type, duckdb_type)
    if expected is None or pa.types.is_dictionary(array.type) or expected == "VARCHAR":
        return None
    array = _single(array)
    scores = (array.fill_null(0) if array.null_count else array).to_numpy()
    # DuckDB compares an integer or FLOAT column with the DOUBLE threshold as DOUBLE; numpy
    # does too against a float64 scalar (against a Python float it would compare float32).
    positive = np.greater_equal(scores, np.float64(threshold)).view(np.uint8)
    missing = np.isnan(scores) if scores.dtype.kind == "f" else None
    if array.null_count:
        nulls = array.is_null().to_numpy(zero_copy_only=False)
        missing = nulls if missing is None else missing | nulls
    if missing is None or not missing.any():
        return _Codes(positive, [False, True])
    codes = positive.astype(np.intp)
    codes[missing] = 2
    return _Codes(codes, [False, True, None])


def _indices(encoded: pa.DictionaryArray) -> np.ndarray:
    indices = encoded.indices
    return (indices.fill_null(0) if indices.null_count else indices).to_numpy()


def _with_missing(array: pa.Array, codes: np.ndarray, values: list[Any]) -> _Codes:
    """The codes, NULL rows of ``array`` given one more code standing for None."""
    if array.null_count:
        nulls = array.is_null().to_numpy(zero_copy_only=False)
        codes = codes.astype(np.intp)
        codes[nulls] = len(values)
        values = [*values, None]
    return _Codes(codes, values)


def _negative_zero(value: Any) -> bool:
    return isinstance(value, float) and value == 0 and math.copysign(1.0, value) < 0
