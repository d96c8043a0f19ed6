"""Demo content of the reviews area (filled in with the area)."""

from __future__ import annotations


def load(org, *, people, systems, risks, today) -> None:
    return None
