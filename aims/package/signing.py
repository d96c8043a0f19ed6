"""Each organization's Ed25519 key for signing its evidence packages.

The private key is a file, ``<package keys>/<organization id>.pem`` (mode 0600), made on the
organization's first package; the database keeps only the public key (:class:`SigningKey`), which
the package page shows for the certification body to check packages offline. A copy of the
database alone cannot sign a package; losing the key file means a new key, whose fingerprint then
differs from the one on earlier packages (the page shows the current one).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction

from . import manifest
from .models import SigningKey


def keys_dir() -> Path:
    """Beside the evidence folder (``data/package-keys``), unless AIMS_PACKAGE_KEY_DIR says."""
    configured = getattr(settings, "AIMS_PACKAGE_KEY_DIR", None)
    return Path(configured) if configured else Path(settings.EVIDENCE_ROOT).parent / "package-keys"


def _key_path(organization) -> Path:
    return keys_dir() / f"{organization.pk}.pem"


def _raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def _load(path: Path) -> Ed25519PrivateKey | None:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    return key if isinstance(key, Ed25519PrivateKey) else None


def _write(path: Path, private: Ed25519PrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.replace(tmp, path)


def private_key(organization) -> Ed25519PrivateKey:
    """The organization's signing key, made (and its public half recorded) on first use."""
    path = _key_path(organization)
    key = _load(path)
    if key is None:
        key = Ed25519PrivateKey.generate()
        _write(path, key)
    public = _raw_public(key)
    with transaction.atomic():
        SigningKey.objects.update_or_create(
            organization=organization,
            defaults={
                "public_key": manifest.public_key_text(public),
                "fingerprint": manifest.fingerprint(public),
            },
        )
    return key


def public_key_pem(key: SigningKey) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    raw = manifest.parse_public_key(key.public_key)
    return (
        Ed25519PublicKey.from_public_bytes(raw)
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(organization, fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    """The signature file over ``fields`` (public key and algorithm added), and the key's
    fingerprint."""
    key = private_key(organization)
    public = _raw_public(key)
    fields = [
        ("algorithm", manifest.ALGORITHM),
        *fields,
        ("public-key", manifest.public_key_text(public)),
        ("key-fingerprint", manifest.fingerprint(public)),
    ]
    signature = key.sign(manifest.signed_part(fields))
    return manifest.signature_text(fields, signature), manifest.fingerprint(public)
