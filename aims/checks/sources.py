"""Where a check's data comes from: uploaded files kept content-addressed, or paths under the
folders the server may read (``AIMS_CHECK_DATA_DIRS``), and how they are handed to the engine.

Messages name a server path relative to its data folder, never where that folder lies.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

import aims.metrics as metrics
from aims.evidence import storage
from aims.evidence.models import Blob

from .models import Check


def allowed_data_dirs() -> list[Path]:
    """Folders the server may read check data from (``AIMS_CHECK_DATA_DIRS``, ``:``-separated),
    with their symbolic links resolved."""
    return [Path(p).expanduser().resolve() for p in settings.AIMS_CHECK_DATA_DIRS]


def _folder_of(path: Path, roots: list[Path]) -> Path | None:
    return next((root for root in roots if path == root or root in path.parents), None)


def shown_path(path: Path | str, roots: list[Path] | None = None) -> str:
    """How messages name a server path: relative to its check data folder (``credit/log.parquet
    in check-data``), never the folder's absolute location on the server."""
    path = Path(path)
    roots = allowed_data_dirs() if roots is None else roots
    root = _folder_of(path, roots)
    if root is None:
        return path.name or str(path)
    inside = path.relative_to(root).as_posix()
    return f"{inside} in {root.name}" if inside != "." else f"the data folder {root.name}"


def without_server_paths(message: str) -> str:
    """A message with the absolute locations of the data folders and of stored files taken out
    (engine errors quote the paths they were given)."""
    replacements = [(f"{storage.root().resolve()}/", "stored file ")]
    replacements += [(f"{root}/", f"{root.name}/") for root in allowed_data_dirs()]
    for absolute, shown in sorted(replacements, key=lambda pair: -len(pair[0])):
        message = message.replace(absolute, shown)
    return message


def resolve_data_path(raw: str, *, field: str = "data_path") -> Path:
    """A readable file, folder or glob under an allowed folder; anything else is refused with a
    clear message.

    Symbolic links are resolved before the allow-list test, for the path given and for every file
    a folder or glob stands for: a link inside a data folder that points outside it is refused. A
    relative path is read from the first data folder. Messages name paths relative to their data
    folder, never where that folder lies on the server.
    """
    text = raw.strip()
    if text.startswith("file://"):
        text = text[len("file://") :]
    if not text:
        raise ValidationError({field: "Give the path of the data file."})
    if "\x00" in text:
        raise ValidationError({field: "The path contains a null character."})
    roots = allowed_data_dirs()
    if not roots:
        raise ValidationError(
            {
                field: "This server reads no check data folders (AIMS_CHECK_DATA_DIRS is empty): "
                "upload the data file instead."
            }
        )
    given = Path(text).expanduser()
    path = (given if given.is_absolute() else roots[0] / given).resolve()
    if _folder_of(path, roots) is None:
        raise ValidationError(
            {
                field: f"{text} is outside the folders the server may read check data from "
                f"({', '.join(root.name for root in roots)}; set by AIMS_CHECK_DATA_DIRS)."
            }
        )
    pattern = any(c in text for c in "*?[")
    if not (path.is_file() or path.is_dir() or pattern):
        raise ValidationError(
            {field: f"{shown_path(path, roots)} does not exist or is not a file."}
        )
    if path.is_dir() or pattern:
        try:
            files = metrics.data_files(path).files
        except metrics.InputError:
            files = ()  # nothing to read yet: a run says so; a link is judged once it is there
        for file in files:
            if _folder_of(file.resolve(), roots) is None:
                raise ValidationError(
                    {
                        field: f"{shown_path(file, roots)} is a link to a file outside the "
                        "folders the server may read check data from; it is not read."
                    }
                )
    return path


def data_suffix(name: str) -> str:
    """Keep the file type the engine recognizes by (content-addressed files have no suffix)."""
    lower = name.lower()
    for suffix in (".parquet", ".pq", ".csv", ".tsv"):
        if lower.endswith(suffix):
            return suffix
    return ""


def _engine_input(path: str, name: str) -> str:
    """Content-addressed blobs have no file suffix; give DuckDB a link that has one."""
    suffix = data_suffix(name)
    if not suffix or path.lower().endswith(suffix):
        return path
    link = storage.root() / "typed" / (Path(path).name + suffix)
    link.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.symlink(path, link)
    return str(link)


def read(check: Check, *, reference: bool = False) -> tuple[str, dict]:
    """The check's data (or, with ``reference``, a drift check's reference data) as the engine
    reads it, and its fingerprint: the file's name and hash. A stored upload is verified first;
    a path is checked against the allowed folders again, as it may have changed since."""
    if reference:
        blob, name, path, field = (
            check.reference_blob,
            check.reference_name,
            check.reference_path,
            "reference_path",
        )
    else:
        blob, name, path, field = check.data_blob, check.data_name, check.data_path, "data_path"
    if blob is not None:
        storage.verify(blob.sha256)
        data, fingerprint = (
            str(storage.path_for(blob.sha256)),
            {"file": name, "sha256": blob.sha256},
        )
    else:
        resolved = resolve_data_path(path, field=field)
        data, fingerprint = str(resolved), metrics.fingerprint_files(resolved)
    return _engine_input(data, name or path), fingerprint


def store_data_file(uploaded) -> tuple:
    """Store an uploaded data file content-addressed; return its blob and original name."""
    suffix = data_suffix(uploaded.name or "")
    if not suffix:
        raise ValidationError({"data_file": f"{uploaded.name}: upload a .parquet or .csv file."})
    if uploaded.size == 0:
        raise ValidationError({"data_file": f"{uploaded.name} is empty."})
    limit = settings.AIMS_MAX_CHECK_DATA_MB * 1024 * 1024
    if uploaded.size > limit:
        raise ValidationError(
            {
                "data_file": f"{uploaded.name} is over the "
                f"{settings.AIMS_MAX_CHECK_DATA_MB} MB limit for uploaded data; "
                "give a path the server can read instead."
            }
        )
    sha, size = storage.store(uploaded.chunks())
    blob, _ = Blob.objects.get_or_create(sha256=sha, defaults={"size": size})
    return blob, uploaded.name[:255]


def store_uploads(check: Check, *, data_file=None, reference_file=None) -> Check:
    """Store the files uploaded for a check and point it at them: its data, and a drift
    check's reference data. A file not given leaves the current one in place."""
    if data_file:
        check.data_blob, check.data_name = store_data_file(data_file)
    if reference_file:
        check.reference_blob, check.reference_name = store_data_file(reference_file)
    return check
