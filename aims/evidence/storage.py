"""Content-addressed storage of evidence files under the data folder.

A file is stored once, at ``<EVIDENCE_ROOT>/ab/cd/<sha256>``, whatever its original name; the
name is kept as metadata only. Files are never served from a public URL: the download view
checks membership and re-hashes the content before sending it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

CHUNK = 1024 * 1024


class IntegrityError(Exception):
    """A stored file whose content no longer matches its SHA-256 name."""


def root() -> Path:
    return Path(settings.EVIDENCE_ROOT)


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return root() / sha256[:2] / sha256[2:4] / sha256


def store(chunks) -> tuple[str, int]:
    """Write the chunks to storage; return their SHA-256 and size. Idempotent by content."""
    root().mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=root(), prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as tmp:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                tmp.write(chunk)
            tmp.flush()
            os.fsync(tmp.fileno())
        sha = digest.hexdigest()
        target = path_for(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and state(sha) == "intact":
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, target)
        return sha, size
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def verify(sha256: str) -> None:
    """Re-hash a stored file; raise IntegrityError if it is missing or altered."""
    path = path_for(sha256)
    if not path.exists():
        raise IntegrityError(f"The stored file {sha256} is missing.")
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise IntegrityError(f"The stored file {sha256} does not match its hash.")


def state(sha256: str) -> str:
    """``"intact"``, ``"altered"`` or ``"missing"``: what re-hashing the stored file finds."""
    try:
        verify(sha256)
    except IntegrityError as error:
        return "missing" if "missing" in str(error) else "altered"
    except OSError:
        return "missing"  # there, but unreadable
    return "intact"


def read(sha256: str) -> Iterator[bytes]:
    with path_for(sha256).open("rb") as fh:
        yield from iter(lambda: fh.read(CHUNK), b"")
