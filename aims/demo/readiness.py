"""Demo content of the readiness area (filled in with the area)."""

from __future__ import annotations


def load(org, *, people, systems, risks, today) -> None:
    return None
