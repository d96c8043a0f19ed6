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
a DuckDB temporary table (DuckDB spills it to disk when it does not fit in memory).

Every problem with the input raises `InputError` (a ``ValueError``) whose message names the
file or column and says what is wrong; no raw DuckDB or pyarrow traceback reaches the caller.
"""

from __future__ import annotations

import difflib
import glob as globlib
import hashlib
import itertools
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
    import pyarrow as pa

__all__ = [
    "INTEGER_TYPES",
    "DataFiles",
    "InputError",
    "Source",
    "data_files",
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
    """

    con: duckdb.DuckDBPyConnection
    relation: str
    columns: dict[str, str]
    label: str
    parquet_files: tuple[Path, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

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
        array or list.
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
    if con is None:
        con = _default_connection()
    view = quote_identifier(f"aims_source_{next(_view_numbers)}")

    parquet_files: tuple[Path, ...] = ()
    if isinstance(data, str | Path):
        label, parquet_files = _create_file_view(con, view, data)
    else:
        label = name
        _create_memory_view(con, view, data, name)

    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
    except duckdb.Error as error:
        raise InputError(f"{label}: cannot read the data: {_first_line(error)}") from None
    columns = {str(row[0]): str(row[1]) for row in described}
    if not columns:
        raise InputError(f"{label}: the data has no columns")
    return Source(con=con, relation=view, columns=columns, label=label, parquet_files=parquet_files)


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


def _create_memory_view(con: duckdb.DuckDBPyConnection, view: str, data: Any, name: str) -> None:
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
        return
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
        table = data.to_arrow()
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
                array = pa.array(values)
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
