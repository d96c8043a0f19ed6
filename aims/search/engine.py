"""The global search: every kind of record the areas declare (hook ``search``), one query each.

A record is found when each word of the query is in its title, name or ref (case-insensitive),
or when the whole query is its ref (``R-003``, ``A.6.2.4``), which ranks it first. Each kind
answers its first few hits and whether there are more; the query is bounded (length, words, no
NUL) before any of it reaches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.http import urlencode

from aims.core.areas import SearchKind, search_kinds

MAX_LENGTH = 100
MAX_WORDS = 10
PER_KIND = 10  # hits per kind on the search page
PER_KIND_BOX = 3  # in the box's dropdown


@dataclass(frozen=True)
class Hit:
    ref: str
    title: str
    url: str
    exact: bool  # the query is its ref


@dataclass(frozen=True)
class Group:
    kind: SearchKind
    hits: list[Hit]
    more: bool  # more records match than are shown
    more_url: str  # the kind's list page, searching for the query where it can


def clean_query(text: str | None) -> str:
    """The query, stripped; ValidationError (with a message for the field) when it is too long,
    has too many words or holds a NUL character."""
    text = (text or "").strip()
    if "\x00" in text:
        raise ValidationError("The search cannot contain a NUL character.", code="null")
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            f"Search for at most {MAX_LENGTH} characters (this has {len(text)}).",
            code="max_length",
        )
    if len(text.split()) > MAX_WORDS:
        raise ValidationError(f"Search for at most {MAX_WORDS} words.", code="max_words")
    return text


def matching(kind: SearchKind, organization, query: str):
    """The kind's records that match ``query`` (already cleaned), exact refs first."""
    words = query.split()
    fields = (*kind.fields, kind.ref) if kind.ref else kind.fields
    every_word = reduce(
        and_, (reduce(or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words)
    )
    records = kind.queryset(organization)
    if kind.ref:
        # Refs are upper case ("R-003", "A.6.2.4"): an equality, cheaper than a LIKE per row.
        exact = Q(**{f"{kind.ref}__in": sorted({query, query.upper()})})
        rank = Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
        return (
            records.filter(every_word | exact)
            .annotate(search_rank=rank)
            .order_by("search_rank", kind.ref, "pk")
        )
    return records.filter(every_word).order_by(kind.fields[0], "pk")


def more_url(kind: SearchKind, organization, query: str) -> str:
    if not kind.list_url_name:
        return ""
    url = reverse(kind.list_url_name, kwargs={"org": organization.slug})
    return f"{url}?{urlencode({kind.list_param: query})}" if kind.list_param else url


def search(organization, query: str, *, per_kind: int = PER_KIND) -> list[Group]:
    """The groups of hits for ``query`` (cleaned with :func:`clean_query`), in the kinds' order;
    kinds with no hit are left out. One query per kind."""
    if not query:
        return []
    groups = []
    for kind in search_kinds():
        found = list(matching(kind, organization, query)[: per_kind + 1])
        if not found:
            continue
        hits = [
            Hit(
                ref=getattr(record, kind.ref, "") if kind.ref else "",
                title=kind.text_of(record),
                url=kind.url_of(record, organization),
                exact=getattr(record, "search_rank", 1) == 0,
            )
            for record in found[:per_kind]
        ]
        groups.append(Group(kind, hits, len(found) > per_kind, more_url(kind, organization, query)))
    return groups
