"""Every list is paginated the same way: ``?limit=&offset=``, answered with the total count."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 2**31 - 1  # what every database takes in OFFSET


class Page(LimitOffsetPagination):
    """``items`` of the page, ``count`` of all matching records, and the ``limit`` and ``offset``
    used, so a client pages with ``offset += limit`` until ``offset >= count``."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many records to return."
        )
        offset: int = Field(
            0, ge=0, le=MAX_OFFSET, description="How many matching records to skip."
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="How many records match, over all pages.")
        limit: int
        offset: int

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        result.update(limit=min(pagination.limit, self.max_limit), offset=pagination.offset)
        return result
