"""The columns of a check's data file, read from its schema without reading the data: a
Parquet file's metadata, or a CSV file's header line and a few rows (for the types). The check
form offers them in selects; saving a check validates the columns its options name against them.

Messages name the file as the user knows it (the uploaded file's name, or the path relative to
its data folder), never where the server keeps it.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.exceptions import ValidationError

import aims.metrics as metrics
from aims.evidence import storage

from . import sources
from .models import Check, SourceType

# How much of a CSV file is read for its header and the types of its columns.
CSV_SAMPLE_BYTES = 64 * 1024
CSV_SAMPLE_ROWS = 50


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer, float, string, boolean, date or time, other


@dataclass(frozen=True)
class Schema:
    """The columns of a data file, and the file's name as the user knows it."""

    file: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


class SchemaError(Exception):
    """A data file whose columns cannot be read; the message names the file and the problem."""


def _arrow_type(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "float"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_dictionary(t):
        return _arrow_type(t.value_type)
    if pa.types.is_temporal(t):
        return "date or time"
    return "other"


def _cell_type(text: str) -> str | None:
    value = text.strip()
    if not value:
        return None
    if value.lower() in ("true", "false"):
        return "boolean"
    for cast, name in ((int, "integer"), (float, "float")):
        try:
            cast(value)
        except ValueError:
            continue
        return name
    return "string"


def _column_type(cells: list[str]) -> str:
    types = {t for t in map(_cell_type, cells) if t is not None}
    if not types:
        return "string"
    if types <= {"integer"}:
        return "integer"
    if types <= {"integer", "float"}:
        return "float"
    if types == {"boolean"}:
        return "boolean"
    return "string"


def read_parquet_schema(source, *, file: str) -> Schema:
    """The columns of a Parquet file (a path or a binary file object), from its metadata."""
    try:
        schema = pq.read_schema(source)
    except (pa.ArrowException, OSError, ValueError):
        raise SchemaError(
            f"{file} cannot be read as a Parquet file: it is damaged or of another type."
        ) from None
    return Schema(file, tuple(Column(f.name, _arrow_type(f.type)) for f in schema))


def read_csv_schema(head: bytes, *, file: str, delimiter: str = ",") -> Schema:
    """The columns of a CSV (or, with ``delimiter="\\t"``, TSV) file from its first bytes: the
    header line names them; a few rows give their types."""
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemaError(f"{file} is not a UTF-8 text file: is it really a CSV file?") from None
    lines = text.splitlines()
    if len(head) >= CSV_SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SchemaError(f"{file} has no header line naming its columns.")
    header = [cell.strip() for cell in rows[0]]
    if any(not name for name in header):
        raise SchemaError(f"{file}: a column of the header line has no name.")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise SchemaError(f"{file}: the header names {', '.join(duplicated)} more than once.")
    sample = rows[1 : CSV_SAMPLE_ROWS + 1]
    return Schema(
        file,
        tuple(
            Column(name, _column_type([row[i] for row in sample if i < len(row)]))
            for i, name in enumerate(header)
        ),
    )


def read_schema(source, *, file: str) -> Schema:
    """The columns of a data file, a path or an open binary file, of the type its name
    (``file``, as the user knows it) says: ``.parquet``/``.pq``, ``.csv`` or ``.tsv``."""
    suffix = sources.data_suffix(file) or sources.data_suffix(str(source))
    if suffix in (".parquet", ".pq"):
        return read_parquet_schema(source, file=file)
    if suffix in (".csv", ".tsv"):
        if isinstance(source, str | Path):
            with open(source, "rb") as handle:
                head = handle.read(CSV_SAMPLE_BYTES)
        else:
            head = source.read(CSV_SAMPLE_BYTES)
        return read_csv_schema(head, file=file, delimiter="\t" if suffix == ".tsv" else ",")
    raise SchemaError(f"{file}: upload a .parquet or .csv file.")


def read_upload(uploaded) -> Schema:
    """The columns of a file being uploaded (not stored: only its schema is read)."""
    name = uploaded.name or "the file"
    if not sources.data_suffix(name):
        raise SchemaError(f"{name}: upload a .parquet or .csv file.")
    uploaded.seek(0)
    try:
        return read_schema(uploaded, file=name)
    finally:
        uploaded.seek(0)


def read_path(raw: str) -> Schema:
    """The columns of a file under the data folders (for a folder or a glob, of its first
    file); the path is checked against the allowed folders first."""
    path = sources.resolve_data_path(raw)
    shown = sources.shown_path(path)
    if path.is_dir() or any(c in raw for c in "*?["):
        try:
            files = metrics.data_files(path).files
        except metrics.InputError:
            files = ()
        if not files:
            raise SchemaError(f"{shown} holds no .parquet or .csv file yet.")
        path = Path(files[0])
        shown = sources.shown_path(path)
    try:
        return read_schema(path, file=shown)
    except OSError:
        raise SchemaError(f"{shown} cannot be read.") from None


def check_schema(check: Check) -> Schema | None:
    """The columns of a check's data: its upload or its path; None when it has no file (runs
    posted by the pipeline) or the file is not there yet."""
    if check.source_type == SourceType.UPLOAD and check.data_blob_id:
        stored = storage.path_for(check.data_blob_id)
        if not Path(stored).is_file():
            return None
        return read_schema(stored, file=check.data_name or "the uploaded file")
    if check.source_type == SourceType.PATH and check.data_path:
        return read_path(check.data_path)
    return None


def unknown_column(name: str, schema: Schema) -> str:
    """The message for a column the file does not have: the name, the close matches, the
    file as the user knows it, and its columns."""
    close = difflib.get_close_matches(name, schema.names, n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listed = ", ".join(schema.names[:30]) + (" …" if len(schema.names) > 30 else "")
    return f"{schema.file} has no column {name!r}.{hint} Its columns: {listed}."


def column_problems(check: Check, named: dict[str, list[str]]) -> dict[str, str]:
    """The options (by field) that name a column the check's data file does not have. A file
    whose schema cannot be read is one problem on the data field; no file, no problem."""
    if not any(named.values()):
        return {}
    try:
        schema = check_schema(check)
    except SchemaError as exc:
        field = "data_file" if check.source_type == SourceType.UPLOAD else "data_path"
        return {field: str(exc)}
    except ValidationError:
        return {}  # the path itself is refused: its field already says why
    if schema is None:
        return {}
    problems = {}
    for field, names in named.items():
        wrong = [unknown_column(n, schema) for n in names if n not in schema.names]
        if wrong:
            problems[field] = " ".join(wrong)
    return problems
