"""The evidence package's manifest and signature, and their check: no Django here.

A package is a ZIP. ``MANIFEST.csv`` lists every other file of it (``path,size,sha256``);
``SIGNATURE.txt`` says who made the package and when, holds the SHA-256 of the manifest's exact
bytes, the organization's Ed25519 public key, and ends with one ``signature:`` line: the
Ed25519 signature of every byte above that line. Whoever holds the package can check it offline
(:func:`verify_package`, ``aims package verify PACKAGE.zip``): re-hash every file against the
manifest, hash the manifest against the signature file, check the signature, and, given the
public key the organization shows in the app, that the package was signed with that key.

This module imports no Django, so ``aims package verify`` runs on an auditor's laptop without a
server, a database or settings; ``cryptography`` is imported only to check the signature.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

MANIFEST = "MANIFEST.csv"
SIGNATURE = "SIGNATURE.txt"
MANIFEST_HEADER = ["path", "size", "sha256"]
SIGNATURE_TITLE = "OpenAIMS certification evidence package"
ALGORITHM = "Ed25519"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One file of the package, as the manifest lists it."""

    path: str
    size: int
    sha256: str


def manifest_bytes(entries: Iterable[Entry]) -> bytes:
    """The manifest: a header line and one line per file, sorted by path."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MANIFEST_HEADER)
    for entry in sorted(entries, key=lambda e: e.path):
        writer.writerow([entry.path, entry.size, entry.sha256])
    return out.getvalue().encode()


def fingerprint(public_key: bytes) -> str:
    """A short name of a public key to compare by eye: the start of its SHA-256, grouped."""
    digest = hashlib.sha256(public_key).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def signed_part(fields: list[tuple[str, str]]) -> bytes:
    """The lines of the signature file the signature covers: the title, then ``name: value``."""
    lines = [SIGNATURE_TITLE, *(f"{name}: {value}" for name, value in fields)]
    return ("\n".join(lines) + "\n").encode()


def signature_text(fields: list[tuple[str, str]], signature: bytes) -> bytes:
    """The signature file: the signed part, then the signature line over it."""
    return signed_part(fields) + f"signature: {base64.b64encode(signature).decode()}\n".encode()


def public_key_text(public_key: bytes) -> str:
    return base64.b64encode(public_key).decode()


def parse_public_key(text: str) -> bytes:
    """A public key as the app shows it (base64 of the 32 raw bytes), or a PEM file's text."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_public_key(text.encode())
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 32:
        raise ValueError("An Ed25519 public key is 32 bytes.")
    return raw


# --- Verifying ----------------------------------------------------------------------------------


@dataclass
class Report:
    """What checking a package found: ``problems`` is empty when it verifies."""

    files: int = 0
    problems: list[str] = field(default_factory=list)
    organization: str = ""
    created: str = ""
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _hash_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(info) as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _read_manifest(data: bytes, report: Report) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace")))
    if next(reader, None) != MANIFEST_HEADER:
        report.problems.append(f"{MANIFEST}: the first line is not {','.join(MANIFEST_HEADER)}.")
        return entries
    for number, row in enumerate(reader, start=2):
        if len(row) != 3 or not row[1].isdigit() or len(row[2]) != 64:
            report.problems.append(f"{MANIFEST} line {number}: not path,size,sha256.")
            continue
        if row[0] in entries:
            report.problems.append(f"{MANIFEST} line {number}: {row[0]} is listed twice.")
        entries[row[0]] = Entry(row[0], int(row[1]), row[2].lower())
    return entries


def _read_signature(data: bytes, report: Report) -> tuple[dict[str, str], bytes, bytes] | None:
    text = data.decode("utf-8", errors="replace")
    head, marker, tail = text.rpartition("\nsignature: ")
    if not marker or not head.startswith(SIGNATURE_TITLE):
        report.problems.append(f"{SIGNATURE}: no signature line.")
        return None
    fields = dict(line.split(": ", 1) for line in head.splitlines()[1:] if ": " in line)
    try:
        signature = base64.b64decode(tail.strip(), validate=True)
        base64.b64decode(fields.get("public-key", ""), validate=True)
    except ValueError:
        report.problems.append(f"{SIGNATURE}: the signature or the public key is not base64.")
        return None
    return fields, (head + "\n").encode(), signature


