"""The REST API at ``/api/v1/``: personal tokens, typed schemas, one error shape.

The OpenAPI document is at ``/api/v1/openapi.json`` and its interactive form at
``/api/v1/docs``; both are generated from the operations below.
"""

from __future__ import annotations

from django.utils.module_loading import import_string
from ninja import NinjaAPI

from aims.core.areas import areas

from . import errors, me
from .auth import UNDECLARED


class AimsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """Operation ids are the function names: ``list_systems``, ``accept_risk``, …"""
        return operation.view_func.__name__


api = AimsAPI(
    title="OpenAIMS API",
    version="1",
    description=(
        "Read and update an organization's AI management system (ISO/IEC 42001): AI systems "
        "and their life cycle, the risk register, the Statement of Applicability, "
        "evidence, and the technical checks run on prediction logs.\n\n"
        "**Authentication.** Create a personal API token in the organization's settings and "
        "send it as `Authorization: Bearer <token>`. A token belongs to one organization and "
        "acts with its user's current role.\n\n"
        '**Errors** are JSON: `{"detail": "…", "errors": [{"field": "…", '
        '"message": "…"}]}` with 401 (no or bad token), 403 (role lacks access), 404 (not '
        "in your organization), 409 (state conflict, e.g. a life-cycle gate) or 422 (invalid "
        "input).\n\n"
        "**Lists** are paginated with `limit` and `offset` and answer `items` and `count`."
    ),
    urls_namespace="api",
    auth=UNDECLARED,  # each operation declares its own; one that forgets is refused
)
errors.install(api)

api.add_router("", me.router)
for area in areas():  # each area's operations, as its area.py registered them
    if area.api_router:
        api.add_router("", import_string(area.api_router))


def operation_access() -> dict[tuple[str, str], str | None]:
    """``{(method, path template): access}`` for every operation, e.g.
    ``("PATCH", "/risks/{ref}"): "contribute"``; paths are relative to the API root
    (``/api/v1``). For route-walking security tests.

    Built from the registered operations, so a new operation that declares no access shows up
    with None (and is refused at run time).
    """
    found: dict[tuple[str, str], str | None] = {}
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            template = "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/"))
            for operation in path_view.operations:
                callbacks = operation.auth_callbacks or []
                access = getattr(callbacks[0], "access", None) if len(callbacks) == 1 else None
                for method in operation.methods:
                    found[(method.upper(), f"/{template}")] = access
    return found
