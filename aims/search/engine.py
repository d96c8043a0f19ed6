"""The global search: every kind of record the areas declare (hook ``search``).

A record is found when each word of the query is in its title, name or ref (case-insensitive),
or when the whole query is its ref (``R-003``, ``A.6.2.4``), which ranks it first; then come the
newest. Each kind answers its first few hits and whether there are more; the query is bounded
(length, words, no NUL) before any of it reaches the database.

Speed (bench/search.py: under 100 ms at 10,000 AI systems and 100,000 risks on SQLite) comes
from asking each kind small questions rather than one that sorts every match:

* the exact ref, only for a one-word query: an equality on the ref's unique index;
* the keys of the newest matches, ``ORDER BY pk DESC LIMIT n``: walking the organization's index
  in that order, the scan stops at the last hit shown however many records match, and nothing
  counts them ("more" is the one row past the last shown). Only a query that finds few or none
  reads the whole of a kind, in an index that holds the searched fields where the kind is large
  (the risks' ``risk_search``), not in the table;
* the records of those few keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.core.exceptions import ValidationError
from django.db.models import Q
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


def every_word(kind: SearchKind, words: list[str]) -> Q:
    """Each word in one of the kind's fields, or in its ref when the word has a digit: a ref is
    a prefix and a number ("R-04" finds R-040 to R-049), and sparing the ref a LIKE for words
    such as "bias" makes the scan of a large table about a third cheaper."""
    return reduce(
        and_,
        (
            reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields_for(kind, word)))
            for word in words
        ),
    )


def fields_for(kind: SearchKind, word: str) -> tuple[str, ...]:
    if kind.ref and any(character.isdigit() for character in word):
        return (*kind.fields, kind.ref)
    return kind.fields


def exact_matches(kind: SearchKind, organization, query: str) -> list:
    """The kind's records whose ref is the whole query ("r-003" finds R-003): an equality on the
    ref's unique index. None when the kind has no ref or the query is several words, which no
    ref is."""
    if not kind.ref or len(query.split()) != 1:
        return []
    refs = sorted({query, query.upper()})
    return list(kind.queryset(organization).filter(**{f"{kind.ref}__in": refs}).order_by(kind.ref))


def newest_first(kind: SearchKind, records):
    """The organization's records newest first (its index on the organization holds them in
    that order, so a LIMIT stops early); the catalog, which every organization shares and which
    is small, in its own order (A.6.2.2 before A.6.2.3)."""
    if hasattr(records.model, "organization_id"):
        return records.order_by("-pk")
    return records.order_by(kind.ref or kind.fields[0], "pk")


def matching(
    kind: SearchKind, organization, query: str, *, limit: int
) -> list[tuple[object, bool]]:
    """At most ``limit`` of the kind's records that match ``query`` (already cleaned), each with
    whether the query is its ref: exact refs first, then word matches, newest first.

    The word match asks for the keys alone, and the records of those keys after: a scan that
    needs nothing but the organization, the key and the searched fields can read an index
    holding them (the risks' ``risk_search``) without visiting the table for every record.
    """
    exact = exact_matches(kind, organization, query)[:limit]
    found = [(record, True) for record in exact]
    if len(found) == limit:
        return found
    records = kind.queryset(organization)
    keys = records.filter(every_word(kind, query.split()))
    if exact:
        keys = keys.exclude(pk__in=[record.pk for record in exact])
    pks = list(newest_first(kind, keys).values_list("pk", flat=True)[: limit - len(found)])
    if pks:
        # Unordered: a model's own ordering (a risk's ref) would have the database walk an
        # index in that order through every record of the organization to find these few.
        by_pk = {record.pk: record for record in records.filter(pk__in=pks).order_by()}
        found += [(by_pk[pk], False) for pk in pks if pk in by_pk]  # unless deleted since
    return found


def more_url(kind: SearchKind, organization, query: str) -> str:
    if not kind.list_url_name:
        return ""
    url = reverse(kind.list_url_name, kwargs={"org": organization.slug})
    return f"{url}?{urlencode({kind.list_param: query})}" if kind.list_param else url


def search(organization, query: str, *, per_kind: int = PER_KIND) -> list[Group]:
    """The groups of hits for ``query`` (cleaned with :func:`clean_query`), in the kinds' order;
    kinds with no hit are left out. A word match per kind, one more to read the records when it
    finds some, and one for the exact ref when the query is one word and the kind has refs."""
    if not query:
        return []
    groups = []
    for kind in search_kinds():
        found = matching(kind, organization, query, limit=per_kind + 1)
        if not found:
            continue
        hits = [
            Hit(
                ref=getattr(record, kind.ref, "") if kind.ref else "",
                title=kind.text_of(record),
                url=kind.url_of(record, organization),
                exact=exact,
            )
            for record, exact in found[:per_kind]
        ]
        groups.append(Group(kind, hits, len(found) > per_kind, more_url(kind, organization, query)))
    return groups
