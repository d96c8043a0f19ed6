"""Who is reminded of what, and how a person's reminders are arranged.

The areas say what falls due in an organization (hook ``due``, :func:`aims.core.areas.due_items`).
A due item is for a member when the item names them (``people``); an item that names nobody is
for every member whose role may act on it (``access``). :func:`is_for` is that rule, and the page,
the API and the digest all go through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from aims.core.areas import DueItem, Notice, due_items
from aims.trail.cache import cached_for

SOON_DAYS = 30  # the page's "next 30 days"
LATER_DAYS = 90  # the page shows nothing due further ahead; it says how many there are
DIGEST_DAYS = 7  # the digest lists what is overdue or due within a week


def is_for(item: DueItem, membership) -> bool:
    """Whether ``item`` is for the member: named in ``people``, or, when it names nobody, with a
    role that has the item's ``access``."""
    if item.people:
        return membership.user_id in item.people
    return membership.can(item.access)


def mine(items: Iterable[DueItem], membership) -> list[DueItem]:
    """The items (of the membership's organization) that are for the member, in their order."""
    return [item for item in items if is_for(item, membership)]


def items_for(membership, today: dt.date) -> list[DueItem]:
    """What falls due for the member in their organization, soonest first."""
    return mine(organization_items(membership.organization, today), membership)


def organization_items(organization, today: dt.date) -> list[DueItem]:
    """Everything that falls due in the organization (hook ``due``), read once per version of
    its data (aims/trail/cache.py): asking every area costs a tenth of a second at 10,000 AI
    systems, and the header's bell asks after every page."""
    return cached_for(
        organization, f"due-items:{today.isoformat()}", lambda: due_items(organization, today)
    )


def notices_for(membership, today: dt.date) -> list[Notice]:
    """What the header's bell lists for the member: their items overdue or due within
    :data:`DIGEST_DAYS`, soonest first."""
    return [
        Notice(item.title, link_of(item.url), when_text(item, today), urgent=days < 0)
        for item in items_for(membership, today)
        if (days := days_until(item, today)) is not None and days <= DIGEST_DAYS
    ]


def days_until(item: DueItem, today: dt.date) -> int | None:
    """Days from today to the due date: negative when overdue, None without a date."""
    return None if item.due is None else (item.due - today).days


def in_digest(item: DueItem, today: dt.date) -> bool:
    """Whether the digest mentions the item: overdue or due within :data:`DIGEST_DAYS`."""
    days = days_until(item, today)
    return days is not None and days <= DIGEST_DAYS


def when_text(item: DueItem, today: dt.date) -> str:
    """ "overdue by 3 days", "due today", "due tomorrow", "due in 12 days", "no date"."""
    days = days_until(item, today)
    if days is None:
        return "no date"
    if days < 0:
        return f"overdue by {-days} day{'' if days == -1 else 's'}"
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due in {days} days"


def link_of(url: str) -> str:
    """The item's link when it is a path of the app or a web address; else none (never a
    ``javascript:`` URL, whatever an area sends)."""
    url = url or ""
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith(("https://", "http://")):
        return url
    return ""


@dataclass(frozen=True)
class Reminder:
    """A due item as a person's reminders show it."""

    item: DueItem
    days: int | None  # until the due date; negative when overdue
    when: str  # "overdue by 3 days"
    link: str  # the record's page, or "" (see link_of)

    @property
    def overdue(self) -> bool:
        return self.days is not None and self.days < 0


def reminder(item: DueItem, today: dt.date) -> Reminder:
    return Reminder(item, days_until(item, today), when_text(item, today), link_of(item.url))


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    reminders: list[Reminder]
    total: int = 0  # reminders in the group on every page (the page shows some of them)


GROUPS = (
    ("overdue", "Overdue"),
    ("soon", f"Due in the next {SOON_DAYS} days"),
    ("later", f"Due in {SOON_DAYS + 1} to {LATER_DAYS} days"),
    ("undated", "Without a due date"),
)


def group_key(days: int | None) -> str | None:
    if days is None:
        return "undated"
    if days < 0:
        return "overdue"
    if days <= SOON_DAYS:
        return "soon"
    if days <= LATER_DAYS:
        return "later"
    return None  # further ahead than the page looks


@dataclass(frozen=True)
class Arranged:
    groups: list[Group]  # only those with reminders, in the order of GROUPS
    beyond: int  # how many fall due further ahead than LATER_DAYS (not listed)
    kinds: list[str]  # every kind among the items, for the filter

    @property
    def count(self) -> int:
        return sum(len(group.reminders) for group in self.groups)

    @property
    def overdue(self) -> int:
        return sum(len(g.reminders) for g in self.groups if g.key == "overdue")


def filtered(items: Iterable[DueItem], *, kind: str = "", q: str = "") -> list[DueItem]:
    """Items of one kind (when given) whose title or kind contains ``q`` (any case)."""
    words = q.strip().casefold()
    return [
        item
        for item in items
        if (not kind or item.kind == kind)
        and (not words or words in item.title.casefold() or words in item.kind.casefold())
    ]


def arrange(items: list[DueItem], today: dt.date, *, kinds: Iterable[str] = ()) -> Arranged:
    """Group a person's items: overdue, the next 30 days, up to 90 days, undated; count those
    further ahead."""
    grouped: dict[str, list[Reminder]] = {key: [] for key, _ in GROUPS}
    beyond = 0
    for item in items:
        key = group_key(days_until(item, today))
        if key is None:
            beyond += 1
        else:
            grouped[key].append(reminder(item, today))
    return Arranged(
        groups=[
            Group(key, title, grouped[key], len(grouped[key]))
            for key, title in GROUPS
            if grouped[key]
        ],
        beyond=beyond,
        kinds=sorted(set(kinds)),
    )


def page_of(arranged: Arranged, number, per_page: int) -> tuple[Page, list[Group]]:
    """One page of the arranged reminders, in their order, and the groups it shows (each
    with its part of the page and its total): someone owning many records has thousands."""
    listed = [(group, one) for group in arranged.groups for one in group.reminders]
    page = Paginator(listed, per_page).get_page(number)
    shown: dict[str, list[Reminder]] = {}
    for group, one in page.object_list:
        shown.setdefault(group.key, []).append(one)
    groups = [
        Group(group.key, group.title, shown[group.key], group.total)
        for group in arranged.groups
        if group.key in shown
    ]
    return page, groups