def verify_package(path, *, public_key: bytes | None = None) -> Report:
    """Check a package: every file against the manifest, the manifest against the signature
    file, the signature, and (given ``public_key``) the key that made it.

    Each problem names the file: "altered", "missing" (listed but not in the ZIP) or "not in
    the manifest" (in the ZIP but not listed).
    """
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        report.problems.append(f"Not a readable ZIP file: {error}")
        return report
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        names = [info.filename for info in infos]
        for name in sorted({n for n in names if names.count(n) > 1}):
            report.problems.append(f"{name}: stored more than once in the ZIP.")
        members = {info.filename: info for info in infos}
        if MANIFEST not in members:
            report.problems.append(f"{MANIFEST} is missing: nothing can be checked.")
            return report
        manifest_data = archive.read(MANIFEST)
        entries = _read_manifest(manifest_data, report)
        for name, entry in sorted(entries.items()):
            info = members.get(name)
            if info is None:
                report.problems.append(f"{name}: missing (listed in the manifest, not in the ZIP).")
                continue
            size, sha = _hash_member(archive, info)
            report.files += 1
            if sha != entry.sha256 or size != entry.size:
                report.problems.append(
                    f"{name}: altered (SHA-256 {sha}, the manifest says {entry.sha256})."
                )
        for name in sorted(set(members) - set(entries) - {MANIFEST, SIGNATURE}):
            report.problems.append(f"{name}: not in the manifest (a file added to the package).")
        if SIGNATURE not in members:
            report.problems.append(f"{SIGNATURE} is missing: the package is not signed.")
            return report
        _check_signature(archive.read(SIGNATURE), manifest_data, public_key, report)
    return report


def _check_signature(data: bytes, manifest_data: bytes, expected_key, report: Report) -> None:
    found = _read_signature(data, report)
    if found is None:
        return
    fields, signed, signature = found
    report.organization = fields.get("organization", "")
    report.created = fields.get("created", "")
    if fields.get("algorithm") != ALGORITHM:
        report.problems.append(f"{SIGNATURE}: the algorithm is not {ALGORITHM}.")
        return
    if hashlib.sha256(manifest_data).hexdigest() != fields.get("manifest-sha256"):
        report.problems.append(
            f"{MANIFEST}: altered (its SHA-256 is not the one the signature file records)."
        )
    public_key = base64.b64decode(fields.get("public-key", ""))
    report.fingerprint = fingerprint(public_key)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, signed)
    except (InvalidSignature, ValueError):
        report.problems.append(
            f"{SIGNATURE}: the signature does not match (the signature file or the key was "
            "changed after signing)."
        )
    if expected_key is not None and expected_key != public_key:
        report.problems.append(
            f"{SIGNATURE}: signed with the key {report.fingerprint}, not with the key given "
            f"({fingerprint(expected_key)})."
        )


def main(path: str, public_key_file: str | None = None, out=None) -> int:
    """``aims package verify``: print what was checked and every problem; 1 on any problem."""
    import sys

    out = out or sys.stdout
    expected = None
    if public_key_file:
        try:
            with open(public_key_file, encoding="utf-8") as handle:
                expected = parse_public_key(handle.read())
        except (OSError, ValueError) as error:
            print(f"Cannot read the public key {public_key_file}: {error}", file=out)
            return 2
    report = verify_package(path, public_key=expected)
    for problem in report.problems:
        print(f"PROBLEM {problem}", file=out)
    if report.fingerprint:
        who = f" of {report.organization}" if report.organization else ""
        print(f"Signed{who} on {report.created} with the key {report.fingerprint}.", file=out)
        if expected is None:
            print(
                "Compare this key with the one the organization shows in OpenAIMS (Evidence "
                "package page), or pass it with --public-key.",
                file=out,
            )
    if report.ok:
        print(f"OK: {report.files} files match the signed manifest.", file=out)
        return 0
    print(f"FAILED: {len(report.problems)} problem(s) in {path}.", file=out)
    return 1
