"""The global search's share of the route-walking tests: it has no records of its own."""

from __future__ import annotations

from aims.organizations.models import Access

API_ACCESS = {("GET", "/search"): Access.READ}


def make(world, records) -> dict:
    return {}
