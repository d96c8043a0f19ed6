"""Each area's share of the route-walking tests, so a new area adds a module here and edits no
shared test.

A module ``tests/routes/<area>.py`` has:

* ``make(world, records) -> dict``: records of the area in ``world.org``, returned as the URL
  parameters that name them (``{"document_id": 3}``), plus ``"api"``: the API path parameters
  (``{"document_id": 3}``) and ``"objects"``: the records themselves, by name. A URL parameter
  another area already names (``assessment_id``: impact and readiness) goes under ``"routes"``,
  by the folder of the pages it is for (``{"/readiness/": {"assessment_id": 5}}``); naming one
  at the top with another value is an error, as it would send one area's pages the other's ids;
* optionally ``LIST_PAGES`` (URL names of list pages) and ``seed(world, n)``, which adds ``n``
  records to each of them, for the query-count test;
* ``API_ACCESS``: the access each of its API operations declares, ``{(method, path): Access}``,
  and ``API_BODIES``: a valid body for each write, ``{(method, path): dict}``
  (``tests/test_api_auth.py``).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def area_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
    ]


def add_area_records(world, records: dict) -> dict:
    records.setdefault("api", {})
    records.setdefault("objects", {})
    records.setdefault("routes", {})
    for module in area_modules():
        made = dict(module.make(world, records))
        records["api"].update(made.pop("api", {}))
        records["objects"].update(made.pop("objects", {}))
        records["routes"].update(made.pop("routes", {}))
        clashes = {k for k, v in made.items() if k in records and records[k] != v}
        assert not clashes, f"{module.__name__} names {sorted(clashes)} again: use 'routes'"
        records.update(made)
    return records


def list_pages() -> list[tuple[str, ModuleType]]:
    return [(page, m) for m in area_modules() for page in getattr(m, "LIST_PAGES", ())]


def api_access() -> dict:
    return {
        key: access for m in area_modules() for key, access in getattr(m, "API_ACCESS", {}).items()
    }


def api_bodies() -> dict:
    return {key: body for m in area_modules() for key, body in getattr(m, "API_BODIES", {}).items()}
