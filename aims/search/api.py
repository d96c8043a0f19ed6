"""The global search: the organization's records whose title, name or ref match a query."""

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from aims.api.auth import READ
from aims.api.errors import responses
from aims.api.lookups import Errors

from . import engine

router = Router(tags=["Search"])


class SearchQuery(Schema):
    q: str = Field(
        "",
        max_length=engine.MAX_LENGTH,
        description=f"Words that must all appear in a record's title, name or ref "
        f"(case-insensitive), or a ref such as R-003 or A.6.2.4 (ranked first); at most "
        f"{engine.MAX_LENGTH} characters and {engine.MAX_WORDS} words.",
    )


class HitOut(Schema):
    ref: str = Field(description="The record's ref, when its kind has one.")
    title: str
    url: str = Field(description="The record's page in the app.")
    exact: bool = Field(description="true when the query is this record's ref.")


class SearchGroupOut(Schema):
    kind: str = Field(description="risks, systems, controls, ...")
    label: str
    hits: list[HitOut]
    more: bool = Field(description=f"More records match than the {engine.PER_KIND} shown.")
    more_url: str = Field(description="The kind's list page, searching for the query.")


class SearchOut(Schema):
    q: str
    groups: list[SearchGroupOut]


@router.get(
    "/search",
    auth=READ,
    response=responses(200, SearchOut, 422),
    summary="Search the organization's records",
    description="The global search of the app: by kind of record (AI systems, risks, Annex A "
    f"controls and clauses, evidence, checks, documents, ...), at most {engine.PER_KIND} hits "
    "each: the record whose ref is the query first, then the newest.",
)
def search(request, params: Query[SearchQuery]):
    errors = Errors()
    try:
        query = engine.clean_query(params.q)
    except ValidationError as exc:
        errors.add("q", exc.messages[0])
    errors.raise_if_any()
    groups = engine.search(request.org, query)
    return {
        "q": query,
        "groups": [
            {
                "kind": group.kind.key,
                "label": group.kind.label,
                "hits": [hit.__dict__ for hit in group.hits],
                "more": group.more,
                "more_url": group.more_url,
            }
            for group in groups
        ],
    }
