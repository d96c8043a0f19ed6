"""The input layer shared by every metric: open any tabular source as a DuckDB view.

`open_source` accepts a path to a Parquet or CSV file (or a glob of Parquet files, or a folder
of them), a pyarrow ``Table`` / ``RecordBatch`` / ``RecordBatchReader``, a pandas or polars
``DataFrame``, a numpy structured array (its field names are the columns), or a ``dict`` of
column name to numpy array or list. It returns a `Source`: a
DuckDB connection plus the name of a view over the data, its columns and their types.

Files are never loaded into memory: the view runs ``read_parquet`` / ``read_csv_auto`` each
time it is queried, so DuckDB streams the file and a Parquet log larger than memory works.
In-memory objects (Arrow, pandas, polars, numpy) are scanned in place by DuckDB, without a
copy, except a ``RecordBatchReader``, which can only be read once and is therefore copied into
a DuckDB temporary table (DuckDB spills it to disk when it does not fit in memory). The source
keeps the in-memory object too (`Source.memory_column`), so that a metric can count over it
with numpy instead of a query (`aims.metrics._groups`). Numpy text columns of a dict are
dictionary-encoded on the way in (see `_text_array`): a handful of distinct values repeated
over millions of rows is then read as small integer codes, by DuckDB and by numpy alike.

Every problem with the input raises `InputError` (a ``ValueError``) whose message names the
file or column and says what is wrong; no raw DuckDB or pyarrow traceback reaches the caller.
"""

from __future__ import annotations

import difflib
import glob as globlib
import hashlib
import itertools
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np

from aims.metrics._base import INTEGER_TYPES, InputError

# pyarrow (~40 ms to import) is imported where it is used: DuckDB reads files without it, so a
# check on a file (``aims check fairness --data log.parquet``) never loads it.
if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa

__all__ = [
    "INTEGER_TYPES",
    "DataFiles",
    "InputError",
    "Source",
    "data_files",
    "dictionary_encode",
    "fingerprint_files",
    "open_source",
    "quote_identifier",
]

_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")
_view_numbers = itertools.count(1)

# DuckDB errors that mean "our SQL is wrong" rather than "the data is bad": they propagate.
_PROGRAMMING_ERRORS: tuple[type[BaseException], ...] = (
    duckdb.ParserException,
    duckdb.BinderException,
    duckdb.CatalogException,
    duckdb.SyntaxException,
    duckdb.NotImplementedException,
)


def _data_error(error: duckdb.Error) -> bool:
    return not isinstance(error, _PROGRAMMING_ERRORS)


def quote_identifier(name: str) -> str:
    """Quote ``name`` as a DuckDB identifier, so any column name is safe inside SQL.

    Examples
    --------
    >>> quote_identifier("hours per week")
    '"hours per week"'
    """
    return '"' + str(name).replace('"', '""') + '"'


_shared_database: duckdb.DuckDBPyConnection | None = None
_shared_lock = threading.Lock()


# A query that runs longer than ``progress_bar_time`` (2 s) draws a progress bar on standard
# output, which would corrupt the output of a pipeline (``aims check --format json``) and of any
# program that calls the engine. Python's duckdb turns the bar on for ``duckdb.connect()`` in an
# interactive session (no ``__main__.__file__``: ``python -c``, ``python -``, a REPL or
# Jupyter), and ``SET progress_bar_time`` turns it on for any connection. Both settings are per
# connection (DuckDB refuses them as global options), so every connection the engine opens
# switches the bar off and, should anything switch it on again, its printing too.
_QUIET = "SET enable_progress_bar = false; SET enable_progress_bar_print = false"


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """``con``, with DuckDB's progress bar off: it never prints to standard output."""
    con.execute(_QUIET)
    return con


