"""The regulatory watch as an input of the management review: the changes in laws, regulations
and guidance recorded or updated in the review's period, with their effect on the AI systems and
the obligations (ISO/IEC 42001 9.3.2 b), "changes in external issues").

The section reads the watch with a fixed number of queries (the counts, a bounded list and the
systems of that list), so the review's page costs the same however long the watch grows. Its
template renders plain blocks (a heading, paragraphs, list items), which is what
:func:`aims.reviews.inputs.section_as_data` keeps as text and links when the review is held.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from aims.core.areas import Section
from aims.reviews.inputs import Figure, period_of

from .models import ChangeStatus, RegulatoryChange

TITLE = "Changes in external issues: laws, regulations and guidance (regulatory watch)"
CLAUSE = "9.3.2 b)"
LISTED = 10  # changes listed; the rest are counted and linked (three blocks each once frozen)
EFFECT_WORDS = 60  # a frozen block keeps 500 characters: the effect is cut to fit


@dataclass(frozen=True)
class WatchItem:
    """One change as the review lists it."""

    title: str
    url: str
    new: bool  # recorded in the period (else recorded before, updated in it)
    source: str
    reference: str
    applies_from: dt.date | None
    status: str
    open: bool
    systems: tuple[str, ...]
    articles: str
    effect: str


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _end_of(review) -> dt.datetime | None:
    """When the period ends for a held review: the end of the day it was held (what was
    recorded later was not before it). None for a review still to be held: up to now."""
    if not review.is_held or review.held_on is None:
        return None
    day_after = review.held_on + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day_after, dt.time.min))


def watch_input(review, request) -> Section:
    """The review's regulatory-watch input: the changes recorded or updated in its period (the
    newest first), each with its source, reference, date of application, status, the systems
    and articles it touches and its effect; and how many changes are still open."""
    organization = review.organization
    period = period_of(review)
    end = _end_of(review)
    recorded = Q(recorded_at__gte=period.start)
    updated = Q(updated_at__gte=period.start)
    if end is not None:
        recorded &= Q(recorded_at__lt=end)
        updated &= Q(updated_at__lt=end)
    changes = RegulatoryChange.objects.for_org(organization)
    if end is not None:
        changes = changes.filter(recorded_at__lt=end)  # the watch as it stood that day
    counts = changes.aggregate(
        total=Count("pk"),
        new=Count("pk", filter=recorded),
        updated=Count("pk", filter=updated & ~recorded),
        open=Count("pk", filter=Q(status__in=(ChangeStatus.ASSESSING, ChangeStatus.ACTING))),
    )
    in_period = counts["new"] + counts["updated"]
    rows = list(
        changes.filter(recorded | updated)
        .prefetch_related("systems")
        .order_by("-recorded_at", "-pk")[:LISTED]
    )
    items = []
    for change in rows:
        change.organization = organization
        items.append(
            WatchItem(
                title=change.title,
                url=change.get_absolute_url(),
                new=change.recorded_at >= period.start,
                source=change.get_source_display(),
                reference=change.reference,
                applies_from=change.effective_on,
                status=change.get_status_display(),
                open=change.status in (ChangeStatus.ASSESSING, ChangeStatus.ACTING),
                systems=tuple(sorted((s.name for s in change.systems.all()), key=str.casefold)),
                articles=change.articles,
                effect=Truncator(" ".join(change.effect.split())).words(EFFECT_WORDS),
            )
        )
    if not counts["total"]:
        empty = "Not recorded yet: the regulatory watch holds no change in law or guidance."
    else:
        empty = (
            f"No change in laws, regulations or guidance was recorded or updated {period.words}."
        )
    context = {
        "title": TITLE,
        "clause": CLAUSE,
        "summary": (
            f"{_plural(counts['new'], 'change')} recorded and {counts['updated']} updated "
            f"{period.words}; {counts['open']} of {counts['total']} in the watch still open "
            "(effect being assessed or actions under way)."
        )
        if in_period
        else "",
        "figures": [
            Figure("New", counts["new"]),
            Figure("Updated", counts["updated"]),
            Figure("Open", counts["open"], "warn" if counts["open"] else "good"),
        ]
        if counts["total"]
        else [],
        "items": items,
        "more": max(in_period - len(items), 0),
        "empty": empty,
        "list_url": reverse("act_change_list", kwargs={"org": organization.slug}),
    }
    return Section("euaiact/_review_watch.html", context, order=15)
