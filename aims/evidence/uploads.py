"""Checks on uploaded evidence files: size limit and that the content matches the declared type.

The declared type is the file name's extension (and the browser's content type). Binary formats
are recognized by their magic bytes with the ``filetype`` library; text formats must decode as
UTF-8. A file whose content is something else than its name says is refused.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

# extension -> the kinds ``filetype`` may report for it (None: a text format, no magic bytes)
BINARY = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "gif": {"gif"},
    "webp": {"webp"},
    "zip": {"zip"},
    # Office Open XML files are zip archives; filetype names them when it can.
    "docx": {"docx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "pptx": {"pptx", "zip"},
    "parquet": None,
}
TEXT = {"txt", "csv", "md", "json", "yaml", "yml", "html", "xml", "log"}
PARQUET_MAGIC = b"PAR1"


def max_bytes() -> int:
    return settings.AIMS_MAX_UPLOAD_MB * 1024 * 1024


def allowed_extensions() -> list[str]:
    return sorted(set(BINARY) | TEXT)


def check_upload(uploaded) -> str:
    """Validate one uploaded file; return the content type to record."""
    name = uploaded.name or ""
    limit = max_bytes()
    if uploaded.size == 0:
        raise ValidationError(f"{name} is empty.")
    if uploaded.size > limit:
        raise ValidationError(
            f"{name} is {uploaded.size / 1024 / 1024:.1f} MB; the limit is "
            f"{settings.AIMS_MAX_UPLOAD_MB} MB."
        )
    ext = PurePath(name).suffix.lower().lstrip(".")
    if ext not in BINARY and ext not in TEXT:
        raise ValidationError(
            f"{name}: files of type .{ext or '?'} are not accepted. Accepted: "
            + ", ".join(allowed_extensions())
            + "."
        )
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    detected = filetype.guess(head)
    if ext in TEXT:
        if detected is not None:
            raise ValidationError(
                f"{name} is named .{ext} but its content is {detected.extension.upper()}."
            )
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the 8 KB boundary is fine; anything else is not text.
            if exc.start < len(head) - 4:
                raise ValidationError(f"{name} is named .{ext} but is not a text file.") from exc
    elif ext == "parquet":
        if not head.startswith(PARQUET_MAGIC):
            raise ValidationError(f"{name} is named .parquet but is not a Parquet file.")
    else:
        if detected is None or detected.extension not in BINARY[ext]:
            what = detected.extension.upper() if detected else "not recognizable"
            raise ValidationError(f"{name} is named .{ext} but its content is {what}.")
    declared = getattr(uploaded, "content_type", "") or ""
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return declared if declared and declared != "application/octet-stream" else guessed