def _default_connection() -> duckdb.DuckDBPyConnection:
    """A new connection (cursor) to one in-memory database shared by the process.

    Opening a DuckDB database costs ~10 ms; a cursor costs microseconds. Each cursor is its own
    connection, so its temporary views and registered objects stay private to one `Source`.
    Neither the database's own connection nor a cursor prints a progress bar (`_quiet`).
    """
    global _shared_database
    with _shared_lock:
        if _shared_database is None:
            _shared_database = _quiet(duckdb.connect())
        return _quiet(_shared_database.cursor())


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@dataclass
class Source:
    """A queryable view over the input data.

    Attributes
    ----------
    con : duckdb.DuckDBPyConnection
        The connection that holds the view.
    relation : str
        The view name, already quoted: use it as is in ``FROM``.
    columns : dict of str to str
        Column name to DuckDB type name, in the data's order.
    label : str
        A human name for messages: the file name, or ``"data"``.
    parquet_files : tuple of pathlib.Path
        The Parquet files behind the view (empty for other sources), which `numeric_column`
        reads directly.
    lock : threading.Lock
        Held around every query by threads that share the source (one connection serves
        one query at a time).
    memory : pyarrow.Table, pandas.DataFrame or None
        The in-memory data behind the view, which `memory_column` reads without a query
        (None for files and record batch readers).
    """

    con: duckdb.DuckDBPyConnection
    relation: str
    columns: dict[str, str]
    label: str
    parquet_files: tuple[Path, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    memory: Any = field(default=None, repr=False, compare=False)

    def require(self, *columns: str) -> None:
        """Raise `InputError` naming every column that is missing, with close matches.

        Examples
        --------
        >>> src = open_source({"label": [0, 1], "score": [0.2, 0.9]})
        >>> src.require("label", "scroe")
        Traceback (most recent call last):
        ...
        aims.metrics.io.InputError: data: column 'scroe' not found (did you mean 'score'?); available columns: 'label', 'score'
        """
        missing = [c for c in columns if c not in self.columns]
        if not missing:
            return
        problems = []
        for name in missing:
            close = difflib.get_close_matches(str(name), list(self.columns), n=3, cutoff=0.6)
            if not close:
                lowered = {c.lower(): c for c in self.columns}
                if str(name).lower() in lowered:
                    close = [lowered[str(name).lower()]]
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            problems.append(f"column {name!r} not found{hint}")
        available = ", ".join(repr(c) for c in self.columns)
        raise InputError(f"{self.label}: {'; '.join(problems)}; available columns: {available}")

    def row_count(self) -> int:
        """The number of rows (for Parquet files, read from the file metadata)."""
        return int(self.fetchone(f"SELECT count(*) FROM {self.relation}")[0])

    def quote(self, column: str) -> str:
        """The column name quoted as a safe SQL identifier."""
        return quote_identifier(column)

    def execute(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> duckdb.DuckDBPyConnection:
        """Run ``sql`` on the connection; data errors become `InputError` naming the source."""
        try:
            if parameters is None:
                return self.con.execute(sql)
            return self.con.execute(sql, parameters)
        except duckdb.Error as error:
            if not _data_error(error):
                raise
            raise InputError(f"{self.label}: cannot read the data: {_first_line(error)}") from None

    def fetchall(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> list[tuple]:
        """All result rows of ``sql`` (see `execute`)."""
        try:
            return self.execute(sql, parameters).fetchall()
        except duckdb.Error as error:
            if not _data_error(error):
                raise
            raise InputError(f"{self.label}: cannot read the data: {_first_line(error)}") from None

    def fetchone(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> tuple:
        """The first result row of ``sql`` (see `execute`)."""
        try:
            # fetchall: a result left half-read would block the connection's next query.
            rows = self.execute(sql, parameters).fetchall()
        except duckdb.Error as error:
            if not _data_error(error):
                raise
            raise InputError(f"{self.label}: cannot read the data: {_first_line(error)}") from None
        assert rows
        return rows[0]

    def numeric_column(self, column: str) -> np.ndarray:
        """The non-missing values of a numeric column as float64 (NaN kept: it is a value).

        Parquet files are read column by column with pyarrow, which decodes a column several
        times faster than a query and needs no lock; anything else is one DuckDB query under
        `lock`. Either way, one column is in memory at a time. Thread-safe.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.parquet_files:
            try:
                parts = []
                for path in self.parquet_files:
                    read = pq.ParquetFile(path).read(columns=[column])
                    if read.num_columns != 1:  # pyarrow skips a column a file lacks
                        raise ValueError(f"{path.name} has no such column")
                    part = read.column(0)
                    if part.null_count:
                        part = part.drop_null()
                    parts.extend(part.cast(pa.float64(), safe=False).chunks)
            except (pa.ArrowException, OSError, KeyError, ValueError) as error:
                raise InputError(
                    f"{self.label}: cannot read column {column!r}: {_first_line(error)}"
                ) from None
            return pa.chunked_array(parts, type=pa.float64()).to_numpy()
        q = self.quote(column)
        sql = f"SELECT CAST({q} AS DOUBLE) AS v FROM {self.relation} WHERE {q} IS NOT NULL"
        with self.lock:  # through Arrow: DuckDB hands its buffers over, numpy would copy
            table = self.fetch_arrow(sql)
        return table.column("v").to_numpy()

    def memory_column(self, column: str) -> pa.Array | pa.ChunkedArray | None:
        """``column`` of the in-memory data as Arrow, read in place; None when only a query can
        tell what the view holds.

        That is: files and record batch readers (no data in memory), data whose column names
        differ from the view's (DuckDB renames a column whose name differs from another's only
        in case), and a pandas column that Arrow cannot convert. Arrow, polars and numpy data
        are the very table the view scans. A pandas column is converted with ``pa.array``, which
        turns NaN into NULL as DuckDB's pandas scan does (an ``object`` column of text that
        holds few objects is encoded by them instead: `aims.metrics._objects`);
        `aims.metrics._groups` also compares the converted type with the view's and falls back
        to the query when they differ.
        """
        import pyarrow as pa

        memory = self.memory
        if memory is None or column not in self.columns:
            return None
        if isinstance(memory, pa.Table):
            if memory.column_names != list(self.columns):
                return None
            return memory.column(column)
        labels = {str(c): c for c in memory.columns}  # a pandas DataFrame
        if list(labels) != list(self.columns):
            return None
        series = memory[labels[column]]
        try:
            if str(series.dtype) == "category":
                return _categorical_array(series)
            if series.dtype == object:
                from aims.metrics._objects import shared_text

                encoded = shared_text(series.to_numpy())
                if encoded is not None:
                    return encoded
            return pa.array(series)
        except (pa.ArrowException, TypeError, ValueError):
            return None

    def fetch_arrow(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> pa.Table:
        """The result of ``sql`` as a pyarrow Table (see `execute`)."""
        try:
            return self.con.sql(sql, params=parameters).to_arrow_table()
        except duckdb.Error as error:
            if not _data_error(error):
                raise
            raise InputError(f"{self.label}: cannot read the data: {_first_line(error)}") from None


def open_source(
    data: Any,
    *,
    name: str = "data",
    con: duckdb.DuckDBPyConnection | None = None,
) -> Source:
    """Open ``data`` as a DuckDB view without loading files into memory.

    Parameters
    ----------
    data : str, Path, pyarrow.Table, pyarrow.RecordBatchReader, pandas.DataFrame, polars.DataFrame or dict
        A path to a ``.parquet`` / ``.pq`` or ``.csv`` file, a glob of Parquet files (``logs/*.parquet``)
        or a folder of them; an Arrow table, record batch or reader; a pandas or polars data
        frame; a numpy structured array; or a dict of column name to a one-dimensional numpy
        array or list. A PySpark DataFrame or `aims.metrics.spark.SparkTable` gives a Spark
        source instead, whose statistics Spark computes (`aims.metrics.spark`).
    name : str, default "data"
        How messages name the data when it is not a file (files are named by their file name).
    con : duckdb.DuckDBPyConnection, optional
        The connection to create the view in. By default a new cursor on an in-memory database
        shared by the process (its views stay private to that cursor). Pass the same
        connection to open two sources that one query must join. A connection passed in keeps
        its settings: the engine switches DuckDB's progress bar off on its own connections only.

    Returns
    -------
    Source

    Raises
    ------
    InputError
        File not found, unknown file type, corrupt or empty file, columns of unequal length, or
        an unsupported kind of object.

    Examples
    --------
    >>> import numpy as np
    >>> src = open_source({"y": np.array([0, 1, 1]), "group": ["a", "b", "a"]})
    >>> src.columns
    {'y': 'BIGINT', 'group': 'VARCHAR'}
    >>> src.row_count()
    3
    """
    if (type(data).__module__ or "").startswith(("pyspark.", "aims.metrics.spark")):
        from aims.metrics.spark import open_spark  # Spark's own engine counts

        return open_spark(data, name=name)
    if con is None:
        con = _default_connection()
    view = quote_identifier(f"aims_source_{next(_view_numbers)}")

    parquet_files: tuple[Path, ...] = ()
    memory = None
    if isinstance(data, str | Path):
        label, parquet_files = _create_file_view(con, view, data)
    else:
        label = name
        memory = _create_memory_view(con, view, data, name)

    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
    except duckdb.Error as error:
        raise InputError(f"{label}: cannot read the data: {_first_line(error)}") from None
    columns = {str(row[0]): str(row[1]) for row in described}
    if not columns:
        raise InputError(f"{label}: the data has no columns")
    return Source(
        con=con,
        relation=view,
        columns=columns,
        label=label,
        parquet_files=parquet_files,
        memory=memory,
    )


@dataclass(frozen=True)
class DataFiles:
    """What a path names: one file, a glob, or a folder of Parquet files.

    Attributes
    ----------
    label : str
        The name messages use.
    target : str
        The path or pattern DuckDB reads.
    files : tuple of pathlib.Path
        The files it reads, in sorted order.
    """

    label: str
    target: str
    files: tuple[Path, ...]


def data_files(data: str | Path) -> DataFiles:
    """The files a path, glob or folder stands for, exactly those `open_source` reads.

    Raises `InputError` when nothing is there to read.

    Examples
    --------
    >>> data_files("no/such/log.parquet")
    Traceback (most recent call last):
    ...
    aims.metrics.io.InputError: log.parquet: file not found (no/such/log.parquet)
    """
    text = str(data)
    path = Path(text).expanduser()
    if any(ch in text for ch in "*?["):
        matches = tuple(Path(m) for m in sorted(globlib.glob(str(path))))
        if not matches:
            raise InputError(f"{text}: no file matches this pattern")
        return DataFiles(path.name, str(path), matches)
    if path.is_dir():
        label = path.name or text
        parquet = sorted(p for p in path.iterdir() if p.name.lower().endswith(_PARQUET_SUFFIXES))
        if not parquet:
            raise InputError(f"{label}: the folder holds no .parquet files")
        suffix = parquet[0].suffix
        files = tuple(p for p in parquet if p.suffix == suffix)
        return DataFiles(label, str(path / ("*" + suffix)), files)
    label = path.name or text
    if not path.exists():
        raise InputError(f"{label}: file not found ({path})")
    if path.stat().st_size == 0:
        raise InputError(f"{label}: the file is empty")
    return DataFiles(label, str(path), (path,))


def fingerprint_files(data: str | Path) -> dict[str, Any]:
    """What identifies the data a path names: its ``file`` name and ``sha256``.

    For a folder or glob of Parquet files, also the number of ``files`` and their total
    ``bytes``, and one SHA-256 over each file's name, size and SHA-256, so that a file added,
    removed or changed gives another fingerprint. The files are those `open_source` reads.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "log.csv").write_text("y\\n1\\n")
    >>> fingerprint_files(folder / "log.csv")["sha256"][:12]
    'b6ff7597e869'
    """
    return _fingerprint_files(data)


class _Stopped(Exception):
    """Hashing was stopped before the end: there is no fingerprint."""


def _fingerprint_files(data: str | Path, *, stop: threading.Event | None = None) -> dict[str, Any]:
    """`fingerprint_files`, which a second thread can be told to give up (``stop``): it then
    raises `_Stopped` within a megabyte."""
    named = data_files(data)
    if len(named.files) == 1 and named.target == str(named.files[0]):
        return {"file": named.label, "sha256": _sha256(named.files[0], stop)}
    manifest = hashlib.sha256()
    size = 0
    for file in named.files:
        file_size = file.stat().st_size
        size += file_size
        manifest.update(f"{file.name}\t{file_size}\t{_sha256(file, stop)}\n".encode())
    return {
        "file": named.label,
        "files": len(named.files),
        "bytes": size,
        "sha256": manifest.hexdigest(),
    }


def _sha256(path: Path, stop: threading.Event | None = None) -> str:
    digest = hashlib.sha256()  # releases the GIL on large updates: it hashes beside the engine
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            if stop is not None and stop.is_set():
                raise _Stopped(path.name)
            digest.update(chunk)
    return digest.hexdigest()


def _create_file_view(
    con: duckdb.DuckDBPyConnection, view: str, data: str | Path
) -> tuple[str, tuple[Path, ...]]:
    """Create the view; return the label and, for Parquet, the files it reads."""
    named = data_files(data)
    label, target = named.label, named.target
    lower = str(named.files[0]).lower()
    if lower.endswith(_PARQUET_SUFFIXES):
        reader = f"read_parquet({_quote_literal(target)})"
        kind = "Parquet"
    elif lower.endswith(_CSV_SUFFIXES):
        reader = f"read_csv_auto({_quote_literal(target)}, header = true)"
        kind = "CSV"
    else:
        raise InputError(
            f"{label}: unknown file type; expected a .parquet, .pq or .csv file "
            f"(or a glob or folder of Parquet files)"
        )
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {reader}")
    except duckdb.Error as error:
        raise InputError(f"{label}: not a readable {kind} file: {_first_line(error)}") from None
    return label, named.files if kind == "Parquet" else ()


def _create_memory_view(con: duckdb.DuckDBPyConnection, view: str, data: Any, name: str) -> Any:
    """Register ``data`` as the view; return what the view scans (None for a reader, copied)."""
    import pyarrow as pa

    table: Any
    module = type(data).__module__ or ""
    if isinstance(data, pa.Table):
        table = data
    elif isinstance(data, pa.RecordBatch):
        table = pa.Table.from_batches([data])
    elif isinstance(data, pa.RecordBatchReader):
        # A reader can be read only once; copy it into DuckDB so it can be scanned again.
        raw = quote_identifier(f"aims_reader_{next(_view_numbers)}")
        try:
            con.register(raw.strip('"'), data)
            con.execute(f"CREATE TEMP TABLE {view} AS SELECT * FROM {raw}")
            con.unregister(raw.strip('"'))
        except duckdb.Error as error:
            raise InputError(
                f"{name}: cannot read the record batches: {_first_line(error)}"
            ) from None
        return None
    elif module.startswith("pandas"):
        if not hasattr(data, "columns"):
            raise InputError(f"{name}: expected a DataFrame, got a pandas {type(data).__name__}")
        labels = [str(c) for c in data.columns]
        if len(set(labels)) != len(labels):
            raise InputError(f"{name}: duplicate column names")
        table = data
    elif module.startswith("polars"):
        if not hasattr(data, "to_arrow"):
            raise InputError(f"{name}: expected a DataFrame, got a polars {type(data).__name__}")
        if hasattr(data, "collect") and not hasattr(data, "shape"):
            data = data.collect()
        table = _polars_table(data)
    elif isinstance(data, Mapping):
        table = _table_from_mapping(data, name)
    elif isinstance(data, np.ndarray):
        if data.dtype.names is None:
            raise InputError(
                f"{name}: a numpy array of shape {data.shape} has no column names; pass a "
                "structured array (named fields) or a dict of column name to array"
            )
        table = _table_from_mapping({field: data[field] for field in data.dtype.names}, name)
    else:
        raise InputError(
            f"{name}: unsupported input of type {type(data).__name__}; expected a path to a "
            "Parquet or CSV file, a pyarrow Table, a pandas or polars DataFrame, "
            "a numpy structured array, or a dict of column name to array"
        )
    try:
        con.register(view.strip('"'), table)
    except duckdb.Error as error:
        raise InputError(f"{name}: cannot read the data: {_first_line(error)}") from None
    return table


def _table_from_mapping(data: Mapping[Any, Any], name: str) -> pa.Table:
    import pyarrow as pa

    if not data:
        raise InputError(f"{name}: the data has no columns")
    arrays = {}
    lengths = {}
    for key, values in data.items():
        column = str(key)
        if isinstance(values, pa.Array | pa.ChunkedArray):
            array = values
        else:
            values = np.asarray(values) if not isinstance(values, np.ndarray) else values
            if values.ndim != 1:
                raise InputError(
                    f"{name}: column {column!r} must be one-dimensional, got shape {values.shape}"
                )
            try:
                array = _text_array(values) if values.dtype.kind == "U" else pa.array(values)
            except (pa.ArrowException, TypeError, ValueError) as error:
                raise InputError(
                    f"{name}: column {column!r} cannot be converted: {_first_line(error)}"
                ) from None
        arrays[column] = array
        lengths[column] = len(array)
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{c!r}: {n}" for c, n in lengths.items())
        raise InputError(f"{name}: columns have different lengths ({detail})")
    return pa.table(arrays)


def _polars_table(frame: Any) -> pa.Table:
    """A polars DataFrame as Arrow, without copying its text.

    Polars keeps text as string views; its default export copies every string into a
    ``large_string`` buffer (6 ms for 2 million rows of a short text column). Arrow's own
    ``string_view``, which polars exports as is with its newest compatibility level, reads
    in DuckDB as the same VARCHAR. Older polars, without that level, export as before.
    """
    import polars as pl

    newest = getattr(getattr(pl, "CompatLevel", None), "newest", None)
    if newest is None:
        return frame.to_arrow()
    return frame.to_arrow(compat_level=newest())


def _categorical_array(series: Any) -> pa.DictionaryArray:
    """A pandas categorical as ``pa.array`` converts it, from its codes without a copy.

    ``pa.array`` takes 3 ms for 2 million rows (this takes 0.2 ms), a third of counting them.
    """
    import pyarrow as pa

    categorical = series.array
    codes = categorical.codes  # -1 for a missing value
    missing = codes < 0
    indices = pa.array(codes, mask=missing) if missing.any() else pa.array(codes)
    # The codes index the categories by construction: no need to check each one (1 ms).
    return pa.DictionaryArray.from_arrays(indices, pa.array(categorical.categories), safe=False)


# A numpy text column is dictionary-encoded when a sample of _TEXT_SAMPLE rows holds at most
# _DICTIONARY_MIN distinct values, or one in _DICTIONARY_SHARE rows of the sample.
_TEXT_SAMPLE = 4096
_DICTIONARY_SHARE = 16
_DICTIONARY_MIN = 64


def _text_array(values: np.ndarray) -> pa.Array:
    """A numpy text (``<U``) column as Arrow strings, dictionary-encoded when few values repeat.

    ``pa.array`` converts numpy text string by string from UTF-32 (~90 ns a row: 0.18 s for
    2 million rows). Few distinct values (sensitive features, text labels) are encoded far
    faster without converting each row: the fixed-width UTF-32 rows are viewed, without a
    copy, as Arrow fixed-size binary values, dictionary-encoded by their bytes (~14 ns a
    row), and only the distinct values are converted. Equal bytes are equal strings (numpy
    pads with NUL and drops trailing NULs), so the result holds the same strings as
    ``pa.array``, and DuckDB reads it as the same VARCHAR column. Arrow's fixed-size binary
    hashing costs ~1 us per distinct value, so a column whose sample shows many distinct
    values (identifiers, free text) is converted by ``pa.array`` as before.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(values) == 0 or values.dtype.itemsize == 0 or values.dtype.byteorder == ">":
        return pa.array(values)
    sample = _fixed_width(values[:: max(1, len(values) // _TEXT_SAMPLE)])
    if len(pc.unique(sample)) > max(_DICTIONARY_MIN, len(sample) // _DICTIONARY_SHARE):
        return pa.array(values)
    encoded = dictionary_encode(_fixed_width(values))
    distinct = np.frombuffer(
        encoded.dictionary.buffers()[1], dtype=values.dtype, count=len(encoded.dictionary)
    )
    try:
        dictionary = pa.array(distinct)
    except (pa.ArrowException, TypeError, ValueError):
        return pa.array(values)  # the same error as before, from the whole column
    return pa.DictionaryArray.from_arrays(encoded.indices, dictionary, safe=False)


# Arrays shorter than two slices of this many rows are hashed on one core.
_MIN_SLICE = 1 << 18
_encoders: tuple[int, ThreadPoolExecutor] | None = None  # (process id, pool)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _encoder_pool() -> ThreadPoolExecutor:
    """The threads that hash slices, one per core; a forked process makes its own (threads do
    not survive a fork, and a pool whose threads are gone never runs what it is given)."""
    global _encoders
    with _shared_lock:
        if _encoders is None or _encoders[0] != os.getpid():
            from concurrent.futures import ThreadPoolExecutor

            _encoders = (os.getpid(), ThreadPoolExecutor(_cores(), "aims-encode"))
        return _encoders[1]


def dictionary_encode(array: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """``pc.dictionary_encode`` into one array, a long one hashed in slices on every core.

    Hashing text is most of the cost of counting it by group (~14 ns a row). Arrow hashes an
    array on one core, where DuckDB's ``GROUP BY`` uses them all; the slices are hashed at
    once (Arrow releases the GIL), then their dictionaries are unified and the codes
    renumbered in one pass (``combine_chunks``). The codes of equal values are equal, as
    with one dictionary; the order of the dictionary is the order values are first met.

    Examples
    --------
    >>> import pyarrow as pa
    >>> encoded = dictionary_encode(pa.array(["b", "a", "b", None]))
    >>> encoded.dictionary.to_pylist(), encoded.indices.to_pylist()
    (['b', 'a'], [0, 1, 0, None])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    slices = min(_cores(), len(array) // _MIN_SLICE)
    if slices < 2:
        encoded = pc.dictionary_encode(array)
    else:
        step = -(-len(array) // slices)
        parts = _encoder_pool().map(
            pc.dictionary_encode, [array.slice(start, step) for start in range(0, len(array), step)]
        )
        chunks = [c for p in parts for c in (p.chunks if isinstance(p, pa.ChunkedArray) else [p])]
        encoded = pa.chunked_array(chunks)
    return encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded


def _fixed_width(values: np.ndarray) -> pa.Array:
    """The rows of a numpy array as Arrow fixed-size binary values of their bytes."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    width = values.dtype.itemsize
    return pa.Array.from_buffers(pa.binary(width), len(values), [None, pa.py_buffer(values)])
