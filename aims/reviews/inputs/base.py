"""What every input of a management review is made of (:class:`InputSection`, its figures and
items), the period it covers, and the small helpers the sections share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from aims.core.dates import add_months

from ..models import REVIEW_INTERVAL_MONTHS, ManagementReview

LISTED = 12  # records a section lists; the rest are counted and linked
TREATMENT_NOTICE_DAYS = 30  # a risk treatment due this soon shows as due
ACCEPTANCE_NOTICE_DAYS = 60  # a risk acceptance expiring this soon shows as expiring
NOT_RECORDED = "Not recorded yet"
CONTRIBUTED = "hook-"  # the key of a section another area contributed, once frozen


def _own(url: str) -> str:
    """``url`` when it is a page of the app (a path), else nothing: a stored link never leaves
    the app."""
    url = str(url or "")
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


@dataclass
class Figure:
    label: str
    value: int | str
    tone: str = ""  # "bad", "warn", "good" or ""


@dataclass
class Item:
    """One record a section lists: what it is, where it is, a note (its status, say)."""

    label: str
    url: str = ""
    note: str = ""
    tone: str = ""
    heading: bool = False


@dataclass
class InputSection:
    key: str
    title: str
    clause: str = ""  # "9.3.2 a)"; empty for the inputs beyond the clause's list
    recorded: bool = True  # the source area has records at all: "Not recorded yet" when not
    summary: str = ""
    figures: list[Figure] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    more: int = 0
    more_url: str = ""
    empty: str = NOT_RECORDED

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> InputSection:
        data = dict(data)
        data["figures"] = [Figure(**f) for f in data.get("figures", [])]
        data["items"] = [
            Item(**{**i, "url": _own(i.get("url", ""))}) for i in data.get("items", [])
        ]
        data["more_url"] = _own(data.get("more_url", ""))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Period:
    """What the inputs cover: from ``since`` (the previous held review, or a year back) to
    ``today``."""

    since: dt.date
    today: dt.date
    previous: ManagementReview | None

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.since, dt.time.min))

    @property
    def words(self) -> str:
        if self.previous is not None:
            return f"since the previous review on {self.since:%Y-%m-%d}"
        return f"over the last {REVIEW_INTERVAL_MONTHS} months (since {self.since:%Y-%m-%d})"


def period_of(review: ManagementReview, today: dt.date | None = None) -> Period:
    """The previous held review before ``review`` (by the day it was held), and the period
    since it."""
    today = today or timezone.localdate()
    reference = review.held_on or today
    previous = (
        ManagementReview.objects.for_org(review.organization_id)
        .held()
        .exclude(pk=review.pk)
        .filter(held_on__lte=reference)
        .order_by("-held_on", "-pk")
        .first()
    )
    if previous is not None:
        previous.organization = review.organization
        return Period(previous.held_on, today, previous)
    return Period(add_months(reference, -REVIEW_INTERVAL_MONTHS), today, None)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _url(name: str, organization, query: str = "") -> str:
    url = reverse(name, kwargs={"org": organization.slug})
    return f"{url}?{query}" if query else url


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _changed(queryset, period: Period, *, extra: dict | None = None) -> dict:
    """Counts of a context register: all, new in the period, changed in it (not new)."""
    return queryset.aggregate(
        total=Count("pk"),
        new=Count("pk", filter=Q(created_at__gte=period.start)),
        changed=Count("pk", filter=Q(updated_at__gte=period.start, created_at__lt=period.start)),
        **(extra or {}),
    )


def _changed_items(
    queryset, period: Period, organization, note: Callable, limit: int = LISTED
) -> list[Item]:
    rows = list(
        queryset.filter(updated_at__gte=period.start).order_by("-updated_at", "-pk")[:limit]
    )
    items = []
    for row in rows:
        row.organization = organization
        new = row.created_at >= period.start
        items.append(
            Item(str(row), row.get_absolute_url(), ("New · " if new else "Changed · ") + note(row))
        )
    return items


def _link(record) -> str:
    """A record's page; empty while its area has no page for it yet."""
    try:
        return record.get_absolute_url()
    except NoReverseMatch:
        return ""


def _list_url(name: str, organization) -> str:
    try:
        return _url(name, organization)
    except NoReverseMatch:
        return ""
